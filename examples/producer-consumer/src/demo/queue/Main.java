package demo.queue;

/**
 * A plain producer/consumer over a shared mailbox (a static root) with synchronized methods,
 * wait() and notifyAll(), across JVMs. Arguments: {@code producer N} or {@code consumer}.
 */
public class Main {
    static Mailbox box = new Mailbox();

    public static void main(String[] args) throws InterruptedException {
        if (args[0].equals("producer")) {
            int n = Integer.parseInt(args[1]);
            for (int i = 0; i < n; i++) {
                box.put("m" + i);
            }
            box.put("done");
            System.out.println("app: producer sent " + n);
        } else {
            int got = 0;
            String last = null;
            while (true) {
                String m = box.take();
                if (m.equals("done")) {
                    break;
                }
                got++;
                last = m;
            }
            System.out.println("app: consumer got " + got + ", last " + last);
        }
    }
}

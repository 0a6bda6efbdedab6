package demo.queue;

/**
 * A plain producer/consumer over a shared mailbox (a static root) with synchronized methods,
 * wait() and notifyAll(), across JVMs. Arguments: {@code producer N} or {@code consumer};
 * {@code local N} runs a producer and a consumer thread in this one JVM on the shared mailbox;
 * {@code interrupt} interrupts a thread blocked in take(); {@code timed MS} polls an empty
 * mailbox with a timed wait.
 */
public class Main {
    static Mailbox box = new Mailbox();

    public static void main(String[] args) throws InterruptedException {
        if (args[0].equals("local")) {
            int n = Integer.parseInt(args[1]);
            Thread producer = new Thread(() -> {
                for (int i = 0; i < n; i++) {
                    box.put("m" + i);
                }
                box.put("done");
            });
            producer.start();
            consume();
            producer.join();
            return;
        }
        if (args[0].equals("interrupt")) {
            Thread t = new Thread(() -> {
                try {
                    box.take();
                    System.out.println("app: take returned");
                } catch (InterruptedException expected) {
                    // the interrupt this mode checks
                }
            });
            t.start();
            Thread.sleep(500);
            long i0 = System.nanoTime();
            t.interrupt();
            t.join();
            long after = (System.nanoTime() - i0) / 1_000_000;
            System.out.println("app: interrupted " + (after < 2000 ? "promptly" : "late (" + after + " ms)"));
            return;
        }
        if (args[0].equals("timed")) {
            long ms = Long.parseLong(args[1]);
            long t0 = System.nanoTime();
            String m = box.poll(ms);
            long took = (System.nanoTime() - t0) / 1_000_000;
            System.out.println("app: poll " + m + " after " + (took >= ms ? "the timeout" : "only " + took + " ms"));
            return;
        }
        if (args[0].equals("producer")) {
            int n = Integer.parseInt(args[1]);
            for (int i = 0; i < n; i++) {
                box.put("m" + i);
            }
            box.put("done");
            System.out.println("app: producer sent " + n);
        } else {
            consume();
        }
    }

    static void consume() throws InterruptedException {
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

package legacy;

/**
 * Drives {@link Counter} (a class of a Java 1.4-era library) shared between JVMs:
 * <pre>
 *   run.sh add 100 a      # adds 1 a hundred times (synchronized), then 5 to extra under the named lock
 *   run.sh get            # prints the count
 *   run.sh listen b       # waits (up to 60 s) for a distributed ping from another JVM
 *   run.sh ping a         # pings until a listener acknowledged (root legacy.Main.acked)
 *   run.sh share CLASS    # shares a new CLASS under root legacy.Main.other, prints what happened
 * </pre>
 */
public class Main {
    static Counter counter;
    static Boolean acked;
    static String self;
    static Object other;

    public static void main(String[] args) throws Exception {
        String cmd = args[0];
        self = args.length > 2 ? args[2] : (args.length > 1 ? args[1] : "main");
        counter = new Counter(); // the first assignment anywhere creates the root
        Counter c = counter;
        if (cmd.equals("add")) {
            int n = Integer.parseInt(args[1]);
            for (int i = 0; i < n; i++) {
                c.add(1);
            }
            c.named(5);
            System.out.println("app: added " + n + " and 5");
        } else if (cmd.equals("get")) {
            System.out.println("app: count " + c.get() + " extra " + c.extra() + " log " + c.logSize());
        } else if (cmd.equals("listen")) {
            acked = Boolean.FALSE;
            System.out.println("app: listening");
            long end = System.currentTimeMillis() + 60_000;
            while (!Boolean.TRUE.equals(acked) && System.currentTimeMillis() < end) {
                Thread.sleep(50);
            }
            System.out.println("app: listener done, acked " + acked);
        } else if (cmd.equals("share")) {
            try {
                other = Class.forName(args[1]).getDeclaredConstructor().newInstance();
                System.out.println("app: shared " + other.getClass().getName());
            } catch (Error e) {
                System.out.println("app: " + e.getClass().getName() + ": " + e.getMessage());
            }
        } else if (cmd.equals("ping")) {
            long end = System.currentTimeMillis() + 60_000;
            int sent = 0;
            while (!Boolean.TRUE.equals(acked) && System.currentTimeMillis() < end) {
                c.ping(self);
                sent++;
                Thread.sleep(200);
            }
            System.out.println("app: acked " + acked + " after at least one ping " + (sent > 0));
        }
    }
}

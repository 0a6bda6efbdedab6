package demo.dmi;

/**
 * Distributed methods and named locks. {@code host} (start first) and {@code guest}: where
 * ping / pingResident / relay run (see Board). {@code counter N} on two JVMs: N increments each
 * under a named lock, both then see 2N. {@code local}: a distributed method on a board that is
 * not shared runs locally only.
 */
public class Main {
    static Board a;
    static Board b;
    static Counter counter;

    public static void main(String[] args) throws Exception {
        long deadline = System.currentTimeMillis() + 60_000;
        switch (args[0]) {
            case "host": {
                a = new Board("a");
                b = new Board("b");
                System.out.println("app: host shared a and b");
                System.out.flush();
                Board ra = a;
                Board rb = b;
                while (!ra.isReady()) {
                    check(deadline, "guest ready");
                    Thread.sleep(50);
                }
                rb.pingResident("host"); // b is resident on the host only: not sent to the guest
                rb.ping("host"); // sent to every JVM: the guest faults b in for it
                try {
                    ra.note(new Thread()); // runs here, then cannot be sent: a Thread is not portable
                } catch (Error e) { // com.tc.exception.TCNonPortableObjectError (in the agent's API jar)
                    String m = e.getMessage();
                    System.out.println("app: host note refused: " + e.getClass().getName() + ": " + m.substring(0, m.indexOf(',')));
                }
                ra.relay("host", rb); // the guest runs relay; its nested b.ping is not sent again
                ra.poke(); // poke is local; the private secret(int, long) it calls is distributed
                while (!ra.isDone()) {
                    check(deadline, "guest done");
                    Thread.sleep(50);
                }
                Thread.sleep(500);
                System.out.println("app: host ran " + Board.log());
                break;
            }
            case "guest": {
                Board ra = a; // faults a in (b is not reachable from a)
                ra.ready();
                while (Board.logged("a.secret(7,1099511627776)") == 0) {
                    check(deadline, "relay from the host");
                    Thread.sleep(20);
                }
                Thread.sleep(500); // anything else would arrive meanwhile
                ra.done();
                System.out.println("app: guest ran " + Board.log());
                break;
            }
            case "counter": {
                int n = Integer.parseInt(args[1]);
                if (counter == null) {
                    counter = new Counter();
                }
                Counter c = counter;
                for (int i = 0; i < n; i++) {
                    if (i % 2 == 0) {
                        c.increment();
                    } else {
                        Counter.add(c, 1);
                    }
                }
                int expected = 2 * n;
                while (c.get() < expected) {
                    check(deadline, "count " + expected + " (at " + c.get() + ")");
                    Thread.sleep(20);
                }
                System.out.println("app: counter " + c.get());
                break;
            }
            default: {
                Board x = new Board("x");
                x.ping("local");
                x.ping("local");
                System.out.println("app: local ran " + Board.log());
            }
        }
    }

    private static void check(long deadline, String what) {
        if (System.currentTimeMillis() > deadline) {
            throw new IllegalStateException("timed out waiting for " + what + "; ran " + Board.log());
        }
    }
}

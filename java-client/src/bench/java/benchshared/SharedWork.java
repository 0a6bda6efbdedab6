package benchshared;

/**
 * The child JVM of SharedSyncBench (tc-config.xml: root {@code benchshared.SharedWork.shared},
 * includes and autolocks benchshared.*). Prints "NAME ns/op" lines: an uncontended
 * {@code synchronized} on the shared root, empty and with a field write (the greedy cluster lock re-acquired
 * locally), the same code on a private Counter (JVM monitor + barrier), and on a plain Object.
 */
public class SharedWork {
    static Counter shared;
    static volatile long sink;

    static void sharedLoop(Counter c, int n) {
        for (int i = 0; i < n; i++) {
            synchronized (c) {
                c.n++;
            }
        }
    }

    static void sharedEmpty(Counter c, int n) {
        long s = 0;
        for (int i = 0; i < n; i++) {
            synchronized (c) {
                s += i;
            }
        }
        sink = s;
    }

    static void plainLoop(Object lock, int n) {
        long s = 0;
        for (int i = 0; i < n; i++) {
            synchronized (lock) {
                s += i;
            }
        }
        sink = s;
    }

    interface Op {
        void run(int n);
    }

    static double measure(Op op, int n) {
        for (int i = 0; i < 3; i++) {
            op.run(n);
        }
        double best = Double.MAX_VALUE;
        for (int r = 0; r < 5; r++) {
            long t0 = System.nanoTime();
            op.run(n);
            best = Math.min(best, (System.nanoTime() - t0) / (double) n);
        }
        return best;
    }

    public static void main(String[] args) {
        shared = new Counter(); // the first assignment creates the root; the field now reads it
        Counter c = shared;
        Counter local = new Counter();
        Object lock = new Object();
        int n = Integer.parseInt(args[0]);
        System.out.printf("shared-sync %.3f%n", measure(k -> sharedEmpty(c, k), n));
        System.out.printf("shared-sync-write %.3f%n", measure(k -> sharedLoop(c, k), n));
        System.out.printf("private-sync %.3f%n", measure(k -> sharedLoop(local, k), n * 10));
        System.out.printf("jvm-monitor %.3f%n", measure(k -> plainLoop(lock, k), n * 10));
        synchronized (c) {
            System.out.println("count " + c.n);
        }
    }
}

package benchshared;

/**
 * The child JVM of SharedSyncBench (tc-config.xml: root {@code benchshared.SharedWork.shared},
 * includes and autolocks benchshared.*). Prints "NAME ns/op" lines: an uncontended
 * {@code synchronized} on the shared root, empty and with a field write (the greedy cluster lock re-acquired
 * locally), read-level re-acquires (methods {@code read*}: one thread, then 4 threads at once), the
 * same code on a private Counter (JVM monitor + barrier), and on a plain Object.
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

    /** Autolocked at read level (the bench's tc-config.xml): a read-level re-acquire per iteration. */
    static void readEmpty(Counter c, int n) {
        long s = 0;
        for (int i = 0; i < n; i++) {
            synchronized (c) {
                s += c.n;
            }
        }
        sink = s;
    }

    /** {@link #readEmpty} in {@code threads} threads at once: ns per re-acquire, all threads together. */
    static void readThreads(Counter c, int n, int threads) {
        Thread[] ts = new Thread[threads];
        for (int t = 0; t < threads; t++) {
            ts[t] = new Thread(() -> readEmpty(c, n / threads));
            ts[t].start();
        }
        for (Thread t : ts) {
            try {
                t.join();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        }
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
        System.out.printf("shared-read %.3f%n", measure(k -> readEmpty(c, k), n * 10));
        System.out.printf("shared-read-4t %.3f%n", measure(k -> readThreads(c, k, 4), n * 10));
        System.out.printf("private-sync %.3f%n", measure(k -> sharedLoop(local, k), n * 10));
        System.out.printf("jvm-monitor %.3f%n", measure(k -> plainLoop(lock, k), n * 10));
        synchronized (c) {
            System.out.println("count " + c.n);
        }
    }
}

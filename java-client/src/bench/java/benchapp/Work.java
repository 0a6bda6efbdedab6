package benchapp;

import java.util.HashMap;

/**
 * The workload AgentBench runs in a child JVM, with and without the agent (its tc-config.xml
 * includes benchapp.* and autolocks every method here). Prints "MODE ns/op". Nothing is shared:
 * these are the costs the agent adds to non-shared objects.
 */
public class Work {
    int value;
    private final Object lock = new Object();
    static volatile int sink;

    int syncLoop(int n) {
        int s = 0;
        for (int i = 0; i < n; i++) {
            synchronized (lock) {
                s += i;
            }
        }
        return s;
    }

    int readLoop(Work w, int n) {
        int s = 0;
        for (int i = 0; i < n; i++) {
            s += w.value;
            w = w.next == null ? w : w.next;
        }
        return s;
    }

    Work next;

    void writeLoop(int n) {
        for (int i = 0; i < n; i++) {
            value = i;
            next = this;
        }
    }

    static int mapLoop(int n) {
        HashMap<Integer, Integer> m = new HashMap<>();
        int s = 0;
        for (int i = 0; i < n; i++) {
            m.put(i & 4095, i);
            Integer v = m.get((i * 7) & 4095);
            s += v == null ? 0 : v;
        }
        return s;
    }

    /** mapLoop's twin (a separate method, compiled after the startup-like warm-up). */
    static int mapLoop2(int n) {
        HashMap<Integer, Integer> m = new HashMap<>();
        int s = 0;
        for (int i = 0; i < n; i++) {
            m.put(i & 4095, i);
            Integer v = m.get((i * 7) & 4095);
            s += v == null ? 0 : v;
        }
        return s;
    }

    interface Op {
        void run(int n);
    }

    static double measure(Op op, int n) {
        for (int i = 0; i < 5; i++) {
            op.run(n); // warm-up
        }
        double best = Double.MAX_VALUE;
        for (int r = 0; r < 7; r++) {
            long t0 = System.nanoTime();
            op.run(n);
            best = Math.min(best, (System.nanoTime() - t0) / (double) n);
        }
        return best;
    }

    public static void main(String[] args) {
        Work w = new Work();
        w.next = new Work();
        int n = 2_000_000;
        System.out.printf("sync %.3f%n", measure(k -> sink = w.syncLoop(k), n));
        System.out.printf("read %.3f%n", measure(k -> sink = w.readLoop(w, k), n));
        System.out.printf("write %.3f%n", measure(w::writeLoop, n));
        System.out.printf("hashmap %.3f%n", measure(k -> sink = mapLoop(k), n));
        // As any application's startup does (and the agent's own start does before main): use
        // HashMap with String keys first, so HashMap.put is compiled on its own in both JVMs;
        // this separates the per-operation cost from the order in which the JIT compiles.
        HashMap<String, Integer> startup = new HashMap<>();
        for (int i = 0; i < 200_000; i++) {
            startup.put("k" + (i & 1023), i);
        }
        sink = startup.size();
        System.out.printf("hashmap-warm %.3f%n", measure(k -> sink = mapLoop2(k), n));
    }
}

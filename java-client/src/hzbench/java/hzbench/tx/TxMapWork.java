package hzbench.tx;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * The transparent side of HazelcastBench: a plain Java program, run with -javaagent and a
 * tc-config.xml whose root is {@code hzbench.tx.TxMapWork.map} and whose autolocks make
 * {@link #put} a write lock, {@link #get} a read lock and {@link #flush} a synchronous-write
 * lock (its release returns once the server acknowledged it, and so everything before it).
 * The map is a {@code java.util.HashMap} in the source (the agent shares it logically).
 * Arguments: threads keys secs warmupSecs repeat. Prints "put OPS" / "get OPS" per timed run.
 */
public class TxMapWork {
    static Map<String, String> map;
    static final Object FLUSH = new Object();

    static void put(String k, String v) {
        synchronized (map) {
            map.put(k, v);
        }
    }

    static String get(String k) {
        synchronized (map) {
            return map.get(k);
        }
    }

    static void flush() {
        synchronized (map) {
            map.size(); // a synchronous-write transaction: returns after the server's acknowledgement
        }
    }

    static volatile boolean stop;

    static double run(boolean put, int threads, String[] keys, String value, int secs) throws Exception {
        int nkeys = keys.length;
        long[] counts = new long[threads * 16];
        long[] bad = new long[threads * 16];
        CountDownLatch start = new CountDownLatch(1);
        stop = false;
        Thread[] ts = new Thread[threads];
        for (int k = 0; k < threads; k++) {
            final int id = k;
            ts[k] = new Thread(() -> {
                long i = (long) id * (nkeys / threads);
                long n = 0;
                try {
                    start.await();
                } catch (InterruptedException e) {
                    return;
                }
                if (put) {
                    while (!stop) {
                        put(keys[(int) (i % nkeys)], value);
                        i++;
                        n++;
                    }
                } else {
                    while (!stop) {
                        String v = get(keys[(int) (i % nkeys)]);
                        if (v == null || v.length() != 100) {
                            bad[id * 16]++;
                        }
                        i++;
                        n++;
                    }
                }
                counts[id * 16] = n;
            });
            ts[k].start();
        }
        long t0 = System.nanoTime();
        start.countDown();
        Thread.sleep(secs * 1000L);
        stop = true;
        for (Thread t : ts) {
            t.join();
        }
        if (put) {
            flush();
        }
        long t1 = System.nanoTime();
        long total = 0;
        for (int k = 0; k < threads; k++) {
            total += counts[k * 16];
            if (bad[k * 16] != 0) {
                throw new IllegalStateException("get: " + bad[k * 16] + " missing or wrong values");
            }
        }
        return total / ((t1 - t0) / 1e9);
    }

    public static void main(String[] args) throws Exception {
        int threads = Integer.parseInt(args[0]);
        int nkeys = Integer.parseInt(args[1]);
        int secs = Integer.parseInt(args[2]);
        int warmup = Integer.parseInt(args[3]);
        int repeat = Integer.parseInt(args[4]);
        String[] keys = new String[nkeys];
        for (int i = 0; i < nkeys; i++) {
            keys[i] = "k" + i;
        }
        char[] vc = new char[100];
        for (int i = 0; i < vc.length; i++) {
            vc[i] = (char) ('a' + i % 26);
        }
        String value = new String(vc);
        map = new HashMap<>(); // the first assignment in the cluster creates the root
        for (String phase : new String[] {"put", "get"}) {
            boolean put = phase.equals("put");
            run(put, threads, keys, value, warmup);
            for (int r = 0; r < repeat; r++) {
                System.out.printf(java.util.Locale.ROOT, "%s %.0f%n", phase, run(put, threads, keys, value, secs));
            }
        }
        synchronized (map) {
            if (map.size() != nkeys) {
                throw new IllegalStateException("transparent map holds " + map.size() + " entries, expected " + nkeys);
            }
        }
        System.out.println("size " + nkeys);
    }
}

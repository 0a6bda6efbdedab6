package bencharrays;

import java.util.Arrays;

/**
 * The child JVM of ArrayBench (tc-config.xml: root {@code bencharrays.ArrayWork.shared}, includes
 * and autolocks bencharrays.*). Prints "NAME ns/op" lines for array code on NON-shared arrays —
 * an element store loop, System.arraycopy and Arrays.fill of 16 ints — first before any array is
 * shared in this JVM ("/before"), then after the root (holding an int[]) was shared ("/after"),
 * and the same arraycopy into the shared array under its cluster lock ("shared-arraycopy16"),
 * beside the same 16 changes made by element stores ("shared-16-stores").
 * Without the agent every phase is plain Java (the baseline).
 */
public class ArrayWork {
    static Holder shared;
    static volatile long sink;

    static void store(int[] a, int n) {
        for (int i = 0; i < n; i++) {
            a[i & 63] = i;
        }
        sink = a[7];
    }

    static void copy(int[] src, int[] dst, int n) {
        long s = 0;
        for (int i = 0; i < n; i++) {
            src[i & 15] = i;
            System.arraycopy(src, 0, dst, 0, 16);
            s += dst[i & 15];
        }
        sink = s;
    }

    static void fill(int[] dst, int n) {
        long s = 0;
        for (int i = 0; i < n; i++) {
            Arrays.fill(dst, 0, 16, i);
            s += dst[i & 15]; // uses each fill (else the JIT keeps only the last)
        }
        sink = s;
    }

    static void sharedCopy(Holder h, int[] src, int n) {
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < 16; j++) {
                src[j] = i + j; // every element changes
            }
            synchronized (h) {
                System.arraycopy(src, 0, h.values, 0, 16);
            }
        }
        sink = h.values[3];
    }

    static void sharedStores(Holder h, int n) {
        for (int i = 0; i < n; i++) {
            synchronized (h) {
                for (int j = 0; j < 16; j++) {
                    h.values[j] = i + j; // the same 16 changes as element stores
                }
            }
        }
        sink = h.values[3];
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

    static void phase(String tag, int n) {
        int[] a = new int[64];
        int[] src = new int[16];
        int[] dst = new int[16];
        System.out.printf("store/%s %.3f%n", tag, measure(k -> store(a, k), n * 10));
        System.out.printf("arraycopy16/%s %.3f%n", tag, measure(k -> copy(src, dst, k), n));
        System.out.printf("fill16/%s %.3f%n", tag, measure(k -> fill(dst, k), n));
    }

    public static void main(String[] args) {
        int n = Integer.parseInt(args[0]);
        phase("before", n);
        shared = new Holder(); // with the agent: the root, its int[] a shared array
        Holder h = shared;
        phase("after", n);
        int[] src = new int[16];
        System.out.printf("shared-arraycopy16 %.3f%n", measure(k -> sharedCopy(h, src, k), n / 100));
        System.out.printf("shared-16-stores %.3f%n", measure(k -> sharedStores(h, k), n / 100));
    }
}

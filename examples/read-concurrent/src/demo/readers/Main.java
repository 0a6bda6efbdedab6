package demo.readers;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Modes (see README.txt): {@code local}. Methods named {@code read*} are autolocked at read
 * level, {@code write*} at write level.
 */
public class Main {
    static Board board;

    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "local": {
                Board b = new Board();
                board = b; // shares the root
                local(board);
                break;
            }
            case "readers": {
                Board b = new Board();
                board = b; // shares the root
                readers(board, Integer.parseInt(args[1]));
                break;
            }
            case "writer":
                writer(Integer.parseInt(args[1]));
                break;
            default:
                throw new IllegalArgumentException("mode: local | readers WRITES | writer WRITES");
        }
    }

    /**
     * 4 threads re-acquire the read lock of the board in a loop (through the parked read lease)
     * until another JVM's {@code writes} writes (a++, b++ under one write lock) have all been
     * seen; no read may see a write half done.
     */
    static void readers(Board b, int writes) throws Exception {
        System.out.println("app: readers ready");
        System.out.flush();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong torn = new AtomicLong();
        AtomicLong reads = new AtomicLong();
        List<Thread> ts = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            Thread t = new Thread(() -> {
                long n = 0;
                while (!stop.get()) {
                    if (!readConsistent(b)) {
                        torn.incrementAndGet();
                    }
                    n++;
                }
                reads.addAndGet(n);
            });
            t.start();
            ts.add(t);
        }
        long deadline = System.nanoTime() + 60_000_000_000L;
        boolean all = false;
        while (System.nanoTime() < deadline) {
            if (readSum(b) >= 2 * writes) {
                all = true;
                break;
            }
            Thread.sleep(1);
        }
        stop.set(true);
        for (Thread t : ts) {
            t.join(30_000);
        }
        long holds = mirrorHolds();
        System.err.println("readers: " + reads.get() + " reads, " + holds + " through the parked lease");
        System.out.println("app: readers: " + torn.get() + " torn reads, " + (all ? "saw all " + writes + " writes" : "missed writes")
                + (holds > 0 ? ", parked lease used" : ", parked lease not used"));
    }

    /** {@code writes} write-level blocks on the board, each bounded (readers of another JVM must not starve it). */
    static void writer(int writes) throws Exception {
        Board b = board;
        if (b == null) {
            throw new IllegalStateException("start the readers first");
        }
        long slowest = 0;
        long total = 0;
        for (int i = 0; i < writes; i++) {
            long t0 = System.nanoTime();
            writeBoth(b);
            long t = System.nanoTime() - t0;
            slowest = Math.max(slowest, t);
            total += t;
            Thread.sleep(2);
        }
        System.err.printf("writer: %d writes beside looping readers: mean %.3f ms, slowest %.3f ms%n", writes,
                total / 1e6 / writes, slowest / 1e6);
        System.out.println("app: writer: " + writes + " writes, " + (slowest < 5_000_000_000L ? "each within 5 s" : "one took "
                + slowest / 1_000_000 + " ms"));
    }

    /** The agent's count of read holds taken through a parked lease (0 without the agent's runtime). */
    static long mirrorHolds() {
        try {
            return (Long) Class.forName("dev.kiln.agent.rt.Runtime").getMethod("readLeaseHolds").invoke(null);
        } catch (ReflectiveOperationException e) {
            return 0;
        }
    }

    static void local(Board b) throws Exception {
        List<String> out = new ArrayList<>();
        // 1. Two threads inside one read-level synchronized block of the shared object at once.
        out.add("block readers together " + together(() -> readTogether(board, INSIDE_BLOCK, 2, 10_000), INSIDE_BLOCK));
        // 2. The same through a read-level synchronized method.
        out.add("method readers together " + together(() -> board.readTogether(INSIDE_METHOD, 2, 10_000), INSIDE_METHOD));
        // 3. A writer of this JVM excludes the readers (a == b under every read) and progresses.
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong reads = new AtomicLong();
        AtomicLong torn = new AtomicLong();
        List<Thread> readers = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            Thread t = new Thread(() -> {
                while (!stop.get()) {
                    if (!readConsistent(b)) {
                        torn.incrementAndGet();
                    }
                    reads.incrementAndGet();
                }
            });
            t.start();
            readers.add(t);
        }
        long t0 = System.nanoTime();
        for (int i = 0; i < 200; i++) {
            writeBoth(b);
        }
        long writerMs = (System.nanoTime() - t0) / 1_000_000;
        stop.set(true);
        for (Thread t : readers) {
            t.join(30_000);
        }
        System.err.println("writer: 200 writes in " + writerMs + " ms beside " + reads.get() + " reads");
        out.add(torn.get() + " torn reads, writer " + (readSum(b) == 400 ? "done" : "lost writes: " + readSum(b))
                + (reads.get() > 0 ? ", reads done" : ", no reads"));
        // 4. A write under a read lock is refused, and the exception leaves the lock.
        try {
            readAndWrite(b);
            out.add("write under read allowed");
        } catch (RuntimeException e) {
            System.err.println("write under read: " + e);
            out.add("write under read refused");
        }
        out.add("lock free after it " + otherThreadWrites(b));
        // 5. Write inside read (no upgrade): refused as well.
        try {
            readThenWrite(b);
            out.add("upgrade allowed");
        } catch (RuntimeException e) {
            out.add("upgrade refused");
        }
        out.add("lock free after it " + otherThreadWrites(b));
        // 6. Read inside write: the read-level method re-enters the write hold.
        int sum = readSum(b);
        out.add("read in write " + (writeThenRead(b) == sum + 2 ? "ok" : "wrong"));
        // 7. wait in a read-level block, woken by a write-level notifyAll of another thread.
        int target = b.a + 1;
        Thread w = new Thread(() -> {
            sleep(200);
            writeBothAndNotify(b);
        });
        w.start();
        out.add("wait in read " + (readAwait(b, target, 20_000) ? "woken" : "timed out"));
        w.join(30_000);
        System.out.println("app: local: " + String.join(", ", out));
    }

    static final AtomicInteger INSIDE_BLOCK = new AtomicInteger();
    static final AtomicInteger INSIDE_METHOD = new AtomicInteger();

    interface Check {
        boolean run();
    }

    /** Runs {@code c} in two threads; "yes" when both saw the other inside. */
    static String together(Check c, AtomicInteger inside) throws InterruptedException {
        boolean[] ok = new boolean[2];
        Thread[] ts = new Thread[2];
        for (int i = 0; i < 2; i++) {
            int k = i;
            ts[i] = new Thread(() -> ok[k] = c.run());
            ts[i].start();
        }
        for (Thread t : ts) {
            t.join(30_000);
        }
        return ok[0] && ok[1] ? "yes" : "no";
    }

    /** Counts this thread in and waits until {@code n} are in (at most {@code millis}). */
    static boolean arriveAndWait(AtomicInteger inside, int n, long millis) {
        inside.incrementAndGet();
        long deadline = System.nanoTime() + millis * 1_000_000L;
        while (inside.get() < n) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.yield();
        }
        return true;
    }

    static boolean readTogether(Board b, AtomicInteger inside, int n, long millis) {
        synchronized (b) {
            return arriveAndWait(inside, n, millis);
        }
    }

    static boolean readConsistent(Board b) {
        synchronized (b) {
            int x = b.a;
            Thread.yield();
            return x == b.b;
        }
    }

    static int readSum(Board b) {
        synchronized (b) {
            return b.a + b.b;
        }
    }

    static void readAndWrite(Board b) {
        synchronized (b) {
            b.a = b.a + 1;
        }
    }

    static void readThenWrite(Board b) {
        synchronized (b) {
            writeBoth(b);
        }
    }

    static boolean readAwait(Board b, int target, long millis) {
        long deadline = System.nanoTime() + millis * 1_000_000L;
        synchronized (b) {
            while (b.a < target) {
                if (System.nanoTime() > deadline) {
                    return false;
                }
                try {
                    b.wait(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
            return true;
        }
    }

    static void writeBoth(Board b) {
        synchronized (b) {
            b.a++;
            Thread.yield();
            b.b++;
        }
    }

    static void writeBothAndNotify(Board b) {
        synchronized (b) {
            b.a++;
            b.b++;
            b.notifyAll();
        }
    }

    static int writeThenRead(Board b) {
        synchronized (b) {
            b.a++;
            b.b++;
            return b.readSum();
        }
    }

    /** "yes" when another thread's write-level block completes within 10 s. */
    static String otherThreadWrites(Board b) throws InterruptedException {
        Thread t = new Thread(() -> writeBoth(b));
        t.start();
        t.join(10_000);
        return t.isAlive() ? "no" : "yes";
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

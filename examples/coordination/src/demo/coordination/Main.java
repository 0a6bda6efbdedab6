package demo.coordination;

import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Terracotta's coordination demo shape. {@code node <name> <rounds> <increments>}: three JVMs
 * each print "entered", await the shared barrier, print "passed" (with how many parties had
 * entered that round: always all three), for several rounds; then add to a shared counter under
 * a ReentrantLock, wait on its Condition until every node's increments are in, count down the
 * shared latch and await it; meanwhile at most two of six threads (two per node) at a time pass a Semaphore(2), and a
 * ReentrantReadWriteLock's write lock guards a second counter, read under its read lock. {@code timeout}: a timed await of a two-party barrier nobody else
 * comes to times out; an interrupted await throws InterruptedException at once.
 */
public class Main {
    /** The root: the first JVM's coordinator is every JVM's. */
    static Coordinator coord;

    public static void main(String[] args) throws Exception {
        coord = new Coordinator();
        Coordinator c = coord;
        if (args[0].equals("node")) {
            node(c, args[1], Integer.parseInt(args[2]), Integer.parseInt(args[3]));
        } else if (args[0].equals("gate")) {
            System.out.println(args[1] + " waiting at the gate");
            int index = c.gate.await();
            System.out.println(args[1] + " passed the gate index " + index);
        } else if (args[0].equals("lock-interrupt")) {
            lockInterrupt(c);
        } else if (args[0].equals("timeout")) {
            timeout(c);
        } else if (args[0].equals("refused")) {
            refused(c);
        } else {
            throw new IllegalArgumentException("usage: node <name> <rounds> <increments> | gate <name> | timeout | refused");
        }
    }

    /**
     * A thread of this JVM holds the shared ReentrantLock; another waits in lockInterruptibly()
     * and is interrupted, five times: the median time from interrupt() to InterruptedException
     * (prompt: well under the 50 ms a polling wait would take); a timed tryLock meanwhile fails;
     * after the holder releases, the lock is taken again.
     */
    static void lockInterrupt(Coordinator c) throws Exception {
        java.util.concurrent.CountDownLatch held = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(1);
        Thread holder = new Thread(() -> {
            c.lock.lock();
            try {
                held.countDown();
                done.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                c.lock.unlock();
            }
        });
        holder.start();
        held.await();
        long[] ms = new long[5];
        String[] outcome = new String[1];
        for (int i = 0; i < ms.length; i++) {
            long[] at = new long[1];
            Thread waiter = new Thread(() -> {
                try {
                    c.lock.lockInterruptibly();
                    outcome[0] = "acquired?!";
                    c.lock.unlock();
                } catch (InterruptedException e) {
                    at[0] = System.nanoTime();
                    outcome[0] = "interrupted";
                }
            });
            waiter.start();
            Thread.sleep(225 + 5 * i); // waiting for the lock (not a multiple of 50 ms)
            long t0 = System.nanoTime();
            waiter.interrupt();
            waiter.join(10_000);
            ms[i] = (at[0] - t0) / 1_000_000;
            if (!"interrupted".equals(outcome[0])) {
                break;
            }
        }
        java.util.Arrays.sort(ms);
        boolean got = c.lock.tryLock(200, TimeUnit.MILLISECONDS);
        done.countDown();
        holder.join();
        c.lock.lockInterruptibly();
        c.lock.unlock();
        System.out.println("lock-interrupt: " + outcome[0] + " " + (ms[2] < 15 ? "promptly" : "after " + ms[2] + " ms")
                + ", tryLock while held " + got + ", then taken");
    }

    static void node(Coordinator c, String name, int rounds, int increments) throws Exception {
        for (int r = 0; r < rounds; r++) {
            c.lock.lock();
            try {
                c.arrived[r]++;
            } finally {
                c.lock.unlock();
            }
            System.out.println(name + " entered " + r);
            int index = c.barrier.await();
            int seen;
            c.lock.lock();
            try {
                seen = c.arrived[r];
            } finally {
                c.lock.unlock();
            }
            System.out.println(name + " passed " + r + " saw " + seen + " index " + index);
        }
        // Two threads per JVM: the lock is contended here and across the JVMs.
        inTwoThreads(() -> {
            for (int i = 0; i < increments / 2; i++) {
                c.lock.lock();
                try {
                    c.counter++;
                    c.changed.signalAll();
                } finally {
                    c.lock.unlock();
                }
            }
        });
        int total = Coordinator.NODES * increments;
        c.lock.lock();
        try {
            while (c.counter < total) {
                c.changed.await();
            }
            System.out.println(name + " counter " + c.counter + " trips " + c.trips);
        } finally {
            c.lock.unlock();
        }
        inTwoThreads(() -> passPermits(c));
        for (int i = 0; i < increments; i++) {
            c.rw.writeLock().lock();
            try {
                c.rwCounter++;
            } finally {
                c.rw.writeLock().unlock();
            }
        }
        c.finished.countDown();
        if (!c.finished.await(60, TimeUnit.SECONDS)) {
            throw new IllegalStateException("the latch was not released");
        }
        System.out.println(name + " latch " + c.finished.getCount());
        c.rw.readLock().lock();
        try {
            System.out.println(name + " rw " + c.rwCounter + " max inside " + c.maxInside + " permits "
                    + c.permits.availablePermits());
        } finally {
            c.rw.readLock().unlock();
        }
    }

    /** At most two of the six threads (two per JVM) are inside at a time. */
    static void passPermits(Coordinator c) {
        for (int i = 0; i < 10; i++) {
            c.permits.acquireUninterruptibly();
            try {
                c.lock.lock();
                try {
                    c.inside++;
                    c.maxInside = Math.max(c.maxInside, c.inside);
                } finally {
                    c.lock.unlock();
                }
                Thread.sleep(3);
                c.lock.lock();
                try {
                    c.inside--;
                } finally {
                    c.lock.unlock();
                }
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            } finally {
                c.permits.release();
            }
        }
    }

    /** Runs {@code r} in two threads at once and waits for both (a failure fails the JVM). */
    static void inTwoThreads(Runnable r) throws InterruptedException {
        Throwable[] failed = new Throwable[1];
        Thread[] ts = new Thread[2];
        for (int i = 0; i < 2; i++) {
            ts[i] = new Thread(r);
            ts[i].setUncaughtExceptionHandler((t, e) -> {
                synchronized (failed) {
                    failed[0] = e;
                }
            });
            ts[i].start();
        }
        for (Thread t : ts) {
            t.join();
        }
        synchronized (failed) {
            if (failed[0] != null) {
                throw new IllegalStateException("a worker thread failed", failed[0]);
            }
        }
    }

    static void timeout(Coordinator c) throws Exception {
        long t0 = System.nanoTime();
        try {
            c.pair.await(500, TimeUnit.MILLISECONDS);
            System.out.println("timed await: passed?!");
        } catch (TimeoutException e) {
            System.out.println("timed await: TimeoutException after " + ms(t0) + " ms, broken " + c.pair.isBroken());
        }
        try {
            c.pair.await();
        } catch (BrokenBarrierException e) {
            System.out.println("await of the broken barrier: BrokenBarrierException");
        }
        c.pair.reset();
        System.out.println("after reset: broken " + c.pair.isBroken() + ", waiting " + c.pair.getNumberWaiting());
        long[] took = new long[1];
        String[] outcome = new String[1];
        Thread waiter = new Thread(() -> {
            long t = System.nanoTime();
            try {
                c.pair.await();
                outcome[0] = "passed?!";
            } catch (InterruptedException e) {
                outcome[0] = "InterruptedException";
            } catch (BrokenBarrierException e) {
                outcome[0] = "BrokenBarrierException";
            }
            took[0] = ms(t);
        });
        waiter.start();
        while (c.pair.getNumberWaiting() == 0) {
            Thread.sleep(10);
        }
        long t1 = System.nanoTime();
        waiter.interrupt();
        waiter.join(10_000);
        System.out.println("interrupted await: " + outcome[0] + " " + ms(t1) + " ms after the interrupt, broken "
                + c.pair.isBroken());
        c.pair.reset();
        long t2 = System.nanoTime();
        boolean released = c.finished.await(300, TimeUnit.MILLISECONDS);
        System.out.println("latch timed await: " + released + " count " + c.finished.getCount() + " after " + ms(t2) + " ms");
    }

    /** What cannot be shared is refused with a clear error; a library's plain latch is shared as a copy. */
    static void refused(Coordinator c) throws Exception {
        c.lock.lock();
        try {
            c.extra = new CyclicBarrier(2, () -> System.out.println("never"));
            System.out.println("lambda action: shared?!");
        } catch (RuntimeException | Error e) {
            System.out.println("lambda action: " + e.getClass().getName() + ": " + e.getMessage());
        } finally {
            c.lock.unlock();
        }
        c.lock.lock();
        try {
            c.extra = demo.lib.Factory.barrier(2);
            System.out.println("plain barrier: shared?!");
        } catch (RuntimeException | Error e) {
            System.out.println("plain barrier: " + e.getClass().getName() + ": " + e.getMessage());
        } finally {
            c.lock.unlock();
        }
        c.lock.lock();
        try {
            c.copied = demo.lib.Factory.latch(2);
        } finally {
            c.lock.unlock();
        }
        c.copied.countDown();
        System.out.println("plain latch: " + c.copied.getClass().getName() + " count " + c.copied.getCount());
        c.rw.readLock().lock();
        try {
            c.rw.writeLock().lock();
            System.out.println("upgrade: granted?!");
        } catch (IllegalMonitorStateException e) {
            System.out.println("upgrade: " + e.getMessage());
        } finally {
            c.rw.readLock().unlock();
        }
    }

    private static long ms(long t0) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    }
}

package dev.kiln.agent.jdk;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertSame;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

import org.junit.Test;

/**
 * No server: the Kiln synchronizers not shared (oid 0) behave as the JDK types they extend
 * (same results, exceptions, timeouts and interrupts), and the cluster names, share-time copies
 * and state content round-trip.
 */
public class KilnSynchronizersTest {
    @Test
    public void unsharedBarrierIsTheJdks() throws Exception {
        AtomicInteger actions = new AtomicInteger();
        CyclicBarrier b = new KilnCyclicBarrier(3, actions::incrementAndGet);
        assertEquals(3, b.getParties());
        List<Integer> idx = Collections.synchronizedList(new ArrayList<>());
        for (int round = 0; round < 2; round++) {
            List<Thread> ts = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                Thread t = new Thread(() -> {
                    try {
                        idx.add(b.await());
                    } catch (Exception e) {
                        idx.add(-1);
                    }
                });
                t.start();
                ts.add(t);
            }
            while (b.getNumberWaiting() < 2) {
                Thread.sleep(5);
            }
            idx.add(b.await());
            for (Thread t : ts) {
                t.join(5000);
            }
        }
        Collections.sort(idx);
        assertEquals(Arrays.asList(0, 0, 1, 1, 2, 2), idx);
        assertEquals(2, actions.get());
        long t0 = System.nanoTime();
        try {
            b.await(100, TimeUnit.MILLISECONDS);
            fail("no timeout");
        } catch (TimeoutException e) {
            assertTrue(System.nanoTime() - t0 >= TimeUnit.MILLISECONDS.toNanos(90));
        }
        assertTrue(b.isBroken());
        try {
            b.await();
            fail("not broken");
        } catch (BrokenBarrierException e) {
            // as the JDK
        }
        b.reset();
        assertFalse(b.isBroken());
        Thread.currentThread().interrupt();
        try {
            b.await();
            fail("not interrupted");
        } catch (InterruptedException e) {
            assertTrue(b.isBroken());
        }
    }

    @Test
    public void unsharedLatchAndSemaphoreAreTheJdks() throws Exception {
        CountDownLatch l = new KilnCountDownLatch(2);
        assertFalse(l.await(50, TimeUnit.MILLISECONDS));
        l.countDown();
        assertEquals(1, l.getCount());
        new Thread(l::countDown).start();
        assertTrue(l.await(5, TimeUnit.SECONDS));
        l.countDown();
        assertEquals(0, l.getCount());
        assertTrue(l.toString().endsWith("[Count = 0]"));

        Semaphore s = new KilnSemaphore(2, true);
        assertTrue(s.isFair());
        s.acquire(2);
        assertFalse(s.tryAcquire());
        assertFalse(s.tryAcquire(50, TimeUnit.MILLISECONDS));
        new Thread(() -> s.release(3)).start();
        assertTrue(s.tryAcquire(3, 5, TimeUnit.SECONDS));
        s.release();
        assertEquals(1, s.availablePermits());
        assertEquals(1, s.drainPermits());
        assertEquals(0, s.availablePermits());
        Thread.currentThread().interrupt();
        try {
            s.acquire();
            fail("not interrupted");
        } catch (InterruptedException e) {
            // as the JDK
        }
    }

    @Test
    public void unsharedLocksAreTheJdks() throws Exception {
        ReentrantLock l = new KilnReentrantLock();
        Condition c = l.newCondition();
        assertFalse(l.isLocked());
        l.lock();
        l.lock();
        assertEquals(2, l.getHoldCount());
        assertTrue(l.isHeldByCurrentThread());
        boolean[] other = new boolean[1];
        Thread t = new Thread(() -> other[0] = l.tryLock());
        t.start();
        t.join();
        assertFalse(other[0]);
        l.unlock();
        l.unlock();
        assertFalse(l.isLocked());
        try {
            l.unlock();
            fail("unlock of an unheld lock");
        } catch (IllegalMonitorStateException e) {
            // as the JDK
        }
        int[] seen = new int[1];
        Thread w = new Thread(() -> {
            l.lock();
            try {
                while (seen[0] == 0) {
                    c.await();
                }
            } catch (InterruptedException e) {
                seen[0] = -1;
            } finally {
                l.unlock();
            }
        });
        w.start();
        for (boolean waits = false; !waits; Thread.sleep(5)) {
            l.lock();
            try {
                waits = l.hasWaiters(c); // as the JDK: only by the holder
            } finally {
                l.unlock();
            }
        }
        l.lock();
        try {
            assertEquals(1, l.getWaitQueueLength(c));
            seen[0] = 1;
            c.signal();
        } finally {
            l.unlock();
        }
        w.join(5000);
        assertFalse(w.isAlive());
        assertEquals(1, seen[0]);
        l.lock();
        try {
            assertTrue(c.await(20, TimeUnit.MILLISECONDS) == false);
        } finally {
            l.unlock();
        }

        ReentrantReadWriteLock rw = new KilnReentrantReadWriteLock();
        rw.readLock().lock();
        rw.readLock().lock();
        assertEquals(2, rw.getReadHoldCount());
        boolean[] got = new boolean[1];
        Thread wt = new Thread(() -> got[0] = rw.writeLock().tryLock());
        wt.start();
        wt.join();
        assertFalse(got[0]);
        rw.readLock().unlock();
        rw.readLock().unlock();
        rw.writeLock().lock();
        assertTrue(rw.isWriteLockedByCurrentThread());
        assertEquals(1, rw.writeLock().getHoldCount());
        rw.readLock().lock(); // downgrade
        rw.writeLock().unlock();
        assertFalse(rw.isWriteLocked());
        rw.readLock().unlock();
        try {
            rw.readLock().newCondition();
            fail("a read lock has no conditions");
        } catch (UnsupportedOperationException e) {
            // as the JDK
        }
        Condition wc = rw.writeLock().newCondition();
        rw.writeLock().lock();
        try {
            assertFalse(wc.await(10, TimeUnit.MILLISECONDS));
        } finally {
            rw.writeLock().unlock();
        }
    }

    @Test
    public void clusterNamesCopiesAndStateRoundTrip() throws Exception {
        ClassLoader cl = getClass().getClassLoader();
        assertTrue(Jdk.create("java.util.concurrent.CyclicBarrier", cl) instanceof KilnCyclicBarrier);
        assertTrue(Jdk.create("java.util.concurrent.CountDownLatch", cl) instanceof KilnCountDownLatch);
        assertTrue(Jdk.create("java.util.concurrent.Semaphore", cl) instanceof KilnSemaphore);
        assertTrue(Jdk.create("java.util.concurrent.locks.ReentrantLock", cl) instanceof KilnReentrantLock);
        assertTrue(Jdk.create("java.util.concurrent.locks.ReentrantReadWriteLock", cl) instanceof KilnReentrantReadWriteLock);
        assertTrue(Jdk.create(KilnCondition.CLASS, cl) instanceof KilnCondition);

        // A plain latch / semaphore / unlocked lock met by the sharing walk becomes a Kiln copy with its state.
        CountDownLatch plain = new CountDownLatch(5);
        plain.countDown();
        Shared copy = Jdk.portableCopy(plain);
        assertEquals(4, ((CountDownLatch) copy).getCount());
        assertEquals(Arrays.asList("count", 4L), copy.$kiln$content());
        assertEquals(7, ((Semaphore) Jdk.portableCopy(new Semaphore(7))).availablePermits());
        assertTrue(Jdk.portableCopy(new ReentrantLock(true)) instanceof KilnReentrantLock);
        ReentrantLock held = new ReentrantLock();
        held.lock();
        assertNull("a held plain lock cannot be replaced", Jdk.portableCopy(held));
        held.unlock();
        // A plain barrier cannot be copied (its action is private to java.base): refused with a hint.
        assertNull(Jdk.portableCopy(new CyclicBarrier(2)));
        assertTrue(Jdk.hint(new CyclicBarrier(2)), Jdk.hint(new CyclicBarrier(2)).contains("CyclicBarrier"));

        // A barrier's state as the cluster holds it, loaded into another instance (as materialising does).
        Runnable action = () -> { };
        KilnCyclicBarrier b = new KilnCyclicBarrier(4, action);
        List<Object> st = b.$kiln$content();
        assertEquals(Arrays.asList("parties", 4L, "action", action, "gen", 0L, "waiting", 0L, "brokenGen", -1L), st);
        KilnCyclicBarrier m = (KilnCyclicBarrier) Jdk.create("java.util.concurrent.CyclicBarrier", cl);
        m.$kiln$load(new ArrayList<>(Arrays.asList("parties", 4L, "action", action, "gen", 3L, "waiting", 2L,
                "brokenGen", -1L, "end:2", 5L)));
        m.$kiln$oid(42); // as if shared: the content is its cluster state
        List<Object> back = m.$kiln$content();
        assertEquals(Arrays.asList("parties", 4L, "action", action, "gen", 3L, "waiting", 2L, "brokenGen", -1L, "end:2", 5L),
                back);
        assertEquals(4, m.getParties());
        KilnReentrantLock lock = new KilnReentrantLock();
        KilnCondition cond = (KilnCondition) lock.newCondition();
        assertSame(lock, cond.$kiln$content().get(1));
    }
}

package dev.kiln;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.Lock;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;

/**
 * The Java API against a real kiln-server: two KilnClusters in this JVM are two cluster nodes
 * (two native clients, two connections). Cross-JVM behaviour is in {@link TwoJvmTest}.
 */
public class ClusterApiTest {
    static TestServer server;
    static KilnCluster a;
    static KilnCluster b;

    enum Color { RED, GREEN }

    @BeforeClass
    public static void start() throws Exception {
        server = TestServer.start();
        a = Kiln.connect(server.config.toString(), "java-a", 10_000);
        b = Kiln.connect(server.addr(), "java-b", 10_000);
    }

    @AfterClass
    public static void stop() throws Exception {
        if (a != null) {
            a.close();
        }
        if (b != null) {
            b.close();
        }
        if (server != null) {
            server.close();
        }
    }

    @Test(timeout = 30_000)
    public void mapIsSharedAndKeepsEveryLiteralType() {
        ConcurrentMap<Object, Object> ma = a.map("types");
        ma.put("s", "text");
        ma.put("i", 42);
        ma.put("l", 42L);
        ma.put("d", 1.5d);
        ma.put("big", new BigInteger("123456789012345678901234567890"));
        ma.put("dec", new BigDecimal("-1.250"));
        ma.put("color", Color.GREEN);
        ma.put("date", new Date(1_700_000_000_000L));
        ma.put("bytes", new byte[] {1, 2, 3});
        ma.put(7, "int key");
        ma.put("null", null);
        a.flush();

        ConcurrentMap<Object, Object> mb = b.map("types");
        long deadline = System.currentTimeMillis() + 10_000;
        while (mb.size() < 11 && System.currentTimeMillis() < deadline) {
            Thread.yield();
        }
        assertEquals(11, mb.size());
        assertEquals("text", mb.get("s"));
        assertEquals(42, mb.get("i"));
        assertEquals(42L, mb.get("l"));
        assertFalse("int 42 and long 42 are different keys/values", mb.get("i").equals(mb.get("l")));
        assertEquals(1.5d, mb.get("d"));
        assertEquals(new BigInteger("123456789012345678901234567890"), mb.get("big"));
        assertEquals(new BigDecimal("-1.250"), mb.get("dec"));
        assertEquals(Color.GREEN, mb.get("color"));
        assertEquals(new Date(1_700_000_000_000L), mb.get("date"));
        assertTrue(java.util.Arrays.equals(new byte[] {1, 2, 3}, (byte[]) mb.get("bytes")));
        assertEquals("int key", mb.get(7));
        assertTrue(mb.containsKey("null"));
        assertNull(mb.get("null"));
        Map<Object, Object> copy = new HashMap<>(mb);
        assertEquals(11, copy.size());
    }

    @Test(timeout = 30_000)
    public void concurrentMapOperationsAreAtomic() {
        ConcurrentMap<String, Integer> m = a.map("cas");
        m.clear();
        assertNull(m.putIfAbsent("k", 1));
        assertEquals(Integer.valueOf(1), m.putIfAbsent("k", 2));
        assertFalse(m.replace("k", 5, 6));
        assertTrue(m.replace("k", 1, 6));
        assertEquals(Integer.valueOf(6), m.replace("k", 7));
        assertFalse(m.remove("k", 6));
        assertTrue(m.remove("k", 7));
        assertNull(m.replace("k", 8));
        assertTrue(m.isEmpty());
    }

    @Test(timeout = 30_000)
    public void listIsShared() {
        List<String> la = a.list("names");
        la.clear();
        la.add("x");
        la.add("z");
        la.add(1, "y");
        assertEquals("z", la.set(2, "w"));
        a.flush();
        List<String> lb = b.list("names");
        long deadline = System.currentTimeMillis() + 10_000;
        while (lb.size() < 3 && System.currentTimeMillis() < deadline) {
            Thread.yield();
        }
        assertEquals(java.util.Arrays.asList("x", "y", "w"), new ArrayList<>(lb));
        assertEquals("x", la.remove(0));
        assertTrue(la.remove("w"));
        assertEquals(1, la.size());
        try {
            la.get(5);
            fail("out of range");
        } catch (IndexOutOfBoundsException expected) {
            // fine
        }
    }

    @Test(timeout = 60_000)
    public void lockExcludesAcrossNodesWith8ThreadsEach() throws Exception {
        ConcurrentMap<String, Long> m = a.map("guarded");
        m.put("n", 0L);
        int perThread = 200;
        List<Thread> threads = new ArrayList<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        for (KilnCluster c : new KilnCluster[] {a, b}) {
            ConcurrentMap<String, Long> mine = c.map("guarded");
            Lock lock = c.lock("guard");
            for (int t = 0; t < 8; t++) {
                threads.add(new Thread(() -> {
                    try {
                        for (int i = 0; i < perThread; i++) {
                            lock.lock();
                            try {
                                long v = mine.get("n");
                                mine.put("n", v + 1); // read-modify-write: only exclusion keeps it exact
                            } finally {
                                lock.unlock();
                            }
                        }
                    } catch (Throwable e) {
                        failure.compareAndSet(null, e);
                    }
                }));
            }
        }
        threads.forEach(Thread::start);
        for (Thread t : threads) {
            t.join();
        }
        if (failure.get() != null) {
            throw new AssertionError(failure.get());
        }
        a.withLock("guard", LockLevel.READ, () -> assertEquals(Long.valueOf(2 * 8 * perThread), m.get("n")));
    }

    @Test(timeout = 60_000)
    public void atomicLongCountsExactlyWith16ThreadsOnOneClient() throws Exception {
        ClusterAtomicLong ca = a.atomicLong("hits");
        ca.set(0);
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 16; t++) {
            KilnCluster c = t % 2 == 0 ? a : b;
            ClusterAtomicLong mine = c.atomicLong("hits");
            threads.add(new Thread(() -> {
                for (int i = 0; i < 100; i++) {
                    mine.incrementAndGet();
                }
            }));
        }
        threads.forEach(Thread::start);
        for (Thread t : threads) {
            t.join();
        }
        assertEquals(1600, ca.addAndGet(0));
        assertTrue(ca.compareAndSet(1600, 5));
        assertFalse(ca.compareAndSet(1600, 6));
        assertEquals(5, b.atomicLong("hits").getAndAdd(1));
    }

    @Test(timeout = 30_000)
    public void reentrantLockAndFencingToken() {
        ClusterLock l = a.lock("reentrant");
        l.lock();
        long t1 = l.token();
        l.lock();
        assertTrue(l.isHeldByCurrentThread());
        l.unlock();
        assertTrue(l.isHeldByCurrentThread());
        l.unlock();
        assertFalse(l.isHeldByCurrentThread());
        try {
            l.unlock();
            fail("unlock of a lock not held");
        } catch (IllegalMonitorStateException expected) {
            // fine
        }
        ClusterLock other = b.lock("reentrant");
        other.lock();
        long t2 = other.token();
        other.unlock();
        assertTrue("tokens increase with every award: " + t1 + " then " + t2, t2 > t1);
    }

    @Test(timeout = 30_000)
    public void tryLockTimesOutWhileAnotherNodeHoldsIt() throws Exception {
        ClusterLock held = a.lock("contended");
        held.lock();
        try {
            long start = System.nanoTime();
            assertFalse(b.lock("contended").tryLock(300, TimeUnit.MILLISECONDS));
            assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(250));
        } finally {
            held.unlock();
        }
        ClusterLock l = b.lock("contended");
        assertTrue(l.tryLock(5, TimeUnit.SECONDS));
        l.unlock();
    }

    @Test(timeout = 30_000)
    public void conditionSignalsAcrossNodes() throws Exception {
        ConcurrentMap<String, Boolean> flag = a.map("cond-flag");
        flag.put("ready", false);
        ClusterLock la = a.lock("cond");
        Condition ca = la.newCondition();
        CountDownLatch waiting = new CountDownLatch(1);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread waiter = new Thread(() -> {
            try {
                la.lock();
                try {
                    waiting.countDown();
                    while (!flag.get("ready")) {
                        ca.await();
                    }
                } finally {
                    la.unlock();
                }
            } catch (Throwable e) {
                failure.set(e);
            }
        });
        waiter.start();
        assertTrue(waiting.await(10, TimeUnit.SECONDS));
        ClusterLock lb = b.lock("cond");
        Condition cb = lb.newCondition();
        ConcurrentMap<String, Boolean> flagB = b.map("cond-flag");
        lb.lock();
        try {
            flagB.put("ready", true);
            cb.signalAll();
        } finally {
            lb.unlock();
        }
        waiter.join(10_000);
        assertFalse("the waiter woke up", waiter.isAlive());
        if (failure.get() != null) {
            throw new AssertionError(failure.get());
        }
    }

    @Test(timeout = 30_000)
    public void queueTakeBlocksUntilAnotherNodeOffers() throws Exception {
        BlockingQueue<String> qa = a.queue("jobs");
        qa.clear();
        AtomicReference<String> got = new AtomicReference<>();
        Thread consumer = new Thread(() -> {
            try {
                got.set(qa.take());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        consumer.start();
        Thread.sleep(300);
        assertTrue("take() blocks on an empty queue", consumer.isAlive());
        b.<String>queue("jobs").offer("job-1");
        consumer.join(10_000);
        assertEquals("job-1", got.get());
        assertNull(qa.poll(100, TimeUnit.MILLISECONDS));
        try {
            qa.offer(null);
            fail("null element");
        } catch (NullPointerException expected) {
            // fine
        }
    }

    @Test(timeout = 30_000)
    public void interruptEndsTakeAndLockInterruptibly() throws Exception {
        BlockingQueue<String> q = a.queue("interrupted");
        q.clear();
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        Thread taker = new Thread(() -> {
            try {
                q.take();
            } catch (Throwable e) {
                thrown.set(e);
            }
        });
        taker.start();
        Thread.sleep(300);
        long t0 = System.nanoTime();
        taker.interrupt();
        taker.join(5_000);
        assertFalse(taker.isAlive());
        assertTrue("got " + thrown.get(), thrown.get() instanceof InterruptedException);
        assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(2));

        ClusterLock held = b.lock("interruptible");
        held.lock();
        try {
            thrown.set(null);
            ClusterLock wanted = a.lock("interruptible");
            Thread locker = new Thread(() -> {
                try {
                    wanted.lockInterruptibly();
                    wanted.unlock();
                } catch (Throwable e) {
                    thrown.set(e);
                }
            });
            locker.start();
            Thread.sleep(300);
            locker.interrupt();
            locker.join(5_000);
            assertFalse(locker.isAlive());
            assertTrue("got " + thrown.get(), thrown.get() instanceof InterruptedException);
        } finally {
            held.unlock();
        }
    }

    @Test(timeout = 30_000)
    public void nonPortableValueFailsNamingTheClass() {
        ConcurrentMap<String, Object> m = a.map("np");
        try {
            m.put("k", new Thread());
            fail("a Thread is not portable");
        } catch (NonPortableException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("java.lang.Thread"));
        }
        assertFalse("nothing was stored", m.containsKey("k"));
    }

    @Test(timeout = 60_000)
    public void closedClusterThrowsAndCloseIsIdempotent() throws Exception {
        KilnCluster c = Kiln.connect(server.addr(), "closing", 10_000);
        ConcurrentMap<String, String> m = c.map("closing");
        m.put("k", "v");
        c.close();
        c.close();
        assertTrue(c.isClosed());
        try {
            m.get("k");
            fail("closed");
        } catch (ClosedException expected) {
            // fine
        }
    }

    @Test(timeout = 30_000)
    public void blockedTakeEndsWhenTheClusterIsClosed() throws Exception {
        KilnCluster c = Kiln.connect(server.addr(), "closing-take", 10_000);
        BlockingQueue<String> q = c.queue("never");
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        Thread t = new Thread(() -> {
            try {
                q.take();
            } catch (Throwable e) {
                thrown.set(e);
            }
        });
        t.start();
        Thread.sleep(300);
        c.close();
        t.join(10_000);
        assertFalse(t.isAlive());
        assertTrue("got " + thrown.get(), thrown.get() instanceof ClosedException);
    }

    @Test(timeout = 30_000)
    public void badSpecsAreConfigErrors() throws Exception {
        try {
            Kiln.connect("  ");
            fail("empty spec");
        } catch (ConfigException expected) {
            // fine
        }
        int closedPort = TestServer.freePorts(1)[0];
        try {
            Kiln.connect("127.0.0.1:" + closedPort, "nobody", 500);
            fail("nothing listens there");
        } catch (ConnectionLostException e) {
            assertTrue(e.getMessage(), e.getMessage().contains(String.valueOf(closedPort)));
        }
    }
}

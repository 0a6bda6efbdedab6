package dev.kiln;

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
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;

/**
 * Distributed calls, change listeners and nested shared structures against a real kiln-server,
 * with three nodes (three native clients) in this JVM.
 */
public class CallbacksTest {
    static TestServer server;
    static KilnCluster a;
    static KilnCluster b;
    static KilnCluster c;

    @BeforeClass
    public static void start() throws Exception {
        server = TestServer.start();
        a = Kiln.connect(server.addr(), "cb-a", 10_000);
        b = Kiln.connect(server.addr(), "cb-b", 10_000);
        c = Kiln.connect(server.addr(), "cb-c", 10_000);
    }

    @AfterClass
    public static void stop() throws Exception {
        for (KilnCluster k : new KilnCluster[] {a, b, c}) {
            if (k != null) {
                k.close();
            }
        }
        if (server != null) {
            server.close();
        }
    }

    private static <T> T next(BlockingQueue<T> q) throws InterruptedException {
        T v = q.poll(10, TimeUnit.SECONDS);
        if (v == null) {
            fail("nothing arrived within 10 s");
        }
        return v;
    }

    @Test(timeout = 60_000)
    public void invokeAllReachesEveryOtherNodeOnItsNamedThreadWithArguments() throws Exception {
        BlockingQueue<Invocation> atB = new LinkedBlockingQueue<>();
        BlockingQueue<Invocation> atC = new LinkedBlockingQueue<>();
        BlockingQueue<Invocation> atA = new LinkedBlockingQueue<>();
        BlockingQueue<String> threads = new LinkedBlockingQueue<>();
        Registration rb = b.onInvoke("greet", call -> {
            threads.add(Thread.currentThread().getName() + (Thread.currentThread().isDaemon() ? " daemon" : ""));
            atB.add(call);
        });
        Registration rc = c.onInvoke("greet", atC::add);
        Registration ra = a.onInvoke("greet", atA::add);
        try {
            SharedMap<String, Object> shared = a.map("dmi-arg");
            a.invokeAll("greet", "hello", 42, 7L, null, shared);
            Invocation got = next(atB);
            assertEquals("greet", got.name());
            assertEquals(a.clientId(), got.fromNode());
            assertEquals(0, got.receiverId());
            assertNull(got.receiver());
            assertEquals("hello", got.args().get(0));
            assertEquals(42, got.args().get(1));
            assertEquals(7L, got.args().get(2));
            assertNull(got.args().get(3));
            assertTrue("a shared structure argument arrives live: " + got.args().get(4), got.args().get(4) instanceof SharedMap);
            assertEquals(shared.shared().objectId(), ((Shared) got.args().get(4)).shared().objectId());
            assertEquals("kiln-dmi-" + b.clientId() + " daemon", next(threads));
            assertEquals("greet", next(atC).name());
            // The caller's own handlers are not called (Terracotta DMI: the local call is the caller's).
            assertNull(atA.poll(300, TimeUnit.MILLISECONDS));
            try {
                got.args().add("x");
                fail("args must be unmodifiable");
            } catch (UnsupportedOperationException expected) {
                // ok
            }
        } finally {
            ra.close();
            rb.close();
            rc.close();
        }
    }

    @Test(timeout = 60_000)
    public void callsFromOneNodeArriveInOrderAndOnlyAtHandlersOfTheirName() throws Exception {
        BlockingQueue<Object> seen = new LinkedBlockingQueue<>();
        Registration r1 = b.onInvoke("seq", call -> seen.add(call.args().get(0)));
        Registration r2 = b.onInvoke("other", call -> seen.add("other:" + call.args().get(0)));
        try {
            for (int i = 0; i < 200; i++) {
                a.invokeAll("seq", i);
            }
            a.invokeAll("nobody-listens", 1);
            a.invokeAll("other", "x");
            for (int i = 0; i < 200; i++) {
                assertEquals(i, next(seen));
            }
            assertEquals("other:x", next(seen));
        } finally {
            r1.close();
            r2.close();
        }
    }

    @Test(timeout = 60_000)
    public void callInsideALockFiresAtTheUnlockAndAfterTheChangesAreVisible() throws Exception {
        SharedMap<String, Object> ma = a.map("dmi-visibility");
        SharedMap<String, Object> mb = b.map("dmi-visibility");
        BlockingQueue<Object> seen = new LinkedBlockingQueue<>();
        Registration r = b.onInvoke("published", call -> seen.add(mb.get("v")));
        try {
            a.withLock("dmi-vis", LockLevel.WRITE, () -> {
                ma.put("v", "before-call");
                a.invokeAll("published");
                try {
                    // the call must wait for the commit: nothing arrives while the lock is held
                    assertNull(seen.poll(300, TimeUnit.MILLISECONDS));
                } catch (InterruptedException e) {
                    throw new AssertionError(e);
                }
                ma.put("v", "at-commit");
            });
            assertEquals("at-commit", next(seen));
        } finally {
            r.close();
        }
    }

    @Test(timeout = 60_000)
    public void residentOnlyCallsReachOnlyNodesHoldingTheReceiver() throws Exception {
        SharedMap<String, Object> onA = a.map("dmi-receiver");
        onA.put("k", 1);
        a.flush();
        SharedMap<String, Object> onB = b.map("dmi-receiver");
        assertEquals(1, onB.get("k")); // b faults the receiver in: resident on b
        BlockingQueue<Invocation> atB = new LinkedBlockingQueue<>();
        BlockingQueue<Invocation> atC = new LinkedBlockingQueue<>();
        Registration rb = b.onInvoke("poke", atB::add);
        Registration rc = c.onInvoke("poke", atC::add);
        try {
            a.invokeResident(onA, "poke", "only-where-resident");
            Invocation got = next(atB);
            assertEquals("only-where-resident", got.args().get(0));
            assertEquals(onA.shared().objectId(), got.receiverId());
            assertTrue(got.receiver() instanceof SharedMap);
            assertEquals(1, ((Map<?, ?>) got.receiver()).get("k"));
            // c never touched the receiver
            assertNull(atC.poll(500, TimeUnit.MILLISECONDS));
            // the same call to all nodes reaches c too
            a.invoke(onA, "poke", true, "everyone");
            assertEquals("everyone", next(atC).args().get(0));
        } finally {
            rb.close();
            rc.close();
        }
    }

    @Test(timeout = 60_000)
    public void closedHandlersAndThrowingHandlersDoNotStopDelivery() throws Exception {
        BlockingQueue<Object> seen = new LinkedBlockingQueue<>();
        Registration thrower = b.onInvoke("robust", call -> {
            throw new IllegalStateException("handler failure (expected by the test)");
        });
        Registration removed = b.onInvoke("robust", call -> seen.add("removed handler ran"));
        Registration kept = b.onInvoke("robust", call -> seen.add(call.args().get(0)));
        removed.close();
        removed.close(); // idempotent
        try {
            a.invokeAll("robust", 1);
            a.invokeAll("robust", 2);
            assertEquals(1, next(seen));
            assertEquals(2, next(seen));
            assertNull(seen.poll(200, TimeUnit.MILLISECONDS));
        } finally {
            thrower.close();
            kept.close();
        }
    }

    @Test(timeout = 30_000)
    public void badCallsFailClearly() {
        try {
            a.invokeAll("x", new Object());
            fail("a non-portable argument must fail");
        } catch (NonPortableException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("java.lang.Object"));
        }
        try {
            a.invoke(null, "x", false);
            fail("resident-only needs a receiver");
        } catch (IllegalArgumentException e) {
            assertTrue(e.getMessage().contains("receiver"));
        }
        try {
            a.onInvoke(null, call -> { });
            fail("null name");
        } catch (NullPointerException expected) {
            // ok
        }
    }

    @Test(timeout = 60_000)
    public void changeListenersSeeOtherNodesTransactionsOncePerTransaction() throws Exception {
        SharedMap<String, Object> ma = a.map("watched");
        SharedList<Object> la = a.list("watched-list");
        SharedMap<String, Object> mb = b.map("watched");
        SharedList<Object> lb = b.list("watched-list");
        BlockingQueue<Object> events = new LinkedBlockingQueue<>();
        Registration r = mb.addChangeListener(ev -> {
            events.add(ev);
            events.add(mb.get("n")); // the change is visible to reads inside the listener
            events.add(Thread.currentThread().getName());
        });
        Registration rl = lb.addChangeListener(ev -> events.add("list:" + ev.fromNode()));
        try {
            ma.put("n", 1);
            ChangeEvent ev = (ChangeEvent) next(events);
            assertSame(mb, ev.structure());
            assertEquals(a.clientId(), ev.fromNode());
            assertTrue(ev.transactionId() > 0);
            assertEquals(1, next(events));
            assertEquals("kiln-changes-" + b.clientId(), next(events));

            // three changes in one transaction: one notice
            a.withLock("watched-lock", LockLevel.WRITE, () -> {
                ma.put("n", 2);
                ma.put("m", 3);
                ma.put("n", 4);
            });
            ChangeEvent one = (ChangeEvent) next(events);
            assertEquals(4, next(events));
            next(events);
            assertTrue(one.transactionId() > ev.transactionId());
            assertNull(events.poll(300, TimeUnit.MILLISECONDS));

            la.add("x");
            assertEquals("list:" + a.clientId(), next(events));

            // b's own changes are not notified to b
            mb.put("own", true);
            b.flush();
            assertNull(events.poll(300, TimeUnit.MILLISECONDS));
        } finally {
            r.close();
            rl.close();
        }
        // unsubscribed: no more notices
        ma.put("n", 5);
        a.flush();
        assertNull(events.poll(500, TimeUnit.MILLISECONDS));
    }

    @Test(timeout = 60_000)
    public void twoListenersShareOneSubscriptionUntilTheLastCloses() throws Exception {
        SharedList<Object> la = a.list("shared-sub");
        SharedList<Object> lb = b.list("shared-sub");
        BlockingQueue<String> events = new LinkedBlockingQueue<>();
        Registration r1 = lb.addChangeListener(ev -> events.add("one"));
        Registration r2 = lb.addChangeListener(ev -> events.add("two"));
        la.add(1);
        List<String> got = new ArrayList<>(Arrays.asList(next(events), next(events)));
        Collections.sort(got);
        assertEquals(Arrays.asList("one", "two"), got);
        r1.close();
        la.add(2);
        assertEquals("two", next(events));
        assertNull(events.poll(200, TimeUnit.MILLISECONDS));
        r2.close();
        la.add(3);
        a.flush();
        assertNull(events.poll(500, TimeUnit.MILLISECONDS));
    }

    @Test(timeout = 60_000)
    public void nestedStructuresAreReadBackLiveOnEveryNode() throws Exception {
        SharedMap<String, Object> outerA = a.map("nested-outer");
        SharedMap<String, Object> inner = a.newMap();
        SharedList<Object> innerList = a.newList();
        SharedQueue<Object> innerQueue = a.newQueue();
        assertNull(inner.shared().rootName());
        a.withLock("nested", LockLevel.WRITE, () -> {
            inner.put("deep", "value");
            innerList.add(1);
            innerQueue.add("job");
            outerA.put("map", inner);
            outerA.put("list", innerList);
            outerA.put("queue", innerQueue);
            outerA.put("root", a.list("nested-root-list"));
        });
        a.flush();

        SharedMap<String, Object> outerB = b.map("nested-outer");
        Object m = outerB.get("map");
        assertTrue("read back as a live map: " + m, m instanceof SharedMap);
        @SuppressWarnings("unchecked")
        Map<String, Object> innerB = (Map<String, Object>) m;
        assertEquals("value", innerB.get("deep"));
        @SuppressWarnings("unchecked")
        List<Object> listB = (List<Object>) outerB.get("list");
        assertEquals(Collections.singletonList(1), new ArrayList<>(listB));
        @SuppressWarnings("unchecked")
        BlockingQueue<Object> queueB = (BlockingQueue<Object>) outerB.get("queue");
        assertEquals("job", queueB.poll(5, TimeUnit.SECONDS));
        assertEquals(b.list("nested-root-list").shared(), ((Shared) outerB.get("root")).shared());

        // a change through the nested structure on b is seen on a
        innerB.put("from-b", 2);
        b.flush();
        long deadline = System.currentTimeMillis() + 10_000;
        while (!Integer.valueOf(2).equals(inner.get("from-b")) && System.currentTimeMillis() < deadline) {
            Thread.sleep(10);
        }
        assertEquals(2, inner.get("from-b"));
        assertTrue(queueB.isEmpty());
        assertTrue(innerQueue.isEmpty());

        // values(), entrySet() and iteration give live structures too
        boolean sawMap = false;
        for (Object v : outerB.values()) {
            sawMap |= v instanceof SharedMap;
        }
        assertTrue(sawMap);
        assertFalse(outerB.values().contains(null));
    }
}

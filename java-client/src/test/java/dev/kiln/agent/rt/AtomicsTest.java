package dev.kiln.agent.rt;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.Test;

/**
 * rt/Atomics without a cluster: unshared atomics behave as the JDK's (the rewritten call sites'
 * fast path); a shared one's every operation takes its cluster lock first (here: none, so it
 * throws and the value is unchanged).
 */
public class AtomicsTest {
    @Test
    public void unsharedAtomicsAreTheJdks() {
        AtomicInteger i = new AtomicInteger(5);
        assertEquals(6, Atomics.incrementAndGet(i));
        assertEquals(6, Atomics.getAndAdd(i, 4));
        assertTrue(Atomics.compareAndSet(i, 10, 20));
        assertFalse(Atomics.compareAndSet(i, 10, 30));
        assertEquals(40, Atomics.updateAndGet(i, x -> x * 2));
        assertEquals(43, Atomics.accumulateAndGet(i, 3, Integer::sum));
        assertEquals("43", Atomics.toString(i));
        AtomicLong l = new AtomicLong();
        assertEquals(0, Atomics.getAndIncrement(l));
        assertEquals(11, Atomics.addAndGet(l, 10));
        assertEquals(11, Atomics.getAndSet(l, 3));
        assertEquals(2, Atomics.decrementAndGet(l));
        AtomicBoolean b = new AtomicBoolean();
        assertTrue(Atomics.compareAndSet(b, false, true));
        assertTrue(Atomics.getAndSet(b, false));
        assertFalse(Atomics.get(b));
        AtomicReference<String> r = new AtomicReference<>("x");
        String y = "y";
        assertTrue(Atomics.compareAndSet(r, "x", y));
        assertEquals("yz", Atomics.accumulateAndGet(r, "z", String::concat));
        assertEquals(0, Atomics.oid(r));
    }

    @Test
    public void aSharedAtomicsOperationsTakeItsClusterLock() {
        AtomicInteger i = new AtomicInteger(7);
        AtomicReference<String> r = new AtomicReference<>("x");
        Atomics.bind(i, 42);
        Atomics.bind(r, 43);
        try {
            Runnable[] ops = {() -> Atomics.incrementAndGet(i), () -> Atomics.get(i), () -> Atomics.set(i, 1),
                () -> Atomics.compareAndSet(i, 7, 8), () -> Atomics.updateAndGet(i, x -> x + 1),
                () -> Atomics.getAndSet(r, "y"), () -> Atomics.compareAndSet(r, "x", "y"), () -> Atomics.get(r)};
            for (Runnable op : ops) {
                try {
                    op.run();
                    fail("an operation of a shared atomic did not take its cluster lock");
                } catch (IllegalStateException e) {
                    assertTrue(e.getMessage(), e.getMessage().contains("no cluster"));
                }
            }
            assertEquals(7, i.get());
            assertEquals("x", r.get());
            assertEquals(42, Atomics.oid(i));
            assertEquals(i, Atomics.byOid(42));
            AtomicInteger other = new AtomicInteger(1); // not shared, with shared atomics in this JVM
            assertEquals(2, Atomics.incrementAndGet(other));
        } finally {
            Atomics.unbind(i);
            Atomics.unbind(r);
        }
        assertEquals(0, Atomics.oid(i));
    }
}

package dev.kiln.agent.rt;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAdder;

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

    @Test
    public void addersUnsharedAreTheJdksSharedTakeTheirClusterLockAndMaterialise() {
        LongAdder l = new LongAdder();
        Atomics.increment(l);
        Atomics.add(l, 10);
        Atomics.decrement(l);
        assertEquals(10, Atomics.sum(l));
        assertEquals(10, Atomics.intValue(l));
        assertEquals("10", Atomics.toString(l));
        assertEquals(10, Atomics.sumThenReset(l));
        assertEquals(0, Atomics.sum(l));
        DoubleAdder d = new DoubleAdder();
        Atomics.add(d, 1.5);
        Atomics.add(d, 2.25);
        assertEquals(3.75, Atomics.sum(d), 0);
        assertEquals(3, Atomics.longValue(d));
        Atomics.reset(d);
        assertEquals(0.0, Atomics.sum(d), 0);
        assertTrue(Atomics.isAtomic(l) && Atomics.isAtomic(d));
        assertTrue(Atomics.isAtomicClass("java.util.concurrent.atomic.LongAdder"));
        assertTrue(Atomics.isAtomicClass("java.util.concurrent.atomic.DoubleAdder"));
        assertFalse(Atomics.isAtomic(new LongAdder() {})); // a subclass is an application class
        // The cluster state (class, then decl/name/value) of another JVM's adder.
        Object m = Atomics.materialise(77, java.util.Arrays.asList("java.util.concurrent.atomic.LongAdder",
                "java.util.concurrent.atomic.LongAdder", "value", 42L));
        Object md = Atomics.materialise(78, java.util.Arrays.asList("java.util.concurrent.atomic.DoubleAdder",
                "java.util.concurrent.atomic.DoubleAdder", "value", 0.5));
        try {
            assertEquals(42, ((LongAdder) m).sum());
            assertEquals(0.5, ((DoubleAdder) md).sum(), 0);
            l.add(7);
            Atomics.bind(l, 42);
            Runnable[] ops = {() -> Atomics.increment(l), () -> Atomics.add(l, 3), () -> Atomics.sum(l), () -> Atomics.reset(l),
                () -> Atomics.sumThenReset(l), () -> Atomics.add((DoubleAdder) md, 1), () -> Atomics.sum((DoubleAdder) md)};
            for (Runnable op : ops) {
                try {
                    op.run();
                    fail("an operation of a shared adder did not take its cluster lock");
                } catch (IllegalStateException e) {
                    assertTrue(e.getMessage(), e.getMessage().contains("no cluster"));
                }
            }
            assertEquals(7, l.sum());
            assertEquals(0.5, ((DoubleAdder) md).sum(), 0);
        } finally {
            Atomics.unbind(l);
            Atomics.unbind(m);
            Atomics.unbind(md);
        }
    }
}

package dev.kiln.agent.jdk;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertSame;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import com.tc.exception.TCNonPortableObjectError;
import com.tc.object.tx.UnlockedSharedObjectException;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.NavigableSet;
import java.util.PriorityQueue;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.atomic.DoubleAccumulator;
import java.util.concurrent.atomic.LongAccumulator;
import java.util.function.Consumer;
import java.util.function.LongBinaryOperator;

import org.junit.Test;

/**
 * The portable types of "Portable types 3" without a cluster: unshared they behave as their JDK
 * type; a "shared" PriorityQueue (oid set, no cluster lock) refuses every mutator before changing
 * anything; cluster class names re-create them (comparator, length, function, checked types); a
 * lambda accumulator function is refused; the views delegate to the JDK's.
 */
public class KilnPortableTypesTest {
    /** A portable function for the accumulators. */
    public static final class Max implements LongBinaryOperator {
        @Override
        public long applyAsLong(long a, long b) {
            return Math.max(a, b);
        }
    }

    private static List<Integer> drain(PriorityQueue<Integer> q) {
        List<Integer> out = new ArrayList<>();
        while (!q.isEmpty()) {
            out.add(q.poll());
        }
        return out;
    }

    @Test
    public void priorityQueueUnsharedIsTheJdks() {
        for (boolean reverse : new boolean[] {false, true}) {
            PriorityQueue<Integer> jdk = reverse ? new PriorityQueue<>(Collections.reverseOrder()) : new PriorityQueue<>();
            PriorityQueue<Integer> kiln = reverse ? new KilnPriorityQueue<>(Collections.reverseOrder()) : new KilnPriorityQueue<>();
            for (PriorityQueue<Integer> q : Arrays.asList(jdk, kiln)) {
                q.addAll(Arrays.asList(5, 1, 4, 2, 3, 9, 7));
                q.offer(6);
                q.remove(4);
                q.removeIf(x -> x == 9);
                for (Iterator<Integer> it = q.iterator(); it.hasNext();) {
                    if (it.next() == 2) {
                        it.remove();
                    }
                }
                q.poll();
            }
            assertEquals(drain(jdk), drain(kiln));
        }
    }

    @Test
    public void sharedPriorityQueueRefusesEveryMutatorOutsideALock() {
        Map<String, Consumer<PriorityQueue<Integer>>> ops = new LinkedHashMap<>();
        ops.put("offer", q -> q.offer(9));
        ops.put("add", q -> q.add(9));
        ops.put("addAll", q -> q.addAll(Arrays.asList(8, 9)));
        ops.put("poll", PriorityQueue::poll);
        ops.put("remove()", PriorityQueue::remove);
        ops.put("remove(o)", q -> q.remove(2));
        ops.put("removeIf", q -> q.removeIf(x -> x > 1));
        ops.put("removeAll", q -> q.removeAll(Collections.singleton(1)));
        ops.put("retainAll", q -> q.retainAll(Collections.singleton(1)));
        ops.put("clear", PriorityQueue::clear);
        ops.put("iterator.remove", q -> {
            Iterator<Integer> it = q.iterator();
            it.next();
            it.remove();
        });
        for (Map.Entry<String, Consumer<PriorityQueue<Integer>>> op : ops.entrySet()) {
            KilnPriorityQueue<Integer> q = new KilnPriorityQueue<>(Arrays.asList(3, 1, 2));
            List<Object> before = new ArrayList<>(q.$kiln$content());
            q.$kiln$oid(42);
            try {
                op.getValue().accept(q);
                fail(op.getKey() + " on a shared PriorityQueue outside any lock was accepted");
            } catch (UnlockedSharedObjectException e) {
                assertTrue(e.getMessage(), e.getMessage().contains("java.util.PriorityQueue." ));
            }
            assertEquals(op.getKey() + " changed the content", before, q.$kiln$content());
        }
    }

    @Test
    public void classNamesRecreateTheTypes() throws Exception {
        ClassLoader l = getClass().getClassLoader();
        KilnPriorityQueue<Integer> rq = new KilnPriorityQueue<>(Collections.reverseOrder());
        assertEquals("java.util.PriorityQueue|comparator=reverse", rq.$kiln$class());
        KilnPriorityQueue<?> back = (KilnPriorityQueue<?>) Jdk.create(rq.$kiln$class(), l);
        assertSame(Collections.reverseOrder(), back.comparator());
        PriorityQueue<Integer> plain = new PriorityQueue<>(Collections.reverseOrder());
        plain.addAll(Arrays.asList(1, 3, 2));
        KilnPriorityQueue<Integer> copy = (KilnPriorityQueue<Integer>) Jdk.portableCopy(plain);
        assertEquals(Arrays.asList(3, 2, 1), drain(copy));
        try {
            new KilnPriorityQueue<Integer>((a, b) -> a - b).$kiln$class();
            fail("a lambda comparator was portable");
        } catch (TCNonPortableObjectError e) {
            assertTrue(e.getMessage(), e.getMessage().contains("named comparator class"));
        }

        KilnAtomicIntegerArray ia = new KilnAtomicIntegerArray(new int[] {1, 2, 3});
        assertEquals("java.util.concurrent.atomic.AtomicIntegerArray|length=3", ia.$kiln$class());
        assertEquals(Arrays.asList(0, 1, 1, 2, 2, 3), ia.$kiln$content());
        KilnAtomicIntegerArray ib = (KilnAtomicIntegerArray) Jdk.create(ia.$kiln$class(), l);
        ib.$kiln$load(ia.$kiln$content());
        assertEquals("[1, 2, 3]", ib.toString());
        assertEquals(4, ((KilnAtomicLongArray) Jdk.create("java.util.concurrent.atomic.AtomicLongArray|length=4", l)).length());
        KilnAtomicReferenceArray<Object> ra = (KilnAtomicReferenceArray<Object>) Jdk.create(
                "java.util.concurrent.atomic.AtomicReferenceArray|length=2", l);
        ra.$kiln$load(Arrays.asList(0, "a", 1, null));
        assertEquals("[a, null]", ra.toString());
        AtomicLongArray pl = new AtomicLongArray(new long[] {7, 8});
        assertEquals(Arrays.asList(0, 7L, 1, 8L), Jdk.portableCopy(pl).$kiln$content());
        AtomicReferenceArray<String> pr = new AtomicReferenceArray<>(new String[] {"x"});
        assertEquals(Arrays.asList(0, "x"), Jdk.portableCopy(pr).$kiln$content());
        assertEquals(Arrays.asList(0, 5), Jdk.portableCopy(new AtomicIntegerArray(new int[] {5})).$kiln$content());

        KilnLongAccumulator acc = new KilnLongAccumulator(new Max(), 10);
        acc.accumulate(3);
        acc.accumulate(12);
        assertEquals(12, acc.get());
        assertEquals("java.util.concurrent.atomic.LongAccumulator|function=" + Max.class.getName(), acc.$kiln$class());
        KilnLongAccumulator acc2 = (KilnLongAccumulator) Jdk.create(acc.$kiln$class(), l);
        acc2.$kiln$load(acc.$kiln$content());
        assertEquals(Arrays.asList("value", 12L, "identity", 10L), acc2.$kiln$content());
        try {
            new KilnLongAccumulator(Long::max, 0).$kiln$class();
            fail("a method-reference accumulator function was portable");
        } catch (TCNonPortableObjectError e) {
            assertTrue(e.getMessage(), e.getMessage().contains("named class implementing LongBinaryOperator"));
        }
        try {
            new KilnDoubleAccumulator((a, b) -> a + b, 0).$kiln$class();
            fail("a lambda accumulator function was portable");
        } catch (TCNonPortableObjectError e) {
            assertTrue(e.getMessage(), e.getMessage().contains("DoubleBinaryOperator"));
        }
        assertTrue(Jdk.hint(new LongAccumulator(Long::max, 0)).contains("function is private to java.base"));
        assertTrue(Jdk.hint(new DoubleAccumulator(Double::sum, 0)).contains("function is private to java.base"));
    }

    @Test
    public void accumulatorsAndAtomicArraysUnsharedAreTheJdks() {
        LongAccumulator jdk = new LongAccumulator(new Max(), Long.MIN_VALUE);
        LongAccumulator kiln = new KilnLongAccumulator(new Max(), Long.MIN_VALUE);
        for (LongAccumulator a : Arrays.asList(jdk, kiln)) {
            a.accumulate(4);
            a.accumulate(-2);
        }
        assertEquals(jdk.get(), kiln.get());
        assertEquals(jdk.getThenReset(), kiln.getThenReset());
        assertEquals(jdk.toString(), kiln.toString());
        DoubleAccumulator dj = new DoubleAccumulator(Double::sum, 1.5);
        DoubleAccumulator dk = new KilnDoubleAccumulator(Double::sum, 1.5);
        dj.accumulate(2);
        dk.accumulate(2);
        assertEquals(dj.get(), dk.get(), 0.0);
        AtomicIntegerArray ij = new AtomicIntegerArray(3);
        AtomicIntegerArray ik = new KilnAtomicIntegerArray(3);
        for (AtomicIntegerArray a : Arrays.asList(ij, ik)) {
            AtomicArrays.incrementAndGet(a, 0);
            AtomicArrays.addAndGet(a, 1, 5);
            AtomicArrays.compareAndSet(a, 1, 5, 6);
            AtomicArrays.accumulateAndGet(a, 2, 9, Math::max);
            AtomicArrays.getAndUpdate(a, 2, x -> x + 1);
        }
        assertEquals(ij.toString(), ik.toString());
        assertEquals("[1, 6, 10]", ik.toString());
        AtomicReferenceArray<String> rk = new KilnAtomicReferenceArray<>(2);
        AtomicArrays.set(rk, 0, "a");
        assertTrue(AtomicArrays.compareAndSet(rk, 0, "a", "b"));
        assertEquals("b", AtomicArrays.get(rk, 0));
        AtomicLongArray lk = new KilnAtomicLongArray(1);
        assertEquals(0L, AtomicArrays.getAndSet(lk, 0, 3L));
        assertEquals(3L, AtomicArrays.get(lk, 0));
    }

    @Test
    @SuppressWarnings({"unchecked", "rawtypes"})
    public void sortedViewsAndCheckedWrappersAreTheJdksAndRecreated() throws Exception {
        TreeMap<String, Integer> m = new TreeMap<>(Map.of("a", 1, "b", 2, "c", 3));
        NavigableMap<String, Integer> jv = Collections.unmodifiableNavigableMap(m);
        NavigableMap<String, Integer> kv = Wrappers.unmodifiableNavigableMap(m);
        assertEquals(jv, kv);
        assertEquals(jv.hashCode(), kv.hashCode());
        assertEquals(jv.toString(), kv.toString());
        assertEquals(jv.descendingMap(), kv.descendingMap());
        assertEquals(jv.headMap("b", true), kv.headMap("b", true));
        assertEquals(jv.ceilingKey("bb"), kv.ceilingKey("bb"));
        for (Runnable r : new Runnable[] {() -> kv.put("d", 4), kv::pollFirstEntry, () -> kv.firstEntry().setValue(9),
            () -> kv.navigableKeySet().remove("a"), () -> kv.tailMap("b").clear()}) {
            try {
                r.run();
                fail("an unmodifiable navigable map view accepted a change");
            } catch (UnsupportedOperationException e) {
                // as the JDK's
            }
        }
        assertEquals(3, m.size());
        Shared ks = (Shared) kv;
        assertEquals("java.util.Collections$Unmodifiable|wrap=unmodifiableNavigableMap", ks.$kiln$class());
        Shared back = Jdk.create(ks.$kiln$class(), null);
        back.$kiln$load(Collections.singletonList(m));
        assertTrue(back instanceof NavigableMap);
        assertEquals(kv, back);

        TreeSet<String> s = new TreeSet<>(Collections.reverseOrder());
        s.addAll(Arrays.asList("x", "y"));
        NavigableSet<String> ns = Wrappers.unmodifiableNavigableSet(s);
        assertEquals(Collections.unmodifiableNavigableSet(s).descendingSet(), ns.descendingSet());
        assertEquals("y", ns.first());
        try {
            ns.pollLast();
            fail("an unmodifiable navigable set view was polled");
        } catch (UnsupportedOperationException e) {
            assertEquals(2, s.size());
        }
        assertTrue(Wrappers.unmodifiableSortedSet(s).comparator() == Collections.reverseOrder());
        assertTrue(!(Wrappers.unmodifiableSortedMap(m) instanceof NavigableMap));
        Map<String, Object> unshared = new HashMap<>();
        unshared.put("k", 1);
        assertEquals(Collections.unmodifiableSortedMap(m), Wrappers.unmodifiableSortedMap(m));

        Map<String, Integer> cm = Wrappers.checkedMap(new HashMap<>(), String.class, Integer.class);
        cm.put("a", 1);
        try {
            ((Map) cm).put("b", "2");
            fail("a checked map took a wrong type");
        } catch (ClassCastException e) {
            assertEquals(1, cm.size());
        }
        Shared cs = (Shared) cm;
        assertEquals("java.util.Collections$Unmodifiable|wrap=checkedMap|types=java.lang.String,java.lang.Integer", cs.$kiln$class());
        Shared cb = Jdk.create(cs.$kiln$class(), getClass().getClassLoader());
        cb.$kiln$load(Collections.singletonList(new HashMap<>(Map.of("z", 26))));
        try {
            ((Map) cb).put("y", 2.5);
            fail("a re-created checked map took a wrong type");
        } catch (ClassCastException e) {
            assertEquals(Map.of("z", 26), cb);
        }
        List<String> cl = Wrappers.checkedList(new ArrayList<>(), String.class);
        assertTrue(cl instanceof java.util.RandomAccess);
        cl.add("q");
        assertEquals("java.util.Collections$Unmodifiable|wrap=checkedRandomAccessList|types=java.lang.String",
                ((Shared) cl).$kiln$class());
        assertTrue(!(Wrappers.checkedList(new java.util.LinkedList<>(), String.class) instanceof java.util.RandomAccess));
        NavigableSet<Integer> cn = Wrappers.checkedNavigableSet(new TreeSet<>(), Integer.class);
        cn.addAll(Arrays.asList(3, 1));
        assertEquals(Integer.valueOf(1), cn.pollFirst()); // a checked view is writable
        assertEquals(Collections.singleton(3), cn);
        java.util.Queue<Integer> cq = Wrappers.checkedQueue(new PriorityQueue<>(), Integer.class);
        cq.offer(4);
        cq.add(2);
        try {
            ((java.util.Queue) cq).offer("x");
            fail("a checked queue took a wrong type");
        } catch (ClassCastException e) {
            assertEquals(Integer.valueOf(2), cq.peek());
        }
        assertEquals("java.util.Collections$Unmodifiable|wrap=checkedQueue|types=java.lang.Integer", ((Shared) cq).$kiln$class());
        Shared qb = Jdk.create(((Shared) cq).$kiln$class(), getClass().getClassLoader());
        qb.$kiln$load(Collections.singletonList(new PriorityQueue<>(Arrays.asList(9, 7))));
        assertEquals(Integer.valueOf(7), ((java.util.Queue<?>) qb).poll());
    }
}

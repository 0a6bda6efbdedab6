package dev.kiln.agent.jdk;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

import org.junit.Test;

/**
 * The java.util.concurrent Kiln types without a cluster. Unshared they behave as their JDK type
 * (same results, same content, blocking and timed operations included). "Shared" (an oid set)
 * every mutator — views, iterators, entries, drainTo, bulk removals included — goes to the
 * self-locking path first, which needs the cluster: with none it throws and nothing changed,
 * i.e. no mutation path bypasses the shared one.
 */
public class KilnConcurrentTest {
    private static <T extends Shared> void everyMutatorTakesTheLock(String what, Supplier<T> make, Map<String, Consumer<T>> ops) {
        for (Map.Entry<String, Consumer<T>> op : ops.entrySet()) {
            T c = make.get();
            List<Object> before = new ArrayList<>(c.$kiln$content());
            c.$kiln$oid(42);
            try {
                op.getValue().accept(c);
                fail(what + "." + op.getKey() + " on a shared object did not take its cluster lock");
            } catch (IllegalStateException e) {
                assertTrue(what + "." + op.getKey() + ": " + e.getMessage(), e.getMessage().contains("no cluster"));
            }
            assertEquals(what + "." + op.getKey() + " changed the content", before, c.$kiln$content());
        }
    }

    /** Wraps a checked operation. */
    private interface Op<T> {
        void run(T t) throws Exception;
    }

    private static <T> Consumer<T> op(Op<T> o) {
        return t -> {
            try {
                o.run(t);
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        };
    }

    // ------------------------------------------------------------------ ConcurrentHashMap

    private static KilnConcurrentHashMap<String, Integer> chm() {
        KilnConcurrentHashMap<String, Integer> m = new KilnConcurrentHashMap<>();
        m.put("a", 1);
        m.put("b", 2);
        m.put("c", 3);
        return m;
    }

    @Test
    public void concurrentHashMapMutatorsAllTakeTheMapsLock() {
        Map<String, Consumer<KilnConcurrentHashMap<String, Integer>>> o = new LinkedHashMap<>();
        o.put("put", m -> m.put("z", 9));
        o.put("remove", m -> m.remove("a"));
        o.put("remove(k,v)", m -> m.remove("a", 1));
        o.put("clear", Map::clear);
        o.put("putAll", m -> m.putAll(Collections.singletonMap("z", 9)));
        o.put("putIfAbsent", m -> m.putIfAbsent("z", 9));
        o.put("replace", m -> m.replace("a", 9));
        o.put("replace(k,o,n)", m -> m.replace("a", 1, 9));
        o.put("computeIfAbsent", m -> m.computeIfAbsent("z", k -> 9));
        o.put("computeIfPresent", m -> m.computeIfPresent("a", (k, v) -> v + 1));
        o.put("compute", m -> m.compute("a", (k, v) -> 9));
        o.put("merge", m -> m.merge("a", 1, Integer::sum));
        o.put("replaceAll", m -> m.replaceAll((k, v) -> v + 1));
        o.put("keySet.remove", m -> m.keySet().remove("a"));
        o.put("keySet.clear", m -> m.keySet().clear());
        o.put("values.remove", m -> m.values().remove(1));
        o.put("values.removeIf", m -> m.values().removeIf(v -> v == 1));
        o.put("values.iterator.remove", m -> {
            Iterator<Integer> it = m.values().iterator();
            it.next();
            it.remove();
        });
        o.put("entrySet.iterator.remove", m -> {
            Iterator<Map.Entry<String, Integer>> it = m.entrySet().iterator();
            it.next();
            it.remove();
        });
        o.put("entry.setValue", m -> m.entrySet().iterator().next().setValue(9));
        o.put("entrySet.remove", m -> m.entrySet().remove(new java.util.AbstractMap.SimpleEntry<>("a", 1)));
        o.put("entrySet.removeIf", m -> m.entrySet().removeIf(e -> true));
        o.put("entrySet.clear", m -> m.entrySet().clear());
        everyMutatorTakesTheLock("ConcurrentHashMap", KilnConcurrentTest::chm, o);
    }

    @Test
    public void unsharedConcurrentHashMapIsTheJdks() {
        Function<ConcurrentHashMap<String, Integer>, String> script = m -> {
            StringBuilder b = new StringBuilder();
            b.append(m.put("a", 1)).append(m.putIfAbsent("a", 2)).append(m.putIfAbsent("b", 2));
            b.append(m.replace("a", 1, 10)).append(m.replace("a", 1, 11)).append(m.merge("c", 5, Integer::sum));
            b.append(m.merge("c", 5, Integer::sum)).append(m.compute("d", (k, v) -> v == null ? 1 : v + 1));
            b.append(m.computeIfPresent("b", (k, v) -> null)).append(m.remove("d", 1)).append(m.keySet().remove("zz"));
            try {
                m.put("n", null);
            } catch (NullPointerException e) {
                b.append("npe");
            }
            return b + " " + new java.util.TreeMap<>(m);
        };
        assertEquals(script.apply(new ConcurrentHashMap<>()), script.apply(new KilnConcurrentHashMap<>()));
        assertEquals("java.util.concurrent.ConcurrentHashMap", new KilnConcurrentHashMap<>().$kiln$class());
    }

    // ------------------------------------------------------------------ queues

    private static <Q extends KilnQueue<String>> Supplier<Q> filled(Supplier<Q> s) {
        return () -> {
            Q q = s.get();
            q.offer("a");
            q.offer("b");
            return q;
        };
    }

    private static <Q extends KilnQueue<String>> Map<String, Consumer<Q>> queueOps(boolean blocking) {
        Map<String, Consumer<Q>> o = new LinkedHashMap<>();
        o.put("offer", q -> q.offer("z"));
        o.put("add", q -> q.add("z"));
        o.put("poll", Queue::poll);
        o.put("remove()", Queue::remove);
        o.put("remove(o)", q -> q.remove("a"));
        o.put("removeAll", q -> q.removeAll(Collections.singleton("a")));
        o.put("retainAll", q -> q.retainAll(Collections.singleton("a")));
        o.put("removeIf", q -> q.removeIf("b"::equals));
        o.put("clear", Collection::clear);
        o.put("addAll", q -> q.addAll(Arrays.asList("y", "z")));
        o.put("iterator.remove", q -> {
            Iterator<String> it = q.iterator();
            it.next();
            it.remove();
        });
        if (blocking) {
            o.put("put", op(q -> ((BlockingQueue<String>) q).put("z")));
            o.put("offer(timeout)", op(q -> ((BlockingQueue<String>) q).offer("z", 1, TimeUnit.SECONDS)));
            o.put("take", op(q -> ((BlockingQueue<String>) q).take()));
            o.put("poll(timeout)", op(q -> ((BlockingQueue<String>) q).poll(1, TimeUnit.SECONDS)));
            o.put("drainTo", q -> ((BlockingQueue<String>) q).drainTo(new ArrayList<>()));
            o.put("drainTo(max)", q -> ((BlockingQueue<String>) q).drainTo(new ArrayList<>(), 1));
        }
        return o;
    }

    @Test
    public void queueMutatorsAllTakeTheQueuesLock() {
        everyMutatorTakesTheLock("LinkedBlockingQueue", filled(KilnLinkedBlockingQueue::new), queueOps(true));
        everyMutatorTakesTheLock("ArrayBlockingQueue", filled(() -> new KilnArrayBlockingQueue<>(4)), queueOps(true));
        everyMutatorTakesTheLock("ConcurrentLinkedQueue", filled(KilnConcurrentLinkedQueue::new), queueOps(false));
    }

    private static String queueScript(BlockingQueue<String> q) throws InterruptedException {
        StringBuilder b = new StringBuilder();
        b.append(q.offer("a")).append(q.offer("b")).append(q.offer("c")).append(q.remainingCapacity());
        b.append(q.offer("d", 50, TimeUnit.MILLISECONDS)); // full (capacity 3)
        b.append(q.poll()).append(q.take());
        q.put("e");
        List<String> sink = new ArrayList<>();
        b.append(q.drainTo(sink, 1)).append(sink);
        long t0 = System.nanoTime();
        b.append(q.poll(1, TimeUnit.MILLISECONDS)).append(q.poll(60, TimeUnit.MILLISECONDS));
        b.append(System.nanoTime() - t0 >= TimeUnit.MILLISECONDS.toNanos(60));
        q.addAll(Arrays.asList("x", "y"));
        Iterator<String> it = q.iterator();
        it.next();
        it.remove();
        b.append(q.removeIf("zz"::equals)).append(q);
        Thread.currentThread().interrupt();
        try {
            q.take();
        } catch (InterruptedException e) {
            b.append("interrupted");
        }
        return b.toString();
    }

    @Test
    public void unsharedQueuesAreTheJdks() throws InterruptedException {
        assertEquals(queueScript(new LinkedBlockingQueue<>(3)), queueScript(new KilnLinkedBlockingQueue<>(3)));
        assertEquals(queueScript(new ArrayBlockingQueue<>(3)), queueScript(new KilnArrayBlockingQueue<>(3)));
        Queue<String> a = new ConcurrentLinkedQueue<>();
        Queue<String> k = new KilnConcurrentLinkedQueue<>();
        for (Queue<String> q : Arrays.asList(a, k)) {
            q.offer("a");
            q.add("b");
            q.addAll(Arrays.asList("c", "d"));
            q.poll();
            q.remove("c");
        }
        assertEquals(a.toString(), k.toString());
        assertEquals("java.util.concurrent.LinkedBlockingQueue", new KilnLinkedBlockingQueue<>().$kiln$class());
        assertEquals("java.util.concurrent.LinkedBlockingQueue|capacity=3", new KilnLinkedBlockingQueue<>(3).$kiln$class());
        assertEquals("java.util.concurrent.ArrayBlockingQueue|capacity=7", new KilnArrayBlockingQueue<>(7).$kiln$class());
    }

    @Test
    public void clusterClassNamesMaterialiseWithTheirCapacity() throws ReflectiveOperationException {
        Shared s = Jdk.create("java.util.concurrent.ArrayBlockingQueue|capacity=5", null);
        assertTrue(s instanceof KilnArrayBlockingQueue);
        assertEquals(5, ((KilnArrayBlockingQueue<?>) s).remainingCapacity());
        assertEquals(Integer.MAX_VALUE, ((KilnLinkedBlockingQueue<?>) Jdk.create("java.util.concurrent.LinkedBlockingQueue", null))
                .remainingCapacity());
        assertTrue(Jdk.create("java.util.concurrent.ConcurrentHashMap", null) instanceof KilnConcurrentHashMap);
        assertTrue(Jdk.create("java.util.concurrent.ConcurrentLinkedQueue", null) instanceof KilnConcurrentLinkedQueue);
        assertTrue(Jdk.create("java.util.concurrent.CopyOnWriteArrayList", null) instanceof KilnCopyOnWriteArrayList);
        assertTrue(Jdk.create("java.util.concurrent.CopyOnWriteArraySet", null) instanceof KilnCopyOnWriteArraySet);
        // A plain one met by the sharing walk is copied with its content and capacity.
        ArrayBlockingQueue<String> plain = new ArrayBlockingQueue<>(3);
        plain.offer("x");
        Shared copy = Jdk.portableCopy(plain);
        assertEquals("java.util.concurrent.ArrayBlockingQueue|capacity=3", copy.$kiln$class());
        assertEquals(Collections.singletonList("x"), copy.$kiln$content());
        assertTrue(Jdk.portableCopy(new ConcurrentHashMap<>()) instanceof KilnConcurrentHashMap);
    }

    // ------------------------------------------------------------------ copy-on-write

    @Test
    public void copyOnWriteMutatorsAllTakeTheLockAndIteratorsAreSnapshots() {
        Map<String, Consumer<KilnCopyOnWriteArrayList<String>>> l = new LinkedHashMap<>();
        l.put("add", x -> x.add("z"));
        l.put("add(i)", x -> x.add(0, "z"));
        l.put("set", x -> x.set(0, "z"));
        l.put("remove(i)", x -> x.remove(0));
        l.put("remove(o)", x -> x.remove("a"));
        l.put("clear", List::clear);
        l.put("addAll", x -> x.addAll(Arrays.asList("y")));
        l.put("addAll(i)", x -> x.addAll(0, Arrays.asList("y")));
        l.put("addIfAbsent", x -> x.addIfAbsent("z"));
        l.put("addAllAbsent", x -> x.addAllAbsent(Arrays.asList("z")));
        l.put("removeAll", x -> x.removeAll(Collections.singleton("a")));
        l.put("retainAll", x -> x.retainAll(Collections.singleton("a")));
        l.put("removeIf", x -> x.removeIf("a"::equals));
        l.put("replaceAll", x -> x.replaceAll(String::toUpperCase));
        l.put("sort", x -> x.sort(null));
        l.put("subList.set", x -> x.subList(0, 1).set(0, "z"));
        l.put("subList.clear", x -> x.subList(0, 1).clear());
        everyMutatorTakesTheLock("CopyOnWriteArrayList", () -> new KilnCopyOnWriteArrayList<>(Arrays.asList("b", "a")), l);

        Map<String, Consumer<KilnCopyOnWriteArraySet<String>>> s = new LinkedHashMap<>();
        s.put("add", x -> x.add("z"));
        s.put("remove", x -> x.remove("a"));
        s.put("clear", java.util.Set::clear);
        s.put("addAll", x -> x.addAll(Arrays.asList("y")));
        s.put("removeAll", x -> x.removeAll(Collections.singleton("a")));
        s.put("retainAll", x -> x.retainAll(Collections.singleton("a")));
        s.put("removeIf", x -> x.removeIf("a"::equals));
        everyMutatorTakesTheLock("CopyOnWriteArraySet", () -> new KilnCopyOnWriteArraySet<>(Arrays.asList("b", "a")), s);

        KilnCopyOnWriteArrayList<String> k = new KilnCopyOnWriteArrayList<>(Arrays.asList("a", "b"));
        CopyOnWriteArrayList<String> j = new CopyOnWriteArrayList<>(Arrays.asList("a", "b"));
        for (CopyOnWriteArrayList<String> x : Arrays.asList(j, k)) {
            Iterator<String> it = x.iterator();
            x.add("c"); // the iterator is a snapshot
            assertEquals("a", it.next());
            assertEquals("b", it.next());
            assertFalse(it.hasNext());
            try {
                it.remove();
                fail("a copy-on-write iterator is read-only");
            } catch (UnsupportedOperationException expected) {
                // as the JDK's
            }
            assertFalse(x.addIfAbsent("a"));
            assertEquals(1, x.addAllAbsent(Arrays.asList("a", "d")));
        }
        assertEquals(j, k);
        CopyOnWriteArraySet<String> js = new CopyOnWriteArraySet<>();
        KilnCopyOnWriteArraySet<String> ks = new KilnCopyOnWriteArraySet<>();
        for (CopyOnWriteArraySet<String> x : Arrays.asList(js, ks)) {
            x.add("a");
            x.add("a");
            x.addAll(Arrays.asList("b", "c"));
            x.removeIf("b"::equals);
        }
        assertEquals(js.toString(), ks.toString());
        assertNull(Jdk.portableCopy(Collections.synchronizedList(new ArrayList<>())));
    }

    // ------------------------------------------------------------------ ConcurrentSkipListMap/Set

    private static KilnConcurrentSkipListMap<String, Integer> cslm() {
        KilnConcurrentSkipListMap<String, Integer> m = new KilnConcurrentSkipListMap<>();
        m.put("a", 1);
        m.put("b", 2);
        m.put("c", 3);
        return m;
    }

    @Test
    public void skipListMutatorsAllTakeTheLockAndViewsAreReadOnly() {
        Map<String, Consumer<KilnConcurrentSkipListMap<String, Integer>>> o = new LinkedHashMap<>();
        o.put("put", m -> m.put("z", 9));
        o.put("remove", m -> m.remove("a"));
        o.put("remove(k,v)", m -> m.remove("a", 1));
        o.put("clear", Map::clear);
        o.put("putAll", m -> m.putAll(Collections.singletonMap("z", 9)));
        o.put("putIfAbsent", m -> m.putIfAbsent("z", 9));
        o.put("replace", m -> m.replace("a", 9));
        o.put("replace(k,o,n)", m -> m.replace("a", 1, 9));
        o.put("computeIfAbsent", m -> m.computeIfAbsent("z", k -> 9));
        o.put("computeIfPresent", m -> m.computeIfPresent("a", (k, v) -> v + 1));
        o.put("compute", m -> m.compute("a", (k, v) -> 9));
        o.put("merge", m -> m.merge("a", 1, Integer::sum));
        o.put("replaceAll", m -> m.replaceAll((k, v) -> v + 1));
        o.put("pollFirstEntry", m -> m.pollFirstEntry());
        o.put("pollLastEntry", m -> m.pollLastEntry());
        everyMutatorTakesTheLock("ConcurrentSkipListMap", KilnConcurrentTest::cslm, o);
        Supplier<KilnConcurrentSkipListSet<String>> set = () -> new KilnConcurrentSkipListSet<>(Arrays.asList("a", "b", "c"));
        Map<String, Consumer<KilnConcurrentSkipListSet<String>>> so = new LinkedHashMap<>();
        so.put("add", x -> x.add("z"));
        so.put("remove", x -> x.remove("a"));
        so.put("clear", Collection::clear);
        so.put("addAll", x -> x.addAll(Arrays.asList("y", "z")));
        so.put("removeAll", x -> x.removeAll(Collections.singleton("a")));
        so.put("retainAll", x -> x.retainAll(Collections.singleton("a")));
        so.put("removeIf", x -> x.removeIf("b"::equals));
        so.put("pollFirst", x -> x.pollFirst());
        so.put("pollLast", x -> x.pollLast());
        so.put("iterator.remove", x -> {
            Iterator<String> it = x.iterator();
            it.next();
            it.remove();
        });
        everyMutatorTakesTheLock("ConcurrentSkipListSet", set, so);
        // Views of a shared one refuse changes (they would bypass its lock); nothing changed.
        KilnConcurrentSkipListMap<String, Integer> m = cslm();
        m.$kiln$oid(42);
        List<Consumer<KilnConcurrentSkipListMap<String, Integer>>> views = Arrays.asList(
            x -> x.keySet().remove("a"), x -> x.values().clear(), x -> x.entrySet().clear(),
            x -> x.headMap("c").put("a", 7), x -> x.tailMap("a").clear(), x -> x.descendingMap().pollFirstEntry(),
            x -> x.subMap("a", "c").remove("a"), x -> x.navigableKeySet().pollFirst());
        for (Consumer<KilnConcurrentSkipListMap<String, Integer>> v : views) {
            try {
                v.accept(m);
                fail("a view of a shared ConcurrentSkipListMap accepted a change");
            } catch (UnsupportedOperationException expected) {
                // read-only
            }
        }
        assertEquals(Arrays.asList("a", 1, "b", 2, "c", 3), m.$kiln$content());
        KilnConcurrentSkipListSet<String> s = set.get();
        s.$kiln$oid(42);
        for (Consumer<KilnConcurrentSkipListSet<String>> v : Arrays.<Consumer<KilnConcurrentSkipListSet<String>>>asList(
                x -> x.headSet("c").add("a"), x -> x.descendingSet().pollFirst(), x -> x.tailSet("b").clear())) {
            try {
                v.accept(s);
                fail("a view of a shared ConcurrentSkipListSet accepted a change");
            } catch (UnsupportedOperationException expected) {
                // read-only
            }
        }
        assertEquals(Arrays.asList("a", "b", "c"), s.$kiln$content());
    }

    @Test
    public void unsharedSkipListsAreTheJdksAndMaterialiseWithTheirComparator() throws ReflectiveOperationException {
        Function<java.util.concurrent.ConcurrentSkipListMap<String, Integer>, String> script = m -> {
            StringBuilder b = new StringBuilder();
            b.append(m.put("b", 1)).append(m.putIfAbsent("b", 2)).append(m.putIfAbsent("a", 2)).append(m.merge("c", 5, Integer::sum));
            b.append(m.pollFirstEntry()).append(m.headMap("c")).append(m.descendingMap()).append(m.ceilingKey("bb"));
            m.keySet().remove("c");
            return b + " " + m;
        };
        assertEquals(script.apply(new java.util.concurrent.ConcurrentSkipListMap<>()), script.apply(new KilnConcurrentSkipListMap<>()));
        KilnConcurrentSkipListMap<String, Integer> rev = new KilnConcurrentSkipListMap<>(Collections.reverseOrder());
        assertEquals("java.util.concurrent.ConcurrentSkipListMap|comparator=reverse", rev.$kiln$class());
        KilnConcurrentSkipListMap<?, ?> back = (KilnConcurrentSkipListMap<?, ?>) Jdk.create(rev.$kiln$class(), getClass().getClassLoader());
        assertTrue(back.comparator() == Collections.reverseOrder());
        KilnConcurrentSkipListSet<String> ci = new KilnConcurrentSkipListSet<>(String.CASE_INSENSITIVE_ORDER);
        KilnConcurrentSkipListSet<?> ciBack = (KilnConcurrentSkipListSet<?>) Jdk.create(ci.$kiln$class(), getClass().getClassLoader());
        assertTrue(ciBack.comparator() == String.CASE_INSENSITIVE_ORDER);
        assertEquals("java.util.concurrent.ConcurrentSkipListSet", new KilnConcurrentSkipListSet<>().$kiln$class());
        // A plain one (from code the agent did not instrument) is copied at share time, comparator kept.
        java.util.concurrent.ConcurrentSkipListSet<String> plain = new java.util.concurrent.ConcurrentSkipListSet<>(Collections.reverseOrder());
        plain.addAll(Arrays.asList("a", "c", "b"));
        KilnConcurrentSkipListSet<?> copy = (KilnConcurrentSkipListSet<?>) Jdk.portableCopy(plain);
        assertEquals("[c, b, a]", copy.toString());
        java.util.concurrent.ConcurrentSkipListMap<String, Integer> pm = new java.util.concurrent.ConcurrentSkipListMap<>();
        pm.put("x", 1);
        assertEquals("{x=1}", Jdk.portableCopy(pm).toString());
        try {
            new KilnConcurrentSkipListSet<String>((x, y) -> 0).$kiln$class();
            fail("a lambda comparator was accepted");
        } catch (com.tc.exception.TCNonPortableObjectError e) {
            assertTrue(e.getMessage(), e.getMessage().contains("java.util.concurrent.ConcurrentSkipListSet sorted by"));
        }
    }

    // ------------------------------------------------------------------ PriorityBlockingQueue

    @Test
    public void priorityBlockingQueueMutatorsTakeTheLockUnsharedIsTheJdksAndComparatorTravels() throws Exception {
        everyMutatorTakesTheLock("PriorityBlockingQueue", filled(KilnPriorityBlockingQueue::new), queueOps(true));
        Function<java.util.concurrent.PriorityBlockingQueue<Integer>, String> script = q -> {
            StringBuilder b = new StringBuilder();
            q.addAll(Arrays.asList(5, 1, 4, 2, 3, 2));
            b.append(q.peek()).append(q.poll()).append(q.remove(2)).append(q.remainingCapacity() == Integer.MAX_VALUE);
            q.put(9);
            try {
                b.append(q.take()).append(q.poll(1, TimeUnit.MILLISECONDS));
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
            List<Integer> sink = new ArrayList<>();
            b.append(q.drainTo(sink, 2)).append(sink).append(q.removeIf(x -> x == 2)).append(q.size());
            return b.toString();
        };
        assertEquals(script.apply(new java.util.concurrent.PriorityBlockingQueue<>()), script.apply(new KilnPriorityBlockingQueue<>()));
        assertEquals(script.apply(new java.util.concurrent.PriorityBlockingQueue<>(4, Collections.reverseOrder())),
                script.apply(new KilnPriorityBlockingQueue<>(4, Collections.reverseOrder())));
        KilnPriorityBlockingQueue<Integer> rev = new KilnPriorityBlockingQueue<>(4, Collections.reverseOrder());
        assertEquals("java.util.concurrent.PriorityBlockingQueue|comparator=reverse", rev.$kiln$class());
        KilnPriorityBlockingQueue<?> back = (KilnPriorityBlockingQueue<?>) Jdk.create(rev.$kiln$class(), getClass().getClassLoader());
        assertTrue(back.comparator() == Collections.reverseOrder());
        java.util.concurrent.PriorityBlockingQueue<Integer> plain = new java.util.concurrent.PriorityBlockingQueue<>(4, Collections.reverseOrder());
        plain.addAll(Arrays.asList(1, 3, 2));
        KilnPriorityBlockingQueue<?> copy = (KilnPriorityBlockingQueue<?>) Jdk.portableCopy(plain);
        assertEquals(3, copy.poll());
        assertTrue(copy.comparator() == Collections.reverseOrder());
        assertTrue(new KilnPriorityBlockingQueue<>().$kiln$byValue());
        assertFalse(new KilnLinkedBlockingQueue<>().$kiln$byValue());
    }

    // ------------------------------------------------------------------ LinkedBlockingDeque

    @Test
    public void linkedBlockingDequeMutatorsAtBothEndsTakeTheLockAndUnsharedIsTheJdks() throws Exception {
        Map<String, Consumer<KilnLinkedBlockingDeque<String>>> o = queueOps(true);
        o.put("offerFirst", q -> q.offerFirst("z"));
        o.put("offerLast", q -> q.offerLast("z"));
        o.put("addFirst", q -> q.addFirst("z"));
        o.put("addLast", q -> q.addLast("z"));
        o.put("push", q -> q.push("z"));
        o.put("pop", q -> q.pop());
        o.put("pollFirst", q -> q.pollFirst());
        o.put("pollLast", q -> q.pollLast());
        o.put("removeFirst", q -> q.removeFirst());
        o.put("removeLast", q -> q.removeLast());
        o.put("removeFirstOccurrence", q -> q.removeFirstOccurrence("a"));
        o.put("removeLastOccurrence", q -> q.removeLastOccurrence("a"));
        o.put("putFirst", op(q -> q.putFirst("z")));
        o.put("putLast", op(q -> q.putLast("z")));
        o.put("offerFirst(timeout)", op(q -> q.offerFirst("z", 1, TimeUnit.SECONDS)));
        o.put("takeFirst", op(q -> q.takeFirst()));
        o.put("takeLast", op(q -> q.takeLast()));
        o.put("pollLast(timeout)", op(q -> q.pollLast(1, TimeUnit.SECONDS)));
        o.put("descendingIterator.remove", q -> {
            Iterator<String> it = q.descendingIterator();
            it.next();
            it.remove();
        });
        everyMutatorTakesTheLock("LinkedBlockingDeque", filled(KilnLinkedBlockingDeque::new), o);
        Function<java.util.concurrent.LinkedBlockingDeque<String>, String> script = q -> {
            StringBuilder b = new StringBuilder();
            try {
                b.append(q.offerFirst("b")).append(q.offerLast("c")).append(q.offer("d"));
                q.push("a");
                q.putFirst("z");
                b.append(q.offerFirst("y", 10, TimeUnit.MILLISECONDS)); // full (capacity 5)
                b.append(q.pollLast()).append(q.pop()).append(q.takeLast()).append(q.removeLastOccurrence("a"));
                q.addAll(Arrays.asList("a", "b", "a"));
                b.append(q.removeLastOccurrence("a")).append(q.removeFirstOccurrence("b"));
                Iterator<String> it = q.descendingIterator();
                b.append(it.next());
                it.remove();
                b.append(q.pollFirst(1, TimeUnit.MILLISECONDS)).append(q.pollLast(1, TimeUnit.MILLISECONDS));
                b.append(q.pollLast(1, TimeUnit.MILLISECONDS));
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
            return b + " " + q + q.remainingCapacity();
        };
        assertEquals(script.apply(new java.util.concurrent.LinkedBlockingDeque<>(5)), script.apply(new KilnLinkedBlockingDeque<>(5)));
        KilnLinkedBlockingDeque<String> bounded = new KilnLinkedBlockingDeque<>(3);
        assertEquals("java.util.concurrent.LinkedBlockingDeque|capacity=3", bounded.$kiln$class());
        assertEquals(3, ((KilnLinkedBlockingDeque<?>) Jdk.create(bounded.$kiln$class(), getClass().getClassLoader())).remainingCapacity());
        assertEquals("java.util.concurrent.LinkedBlockingDeque", new KilnLinkedBlockingDeque<>().$kiln$class());
        java.util.concurrent.LinkedBlockingDeque<String> plain = new java.util.concurrent.LinkedBlockingDeque<>(4);
        plain.addAll(Arrays.asList("x", "y"));
        KilnLinkedBlockingDeque<?> copy = (KilnLinkedBlockingDeque<?>) Jdk.portableCopy(plain);
        assertEquals("[x, y]2", copy + "" + copy.remainingCapacity());
    }
}

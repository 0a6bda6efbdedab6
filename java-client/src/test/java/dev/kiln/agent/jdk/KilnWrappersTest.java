package dev.kiln.agent.jdk;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertSame;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import com.tc.exception.TCNonPortableObjectError;
import com.tc.object.tx.UnlockedSharedObjectException;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.LinkedList;
import java.util.List;
import java.util.Map;
import java.util.RandomAccess;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import org.junit.Test;

/**
 * The Kiln Collections.synchronized* / unmodifiable* twins and KilnIdentityHashMap without a
 * cluster: unshared they give the JDK's results (the synchronized ones lock themselves, as the
 * JDK's mutex); "shared" (an oid set) every operation of a synchronized wrapper first takes its
 * cluster lock (none here: it throws, content unchanged); their cluster class names re-create
 * the same wrapper around a Kiln collection; an identity map keys by identity and every mutator
 * of a shared one checks the lock.
 */
public class KilnWrappersTest {
    /** The same operations on a JDK wrapper and on its Kiln twin give the same results. */
    private static <T> void sameAsJdk(String what, T jdk, T kiln, List<java.util.function.Function<T, Object>> ops) {
        for (int n = 0; n < ops.size(); n++) {
            final int i = n;
            Object a = result(() -> ops.get(i).apply(jdk));
            Object b = result(() -> ops.get(i).apply(kiln));
            assertEquals(what + " op " + i, a, b);
        }
        assertEquals(what, jdk.toString(), kiln.toString());
        assertEquals(what, jdk.hashCode(), kiln.hashCode());
        assertTrue(what, kiln.equals(jdk) && jdk.equals(kiln));
    }

    private static Object result(java.util.function.Supplier<Object> s) {
        try {
            Object r = s.get();
            return r instanceof Object[] ? Arrays.asList((Object[]) r) : r;
        } catch (RuntimeException e) {
            return e.getClass();
        }
    }

    @Test
    public void unsharedSynchronizedMapIsTheJdks() {
        List<java.util.function.Function<Map<String, Integer>, Object>> ops = new ArrayList<>();
        ops.add(m -> m.put("a", 1));
        ops.add(m -> m.put("b", 2));
        ops.add(m -> m.put("a", 3));
        ops.add(m -> m.putIfAbsent("c", 4));
        ops.add(m -> m.merge("c", 10, Integer::sum));
        ops.add(m -> m.compute("d", (k, v) -> v == null ? 7 : v + 1));
        ops.add(m -> m.computeIfPresent("d", (k, v) -> null));
        ops.add(m -> m.remove("b", 9));
        ops.add(m -> m.replace("b", 2, 5));
        ops.add(m -> m.keySet().remove("zz"));
        ops.add(m -> m.values().contains(5));
        ops.add(m -> new HashSet<>(m.entrySet()).size());
        ops.add(m -> m.getOrDefault("q", -1));
        ops.add(m -> m.size());
        ops.add(m -> m.get("a"));
        ops.add(m -> m.containsKey("b"));
        sameAsJdk("synchronizedMap", Collections.synchronizedMap(new HashMap<>()),
                Wrappers.synchronizedMap(new KilnHashMap<>()), ops);
        Map<String, Integer> k = Wrappers.synchronizedMap(new KilnHashMap<>());
        assertSame(k.keySet(), k.keySet()); // views cached, as the JDK's
        k.put("x", 1);
        k.keySet().remove("x");
        assertTrue(k.isEmpty());
    }

    @Test
    public void unsharedSynchronizedListAndSetAreTheJdks() {
        List<java.util.function.Function<List<String>, Object>> ops = new ArrayList<>();
        ops.add(l -> l.add("a"));
        ops.add(l -> l.add("b"));
        ops.add(l -> {
            l.add(0, "z");
            return l.size();
        });
        ops.add(l -> l.set(1, "y"));
        ops.add(l -> l.remove("b"));
        ops.add(l -> l.indexOf("y"));
        ops.add(l -> l.get(5));
        ops.add(l -> l.addAll(Arrays.asList("m", "n")));
        ops.add(l -> l.removeIf("m"::equals));
        ops.add(l -> {
            l.subList(0, 1).clear();
            return l.toArray();
        });
        ops.add(l -> {
            l.sort(null);
            return l.toArray();
        });
        sameAsJdk("synchronizedList", Collections.synchronizedList(new ArrayList<>()),
                Wrappers.synchronizedList(new KilnArrayList<>()), ops);
        assertTrue(Wrappers.synchronizedList(new KilnArrayList<>()) instanceof RandomAccess);
        assertFalse(Wrappers.synchronizedList(new KilnLinkedList<>()) instanceof RandomAccess);
        List<java.util.function.Function<Set<String>, Object>> sops = new ArrayList<>();
        sops.add(s -> s.add("a"));
        sops.add(s -> s.add("a"));
        sops.add(s -> s.add("b"));
        sops.add(s -> s.remove("a"));
        sops.add(s -> s.containsAll(Collections.singleton("b")));
        sameAsJdk("synchronizedSet", Collections.synchronizedSet(new HashSet<>()),
                Wrappers.synchronizedSet(new KilnHashSet<>()), sops);
    }

    /** The mutex is the wrapper itself: a thread holding its monitor holds off every operation, as with the JDK's. */
    @Test
    public void mutexIsTheWrapperItself() throws Exception {
        for (Object w : new Object[] {Wrappers.synchronizedMap(new KilnHashMap<>()), Wrappers.synchronizedList(new KilnArrayList<>())}) {
            CountDownLatch done = new CountDownLatch(1);
            Thread t;
            synchronized (w) {
                t = new Thread(() -> {
                    if (w instanceof Map) {
                        @SuppressWarnings("unchecked")
                        Map<String, Integer> m = (Map<String, Integer>) w;
                        m.put("k", 1);
                    } else {
                        @SuppressWarnings("unchecked")
                        List<String> l = (List<String>) w;
                        l.add("k");
                    }
                    done.countDown();
                });
                t.start();
                assertFalse("an operation ran while another thread held the wrapper's monitor", done.await(200, TimeUnit.MILLISECONDS));
            }
            assertTrue(done.await(10, TimeUnit.SECONDS));
            t.join(10_000);
            assertEquals(1, ((w instanceof Map) ? ((Map<?, ?>) w).size() : ((List<?>) w).size()));
        }
    }

    @Test
    public void unmodifiableViewsRefuseMutationAndShowChanges() {
        KilnHashMap<String, Integer> m = new KilnHashMap<>();
        m.put("a", 1);
        Map<String, Integer> ro = Wrappers.unmodifiableMap(m);
        assertSame(ro, Wrappers.unmodifiableMap(ro));
        List<Consumer<Map<String, Integer>>> mops = Arrays.asList(x -> x.put("b", 2), x -> x.remove("a"), Map::clear,
                x -> x.keySet().remove("a"), x -> x.entrySet().iterator().next().setValue(5),
                x -> x.values().clear(), x -> x.merge("a", 1, Integer::sum), x -> x.putAll(Collections.singletonMap("c", 3)));
        for (Consumer<Map<String, Integer>> op : mops) {
            try {
                op.accept(ro);
                fail("an unmodifiable map view accepted a change");
            } catch (UnsupportedOperationException expected) {
                // as the JDK's
            }
        }
        m.put("b", 2);
        assertEquals(Collections.unmodifiableMap(m), ro);
        assertEquals("{a=1, b=2}", ro.toString());
        KilnArrayList<String> l = new KilnArrayList<>(Arrays.asList("x", "y"));
        List<String> rl = Wrappers.unmodifiableList(l);
        assertTrue(rl instanceof RandomAccess);
        assertFalse(Wrappers.unmodifiableList(new KilnLinkedList<>()) instanceof RandomAccess);
        List<Consumer<List<String>>> lops = Arrays.asList(x -> x.add("z"), x -> x.remove(0), x -> x.set(0, "q"),
                x -> x.iterator().remove(), x -> x.listIterator().add("w"), x -> x.subList(0, 1).clear(), x -> x.sort(null),
                x -> x.removeIf("x"::equals));
        for (Consumer<List<String>> op : lops) {
            try {
                op.accept(rl);
                fail("an unmodifiable list view accepted a change");
            } catch (UnsupportedOperationException | IllegalStateException expected) {
                // as the JDK's
            }
        }
        assertEquals(Arrays.asList("x", "y"), rl);
        Set<String> rs = Wrappers.unmodifiableSet(new KilnHashSet<>(Arrays.asList("s")));
        try {
            rs.add("t");
            fail("an unmodifiable set view accepted a change");
        } catch (UnsupportedOperationException expected) {
            assertEquals(Collections.singleton("s"), rs);
        }
        Collection<String> rc = Wrappers.unmodifiableCollection(l);
        try {
            rc.clear();
            fail("an unmodifiable collection view accepted a change");
        } catch (UnsupportedOperationException expected) {
            assertEquals(2, rc.size());
        }
    }

    /** A shared wrapper's every operation (reads too, as the JDK's are synchronized) takes its cluster lock first. */
    @Test
    public void everyOperationOfASharedWrapperTakesItsClusterLock() {
        List<Consumer<Map<String, Integer>>> ops = Arrays.asList(m -> m.put("z", 1), m -> m.remove("a"), Map::clear,
                m -> m.get("a"), m -> m.size(), m -> m.putIfAbsent("z", 1), m -> m.compute("a", (k, v) -> 5),
                m -> m.keySet().remove("a"), m -> m.values().clear(), m -> m.entrySet().removeIf(e -> true),
                m -> m.putAll(Collections.singletonMap("q", 1)), m -> m.replaceAll((k, v) -> v + 1));
        for (int i = 0; i < ops.size(); i++) {
            KilnHashMap<String, Integer> inner = new KilnHashMap<>();
            inner.put("a", 1);
            Map<String, Integer> w = Wrappers.synchronizedMap(inner);
            ((Shared) w).$kiln$oid(42);
            assertEquals(42, inner.$kiln$oid()); // stored as the wrapped map: the same object id
            try {
                ops.get(i).accept(w);
                fail("op " + i + " of a shared synchronized map did not take its cluster lock");
            } catch (IllegalStateException e) {
                assertTrue(e.getMessage(), e.getMessage().contains("no cluster"));
            }
            assertEquals("op " + i, Collections.singletonMap("a", 1), new HashMap<>(inner));
        }
        List<Consumer<List<String>>> lops = Arrays.asList(l -> l.add("z"), l -> l.remove(0), l -> l.set(0, "q"),
                l -> l.get(0), l -> l.subList(0, 1).clear(), l -> l.sort(null), l -> l.removeIf(x -> true));
        for (int i = 0; i < lops.size(); i++) {
            KilnArrayList<String> inner = new KilnArrayList<>(Collections.singletonList("a"));
            List<String> w = Wrappers.synchronizedList(inner);
            ((Shared) w).$kiln$oid(42);
            try {
                lops.get(i).accept(w);
                fail("op " + i + " of a shared synchronized list did not take its cluster lock");
            } catch (IllegalStateException e) {
                assertTrue(e.getMessage(), e.getMessage().contains("no cluster"));
            }
            assertEquals("op " + i, Collections.singletonList("a"), new ArrayList<>(inner));
        }
    }

    @Test
    public void sortedAndNavigableWrappersAreTheJdksAndLockTheirOwner() throws Exception {
        List<java.util.function.Function<java.util.NavigableMap<String, Integer>, Object>> ops = new ArrayList<>();
        ops.add(m -> m.put("b", 2));
        ops.add(m -> m.put("d", 4));
        ops.add(m -> m.put("a", 1));
        ops.add(m -> m.firstKey());
        ops.add(m -> m.lastEntry());
        ops.add(m -> m.ceilingKey("c"));
        ops.add(m -> m.headMap("c").toString());
        ops.add(m -> m.descendingMap().toString());
        ops.add(m -> m.navigableKeySet().higher("a"));
        ops.add(m -> m.pollFirstEntry());
        ops.add(m -> {
            m.tailMap("d", true).clear();
            return m.size();
        });
        sameAsJdk("synchronizedNavigableMap", Collections.synchronizedNavigableMap(new TreeMap<>()),
                Wrappers.synchronizedNavigableMap(new KilnTreeMap<>()), ops);
        List<java.util.function.Function<java.util.NavigableSet<String>, Object>> sops = new ArrayList<>();
        sops.add(s -> s.add("b"));
        sops.add(s -> s.add("a"));
        sops.add(s -> s.add("c"));
        sops.add(s -> s.first());
        sops.add(s -> s.floor("bb"));
        sops.add(s -> s.headSet("c").toString());
        sops.add(s -> s.descendingSet().toString());
        sops.add(s -> s.pollLast());
        sameAsJdk("synchronizedNavigableSet", Collections.synchronizedNavigableSet(new java.util.TreeSet<>()),
                Wrappers.synchronizedNavigableSet(new KilnTreeSet<>()), sops);
        java.util.SortedMap<String, Integer> sorted = Wrappers.synchronizedSortedMap(new KilnTreeMap<>());
        assertFalse(sorted instanceof java.util.NavigableMap); // as the JDK's
        assertEquals("java.util.TreeMap|wrap=synchronizedSortedMap", ((Shared) sorted).$kiln$class());
        assertTrue(Jdk.create("java.util.TreeSet|wrap=synchronizedNavigableSet", null) instanceof KilnSynchronizedNavigableSet);
        // a sub-map view locks its owner: "shared", it takes the owner's cluster lock; it cannot be shared on its own
        KilnTreeMap<String, Integer> inner = new KilnTreeMap<>();
        inner.put("a", 1);
        java.util.NavigableMap<String, Integer> nav = Wrappers.synchronizedNavigableMap(inner);
        java.util.NavigableMap<String, Integer> head = nav.headMap("z", true);
        ((Shared) nav).$kiln$oid(42);
        try {
            head.put("b", 2);
            fail("a sub-map view of a shared synchronized map did not take its owner's cluster lock");
        } catch (IllegalStateException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("no cluster"));
        }
        assertEquals(Collections.singletonMap("a", 1), new HashMap<>(inner));
        try {
            ((Shared) head).$kiln$class();
            fail("a sub-map view was shareable on its own");
        } catch (TCNonPortableObjectError e) {
            assertTrue(e.getMessage(), e.getMessage().contains("share the wrapper itself"));
        }
    }

    @Test
    public void clusterClassNamesRecreateTheWrapper() throws Exception {
        Map<String, Integer> plain = new TreeMap<>(Collections.reverseOrder());
        plain.put("a", 1);
        plain.put("b", 2);
        Shared w = (Shared) Wrappers.synchronizedMap(plain);
        assertEquals("java.util.TreeMap|comparator=reverse|wrap=synchronizedMap", w.$kiln$class());
        assertTrue(((KilnWrapper) w).$kiln$inner() instanceof KilnTreeMap); // the plain inner map became its Kiln copy
        assertEquals(Arrays.asList("b", 2, "a", 1), w.$kiln$content());
        assertEquals(4, w.$kiln$kind());
        Shared other = Jdk.create(w.$kiln$class(), getClass().getClassLoader());
        assertTrue(other instanceof KilnSynchronizedMap);
        other.$kiln$load(w.$kiln$content());
        assertEquals("{b=2, a=1}", other.toString());
        assertEquals("java.util.LinkedList|wrap=synchronizedList",
                ((Shared) Wrappers.synchronizedList(new LinkedList<>())).$kiln$class());
        Shared l = Jdk.create("java.util.ArrayList|wrap=synchronizedList", null);
        assertTrue(l instanceof KilnSynchronizedRandomAccessList);
        assertEquals("java.util.HashSet|wrap=synchronizedSet", ((Shared) Jdk.create("java.util.HashSet|wrap=synchronizedSet",
                null)).$kiln$class());
        Shared ro = (Shared) Wrappers.unmodifiableList(new KilnArrayList<>());
        assertEquals("java.util.Collections$Unmodifiable|wrap=unmodifiableRandomAccessList", ro.$kiln$class());
        assertEquals(1, ro.$kiln$kind());
        Shared ro2 = Jdk.create(ro.$kiln$class(), null);
        KilnArrayList<String> target = new KilnArrayList<>(Arrays.asList("t"));
        ro2.$kiln$load(Collections.singletonList(target));
        assertTrue(ro2 instanceof KilnUnmodifiableRandomAccessList);
        assertEquals(Collections.singletonList("t"), ro2);
        Shared rm = Jdk.create("java.util.Collections$Unmodifiable|wrap=unmodifiableMap", null);
        rm.$kiln$load(Collections.singletonList(new KilnHashMap<>(Collections.singletonMap("k", 1))));
        assertEquals(Collections.singletonMap("k", 1), rm);
    }

    @Test
    public void unshareableWrappersAreRefused() {
        Map<String, Integer> w = Wrappers.synchronizedMap(new KilnHashMap<>());
        try {
            ((Shared) w.keySet()).$kiln$class();
            fail("a view of a synchronized map was shareable on its own");
        } catch (TCNonPortableObjectError e) {
            assertTrue(e.getMessage(), e.getMessage().contains("share the wrapper itself"));
        }
        KilnHashMap<String, Integer> shared = new KilnHashMap<>();
        shared.$kiln$oid(7);
        try {
            ((Shared) Wrappers.synchronizedMap(shared)).$kiln$class();
            fail("a wrapper of an already shared map was shareable");
        } catch (TCNonPortableObjectError e) {
            assertTrue(e.getMessage(), e.getMessage().contains("already shared (object 7)"));
        }
        try {
            ((Shared) Wrappers.synchronizedMap(new java.util.WeakHashMap<String, Integer>())).$kiln$class();
            fail("a wrapper of a WeakHashMap was shareable");
        } catch (TCNonPortableObjectError e) {
            assertTrue(e.getMessage(), e.getMessage().contains("java.util.WeakHashMap cannot be shared"));
        }
        String hint = Jdk.hint(Collections.unmodifiableMap(new java.util.HashMap<String, Integer>()).entrySet());
        assertTrue(hint, hint.contains("the views of wrappers are not shared yet"));
    }

    @Test
    public void identityHashMapKeysByIdentityAndChecksTheLockWhenShared() throws Exception {
        List<String> k1 = new ArrayList<>();
        List<String> k2 = new ArrayList<>(); // equal to k1, another object
        KilnIdentityHashMap<Object, String> m = new KilnIdentityHashMap<>();
        IdentityHashMap<Object, String> jdk = new IdentityHashMap<>();
        for (Map<Object, String> x : Arrays.<Map<Object, String>>asList(m, jdk)) {
            x.put(k1, "one");
            x.put(k2, "two");
        }
        assertEquals(2, m.size());
        assertEquals(jdk, m);
        assertEquals("one", m.get(k1));
        assertEquals("java.util.IdentityHashMap", m.$kiln$class());
        assertTrue(Jdk.create("java.util.IdentityHashMap", null) instanceof KilnIdentityHashMap);
        IdentityHashMap<Object, String> plain = new IdentityHashMap<>();
        plain.put(k1, "p");
        Shared copy = Jdk.portableCopy(plain);
        assertTrue(copy instanceof KilnIdentityHashMap);
        assertSame(k1, copy.$kiln$content().get(0));
        // shared: the key recorded for k2 is k2 itself, not the equal k1 (MapOps.storedKey)
        assertSame(k2, MapOps.storedKey(m, k2));
        List<Consumer<KilnIdentityHashMap<Object, String>>> ops = Arrays.asList(x -> x.put(k1, "z"), x -> x.remove(k2),
                KilnIdentityHashMap::clear, x -> x.remove(k1, "one"), x -> x.replace(k1, "one", "x"),
                x -> x.putIfAbsent(new Object(), "n"), x -> x.keySet().remove(k1), x -> {
                    Iterator<Object> it = x.keySet().iterator();
                    it.next();
                    it.remove();
                }, x -> x.entrySet().iterator().next().setValue("v"), x -> x.values().clear(),
                x -> x.merge(k1, "m", String::concat));
        for (int i = 0; i < ops.size(); i++) {
            KilnIdentityHashMap<Object, String> s = new KilnIdentityHashMap<>();
            s.put(k1, "one");
            s.put(k2, "two");
            s.$kiln$oid(42);
            try {
                ops.get(i).accept(s);
                fail("op " + i + " of a shared identity map outside any lock was accepted");
            } catch (UnlockedSharedObjectException e) {
                assertTrue(e.getMessage(), e.getMessage().contains("java.util.IdentityHashMap"));
            }
            s.$kiln$oid(0);
            assertEquals("op " + i, 2, s.size());
            assertEquals("op " + i, "one", s.get(k1));
        }
    }
}

package dev.kiln.agent.jdk;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import com.tc.object.tx.UnlockedSharedObjectException;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.ListIterator;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Supplier;

import org.junit.Test;

/**
 * The Kiln JDK collections without a cluster: unshared they behave as their JDK type; "shared"
 * (an oid set, no cluster lock held by this thread) every mutator — views, iterators, entries,
 * sub-lists included — throws UnlockedSharedObjectException and leaves the content unchanged,
 * i.e. no mutation path bypasses the shared path.
 */
public class KilnCollectionsTest {
    @SuppressWarnings("unchecked")
    private static <T extends Shared> void everyMutatorChecksTheLock(String what, Supplier<T> make,
                                                                     Map<String, Consumer<T>> ops) {
        for (Map.Entry<String, Consumer<T>> op : ops.entrySet()) {
            T c = make.get();
            List<Object> before = new ArrayList<>(c.$kiln$content());
            c.$kiln$oid(42);
            try {
                op.getValue().accept(c);
                fail(what + "." + op.getKey() + " on a shared collection outside any lock was accepted");
            } catch (UnlockedSharedObjectException e) {
                assertTrue(e.getMessage(), e.getMessage().contains("outside any cluster lock"));
            }
            assertEquals(what + "." + op.getKey() + " changed the content", before, c.$kiln$content());
        }
    }

    private static <T> Map<String, Consumer<T>> ops() {
        return new LinkedHashMap<>();
    }

    private static void mapOps(Map<String, Consumer<Map<String, Integer>>> o) {
        o.put("put", m -> m.put("z", 9));
        o.put("put existing", m -> m.put("a", 9));
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
        o.put("keySet.iterator.remove", m -> {
            Iterator<String> it = m.keySet().iterator();
            it.next();
            it.remove();
        });
        o.put("keySet.retainAll", m -> m.keySet().retainAll(Collections.singleton("b")));
        o.put("keySet.removeIf", m -> m.keySet().removeIf("a"::equals));
        o.put("keySet.clear", m -> m.keySet().clear());
        o.put("values.remove", m -> m.values().remove(1));
        o.put("values.removeAll", m -> m.values().removeAll(Collections.singleton(1)));
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
        o.put("entrySet.removeIf", m -> m.entrySet().removeIf(e -> true));
        o.put("entrySet.clear", m -> m.entrySet().clear());
    }

    private static <M extends Map<String, Integer> & Shared> Supplier<M> filled(Supplier<M> s) {
        return () -> {
            M m = s.get();
            m.put("a", 1);
            m.put("b", 2);
            m.put("c", 3);
            return m;
        };
    }

    @Test
    @SuppressWarnings({"unchecked", "rawtypes"})
    public void mapsRefuseEveryUnlockedMutation() {
        Map<String, Consumer<Map<String, Integer>>> o = ops();
        mapOps(o);
        everyMutatorChecksTheLock("HashMap", filled(KilnHashMap::new), (Map) o);
        Map<String, Consumer<KilnLinkedHashMap<String, Integer>>> lo = (Map) ops();
        mapOps((Map) lo);
        lo.put("putFirst", m -> m.putFirst("z", 9));
        lo.put("putFirst present", m -> m.putFirst("c", 9));
        lo.put("putLast", m -> m.putLast("a", 9));
        everyMutatorChecksTheLock("LinkedHashMap", filled(() -> new KilnLinkedHashMap<String, Integer>()), lo);
        everyMutatorChecksTheLock("Hashtable", filled(KilnHashtable::new), (Map) o);
        Map<String, Consumer<KilnTreeMap<String, Integer>>> t = (Map) ops();
        mapOps((Map) t);
        t.put("pollFirstEntry", KilnTreeMap::pollFirstEntry);
        t.put("pollLastEntry", KilnTreeMap::pollLastEntry);
        // Navigable views are live and writable: each change is the shared map's, lock checked first.
        t.put("headMap.clear", m -> m.headMap("c").clear());
        t.put("headMap.put", m -> m.headMap("c").put("a", 9));
        t.put("headMap.put out of range", m -> m.headMap("b").put("z", 9));
        t.put("tailMap.remove", m -> m.tailMap("a").remove("b"));
        t.put("tailMap.remove absent", m -> m.tailMap("a", true).remove("q"));
        t.put("subMap.pollFirstEntry", m -> m.subMap("a", true, "c", false).pollFirstEntry());
        t.put("subMap.pollLastEntry", m -> m.subMap("a", true, "c", true).pollLastEntry());
        t.put("subMap.putAll", m -> m.subMap("a", "z").putAll(Collections.singletonMap("b", 7)));
        t.put("subMap.merge", m -> m.subMap("a", "z").merge("b", 7, Integer::sum));
        t.put("subMap.computeIfAbsent", m -> m.subMap("a", "z").computeIfAbsent("d", k -> 4));
        t.put("subMap.entry.setValue", m -> m.subMap("a", "z").entrySet().iterator().next().setValue(7));
        t.put("subMap.entrySet.iterator.remove", m -> {
            Iterator<Map.Entry<String, Integer>> it = m.subMap("a", "z").entrySet().iterator();
            it.next();
            it.remove();
        });
        t.put("subMap.values.removeIf", m -> m.subMap("a", "z").values().removeIf(v -> v == 1));
        t.put("subMap.replaceAll", m -> m.subMap("a", "z").replaceAll((k, v) -> v + 1));
        t.put("descendingMap.clear", m -> m.descendingMap().clear());
        t.put("descendingMap.headMap.remove", m -> m.descendingMap().headMap("a").remove("b"));
        t.put("navigableKeySet.remove", m -> m.navigableKeySet().remove("a"));
        t.put("navigableKeySet.headSet.pollFirst", m -> m.navigableKeySet().headSet("c", false).pollFirst());
        t.put("descendingKeySet.pollFirst", m -> m.descendingKeySet().pollFirst());
        t.put("descendingKeySet.iterator.remove", m -> {
            Iterator<String> it = m.descendingKeySet().iterator();
            it.next();
            it.remove();
        });
        t.put("keySet.retainAll", m -> m.keySet().retainAll(Collections.singleton("a")));
        t.put("tailMap.keySet.removeAll", m -> m.tailMap("a").keySet().removeAll(Collections.singleton("a")));
        everyMutatorChecksTheLock("TreeMap", filled(() -> new KilnTreeMap<String, Integer>()), t);
    }

    private static void listOps(Map<String, Consumer<List<String>>> o) {
        o.put("add", l -> l.add("z"));
        o.put("add(i)", l -> l.add(0, "z"));
        o.put("set", l -> l.set(0, "z"));
        o.put("remove(i)", l -> l.remove(0));
        o.put("remove(o)", l -> l.remove("a"));
        o.put("clear", List::clear);
        o.put("addAll", l -> l.addAll(Arrays.asList("y", "z")));
        o.put("addAll(i)", l -> l.addAll(0, Arrays.asList("y", "z")));
        o.put("removeAll", l -> l.removeAll(Collections.singleton("a")));
        o.put("retainAll", l -> l.retainAll(Collections.singleton("a")));
        o.put("removeIf", l -> l.removeIf("a"::equals));
        o.put("replaceAll", l -> l.replaceAll(String::toUpperCase));
        o.put("sort", l -> l.sort(Collections.reverseOrder()));
        o.put("iterator.remove", l -> {
            Iterator<String> it = l.iterator();
            it.next();
            it.remove();
        });
        o.put("listIterator.set", l -> {
            ListIterator<String> it = l.listIterator();
            it.next();
            it.set("z");
        });
        o.put("listIterator.add", l -> l.listIterator(1).add("z"));
        o.put("subList.clear", l -> l.subList(0, 2).clear());
        o.put("subList.set", l -> l.subList(1, 2).set(0, "z"));
        o.put("subList.add", l -> l.subList(1, 2).add("z"));
    }

    private static <L extends List<String> & Shared> Supplier<L> filledList(Supplier<L> s) {
        return () -> {
            L l = s.get();
            l.addAll(Arrays.asList("a", "b", "c"));
            return l;
        };
    }

    @Test
    @SuppressWarnings({"unchecked", "rawtypes"})
    public void listsRefuseEveryUnlockedMutation() {
        Map<String, Consumer<List<String>>> o = ops();
        listOps(o);
        everyMutatorChecksTheLock("ArrayList", filledList(KilnArrayList::new), (Map) o);
        Map<String, Consumer<KilnLinkedList<String>>> ll = (Map) ops();
        listOps((Map) ll);
        ll.put("addFirst", l -> l.addFirst("z"));
        ll.put("addLast", l -> l.addLast("z"));
        ll.put("offer", l -> l.offer("z"));
        ll.put("offerFirst", l -> l.offerFirst("z"));
        ll.put("push", l -> l.push("z"));
        ll.put("pop", KilnLinkedList::pop);
        ll.put("poll", KilnLinkedList::poll);
        ll.put("pollLast", KilnLinkedList::pollLast);
        ll.put("remove()", KilnLinkedList::remove);
        ll.put("removeFirst", KilnLinkedList::removeFirst);
        ll.put("removeLast", KilnLinkedList::removeLast);
        ll.put("removeLastOccurrence", l -> l.removeLastOccurrence("a"));
        ll.put("descendingIterator.remove", l -> {
            Iterator<String> it = l.descendingIterator();
            it.next();
            it.remove();
        });
        everyMutatorChecksTheLock("LinkedList", filledList(() -> new KilnLinkedList<String>()), ll);
        Map<String, Consumer<KilnVector<String>>> v = (Map) ops();
        listOps((Map) v);
        v.put("addElement", l -> l.addElement("z"));
        v.put("insertElementAt", l -> l.insertElementAt("z", 0));
        v.put("setElementAt", l -> l.setElementAt("z", 0));
        v.put("removeElementAt", l -> l.removeElementAt(0));
        v.put("removeElement", l -> l.removeElement("a"));
        v.put("removeAllElements", KilnVector::removeAllElements);
        v.put("setSize", l -> l.setSize(1));
        everyMutatorChecksTheLock("Vector", filledList(() -> new KilnVector<String>()), v);
        Map<String, Consumer<KilnStack<String>>> st = (Map) ops();
        listOps((Map) st);
        st.put("push", l -> l.push("z"));
        st.put("pop", KilnStack::pop);
        everyMutatorChecksTheLock("Stack", filledList(() -> new KilnStack<String>()), st);
    }

    @Test
    public void dequesRefuseEveryUnlockedMutation() {
        Map<String, Consumer<KilnArrayDeque<String>>> d = ops();
        d.put("add", q -> q.add("z"));
        d.put("addFirst", q -> q.addFirst("z"));
        d.put("addLast", q -> q.addLast("z"));
        d.put("offer", q -> q.offer("z"));
        d.put("offerFirst", q -> q.offerFirst("z"));
        d.put("push", q -> q.push("z"));
        d.put("pop", KilnArrayDeque::pop);
        d.put("poll", KilnArrayDeque::poll);
        d.put("pollLast", KilnArrayDeque::pollLast);
        d.put("remove()", KilnArrayDeque::remove);
        d.put("removeLast", KilnArrayDeque::removeLast);
        d.put("remove(o)", q -> q.remove("b"));
        d.put("removeLastOccurrence", q -> q.removeLastOccurrence("b"));
        d.put("removeIf", q -> q.removeIf("a"::equals));
        d.put("removeAll", q -> q.removeAll(Collections.singleton("a")));
        d.put("retainAll", q -> q.retainAll(Collections.singleton("a")));
        d.put("addAll", q -> q.addAll(Arrays.asList("y", "z")));
        d.put("clear", KilnArrayDeque::clear);
        d.put("iterator.remove", q -> {
            Iterator<String> it = q.iterator();
            it.next();
            it.remove();
        });
        d.put("descendingIterator.remove (read-only)", q -> {
            Iterator<String> it = q.descendingIterator();
            it.next();
            try {
                it.remove();
            } catch (UnsupportedOperationException e) {
                throw new UnlockedSharedObjectException("outside any cluster lock (read-only view)");
            }
        });
        everyMutatorChecksTheLock("ArrayDeque", () -> new KilnArrayDeque<>(Arrays.asList("a", "b", "c")), d);
        KilnArrayDeque<String> q = new KilnArrayDeque<>(Arrays.asList("a", "b", "a"));
        q.removeLastOccurrence("a");
        q.push("z");
        assertEquals(Arrays.asList("z", "a", "b"), q.$kiln$content());
    }

    private static void setOps(Map<String, Consumer<java.util.Set<String>>> o) {
        o.put("add", s -> s.add("z"));
        o.put("remove", s -> s.remove("a"));
        o.put("clear", java.util.Set::clear);
        o.put("addAll", s -> s.addAll(Arrays.asList("y", "z")));
        o.put("removeAll", s -> s.removeAll(Collections.singleton("a")));
        o.put("retainAll", s -> s.retainAll(Collections.singleton("a")));
        o.put("removeIf", s -> s.removeIf("a"::equals));
        o.put("iterator.remove", s -> {
            Iterator<String> it = s.iterator();
            it.next();
            it.remove();
        });
    }

    @Test
    @SuppressWarnings({"unchecked", "rawtypes"})
    public void setsRefuseEveryUnlockedMutation() {
        Map<String, Consumer<java.util.Set<String>>> o = ops();
        setOps(o);
        Supplier<KilnHashSet<String>> hs = () -> new KilnHashSet<>(Arrays.asList("a", "b", "c"));
        everyMutatorChecksTheLock("HashSet", hs, (Map) o);
        Supplier<KilnLinkedHashSet<String>> lhs = () -> new KilnLinkedHashSet<>(Arrays.asList("a", "b", "c"));
        Map<String, Consumer<KilnLinkedHashSet<String>>> lo = (Map) ops();
        setOps((Map) lo);
        lo.put("removeFirst", KilnLinkedHashSet::removeFirst);
        lo.put("removeLast", KilnLinkedHashSet::removeLast);
        lo.put("addFirst", x -> x.addFirst("z"));
        lo.put("addFirst present", x -> x.addFirst("c"));
        lo.put("addLast", x -> x.addLast("a"));
        everyMutatorChecksTheLock("LinkedHashSet", lhs, lo);
        KilnLinkedHashSet<String> plain = lhs.get();
        assertEquals("a", plain.removeFirst());
        assertEquals("c", plain.removeLast());
        assertEquals(Arrays.asList("b"), plain.$kiln$content());
        KilnLinkedHashSet<String> seq = lhs.get(); // unshared JDK 21 methods (here emulated: JDK < 21)
        seq.addFirst("c");
        seq.addLast("a");
        seq.addFirst("z");
        assertEquals(Arrays.asList("z", "c", "b", "a"), seq.$kiln$content());
        KilnLinkedHashMap<String, Integer> seqm = new KilnLinkedHashMap<>();
        seqm.put("a", 1);
        seqm.put("b", 2);
        assertEquals(Integer.valueOf(2), seqm.putFirst("b", 3));
        assertEquals(null, seqm.putLast("z", 9));
        assertEquals(Integer.valueOf(1), seqm.putLast("a", 4));
        assertEquals("{b=3, z=9, a=4}", seqm.toString());
        Map<String, Consumer<KilnTreeSet<String>>> t = (Map) ops();
        setOps((Map) t);
        t.put("pollFirst", KilnTreeSet::pollFirst);
        t.put("pollLast", KilnTreeSet::pollLast);
        t.put("headSet.clear", s -> s.headSet("c").clear());
        t.put("headSet.add", s -> s.headSet("c").add("a0"));
        t.put("headSet.add out of range", s -> s.headSet("b").add("z"));
        t.put("subSet.remove", s -> s.subSet("a", "c").remove("b"));
        t.put("subSet.remove absent", s -> s.subSet("a", "c").remove("q"));
        t.put("tailSet.pollFirst", s -> s.tailSet("b", true).pollFirst());
        t.put("tailSet.pollLast", s -> s.tailSet("b", false).pollLast());
        t.put("subSet.removeIf", s -> s.subSet("a", true, "c", true).removeIf("b"::equals));
        t.put("subSet.retainAll", s -> s.subSet("a", true, "c", true).retainAll(Collections.singleton("b")));
        t.put("subSet.addAll", s -> s.subSet("a", "z").addAll(Arrays.asList("d", "e")));
        t.put("descendingSet.pollFirst", s -> s.descendingSet().pollFirst());
        t.put("descendingSet.subSet.clear", s -> s.descendingSet().subSet("c", "a").clear());
        t.put("descendingIterator.remove", s -> {
            Iterator<String> it = s.descendingIterator();
            it.next();
            it.remove();
        });
        t.put("headSet.iterator.remove", s -> {
            Iterator<String> it = s.headSet("z").iterator();
            it.next();
            it.remove();
        });
        Supplier<KilnTreeSet<String>> ts = () -> new KilnTreeSet<>(Arrays.asList("a", "b", "c"));
        everyMutatorChecksTheLock("TreeSet", ts, t);
    }

    @Test
    public void unsharedTheyAreTheirJdkType() {
        KilnLinkedHashMap<String, Integer> lru = new KilnLinkedHashMap<>(16, 0.75f, true);
        LinkedHashMap<String, Integer> ref = new LinkedHashMap<>(16, 0.75f, true);
        for (Map<String, Integer> m : Arrays.<Map<String, Integer>>asList(lru, ref)) {
            m.put("x", 1);
            m.put("y", 2);
            m.get("x");
            m.merge("y", 5, Integer::sum);
            m.computeIfAbsent("z", k -> 3);
        }
        assertEquals(ref.toString(), lru.toString());
        assertEquals("java.util.LinkedHashMap|accessOrder", lru.$kiln$class());
        KilnArrayList<String> l = new KilnArrayList<>(Arrays.asList("a", "b", "c", "d"));
        l.subList(1, 3).clear();
        l.removeIf("d"::equals);
        assertEquals(Arrays.asList("a"), l);
        KilnArrayList<?> copy = (KilnArrayList<?>) new KilnArrayList<String>(l) {
            private static final long serialVersionUID = 1L;
        }.clone();
        assertEquals(0, copy.$kiln$oid());
        KilnHashMap<String, Integer> m = new KilnHashMap<>();
        m.put("k", 1);
        m.$kiln$oid(7);
        assertEquals(0, ((KilnHashMap<?, ?>) m.clone()).$kiln$oid());
        assertEquals("java.util.TreeMap|comparator=reverse", new KilnTreeMap<String, Integer>(Collections.reverseOrder()).$kiln$class());
        Collection<String> plain = new java.util.HashSet<>(Arrays.asList("p"));
        Shared c = Jdk.portableCopy(plain);
        assertTrue(c instanceof KilnHashSet);
        assertEquals(Arrays.asList("p"), c.$kiln$content());
        assertTrue(Jdk.portableCopy(Collections.emptyList()) instanceof KilnImmutableList); // immutables: KilnImmutablesTest
    }

    enum E { A, B, C, Z }

    @Test
    public void enumMapsRefuseEveryUnlockedMutationAndKeepTheirKeyType() {
        Map<String, Consumer<KilnEnumMap<E, Integer>>> o = ops();
        o.put("put", m -> m.put(E.Z, 9));
        o.put("put existing", m -> m.put(E.A, 9));
        o.put("remove", m -> m.remove(E.A));
        o.put("remove(k,v)", m -> m.remove(E.A, 1));
        o.put("clear", Map::clear);
        o.put("putAll", m -> m.putAll(Collections.singletonMap(E.Z, 9)));
        o.put("putIfAbsent", m -> m.putIfAbsent(E.Z, 9));
        o.put("replace", m -> m.replace(E.A, 9));
        o.put("computeIfAbsent", m -> m.computeIfAbsent(E.Z, k -> 9));
        o.put("compute", m -> m.compute(E.A, (k, v) -> 9));
        o.put("merge", m -> m.merge(E.A, 1, Integer::sum));
        o.put("replaceAll", m -> m.replaceAll((k, v) -> v + 1));
        o.put("keySet.remove", m -> m.keySet().remove(E.A));
        o.put("values.iterator.remove", m -> {
            Iterator<Integer> it = m.values().iterator();
            it.next();
            it.remove();
        });
        o.put("entry.setValue", m -> m.entrySet().iterator().next().setValue(9));
        o.put("entrySet.clear", m -> m.entrySet().clear());
        everyMutatorChecksTheLock("EnumMap", () -> {
            KilnEnumMap<E, Integer> m = new KilnEnumMap<>(E.class);
            m.put(E.A, 1);
            m.put(E.C, 3);
            return m;
        }, o);

        KilnEnumMap<E, Integer> m = new KilnEnumMap<>(E.class);
        java.util.EnumMap<E, Integer> ref = new java.util.EnumMap<>(E.class);
        for (Map<E, Integer> x : Arrays.<Map<E, Integer>>asList(m, ref)) {
            x.put(E.C, 3);
            x.put(E.A, 1);
            x.merge(E.A, 5, Integer::sum);
        }
        assertEquals(ref.toString(), m.toString());
        assertEquals("java.util.EnumMap|keyType=" + E.class.getName(), m.$kiln$class());
        m.$kiln$oid(7);
        assertEquals(0, ((KilnEnumMap<?, ?>) m.clone()).$kiln$oid());
        Shared copy = Jdk.portableCopy(new java.util.EnumMap<E, Integer>(E.class)); // empty: the key type is still known
        assertTrue(copy instanceof KilnEnumMap);
        assertEquals("java.util.EnumMap|keyType=" + E.class.getName(), copy.$kiln$class());
        java.util.Properties plain = new java.util.Properties();
        plain.setProperty("k", "v");
        Shared props = Jdk.portableCopy(plain);
        assertTrue(props instanceof KilnProperties);
        assertEquals("v", ((java.util.Properties) props).getProperty("k"));
        assertEquals("java.util.Properties", props.$kiln$class());
    }

    /** Views of a shared TreeMap/TreeSet read the local tree without a lock, live; unshared they are the JDK's own views. */
    @Test
    public void navigableViewsReadLiveAndAreTheJdksWhenUnshared() {
        KilnTreeMap<String, Integer> m = new KilnTreeMap<>();
        java.util.TreeMap<String, Integer> ref = new java.util.TreeMap<>();
        for (Map<String, Integer> x : Arrays.<Map<String, Integer>>asList(m, ref)) {
            x.put("a", 1);
            x.put("b", 2);
            x.put("c", 3);
            x.put("d", 4);
        }
        assertEquals(ref.headMap("c").getClass(), m.headMap("c").getClass());
        assertEquals(ref.descendingKeySet().getClass(), m.descendingKeySet().getClass());
        m.$kiln$oid(42);
        java.util.NavigableMap<String, Integer> head = m.headMap("c", true);
        assertEquals(ref.headMap("c", true), head);
        assertEquals("{c=3, b=2, a=1}", head.descendingMap().toString());
        assertEquals("[d, c, b, a]", m.descendingKeySet().toString());
        assertEquals("[b, c]", m.navigableKeySet().subSet("b", true, "c", true).toString());
        assertEquals("b", m.subMap("a", false, "d", false).firstKey());
        assertEquals("c", head.lastEntry().getKey());
        assertEquals(Integer.valueOf(2), head.get("b"));
        assertEquals(null, head.get("d"));
        assertTrue(m.keySet() instanceof java.util.NavigableSet);
        m.$kiln$remove("a"); // a remote change applied to the local tree: the view is live
        assertEquals("{b=2, c=3}", head.toString());
        assertEquals(2, head.size());

        KilnTreeSet<Integer> s = new KilnTreeSet<>(Arrays.asList(1, 2, 3, 4, 5));
        java.util.TreeSet<Integer> sref = new java.util.TreeSet<>(Arrays.asList(1, 2, 3, 4, 5));
        assertEquals(sref.subSet(2, 4).getClass(), s.subSet(2, 4).getClass());
        s.$kiln$oid(42);
        java.util.NavigableSet<Integer> tail = s.tailSet(3, true);
        assertEquals("[3, 4, 5]", tail.toString());
        assertEquals("[5, 4, 3]", tail.descendingSet().toString());
        assertEquals(Integer.valueOf(4), tail.higher(3));
        assertEquals(Integer.valueOf(5), s.descendingSet().first());
        assertEquals("[4, 3]", s.descendingSet().subSet(4, true, 2, false).toString());
        s.$kiln$add(6);
        assertEquals("[3, 4, 5, 6]", tail.toString());
    }
    /**
     * A refresh (the remote-change applier bringing a shared collection in line with the
     * cluster) keeps the object id set throughout — another thread of the JVM that read 0 in
     * between would take the shared object for a local one: its synchronized block a plain
     * monitor, its poll or put a local change never sent — and records nothing (a recording
     * path here, on a thread holding no cluster lock, would throw).
     */
    @Test
    public void aRefreshKeepsTheOidAndRecordsNothing() throws Exception {
        List<Object> m1 = Arrays.asList("a", 1, "b", 2, "c", 3);
        List<Object> m2 = Arrays.asList("b", 2, "c", 30, "d", 4);
        List<Object> l1 = Arrays.asList("a", "b", "c");
        List<Object> l2 = Arrays.asList("c", "d");
        Map<String, Supplier<Shared>> maps = new LinkedHashMap<>();
        maps.put("HashMap", KilnHashMap::new);
        maps.put("LinkedHashMap", KilnLinkedHashMap::new);
        maps.put("Hashtable", KilnHashtable::new);
        maps.put("Properties", KilnProperties::new);
        maps.put("TreeMap", KilnTreeMap::new);
        maps.put("IdentityHashMap", KilnIdentityHashMap::new);
        maps.put("ConcurrentHashMap", KilnConcurrentHashMap::new);
        maps.put("ConcurrentSkipListMap", KilnConcurrentSkipListMap::new);
        Map<String, Supplier<Shared>> colls = new LinkedHashMap<>();
        colls.put("ArrayList", KilnArrayList::new);
        colls.put("LinkedList", KilnLinkedList::new);
        colls.put("Vector", KilnVector::new);
        colls.put("Stack", KilnStack::new);
        colls.put("ArrayDeque", KilnArrayDeque::new);
        colls.put("PriorityQueue", KilnPriorityQueue::new);
        colls.put("HashSet", KilnHashSet::new);
        colls.put("LinkedHashSet", KilnLinkedHashSet::new);
        colls.put("TreeSet", KilnTreeSet::new);
        colls.put("ConcurrentSkipListSet", KilnConcurrentSkipListSet::new);
        colls.put("CopyOnWriteArrayList", KilnCopyOnWriteArrayList::new);
        colls.put("CopyOnWriteArraySet", KilnCopyOnWriteArraySet::new);
        for (Map.Entry<String, Supplier<Shared>> t : maps.entrySet()) {
            refreshes(t.getKey(), t.getValue().get(), m1, m2);
        }
        for (Map.Entry<String, Supplier<Shared>> t : colls.entrySet()) {
            refreshes(t.getKey(), t.getValue().get(), l1, l2);
        }
    }

    private static volatile boolean watching;

    private static void refreshes(String what, Shared s, List<Object> a, List<Object> b) throws Exception {
        s.$kiln$load(a);
        s.$kiln$oid(42);
        long[] zeros = {0};
        watching = true;
        Thread w = new Thread(() -> {
            while (watching) {
                if (s.$kiln$oid() == 0) {
                    zeros[0]++;
                }
            }
        });
        w.start();
        try {
            for (int i = 0; i < 200; i++) {
                List<Object> want = i % 2 == 0 ? b : a;
                Jdk.refresh(s, want);
                assertEquals(what + " after a refresh", canon(s, want), canon(s, s.$kiln$content()));
            }
        } finally {
            watching = false;
            w.join();
        }
        assertEquals(what + ": the oid read 0 during a refresh", 0, zeros[0]);
        assertEquals(what, 42, s.$kiln$oid());
    }

    /** Content in a comparable form: maps and sets sorted, a priority queue as a multiset, others in order. */
    private static String canon(Shared s, List<Object> content) {
        if (s instanceof Map) {
            Map<String, Object> m = new java.util.TreeMap<>();
            for (int i = 0; i + 1 < content.size(); i += 2) {
                m.put((String) content.get(i), content.get(i + 1));
            }
            return m.toString();
        }
        if (s instanceof java.util.Set || s instanceof java.util.PriorityQueue) {
            List<String> l = new ArrayList<>();
            for (Object o : content) {
                l.add((String) o);
            }
            Collections.sort(l);
            return l.toString();
        }
        return content.toString();
    }
}

package dev.kiln.agent.jdk;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Collection;
import java.util.Comparator;
import java.util.Iterator;
import java.util.Map;
import java.util.NavigableMap;
import java.util.NavigableSet;
import java.util.Set;
import java.util.SortedMap;
import java.util.function.Predicate;

/**
 * A live, writable navigable view (headMap, tailMap, subMap, descendingMap, or the whole map) of a
 * <em>shared</em> {@link KilnTreeMap}. Reads go to {@code raw}, the JDK's own view of the local
 * tree (current, no copy). Every change goes through the shared map's recording path, so it is
 * one of its logical Put/Remove operations, under the same lock rule: the cluster lock is checked
 * first (a change outside one throws and changes nothing), then the range, as the JDK's
 * ({@code IllegalArgumentException: key out of range}). Entries of its iterators record
 * {@code setValue}; sub-views of a view are views of the shared map again.
 */
final class NavMapView<K, V> extends AbstractMap<K, V> implements NavigableMap<K, V> {
    private final KilnTreeMap<K, V> base;
    private final NavigableMap<K, V> raw;

    NavMapView(KilnTreeMap<K, V> base, NavigableMap<K, V> raw) {
        this.base = base;
        this.raw = raw;
    }

    /** The JDK's range check of a view: its {@code IllegalArgumentException} for a key outside it. */
    private void inRange(K k) {
        try {
            raw.subMap(k, true, k, true);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("key out of range");
        }
    }

    // ------------------------------------------------------------------ changes

    @Override
    public V put(K k, V v) {
        Jdk.txn(base, "put");
        inRange(k);
        return base.put(k, v);
    }

    @Override
    public V remove(Object k) {
        Jdk.txn(base, "remove");
        return raw.containsKey(k) ? base.remove(k) : null;
    }

    @Override
    public void putAll(Map<? extends K, ? extends V> m) {
        Jdk.txn(base, "putAll");
        for (Map.Entry<? extends K, ? extends V> e : m.entrySet()) {
            inRange(e.getKey());
        }
        for (Map.Entry<? extends K, ? extends V> e : m.entrySet()) {
            base.put(e.getKey(), e.getValue());
        }
    }

    @Override
    public void clear() {
        Jdk.txn(base, "clear");
        for (Iterator<Map.Entry<K, V>> it = entrySet().iterator(); it.hasNext();) {
            it.next();
            it.remove();
        }
    }

    @Override
    public Map.Entry<K, V> pollFirstEntry() {
        Jdk.txn(base, "pollFirstEntry");
        return poll(raw.firstEntry());
    }

    @Override
    public Map.Entry<K, V> pollLastEntry() {
        Jdk.txn(base, "pollLastEntry");
        return poll(raw.lastEntry());
    }

    private Map.Entry<K, V> poll(Map.Entry<K, V> e) {
        if (e != null) {
            base.remove(e.getKey());
        }
        return e;
    }

    // ------------------------------------------------------------------ views

    @Override
    public Set<Map.Entry<K, V>> entrySet() {
        return new AbstractSet<Map.Entry<K, V>>() {
            @Override
            public Iterator<Map.Entry<K, V>> iterator() {
                return new MapOps.EntryIt<>(base, raw.entrySet().iterator());
            }

            @Override
            public int size() {
                return raw.size();
            }

            @Override
            public boolean isEmpty() {
                return raw.isEmpty();
            }

            @Override
            public boolean contains(Object o) {
                return raw.entrySet().contains(o);
            }

            @Override
            public boolean remove(Object o) {
                Jdk.txn(base, "entrySet.remove");
                if (raw.entrySet().contains(o)) {
                    base.remove(((Map.Entry<?, ?>) o).getKey());
                    return true;
                }
                return false;
            }

            @Override
            public boolean removeIf(Predicate<? super Map.Entry<K, V>> p) {
                Jdk.txn(base, "entrySet.removeIf");
                return super.removeIf(p);
            }

            @Override
            public boolean removeAll(Collection<?> c) {
                Jdk.txn(base, "entrySet.removeAll");
                return super.removeAll(c);
            }

            @Override
            public boolean retainAll(Collection<?> c) {
                Jdk.txn(base, "entrySet.retainAll");
                return super.retainAll(c);
            }

            @Override
            public void clear() {
                NavMapView.this.clear();
            }
        };
    }

    @Override
    public Set<K> keySet() {
        return navigableKeySet();
    }

    @Override
    public NavigableSet<K> navigableKeySet() {
        return new Keys<>(this);
    }

    @Override
    public NavigableSet<K> descendingKeySet() {
        return descendingMap().navigableKeySet();
    }

    @Override
    public Collection<V> values() {
        return super.values(); // AbstractMap's: over entrySet(), whose iterator records remove
    }

    @Override
    public NavigableMap<K, V> descendingMap() {
        return new NavMapView<>(base, raw.descendingMap());
    }

    @Override
    public NavigableMap<K, V> subMap(K from, boolean fromIn, K to, boolean toIn) {
        return new NavMapView<>(base, raw.subMap(from, fromIn, to, toIn));
    }

    @Override
    public NavigableMap<K, V> headMap(K to, boolean in) {
        return new NavMapView<>(base, raw.headMap(to, in));
    }

    @Override
    public NavigableMap<K, V> tailMap(K from, boolean in) {
        return new NavMapView<>(base, raw.tailMap(from, in));
    }

    @Override
    public SortedMap<K, V> subMap(K from, K to) {
        return subMap(from, true, to, false);
    }

    @Override
    public SortedMap<K, V> headMap(K to) {
        return headMap(to, false);
    }

    @Override
    public SortedMap<K, V> tailMap(K from) {
        return tailMap(from, true);
    }

    // ------------------------------------------------------------------ reads: the JDK view's

    @Override
    public int size() {
        return raw.size();
    }

    @Override
    public boolean isEmpty() {
        return raw.isEmpty();
    }

    @Override
    public boolean containsKey(Object k) {
        return raw.containsKey(k);
    }

    @Override
    public boolean containsValue(Object v) {
        return raw.containsValue(v);
    }

    @Override
    public V get(Object k) {
        return raw.get(k);
    }

    @Override
    public Comparator<? super K> comparator() {
        return raw.comparator();
    }

    @Override
    public K firstKey() {
        return raw.firstKey();
    }

    @Override
    public K lastKey() {
        return raw.lastKey();
    }

    @Override
    public Map.Entry<K, V> lowerEntry(K k) {
        return raw.lowerEntry(k);
    }

    @Override
    public K lowerKey(K k) {
        return raw.lowerKey(k);
    }

    @Override
    public Map.Entry<K, V> floorEntry(K k) {
        return raw.floorEntry(k);
    }

    @Override
    public K floorKey(K k) {
        return raw.floorKey(k);
    }

    @Override
    public Map.Entry<K, V> ceilingEntry(K k) {
        return raw.ceilingEntry(k);
    }

    @Override
    public K ceilingKey(K k) {
        return raw.ceilingKey(k);
    }

    @Override
    public Map.Entry<K, V> higherEntry(K k) {
        return raw.higherEntry(k);
    }

    @Override
    public K higherKey(K k) {
        return raw.higherKey(k);
    }

    @Override
    public Map.Entry<K, V> firstEntry() {
        return raw.firstEntry();
    }

    @Override
    public Map.Entry<K, V> lastEntry() {
        return raw.lastEntry();
    }

    /**
     * The key set of a shared map's view (or of the map): reads from the view, removals through it;
     * {@code add} is unsupported, as the JDK's.
     */
    static final class Keys<K> extends AbstractSet<K> implements NavigableSet<K> {
        private final NavMapView<K, ?> m;

        Keys(NavMapView<K, ?> m) {
            this.m = m;
        }

        @Override
        public Iterator<K> iterator() {
            Iterator<? extends Map.Entry<K, ?>> it = m.entrySet().iterator();
            return new Iterator<K>() {
                @Override
                public boolean hasNext() {
                    return it.hasNext();
                }

                @Override
                public K next() {
                    return it.next().getKey();
                }

                @Override
                public void remove() {
                    it.remove();
                }
            };
        }

        @Override
        public Iterator<K> descendingIterator() {
            return descendingSet().iterator();
        }

        @Override
        public int size() {
            return m.size();
        }

        @Override
        public boolean isEmpty() {
            return m.isEmpty();
        }

        @Override
        public boolean contains(Object o) {
            return m.containsKey(o);
        }

        @Override
        public boolean remove(Object o) {
            Jdk.txn(m.base, "keySet.remove");
            if (m.containsKey(o)) {
                m.remove(o);
                return true;
            }
            return false;
        }

        @Override
        public boolean removeIf(Predicate<? super K> p) {
            Jdk.txn(m.base, "keySet.removeIf");
            return super.removeIf(p);
        }

        @Override
        public boolean removeAll(Collection<?> c) {
            Jdk.txn(m.base, "keySet.removeAll");
            boolean any = false;
            for (Iterator<K> it = iterator(); it.hasNext();) {
                if (c.contains(it.next())) {
                    it.remove();
                    any = true;
                }
            }
            return any;
        }

        @Override
        public boolean retainAll(Collection<?> c) {
            Jdk.txn(m.base, "keySet.retainAll");
            return super.retainAll(c);
        }

        @Override
        public void clear() {
            m.clear();
        }

        @Override
        public K pollFirst() {
            Map.Entry<K, ?> e = m.pollFirstEntry();
            return e == null ? null : e.getKey();
        }

        @Override
        public K pollLast() {
            Map.Entry<K, ?> e = m.pollLastEntry();
            return e == null ? null : e.getKey();
        }

        @Override
        public Comparator<? super K> comparator() {
            return m.comparator();
        }

        @Override
        public K first() {
            return m.firstKey();
        }

        @Override
        public K last() {
            return m.lastKey();
        }

        @Override
        public K lower(K k) {
            return m.lowerKey(k);
        }

        @Override
        public K floor(K k) {
            return m.floorKey(k);
        }

        @Override
        public K ceiling(K k) {
            return m.ceilingKey(k);
        }

        @Override
        public K higher(K k) {
            return m.higherKey(k);
        }

        @Override
        public NavigableSet<K> descendingSet() {
            return m.descendingMap().navigableKeySet();
        }

        @Override
        public NavigableSet<K> subSet(K from, boolean fromIn, K to, boolean toIn) {
            return m.subMap(from, fromIn, to, toIn).navigableKeySet();
        }

        @Override
        public NavigableSet<K> headSet(K to, boolean in) {
            return m.headMap(to, in).navigableKeySet();
        }

        @Override
        public NavigableSet<K> tailSet(K from, boolean in) {
            return m.tailMap(from, in).navigableKeySet();
        }

        @Override
        public java.util.SortedSet<K> subSet(K from, K to) {
            return subSet(from, true, to, false);
        }

        @Override
        public java.util.SortedSet<K> headSet(K to) {
            return headSet(to, false);
        }

        @Override
        public java.util.SortedSet<K> tailSet(K from) {
            return tailSet(from, true);
        }
    }
}

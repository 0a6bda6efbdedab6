package dev.kiln.agent.jdk;

import dev.kiln.agent.rt.Runtime;

import java.util.AbstractCollection;
import java.util.AbstractSet;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * The mutators of a <em>shared</em> Kiln map, in terms of its raw operations: each checks the
 * cluster lock first (nothing changes locally when it throws), links the new values into the
 * shared graph, changes the local map, then records Put/Remove/Clear. The compute family,
 * putIfAbsent, replace... are the Map interface's semantics over put/remove. Views (keySet,
 * values, entrySet) route removal and setValue through the same path.
 */
final class MapOps {
    private MapOps() {}

    /** The key object the map holds for {@code k} (its identity is what the cluster knows), or {@code k}. */
    @SuppressWarnings("unchecked")
    static <K, V> Object storedKey(KilnMap<K, V> m, Object k) {
        if (k != null && m instanceof java.util.NavigableMap && m.containsKey(k)) {
            // Sorted: the key the map's order takes for k (a comparator may equate "BOB" and "bob",
            // compareTo 1.0 and 1.00), the one the cluster holds.
            return ((java.util.NavigableMap<K, V>) m).ceilingKey((K) k);
        }
        if (k == null || Runtime.isLiteralValue(k) || !m.containsKey(k) || m instanceof java.util.IdentityHashMap) {
            return k;
        }
        for (Map.Entry<K, V> e : m.$kiln$entries()) {
            if (Objects.equals(e.getKey(), k)) {
                return e.getKey();
            }
        }
        return k;
    }

    static <K, V> V put(KilnMap<K, V> m, K k, V v) {
        long t = Jdk.txn(m, "put");
        k = Jdk.link(t, k, m);
        v = Jdk.link(t, v, m);
        Object stored = storedKey(m, k);
        boolean had = m.$kiln$moves() && m.containsKey(k);
        V old = m.$kiln$put(k, v);
        if (had) {
            Jdk.remove(t, m, stored); // access order: the entry moves to the end, in the cluster too
        }
        Jdk.put(t, m, stored, v);
        return old;
    }

    static <K, V> V remove(KilnMap<K, V> m, Object k) {
        long t = Jdk.txn(m, "remove");
        if (!m.containsKey(k)) {
            return null;
        }
        Object stored = storedKey(m, k);
        V old = m.$kiln$remove(k);
        Jdk.remove(t, m, stored);
        return old;
    }

    static <K, V> void clear(KilnMap<K, V> m) {
        long t = Jdk.txn(m, "clear");
        m.$kiln$clear();
        Jdk.clear(t, m);
    }

    /** An access-ordered map's get of present key {@code k} (value {@code v}) moved it: recorded when this thread holds a cluster lock. */
    static <K, V> void touched(KilnMap<K, V> m, Object k, V v) {
        long t = Runtime.currentTxn();
        if (t != 0 && m.containsKey(k)) {
            Object stored = storedKey(m, k);
            Jdk.remove(t, m, stored);
            Jdk.put(t, m, stored, v);
        }
    }

    static <K, V> void putAll(KilnMap<K, V> m, Map<? extends K, ? extends V> src) {
        Jdk.txn(m, "putAll");
        for (Map.Entry<? extends K, ? extends V> e : src.entrySet()) {
            put(m, e.getKey(), e.getValue());
        }
    }

    static <K, V> V putIfAbsent(KilnMap<K, V> m, K k, V v) {
        Jdk.txn(m, "putIfAbsent");
        V cur = m.get(k);
        if (cur == null) {
            put(m, k, v);
        }
        return cur;
    }

    static <K, V> boolean remove(KilnMap<K, V> m, Object k, Object v) {
        Jdk.txn(m, "remove");
        if (m.containsKey(k) && Objects.equals(m.get(k), v)) {
            remove(m, k);
            return true;
        }
        return false;
    }

    static <K, V> V replace(KilnMap<K, V> m, K k, V v) {
        Jdk.txn(m, "replace");
        return m.containsKey(k) ? put(m, k, v) : null;
    }

    static <K, V> boolean replace(KilnMap<K, V> m, K k, V o, V v) {
        Jdk.txn(m, "replace");
        if (m.containsKey(k) && Objects.equals(m.get(k), o)) {
            put(m, k, v);
            return true;
        }
        return false;
    }

    static <K, V> V computeIfAbsent(KilnMap<K, V> m, K k, Function<? super K, ? extends V> f) {
        Jdk.txn(m, "computeIfAbsent");
        V cur = m.get(k);
        if (cur == null) {
            V v = f.apply(k);
            if (v != null) {
                put(m, k, v);
            }
            return v;
        }
        return cur;
    }

    static <K, V> V computeIfPresent(KilnMap<K, V> m, K k, BiFunction<? super K, ? super V, ? extends V> f) {
        Jdk.txn(m, "computeIfPresent");
        V cur = m.get(k);
        if (cur != null) {
            V v = f.apply(k, cur);
            if (v != null) {
                put(m, k, v);
            } else {
                remove(m, k);
            }
            return v;
        }
        return null;
    }

    static <K, V> V compute(KilnMap<K, V> m, K k, BiFunction<? super K, ? super V, ? extends V> f) {
        Jdk.txn(m, "compute");
        V cur = m.get(k);
        V v = f.apply(k, cur);
        if (v == null) {
            if (cur != null || m.containsKey(k)) {
                remove(m, k);
            }
            return null;
        }
        put(m, k, v);
        return v;
    }

    static <K, V> V merge(KilnMap<K, V> m, K k, V value, BiFunction<? super V, ? super V, ? extends V> f) {
        Jdk.txn(m, "merge");
        Objects.requireNonNull(value);
        V cur = m.get(k);
        V v = cur == null ? value : f.apply(cur, value);
        if (v == null) {
            remove(m, k);
        } else {
            put(m, k, v);
        }
        return v;
    }

    static <K, V> void replaceAll(KilnMap<K, V> m, BiFunction<? super K, ? super V, ? extends V> f) {
        Jdk.txn(m, "replaceAll");
        List<Object> kv = m.$kiln$content();
        for (int i = 0; i + 1 < kv.size(); i += 2) {
            @SuppressWarnings("unchecked")
            K k = (K) kv.get(i);
            @SuppressWarnings("unchecked")
            V v = (V) kv.get(i + 1);
            put(m, k, f.apply(k, v));
        }
    }

    // ------------------------------------------------------------------ views of a shared map

    /** Iterates the raw entries; remove() and setValue() go through the shared path. */
    static final class EntryIt<K, V> implements Iterator<Map.Entry<K, V>> {
        private final KilnMap<K, V> m;
        private final Iterator<Map.Entry<K, V>> raw;
        private Map.Entry<K, V> last;

        EntryIt(KilnMap<K, V> m) {
            this(m, m.$kiln$entries().iterator());
        }

        /** Over {@code raw}, an iterator of the raw entries of {@code m} or of a raw view of it (a sub-map's). */
        EntryIt(KilnMap<K, V> m, Iterator<Map.Entry<K, V>> raw) {
            this.m = m;
            this.raw = raw;
        }

        @Override
        public boolean hasNext() {
            return raw.hasNext();
        }

        @Override
        public Map.Entry<K, V> next() {
            Map.Entry<K, V> e = raw.next();
            last = e;
            return new Map.Entry<K, V>() {
                @Override
                public K getKey() {
                    return e.getKey();
                }

                @Override
                public V getValue() {
                    return e.getValue();
                }

                @Override
                public V setValue(V v) {
                    long t = Jdk.txn(m, "entry.setValue");
                    v = Jdk.link(t, v, m);
                    V old = e.setValue(v);
                    Jdk.put(t, m, e.getKey(), v);
                    return old;
                }

                @Override
                public boolean equals(Object o) {
                    return o instanceof Map.Entry && Objects.equals(getKey(), ((Map.Entry<?, ?>) o).getKey())
                            && Objects.equals(getValue(), ((Map.Entry<?, ?>) o).getValue());
                }

                @Override
                public int hashCode() {
                    return Objects.hashCode(getKey()) ^ Objects.hashCode(getValue());
                }

                @Override
                public String toString() {
                    return getKey() + "=" + getValue();
                }
            };
        }

        @Override
        public void remove() {
            if (last == null) {
                throw new IllegalStateException();
            }
            long t = Jdk.txn(m, "iterator.remove");
            Object k = last.getKey();
            raw.remove();
            last = null;
            Jdk.remove(t, m, k);
        }
    }

    static <K, V> Set<Map.Entry<K, V>> entrySet(KilnMap<K, V> m) {
        return new AbstractSet<Map.Entry<K, V>>() {
            @Override
            public Iterator<Map.Entry<K, V>> iterator() {
                return new EntryIt<>(m);
            }

            @Override
            public int size() {
                return m.size();
            }

            @Override
            public boolean contains(Object o) {
                return m.$kiln$entries().contains(o);
            }

            @Override
            public boolean remove(Object o) {
                if (o instanceof Map.Entry && m.$kiln$entries().contains(o)) {
                    MapOps.remove(m, ((Map.Entry<?, ?>) o).getKey());
                    return true;
                }
                return false;
            }

            @Override
            public void clear() {
                MapOps.clear(m);
            }
        };
    }

    static <K, V> Set<K> keySet(KilnMap<K, V> m) {
        return new AbstractSet<K>() {
            @Override
            public Iterator<K> iterator() {
                EntryIt<K, V> it = new EntryIt<>(m);
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
            public int size() {
                return m.size();
            }

            @Override
            public boolean contains(Object o) {
                return m.containsKey(o);
            }

            @Override
            public boolean remove(Object o) {
                if (m.containsKey(o)) {
                    MapOps.remove(m, o);
                    return true;
                }
                return false;
            }

            @Override
            public void clear() {
                MapOps.clear(m);
            }
        };
    }

    static <K, V> Collection<V> values(KilnMap<K, V> m) {
        return new AbstractCollection<V>() {
            @Override
            public Iterator<V> iterator() {
                EntryIt<K, V> it = new EntryIt<>(m);
                return new Iterator<V>() {
                    @Override
                    public boolean hasNext() {
                        return it.hasNext();
                    }

                    @Override
                    public V next() {
                        return it.next().getValue();
                    }

                    @Override
                    public void remove() {
                        it.remove();
                    }
                };
            }

            @Override
            public int size() {
                return m.size();
            }

            @Override
            public boolean contains(Object o) {
                return m.containsValue(o);
            }

            @Override
            public void clear() {
                MapOps.clear(m);
            }
        };
    }

    static NoSuchElementException none() {
        return new NoSuchElementException();
    }
}

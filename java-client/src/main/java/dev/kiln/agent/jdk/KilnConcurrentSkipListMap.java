package dev.kiln.agent.jdk;

import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.Objects;
import java.util.Set;
import java.util.SortedMap;
import java.util.concurrent.ConcurrentNavigableMap;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * A {@code java.util.concurrent.ConcurrentSkipListMap} the cluster can share, under that class name
 * (its comparator kept in the name as for {@code TreeMap}: {@link Jdk#comparatorSuffix}). Allocated
 * instead of the JDK type in instrumented classes (same constructors) and copied from a plain one at
 * share time. Not shared: the JDK's behaviour after one field test. Shared: every mutator — put,
 * putIfAbsent, remove, replace, compute*, merge, putAll, replaceAll, clear, pollFirstEntry,
 * pollLastEntry — takes the map's own cluster write lock for that one operation (no user lock
 * needed, as for {@link KilnConcurrentHashMap}) and records logical Put/Remove/Clear
 * ({@link MapOps}); the atomic methods are atomic across JVMs. Reads take no lock. Its views
 * (keySet, values, entrySet) are read-only while shared, its sub/head/tail/descending maps
 * read-only snapshots (docs/agent.md).
 */
@SuppressWarnings("unchecked")
public class KilnConcurrentSkipListMap<K, V> extends java.util.concurrent.ConcurrentSkipListMap<K, V>
        implements KilnMap<K, V>, KilnConcurrent {
    private static final long serialVersionUID = 1L;
    private transient long $kiln$oid;
    private transient KilnConcurrent.Guard $kiln$guard = new KilnConcurrent.Guard();

    @Override
    public KilnConcurrent.Guard $kiln$guard() {
        return $kiln$guard;
    }

    /** As the JDK's constructor. */
    public KilnConcurrentSkipListMap() {
        super();
    }

    /** As the JDK's constructor. */
    public KilnConcurrentSkipListMap(Comparator<? super K> comparator) {
        super(comparator);
    }

    /** As the JDK's constructor. */
    public KilnConcurrentSkipListMap(Map<? extends K, ? extends V> m) {
        super(m);
    }

    /** As the JDK's constructor. */
    public KilnConcurrentSkipListMap(SortedMap<K, ? extends V> m) {
        super(m);
    }

    @Override
    public long $kiln$oid() {
        return $kiln$oid;
    }

    @Override
    public void $kiln$oid(long oid) {
        $kiln$oid = oid;
    }

    @Override
    public int $kiln$kind() {
        return 4;
    }

    @Override
    public String $kiln$class() {
        return "java.util.concurrent.ConcurrentSkipListMap" + Jdk.comparatorSuffix(comparator(), this);
    }

    @Override
    public List<Object> $kiln$content() {
        return Jdk.mapContent(super.entrySet());
    }

    @Override
    public void $kiln$load(List<Object> c) {
        super.clear();
        for (int i = 0; i + 1 < c.size(); i += 2) {
            super.put((K) c.get(i), (V) c.get(i + 1));
        }
    }

    @Override
    public V $kiln$put(K k, V v) {
        return super.put(k, v);
    }

    @Override
    public V $kiln$remove(Object k) {
        return super.remove(k);
    }

    @Override
    public void $kiln$clear() {
        super.clear();
    }

    @Override
    public Set<Map.Entry<K, V>> $kiln$entries() {
        return super.entrySet();
    }

    @Override
    public V put(K k, V v) {
        if ($kiln$oid == 0) {
            return super.put(k, v);
        }
        Objects.requireNonNull(k);
        Objects.requireNonNull(v);
        return ConcurrentOps.locked(this, () -> MapOps.put(this, k, v));
    }

    @Override
    public V remove(Object k) {
        if ($kiln$oid == 0) {
            return super.remove(k);
        }
        Objects.requireNonNull(k);
        return ConcurrentOps.locked(this, () -> MapOps.remove(this, k));
    }

    @Override
    public void clear() {
        if ($kiln$oid == 0) {
            super.clear();
        } else {
            ConcurrentOps.run(this, () -> MapOps.clear(this));
        }
    }

    @Override
    public void putAll(Map<? extends K, ? extends V> m) {
        if ($kiln$oid == 0) {
            super.putAll(m);
        } else {
            for (Map.Entry<? extends K, ? extends V> e : m.entrySet()) {
                Objects.requireNonNull(e.getKey());
                Objects.requireNonNull(e.getValue());
            }
            ConcurrentOps.run(this, () -> MapOps.putAll(this, m));
        }
    }

    @Override
    public V putIfAbsent(K k, V v) {
        if ($kiln$oid == 0) {
            return super.putIfAbsent(k, v);
        }
        Objects.requireNonNull(k);
        Objects.requireNonNull(v);
        return ConcurrentOps.locked(this, () -> MapOps.putIfAbsent(this, k, v));
    }

    @Override
    public boolean remove(Object k, Object v) {
        if ($kiln$oid == 0) {
            return super.remove(k, v);
        }
        Objects.requireNonNull(k);
        return v != null && ConcurrentOps.locked(this, () -> MapOps.remove(this, k, v));
    }

    @Override
    public V replace(K k, V v) {
        if ($kiln$oid == 0) {
            return super.replace(k, v);
        }
        Objects.requireNonNull(k);
        Objects.requireNonNull(v);
        return ConcurrentOps.locked(this, () -> MapOps.replace(this, k, v));
    }

    @Override
    public boolean replace(K k, V o, V v) {
        if ($kiln$oid == 0) {
            return super.replace(k, o, v);
        }
        Objects.requireNonNull(k);
        Objects.requireNonNull(o);
        Objects.requireNonNull(v);
        return ConcurrentOps.locked(this, () -> MapOps.replace(this, k, o, v));
    }

    @Override
    public V computeIfAbsent(K k, Function<? super K, ? extends V> f) {
        return $kiln$oid == 0 ? super.computeIfAbsent(k, f) : ConcurrentOps.locked(this, () -> MapOps.computeIfAbsent(this, k, f));
    }

    @Override
    public V computeIfPresent(K k, BiFunction<? super K, ? super V, ? extends V> f) {
        return $kiln$oid == 0 ? super.computeIfPresent(k, f) : ConcurrentOps.locked(this, () -> MapOps.computeIfPresent(this, k, f));
    }

    @Override
    public V compute(K k, BiFunction<? super K, ? super V, ? extends V> f) {
        return $kiln$oid == 0 ? super.compute(k, f) : ConcurrentOps.locked(this, () -> MapOps.compute(this, k, f));
    }

    @Override
    public V merge(K k, V v, BiFunction<? super V, ? super V, ? extends V> f) {
        return $kiln$oid == 0 ? super.merge(k, v, f) : ConcurrentOps.locked(this, () -> MapOps.merge(this, k, v, f));
    }

    @Override
    public void replaceAll(BiFunction<? super K, ? super V, ? extends V> f) {
        if ($kiln$oid == 0) {
            super.replaceAll(f);
        } else {
            ConcurrentOps.run(this, () -> MapOps.replaceAll(this, f));
        }
    }

    @Override
    public Map.Entry<K, V> pollFirstEntry() {
        return $kiln$oid == 0 ? super.pollFirstEntry() : ConcurrentOps.locked(this, () -> pollHeld(super.firstEntry()));
    }

    @Override
    public Map.Entry<K, V> pollLastEntry() {
        return $kiln$oid == 0 ? super.pollLastEntry() : ConcurrentOps.locked(this, () -> pollHeld(super.lastEntry()));
    }

    /** Removes entry {@code e} (a snapshot; null: empty) under the held lock. */
    private Map.Entry<K, V> pollHeld(Map.Entry<K, V> e) {
        if (e != null) {
            MapOps.remove(this, e.getKey());
        }
        return e;
    }

    // The views of a shared skip-list map are read-only (docs/agent.md): a change through them would bypass the lock.

    @Override
    public NavigableSet<K> keySet() {
        return $kiln$oid == 0 ? super.keySet() : Collections.unmodifiableNavigableSet(super.keySet());
    }

    @Override
    public NavigableSet<K> navigableKeySet() {
        return $kiln$oid == 0 ? super.navigableKeySet() : Collections.unmodifiableNavigableSet(super.navigableKeySet());
    }

    @Override
    public NavigableSet<K> descendingKeySet() {
        return $kiln$oid == 0 ? super.descendingKeySet() : Collections.unmodifiableNavigableSet(super.descendingKeySet());
    }

    @Override
    public Collection<V> values() {
        return $kiln$oid == 0 ? super.values() : Collections.unmodifiableCollection(super.values());
    }

    @Override
    public Set<Map.Entry<K, V>> entrySet() {
        return $kiln$oid == 0 ? super.entrySet() : Collections.unmodifiableSet(super.entrySet());
    }

    @Override
    public ConcurrentNavigableMap<K, V> descendingMap() {
        return view(super.descendingMap());
    }

    @Override
    public ConcurrentNavigableMap<K, V> subMap(K from, boolean fromIn, K to, boolean toIn) {
        return view(super.subMap(from, fromIn, to, toIn));
    }

    @Override
    public ConcurrentNavigableMap<K, V> headMap(K to, boolean in) {
        return view(super.headMap(to, in));
    }

    @Override
    public ConcurrentNavigableMap<K, V> tailMap(K from, boolean in) {
        return view(super.tailMap(from, in));
    }

    @Override
    public ConcurrentNavigableMap<K, V> subMap(K from, K to) {
        return subMap(from, true, to, false);
    }

    @Override
    public ConcurrentNavigableMap<K, V> headMap(K to) {
        return headMap(to, false);
    }

    @Override
    public ConcurrentNavigableMap<K, V> tailMap(K from) {
        return tailMap(from, true);
    }

    /** {@code m} itself when not shared, else a read-only snapshot of it ({@link ReadOnly}). */
    private ConcurrentNavigableMap<K, V> view(ConcurrentNavigableMap<K, V> m) {
        if ($kiln$oid == 0) {
            return m;
        }
        return new ReadOnly<>(m);
    }

    /**
     * A shared map's sub-map: a snapshot of the JDK's view taken at the call, every mutator refused
     * (a change through it would bypass the map's cluster lock; the JDK has no read-only
     * ConcurrentNavigableMap to wrap the live view in).
     */
    private static final class ReadOnly<K, V> extends java.util.concurrent.ConcurrentSkipListMap<K, V> {
        private static final long serialVersionUID = 1L;

        ReadOnly(ConcurrentNavigableMap<K, V> m) {
            super(m);
        }

        private static UnsupportedOperationException refused() {
            return new UnsupportedOperationException("kiln: a sub-map of a shared ConcurrentSkipListMap is a read-only"
                    + " snapshot; change the map itself");
        }

        @Override
        public V put(K k, V v) {
            throw refused();
        }

        @Override
        public V remove(Object k) {
            throw refused();
        }

        @Override
        public boolean remove(Object k, Object v) {
            throw refused();
        }

        @Override
        public void clear() {
            throw refused();
        }

        @Override
        public V putIfAbsent(K k, V v) {
            throw refused();
        }

        @Override
        public V replace(K k, V v) {
            throw refused();
        }

        @Override
        public boolean replace(K k, V o, V v) {
            throw refused();
        }

        @Override
        public V computeIfAbsent(K k, Function<? super K, ? extends V> f) {
            throw refused();
        }

        @Override
        public V computeIfPresent(K k, BiFunction<? super K, ? super V, ? extends V> f) {
            throw refused();
        }

        @Override
        public V compute(K k, BiFunction<? super K, ? super V, ? extends V> f) {
            throw refused();
        }

        @Override
        public V merge(K k, V v, BiFunction<? super V, ? super V, ? extends V> f) {
            throw refused();
        }

        @Override
        public void replaceAll(BiFunction<? super K, ? super V, ? extends V> f) {
            throw refused();
        }

        @Override
        public Map.Entry<K, V> pollFirstEntry() {
            throw refused();
        }

        @Override
        public Map.Entry<K, V> pollLastEntry() {
            throw refused();
        }

        @Override
        public NavigableSet<K> keySet() {
            return Collections.unmodifiableNavigableSet(super.keySet());
        }

        @Override
        public Collection<V> values() {
            return Collections.unmodifiableCollection(super.values());
        }

        @Override
        public Set<Map.Entry<K, V>> entrySet() {
            return Collections.unmodifiableSet(super.entrySet());
        }
    }

    /** A copy is a new, unshared map. */
    @Override
    public java.util.concurrent.ConcurrentSkipListMap<K, V> clone() {
        KilnConcurrentSkipListMap<K, V> c = (KilnConcurrentSkipListMap<K, V>) super.clone();
        c.$kiln$oid = 0;
        c.$kiln$guard = new KilnConcurrent.Guard();
        return c;
    }
}

package dev.kiln.agent.jdk;

import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.NavigableSet;
import java.util.Set;
import java.util.SortedMap;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * A {@code java.util.TreeMap} the cluster can share (its comparator re-created on other JVMs: see {@link Jdk#comparatorSuffix}). Allocated instead of {@code java.util.TreeMap} in instrumented classes (same
 * constructors) and copied from a plain one at share time. Not shared: the JDK's behaviour after
 * one field test. Shared: every mutator (views, iterators and entries included) checks the cluster
 * lock and records logical Put/Remove/Clear operations ({@link MapOps}).
 */
@SuppressWarnings("unchecked")
public class KilnTreeMap<K, V> extends java.util.TreeMap<K, V> implements KilnMap<K, V> {
    private static final long serialVersionUID = 1L;
    private transient long $kiln$oid;

    /** As the JDK's constructor. */
    public KilnTreeMap() {
        super();
    }

    /** As the JDK's constructor. */
    public KilnTreeMap(Comparator<? super K> comparator) {
        super(comparator);
    }

    /** As the JDK's constructor. */
    public KilnTreeMap(Map<? extends K, ? extends V> m) {
        super(m);
    }

    /** As the JDK's constructor. */
    public KilnTreeMap(SortedMap<K, ? extends V> m) {
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
        return "java.util.TreeMap" + Jdk.comparatorSuffix(comparator(), this);
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
        return $kiln$oid == 0 ? super.put(k, v) : MapOps.put(this, k, v);
    }

    @Override
    public V remove(Object k) {
        return $kiln$oid == 0 ? super.remove(k) : MapOps.remove(this, k);
    }

    @Override
    public void clear() {
        if ($kiln$oid == 0) {
            super.clear();
        } else {
            MapOps.clear(this);
        }
    }

    @Override
    public void putAll(Map<? extends K, ? extends V> m) {
        if ($kiln$oid == 0) {
            super.putAll(m);
        } else {
            MapOps.putAll(this, m);
        }
    }

    @Override
    public V putIfAbsent(K k, V v) {
        return $kiln$oid == 0 ? super.putIfAbsent(k, v) : MapOps.putIfAbsent(this, k, v);
    }

    @Override
    public boolean remove(Object k, Object v) {
        return $kiln$oid == 0 ? super.remove(k, v) : MapOps.remove(this, k, v);
    }

    @Override
    public V replace(K k, V v) {
        return $kiln$oid == 0 ? super.replace(k, v) : MapOps.replace(this, k, v);
    }

    @Override
    public boolean replace(K k, V o, V v) {
        return $kiln$oid == 0 ? super.replace(k, o, v) : MapOps.replace(this, k, o, v);
    }

    @Override
    public V computeIfAbsent(K k, Function<? super K, ? extends V> f) {
        return $kiln$oid == 0 ? super.computeIfAbsent(k, f) : MapOps.computeIfAbsent(this, k, f);
    }

    @Override
    public V computeIfPresent(K k, BiFunction<? super K, ? super V, ? extends V> f) {
        return $kiln$oid == 0 ? super.computeIfPresent(k, f) : MapOps.computeIfPresent(this, k, f);
    }

    @Override
    public V compute(K k, BiFunction<? super K, ? super V, ? extends V> f) {
        return $kiln$oid == 0 ? super.compute(k, f) : MapOps.compute(this, k, f);
    }

    @Override
    public V merge(K k, V v, BiFunction<? super V, ? super V, ? extends V> f) {
        return $kiln$oid == 0 ? super.merge(k, v, f) : MapOps.merge(this, k, v, f);
    }

    @Override
    public void replaceAll(BiFunction<? super K, ? super V, ? extends V> f) {
        if ($kiln$oid == 0) {
            super.replaceAll(f);
        } else {
            MapOps.replaceAll(this, f);
        }
    }

    @Override
    public Set<K> keySet() {
        return $kiln$oid == 0 ? super.keySet() : whole().navigableKeySet();
    }

    @Override
    public Collection<V> values() {
        return $kiln$oid == 0 ? super.values() : MapOps.values(this);
    }

    @Override
    public Set<Map.Entry<K, V>> entrySet() {
        return $kiln$oid == 0 ? super.entrySet() : MapOps.entrySet(this);
    }

    /** A copy is a new, unshared map. */
    @Override
    public Object clone() {
        KilnTreeMap<K, V> c = (KilnTreeMap<K, V>) super.clone();
        c.$kiln$oid = 0;
        return c;
    }

    @Override
    public Map.Entry<K, V> pollFirstEntry() {
        if ($kiln$oid == 0) {
            return super.pollFirstEntry();
        }
        Jdk.txn(this, "pollFirstEntry");
        Map.Entry<K, V> e = firstEntry();
        if (e != null) {
            MapOps.remove(this, e.getKey());
        }
        return e;
    }

    @Override
    public Map.Entry<K, V> pollLastEntry() {
        if ($kiln$oid == 0) {
            return super.pollLastEntry();
        }
        Jdk.txn(this, "pollLastEntry");
        Map.Entry<K, V> e = lastEntry();
        if (e != null) {
            MapOps.remove(this, e.getKey());
        }
        return e;
    }

    // Navigable views of a shared TreeMap are live and writable: NavMapView over the JDK's own
    // view of the local tree, every change recorded as this map's (docs/agent.md).

    /** The whole map as a {@link NavMapView} (its raw side: an ascending JDK view of every key). */
    private NavMapView<K, V> whole() {
        return new NavMapView<>(this, super.descendingMap().descendingMap());
    }

    @Override
    public NavigableSet<K> navigableKeySet() {
        return $kiln$oid == 0 ? super.navigableKeySet() : whole().navigableKeySet();
    }

    @Override
    public NavigableSet<K> descendingKeySet() {
        return $kiln$oid == 0 ? super.descendingKeySet() : whole().descendingKeySet();
    }

    @Override
    public NavigableMap<K, V> descendingMap() {
        return $kiln$oid == 0 ? super.descendingMap() : new NavMapView<>(this, super.descendingMap());
    }

    @Override
    public NavigableMap<K, V> subMap(K from, boolean fromIn, K to, boolean toIn) {
        NavigableMap<K, V> m = super.subMap(from, fromIn, to, toIn);
        return $kiln$oid == 0 ? m : new NavMapView<>(this, m);
    }

    @Override
    public NavigableMap<K, V> headMap(K to, boolean in) {
        NavigableMap<K, V> m = super.headMap(to, in);
        return $kiln$oid == 0 ? m : new NavMapView<>(this, m);
    }

    @Override
    public NavigableMap<K, V> tailMap(K from, boolean in) {
        NavigableMap<K, V> m = super.tailMap(from, in);
        return $kiln$oid == 0 ? m : new NavMapView<>(this, m);
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
}

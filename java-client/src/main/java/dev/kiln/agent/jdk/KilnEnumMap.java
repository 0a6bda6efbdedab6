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
 * A {@code java.util.EnumMap} the cluster can share (Terracotta DSO shared EnumMap by default).
 * Allocated instead of {@code java.util.EnumMap} in instrumented classes (same constructors) and
 * copied from a plain one at share time. Its cluster class name carries its key type
 * ({@code java.util.EnumMap|keyType=pkg.Color}); its keys are enum values, so they cross JVMs by
 * class and name. Not shared: the JDK's behaviour after
 * one field test. Shared: every mutator (views, iterators and entries included) checks the cluster
 * lock and records logical Put/Remove/Clear operations ({@link MapOps}).
 */
@SuppressWarnings("unchecked")
public class KilnEnumMap<K extends Enum<K>, V> extends java.util.EnumMap<K, V> implements KilnMap<K, V> {
    private static final long serialVersionUID = 1L;
    private transient long $kiln$oid;

    /** The key type (the JDK's own field is private to java.util). */
    final Class<K> keyType;

    /** As the JDK's constructor. */
    public KilnEnumMap(Class<K> keyType) {
        super(keyType);
        this.keyType = keyType;
    }

    /** As the JDK's constructor. */
    public KilnEnumMap(java.util.EnumMap<K, ? extends V> m) {
        super(m);
        this.keyType = (Class<K>) Jdk.enumKeyType(m);
    }

    /** As the JDK's constructor (which refuses an empty map that is not an EnumMap). */
    public KilnEnumMap(Map<K, ? extends V> m) {
        super(m);
        this.keyType = m instanceof java.util.EnumMap ? (Class<K>) Jdk.enumKeyType((java.util.EnumMap<K, ?>) m)
                : m.keySet().iterator().next().getDeclaringClass();
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
        return 0;
    }

    @Override
    public String $kiln$class() {
        return "java.util.EnumMap|keyType=" + keyType.getName();
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
        return $kiln$oid == 0 ? super.keySet() : MapOps.keySet(this);
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
    public java.util.EnumMap<K, V> clone() {
        KilnEnumMap<K, V> c = (KilnEnumMap<K, V>) super.clone();
        c.$kiln$oid = 0;
        return c;
    }
}

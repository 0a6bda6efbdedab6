package dev.kiln.agent.jdk;

import java.io.Serializable;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * The Kiln twin of {@code Collections.unmodifiableMap} ({@link Wrappers}): every method is the
 * JDK's unmodifiable view's (it delegates to one: mutators, views, iterators and entries refuse
 * changes with UnsupportedOperationException). Shared, it is its own cluster object, a list of one
 * reference: the viewed map, shared with it ({@link KilnUnmodifiableCollection}).
 */
public class KilnUnmodifiableMap<K, V> implements Map<K, V>, Shared, Serializable {
    private static final long serialVersionUID = 1L;
    Map<K, V> m;
    transient Map<K, V> ro;
    private transient long $kiln$oid;

    KilnUnmodifiableMap(Map<K, V> m) {
        if (m != null) {
            view(m);
        }
    }

    final void view(Map<K, V> map) {
        m = java.util.Objects.requireNonNull(map);
        ro = jdk(map);
    }

    /** The wrapper kind recorded in the cluster class name. */
    String $kiln$wrap() {
        return "unmodifiableMap";
    }

    /** The JDK's view of {@code map}. */
    Map<K, V> jdk(Map<K, V> map) {
        return Collections.unmodifiableMap(map);
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
        return 1;
    }

    @Override
    public String $kiln$class() {
        return "java.util.Collections$Unmodifiable" + Wrappers.WRAP + $kiln$wrap();
    }

    @Override
    public List<Object> $kiln$content() {
        return Collections.singletonList(m);
    }

    @SuppressWarnings("unchecked")
    @Override
    public void $kiln$load(List<Object> content) {
        if (content.size() != 1 || !(content.get(0) instanceof Map)) {
            throw new IllegalStateException("kiln: an unmodifiable map view's cluster state is not one map: " + content);
        }
        view((Map<K, V>) content.get(0));
    }

    @Override
    public int size() {
        return ro.size();
    }

    @Override
    public boolean isEmpty() {
        return ro.isEmpty();
    }

    @Override
    public boolean containsKey(Object k) {
        return ro.containsKey(k);
    }

    @Override
    public boolean containsValue(Object v) {
        return ro.containsValue(v);
    }

    @Override
    public V get(Object k) {
        return ro.get(k);
    }

    @Override
    public V put(K k, V v) {
        return ro.put(k, v);
    }

    @Override
    public V remove(Object k) {
        return ro.remove(k);
    }

    @Override
    public void putAll(Map<? extends K, ? extends V> src) {
        ro.putAll(src);
    }

    @Override
    public void clear() {
        ro.clear();
    }

    @Override
    public Set<K> keySet() {
        return ro.keySet();
    }

    @Override
    public Set<Map.Entry<K, V>> entrySet() {
        return ro.entrySet();
    }

    @Override
    public Collection<V> values() {
        return ro.values();
    }

    @Override
    public boolean equals(Object o) {
        return o == this || ro.equals(o);
    }

    @Override
    public int hashCode() {
        return ro.hashCode();
    }

    @Override
    public String toString() {
        return ro.toString();
    }

    @Override
    public V getOrDefault(Object k, V d) {
        return ro.getOrDefault(k, d);
    }

    @Override
    public void forEach(BiConsumer<? super K, ? super V> action) {
        ro.forEach(action);
    }

    @Override
    public void replaceAll(BiFunction<? super K, ? super V, ? extends V> f) {
        ro.replaceAll(f);
    }

    @Override
    public V putIfAbsent(K k, V v) {
        return ro.putIfAbsent(k, v);
    }

    @Override
    public boolean remove(Object k, Object v) {
        return ro.remove(k, v);
    }

    @Override
    public boolean replace(K k, V o, V v) {
        return ro.replace(k, o, v);
    }

    @Override
    public V replace(K k, V v) {
        return ro.replace(k, v);
    }

    @Override
    public V computeIfAbsent(K k, Function<? super K, ? extends V> f) {
        return ro.computeIfAbsent(k, f);
    }

    @Override
    public V computeIfPresent(K k, BiFunction<? super K, ? super V, ? extends V> f) {
        return ro.computeIfPresent(k, f);
    }

    @Override
    public V compute(K k, BiFunction<? super K, ? super V, ? extends V> f) {
        return ro.compute(k, f);
    }

    @Override
    public V merge(K k, V v, BiFunction<? super V, ? super V, ? extends V> f) {
        return ro.merge(k, v, f);
    }

    private void readObject(java.io.ObjectInputStream s) throws java.io.IOException, ClassNotFoundException {
        s.defaultReadObject();
        ro = jdk(m);
    }
}

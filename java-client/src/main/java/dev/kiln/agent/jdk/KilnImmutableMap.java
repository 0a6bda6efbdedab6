package dev.kiln.agent.jdk;

import java.util.AbstractMap;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * An immutable map ({@code Map.of}, {@code Map.ofEntries}, {@code Map.copyOf},
 * {@code Collections.emptyMap()}, {@code Collections.singletonMap}) in the shared graph: the
 * share-time copy of such a JDK map ({@link Jdk#portableCopy}), and what another JVM materialises
 * from the cluster class name {@code java.util.ImmutableCollections$MapN}. Every mutator throws
 * UnsupportedOperationException, as the JDK's (AbstractMap's put, and removal through the
 * unmodifiable entry set).
 */
public final class KilnImmutableMap<K, V> extends AbstractMap<K, V> implements Shared, java.io.Serializable {
    private static final long serialVersionUID = 1L;
    private transient long $kiln$oid;
    private Map<K, V> entries;

    KilnImmutableMap(Map<? extends K, ? extends V> m) {
        entries = Collections.unmodifiableMap(new LinkedHashMap<>(m));
    }

    @Override
    public Set<Map.Entry<K, V>> entrySet() {
        return entries.entrySet();
    }

    @Override
    public V get(Object k) {
        return entries.get(k);
    }

    @Override
    public boolean containsKey(Object k) {
        return entries.containsKey(k);
    }

    @Override
    public int size() {
        return entries.size();
    }

    // Every mutator throws, also when it would change nothing (as the JDK's immutables).

    private static UnsupportedOperationException immutable() {
        return new UnsupportedOperationException("immutable");
    }

    @Override
    public V put(K k, V v) {
        throw immutable();
    }

    @Override
    public V remove(Object k) {
        throw immutable();
    }

    @Override
    public void clear() {
        throw immutable();
    }

    @Override
    public void putAll(Map<? extends K, ? extends V> m) {
        throw immutable();
    }

    @Override
    public V putIfAbsent(K k, V v) {
        throw immutable();
    }

    @Override
    public boolean remove(Object k, Object v) {
        throw immutable();
    }

    @Override
    public V replace(K k, V v) {
        throw immutable();
    }

    @Override
    public boolean replace(K k, V o, V v) {
        throw immutable();
    }

    @Override
    public V computeIfAbsent(K k, Function<? super K, ? extends V> f) {
        throw immutable();
    }

    @Override
    public V computeIfPresent(K k, BiFunction<? super K, ? super V, ? extends V> f) {
        throw immutable();
    }

    @Override
    public V compute(K k, BiFunction<? super K, ? super V, ? extends V> f) {
        throw immutable();
    }

    @Override
    public V merge(K k, V v, BiFunction<? super V, ? super V, ? extends V> f) {
        throw immutable();
    }

    @Override
    public void replaceAll(BiFunction<? super K, ? super V, ? extends V> f) {
        throw immutable();
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
        return "java.util.ImmutableCollections$MapN";
    }

    @Override
    public List<Object> $kiln$content() {
        return Jdk.mapContent(entries.entrySet());
    }

    /** Local only: the share walk's linked copies, or another JVM's content; never a user's mutation. */
    @SuppressWarnings("unchecked")
    @Override
    public void $kiln$load(List<Object> c) {
        Map<K, V> m = new LinkedHashMap<>();
        for (int i = 0; i + 1 < c.size(); i += 2) {
            m.put((K) c.get(i), (V) c.get(i + 1));
        }
        entries = Collections.unmodifiableMap(m);
    }
}

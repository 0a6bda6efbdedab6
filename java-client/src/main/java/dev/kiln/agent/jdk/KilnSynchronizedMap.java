package dev.kiln.agent.jdk;

import java.io.Serializable;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * The Kiln twin of {@code Collections.synchronizedMap} ({@link Wrappers}): every method runs under
 * this wrapper's mutex (itself), as the JDK's; its views are synchronized on it too. Shared, the
 * mutex is its cluster lock (and monitor), so each operation is atomic across JVMs and
 * {@code synchronized (map) { iterate }} in user code excludes every JVM's operations on it.
 */
public class KilnSynchronizedMap<K, V> implements Map<K, V>, KilnWrapper, Serializable {
    private static final long serialVersionUID = 1L;
    private Map<K, V> m;
    /** The lock owner: this, or the wrapper this is a sub-map view of. */
    final KilnWrapper mutex;
    private transient long $kiln$oid;
    private final transient KilnConcurrent.Guard $kiln$guard = new KilnConcurrent.Guard();
    private transient Set<K> keySet;
    private transient Set<Map.Entry<K, V>> entrySet;
    private transient Collection<V> values;

    KilnSynchronizedMap(Map<K, V> m) {
        this(m, null);
    }

    /** Wraps {@code m}; {@code owner} null: this is its own mutex, else a sub-map view locked by {@code owner}. */
    KilnSynchronizedMap(Map<K, V> m, KilnWrapper owner) {
        this.m = java.util.Objects.requireNonNull(m);
        this.mutex = owner == null ? this : owner;
    }

    /** The wrapped map. */
    final Map<K, V> map() {
        return m;
    }

    /** The wrapper kind recorded in the cluster class name. */
    String $kiln$wrap() {
        return "synchronizedMap";
    }

    @Override
    public KilnWrapper $kiln$mutex() {
        return mutex;
    }

    @Override
    public Object $kiln$inner() {
        return m;
    }

    @SuppressWarnings("unchecked")
    @Override
    public void $kiln$inner(Object inner) {
        synchronized (this) {
            m = (Map<K, V>) inner;
            keySet = null;
            entrySet = null;
            values = null;
        }
    }

    @Override
    public KilnConcurrent.Guard $kiln$guard() {
        return $kiln$guard;
    }

    @Override
    public long $kiln$oid() {
        return $kiln$oid;
    }

    @Override
    public void $kiln$oid(long oid) {
        $kiln$oid = oid;
        if (mutex == this) {
            ((Shared) m).$kiln$oid(oid);
        }
    }

    @Override
    public int $kiln$kind() {
        return ((Shared) m).$kiln$kind();
    }

    @Override
    public String $kiln$class() {
        return Wrappers.className(this, $kiln$wrap());
    }

    @Override
    public List<Object> $kiln$content() {
        return Wrappers.inner(this).$kiln$content();
    }

    @Override
    public void $kiln$load(List<Object> content) {
        Wrappers.load(this, content);
    }

    @Override
    public int size() {
        return Wrappers.op(mutex, () -> m.size());
    }

    @Override
    public boolean isEmpty() {
        return Wrappers.op(mutex, () -> m.isEmpty());
    }

    @Override
    public boolean containsKey(Object k) {
        return Wrappers.op(mutex, () -> m.containsKey(k));
    }

    @Override
    public boolean containsValue(Object v) {
        return Wrappers.op(mutex, () -> m.containsValue(v));
    }

    @Override
    public V get(Object k) {
        return Wrappers.op(mutex, () -> m.get(k));
    }

    @Override
    public V put(K k, V v) {
        return Wrappers.op(mutex, () -> m.put(k, v));
    }

    @Override
    public V remove(Object k) {
        return Wrappers.op(mutex, () -> m.remove(k));
    }

    @Override
    public void putAll(Map<? extends K, ? extends V> src) {
        Wrappers.run(mutex, () -> m.putAll(src));
    }

    @Override
    public void clear() {
        Wrappers.run(mutex, () -> m.clear());
    }

    @Override
    public Set<K> keySet() {
        return Wrappers.op(mutex, () -> {
            if (keySet == null) {
                keySet = new KilnSynchronizedSet<>(m.keySet(), mutex);
            }
            return keySet;
        });
    }

    @Override
    public Set<Map.Entry<K, V>> entrySet() {
        return Wrappers.op(mutex, () -> {
            if (entrySet == null) {
                entrySet = new KilnSynchronizedSet<>(m.entrySet(), mutex);
            }
            return entrySet;
        });
    }

    @Override
    public Collection<V> values() {
        return Wrappers.op(mutex, () -> {
            if (values == null) {
                values = new KilnSynchronizedCollection<>(m.values(), mutex);
            }
            return values;
        });
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        return Wrappers.op(mutex, () -> m.equals(o));
    }

    @Override
    public int hashCode() {
        return Wrappers.op(mutex, () -> m.hashCode());
    }

    @Override
    public String toString() {
        return Wrappers.op(mutex, () -> m.toString());
    }

    @Override
    public V getOrDefault(Object k, V d) {
        return Wrappers.op(mutex, () -> m.getOrDefault(k, d));
    }

    @Override
    public void forEach(BiConsumer<? super K, ? super V> action) {
        Wrappers.run(mutex, () -> m.forEach(action));
    }

    @Override
    public void replaceAll(BiFunction<? super K, ? super V, ? extends V> f) {
        Wrappers.run(mutex, () -> m.replaceAll(f));
    }

    @Override
    public V putIfAbsent(K k, V v) {
        return Wrappers.op(mutex, () -> m.putIfAbsent(k, v));
    }

    @Override
    public boolean remove(Object k, Object v) {
        return Wrappers.op(mutex, () -> m.remove(k, v));
    }

    @Override
    public boolean replace(K k, V o, V v) {
        return Wrappers.op(mutex, () -> m.replace(k, o, v));
    }

    @Override
    public V replace(K k, V v) {
        return Wrappers.op(mutex, () -> m.replace(k, v));
    }

    @Override
    public V computeIfAbsent(K k, Function<? super K, ? extends V> f) {
        return Wrappers.op(mutex, () -> m.computeIfAbsent(k, f));
    }

    @Override
    public V computeIfPresent(K k, BiFunction<? super K, ? super V, ? extends V> f) {
        return Wrappers.op(mutex, () -> m.computeIfPresent(k, f));
    }

    @Override
    public V compute(K k, BiFunction<? super K, ? super V, ? extends V> f) {
        return Wrappers.op(mutex, () -> m.compute(k, f));
    }

    @Override
    public V merge(K k, V v, BiFunction<? super V, ? super V, ? extends V> f) {
        return Wrappers.op(mutex, () -> m.merge(k, v, f));
    }

    private void writeObject(java.io.ObjectOutputStream s) throws java.io.IOException {
        synchronized (mutex) {
            s.defaultWriteObject();
        }
    }
}

package dev.kiln.agent.jdk;

import java.util.AbstractCollection;
import java.util.AbstractSet;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * A {@code java.util.concurrent.ConcurrentHashMap} the cluster can share, under that class name
 * (the explicit Java, Rust and C APIs use it too). Allocated instead of the JDK type in
 * instrumented classes (same constructors) and copied from a plain one at share time. Not
 * shared: the JDK's behaviour after one field test. Shared: every mutator — put, putIfAbsent,
 * remove, replace, compute*, merge, putAll, replaceAll, clear, and removal through
 * {@code entrySet()}/{@code values()} and their iterators, {@code entry.setValue} — takes the
 * map's own cluster write lock for that one operation (nested in any cluster lock the thread
 * holds; no user lock needed) and records logical Put/Remove/Clear ({@link MapOps}), so the
 * atomic methods (putIfAbsent, replace(k, old, new), compute*, merge) are atomic across JVMs.
 * Reads take no lock. {@code keySet()} must return the JDK's final {@code KeySetView}: its
 * {@code remove}/{@code clear} go through the shared path, its iterator's {@code remove} and
 * bulk removals do not (docs/agent.md).
 */
@SuppressWarnings("unchecked")
public class KilnConcurrentHashMap<K, V> extends java.util.concurrent.ConcurrentHashMap<K, V> implements KilnMap<K, V>, KilnConcurrent {
    private static final long serialVersionUID = 1L;
    private transient long $kiln$oid;
    private final transient KilnConcurrent.Guard $kiln$guard = new KilnConcurrent.Guard();

    @Override
    public KilnConcurrent.Guard $kiln$guard() {
        return $kiln$guard;
    }

    /** As the JDK's constructor. */
    public KilnConcurrentHashMap() {
        super();
    }

    /** As the JDK's constructor. */
    public KilnConcurrentHashMap(int initialCapacity) {
        super(initialCapacity);
    }

    /** As the JDK's constructor. */
    public KilnConcurrentHashMap(Map<? extends K, ? extends V> m) {
        super(m);
    }

    /** As the JDK's constructor. */
    public KilnConcurrentHashMap(int initialCapacity, float loadFactor) {
        super(initialCapacity, loadFactor);
    }

    /** As the JDK's constructor. */
    public KilnConcurrentHashMap(int initialCapacity, float loadFactor, int concurrencyLevel) {
        super(initialCapacity, loadFactor, concurrencyLevel);
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
        return "java.util.concurrent.ConcurrentHashMap";
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
        if (k == null || v == null) {
            throw new NullPointerException();
        }
        return ConcurrentOps.locked(this, () -> MapOps.put(this, k, v));
    }

    @Override
    public V remove(Object k) {
        return $kiln$oid == 0 ? super.remove(k) : ConcurrentOps.locked(this, () -> MapOps.remove(this, k));
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
                if (e.getKey() == null || e.getValue() == null) {
                    throw new NullPointerException();
                }
            }
            ConcurrentOps.run(this, () -> MapOps.putAll(this, m));
        }
    }

    @Override
    public V putIfAbsent(K k, V v) {
        if ($kiln$oid == 0) {
            return super.putIfAbsent(k, v);
        }
        if (k == null || v == null) {
            throw new NullPointerException();
        }
        return ConcurrentOps.locked(this, () -> MapOps.putIfAbsent(this, k, v));
    }

    @Override
    public boolean remove(Object k, Object v) {
        if ($kiln$oid == 0) {
            return super.remove(k, v);
        }
        if (k == null) {
            throw new NullPointerException();
        }
        return v != null && ConcurrentOps.locked(this, () -> MapOps.remove(this, k, v));
    }

    @Override
    public V replace(K k, V v) {
        if ($kiln$oid == 0) {
            return super.replace(k, v);
        }
        if (k == null || v == null) {
            throw new NullPointerException();
        }
        return ConcurrentOps.locked(this, () -> MapOps.replace(this, k, v));
    }

    @Override
    public boolean replace(K k, V o, V v) {
        if ($kiln$oid == 0) {
            return super.replace(k, o, v);
        }
        if (k == null || o == null || v == null) {
            throw new NullPointerException();
        }
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
    public Set<Map.Entry<K, V>> entrySet() {
        return $kiln$oid == 0 ? super.entrySet() : new Entries();
    }

    @Override
    public Collection<V> values() {
        return $kiln$oid == 0 ? super.values() : new Values();
    }

    /** Iterates the JDK's entries (their setValue is this map's put); remove() is this map's remove. */
    private final class EntryIt implements Iterator<Map.Entry<K, V>> {
        private final Iterator<Map.Entry<K, V>> raw = KilnConcurrentHashMap.super.entrySet().iterator();
        private K last;

        @Override
        public boolean hasNext() {
            return raw.hasNext();
        }

        @Override
        public Map.Entry<K, V> next() {
            Map.Entry<K, V> e = raw.next();
            last = e.getKey();
            return e;
        }

        @Override
        public void remove() {
            if (last == null) {
                throw new IllegalStateException();
            }
            K k = last;
            last = null;
            KilnConcurrentHashMap.this.remove(k);
        }
    }

    private final class Entries extends AbstractSet<Map.Entry<K, V>> {
        @Override
        public Iterator<Map.Entry<K, V>> iterator() {
            return new EntryIt();
        }

        @Override
        public int size() {
            return KilnConcurrentHashMap.this.size();
        }

        @Override
        public boolean contains(Object o) {
            return KilnConcurrentHashMap.super.entrySet().contains(o);
        }

        @Override
        public boolean remove(Object o) {
            return o instanceof Map.Entry
                    && KilnConcurrentHashMap.this.remove(((Map.Entry<?, ?>) o).getKey(), ((Map.Entry<?, ?>) o).getValue());
        }

        @Override
        public void clear() {
            KilnConcurrentHashMap.this.clear();
        }
    }

    private final class Values extends AbstractCollection<V> {
        @Override
        public Iterator<V> iterator() {
            EntryIt it = new EntryIt();
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
            return KilnConcurrentHashMap.this.size();
        }

        @Override
        public boolean contains(Object o) {
            return containsValue(o);
        }

        @Override
        public void clear() {
            KilnConcurrentHashMap.this.clear();
        }
    }

}

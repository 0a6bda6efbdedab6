package dev.kiln;

import dev.kiln.internal.Native;
import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentMap;

/**
 * A shared map: a {@link ConcurrentMap} whose entries every node of the cluster sees. Keys and
 * values are portable values (String, boxed primitives, BigInteger, BigDecimal, enums, Date,
 * Class, byte[]) or shared structures; anything else throws {@link NonPortableException}.
 * {@code null} keys and values are allowed (as in {@code HashMap}), unlike the JDK's concurrent
 * maps; the {@code putIfAbsent}/{@code replace} family treats a {@code null} value as absent.
 *
 * <p>Reads are served from this node's cache (faulted in once, kept current by the server).
 * Each change outside a cluster lock is atomic under the map's own lock; inside one (see
 * {@link KilnCluster#withLock}) it joins that lock's transaction. Iteration works on a snapshot;
 * the iterator's {@code remove} removes from the shared map.
 */
public final class SharedMap<K, V> extends AbstractMap<K, V> implements ConcurrentMap<K, V>, Shared {
    private final Inner inner;

    private static final class Inner extends SharedStructure {
        Inner(KilnCluster c, String n, long oid) {
            super(c, n, oid);
        }
    }

    SharedMap(KilnCluster cluster, String name, long oid) {
        this.inner = new Inner(cluster, name, oid);
    }

    /** The structure (root name, object id, reference). */
    @Override
    public SharedStructure shared() {
        return inner;
    }

    private byte[] rawGet(Object key) {
        byte[] k = SharedStructure.enc(key);
        long h = inner.cluster.enter();
        try {
            return Native.mapGet(h, inner.oid, k);
        } finally {
            inner.cluster.exit();
        }
    }

    @Override
    @SuppressWarnings("unchecked")
    public V get(Object key) {
        return (V) inner.decode(rawGet(key));
    }

    @Override
    public boolean containsKey(Object key) {
        return rawGet(key) != null;
    }

    @Override
    public int size() {
        return inner.sharedSize();
    }

    @Override
    public boolean isEmpty() {
        return size() == 0;
    }

    @Override
    @SuppressWarnings("unchecked")
    public V put(K key, V value) {
        byte[] k = SharedStructure.enc(key);
        byte[] v = SharedStructure.enc(value);
        return (V) inner.decode(inner.cluster.write(inner.oid, txn -> Native.mapPut(txn, inner.oid, k, v)));
    }

    @Override
    @SuppressWarnings("unchecked")
    public V remove(Object key) {
        byte[] k = SharedStructure.enc(key);
        return (V) inner.decode(inner.cluster.write(inner.oid, txn -> Native.mapRemove(txn, inner.oid, k)));
    }

    @Override
    public void clear() {
        inner.cluster.write(inner.oid, txn -> {
            Native.clear(txn, inner.oid);
            return null;
        });
    }

    @Override
    @SuppressWarnings("unchecked")
    public V putIfAbsent(K key, V value) {
        byte[] k = SharedStructure.enc(key);
        byte[] v = SharedStructure.enc(value);
        return inner.cluster.write(inner.oid, txn -> {
            Object old = inner.decode(mapGetIn(k));
            if (old == null) {
                Native.mapPut(txn, inner.oid, k, v);
            }
            return (V) old;
        });
    }

    @Override
    public boolean remove(Object key, Object value) {
        byte[] k = SharedStructure.enc(key);
        return inner.cluster.write(inner.oid, txn -> {
            byte[] cur = mapGetIn(k);
            if (cur != null && Objects.equals(inner.decode(cur), value)) {
                Native.mapRemove(txn, inner.oid, k);
                return true;
            }
            return false;
        });
    }

    @Override
    public boolean replace(K key, V oldValue, V newValue) {
        byte[] k = SharedStructure.enc(key);
        byte[] v = SharedStructure.enc(newValue);
        return inner.cluster.write(inner.oid, txn -> {
            byte[] cur = mapGetIn(k);
            if (cur != null && Objects.equals(inner.decode(cur), oldValue)) {
                Native.mapPut(txn, inner.oid, k, v);
                return true;
            }
            return false;
        });
    }

    @Override
    @SuppressWarnings("unchecked")
    public V replace(K key, V value) {
        byte[] k = SharedStructure.enc(key);
        byte[] v = SharedStructure.enc(value);
        return inner.cluster.write(inner.oid, txn -> {
            byte[] cur = mapGetIn(k);
            if (cur != null) {
                return (V) inner.decode(Native.mapPut(txn, inner.oid, k, v));
            }
            return null;
        });
    }

    /** The current encoded value of an encoded key (null: absent). */
    private byte[] mapGetIn(byte[] k) {
        long h = inner.cluster.enter();
        try {
            return Native.mapGet(h, inner.oid, k);
        } finally {
            inner.cluster.exit();
        }
    }

    @Override
    public Set<Map.Entry<K, V>> entrySet() {
        return new AbstractSet<Map.Entry<K, V>>() {
            @Override
            @SuppressWarnings("unchecked")
            public Iterator<Map.Entry<K, V>> iterator() {
                List<Object> flat = inner.snapshot();
                List<Map.Entry<K, V>> entries = new ArrayList<>(flat.size() / 2);
                for (int i = 0; i + 1 < flat.size(); i += 2) {
                    entries.add(new SimpleImmutableEntry<>((K) flat.get(i), (V) flat.get(i + 1)));
                }
                Iterator<Map.Entry<K, V>> it = entries.iterator();
                return new Iterator<Map.Entry<K, V>>() {
                    Map.Entry<K, V> last;

                    @Override
                    public boolean hasNext() {
                        return it.hasNext();
                    }

                    @Override
                    public Map.Entry<K, V> next() {
                        if (!it.hasNext()) {
                            throw new NoSuchElementException();
                        }
                        last = it.next();
                        return last;
                    }

                    @Override
                    public void remove() {
                        if (last == null) {
                            throw new IllegalStateException();
                        }
                        SharedMap.this.remove(last.getKey());
                        last = null;
                    }
                };
            }

            @Override
            public int size() {
                return SharedMap.this.size();
            }
        };
    }

    @Override
    public String toString() {
        return "SharedMap[" + inner.label() + "]" + super.toString();
    }
}

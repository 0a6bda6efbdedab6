package dev.kiln;

import dev.kiln.internal.Native;
import java.util.AbstractList;
import java.util.RandomAccess;

/**
 * A shared list: a {@link java.util.List} every node of the cluster sees. Elements are portable
 * values or shared structures. Reads come from this node's cache; each change outside a cluster
 * lock is atomic under the list's own lock, inside one it joins that lock's transaction.
 * Iterators are not fail-fast (another node may change the list meanwhile): iterate under a
 * cluster lock for a stable view.
 */
public final class SharedList<E> extends AbstractList<E> implements RandomAccess, Shared {
    private final Inner inner;

    private static final class Inner extends SharedStructure {
        Inner(KilnCluster c, String n, long oid) {
            super(c, n, oid);
        }
    }

    SharedList(KilnCluster cluster, String name, long oid) {
        this.inner = new Inner(cluster, name, oid);
    }

    /** The structure (root name, object id, reference). */
    @Override
    public SharedStructure shared() {
        return inner;
    }

    @Override
    @SuppressWarnings("unchecked")
    public E get(int index) {
        long h = inner.cluster.enter();
        byte[] b;
        try {
            b = Native.listGet(h, inner.oid, index);
        } finally {
            inner.cluster.exit();
        }
        if (b == null) {
            throw new IndexOutOfBoundsException("index " + index + " of shared list " + inner.label());
        }
        return (E) inner.decode(b);
    }

    @Override
    public int size() {
        return inner.sharedSize();
    }

    @Override
    public boolean add(E e) {
        byte[] v = SharedStructure.enc(e);
        inner.cluster.write(inner.oid, txn -> Native.add(txn, inner.oid, v));
        modCount++;
        return true;
    }

    @Override
    public void add(int index, E e) {
        byte[] v = SharedStructure.enc(e);
        inner.cluster.write(inner.oid, txn -> {
            Native.addAt(txn, inner.oid, index, v);
            return null;
        });
        modCount++;
    }

    @Override
    @SuppressWarnings("unchecked")
    public E set(int index, E e) {
        byte[] v = SharedStructure.enc(e);
        return (E) inner.decode(inner.cluster.write(inner.oid, txn -> Native.listSet(txn, inner.oid, index, v)));
    }

    @Override
    @SuppressWarnings("unchecked")
    public E remove(int index) {
        modCount++;
        return (E) inner.decode(inner.cluster.write(inner.oid, txn -> Native.removeAt(txn, inner.oid, index)));
    }

    @Override
    public boolean remove(Object o) {
        byte[] v = SharedStructure.enc(o);
        modCount++;
        return inner.cluster.write(inner.oid, txn -> Native.removeValue(txn, inner.oid, v));
    }

    @Override
    public void clear() {
        modCount++;
        inner.cluster.write(inner.oid, txn -> {
            Native.clear(txn, inner.oid);
            return null;
        });
    }

    @Override
    public String toString() {
        return "SharedList[" + inner.label() + "]" + super.toString();
    }
}

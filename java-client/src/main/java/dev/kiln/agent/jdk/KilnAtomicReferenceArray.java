package dev.kiln.agent.jdk;

import dev.kiln.agent.rt.Runtime;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * A {@code java.util.concurrent.atomic.AtomicReferenceArray} the cluster can share, as
 * {@link KilnAtomicIntegerArray}: a map (kind 0) index to element in the cluster, each element
 * operation under the array's own cluster lock; a new element's graph is shared in that lock's
 * transaction (a plain JDK collection becomes its Kiln copy, stored in the slot instead). The
 * JDK's compareAndSet compares by identity: a shared object is one Java object per oid in each
 * JVM, so that holds across JVMs; a literal loaded from the cluster keeps the local object when
 * equal (a String compared with {@code ==} may still differ, as in one JVM).
 */
public class KilnAtomicReferenceArray<E> extends AtomicReferenceArray<E> implements Shared {
    private static final long serialVersionUID = 1L;
    private transient long $kiln$oid;

    /** As the JDK's constructor. */
    public KilnAtomicReferenceArray(int length) {
        super(length);
    }

    /** As the JDK's constructor. */
    public KilnAtomicReferenceArray(E[] array) {
        super(array);
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
        return "java.util.concurrent.atomic.AtomicReferenceArray|length=" + length();
    }

    @Override
    public List<Object> $kiln$content() {
        List<Object> c = new ArrayList<>(length() * 2);
        for (int i = 0; i < length(); i++) {
            c.add(i);
            c.add(get(i));
        }
        return c;
    }

    @SuppressWarnings("unchecked")
    @Override
    public void $kiln$load(List<Object> c) {
        if (Sync.dirty(this)) {
            return; // changed here under its write lock, not sent yet: no other JVM can have changed it
        }
        for (int i = 0; i + 1 < c.size(); i += 2) {
            int at = ((Number) c.get(i)).intValue();
            if (at < 0 || at >= length()) {
                continue;
            }
            Object v = c.get(i + 1);
            Object cur = get(at);
            if (cur != v && !(cur != null && Runtime.isLiteralValue(cur) && cur.equals(v))) {
                set(at, (E) v);
            }
        }
    }

    /** Shared: the elements as of a read lock (current). */
    @Override
    public String toString() {
        return $kiln$oid == 0 ? super.toString() : AtomicArrays.locked(this, Sync.READ, -1, () -> super.toString());
    }
}

package dev.kiln;

import dev.kiln.internal.Native;
import java.util.AbstractQueue;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A shared, unbounded FIFO {@link BlockingQueue}: producers and consumers in any JVM of the
 * cluster. {@link #take()} blocks across JVMs: it waits on the queue's cluster lock and every
 * {@code offer} notifies the waiters (Object.wait/notifyAll, as a Terracotta-shared
 * {@code LinkedBlockingQueue} does). Every operation runs under the queue's own lock and is its
 * own transaction (it does not join a lock the caller holds). {@code take} and {@code poll(timeout)}
 * notice {@link Thread#interrupt()} within 250 ms. {@code null} elements are refused,
 * as by every BlockingQueue. The iterator works on a snapshot and does not support remove.
 */
public final class SharedQueue<E> extends AbstractQueue<E> implements BlockingQueue<E>, Shared {
    private final Inner inner;

    private static final class Inner extends SharedStructure {
        Inner(KilnCluster c, String n, long oid) {
            super(c, n, oid);
        }
    }

    SharedQueue(KilnCluster cluster, String name, long oid) {
        this.inner = new Inner(cluster, name, oid);
    }

    /** The structure (root name, object id, reference). */
    @Override
    public SharedStructure shared() {
        return inner;
    }

    private long lock() {
        return inner.cluster.lockObject(inner.oid, LockLevel.WRITE);
    }

    @Override
    public boolean offer(E e) {
        if (e == null) {
            throw new NullPointerException("a shared queue does not hold null");
        }
        byte[] v = SharedStructure.enc(e);
        long txn = lock();
        try {
            inner.cluster.enter();
            try {
                Native.add(txn, inner.oid, v);
                Native.notify(txn, true);
            } finally {
                inner.cluster.exit();
            }
        } finally {
            inner.cluster.commit(txn);
        }
        return true;
    }

    @Override
    public void put(E e) {
        offer(e);
    }

    @Override
    public boolean offer(E e, long timeout, TimeUnit unit) {
        return offer(e);
    }

    @Override
    @SuppressWarnings("unchecked")
    public E poll() {
        long txn = lock();
        try {
            inner.cluster.enter();
            try {
                return (E) inner.decode(Native.poll(txn, inner.oid));
            } finally {
                inner.cluster.exit();
            }
        } finally {
            inner.cluster.commit(txn);
        }
    }

    /** Waits for an element at most {@code nanos} (negative: forever); null on timeout. */
    @SuppressWarnings("unchecked")
    private E takeWithin(long nanos) throws InterruptedException {
        if (Thread.interrupted()) {
            throw new InterruptedException();
        }
        long deadline = System.nanoTime() + nanos;
        long txn = lock();
        try {
            inner.cluster.enter();
            try {
                while (true) {
                    byte[] b = Native.poll(txn, inner.oid);
                    if (b != null) {
                        return (E) inner.decode(b);
                    }
                    long left = nanos < 0 ? ClusterLock.SLICE_NANOS : deadline - System.nanoTime();
                    if (left <= 0) {
                        return null;
                    }
                    // In slices, so that Thread.interrupt() is noticed (the native wait cannot see it).
                    if (Native.await(txn, Math.min(left, ClusterLock.SLICE_NANOS)) == 3 || Thread.interrupted()) {
                        throw new InterruptedException("take() on shared queue " + inner.label() + " interrupted");
                    }
                }
            } finally {
                inner.cluster.exit();
            }
        } finally {
            inner.cluster.commit(txn);
        }
    }

    @Override
    public E take() throws InterruptedException {
        return takeWithin(-1);
    }

    @Override
    public E poll(long timeout, TimeUnit unit) throws InterruptedException {
        return takeWithin(Math.max(0, unit.toNanos(timeout)));
    }

    @Override
    @SuppressWarnings("unchecked")
    public E peek() {
        long h = inner.cluster.enter();
        try {
            return (E) inner.decode(Native.listGet(h, inner.oid, 0));
        } finally {
            inner.cluster.exit();
        }
    }

    @Override
    public int size() {
        return inner.sharedSize();
    }

    @Override
    public int remainingCapacity() {
        return Integer.MAX_VALUE;
    }

    @Override
    public boolean remove(Object o) {
        byte[] v = SharedStructure.enc(o);
        long txn = lock();
        try {
            inner.cluster.enter();
            try {
                return Native.removeValue(txn, inner.oid, v);
            } finally {
                inner.cluster.exit();
            }
        } finally {
            inner.cluster.commit(txn);
        }
    }

    @Override
    public void clear() {
        long txn = lock();
        try {
            inner.cluster.enter();
            try {
                Native.clear(txn, inner.oid);
            } finally {
                inner.cluster.exit();
            }
        } finally {
            inner.cluster.commit(txn);
        }
    }

    @Override
    public int drainTo(Collection<? super E> c) {
        return drainTo(c, Integer.MAX_VALUE);
    }

    @Override
    @SuppressWarnings("unchecked")
    public int drainTo(Collection<? super E> c, int maxElements) {
        if (c == this) {
            throw new IllegalArgumentException("cannot drain a queue into itself");
        }
        int n = 0;
        long txn = lock();
        try {
            inner.cluster.enter();
            try {
                while (n < maxElements) {
                    byte[] b = Native.poll(txn, inner.oid);
                    if (b == null) {
                        break;
                    }
                    c.add((E) inner.decode(b));
                    n++;
                }
            } finally {
                inner.cluster.exit();
            }
        } finally {
            inner.cluster.commit(txn);
        }
        return n;
    }

    @Override
    @SuppressWarnings("unchecked")
    public Iterator<E> iterator() {
        List<E> copy = new ArrayList<>();
        for (Object o : inner.snapshot()) {
            copy.add((E) o);
        }
        return java.util.Collections.unmodifiableList(copy).iterator();
    }

    @Override
    public String toString() {
        return "SharedQueue[" + inner.label() + "]" + super.toString();
    }
}

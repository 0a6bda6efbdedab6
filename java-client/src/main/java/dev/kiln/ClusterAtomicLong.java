package dev.kiln;

import dev.kiln.internal.Native;
import java.util.function.LongUnaryOperator;

/**
 * A cluster-wide {@code long}, like {@link java.util.concurrent.atomic.AtomicLong}: every update
 * is atomic across the cluster (under the cluster lock {@code kiln.atomic.<name>}); reads come
 * from this node's cache and see every update committed before them on this node. The values
 * live in the shared map root {@value #ROOT}, keyed by name.
 */
public final class ClusterAtomicLong {
    /** The shared map root holding every counter. */
    public static final String ROOT = "kiln.atomics";

    private final KilnCluster cluster;
    private final String name;
    private final long mapOid;
    private final byte[] key;

    ClusterAtomicLong(KilnCluster cluster, String name, long mapOid) {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("a cluster counter needs a non-empty name");
        }
        this.cluster = cluster;
        this.name = name;
        this.mapOid = mapOid;
        this.key = SharedStructure.enc(name);
    }

    /** The counter's name. */
    public String name() {
        return name;
    }

    private long read() {
        long h = cluster.enter();
        try {
            Object v = SharedStructure.dec(Native.mapGet(h, mapOid, key));
            return v instanceof Long ? (Long) v : 0L;
        } finally {
            cluster.exit();
        }
    }

    /** The current value. */
    public long get() {
        return read();
    }

    /** Applies {@code f} atomically; returns {previous, next}. */
    private long[] update(LongUnaryOperator f) {
        return cluster.withLock("kiln.atomic." + name, LockLevel.WRITE, () -> {
            long prev = read();
            long next = f.applyAsLong(prev);
            if (next != prev) {
                byte[] v = SharedStructure.enc(next);
                cluster.write(mapOid, txn -> Native.mapPut(txn, mapOid, key, v));
            }
            return new long[] {prev, next};
        });
    }

    /** Sets the value. */
    public void set(long v) {
        update(x -> v);
    }

    /** Sets the value; returns the previous one. */
    public long getAndSet(long v) {
        return update(x -> v)[0];
    }

    /** Adds {@code delta}; returns the new value. */
    public long addAndGet(long delta) {
        return update(x -> x + delta)[1];
    }

    /** Adds {@code delta}; returns the previous value. */
    public long getAndAdd(long delta) {
        return update(x -> x + delta)[0];
    }

    /** Adds one; returns the new value. */
    public long incrementAndGet() {
        return addAndGet(1);
    }

    /** Subtracts one; returns the new value. */
    public long decrementAndGet() {
        return addAndGet(-1);
    }

    /** Sets {@code update} if the value is {@code expect}; true if it did. */
    public boolean compareAndSet(long expect, long update) {
        long[] r = update(x -> x == expect ? update : x);
        return r[0] == expect;
    }

    /** Applies {@code f} atomically across the cluster; returns the new value. */
    public long updateAndGet(LongUnaryOperator f) {
        return update(f)[1];
    }

    @Override
    public String toString() {
        return Long.toString(get());
    }
}

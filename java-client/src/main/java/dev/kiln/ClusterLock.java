package dev.kiln;

import dev.kiln.internal.Native;
import java.util.ArrayDeque;
import java.util.Date;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.Lock;

/**
 * A named cluster lock at one {@link LockLevel}, reentrant per thread. Everything the holding
 * thread changes in shared structures is one transaction, published when the outermost
 * {@link #unlock()} releases the lock. {@link #newCondition()} gives a {@link Condition} whose
 * {@code await}/{@code signal} work across JVMs (Object.wait/notify on the cluster lock).
 *
 * <p>Interrupts: {@code lockInterruptibly}, {@code tryLock(time)} and the Condition's
 * {@code await} methods notice {@link Thread#interrupt()} within {@value #SLICE_MILLIS} ms: they
 * block in slices and check between them (the native wait cannot see Java interrupts). A
 * Condition may therefore return early (a spurious wake-up, which the Condition contract
 * allows): wait in a loop on your predicate. {@code lock()} is not interruptible, as specified by
 * {@link Lock}.
 */
public final class ClusterLock implements Lock {
    /** Longest uninterruptible stretch of a blocking call. */
    static final long SLICE_MILLIS = 250;
    static final long SLICE_NANOS = SLICE_MILLIS * 1_000_000L;

    private final KilnCluster cluster;
    private final String name;
    private final LockLevel level;
    private final String key;
    /** The lock's id converted once on the native side (0: convert the name at every lock). */
    private final long nameHandle;

    /** Frees a lock-name handle once the lock object is unreachable. */
    private static final class FreeName implements Runnable {
        private final long handle;

        FreeName(long handle) {
            this.handle = handle;
        }

        @Override
        public void run() {
            Native.freeLockName(handle);
        }
    }

    /**
     * {@code cached}: keep the name converted on the native side for the life of this object
     * (locks taken repeatedly); {@code false} for one-shot use ({@code withLock}).
     */
    ClusterLock(KilnCluster cluster, String name, LockLevel level, boolean cached) {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("a cluster lock needs a non-empty name");
        }
        this.cluster = cluster;
        this.name = name;
        this.level = level;
        this.key = "lock:" + level.code + ":" + name;
        if (cached) {
            long h = cluster.enter();
            try {
                this.nameHandle = Native.lockName(h, name);
            } finally {
                cluster.exit();
            }
            KilnCluster.CLEANER.register(this, new FreeName(nameHandle));
        } else {
            this.nameHandle = 0;
        }
    }

    /** The lock's name. */
    public String name() {
        return name;
    }

    /** The lock's level. */
    public LockLevel level() {
        return level;
    }

    /** True if the current thread holds this lock. */
    public boolean isHeldByCurrentThread() {
        return cluster.held(key) != null;
    }

    /** The fencing token of the current award (increases with every award of this lock). */
    public long token() {
        KilnCluster.Scope s = cluster.held(key);
        if (s == null) {
            throw new IllegalMonitorStateException("cluster lock '" + name + "' is not held by this thread");
        }
        cluster.enter();
        try {
            return Native.token(s.txn);
        } finally {
            cluster.exit();
        }
    }

    private boolean acquire(long timeoutNanos) {
        KilnCluster.Scope s = cluster.held(key);
        if (s != null) {
            s.holds++;
            return true;
        }
        long h = cluster.enter();
        long txn;
        try {
            txn = nameHandle != 0
                    ? Native.lockNamedFast(h, nameHandle, level.code, timeoutNanos)
                    : Native.lockNamed(h, name, level.code, timeoutNanos);
        } finally {
            cluster.exit();
        }
        if (txn == 0) {
            return false;
        }
        cluster.scopes().push(new KilnCluster.Scope(key, level, txn));
        return true;
    }

    @Override
    public void lock() {
        acquire(-1);
    }

    @Override
    public void lockInterruptibly() throws InterruptedException {
        while (true) {
            if (Thread.interrupted()) {
                throw new InterruptedException("waiting for cluster lock '" + name + "' interrupted");
            }
            if (acquire(SLICE_NANOS)) {
                return;
            }
        }
    }

    @Override
    public boolean tryLock() {
        return acquire(0);
    }

    @Override
    public boolean tryLock(long time, TimeUnit unit) throws InterruptedException {
        long deadline = System.nanoTime() + Math.max(0, unit.toNanos(time));
        while (true) {
            if (Thread.interrupted()) {
                throw new InterruptedException("waiting for cluster lock '" + name + "' interrupted");
            }
            long left = Math.max(0, deadline - System.nanoTime());
            if (acquire(Math.min(left, SLICE_NANOS))) {
                return true;
            }
            if (left <= SLICE_NANOS) {
                return false;
            }
        }
    }

    @Override
    public void unlock() {
        KilnCluster.Scope s = cluster.held(key);
        if (s == null) {
            throw new IllegalMonitorStateException("cluster lock '" + name + "' is not held by this thread");
        }
        if (--s.holds > 0) {
            return;
        }
        ArrayDeque<KilnCluster.Scope> scopes = cluster.scopes();
        scopes.remove(s);
        cluster.commit(s.txn);
    }

    @Override
    public Condition newCondition() {
        if (level != LockLevel.WRITE && level != LockLevel.SYNCHRONOUS_WRITE) {
            throw new UnsupportedOperationException("conditions need an exclusive (write) cluster lock");
        }
        return new ClusterCondition();
    }

    @Override
    public String toString() {
        return "ClusterLock[" + name + ", " + level + (isHeldByCurrentThread() ? ", held]" : "]");
    }

    /** Object.wait/notify on the cluster lock. Spurious wake-ups are possible, as with any Condition. */
    private final class ClusterCondition implements Condition {
        private KilnCluster.Scope owned() {
            KilnCluster.Scope s = cluster.held(key);
            if (s == null) {
                throw new IllegalMonitorStateException("cluster lock '" + name + "' is not held by this thread");
            }
            return s;
        }

        /** Waits; returns the native wake reason (1 notified, 2 timed out, 3 interrupted). */
        private int waitFor(long nanos) {
            KilnCluster.Scope s = owned();
            cluster.enter();
            try {
                return Native.await(s.txn, nanos);
            } finally {
                cluster.exit();
            }
        }

        private void interrupted() throws InterruptedException {
            throw new InterruptedException("cluster wait on '" + name + "' interrupted");
        }

        /** One wait of at most a slice; the caller's loop re-checks its predicate after it. */
        @Override
        public void await() throws InterruptedException {
            if (Thread.interrupted()) {
                interrupted();
            }
            if (waitFor(SLICE_NANOS) == 3 || Thread.interrupted()) {
                interrupted();
            }
        }

        @Override
        public void awaitUninterruptibly() {
            waitFor(-1);
        }

        @Override
        public long awaitNanos(long nanosTimeout) throws InterruptedException {
            if (Thread.interrupted()) {
                throw new InterruptedException();
            }
            if (nanosTimeout <= 0) {
                return nanosTimeout;
            }
            long start = System.nanoTime();
            if (waitFor(Math.min(nanosTimeout, SLICE_NANOS)) == 3 || Thread.interrupted()) {
                interrupted();
            }
            return nanosTimeout - (System.nanoTime() - start);
        }

        /** True unless the time elapsed (an early return counts as "not elapsed", as a spurious wake-up). */
        @Override
        public boolean await(long time, TimeUnit unit) throws InterruptedException {
            return awaitNanos(unit.toNanos(time)) > 0;
        }

        @Override
        public boolean awaitUntil(Date deadline) throws InterruptedException {
            return awaitNanos(TimeUnit.MILLISECONDS.toNanos(deadline.getTime() - System.currentTimeMillis())) > 0;
        }

        @Override
        public void signal() {
            KilnCluster.Scope s = owned();
            cluster.enter();
            try {
                Native.notify(s.txn, false);
            } finally {
                cluster.exit();
            }
        }

        @Override
        public void signalAll() {
            KilnCluster.Scope s = owned();
            cluster.enter();
            try {
                Native.notify(s.txn, true);
            } finally {
                cluster.exit();
            }
        }
    }
}

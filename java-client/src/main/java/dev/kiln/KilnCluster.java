package dev.kiln;

import dev.kiln.internal.Native;
import java.lang.ref.Cleaner;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * A connection to a Kiln cluster: shared structures by name, cluster locks, and the
 * transactions they delimit. Safe to share between threads. {@link #close()} once when done; a
 * {@link Cleaner} frees the native client if the object is dropped without it.
 *
 * <p>Changes made while the calling thread holds a cluster lock (from {@link #lock},
 * {@link #readWriteLock} or {@link #withLock}) belong to that lock's transaction: other nodes see
 * them all at once, when the lock is released, as with {@code synchronized} under Terracotta.
 * Outside any lock each change of a shared map or list is its own transaction under the
 * structure's own lock.
 */
public final class KilnCluster implements AutoCloseable {
    static final int KIND_MAP = 0;
    static final int KIND_LIST = 1;
    static final int KIND_SET = 2;
    static final int KIND_QUEUE = 3;

    static final Cleaner CLEANER = Cleaner.create();

    /** Frees the native client once, from close() or from the Cleaner. Holds no reference to the cluster. */
    private static final class Release implements Runnable {
        final AtomicLong handle;

        Release(long h) {
            handle = new AtomicLong(h);
        }

        @Override
        public void run() {
            long h = handle.getAndSet(0);
            if (h != 0) {
                try {
                    Native.close(h);
                } catch (RuntimeException e) {
                    // closing is best effort (the server may be gone)
                }
            }
        }
    }

    /** One lock held by the current thread: its transaction handle and hold count. */
    static final class Scope {
        final String key;
        final LockLevel level;
        final long txn;
        int holds = 1;

        Scope(String key, LockLevel level, long txn) {
            this.key = key;
            this.level = level;
            this.txn = txn;
        }
    }

    private final long handle;
    private final String spec;
    private final Release release;
    private final Cleaner.Cleanable cleanable;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final ThreadLocal<ArrayDeque<Scope>> scopes = ThreadLocal.withInitial(ArrayDeque::new);

    KilnCluster(long handle, String spec) {
        this.handle = handle;
        this.spec = spec;
        this.release = new Release(handle);
        this.cleanable = CLEANER.register(this, release);
    }

    // ------------------------------------------------------------------ handle discipline

    /** Marks a native call in flight; returns the client handle. Pair with {@link #exit()}. */
    long enter() {
        inFlight.incrementAndGet();
        if (closed.get()) {
            exit();
            throw new ClosedException("the Kiln cluster (" + spec + ") was closed");
        }
        return handle;
    }

    void exit() {
        if (inFlight.decrementAndGet() == 0 && closed.get()) {
            synchronized (inFlight) {
                inFlight.notifyAll();
            }
        }
    }

    /** True once {@link #close()} was called. */
    public boolean isClosed() {
        return closed.get();
    }

    /**
     * Leaves the cluster: blocked cluster calls of other threads fail with
     * {@link ClosedException}, then the native client is freed. Idempotent.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            Native.shutdown(handle);
        } catch (RuntimeException e) {
            // already disconnected: nothing to say goodbye to
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        synchronized (inFlight) {
            while (inFlight.get() > 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    // Calls still inside the native client: leave it allocated rather than free it under them.
                    return;
                }
                try {
                    inFlight.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
        cleanable.clean();
    }

    // ------------------------------------------------------------------ identity

    /** This client's id in the cluster. */
    public long clientId() {
        long h = enter();
        try {
            return Native.clientId(h);
        } finally {
            exit();
        }
    }

    /** Waits until every change committed so far is acknowledged by the server. */
    public void flush() {
        long h = enter();
        try {
            Native.flush(h);
        } finally {
            exit();
        }
    }

    @Override
    public String toString() {
        return closed.get() ? "KilnCluster[" + spec + ", closed]" : "KilnCluster[" + spec + ", client " + clientId() + "]";
    }

    private KilnDsoCluster dso;

    /**
     * Terracotta's cluster API for this connection: nodes, topology, membership listeners. The
     * first call starts the event thread {@code kiln-cluster-events-<client id>} (listener calls
     * run there).
     */
    public synchronized com.tc.cluster.DsoCluster dsoCluster() {
        if (dso == null) {
            dso = new KilnDsoCluster(this);
        }
        return dso;
    }

    // ------------------------------------------------------------------ shared structures

    long root(String name, int kind) {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("a shared structure needs a non-empty name");
        }
        long h = enter();
        try {
            return Native.root(h, name, kind);
        } finally {
            exit();
        }
    }

    /** The shared map root {@code name} (created empty if absent). */
    public <K, V> SharedMap<K, V> map(String name) {
        return new SharedMap<>(this, name, root(name, KIND_MAP));
    }

    /** The shared list root {@code name} (created empty if absent). */
    public <E> SharedList<E> list(String name) {
        return new SharedList<>(this, name, root(name, KIND_LIST));
    }

    /** The shared blocking queue root {@code name} (created empty if absent); unbounded. */
    public <E> SharedQueue<E> queue(String name) {
        return new SharedQueue<>(this, name, root(name, KIND_QUEUE));
    }

    /** A cluster-wide long counter named {@code name} (starts at 0). */
    public ClusterAtomicLong atomicLong(String name) {
        return new ClusterAtomicLong(this, name, root(ClusterAtomicLong.ROOT, KIND_MAP));
    }

    /** The cluster lock {@code name}: exclusive, reentrant; {@code newCondition()} works across JVMs. */
    public ClusterLock lock(String name) {
        return new ClusterLock(this, name, LockLevel.WRITE, true);
    }

    /** The cluster read/write lock {@code name}. */
    public ClusterReadWriteLock readWriteLock(String name) {
        return new ClusterReadWriteLock(this, name);
    }

    /** Runs {@code action} holding the cluster lock {@code name} at {@code level}. */
    public void withLock(String name, LockLevel level, Runnable action) {
        ClusterLock l = new ClusterLock(this, name, level, false);
        l.lock();
        try {
            action.run();
        } finally {
            l.unlock();
        }
    }

    /** Runs {@code action} holding the cluster lock {@code name} at {@code level}; returns its result. */
    public <T> T withLock(String name, LockLevel level, Supplier<T> action) {
        ClusterLock l = new ClusterLock(this, name, level, false);
        l.lock();
        try {
            return action.get();
        } finally {
            l.unlock();
        }
    }

    // ------------------------------------------------------------------ transactions (package-private)

    ArrayDeque<Scope> scopes() {
        return scopes.get();
    }

    /** The current thread's innermost lock scope with {@code key}, or null. */
    Scope held(String key) {
        for (Iterator<Scope> it = scopes.get().iterator(); it.hasNext(); ) {
            Scope s = it.next();
            if (s.key.equals(key)) {
                return s;
            }
        }
        return null;
    }

    /** The innermost lock the current thread holds, or null: changes join its transaction. */
    Scope current() {
        return scopes.get().peekFirst();
    }

    /** Locks an object's own lock for one change; returns the transaction handle. */
    long lockObject(long oid, LockLevel level) {
        long h = enter();
        try {
            return Native.lockObject(h, oid, level.code, -1);
        } finally {
            exit();
        }
    }

    /** Commits and frees a transaction handle; works (and frees) also while closing. */
    void commit(long txn) {
        inFlight.incrementAndGet();
        try {
            Native.commit(txn);
        } finally {
            exit();
        }
    }

    /** A change to a shared structure: in the current lock's transaction, else under the object's own lock. */
    <T> T write(long oid, TxnOp<T> op) {
        Scope s = current();
        if (s != null && s.level.writes()) {
            enter();
            try {
                return op.run(s.txn);
            } finally {
                exit();
            }
        }
        long txn = lockObject(oid, LockLevel.WRITE);
        try {
            enter();
            try {
                return op.run(txn);
            } finally {
                exit();
            }
        } finally {
            commit(txn);
        }
    }

    /** One change inside a transaction. */
    interface TxnOp<T> {
        T run(long txn);
    }
}

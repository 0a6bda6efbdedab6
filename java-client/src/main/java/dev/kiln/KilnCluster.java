package dev.kiln;

import dev.kiln.codec.Ref;
import dev.kiln.internal.Native;
import java.io.ByteArrayOutputStream;
import java.lang.ref.Cleaner;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
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

    /**
     * Frees the native client (and the change subscriptions still open) once, from close() or
     * from the Cleaner. Holds no reference to the cluster.
     */
    private static final class Release implements Runnable {
        final AtomicLong handle;
        final Set<Long> subscriptions = ConcurrentHashMap.newKeySet();

        Release(long h) {
            handle = new AtomicLong(h);
        }

        /** Frees a subscription handle unless someone else already did. */
        void unsubscribe(long s) {
            if (subscriptions.remove(s)) {
                try {
                    Native.unsubscribe(s);
                } catch (RuntimeException e) {
                    // the handle is freed even when unsubscribing fails
                }
            }
        }

        @Override
        public void run() {
            for (Long s : subscriptions.toArray(new Long[0])) {
                unsubscribe(s);
            }
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

    // ------------------------------------------------------------------ distributed calls

    private Callbacks callbacks;

    synchronized Callbacks callbacks() {
        if (callbacks == null) {
            callbacks = new Callbacks(this);
        }
        return callbacks;
    }

    void trackSubscription(long s) {
        release.subscriptions.add(s);
    }

    void untrackSubscription(long s) {
        release.unsubscribe(s);
    }

    /**
     * Runs {@code handler} for every distributed call named {@code name} that another node makes
     * ({@link #invokeAll}, {@link #invokeResident}, {@link #invoke}) from now on. Handlers run on
     * the thread {@code kiln-dmi-<client id>}, one call at a time in delivery order (see
     * {@link InvocationHandler}); several handlers of one name run in registration order. Calls
     * with no handler on this node are dropped. {@link Registration#close()} removes the handler.
     */
    public Registration onInvoke(String name, InvocationHandler handler) {
        return callbacks().onInvoke(name, handler);
    }

    /**
     * Calls {@code name(args)} on every other node of the cluster (Terracotta's DMI with
     * {@code run-on-all-nodes}): the handlers registered there with {@link #onInvoke} run after
     * this node's current transaction commits: at the release of the cluster lock the calling
     * thread holds, or at once if it holds none. This node's own handlers are not called (call
     * the code directly for the local effect). Arguments are portable values or shared
     * structures.
     */
    public void invokeAll(String name, Object... args) {
        invoke(null, name, true, args);
    }

    /**
     * Calls {@code name(args)} only on the nodes where {@code receiver} is resident (nodes that
     * have read or changed it and not evicted it): Terracotta's DMI without
     * {@code run-on-all-nodes}. Otherwise as {@link #invokeAll}; the handlers see the receiver
     * as {@link Invocation#receiver()}.
     */
    public void invokeResident(Shared receiver, String name, Object... args) {
        if (receiver == null) {
            throw new NullPointerException("receiver");
        }
        invoke(receiver, name, false, args);
    }

    /**
     * A distributed call with an optional receiver: to every other node ({@code allNodes}) or to
     * the nodes where the receiver is resident. See {@link #invokeAll}.
     */
    public void invoke(Shared receiver, String name, boolean allNodes, Object... args) {
        if (name == null) {
            throw new NullPointerException("name");
        }
        if (!allNodes && receiver == null) {
            throw new IllegalArgumentException("a resident-only distributed call needs a receiver");
        }
        ByteArrayOutputStream enc = new ByteArrayOutputStream();
        for (Object a : args == null ? new Object[] {null} : args) {
            byte[] b = SharedStructure.enc(a);
            enc.write(b, 0, b.length);
        }
        byte[] argBytes = enc.toByteArray();
        long recv = receiver == null ? 0 : receiver.shared().oid;
        inCurrentOrConcurrent(txn -> {
            Native.invoke(txn, recv, name, argBytes, allNodes);
            return null;
        });
    }

    /**
     * Runs {@code op} in the current thread's writing transaction, or else in a transaction of
     * its own under the concurrent-level lock {@link #DMI_LOCK} (a transaction boundary without
     * exclusion: what {@code op} records takes effect when it commits).
     */
    private <T> T inCurrentOrConcurrent(TxnOp<T> op) {
        Scope s = current();
        if (s != null && s.level.writes()) {
            return runIn(s.txn, op);
        }
        long txn;
        long h = enter();
        try {
            txn = Native.lockNamed(h, DMI_LOCK, LockLevel.CONCURRENT.code, -1);
        } finally {
            exit();
        }
        return runAndCommit(txn, op);
    }

    /** Runs {@code op} in the transaction {@code txn} of this thread, then commits it (also when {@code op} throws). */
    private <T> T runAndCommit(long txn, TxnOp<T> op) {
        try {
            return runIn(txn, op);
        } finally {
            commit(txn);
        }
    }

    /** Runs {@code op} in the transaction {@code txn} of this thread, as a native call in flight. */
    private <T> T runIn(long txn, TxnOp<T> op) {
        enter();
        try {
            return op.run(txn);
        } finally {
            exit();
        }
    }

    /** The (concurrent-level) lock of distributed calls made outside any cluster lock. */
    static final String DMI_LOCK = "kiln.dmi";

    // ------------------------------------------------------------------ shared structures

    private final Map<Long, Integer> kinds = new ConcurrentHashMap<>();

    /**
     * The live structure for a shared object id ({@link SharedMap}, {@link SharedList} or
     * {@link SharedQueue}), or null if the object is of another kind.
     */
    Shared structureOrNull(long oid) {
        Integer k = kinds.get(oid);
        if (k == null) {
            long h = enter();
            try {
                k = Native.kind(h, oid);
            } finally {
                exit();
            }
            kinds.put(oid, k);
        }
        switch (k) {
            case KIND_MAP:
                return new SharedMap<>(this, null, oid);
            case KIND_LIST:
                return new SharedList<>(this, null, oid);
            case KIND_QUEUE:
                return new SharedQueue<>(this, null, oid);
            default:
                return null;
        }
    }

    /** A decoded value as the API returns it: references to maps, lists and queues become live structures. */
    Object live(Object v) {
        if (v instanceof Ref) {
            Shared s = structureOrNull(((Ref) v).oid());
            return s != null ? s : v;
        }
        return v;
    }

    /**
     * Creates an empty structure of {@code kind} bound to no root on the stripe of {@code near}
     * (the structure that will hold it; null: the current lock's stripe); its object id.
     */
    private long create(int kind, Shared near) {
        int stripe = near == null ? -1 : (int) (near.shared().oid >>> 56);
        return inCurrentOrConcurrent(txn -> Native.create(txn, kind, stripe));
    }

    /**
     * A new empty shared map bound to no root, to be stored in another shared structure (where
     * every node reads it back as a live {@code SharedMap}). It is kept while a shared structure
     * references it (or this node holds it). Over several stripes it is created on the current
     * lock's stripe; {@link #newMap(Shared)} places it with the structure that will hold it.
     */
    public <K, V> SharedMap<K, V> newMap() {
        return newMap(null);
    }

    /**
     * A new empty shared map, as {@link #newMap()}, created on the stripe of {@code near}: the
     * structure that will hold it (a graph stays on the stripe of what it hangs off; docs:
     * architecture "Placement of new objects"). {@code null}: the current lock's stripe.
     */
    public <K, V> SharedMap<K, V> newMap(Shared near) {
        long oid = create(KIND_MAP, near);
        kinds.put(oid, KIND_MAP);
        return new SharedMap<>(this, null, oid);
    }

    /** A new empty shared list bound to no root; see {@link #newMap()}. */
    public <E> SharedList<E> newList() {
        return newList(null);
    }

    /** A new empty shared list on the stripe of {@code near}; see {@link #newMap(Shared)}. */
    public <E> SharedList<E> newList(Shared near) {
        long oid = create(KIND_LIST, near);
        kinds.put(oid, KIND_LIST);
        return new SharedList<>(this, null, oid);
    }

    /** A new empty shared blocking queue bound to no root; see {@link #newMap()}. */
    public <E> SharedQueue<E> newQueue() {
        return newQueue(null);
    }

    /** A new empty shared blocking queue on the stripe of {@code near}; see {@link #newMap(Shared)}. */
    public <E> SharedQueue<E> newQueue(Shared near) {
        long oid = create(KIND_QUEUE, near);
        kinds.put(oid, KIND_QUEUE);
        return new SharedQueue<>(this, null, oid);
    }

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
            return runIn(s.txn, op);
        }
        // Threads of this JVM writing the same structure queue on a local lock first: the one
        // that holds it re-takes the cluster lock greedily (no network, no hand-off), instead of
        // all of them queueing in the native client, where every FIFO hand-off wakes a parked
        // thread (a lock convoy: 4 threads ran 9x slower than 1). Other nodes still get the
        // cluster lock as before: the local lock only orders this JVM's threads.
        ReentrantLock local = localStripes[(int) ((oid ^ (oid >>> 32)) & (LOCAL_STRIPES - 1))];
        local.lock();
        try {
            return runAndCommit(lockObject(oid, LockLevel.WRITE), op);
        } finally {
            local.unlock();
        }
    }

    private static final int LOCAL_STRIPES = 64;
    private final ReentrantLock[] localStripes = newStripes();

    private static ReentrantLock[] newStripes() {
        ReentrantLock[] a = new ReentrantLock[LOCAL_STRIPES];
        for (int i = 0; i < a.length; i++) {
            a[i] = new ReentrantLock();
        }
        return a;
    }

    /** One change inside a transaction. */
    interface TxnOp<T> {
        T run(long txn);
    }
}

package dev.kiln.agent.jdk;

import dev.kiln.agent.rt.Runtime;
import dev.kiln.internal.Native;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * The shared path of the {@code java.util.concurrent} synchronizers ({@code KilnCyclicBarrier},
 * {@code KilnCountDownLatch}, {@code KilnSemaphore}, {@code KilnReentrantLock},
 * {@code KilnReentrantReadWriteLock}): each is a {@link Shared} map (kind 0) of its state,
 * changed only under the cluster lock of its own object (taken by the synchronizer itself, no
 * user lock needed), recorded with {@code mapPut} in that lock's transaction and re-loaded by
 * {@code $kiln$load} when remote changes are applied (lock award, wake-up after a wait). Waiting
 * is a cluster wait on that lock; a change others wait for is a cluster notifyAll. See
 * docs/agent.md, "java.util.concurrent synchronizers".
 */
final class Sync {
    private Sync() {}

    static final int READ = 1;
    static final int WRITE = 2;

    /** Woken by a notify / timed out / interrupted ({@link Runtime#waitShared}). */
    static final int TIMED_OUT = 2;
    static final int INTERRUPTED = 3;

    /**
     * Synchronizers of this JVM whose write lock a thread of this JVM holds (from the award to
     * the commit, or to a wait). No other JVM can change one then, and the holder changes its
     * fields before the change is sent: a refresh in that window (a {@code drain} on another
     * lock, by this or another thread) would revert them from the client's cache, so
     * {@code $kiln$load} skips it. Marked (after re-reading the state) under {@code drain}'s monitor
     * ({@link Runtime#reloadShared}).
     */
    private static final Set<Shared> DIRTY = ConcurrentHashMap.newKeySet();

    /** True while a thread of this JVM holds {@code s}'s write lock (its load must keep the fields). */
    static boolean dirty(Shared s) {
        return !DIRTY.isEmpty() && DIRTY.contains(s);
    }

    /** True for the synchronizers with state, whose load records nothing (refreshed with the oid kept). */
    static boolean isSync(Shared s) {
        return s instanceof KilnCyclicBarrier || s instanceof KilnCountDownLatch || s instanceof KilnSemaphore
                || s instanceof KilnAtomicIntegerArray || s instanceof KilnAtomicLongArray || s instanceof KilnAtomicReferenceArray
                || s instanceof KilnLongAccumulator || s instanceof KilnDoubleAccumulator // portable types 3
                || s instanceof CondLock; // the locks' condition counts (CondState)
    }

    /**
     * Called by the thread holding {@code s}'s write lock before it reads state it may change: the
     * first time in a hold, re-reads the state from the cluster (as {@link #lock}'s outermost hold
     * does) and marks it {@link #dirty}; later calls in the same hold keep what this hold changed.
     */
    static void fresh(Shared s) {
        if (!dirty(s)) {
            Runtime.reloadShared(s, () -> DIRTY.add(s));
        }
    }

    /** The outermost release of a lock that {@link #fresh} may have marked. */
    static void clean(Shared s) {
        if (!DIRTY.isEmpty()) {
            DIRTY.remove(s);
        }
    }

    /**
     * The cluster lock of synchronizer {@code s} at {@code level}, held by this thread (forever).
     * The outermost hold re-reads its state from the cluster (a refresh racing an earlier holder
     * of this JVM may have left the fields stale) and, for a write lock, marks it {@link #dirty}.
     */
    static long[] lock(Shared s, int level) {
        long[] e = Runtime.lockShared(s.$kiln$oid(), level, -1);
        if (e[2] == 1) {
            Runtime.reloadShared(s, level == WRITE ? () -> DIRTY.add(s) : () -> { });
        }
        return e;
    }

    /** Leaves {@code s}'s lock entry {@code e}; the outermost exit commits (the changes are sent). */
    static void unlock(Shared s, long[] e) {
        try {
            Runtime.unlockShared(e);
        } finally {
            if (e[2] == 0) {
                DIRTY.remove(s);
            }
        }
    }

    /** Records {@code key = value} of shared {@code s}'s state in held entry {@code e}'s transaction. */
    static void put(long[] e, Shared s, String key, Object value) {
        Native.mapPut(e[1], s.$kiln$oid(), Jdk.enc(key), Jdk.enc(value));
    }

    static void remove(long[] e, Shared s, String key) {
        Native.mapRemove(e[1], s.$kiln$oid(), Jdk.enc(key));
    }

    /** Wakes every cluster waiter of {@code e}'s lock when its transaction commits. */
    static void notifyAll(long[] e) {
        Native.notify(e[1], true);
    }

    /**
     * Waits on {@code e} until notified or {@code deadline} (System.nanoTime; {@code Long.MIN_VALUE}:
     * none). Returns 1, {@link #TIMED_OUT} (also when the deadline has passed already) or {@link #INTERRUPTED}.
     */
    static int await(Shared s, long[] e, long deadline) {
        DIRTY.remove(s); // the wait sends the transaction so far and releases the lock
        int r;
        try {
            r = await(e, deadline);
        } catch (RuntimeException x) {
            throw Runtime.exitOr(x);
        } finally {
            try {
                Runtime.reloadShared(s, () -> DIRTY.add(s)); // held again: the state others left
            } catch (RuntimeException x) {
                throw Runtime.exitOr(x);
            }
        }
        return r;
    }

    /**
     * {@link #await(Shared, long[], long)} for {@code nanos} (-1: no timeout; else > 0, checked by
     * the caller): always a real wait, so the re-read after it never meets changes of this hold
     * that were not sent (a wait sends them).
     */
    static int awaitFor(Shared s, long[] e, long nanos) {
        DIRTY.remove(s);
        try {
            return Runtime.waitShared(e, nanos);
        } catch (RuntimeException x) {
            throw Runtime.exitOr(x);
        } finally {
            try {
                Runtime.reloadShared(s, () -> DIRTY.add(s));
            } catch (RuntimeException x) {
                throw Runtime.exitOr(x);
            }
        }
    }

    /** {@link #await(Shared, long[], long)} for a lock with no state of its own (a Condition's). */
    static int await(long[] e, long deadline) {
        if (deadline == Long.MIN_VALUE) {
            return Runtime.waitShared(e, -1);
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
            return TIMED_OUT;
        }
        return Runtime.waitShared(e, left);
    }

    /** The System.nanoTime deadline of a timeout (never {@code Long.MIN_VALUE}). */
    static long deadline(long timeout, TimeUnit unit) {
        long d = System.nanoTime() + Math.max(0, unit.toNanos(Math.min(timeout, Long.MAX_VALUE / 4)));
        return d == Long.MIN_VALUE ? d + 1 : d;
    }

    static long num(Object v) {
        return v == null ? 0 : ((Number) v).longValue();
    }

    /** An empty synchronizer for cluster class name {@code base}, loaded by the caller; null if not one. */
    static Shared create(String base) {
        switch (base) {
            case "java.util.concurrent.CyclicBarrier":
                return new KilnCyclicBarrier(1);
            case "java.util.concurrent.CountDownLatch":
                return new KilnCountDownLatch(0);
            case "java.util.concurrent.Semaphore":
                return new KilnSemaphore(0);
            case "java.util.concurrent.locks.ReentrantLock":
                return new KilnReentrantLock();
            case KilnCondition.CLASS:
                return new KilnCondition(null, null, 0);
            case "java.util.concurrent.locks.ReentrantReadWriteLock":
                return new KilnReentrantReadWriteLock();
            default:
                return null;
        }
    }

    /**
     * The Kiln copy a plain synchronizer (allocated by code the agent did not instrument) is
     * replaced by when the sharing walk meets it: a CountDownLatch with its count, a Semaphore
     * with its permits and fairness, an unlocked ReentrantLock / ReentrantReadWriteLock with its
     * fairness; null for others. A plain CyclicBarrier cannot be copied: its barrier action is
     * private to java.base ({@link #hint}).
     */
    static Shared portableCopy(Object v) {
        Class<?> c = v.getClass();
        if (c == CountDownLatch.class) {
            return new KilnCountDownLatch(((CountDownLatch) v).getCount());
        }
        if (c == Semaphore.class) {
            Semaphore s = (Semaphore) v;
            return new KilnSemaphore(s.availablePermits(), s.isFair());
        }
        if (c == ReentrantLock.class && !((ReentrantLock) v).isLocked()) {
            return new KilnReentrantLock(((ReentrantLock) v).isFair());
        }
        if (c == ReentrantReadWriteLock.class && !((ReentrantReadWriteLock) v).isWriteLocked()
                && ((ReentrantReadWriteLock) v).getReadLockCount() == 0) {
            return new KilnReentrantReadWriteLock(((ReentrantReadWriteLock) v).isFair());
        }
        return null;
    }

    /** A hint for the non-portable error of a plain synchronizer, or null. */
    static String hint(Object v) {
        Class<?> c = v.getClass();
        if (c == CyclicBarrier.class) {
            return " (a CyclicBarrier allocated by a class no <include> matches cannot be shared: its barrier action is"
                    + " out of reach; allocate it in an instrumented class, where it is shared as is)";
        }
        if (c == ReentrantLock.class || c == ReentrantReadWriteLock.class) {
            return " (a lock allocated by a class no <include> matches is shared by copy only while unlocked; allocate"
                    + " it in an instrumented class or link it into the shared graph before locking it)";
        }
        if (c.isSynthetic() || c.getName().contains("$$Lambda")) {
            return " (a lambda cannot be re-created on another JVM, e.g. as a CyclicBarrier's barrier action: use an"
                    + " instance of a named class of <instrumented-classes>)";
        }
        if (c.getName().startsWith("java.util.concurrent.locks.AbstractQueuedSynchronizer$")
                || c.getName().startsWith("java.util.concurrent.locks.ReentrantReadWriteLock$")) {
            return " (a Condition or a read/write view of a lock allocated by a class no <include> matches; allocate the"
                    + " lock in an instrumented class)";
        }
        return null;
    }
}

package dev.kiln.agent.jdk;

import dev.kiln.agent.rt.Runtime;

import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;

/**
 * A {@code java.util.concurrent.locks.ReentrantLock} the cluster can share: once shared it is a
 * cluster write lock (greedy, on its own object). Not shared: the JDK's lock after one field
 * test. Shared: {@code lock()} takes the cluster lock and makes it the thread's innermost cluster
 * lock (writes to shared objects made while holding it are recorded in its transaction, as in a
 * {@code synchronized} block), the outermost {@code unlock()} commits; its conditions
 * ({@link KilnCondition}) are cluster waits on that lock. The JDK's final methods
 * ({@code hasQueuedThreads}, {@code hasQueuedThread}, {@code getQueueLength}, {@code isFair})
 * cannot be overridden: they report the local JDK lock (no queued threads while shared). See
 * docs/agent.md.
 */
public class KilnReentrantLock extends java.util.concurrent.locks.ReentrantLock implements CondLock {
    private static final long serialVersionUID = 1L;
    private transient long $kiln$oid;
    /** The thread of this JVM holding the cluster lock, while shared. */
    private transient volatile Thread owner;
    /**
     * How many conditions {@link #newCondition} made and their wait sets (before sharing: the
     * count, here; once shared: the cluster's, part of the lock object's state, so every JVM knows it).
     */
    private final transient CondState conds = new CondState();

    /** As the JDK's constructor. */
    public KilnReentrantLock() {
        super();
    }

    /** As the JDK's constructor. */
    public KilnReentrantLock(boolean fair) {
        super(fair);
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
        return "java.util.concurrent.locks.ReentrantLock";
    }

    @Override
    public List<Object> $kiln$content() {
        // The lock is the cluster lock of this object; its only state is its conditions' (CondState).
        return conds.content();
    }

    @Override
    public void $kiln$load(List<Object> content) {
        if (Sync.dirty(this)) {
            return; // changed here under its write lock, not sent yet: no other JVM can have changed it
        }
        conds.load(content);
    }

    @Override
    public CondState $kiln$conds() {
        return conds;
    }

    /** The cluster lock, acquired within {@code timeoutNanos} (-1 forever, 0 one try); false if not. */
    boolean acquire(int level, long timeoutNanos) {
        long[] e = Runtime.lockShared($kiln$oid, level, timeoutNanos);
        if (e == null) {
            return false;
        }
        owner = Thread.currentThread();
        return true;
    }

    /**
     * The cluster lock until {@code deadline} (System.nanoTime; {@code Long.MIN_VALUE}: none);
     * an interrupt ends the wait at once with InterruptedException
     * ({@link dev.kiln.agent.rt.Runtime#lockSharedInterruptibly}).
     */
    void acquireInterruptibly(int level, long deadline) throws InterruptedException {
        long timeout = deadline == Long.MIN_VALUE ? -1 : Math.max(0, deadline - System.nanoTime());
        if (Runtime.lockSharedInterruptibly($kiln$oid, level, timeout) != null) {
            owner = Thread.currentThread();
        }
    }

    /** This thread's held entry of the cluster lock, or null. */
    long[] held() {
        return Runtime.heldEntry($kiln$oid);
    }

    void release() {
        long[] e = held();
        if (e == null) {
            throw new IllegalMonitorStateException("kiln: unlock of a shared " + Jdk.jdkType(this)
                    + " not held by thread \"" + Thread.currentThread().getName() + "\"");
        }
        if (e[2] == 1) {
            owner = null;
        }
        try {
            Runtime.unlockShared(e);
        } finally {
            if (e[2] == 0) {
                Sync.clean(this);
            }
        }
    }

    @Override
    public void lock() {
        if ($kiln$oid == 0) {
            super.lock();
        } else {
            acquire(Sync.WRITE, -1);
        }
    }

    @Override
    public void lockInterruptibly() throws InterruptedException {
        if ($kiln$oid == 0) {
            super.lockInterruptibly();
        } else {
            acquireInterruptibly(Sync.WRITE, Long.MIN_VALUE);
        }
    }

    @Override
    public boolean tryLock() {
        return $kiln$oid == 0 ? super.tryLock() : acquire(Sync.WRITE, 0);
    }

    @Override
    public boolean tryLock(long timeout, TimeUnit unit) throws InterruptedException {
        if ($kiln$oid == 0) {
            return super.tryLock(timeout, unit);
        }
        acquireInterruptibly(Sync.WRITE, Sync.deadline(timeout, unit));
        return held() != null;
    }

    @Override
    public void unlock() {
        if ($kiln$oid == 0 || (held() == null && super.isHeldByCurrentThread())) {
            super.unlock(); // also a JDK hold taken before the lock was shared
        } else {
            release();
        }
    }

    @Override
    public Condition newCondition() {
        return new KilnCondition(this, super.newCondition(), newIndex(this));
    }

    /**
     * The index of a new condition of {@code lock}: the next number of its count (before sharing:
     * this JVM's; once shared: the cluster's, under the lock's write lock, recorded in its object).
     */
    static int newIndex(CondLock lock) {
        CondState c = lock.$kiln$conds();
        long oid = lock.$kiln$oid();
        if (oid == 0) {
            synchronized (c) {
                return ++c.conditions;
            }
        }
        Runtime.enterShared(oid, Sync.WRITE);
        long[] e = Runtime.heldEntry(oid);
        try {
            Sync.fresh(lock);
            int i = ++c.conditions;
            Sync.put(e, lock, CondState.CONDITIONS, i);
            return i;
        } finally {
            Runtime.exitShared(oid);
            if (Runtime.heldEntry(oid) == null) {
                Sync.clean(lock);
            }
        }
    }

    @Override
    public boolean isHeldByCurrentThread() {
        return $kiln$oid == 0 ? super.isHeldByCurrentThread() : held() != null;
    }

    @Override
    public int getHoldCount() {
        if ($kiln$oid == 0) {
            return super.getHoldCount();
        }
        long[] e = held();
        return e == null ? 0 : (int) e[2];
    }

    /** Shared: held by a thread of this JVM, or (one try of the cluster lock fails) by another JVM. */
    @Override
    public boolean isLocked() {
        if ($kiln$oid == 0) {
            return super.isLocked();
        }
        if (owner != null || held() != null) {
            return true;
        }
        long[] e = Runtime.lockShared($kiln$oid, Sync.WRITE, 0);
        if (e == null) {
            return true;
        }
        Runtime.unlockShared(e);
        return false;
    }

    @Override
    protected Thread getOwner() {
        return $kiln$oid == 0 ? super.getOwner() : owner;
    }

    @Override
    protected Collection<Thread> getQueuedThreads() {
        return $kiln$oid == 0 ? super.getQueuedThreads() : Collections.<Thread>emptyList();
    }

    @Override
    public boolean hasWaiters(Condition c) {
        return super.hasWaiters(KilnCondition.local(c));
    }

    @Override
    public int getWaitQueueLength(Condition c) {
        return super.getWaitQueueLength(KilnCondition.local(c));
    }

    @Override
    protected Collection<Thread> getWaitingThreads(Condition c) {
        return super.getWaitingThreads(KilnCondition.local(c));
    }

    /** The JDK lock itself is held by this thread (taken before the lock was shared). */
    boolean isHeldByCurrentThreadLocally() {
        return super.isHeldByCurrentThread();
    }

    /** Restores this JVM's owner after a cluster wait re-acquired the lock. */
    void reowned() {
        owner = Thread.currentThread();
    }

    /** Before a cluster wait releases the lock. */
    void disowned() {
        owner = null;
    }

    @Override
    public String toString() {
        if ($kiln$oid == 0) {
            return super.toString();
        }
        Thread o = owner;
        String s = super.toString();
        return s.substring(0, s.indexOf('[')) + (o == null ? "[Unlocked here]" : "[Locked by thread " + o.getName() + "]");
    }
}

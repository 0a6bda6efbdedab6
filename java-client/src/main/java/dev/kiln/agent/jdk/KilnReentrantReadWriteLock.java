package dev.kiln.agent.jdk;

import dev.kiln.agent.rt.Runtime;

import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * A {@code java.util.concurrent.locks.ReentrantReadWriteLock} the cluster can share: once shared,
 * {@code readLock()} is the cluster read lock of this object and {@code writeLock()} its cluster
 * write lock (greedy; writes to shared objects made under the write lock are recorded in its
 * transaction). Not shared: the JDK's lock after one field test. Re-entrant per thread on one
 * hold of the cluster lock: a read lock taken while holding the write lock nests in it (the
 * write lock is released with the last of the two, so a downgrade keeps the write lock until the
 * read lock is released too); the write lock requested while holding only the read lock (a
 * deadlock for the JDK) throws IllegalMonitorStateException. Final JDK methods ({@code isFair},
 * {@code hasQueuedThreads}, {@code hasQueuedThread}, {@code getQueueLength}) and the counts not
 * overridden ({@code getReadLockCount}) report the local JDK lock. See docs/agent.md.
 */
public class KilnReentrantReadWriteLock extends ReentrantReadWriteLock implements CondLock {
    private static final long serialVersionUID = 1L;
    private transient long $kiln$oid;
    /** Its write lock's conditions and their wait sets ({@link CondState}). */
    private final transient CondState conds = new CondState();
    private final KilnReadLock reader;
    private final KilnWriteLock writer;

    /** As the JDK's constructor. */
    public KilnReentrantReadWriteLock() {
        this(false);
    }

    /** As the JDK's constructor. */
    public KilnReentrantReadWriteLock(boolean fair) {
        super(fair);
        reader = new KilnReadLock(this);
        writer = new KilnWriteLock(this);
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
        return "java.util.concurrent.locks.ReentrantReadWriteLock";
    }

    @Override
    public List<Object> $kiln$content() {
        return conds.content(); // the lock is the cluster lock of this object; its state: its conditions'
    }

    @Override
    public void $kiln$load(List<Object> content) {
        if (Sync.dirty(this)) {
            return; // changed here under its write lock, not sent yet
        }
        conds.load(content);
    }

    @Override
    public CondState $kiln$conds() {
        return conds;
    }

    @Override
    public ReentrantReadWriteLock.ReadLock readLock() {
        return reader;
    }

    @Override
    public ReentrantReadWriteLock.WriteLock writeLock() {
        return writer;
    }

    private long[] held() {
        return Runtime.heldEntry($kiln$oid);
    }

    private static int level(long[] e) {
        return e.length > 3 ? (int) e[3] : Sync.WRITE; // a synchronized (lock) entry is a write lock
    }

    boolean isWriteHeldLocally() {
        return super.isWriteLockedByCurrentThread();
    }

    private boolean acquire(int level, long timeoutNanos) {
        checkUpgrade(level);
        return Runtime.lockShared($kiln$oid, level, timeoutNanos) != null;
    }

    private void checkUpgrade(int level) {
        long[] e = held();
        if (e != null && level == Sync.WRITE && level(e) != Sync.WRITE) {
            throw new IllegalMonitorStateException("kiln: thread \"" + Thread.currentThread().getName()
                    + "\" asked for the write lock of a shared ReentrantReadWriteLock while holding its read lock"
                    + " (no upgrade: the JDK lock would deadlock here); release the read lock first");
        }
    }

    /** An interrupt ends the wait at once ({@link Runtime#lockSharedInterruptibly}). */
    private void acquireInterruptibly(int level) throws InterruptedException {
        checkUpgrade(level);
        Runtime.lockSharedInterruptibly($kiln$oid, level, -1);
    }

    private boolean acquire(int level, long timeout, TimeUnit unit) throws InterruptedException {
        checkUpgrade(level);
        long deadline = Sync.deadline(timeout, unit);
        return Runtime.lockSharedInterruptibly($kiln$oid, level, Math.max(0, deadline - System.nanoTime())) != null;
    }

    private void release() {
        long[] e = held();
        if (e == null) {
            throw new IllegalMonitorStateException("kiln: unlock of a shared ReentrantReadWriteLock not held by thread \""
                    + Thread.currentThread().getName() + "\"");
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
    public boolean isWriteLocked() {
        if ($kiln$oid == 0) {
            return super.isWriteLocked();
        }
        long[] e = held();
        if (e != null) {
            return level(e) == Sync.WRITE;
        }
        long[] p = Runtime.lockShared($kiln$oid, Sync.READ, 0); // a reader cannot get in while a writer holds it
        if (p == null) {
            return true;
        }
        Runtime.unlockShared(p);
        return false;
    }

    @Override
    public boolean isWriteLockedByCurrentThread() {
        if ($kiln$oid == 0) {
            return super.isWriteLockedByCurrentThread();
        }
        long[] e = held();
        return e != null && level(e) == Sync.WRITE;
    }

    @Override
    public int getWriteHoldCount() {
        if ($kiln$oid == 0) {
            return super.getWriteHoldCount();
        }
        long[] e = held();
        return e != null && level(e) == Sync.WRITE ? (int) e[2] : 0;
    }

    @Override
    public int getReadHoldCount() {
        if ($kiln$oid == 0) {
            return super.getReadHoldCount();
        }
        long[] e = held();
        return e != null && level(e) == Sync.READ ? (int) e[2] : 0;
    }

    /** The read lock: the cluster read lock of the shared lock. */
    public static final class KilnReadLock extends ReentrantReadWriteLock.ReadLock {
        private static final long serialVersionUID = 1L;
        private final KilnReentrantReadWriteLock l;

        KilnReadLock(KilnReentrantReadWriteLock l) {
            super(l);
            this.l = l;
        }

        @Override
        public void lock() {
            if (l.$kiln$oid == 0) {
                super.lock();
            } else {
                l.acquire(Sync.READ, -1);
            }
        }

        @Override
        public void lockInterruptibly() throws InterruptedException {
            if (l.$kiln$oid == 0) {
                super.lockInterruptibly();
            } else {
                l.acquireInterruptibly(Sync.READ);
            }
        }

        @Override
        public boolean tryLock() {
            return l.$kiln$oid == 0 ? super.tryLock() : l.acquire(Sync.READ, 0);
        }

        @Override
        public boolean tryLock(long timeout, TimeUnit unit) throws InterruptedException {
            return l.$kiln$oid == 0 ? super.tryLock(timeout, unit) : l.acquire(Sync.READ, timeout, unit);
        }

        @Override
        public void unlock() {
            if (l.$kiln$oid == 0 || (l.held() == null && l.getLocalReadHoldCount() > 0)) {
                super.unlock();
            } else {
                l.release();
            }
        }
    }

    int getLocalReadHoldCount() {
        return super.getReadHoldCount();
    }

    /** The write lock: the cluster write lock of the shared lock. */
    public static final class KilnWriteLock extends ReentrantReadWriteLock.WriteLock {
        private static final long serialVersionUID = 1L;
        private final KilnReentrantReadWriteLock l;

        KilnWriteLock(KilnReentrantReadWriteLock l) {
            super(l);
            this.l = l;
        }

        @Override
        public void lock() {
            if (l.$kiln$oid == 0) {
                super.lock();
            } else {
                l.acquire(Sync.WRITE, -1);
            }
        }

        @Override
        public void lockInterruptibly() throws InterruptedException {
            if (l.$kiln$oid == 0) {
                super.lockInterruptibly();
            } else {
                l.acquireInterruptibly(Sync.WRITE);
            }
        }

        @Override
        public boolean tryLock() {
            return l.$kiln$oid == 0 ? super.tryLock() : l.acquire(Sync.WRITE, 0);
        }

        @Override
        public boolean tryLock(long timeout, TimeUnit unit) throws InterruptedException {
            return l.$kiln$oid == 0 ? super.tryLock(timeout, unit) : l.acquire(Sync.WRITE, timeout, unit);
        }

        @Override
        public void unlock() {
            if (l.$kiln$oid == 0 || (l.held() == null && l.isWriteHeldLocally())) {
                super.unlock();
            } else {
                l.release();
            }
        }

        @Override
        public Condition newCondition() {
            return new KilnCondition(l, super.newCondition(), KilnReentrantLock.newIndex(l));
        }

        @Override
        public boolean isHeldByCurrentThread() {
            return l.isWriteLockedByCurrentThread();
        }

        @Override
        public int getHoldCount() {
            return l.getWriteHoldCount();
        }
    }
}

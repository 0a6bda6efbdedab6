package dev.kiln.agent.jdk;

import dev.kiln.agent.rt.Runtime;
import dev.kiln.internal.Native;

import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;

/**
 * A {@link Condition} of a {@link KilnReentrantLock} (or of a {@link KilnReentrantReadWriteLock}'s
 * write lock). While its lock is not shared it is the JDK condition it wraps. Once the lock is
 * shared, {@code await} is a cluster wait on the lock (released, woken by a signal from any JVM,
 * the timeout or an interrupt, re-acquired) and {@code signalAll} a cluster notifyAll. The
 * cluster has one wait set per lock: when the lock has a single condition (cluster-wide, the
 * usual case), {@code signal} is a cluster notify of one waiter, as Terracotta's; a waiter whose
 * await ends by timeout or interrupt then passes a notify on (it may have taken the signal:
 * the others see at worst a spurious wake-up, never a lost signal). With several conditions a
 * single notify could wake a waiter of another condition and lose the signal, so {@code signal}
 * wakes every waiter of the lock, which the Condition contract allows as spurious wake-ups. It
 * is itself shareable (a field holding it), as a reference to its lock.
 */
public final class KilnCondition implements Condition, Shared {
    static final String CLASS = "java.util.concurrent.locks.Condition";

    private transient long $kiln$oid;
    /** The lock (a KilnReentrantLock, or a KilnReentrantReadWriteLock for its write lock). */
    private Shared lock;
    /** The JDK condition used while the lock is not shared (null when materialised from the cluster). */
    private final Condition local;

    KilnCondition(Shared lock, Condition local) {
        this.lock = lock;
        this.local = local;
    }

    /** The JDK condition of {@code c} for the JDK's own queries (hasWaiters...). */
    static Condition local(Condition c) {
        return c instanceof KilnCondition && ((KilnCondition) c).local != null ? ((KilnCondition) c).local : c;
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
        return CLASS;
    }

    @Override
    public List<Object> $kiln$content() {
        List<Object> c = new ArrayList<>(2);
        c.add("lock");
        c.add(lock);
        return c;
    }

    @Override
    public void $kiln$load(List<Object> c) {
        for (int i = 0; i + 1 < c.size(); i += 2) {
            if ("lock".equals(c.get(i))) {
                lock = (Shared) c.get(i + 1);
            }
        }
    }

    private boolean shared() {
        return lock != null && lock.$kiln$oid() != 0 && (local == null || !localHeld());
    }

    /** The JDK lock is held (taken before the lock was shared): the JDK condition still applies. */
    private boolean localHeld() {
        if (lock instanceof KilnReentrantLock) {
            return ((KilnReentrantLock) lock).isHeldByCurrentThreadLocally();
        }
        return lock instanceof KilnReentrantReadWriteLock && ((KilnReentrantReadWriteLock) lock).isWriteHeldLocally();
    }

    private long[] held() {
        long[] e = Runtime.heldEntry(lock.$kiln$oid());
        if (e == null || e.length > 3 && e[3] != Sync.WRITE) {
            throw new IllegalMonitorStateException("kiln: a Condition of a shared lock used by thread \""
                    + Thread.currentThread().getName() + "\", which does not hold its write lock");
        }
        return e;
    }

    /** A signal may wake one waiter: the lock has this condition only (see the class comment). */
    private boolean single() {
        return lock instanceof KilnReentrantLock && ((KilnReentrantLock) lock).singleCondition();
    }

    /**
     * One cluster wait until {@code deadline} (Long.MIN_VALUE: none); the wake code. A wait
     * ended by timeout or interrupt passes a notify on when signals wake one waiter.
     */
    private int waitOnce(long deadline) {
        int r = waitOnce0(deadline);
        if (r != 1 && single()) {
            Native.notify(held()[1], false);
        }
        return r;
    }

    private int waitOnce0(long deadline) {
        long[] e = held();
        KilnReentrantLock rl = lock instanceof KilnReentrantLock ? (KilnReentrantLock) lock : null;
        if (rl != null) {
            rl.disowned();
        }
        try {
            return Sync.await(e, deadline);
        } finally {
            if (rl != null) {
                rl.reowned();
            }
        }
    }

    @Override
    public void await() throws InterruptedException {
        if (!shared()) {
            local.await();
            return;
        }
        if (Thread.interrupted()) {
            held();
            throw new InterruptedException();
        }
        if (waitOnce(Long.MIN_VALUE) == Sync.INTERRUPTED) {
            throw new InterruptedException();
        }
    }

    @Override
    public void awaitUninterruptibly() {
        if (!shared()) {
            local.awaitUninterruptibly();
            return;
        }
        boolean interrupted = false;
        while (waitOnce(Long.MIN_VALUE) == Sync.INTERRUPTED) {
            interrupted = true; // keep waiting for a signal
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public long awaitNanos(long nanos) throws InterruptedException {
        if (!shared()) {
            return local.awaitNanos(nanos);
        }
        if (Thread.interrupted()) {
            held();
            throw new InterruptedException();
        }
        long deadline = Sync.deadline(nanos, TimeUnit.NANOSECONDS);
        if (waitOnce(deadline) == Sync.INTERRUPTED) {
            throw new InterruptedException();
        }
        return deadline - System.nanoTime();
    }

    @Override
    public boolean await(long time, TimeUnit unit) throws InterruptedException {
        if (!shared()) {
            return local.await(time, unit);
        }
        return awaitNanos(unit.toNanos(time)) > 0;
    }

    @Override
    public boolean awaitUntil(Date deadline) throws InterruptedException {
        if (!shared()) {
            return local.awaitUntil(deadline);
        }
        return awaitNanos(TimeUnit.MILLISECONDS.toNanos(deadline.getTime() - System.currentTimeMillis())) > 0;
    }

    @Override
    public void signal() {
        if (!shared()) {
            local.signal();
        } else {
            Native.notify(held()[1], !single()); // see the class comment: one wait set per lock
        }
    }

    @Override
    public void signalAll() {
        if (!shared()) {
            local.signalAll();
        } else {
            Native.notify(held()[1], true);
        }
    }
}

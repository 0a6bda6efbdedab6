package dev.kiln.agent.jdk;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A {@code java.util.concurrent.Semaphore} the cluster can share. Not shared: the JDK's
 * semaphore after one field test. Shared: its permits are a cluster map entry changed under the
 * cluster lock of this object (taken by the semaphore itself); an acquire that must wait is a
 * cluster wait on that lock, a release notifies all. Fairness is not kept across JVMs (the
 * cluster lock decides who goes next). See docs/agent.md.
 */
public class KilnSemaphore extends java.util.concurrent.Semaphore implements Shared {
    private static final long serialVersionUID = 1L;
    private transient long $kiln$oid;
    /** The cluster permits while shared. */
    private long permits;

    /** As the JDK's constructor. */
    public KilnSemaphore(int permits) {
        super(permits);
        this.permits = permits;
    }

    /** As the JDK's constructor. */
    public KilnSemaphore(int permits, boolean fair) {
        super(permits, fair);
        this.permits = permits;
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
        return "java.util.concurrent.Semaphore";
    }

    @Override
    public List<Object> $kiln$content() {
        if ($kiln$oid == 0) {
            permits = super.availablePermits(); // being shared: its permits so far
        }
        List<Object> c = new ArrayList<>(2);
        c.add("permits");
        c.add(permits);
        return c;
    }

    @Override
    public void $kiln$load(List<Object> c) {
        if (Sync.dirty(this)) {
            return; // changed here under its write lock, not sent yet: no other JVM can have changed it
        }
        for (int i = 0; i + 1 < c.size(); i += 2) {
            if ("permits".equals(c.get(i))) {
                permits = Sync.num(c.get(i + 1));
            }
        }
    }

    private static void check(int n) {
        if (n < 0) {
            throw new IllegalArgumentException();
        }
    }

    /** Takes {@code n} permits, waiting until {@code deadline}; false on timeout. */
    private boolean take(int n, long deadline, boolean interruptible) throws InterruptedException {
        if (interruptible && Thread.interrupted()) {
            throw new InterruptedException();
        }
        boolean interrupted = false;
        long[] e = Sync.lock(this, Sync.WRITE);
        try {
            while (permits < n) {
                if (deadline != Long.MIN_VALUE && deadline - System.nanoTime() <= 0) {
                    return false;
                }
                int r = Sync.await(this, e, deadline);
                if (r == Sync.INTERRUPTED) {
                    if (interruptible) {
                        throw new InterruptedException();
                    }
                    interrupted = true;
                }
            }
            permits -= n;
            Sync.put(e, this, "permits", permits);
            return true;
        } finally {
            Sync.unlock(this, e);
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void give(int n) {
        long[] e = Sync.lock(this, Sync.WRITE);
        try {
            permits += n;
            Sync.put(e, this, "permits", permits);
            Sync.notifyAll(e);
        } finally {
            Sync.unlock(this, e);
        }
    }

    /** {@code System.nanoTime()} now: a deadline already passed (a try-acquire does not wait). */
    private static long now() {
        long d = System.nanoTime();
        return d == Long.MIN_VALUE ? d + 1 : d;
    }

    @Override
    public void acquire() throws InterruptedException {
        if ($kiln$oid == 0) {
            super.acquire();
        } else {
            take(1, Long.MIN_VALUE, true);
        }
    }

    @Override
    public void acquire(int n) throws InterruptedException {
        if ($kiln$oid == 0) {
            super.acquire(n);
        } else {
            check(n);
            take(n, Long.MIN_VALUE, true);
        }
    }

    @Override
    public void acquireUninterruptibly() {
        if ($kiln$oid == 0) {
            super.acquireUninterruptibly();
        } else {
            takeUninterruptibly(1);
        }
    }

    @Override
    public void acquireUninterruptibly(int n) {
        if ($kiln$oid == 0) {
            super.acquireUninterruptibly(n);
        } else {
            check(n);
            takeUninterruptibly(n);
        }
    }

    private void takeUninterruptibly(int n) {
        try {
            take(n, Long.MIN_VALUE, false);
        } catch (InterruptedException impossible) {
            throw new IllegalStateException(impossible);
        }
    }

    @Override
    public boolean tryAcquire() {
        return $kiln$oid == 0 ? super.tryAcquire() : tryNow(1);
    }

    @Override
    public boolean tryAcquire(int n) {
        if ($kiln$oid == 0) {
            return super.tryAcquire(n);
        }
        check(n);
        return tryNow(n);
    }

    private boolean tryNow(int n) {
        try {
            return take(n, now(), false);
        } catch (InterruptedException impossible) {
            throw new IllegalStateException(impossible);
        }
    }

    @Override
    public boolean tryAcquire(long timeout, TimeUnit unit) throws InterruptedException {
        return $kiln$oid == 0 ? super.tryAcquire(timeout, unit) : take(1, Sync.deadline(timeout, unit), true);
    }

    @Override
    public boolean tryAcquire(int n, long timeout, TimeUnit unit) throws InterruptedException {
        if ($kiln$oid == 0) {
            return super.tryAcquire(n, timeout, unit);
        }
        check(n);
        return take(n, Sync.deadline(timeout, unit), true);
    }

    @Override
    public void release() {
        if ($kiln$oid == 0) {
            super.release();
        } else {
            give(1);
        }
    }

    @Override
    public void release(int n) {
        if ($kiln$oid == 0) {
            super.release(n);
        } else {
            check(n);
            give(n);
        }
    }

    @Override
    public int availablePermits() {
        if ($kiln$oid == 0) {
            return super.availablePermits();
        }
        long[] e = Sync.lock(this, Sync.READ);
        try {
            return (int) permits;
        } finally {
            Sync.unlock(this, e);
        }
    }

    @Override
    public int drainPermits() {
        if ($kiln$oid == 0) {
            return super.drainPermits();
        }
        long[] e = Sync.lock(this, Sync.WRITE);
        try {
            long p = Math.max(0, permits);
            permits -= p;
            Sync.put(e, this, "permits", permits);
            return (int) p;
        } finally {
            Sync.unlock(this, e);
        }
    }

    @Override
    protected void reducePermits(int reduction) {
        if ($kiln$oid == 0) {
            super.reducePermits(reduction);
            return;
        }
        check(reduction);
        long[] e = Sync.lock(this, Sync.WRITE);
        try {
            permits -= reduction;
            Sync.put(e, this, "permits", permits);
        } finally {
            Sync.unlock(this, e);
        }
    }

    @Override
    public String toString() {
        if ($kiln$oid == 0) {
            return super.toString();
        }
        String s = super.toString();
        return s.substring(0, s.indexOf('[')) + "[Permits = " + availablePermits() + "]";
    }
}

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
 * shared, each condition has its own wait set across JVMs, kept in the lock object's state
 * ({@link CondState}: waiter count, FIFO tickets, released mark, cancelled tickets, changed under
 * the lock's cluster write lock): {@code await} takes a ticket and cluster-waits on the lock
 * (released, woken by a notify from any JVM, the timeout or an interrupt, re-acquired) until a
 * signal released its ticket; a wake-up that did not release it (a signal of another condition,
 * another waiter's, spurious) is waited again with the time left. {@code signal} releases the
 * oldest live ticket and sends a cluster notify (of one waiter when that waiter is the only
 * thread of any JVM waiting on the lock, else of all: the cluster has one wait set per lock, and
 * the others re-wait), {@code signalAll} releases every ticket. A timeout or interrupt cancels
 * the ticket (a later signal skips it; a signal that released it first wins: the await returns
 * normally, with the interrupt status set again). A condition of a lock stored by an older agent
 * (no index) keeps the earlier behaviour: signal wakes every waiter. It is itself shareable (a
 * field holding it), as a reference to its lock and its index.
 */
public final class KilnCondition implements Condition, Shared {
    static final String CLASS = "java.util.concurrent.locks.Condition";

    private transient long $kiln$oid;
    /** The lock (a KilnReentrantLock, or a KilnReentrantReadWriteLock for its write lock). */
    private Shared lock;
    /** The JDK condition used while the lock is not shared (null when materialised from the cluster). */
    private final Condition local;
    /** Its number among its lock's conditions (1-based; 0: stored by an older agent, no wait set of its own). */
    private int index;

    KilnCondition(Shared lock, Condition local, int index) {
        this.lock = lock;
        this.local = local;
        this.index = index;
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
        List<Object> c = new ArrayList<>(4);
        c.add("lock");
        c.add(lock);
        c.add("index");
        c.add(index);
        return c;
    }

    @Override
    public void $kiln$load(List<Object> c) {
        for (int i = 0; i + 1 < c.size(); i += 2) {
            if ("lock".equals(c.get(i))) {
                lock = (Shared) c.get(i + 1);
            } else if ("index".equals(c.get(i))) {
                index = (int) Sync.num(c.get(i + 1));
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

    /** The lock's per-condition state, or null (an older agent's condition: one wait set per lock). */
    private CondState state() {
        return index > 0 && lock instanceof CondLock ? ((CondLock) lock).$kiln$conds() : null;
    }

    /** One cluster wait on held entry {@code e} until {@code deadline} (Long.MIN_VALUE: none); the wake code. */
    private int waitOnce(long[] e, long deadline) {
        long left = deadline == Long.MIN_VALUE ? -1 : deadline - System.nanoTime();
        if (deadline != Long.MIN_VALUE && left <= 0) {
            return Sync.TIMED_OUT; // no wait: the hold and what it changed stay as they are
        }
        KilnReentrantLock rl = lock instanceof KilnReentrantLock ? (KilnReentrantLock) lock : null;
        if (rl != null) {
            rl.disowned();
        }
        try {
            // The wait sends this hold's changes; once held again the lock's state is re-read (Sync.await).
            return Sync.awaitFor(lock, e, left);
        } finally {
            if (rl != null) {
                rl.reowned();
            }
        }
    }

    /**
     * The shared await until {@code deadline}: 1 (signalled), {@link Sync#TIMED_OUT} or (when
     * {@code interruptible}) {@link Sync#INTERRUPTED}. See the class comment.
     */
    private int awaitShared(long deadline, boolean interruptible) {
        long[] e = held();
        CondState st = state();
        if (st == null) { // an older agent's condition: one wait, signals wake every waiter
            int r;
            do {
                r = waitOnce(e, deadline);
            } while (r == Sync.INTERRUPTED && !interruptible);
            return r;
        }
        Sync.fresh(lock);
        String w = CondState.waiters(index);
        String q = CondState.tickets(index);
        String rel = CondState.released(index);
        long ticket = st.get(q);
        st.set(e, lock, q, ticket + 1);
        st.set(e, lock, w, st.get(w) + 1);
        boolean interrupted = false;
        while (true) {
            int r = waitOnce(e, deadline);
            if (st.get(rel) > ticket) { // a signal released this ticket: signalled, whatever else woke us
                leave(e, st, -1);
                if (interrupted || r == Sync.INTERRUPTED) {
                    Thread.currentThread().interrupt();
                }
                return 1;
            }
            if (r == Sync.INTERRUPTED && !interruptible) {
                interrupted = true; // keep waiting for a signal
                continue;
            }
            if (r == Sync.INTERRUPTED || r == Sync.TIMED_OUT) {
                leave(e, st, ticket);
                if (interrupted) {
                    Thread.currentThread().interrupt();
                }
                return r;
            }
            // woken by another condition's signal, for another waiter, or spuriously: wait again
        }
    }

    /**
     * This await ends: one waiter less; {@code cancel} (>= 0) is its unreleased ticket, which a
     * later signal skips. The last waiter to leave resets the tickets.
     */
    private void leave(long[] e, CondState st, long cancel) {
        String w = CondState.waiters(index);
        long left = st.get(w) - 1;
        st.set(e, lock, w, Math.max(0, left));
        if (left <= 0) { // no ticket holder left: start again from 0
            st.set(e, lock, CondState.tickets(index), 0);
            st.set(e, lock, CondState.released(index), 0);
            st.removeAll(e, lock, "c:" + index + ":");
        } else if (cancel >= 0) {
            st.set(e, lock, CondState.cancelled(index, cancel), 1);
        }
    }

    /** Releases the oldest live ticket (or all): the notify that wakes its holder is sent at commit. */
    private void release(boolean all) {
        long[] e = held();
        CondState st = state();
        if (st == null) {
            Native.notify(e[1], true);
            return;
        }
        Sync.fresh(lock);
        String rel = CondState.released(index);
        long r = st.get(rel);
        long q = st.get(CondState.tickets(index));
        if (all) {
            if (r < q) {
                st.set(e, lock, rel, q);
                st.removeAll(e, lock, "c:" + index + ":");
                Native.notify(e[1], true);
            }
            return;
        }
        while (r < q) {
            String c = CondState.cancelled(index, r);
            r++;
            if (st.get(c) != 0) {
                st.set(e, lock, c, 0); // skipped: its await ended already
                continue;
            }
            st.set(e, lock, rel, r);
            // One waiter is woken when it is the only thread waiting on the lock; else all, and the others re-wait.
            boolean one = st.get(CondState.waiters(index)) == 1 && st.othersWaiting(index) == 0;
            Native.notify(e[1], !one);
            return;
        }
        st.set(e, lock, rel, r);
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
        if (awaitShared(Long.MIN_VALUE, true) == Sync.INTERRUPTED) {
            throw new InterruptedException();
        }
    }

    @Override
    public void awaitUninterruptibly() {
        if (!shared()) {
            local.awaitUninterruptibly();
            return;
        }
        boolean interrupted = Thread.interrupted();
        awaitShared(Long.MIN_VALUE, false);
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
        if (awaitShared(deadline, true) == Sync.INTERRUPTED) {
            throw new InterruptedException();
        }
        return deadline - System.nanoTime();
    }

    @Override
    public boolean await(long time, TimeUnit unit) throws InterruptedException {
        if (!shared()) {
            return local.await(time, unit);
        }
        if (Thread.interrupted()) {
            held();
            throw new InterruptedException();
        }
        int r = awaitShared(Sync.deadline(time, unit), true);
        if (r == Sync.INTERRUPTED) {
            throw new InterruptedException();
        }
        return r == 1;
    }

    @Override
    public boolean awaitUntil(Date deadline) throws InterruptedException {
        if (!shared()) {
            return local.awaitUntil(deadline);
        }
        return await(deadline.getTime() - System.currentTimeMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void signal() {
        if (!shared()) {
            local.signal();
        } else {
            release(false);
        }
    }

    @Override
    public void signalAll() {
        if (!shared()) {
            local.signalAll();
        } else {
            release(true);
        }
    }
}

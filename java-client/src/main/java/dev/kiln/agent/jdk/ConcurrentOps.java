package dev.kiln.agent.jdk;

import dev.kiln.agent.rt.Runtime;

import java.util.Collection;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * The shared path of the {@code java.util.concurrent} Kiln types: their operations are
 * thread-safe without a user lock, so across JVMs they are too. Each mutator of a shared one
 * takes the object's own cluster write lock (re-entered when held, nested in any other cluster
 * lock the thread holds) and its JVM monitor for that one operation, applies the remote changes
 * that arrived, runs the logical operation (recorded as for the java.util types), and commits at
 * its end. Blocking queue operations wait with a cluster wait on the queue's lock: a producer on
 * one JVM wakes a {@code take()} on another. See docs/agent.md.
 */
final class ConcurrentOps {
    private ConcurrentOps() {}

    private static final int WRITE = 2;

    /**
     * {@code op} under shared {@code s}'s own cluster lock, JVM monitor and guard (one transaction,
     * committed at its end, before the guard is released: a refresh by another thread of this JVM
     * never reloads {@code s} from a cache that lacks this operation).
     */
    static <R> R locked(KilnConcurrent s, Supplier<R> op) {
        long oid = s.$kiln$oid();
        Runtime.enterShared(oid, WRITE);
        synchronized (s) {
            KilnConcurrent.Guard g = s.$kiln$guard();
            g.lock();
            try {
                try {
                    current(s);
                    return op.get();
                } finally {
                    Runtime.exitShared(oid);
                }
            } finally {
                g.unlock();
            }
        }
    }

    /**
     * With {@code s}'s cluster lock and guard held: reloads {@code s} from the client's cache
     * (current for it under its lock) when other JVMs' transactions arrived since this JVM last
     * did so for {@code s}, or a refresh pass skipped it meanwhile; else nothing (one JNI call).
     */
    private static void current(KilnConcurrent s) {
        KilnConcurrent.Guard g = s.$kiln$guard();
        long seen = g.stale ? -2 : g.synced;
        g.stale = false;
        g.synced = Runtime.refreshSince(s, seen);
    }

    /** A cluster wait on held queue {@code q} (0: no timeout), its guard released meanwhile; {@code q} current after. */
    private static void await(KilnQueue<?> q, long millis) throws InterruptedException {
        KilnConcurrent.Guard g = q.$kiln$guard();
        g.unlock();
        try {
            Runtime.objWait(q, millis);
        } finally {
            g.lock();
        }
        current(q);
    }

    static void run(KilnConcurrent s, Runnable op) {
        locked(s, () -> {
            op.run();
            return null;
        });
    }

    // ------------------------------------------------------------------ queues (a logical list, head = 0)

    /** Offer under the held lock: false when full. */
    private static <E> boolean offerHeld(KilnQueue<E> q, E e, String op) {
        return offerHeld(q, e, op, false);
    }

    /** Offer under the held lock at the head ({@code front}, a deque) or the tail: false when full. */
    private static <E> boolean offerHeld(KilnQueue<E> q, E e, String op, boolean front) {
        long t = Jdk.txn(q, op);
        if (q.$kiln$remaining() <= 0) {
            return false;
        }
        e = Jdk.link(t, e, q);
        if (front) {
            ((KilnDeque<E>) q).$kiln$offerFirst(e);
            Jdk.addAt(t, q, 0, e);
        } else {
            q.$kiln$offer(e);
            Jdk.add(t, q, e);
        }
        Runtime.objNotifyAll(q); // sent at commit: wakes take()/poll(timeout) waiters on every JVM
        return true;
    }

    /** Poll under the held lock: null when empty. */
    private static <E> E pollHeld(KilnQueue<E> q, String op) {
        return pollHeld(q, op, false);
    }

    /** Poll under the held lock at the tail ({@code back}, a deque) or the head: null when empty. */
    private static <E> E pollHeld(KilnQueue<E> q, String op, boolean back) {
        long t = Jdk.txn(q, op);
        if (q.isEmpty()) {
            return null;
        }
        if (back) {
            int last = q.size() - 1;
            E e = ((KilnDeque<E>) q).$kiln$pollLast();
            Jdk.removeAt(t, q, last);
            if (q.$kiln$bounded()) {
                Runtime.objNotifyAll(q);
            }
            return e;
        }
        E e = q.$kiln$poll();
        if (q.$kiln$byValue()) {
            Jdk.removeValue(t, q, e);
        } else {
            Jdk.removeAt(t, q, 0);
        }
        if (q.$kiln$bounded()) {
            Runtime.objNotifyAll(q); // a put() waiting for room
        }
        return e;
    }

    static <E> boolean offer(KilnQueue<E> q, E e) {
        Objects.requireNonNull(e);
        return locked(q, () -> offerHeld(q, e, "offer"));
    }

    static <E> boolean add(KilnQueue<E> q, E e) {
        if (offer(q, e)) {
            return true;
        }
        throw new IllegalStateException("Queue full");
    }

    static <E> E poll(KilnQueue<E> q) {
        return locked(q, () -> pollHeld(q, "poll"));
    }

    /** A deque's offerFirst ({@code front}) or offerLast. */
    static <E> boolean offerAt(KilnDeque<E> q, E e, boolean front) {
        Objects.requireNonNull(e);
        return locked(q, () -> offerHeld(q, e, front ? "offerFirst" : "offerLast", front));
    }

    /** A deque's pollLast ({@code back}) or pollFirst. */
    static <E> E pollAt(KilnDeque<E> q, boolean back) {
        return locked(q, () -> pollHeld(q, back ? "pollLast" : "pollFirst", back));
    }

    static <E> E remove(KilnQueue<E> q) {
        E e = poll(q);
        if (e == null) {
            throw new NoSuchElementException();
        }
        return e;
    }

    /** Milliseconds for a cluster wait of {@code nanos} (at least 1: 0 would wait forever). */
    private static long millis(long nanos) {
        return Math.max(1, TimeUnit.NANOSECONDS.toMillis(nanos + 999_999));
    }

    /**
     * put (nanos &lt; 0) or timed offer: waits for room with a cluster wait on the queue's lock.
     * An interrupt throws InterruptedException at once (also when already set on entry).
     */
    static <E> boolean put(KilnQueue<E> q, E e, long nanos) throws InterruptedException {
        return put(q, e, nanos, false);
    }

    /** put/timed offer at the head ({@code front}, a deque's putFirst/offerFirst(timeout)) or the tail. */
    static <E> boolean put(KilnQueue<E> q, E e, long nanos, boolean front) throws InterruptedException {
        Objects.requireNonNull(e);
        if (Thread.interrupted()) {
            throw new InterruptedException();
        }
        long oid = q.$kiln$oid();
        long end = System.nanoTime() + nanos;
        Runtime.enterShared(oid, WRITE);
        synchronized (q) {
            KilnConcurrent.Guard g = q.$kiln$guard();
            g.lock();
            try {
                try {
                    current(q);
                    while (q.$kiln$remaining() <= 0) {
                        if (nanos < 0) {
                            await(q, 0);
                        } else {
                            long left = end - System.nanoTime();
                            if (left <= 0) {
                                return false;
                            }
                            await(q, millis(left));
                        }
                    }
                    return offerHeld(q, e, nanos < 0 ? "put" : "offer", front);
                } finally {
                    Runtime.exitShared(oid);
                }
            } finally {
                g.unlock();
            }
        }
    }

    /** take (nanos &lt; 0) or timed poll (null after the timeout): waits with a cluster wait on the queue's lock. */
    static <E> E take(KilnQueue<E> q, long nanos) throws InterruptedException {
        return take(q, nanos, false);
    }

    /** take/timed poll at the tail ({@code back}, a deque's takeLast/pollLast(timeout)) or the head. */
    static <E> E take(KilnQueue<E> q, long nanos, boolean back) throws InterruptedException {
        if (Thread.interrupted()) {
            throw new InterruptedException();
        }
        long oid = q.$kiln$oid();
        long end = System.nanoTime() + nanos;
        Runtime.enterShared(oid, WRITE);
        synchronized (q) {
            KilnConcurrent.Guard g = q.$kiln$guard();
            g.lock();
            try {
                try {
                    current(q);
                    while (q.isEmpty()) {
                        if (nanos < 0) {
                            await(q, 0);
                        } else {
                            long left = end - System.nanoTime();
                            if (left <= 0) {
                                return null;
                            }
                            await(q, millis(left));
                        }
                    }
                    return pollHeld(q, nanos < 0 ? "take" : "poll", back);
                } finally {
                    Runtime.exitShared(oid);
                }
            } finally {
                g.unlock();
            }
        }
    }

    /** Removes the elements {@code p} matches (only the first when {@code all} is false); true when any. */
    static <E> boolean removeIf(KilnQueue<E> q, Predicate<? super E> p, boolean all, String op) {
        Objects.requireNonNull(p);
        return locked(q, () -> {
            long t = Jdk.txn(q, op);
            boolean changed = false;
            int i = 0;
            for (Iterator<E> it = q.$kiln$iterator(); it.hasNext();) {
                E e = it.next();
                if (p.test(e)) {
                    it.remove();
                    if (q.$kiln$byValue()) {
                        Jdk.removeValue(t, q, e);
                    } else {
                        Jdk.removeAt(t, q, i);
                    }
                    changed = true;
                    if (!all) {
                        break;
                    }
                } else {
                    i++;
                }
            }
            if (changed && q.$kiln$bounded()) {
                Runtime.objNotifyAll(q);
            }
            return changed;
        });
    }

    /** A deque's removeLastOccurrence: the last element equal to {@code o}, by index from the tail. */
    static <E> boolean removeLast(KilnDeque<E> q, Object o) {
        Objects.requireNonNull(o);
        return locked(q, () -> {
            long t = Jdk.txn(q, "removeLastOccurrence");
            int i = q.size() - 1;
            for (Iterator<E> it = q.$kiln$descendingIterator(); it.hasNext(); i--) {
                if (o.equals(it.next())) {
                    it.remove();
                    Jdk.removeAt(t, q, i);
                    if (q.$kiln$bounded()) {
                        Runtime.objNotifyAll(q);
                    }
                    return true;
                }
            }
            return false;
        });
    }

    static <E> void clear(KilnQueue<E> q) {
        run(q, () -> {
            long t = Jdk.txn(q, "clear");
            q.$kiln$clear();
            Jdk.clear(t, q);
            if (q.$kiln$bounded()) {
                Runtime.objNotifyAll(q);
            }
        });
    }

    static <E> int drainTo(KilnQueue<E> q, Collection<? super E> c, int max) {
        Objects.requireNonNull(c);
        if (c == q) {
            throw new IllegalArgumentException();
        }
        return locked(q, () -> {
            int n = 0;
            E e;
            while (n < max && (e = pollHeld(q, "drainTo")) != null) {
                c.add(e);
                n++;
            }
            return n;
        });
    }

    static <E> boolean addAll(KilnQueue<E> q, Collection<? extends E> c) {
        if (c == q) {
            throw new IllegalArgumentException();
        }
        return locked(q, () -> {
            boolean changed = false;
            for (E e : c) {
                Objects.requireNonNull(e);
                if (!offerHeld(q, e, "addAll")) {
                    throw new IllegalStateException("Queue full");
                }
                changed = true;
            }
            return changed;
        });
    }

    /** A weakly consistent iterator over the local queue whose remove() goes through the shared path. */
    static <E> Iterator<E> iterator(KilnQueue<E> q) {
        Iterator<E> raw = q.$kiln$iterator();
        return new Iterator<E>() {
            private E last;

            @Override
            public boolean hasNext() {
                return raw.hasNext();
            }

            @Override
            public E next() {
                E e = raw.next();
                last = e;
                return e;
            }

            @Override
            public void remove() {
                if (last == null) {
                    throw new IllegalStateException();
                }
                E e = last;
                last = null;
                removeIf(q, x -> x == e, false, "iterator.remove");
            }
        };
    }
}

package dev.kiln.agent.rt;

import dev.kiln.internal.Native;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The Java-side mirror of a parked greedy read lease on one shared object's lock
 * (docs/agent.md, "Zero-crossing read re-acquire"). When the outermost release of a read-level
 * hold finds no mirror, it keeps ("parks") its native read hold instead of committing it and
 * marks the mirror valid; while it stays valid, a read-level {@code synchronized} on the object
 * takes a hold by one compare-and-set on {@link #state} (no JNI crossing for the lock) and
 * releases it by one decrement. The parked native hold keeps the client's lock held for them,
 * so the client's own rules still apply: a server recall, or a local acquirer the client cannot
 * grant (a writer of this JVM), waits for it.
 *
 * <p>The parked hold goes back ({@link #revoke}: the mirror is invalidated, then the local
 * mirror holders are waited for, then the native hold is committed) when the daemon
 * {@code kiln-read-leases} sees the client wants the lock back ({@code Native.lockReleaseWanted}:
 * a recall or a local waiter; polled every millisecond), when a non-read acquire of the lock
 * in this JVM starts ({@code Runtime.take}), and when the mirror was not used for about
 * 100 ms (so idle locks are not polled for ever).
 */
final class ReadLease {
    /** {@link #state}: the mirror may be held. */
    static final long VALID = 1L << 40;
    /** {@link #state}: a hold was taken since the daemon last looked. */
    static final long TOUCHED = 1L << 41;
    /** {@link #state}: the number of mirror holders. */
    static final long HOLDERS = (1L << 32) - 1;

    final long oid;
    /** The client's lock handle ({@code Native.lockObjectHandle}). */
    final long handle;
    /** VALID | TOUCHED | holders. Holders only grow while VALID. */
    final AtomicLong state = new AtomicLong();
    /** The parked native read hold (a transaction handle), 0 when none. Guarded by this. */
    private long parked;
    /** Mirror holds taken (racy: a lower bound; {@code Runtime.readLeaseHolds}). */
    long holds;
    /** Daemon sweeps since the mirror was last used (daemon thread only). */
    private int idle;

    ReadLease(long oid, long handle) {
        this.oid = oid;
        this.handle = handle;
    }

    /** Takes a mirror hold: false when the mirror is not valid (take the lock natively). */
    boolean tryHold() {
        while (true) {
            long s = state.get();
            if ((s & VALID) == 0) {
                return false;
            }
            if (state.compareAndSet(s, (s + 1) | TOUCHED)) {
                holds++;
                return true;
            }
        }
    }

    /** Leaves a mirror hold; the last one out of an invalidated mirror wakes its revoker. */
    void unhold() {
        long s = state.decrementAndGet();
        if ((s & (VALID | HOLDERS)) == 0) {
            synchronized (this) {
                notifyAll();
            }
        }
    }

    /**
     * At the outermost release of a plain native read hold {@code txn} of this lock: keeps it
     * as the mirror's parked hold when there is none (true: the caller must not commit it).
     */
    boolean park(long txn) {
        synchronized (this) {
            if (parked != 0) {
                return false;
            }
            parked = txn;
            idle = 0;
            state.getAndUpdate(s -> s | VALID | TOUCHED);
            // Under this monitor, as revoke's unwatch: a revoke that took the previous parked
            // hold cannot unwatch this one.
            Daemon.watch(this);
        }
        return true;
    }

    /**
     * Invalidates the mirror, waits until its holders left and commits the parked hold (the
     * client then answers a pending recall or grants its local waiter). Idempotent.
     */
    void revoke() {
        long t;
        boolean interrupted = false;
        synchronized (this) {
            state.getAndUpdate(s -> s & ~VALID);
            while ((state.get() & HOLDERS) != 0) {
                try {
                    wait(10);
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            t = parked;
            parked = 0;
            if (t != 0) {
                Daemon.unwatch(this);
            }
        }
        if (t != 0) {
            Native.commit(t);
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** Whether the mirror is valid now. */
    boolean valid() {
        return (state.get() & VALID) != 0;
    }

    /** The daemon's look at a parked lease: true when it should go back. */
    private boolean unwanted() {
        if (Native.lockReleaseWanted(handle)) {
            return true;
        }
        long s = state.get();
        if ((s & TOUCHED) != 0) {
            state.getAndUpdate(x -> x & ~TOUCHED);
            idle = 0;
            return false;
        }
        return ++idle >= 100 && (s & HOLDERS) == 0;
    }

    /**
     * {@code kiln-read-leases}: every millisecond while some lease is parked, gives back those
     * the client wants back (a recall, a local waiter) or that went unused for ~100 ms.
     */
    static final class Daemon implements Runnable {
        private static final Set<ReadLease> PARKED = ConcurrentHashMap.newKeySet();
        private static final Object WAKE = new Object();
        private static Thread thread;

        static void watch(ReadLease l) {
            PARKED.add(l);
            synchronized (WAKE) {
                if (thread == null) {
                    thread = new Thread(new Daemon(), "kiln-read-leases");
                    thread.setDaemon(true);
                    thread.start();
                }
                WAKE.notifyAll();
            }
        }

        static void unwatch(ReadLease l) {
            PARKED.remove(l);
        }

        @Override
        public void run() {
            while (true) {
                try {
                    synchronized (WAKE) {
                        while (PARKED.isEmpty()) {
                            WAKE.wait();
                        }
                    }
                    Thread.sleep(1);
                    for (ReadLease l : PARKED) {
                        if (l.unwanted()) {
                            l.revoke();
                        }
                    }
                } catch (InterruptedException e) {
                    return;
                } catch (RuntimeException e) {
                    // A failed commit (client closed): the lease is forgotten; keep serving others.
                    System.err.println("kiln: read lease: " + e);
                }
            }
        }
    }
}

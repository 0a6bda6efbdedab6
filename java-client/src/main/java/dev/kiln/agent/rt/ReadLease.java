package dev.kiln.agent.rt;

import dev.kiln.internal.Native;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The Java-side mirror of a parked greedy read lease on one shared object's lock
 * (docs/agent.md, "Zero-crossing read re-acquire"). When the outermost release of a read-level
 * hold finds no mirror, it keeps ("parks") its native read hold instead of committing it and
 * marks the mirror valid; while it stays valid, a read-level {@code synchronized} on the object
 * takes a hold by one increment of its thread's holder cell (no JNI crossing for the lock) and
 * releases it by one decrement. The parked native hold keeps the client's lock held for them,
 * so the client's own rules still apply: a server recall, or a local acquirer the client cannot
 * grant (a writer of this JVM), waits for it.
 *
 * <p>The parked hold goes back ({@link #revoke}: the mirror is invalidated, then the local
 * mirror holders are waited for, then the native hold is committed) when the daemon
 * {@code kiln-read-leases} is woken by the client's recall path or a queued local acquirer
 * ({@code Native.awaitReleaseWanted}, for locks marked by {@code Native.lockParked}), when a
 * non-read acquire of the lock in this JVM starts ({@code Runtime.take}), and when the mirror
 * was not used for 100–200 ms (idle sweep).
 */
final class ReadLease {
    /**
     * Holder counts are striped (one padded cell per stripe; a thread always uses its own
     * stripe, {@link #stripe}), so readers of one object on different cores do not contend on
     * one cache line; the lease's validity is one volatile flag readers only read.
     */
    static final int STRIPES = stripes();
    /** Longs per cell: 128 bytes, two cache lines (adjacent-line prefetch). */
    private static final int PAD = 16;

    private static int stripes() {
        int n = Integer.highestOneBit(Math.max(1, java.lang.Runtime.getRuntime().availableProcessors()) * 2 - 1) * 2;
        return Math.max(2, Math.min(32, n));
    }

    private static final AtomicInteger NEXT_STRIPE = new AtomicInteger();

    /** A stripe for a new thread (round robin). */
    static int stripe() {
        return NEXT_STRIPE.getAndIncrement() & (STRIPES - 1);
    }

    final long oid;
    /** The client's lock handle ({@code Native.lockObjectHandle}). */
    final long handle;
    /** The mirror may be held (set by {@link #park}, cleared by {@link #revoke}). */
    private volatile boolean valid;
    /** A hold was taken since the daemon last looked (written only when false: read-mostly). */
    private volatile boolean touched;
    /** Mirror holders per stripe (cell {@code stripe * PAD}). */
    private final AtomicLongArray holders = new AtomicLongArray(STRIPES * PAD);
    /** The parked native read hold (a transaction handle), 0 when none. Guarded by this. */
    private long parked;
    /** Mirror holds taken (racy: a lower bound; {@code Runtime.readLeaseHolds}). */
    long holds() {
        long n = 0;
        for (int i = 0; i < STRIPES; i++) {
            n += holders.get(i * PAD + 1);
        }
        return n;
    }

    ReadLease(long oid, long handle) {
        this.oid = oid;
        this.handle = handle;
    }

    /**
     * Takes a mirror hold on stripe {@code s}: false when the mirror is not valid (take the
     * lock natively). The count is raised before the flag is read, and {@link #revoke} clears
     * the flag before it reads the counts (all volatile: one total order), so either the
     * revoker sees this holder or this holder sees the mirror invalid.
     */
    boolean tryHold(int s) {
        if (!valid) {
            return false;
        }
        holders.getAndIncrement(s * PAD);
        if (valid) {
            if (!touched) {
                touched = true;
            }
            int c = s * PAD + 1; // this stripe's count of holds (racy between threads sharing a stripe)
            holders.lazySet(c, holders.get(c) + 1);
            return true;
        }
        unhold(s);
        return false;
    }

    /** Leaves a mirror hold of stripe {@code s}; while a revoke waits, wakes it. */
    void unhold(int s) {
        holders.getAndDecrement(s * PAD);
        if (!valid) {
            synchronized (this) {
                notifyAll();
            }
        }
    }

    private long holderCount() {
        long n = 0;
        for (int i = 0; i < STRIPES; i++) {
            n += holders.get(i * PAD);
        }
        return n;
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
            // Marked before the mirror is valid, under the client's lock state mutex: a recall
            // or local waiter either is reported here (then the hold is not parked) or will
            // wake the daemon (Native.awaitReleaseWanted).
            if (Native.lockParked(handle, true)) {
                Native.lockParked(handle, false);
                return false;
            }
            parked = txn;
            touched = true;
            valid = true;
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
            valid = false;
            while (holderCount() != 0) {
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
                Native.lockParked(handle, false);
            }
        }
        if (t != 0) {
            Native.commit(t);
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** The daemon's idle sweep (every ~100 ms): true when unused since the previous sweep. */
    private boolean idle() {
        if (touched) {
            touched = false;
            return false;
        }
        return holderCount() == 0;
    }

    /**
     * {@code kiln-read-leases}: while some lease is parked, waits in the client
     * ({@code Native.awaitReleaseWanted}: woken by a recall or a queued local acquirer of a
     * parked lock, at most 100 ms) and gives back the leases the client wants back
     * ({@code Native.lockReleaseWanted}); every ~100 ms also those unused since the last sweep.
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
            long seen = 0;
            long sweep = System.nanoTime();
            while (true) {
                try {
                    synchronized (WAKE) {
                        while (PARKED.isEmpty()) {
                            WAKE.wait();
                        }
                    }
                    seen = Native.awaitReleaseWanted(Runtime.clientHandle(), seen, 100);
                    boolean idleSweep = System.nanoTime() - sweep >= 100_000_000L;
                    for (ReadLease l : PARKED) {
                        if (Native.lockReleaseWanted(l.handle) || idleSweep && l.idle()) {
                            l.revoke();
                        }
                    }
                    if (idleSweep) {
                        sweep = System.nanoTime();
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

package dev.kiln.agent.jdk;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A {@code java.util.concurrent.CyclicBarrier} the cluster can share: the parties of every JVM
 * that awaits it count. Not shared: the JDK's barrier after one field test. Shared: its state —
 * parties, the barrier action (an instrumented object, shared by reference), the generation, the
 * parties waiting in it, the generation last broken and, per generation that ended with parties
 * still to leave it, how many and whether it tripped or was reset — is a cluster map changed
 * under the cluster lock of this object (taken by the barrier itself). A waiting party is a
 * cluster waiter of that lock; the last party to arrive runs the action on its own JVM, starts
 * the next generation and notifies all. See docs/agent.md.
 */
public class KilnCyclicBarrier extends java.util.concurrent.CyclicBarrier implements Shared {
    private transient long $kiln$oid;

    // Cluster state while shared (loaded by $kiln$load, changed under the cluster lock).
    private int parties;
    private Runnable action;
    private long gen;
    private int waiting;
    private long brokenGen = -1;
    /** Generation -> parties still to leave it * 2 + 1 if it was reset (broken). */
    private final Map<Long, Long> ends = new HashMap<>();
    /**
     * Client id -> its parties waiting in the current generation ("w:ID" in the cluster map): a
     * party whose JVM died is taken out of the count by the next party that arrives, as if it had
     * never come (see docs/agent.md).
     */
    private final Map<Long, Long> waiters = new HashMap<>();

    /** As the JDK's constructor. */
    public KilnCyclicBarrier(int parties, Runnable barrierAction) {
        super(parties, barrierAction);
        this.parties = parties;
        this.action = barrierAction;
    }

    /** As the JDK's constructor. */
    public KilnCyclicBarrier(int parties) {
        this(parties, null);
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
        return "java.util.concurrent.CyclicBarrier";
    }

    @Override
    public List<Object> $kiln$content() {
        List<Object> c = new ArrayList<>();
        if ($kiln$oid == 0) { // being shared: the JDK barrier's state (its waiting parties are this JVM's own)
            gen = 0;
            waiting = 0;
            brokenGen = super.isBroken() ? 0 : -1;
            ends.clear();
            waiters.clear();
        }
        c.add("parties");
        c.add((long) parties);
        c.add("action");
        c.add(action);
        c.add("gen");
        c.add(gen);
        c.add("waiting");
        c.add((long) waiting);
        c.add("brokenGen");
        c.add(brokenGen);
        for (Map.Entry<Long, Long> en : ends.entrySet()) {
            c.add("end:" + en.getKey());
            c.add(en.getValue());
        }
        for (Map.Entry<Long, Long> en : waiters.entrySet()) {
            c.add("w:" + en.getKey());
            c.add(en.getValue());
        }
        return c;
    }

    @Override
    public void $kiln$load(List<Object> c) {
        if (Sync.dirty(this)) {
            return; // changed here under its write lock, not sent yet: no other JVM can have changed it
        }
        ends.clear();
        waiters.clear();
        for (int i = 0; i + 1 < c.size(); i += 2) {
            String k = (String) c.get(i);
            Object v = c.get(i + 1);
            switch (k) {
                case "parties":
                    parties = (int) Sync.num(v);
                    break;
                case "action":
                    action = (Runnable) v;
                    break;
                case "gen":
                    gen = Sync.num(v);
                    break;
                case "waiting":
                    waiting = (int) Sync.num(v);
                    break;
                case "brokenGen":
                    brokenGen = Sync.num(v);
                    break;
                default:
                    if (k.startsWith("end:")) {
                        ends.put(Long.parseLong(k.substring(4)), Sync.num(v));
                    } else if (k.startsWith("w:")) {
                        waiters.put(Long.parseLong(k.substring(2)), Sync.num(v));
                    }
            }
        }
    }

    @Override
    public int getParties() {
        return $kiln$oid == 0 ? super.getParties() : parties;
    }

    @Override
    public int await() throws InterruptedException, BrokenBarrierException {
        if ($kiln$oid == 0) {
            return super.await();
        }
        try {
            return sharedAwait(Long.MIN_VALUE);
        } catch (TimeoutException e) {
            throw new IllegalStateException("kiln: an untimed barrier wait timed out", e);
        }
    }

    @Override
    public int await(long timeout, TimeUnit unit) throws InterruptedException, BrokenBarrierException, TimeoutException {
        if ($kiln$oid == 0) {
            return super.await(timeout, unit);
        }
        return sharedAwait(Sync.deadline(timeout, unit));
    }

    @Override
    public boolean isBroken() {
        if ($kiln$oid == 0) {
            return super.isBroken();
        }
        long[] e = Sync.lock(this, Sync.READ);
        try {
            return brokenGen == gen;
        } finally {
            Sync.unlock(this, e);
        }
    }

    @Override
    public int getNumberWaiting() {
        if ($kiln$oid == 0) {
            return super.getNumberWaiting();
        }
        long[] e = Sync.lock(this, Sync.READ);
        try {
            return brokenGen == gen ? 0 : waiting - (int) deadWaiting(dev.kiln.agent.rt.Runtime.liveClients());
        } finally {
            Sync.unlock(this, e);
        }
    }

    @Override
    public void reset() {
        if ($kiln$oid == 0) {
            super.reset();
            return;
        }
        long[] e = Sync.lock(this, Sync.WRITE);
        try {
            if (waiting > 0) { // they leave with BrokenBarrierException
                ends.put(gen, waiting * 2L + 1);
                Sync.put(e, this, "end:" + gen, waiting * 2L + 1);
            }
            gen++;
            waiting = 0;
            clearWaiters(e);
            Sync.put(e, this, "gen", gen);
            Sync.put(e, this, "waiting", 0L);
            Sync.notifyAll(e);
        } finally {
            Sync.unlock(this, e);
        }
    }

    private int sharedAwait(long deadline) throws InterruptedException, BrokenBarrierException, TimeoutException {
        long[] e = Sync.lock(this, Sync.WRITE);
        try {
            if (brokenGen == gen) {
                throw new BrokenBarrierException();
            }
            if (Thread.interrupted()) {
                breakBarrier(e);
                throw new InterruptedException();
            }
            purgeDead(e);
            long g = gen;
            int index = parties - 1 - waiting;
            if (index <= 0) { // the last party: trips the barrier
                boolean ran = false;
                try {
                    if (action != null) {
                        action.run();
                    }
                    ran = true;
                } finally {
                    if (!ran) {
                        breakBarrier(e);
                    }
                }
                if (waiting > 0) {
                    ends.put(g, waiting * 2L);
                    Sync.put(e, this, "end:" + g, waiting * 2L);
                }
                gen = g + 1;
                waiting = 0;
                clearWaiters(e);
                Sync.put(e, this, "gen", gen);
                Sync.put(e, this, "waiting", 0L);
                Sync.notifyAll(e);
                return 0;
            }
            waiting++;
            Sync.put(e, this, "waiting", (long) waiting);
            long me = dev.kiln.agent.rt.Runtime.clientId();
            long mine = waiters.getOrDefault(me, 0L) + 1;
            waiters.put(me, mine);
            Sync.put(e, this, "w:" + me, mine);
            for (;;) {
                int r = Sync.await(this, e, deadline); // remote changes applied: the fields are current
                if (gen != g) {
                    if (r == Sync.INTERRUPTED) {
                        Thread.currentThread().interrupt(); // the generation ended first: keep the interrupt
                    }
                    if (leaveEnded(e, g)) {
                        throw new BrokenBarrierException();
                    }
                    return index;
                }
                if (brokenGen == g) {
                    if (r == Sync.INTERRUPTED) {
                        Thread.currentThread().interrupt();
                    }
                    leave(e);
                    throw new BrokenBarrierException();
                }
                if (r == Sync.INTERRUPTED) {
                    leave(e);
                    breakBarrier(e);
                    throw new InterruptedException();
                }
                if (r == Sync.TIMED_OUT && deadline != Long.MIN_VALUE && deadline - System.nanoTime() <= 0) {
                    leave(e);
                    breakBarrier(e);
                    throw new TimeoutException();
                }
            }
        } finally {
            Sync.unlock(this, e);
        }
    }

    /** A party of the current generation leaves it (broken). */
    private void leave(long[] e) {
        waiting--;
        Sync.put(e, this, "waiting", (long) waiting);
        long me = dev.kiln.agent.rt.Runtime.clientId();
        Long mine = waiters.get(me);
        if (mine != null && mine > 1) {
            waiters.put(me, mine - 1);
            Sync.put(e, this, "w:" + me, mine - 1);
        } else if (mine != null) {
            waiters.remove(me);
            Sync.remove(e, this, "w:" + me);
        }
    }

    /** The generation ended: no party waits in the new one. */
    private void clearWaiters(long[] e) {
        for (Long id : waiters.keySet()) {
            Sync.remove(e, this, "w:" + id);
        }
        waiters.clear();
    }

    /** Parties of the current generation whose JVM is no longer in the cluster. */
    private long deadWaiting(java.util.Set<Long> live) {
        long n = 0;
        for (Map.Entry<Long, Long> en : waiters.entrySet()) {
            if (!live.contains(en.getKey())) {
                n += en.getValue();
            }
        }
        return n;
    }

    /**
     * Takes the parties of JVMs that left the cluster (killed, or stopped while waiting) out of
     * the current generation, as if they had never arrived: a restarted JVM joins the barrier
     * again instead of finding it tripped early by a party that is gone, or waiting for ever.
     */
    private void purgeDead(long[] e) {
        if (waiters.isEmpty()) {
            return;
        }
        java.util.Set<Long> live = dev.kiln.agent.rt.Runtime.liveClients();
        java.util.Iterator<Map.Entry<Long, Long>> it = waiters.entrySet().iterator();
        boolean changed = false;
        while (it.hasNext()) {
            Map.Entry<Long, Long> en = it.next();
            if (!live.contains(en.getKey())) {
                waiting -= (int) (long) en.getValue();
                Sync.remove(e, this, "w:" + en.getKey());
                it.remove();
                changed = true;
            }
        }
        if (changed) {
            if (waiting < 0) {
                waiting = 0;
            }
            Sync.put(e, this, "waiting", (long) waiting);
        }
    }

    /** A party of ended generation {@code g} leaves it; true when that generation was reset (broken). */
    private boolean leaveEnded(long[] e, long g) {
        Long v = ends.get(g);
        if (v == null) {
            return false; // not recorded: it tripped with this party counted (cannot happen) — pass
        }
        long left = v / 2 - 1;
        boolean broken = (v & 1) != 0;
        if (left <= 0) {
            ends.remove(g);
            Sync.remove(e, this, "end:" + g);
        } else {
            ends.put(g, left * 2 + (broken ? 1 : 0));
            Sync.put(e, this, "end:" + g, left * 2 + (broken ? 1 : 0));
        }
        return broken;
    }

    private void breakBarrier(long[] e) {
        brokenGen = gen;
        Sync.put(e, this, "brokenGen", gen);
        Sync.notifyAll(e);
    }

    @Override
    public String toString() {
        return $kiln$oid == 0 ? super.toString() : super.toString() + "[shared, parties = " + parties + "]";
    }
}

package demo.bb;

import java.util.ArrayList;
import java.util.List;

/**
 * Modes:
 * <ul>
 * <li>{@code run NAME FROM N TAKES}: a producer thread puts FROM..FROM+N-1 into the shared
 *     4-slot buffer while a consumer thread takes TAKES items (either may be 0); prints
 *     "app: NAME took K" and the values taken, in order, on the next line;</li>
 * <li>{@code runrw NAME FROM N TAKES}: the same with a 3-slot buffer guarded by the write lock of a
 *     ReentrantReadWriteLock and its conditions (its size read under the read lock);</li>
 * <li>{@code wait}: two threads await condition {@code a} and one condition {@code b} of one
 *     shared lock, each counting its return (no predicate: every return of await is counted);</li>
 * <li>{@code signal}: once all three wait, signal() a once, then signalAll() a, then signal() b,
 *     printing after each (and a pause in which a wrongly woken waiter would have counted) how many
 *     of each returned.</li>
 * <li>{@code tickets}: on condition {@code a}, t1 awaits 3 s (times out), t2 awaits, t3 awaits and
 *     is interrupted; then (phase 1) t2 must be the one {@code tickets-signal}'s signal wakes (the
 *     cancelled tickets skipped); then t4 awaits (phase 2);</li>
 * <li>{@code tickets-signal}: at phase 1 signals a once; at phase 2 signals a and then awaits a
 *     itself for 2 s in the same hold: its own signal must wake t4, not itself; prints the log.</li>
 * </ul>
 */
public class Main {
    static BoundedBuffer buffer = new BoundedBuffer(4);
    static Gate gate = new Gate();
    static RwBuffer rwBuffer = new RwBuffer(3);

    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "run":
                run(args[1], Integer.parseInt(args[2]), Integer.parseInt(args[3]), Integer.parseInt(args[4]));
                break;
            case "runrw":
                runrw(args[1], Integer.parseInt(args[2]), Integer.parseInt(args[3]), Integer.parseInt(args[4]));
                break;
            case "wait":
                waitBoth();
                break;
            case "signal":
                signal();
                break;
            case "tickets":
                tickets();
                break;
            case "tickets-signal":
                ticketsSignal();
                break;
            default:
                throw new IllegalArgumentException(args[0]);
        }
    }

    static void run(String name, int from, int n, int takes) throws Exception {
        BoundedBuffer b = buffer;
        List<Object> got = new ArrayList<>();
        Thread producer = new Thread(() -> {
            try {
                for (int i = 0; i < n; i++) {
                    b.put(from + i);
                }
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        Thread consumer = new Thread(() -> {
            try {
                for (int i = 0; i < takes; i++) {
                    got.add(b.take());
                }
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        producer.start();
        consumer.start();
        producer.join();
        consumer.join();
        System.out.println("app: " + name + " took " + got.size());
        StringBuilder s = new StringBuilder();
        for (Object o : got) {
            s.append(s.length() == 0 ? "" : ",").append(o);
        }
        System.out.println(s);
    }

    /** {@code run} with {@link RwBuffer} (the conditions of a ReentrantReadWriteLock's write lock). */
    static void runrw(String name, int from, int n, int takes) throws Exception {
        RwBuffer b = rwBuffer;
        List<Object> got = new ArrayList<>();
        Thread producer = new Thread(() -> {
            try {
                for (int i = 0; i < n; i++) {
                    b.put(from + i);
                }
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        producer.start();
        for (int i = 0; i < takes; i++) {
            got.add(b.take());
        }
        producer.join();
        System.out.println("app: " + name + " took " + got.size() + " left " + b.size());
        StringBuilder s = new StringBuilder();
        for (Object o : got) {
            s.append(s.length() == 0 ? "" : ",").append(o);
        }
        System.out.println(s);
    }

    static void waitBoth() throws Exception {
        Gate g = gate;
        Thread[] ts = new Thread[3];
        for (int i = 0; i < ts.length; i++) {
            boolean onA = i < 2;
            ts[i] = new Thread(() -> {
                g.lock.lock();
                try {
                    if (onA) {
                        g.waitingA++;
                        g.a.await();
                        g.returnedA++;
                    } else {
                        g.waitingB++;
                        g.b.await();
                        g.returnedB++;
                    }
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                } finally {
                    g.lock.unlock();
                }
            });
            ts[i].start();
        }
        for (Thread t : ts) {
            t.join(60_000);
        }
        System.out.println("app: all waiters returned");
    }

    static void signal() throws Exception {
        Gate g = gate;
        await(() -> g.waitingA == 2 && g.waitingB == 1);
        StringBuilder out = new StringBuilder("app:");
        step(g, out, "signal a", () -> g.a.signal(), () -> g.returnedA >= 1);
        step(g, out, "signalAll a", () -> g.a.signalAll(), () -> g.returnedA >= 2);
        step(g, out, "signal b", () -> g.b.signal(), () -> g.returnedB >= 1);
        System.out.println(out);
    }

    static void tickets() throws Exception {
        Gate g = gate;
        Thread t1 = waiter(g, () -> {
            g.waitingA++;
            boolean ok = g.a.await(3, java.util.concurrent.TimeUnit.SECONDS);
            g.log += " t1=" + (ok ? "signalled" : "timeout");
        });
        await(() -> g.waitingA == 1);
        Thread t2 = waiter(g, () -> {
            g.waitingA++;
            g.a.await();
            g.log += " t2=signalled";
        });
        await(() -> g.waitingA == 2);
        Thread t3 = waiter(g, () -> {
            g.waitingA++;
            try {
                g.a.await();
                g.log += " t3=signalled";
            } catch (InterruptedException e) {
                g.log += " t3=interrupted";
            }
        });
        await(() -> g.waitingA == 3);
        t3.interrupt();
        t3.join(30_000);
        t1.join(30_000);
        locked(g, () -> g.phase = 1);
        t2.join(30_000);
        Thread t4 = waiter(g, () -> {
            g.phase = 2;
            g.a.await();
            g.log += " t4=signalled";
        });
        t4.join(60_000);
        System.out.println("app: tickets done");
    }

    static void ticketsSignal() throws Exception {
        Gate g = gate;
        await(() -> g.phase == 1);
        locked(g, () -> g.a.signal());
        await(() -> g.log.contains("t2") && g.phase == 2);
        locked(g, () -> {
            g.a.signal();
            boolean self = g.a.await(2, java.util.concurrent.TimeUnit.SECONDS);
            g.log += " self=" + (self ? "signalled" : "timeout");
        });
        await(() -> g.log.contains("t4"));
        g.lock.lock();
        try {
            System.out.println("app:" + g.log);
        } finally {
            g.lock.unlock();
        }
    }

    interface Body {
        void run() throws InterruptedException;
    }

    static void locked(Gate g, Body body) throws InterruptedException {
        g.lock.lock();
        try {
            body.run();
        } finally {
            g.lock.unlock();
        }
    }

    /** A started thread running {@code body} under the gate's lock. */
    static Thread waiter(Gate g, Body body) {
        Thread t = new Thread(() -> {
            try {
                locked(g, body);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        t.start();
        return t;
    }

    /** Signals under the lock, waits until {@code done} (30 s at most) and 1.5 s more, appends the counts. */
    static void step(Gate g, StringBuilder out, String what, Runnable signal, java.util.function.BooleanSupplier done)
            throws Exception {
        g.lock.lock();
        try {
            signal.run();
        } finally {
            g.lock.unlock();
        }
        await(done);
        Thread.sleep(1500); // a waiter wrongly woken by this signal would have counted by now
        g.lock.lock();
        try {
            out.append(" after ").append(what).append(": a ").append(g.returnedA).append(" b ").append(g.returnedB).append(';');
        } finally {
            g.lock.unlock();
        }
    }

    static void await(java.util.function.BooleanSupplier cond) throws InterruptedException {
        Gate g = gate;
        long end = System.currentTimeMillis() + 30_000;
        while (System.currentTimeMillis() < end) {
            g.lock.lock();
            try {
                if (cond.getAsBoolean()) {
                    return;
                }
            } finally {
                g.lock.unlock();
            }
            Thread.sleep(20);
        }
    }
}

package demo.signal;

/**
 * Condition.signal() across JVMs wakes one waiter, signalAll() the rest (a lock with one
 * condition, as Terracotta's signal = notify). The "wait" JVM parks two threads in await(); the
 * "signal" JVM waits until both wait, signals once, reports how many woke a while later, then
 * signals all.
 */
public class Main {
    static Gate gate = new Gate();

    public static void main(String[] args) throws Exception {
        Gate g = gate;
        if (args[0].equals("wait")) {
            Thread[] ts = new Thread[2];
            for (int i = 0; i < ts.length; i++) {
                ts[i] = new Thread(() -> {
                    g.lock.lock();
                    try {
                        g.waiting++;
                        g.opened.await(); // no predicate on purpose: each return of await is counted
                        g.woken++;
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
            System.out.println("app: both waiters returned");
            return;
        }
        long end = System.currentTimeMillis() + 60_000;
        while (count(g, false) < 2 && System.currentTimeMillis() < end) {
            Thread.sleep(20);
        }
        g.lock.lock();
        try {
            g.opened.signal();
        } finally {
            g.lock.unlock();
        }
        end = System.currentTimeMillis() + 30_000;
        while (count(g, true) < 1 && System.currentTimeMillis() < end) {
            Thread.sleep(20);
        }
        Thread.sleep(1500); // a second waiter woken by this signal would have counted by now
        System.out.println("app: after signal, woken " + count(g, true));
        g.lock.lock();
        try {
            g.opened.signalAll();
        } finally {
            g.lock.unlock();
        }
        end = System.currentTimeMillis() + 30_000;
        while (count(g, true) < 2 && System.currentTimeMillis() < end) {
            Thread.sleep(20);
        }
        System.out.println("app: after signalAll, woken " + count(g, true));
    }

    static int count(Gate g, boolean woken) {
        g.lock.lock();
        try {
            return woken ? g.woken : g.waiting;
        } finally {
            g.lock.unlock();
        }
    }
}

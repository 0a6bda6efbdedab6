package demo.readers;

import java.util.concurrent.atomic.AtomicInteger;

/** The shared object: two counters a writer keeps equal. */
public class Board {
    int a;
    int b;

    /** A read-level synchronized method: arrives and waits (bounded) until {@code n} threads are inside. */
    synchronized boolean readTogether(AtomicInteger inside, int n, long millis) {
        return Main.arriveAndWait(inside, n, millis);
    }

    /** A read-level synchronized method nested in a write-level block of the same object. */
    synchronized int readSum() {
        return a + b;
    }
}

package demo.coordination;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.Semaphore;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * The shared coordination state: a barrier of three parties, a latch of three, a lock with a
 * condition guarding a counter and the per-round arrivals, and a two-party barrier for the
 * timeout and interrupt demonstrations. No synchronized anywhere: the java.util.concurrent
 * types coordinate the JVMs themselves.
 */
public class Coordinator {
    static final int NODES = 3;

    final CyclicBarrier barrier = new CyclicBarrier(NODES, new RoundAction(this));
    final CountDownLatch finished = new CountDownLatch(NODES);
    final ReentrantLock lock = new ReentrantLock();
    final Condition changed = lock.newCondition();
    final int[] arrived = new int[64];
    int counter;
    int trips;
    final CyclicBarrier pair = new CyclicBarrier(2);
    /** Three parties, no action: the "gate" mode (a JVM killed while waiting here is not counted). */
    final CyclicBarrier gate = new CyclicBarrier(NODES);
    /** At most two nodes at a time in the "inside" section. */
    final Semaphore permits = new Semaphore(2);
    int inside;
    int maxInside;
    final ReentrantReadWriteLock rw = new ReentrantReadWriteLock();
    long rwCounter;
    /** Set by the "refused" mode. */
    Object extra;
    CountDownLatch copied;
}

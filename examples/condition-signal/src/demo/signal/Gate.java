package demo.signal;

import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/** The shared state: a ReentrantLock with one Condition, and counters guarded by the lock. */
public class Gate {
    final ReentrantLock lock = new ReentrantLock();
    final Condition opened = lock.newCondition();
    int waiting;
    int woken;
}

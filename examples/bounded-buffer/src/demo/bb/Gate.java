package demo.bb;

import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/** A lock with two conditions and counters of the threads waiting on and returned from each. */
public class Gate {
    final ReentrantLock lock = new ReentrantLock();
    final Condition a = lock.newCondition();
    final Condition b = lock.newCondition();
    int waitingA;
    int waitingB;
    int returnedA;
    int returnedB;
    int phase;
    String log = "";
}

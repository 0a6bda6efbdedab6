package demo.bb;

import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/** The bounded buffer with the write lock of a ReentrantReadWriteLock and its conditions; size() under the read lock. */
public class RwBuffer {
    final ReentrantReadWriteLock rw = new ReentrantReadWriteLock();
    final Condition notFull = rw.writeLock().newCondition();
    final Condition notEmpty = rw.writeLock().newCondition();
    final Object[] items;
    int putptr;
    int takeptr;
    int count;

    RwBuffer(int capacity) {
        items = new Object[capacity];
    }

    void put(Object x) throws InterruptedException {
        rw.writeLock().lock();
        try {
            while (count == items.length) {
                notFull.await();
            }
            items[putptr] = x;
            if (++putptr == items.length) {
                putptr = 0;
            }
            ++count;
            notEmpty.signal();
        } finally {
            rw.writeLock().unlock();
        }
    }

    Object take() throws InterruptedException {
        rw.writeLock().lock();
        try {
            while (count == 0) {
                notEmpty.await();
            }
            Object x = items[takeptr];
            items[takeptr] = null;
            if (++takeptr == items.length) {
                takeptr = 0;
            }
            --count;
            notFull.signal();
            return x;
        } finally {
            rw.writeLock().unlock();
        }
    }

    int size() {
        rw.readLock().lock();
        try {
            return count;
        } finally {
            rw.readLock().unlock();
        }
    }
}

package dev.kiln.agent.jdk;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A {@code java.util.concurrent.CountDownLatch} the cluster can share. Not shared: the JDK's
 * latch after one field test. Shared: its count is a cluster map entry changed under the cluster
 * lock of this object (taken by the latch itself); {@code await} is a cluster wait on that lock
 * until the count is 0, and the {@code countDown} that reaches 0 notifies all. See docs/agent.md.
 */
public class KilnCountDownLatch extends java.util.concurrent.CountDownLatch implements Shared {
    private transient long $kiln$oid;
    /** The cluster count while shared. */
    private long count;

    /** As the JDK's constructor. */
    public KilnCountDownLatch(int count) {
        super(count);
        this.count = count;
    }

    KilnCountDownLatch(long count) {
        super((int) Math.min(Integer.MAX_VALUE, count));
        this.count = count;
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
        return "java.util.concurrent.CountDownLatch";
    }

    @Override
    public List<Object> $kiln$content() {
        if ($kiln$oid == 0) {
            count = super.getCount(); // being shared: its count so far
        }
        List<Object> c = new ArrayList<>(2);
        c.add("count");
        c.add(count);
        return c;
    }

    @Override
    public void $kiln$load(List<Object> c) {
        if (Sync.dirty(this)) {
            return; // changed here under its write lock, not sent yet: no other JVM can have changed it
        }
        for (int i = 0; i + 1 < c.size(); i += 2) {
            if ("count".equals(c.get(i))) {
                count = Sync.num(c.get(i + 1));
            }
        }
    }

    @Override
    public void await() throws InterruptedException {
        if ($kiln$oid == 0) {
            super.await();
        } else {
            sharedAwait(Long.MIN_VALUE);
        }
    }

    @Override
    public boolean await(long timeout, TimeUnit unit) throws InterruptedException {
        return $kiln$oid == 0 ? super.await(timeout, unit) : sharedAwait(Sync.deadline(timeout, unit));
    }

    private boolean sharedAwait(long deadline) throws InterruptedException {
        if (Thread.interrupted()) {
            throw new InterruptedException();
        }
        long[] e = Sync.lock(this, Sync.WRITE);
        try {
            while (count > 0) {
                int r = Sync.await(this, e, deadline);
                if (r == Sync.INTERRUPTED) {
                    throw new InterruptedException();
                }
                if (count > 0 && r == Sync.TIMED_OUT && deadline != Long.MIN_VALUE && deadline - System.nanoTime() <= 0) {
                    return false;
                }
            }
            return true;
        } finally {
            Sync.unlock(this, e);
        }
    }

    @Override
    public void countDown() {
        if ($kiln$oid == 0) {
            super.countDown();
            return;
        }
        long[] e = Sync.lock(this, Sync.WRITE);
        try {
            if (count > 0) {
                count--;
                Sync.put(e, this, "count", count);
                if (count == 0) {
                    Sync.notifyAll(e);
                }
            }
        } finally {
            Sync.unlock(this, e);
        }
    }

    @Override
    public long getCount() {
        if ($kiln$oid == 0) {
            return super.getCount();
        }
        long[] e = Sync.lock(this, Sync.READ);
        try {
            return count;
        } finally {
            Sync.unlock(this, e);
        }
    }

    @Override
    public String toString() {
        if ($kiln$oid == 0) {
            return super.toString();
        }
        String s = super.toString();
        return s.substring(0, s.indexOf('[')) + "[Count = " + getCount() + "]";
    }
}

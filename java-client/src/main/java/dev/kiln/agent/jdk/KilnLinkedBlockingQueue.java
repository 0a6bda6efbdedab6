package dev.kiln.agent.jdk;

import java.util.Collection;
import java.util.Iterator;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A {@code java.util.concurrent.LinkedBlockingQueue} the cluster can share. Allocated instead of the JDK type in
 * instrumented classes (same constructors) and copied from a plain one at share time. Not shared:
 * the JDK's behaviour after one field test. Shared: a logical list in the cluster (head = index 0) (its capacity kept in the class name: {@code |capacity=N} when bounded);
 * every operation that changes it takes the queue's own cluster lock for that one operation (no
 * user lock needed: the JDK type is thread-safe, so the shared one is too across JVMs); {@code put}/{@code take} wait with a cluster wait on that lock, so a producer on one JVM wakes a {@code take()} on another; timed offer/poll time out; an interrupt throws InterruptedException at once.
 * Reads (peek, size, contains, iteration) take no lock ({@link ConcurrentOps}).
 */
@SuppressWarnings("unchecked")
public class KilnLinkedBlockingQueue<E> extends java.util.concurrent.LinkedBlockingQueue<E> implements KilnQueue<E> {
    private static final long serialVersionUID = 1L;
    private transient long $kiln$oid;
    private final transient KilnConcurrent.Guard $kiln$guard = new KilnConcurrent.Guard();

    @Override
    public KilnConcurrent.Guard $kiln$guard() {
        return $kiln$guard;
    }

    /** As the JDK's constructor. */
    public KilnLinkedBlockingQueue() {
        super();
    }

    /** As the JDK's constructor. */
    public KilnLinkedBlockingQueue(int capacity) {
        super(capacity);
    }

    /** As the JDK's constructor. */
    public KilnLinkedBlockingQueue(Collection<? extends E> c) {
        super(c);
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
    public String $kiln$class() {
        return "java.util.concurrent.LinkedBlockingQueue" + ($kiln$capacity() == Integer.MAX_VALUE ? "" : "|capacity=" + $kiln$capacity());
    }

    @Override
    public boolean $kiln$offer(E e) {
        return super.offer(e);
    }

    @Override
    public E $kiln$poll() {
        return super.poll();
    }

    @Override
    public Iterator<E> $kiln$iterator() {
        return super.iterator();
    }

    @Override
    public void $kiln$clear() {
        super.clear();
    }

    @Override
    public int $kiln$remaining() {
        return super.remainingCapacity();
    }

    @Override
    public boolean $kiln$bounded() {
        return $kiln$capacity() != Integer.MAX_VALUE;
    }

    @Override
    public boolean offer(E e) {
        return $kiln$oid == 0 ? super.offer(e) : ConcurrentOps.offer(this, e);
    }

    @Override
    public boolean add(E e) {
        return $kiln$oid == 0 ? super.add(e) : ConcurrentOps.add(this, e);
    }

    @Override
    public E poll() {
        return $kiln$oid == 0 ? super.poll() : ConcurrentOps.poll(this);
    }

    @Override
    public E remove() {
        return $kiln$oid == 0 ? super.remove() : ConcurrentOps.remove(this);
    }

    @Override
    public void put(E e) throws InterruptedException {
        if ($kiln$oid == 0) {
            super.put(e);
        } else {
            ConcurrentOps.put(this, e, -1);
        }
    }

    @Override
    public boolean offer(E e, long timeout, TimeUnit unit) throws InterruptedException {
        return $kiln$oid == 0 ? super.offer(e, timeout, unit) : ConcurrentOps.put(this, e, Math.max(0, unit.toNanos(timeout)));
    }

    @Override
    public E take() throws InterruptedException {
        return $kiln$oid == 0 ? super.take() : ConcurrentOps.take(this, -1);
    }

    @Override
    public E poll(long timeout, TimeUnit unit) throws InterruptedException {
        return $kiln$oid == 0 ? super.poll(timeout, unit) : ConcurrentOps.take(this, Math.max(0, unit.toNanos(timeout)));
    }

    @Override
    public int drainTo(Collection<? super E> c) {
        return drainTo(c, Integer.MAX_VALUE);
    }

    @Override
    public int drainTo(Collection<? super E> c, int max) {
        return $kiln$oid == 0 ? super.drainTo(c, max) : ConcurrentOps.drainTo(this, c, max);
    }

    @Override
    public boolean remove(Object o) {
        return $kiln$oid == 0 ? super.remove(o) : o != null && ConcurrentOps.removeIf(this, o::equals, false, "remove");
    }

    @Override
    public boolean removeAll(Collection<?> c) {
        return $kiln$oid == 0 ? super.removeAll(c) : ConcurrentOps.removeIf(this, c::contains, true, "removeAll");
    }

    @Override
    public boolean retainAll(Collection<?> c) {
        return $kiln$oid == 0 ? super.retainAll(c) : ConcurrentOps.removeIf(this, e -> !c.contains(e), true, "retainAll");
    }

    @Override
    public boolean removeIf(Predicate<? super E> p) {
        return $kiln$oid == 0 ? super.removeIf(p) : ConcurrentOps.removeIf(this, p, true, "removeIf");
    }

    @Override
    public void clear() {
        if ($kiln$oid == 0) {
            super.clear();
        } else {
            ConcurrentOps.clear(this);
        }
    }

    @Override
    public boolean addAll(Collection<? extends E> c) {
        return $kiln$oid == 0 ? super.addAll(c) : ConcurrentOps.addAll(this, c);
    }

    @Override
    public Iterator<E> iterator() {
        return $kiln$oid == 0 ? super.iterator() : ConcurrentOps.iterator(this);
    }

    /** The capacity (size + remaining capacity). */
    int $kiln$capacity() {
        long c = (long) super.size() + super.remainingCapacity();
        return (int) Math.min(Integer.MAX_VALUE, c);
    }
}

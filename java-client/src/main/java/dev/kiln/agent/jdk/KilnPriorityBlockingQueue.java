package dev.kiln.agent.jdk;

import java.util.Collection;
import java.util.Comparator;
import java.util.Iterator;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A {@code java.util.concurrent.PriorityBlockingQueue} the cluster can share, under that class name
 * (its comparator kept in the name as for {@code TreeMap}: {@link Jdk#comparatorSuffix}). Allocated
 * instead of the JDK type in instrumented classes (same constructors) and copied from a plain one
 * at share time. Not shared: the JDK's behaviour after one field test. Shared: a logical list in
 * the cluster in offer order (each JVM keeps its own heap of it); every operation that changes it
 * takes the queue's own cluster lock for that one operation (no user lock needed), a removal is
 * recorded by value (the head of the heap is not the head of the list: {@link #$kiln$byValue});
 * {@code take} waits with a cluster wait on that lock, so an offer on one JVM wakes a
 * {@code take()} on another; a timed poll times out; an interrupt throws InterruptedException at
 * once. Unbounded: {@code put} never blocks. Reads (peek, size, iteration) take no lock.
 */
@SuppressWarnings("unchecked")
public class KilnPriorityBlockingQueue<E> extends java.util.concurrent.PriorityBlockingQueue<E> implements KilnQueue<E> {
    private static final long serialVersionUID = 1L;
    private transient long $kiln$oid;
    private final transient KilnConcurrent.Guard $kiln$guard = new KilnConcurrent.Guard();

    @Override
    public KilnConcurrent.Guard $kiln$guard() {
        return $kiln$guard;
    }

    /** As the JDK's constructor. */
    public KilnPriorityBlockingQueue() {
        super();
    }

    /** As the JDK's constructor. */
    public KilnPriorityBlockingQueue(int initialCapacity) {
        super(initialCapacity);
    }

    /** As the JDK's constructor. */
    public KilnPriorityBlockingQueue(int initialCapacity, Comparator<? super E> comparator) {
        super(initialCapacity, comparator);
    }

    /** As the JDK's constructor. */
    public KilnPriorityBlockingQueue(Collection<? extends E> c) {
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
        return "java.util.concurrent.PriorityBlockingQueue" + Jdk.comparatorSuffix(comparator(), this);
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
        return Integer.MAX_VALUE; // unbounded
    }

    @Override
    public boolean $kiln$bounded() {
        return false;
    }

    /** Removals are recorded by value: the local heap's order is not the cluster list's. */
    @Override
    public boolean $kiln$byValue() {
        return true;
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

    /** Unbounded: never blocks (as the JDK's). */
    @Override
    public void put(E e) {
        offer(e);
    }

    /** Unbounded: never blocks (as the JDK's). */
    @Override
    public boolean offer(E e, long timeout, TimeUnit unit) {
        return offer(e);
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
}

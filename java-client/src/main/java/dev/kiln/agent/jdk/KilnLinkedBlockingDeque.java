package dev.kiln.agent.jdk;

import java.util.Collection;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A {@code java.util.concurrent.LinkedBlockingDeque} the cluster can share (its capacity kept in
 * the class name: {@code |capacity=N} when bounded). Allocated instead of the JDK type in
 * instrumented classes (same constructors) and copied from a plain one at share time. Not shared:
 * the JDK's behaviour after one field test. Shared: a logical list in the cluster (head = index 0);
 * every operation that changes it, at either end, takes the deque's own cluster lock for that one
 * operation (no user lock needed) and records Add/AddAt(0)/RemoveAt; {@code put*}/{@code take*}
 * wait with a cluster wait on that lock, so a producer on one JVM wakes a {@code takeLast()} on
 * another; timed offers/polls time out; an interrupt throws InterruptedException at once. Reads
 * (peek*, size, contains, iteration) take no lock ({@link ConcurrentOps}). The raw operations call
 * the JDK's leaf methods (offerLast, pollFirst, ...), never one the JDK routes through another
 * overridable method.
 */
@SuppressWarnings("unchecked")
public class KilnLinkedBlockingDeque<E> extends java.util.concurrent.LinkedBlockingDeque<E> implements KilnDeque<E> {
    private static final long serialVersionUID = 1L;
    private transient long $kiln$oid;
    private final transient KilnConcurrent.Guard $kiln$guard = new KilnConcurrent.Guard();

    @Override
    public KilnConcurrent.Guard $kiln$guard() {
        return $kiln$guard;
    }

    /** As the JDK's constructor. */
    public KilnLinkedBlockingDeque() {
        super();
    }

    /** As the JDK's constructor. */
    public KilnLinkedBlockingDeque(int capacity) {
        super(capacity);
    }

    /** As the JDK's constructor. */
    public KilnLinkedBlockingDeque(Collection<? extends E> c) {
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
        return "java.util.concurrent.LinkedBlockingDeque" + ($kiln$capacity() == Integer.MAX_VALUE ? "" : "|capacity=" + $kiln$capacity());
    }

    @Override
    public boolean $kiln$offer(E e) {
        return super.offerLast(e);
    }

    @Override
    public boolean $kiln$offerFirst(E e) {
        return super.offerFirst(e);
    }

    @Override
    public E $kiln$poll() {
        return super.pollFirst();
    }

    @Override
    public E $kiln$pollLast() {
        return super.pollLast();
    }

    @Override
    public Iterator<E> $kiln$iterator() {
        return super.iterator();
    }

    @Override
    public Iterator<E> $kiln$descendingIterator() {
        return super.descendingIterator();
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

    // ------------------------------------------------------------------ tail inserts, head removals (the queue methods)

    @Override
    public boolean offer(E e) {
        return offerLast(e);
    }

    @Override
    public boolean offerLast(E e) {
        return $kiln$oid == 0 ? super.offerLast(e) : ConcurrentOps.offerAt(this, e, false);
    }

    @Override
    public boolean offerFirst(E e) {
        return $kiln$oid == 0 ? super.offerFirst(e) : ConcurrentOps.offerAt(this, e, true);
    }

    @Override
    public boolean add(E e) {
        addLast(e);
        return true;
    }

    @Override
    public void addLast(E e) {
        if (!offerLast(e)) {
            throw new IllegalStateException("Deque full");
        }
    }

    @Override
    public void addFirst(E e) {
        if (!offerFirst(e)) {
            throw new IllegalStateException("Deque full");
        }
    }

    @Override
    public void push(E e) {
        addFirst(e);
    }

    @Override
    public E poll() {
        return pollFirst();
    }

    @Override
    public E pollFirst() {
        return $kiln$oid == 0 ? super.pollFirst() : ConcurrentOps.pollAt(this, false);
    }

    @Override
    public E pollLast() {
        return $kiln$oid == 0 ? super.pollLast() : ConcurrentOps.pollAt(this, true);
    }

    @Override
    public E remove() {
        return removeFirst();
    }

    @Override
    public E pop() {
        return removeFirst();
    }

    @Override
    public E removeFirst() {
        E e = pollFirst();
        if (e == null) {
            throw new NoSuchElementException();
        }
        return e;
    }

    @Override
    public E removeLast() {
        E e = pollLast();
        if (e == null) {
            throw new NoSuchElementException();
        }
        return e;
    }

    // ------------------------------------------------------------------ blocking

    @Override
    public void put(E e) throws InterruptedException {
        putLast(e);
    }

    @Override
    public void putLast(E e) throws InterruptedException {
        if ($kiln$oid == 0) {
            super.putLast(e);
        } else {
            ConcurrentOps.put(this, e, -1, false);
        }
    }

    @Override
    public void putFirst(E e) throws InterruptedException {
        if ($kiln$oid == 0) {
            super.putFirst(e);
        } else {
            ConcurrentOps.put(this, e, -1, true);
        }
    }

    @Override
    public boolean offer(E e, long timeout, TimeUnit unit) throws InterruptedException {
        return offerLast(e, timeout, unit);
    }

    @Override
    public boolean offerLast(E e, long timeout, TimeUnit unit) throws InterruptedException {
        return $kiln$oid == 0 ? super.offerLast(e, timeout, unit)
                : ConcurrentOps.put(this, e, Math.max(0, unit.toNanos(timeout)), false);
    }

    @Override
    public boolean offerFirst(E e, long timeout, TimeUnit unit) throws InterruptedException {
        return $kiln$oid == 0 ? super.offerFirst(e, timeout, unit)
                : ConcurrentOps.put(this, e, Math.max(0, unit.toNanos(timeout)), true);
    }

    @Override
    public E take() throws InterruptedException {
        return takeFirst();
    }

    @Override
    public E takeFirst() throws InterruptedException {
        return $kiln$oid == 0 ? super.takeFirst() : ConcurrentOps.take(this, -1, false);
    }

    @Override
    public E takeLast() throws InterruptedException {
        return $kiln$oid == 0 ? super.takeLast() : ConcurrentOps.take(this, -1, true);
    }

    @Override
    public E poll(long timeout, TimeUnit unit) throws InterruptedException {
        return pollFirst(timeout, unit);
    }

    @Override
    public E pollFirst(long timeout, TimeUnit unit) throws InterruptedException {
        return $kiln$oid == 0 ? super.pollFirst(timeout, unit) : ConcurrentOps.take(this, Math.max(0, unit.toNanos(timeout)), false);
    }

    @Override
    public E pollLast(long timeout, TimeUnit unit) throws InterruptedException {
        return $kiln$oid == 0 ? super.pollLast(timeout, unit) : ConcurrentOps.take(this, Math.max(0, unit.toNanos(timeout)), true);
    }

    @Override
    public int drainTo(Collection<? super E> c) {
        return drainTo(c, Integer.MAX_VALUE);
    }

    @Override
    public int drainTo(Collection<? super E> c, int max) {
        return $kiln$oid == 0 ? super.drainTo(c, max) : ConcurrentOps.drainTo(this, c, max);
    }

    // ------------------------------------------------------------------ removals by value, bulk

    @Override
    public boolean remove(Object o) {
        return removeFirstOccurrence(o);
    }

    @Override
    public boolean removeFirstOccurrence(Object o) {
        if ($kiln$oid == 0) {
            return super.removeFirstOccurrence(o);
        }
        return o != null && ConcurrentOps.removeIf(this, o::equals, false, "removeFirstOccurrence");
    }

    @Override
    public boolean removeLastOccurrence(Object o) {
        if ($kiln$oid == 0) {
            return super.removeLastOccurrence(o);
        }
        return o != null && ConcurrentOps.removeLast(this, o);
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

    @Override
    public Iterator<E> descendingIterator() {
        if ($kiln$oid == 0) {
            return super.descendingIterator();
        }
        Iterator<E> raw = super.descendingIterator();
        return new Iterator<E>() {
            private E last;

            @Override
            public boolean hasNext() {
                return raw.hasNext();
            }

            @Override
            public E next() {
                last = raw.next();
                return last;
            }

            @Override
            public void remove() {
                if (last == null) {
                    throw new IllegalStateException();
                }
                E e = last;
                last = null;
                ConcurrentOps.removeIf(KilnLinkedBlockingDeque.this, x -> x == e, false, "descendingIterator.remove");
            }
        };
    }

    /** The capacity (size + remaining capacity). */
    int $kiln$capacity() {
        long c = (long) super.size() + super.remainingCapacity();
        return (int) Math.min(Integer.MAX_VALUE, c);
    }
}

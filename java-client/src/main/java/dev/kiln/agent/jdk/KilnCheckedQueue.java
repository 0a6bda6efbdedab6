package dev.kiln.agent.jdk;

import java.util.Collection;
import java.util.Collections;
import java.util.Queue;

/**
 * The Kiln twin of {@code Collections.checkedQueue}: as {@link KilnCheckedCollection} (a view
 * delegating every method to the JDK's checked view of the viewed queue, stored as its own cluster
 * object with the checked type in its class name), plus the queue methods, the JDK's view's.
 */
public class KilnCheckedQueue<E> extends KilnCheckedCollection<E> implements Queue<E> {
    private static final long serialVersionUID = 1L;

    KilnCheckedQueue(Queue<E> q, Class<E> type) {
        super(q, type);
    }

    @Override
    String $kiln$wrap() {
        return "checkedQueue";
    }

    @Override
    Collection<E> jdk(Collection<E> coll) {
        return Collections.checkedQueue((Queue<E>) coll, type);
    }

    private Queue<E> qro() {
        return (Queue<E>) ro;
    }

    @Override
    public boolean offer(E e) {
        return qro().offer(e);
    }

    @Override
    public E remove() {
        return qro().remove();
    }

    @Override
    public E poll() {
        return qro().poll();
    }

    @Override
    public E element() {
        return qro().element();
    }

    @Override
    public E peek() {
        return qro().peek();
    }

    @Override
    public boolean equals(Object o) {
        return o == this || ro.equals(o);
    }

    @Override
    public int hashCode() {
        return ro.hashCode();
    }
}

package dev.kiln.agent.jdk;

import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.ListIterator;
import java.util.function.UnaryOperator;

/** The Kiln twin of {@code Collections.synchronizedList} of a non-RandomAccess list ({@link KilnSynchronizedCollection}). */
public class KilnSynchronizedList<E> extends KilnSynchronizedCollection<E> implements List<E> {
    private static final long serialVersionUID = 1L;

    KilnSynchronizedList(List<E> l, KilnWrapper owner) {
        super(l, owner);
    }

    @Override
    String $kiln$wrap() {
        return "synchronizedList";
    }

    private List<E> l() {
        return (List<E>) c;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        return Wrappers.op(mutex, () -> l().equals(o));
    }

    @Override
    public int hashCode() {
        return Wrappers.op(mutex, () -> l().hashCode());
    }

    @Override
    public E get(int i) {
        return Wrappers.op(mutex, () -> l().get(i));
    }

    @Override
    public E set(int i, E e) {
        return Wrappers.op(mutex, () -> l().set(i, e));
    }

    @Override
    public void add(int i, E e) {
        Wrappers.run(mutex, () -> l().add(i, e));
    }

    @Override
    public E remove(int i) {
        return Wrappers.op(mutex, () -> l().remove(i));
    }

    @Override
    public int indexOf(Object o) {
        return Wrappers.op(mutex, () -> l().indexOf(o));
    }

    @Override
    public int lastIndexOf(Object o) {
        return Wrappers.op(mutex, () -> l().lastIndexOf(o));
    }

    @Override
    public boolean addAll(int i, Collection<? extends E> coll) {
        return Wrappers.op(mutex, () -> l().addAll(i, coll));
    }

    /** As the JDK's: must be manually synchronized by the user. */
    @Override
    public ListIterator<E> listIterator() {
        return l().listIterator();
    }

    /** As the JDK's: must be manually synchronized by the user. */
    @Override
    public ListIterator<E> listIterator(int i) {
        return l().listIterator(i);
    }

    /** A synchronized view with this wrapper's mutex, as the JDK's (not shareable on its own). */
    @Override
    public List<E> subList(int from, int to) {
        return Wrappers.op(mutex, () -> this instanceof java.util.RandomAccess
                ? new KilnSynchronizedRandomAccessList<>(l().subList(from, to), mutex)
                : new KilnSynchronizedList<>(l().subList(from, to), mutex));
    }

    @Override
    public void replaceAll(UnaryOperator<E> op) {
        Wrappers.run(mutex, () -> l().replaceAll(op));
    }

    @Override
    public void sort(Comparator<? super E> cmp) {
        Wrappers.run(mutex, () -> l().sort(cmp));
    }
}

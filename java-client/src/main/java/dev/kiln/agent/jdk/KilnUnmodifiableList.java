package dev.kiln.agent.jdk;

import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.ListIterator;
import java.util.function.UnaryOperator;

/** The Kiln twin of {@code Collections.unmodifiableList} of a non-RandomAccess list ({@link KilnUnmodifiableCollection}). */
public class KilnUnmodifiableList<E> extends KilnUnmodifiableCollection<E> implements List<E> {
    private static final long serialVersionUID = 1L;

    KilnUnmodifiableList(List<E> l) {
        super(l);
    }

    @Override
    String $kiln$wrap() {
        return this instanceof java.util.RandomAccess ? "unmodifiableRandomAccessList" : "unmodifiableList";
    }

    @Override
    Collection<E> jdk(Collection<E> coll) {
        return Collections.unmodifiableList((List<E>) coll);
    }

    private List<E> l() {
        return (List<E>) ro;
    }

    @Override
    public boolean equals(Object o) {
        return o == this || ro.equals(o);
    }

    @Override
    public int hashCode() {
        return ro.hashCode();
    }

    @Override
    public E get(int i) {
        return l().get(i);
    }

    @Override
    public E set(int i, E e) {
        return l().set(i, e);
    }

    @Override
    public void add(int i, E e) {
        l().add(i, e);
    }

    @Override
    public E remove(int i) {
        return l().remove(i);
    }

    @Override
    public int indexOf(Object o) {
        return l().indexOf(o);
    }

    @Override
    public int lastIndexOf(Object o) {
        return l().lastIndexOf(o);
    }

    @Override
    public boolean addAll(int i, Collection<? extends E> coll) {
        return l().addAll(i, coll);
    }

    @Override
    public ListIterator<E> listIterator() {
        return l().listIterator();
    }

    @Override
    public ListIterator<E> listIterator(int i) {
        return l().listIterator(i);
    }

    @Override
    public List<E> subList(int from, int to) {
        return l().subList(from, to);
    }

    @Override
    public void replaceAll(UnaryOperator<E> op) {
        l().replaceAll(op);
    }

    @Override
    public void sort(Comparator<? super E> cmp) {
        l().sort(cmp);
    }
}

package dev.kiln.agent.jdk;

import java.util.Collection;
import java.util.Collections;
import java.util.Iterator;
import java.util.NavigableSet;

/**
 * The Kiln twin of {@code Collections.unmodifiableNavigableSet} ({@link KilnUnmodifiableCollection}):
 * every method is the JDK's view's ({@code pollFirst}/{@code pollLast} refused as there); its
 * sub-views are the JDK's unmodifiable views. Shared as its own cluster object: the viewed set.
 */
public class KilnUnmodifiableNavigableSet<E> extends KilnUnmodifiableSortedSet<E> implements NavigableSet<E> {
    private static final long serialVersionUID = 1L;

    KilnUnmodifiableNavigableSet(NavigableSet<E> s) {
        super(s);
    }

    @Override
    String $kiln$wrap() {
        return "unmodifiableNavigableSet";
    }

    @Override
    Collection<E> jdk(Collection<E> coll) {
        return Collections.unmodifiableNavigableSet((NavigableSet<E>) coll);
    }

    private NavigableSet<E> nro() {
        return (NavigableSet<E>) ro;
    }

    @Override
    public E lower(E e) {
        return nro().lower(e);
    }

    @Override
    public E floor(E e) {
        return nro().floor(e);
    }

    @Override
    public E ceiling(E e) {
        return nro().ceiling(e);
    }

    @Override
    public E higher(E e) {
        return nro().higher(e);
    }

    @Override
    public E pollFirst() {
        return nro().pollFirst();
    }

    @Override
    public E pollLast() {
        return nro().pollLast();
    }

    @Override
    public NavigableSet<E> descendingSet() {
        return nro().descendingSet();
    }

    @Override
    public Iterator<E> descendingIterator() {
        return nro().descendingIterator();
    }

    @Override
    public NavigableSet<E> subSet(E from, boolean fromIn, E to, boolean toIn) {
        return nro().subSet(from, fromIn, to, toIn);
    }

    @Override
    public NavigableSet<E> headSet(E to, boolean in) {
        return nro().headSet(to, in);
    }

    @Override
    public NavigableSet<E> tailSet(E from, boolean in) {
        return nro().tailSet(from, in);
    }

    @Override
    public java.util.SortedSet<E> subSet(E from, E to) {
        return nro().subSet(from, true, to, false);
    }

    @Override
    public java.util.SortedSet<E> headSet(E to) {
        return nro().headSet(to, false);
    }

    @Override
    public java.util.SortedSet<E> tailSet(E from) {
        return nro().tailSet(from, true);
    }
}

package dev.kiln.agent.jdk;

import java.util.Iterator;
import java.util.NavigableSet;
import java.util.SortedSet;

/** The Kiln twin of {@code Collections.synchronizedNavigableSet} ({@link KilnSynchronizedCollection}); views share its mutex. */
public class KilnSynchronizedNavigableSet<E> extends KilnSynchronizedSortedSet<E> implements NavigableSet<E> {
    private static final long serialVersionUID = 1L;

    KilnSynchronizedNavigableSet(NavigableSet<E> s, KilnWrapper owner) {
        super(s, owner);
    }

    @Override
    String $kiln$wrap() {
        return "synchronizedNavigableSet";
    }

    private NavigableSet<E> ns() {
        return (NavigableSet<E>) c;
    }

    private NavigableSet<E> view(NavigableSet<E> v) {
        return new KilnSynchronizedNavigableSet<>(v, mutex);
    }

    @Override
    public E lower(E e) {
        return Wrappers.op(mutex, () -> ns().lower(e));
    }

    @Override
    public E floor(E e) {
        return Wrappers.op(mutex, () -> ns().floor(e));
    }

    @Override
    public E ceiling(E e) {
        return Wrappers.op(mutex, () -> ns().ceiling(e));
    }

    @Override
    public E higher(E e) {
        return Wrappers.op(mutex, () -> ns().higher(e));
    }

    @Override
    public E pollFirst() {
        return Wrappers.op(mutex, () -> ns().pollFirst());
    }

    @Override
    public E pollLast() {
        return Wrappers.op(mutex, () -> ns().pollLast());
    }

    @Override
    public NavigableSet<E> descendingSet() {
        return Wrappers.op(mutex, () -> view(ns().descendingSet()));
    }

    /** As the JDK's: must be manually synchronized by the user. */
    @Override
    public Iterator<E> descendingIterator() {
        return descendingSet().iterator();
    }

    @Override
    public NavigableSet<E> subSet(E from, boolean fromIn, E to, boolean toIn) {
        return Wrappers.op(mutex, () -> view(ns().subSet(from, fromIn, to, toIn)));
    }

    @Override
    public NavigableSet<E> headSet(E to, boolean in) {
        return Wrappers.op(mutex, () -> view(ns().headSet(to, in)));
    }

    @Override
    public NavigableSet<E> tailSet(E from, boolean in) {
        return Wrappers.op(mutex, () -> view(ns().tailSet(from, in)));
    }

    @Override
    public SortedSet<E> subSet(E from, E to) {
        return Wrappers.op(mutex, () -> view(ns().subSet(from, true, to, false)));
    }

    @Override
    public SortedSet<E> headSet(E to) {
        return Wrappers.op(mutex, () -> view(ns().headSet(to, false)));
    }

    @Override
    public SortedSet<E> tailSet(E from) {
        return Wrappers.op(mutex, () -> view(ns().tailSet(from, true)));
    }
}

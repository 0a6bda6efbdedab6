package dev.kiln.agent.jdk;

import java.util.Comparator;
import java.util.SortedSet;

/** The Kiln twin of {@code Collections.synchronizedSortedSet} ({@link KilnSynchronizedCollection}); sub-sets share its mutex. */
public class KilnSynchronizedSortedSet<E> extends KilnSynchronizedSet<E> implements SortedSet<E> {
    private static final long serialVersionUID = 1L;

    KilnSynchronizedSortedSet(SortedSet<E> s, KilnWrapper owner) {
        super(s, owner);
    }

    @Override
    String $kiln$wrap() {
        return "synchronizedSortedSet";
    }

    private SortedSet<E> ss() {
        return (SortedSet<E>) c;
    }

    @Override
    public Comparator<? super E> comparator() {
        return Wrappers.op(mutex, () -> ss().comparator());
    }

    @Override
    public SortedSet<E> subSet(E from, E to) {
        return Wrappers.op(mutex, () -> new KilnSynchronizedSortedSet<>(ss().subSet(from, to), mutex));
    }

    @Override
    public SortedSet<E> headSet(E to) {
        return Wrappers.op(mutex, () -> new KilnSynchronizedSortedSet<>(ss().headSet(to), mutex));
    }

    @Override
    public SortedSet<E> tailSet(E from) {
        return Wrappers.op(mutex, () -> new KilnSynchronizedSortedSet<>(ss().tailSet(from), mutex));
    }

    @Override
    public E first() {
        return Wrappers.op(mutex, () -> ss().first());
    }

    @Override
    public E last() {
        return Wrappers.op(mutex, () -> ss().last());
    }
}

package dev.kiln.agent.jdk;

import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.SortedSet;

/**
 * The Kiln twin of {@code Collections.unmodifiableSortedSet} ({@link KilnUnmodifiableCollection}):
 * every method is the JDK's view's; its sub-views ({@code headSet}...) are the JDK's unmodifiable
 * views of the viewed set's. Shared as its own cluster object, a list of one reference: the viewed set.
 */
public class KilnUnmodifiableSortedSet<E> extends KilnUnmodifiableSet<E> implements SortedSet<E> {
    private static final long serialVersionUID = 1L;

    KilnUnmodifiableSortedSet(SortedSet<E> s) {
        super(s);
    }

    @Override
    String $kiln$wrap() {
        return "unmodifiableSortedSet";
    }

    @Override
    Collection<E> jdk(Collection<E> coll) {
        return Collections.unmodifiableSortedSet((SortedSet<E>) coll);
    }

    private SortedSet<E> sro() {
        return (SortedSet<E>) ro;
    }

    @Override
    public Comparator<? super E> comparator() {
        return sro().comparator();
    }

    @Override
    public SortedSet<E> subSet(E from, E to) {
        return sro().subSet(from, to);
    }

    @Override
    public SortedSet<E> headSet(E to) {
        return sro().headSet(to);
    }

    @Override
    public SortedSet<E> tailSet(E from) {
        return sro().tailSet(from);
    }

    @Override
    public E first() {
        return sro().first();
    }

    @Override
    public E last() {
        return sro().last();
    }

    @Override
    public java.util.Spliterator<E> spliterator() {
        return ro.spliterator();
    }
}

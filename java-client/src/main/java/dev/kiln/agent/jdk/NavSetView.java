package dev.kiln.agent.jdk;

import java.util.AbstractSet;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.Iterator;
import java.util.NavigableSet;
import java.util.SortedSet;
import java.util.function.Predicate;

/**
 * A live, writable navigable view (headSet, tailSet, subSet, descendingSet) of a <em>shared</em>
 * {@link KilnTreeSet}. Reads go to {@code raw}, the JDK's own view of the local tree. Every change
 * goes through the shared set's recording path (logical Add/RemoveValue), lock checked first (a
 * change outside a cluster lock throws and changes nothing), then the range, as the JDK's
 * ({@code IllegalArgumentException: key out of range} for an {@code add} outside the view).
 */
final class NavSetView<E> extends AbstractSet<E> implements NavigableSet<E> {
    private final KilnTreeSet<E> base;
    private final NavigableSet<E> raw;

    NavSetView(KilnTreeSet<E> base, NavigableSet<E> raw) {
        this.base = base;
        this.raw = raw;
    }

    // ------------------------------------------------------------------ changes

    @Override
    public boolean add(E e) {
        Jdk.txn(base, "add");
        try {
            raw.subSet(e, true, e, true); // the JDK view's own range check
        } catch (IllegalArgumentException out) {
            throw new IllegalArgumentException("key out of range");
        }
        return base.add(e);
    }

    @Override
    public boolean addAll(Collection<? extends E> c) {
        Jdk.txn(base, "addAll");
        return super.addAll(c);
    }

    @Override
    public boolean remove(Object o) {
        Jdk.txn(base, "remove");
        return raw.contains(o) && base.remove(o);
    }

    @Override
    public void clear() {
        Jdk.txn(base, "clear");
        for (E e : new ArrayList<>(raw)) {
            base.remove(e);
        }
    }

    @Override
    public boolean removeIf(Predicate<? super E> p) {
        Jdk.txn(base, "removeIf");
        return super.removeIf(p);
    }

    @Override
    public boolean removeAll(Collection<?> c) {
        Jdk.txn(base, "removeAll");
        return removeIf(c::contains);
    }

    @Override
    public boolean retainAll(Collection<?> c) {
        Jdk.txn(base, "retainAll");
        return removeIf(x -> !c.contains(x));
    }

    @Override
    public E pollFirst() {
        Jdk.txn(base, "pollFirst");
        return poll(raw.isEmpty() ? null : raw.first());
    }

    @Override
    public E pollLast() {
        Jdk.txn(base, "pollLast");
        return poll(raw.isEmpty() ? null : raw.last());
    }

    private E poll(E e) {
        if (e != null) {
            base.remove(e);
        }
        return e;
    }

    @Override
    public Iterator<E> iterator() {
        return SetOps.iterator(base, raw.iterator());
    }

    @Override
    public Iterator<E> descendingIterator() {
        return SetOps.iterator(base, raw.descendingIterator());
    }

    // ------------------------------------------------------------------ views

    @Override
    public NavigableSet<E> descendingSet() {
        return new NavSetView<>(base, raw.descendingSet());
    }

    @Override
    public NavigableSet<E> subSet(E from, boolean fromIn, E to, boolean toIn) {
        return new NavSetView<>(base, raw.subSet(from, fromIn, to, toIn));
    }

    @Override
    public NavigableSet<E> headSet(E to, boolean in) {
        return new NavSetView<>(base, raw.headSet(to, in));
    }

    @Override
    public NavigableSet<E> tailSet(E from, boolean in) {
        return new NavSetView<>(base, raw.tailSet(from, in));
    }

    @Override
    public SortedSet<E> subSet(E from, E to) {
        return subSet(from, true, to, false);
    }

    @Override
    public SortedSet<E> headSet(E to) {
        return headSet(to, false);
    }

    @Override
    public SortedSet<E> tailSet(E from) {
        return tailSet(from, true);
    }

    // ------------------------------------------------------------------ reads: the JDK view's

    @Override
    public int size() {
        return raw.size();
    }

    @Override
    public boolean isEmpty() {
        return raw.isEmpty();
    }

    @Override
    public boolean contains(Object o) {
        return raw.contains(o);
    }

    @Override
    public Comparator<? super E> comparator() {
        return raw.comparator();
    }

    @Override
    public E first() {
        return raw.first();
    }

    @Override
    public E last() {
        return raw.last();
    }

    @Override
    public E lower(E e) {
        return raw.lower(e);
    }

    @Override
    public E floor(E e) {
        return raw.floor(e);
    }

    @Override
    public E ceiling(E e) {
        return raw.ceiling(e);
    }

    @Override
    public E higher(E e) {
        return raw.higher(e);
    }
}

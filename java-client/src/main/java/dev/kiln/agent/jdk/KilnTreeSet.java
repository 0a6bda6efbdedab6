package dev.kiln.agent.jdk;

import java.util.Collection;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.NavigableSet;
import java.util.SortedSet;
import java.util.function.Predicate;

/**
 * A {@code java.util.TreeSet} the cluster can share (its comparator re-created on other JVMs). Allocated instead of {@code java.util.TreeSet} in instrumented classes (same
 * constructors) and copied from a plain one at share time. Not shared: the JDK's behaviour after
 * one field test. Shared: every mutator (iterators included) checks the cluster lock and records
 * logical Add/RemoveValue/Clear operations ({@link SetOps}).
 */
@SuppressWarnings("unchecked")
public class KilnTreeSet<E> extends java.util.TreeSet<E> implements KilnSet<E> {
    private static final long serialVersionUID = 1L;
    private transient long $kiln$oid;

    /** As the JDK's constructor. */
    public KilnTreeSet() {
        super();
    }

    /** As the JDK's constructor. */
    public KilnTreeSet(Comparator<? super E> comparator) {
        super(comparator);
    }

    /** As the JDK's constructor. */
    public KilnTreeSet(Collection<? extends E> c) {
        super(c);
    }

    /** As the JDK's constructor. */
    public KilnTreeSet(SortedSet<E> s) {
        super(s);
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
    public int $kiln$kind() {
        return 2;
    }

    @Override
    public String $kiln$class() {
        return "java.util.TreeSet" + Jdk.comparatorSuffix(comparator(), this);
    }

    @Override
    public List<Object> $kiln$content() {
        return java.util.Arrays.asList(super.toArray());
    }

    @Override
    public void $kiln$load(List<Object> c) {
        super.clear();
        for (Object o : c) {
            super.add((E) o);
        }
    }

    @Override
    public boolean $kiln$add(E e) {
        return super.add(e);
    }

    @Override
    public boolean $kiln$remove(Object o) {
        return super.remove(o);
    }

    @Override
    public void $kiln$clear() {
        super.clear();
    }

    @Override
    public Iterator<E> $kiln$iterator() {
        return super.iterator();
    }

    @Override
    public boolean add(E e) {
        return $kiln$oid == 0 ? super.add(e) : SetOps.add(this, e);
    }

    @Override
    public boolean remove(Object o) {
        return $kiln$oid == 0 ? super.remove(o) : SetOps.remove(this, o);
    }

    @Override
    public void clear() {
        if ($kiln$oid == 0) {
            super.clear();
        } else {
            SetOps.clear(this);
        }
    }

    @Override
    public boolean addAll(Collection<? extends E> c) {
        return $kiln$oid == 0 ? super.addAll(c) : SetOps.addAll(this, c);
    }

    @Override
    public boolean removeAll(Collection<?> c) {
        return $kiln$oid == 0 ? super.removeAll(c) : SetOps.removeIf(this, c::contains);
    }

    @Override
    public boolean retainAll(Collection<?> c) {
        return $kiln$oid == 0 ? super.retainAll(c) : SetOps.removeIf(this, x -> !c.contains(x));
    }

    @Override
    public boolean removeIf(Predicate<? super E> p) {
        return $kiln$oid == 0 ? super.removeIf(p) : SetOps.removeIf(this, p);
    }

    @Override
    public Iterator<E> iterator() {
        return $kiln$oid == 0 ? super.iterator() : SetOps.iterator(this);
    }

    /** A copy is a new, unshared set. */
    @Override
    public Object clone() {
        KilnTreeSet<E> c = (KilnTreeSet<E>) super.clone();
        c.$kiln$oid = 0;
        return c;
    }

    @Override
    public E pollFirst() {
        if ($kiln$oid == 0) {
            return super.pollFirst();
        }
        Jdk.txn(this, "pollFirst");
        if (isEmpty()) {
            return null;
        }
        E e = first();
        SetOps.remove(this, e);
        return e;
    }

    @Override
    public E pollLast() {
        if ($kiln$oid == 0) {
            return super.pollLast();
        }
        Jdk.txn(this, "pollLast");
        if (isEmpty()) {
            return null;
        }
        E e = last();
        SetOps.remove(this, e);
        return e;
    }

    // Navigable views of a shared TreeSet are live and writable: NavSetView over the JDK's own
    // view of the local tree, every change recorded as this set's (docs/agent.md).

    @Override
    public NavigableSet<E> descendingSet() {
        return $kiln$oid == 0 ? super.descendingSet() : new NavSetView<>(this, super.descendingSet());
    }

    @Override
    public Iterator<E> descendingIterator() {
        return $kiln$oid == 0 ? super.descendingIterator() : SetOps.iterator(this, super.descendingIterator());
    }

    @Override
    public NavigableSet<E> subSet(E from, boolean fromIn, E to, boolean toIn) {
        NavigableSet<E> s = super.subSet(from, fromIn, to, toIn);
        return $kiln$oid == 0 ? s : new NavSetView<>(this, s);
    }

    @Override
    public NavigableSet<E> headSet(E to, boolean in) {
        NavigableSet<E> s = super.headSet(to, in);
        return $kiln$oid == 0 ? s : new NavSetView<>(this, s);
    }

    @Override
    public NavigableSet<E> tailSet(E from, boolean in) {
        NavigableSet<E> s = super.tailSet(from, in);
        return $kiln$oid == 0 ? s : new NavSetView<>(this, s);
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
}

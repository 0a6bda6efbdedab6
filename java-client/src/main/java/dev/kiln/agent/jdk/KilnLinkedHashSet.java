package dev.kiln.agent.jdk;

import java.util.Collection;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.NavigableSet;
import java.util.SortedSet;
import java.util.function.Predicate;

/**
 * A {@code java.util.LinkedHashSet} the cluster can share. Allocated instead of {@code java.util.LinkedHashSet} in instrumented classes (same
 * constructors) and copied from a plain one at share time. Not shared: the JDK's behaviour after
 * one field test. Shared: every mutator (iterators included) checks the cluster lock and records
 * logical Add/RemoveValue/Clear operations ({@link SetOps}).
 */
@SuppressWarnings("unchecked")
public class KilnLinkedHashSet<E> extends java.util.LinkedHashSet<E> implements KilnSet<E> {
    private static final long serialVersionUID = 1L;
    private transient long $kiln$oid;

    /** As the JDK's constructor. */
    public KilnLinkedHashSet() {
        super();
    }

    /** As the JDK's constructor. */
    public KilnLinkedHashSet(int initialCapacity) {
        super(initialCapacity);
    }

    /** As the JDK's constructor. */
    public KilnLinkedHashSet(int initialCapacity, float loadFactor) {
        super(initialCapacity, loadFactor);
    }

    /** As the JDK's constructor. */
    public KilnLinkedHashSet(Collection<? extends E> c) {
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
    public int $kiln$kind() {
        return 2;
    }

    @Override
    public String $kiln$class() {
        return "java.util.LinkedHashSet";
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
        KilnLinkedHashSet<E> c = (KilnLinkedHashSet<E>) super.clone();
        c.$kiln$oid = 0;
        return c;
    }

    // JDK 21 SequencedCollection removals (plain methods on older JDKs): the first or last
    // element, removed through remove(Object) so that a shared set records it.

    /** As {@code LinkedHashSet.removeFirst} (JDK 21). */
    public E removeFirst() {
        if (isEmpty()) {
            throw new java.util.NoSuchElementException();
        }
        E e = super.iterator().next();
        remove(e);
        return e;
    }

    /** As {@code LinkedHashSet.removeLast} (JDK 21). */
    public E removeLast() {
        if (isEmpty()) {
            throw new java.util.NoSuchElementException();
        }
        E last = null;
        for (Iterator<E> it = super.iterator(); it.hasNext();) {
            last = it.next();
        }
        remove(last);
        return last;
    }
}

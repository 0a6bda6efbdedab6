package dev.kiln.agent.jdk;

import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.NavigableSet;
import java.util.Objects;
import java.util.SortedSet;
import java.util.function.Predicate;

/**
 * A {@code java.util.concurrent.ConcurrentSkipListSet} the cluster can share, under that class name
 * (its comparator kept in the name as for {@code TreeSet}: {@link Jdk#comparatorSuffix}). Allocated
 * instead of the JDK type in instrumented classes (same constructors) and copied from a plain one at
 * share time. Not shared: the JDK's behaviour after one field test. Shared: every mutator — add,
 * remove, clear, addAll, removeAll, retainAll, removeIf, pollFirst, pollLast, its iterator's
 * remove — takes the set's own cluster write lock for that one operation (no user lock needed) and
 * records Add/RemoveValue/Clear ({@link SetOps}). Reads take no lock. Its sub/head/tail/descending
 * sets are read-only while shared (docs/agent.md).
 */
@SuppressWarnings("unchecked")
public class KilnConcurrentSkipListSet<E> extends java.util.concurrent.ConcurrentSkipListSet<E> implements KilnSet<E>, KilnConcurrent {
    private static final long serialVersionUID = 1L;
    private transient long $kiln$oid;
    private transient KilnConcurrent.Guard $kiln$guard = new KilnConcurrent.Guard();

    @Override
    public KilnConcurrent.Guard $kiln$guard() {
        return $kiln$guard;
    }

    /** As the JDK's constructor. */
    public KilnConcurrentSkipListSet() {
        super();
    }

    /** As the JDK's constructor. */
    public KilnConcurrentSkipListSet(Comparator<? super E> comparator) {
        super(comparator);
    }

    /** As the JDK's constructor. */
    public KilnConcurrentSkipListSet(Collection<? extends E> c) {
        super(c);
    }

    /** As the JDK's constructor. */
    public KilnConcurrentSkipListSet(SortedSet<E> s) {
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
        return "java.util.concurrent.ConcurrentSkipListSet" + Jdk.comparatorSuffix(comparator(), this);
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
        if ($kiln$oid == 0) {
            return super.add(e);
        }
        Objects.requireNonNull(e);
        return ConcurrentOps.locked(this, () -> SetOps.add(this, e));
    }

    @Override
    public boolean remove(Object o) {
        if ($kiln$oid == 0) {
            return super.remove(o);
        }
        Objects.requireNonNull(o);
        return ConcurrentOps.locked(this, () -> SetOps.remove(this, o));
    }

    @Override
    public void clear() {
        if ($kiln$oid == 0) {
            super.clear();
        } else {
            ConcurrentOps.run(this, () -> SetOps.clear(this));
        }
    }

    @Override
    public boolean addAll(Collection<? extends E> c) {
        if ($kiln$oid == 0) {
            return super.addAll(c);
        }
        for (E e : c) {
            Objects.requireNonNull(e);
        }
        return ConcurrentOps.locked(this, () -> SetOps.addAll(this, c));
    }

    @Override
    public boolean removeAll(Collection<?> c) {
        Objects.requireNonNull(c);
        return $kiln$oid == 0 ? super.removeAll(c) : removeMatching(c::contains);
    }

    @Override
    public boolean retainAll(Collection<?> c) {
        Objects.requireNonNull(c);
        return $kiln$oid == 0 ? super.retainAll(c) : removeMatching(x -> !c.contains(x));
    }

    @Override
    public boolean removeIf(Predicate<? super E> p) {
        Objects.requireNonNull(p);
        return $kiln$oid == 0 ? super.removeIf(p) : removeMatching(p);
    }

    private boolean removeMatching(Predicate<? super E> p) {
        return ConcurrentOps.locked(this, () -> SetOps.removeIf(this, p));
    }

    @Override
    public E pollFirst() {
        return $kiln$oid == 0 ? super.pollFirst() : ConcurrentOps.locked(this, () -> pollHeld(true));
    }

    @Override
    public E pollLast() {
        return $kiln$oid == 0 ? super.pollLast() : ConcurrentOps.locked(this, () -> pollHeld(false));
    }

    /** Removes the first (or last) element under the held lock; null when empty. */
    private E pollHeld(boolean first) {
        if (super.isEmpty()) {
            return null;
        }
        E e = first ? super.first() : super.last();
        SetOps.remove(this, e);
        return e;
    }

    @Override
    public Iterator<E> iterator() {
        if ($kiln$oid == 0) {
            return super.iterator();
        }
        Iterator<E> raw = super.iterator();
        return new Iterator<E>() {
            private E last;

            @Override
            public boolean hasNext() {
                return raw.hasNext();
            }

            @Override
            public E next() {
                last = raw.next();
                return last;
            }

            @Override
            public void remove() {
                if (last == null) {
                    throw new IllegalStateException();
                }
                E e = last;
                last = null;
                KilnConcurrentSkipListSet.this.remove(e);
            }
        };
    }

    // The navigable views of a shared skip-list set are read-only (docs/agent.md).

    @Override
    public NavigableSet<E> descendingSet() {
        return $kiln$oid == 0 ? super.descendingSet() : Collections.unmodifiableNavigableSet(super.descendingSet());
    }

    @Override
    public Iterator<E> descendingIterator() {
        return $kiln$oid == 0 ? super.descendingIterator() : descendingSet().iterator();
    }

    @Override
    public NavigableSet<E> subSet(E from, boolean fromIn, E to, boolean toIn) {
        NavigableSet<E> s = super.subSet(from, fromIn, to, toIn);
        return $kiln$oid == 0 ? s : Collections.unmodifiableNavigableSet(s);
    }

    @Override
    public NavigableSet<E> headSet(E to, boolean in) {
        NavigableSet<E> s = super.headSet(to, in);
        return $kiln$oid == 0 ? s : Collections.unmodifiableNavigableSet(s);
    }

    @Override
    public NavigableSet<E> tailSet(E from, boolean in) {
        NavigableSet<E> s = super.tailSet(from, in);
        return $kiln$oid == 0 ? s : Collections.unmodifiableNavigableSet(s);
    }

    @Override
    public NavigableSet<E> subSet(E from, E to) {
        return subSet(from, true, to, false);
    }

    @Override
    public NavigableSet<E> headSet(E to) {
        return headSet(to, false);
    }

    @Override
    public NavigableSet<E> tailSet(E from) {
        return tailSet(from, true);
    }

    /** A copy is a new, unshared set. */
    @Override
    public java.util.concurrent.ConcurrentSkipListSet<E> clone() {
        KilnConcurrentSkipListSet<E> c = (KilnConcurrentSkipListSet<E>) super.clone();
        c.$kiln$oid = 0;
        c.$kiln$guard = new KilnConcurrent.Guard();
        return c;
    }
}

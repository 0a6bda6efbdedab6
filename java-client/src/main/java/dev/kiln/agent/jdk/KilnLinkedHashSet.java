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

    // JDK 21 SequencedCollection additions (plain methods on older JDKs; overrides on 21+). The
    // JDK's addFirst/addLast move the element through the set's private map, which a shared set
    // would not record: shared, they are recorded here; unshared, they are the JDK's own.

    private static final java.lang.invoke.MethodHandle ADD_FIRST = jdk21("addFirst");
    private static final java.lang.invoke.MethodHandle ADD_LAST = jdk21("addLast");

    /** {@code LinkedHashSet.name(Object)} as {@code super.name(..)} of this class; null before JDK 21. */
    private static java.lang.invoke.MethodHandle jdk21(String name) {
        try {
            return java.lang.invoke.MethodHandles.lookup().findSpecial(java.util.LinkedHashSet.class, name,
                    java.lang.invoke.MethodType.methodType(void.class, Object.class), KilnLinkedHashSet.class);
        } catch (ReflectiveOperationException before21) {
            return null;
        }
    }

    private void jdk(java.lang.invoke.MethodHandle h, E e, boolean first) {
        if (h == null) { // before JDK 21 nothing but a direct call reaches here: the same semantics
            if (first) {
                List<E> rest = new java.util.ArrayList<>(this);
                rest.remove(e);
                super.clear();
                super.add(e);
                super.addAll(rest);
            } else {
                super.remove(e);
                super.add(e);
            }
            return;
        }
        try {
            h.invoke(this, e);
        } catch (RuntimeException | Error x) {
            throw x;
        } catch (Throwable x) {
            throw new java.lang.reflect.UndeclaredThrowableException(x);
        }
    }

    /** As {@code LinkedHashSet.addFirst} (JDK 21): shared, recorded as Clear and the set's elements re-added in the new order. */
    public void addFirst(E e) {
        if ($kiln$oid == 0) {
            jdk(ADD_FIRST, e, true);
            return;
        }
        long t = Jdk.txn(this, "addFirst");
        E first = null;
        boolean had = false;
        List<E> rest = new java.util.ArrayList<>(size());
        for (Iterator<E> it = super.iterator(); it.hasNext();) {
            E x = it.next();
            if (!had && java.util.Objects.equals(x, e)) {
                first = x; // the element object the set holds stays
                had = true;
            } else {
                rest.add(x);
            }
        }
        if (!had) {
            first = Jdk.link(t, e, this);
        }
        super.clear();
        Jdk.clear(t, this);
        super.add(first);
        Jdk.add(t, this, first);
        for (E x : rest) {
            super.add(x);
            Jdk.add(t, this, x);
        }
    }

    /** As {@code LinkedHashSet.addLast} (JDK 21): shared, a present element is recorded as RemoveValue and Add. */
    public void addLast(E e) {
        if ($kiln$oid == 0) {
            jdk(ADD_LAST, e, false);
            return;
        }
        long t = Jdk.txn(this, "addLast");
        if (!contains(e)) {
            SetOps.add(this, e);
            return;
        }
        E stored = (E) SetOps.stored(this, e);
        super.remove(stored);
        Jdk.removeValue(t, this, stored);
        super.add(stored);
        Jdk.add(t, this, stored);
    }

    private static final java.lang.invoke.MethodHandle REVERSED =
            Sequenced.special(java.lang.invoke.MethodHandles.lookup(), java.util.LinkedHashSet.class, "reversed", "java.util.SequencedSet");

    /**
     * {@code reversed()} (JDK 21; its override, returning {@code SequencedSet}, is a bridge added at
     * load by {@code SequencedBridges}): unshared the JDK's view; shared a view whose changes are the set's.
     */
    public Object $kiln$reversed() {
        if ($kiln$oid == 0) {
            return Sequenced.jdk(REVERSED, this);
        }
        return Sequenced.view("java.util.SequencedSet", new Sequenced.RevSet<>(this), () -> this);
    }
}

package dev.kiln.agent.jdk;

import dev.kiln.agent.rt.Runtime;

import java.util.Collection;
import java.util.Iterator;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * The mutators of a <em>shared</em> Kiln set: each checks the cluster lock first, links new
 * elements into the shared graph, changes the local set, then records Add/RemoveValue/Clear
 * (a removal names the element object the set holds). Bulk operations go element by element.
 */
final class SetOps {
    private SetOps() {}

    @SuppressWarnings("unchecked")
    static <E> Object stored(KilnSet<E> s, Object o) {
        if (o != null && s instanceof java.util.NavigableSet && s.contains(o)) {
            // Sorted: the element the set's order takes for o (a comparator may equate "BOB" and "bob",
            // compareTo 1.0 and 1.00), the one the cluster holds.
            return ((java.util.NavigableSet<E>) s).ceiling((E) o);
        }
        if (o == null || Runtime.isLiteralValue(o)) {
            return o;
        }
        for (Iterator<E> it = s.$kiln$iterator(); it.hasNext();) {
            E e = it.next();
            if (Objects.equals(e, o)) {
                return e;
            }
        }
        return o;
    }

    static <E> boolean add(KilnSet<E> s, E e) {
        long t = Jdk.txn(s, "add");
        if (s.contains(e)) {
            return false;
        }
        e = Jdk.link(t, e, s);
        s.$kiln$add(e);
        Jdk.add(t, s, e);
        return true;
    }

    static <E> boolean remove(KilnSet<E> s, Object o) {
        long t = Jdk.txn(s, "remove");
        if (!s.contains(o)) {
            return false;
        }
        Object st = stored(s, o);
        s.$kiln$remove(o);
        Jdk.removeValue(t, s, st);
        return true;
    }

    static <E> void clear(KilnSet<E> s) {
        long t = Jdk.txn(s, "clear");
        s.$kiln$clear();
        Jdk.clear(t, s);
    }

    static <E> boolean addAll(KilnSet<E> s, Collection<? extends E> c) {
        Jdk.txn(s, "addAll");
        boolean any = false;
        for (E e : c) {
            any |= add(s, e);
        }
        return any;
    }

    static <E> boolean removeIf(KilnSet<E> s, Predicate<? super E> p) {
        Jdk.txn(s, "removeIf");
        boolean any = false;
        for (Iterator<E> it = iterator(s); it.hasNext();) {
            if (p.test(it.next())) {
                it.remove();
                any = true;
            }
        }
        return any;
    }

    static <E> Iterator<E> iterator(KilnSet<E> s) {
        return iterator(s, s.$kiln$iterator());
    }

    /** Over {@code raw}, an iterator of the raw set {@code s} or of a raw view of it (a sub-set's, a descending one). */
    static <E> Iterator<E> iterator(KilnSet<E> s, Iterator<E> raw) {
        return new Iterator<E>() {
            private E last;
            private boolean can;

            @Override
            public boolean hasNext() {
                return raw.hasNext();
            }

            @Override
            public E next() {
                last = raw.next();
                can = true;
                return last;
            }

            @Override
            public void remove() {
                if (!can) {
                    throw new IllegalStateException();
                }
                long t = Jdk.txn(s, "iterator.remove");
                raw.remove();
                can = false;
                Jdk.removeValue(t, s, last);
            }
        };
    }
}

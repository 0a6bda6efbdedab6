package dev.kiln.agent.jdk;

import java.util.AbstractList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;

/**
 * The mutators of a <em>shared</em> Kiln list: each checks the cluster lock first, links new
 * elements into the shared graph, changes the local list, then records Add/AddAt/Set/RemoveAt/
 * Clear. Bulk operations are sequences of those; iterators, list iterators and sub-lists are
 * views whose changes go through the list's own (recording) methods.
 */
final class ListOps {
    private ListOps() {}

    static <E> boolean add(KilnList<E> l, E e) {
        long t = Jdk.txn(l, "add");
        e = Jdk.link(t, e, l);
        l.$kiln$add(l.size(), e);
        Jdk.add(t, l, e);
        return true;
    }

    static <E> void add(KilnList<E> l, int i, E e) {
        long t = Jdk.txn(l, "add");
        e = Jdk.link(t, e, l);
        l.$kiln$add(i, e);
        Jdk.addAt(t, l, i, e);
    }

    static <E> E set(KilnList<E> l, int i, E e) {
        long t = Jdk.txn(l, "set");
        e = Jdk.link(t, e, l);
        E old = l.$kiln$set(i, e);
        Jdk.set(t, l, i, e);
        return old;
    }

    static <E> E removeAt(KilnList<E> l, int i) {
        long t = Jdk.txn(l, "remove");
        E old = l.$kiln$removeAt(i);
        Jdk.removeAt(t, l, i);
        return old;
    }

    static <E> boolean remove(KilnList<E> l, Object o) {
        Jdk.txn(l, "remove");
        int i = l.indexOf(o);
        if (i < 0) {
            return false;
        }
        removeAt(l, i);
        return true;
    }

    static <E> void clear(KilnList<E> l) {
        long t = Jdk.txn(l, "clear");
        l.$kiln$clear();
        Jdk.clear(t, l);
    }

    @SuppressWarnings("unchecked")
    static <E> boolean addAll(KilnList<E> l, Collection<? extends E> c) {
        Jdk.txn(l, "addAll");
        Object[] a = c.toArray();
        for (Object o : a) {
            add(l, (E) o);
        }
        return a.length > 0;
    }

    @SuppressWarnings("unchecked")
    static <E> boolean addAll(KilnList<E> l, int i, Collection<? extends E> c) {
        Jdk.txn(l, "addAll");
        if (i < 0 || i > l.size()) {
            throw new IndexOutOfBoundsException("Index: " + i + ", Size: " + l.size());
        }
        Object[] a = c.toArray();
        for (Object o : a) {
            add(l, i++, (E) o);
        }
        return a.length > 0;
    }

    static <E> boolean removeIf(KilnList<E> l, Predicate<? super E> p) {
        Jdk.txn(l, "removeIf");
        boolean any = false;
        for (int i = 0; i < l.size();) {
            if (p.test(l.get(i))) {
                removeAt(l, i);
                any = true;
            } else {
                i++;
            }
        }
        return any;
    }

    static <E> void replaceAll(KilnList<E> l, UnaryOperator<E> op) {
        Jdk.txn(l, "replaceAll");
        for (int i = 0; i < l.size(); i++) {
            set(l, i, op.apply(l.get(i)));
        }
    }

    @SuppressWarnings("unchecked")
    static <E> void sort(KilnList<E> l, Comparator<? super E> c) {
        Jdk.txn(l, "sort");
        Object[] a = l.toArray();
        Arrays.sort(a, (Comparator<Object>) c);
        for (int i = 0; i < a.length; i++) {
            if (a[i] != l.get(i)) {
                set(l, i, (E) a[i]);
            }
        }
    }

    static <E> void removeRange(KilnList<E> l, int from, int to) {
        Jdk.txn(l, "removeRange");
        for (int n = to - from; n > 0; n--) {
            removeAt(l, from);
        }
    }

    /**
     * A view of shared list {@code l} whose iterators, list iterators and sub-lists change it
     * through its own recording methods.
     */
    static <E> List<E> view(List<E> l) {
        return new AbstractList<E>() {
            @Override
            public E get(int i) {
                return l.get(i);
            }

            @Override
            public int size() {
                return l.size();
            }

            @Override
            public E set(int i, E e) {
                return l.set(i, e);
            }

            @Override
            public void add(int i, E e) {
                l.add(i, e);
            }

            @Override
            public E remove(int i) {
                return l.remove(i);
            }
        };
    }
}

package dev.kiln.agent.jdk;

import java.util.Collection;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.ListIterator;
import java.util.NoSuchElementException;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;

/**
 * A {@code java.util.LinkedList} the cluster can share. Allocated instead of {@code java.util.LinkedList} in instrumented classes (same
 * constructors) and copied from a plain one at share time. Not shared: the JDK's behaviour after
 * one field test. Shared: every mutator (iterators, list iterators, sub-lists included) checks the
 * cluster lock and records logical Add/AddAt/Set/RemoveAt/Clear operations ({@link ListOps}).
 */
@SuppressWarnings("unchecked")
public class KilnLinkedList<E> extends java.util.LinkedList<E> implements KilnList<E> {
    private static final long serialVersionUID = 1L;
    private transient long $kiln$oid;

    /** As the JDK's constructor. */
    public KilnLinkedList() {
        super();
    }

    /** As the JDK's constructor. */
    public KilnLinkedList(Collection<? extends E> c) {
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
        return 1;
    }

    @Override
    public String $kiln$class() {
        return "java.util.LinkedList";
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
    public void $kiln$add(int i, E e) {
        super.add(i, e);
    }

    @Override
    public E $kiln$set(int i, E e) {
        return super.set(i, e);
    }

    @Override
    public E $kiln$removeAt(int i) {
        return super.remove(i);
    }

    @Override
    public void $kiln$clear() {
        super.clear();
    }

    @Override
    public boolean add(E e) {
        return $kiln$oid == 0 ? super.add(e) : ListOps.add(this, e);
    }

    @Override
    public void add(int i, E e) {
        if ($kiln$oid == 0) {
            super.add(i, e);
        } else {
            ListOps.add(this, i, e);
        }
    }

    @Override
    public E set(int i, E e) {
        return $kiln$oid == 0 ? super.set(i, e) : ListOps.set(this, i, e);
    }

    @Override
    public E remove(int i) {
        return $kiln$oid == 0 ? super.remove(i) : ListOps.removeAt(this, i);
    }

    @Override
    public boolean remove(Object o) {
        return $kiln$oid == 0 ? super.remove(o) : ListOps.remove(this, o);
    }

    @Override
    public void clear() {
        if ($kiln$oid == 0) {
            super.clear();
        } else {
            ListOps.clear(this);
        }
    }

    @Override
    public boolean addAll(Collection<? extends E> c) {
        return $kiln$oid == 0 ? super.addAll(c) : ListOps.addAll(this, c);
    }

    @Override
    public boolean addAll(int i, Collection<? extends E> c) {
        return $kiln$oid == 0 ? super.addAll(i, c) : ListOps.addAll(this, i, c);
    }

    @Override
    public boolean removeAll(Collection<?> c) {
        return $kiln$oid == 0 ? super.removeAll(c) : ListOps.removeIf(this, c::contains);
    }

    @Override
    public boolean retainAll(Collection<?> c) {
        return $kiln$oid == 0 ? super.retainAll(c) : ListOps.removeIf(this, x -> !c.contains(x));
    }

    @Override
    public boolean removeIf(Predicate<? super E> p) {
        return $kiln$oid == 0 ? super.removeIf(p) : ListOps.removeIf(this, p);
    }

    @Override
    public void replaceAll(UnaryOperator<E> op) {
        if ($kiln$oid == 0) {
            super.replaceAll(op);
        } else {
            ListOps.replaceAll(this, op);
        }
    }

    @Override
    public void sort(Comparator<? super E> c) {
        if ($kiln$oid == 0) {
            super.sort(c);
        } else {
            ListOps.sort(this, c);
        }
    }

    @Override
    protected void removeRange(int from, int to) {
        if ($kiln$oid == 0) {
            super.removeRange(from, to);
        } else {
            ListOps.removeRange(this, from, to);
        }
    }

    @Override
    public Iterator<E> iterator() {
        return $kiln$oid == 0 ? super.iterator() : ListOps.view(this).iterator();
    }

    @Override
    public ListIterator<E> listIterator() {
        return $kiln$oid == 0 ? super.listIterator() : ListOps.view(this).listIterator();
    }

    @Override
    public ListIterator<E> listIterator(int i) {
        return $kiln$oid == 0 ? super.listIterator(i) : ListOps.view(this).listIterator(i);
    }

    @Override
    public List<E> subList(int from, int to) {
        return $kiln$oid == 0 ? super.subList(from, to) : ListOps.view(this).subList(from, to);
    }

    // JDK 21 SequencedCollection methods (plain methods on older JDKs).

    /** As {@code List.addFirst} (JDK 21). */
    public void addFirst(E e) {
        add(0, e);
    }

    /** As {@code List.addLast} (JDK 21). */
    public void addLast(E e) {
        add(e);
    }

    /** As {@code List.removeFirst} (JDK 21). */
    public E removeFirst() {
        if (isEmpty()) {
            throw new NoSuchElementException();
        }
        return remove(0);
    }

    /** As {@code List.removeLast} (JDK 21). */
    public E removeLast() {
        if (isEmpty()) {
            throw new NoSuchElementException();
        }
        return remove(size() - 1);
    }

    /** A copy is a new, unshared list. */
    @Override
    public Object clone() {
        KilnLinkedList<E> c = (KilnLinkedList<E>) super.clone();
        c.$kiln$oid = 0;
        return c;
    }

    // Deque methods of LinkedList, in terms of the list methods above when shared.

    @Override
    public boolean offer(E e) {
        return add(e);
    }

    @Override
    public boolean offerFirst(E e) {
        addFirst(e);
        return true;
    }

    @Override
    public boolean offerLast(E e) {
        return add(e);
    }

    @Override
    public void push(E e) {
        addFirst(e);
    }

    @Override
    public E pop() {
        return removeFirst();
    }

    @Override
    public E remove() {
        return removeFirst();
    }

    @Override
    public E poll() {
        return isEmpty() ? null : remove(0);
    }

    @Override
    public E pollFirst() {
        return isEmpty() ? null : remove(0);
    }

    @Override
    public E pollLast() {
        return isEmpty() ? null : remove(size() - 1);
    }

    @Override
    public boolean removeFirstOccurrence(Object o) {
        return remove(o);
    }

    @Override
    public boolean removeLastOccurrence(Object o) {
        int i = lastIndexOf(o);
        if (i < 0) {
            return false;
        }
        remove(i);
        return true;
    }

    @Override
    public Iterator<E> descendingIterator() {
        if ($kiln$oid == 0) {
            return super.descendingIterator();
        }
        ListIterator<E> it = listIterator(size());
        return new Iterator<E>() {
            @Override
            public boolean hasNext() {
                return it.hasPrevious();
            }

            @Override
            public E next() {
                return it.previous();
            }

            @Override
            public void remove() {
                it.remove();
            }
        };
    }
}

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
 * A {@code java.util.Stack} the cluster can share ({@code push}/{@code pop} are Vector's addElement/removeElementAt, overridden here). Allocated instead of {@code java.util.Stack} in instrumented classes (same
 * constructors) and copied from a plain one at share time. Not shared: the JDK's behaviour after
 * one field test. Shared: every mutator (iterators, list iterators, sub-lists included) checks the
 * cluster lock and records logical Add/AddAt/Set/RemoveAt/Clear operations ({@link ListOps}).
 */
@SuppressWarnings("unchecked")
public class KilnStack<E> extends java.util.Stack<E> implements KilnList<E> {
    private static final long serialVersionUID = 1L;
    private transient long $kiln$oid;

    /** As the JDK's constructor. */
    public KilnStack() {
        super();
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
        return "java.util.Stack";
    }

    @Override
    public List<Object> $kiln$content() {
        return java.util.Arrays.asList(super.toArray());
    }

    @Override
    public void $kiln$load(List<Object> c) {
        super.removeAllElements();
        for (Object o : c) {
            super.addElement((E) o);
        }
    }

    @Override
    public void $kiln$add(int i, E e) {
        super.insertElementAt(e, i);
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
        super.removeAllElements();
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
        KilnStack<E> c = (KilnStack<E>) super.clone();
        c.$kiln$oid = 0;
        return c;
    }

    // Vector's own mutators, in terms of the list methods above when shared.

    @Override
    public synchronized void addElement(E e) {
        if ($kiln$oid == 0) {
            super.addElement(e);
        } else {
            ListOps.add(this, e);
        }
    }

    @Override
    public synchronized void insertElementAt(E e, int i) {
        if ($kiln$oid == 0) {
            super.insertElementAt(e, i);
        } else {
            ListOps.add(this, i, e);
        }
    }

    @Override
    public synchronized void setElementAt(E e, int i) {
        if ($kiln$oid == 0) {
            super.setElementAt(e, i);
        } else {
            ListOps.set(this, i, e);
        }
    }

    @Override
    public synchronized void removeElementAt(int i) {
        if ($kiln$oid == 0) {
            super.removeElementAt(i);
        } else {
            ListOps.removeAt(this, i);
        }
    }

    @Override
    public synchronized boolean removeElement(Object o) {
        return $kiln$oid == 0 ? super.removeElement(o) : ListOps.remove(this, o);
    }

    @Override
    public synchronized void removeAllElements() {
        if ($kiln$oid == 0) {
            super.removeAllElements();
        } else {
            ListOps.clear(this);
        }
    }

    @Override
    public synchronized void setSize(int n) {
        if ($kiln$oid == 0) {
            super.setSize(n);
            return;
        }
        Jdk.txn(this, "setSize");
        while (size() > n) {
            ListOps.removeAt(this, size() - 1);
        }
        while (size() < n) {
            ListOps.add(this, null);
        }
    }
}

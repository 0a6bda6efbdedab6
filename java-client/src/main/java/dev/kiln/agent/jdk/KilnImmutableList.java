package dev.kiln.agent.jdk;

import java.util.AbstractList;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.ListIterator;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;
import java.util.RandomAccess;

/**
 * An immutable list ({@code List.of}, {@code List.copyOf}, {@code Collections.emptyList()},
 * {@code Collections.singletonList}) in the shared graph: the share-time copy of such a JDK list
 * ({@link Jdk#portableCopy}), and what another JVM materialises from the cluster class name
 * {@code java.util.ImmutableCollections$ListN}. Every mutator throws
 * UnsupportedOperationException, as the JDK's; there is no mutation path to share. Nulls are kept
 * (a {@code singletonList(null)}); {@code contains(null)} answers rather than throwing.
 */
public final class KilnImmutableList<E> extends AbstractList<E> implements Shared, RandomAccess, java.io.Serializable {
    private static final long serialVersionUID = 1L;
    private transient long $kiln$oid;
    private Object[] elements;

    KilnImmutableList(Collection<? extends E> c) {
        elements = c.toArray();
    }

    @SuppressWarnings("unchecked")
    @Override
    public E get(int i) {
        if (i < 0 || i >= elements.length) {
            throw new IndexOutOfBoundsException("Index " + i + " out of bounds for length " + elements.length);
        }
        return (E) elements[i];
    }

    @Override
    public int size() {
        return elements.length;
    }

    // Every mutator throws, also when it would change nothing (as the JDK's immutables).

    private static UnsupportedOperationException immutable() {
        return new UnsupportedOperationException("immutable");
    }

    @SuppressWarnings("unchecked")
    private List<E> view() {
        return java.util.Collections.unmodifiableList((List<E>) java.util.Arrays.asList(elements));
    }

    @Override
    public Iterator<E> iterator() {
        return view().iterator();
    }

    @Override
    public ListIterator<E> listIterator(int i) {
        return view().listIterator(i);
    }

    @Override
    public boolean add(E e) {
        throw immutable();
    }

    @Override
    public void add(int i, E e) {
        throw immutable();
    }

    @Override
    public E set(int i, E e) {
        throw immutable();
    }

    @Override
    public E remove(int i) {
        throw immutable();
    }

    @Override
    public boolean remove(Object o) {
        throw immutable();
    }

    @Override
    public void clear() {
        throw immutable();
    }

    @Override
    public boolean addAll(Collection<? extends E> c) {
        throw immutable();
    }

    @Override
    public boolean addAll(int i, Collection<? extends E> c) {
        throw immutable();
    }

    @Override
    public boolean removeAll(Collection<?> c) {
        throw immutable();
    }

    @Override
    public boolean retainAll(Collection<?> c) {
        throw immutable();
    }

    @Override
    public boolean removeIf(Predicate<? super E> p) {
        throw immutable();
    }

    @Override
    public void replaceAll(UnaryOperator<E> f) {
        throw immutable();
    }

    @Override
    public void sort(java.util.Comparator<? super E> c) {
        throw immutable();
    }

    @Override
    protected void removeRange(int from, int to) {
        throw immutable();
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
        return "java.util.ImmutableCollections$ListN";
    }

    @Override
    public List<Object> $kiln$content() {
        return new ArrayList<>(java.util.Arrays.asList(elements));
    }

    /** Local only: the share walk's linked copies, or another JVM's content; never a user's mutation. */
    @Override
    public void $kiln$load(List<Object> c) {
        elements = c.toArray();
    }
}

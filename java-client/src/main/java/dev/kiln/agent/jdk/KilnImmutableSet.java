package dev.kiln.agent.jdk;

import java.util.AbstractSet;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

/**
 * An immutable set ({@code Set.of}, {@code Set.copyOf}, {@code Collections.emptySet()},
 * {@code Collections.singleton}) in the shared graph: the share-time copy of such a JDK set
 * ({@link Jdk#portableCopy}), and what another JVM materialises from the cluster class name
 * {@code java.util.ImmutableCollections$SetN}. Every mutator throws
 * UnsupportedOperationException, as the JDK's. Iteration order: the content's (the JDK's own
 * order of {@code Set.of} is unspecified).
 */
public final class KilnImmutableSet<E> extends AbstractSet<E> implements Shared, java.io.Serializable {
    private static final long serialVersionUID = 1L;
    private transient long $kiln$oid;
    private Set<E> elements;

    KilnImmutableSet(Collection<? extends E> c) {
        elements = Collections.unmodifiableSet(new LinkedHashSet<>(c));
    }

    @Override
    public Iterator<E> iterator() {
        return elements.iterator(); // its remove throws
    }

    @Override
    public int size() {
        return elements.size();
    }

    @Override
    public boolean contains(Object o) {
        return elements.contains(o);
    }

    // Every mutator throws, also when it would change nothing (as the JDK's immutables).

    private static UnsupportedOperationException immutable() {
        return new UnsupportedOperationException("immutable");
    }

    @Override
    public boolean add(E e) {
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
        return "java.util.ImmutableCollections$SetN";
    }

    @Override
    public List<Object> $kiln$content() {
        return new ArrayList<>(elements);
    }

    /** Local only: the share walk's linked copies, or another JVM's content; never a user's mutation. */
    @SuppressWarnings("unchecked")
    @Override
    public void $kiln$load(List<Object> c) {
        elements = Collections.unmodifiableSet(new LinkedHashSet<>((Collection<E>) (Collection<?>) c));
    }
}

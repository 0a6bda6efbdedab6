package dev.kiln.agent.jdk;

import java.io.Serializable;
import java.util.Collection;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Spliterator;
import java.util.function.Consumer;
import java.util.function.IntFunction;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * The Kiln twin of {@code Collections.unmodifiableCollection} ({@link Wrappers}): every method is
 * the JDK's unmodifiable view's (it delegates to one), so mutators throw
 * UnsupportedOperationException. Shared, it is its own cluster object: a list of one reference,
 * the viewed collection (shared with it), so another JVM re-creates an unmodifiable view of the
 * same shared collection, and its remote changes show through.
 */
public class KilnUnmodifiableCollection<E> implements Collection<E>, Shared, Serializable {
    private static final long serialVersionUID = 1L;
    /** The viewed collection. */
    Collection<E> c;
    /** The JDK's unmodifiable view of {@link #c}. */
    transient Collection<E> ro;
    private transient long $kiln$oid;

    KilnUnmodifiableCollection(Collection<E> c) {
        if (c != null) {
            view(c);
        }
    }

    /** The wrapper kind recorded in the cluster class name. */
    String $kiln$wrap() {
        return "unmodifiableCollection";
    }

    /** The JDK's view of {@code c}. */
    Collection<E> jdk(Collection<E> coll) {
        return Collections.unmodifiableCollection(coll);
    }

    final void view(Collection<E> coll) {
        c = java.util.Objects.requireNonNull(coll);
        ro = jdk(coll);
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
        return "java.util.Collections$Unmodifiable" + Wrappers.WRAP + $kiln$wrap();
    }

    @Override
    public List<Object> $kiln$content() {
        return Collections.singletonList(c);
    }

    @SuppressWarnings("unchecked")
    @Override
    public void $kiln$load(List<Object> content) {
        if (content.size() != 1 || !(content.get(0) instanceof Collection)) {
            throw new IllegalStateException("kiln: an unmodifiable view's cluster state is not one collection: " + content);
        }
        view((Collection<E>) content.get(0));
    }

    @Override
    public int size() {
        return ro.size();
    }

    @Override
    public boolean isEmpty() {
        return ro.isEmpty();
    }

    @Override
    public boolean contains(Object o) {
        return ro.contains(o);
    }

    @Override
    public Object[] toArray() {
        return ro.toArray();
    }

    @Override
    public <T> T[] toArray(T[] a) {
        return ro.toArray(a);
    }

    @Override
    public <T> T[] toArray(IntFunction<T[]> f) {
        return ro.toArray(f);
    }

    @Override
    public String toString() {
        return ro.toString();
    }

    @Override
    public Iterator<E> iterator() {
        return ro.iterator();
    }

    @Override
    public boolean add(E e) {
        return ro.add(e);
    }

    @Override
    public boolean remove(Object o) {
        return ro.remove(o);
    }

    @Override
    public boolean containsAll(Collection<?> coll) {
        return ro.containsAll(coll);
    }

    @Override
    public boolean addAll(Collection<? extends E> coll) {
        return ro.addAll(coll);
    }

    @Override
    public boolean removeAll(Collection<?> coll) {
        return ro.removeAll(coll);
    }

    @Override
    public boolean retainAll(Collection<?> coll) {
        return ro.retainAll(coll);
    }

    @Override
    public void clear() {
        ro.clear();
    }

    @Override
    public void forEach(Consumer<? super E> action) {
        ro.forEach(action);
    }

    @Override
    public boolean removeIf(Predicate<? super E> filter) {
        return ro.removeIf(filter);
    }

    @Override
    public Spliterator<E> spliterator() {
        return ro.spliterator();
    }

    @Override
    public Stream<E> stream() {
        return ro.stream();
    }

    @Override
    public Stream<E> parallelStream() {
        return ro.parallelStream();
    }

    private void readObject(java.io.ObjectInputStream s) throws java.io.IOException, ClassNotFoundException {
        s.defaultReadObject();
        ro = jdk(c);
    }
}

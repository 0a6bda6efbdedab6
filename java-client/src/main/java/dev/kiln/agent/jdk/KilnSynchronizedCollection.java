package dev.kiln.agent.jdk;

import java.io.Serializable;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Spliterator;
import java.util.function.Consumer;
import java.util.function.IntFunction;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * The Kiln twin of {@code Collections.synchronizedCollection} (returned by {@link Wrappers} at the
 * rewritten call sites of instrumented classes). Every method but iteration and streams runs
 * under the mutex, as the JDK's: this object, or the map/collection it is a view of. Not shared,
 * that mutex is a JVM monitor; shared, it is the wrapper's cluster lock (taken for each operation,
 * nested in or re-entering any cluster lock the thread holds) and monitor, so each operation is
 * atomic across JVMs, and {@code synchronized (wrapper) { iterate }} in user code is that lock too.
 */
public class KilnSynchronizedCollection<E> implements Collection<E>, KilnWrapper, Serializable {
    private static final long serialVersionUID = 1L;
    /** The wrapped collection (replaced by its Kiln copy when a plain one is shared). */
    Collection<E> c;
    /** The lock owner: this, or the wrapper this is a view of. */
    final KilnWrapper mutex;
    private transient long $kiln$oid;
    private final transient KilnConcurrent.Guard $kiln$guard = new KilnConcurrent.Guard();

    /** Wraps {@code c}; {@code owner} null: this is its own mutex, else a view locked by {@code owner}. */
    KilnSynchronizedCollection(Collection<E> c, KilnWrapper owner) {
        this.c = java.util.Objects.requireNonNull(c);
        this.mutex = owner == null ? this : owner;
    }

    /** The wrapper kind recorded in the cluster class name. */
    String $kiln$wrap() {
        return "synchronizedCollection";
    }

    @Override
    public KilnWrapper $kiln$mutex() {
        return mutex;
    }

    @Override
    public Object $kiln$inner() {
        return c;
    }

    @SuppressWarnings("unchecked")
    @Override
    public void $kiln$inner(Object inner) {
        c = (Collection<E>) inner;
    }

    @Override
    public KilnConcurrent.Guard $kiln$guard() {
        return $kiln$guard;
    }

    @Override
    public long $kiln$oid() {
        return $kiln$oid;
    }

    @Override
    public void $kiln$oid(long oid) {
        $kiln$oid = oid;
        if (mutex == this) {
            ((Shared) c).$kiln$oid(oid);
        }
    }

    @Override
    public int $kiln$kind() {
        return ((Shared) c).$kiln$kind();
    }

    @Override
    public String $kiln$class() {
        return Wrappers.className(this, $kiln$wrap());
    }

    @Override
    public List<Object> $kiln$content() {
        return Wrappers.inner(this).$kiln$content();
    }

    @Override
    public void $kiln$load(List<Object> content) {
        Wrappers.load(this, content);
    }

    @Override
    public int size() {
        return Wrappers.op(mutex, () -> c.size());
    }

    @Override
    public boolean isEmpty() {
        return Wrappers.op(mutex, () -> c.isEmpty());
    }

    @Override
    public boolean contains(Object o) {
        return Wrappers.op(mutex, () -> c.contains(o));
    }

    @Override
    public Object[] toArray() {
        return Wrappers.op(mutex, () -> c.toArray());
    }

    @Override
    public <T> T[] toArray(T[] a) {
        return Wrappers.op(mutex, () -> c.toArray(a));
    }

    @Override
    public <T> T[] toArray(IntFunction<T[]> f) {
        return Wrappers.op(mutex, () -> c.toArray(f));
    }

    /** As the JDK's: must be manually synchronized on this wrapper by the user. */
    @Override
    public Iterator<E> iterator() {
        return c.iterator();
    }

    @Override
    public boolean add(E e) {
        return Wrappers.op(mutex, () -> c.add(e));
    }

    @Override
    public boolean remove(Object o) {
        return Wrappers.op(mutex, () -> c.remove(o));
    }

    @Override
    public boolean containsAll(Collection<?> coll) {
        return Wrappers.op(mutex, () -> c.containsAll(coll));
    }

    @Override
    public boolean addAll(Collection<? extends E> coll) {
        return Wrappers.op(mutex, () -> c.addAll(coll));
    }

    @Override
    public boolean removeAll(Collection<?> coll) {
        return Wrappers.op(mutex, () -> c.removeAll(coll));
    }

    @Override
    public boolean retainAll(Collection<?> coll) {
        return Wrappers.op(mutex, () -> c.retainAll(coll));
    }

    @Override
    public void clear() {
        Wrappers.run(mutex, () -> c.clear());
    }

    @Override
    public String toString() {
        return Wrappers.op(mutex, () -> c.toString());
    }

    @Override
    public void forEach(Consumer<? super E> consumer) {
        Wrappers.run(mutex, () -> c.forEach(consumer));
    }

    @Override
    public boolean removeIf(Predicate<? super E> filter) {
        return Wrappers.op(mutex, () -> c.removeIf(filter));
    }

    /** As the JDK's: must be manually synchronized by the user. */
    @Override
    public Spliterator<E> spliterator() {
        return c.spliterator();
    }

    /** As the JDK's: must be manually synchronized by the user. */
    @Override
    public Stream<E> stream() {
        return c.stream();
    }

    /** As the JDK's: must be manually synchronized by the user. */
    @Override
    public Stream<E> parallelStream() {
        return c.parallelStream();
    }

    private void writeObject(java.io.ObjectOutputStream s) throws java.io.IOException {
        synchronized (mutex) {
            s.defaultWriteObject();
        }
    }
}

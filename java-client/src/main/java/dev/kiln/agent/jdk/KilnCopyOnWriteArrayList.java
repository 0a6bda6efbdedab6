package dev.kiln.agent.jdk;

import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;

/**
 * A {@code java.util.concurrent.CopyOnWriteArrayList} the cluster can share (a logical list).
 * Allocated instead of the JDK type in instrumented classes (same constructors) and copied from a
 * plain one at share time. Not shared: the JDK's behaviour after one field test. Shared: every
 * mutator takes the list's own cluster write lock for that one operation (no user lock needed)
 * and records Add/AddAt/Set/RemoveAt/Clear ({@link ListOps}); iterators are snapshots, read-only,
 * as the JDK's; a sub-list's changes go through the list's own (self-locking) methods.
 */
@SuppressWarnings("unchecked")
public class KilnCopyOnWriteArrayList<E> extends java.util.concurrent.CopyOnWriteArrayList<E> implements KilnList<E>, KilnConcurrent {
    private static final long serialVersionUID = 1L;
    private transient long $kiln$oid;
    private final transient KilnConcurrent.Guard $kiln$guard = new KilnConcurrent.Guard();

    @Override
    public KilnConcurrent.Guard $kiln$guard() {
        return $kiln$guard;
    }

    /** As the JDK's constructor. */
    public KilnCopyOnWriteArrayList() {
        super();
    }

    /** As the JDK's constructor. */
    public KilnCopyOnWriteArrayList(Collection<? extends E> c) {
        super(c);
    }

    /** As the JDK's constructor. */
    public KilnCopyOnWriteArrayList(E[] a) {
        super(a);
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
        return "java.util.concurrent.CopyOnWriteArrayList";
    }

    @Override
    public List<Object> $kiln$content() {
        return java.util.Arrays.asList(super.toArray());
    }

    @Override
    public void $kiln$load(List<Object> c) {
        super.clear();
        super.addAll((Collection<? extends E>) c);
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
        return $kiln$oid == 0 ? super.add(e) : ConcurrentOps.locked(this, () -> ListOps.add(this, e));
    }

    @Override
    public void add(int i, E e) {
        if ($kiln$oid == 0) {
            super.add(i, e);
        } else {
            ConcurrentOps.run(this, () -> ListOps.add(this, i, e));
        }
    }

    @Override
    public E set(int i, E e) {
        return $kiln$oid == 0 ? super.set(i, e) : ConcurrentOps.locked(this, () -> ListOps.set(this, i, e));
    }

    @Override
    public E remove(int i) {
        return $kiln$oid == 0 ? super.remove(i) : ConcurrentOps.locked(this, () -> ListOps.removeAt(this, i));
    }

    @Override
    public boolean remove(Object o) {
        return $kiln$oid == 0 ? super.remove(o) : ConcurrentOps.locked(this, () -> ListOps.remove(this, o));
    }

    @Override
    public void clear() {
        if ($kiln$oid == 0) {
            super.clear();
        } else {
            ConcurrentOps.run(this, () -> ListOps.clear(this));
        }
    }

    @Override
    public boolean addAll(Collection<? extends E> c) {
        return $kiln$oid == 0 ? super.addAll(c) : ConcurrentOps.locked(this, () -> ListOps.addAll(this, c));
    }

    @Override
    public boolean addAll(int i, Collection<? extends E> c) {
        return $kiln$oid == 0 ? super.addAll(i, c) : ConcurrentOps.locked(this, () -> ListOps.addAll(this, i, c));
    }

    @Override
    public boolean addIfAbsent(E e) {
        return $kiln$oid == 0 ? super.addIfAbsent(e)
                : ConcurrentOps.locked(this, () -> !contains(e) && ListOps.add(this, e));
    }

    @Override
    public int addAllAbsent(Collection<? extends E> c) {
        if ($kiln$oid == 0) {
            return super.addAllAbsent(c);
        }
        return ConcurrentOps.locked(this, () -> {
            int n = 0;
            for (E e : c) {
                if (!contains(e)) {
                    ListOps.add(this, e);
                    n++;
                }
            }
            return n;
        });
    }

    @Override
    public boolean removeAll(Collection<?> c) {
        return $kiln$oid == 0 ? super.removeAll(c) : ConcurrentOps.locked(this, () -> ListOps.removeIf(this, c::contains));
    }

    @Override
    public boolean retainAll(Collection<?> c) {
        return $kiln$oid == 0 ? super.retainAll(c) : ConcurrentOps.locked(this, () -> ListOps.removeIf(this, x -> !c.contains(x)));
    }

    @Override
    public boolean removeIf(Predicate<? super E> p) {
        return $kiln$oid == 0 ? super.removeIf(p) : ConcurrentOps.locked(this, () -> ListOps.removeIf(this, p));
    }

    @Override
    public void replaceAll(UnaryOperator<E> op) {
        if ($kiln$oid == 0) {
            super.replaceAll(op);
        } else {
            ConcurrentOps.run(this, () -> ListOps.replaceAll(this, op));
        }
    }

    @Override
    public void sort(Comparator<? super E> c) {
        if ($kiln$oid == 0) {
            super.sort(c);
        } else {
            ConcurrentOps.run(this, () -> ListOps.sort(this, c));
        }
    }

    @Override
    public List<E> subList(int from, int to) {
        return $kiln$oid == 0 ? super.subList(from, to) : ListOps.view(this).subList(from, to);
    }

    /** A copy is a new, unshared list. */
    @Override
    public Object clone() {
        KilnCopyOnWriteArrayList<E> c = (KilnCopyOnWriteArrayList<E>) super.clone();
        c.$kiln$oid = 0;
        return c;
    }
}

package dev.kiln.agent.jdk;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.function.Predicate;

/**
 * A {@code java.util.concurrent.CopyOnWriteArraySet} the cluster can share (a logical set).
 * Allocated instead of the JDK type in instrumented classes (same constructors) and copied from a
 * plain one at share time. Not shared: the JDK's behaviour after one field test. Shared: every
 * mutator takes the set's own cluster write lock for that one operation (no user lock needed)
 * and records Add/RemoveValue/Clear ({@link SetOps}); iterators are snapshots, read-only, as the
 * JDK's.
 */
@SuppressWarnings("unchecked")
public class KilnCopyOnWriteArraySet<E> extends java.util.concurrent.CopyOnWriteArraySet<E> implements KilnSet<E>, KilnConcurrent {
    private static final long serialVersionUID = 1L;
    private transient long $kiln$oid;
    private final transient KilnConcurrent.Guard $kiln$guard = new KilnConcurrent.Guard();

    @Override
    public KilnConcurrent.Guard $kiln$guard() {
        return $kiln$guard;
    }

    /** As the JDK's constructor. */
    public KilnCopyOnWriteArraySet() {
        super();
    }

    /** As the JDK's constructor. */
    public KilnCopyOnWriteArraySet(Collection<? extends E> c) {
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
        return "java.util.concurrent.CopyOnWriteArraySet";
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
        return $kiln$oid == 0 ? super.add(e) : ConcurrentOps.locked(this, () -> SetOps.add(this, e));
    }

    @Override
    public boolean remove(Object o) {
        return $kiln$oid == 0 ? super.remove(o) : ConcurrentOps.locked(this, () -> SetOps.remove(this, o));
    }

    @Override
    public void clear() {
        if ($kiln$oid == 0) {
            super.clear();
        } else {
            ConcurrentOps.run(this, () -> SetOps.clear(this));
        }
    }

    @Override
    public boolean addAll(Collection<? extends E> c) {
        return $kiln$oid == 0 ? super.addAll(c) : ConcurrentOps.locked(this, () -> SetOps.addAll(this, c));
    }

    @Override
    public boolean removeAll(Collection<?> c) {
        return $kiln$oid == 0 ? super.removeAll(c) : removeMatching(c::contains);
    }

    @Override
    public boolean retainAll(Collection<?> c) {
        return $kiln$oid == 0 ? super.retainAll(c) : removeMatching(x -> !c.contains(x));
    }

    @Override
    public boolean removeIf(Predicate<? super E> p) {
        return $kiln$oid == 0 ? super.removeIf(p) : removeMatching(p);
    }

    /** Removes what {@code p} matches, one RemoveValue each (the JDK's iterators are read-only snapshots). */
    private boolean removeMatching(Predicate<? super E> p) {
        return ConcurrentOps.locked(this, () -> {
            List<E> gone = new ArrayList<>();
            for (E e : this) {
                if (p.test(e)) {
                    gone.add(e);
                }
            }
            for (E e : gone) {
                SetOps.remove(this, e);
            }
            return !gone.isEmpty();
        });
    }
}

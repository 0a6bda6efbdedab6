package dev.kiln.agent.jdk;

import java.util.Collection;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.SortedSet;
import java.util.function.Predicate;

/**
 * A {@code java.util.PriorityQueue} the cluster can share, under that class name (its comparator
 * kept in the name as for {@code TreeMap}: {@link Jdk#comparatorSuffix}). Allocated instead of the
 * JDK type in instrumented classes (same constructors) and copied from a plain one at share time.
 * Not shared: the JDK's behaviour after one field test. Shared: a {@code java.util} type, so every
 * mutator checks that the thread holds a cluster lock (as ArrayDeque's), before changing anything;
 * in the cluster it is a logical list in offer order (each JVM keeps its own heap of it, as for
 * {@link KilnPriorityBlockingQueue}): an offer records Add, a removal (poll, remove(o), removeIf,
 * the iterator's remove...) records RemoveValue of the element removed (a shared object by
 * identity), since the head of the local heap is not the head of the cluster list.
 */
@SuppressWarnings("unchecked")
public class KilnPriorityQueue<E> extends PriorityQueue<E> implements Shared {
    private static final long serialVersionUID = 1L;
    private transient long $kiln$oid;

    /** As the JDK's constructor. */
    public KilnPriorityQueue() {
        super();
    }

    /** As the JDK's constructor. */
    public KilnPriorityQueue(int initialCapacity) {
        super(initialCapacity);
    }

    /** As the JDK's constructor. */
    public KilnPriorityQueue(Comparator<? super E> comparator) {
        super(comparator);
    }

    /** As the JDK's constructor. */
    public KilnPriorityQueue(int initialCapacity, Comparator<? super E> comparator) {
        super(initialCapacity, comparator);
    }

    /** As the JDK's constructor. */
    public KilnPriorityQueue(Collection<? extends E> c) {
        super(c);
    }

    /** As the JDK's constructor. */
    public KilnPriorityQueue(PriorityQueue<? extends E> c) {
        super(c);
    }

    /** As the JDK's constructor. */
    public KilnPriorityQueue(SortedSet<? extends E> c) {
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
        return "java.util.PriorityQueue" + Jdk.comparatorSuffix(comparator(), this);
    }

    @Override
    public List<Object> $kiln$content() {
        return java.util.Arrays.asList(super.toArray());
    }

    @Override
    public void $kiln$load(List<Object> c) {
        super.clear();
        for (Object o : c) {
            super.offer((E) o);
        }
    }

    @Override
    public boolean offer(E e) {
        if ($kiln$oid == 0) {
            return super.offer(e);
        }
        long t = Jdk.txn(this, "offer");
        java.util.Objects.requireNonNull(e);
        e = Jdk.link(t, e, this);
        super.offer(e);
        Jdk.add(t, this, e);
        return true;
    }

    @Override
    public boolean add(E e) {
        return offer(e);
    }

    @Override
    public E poll() {
        if ($kiln$oid == 0) {
            return super.poll();
        }
        long t = Jdk.txn(this, "poll");
        E e = super.poll();
        if (e != null) {
            Jdk.removeValue(t, this, e);
        }
        return e;
    }

    @Override
    public boolean addAll(Collection<? extends E> c) {
        if ($kiln$oid == 0) {
            return super.addAll(c);
        }
        Jdk.txn(this, "addAll");
        if (c == this) {
            throw new IllegalArgumentException();
        }
        Object[] a = c.toArray();
        for (Object o : a) {
            java.util.Objects.requireNonNull(o);
        }
        for (Object o : a) {
            offer((E) o);
        }
        return a.length > 0;
    }

    /** Removes the elements {@code p} matches through the raw iterator, recording each by value. */
    private boolean removeWhere(String op, Predicate<? super E> p, boolean firstOnly) {
        long t = Jdk.txn(this, op);
        boolean any = false;
        for (Iterator<E> it = super.iterator(); it.hasNext();) {
            E e = it.next();
            if (p.test(e)) {
                it.remove();
                Jdk.removeValue(t, this, e);
                any = true;
                if (firstOnly) {
                    break;
                }
            }
        }
        return any;
    }

    @Override
    public boolean remove(Object o) {
        return $kiln$oid == 0 ? super.remove(o) : o != null && removeWhere("remove", o::equals, true);
    }

    @Override
    public boolean removeIf(Predicate<? super E> p) {
        return $kiln$oid == 0 ? super.removeIf(p) : removeWhere("removeIf", p, false);
    }

    @Override
    public boolean removeAll(Collection<?> c) {
        return $kiln$oid == 0 ? super.removeAll(c) : removeWhere("removeAll", c::contains, false);
    }

    @Override
    public boolean retainAll(Collection<?> c) {
        return $kiln$oid == 0 ? super.retainAll(c) : removeWhere("retainAll", x -> !c.contains(x), false);
    }

    @Override
    public void clear() {
        if ($kiln$oid == 0) {
            super.clear();
            return;
        }
        long t = Jdk.txn(this, "clear");
        super.clear();
        Jdk.clear(t, this);
    }

    @Override
    public Iterator<E> iterator() {
        if ($kiln$oid == 0) {
            return super.iterator();
        }
        Iterator<E> raw = super.iterator();
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
                long t = Jdk.txn(KilnPriorityQueue.this, "iterator.remove");
                raw.remove();
                can = false;
                Jdk.removeValue(t, KilnPriorityQueue.this, last);
            }
        };
    }
}

package dev.kiln.agent.jdk;

import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * A {@code java.util.ArrayDeque} the cluster can share, as a logical list (front = index 0).
 * Allocated instead of {@code java.util.ArrayDeque} in instrumented classes (same constructors)
 * and copied from a plain one at share time. Not shared: the JDK's behaviour after one field
 * test. Shared: every mutator checks the cluster lock and records AddAt(0)/Add/RemoveAt/Clear;
 * the descending iterator of a shared deque is read-only.
 */
@SuppressWarnings("unchecked")
public class KilnArrayDeque<E> extends java.util.ArrayDeque<E> implements Shared {
    private static final long serialVersionUID = 1L;
    private transient long $kiln$oid;

    /** As the JDK's constructor. */
    public KilnArrayDeque() {
        super();
    }

    /** As the JDK's constructor. */
    public KilnArrayDeque(int numElements) {
        super(numElements);
    }

    /** As the JDK's constructor. */
    public KilnArrayDeque(Collection<? extends E> c) {
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
        return "java.util.ArrayDeque";
    }

    @Override
    public List<Object> $kiln$content() {
        return java.util.Arrays.asList(super.toArray());
    }

    @Override
    public void $kiln$load(List<Object> c) {
        super.clear();
        for (Object o : c) {
            super.addLast((E) o);
        }
    }

    // ------------------------------------------------------------------ the leaves

    @Override
    public void addFirst(E e) {
        if ($kiln$oid == 0) {
            super.addFirst(e);
            return;
        }
        long t = Jdk.txn(this, "addFirst");
        e = Jdk.link(t, e, this);
        super.addFirst(e);
        Jdk.addAt(t, this, 0, e);
    }

    @Override
    public void addLast(E e) {
        if ($kiln$oid == 0) {
            super.addLast(e);
            return;
        }
        long t = Jdk.txn(this, "addLast");
        e = Jdk.link(t, e, this);
        super.addLast(e);
        Jdk.add(t, this, e);
    }

    @Override
    public E pollFirst() {
        if ($kiln$oid == 0) {
            return super.pollFirst();
        }
        long t = Jdk.txn(this, "pollFirst");
        if (isEmpty()) {
            return null;
        }
        E e = super.pollFirst();
        Jdk.removeAt(t, this, 0);
        return e;
    }

    @Override
    public E pollLast() {
        if ($kiln$oid == 0) {
            return super.pollLast();
        }
        long t = Jdk.txn(this, "pollLast");
        if (isEmpty()) {
            return null;
        }
        int last = size() - 1;
        E e = super.pollLast();
        Jdk.removeAt(t, this, last);
        return e;
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

    /** Removes, through the raw iterator, the elements {@code p} matches (from the front), recording each. */
    private boolean removeWhere(String op, Predicate<? super E> p, boolean firstOnly) {
        long t = Jdk.txn(this, op);
        boolean any = false;
        int i = 0;
        for (Iterator<E> it = super.iterator(); it.hasNext();) {
            if (p.test(it.next())) {
                it.remove();
                Jdk.removeAt(t, this, i);
                any = true;
                if (firstOnly) {
                    break;
                }
            } else {
                i++;
            }
        }
        return any;
    }

    @Override
    public boolean removeFirstOccurrence(Object o) {
        return $kiln$oid == 0 ? super.removeFirstOccurrence(o) : removeWhere("removeFirstOccurrence", x -> Objects.equals(o, x), true);
    }

    @Override
    public boolean removeLastOccurrence(Object o) {
        if ($kiln$oid == 0) {
            return super.removeLastOccurrence(o);
        }
        Jdk.txn(this, "removeLastOccurrence");
        Object[] a = super.toArray();
        for (int i = a.length - 1; i >= 0; i--) {
            if (Objects.equals(a[i], o)) {
                final int at = i;
                int[] n = {0};
                return removeWhere("removeLastOccurrence", x -> n[0]++ == at, true);
            }
        }
        return false;
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
    public boolean addAll(Collection<? extends E> c) {
        if ($kiln$oid == 0) {
            return super.addAll(c);
        }
        Jdk.txn(this, "addAll");
        Object[] a = c.toArray();
        for (Object o : a) {
            addLast((E) o);
        }
        return a.length > 0;
    }

    @Override
    public Iterator<E> iterator() {
        if ($kiln$oid == 0) {
            return super.iterator();
        }
        Iterator<E> raw = super.iterator();
        return new Iterator<E>() {
            private int next;
            private boolean can;

            @Override
            public boolean hasNext() {
                return raw.hasNext();
            }

            @Override
            public E next() {
                E e = raw.next();
                next++;
                can = true;
                return e;
            }

            @Override
            public void remove() {
                if (!can) {
                    throw new IllegalStateException();
                }
                long t = Jdk.txn(KilnArrayDeque.this, "iterator.remove");
                raw.remove();
                can = false;
                next--;
                Jdk.removeAt(t, KilnArrayDeque.this, next);
            }
        };
    }

    @Override
    public Iterator<E> descendingIterator() {
        if ($kiln$oid == 0) {
            return super.descendingIterator();
        }
        Iterator<E> raw = super.descendingIterator();
        return new Iterator<E>() {
            @Override
            public boolean hasNext() {
                return raw.hasNext();
            }

            @Override
            public E next() {
                return raw.next();
            }
        };
    }

    // ------------------------------------------------------------------ the rest, in terms of the leaves

    @Override
    public boolean add(E e) {
        addLast(e);
        return true;
    }

    @Override
    public boolean offer(E e) {
        addLast(e);
        return true;
    }

    @Override
    public boolean offerFirst(E e) {
        addFirst(e);
        return true;
    }

    @Override
    public boolean offerLast(E e) {
        addLast(e);
        return true;
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
    public E poll() {
        return pollFirst();
    }

    @Override
    public E remove() {
        return removeFirst();
    }

    @Override
    public E removeFirst() {
        if ($kiln$oid == 0) {
            return super.removeFirst();
        }
        if (isEmpty()) {
            Jdk.txn(this, "removeFirst");
            throw new NoSuchElementException();
        }
        return pollFirst();
    }

    @Override
    public E removeLast() {
        if ($kiln$oid == 0) {
            return super.removeLast();
        }
        if (isEmpty()) {
            Jdk.txn(this, "removeLast");
            throw new NoSuchElementException();
        }
        return pollLast();
    }

    @Override
    public boolean remove(Object o) {
        return removeFirstOccurrence(o);
    }

    /** A copy is a new, unshared deque. */
    @Override
    public KilnArrayDeque<E> clone() {
        KilnArrayDeque<E> c = (KilnArrayDeque<E>) super.clone();
        c.$kiln$oid = 0;
        return c;
    }
}

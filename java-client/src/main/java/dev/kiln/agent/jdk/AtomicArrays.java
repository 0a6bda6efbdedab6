package dev.kiln.agent.jdk;

import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.BinaryOperator;
import java.util.function.IntBinaryOperator;
import java.util.function.IntUnaryOperator;
import java.util.function.LongBinaryOperator;
import java.util.function.LongUnaryOperator;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * The element operations of {@code AtomicIntegerArray}, {@code AtomicLongArray} and
 * {@code AtomicReferenceArray}, whose methods are final: in instrumented classes every
 * {@code INVOKEVIRTUAL} of one of them that has a static counterpart here becomes an
 * {@code INVOKESTATIC} of it, with the array first ({@code AtomicsRewriter}, the same table
 * mechanism as {@code rt/Atomics}). Not shared (a JDK array, or a Kiln one with oid 0): the JDK's
 * method after a type test and a field test. Shared ({@link KilnAtomicIntegerArray}...): the
 * array's own cluster lock (write; read for the reads; nested in any lock the thread holds) is
 * taken, the JDK's method runs on the local array, current under the lock, and the element it
 * changed is recorded (a map entry index to value) in that lock's transaction, committed at the
 * end of the operation. A {@code set} of a reference shares its graph first. See docs/agent.md.
 */
@SuppressWarnings({"unchecked", "deprecation"})
public final class AtomicArrays {
    private AtomicArrays() {}

    private static Shared shared(Object a) {
        if (a instanceof Shared) {
            Shared s = (Shared) a;
            return s.$kiln$oid() == 0 ? null : s;
        }
        return null;
    }

    /**
     * {@code op} on shared array {@code s} under its cluster lock at {@code level}; at write level,
     * element {@code i} is recorded when it changed (a reference linked into the graph first).
     */
    static <R> R locked(Shared s, int level, int i, Supplier<R> op) {
        long[] e = Sync.lock(s, level);
        try {
            Object before = level == Sync.WRITE ? element(s, i) : null;
            R r = op.get();
            if (level == Sync.WRITE) {
                Object after = element(s, i);
                if (after != before && !(after != null && after.equals(before) && !(s instanceof AtomicReferenceArray))) {
                    if (s instanceof AtomicReferenceArray && after != null) {
                        Object w = Jdk.link(e[1], after, s);
                        if (w != after) {
                            ((AtomicReferenceArray<Object>) s).compareAndSet(i, after, w);
                            after = w;
                        }
                    }
                    dev.kiln.internal.Native.mapPut(e[1], s.$kiln$oid(), Jdk.enc(i), Jdk.enc(after));
                }
            }
            return r;
        } finally {
            Sync.unlock(s, e);
        }
    }

    private static Object element(Shared s, int i) {
        if (s instanceof AtomicIntegerArray) {
            return ((AtomicIntegerArray) s).get(i);
        }
        if (s instanceof AtomicLongArray) {
            return ((AtomicLongArray) s).get(i);
        }
        return ((AtomicReferenceArray<Object>) s).get(i);
    }

    // ------------------------------------------------------------------ AtomicIntegerArray
    public static int get(AtomicIntegerArray a, int i) {
        Shared s = shared(a);
        return s == null ? a.get(i) : locked(s, Sync.READ, i, () -> a.get(i));
    }

    public static int getPlain(AtomicIntegerArray a, int i) {
        Shared s = shared(a);
        return s == null ? a.getPlain(i) : locked(s, Sync.READ, i, () -> a.get(i));
    }

    public static int getOpaque(AtomicIntegerArray a, int i) {
        Shared s = shared(a);
        return s == null ? a.getOpaque(i) : locked(s, Sync.READ, i, () -> a.get(i));
    }

    public static int getAcquire(AtomicIntegerArray a, int i) {
        Shared s = shared(a);
        return s == null ? a.getAcquire(i) : locked(s, Sync.READ, i, () -> a.get(i));
    }

    public static void set(AtomicIntegerArray a, int i, int v) {
        Shared s = shared(a);
        if (s == null) {
            a.set(i, v);
        } else {
            locked(s, Sync.WRITE, i, () -> { a.set(i, v); return null; });
        }
    }

    public static void lazySet(AtomicIntegerArray a, int i, int v) {
        Shared s = shared(a);
        if (s == null) {
            a.lazySet(i, v);
        } else {
            locked(s, Sync.WRITE, i, () -> { a.set(i, v); return null; });
        }
    }

    public static void setPlain(AtomicIntegerArray a, int i, int v) {
        Shared s = shared(a);
        if (s == null) {
            a.setPlain(i, v);
        } else {
            locked(s, Sync.WRITE, i, () -> { a.set(i, v); return null; });
        }
    }

    public static void setOpaque(AtomicIntegerArray a, int i, int v) {
        Shared s = shared(a);
        if (s == null) {
            a.setOpaque(i, v);
        } else {
            locked(s, Sync.WRITE, i, () -> { a.set(i, v); return null; });
        }
    }

    public static void setRelease(AtomicIntegerArray a, int i, int v) {
        Shared s = shared(a);
        if (s == null) {
            a.setRelease(i, v);
        } else {
            locked(s, Sync.WRITE, i, () -> { a.set(i, v); return null; });
        }
    }

    public static int getAndSet(AtomicIntegerArray a, int i, int v) {
        Shared s = shared(a);
        return s == null ? a.getAndSet(i, v) : locked(s, Sync.WRITE, i, () -> a.getAndSet(i, v));
    }

    public static boolean compareAndSet(AtomicIntegerArray a, int i, int e, int v) {
        Shared s = shared(a);
        return s == null ? a.compareAndSet(i, e, v) : locked(s, Sync.WRITE, i, () -> a.compareAndSet(i, e, v));
    }

    public static boolean weakCompareAndSet(AtomicIntegerArray a, int i, int e, int v) {
        Shared s = shared(a);
        return s == null ? a.weakCompareAndSet(i, e, v) : locked(s, Sync.WRITE, i, () -> a.compareAndSet(i, e, v));
    }

    public static boolean weakCompareAndSetPlain(AtomicIntegerArray a, int i, int e, int v) {
        Shared s = shared(a);
        return s == null ? a.weakCompareAndSetPlain(i, e, v) : locked(s, Sync.WRITE, i, () -> a.compareAndSet(i, e, v));
    }

    public static boolean weakCompareAndSetVolatile(AtomicIntegerArray a, int i, int e, int v) {
        Shared s = shared(a);
        return s == null ? a.weakCompareAndSetVolatile(i, e, v) : locked(s, Sync.WRITE, i, () -> a.compareAndSet(i, e, v));
    }

    public static boolean weakCompareAndSetAcquire(AtomicIntegerArray a, int i, int e, int v) {
        Shared s = shared(a);
        return s == null ? a.weakCompareAndSetAcquire(i, e, v) : locked(s, Sync.WRITE, i, () -> a.compareAndSet(i, e, v));
    }

    public static boolean weakCompareAndSetRelease(AtomicIntegerArray a, int i, int e, int v) {
        Shared s = shared(a);
        return s == null ? a.weakCompareAndSetRelease(i, e, v) : locked(s, Sync.WRITE, i, () -> a.compareAndSet(i, e, v));
    }

    public static int compareAndExchange(AtomicIntegerArray a, int i, int e, int v) {
        Shared s = shared(a);
        return s == null ? a.compareAndExchange(i, e, v) : locked(s, Sync.WRITE, i, () -> a.compareAndExchange(i, e, v));
    }

    public static int compareAndExchangeAcquire(AtomicIntegerArray a, int i, int e, int v) {
        Shared s = shared(a);
        return s == null ? a.compareAndExchangeAcquire(i, e, v) : locked(s, Sync.WRITE, i, () -> a.compareAndExchange(i, e, v));
    }

    public static int compareAndExchangeRelease(AtomicIntegerArray a, int i, int e, int v) {
        Shared s = shared(a);
        return s == null ? a.compareAndExchangeRelease(i, e, v) : locked(s, Sync.WRITE, i, () -> a.compareAndExchange(i, e, v));
    }

    public static int getAndIncrement(AtomicIntegerArray a, int i) {
        Shared s = shared(a);
        return s == null ? a.getAndIncrement(i) : locked(s, Sync.WRITE, i, () -> a.getAndIncrement(i));
    }

    public static int getAndDecrement(AtomicIntegerArray a, int i) {
        Shared s = shared(a);
        return s == null ? a.getAndDecrement(i) : locked(s, Sync.WRITE, i, () -> a.getAndDecrement(i));
    }

    public static int incrementAndGet(AtomicIntegerArray a, int i) {
        Shared s = shared(a);
        return s == null ? a.incrementAndGet(i) : locked(s, Sync.WRITE, i, () -> a.incrementAndGet(i));
    }

    public static int decrementAndGet(AtomicIntegerArray a, int i) {
        Shared s = shared(a);
        return s == null ? a.decrementAndGet(i) : locked(s, Sync.WRITE, i, () -> a.decrementAndGet(i));
    }

    public static int getAndAdd(AtomicIntegerArray a, int i, int d) {
        Shared s = shared(a);
        return s == null ? a.getAndAdd(i, d) : locked(s, Sync.WRITE, i, () -> a.getAndAdd(i, d));
    }

    public static int addAndGet(AtomicIntegerArray a, int i, int d) {
        Shared s = shared(a);
        return s == null ? a.addAndGet(i, d) : locked(s, Sync.WRITE, i, () -> a.addAndGet(i, d));
    }

    public static int getAndUpdate(AtomicIntegerArray a, int i, IntUnaryOperator f) {
        Shared s = shared(a);
        return s == null ? a.getAndUpdate(i, f) : locked(s, Sync.WRITE, i, () -> a.getAndUpdate(i, f));
    }

    public static int updateAndGet(AtomicIntegerArray a, int i, IntUnaryOperator f) {
        Shared s = shared(a);
        return s == null ? a.updateAndGet(i, f) : locked(s, Sync.WRITE, i, () -> a.updateAndGet(i, f));
    }

    public static int getAndAccumulate(AtomicIntegerArray a, int i, int x, IntBinaryOperator f) {
        Shared s = shared(a);
        return s == null ? a.getAndAccumulate(i, x, f) : locked(s, Sync.WRITE, i, () -> a.getAndAccumulate(i, x, f));
    }

    public static int accumulateAndGet(AtomicIntegerArray a, int i, int x, IntBinaryOperator f) {
        Shared s = shared(a);
        return s == null ? a.accumulateAndGet(i, x, f) : locked(s, Sync.WRITE, i, () -> a.accumulateAndGet(i, x, f));
    }

    // ------------------------------------------------------------------ AtomicLongArray
    public static long get(AtomicLongArray a, int i) {
        Shared s = shared(a);
        return s == null ? a.get(i) : locked(s, Sync.READ, i, () -> a.get(i));
    }

    public static long getPlain(AtomicLongArray a, int i) {
        Shared s = shared(a);
        return s == null ? a.getPlain(i) : locked(s, Sync.READ, i, () -> a.get(i));
    }

    public static long getOpaque(AtomicLongArray a, int i) {
        Shared s = shared(a);
        return s == null ? a.getOpaque(i) : locked(s, Sync.READ, i, () -> a.get(i));
    }

    public static long getAcquire(AtomicLongArray a, int i) {
        Shared s = shared(a);
        return s == null ? a.getAcquire(i) : locked(s, Sync.READ, i, () -> a.get(i));
    }

    public static void set(AtomicLongArray a, int i, long v) {
        Shared s = shared(a);
        if (s == null) {
            a.set(i, v);
        } else {
            locked(s, Sync.WRITE, i, () -> { a.set(i, v); return null; });
        }
    }

    public static void lazySet(AtomicLongArray a, int i, long v) {
        Shared s = shared(a);
        if (s == null) {
            a.lazySet(i, v);
        } else {
            locked(s, Sync.WRITE, i, () -> { a.set(i, v); return null; });
        }
    }

    public static void setPlain(AtomicLongArray a, int i, long v) {
        Shared s = shared(a);
        if (s == null) {
            a.setPlain(i, v);
        } else {
            locked(s, Sync.WRITE, i, () -> { a.set(i, v); return null; });
        }
    }

    public static void setOpaque(AtomicLongArray a, int i, long v) {
        Shared s = shared(a);
        if (s == null) {
            a.setOpaque(i, v);
        } else {
            locked(s, Sync.WRITE, i, () -> { a.set(i, v); return null; });
        }
    }

    public static void setRelease(AtomicLongArray a, int i, long v) {
        Shared s = shared(a);
        if (s == null) {
            a.setRelease(i, v);
        } else {
            locked(s, Sync.WRITE, i, () -> { a.set(i, v); return null; });
        }
    }

    public static long getAndSet(AtomicLongArray a, int i, long v) {
        Shared s = shared(a);
        return s == null ? a.getAndSet(i, v) : locked(s, Sync.WRITE, i, () -> a.getAndSet(i, v));
    }

    public static boolean compareAndSet(AtomicLongArray a, int i, long e, long v) {
        Shared s = shared(a);
        return s == null ? a.compareAndSet(i, e, v) : locked(s, Sync.WRITE, i, () -> a.compareAndSet(i, e, v));
    }

    public static boolean weakCompareAndSet(AtomicLongArray a, int i, long e, long v) {
        Shared s = shared(a);
        return s == null ? a.weakCompareAndSet(i, e, v) : locked(s, Sync.WRITE, i, () -> a.compareAndSet(i, e, v));
    }

    public static boolean weakCompareAndSetPlain(AtomicLongArray a, int i, long e, long v) {
        Shared s = shared(a);
        return s == null ? a.weakCompareAndSetPlain(i, e, v) : locked(s, Sync.WRITE, i, () -> a.compareAndSet(i, e, v));
    }

    public static boolean weakCompareAndSetVolatile(AtomicLongArray a, int i, long e, long v) {
        Shared s = shared(a);
        return s == null ? a.weakCompareAndSetVolatile(i, e, v) : locked(s, Sync.WRITE, i, () -> a.compareAndSet(i, e, v));
    }

    public static boolean weakCompareAndSetAcquire(AtomicLongArray a, int i, long e, long v) {
        Shared s = shared(a);
        return s == null ? a.weakCompareAndSetAcquire(i, e, v) : locked(s, Sync.WRITE, i, () -> a.compareAndSet(i, e, v));
    }

    public static boolean weakCompareAndSetRelease(AtomicLongArray a, int i, long e, long v) {
        Shared s = shared(a);
        return s == null ? a.weakCompareAndSetRelease(i, e, v) : locked(s, Sync.WRITE, i, () -> a.compareAndSet(i, e, v));
    }

    public static long compareAndExchange(AtomicLongArray a, int i, long e, long v) {
        Shared s = shared(a);
        return s == null ? a.compareAndExchange(i, e, v) : locked(s, Sync.WRITE, i, () -> a.compareAndExchange(i, e, v));
    }

    public static long compareAndExchangeAcquire(AtomicLongArray a, int i, long e, long v) {
        Shared s = shared(a);
        return s == null ? a.compareAndExchangeAcquire(i, e, v) : locked(s, Sync.WRITE, i, () -> a.compareAndExchange(i, e, v));
    }

    public static long compareAndExchangeRelease(AtomicLongArray a, int i, long e, long v) {
        Shared s = shared(a);
        return s == null ? a.compareAndExchangeRelease(i, e, v) : locked(s, Sync.WRITE, i, () -> a.compareAndExchange(i, e, v));
    }

    public static long getAndIncrement(AtomicLongArray a, int i) {
        Shared s = shared(a);
        return s == null ? a.getAndIncrement(i) : locked(s, Sync.WRITE, i, () -> a.getAndIncrement(i));
    }

    public static long getAndDecrement(AtomicLongArray a, int i) {
        Shared s = shared(a);
        return s == null ? a.getAndDecrement(i) : locked(s, Sync.WRITE, i, () -> a.getAndDecrement(i));
    }

    public static long incrementAndGet(AtomicLongArray a, int i) {
        Shared s = shared(a);
        return s == null ? a.incrementAndGet(i) : locked(s, Sync.WRITE, i, () -> a.incrementAndGet(i));
    }

    public static long decrementAndGet(AtomicLongArray a, int i) {
        Shared s = shared(a);
        return s == null ? a.decrementAndGet(i) : locked(s, Sync.WRITE, i, () -> a.decrementAndGet(i));
    }

    public static long getAndAdd(AtomicLongArray a, int i, long d) {
        Shared s = shared(a);
        return s == null ? a.getAndAdd(i, d) : locked(s, Sync.WRITE, i, () -> a.getAndAdd(i, d));
    }

    public static long addAndGet(AtomicLongArray a, int i, long d) {
        Shared s = shared(a);
        return s == null ? a.addAndGet(i, d) : locked(s, Sync.WRITE, i, () -> a.addAndGet(i, d));
    }

    public static long getAndUpdate(AtomicLongArray a, int i, LongUnaryOperator f) {
        Shared s = shared(a);
        return s == null ? a.getAndUpdate(i, f) : locked(s, Sync.WRITE, i, () -> a.getAndUpdate(i, f));
    }

    public static long updateAndGet(AtomicLongArray a, int i, LongUnaryOperator f) {
        Shared s = shared(a);
        return s == null ? a.updateAndGet(i, f) : locked(s, Sync.WRITE, i, () -> a.updateAndGet(i, f));
    }

    public static long getAndAccumulate(AtomicLongArray a, int i, long x, LongBinaryOperator f) {
        Shared s = shared(a);
        return s == null ? a.getAndAccumulate(i, x, f) : locked(s, Sync.WRITE, i, () -> a.getAndAccumulate(i, x, f));
    }

    public static long accumulateAndGet(AtomicLongArray a, int i, long x, LongBinaryOperator f) {
        Shared s = shared(a);
        return s == null ? a.accumulateAndGet(i, x, f) : locked(s, Sync.WRITE, i, () -> a.accumulateAndGet(i, x, f));
    }

    // ------------------------------------------------------------------ AtomicReferenceArray
    public static <E> E get(AtomicReferenceArray<E> a, int i) {
        Shared s = shared(a);
        return s == null ? a.get(i) : locked(s, Sync.READ, i, () -> a.get(i));
    }

    public static <E> E getPlain(AtomicReferenceArray<E> a, int i) {
        Shared s = shared(a);
        return s == null ? a.getPlain(i) : locked(s, Sync.READ, i, () -> a.get(i));
    }

    public static <E> E getOpaque(AtomicReferenceArray<E> a, int i) {
        Shared s = shared(a);
        return s == null ? a.getOpaque(i) : locked(s, Sync.READ, i, () -> a.get(i));
    }

    public static <E> E getAcquire(AtomicReferenceArray<E> a, int i) {
        Shared s = shared(a);
        return s == null ? a.getAcquire(i) : locked(s, Sync.READ, i, () -> a.get(i));
    }

    public static <E> void set(AtomicReferenceArray<E> a, int i, E v) {
        Shared s = shared(a);
        if (s == null) {
            a.set(i, v);
        } else {
            locked(s, Sync.WRITE, i, () -> { a.set(i, v); return null; });
        }
    }

    public static <E> void lazySet(AtomicReferenceArray<E> a, int i, E v) {
        Shared s = shared(a);
        if (s == null) {
            a.lazySet(i, v);
        } else {
            locked(s, Sync.WRITE, i, () -> { a.set(i, v); return null; });
        }
    }

    public static <E> void setPlain(AtomicReferenceArray<E> a, int i, E v) {
        Shared s = shared(a);
        if (s == null) {
            a.setPlain(i, v);
        } else {
            locked(s, Sync.WRITE, i, () -> { a.set(i, v); return null; });
        }
    }

    public static <E> void setOpaque(AtomicReferenceArray<E> a, int i, E v) {
        Shared s = shared(a);
        if (s == null) {
            a.setOpaque(i, v);
        } else {
            locked(s, Sync.WRITE, i, () -> { a.set(i, v); return null; });
        }
    }

    public static <E> void setRelease(AtomicReferenceArray<E> a, int i, E v) {
        Shared s = shared(a);
        if (s == null) {
            a.setRelease(i, v);
        } else {
            locked(s, Sync.WRITE, i, () -> { a.set(i, v); return null; });
        }
    }

    public static <E> E getAndSet(AtomicReferenceArray<E> a, int i, E v) {
        Shared s = shared(a);
        return s == null ? a.getAndSet(i, v) : locked(s, Sync.WRITE, i, () -> a.getAndSet(i, v));
    }

    public static <E> boolean compareAndSet(AtomicReferenceArray<E> a, int i, E e, E v) {
        Shared s = shared(a);
        return s == null ? a.compareAndSet(i, e, v) : locked(s, Sync.WRITE, i, () -> a.compareAndSet(i, e, v));
    }

    public static <E> boolean weakCompareAndSet(AtomicReferenceArray<E> a, int i, E e, E v) {
        Shared s = shared(a);
        return s == null ? a.weakCompareAndSet(i, e, v) : locked(s, Sync.WRITE, i, () -> a.compareAndSet(i, e, v));
    }

    public static <E> boolean weakCompareAndSetPlain(AtomicReferenceArray<E> a, int i, E e, E v) {
        Shared s = shared(a);
        return s == null ? a.weakCompareAndSetPlain(i, e, v) : locked(s, Sync.WRITE, i, () -> a.compareAndSet(i, e, v));
    }

    public static <E> boolean weakCompareAndSetVolatile(AtomicReferenceArray<E> a, int i, E e, E v) {
        Shared s = shared(a);
        return s == null ? a.weakCompareAndSetVolatile(i, e, v) : locked(s, Sync.WRITE, i, () -> a.compareAndSet(i, e, v));
    }

    public static <E> boolean weakCompareAndSetAcquire(AtomicReferenceArray<E> a, int i, E e, E v) {
        Shared s = shared(a);
        return s == null ? a.weakCompareAndSetAcquire(i, e, v) : locked(s, Sync.WRITE, i, () -> a.compareAndSet(i, e, v));
    }

    public static <E> boolean weakCompareAndSetRelease(AtomicReferenceArray<E> a, int i, E e, E v) {
        Shared s = shared(a);
        return s == null ? a.weakCompareAndSetRelease(i, e, v) : locked(s, Sync.WRITE, i, () -> a.compareAndSet(i, e, v));
    }

    public static <E> E compareAndExchange(AtomicReferenceArray<E> a, int i, E e, E v) {
        Shared s = shared(a);
        return s == null ? a.compareAndExchange(i, e, v) : locked(s, Sync.WRITE, i, () -> a.compareAndExchange(i, e, v));
    }

    public static <E> E compareAndExchangeAcquire(AtomicReferenceArray<E> a, int i, E e, E v) {
        Shared s = shared(a);
        return s == null ? a.compareAndExchangeAcquire(i, e, v) : locked(s, Sync.WRITE, i, () -> a.compareAndExchange(i, e, v));
    }

    public static <E> E compareAndExchangeRelease(AtomicReferenceArray<E> a, int i, E e, E v) {
        Shared s = shared(a);
        return s == null ? a.compareAndExchangeRelease(i, e, v) : locked(s, Sync.WRITE, i, () -> a.compareAndExchange(i, e, v));
    }

    public static <E> E getAndUpdate(AtomicReferenceArray<E> a, int i, UnaryOperator<E> f) {
        Shared s = shared(a);
        return s == null ? a.getAndUpdate(i, f) : locked(s, Sync.WRITE, i, () -> a.getAndUpdate(i, f));
    }

    public static <E> E updateAndGet(AtomicReferenceArray<E> a, int i, UnaryOperator<E> f) {
        Shared s = shared(a);
        return s == null ? a.updateAndGet(i, f) : locked(s, Sync.WRITE, i, () -> a.updateAndGet(i, f));
    }

    public static <E> E getAndAccumulate(AtomicReferenceArray<E> a, int i, E x, BinaryOperator<E> f) {
        Shared s = shared(a);
        return s == null ? a.getAndAccumulate(i, x, f) : locked(s, Sync.WRITE, i, () -> a.getAndAccumulate(i, x, f));
    }

    public static <E> E accumulateAndGet(AtomicReferenceArray<E> a, int i, E x, BinaryOperator<E> f) {
        Shared s = shared(a);
        return s == null ? a.accumulateAndGet(i, x, f) : locked(s, Sync.WRITE, i, () -> a.accumulateAndGet(i, x, f));
    }
}

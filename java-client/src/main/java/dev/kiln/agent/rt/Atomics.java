package dev.kiln.agent.rt;

import dev.kiln.codec.Ref;
import dev.kiln.codec.ValueCodec;
import dev.kiln.codec.WireBuffer;
import dev.kiln.internal.Native;

import java.util.IdentityHashMap;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BinaryOperator;
import java.util.function.Function;
import java.util.function.IntBinaryOperator;
import java.util.function.IntUnaryOperator;
import java.util.function.LongBinaryOperator;
import java.util.function.LongUnaryOperator;
import java.util.function.UnaryOperator;

/**
 * {@code java.util.concurrent.atomic.AtomicInteger/AtomicLong/AtomicBoolean/AtomicReference}
 * and {@code LongAdder/DoubleAdder} (one cluster value: the sum) in the shared graph. Their methods are final (no subclass can intercept them) and the JDK
 * class cannot get an oid field, so: in instrumented classes every {@code INVOKEVIRTUAL} of one
 * of the methods below on one of those six types is rewritten into an {@code INVOKESTATIC} of
 * the static method here of the same name, with the atomic as first argument
 * ({@code AtomicsRewriter}); shared atomics are kept in an identity map (atomic -> oid), as
 * arrays are ({@link SharedArrays}).
 *
 * <p>Not shared: one static read ({@code any}: false until an atomic is shared or materialised
 * in this JVM; then one synchronized identity-map lookup) and the JDK's own method. Shared: a
 * cluster object of class {@code java.util.concurrent.atomic.AtomicX} with one field
 * {@code value}; each operation takes the atomic's own cluster lock (write; read for
 * {@code get}) — nested in any cluster lock the thread holds — and its JVM monitor, sets the
 * local atomic to the cluster's value (read from the client's cache, current under the lock),
 * runs the JDK's own method on it, and records the new value when it changed. So results are
 * exact across JVMs: {@code incrementAndGet} from three JVMs gives distinct values. See
 * docs/agent.md ("java.util.concurrent collections and atomics").
 */
public final class Atomics {
    private Atomics() {}

    private static final String FIELD = "value";
    private static final int READ = 1;
    private static final int WRITE = 2;

    /** Shared atomics -> object id (guarded by itself; strong, as Runtime's oid map). */
    private static final IdentityHashMap<Object, Long> OIDS = new IdentityHashMap<>();
    /** Object id -> shared atomic (atomics are not in Runtime's object map: drain does not refresh them). */
    private static final ConcurrentHashMap<Long, Object> BY_OID = new ConcurrentHashMap<>();
    /** False until the first atomic is shared or materialised here: until then an operation costs one static read. */
    private static boolean any;

    /** True for the four atomic types shared here (exact classes: a subclass is an application class). */
    static boolean isAtomic(Object v) {
        Class<?> c = v.getClass();
        return c == AtomicInteger.class || c == AtomicLong.class || c == AtomicBoolean.class || c == AtomicReference.class
                || c == LongAdder.class || c == DoubleAdder.class;
    }

    static boolean isAtomicClass(String name) {
        return name.equals("java.util.concurrent.atomic.AtomicInteger") || name.equals("java.util.concurrent.atomic.AtomicLong")
                || name.equals("java.util.concurrent.atomic.AtomicBoolean")
                || name.equals("java.util.concurrent.atomic.AtomicReference")
                || name.equals("java.util.concurrent.atomic.LongAdder") || name.equals("java.util.concurrent.atomic.DoubleAdder");
    }

    /** The object id of atomic {@code a}, 0 when it is not shared. */
    static long oid(Object a) {
        if (!any) {
            return 0;
        }
        synchronized (OIDS) {
            Long l = OIDS.get(a);
            return l == null ? 0 : l;
        }
    }

    static Object byOid(long oid) {
        return any ? BY_OID.get(oid) : null;
    }

    static void bind(Object a, long oid) {
        synchronized (OIDS) {
            OIDS.put(a, oid);
            BY_OID.put(oid, a);
            any = true;
        }
    }

    static void unbind(Object a) {
        synchronized (OIDS) {
            Long oid = OIDS.remove(a);
            if (oid != null) {
                BY_OID.remove(oid);
            }
        }
    }

    /** An AtomicReference's referent (walked by the sharing walk), else null. */
    static Object referent(Object a) {
        return a instanceof AtomicReference ? ((AtomicReference<?>) a).get() : null;
    }

    /** The walk replaced plain referent {@code v} by its Kiln copy {@code w}. */
    @SuppressWarnings("unchecked")
    static void replaceReferent(Object a, Object v, Object w) {
        ((AtomicReference<Object>) a).compareAndSet(v, w);
    }

    private static Object valueOf(Object a) {
        if (a instanceof AtomicInteger) {
            return ((AtomicInteger) a).get();
        }
        if (a instanceof AtomicLong) {
            return ((AtomicLong) a).get();
        }
        if (a instanceof AtomicBoolean) {
            return ((AtomicBoolean) a).get();
        }
        if (a instanceof LongAdder) {
            return ((LongAdder) a).sum();
        }
        if (a instanceof DoubleAdder) {
            return ((DoubleAdder) a).sum();
        }
        return ((AtomicReference<?>) a).get();
    }

    /** Records the value of newly shared (or changed) atomic {@code a} in transaction {@code txn}. */
    static void recordValue(long txn, Object a) {
        WireBuffer b = new WireBuffer(32);
        ValueCodec.encode(a.getClass().getName(), b);
        ValueCodec.encode(FIELD, b);
        ValueCodec.encode(Runtime.toValue(valueOf(a)), b);
        Native.objSetFields(txn, oid(a), b.toByteArray());
    }

    /** The cluster value of atomic {@code oid} (a reference materialised), from the client's cache. */
    private static Object clusterValue(long oid) {
        List<Object> st = ValueCodec.decodeAll(Native.objState(Runtime.clientHandle(), oid), Runtime.loader());
        for (int i = 1; i + 2 < st.size(); i += 3) {
            if (FIELD.equals(st.get(i + 1))) {
                Object v = st.get(i + 2);
                return v instanceof Ref ? Runtime.materialise(((Ref) v).oid()) : v;
            }
        }
        return null;
    }

    /** Sets local atomic {@code a} to cluster value {@code v} (an unchanged reference or literal keeps its local identity). */
    @SuppressWarnings("unchecked")
    private static void load(Object a, Object v) {
        if (a instanceof AtomicInteger) {
            ((AtomicInteger) a).set(v == null ? 0 : ((Number) v).intValue());
        } else if (a instanceof AtomicLong) {
            ((AtomicLong) a).set(v == null ? 0 : ((Number) v).longValue());
        } else if (a instanceof AtomicBoolean) {
            ((AtomicBoolean) a).set(Boolean.TRUE.equals(v));
        } else if (a instanceof LongAdder) {
            LongAdder x = (LongAdder) a;
            x.reset();
            x.add(v == null ? 0 : ((Number) v).longValue());
        } else if (a instanceof DoubleAdder) {
            DoubleAdder x = (DoubleAdder) a;
            x.reset();
            x.add(v == null ? 0 : ((Number) v).doubleValue());
        } else {
            AtomicReference<Object> r = (AtomicReference<Object>) a;
            Object cur = r.get();
            if (cur != v && !(cur != null && Runtime.isLiteral(cur) && cur.equals(v))) {
                r.set(v);
            }
        }
    }

    /** Atomic {@code oid} as a Java atomic of cluster state {@code st} (class, then decl/name/value). */
    static Object materialise(long oid, List<Object> st) {
        String cls = (String) st.get(0);
        Object a;
        switch (cls) {
            case "java.util.concurrent.atomic.AtomicInteger":
                a = new AtomicInteger();
                break;
            case "java.util.concurrent.atomic.AtomicLong":
                a = new AtomicLong();
                break;
            case "java.util.concurrent.atomic.AtomicBoolean":
                a = new AtomicBoolean();
                break;
            case "java.util.concurrent.atomic.LongAdder":
                a = new LongAdder();
                break;
            case "java.util.concurrent.atomic.DoubleAdder":
                a = new DoubleAdder();
                break;
            default:
                a = new AtomicReference<>();
        }
        bind(a, oid); // before the referent: a cycle through it finds this atomic
        for (int i = 1; i + 2 < st.size(); i += 3) {
            if (FIELD.equals(st.get(i + 1))) {
                Object v = st.get(i + 2);
                load(a, v instanceof Ref ? Runtime.materialise(((Ref) v).oid()) : v);
            }
        }
        return a;
    }

    /**
     * Operation {@code op} on shared atomic {@code a} under its cluster lock (and JVM monitor):
     * the local atomic is set to the cluster value first; a write whose result changed the
     * value records it (an AtomicReference's new referent shared in that transaction first).
     */
    @SuppressWarnings("unchecked")
    private static <A, R> R locked(A a, long oid, int level, Function<A, R> op) {
        Runtime.enterShared(oid, level);
        try {
            synchronized (a) {
                load(a, clusterValue(oid));
                Object before = valueOf(a);
                R r = op.apply(a);
                Object after = valueOf(a);
                if (level == WRITE && after != before && !(after != null && after.equals(before) && Runtime.isLiteral(after))) {
                    long txn = Runtime.currentTxn();
                    if (a instanceof AtomicReference && after != null) {
                        Object w = Runtime.link(after, txn, a.getClass().getName() + "@" + oid + ".value", oid);
                        if (w != after) {
                            ((AtomicReference<Object>) a).compareAndSet(after, w);
                        }
                    }
                    recordValue(txn, a);
                }
                return r;
            }
        } finally {
            Runtime.exitShared(oid);
        }
    }

    // ------------------------------------------------------------------ AtomicInteger

    public static int get(AtomicInteger a) {
        long oid = oid(a);
        return oid == 0 ? a.get() : locked(a, oid, READ, AtomicInteger::get);
    }

    public static int intValue(AtomicInteger a) {
        return get(a);
    }

    public static long longValue(AtomicInteger a) {
        return get(a);
    }

    public static String toString(AtomicInteger a) {
        return Integer.toString(get(a));
    }

    public static void set(AtomicInteger a, int v) {
        long oid = oid(a);
        if (oid == 0) {
            a.set(v);
        } else {
            locked(a, oid, WRITE, x -> { x.set(v); return null; });
        }
    }

    public static void lazySet(AtomicInteger a, int v) {
        set(a, v);
    }

    public static int getAndSet(AtomicInteger a, int v) {
        long oid = oid(a);
        return oid == 0 ? a.getAndSet(v) : locked(a, oid, WRITE, x -> x.getAndSet(v));
    }

    public static boolean compareAndSet(AtomicInteger a, int e, int v) {
        long oid = oid(a);
        return oid == 0 ? a.compareAndSet(e, v) : locked(a, oid, WRITE, x -> x.compareAndSet(e, v));
    }

    @SuppressWarnings("deprecation")
    public static boolean weakCompareAndSet(AtomicInteger a, int e, int v) {
        long oid = oid(a);
        return oid == 0 ? a.weakCompareAndSet(e, v) : locked(a, oid, WRITE, x -> x.compareAndSet(e, v));
    }

    public static int getAndIncrement(AtomicInteger a) {
        long oid = oid(a);
        return oid == 0 ? a.getAndIncrement() : locked(a, oid, WRITE, AtomicInteger::getAndIncrement);
    }

    public static int getAndDecrement(AtomicInteger a) {
        long oid = oid(a);
        return oid == 0 ? a.getAndDecrement() : locked(a, oid, WRITE, AtomicInteger::getAndDecrement);
    }

    public static int incrementAndGet(AtomicInteger a) {
        long oid = oid(a);
        return oid == 0 ? a.incrementAndGet() : locked(a, oid, WRITE, AtomicInteger::incrementAndGet);
    }

    public static int decrementAndGet(AtomicInteger a) {
        long oid = oid(a);
        return oid == 0 ? a.decrementAndGet() : locked(a, oid, WRITE, AtomicInteger::decrementAndGet);
    }

    public static int getAndAdd(AtomicInteger a, int d) {
        long oid = oid(a);
        return oid == 0 ? a.getAndAdd(d) : locked(a, oid, WRITE, x -> x.getAndAdd(d));
    }

    public static int addAndGet(AtomicInteger a, int d) {
        long oid = oid(a);
        return oid == 0 ? a.addAndGet(d) : locked(a, oid, WRITE, x -> x.addAndGet(d));
    }

    public static int getAndUpdate(AtomicInteger a, IntUnaryOperator f) {
        long oid = oid(a);
        return oid == 0 ? a.getAndUpdate(f) : locked(a, oid, WRITE, x -> x.getAndUpdate(f));
    }

    public static int updateAndGet(AtomicInteger a, IntUnaryOperator f) {
        long oid = oid(a);
        return oid == 0 ? a.updateAndGet(f) : locked(a, oid, WRITE, x -> x.updateAndGet(f));
    }

    public static int getAndAccumulate(AtomicInteger a, int v, IntBinaryOperator f) {
        long oid = oid(a);
        return oid == 0 ? a.getAndAccumulate(v, f) : locked(a, oid, WRITE, x -> x.getAndAccumulate(v, f));
    }

    public static int accumulateAndGet(AtomicInteger a, int v, IntBinaryOperator f) {
        long oid = oid(a);
        return oid == 0 ? a.accumulateAndGet(v, f) : locked(a, oid, WRITE, x -> x.accumulateAndGet(v, f));
    }

    // ------------------------------------------------------------------ AtomicLong

    public static long get(AtomicLong a) {
        long oid = oid(a);
        return oid == 0 ? a.get() : locked(a, oid, READ, AtomicLong::get);
    }

    public static int intValue(AtomicLong a) {
        return (int) get(a);
    }

    public static long longValue(AtomicLong a) {
        return get(a);
    }

    public static String toString(AtomicLong a) {
        return Long.toString(get(a));
    }

    public static void set(AtomicLong a, long v) {
        long oid = oid(a);
        if (oid == 0) {
            a.set(v);
        } else {
            locked(a, oid, WRITE, x -> { x.set(v); return null; });
        }
    }

    public static void lazySet(AtomicLong a, long v) {
        set(a, v);
    }

    public static long getAndSet(AtomicLong a, long v) {
        long oid = oid(a);
        return oid == 0 ? a.getAndSet(v) : locked(a, oid, WRITE, x -> x.getAndSet(v));
    }

    public static boolean compareAndSet(AtomicLong a, long e, long v) {
        long oid = oid(a);
        return oid == 0 ? a.compareAndSet(e, v) : locked(a, oid, WRITE, x -> x.compareAndSet(e, v));
    }

    @SuppressWarnings("deprecation")
    public static boolean weakCompareAndSet(AtomicLong a, long e, long v) {
        long oid = oid(a);
        return oid == 0 ? a.weakCompareAndSet(e, v) : locked(a, oid, WRITE, x -> x.compareAndSet(e, v));
    }

    public static long getAndIncrement(AtomicLong a) {
        long oid = oid(a);
        return oid == 0 ? a.getAndIncrement() : locked(a, oid, WRITE, AtomicLong::getAndIncrement);
    }

    public static long getAndDecrement(AtomicLong a) {
        long oid = oid(a);
        return oid == 0 ? a.getAndDecrement() : locked(a, oid, WRITE, AtomicLong::getAndDecrement);
    }

    public static long incrementAndGet(AtomicLong a) {
        long oid = oid(a);
        return oid == 0 ? a.incrementAndGet() : locked(a, oid, WRITE, AtomicLong::incrementAndGet);
    }

    public static long decrementAndGet(AtomicLong a) {
        long oid = oid(a);
        return oid == 0 ? a.decrementAndGet() : locked(a, oid, WRITE, AtomicLong::decrementAndGet);
    }

    public static long getAndAdd(AtomicLong a, long d) {
        long oid = oid(a);
        return oid == 0 ? a.getAndAdd(d) : locked(a, oid, WRITE, x -> x.getAndAdd(d));
    }

    public static long addAndGet(AtomicLong a, long d) {
        long oid = oid(a);
        return oid == 0 ? a.addAndGet(d) : locked(a, oid, WRITE, x -> x.addAndGet(d));
    }

    public static long getAndUpdate(AtomicLong a, LongUnaryOperator f) {
        long oid = oid(a);
        return oid == 0 ? a.getAndUpdate(f) : locked(a, oid, WRITE, x -> x.getAndUpdate(f));
    }

    public static long updateAndGet(AtomicLong a, LongUnaryOperator f) {
        long oid = oid(a);
        return oid == 0 ? a.updateAndGet(f) : locked(a, oid, WRITE, x -> x.updateAndGet(f));
    }

    public static long getAndAccumulate(AtomicLong a, long v, LongBinaryOperator f) {
        long oid = oid(a);
        return oid == 0 ? a.getAndAccumulate(v, f) : locked(a, oid, WRITE, x -> x.getAndAccumulate(v, f));
    }

    public static long accumulateAndGet(AtomicLong a, long v, LongBinaryOperator f) {
        long oid = oid(a);
        return oid == 0 ? a.accumulateAndGet(v, f) : locked(a, oid, WRITE, x -> x.accumulateAndGet(v, f));
    }

    // ------------------------------------------------------------------ AtomicBoolean

    public static boolean get(AtomicBoolean a) {
        long oid = oid(a);
        return oid == 0 ? a.get() : locked(a, oid, READ, AtomicBoolean::get);
    }

    public static String toString(AtomicBoolean a) {
        return Boolean.toString(get(a));
    }

    public static void set(AtomicBoolean a, boolean v) {
        long oid = oid(a);
        if (oid == 0) {
            a.set(v);
        } else {
            locked(a, oid, WRITE, x -> { x.set(v); return null; });
        }
    }

    public static void lazySet(AtomicBoolean a, boolean v) {
        set(a, v);
    }

    public static boolean getAndSet(AtomicBoolean a, boolean v) {
        long oid = oid(a);
        return oid == 0 ? a.getAndSet(v) : locked(a, oid, WRITE, x -> x.getAndSet(v));
    }

    public static boolean compareAndSet(AtomicBoolean a, boolean e, boolean v) {
        long oid = oid(a);
        return oid == 0 ? a.compareAndSet(e, v) : locked(a, oid, WRITE, x -> x.compareAndSet(e, v));
    }

    @SuppressWarnings("deprecation")
    public static boolean weakCompareAndSet(AtomicBoolean a, boolean e, boolean v) {
        long oid = oid(a);
        return oid == 0 ? a.weakCompareAndSet(e, v) : locked(a, oid, WRITE, x -> x.compareAndSet(e, v));
    }

    // ------------------------------------------------------------------ AtomicReference

    public static <V> V get(AtomicReference<V> a) {
        long oid = oid(a);
        return oid == 0 ? a.get() : locked(a, oid, READ, AtomicReference::get);
    }

    public static <V> String toString(AtomicReference<V> a) {
        return String.valueOf(get(a));
    }

    public static <V> void set(AtomicReference<V> a, V v) {
        long oid = oid(a);
        if (oid == 0) {
            a.set(v);
        } else {
            locked(a, oid, WRITE, x -> { x.set(v); return null; });
        }
    }

    public static <V> void lazySet(AtomicReference<V> a, V v) {
        set(a, v);
    }

    public static <V> V getAndSet(AtomicReference<V> a, V v) {
        long oid = oid(a);
        return oid == 0 ? a.getAndSet(v) : locked(a, oid, WRITE, x -> x.getAndSet(v));
    }

    public static <V> boolean compareAndSet(AtomicReference<V> a, V e, V v) {
        long oid = oid(a);
        return oid == 0 ? a.compareAndSet(e, v) : locked(a, oid, WRITE, x -> x.compareAndSet(e, v));
    }

    @SuppressWarnings("deprecation")
    public static <V> boolean weakCompareAndSet(AtomicReference<V> a, V e, V v) {
        long oid = oid(a);
        return oid == 0 ? a.weakCompareAndSet(e, v) : locked(a, oid, WRITE, x -> x.compareAndSet(e, v));
    }

    public static <V> V getAndUpdate(AtomicReference<V> a, UnaryOperator<V> f) {
        long oid = oid(a);
        return oid == 0 ? a.getAndUpdate(f) : locked(a, oid, WRITE, x -> x.getAndUpdate(f));
    }

    public static <V> V updateAndGet(AtomicReference<V> a, UnaryOperator<V> f) {
        long oid = oid(a);
        return oid == 0 ? a.updateAndGet(f) : locked(a, oid, WRITE, x -> x.updateAndGet(f));
    }

    public static <V> V getAndAccumulate(AtomicReference<V> a, V v, BinaryOperator<V> f) {
        long oid = oid(a);
        return oid == 0 ? a.getAndAccumulate(v, f) : locked(a, oid, WRITE, x -> x.getAndAccumulate(v, f));
    }

    public static <V> V accumulateAndGet(AtomicReference<V> a, V v, BinaryOperator<V> f) {
        long oid = oid(a);
        return oid == 0 ? a.accumulateAndGet(v, f) : locked(a, oid, WRITE, x -> x.accumulateAndGet(v, f));
    }

    // ------------------------------------------------------------------ LongAdder, DoubleAdder
    // Shared, an adder is one cluster value (its sum): each add is a locked read-modify-write, so
    // sums are exact across JVMs; the JDK's striping (cheap contended adds within one JVM) is lost.

    public static void add(LongAdder a, long x) {
        long oid = oid(a);
        if (oid == 0) {
            a.add(x);
        } else {
            locked(a, oid, WRITE, y -> { y.add(x); return null; });
        }
    }

    public static void increment(LongAdder a) {
        add(a, 1L);
    }

    public static void decrement(LongAdder a) {
        add(a, -1L);
    }

    public static long sum(LongAdder a) {
        long oid = oid(a);
        return oid == 0 ? a.sum() : locked(a, oid, READ, LongAdder::sum);
    }

    public static void reset(LongAdder a) {
        long oid = oid(a);
        if (oid == 0) {
            a.reset();
        } else {
            locked(a, oid, WRITE, y -> { y.reset(); return null; });
        }
    }

    public static long sumThenReset(LongAdder a) {
        long oid = oid(a);
        return oid == 0 ? a.sumThenReset() : locked(a, oid, WRITE, LongAdder::sumThenReset);
    }

    public static long longValue(LongAdder a) {
        return sum(a);
    }

    public static int intValue(LongAdder a) {
        return (int) sum(a);
    }

    public static double doubleValue(LongAdder a) {
        return (double) sum(a);
    }

    public static float floatValue(LongAdder a) {
        return (float) sum(a);
    }

    public static String toString(LongAdder a) {
        return Long.toString(sum(a));
    }

    public static void add(DoubleAdder a, double x) {
        long oid = oid(a);
        if (oid == 0) {
            a.add(x);
        } else {
            locked(a, oid, WRITE, y -> { y.add(x); return null; });
        }
    }

    public static double sum(DoubleAdder a) {
        long oid = oid(a);
        return oid == 0 ? a.sum() : locked(a, oid, READ, DoubleAdder::sum);
    }

    public static void reset(DoubleAdder a) {
        long oid = oid(a);
        if (oid == 0) {
            a.reset();
        } else {
            locked(a, oid, WRITE, y -> { y.reset(); return null; });
        }
    }

    public static double sumThenReset(DoubleAdder a) {
        long oid = oid(a);
        return oid == 0 ? a.sumThenReset() : locked(a, oid, WRITE, DoubleAdder::sumThenReset);
    }

    public static double doubleValue(DoubleAdder a) {
        return sum(a);
    }

    public static long longValue(DoubleAdder a) {
        return (long) sum(a);
    }

    public static int intValue(DoubleAdder a) {
        return (int) sum(a);
    }

    public static float floatValue(DoubleAdder a) {
        return (float) sum(a);
    }

    public static String toString(DoubleAdder a) {
        return Double.toString(sum(a));
    }
}

package dev.kiln.agent.jdk;

import com.tc.object.tx.UnlockedSharedObjectException;

import dev.kiln.agent.rt.Managed;
import dev.kiln.agent.rt.Runtime;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.concurrent.atomic.AtomicLongFieldUpdater;
import java.util.concurrent.atomic.AtomicReferenceFieldUpdater;
import java.util.function.BinaryOperator;
import java.util.function.IntBinaryOperator;
import java.util.function.IntUnaryOperator;
import java.util.function.LongBinaryOperator;
import java.util.function.LongUnaryOperator;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * {@code AtomicIntegerFieldUpdater}, {@code AtomicLongFieldUpdater} and
 * {@code AtomicReferenceFieldUpdater} used on shared instrumented objects. An updater writes its
 * field with Unsafe, past the PUTFIELD barrier; so in instrumented classes every
 * {@code INVOKEVIRTUAL} of one of the updater methods below becomes an {@code INVOKESTATIC} of the
 * static here of the same name, the updater first ({@code AtomicsRewriter}, the atomics' table).
 * Not shared (the object is not a shared instrumented one): one type test and one field test,
 * then the JDK's method. Shared: the field is a field of a cluster object, so the rules of a field
 * write apply: the thread must hold a cluster lock (else UnlockedSharedObjectException, thrown
 * before anything changed), the JDK's method runs on the local object, and a changed value is
 * recorded as that field's delta in the lock's transaction ({@code Runtime.afterPutV}/
 * {@code afterPutRef}, the PUTFIELD barrier's own hooks: a reference's graph is shared first, a
 * lazy field resolved before the compare). So a compareAndSet is atomic across JVMs among the
 * holders of the lock that guards the object, as a {@code synchronized} read-modify-write is.
 * The updater's field (declaring class and name) is found once per updater from the JDK updater's
 * {@code tclass} (java.util.concurrent.atomic is opened to the agent, as java.util is for the
 * wrappers): {@link #updated}. See docs/agent.md.
 */
@SuppressWarnings({"unchecked", "rawtypes", "deprecation"})
public final class FieldUpdaters {
    private FieldUpdaters() {}

    /** Updater -> {declaring class name, field name}. */
    private static final Map<Object, String[]> TARGETS = new WeakHashMap<>();
    private static volatile boolean opened;
    private static final sun.misc.Unsafe UNSAFE = unsafe();

    private static sun.misc.Unsafe unsafe() {
        try {
            Field f = sun.misc.Unsafe.class.getDeclaredField("theUnsafe");
            f.setAccessible(true);
            return (sun.misc.Unsafe) f.get(null);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    /** True when {@code obj} is a shared instrumented object (its field writes are recorded). */
    private static boolean shared(Object obj) {
        return obj instanceof Managed && !(obj instanceof Shared) && ((Managed) obj).$kiln$oid() != 0;
    }

    /** The declaring class and name of updater {@code u}'s field. */
    static String[] target(Object u) {
        synchronized (TARGETS) {
            String[] t = TARGETS.get(u);
            if (t != null) {
                return t;
            }
        }
        String[] t;
        try {
            if (!opened) {
                Wrappers.openPackage("java.util.concurrent.atomic");
                opened = true;
            }
            Class<?> tclass = (Class<?>) field(u.getClass(), "tclass").get(u);
            Field f = updated(u, tclass);
            t = new String[] {tclass.getName(), f.getName()};
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new IllegalStateException("kiln: cannot tell which field the " + u.getClass().getName()
                    + " updates, so its change of a shared object cannot be recorded: " + e, e);
        }
        synchronized (TARGETS) {
            TARGETS.put(u, t);
        }
        return t;
    }

    /**
     * The field of {@code tclass} updater {@code u} updates: the only volatile instance field of its
     * type (int, long, or exactly the updater's {@code vclass}: the JDK's own requirements) when there
     * is one; else the one a probe finds (distinct values stored in the candidates of a scratch
     * instance, read back through the updater); else (references of an abstract type) the one at
     * the updater's {@code offset}.
     */
    private static Field updated(Object u, Class<?> tclass) throws ReflectiveOperationException {
        Class<?> type = u instanceof AtomicIntegerFieldUpdater ? int.class
                : u instanceof AtomicLongFieldUpdater ? long.class : (Class<?>) field(u.getClass(), "vclass").get(u);
        java.util.List<Field> cand = new java.util.ArrayList<>();
        for (Field f : tclass.getDeclaredFields()) {
            int m = f.getModifiers();
            if (!Modifier.isStatic(m) && Modifier.isVolatile(m) && f.getType() == type) {
                f.setAccessible(true);
                cand.add(f);
            }
        }
        if (cand.size() == 1) {
            return cand.get(0);
        }
        Object scratch = cand.isEmpty() ? null : UNSAFE.allocateInstance(tclass);
        if (type == int.class || type == long.class) {
            for (int i = 0; i < cand.size(); i++) {
                if (type == int.class) {
                    cand.get(i).setInt(scratch, i + 1);
                } else {
                    cand.get(i).setLong(scratch, i + 1);
                }
            }
            long got = type == int.class ? ((AtomicIntegerFieldUpdater) u).get(scratch) : ((AtomicLongFieldUpdater) u).get(scratch);
            if (got >= 1 && got <= cand.size()) {
                return cand.get((int) got - 1);
            }
        } else if (!cand.isEmpty() && (type.isInterface() || !Modifier.isAbstract(type.getModifiers()))) {
            Object[] marks = new Object[cand.size()];
            for (int i = 0; i < marks.length; i++) {
                marks[i] = type.isInterface()
                        ? java.lang.reflect.Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (p, m, a) -> null)
                        : UNSAFE.allocateInstance(type);
                cand.get(i).set(scratch, marks[i]);
            }
            Object got = ((AtomicReferenceFieldUpdater) u).get(scratch);
            for (int i = 0; i < marks.length; i++) {
                if (got == marks[i]) {
                    return cand.get(i);
                }
            }
        }
        long offset = field(u.getClass(), "offset").getLong(u);
        for (Field f : cand) {
            if (UNSAFE.objectFieldOffset(f) == offset) {
                return f;
            }
        }
        throw new NoSuchFieldException("no volatile " + type.getName() + " field of " + tclass.getName() + " matches the updater");
    }

    private static Field field(Class<?> c, String name) throws NoSuchFieldException {
        for (Class<?> k = c; k != null; k = k.getSuperclass()) {
            try {
                Field f = k.getDeclaredField(name);
                f.setAccessible(true);
                return f;
            } catch (NoSuchFieldException e) {
                // the superclass's
            }
        }
        throw new NoSuchFieldException(c.getName() + "." + name);
    }

    /** Throws, before anything changes, when the thread holds no cluster lock for this write of shared {@code obj}. */
    private static String[] checkLocked(Object u, Object obj, String op) {
        String[] t = target(u);
        if (Runtime.currentTxn() == 0) {
            throw new UnlockedSharedObjectException("kiln: " + t[0] + "." + t[1] + " of a shared object was changed by "
                    + u.getClass().getSimpleName().replace("Impl", "") + "." + op + "() in thread \""
                    + Thread.currentThread().getName() + "\" outside any cluster lock. An Atomic*FieldUpdater's change"
                    + " of a shared object is a field write: make it inside synchronized blocks or methods matched by an"
                    + " <autolock> (or use an AtomicInteger/AtomicLong/AtomicReference field, which locks itself).");
        }
        return t;
    }

    private static <R> R intWrite(AtomicIntegerFieldUpdater u, Object obj, String op, Supplier<R> f) {
        String[] t = checkLocked(u, obj, op);
        int before = u.get(obj);
        R r = f.get();
        int after = u.get(obj);
        if (after != before) {
            Runtime.afterPutV(obj, after, t[0], t[1]);
        }
        return r;
    }

    private static <R> R longWrite(AtomicLongFieldUpdater u, Object obj, String op, Supplier<R> f) {
        String[] t = checkLocked(u, obj, op);
        long before = u.get(obj);
        R r = f.get();
        long after = u.get(obj);
        if (after != before) {
            Runtime.afterPutV(obj, after, t[0], t[1]);
        }
        return r;
    }

    private static Object refRead(AtomicReferenceFieldUpdater u, Object obj) {
        String[] t = target(u);
        return Runtime.lazyGet(obj, u.get(obj), t[0] + "." + t[1]); // a lazy field: resolved (stored in the field)
    }

    private static <R> R refWrite(AtomicReferenceFieldUpdater u, Object obj, String op, Supplier<R> f) {
        String[] t = checkLocked(u, obj, op);
        Object before = refRead(u, obj);
        R r = f.get();
        Object after = u.get(obj);
        if (after != before) {
            Runtime.afterPutRef(obj, after, t[0], t[1]); // shares its graph (a plain collection: its copy stored)
        }
        return r;
    }

    // ------------------------------------------------------------------ AtomicIntegerFieldUpdater
    public static <T> void set(AtomicIntegerFieldUpdater<T> u, T obj, int v) {
        if (shared(obj)) {
            intWrite(u, obj, "set", () -> { u.set(obj, v); return null; });
        } else {
            u.set(obj, v);
        }
    }

    public static <T> void lazySet(AtomicIntegerFieldUpdater<T> u, T obj, int v) {
        if (shared(obj)) {
            intWrite(u, obj, "lazySet", () -> { u.set(obj, v); return null; });
        } else {
            u.lazySet(obj, v);
        }
    }

    public static <T> int getAndSet(AtomicIntegerFieldUpdater<T> u, T obj, int v) {
        return shared(obj) ? intWrite(u, obj, "getAndSet", () -> u.getAndSet(obj, v)) : u.getAndSet(obj, v);
    }

    public static <T> boolean compareAndSet(AtomicIntegerFieldUpdater<T> u, T obj, int e, int v) {
        return shared(obj) ? intWrite(u, obj, "compareAndSet", () -> u.compareAndSet(obj, e, v)) : u.compareAndSet(obj, e, v);
    }

    public static <T> boolean weakCompareAndSet(AtomicIntegerFieldUpdater<T> u, T obj, int e, int v) {
        return shared(obj) ? intWrite(u, obj, "weakCompareAndSet", () -> u.compareAndSet(obj, e, v)) : u.weakCompareAndSet(obj, e, v);
    }

    public static <T> int getAndIncrement(AtomicIntegerFieldUpdater<T> u, T obj) {
        return shared(obj) ? intWrite(u, obj, "getAndIncrement", () -> u.getAndIncrement(obj)) : u.getAndIncrement(obj);
    }

    public static <T> int getAndDecrement(AtomicIntegerFieldUpdater<T> u, T obj) {
        return shared(obj) ? intWrite(u, obj, "getAndDecrement", () -> u.getAndDecrement(obj)) : u.getAndDecrement(obj);
    }

    public static <T> int incrementAndGet(AtomicIntegerFieldUpdater<T> u, T obj) {
        return shared(obj) ? intWrite(u, obj, "incrementAndGet", () -> u.incrementAndGet(obj)) : u.incrementAndGet(obj);
    }

    public static <T> int decrementAndGet(AtomicIntegerFieldUpdater<T> u, T obj) {
        return shared(obj) ? intWrite(u, obj, "decrementAndGet", () -> u.decrementAndGet(obj)) : u.decrementAndGet(obj);
    }

    public static <T> int getAndAdd(AtomicIntegerFieldUpdater<T> u, T obj, int d) {
        return shared(obj) ? intWrite(u, obj, "getAndAdd", () -> u.getAndAdd(obj, d)) : u.getAndAdd(obj, d);
    }

    public static <T> int addAndGet(AtomicIntegerFieldUpdater<T> u, T obj, int d) {
        return shared(obj) ? intWrite(u, obj, "addAndGet", () -> u.addAndGet(obj, d)) : u.addAndGet(obj, d);
    }

    public static <T> int getAndUpdate(AtomicIntegerFieldUpdater<T> u, T obj, IntUnaryOperator f) {
        return shared(obj) ? intWrite(u, obj, "getAndUpdate", () -> u.getAndUpdate(obj, f)) : u.getAndUpdate(obj, f);
    }

    public static <T> int updateAndGet(AtomicIntegerFieldUpdater<T> u, T obj, IntUnaryOperator f) {
        return shared(obj) ? intWrite(u, obj, "updateAndGet", () -> u.updateAndGet(obj, f)) : u.updateAndGet(obj, f);
    }

    public static <T> int getAndAccumulate(AtomicIntegerFieldUpdater<T> u, T obj, int x, IntBinaryOperator f) {
        return shared(obj) ? intWrite(u, obj, "getAndAccumulate", () -> u.getAndAccumulate(obj, x, f)) : u.getAndAccumulate(obj, x, f);
    }

    public static <T> int accumulateAndGet(AtomicIntegerFieldUpdater<T> u, T obj, int x, IntBinaryOperator f) {
        return shared(obj) ? intWrite(u, obj, "accumulateAndGet", () -> u.accumulateAndGet(obj, x, f)) : u.accumulateAndGet(obj, x, f);
    }

    // ------------------------------------------------------------------ AtomicLongFieldUpdater
    public static <T> void set(AtomicLongFieldUpdater<T> u, T obj, long v) {
        if (shared(obj)) {
            longWrite(u, obj, "set", () -> { u.set(obj, v); return null; });
        } else {
            u.set(obj, v);
        }
    }

    public static <T> void lazySet(AtomicLongFieldUpdater<T> u, T obj, long v) {
        if (shared(obj)) {
            longWrite(u, obj, "lazySet", () -> { u.set(obj, v); return null; });
        } else {
            u.lazySet(obj, v);
        }
    }

    public static <T> long getAndSet(AtomicLongFieldUpdater<T> u, T obj, long v) {
        return shared(obj) ? longWrite(u, obj, "getAndSet", () -> u.getAndSet(obj, v)) : u.getAndSet(obj, v);
    }

    public static <T> boolean compareAndSet(AtomicLongFieldUpdater<T> u, T obj, long e, long v) {
        return shared(obj) ? longWrite(u, obj, "compareAndSet", () -> u.compareAndSet(obj, e, v)) : u.compareAndSet(obj, e, v);
    }

    public static <T> boolean weakCompareAndSet(AtomicLongFieldUpdater<T> u, T obj, long e, long v) {
        return shared(obj) ? longWrite(u, obj, "weakCompareAndSet", () -> u.compareAndSet(obj, e, v)) : u.weakCompareAndSet(obj, e, v);
    }

    public static <T> long getAndIncrement(AtomicLongFieldUpdater<T> u, T obj) {
        return shared(obj) ? longWrite(u, obj, "getAndIncrement", () -> u.getAndIncrement(obj)) : u.getAndIncrement(obj);
    }

    public static <T> long getAndDecrement(AtomicLongFieldUpdater<T> u, T obj) {
        return shared(obj) ? longWrite(u, obj, "getAndDecrement", () -> u.getAndDecrement(obj)) : u.getAndDecrement(obj);
    }

    public static <T> long incrementAndGet(AtomicLongFieldUpdater<T> u, T obj) {
        return shared(obj) ? longWrite(u, obj, "incrementAndGet", () -> u.incrementAndGet(obj)) : u.incrementAndGet(obj);
    }

    public static <T> long decrementAndGet(AtomicLongFieldUpdater<T> u, T obj) {
        return shared(obj) ? longWrite(u, obj, "decrementAndGet", () -> u.decrementAndGet(obj)) : u.decrementAndGet(obj);
    }

    public static <T> long getAndAdd(AtomicLongFieldUpdater<T> u, T obj, long d) {
        return shared(obj) ? longWrite(u, obj, "getAndAdd", () -> u.getAndAdd(obj, d)) : u.getAndAdd(obj, d);
    }

    public static <T> long addAndGet(AtomicLongFieldUpdater<T> u, T obj, long d) {
        return shared(obj) ? longWrite(u, obj, "addAndGet", () -> u.addAndGet(obj, d)) : u.addAndGet(obj, d);
    }

    public static <T> long getAndUpdate(AtomicLongFieldUpdater<T> u, T obj, LongUnaryOperator f) {
        return shared(obj) ? longWrite(u, obj, "getAndUpdate", () -> u.getAndUpdate(obj, f)) : u.getAndUpdate(obj, f);
    }

    public static <T> long updateAndGet(AtomicLongFieldUpdater<T> u, T obj, LongUnaryOperator f) {
        return shared(obj) ? longWrite(u, obj, "updateAndGet", () -> u.updateAndGet(obj, f)) : u.updateAndGet(obj, f);
    }

    public static <T> long getAndAccumulate(AtomicLongFieldUpdater<T> u, T obj, long x, LongBinaryOperator f) {
        return shared(obj) ? longWrite(u, obj, "getAndAccumulate", () -> u.getAndAccumulate(obj, x, f)) : u.getAndAccumulate(obj, x, f);
    }

    public static <T> long accumulateAndGet(AtomicLongFieldUpdater<T> u, T obj, long x, LongBinaryOperator f) {
        return shared(obj) ? longWrite(u, obj, "accumulateAndGet", () -> u.accumulateAndGet(obj, x, f)) : u.accumulateAndGet(obj, x, f);
    }

    // ------------------------------------------------------------------ AtomicReferenceFieldUpdater
    public static <T, V> V get(AtomicReferenceFieldUpdater<T, V> u, T obj) {
        return shared(obj) ? (V) refRead(u, obj) : u.get(obj);
    }

    public static <T, V> void set(AtomicReferenceFieldUpdater<T, V> u, T obj, V v) {
        if (shared(obj)) {
            refWrite(u, obj, "set", () -> { u.set(obj, v); return null; });
        } else {
            u.set(obj, v);
        }
    }

    public static <T, V> void lazySet(AtomicReferenceFieldUpdater<T, V> u, T obj, V v) {
        if (shared(obj)) {
            refWrite(u, obj, "lazySet", () -> { u.set(obj, v); return null; });
        } else {
            u.lazySet(obj, v);
        }
    }

    public static <T, V> V getAndSet(AtomicReferenceFieldUpdater<T, V> u, T obj, V v) {
        return shared(obj) ? refWrite(u, obj, "getAndSet", () -> u.getAndSet(obj, v)) : u.getAndSet(obj, v);
    }

    public static <T, V> boolean compareAndSet(AtomicReferenceFieldUpdater<T, V> u, T obj, V e, V v) {
        return shared(obj) ? refWrite(u, obj, "compareAndSet", () -> u.compareAndSet(obj, e, v)) : u.compareAndSet(obj, e, v);
    }

    public static <T, V> boolean weakCompareAndSet(AtomicReferenceFieldUpdater<T, V> u, T obj, V e, V v) {
        return shared(obj) ? refWrite(u, obj, "weakCompareAndSet", () -> u.compareAndSet(obj, e, v)) : u.weakCompareAndSet(obj, e, v);
    }

    public static <T, V> V getAndUpdate(AtomicReferenceFieldUpdater<T, V> u, T obj, UnaryOperator<V> f) {
        return shared(obj) ? refWrite(u, obj, "getAndUpdate", () -> u.getAndUpdate(obj, f)) : u.getAndUpdate(obj, f);
    }

    public static <T, V> V updateAndGet(AtomicReferenceFieldUpdater<T, V> u, T obj, UnaryOperator<V> f) {
        return shared(obj) ? refWrite(u, obj, "updateAndGet", () -> u.updateAndGet(obj, f)) : u.updateAndGet(obj, f);
    }

    public static <T, V> V getAndAccumulate(AtomicReferenceFieldUpdater<T, V> u, T obj, V x, BinaryOperator<V> f) {
        return shared(obj) ? refWrite(u, obj, "getAndAccumulate", () -> u.getAndAccumulate(obj, x, f)) : u.getAndAccumulate(obj, x, f);
    }

    public static <T, V> V accumulateAndGet(AtomicReferenceFieldUpdater<T, V> u, T obj, V x, BinaryOperator<V> f) {
        return shared(obj) ? refWrite(u, obj, "accumulateAndGet", () -> u.accumulateAndGet(obj, x, f)) : u.accumulateAndGet(obj, x, f);
    }
}

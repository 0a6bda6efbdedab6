package dev.kiln.agent.rt;

import dev.kiln.codec.Ref;
import dev.kiln.codec.ValueCodec;
import dev.kiln.codec.WireBuffer;
import dev.kiln.internal.Native;

import java.util.List;

/**
 * Arrays in the shared graph (other than {@code byte[]}, a literal): a Java array cannot get an
 * oid field, so shared arrays are kept in an identity map (array -> oid). Element stores in
 * instrumented classes ({@code IASTORE}, {@code AASTORE}...) call the {@code *astore} methods
 * here: the store, then, only once any array was shared in this JVM and only for a shared array,
 * the cluster-lock check and a {@code SetElement} record. See docs/agent.md.
 */
public final class SharedArrays {
    private SharedArrays() {}

    /**
     * Shared arrays -> object id: an open-addressing identity table (strong, as Runtime's oid
     * map) read without a lock, written under {@link #LOCK}. A reader takes the current
     * {@link Table} (one volatile read), hashes the array's identity hash and probes: a store
     * into a non-shared array, once any array is shared here, costs that probe, not a monitor.
     * A writer fills a slot's id before its key and never reuses a slot within a table (a
     * removed key becomes {@link #GONE}); growing copies the live entries into a new table and
     * publishes it. A reader that sees a key whose id is not visible yet asks again under the lock.
     */
    private static final Object LOCK = new Object();
    private static final Object GONE = new Object();
    private static volatile Table table = new Table(64);
    /** Slots of the current table in use (live keys and GONE), under LOCK. */
    private static int used;
    /** False until the first array is shared or materialised here: until then a store is the store and one static read. */
    static boolean any;

    private static final class Table {
        final Object[] keys;
        final long[] oids;

        Table(int capacity) {
            keys = new Object[capacity];
            oids = new long[capacity];
        }
    }

    private static int slot(Object a, int mask) {
        int h = System.identityHashCode(a);
        return (h ^ (h >>> 16)) & mask;
    }

    static boolean isArray(Object v) {
        return v.getClass().isArray() && !(v instanceof byte[]);
    }

    /** The object id of shared array {@code a}, 0 when it is not shared. */
    static long oid(Object a) {
        if (!any) {
            return 0;
        }
        Table t = table;
        Object[] keys = t.keys;
        int mask = keys.length - 1;
        for (int i = slot(a, mask);; i = (i + 1) & mask) {
            Object k = keys[i];
            if (k == null) {
                return 0;
            }
            if (k == a) {
                long oid = t.oids[i];
                if (oid != 0) {
                    return oid;
                }
                synchronized (LOCK) { // its writer is publishing it: ask again in order
                    return lockedOid(a);
                }
            }
        }
    }

    private static long lockedOid(Object a) {
        Table t = table;
        int mask = t.keys.length - 1;
        for (int i = slot(a, mask);; i = (i + 1) & mask) {
            Object k = t.keys[i];
            if (k == null) {
                return 0;
            }
            if (k == a) {
                return t.oids[i];
            }
        }
    }

    static void bind(Object a, long oid) {
        synchronized (LOCK) {
            remove(a);
            Table t = table;
            if ((used + 1) * 2 > t.keys.length) {
                t = grow(t);
            }
            int mask = t.keys.length - 1;
            int i = slot(a, mask);
            while (t.keys[i] != null) {
                i = (i + 1) & mask;
            }
            t.oids[i] = oid;
            t.keys[i] = a;
            used++;
            any = true;
        }
    }

    /** A new table for the live entries of {@code t}, at most a quarter full; published. Under LOCK. */
    private static Table grow(Table t) {
        int live = 0;
        for (Object k : t.keys) {
            if (k != null && k != GONE) {
                live++;
            }
        }
        int cap = 64;
        while (cap < (live + 1) * 4) {
            cap <<= 1;
        }
        Table n = new Table(cap);
        int mask = cap - 1;
        for (int j = 0; j < t.keys.length; j++) {
            Object k = t.keys[j];
            if (k != null && k != GONE) {
                int i = slot(k, mask);
                while (n.keys[i] != null) {
                    i = (i + 1) & mask;
                }
                n.oids[i] = t.oids[j];
                n.keys[i] = k;
            }
        }
        used = live;
        table = n;
        return n;
    }

    /** Removes {@code a}'s entry, under LOCK. */
    private static void remove(Object a) {
        Table t = table;
        int mask = t.keys.length - 1;
        for (int i = slot(a, mask);; i = (i + 1) & mask) {
            Object k = t.keys[i];
            if (k == null) {
                return;
            }
            if (k == a) {
                t.keys[i] = GONE;
                return;
            }
        }
    }

    static void unbind(Object a) {
        synchronized (LOCK) {
            remove(a);
        }
    }

    /**
     * Creates array {@code a} in the cluster on {@code stripe} (as {@code Native.objCreate}; an
     * object array's elements are set by {@link #recordContent}).
     */
    static long create(long txn, Object a, int stripe) {
        int n = java.lang.reflect.Array.getLength(a);
        WireBuffer b = new WireBuffer(16 + 8 * n);
        boolean objects = a instanceof Object[];
        for (int i = 0; i < n; i++) {
            ValueCodec.encode(objects ? null : java.lang.reflect.Array.get(a, i), b);
        }
        return Native.arrCreate(txn, a.getClass().getName(), b.toByteArray(), stripe);
    }

    /** The elements of a newly shared object array, once every object of its graph has its id. */
    static void recordContent(long txn, Object a, long oid) {
        if (!(a instanceof Object[])) {
            return;
        }
        Object[] os = (Object[]) a;
        WireBuffer b = new WireBuffer(16 + 8 * os.length);
        for (Object o : os) {
            ValueCodec.encode(Runtime.toValue(o), b);
        }
        Native.arrSetAll(txn, oid, b.toByteArray());
    }

    /** A new Java array for cluster array {@code oid} ({@code st}: 5, class, elements). */
    static Object materialise(long oid, List<Object> st, ClassLoader loader, ObjectTable objects) {
        String cls = (String) st.get(1);
        Object a;
        try {
            a = java.lang.reflect.Array.newInstance(Class.forName(cls, false, loader).getComponentType(), st.size() - 2);
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException("kiln: cannot materialise array " + oid + " of " + cls + ": " + e, e);
        }
        objects.put(oid, a);
        bind(a, oid);
        fill(a, st);
        return a;
    }

    /** Sets the elements of {@code a} that differ from the cluster's ({@code st}: 5, class, elements). */
    static void fill(Object a, List<Object> st) {
        int n = Math.min(java.lang.reflect.Array.getLength(a), st.size() - 2);
        for (int i = 0; i < n; i++) {
            Object v = st.get(i + 2);
            if (v instanceof Ref) {
                v = Runtime.materialise(((Ref) v).oid());
            }
            Object cur = java.lang.reflect.Array.get(a, i);
            if (cur != v && (cur == null || !cur.equals(v))) {
                java.lang.reflect.Array.set(a, i, v);
            }
        }
    }

    private static void stored(Object a, int i, Object v) {
        long oid = oid(a);
        if (oid == 0) {
            return;
        }
        long t = Runtime.currentTxn();
        if (t == 0) {
            throw unlocked("element " + i, a, oid);
        }
        if (a instanceof Object[]) {
            Object w = Runtime.link(v, t, a.getClass().getSimpleName() + "@" + oid + "[" + i + "]", oid);
            if (w != v) {
                ((Object[]) a)[i] = w; // a plain JDK collection: the element is its shared Kiln copy
                v = w;
            }
        }
        Native.arrSet(t, oid, i, Runtime.encodeShared(v));
    }

    private static com.tc.object.tx.UnlockedSharedObjectException unlocked(String what, Object a, long oid) {
        return new com.tc.object.tx.UnlockedSharedObjectException("kiln: " + what + " of a shared "
                + a.getClass().getSimpleName() + " (object " + oid + ") was written by thread \""
                + Thread.currentThread().getName() + "\" outside any cluster lock. Write shared arrays inside"
                + " synchronized blocks or methods matched by an <autolock>, e.g. <locks><autolock>"
                + "<method-expression>* pkg.Class.*(..)</method-expression><lock-level>write</lock-level>"
                + "</autolock></locks>.");
    }

    // ------------------------------------------------------------------ whole-range changes (ArrayOps)

    /**
     * Above this many changed elements of a shared object array, the change is recorded as the
     * array's whole content (one {@code SetArray}) rather than element by element.
     */
    static final int WHOLE_CONTENT = 32;

    /**
     * Before JDK code changes elements {@code [from, to)} of {@code a} ({@code System.arraycopy},
     * {@code Arrays.fill/sort/setAll}... called from instrumented code: {@link ArrayOps}): null
     * when {@code a} is not a shared array (or the range is not one: the operation throws then,
     * changing nothing); for a shared array, the lock check — {@code
     * UnlockedSharedObjectException} before anything changes — and a copy of the range.
     */
    static Range before(Object a, int from, int to, String op) {
        if (a == null || !isArray(a)) {
            return null;
        }
        long oid = oid(a);
        if (oid == 0) {
            return null;
        }
        int n = java.lang.reflect.Array.getLength(a);
        if (from < 0 || to > n || from > to) {
            return null;
        }
        long t = Runtime.currentTxn();
        if (t == 0) {
            throw unlocked(op + " on elements " + from + ".." + to, a, oid);
        }
        Object copy = java.lang.reflect.Array.newInstance(a.getClass().getComponentType(), to - from);
        System.arraycopy(a, from, copy, 0, to - from);
        return new Range(oid, from, copy);
    }

    /** The range {@link #before} copied. */
    static final class Range {
        final long oid;
        final int from;
        final Object copy;

        Range(long oid, int from, Object copy) {
            this.oid = oid;
            this.from = from;
            this.copy = copy;
        }
    }

    /**
     * After the JDK operation (also when it threw part-way): records the elements of the range
     * that differ from the copy, in the transaction of the lock {@link #before} checked (an
     * object element's graph shared first, as for a store).
     */
    static void after(Object a, Range r) {
        if (r == null) {
            return;
        }
        long t = Runtime.currentTxn();
        int len = java.lang.reflect.Array.getLength(r.copy);
        int[] changed = new int[len];
        int n = 0;
        if (a instanceof Object[]) {
            Object[] os = (Object[]) a;
            Object[] old = (Object[]) r.copy;
            for (int i = 0; i < len; i++) {
                if (os[r.from + i] != old[i]) {
                    changed[n++] = r.from + i;
                }
            }
            for (int j = 0; j < n; j++) {
                int i = changed[j];
                Object v = os[i];
                Object w = Runtime.link(v, t, a.getClass().getSimpleName() + "@" + r.oid + "[" + i + "]", r.oid);
                if (w != v) {
                    os[i] = w; // a plain JDK collection: the element is its shared Kiln copy
                }
            }
            if (n > WHOLE_CONTENT) {
                recordContent(t, a, r.oid);
                return;
            }
        } else {
            n = changedPrimitives(a, r.from, r.copy, len, changed);
        }
        for (int j = 0; j < n; j++) {
            int i = changed[j];
            Native.arrSet(t, r.oid, i, Runtime.encodeShared(java.lang.reflect.Array.get(a, i)));
        }
    }

    /** The indexes of primitive array {@code a} from {@code from} that differ from {@code copy} (float/double by bits). */
    private static int changedPrimitives(Object a, int from, Object copy, int len, int[] changed) {
        int n = 0;
        if (a instanceof int[]) {
            int[] x = (int[]) a;
            int[] y = (int[]) copy;
            for (int i = 0; i < len; i++) {
                if (x[from + i] != y[i]) {
                    changed[n++] = from + i;
                }
            }
        } else if (a instanceof long[]) {
            long[] x = (long[]) a;
            long[] y = (long[]) copy;
            for (int i = 0; i < len; i++) {
                if (x[from + i] != y[i]) {
                    changed[n++] = from + i;
                }
            }
        } else if (a instanceof double[]) {
            double[] x = (double[]) a;
            double[] y = (double[]) copy;
            for (int i = 0; i < len; i++) {
                if (Double.doubleToRawLongBits(x[from + i]) != Double.doubleToRawLongBits(y[i])) {
                    changed[n++] = from + i;
                }
            }
        } else if (a instanceof float[]) {
            float[] x = (float[]) a;
            float[] y = (float[]) copy;
            for (int i = 0; i < len; i++) {
                if (Float.floatToRawIntBits(x[from + i]) != Float.floatToRawIntBits(y[i])) {
                    changed[n++] = from + i;
                }
            }
        } else {
            for (int i = 0; i < len; i++) { // char[], short[], boolean[]: boxed compare
                if (!java.lang.reflect.Array.get(a, from + i).equals(java.lang.reflect.Array.get(copy, i))) {
                    changed[n++] = from + i;
                }
            }
        }
        return n;
    }

    // ------------------------------------------------------------------ element stores (instrumented code)

    /** {@code AASTORE}. */
    public static void aastore(Object[] a, int i, Object v) {
        a[i] = v;
        if (any) {
            stored(a, i, v);
        }
    }

    /** {@code IASTORE}. */
    public static void iastore(int[] a, int i, int v) {
        a[i] = v;
        if (any) {
            stored(a, i, v);
        }
    }

    /** {@code LASTORE}. */
    public static void lastore(long[] a, int i, long v) {
        a[i] = v;
        if (any) {
            stored(a, i, v);
        }
    }

    /** {@code FASTORE}. */
    public static void fastore(float[] a, int i, float v) {
        a[i] = v;
        if (any) {
            stored(a, i, v);
        }
    }

    /** {@code DASTORE}. */
    public static void dastore(double[] a, int i, double v) {
        a[i] = v;
        if (any) {
            stored(a, i, v);
        }
    }

    /** {@code CASTORE}. */
    public static void castore(char[] a, int i, int v) {
        a[i] = (char) v;
        if (any) {
            stored(a, i, (char) v);
        }
    }

    /** {@code SASTORE}. */
    public static void sastore(short[] a, int i, int v) {
        a[i] = (short) v;
        if (any) {
            stored(a, i, (short) v);
        }
    }

    /** {@code BASTORE}: a {@code boolean[]} or a {@code byte[]} (a literal, never shared as an array). */
    public static void bastore(Object a, int i, int v) {
        if (a instanceof boolean[]) {
            ((boolean[]) a)[i] = (v & 1) != 0;
            if (any) {
                stored(a, i, (v & 1) != 0);
            }
        } else {
            ((byte[]) a)[i] = (byte) v;
        }
    }
}

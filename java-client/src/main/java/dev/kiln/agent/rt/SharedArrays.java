package dev.kiln.agent.rt;

import dev.kiln.codec.Ref;
import dev.kiln.codec.ValueCodec;
import dev.kiln.codec.WireBuffer;
import dev.kiln.internal.Native;

import java.util.IdentityHashMap;
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

    /** Shared arrays -> object id (guarded by itself; strong, as Runtime's oid map). */
    private static final IdentityHashMap<Object, Long> OIDS = new IdentityHashMap<>();
    /** False until the first array is shared or materialised here: until then a store is the store and one static read. */
    private static boolean any;

    static boolean isArray(Object v) {
        return v.getClass().isArray() && !(v instanceof byte[]);
    }

    /** The object id of shared array {@code a}, 0 when it is not shared. */
    static long oid(Object a) {
        if (!any) {
            return 0;
        }
        synchronized (OIDS) {
            Long l = OIDS.get(a);
            return l == null ? 0 : l;
        }
    }

    static void bind(Object a, long oid) {
        synchronized (OIDS) {
            OIDS.put(a, oid);
            any = true;
        }
    }

    static void unbind(Object a) {
        synchronized (OIDS) {
            OIDS.remove(a);
        }
    }

    /** Creates array {@code a} in the cluster (an object array's elements are set by {@link #recordContent}). */
    static long create(long txn, Object a) {
        int n = java.lang.reflect.Array.getLength(a);
        WireBuffer b = new WireBuffer(16 + 8 * n);
        boolean objects = a instanceof Object[];
        for (int i = 0; i < n; i++) {
            ValueCodec.encode(objects ? null : java.lang.reflect.Array.get(a, i), b);
        }
        return Native.arrCreate(txn, a.getClass().getName(), b.toByteArray());
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
            throw new com.tc.object.tx.UnlockedSharedObjectException("kiln: element " + i + " of a shared "
                    + a.getClass().getSimpleName() + " (object " + oid + ") was written by thread \""
                    + Thread.currentThread().getName() + "\" outside any cluster lock. Write shared arrays inside"
                    + " synchronized blocks or methods matched by an <autolock>, e.g. <locks><autolock>"
                    + "<method-expression>* pkg.Class.*(..)</method-expression><lock-level>write</lock-level>"
                    + "</autolock></locks>.");
        }
        if (a instanceof Object[]) {
            Object w = Runtime.link(v, t, a.getClass().getSimpleName() + "@" + oid + "[" + i + "]");
            if (w != v) {
                ((Object[]) a)[i] = w; // a plain JDK collection: the element is its shared Kiln copy
                v = w;
            }
        }
        Native.arrSet(t, oid, i, Runtime.encodeShared(v));
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

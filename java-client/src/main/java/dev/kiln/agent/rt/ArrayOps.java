package dev.kiln.agent.rt;

import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.Set;
import java.util.function.BinaryOperator;
import java.util.function.DoubleBinaryOperator;
import java.util.function.IntBinaryOperator;
import java.util.function.IntFunction;
import java.util.function.IntToDoubleFunction;
import java.util.function.IntToLongFunction;
import java.util.function.IntUnaryOperator;
import java.util.function.LongBinaryOperator;

/**
 * JDK code that changes array elements, called from instrumented classes: in those classes a
 * call of {@code System.arraycopy} or of one of the {@code java.util.Arrays} methods below
 * ({@code fill}, {@code sort}, {@code parallelSort}, {@code setAll}, {@code parallelSetAll},
 * {@code parallelPrefix}) becomes {@code INVOKESTATIC} of its twin here, same name and
 * descriptor ({@code dev.kiln.agent.ArrayStoreRewriter}: same stack, no frame change). The twin
 * makes the same call; when the array it changes is shared, it first checks the thread holds a
 * cluster lock ({@code UnlockedSharedObjectException} before anything changes) and copies the
 * range, and afterwards records the elements that changed ({@link SharedArrays#before},
 * {@link SharedArrays#after}). A non-shared array costs one static test (before any array is
 * shared here) or one probe of the shared-array table. {@code byte[]} (a literal) and
 * {@code copyOf}/{@code copyOfRange} (new arrays) are not rewritten. Also {@code Arrays.asList}
 * of a shared array (a view whose {@code set} is barriered) and {@code getChars} of a String,
 * StringBuilder or StringBuffer into a shared {@code char[]} (as Terracotta's
 * {@code StringGetCharsAdapter}). As Terracotta DSO, which
 * rewrote {@code System.arraycopy} call sites and instrumented {@code java.util.Arrays}.
 * Generated (one twin per overload); {@code ArrayOpsTest} checks each against the JDK method.
 */
@SuppressWarnings({"unchecked", "rawtypes"})
public final class ArrayOps {
    private ArrayOps() {}

    private static final Set<String> ARRAYS = arrays();

    /** Whether {@code java.util.Arrays.name desc} has a twin here (of the same name and descriptor). */
    public static boolean hasTwin(String name, String desc) {
        return ARRAYS.contains(name + desc);
    }

    /**
     * The twin's descriptor of {@code owner.name desc}, a call on a String, StringBuilder or
     * StringBuffer that writes into a char array ({@code getChars}: the receiver becomes the
     * first argument), or null.
     */
    public static String charsTwin(String owner, String name, String desc) {
        if (name.equals("getChars") && desc.equals("(II[CI)V") && (owner.equals("java/lang/String")
                || owner.equals("java/lang/StringBuilder") || owner.equals("java/lang/StringBuffer"))) {
            return "(L" + owner + ";II[CI)V";
        }
        return null;
    }

    private static Set<String> arrays() {
        Set<String> s = new HashSet<>();
        s.add("asList([Ljava/lang/Object;)Ljava/util/List;");
        s.add("fill([II)V");
        s.add("fill([IIII)V");
        s.add("fill([JJ)V");
        s.add("fill([JIIJ)V");
        s.add("fill([SS)V");
        s.add("fill([SIIS)V");
        s.add("fill([CC)V");
        s.add("fill([CIIC)V");
        s.add("fill([FF)V");
        s.add("fill([FIIF)V");
        s.add("fill([DD)V");
        s.add("fill([DIID)V");
        s.add("fill([ZZ)V");
        s.add("fill([ZIIZ)V");
        s.add("fill([Ljava/lang/Object;Ljava/lang/Object;)V");
        s.add("fill([Ljava/lang/Object;IILjava/lang/Object;)V");
        s.add("sort([I)V");
        s.add("sort([III)V");
        s.add("sort([J)V");
        s.add("sort([JII)V");
        s.add("sort([S)V");
        s.add("sort([SII)V");
        s.add("sort([C)V");
        s.add("sort([CII)V");
        s.add("sort([F)V");
        s.add("sort([FII)V");
        s.add("sort([D)V");
        s.add("sort([DII)V");
        s.add("parallelSort([I)V");
        s.add("parallelSort([III)V");
        s.add("parallelSort([J)V");
        s.add("parallelSort([JII)V");
        s.add("parallelSort([S)V");
        s.add("parallelSort([SII)V");
        s.add("parallelSort([C)V");
        s.add("parallelSort([CII)V");
        s.add("parallelSort([F)V");
        s.add("parallelSort([FII)V");
        s.add("parallelSort([D)V");
        s.add("parallelSort([DII)V");
        s.add("sort([Ljava/lang/Object;)V");
        s.add("sort([Ljava/lang/Object;II)V");
        s.add("parallelSort([Ljava/lang/Comparable;)V");
        s.add("parallelSort([Ljava/lang/Comparable;II)V");
        s.add("sort([Ljava/lang/Object;Ljava/util/Comparator;)V");
        s.add("sort([Ljava/lang/Object;IILjava/util/Comparator;)V");
        s.add("parallelSort([Ljava/lang/Object;Ljava/util/Comparator;)V");
        s.add("parallelSort([Ljava/lang/Object;IILjava/util/Comparator;)V");
        s.add("setAll([Ljava/lang/Object;Ljava/util/function/IntFunction;)V");
        s.add("setAll([ILjava/util/function/IntUnaryOperator;)V");
        s.add("setAll([JLjava/util/function/IntToLongFunction;)V");
        s.add("setAll([DLjava/util/function/IntToDoubleFunction;)V");
        s.add("parallelSetAll([Ljava/lang/Object;Ljava/util/function/IntFunction;)V");
        s.add("parallelSetAll([ILjava/util/function/IntUnaryOperator;)V");
        s.add("parallelSetAll([JLjava/util/function/IntToLongFunction;)V");
        s.add("parallelSetAll([DLjava/util/function/IntToDoubleFunction;)V");
        s.add("parallelPrefix([Ljava/lang/Object;Ljava/util/function/BinaryOperator;)V");
        s.add("parallelPrefix([Ljava/lang/Object;IILjava/util/function/BinaryOperator;)V");
        s.add("parallelPrefix([JLjava/util/function/LongBinaryOperator;)V");
        s.add("parallelPrefix([JIILjava/util/function/LongBinaryOperator;)V");
        s.add("parallelPrefix([DLjava/util/function/DoubleBinaryOperator;)V");
        s.add("parallelPrefix([DIILjava/util/function/DoubleBinaryOperator;)V");
        s.add("parallelPrefix([ILjava/util/function/IntBinaryOperator;)V");
        s.add("parallelPrefix([IIILjava/util/function/IntBinaryOperator;)V");
        return s;
    }

    /** {@code System.arraycopy}: the destination range is what changes. */
    public static void arraycopy(Object src, int srcPos, Object dst, int dstPos, int n) {
        if (!SharedArrays.any) {
            System.arraycopy(src, srcPos, dst, dstPos, n);
            return;
        }
        SharedArrays.Range r = range(dst, dstPos, n, "System.arraycopy");
        try {
            System.arraycopy(src, srcPos, dst, dstPos, n);
        } finally {
            SharedArrays.after(dst, r);
        }
    }

    /**
     * {@code Arrays.asList(array)}: for a shared array, a fixed-size list view of it whose
     * {@code set} is the array's barriered element store (so {@code Collections.shuffle},
     * {@code reverse}, {@code sort}, {@code swap} of {@code Arrays.asList(sharedArray)} are
     * recorded); otherwise the JDK's list. (Varargs calls pass a new array: the JDK's list.)
     */
    public static <T> java.util.List<T> asList(T... a) {
        if (!SharedArrays.any || a == null || SharedArrays.oid(a) == 0) {
            return Arrays.asList(a);
        }
        return new SharedArrayList<>(a);
    }

    /** The list view {@link #asList} returns for a shared array. */
    private static final class SharedArrayList<T> extends java.util.AbstractList<T> implements java.util.RandomAccess {
        private final T[] a;

        SharedArrayList(T[] a) {
            this.a = a;
        }

        @Override
        public T get(int i) {
            return a[i];
        }

        @Override
        public T set(int i, T v) {
            SharedArrays.Range r = SharedArrays.before(a, i, i + 1, "set of Arrays.asList");
            T old = a[i];
            try {
                a[i] = v;
            } finally {
                SharedArrays.after(a, r);
            }
            return old;
        }

        @Override
        public int size() {
            return a.length;
        }

        @Override
        public Object[] toArray() {
            return Arrays.copyOf(a, a.length, Object[].class);
        }

        @Override
        public int indexOf(Object o) {
            for (int i = 0; i < a.length; i++) {
                if (java.util.Objects.equals(o, a[i])) {
                    return i;
                }
            }
            return -1;
        }

        @Override
        public boolean contains(Object o) {
            return indexOf(o) >= 0;
        }
    }

    /** {@code String.getChars} into {@code dst}: the destination range is what changes. */
    public static void getChars(String s, int srcBegin, int srcEnd, char[] dst, int dstBegin) {
        if (!SharedArrays.any) {
            s.getChars(srcBegin, srcEnd, dst, dstBegin);
            return;
        }
        SharedArrays.Range r = range(dst, dstBegin, srcEnd - srcBegin, "String.getChars");
        try {
            s.getChars(srcBegin, srcEnd, dst, dstBegin);
        } finally {
            SharedArrays.after(dst, r);
        }
    }

    /** {@code StringBuilder.getChars} into {@code dst}. */
    public static void getChars(StringBuilder s, int srcBegin, int srcEnd, char[] dst, int dstBegin) {
        if (!SharedArrays.any) {
            s.getChars(srcBegin, srcEnd, dst, dstBegin);
            return;
        }
        SharedArrays.Range r = range(dst, dstBegin, srcEnd - srcBegin, "StringBuilder.getChars");
        try {
            s.getChars(srcBegin, srcEnd, dst, dstBegin);
        } finally {
            SharedArrays.after(dst, r);
        }
    }

    /** {@code StringBuffer.getChars} into {@code dst}. */
    public static void getChars(StringBuffer s, int srcBegin, int srcEnd, char[] dst, int dstBegin) {
        if (!SharedArrays.any) {
            s.getChars(srcBegin, srcEnd, dst, dstBegin);
            return;
        }
        SharedArrays.Range r = range(dst, dstBegin, srcEnd - srcBegin, "StringBuffer.getChars");
        try {
            s.getChars(srcBegin, srcEnd, dst, dstBegin);
        } finally {
            SharedArrays.after(dst, r);
        }
    }

    private static SharedArrays.Range range(Object dst, int from, int n, String op) {
        return n < 0 || from > Integer.MAX_VALUE - n ? null : SharedArrays.before(dst, from, from + n, op);
    }

    /** {@code Arrays.fill}. */
    public static void fill(int[] a, int v) {
        if (!SharedArrays.any) {
            Arrays.fill(a, v);
            return;
        }
        SharedArrays.Range r = a == null ? null : SharedArrays.before(a, 0, a.length, "Arrays.fill");
        try {
            Arrays.fill(a, v);
        } finally {
            SharedArrays.after(a, r);
        }
    }

    /** {@code Arrays.fill}. */
    public static void fill(int[] a, int from, int to, int v) {
        if (!SharedArrays.any) {
            Arrays.fill(a, from, to, v);
            return;
        }
        SharedArrays.Range r = a == null ? null : SharedArrays.before(a, from, to, "Arrays.fill");
        try {
            Arrays.fill(a, from, to, v);
        } finally {
            SharedArrays.after(a, r);
        }
    }

    /** {@code Arrays.fill}. */
    public static void fill(long[] a, long v) {
        if (!SharedArrays.any) {
            Arrays.fill(a, v);
            return;
        }
        SharedArrays.Range r = a == null ? null : SharedArrays.before(a, 0, a.length, "Arrays.fill");
        try {
            Arrays.fill(a, v);
        } finally {
            SharedArrays.after(a, r);
        }
    }

    /** {@code Arrays.fill}. */
    public static void fill(long[] a, int from, int to, long v) {
        if (!SharedArrays.any) {
            Arrays.fill(a, from, to, v);
            return;
        }
        SharedArrays.Range r = a == null ? null : SharedArrays.before(a, from, to, "Arrays.fill");
        try {
            Arrays.fill(a, from, to, v);
        } finally {
            SharedArrays.after(a, r);
        }
    }

    /** {@code Arrays.fill}. */
    public static void fill(short[] a, short v) {
        if (!SharedArrays.any) {
            Arrays.fill(a, v);
            return;
        }
        SharedArrays.Range r = a == null ? null : SharedArrays.before(a, 0, a.length, "Arrays.fill");
        try {
            Arrays.fill(a, v);
        } finally {
            SharedArrays.after(a, r);
        }
    }

    /** {@code Arrays.fill}. */
    public static void fill(short[] a, int from, int to, short v) {
        if (!SharedArrays.any) {
            Arrays.fill(a, from, to, v);
            return;
        }
        SharedArrays.Range r = a == null ? null : SharedArrays.before(a, from, to, "Arrays.fill");
        try {
            Arrays.fill(a, from, to, v);
        } finally {
            SharedArrays.after(a, r);
        }
    }

    /** {@code Arrays.fill}. */
    public static void fill(char[] a, char v) {
        if (!SharedArrays.any) {
            Arrays.fill(a, v);
            return;
        }
        SharedArrays.Range r = a == null ? null : SharedArrays.before(a, 0, a.length, "Arrays.fill");
        try {
            Arrays.fill(a, v);
        } finally {
            SharedArrays.after(a, r);
        }
    }

    /** {@code Arrays.fill}. */
    public static void fill(char[] a, int from, int to, char v) {
        if (!SharedArrays.any) {
            Arrays.fill(a, from, to, v);
            return;
        }
        SharedArrays.Range r = a == null ? null : SharedArrays.before(a, from, to, "Arrays.fill");
        try {
            Arrays.fill(a, from, to, v);
        } finally {
            SharedArrays.after(a, r);
        }
    }

    /** {@code Arrays.fill}. */
    public static void fill(float[] a, float v) {
        if (!SharedArrays.any) {
            Arrays.fill(a, v);
            return;
        }
        SharedArrays.Range r = a == null ? null : SharedArrays.before(a, 0, a.length, "Arrays.fill");
        try {
            Arrays.fill(a, v);
        } finally {
            SharedArrays.after(a, r);
        }
    }

    /** {@code Arrays.fill}. */
    public static void fill(float[] a, int from, int to, float v) {
        if (!SharedArrays.any) {
            Arrays.fill(a, from, to, v);
            return;
        }
        SharedArrays.Range r = a == null ? null : SharedArrays.before(a, from, to, "Arrays.fill");
        try {
            Arrays.fill(a, from, to, v);
        } finally {
            SharedArrays.after(a, r);
        }
    }

    /** {@code Arrays.fill}. */
    public static void fill(double[] a, double v) {
        if (!SharedArrays.any) {
            Arrays.fill(a, v);
            return;
        }
        SharedArrays.Range r = a == null ? null : SharedArrays.before(a, 0, a.length, "Arrays.fill");
        try {
            Arrays.fill(a, v);
        } finally {
            SharedArrays.after(a, r);
        }
    }

    /** {@code Arrays.fill}. */
    public static void fill(double[] a, int from, int to, double v) {
        if (!SharedArrays.any) {
            Arrays.fill(a, from, to, v);
            return;
        }
        SharedArrays.Range r = a == null ? null : SharedArrays.before(a, from, to, "Arrays.fill");
        try {
            Arrays.fill(a, from, to, v);
        } finally {
            SharedArrays.after(a, r);
        }
    }

    /** {@code Arrays.fill}. */
    public static void fill(boolean[] a, boolean v) {
        if (!SharedArrays.any) {
            Arrays.fill(a, v);
            return;
        }
        SharedArrays.Range r = a == null ? null : SharedArrays.before(a, 0, a.length, "Arrays.fill");
        try {
            Arrays.fill(a, v);
        } finally {
            SharedArrays.after(a, r);
        }
    }

    /** {@code Arrays.fill}. */
    public static void fill(boolean[] a, int from, int to, boolean v) {
        if (!SharedArrays.any) {
            Arrays.fill(a, from, to, v);
            return;
        }
        SharedArrays.Range r = a == null ? null : SharedArrays.before(a, from, to, "Arrays.fill");
        try {
            Arrays.fill(a, from, to, v);
        } finally {
            SharedArrays.after(a, r);
        }
    }

    /** {@code Arrays.fill}. */
    public static void fill(Object[] a, Object v) {
        if (!SharedArrays.any) {
            Arrays.fill(a, v);
            return;
        }
        SharedArrays.Range r = a == null ? null : SharedArrays.before(a, 0, a.length, "Arrays.fill");
        try {
            Arrays.fill(a, v);
        } finally {
            SharedArrays.after(a, r);
        }
    }

    /** {@code Arrays.fill}. */
    public static void fill(Object[] a, int from, int to, Object v) {
        if (!SharedArrays.any) {
            Arrays.fill(a, from, to, v);
            return;
        }
        SharedArrays.Range r = a == null ? null : SharedArrays.before(a, from, to, "Arrays.fill");
        try {
            Arrays.fill(a, from, to, v);
        } finally {
            SharedArrays.after(a, r);
        }
    }

    /** {@code Arrays.sort}. */
    public static void sort(int[] a) {
        if (!SharedArrays.any) {
            Arrays.sort(a);
            return;
        }
        SharedArrays.Range r = a == null ? null : SharedArrays.before(a, 0, a.length, "Arrays.sort");
        try {
            Arrays.sort(a);
        } finally {
            SharedArrays.after(a, r);
        }
    }

    /** {@code Arrays.sort}. */
    public static void sort(int[] a, int from, int to) {
        if (!SharedArrays.any) {
            Arrays.sort(a, from, to);
            return;
        }
        SharedArrays.Range r = a == null ? null : SharedArrays.before(a, from, to, "Arrays.sort");
        try {
            Arrays.sort(a, from, to);
        } finally {
            SharedArrays.after(a, r);
        }
    }

    /** {@code Arrays.sort}. */
    public static void sort(long[] a) {
        if (!SharedArrays.any) {
            Arrays.sort(a);
            return;
        }
        SharedArrays.Range r = a == null ? null : SharedArrays.before(a, 0, a.length, "Arrays.sort");
        try {
            Arrays.sort(a);
        } finally {
            SharedArrays.after(a, r);
        }
    }

    /** {@code Arrays.sort}. */
    public static void sort(long[] a, int from, int to) {
        if (!SharedArrays.any) {
            Arrays.sort(a, from, to);
            return;
        }
        SharedArrays.Range r = a == null ? null : SharedArrays.before(a, from, to, "Arrays.sort");
        try {
            Arrays.sort(a, from, to);
        } finally {
            SharedArrays.after(a, r);
        }
    }

    /** {@code Arrays.sort}. */
    public static void sort(short[] a) {
        if (!SharedArrays.any) {
            Arrays.sort(a);
            return;
        }
        SharedArrays.Range r = a == null ? null : SharedArrays.before(a, 0, a.length, "Arrays.sort");
        try {
            Arrays.sort(a);
        } finally {
            SharedArrays.after(a, r);
        }
    }

    /** {@code Arrays.sort}. */
    public static void sort(short[] a, int from, int to) {
        if (!SharedArrays.any) {
            Arrays.sort(a, from, to);
            return;
        }
        SharedArrays.Range r = a == null ? null : SharedArrays.before(a, from, to, "Arrays.sort");
        try {
            Arrays.sort(a, from, to);
        } finally {
            SharedArrays.after(a, r);
        }
    }

    /** {@code Arrays.sort}. */
    public static void sort(char[] a) {
        if (!SharedArrays.any) {
            Arrays.sort(a);
            return;
        }
        SharedArrays.Range r = a == null ? null : SharedArrays.before(a, 0, a.length, "Arrays.sort");
        try {
            Arrays.sort(a);
        } finally {
            SharedArrays.after(a, r);
        }
    }

    /** {@code Arrays.sort}. */
    public static void sort(char[] a, int from, int to) {
        if (!SharedArrays.any) {
            Arrays.sort(a, from, to);
            return;
        }
        SharedArrays.Range r = a == null ? null : SharedArrays.before(a, from, to, "Arrays.sort");
        try {
            Arrays.sort(a, from, to);
        } finally {
            SharedArrays.after(a, r);
        }
    }

    /** {@code Arrays.sort}. */
    public static void sort(float[] a) {
        if (!SharedArrays.any) {
            Arrays.sort(a);
            return;
        }
        SharedArrays.Range r = a == null ? null : SharedArrays.before(a, 0, a.length, "Arrays.sort");
        try {
            Arrays.sort(a);
        } finally {
            SharedArrays.after(a, r);
        }
    }

    /** {@code Arrays.sort}. */
    public static void sort(float[] a, int from, int to) {
        if (!SharedArrays.any) {
            Arrays.sort(a, from, to);
            return;
        }
        SharedArrays.Range r = a == null ? null : SharedArrays.before(a, from, to, "Arrays.sort");
        try {
            Arrays.sort(a, from, to);
        } finally {
            SharedArrays.after(a, r);
        }
    }

    /** {@code Arrays.sort}. */
    public static void sort(double[] a) {
        if (!SharedArrays.any) {
            Arrays.sort(a);
            return;
        }
        SharedArrays.Range r = a == null ? null : SharedArrays.before(a, 0, a.length, "Arrays.sort");
        try {
            Arrays.sort(a);
        } finally {
            SharedArrays.after(a, r);
        }
    }

    /** {@code Arrays.sort}. */
    public static void sort(double[] a, int from, int to) {
        if (!SharedArrays.any) {
            Arrays.sort(a, from, to);
            return;
        }
        SharedArrays.Range r = a == null ? null : SharedArrays.before(a, from, to, "Arrays.sort");
        try {
            Arrays.sort(a, from, to);
        } finally {
            SharedArrays.after(a, r);
        }
    }

    /** {@code Arrays.parallelSort}. */
    public static void parallelSort(int[] a) {
        if (!SharedArrays.any) {
            Arrays.parallelSort(a);
            return;
        }
        SharedArrays.Range r = a == null ? null : SharedArrays.before(a, 0, a.length, "Arrays.parallelSort");
        try {
            Arrays.parallelSort(a);
        } finally {
            SharedArrays.after(a, r);
        }
    }

    /** {@code Arrays.parallelSort}. */
    public static void parallelSort(int[] a, int from, int to) {
        if (!SharedArrays.any) {
            Arrays.parallelSort(a, from, to);
            return;
        }
        SharedArrays.Range r = a == null ? null : SharedArrays.before(a, from, to, "Arrays.parallelSort");
        try {
            Arrays.parallelSort(a, from, to);
        } finally {
            SharedArrays.after(a, r);
        }
    }

    /** {@code Arrays.parallelSort}. */
    public static void parallelSort(long[] a) {
        if (!SharedArrays.any) {
            Arrays.parallelSort(a);
            return;
        }
        SharedArrays.Range r = a == null ? null : SharedArrays.before(a, 0, a.length, "Arrays.parallelSort");
        try {
            Arrays.parallelSort(a);
        } finally {
            SharedArrays.after(a, r);
        }
    }

    /** {@code Arrays.parallelSort}. */
    public static void parallelSort(long[] a, int from, int to) {
        if (!SharedArrays.any) {
            Arrays.parallelSort(a, from, to);
            return;
        }
        SharedArrays.Range r = a == null ? null : SharedArrays.before(a, from, to, "Arrays.parallelSort");
        try {
            Arrays.parallelSort(a, from, to);
        } finally {
            SharedArrays.after(a, r);
        }
    }

    /** {@code Arrays.parallelSort}. */
    public static void parallelSort(short[] a) {
        if (!SharedArrays.any) {
            Arrays.parallelSort(a);
            return;
        }
        SharedArrays.Range r = a == null ? null : SharedArrays.before(a, 0, a.length, "Arrays.parallelSort");
        try {
            Arrays.parallelSort(a);
        } finally {
            SharedArrays.after(a, r);
        }
    }

    /** {@code Arrays.parallelSort}. */
    public static void parallelSort(short[] a, int from, int to) {
        if (!SharedArrays.any) {
            Arrays.parallelSort(a, from, to);
            return;
        }
        SharedArrays.Range r = a == null ? null : SharedArrays.before(a, from, to, "Arrays.parallelSort");
        try {
            Arrays.parallelSort(a, from, to);
        } finally {
            SharedArrays.after(a, r);
        }
    }

    /** {@code Arrays.parallelSort}. */
    public static void parallelSort(char[] a) {
        if (!SharedArrays.any) {
            Arrays.parallelSort(a);
            return;
        }
        SharedArrays.Range r = a == null ? null : SharedArrays.before(a, 0, a.length, "Arrays.parallelSort");
        try {
            Arrays.parallelSort(a);
        } finally {
            SharedArrays.after(a, r);
        }
    }

    /** {@code Arrays.parallelSort}. */
    public static void parallelSort(char[] a, int from, int to) {
        if (!SharedArrays.any) {
            Arrays.parallelSort(a, from, to);
            return;
        }
        SharedArrays.Range r = a == null ? null : SharedArrays.before(a, from, to, "Arrays.parallelSort");
        try {
            Arrays.parallelSort(a, from, to);
        } finally {
            SharedArrays.after(a, r);
        }
    }

    /** {@code Arrays.parallelSort}. */
    public static void parallelSort(float[] a) {
        if (!SharedArrays.any) {
            Arrays.parallelSort(a);
            return;
        }
        SharedArrays.Range r = a == null ? null : SharedArrays.before(a, 0, a.length, "Arrays.parallelSort");
        try {
            Arrays.parallelSort(a);
        } finally {
            SharedArrays.after(a, r);
        }
    }

    /** {@code Arrays.parallelSort}. */
    public static void parallelSort(float[] a, int from, int to) {
        if (!SharedArrays.any) {
            Arrays.parallelSort(a, from, to);
            return;
        }
        SharedArrays.Range r = a == null ? null : SharedArrays.before(a, from, to, "Arrays.parallelSort");
        try {
            Arrays.parallelSort(a, from, to);
        } finally {
            SharedArrays.after(a, r);
        }
    }

    /** {@code Arrays.parallelSort}. */
    public static void parallelSort(double[] a) {
        if (!SharedArrays.any) {
            Arrays.parallelSort(a);
            return;
        }
        SharedArrays.Range r = a == null ? null : SharedArrays.before(a, 0, a.length, "Arrays.parallelSort");
        try {
            Arrays.parallelSort(a);
        } finally {
            SharedArrays.after(a, r);
        }
    }

    /** {@code Arrays.parallelSort}. */
    public static void parallelSort(double[] a, int from, int to) {
        if (!SharedArrays.any) {
            Arrays.parallelSort(a, from, to);
            return;
        }
        SharedArrays.Range r = a == null ? null : SharedArrays.before(a, from, to, "Arrays.parallelSort");
        try {
            Arrays.parallelSort(a, from, to);
        } finally {
            SharedArrays.after(a, r);
        }
    }

    /** {@code Arrays.sort}. */
    public static void sort(Object[] a) {
        if (!SharedArrays.any) {
            Arrays.sort(a);
            return;
        }
        SharedArrays.Range r = a == null ? null : SharedArrays.before(a, 0, a.length, "Arrays.sort");
        try {
            Arrays.sort(a);
        } finally {
            SharedArrays.after(a, r);
        }
    }

    /** {@code Arrays.sort}. */
    public static void sort(Object[] a, int from, int to) {
        if (!SharedArrays.any) {
            Arrays.sort(a, from, to);
            return;
        }
        SharedArrays.Range r = a == null ? null : SharedArrays.before(a, from, to, "Arrays.sort");
        try {
            Arrays.sort(a, from, to);
        } finally {
            SharedArrays.after(a, r);
        }
    }

    /** {@code Arrays.parallelSort}. */
    public static <T extends Comparable<? super T>> void parallelSort(T[] a) {
        if (!SharedArrays.any) {
            Arrays.parallelSort(a);
            return;
        }
        SharedArrays.Range r = a == null ? null : SharedArrays.before(a, 0, a.length, "Arrays.parallelSort");
        try {
            Arrays.parallelSort(a);
        } finally {
            SharedArrays.after(a, r);
        }
    }

    /** {@code Arrays.parallelSort}. */
    public static <T extends Comparable<? super T>> void parallelSort(T[] a, int from, int to) {
        if (!SharedArrays.any) {
            Arrays.parallelSort(a, from, to);
            return;
        }
        SharedArrays.Range r = a == null ? null : SharedArrays.before(a, from, to, "Arrays.parallelSort");
        try {
            Arrays.parallelSort(a, from, to);
        } finally {
            SharedArrays.after(a, r);
        }
    }

    /** {@code Arrays.sort}. */
    public static <T> void sort(T[] a, Comparator<? super T> c) {
        if (!SharedArrays.any) {
            Arrays.sort(a, c);
            return;
        }
        SharedArrays.Range r = a == null ? null : SharedArrays.before(a, 0, a.length, "Arrays.sort");
        try {
            Arrays.sort(a, c);
        } finally {
            SharedArrays.after(a, r);
        }
    }

    /** {@code Arrays.sort}. */
    public static <T> void sort(T[] a, int from, int to, Comparator<? super T> c) {
        if (!SharedArrays.any) {
            Arrays.sort(a, from, to, c);
            return;
        }
        SharedArrays.Range r = a == null ? null : SharedArrays.before(a, from, to, "Arrays.sort");
        try {
            Arrays.sort(a, from, to, c);
        } finally {
            SharedArrays.after(a, r);
        }
    }

    /** {@code Arrays.parallelSort}. */
    public static <T> void parallelSort(T[] a, Comparator<? super T> c) {
        if (!SharedArrays.any) {
            Arrays.parallelSort(a, c);
            return;
        }
        SharedArrays.Range r = a == null ? null : SharedArrays.before(a, 0, a.length, "Arrays.parallelSort");
        try {
            Arrays.parallelSort(a, c);
        } finally {
            SharedArrays.after(a, r);
        }
    }

    /** {@code Arrays.parallelSort}. */
    public static <T> void parallelSort(T[] a, int from, int to, Comparator<? super T> c) {
        if (!SharedArrays.any) {
            Arrays.parallelSort(a, from, to, c);
            return;
        }
        SharedArrays.Range r = a == null ? null : SharedArrays.before(a, from, to, "Arrays.parallelSort");
        try {
            Arrays.parallelSort(a, from, to, c);
        } finally {
            SharedArrays.after(a, r);
        }
    }

    /** {@code Arrays.setAll}. */
    public static <T> void setAll(T[] a, IntFunction<? extends T> f) {
        if (!SharedArrays.any) {
            Arrays.setAll(a, f);
            return;
        }
        SharedArrays.Range r = a == null ? null : SharedArrays.before(a, 0, a.length, "Arrays.setAll");
        try {
            Arrays.setAll(a, f);
        } finally {
            SharedArrays.after(a, r);
        }
    }

    /** {@code Arrays.setAll}. */
    public static void setAll(int[] a, IntUnaryOperator f) {
        if (!SharedArrays.any) {
            Arrays.setAll(a, f);
            return;
        }
        SharedArrays.Range r = a == null ? null : SharedArrays.before(a, 0, a.length, "Arrays.setAll");
        try {
            Arrays.setAll(a, f);
        } finally {
            SharedArrays.after(a, r);
        }
    }

    /** {@code Arrays.setAll}. */
    public static void setAll(long[] a, IntToLongFunction f) {
        if (!SharedArrays.any) {
            Arrays.setAll(a, f);
            return;
        }
        SharedArrays.Range r = a == null ? null : SharedArrays.before(a, 0, a.length, "Arrays.setAll");
        try {
            Arrays.setAll(a, f);
        } finally {
            SharedArrays.after(a, r);
        }
    }

    /** {@code Arrays.setAll}. */
    public static void setAll(double[] a, IntToDoubleFunction f) {
        if (!SharedArrays.any) {
            Arrays.setAll(a, f);
            return;
        }
        SharedArrays.Range r = a == null ? null : SharedArrays.before(a, 0, a.length, "Arrays.setAll");
        try {
            Arrays.setAll(a, f);
        } finally {
            SharedArrays.after(a, r);
        }
    }

    /** {@code Arrays.parallelSetAll}. */
    public static <T> void parallelSetAll(T[] a, IntFunction<? extends T> f) {
        if (!SharedArrays.any) {
            Arrays.parallelSetAll(a, f);
            return;
        }
        SharedArrays.Range r = a == null ? null : SharedArrays.before(a, 0, a.length, "Arrays.parallelSetAll");
        try {
            Arrays.parallelSetAll(a, f);
        } finally {
            SharedArrays.after(a, r);
        }
    }

    /** {@code Arrays.parallelSetAll}. */
    public static void parallelSetAll(int[] a, IntUnaryOperator f) {
        if (!SharedArrays.any) {
            Arrays.parallelSetAll(a, f);
            return;
        }
        SharedArrays.Range r = a == null ? null : SharedArrays.before(a, 0, a.length, "Arrays.parallelSetAll");
        try {
            Arrays.parallelSetAll(a, f);
        } finally {
            SharedArrays.after(a, r);
        }
    }

    /** {@code Arrays.parallelSetAll}. */
    public static void parallelSetAll(long[] a, IntToLongFunction f) {
        if (!SharedArrays.any) {
            Arrays.parallelSetAll(a, f);
            return;
        }
        SharedArrays.Range r = a == null ? null : SharedArrays.before(a, 0, a.length, "Arrays.parallelSetAll");
        try {
            Arrays.parallelSetAll(a, f);
        } finally {
            SharedArrays.after(a, r);
        }
    }

    /** {@code Arrays.parallelSetAll}. */
    public static void parallelSetAll(double[] a, IntToDoubleFunction f) {
        if (!SharedArrays.any) {
            Arrays.parallelSetAll(a, f);
            return;
        }
        SharedArrays.Range r = a == null ? null : SharedArrays.before(a, 0, a.length, "Arrays.parallelSetAll");
        try {
            Arrays.parallelSetAll(a, f);
        } finally {
            SharedArrays.after(a, r);
        }
    }

    /** {@code Arrays.parallelPrefix}. */
    public static <T> void parallelPrefix(T[] a, BinaryOperator<T> op) {
        if (!SharedArrays.any) {
            Arrays.parallelPrefix(a, op);
            return;
        }
        SharedArrays.Range r = a == null ? null : SharedArrays.before(a, 0, a.length, "Arrays.parallelPrefix");
        try {
            Arrays.parallelPrefix(a, op);
        } finally {
            SharedArrays.after(a, r);
        }
    }

    /** {@code Arrays.parallelPrefix}. */
    public static <T> void parallelPrefix(T[] a, int from, int to, BinaryOperator<T> op) {
        if (!SharedArrays.any) {
            Arrays.parallelPrefix(a, from, to, op);
            return;
        }
        SharedArrays.Range r = a == null ? null : SharedArrays.before(a, from, to, "Arrays.parallelPrefix");
        try {
            Arrays.parallelPrefix(a, from, to, op);
        } finally {
            SharedArrays.after(a, r);
        }
    }

    /** {@code Arrays.parallelPrefix}. */
    public static void parallelPrefix(long[] a, LongBinaryOperator op) {
        if (!SharedArrays.any) {
            Arrays.parallelPrefix(a, op);
            return;
        }
        SharedArrays.Range r = a == null ? null : SharedArrays.before(a, 0, a.length, "Arrays.parallelPrefix");
        try {
            Arrays.parallelPrefix(a, op);
        } finally {
            SharedArrays.after(a, r);
        }
    }

    /** {@code Arrays.parallelPrefix}. */
    public static void parallelPrefix(long[] a, int from, int to, LongBinaryOperator op) {
        if (!SharedArrays.any) {
            Arrays.parallelPrefix(a, from, to, op);
            return;
        }
        SharedArrays.Range r = a == null ? null : SharedArrays.before(a, from, to, "Arrays.parallelPrefix");
        try {
            Arrays.parallelPrefix(a, from, to, op);
        } finally {
            SharedArrays.after(a, r);
        }
    }

    /** {@code Arrays.parallelPrefix}. */
    public static void parallelPrefix(double[] a, DoubleBinaryOperator op) {
        if (!SharedArrays.any) {
            Arrays.parallelPrefix(a, op);
            return;
        }
        SharedArrays.Range r = a == null ? null : SharedArrays.before(a, 0, a.length, "Arrays.parallelPrefix");
        try {
            Arrays.parallelPrefix(a, op);
        } finally {
            SharedArrays.after(a, r);
        }
    }

    /** {@code Arrays.parallelPrefix}. */
    public static void parallelPrefix(double[] a, int from, int to, DoubleBinaryOperator op) {
        if (!SharedArrays.any) {
            Arrays.parallelPrefix(a, from, to, op);
            return;
        }
        SharedArrays.Range r = a == null ? null : SharedArrays.before(a, from, to, "Arrays.parallelPrefix");
        try {
            Arrays.parallelPrefix(a, from, to, op);
        } finally {
            SharedArrays.after(a, r);
        }
    }

    /** {@code Arrays.parallelPrefix}. */
    public static void parallelPrefix(int[] a, IntBinaryOperator op) {
        if (!SharedArrays.any) {
            Arrays.parallelPrefix(a, op);
            return;
        }
        SharedArrays.Range r = a == null ? null : SharedArrays.before(a, 0, a.length, "Arrays.parallelPrefix");
        try {
            Arrays.parallelPrefix(a, op);
        } finally {
            SharedArrays.after(a, r);
        }
    }

    /** {@code Arrays.parallelPrefix}. */
    public static void parallelPrefix(int[] a, int from, int to, IntBinaryOperator op) {
        if (!SharedArrays.any) {
            Arrays.parallelPrefix(a, from, to, op);
            return;
        }
        SharedArrays.Range r = a == null ? null : SharedArrays.before(a, from, to, "Arrays.parallelPrefix");
        try {
            Arrays.parallelPrefix(a, from, to, op);
        } finally {
            SharedArrays.after(a, r);
        }
    }
}

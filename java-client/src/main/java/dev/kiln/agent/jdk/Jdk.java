package dev.kiln.agent.jdk;

import com.tc.exception.TCNonPortableObjectError;
import com.tc.object.tx.UnlockedSharedObjectException;

import dev.kiln.agent.rt.Runtime;
import dev.kiln.internal.Native;

import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Hashtable;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.LinkedList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The shared path of the {@code Kiln*} collections: the cluster-lock check, linking values
 * into the shared graph, recording logical operations, the share-time copy of plain JDK
 * collections, and creating Kiln collections from their cluster class name on another JVM.
 */
public final class Jdk {
    private Jdk() {}

    /** The cluster transaction of this thread for a mutation of shared {@code self}, or UnlockedSharedObjectException. */
    static long txn(Shared self, String op) {
        long t = Runtime.currentTxn();
        if (t == 0) {
            String type = jdkType(self);
            throw new UnlockedSharedObjectException("kiln: " + type + "." + op + "() on a shared " + type
                    + " (object " + self.$kiln$oid() + ") by thread \"" + Thread.currentThread().getName()
                    + "\" outside any cluster lock. Change shared collections inside synchronized blocks or methods"
                    + " matched by an <autolock>, e.g. synchronized (map) { map.put(k, v); } in a method of"
                    + " <locks><autolock><method-expression>* pkg.Class.*(..)</method-expression>"
                    + "<lock-level>write</lock-level></autolock></locks>.");
        }
        return t;
    }

    /** The JDK type a Kiln collection stands for ({@code java.util.HashMap}). */
    public static String jdkType(Object self) {
        Class<?> c = self.getClass();
        while (c.getName().startsWith("dev.kiln.agent.jdk.Kiln")) {
            c = c.getSuperclass();
        }
        return c.getName();
    }

    /** {@code v} as it is stored in shared {@code self}: its graph shared in {@code txn} (a plain JDK collection becomes a Kiln copy). */
    @SuppressWarnings("unchecked")
    static <T> T link(long txn, T v, Shared self) {
        return (T) Runtime.link(v, txn, jdkType(self) + "@" + self.$kiln$oid(), self.$kiln$oid());
    }

    static byte[] enc(Object v) {
        return Runtime.encodeShared(v);
    }

    static void put(long txn, Shared self, Object k, Object v) {
        Native.mapPut(txn, self.$kiln$oid(), enc(k), enc(v));
    }

    static void remove(long txn, Shared self, Object k) {
        Native.mapRemove(txn, self.$kiln$oid(), enc(k));
    }

    static void clear(long txn, Shared self) {
        Native.clear(txn, self.$kiln$oid());
    }

    static void add(long txn, Shared self, Object v) {
        Native.add(txn, self.$kiln$oid(), enc(v));
    }

    static void addAt(long txn, Shared self, int i, Object v) {
        Native.addAt(txn, self.$kiln$oid(), i, enc(v));
    }

    static void set(long txn, Shared self, int i, Object v) {
        Native.listSet(txn, self.$kiln$oid(), i, enc(v));
    }

    static void removeAt(long txn, Shared self, int i) {
        Native.removeAt(txn, self.$kiln$oid(), i);
    }

    static void removeValue(long txn, Shared self, Object v) {
        Native.removeValue(txn, self.$kiln$oid(), enc(v));
    }

    /** Records the whole content of a newly shared collection (its object was just created in {@code txn}). */
    public static void recordContent(long txn, Shared s) {
        List<Object> c = s.$kiln$content();
        long oid = s.$kiln$oid();
        if (s.$kiln$kind() == 0 || s.$kiln$kind() == 4) {
            for (int i = 0; i + 1 < c.size(); i += 2) {
                Native.mapPut(txn, oid, enc(c.get(i)), enc(c.get(i + 1)));
            }
        } else {
            for (Object o : c) {
                Native.add(txn, oid, enc(o));
            }
        }
    }

    // ------------------------------------------------------------------ comparators

    private static final String CMP = "|comparator=";

    /** The class-name suffix naming comparator {@code c} portably, or TCNonPortableObjectError. */
    static String comparatorSuffix(Comparator<?> c, Object owner) {
        if (c == null) {
            return "";
        }
        if (c == Collections.reverseOrder()) {
            return CMP + "reverse";
        }
        if (c == String.CASE_INSENSITIVE_ORDER) {
            return CMP + "case-insensitive";
        }
        Class<?> k = c.getClass();
        boolean named = !k.isSynthetic() && !k.isAnonymousClass() && !k.isLocalClass() && !k.getName().contains("$$Lambda")
                && !k.getName().contains("/");
        boolean stateless = true;
        for (Class<?> x = k; x != null && x != Object.class; x = x.getSuperclass()) {
            for (Field f : x.getDeclaredFields()) {
                stateless &= Modifier.isStatic(f.getModifiers()) || f.isSynthetic(); // the agent's $kiln$oid
            }
        }
        boolean noArg;
        try {
            k.getDeclaredConstructor();
            noArg = true;
        } catch (NoSuchMethodException e) {
            noArg = false;
        }
        if (named && stateless && noArg) {
            return CMP + k.getName();
        }
        throw new TCNonPortableObjectError("kiln: a " + jdkType(owner) + " sorted by a " + k.getName()
                + " cannot be shared: another JVM must re-create its comparator. Use a named comparator class with no"
                + " instance fields and a no-argument constructor (not a lambda, Comparator.comparing(...) or a"
                + " comparator holding state), Collections.reverseOrder() or String.CASE_INSENSITIVE_ORDER, or no"
                + " comparator. Nothing of this transaction was shared.");
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static Comparator<Object> comparator(String spec, ClassLoader loader) throws ReflectiveOperationException {
        int i = spec.indexOf(CMP);
        if (i < 0) {
            return null;
        }
        String name = spec.substring(i + CMP.length());
        int end = name.indexOf('|');
        if (end >= 0) {
            name = name.substring(0, end);
        }
        if (name.equals("reverse")) {
            return (Comparator) Collections.reverseOrder();
        }
        if (name.equals("case-insensitive")) {
            return (Comparator) String.CASE_INSENSITIVE_ORDER;
        }
        Constructor<?> ctor = Class.forName(name, true, loader).getDeclaredConstructor();
        ctor.setAccessible(true);
        return (Comparator<Object>) ctor.newInstance();
    }

    // ------------------------------------------------------------------ EnumMap

    /** The part of an EnumMap's cluster class name that names its key type. */
    static final String ENUM_KEY = "|keyType=";

    /**
     * The key type of EnumMap {@code m}: a Kiln one keeps it; a plain one's first key names it;
     * only an empty plain one is asked through its private field ({@code java.base} does not open
     * {@code java.util} to reflection; {@code Unsafe}'s field offset, used for that case only:
     * JDK 24+ warns once on that use).
     */
    static Class<?> enumKeyType(java.util.EnumMap<?, ?> m) {
        if (m instanceof KilnEnumMap) {
            return ((KilnEnumMap<?, ?>) m).keyType;
        }
        if (!m.isEmpty()) {
            return m.keySet().iterator().next().getDeclaringClass();
        }
        return EnumKeyField.read(m);
    }

    /** The JDK's private {@code EnumMap.keyType}, read without reflection's access check (loaded on first use). */
    private static final class EnumKeyField {
        private static final long OFFSET;

        static {
            try {
                OFFSET = Unsafes.UNSAFE.objectFieldOffset(java.util.EnumMap.class.getDeclaredField("keyType"));
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        static Class<?> read(java.util.EnumMap<?, ?> m) {
            return (Class<?>) Unsafes.UNSAFE.getObject(m, OFFSET);
        }
    }

    /** {@code sun.misc.Unsafe}, for JDK fields reflection may not reach (loaded on first use). */
    private static final class Unsafes {
        static final sun.misc.Unsafe UNSAFE;

        static {
            try {
                Field u = sun.misc.Unsafe.class.getDeclaredField("theUnsafe");
                u.setAccessible(true);
                UNSAFE = (sun.misc.Unsafe) u.get(null);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }
    }

    // ------------------------------------------------------------------ a program's subclasses

    /** Cluster class names of a program's subclass: the JDK collection's, then this and the class. */
    static final String SUB = "|sub=";

    /**
     * The cluster class name of shared collection {@code s}: its JDK type's
     * ({@link Shared#$kiln$class}), plus {@code |sub=} and the class for a program's subclass of
     * it (made to extend the Kiln twin by the agent's {@code SuperRewriter}), so another JVM
     * materialises the same class. A subclass that has instance fields of its own anywhere
     * below the Kiln class (a subclass of such a subclass) is refused: the cluster holds a
     * collection's content, not fields beside it.
     */
    public static String clusterClass(Shared s, String path) {
        String k = s.$kiln$class();
        Class<?> c = s.getClass();
        if (c.getName().startsWith(KILN_PACKAGE)) {
            return k;
        }
        for (Class<?> x = c; x != null && !x.getName().startsWith(KILN_PACKAGE); x = x.getSuperclass()) {
            for (Field f : x.getDeclaredFields()) {
                if (!Modifier.isStatic(f.getModifiers())) {
                    throw new TCNonPortableObjectError("kiln: " + path + " holds a " + c.getName() + ", a subclass of "
                            + jdkType(s) + " with an instance field of its own (" + x.getName() + "." + f.getName()
                            + "): a shared collection is its content, nothing beside it. Keep that state in another"
                            + " object (or make the field static), or hold the collection in a field instead of"
                            + " extending it. Nothing of this transaction was shared.");
                }
            }
        }
        return k + SUB + c.getName();
    }

    private static final String KILN_PACKAGE = "dev.kiln.agent.jdk.";

    /**
     * A program's subclass {@code cls} of the Kiln collection {@code base} (an empty one made
     * for the JDK type's part of the cluster class name, comparator included), allocated without
     * its constructor, as Terracotta materialised objects, and given {@code base}'s state: every
     * instance field of the JDK and Kiln classes above it (the subclass has none of its own).
     */
    private static Shared subclass(String cls, Shared base, ClassLoader loader) throws ReflectiveOperationException {
        Class<?> c = Class.forName(cls, false, loader);
        if (!base.getClass().isAssignableFrom(c) || c == base.getClass()) {
            throw new ClassNotFoundException("kiln: " + cls + " is not a subclass of " + base.getClass().getName()
                    + " in this JVM (a class of another version, or not instrumented here)");
        }
        Object o = Unsafes.UNSAFE.allocateInstance(c);
        for (Class<?> k = base.getClass(); k != null && k != Object.class; k = k.getSuperclass()) {
            for (Field f : k.getDeclaredFields()) {
                if (!Modifier.isStatic(f.getModifiers())) {
                    SubclassState.copy(f, base, o);
                }
            }
        }
        return (Shared) o;
    }

    /** Field copies without reflection's access checks ({@code java.util}'s private fields). */
    private static final class SubclassState {
        private static final sun.misc.Unsafe UNSAFE = Unsafes.UNSAFE;

        static void copy(Field f, Object from, Object to) {
            long at = UNSAFE.objectFieldOffset(f);
            Class<?> t = f.getType();
            if (!t.isPrimitive()) {
                UNSAFE.putObject(to, at, UNSAFE.getObject(from, at));
            } else if (t == int.class) {
                UNSAFE.putInt(to, at, UNSAFE.getInt(from, at));
            } else if (t == long.class) {
                UNSAFE.putLong(to, at, UNSAFE.getLong(from, at));
            } else if (t == float.class) {
                UNSAFE.putFloat(to, at, UNSAFE.getFloat(from, at));
            } else if (t == double.class) {
                UNSAFE.putDouble(to, at, UNSAFE.getDouble(from, at));
            } else if (t == boolean.class) {
                UNSAFE.putBoolean(to, at, UNSAFE.getBoolean(from, at));
            } else if (t == byte.class) {
                UNSAFE.putByte(to, at, UNSAFE.getByte(from, at));
            } else if (t == short.class) {
                UNSAFE.putShort(to, at, UNSAFE.getShort(from, at));
            } else {
                UNSAFE.putChar(to, at, UNSAFE.getChar(from, at));
            }
        }
    }

    // ------------------------------------------------------------------ materialising and copies

    /**
     * An empty Kiln collection for cluster class name {@code spec} (also the plain JDK names the
     * explicit API records: {@code java.util.HashMap}, ...), or null for a class this agent cannot
     * materialise as a JDK collection.
     */
    public static Shared create(String spec, ClassLoader loader) throws ReflectiveOperationException {
        int sub = spec.lastIndexOf(SUB);
        if (sub >= 0) { // a program's subclass of the JDK collection before it
            Shared base = create(spec.substring(0, sub), loader);
            return base == null ? null : subclass(spec.substring(sub + SUB.length()), base, loader);
        }
        if (spec.contains(Wrappers.WRAP)) { // a Collections.synchronized* wrapper around the collection it names
            return Wrappers.create(spec, loader);
        }
        int bar = spec.indexOf('|');
        String base = bar < 0 ? spec : spec.substring(0, bar);
        switch (base) {
            case "java.util.HashMap":
                return new KilnHashMap<>();
            case "java.util.IdentityHashMap":
                return new KilnIdentityHashMap<>();
            case "java.util.concurrent.ConcurrentHashMap":
                return new KilnConcurrentHashMap<>();
            case "java.util.concurrent.LinkedBlockingQueue":
                return new KilnLinkedBlockingQueue<>(capacity(spec, Integer.MAX_VALUE));
            case "java.util.concurrent.ArrayBlockingQueue":
                return new KilnArrayBlockingQueue<>(capacity(spec, Integer.MAX_VALUE));
            case "java.util.concurrent.ConcurrentLinkedQueue":
                return new KilnConcurrentLinkedQueue<>();
            case "java.util.concurrent.CopyOnWriteArrayList":
                return new KilnCopyOnWriteArrayList<>();
            case "java.util.concurrent.CopyOnWriteArraySet":
                return new KilnCopyOnWriteArraySet<>();
            case "java.util.concurrent.ConcurrentSkipListMap":
                return new KilnConcurrentSkipListMap<>(comparator(spec, loader));
            case "java.util.concurrent.ConcurrentSkipListSet":
                return new KilnConcurrentSkipListSet<>(comparator(spec, loader));
            case "java.util.ImmutableCollections$ListN": // List.of, Collections.emptyList/singletonList
                return new KilnImmutableList<>(Collections.emptyList());
            case "java.util.ImmutableCollections$SetN":
                return new KilnImmutableSet<>(Collections.emptySet());
            case "java.util.ImmutableCollections$MapN":
                return new KilnImmutableMap<>(Collections.emptyMap());
            case "java.util.concurrent.LinkedBlockingDeque":
                return new KilnLinkedBlockingDeque<>(capacity(spec, Integer.MAX_VALUE));
            case "java.util.concurrent.PriorityBlockingQueue":
                return new KilnPriorityBlockingQueue<>(11, comparator(spec, loader));
            case "java.util.concurrent.atomic.AtomicIntegerArray":
                return new KilnAtomicIntegerArray(capacity(spec, 0, "|length="));
            case "java.util.concurrent.atomic.AtomicLongArray":
                return new KilnAtomicLongArray(capacity(spec, 0, "|length="));
            case "java.util.concurrent.atomic.AtomicReferenceArray":
                return new KilnAtomicReferenceArray<>(capacity(spec, 0, "|length="));
            case "java.util.concurrent.atomic.LongAccumulator":
                return new KilnLongAccumulator((java.util.function.LongBinaryOperator) Accumulators.function(spec, loader), 0L);
            case "java.util.concurrent.atomic.DoubleAccumulator":
                return new KilnDoubleAccumulator((java.util.function.DoubleBinaryOperator) Accumulators.function(spec, loader), 0.0);
            case "java.util.PriorityQueue":
                return new KilnPriorityQueue<>(comparator(spec, loader));
            case "java.util.LinkedHashMap":
                return new KilnLinkedHashMap<>(16, 0.75f, spec.contains("|accessOrder"));
            case "java.util.TreeMap":
                return new KilnTreeMap<>(comparator(spec, loader));
            case "java.util.Hashtable":
                return new KilnHashtable<>();
            case "java.util.Properties":
                return new KilnProperties();
            case "java.util.EnumMap": {
                String k = spec.substring(spec.indexOf(ENUM_KEY) + ENUM_KEY.length());
                return new KilnEnumMap(Class.forName(k, true, loader).asSubclass(Enum.class));
            }
            case "java.util.ArrayList":
                return new KilnArrayList<>();
            case "java.util.LinkedList":
                return new KilnLinkedList<>();
            case "java.util.Vector":
                return new KilnVector<>();
            case "java.util.Stack":
                return new KilnStack<>();
            case "java.util.ArrayDeque":
                return new KilnArrayDeque<>();
            case "java.util.HashSet":
                return new KilnHashSet<>();
            case "java.util.LinkedHashSet":
                return new KilnLinkedHashSet<>();
            case "java.util.TreeSet":
                return new KilnTreeSet<>(comparator(spec, loader));
            default:
                return Sync.create(base); // java.util.concurrent synchronizers, or null
        }
    }

    /** The {@code |capacity=N} of a bounded queue's class name, else {@code dflt}. */
    private static int capacity(String spec, int dflt) {
        return capacity(spec, dflt, "|capacity=");
    }

    /** The {@code <key>N} of a class name ({@code |capacity=}, {@code |length=}), else {@code dflt}. */
    private static int capacity(String spec, int dflt, String key) {
        int i = spec.indexOf(key);
        if (i < 0) {
            return dflt;
        }
        String n = spec.substring(i + key.length());
        int end = n.indexOf('|');
        return Integer.parseInt(end < 0 ? n : n.substring(0, end));
    }

    /** Capacity of a plain bounded JDK queue. */
    private static int capacityOf(java.util.concurrent.BlockingQueue<?> q) {
        return (int) Math.min(Integer.MAX_VALUE, (long) q.size() + q.remainingCapacity());
    }

    /**
     * The Kiln copy a plain JDK collection {@code v} (created by code the agent did not
     * instrument) is replaced by when it is linked into the shared graph, or null when {@code v}
     * is not such a collection. The copy has the content; code still holding {@code v} itself
     * keeps a local, unshared collection (docs/agent.md: the aliasing caveat).
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    public static Shared portableCopy(Object v) {
        Class<?> c = v.getClass();
        Shared sync = Sync.portableCopy(v); // java.util.concurrent synchronizers
        if (sync != null) {
            return sync;
        }
        if (c == HashMap.class) {
            return new KilnHashMap<>((Map) v);
        }
        if (c == LinkedHashMap.class) {
            return new KilnLinkedHashMap<>((Map) v);
        }
        if (c == TreeMap.class) {
            KilnTreeMap m = new KilnTreeMap<>(((SortedMap) v).comparator());
            m.putAll((Map) v);
            return m;
        }
        if (c == Hashtable.class) {
            return new KilnHashtable<>((Map) v);
        }
        if (c == java.util.Properties.class) {
            KilnProperties p = new KilnProperties();
            p.putAll((Map) v);
            return p;
        }
        if (c == java.util.EnumMap.class) {
            KilnEnumMap m = new KilnEnumMap(enumKeyType((java.util.EnumMap) v));
            m.putAll((Map) v);
            return m;
        }
        if (c == ArrayList.class || c == Arrays.asList().getClass()) {
            return new KilnArrayList<>((Collection) v);
        }
        if (c == LinkedList.class) {
            return new KilnLinkedList<>((Collection) v);
        }
        if (c == java.util.Vector.class) {
            return new KilnVector<>((Collection) v);
        }
        if (c == java.util.Stack.class) {
            KilnStack st = new KilnStack<>();
            st.addAll((Collection) v);
            return st;
        }
        if (c == java.util.ArrayDeque.class) {
            return new KilnArrayDeque<>((Collection) v);
        }
        if (c == java.util.HashSet.class) {
            return new KilnHashSet<>((Collection) v);
        }
        if (c == LinkedHashSet.class) {
            return new KilnLinkedHashSet<>((Collection) v);
        }
        if (c == TreeSet.class) {
            KilnTreeSet s = new KilnTreeSet<>(((SortedSet) v).comparator());
            s.addAll((Collection) v);
            return s;
        }
        if (v instanceof java.util.EnumSet) {
            // EnumSet cannot be subclassed (package-private constructor; sealed on newer JDKs):
            // shared as a TreeSet, whose natural order of enums is the EnumSet's ordinal order.
            KilnTreeSet s = new KilnTreeSet<>();
            s.addAll((Collection) v);
            return s;
        }
        if (c == java.util.concurrent.ConcurrentHashMap.class) {
            return new KilnConcurrentHashMap<>((Map) v);
        }
        if (c == java.util.IdentityHashMap.class) {
            return new KilnIdentityHashMap<>((Map) v);
        }
        String n = c.getName();
        if (IMMUTABLE_LISTS.contains(n)) {
            return new KilnImmutableList<>((Collection) v);
        }
        if (IMMUTABLE_SETS.contains(n)) {
            return new KilnImmutableSet<>((Collection) v);
        }
        if (IMMUTABLE_MAPS.contains(n)) {
            return new KilnImmutableMap<>((Map) v);
        }
        Shared w = Wrappers.portableCopy(v); // a JDK Collections.synchronized* wrapper: a Kiln wrapper of its inner copy
        if (w != null) {
            return w;
        }
        if (c == java.util.concurrent.LinkedBlockingQueue.class) {
            KilnLinkedBlockingQueue q = new KilnLinkedBlockingQueue<>(capacityOf((java.util.concurrent.BlockingQueue) v));
            q.addAll((Collection) v);
            return q;
        }
        if (c == java.util.concurrent.ArrayBlockingQueue.class) {
            return new KilnArrayBlockingQueue<>(capacityOf((java.util.concurrent.BlockingQueue) v), false, (Collection) v);
        }
        if (c == java.util.concurrent.ConcurrentLinkedQueue.class) {
            return new KilnConcurrentLinkedQueue<>((Collection) v);
        }
        if (c == java.util.concurrent.CopyOnWriteArrayList.class) {
            return new KilnCopyOnWriteArrayList<>((Collection) v);
        }
        if (c == java.util.concurrent.CopyOnWriteArraySet.class) {
            return new KilnCopyOnWriteArraySet<>((Collection) v);
        }
        if (c == java.util.concurrent.ConcurrentSkipListMap.class) {
            KilnConcurrentSkipListMap m = new KilnConcurrentSkipListMap<>(((SortedMap) v).comparator());
            m.putAll((Map) v);
            return m;
        }
        if (c == java.util.concurrent.LinkedBlockingDeque.class) {
            KilnLinkedBlockingDeque q = new KilnLinkedBlockingDeque<>(capacityOf((java.util.concurrent.BlockingQueue) v));
            q.addAll((Collection) v);
            return q;
        }
        if (c == java.util.concurrent.PriorityBlockingQueue.class) {
            java.util.concurrent.PriorityBlockingQueue p = (java.util.concurrent.PriorityBlockingQueue) v;
            KilnPriorityBlockingQueue q = new KilnPriorityBlockingQueue<>(Math.max(1, p.size()), p.comparator());
            q.addAll(p);
            return q;
        }
        if (c == java.util.concurrent.atomic.AtomicIntegerArray.class) {
            java.util.concurrent.atomic.AtomicIntegerArray a = (java.util.concurrent.atomic.AtomicIntegerArray) v;
            int[] x = new int[a.length()];
            for (int i = 0; i < x.length; i++) {
                x[i] = a.get(i);
            }
            return new KilnAtomicIntegerArray(x);
        }
        if (c == java.util.concurrent.atomic.AtomicLongArray.class) {
            java.util.concurrent.atomic.AtomicLongArray a = (java.util.concurrent.atomic.AtomicLongArray) v;
            long[] x = new long[a.length()];
            for (int i = 0; i < x.length; i++) {
                x[i] = a.get(i);
            }
            return new KilnAtomicLongArray(x);
        }
        if (c == java.util.concurrent.atomic.AtomicReferenceArray.class) {
            java.util.concurrent.atomic.AtomicReferenceArray a = (java.util.concurrent.atomic.AtomicReferenceArray) v;
            Object[] x = new Object[a.length()];
            for (int i = 0; i < x.length; i++) {
                x[i] = a.get(i);
            }
            return new KilnAtomicReferenceArray<>(x);
        }
        if (c == java.util.PriorityQueue.class) {
            java.util.PriorityQueue p = (java.util.PriorityQueue) v;
            KilnPriorityQueue q = new KilnPriorityQueue<>(Math.max(1, p.size()), p.comparator());
            q.addAll(p);
            return q;
        }
        if (c == java.util.concurrent.ConcurrentSkipListSet.class) {
            KilnConcurrentSkipListSet s = new KilnConcurrentSkipListSet<>(((SortedSet) v).comparator());
            s.addAll((Collection) v);
            return s;
        }
        return null;
    }

    /** The JDK's immutable collection classes (List.of, Collections.emptyList, singletonList, ...), shared as Kiln immutables. */
    private static final Set<String> IMMUTABLE_LISTS = new java.util.HashSet<>(Arrays.asList(
            "java.util.ImmutableCollections$ListN", "java.util.ImmutableCollections$List12",
            "java.util.Collections$EmptyList", "java.util.Collections$SingletonList"));
    private static final Set<String> IMMUTABLE_SETS = new java.util.HashSet<>(Arrays.asList(
            "java.util.ImmutableCollections$SetN", "java.util.ImmutableCollections$Set12",
            "java.util.Collections$EmptySet", "java.util.Collections$SingletonSet"));
    private static final Set<String> IMMUTABLE_MAPS = new java.util.HashSet<>(Arrays.asList(
            "java.util.ImmutableCollections$MapN", "java.util.ImmutableCollections$Map1",
            "java.util.Collections$EmptyMap", "java.util.Collections$SingletonMap"));

    /** Why an Atomic*FieldUpdater in the shared graph is refused (docs/agent.md, "Portable types 3"). */
    static final String FIELD_UPDATER_HINT = " (an Atomic*FieldUpdater is not itself shared: keep it in a static field;"
            + " its changes of shared objects in instrumented classes are recorded as field writes, FieldUpdaters)";

    /** A hint for the non-portable error of a JDK collection type the agent does not share. */
    public static String hint(Object v) {
        String n = v.getClass().getName();
        String sync = Sync.hint(v); // java.util.concurrent synchronizers
        if (sync != null) {
            return sync;
        }
        String wrap = Wrappers.hint(v); // Collections.synchronized* wrappers
        if (wrap != null) {
            return wrap;
        }
        if (n.equals("java.util.concurrent.atomic.LongAccumulator") || n.equals("java.util.concurrent.atomic.DoubleAccumulator")) {
            return " (an accumulator allocated by a class no <include> matches cannot be shared: its function is private to"
                    + " java.base, so another JVM could not re-create it; allocate it in an instrumented class with a named"
                    + " function class)";
        }
        if (n.startsWith("java.util.concurrent.atomic.Atomic") && n.endsWith("FieldUpdater")
                || n.startsWith("java.util.concurrent.atomic.Atomic") && n.contains("FieldUpdater$")) {
            return FIELD_UPDATER_HINT;
        }
        if (v instanceof java.util.Calendar || v instanceof java.util.TimeZone) {
            return " (of Calendars only java.util.GregorianCalendar is shared, and of time zones the JDK's own,"
                    + " TimeZone.getTimeZone(id): make a GregorianCalendar explicitly, new GregorianCalendar(zone, locale))";
        }
        if (v instanceof Throwable) {
            return " (JDK exceptions with fields of their own, e.g. InvocationTargetException or SQLException, are not"
                    + " shared; JDK exceptions without, and instrumented subclasses of them, are)";
        }
        if (v instanceof java.util.Date) {
            return " (java.util.Date and the java.sql dates are shared, not subclasses of them)";
        }
        if (n.startsWith("java.util.Collections$") || n.startsWith("java.util.ImmutableCollections$")) {
            return " (this JDK wrapper or immutable view is not shared yet: link the collection itself, e.g. a"
                    + " new HashMap<>(...) allocated in an instrumented class)";
        }
        if (n.startsWith("java.util.")) {
            return " (the agent shares HashMap, LinkedHashMap, TreeMap, Hashtable, ArrayList, LinkedList, Vector,"
                    + " Stack, ArrayDeque, PriorityQueue, HashSet, LinkedHashSet and TreeSet, and of java.util.concurrent"
                    + " ConcurrentHashMap, ConcurrentSkipListMap/Set, LinkedBlockingQueue, ArrayBlockingQueue,"
                    + " PriorityBlockingQueue, LinkedBlockingDeque,"
                    + " ConcurrentLinkedQueue,"
                    + " CopyOnWriteArrayList/Set, AtomicInteger/Long/Boolean/Reference, AtomicInteger/Long/ReferenceArray,"
                    + " LongAdder, DoubleAdder, LongAccumulator, DoubleAccumulator,"
                    + " CyclicBarrier,"
                    + " CountDownLatch, Semaphore, ReentrantLock and ReentrantReadWriteLock; not this type yet)";
        }
        return "";
    }

    /**
     * Brings shared collection {@code s} in line with the cluster's content {@code content}
     * (references already materialised): reloads it when they differ. Order counts for lists,
     * deques and linked types; hash and sorted maps and sets compare as maps and sets.
     */
    public static void refresh(Shared s, List<Object> content) {
        if (s instanceof KilnConcurrent) { // a java.util.concurrent type: not under another thread's operation
            KilnConcurrent.Guard g = ((KilnConcurrent) s).$kiln$guard();
            if (!g.tryLock()) {
                g.stale = true; // the operating thread reloads it (ConcurrentOps.enter)
                return;
            }
            try {
                reload(s, content); // a mutator meanwhile waits for the guard
            } finally {
                g.unlock();
            }
            return;
        }
        reload(s, content);
    }

    private static void reload(Shared s, List<Object> content) {
        List<Object> mine = s.$kiln$content();
        boolean same;
        // Sorted types order themselves (by their comparator, not the cluster's value order): compared unordered.
        // A priority heap's local order is its own too (the cluster list is in offer order): compared as multisets,
        // else every refresh after a poll would reload it.
        boolean heap = s instanceof java.util.PriorityQueue || s instanceof java.util.concurrent.PriorityBlockingQueue;
        boolean ordered = !heap && (s instanceof List || s instanceof java.util.ArrayDeque || s instanceof LinkedHashMap
                || s instanceof LinkedHashSet || s instanceof java.util.Queue);
        if (ordered || mine.size() != content.size()) {
            same = sameSequence(mine, content);
        } else if (heap) {
            same = counts(mine).equals(counts(content));
        } else if (s.$kiln$kind() == 0 || s.$kiln$kind() == 4) {
            same = pairs(mine).equals(pairs(content));
        } else {
            same = new java.util.HashSet<>(mine).equals(new java.util.HashSet<>(content));
        }
        if (same) {
            return;
        }
        // The oid stays set throughout: every $kiln$load and patch below is raw (JDK internals only, no
        // overridden mutator), and another thread of this JVM that tested the oid in between would
        // take the shared object for a local one: a synchronized block on it a plain monitor, a poll or
        // put on it a local change never sent (two JVMs then both take one element, a put is lost).
        if (!ordered && !heap && patch(s, content)) {
            return;
        }
        s.$kiln$load(content);
    }

    /**
     * Brings an unordered map or set (hash and sorted types) to {@code content} by removing and
     * adding only what differs, so a reader of this JVM outside any lock never sees it emptied
     * and refilled; false (nothing or only part changed) when the type cannot be patched or the
     * result does not match the cluster's (keys equal by {@code equals} but not by the type's own
     * lookup, e.g. a comparator inconsistent with equals): the caller then reloads it whole.
     */
    @SuppressWarnings("unchecked")
    private static boolean patch(Shared s, List<Object> content) {
        if (s instanceof KilnMap && !(s instanceof java.util.IdentityHashMap)
                && (s.$kiln$kind() == 0 || s.$kiln$kind() == 4)) {
            KilnMap<Object, Object> m = (KilnMap<Object, Object>) s;
            Map<Object, Object> local = (Map<Object, Object>) s;
            Map<Object, Object> want = pairs(content);
            if (want.size() * 2 != content.size()) {
                return false;
            }
            List<Object> gone = new ArrayList<>();
            for (Map.Entry<Object, Object> e : m.$kiln$entries()) {
                if (!want.containsKey(e.getKey())) {
                    gone.add(e.getKey());
                }
            }
            for (Object k : gone) {
                m.$kiln$remove(k);
            }
            for (Map.Entry<Object, Object> e : want.entrySet()) {
                Object k = e.getKey();
                Object v = e.getValue();
                Object cur = local.get(k);
                boolean same = cur == v ? v != null || local.containsKey(k) : cur != null && cur.equals(v);
                if (!same) {
                    m.$kiln$put(k, v);
                }
            }
            return local.size() == want.size();
        }
        if (s instanceof KilnSet && !(s instanceof java.util.concurrent.CopyOnWriteArraySet)) { // its order is the cluster's
            KilnSet<Object> ks = (KilnSet<Object>) s;
            Set<Object> local = (Set<Object>) s;
            Set<Object> want = new java.util.HashSet<>(content);
            if (want.size() != content.size()) {
                return false;
            }
            List<Object> gone = new ArrayList<>();
            for (Object x : local) {
                if (!want.contains(x)) {
                    gone.add(x);
                }
            }
            for (Object x : gone) {
                ks.$kiln$remove(x);
            }
            for (Object x : content) {
                if (!local.contains(x)) {
                    ks.$kiln$add(x);
                }
            }
            return local.size() == want.size();
        }
        return false;
    }

    /** Each element's number of occurrences (a multiset). */
    private static Map<Object, Integer> counts(List<Object> a) {
        Map<Object, Integer> m = new HashMap<>();
        for (Object o : a) {
            m.merge(o, 1, Integer::sum);
        }
        return m;
    }

    private static boolean sameSequence(List<Object> a, List<Object> b) {
        if (a.size() != b.size()) {
            return false;
        }
        for (int i = 0; i < a.size(); i++) {
            if (a.get(i) != b.get(i) && !Objects.equals(a.get(i), b.get(i))) {
                return false;
            }
        }
        return true;
    }

    private static Map<Object, Object> pairs(List<Object> kv) {
        Map<Object, Object> m = new HashMap<>();
        for (int i = 0; i + 1 < kv.size(); i += 2) {
            m.put(kv.get(i), kv.get(i + 1));
        }
        return m;
    }

    /** Map content as keys and values alternating. */
    static <K, V> List<Object> mapContent(Set<Map.Entry<K, V>> entries) {
        List<Object> out = new ArrayList<>(entries.size() * 2);
        for (Map.Entry<K, V> e : entries) {
            out.add(e.getKey());
            out.add(e.getValue());
        }
        return out;
    }
}

package dev.kiln.agent.jdk;

import com.tc.exception.TCNonPortableObjectError;

import java.lang.instrument.Instrumentation;
import java.lang.reflect.Field;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.RandomAccess;
import java.util.Set;
import java.util.function.Supplier;

/**
 * {@code Collections.synchronized{Map,List,Set,Collection,SortedMap,NavigableMap,SortedSet,NavigableSet}}
 * and {@code unmodifiable{Map,List,Set,Collection}} for instrumented classes: their
 * INVOKESTATIC call sites are rewritten to these twins ({@code WrappersRewriter}, same
 * descriptors), which return a Kiln wrapper ({@link KilnSynchronizedMap},
 * {@link KilnSynchronizedList}, {@link KilnSynchronizedSet}, {@link KilnSynchronizedCollection}).
 * Not shared, it behaves as the JDK's (its mutex is itself, a JVM monitor). Shared, it is stored
 * in the cluster as the collection it wraps (same oid, kind and content; class name that
 * collection's plus {@code |wrap=synchronizedMap}...), so the explicit API reads it as that map or
 * list and another JVM re-creates a wrapper around a Kiln collection; each of its operations
 * takes the wrapper's own cluster lock, which is also the lock of {@code synchronized (wrapper)}
 * in user code. A JDK wrapper made by non-instrumented code is replaced by a Kiln one around the
 * Kiln copy of its inner collection at share time ({@link #portableCopy}). See docs/agent.md,
 * "JDK wrappers and IdentityHashMap".
 */
public final class Wrappers {
    private Wrappers() {}

    /** The class-name suffix of a wrapper in the cluster. */
    static final String WRAP = "|wrap=";
    /** The class-name suffix of a checked wrapper's type(s), after its kind: {@code |types=java.lang.String[,V]}. */
    static final String TYPES = "|types=";

    private static volatile Instrumentation inst;
    /** Why the JDK wrappers' fields could not be read (null: not tried yet, or readable). */
    private static volatile String unreadable;
    private static volatile boolean opened;

    /** Keeps the agent's Instrumentation, to open java.util when a JDK wrapper is first shared. */
    public static void init(Instrumentation i) {
        inst = i;
    }

    // ------------------------------------------------------------------ call-site twins

    /** As {@link Collections#synchronizedMap}: a {@link KilnSynchronizedMap}. */
    public static <K, V> Map<K, V> synchronizedMap(Map<K, V> m) {
        return new KilnSynchronizedMap<>(m);
    }

    /** As {@link Collections#synchronizedList}: RandomAccess when {@code l} is. */
    public static <T> List<T> synchronizedList(List<T> l) {
        return l instanceof RandomAccess ? new KilnSynchronizedRandomAccessList<>(l, null) : new KilnSynchronizedList<>(l, null);
    }

    /** As {@link Collections#synchronizedSet}. */
    public static <T> Set<T> synchronizedSet(Set<T> s) {
        return new KilnSynchronizedSet<>(s, null);
    }

    /** As {@link Collections#synchronizedCollection}. */
    public static <T> Collection<T> synchronizedCollection(Collection<T> c) {
        return new KilnSynchronizedCollection<>(c, null);
    }

    /** As {@link Collections#synchronizedSortedMap}. */
    public static <K, V> java.util.SortedMap<K, V> synchronizedSortedMap(java.util.SortedMap<K, V> m) {
        return new KilnSynchronizedSortedMap<>(m, null);
    }

    /** As {@link Collections#synchronizedNavigableMap}. */
    public static <K, V> java.util.NavigableMap<K, V> synchronizedNavigableMap(java.util.NavigableMap<K, V> m) {
        return new KilnSynchronizedNavigableMap<>(m, null);
    }

    /** As {@link Collections#synchronizedSortedSet}. */
    public static <T> java.util.SortedSet<T> synchronizedSortedSet(java.util.SortedSet<T> s) {
        return new KilnSynchronizedSortedSet<>(s, null);
    }

    /** As {@link Collections#synchronizedNavigableSet}. */
    public static <T> java.util.NavigableSet<T> synchronizedNavigableSet(java.util.NavigableSet<T> s) {
        return new KilnSynchronizedNavigableSet<>(s, null);
    }

    /** As {@link Collections#unmodifiableMap}: a {@link KilnUnmodifiableMap} (an unmodifiable view shared as its own object). */
    @SuppressWarnings("unchecked")
    public static <K, V> Map<K, V> unmodifiableMap(Map<? extends K, ? extends V> m) {
        if (m.getClass() == KilnUnmodifiableMap.class) {
            return (Map<K, V>) m;
        }
        return new KilnUnmodifiableMap<>((Map<K, V>) m);
    }

    /** As {@link Collections#unmodifiableList}: RandomAccess when {@code l} is. */
    @SuppressWarnings("unchecked")
    public static <T> List<T> unmodifiableList(List<? extends T> l) {
        if (l.getClass() == KilnUnmodifiableList.class || l.getClass() == KilnUnmodifiableRandomAccessList.class) {
            return (List<T>) l;
        }
        return l instanceof RandomAccess ? new KilnUnmodifiableRandomAccessList<>((List<T>) l)
                : new KilnUnmodifiableList<>((List<T>) l);
    }

    /** As {@link Collections#unmodifiableSet}. */
    @SuppressWarnings("unchecked")
    public static <T> Set<T> unmodifiableSet(Set<? extends T> s) {
        if (s.getClass() == KilnUnmodifiableSet.class) {
            return (Set<T>) s;
        }
        return new KilnUnmodifiableSet<>((Set<T>) s);
    }

    /** As {@link Collections#unmodifiableCollection}. */
    @SuppressWarnings("unchecked")
    public static <T> Collection<T> unmodifiableCollection(Collection<? extends T> c) {
        if (c.getClass() == KilnUnmodifiableCollection.class) {
            return (Collection<T>) c;
        }
        return new KilnUnmodifiableCollection<>((Collection<T>) c);
    }

    /** As {@link Collections#unmodifiableSortedSet}. */
    public static <T> java.util.SortedSet<T> unmodifiableSortedSet(java.util.SortedSet<T> s) {
        return s.getClass() == KilnUnmodifiableSortedSet.class ? s : new KilnUnmodifiableSortedSet<>(s);
    }

    /** As {@link Collections#unmodifiableNavigableSet}. */
    public static <T> java.util.NavigableSet<T> unmodifiableNavigableSet(java.util.NavigableSet<T> s) {
        return s.getClass() == KilnUnmodifiableNavigableSet.class ? s : new KilnUnmodifiableNavigableSet<>(s);
    }

    /** As {@link Collections#unmodifiableSortedMap}. */
    @SuppressWarnings("unchecked")
    public static <K, V> java.util.SortedMap<K, V> unmodifiableSortedMap(java.util.SortedMap<K, ? extends V> m) {
        return m.getClass() == KilnUnmodifiableSortedMap.class ? (java.util.SortedMap<K, V>) m
                : new KilnUnmodifiableSortedMap<>((java.util.SortedMap<K, V>) m);
    }

    /** As {@link Collections#unmodifiableNavigableMap}. */
    @SuppressWarnings("unchecked")
    public static <K, V> java.util.NavigableMap<K, V> unmodifiableNavigableMap(java.util.NavigableMap<K, ? extends V> m) {
        return m.getClass() == KilnUnmodifiableNavigableMap.class ? (java.util.NavigableMap<K, V>) m
                : new KilnUnmodifiableNavigableMap<>((java.util.NavigableMap<K, V>) m);
    }

    /** As {@link Collections#checkedCollection}: a {@link KilnCheckedCollection}. */
    public static <E> Collection<E> checkedCollection(Collection<E> c, Class<E> type) {
        return new KilnCheckedCollection<>(c, type);
    }

    /** As {@link Collections#checkedSet}. */
    public static <E> Set<E> checkedSet(Set<E> s, Class<E> type) {
        return new KilnCheckedSet<>(s, type);
    }

    /** As {@link Collections#checkedSortedSet}. */
    public static <E> java.util.SortedSet<E> checkedSortedSet(java.util.SortedSet<E> s, Class<E> type) {
        return new KilnCheckedSortedSet<>(s, type);
    }

    /** As {@link Collections#checkedNavigableSet}. */
    public static <E> java.util.NavigableSet<E> checkedNavigableSet(java.util.NavigableSet<E> s, Class<E> type) {
        return new KilnCheckedNavigableSet<>(s, type);
    }

    /** As {@link Collections#checkedList}: RandomAccess when {@code l} is. */
    public static <E> List<E> checkedList(List<E> l, Class<E> type) {
        return l instanceof RandomAccess ? new KilnCheckedRandomAccessList<>(l, type) : new KilnCheckedList<>(l, type);
    }

    /** As {@link Collections#checkedQueue}. */
    public static <E> java.util.Queue<E> checkedQueue(java.util.Queue<E> q, Class<E> type) {
        return new KilnCheckedQueue<>(q, type);
    }

    /** As {@link Collections#checkedMap}. */
    public static <K, V> Map<K, V> checkedMap(Map<K, V> m, Class<K> keyType, Class<V> valueType) {
        return new KilnCheckedMap<>(m, keyType, valueType);
    }

    /** As {@link Collections#checkedSortedMap}. */
    public static <K, V> java.util.SortedMap<K, V> checkedSortedMap(java.util.SortedMap<K, V> m, Class<K> keyType,
            Class<V> valueType) {
        return new KilnCheckedSortedMap<>(m, keyType, valueType);
    }

    /** As {@link Collections#checkedNavigableMap}. */
    public static <K, V> java.util.NavigableMap<K, V> checkedNavigableMap(java.util.NavigableMap<K, V> m, Class<K> keyType,
            Class<V> valueType) {
        return new KilnCheckedNavigableMap<>(m, keyType, valueType);
    }

    // ------------------------------------------------------------------ the lock

    /**
     * {@code f} under wrapper {@code w}'s mutex: its JVM monitor while not shared (the JDK's
     * behaviour), else its cluster lock, monitor and guard for this one operation.
     */
    static <R> R op(KilnWrapper w, Supplier<R> f) {
        if (w.$kiln$oid() == 0) {
            synchronized (w) {
                return f.get();
            }
        }
        return ConcurrentOps.locked(w, f);
    }

    static void run(KilnWrapper w, Runnable r) {
        op(w, () -> {
            r.run();
            return null;
        });
    }

    /** The wrapped collection of {@code w}, a Kiln one (after {@link #className} at share time). */
    static Shared inner(KilnWrapper w) {
        Object in = w.$kiln$inner();
        if (!(in instanceof Shared)) {
            className(w, "");
            in = w.$kiln$inner();
        }
        return (Shared) in;
    }

    /**
     * Loads {@code content} into wrapper {@code w}'s collection, recording nothing: its oid is 0
     * meanwhile (some raw loads call the type's own overridden methods, e.g. Vector's clear). Runs
     * under the wrapper's guard (a refresh) or before it is shared; every other use of the
     * collection goes through the wrapper and waits for the guard.
     */
    static void load(KilnWrapper w, List<Object> content) {
        Shared in = inner(w);
        long oid = in.$kiln$oid();
        in.$kiln$oid(0);
        try {
            in.$kiln$load(content);
        } finally {
            in.$kiln$oid(oid);
        }
    }

    /**
     * The cluster class name of wrapper {@code w} of {@code kind}: its collection's plus
     * {@code |wrap=kind}. A plain collection inside is replaced by its Kiln copy first; a view,
     * an already shared collection or one the agent cannot share is refused.
     */
    static String className(KilnWrapper w, String kind) {
        if (w.$kiln$mutex() != w) {
            throw new TCNonPortableObjectError("kiln: a view (keySet, entrySet, values or subList) of a synchronized"
                    + " collection cannot be shared on its own: share the wrapper itself. Nothing of this transaction"
                    + " was shared.");
        }
        Object in = w.$kiln$inner();
        if (!(in instanceof Shared)) {
            Shared copy = Jdk.portableCopy(in);
            if (copy == null) {
                throw new TCNonPortableObjectError("kiln: a Collections.synchronized wrapper of a " + in.getClass().getName()
                        + " cannot be shared: the agent does not share that collection type" + Jdk.hint(in)
                        + ". Nothing of this transaction was shared.");
            }
            w.$kiln$inner(copy);
            in = copy;
        }
        Shared s = (Shared) in;
        if (s.$kiln$oid() != 0 && s.$kiln$oid() != w.$kiln$oid()) {
            throw new TCNonPortableObjectError("kiln: a Collections.synchronized wrapper of a collection that is already"
                    + " shared (object " + s.$kiln$oid() + ") cannot be shared: wrap the collection before it is"
                    + " shared (Collections.synchronizedMap(new HashMap<>()) as the shared value). Nothing of this"
                    + " transaction was shared.");
        }
        return s.$kiln$class() + WRAP + kind;
    }

    // ------------------------------------------------------------------ other JVMs, plain wrappers

    /** An empty wrapper for cluster class name {@code spec} ({@code ...|wrap=kind}), or null. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    static Shared create(String spec, ClassLoader loader) throws ReflectiveOperationException {
        int w = spec.lastIndexOf(WRAP);
        String kind = spec.substring(w + WRAP.length());
        if (kind.startsWith("unmodifiable")) { // its content, loaded next, is the viewed collection
            return view(kind, null);
        }
        if (kind.startsWith("checked")) { // a checked view: its type(s) in the name, its content the viewed collection
            int t = kind.indexOf(TYPES);
            if (t < 0) {
                throw new ClassNotFoundException("kiln: a checked wrapper's cluster class name has no " + TYPES + ": " + spec);
            }
            String[] names = kind.substring(t + TYPES.length()).split(",");
            Class<?>[] types = new Class<?>[names.length];
            for (int i = 0; i < names.length; i++) {
                types[i] = Class.forName(names[i], false, loader);
            }
            return checked(kind.substring(0, t), null, types);
        }
        Shared in = Jdk.create(spec.substring(0, w), loader);
        return in == null ? null : wrap(spec.substring(w + WRAP.length()), in);
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static Shared view(String kind, Object in) {
        switch (kind) {
            case "unmodifiableMap":
                return new KilnUnmodifiableMap<>((Map) in);
            case "unmodifiableList":
                return new KilnUnmodifiableList<>((List) in);
            case "unmodifiableRandomAccessList":
                return new KilnUnmodifiableRandomAccessList<>((List) in);
            case "unmodifiableSet":
                return new KilnUnmodifiableSet<>((Set) in);
            case "unmodifiableCollection":
                return new KilnUnmodifiableCollection<>((Collection) in);
            case "unmodifiableSortedSet":
                return new KilnUnmodifiableSortedSet<>((java.util.SortedSet) in);
            case "unmodifiableNavigableSet":
                return new KilnUnmodifiableNavigableSet<>((java.util.NavigableSet) in);
            case "unmodifiableSortedMap":
                return new KilnUnmodifiableSortedMap<>((java.util.SortedMap) in);
            case "unmodifiableNavigableMap":
                return new KilnUnmodifiableNavigableMap<>((java.util.NavigableMap) in);
            default:
                return null;
        }
    }

    /** A Kiln checked view of {@code kind} around {@code in} (null: loaded later) checking {@code types}, or null. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    private static Shared checked(String kind, Object in, Class<?>[] types) {
        Class t = types[0];
        Class v = types.length > 1 ? types[1] : null;
        switch (kind) {
            case "checkedCollection":
                return new KilnCheckedCollection<>((Collection) in, t);
            case "checkedSet":
                return new KilnCheckedSet<>((Set) in, t);
            case "checkedSortedSet":
                return new KilnCheckedSortedSet<>((java.util.SortedSet) in, t);
            case "checkedNavigableSet":
                return new KilnCheckedNavigableSet<>((java.util.NavigableSet) in, t);
            case "checkedList":
                return new KilnCheckedList<>((List) in, t);
            case "checkedRandomAccessList":
                return new KilnCheckedRandomAccessList<>((List) in, t);
            case "checkedQueue":
                return new KilnCheckedQueue<>((java.util.Queue) in, t);
            case "checkedMap":
                return v == null ? null : new KilnCheckedMap<>((Map) in, t, v);
            case "checkedSortedMap":
                return v == null ? null : new KilnCheckedSortedMap<>((java.util.SortedMap) in, t, v);
            case "checkedNavigableMap":
                return v == null ? null : new KilnCheckedNavigableMap<>((java.util.NavigableMap) in, t, v);
            default:
                return null;
        }
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static Shared wrap(String kind, Object in) {
        switch (kind) {
            case "synchronizedMap":
                return in instanceof Map ? new KilnSynchronizedMap<>((Map) in) : null;
            case "synchronizedList":
                return in instanceof List ? (Shared) synchronizedList((List) in) : null;
            case "synchronizedSet":
                return in instanceof Set ? new KilnSynchronizedSet<>((Set) in, null) : null;
            case "synchronizedCollection":
                return in instanceof Collection ? new KilnSynchronizedCollection<>((Collection) in, null) : null;
            case "synchronizedSortedMap":
                return in instanceof java.util.SortedMap ? new KilnSynchronizedSortedMap<>((java.util.SortedMap) in, null) : null;
            case "synchronizedNavigableMap":
                return in instanceof java.util.NavigableMap
                        ? new KilnSynchronizedNavigableMap<>((java.util.NavigableMap) in, null) : null;
            case "synchronizedSortedSet":
                return in instanceof java.util.SortedSet ? new KilnSynchronizedSortedSet<>((java.util.SortedSet) in, null) : null;
            case "synchronizedNavigableSet":
                return in instanceof java.util.NavigableSet
                        ? new KilnSynchronizedNavigableSet<>((java.util.NavigableSet) in, null) : null;
            default:
                return null;
        }
    }

    /** JDK wrapper class -> Kiln wrapper kind. */
    private static final Map<String, String> JDK_KINDS = new HashMap<>();

    static {
        JDK_KINDS.put("java.util.Collections$SynchronizedMap", "synchronizedMap");
        JDK_KINDS.put("java.util.Collections$SynchronizedList", "synchronizedList");
        JDK_KINDS.put("java.util.Collections$SynchronizedRandomAccessList", "synchronizedList");
        JDK_KINDS.put("java.util.Collections$SynchronizedSet", "synchronizedSet");
        JDK_KINDS.put("java.util.Collections$SynchronizedCollection", "synchronizedCollection");
        JDK_KINDS.put("java.util.Collections$SynchronizedSortedMap", "synchronizedSortedMap");
        JDK_KINDS.put("java.util.Collections$SynchronizedNavigableMap", "synchronizedNavigableMap");
        JDK_KINDS.put("java.util.Collections$SynchronizedSortedSet", "synchronizedSortedSet");
        JDK_KINDS.put("java.util.Collections$SynchronizedNavigableSet", "synchronizedNavigableSet");
        JDK_KINDS.put("java.util.Collections$UnmodifiableMap", "unmodifiableMap");
        JDK_KINDS.put("java.util.Collections$UnmodifiableList", "unmodifiableList");
        JDK_KINDS.put("java.util.Collections$UnmodifiableRandomAccessList", "unmodifiableRandomAccessList");
        JDK_KINDS.put("java.util.Collections$UnmodifiableSet", "unmodifiableSet");
        JDK_KINDS.put("java.util.Collections$UnmodifiableCollection", "unmodifiableCollection");
        JDK_KINDS.put("java.util.Collections$UnmodifiableSortedSet", "unmodifiableSortedSet");
        JDK_KINDS.put("java.util.Collections$UnmodifiableNavigableSet", "unmodifiableNavigableSet");
        JDK_KINDS.put("java.util.Collections$UnmodifiableSortedMap", "unmodifiableSortedMap");
        JDK_KINDS.put("java.util.Collections$UnmodifiableNavigableMap", "unmodifiableNavigableMap");
        JDK_KINDS.put("java.util.Collections$CheckedCollection", "checkedCollection");
        JDK_KINDS.put("java.util.Collections$CheckedSet", "checkedSet");
        JDK_KINDS.put("java.util.Collections$CheckedSortedSet", "checkedSortedSet");
        JDK_KINDS.put("java.util.Collections$CheckedNavigableSet", "checkedNavigableSet");
        JDK_KINDS.put("java.util.Collections$CheckedList", "checkedList");
        JDK_KINDS.put("java.util.Collections$CheckedRandomAccessList", "checkedRandomAccessList");
        JDK_KINDS.put("java.util.Collections$CheckedQueue", "checkedQueue");
        JDK_KINDS.put("java.util.Collections$CheckedMap", "checkedMap");
        JDK_KINDS.put("java.util.Collections$CheckedSortedMap", "checkedSortedMap");
        JDK_KINDS.put("java.util.Collections$CheckedNavigableMap", "checkedNavigableMap");
    }

    /**
     * The Kiln wrapper a JDK {@code Collections.synchronized{Map,List,Set,Collection}} (made by
     * code the agent did not instrument) is replaced by in the sharing walk: the same kind around
     * the Kiln copy of its inner collection (or that collection itself when it is an unshared Kiln
     * one); null when its fields cannot be read (java.util not opened), its mutex is another
     * object (a view), or its inner collection cannot be copied ({@link #hint}).
     */
    static Shared portableCopy(Object v) {
        String kind = JDK_KINDS.get(v.getClass().getName());
        if (kind == null) {
            return null;
        }
        Object in;
        Object mutex;
        try {
            open();
            in = field(v.getClass(), kind.endsWith("Map") ? "m" : "c").get(v);
            if (kind.startsWith("unmodifiable")) {
                return in == null ? null : view(kind, in); // the viewed collection is linked (or copied) by the walk
            }
            if (kind.startsWith("checked")) { // its type(s) too; the viewed collection is linked (or copied) by the walk
                Class<?>[] types = kind.endsWith("Map")
                        ? new Class<?>[] {(Class<?>) field(v.getClass(), "keyType").get(v), (Class<?>) field(v.getClass(), "valueType").get(v)}
                        : new Class<?>[] {(Class<?>) field(v.getClass(), "type").get(v)};
                return in == null ? null : checked(kind, in, types);
            }
            mutex = field(v.getClass(), "mutex").get(v);
        } catch (ReflectiveOperationException | RuntimeException e) {
            unreadable = e.toString();
            return null;
        }
        if (mutex != v || in == null) {
            return null;
        }
        Object k = in instanceof Shared && ((Shared) in).$kiln$oid() == 0 ? in : Jdk.portableCopy(in);
        return k == null ? null : wrap(kind, k);
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

    /** Opens java.base's java.util to the agent's module, once (reflection on the JDK wrappers' fields). */
    private static void open() {
        if (opened) {
            return;
        }
        Instrumentation i = inst;
        if (i == null) {
            throw new IllegalStateException("the agent's Instrumentation is not available");
        }
        Map<String, Set<Module>> opens = new HashMap<>();
        opens.put("java.util", Collections.singleton(Wrappers.class.getModule()));
        i.redefineModule(Object.class.getModule(), Collections.emptySet(), Collections.emptyMap(), opens,
                Collections.emptySet(), Collections.emptyMap());
        opened = true;
    }

    /** Opens java.base's package {@code pkg} to the agent's module (reflection on JDK internals; FieldUpdaters). */
    static void openPackage(String pkg) {
        Instrumentation i = inst;
        if (i == null) {
            throw new IllegalStateException("the agent's Instrumentation is not available");
        }
        Map<String, Set<Module>> opens = new HashMap<>();
        opens.put(pkg, Collections.singleton(Wrappers.class.getModule()));
        i.redefineModule(Object.class.getModule(), Collections.emptySet(), Collections.emptyMap(), opens,
                Collections.emptySet(), Collections.emptyMap());
    }

    /** A hint for the non-portable error of a JDK synchronized wrapper, or null for other types. */
    static String hint(Object v) {
        String n = v.getClass().getName();
        boolean sync = n.startsWith("java.util.Collections$Synchronized");
        if (!sync && !n.startsWith("java.util.Collections$Unmodifiable") && !n.startsWith("java.util.Collections$Checked")) {
            return null;
        }
        if (!JDK_KINDS.containsKey(n)) {
            return " (unmodifiable/checked views of JDK 21 sequenced collections, the checked views of other types and"
                    + " the views of wrappers are not shared yet; the synchronized, unmodifiable and checked Map, List, Set,"
                    + " Collection, SortedMap, NavigableMap, SortedSet and NavigableSet wrappers and checkedQueue are)";
        }
        String why = unreadable;
        return " (a Collections." + (sync ? "synchronized" : n.contains("$Checked") ? "checked" : "unmodifiable") + " wrapper made by a class no <include>"
                + " matches is shared as a copy only when " + (sync ? "it is its own mutex and " : "")
                + "it wraps a collection type the agent shares"
                + (why == null ? "" : "; its fields could not be read: " + why)
                + "; call Collections.synchronized* in an instrumented class instead)";
    }
}

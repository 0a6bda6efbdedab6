package dev.kiln.agent.rt;

import com.tc.exception.TCNonPortableObjectError;

import dev.kiln.agent.jdk.Jdk;
import dev.kiln.agent.jdk.Shared;
import dev.kiln.codec.Ref;
import dev.kiln.codec.ValueCodec;
import dev.kiln.codec.WireBuffer;
import dev.kiln.internal.Native;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the instrumented bytecode calls: root reads and writes (every GETSTATIC/PUTSTATIC/
 * GETFIELD/PUTFIELD of a configured object-typed root field, in every class that touches it,
 * is followed or preceded by {@link #readRoot} / {@link #writeRoot}), the sharing walk and the
 * materialisation of cluster objects as Java objects. See docs/agent.md.
 */
public final class Runtime {
    private Runtime() {}

    /** One configured root: its name and, once known here, the Java object bound to it. */
    static final class RootSlot {
        final String name;
        final String declaringClass;
        volatile Object value;
        volatile boolean bound;

        RootSlot(String name, String declaringClass) {
            this.name = name;
            this.declaringClass = declaringClass;
        }
    }

    private static volatile RootSlot[] roots = new RootSlot[0];
    /** Fields the cluster does not hold: {@code <honor-transient>} transients and {@code <transient-fields>}. */
    private static volatile java.util.function.Predicate<Field> notShared = f -> false;

    /** Called once by the agent with the configuration's transient rules. */
    public static void configureTransient(java.util.function.Predicate<Field> p) {
        notShared = p;
    }
    /** oid -> materialised or shared Java object, held weakly (docs/agent.md "Local release"). */
    /**
     * {@code -Dkiln.cache.evict=false} keeps released objects in the client's cache (docs/agent.md
     * "Local release"); by default an object collected here leaves the client's cache too and
     * the server stops sending its changes (faulted again on next use).
     */
    private static final boolean evictReleased = !"false".equals(System.getProperty("kiln.cache.evict"));
    private static final ObjectTable objects = new ObjectTable(oids -> {
        long c = Runtime.client;
        if (Runtime.evictReleased && c != 0) {
            Runtime.evicted += Native.evictReleased(c, oids);
        }
    });
    /** Objects dropped from the client's cache after being released here (diagnostics). */
    private static long evicted;
    private static volatile ClassLoader appLoader;
    private static volatile long client;

    /** Called once by the agent: the configured roots, in the order of the indexes the transformer emits. */
    public static void configureRoots(List<String[]> nameAndClass) {
        RootSlot[] r = new RootSlot[nameAndClass.size()];
        for (int i = 0; i < r.length; i++) {
            r[i] = new RootSlot(nameAndClass.get(i)[0], nameAndClass.get(i)[1]);
        }
        roots = r;
    }

    /** Called by the transformer for each application class loader it sees. */
    public static void noteLoader(ClassLoader l) {
        if (l != null && appLoader == null) {
            appLoader = l;
        }
    }

    private static long client() {
        long c = client;
        if (c != 0) {
            return c;
        }
        try {
            Object cluster = Class.forName("dev.kiln.Kiln").getMethod("cluster").invoke(null);
            Field h = cluster.getClass().getDeclaredField("handle");
            h.setAccessible(true);
            c = h.getLong(cluster);
        } catch (java.lang.reflect.InvocationTargetException e) {
            throw new IllegalStateException("kiln: a shared root was used but this JVM has no cluster: "
                    + e.getCause().getMessage(), e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("kiln: cannot reach the process cluster: " + e, e);
        }
        client = c;
        Applier.start(c); // remote changes reach resident objects without a lock award
        return c;
    }

    // ------------------------------------------------------------------ roots

    /** After a read of root field {@code idx} that held {@code local}: the cluster's object (faulted lazily). */
    public static Object readRoot(Object local, int idx) {
        RootSlot r = roots[idx];
        if (r.bound) {
            return r.value;
        }
        synchronized (r) {
            if (r.bound) {
                return r.value;
            }
            byte[] v = Native.rootValue(client(), r.name);
            if (v == null) {
                return local; // unbound: the field keeps its local value
            }
            Object o = ValueCodec.decode(v, loader());
            if (o instanceof Ref) {
                o = materialise(((Ref) o).oid());
                r.value = o;
                r.bound = true;
            }
            return o;
        }
    }

    /**
     * Before a write of {@code v} to root field {@code idx}: what the field must hold. An object
     * root is final in the cluster: the first assignment anywhere shares {@code v}'s graph and
     * binds the root; later ones (and null) are ignored and the field gets the cluster object.
     * A literal root is re-bound each time.
     */
    public static Object writeRoot(Object v, int idx) {
        RootSlot r = roots[idx];
        if (v != null && isLiteral(v)) {
            long c = client();
            long txn = Native.lockNamed(c, "kiln.root:" + r.name, 2, -1);
            try {
                Native.rootBind(c, r.name, ValueCodec.encode(v), true);
            } finally {
                Native.commit(txn);
            }
            return v;
        }
        synchronized (r) {
            if (r.bound) {
                return r.value;
            }
            Object current = readRoot(null, idx);
            if (r.bound || v == null) {
                return r.bound ? r.value : current;
            }
            long c = client();
            long txn = Native.lockNamed(c, "kiln.root:" + r.name, 2, -1);
            long oid;
            List<Object> created;
            try {
                created = new ArrayList<>();
                // The graph lives on the root's stripe (the lock kiln.root:<name> may hash elsewhere).
                v = shareGraph(v, txn, r.name, created, Native.rootStripe(c, r.name)); // a plain JDK collection: its Kiln copy
                oid = oidOf(v);
            } finally {
                Native.commit(txn);
            }
            Object won = ValueCodec.decode(Native.rootBind(c, r.name, ValueCodec.encode(new Ref(oid)), false));
            long winner = ((Ref) won).oid();
            Object value = v;
            if (winner != oid) {
                for (Object o : created) { // lost the race: ours stay local
                    objects.remove(oidOf(o));
                    if (o instanceof Managed) {
                        ((Managed) o).$kiln$oid(0);
                    } else {
                        SharedArrays.unbind(o);
                        SharedValues.unbind(o);
                        Atomics.unbind(o);
                    }
                }
                value = materialise(winner);
            }
            r.value = value;
            r.bound = true;
            return value;
        }
    }

    static ClassLoader loader() {
        ClassLoader l = appLoader;
        return l != null ? l : ClassLoader.getSystemClassLoader();
    }

    // ------------------------------------------------------------------ sharing

    static boolean isLiteral(Object v) {
        return v instanceof String || v instanceof Number && (v instanceof Integer || v instanceof Long
                || v instanceof Short || v instanceof Byte || v instanceof Double || v instanceof Float
                || v.getClass() == BigInteger.class || v.getClass() == BigDecimal.class)
                || v instanceof Boolean || v instanceof Character || v instanceof Enum || v instanceof Class
                || v instanceof byte[];
    }

    /** The instance fields of {@code c} and its superclasses the cluster holds, super first. */
    static List<Field> sharedFields(Class<?> c) {
        List<Class<?>> chain = new ArrayList<>();
        for (Class<?> k = c; k != null && k != Object.class; k = k.getSuperclass()) {
            chain.add(0, k);
        }
        List<Field> out = new ArrayList<>();
        for (Class<?> k : chain) {
            if (k == Throwable.class) {
                continue; // an application exception: Throwable's state goes as BaseValues' state fields
            }
            for (Field f : k.getDeclaredFields()) {
                if (Modifier.isStatic(f.getModifiers()) || f.getName().equals(Managed.OID_FIELD) || f.isSynthetic()
                        || notShared.test(f) || SharedValues.transientField(f)) {
                    continue;
                }
                if (SharedValues.desktopClass(k)) {
                    SharedValues.ensureOpen(); // awt values, Swing models: opened at first use
                }
                f.setAccessible(true);
                out.add(f);
            }
        }
        return out;
    }

    /**
     * Shares the graph reachable from {@code root} in transaction {@code txn}: every object not
     * shared yet becomes a physical object, a Kiln JDK collection a logical one (identity kept:
     * one Java object, one cluster object, aliasing and cycles preserved). A plain JDK collection
     * the walk meets is replaced by a Kiln copy in the field or collection that holds it
     * ({@link Jdk#portableCopy}). The whole graph is checked first: a non-portable object throws
     * before anything is recorded. Returns the root's object id.
     */
    static long share(Object root, long txn, String rootPath, List<Object> created) {
        return oidOf(shareGraph(root, txn, rootPath, created, -1));
    }

    /**
     * As {@link #share}; returns the shared root object ({@code root}, or its Kiln copy).
     * Placement (docs/architecture.md "Placement of new objects"): {@code root} is created on
     * {@code stripe} (the stripe of the shared object or root that links it; negative: the
     * transaction's lock's stripe), and every other new object on the stripe of the new object
     * whose field or element first reaches it in the walk, so the graph stays together with what
     * it hangs off.
     */
    static Object shareGraph(Object root, long txn, String rootPath, List<Object> created, int stripe) {
        IdentityHashMap<Object, String> fresh = new IdentityHashMap<>();
        IdentityHashMap<Object, Object> copies = new IdentityHashMap<>();
        IdentityHashMap<Object, Integer> place = new IdentityHashMap<>();
        IdentityHashMap<Object, Object[]> states = new IdentityHashMap<>(); // base values' state, read once
        ArrayDeque<Object> todo = new ArrayDeque<>();
        Object top = check(root, rootPath, fresh, copies, todo, place, stripe);
        List<Object> order = new ArrayList<>();
        while (!todo.isEmpty()) {
            Object o = todo.poll();
            order.add(o);
            String path = fresh.get(o);
            int at = place.getOrDefault(o, -1); // its referrers' children follow it
            if (o instanceof Object[]) {
                Object[] os = (Object[]) o;
                for (int i = 0; i < os.length; i++) {
                    if (os[i] != null) {
                        Object w = check(os[i], path + "[" + i + "]", fresh, copies, todo, place, at);
                        if (w != os[i]) {
                            copyFits(os.getClass().getComponentType(), os[i], w, path + "[" + i + "]");
                            os[i] = w;
                        }
                    }
                }
                continue;
            }
            if (SharedArrays.isArray(o)) {
                continue; // primitive elements
            }
            if (Atomics.isAtomic(o)) { // java.util.concurrent.atomic: one field "value"
                Object v = Atomics.referent(o);
                Object w = v == null ? null : check(v, path + ".value", fresh, copies, todo, place, at);
                if (w != v) {
                    Atomics.replaceReferent(o, v, w);
                }
                continue;
            }
            if (o instanceof Shared) {
                Shared sc = (Shared) o;
                Jdk.clusterClass(sc, path); // throws when it cannot be re-created elsewhere (a lambda comparator, own fields)
                List<Object> content = sc.$kiln$content();
                List<Object> linked = new ArrayList<>(content.size());
                boolean replaced = false;
                for (int i = 0; i < content.size(); i++) {
                    Object v = content.get(i);
                    Object w = v == null ? null : check(v, path + "[" + i + "]", fresh, copies, todo, place, at);
                    replaced |= w != v;
                    linked.add(w);
                }
                if (replaced) {
                    sc.$kiln$load(linked); // not shared yet: a local change
                }
                continue;
            }
            BaseValues.Type bt = BaseValues.type(o.getClass());
            if (bt != null) { // java.base value types: their state fields (a Throwable's cause is shared too)
                String why = bt.refusal(o);
                if (why != null) {
                    throw new TCNonPortableObjectError("kiln: " + path + " holds a " + o.getClass().getName()
                            + ", which cannot be shared: " + why + "; or make the field transient with <honor-transient>"
                            + " or list it in <transient-fields>. Nothing of this transaction was shared.");
                }
                Object[] st = bt.state(o);
                states.put(o, st); // recorded as read here: a state object (the suppressed array) is a new one per read
                for (int i = 0; i < st.length; i++) {
                    if (st[i] != null && !isLiteral(st[i])) {
                        check(st[i], path + "." + bt.names[i], fresh, copies, todo, place, at);
                    }
                }
                continue;
            }
            try {
                for (Field f : sharedFields(o.getClass())) {
                    Object v = f.get(o);
                    if (v != null && !f.getType().isPrimitive()) {
                        Object w = check(v, path + "." + f.getName(), fresh, copies, todo, place, at);
                        if (w != v) {
                            copyFits(f.getType(), v, w, path + "." + f.getName());
                            f.set(o, w);
                        }
                    }
                }
            } catch (IllegalAccessException e) {
                throw new TCNonPortableObjectError("kiln: cannot read the fields of " + o.getClass().getName() + ": " + e);
            }
            if (o instanceof Throwable) { // an application exception: its cause and suppressed exceptions
                BaseValues.Type tt = BaseValues.throwableType();
                Object[] st = tt.state(o);
                states.put(o, st);
                for (int i = 0; i < st.length; i++) {
                    if (st[i] != null && !isLiteral(st[i])) {
                        check(st[i], path + "." + tt.names[i], fresh, copies, todo, place, at);
                    }
                }
            }
        }
        for (Object o : order) {
            SHARING.put(o, Boolean.TRUE);
        }
        sharing.incrementAndGet();
        try {
            createAndRecord(txn, order, created, place, states);
        } finally {
            for (Object o : order) {
                SHARING.remove(o);
            }
            sharing.decrementAndGet();
        }
        return top;
    }

    /**
     * A plain JDK object the walk replaces by its Kiln copy {@code w} must fit where it is held:
     * an {@code EnumSet} (shared as a {@code TreeSet}) in a field or array declared
     * {@code EnumSet} does not, and is refused before anything is recorded.
     */
    private static void copyFits(Class<?> declared, Object v, Object w, String path) {
        if (w != null && !declared.isInstance(w)) {
            throw new TCNonPortableObjectError("kiln: " + path + " holds a " + v.getClass().getName() + ", which the agent shares"
                    + " as a " + Jdk.jdkType(w) + " (it cannot be subclassed), but " + path + " is declared "
                    + declared.getName() + ": declare it as a Set (or Collection) to share it, or make the field transient"
                    + " with <honor-transient> or list it in <transient-fields>. Nothing of this transaction was shared.");
        }
    }

    /**
     * Objects a share walk of some thread has registered (in {@code objects}, with their ids)
     * but whose content it may not have recorded yet: the client's cache holds only their empty
     * new state until then (an object array's null elements, an object with no fields, an empty
     * collection), and a refresh of them in that window — the "refresh all" the first take of
     * remote changes makes, on the {@code kiln-applier} thread or at another thread's lock
     * award — would copy that empty state into the Java objects, which the walk then records.
     * {@link #refresh} leaves them alone (nothing remote can have changed an object whose id no
     * other JVM knows yet). Identity keys, guarded by themselves; {@link #sharing} counts the
     * walks in that window so a refresh with none costs one atomic read.
     */
    private static final Map<Object, Boolean> SHARING = java.util.Collections.synchronizedMap(new IdentityHashMap<>());
    private static final java.util.concurrent.atomic.AtomicInteger sharing = new java.util.concurrent.atomic.AtomicInteger();

    /** The second and third phases of {@link #shareGraph}: ids for every new object, then their content. */
    private static void createAndRecord(long txn, List<Object> order, List<Object> created,
                                        IdentityHashMap<Object, Integer> place, Map<Object, Object[]> states) {
        for (Object o : order) {
            int stripe = place.getOrDefault(o, -1);
            if (SharedArrays.isArray(o)) {
                long oid = SharedArrays.create(txn, o, stripe);
                SharedArrays.bind(o, oid);
                objects.put(oid, o);
                created.add(o);
                continue;
            }
            if (SharedValues.isValue(o)) { // awt value types: physical, oid in an identity map
                long oid = Native.objCreate(txn, o.getClass().getName(), stripe);
                SharedValues.bind(o, oid);
                objects.put(oid, o);
                created.add(o);
                continue;
            }
            if (Atomics.isAtomic(o)) {
                Atomics.bind(o, Native.objCreate(txn, o.getClass().getName(), stripe));
                created.add(o);
                continue;
            }
            long oid = o instanceof Shared
                    ? Native.collCreate(txn, Jdk.clusterClass((Shared) o, "a shared graph"), ((Shared) o).$kiln$kind(), stripe)
                    : Native.objCreate(txn, o.getClass().getName(), stripe);
            ((Managed) o).$kiln$oid(oid);
            objects.put(oid, o);
            created.add(o);
        }
        for (Object o : order) {
            if (SharedArrays.isArray(o)) {
                SharedArrays.recordContent(txn, o, oidOf(o));
                continue;
            }
            if (Atomics.isAtomic(o)) {
                Atomics.recordValue(txn, o);
                continue;
            }
            if (o instanceof Shared) {
                Jdk.recordContent(txn, (Shared) o);
                continue;
            }
            BaseValues.Type bt = BaseValues.type(o.getClass());
            if (bt != null) {
                Native.objSetFields(txn, oidOf(o), encodeValueState(states.get(o), bt));
                continue;
            }
            WireBuffer b = new WireBuffer(64);
            try {
                for (Field f : sharedFields(o.getClass())) {
                    ValueCodec.encode(f.getDeclaringClass().getName(), b);
                    ValueCodec.encode(f.getName(), b);
                    ValueCodec.encode(toValue(f.get(o)), b);
                }
            } catch (IllegalAccessException e) {
                throw new IllegalStateException(e);
            }
            if (o instanceof Throwable) { // an application exception: Throwable's message, cause, stack trace
                byte[] t = encodeValueState(states.get(o), BaseValues.throwableType());
                b.raw(t, 0, t.length);
            }
            Native.objSetFields(txn, oidOf(o), b.toByteArray());
        }
    }

    /**
     * {@code v} (a new value in the graph, at {@code path}) as it is to be stored: itself, or the
     * Kiln copy of a plain JDK collection; queues it for sharing when it is not shared yet.
     */
    private static Object check(Object v, String path, IdentityHashMap<Object, String> fresh,
                                IdentityHashMap<Object, Object> copies, ArrayDeque<Object> todo,
                                IdentityHashMap<Object, Integer> place, int stripe) {
        if (isLiteral(v)) {
            return v;
        }
        if (SharedArrays.isArray(v) || SharedValues.isValue(v)) {
            if (oidOf(v) == 0 && !fresh.containsKey(v)) {
                fresh.put(v, path);
                place.put(v, stripe);
                todo.add(v);
            }
            return v;
        }
        if (Atomics.isAtomic(v)) {
            if (Atomics.oid(v) == 0 && !fresh.containsKey(v)) {
                fresh.put(v, path);
                place.put(v, stripe);
                todo.add(v);
            }
            return v;
        }
        if (v instanceof Managed) {
            if (((Managed) v).$kiln$oid() == 0 && !fresh.containsKey(v)) {
                String jdk = v instanceof Shared || v instanceof SharedValues.Model ? null : jdkStateOf(v.getClass());
                if (jdk != null && jdk.startsWith(COLLECTION_STATE)) {
                    String own = ownFields(v.getClass());
                    throw new TCNonPortableObjectError("kiln: " + path + " holds a " + v.getClass().getName()
                            + ", a subclass of " + jdk.substring(COLLECTION_STATE.length()) + " with instance fields of"
                            + " its own (" + own + "): a subclass of a JDK collection is shared as"
                            + " that collection (its content), so only one without instance fields can be. Keep that"
                            + " state in another object (or make the fields static), or hold the collection in a"
                            + " field instead of extending it" + (own.contains("this$")
                            ? "; an inner or anonymous class holds its outer object (this$0): make it a static"
                            + " nested class, or create it in a static context" : "")
                            + ". Nothing of this transaction was shared.");
                }
                if (jdk != null) {
                    throw new TCNonPortableObjectError("kiln: " + path + " holds a " + v.getClass().getName()
                            + ", which extends " + jdk + ": the agent cannot share the state of a JDK superclass"
                            + " (no boot jar; subclasses of JDK collections are not shared logically yet). Hold a"
                            + " JDK collection in a field instead of extending it, or make the field transient."
                            + " Nothing of this transaction was shared.");
                }
                fresh.put(v, path);
                place.put(v, stripe);
                todo.add(v);
            }
            return v;
        }
        Object copy = copies.get(v);
        if (copy != null) {
            return copy;
        }
        copy = Jdk.portableCopy(v);
        if (copy != null) {
            copies.put(v, copy);
            fresh.put(copy, path);
            place.put(copy, stripe);
            todo.add(copy);
            return copy;
        }
        String failed = INSTRUMENT_FAILURES.get(v.getClass().getName());
        if (failed != null) {
            throw new TCNonPortableObjectError("kiln: " + path + " holds a " + v.getClass().getName()
                    + ", which cannot be shared: its class matches <instrumented-classes> but could not be"
                    + " instrumented when it was loaded (" + failed + "); or make the field transient with"
                    + " <honor-transient> or list it in <transient-fields>. Nothing of this transaction was shared.");
        }
        throw new TCNonPortableObjectError("kiln: " + path + " holds a " + v.getClass().getName()
                + ", which cannot be shared: it is not in <instrumented-classes> (add an <include> for it) and"
                + " not a portable type" + Jdk.hint(v) + "; or make the field transient with <honor-transient> or list"
                + " it in <transient-fields>. Nothing of this transaction was shared.");
    }

    /**
     * {@code e}, unless it is the {@link dev.kiln.ClosedException} of the JVM exiting (the agent's
     * shutdown hook closed the client, {@link dev.kiln.Kiln#isExiting}): then the calling thread,
     * whose cluster wait the close ended, stays parked until the JVM halts instead of printing
     * a Kiln stack trace from the program's thread (the JVM does not wait for it: shutdown has
     * begun). Any other failure, and a close for another reason, is returned to be thrown.
     */
    public static RuntimeException exitOr(RuntimeException e) {
        if (e instanceof dev.kiln.ClosedException && dev.kiln.Kiln.isExiting()) {
            while (true) {
                java.util.concurrent.locks.LockSupport.park();
            }
        }
        return e;
    }

    /** This JVM's client id in the cluster. */
    public static long clientId() {
        return Native.clientId(client());
    }

    /** The ids of the clients in the cluster now, this one included (the client's membership view). */
    public static java.util.Set<Long> liveClients() {
        List<Object> v = ValueCodec.decodeAll(Native.nodes(client()));
        java.util.Set<Long> ids = new java.util.HashSet<>();
        ids.add((Long) v.get(0));
        for (int i = 1; i + 3 < v.size(); i += 4) {
            ids.add((Long) v.get(i));
        }
        return ids;
    }

    /** Classes (dotted names) the transformer failed to instrument, with the reason (bounded). */
    private static final ConcurrentHashMap<String, String> INSTRUMENT_FAILURES = new ConcurrentHashMap<>();

    /**
     * Called by the transformer when a class an {@code <include>} matches could not be
     * instrumented (it was left as it was): a later attempt to share one of its objects names
     * the reason instead of suggesting an {@code <include>}.
     */
    public static void noteInstrumentFailure(String className, String reason) {
        if (INSTRUMENT_FAILURES.size() < 10_000) {
            INSTRUMENT_FAILURES.put(className, reason);
        }
    }

    private static final ConcurrentHashMap<Class<?>, String> JDK_STATE = new ConcurrentHashMap<>();
    /** The instance fields {@code c} and its non-JDK superclasses declare, as {@code C.f, D.g}. */
    private static String ownFields(Class<?> c) {
        StringBuilder b = new StringBuilder();
        for (Class<?> k = c; k != null && !k.getName().startsWith("java."); k = k.getSuperclass()) {
            for (Field f : k.getDeclaredFields()) {
                if (!Modifier.isStatic(f.getModifiers()) && !f.getName().startsWith("$kiln$")) {
                    b.append(b.length() == 0 ? "" : ", ").append(k.getName().substring(k.getName().lastIndexOf('.') + 1))
                            .append('.').append(f.getName());
                }
            }
        }
        return b.toString();
    }

    /** {@link #jdkStateOf}'s prefix for a concrete JDK collection or map superclass. */
    private static final String COLLECTION_STATE = "collection:";

    /** The first JDK superclass of {@code c} with instance fields (which reflection cannot reach), or null. */
    private static String jdkStateOf(Class<?> c) {
        String r = JDK_STATE.get(c);
        if (r == null) {
            r = "";
            for (Class<?> k = c.getSuperclass(); k != null && k != Object.class && k != Throwable.class; k = k.getSuperclass()) {
                String n = k.getName();
                if (n.startsWith("java.") || n.startsWith("javax.") || n.startsWith("jdk.") || n.startsWith("sun.")) {
                    if (!Modifier.isAbstract(k.getModifiers())
                            && (java.util.Collection.class.isAssignableFrom(k) || Map.class.isAssignableFrom(k))) {
                        r = COLLECTION_STATE + n; // its state is in transient fields (HashMap.table, HashSet.map)
                        break;
                    }
                    for (Field f : k.getDeclaredFields()) {
                        if (!Modifier.isStatic(f.getModifiers()) && !SharedValues.transientField(f)) {
                            r = n;
                            break;
                        }
                    }
                    if (!r.isEmpty()) {
                        break;
                    }
                }
            }
            JDK_STATE.put(c, r);
        }
        return r.isEmpty() ? null : r;
    }

    // ------------------------------------------------------------------ for the Kiln JDK collections

    /** The cluster transaction of this thread's innermost cluster lock, 0 when it holds none. */
    public static long currentTxn() {
        long[] top = HELD.get().stack.peek();
        if (top != null && mirror(top)) {
            realise(top); // a mutation (refused under the read lock) or a call needs the transaction
        }
        return top == null ? 0 : top[1];
    }

    /** True for values the cluster copies by value (String, boxed, enum...). */
    public static boolean isLiteralValue(Object v) {
        return isLiteral(v);
    }

    /** {@code v} encoded as a cluster value (a shared object as its reference). */
    public static byte[] encodeShared(Object v) {
        return ValueCodec.encode(toValue(v));
    }

    /**
     * {@code v}, about to be stored in a shared collection under transaction {@code txn}, as it
     * is to be stored: its graph shared first (a plain JDK collection becomes its Kiln copy).
     */
    public static Object link(Object v, long txn, String path, long near) {
        if (v == null || isLiteral(v) || oidOf(v) != 0) {
            return v;
        }
        return shareGraph(v, txn, path, new ArrayList<>(), stripeOf(near));
    }

    /** The stripe of object id {@code oid} (its top byte), -1 for none (0). */
    static int stripeOf(long oid) {
        return oid == 0 ? -1 : (int) (oid >>> 56);
    }

    static Object toValue(Object v) {
        if (v instanceof Managed) {
            return new Ref(((Managed) v).$kiln$oid());
        }
        if (v != null && SharedArrays.isArray(v)) {
            return new Ref(SharedArrays.oid(v));
        }
        if (v != null && SharedValues.isValue(v)) {
            return new Ref(SharedValues.oid(v));
        }
        if (v != null && Atomics.isAtomic(v)) {
            return new Ref(Atomics.oid(v));
        }
        return v;
    }

    /** The object id of {@code v} (an instrumented object, a Kiln collection or an array), 0 when not shared. */
    static long oidOf(Object v) {
        if (v instanceof Managed) {
            return ((Managed) v).$kiln$oid();
        }
        if (v != null && SharedValues.isValue(v)) {
            return SharedValues.oid(v);
        }
        if (v != null && Atomics.isAtomic(v)) {
            return Atomics.oid(v);
        }
        return v != null && SharedArrays.isArray(v) ? SharedArrays.oid(v) : 0;
    }

    // ------------------------------------------------------------------ materialising

    private static final sun.misc.Unsafe UNSAFE = unsafe();

    private static sun.misc.Unsafe unsafe() {
        try {
            Field f = sun.misc.Unsafe.class.getDeclaredField("theUnsafe");
            f.setAccessible(true);
            return (sun.misc.Unsafe) f.get(null);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("kiln: no sun.misc.Unsafe to create objects without a constructor", e);
        }
    }

    /**
     * Lazy reference fields (docs/agent.md "Lazy faulting"); {@code -Dkiln.lazy=false} turns them
     * off (every reachable object is materialised with its holder, as before).
     */
    private static final boolean lazy = !"false".equals(System.getProperty("kiln.lazy"));

    /** The Java object of {@code oid} if it is materialised here, else null. */
    private static Object resident(long oid) {
        Object o = objects.get(oid);
        return o != null ? o : Atomics.byOid(oid);
    }

    /** Objects in the client's cache, materialised here or not (diagnostics; the partial-faulting example prints it). */
    public static long cachedCount() {
        return Native.cachedCount(client());
    }

    /** Released objects that also left the client's cache (diagnostics; the partial-faulting example prints it). */
    public static long evictedCount() {
        synchronized (objects) {
            objects.size(); // expunges
            return evicted;
        }
    }

    /** Objects materialised or shared in this JVM and not collected (diagnostics; the partial-faulting example prints it). */
    public static int materialisedCount() {
        synchronized (objects) {
            return objects.size();
        }
    }

    /** Objects released here since the start: collected after nothing referenced them (diagnostics). */
    public static long releasedCount() {
        synchronized (objects) {
            return objects.released();
        }
    }

    /**
     * {@code -Dkiln.cache.maxObjects=N} (0, the default: off): when more than N objects are
     * materialised, the resolved lazy fields are turned back into lazy entries, so the objects
     * the program does not reference otherwise can be collected (and are faulted back from the
     * client's cache by their next read). Checked every 256 materialisations.
     */
    private static final long maxObjects = Long.getLong("kiln.cache.maxObjects", 0L);
    private static int sinceCheck;

    /** After a materialisation (under the monitor): the memory-pressure check. */
    private static void afterMaterialise() {
        if (maxObjects > 0 && ++sinceCheck >= 256) {
            sinceCheck = 0;
            if (objects.size() > maxObjects) {
                unresolveAll();
            }
        }
    }

    /**
     * Turns every resolved lazy field back into a lazy one: under the monitor, a field whose
     * entry still names the object it holds is set to null (a local write racing this re-asserts
     * its value in {@link #afterPutRef}; a read resolves it again, to the same Java object while
     * anything else keeps that alive). Returns how many fields it cleared.
     */
    public static int unresolveAll() {
        int[] n = {0};
        synchronized (objects) {
            Lazy.forEach((holder, f, t) -> {
                Object h = objects.get(holder);
                Object target = h == null ? null : objects.get(t);
                if (target == null) {
                    return;
                }
                try {
                    if (f.get(h) == target) {
                        f.set(h, null);
                        n[0]++;
                    }
                } catch (IllegalAccessException e) {
                    throw new IllegalStateException(e);
                }
            });
        }
        return n[0];
    }

    /** Lazy reference fields not resolved or written since (diagnostics). */
    public static int lazyEntries() {
        return Lazy.size();
    }

    /**
     * The GETFIELD barrier of a reference field of an instrumented class ({@code key}: the
     * field's owner and name as the bytecode names them): {@code v}, the value just read, unless
     * it is null and {@code holder} is a shared object whose field points to a cluster object not
     * materialised yet; then that object is materialised (its state comes from the client's
     * cache, which the holder's fault prefetched with it, or by a fault now), stored in the field
     * and returned.
     */
    public static Object lazyGet(Object holder, Object v, String key) {
        return v != null || !Lazy.any ? v : lazyNull(holder, key); // kept tiny: the JIT inlines it
    }

    private static Object lazyNull(Object holder, String key) {
        if (!(holder instanceof Managed)) {
            return null;
        }
        long oid = ((Managed) holder).$kiln$oid();
        return oid == 0 ? null : resolveLazy(holder, oid, key);
    }

    private static Object resolveLazy(Object holder, long oid, String key) {
        Field f = fieldByKey(holder.getClass(), key);
        try {
            while (true) {
                Long t = Lazy.get(oid, f);
                if (t == null) {
                    return f.get(holder); // not lazy (or written meanwhile)
                }
                Object target = materialise(t);
                synchronized (objects) { // a local write (afterPutRef) or a refresh may have replaced it
                    Object cur = f.get(holder);
                    if (cur != null) {
                        return cur;
                    }
                    if (t.equals(Lazy.get(oid, f))) {
                        f.set(holder, target);
                        return target;
                    }
                }
                // a remote change pointed the field elsewhere while this materialised: again
            }
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * After a {@code clone()} call in instrumented code, with the copy it returned: {@code
     * Object.clone} copies every field, the injected object id too, so the copy of a shared
     * object would be taken for that object (its writes recorded as the original's changes, its
     * lazy references read as null). For a copy (a {@code Managed} object with an id that is not
     * the object materialised for that id), its lazy reference fields are resolved from the
     * original's entries first (the copy refers to the same targets, as a JVM-local clone does)
     * and then its id is cleared: the copy is a new, non-shared object, shared like any other
     * when the program links it into the graph. As Terracotta DSO's clone handling.
     */
    public static void afterClone(Object copy) {
        if (!(copy instanceof Managed) || copy instanceof dev.kiln.agent.jdk.Shared) {
            return; // Kiln collections clear their id in their own clone()
        }
        Managed m = (Managed) copy;
        long oid = m.$kiln$oid();
        if (oid == 0 || objects.get(oid) == copy) {
            return;
        }
        if (Lazy.any) {
            try {
                for (Field f : sharedFields(copy.getClass())) {
                    if (Lazy.lazyField(f) && f.get(copy) == null) {
                        Long t = Lazy.get(oid, f);
                        if (t != null) {
                            f.set(copy, materialise(t));
                        }
                    }
                }
            } catch (IllegalAccessException e) {
                throw new IllegalStateException(e);
            }
        }
        m.$kiln$oid(0);
    }

    private static Field fieldByKey(Class<?> c, String key) {
        Field f = FIELDS.get(key);
        if (f != null) {
            return f;
        }
        int dot = key.lastIndexOf('.');
        return field(c, key.substring(0, dot), key.substring(dot + 1));
    }

    /**
     * After a PUTFIELD of a reference field: as {@link #afterPut}, and when the field was lazy,
     * the entry goes and the value written is re-asserted (a lazy resolution racing this write,
     * under the {@code objects} monitor, may have stored the old target after the PUTFIELD).
     */
    public static void afterPutRef(Object obj, Object v, String owner, String name) {
        if (Lazy.any) {
            lazyWritten(obj, v, owner, name); // kept out of line: the JIT inlines this method
        }
        long oid = putOid(obj);
        if (oid != 0) {
            put(obj, oid, owner, name, v, true);
        }
    }

    /**
     * After a PUTFIELD of a primitive field, with the value written (one overload per type, the
     * transformer calls the one of the field's descriptor): as {@link #afterPut}, recording that
     * value rather than re-reading the field.
     */
    public static void afterPutV(Object obj, int v, String owner, String name) {
        long oid = putOid(obj);
        if (oid != 0) {
            put(obj, oid, owner, name, v, true);
        }
    }

    /** See {@link #afterPutV(Object, int, String, String)}. */
    public static void afterPutV(Object obj, boolean v, String owner, String name) {
        long oid = putOid(obj);
        if (oid != 0) {
            put(obj, oid, owner, name, v, true);
        }
    }

    /** See {@link #afterPutV(Object, int, String, String)}. */
    public static void afterPutV(Object obj, byte v, String owner, String name) {
        long oid = putOid(obj);
        if (oid != 0) {
            put(obj, oid, owner, name, v, true);
        }
    }

    /** See {@link #afterPutV(Object, int, String, String)}. */
    public static void afterPutV(Object obj, char v, String owner, String name) {
        long oid = putOid(obj);
        if (oid != 0) {
            put(obj, oid, owner, name, v, true);
        }
    }

    /** See {@link #afterPutV(Object, int, String, String)}. */
    public static void afterPutV(Object obj, short v, String owner, String name) {
        long oid = putOid(obj);
        if (oid != 0) {
            put(obj, oid, owner, name, v, true);
        }
    }

    /** See {@link #afterPutV(Object, int, String, String)}. */
    public static void afterPutV(Object obj, float v, String owner, String name) {
        long oid = putOid(obj);
        if (oid != 0) {
            put(obj, oid, owner, name, v, true);
        }
    }

    /** See {@link #afterPutV(Object, int, String, String)}. */
    public static void afterPutV(Object obj, long v, String owner, String name) {
        long oid = putOid(obj);
        if (oid != 0) {
            put(obj, oid, owner, name, v, true);
        }
    }

    /** See {@link #afterPutV(Object, int, String, String)}. */
    public static void afterPutV(Object obj, double v, String owner, String name) {
        long oid = putOid(obj);
        if (oid != 0) {
            put(obj, oid, owner, name, v, true);
        }
    }

    /** The object id a field write on {@code obj} is recorded for (0: not shared). */
    private static long putOid(Object obj) {
        if (obj instanceof Managed) {
            return ((Managed) obj).$kiln$oid();
        }
        return SharedValues.barrierOid(obj); // a shared awt value's public field (p.x = 3)
    }

    private static void lazyWritten(Object obj, Object v, String owner, String name) {
        if (!(obj instanceof Managed)) {
            return;
        }
        long oid = ((Managed) obj).$kiln$oid();
        if (oid == 0) {
            return;
        }
        Field f = field(obj.getClass(), owner, name);
        if (Lazy.remove(oid, f) != null) {
            try {
                synchronized (objects) {
                    if (f.get(obj) != v) {
                        f.set(obj, v);
                    }
                }
            } catch (IllegalAccessException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /**
     * The Java object of cluster object {@code oid}: created without running a constructor, its
     * fields filled. A reference to an object already materialised here is set; one to an object
     * not materialised yet is left lazy in an instrumented class's field (resolved by the first
     * read) and materialised at once elsewhere (JDK and awt value types' fields).
     */
    static Object materialise(long oid) {
        Object o = objects.get(oid);
        if (o != null) {
            return o;
        }
        o = Atomics.byOid(oid); // atomics are kept out of `objects` (drain refreshes them not: each op reads the cluster)
        if (o != null) {
            return o;
        }
        synchronized (objects) {
            o = objects.get(oid);
            if (o != null) {
                return o;
            }
            List<Object> st = ValueCodec.decodeAll(Native.objState(client(), oid), loader());
            if (Integer.valueOf(5).equals(st.get(0))) {
                return SharedArrays.materialise(oid, st, loader(), objects);
            }
            if (st.get(0) instanceof Integer) {
                return materialiseCollection(oid, st);
            }
            if (Atomics.isAtomicClass((String) st.get(0))) {
                return Atomics.materialise(oid, st);
            }
            BaseValues.Type bt = BaseValues.type((String) st.get(0));
            if (bt != null) {
                return materialiseValue(oid, st, bt);
            }
            try {
                Class<?> c = Class.forName((String) st.get(0), true, loader());
                o = UNSAFE.allocateInstance(c);
                SharedValues.setOid(o, oid); // Managed, or an awt value type (identity map)
                objects.put(oid, o);
                Map<String, Field> byName = new java.util.HashMap<>();
                for (Field f : sharedFields(c)) {
                    byName.put(f.getDeclaringClass().getName() + "." + f.getName(), f);
                }
                List<Object> thrown = o instanceof Throwable ? new ArrayList<>() : null;
                for (int i = 1; i + 2 < st.size(); i += 3) {
                    Field f = byName.get(st.get(i) + "." + st.get(i + 1));
                    if (f == null) {
                        if (thrown != null && BaseValues.THROWABLE_OWNER.equals(st.get(i))) {
                            thrown.addAll(st.subList(i, i + 3)); // Throwable's state: set once the fields are
                        }
                        continue; // a field this class version does not have
                    }
                    Object v = st.get(i + 2);
                    if (v instanceof Ref) {
                        long t = ((Ref) v).oid();
                        v = resident(t);
                        if (v == null && lazy && o instanceof Managed && Lazy.lazyField(f)) {
                            Lazy.put(oid, f, t); // faulted by the first read (lazyGet)
                            continue;
                        }
                        if (v == null) {
                            v = materialise(t);
                        }
                    }
                    f.set(o, v);
                }
                if (thrown != null) {
                    thrown.add(0, null);
                    BaseValues.restoreThrowable((Throwable) o, valueState(thrown));
                }
                SharedValues.loaded(o); // the Kiln Swing models' transient listener lists
                OnLoad.loaded(o); // <on-load> of its class
                afterMaterialise();
            } catch (ReflectiveOperationException e) {
                objects.remove(oid);
                throw new IllegalStateException("kiln: cannot materialise object " + oid + " of " + st.get(0) + ": " + e, e);
            }
            return o;
        }
    }

    /** Base values being materialised by this JVM (under the {@code objects} monitor): a cause cycle ends there. */
    private static final java.util.Set<Long> CREATING = new java.util.HashSet<>();

    /**
     * A java.base value type ({@link BaseValues}): created from its state fields (a referenced
     * value, a Throwable's cause, materialised first), bound in the identity map.
     */
    private static Object materialiseValue(long oid, List<Object> st, BaseValues.Type bt) {
        if (!CREATING.add(oid)) {
            return null; // a cycle of causes: the inner reference stays null
        }
        try {
            Class<?> c = Class.forName((String) st.get(0), false, loader());
            Map<String, Object> s = valueState(st);
            Object o = bt.create(c, s);
            SharedValues.bind(o, oid);
            objects.put(oid, o);
            afterMaterialise();
            return o;
        } catch (Exception e) {
            throw new IllegalStateException("kiln: cannot materialise object " + oid + " of " + st.get(0) + ": " + e, e);
        } finally {
            CREATING.remove(oid);
        }
    }

    /** The state fields of a base value's cluster state (references materialised). */
    private static Map<String, Object> valueState(List<Object> st) {
        Map<String, Object> s = new java.util.HashMap<>();
        for (int i = 1; i + 2 < st.size(); i += 3) {
            Object v = st.get(i + 2);
            if (v instanceof Ref) {
                long t = ((Ref) v).oid();
                Object r = resident(t);
                v = r != null ? r : materialise(t);
            }
            s.put((String) st.get(i + 1), v);
        }
        return s;
    }

    /** A base value's state fields, encoded as objSetFields wants them (owner, name, value triples). */
    private static byte[] encodeValueState(Object[] st, BaseValues.Type bt) {
        WireBuffer b = new WireBuffer(64);
        for (int i = 0; i < st.length; i++) {
            ValueCodec.encode(bt.owner, b);
            ValueCodec.encode(bt.names[i], b);
            Object v = toValue(st[i]);
            if (v instanceof Ref && ((Ref) v).oid() == 0) { // never record a reference to nothing
                throw new IllegalStateException("kiln: " + bt.owner + "." + bt.names[i] + " refers to a "
                        + st[i].getClass().getName() + " that was not shared");
            }
            ValueCodec.encode(v, b);
        }
        return b.toByteArray();
    }

    /**
     * After an in-place mutator of shared base value {@code o} ({@link BaseValues#after}): its
     * state is recorded again in the thread's innermost cluster transaction (a new object it
     * references is shared first). The caller checked the lock ({@link BaseValues#before}).
     */
    static void recordValueState(Object o, long oid, BaseValues.Type bt) {
        long txn = currentTxn();
        if (txn == 0) {
            throw new IllegalStateException("kiln: a shared " + o.getClass().getName() + " changed outside a cluster lock");
        }
        Object[] st = bt.state(o);
        for (Object v : st) {
            if (v != null && !isLiteral(v) && oidOf(v) == 0) {
                shareGraph(v, txn, o.getClass().getName(), new ArrayList<>(), stripeOf(oid));
            }
        }
        Native.objSetFields(txn, oid, encodeValueState(st, bt));
    }

    /** A new instance of {@code c} without a constructor run ({@code EventObject}: its source stays null). */
    static Object allocate(Class<?> c) throws InstantiationException {
        return UNSAFE.allocateInstance(c);
    }

    /** A logical collection ({@code st}: kind, class, elements) as a Kiln JDK collection with its content. */
    private static Object materialiseCollection(long oid, List<Object> st) {
        String cls = (String) st.get(1);
        Shared s;
        try {
            s = Jdk.create(cls, loader());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("kiln: cannot materialise collection " + oid + " of " + cls + ": " + e, e);
        }
        if (s == null) {
            throw new IllegalStateException("kiln: cannot materialise collection " + oid + " of " + cls
                    + " as a JDK collection in this JVM");
        }
        objects.put(oid, s);
        s.$kiln$load(resolve(st));
        s.$kiln$oid(oid);
        return s;
    }

    /** The elements of a collection's state (after kind and class), references materialised. */
    private static List<Object> resolve(List<Object> st) {
        List<Object> content = new ArrayList<>(st.size() - 2);
        for (int i = 2; i < st.size(); i++) {
            Object v = st.get(i);
            content.add(v instanceof Ref ? materialise(((Ref) v).oid()) : v);
        }
        return content;
    }

    // ------------------------------------------------------------------ field writes and locks

    /** Cluster locks held by one thread: per shared object locked, its transaction and hold count. */
    static final class Held {
        final ArrayDeque<long[]> stack = new ArrayDeque<>(); // {oid, txn, count}
        /** The read lease last used by this thread (a one-entry cache of {@link #LEASES}). */
        ReadLease lease;
        /** This thread's holder stripe in every {@link ReadLease}. */
        final int stripe = ReadLease.stripe();

        ReadLease lease(long oid) {
            ReadLease l = lease;
            if (l == null || l.oid != oid) {
                l = leaseOf(oid);
                lease = l;
            }
            return l;
        }

        long[] find(long oid) {
            if (stack.isEmpty()) {
                return null; // the common case: no iterator
            }
            for (long[] h : stack) {
                if (h[0] == oid) {
                    return h;
                }
            }
            return null;
        }
    }

    private static final ThreadLocal<Held> HELD = ThreadLocal.withInitial(Held::new);
    private static final ConcurrentHashMap<String, Field> FIELDS = new ConcurrentHashMap<>();

    /**
     * After a PUTFIELD of {@code owner.name} on {@code obj} in an instrumented class: a shared
     * object's change is recorded in the innermost cluster transaction of this thread; outside
     * any cluster lock it throws {@link com.tc.object.tx.UnlockedSharedObjectException}.
     */
    public static void afterPut(Object obj, String owner, String name) {
        long oid = putOid(obj);
        if (oid != 0) {
            put(obj, oid, owner, name, null, false);
        }
    }

    private static Field field(Class<?> c, String owner, String name) {
        String key = owner + "." + name;
        Field f = FIELDS.get(key);
        if (f == null) {
            Class<?> from = c;
            for (Class<?> k = c; k != null; k = k.getSuperclass()) {
                if (k.getName().equals(owner)) {
                    from = k;
                    break;
                }
            }
            for (Class<?> k = from; k != null && f == null; k = k.getSuperclass()) {
                try {
                    f = k.getDeclaredField(name);
                } catch (NoSuchFieldException e) {
                    // up
                }
            }
            if (f == null) {
                throw new IllegalStateException("kiln: no field " + key);
            }
            if (SharedValues.desktopClass(f.getDeclaringClass())) {
                SharedValues.ensureOpen();
            }
            f.setAccessible(true);
            FIELDS.put(key, f);
        }
        return f;
    }

    /**
     * Records the write of {@code owner.name} on shared {@code obj}: {@code written} (when
     * {@code given}) is the value the PUTFIELD stored. A refresh of the same object (a remote
     * change under another lock, applied under the {@code objects} monitor) may have overwritten
     * the field between the PUTFIELD and this call; the written value is what is recorded, and it
     * is put back into the field.
     */
    private static void put(Object obj, long oid, String owner, String name, Object written, boolean given) {
        Held h = HELD.get();
        long[] top = h.stack.peek();
        Field f = field(obj.getClass(), owner, name);
        if (notShared.test(f)) {
            return; // a transient field stays local
        }
        if (top != null && mirror(top)) {
            realise(top); // the client refuses the write under the read lock, as without the mirror
        }
        if (top == null) {
            String cls = obj.getClass().getName();
            throw new com.tc.object.tx.UnlockedSharedObjectException("kiln: " + cls + "." + name
                    + " of a shared object was written by thread \"" + Thread.currentThread().getName()
                    + "\" outside any cluster lock. Write shared objects inside synchronized blocks or methods"
                    + " matched by an <autolock>, e.g. <locks><autolock><method-expression>* "
                    + f.getDeclaringClass().getName() + ".*(..)</method-expression><lock-level>write</lock-level>"
                    + "</autolock></locks> (and the methods that write it).");
        }
        try {
            Object v = given ? written : f.get(obj);
            if (v != null && !isLiteral(v) && oidOf(v) == 0) {
                if (v instanceof java.util.EnumSet) { // shared as a TreeSet: refused before anything is recorded when it cannot be stored
                    copyFits(f.getType(), v, Jdk.portableCopy(v), obj.getClass().getName() + "." + name);
                }
                Object w = shareGraph(v, top[1], obj.getClass().getName() + "." + name, new ArrayList<>(), stripeOf(oid));
                if (w != v) {
                    f.set(obj, w); // a plain JDK collection: the field holds its shared Kiln copy
                    v = w;
                }
            }
            WireBuffer b = new WireBuffer(32);
            ValueCodec.encode(f.getDeclaringClass().getName(), b);
            ValueCodec.encode(f.getName(), b);
            ValueCodec.encode(toValue(v), b);
            Native.objSetFields(top[1], oid, b.toByteArray());
            if (given) {
                // After the record (the client's cache has the value now, so a later refresh
                // reads it): put it back if a refresh overwrote the field since the PUTFIELD.
                synchronized (objects) {
                    Object cur = f.get(obj);
                    if (cur != v && (cur == null || !cur.equals(v))) {
                        f.set(obj, v);
                    }
                }
            }
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Called just before a MONITORENTER in an autolocked method, with the monitor's object (the
     * MONITORENTER itself is left as it was, on the same object, so the JIT still sees balanced
     * monitors and non-shared objects cost only this call's two tests): for a shared object,
     * takes (or re-enters) the greedy cluster lock on its object id at {@code level} and applies
     * the remote changes that arrived; any other object is left to the JVM monitor. The cluster
     * lock is taken before the JVM monitor, so a thread blocked on it holds no monitor.
     */
    public static void monitorEnter(Object o, int level) {
        // Tiny on purpose (always inlined): a monitor of a class seen not to be Managed costs a
        // class load and two compares. `instanceof Managed` on its own is no fast test: an
        // interface check that fails is never cached by HotSpot and costs a stub call each time
        // (7 ns, more than the JVM monitor itself).
        Class<?> c = o.getClass();
        if (c != plainA && c != plainB) {
            enterSlow(o, c, level);
        }
    }

    /**
     * Object id -> the client's lock of that object, resolved once (the greedy re-acquire then
     * skips the client's lock table). One small handle per shared object this JVM ever locked;
     * kept for the client's life.
     */
    private static final ConcurrentHashMap<Long, Long> LOCK_HANDLES = new ConcurrentHashMap<>();

    /**
     * The last two classes of monitor objects seen not to implement {@link Managed} (racy on
     * purpose: a stale value only sends a call down the slow path; whether a class is Managed
     * never changes once it is loaded).
     */
    private static Class<?> plainA;
    private static Class<?> plainB;

    private static boolean plain(Object o, Class<?> c) {
        if (o instanceof Managed) {
            return false;
        }
        if (lockable(o, c)) {
            return oidOf(o) == 0; // a shared array, awt value or atomic is a cluster lock; its class is never cached as plain
        }
        plainB = plainA;
        plainA = c;
        return true;
    }

    /**
     * Shared objects without the injected id field — arrays (but {@code byte[]}, a literal), awt
     * value types, atomics — are cluster locks too when shared ({@code synchronized (sharedArray)},
     * its {@code wait/notify}), as every managed object was in Terracotta DSO: their classes are
     * never cached as plain monitors, and their id comes from their identity maps.
     */
    private static boolean lockable(Object o, Class<?> c) {
        return c.isArray() ? c != byte[].class : SharedValues.isValue(o) || Atomics.isAtomic(o);
    }

    private static void enterSlow(Object o, Class<?> cls, int level) {
        if (plain(o, cls)) {
            return;
        }
        long oid = oidOf(o);
        if (oid != 0) {
            lockObject(oid, level, -1, false);
        }
    }

    /**
     * Read-level {@code synchronized} (docs/agent.md, "Concurrent local readers"): replaces the
     * operand of a MONITORENTER in a method autolocked at {@code read} (the instrumentation also
     * stores the result in the block's lock variable, so every MONITOREXIT of the block gets it
     * too and the JIT still pairs them). A shared object's cluster read lock is taken (or
     * re-entered) and a thread-private {@link ReadHold} is returned: the JVM monitor taken is
     * that hold's, never the shared object's, so this JVM's readers of one object run at once
     * (the client's lock grants any number of local readers and excludes a local writer, which
     * takes the write lock and the object's own monitor). Anything else is returned as it is
     * (the plain JVM monitor, at its plain cost).
     */
    public static Object readEnter(Object o) {
        Class<?> c = o.getClass();
        if (c != plainA && c != plainB) {
            return readEnterSlow(o, c);
        }
        return o;
    }

    private static Object readEnterSlow(Object o, Class<?> cls) {
        if (plain(o, cls)) {
            return o;
        }
        long oid = oidOf(o);
        if (oid == 0) {
            return o;
        }
        Held h = HELD.get();
        long[] e = h.find(oid);
        if (e != null) {
            e[2]++;
            return new ReadHold(e);
        }
        ReadLease l = h.lease(oid);
        long c = client();
        if (l.tryHold(h.stripe)) {
            // The parked lease's mirror: no crossing for the lock. The lease was held through
            // this JVM's client all along, so no remote change under this lock can have arrived;
            // changes under other locks recorded before now are applied as at an award.
            e = new long[] {oid, h.stripe, 1, 1, MIRROR};
            h.stack.push(e);
            if (changesSeqInPlace(c) != appliedSeq) {
                try {
                    applyChanges(c);
                } catch (RuntimeException | Error x) {
                    unlockShared(e);
                    throw x;
                }
            }
            return new ReadHold(e, l, h);
        }
        return new ReadHold(take(h, c, oid, l.handle, 1, -1, READ_ENTRY), l, h);
    }

    /** {@link #unlockShared} for a {@link ReadHold} of {@code readEnter}: its lease and thread's holds at hand. */
    static void exitRead(long[] e, ReadLease l, Held h) {
        if (--e[2] == 0) {
            h.stack.remove(e);
            if (e[4] == MIRROR) {
                l.unhold(h.stripe);
            } else if (e[4] == COMMIT || !READ_LEASES || !l.park(e[1])) {
                Native.commit(e[1]);
            }
        }
    }

    /**
     * Read-level entries of {@link #readEnter} are {oid, txn, count, 1, mode}: {@link #PARKABLE}
     * a native read hold whose outermost release may park it as its lock's {@link ReadLease};
     * {@link #MIRROR} a hold of a parked lease's mirror (no native transaction: the txn slot
     * holds the thread's holder stripe instead);
     * {@link #COMMIT} a native read hold that must be committed (a cluster notify recorded in
     * it, or made from a mirror hold).
     */
    private static final int READ_ENTRY = 2;
    private static final long PARKABLE = 0;
    private static final long MIRROR = 1;
    private static final long COMMIT = 2;

    /**
     * {@code -Dkiln.readLeases=false}: no parked read leases (every read-level re-acquire takes
     * the lock natively, {@link Native#lockFast}); for comparisons.
     */
    private static final boolean READ_LEASES = !"false".equals(System.getProperty("kiln.readLeases"));

    /**
     * Read-level holds taken through a parked lease's mirror so far, all locks (a racy count:
     * a lower bound; tests and diagnostics).
     */
    public static long readLeaseHolds() {
        long n = 0;
        for (ReadLease l : LEASES.values()) {
            n += l.holds();
        }
        return n;
    }

    /** Read leases by object id (one per shared object read-locked by a read-level block). */
    private static final ConcurrentHashMap<Long, ReadLease> LEASES = new ConcurrentHashMap<>();

    private static ReadLease leaseOf(long oid) {
        ReadLease l = LEASES.get(oid);
        if (l == null) {
            l = LEASES.computeIfAbsent(oid, k -> new ReadLease(k, lockHandle(client(), k)));
        }
        return l;
    }

    private static long lockHandle(long c, long oid) {
        Long lh = LOCK_HANDLES.get(oid);
        if (lh == null) {
            lh = LOCK_HANDLES.computeIfAbsent(oid, k -> Native.lockObjectHandle(c, k));
        }
        return lh;
    }

    /** {@link Native#changesSeq} read in place ({@link Native#changesSeqBuffer}): no crossing. */
    private static long changesSeqInPlace(long c) {
        java.nio.ByteBuffer b = seqBuffer;
        if (b == null) {
            b = Native.changesSeqBuffer(c);
            seqBuffer = b;
        }
        return (long) SEQ_VIEW.getAcquire(b, 0);
    }

    private static volatile java.nio.ByteBuffer seqBuffer;
    private static final java.lang.invoke.VarHandle SEQ_VIEW =
            java.lang.invoke.MethodHandles.byteBufferViewVarHandle(long[].class, java.nio.ByteOrder.nativeOrder());

    private static boolean mirror(long[] e) {
        return e.length == 5 && e[4] == MIRROR;
    }

    /**
     * Turns this thread's mirror hold {@code e} into a native read hold (for what needs a
     * native transaction: a field write to refuse, a cluster wait or notify, another lock path
     * re-entering it). The mirror hold is left first (a recall may be waiting for it), then the
     * lock is taken natively: in between, the read lock is not held by this thread.
     */
    private static void realise(long[] e) {
        ReadLease l = leaseOf(e[0]);
        e[4] = COMMIT;
        l.unhold((int) e[1]); // a mirror entry keeps its holder stripe where the txn goes
        long c = client();
        long r = Native.lockFast(c, l.handle, 1, -1, appliedSeq);
        e[1] = r & ~1L;
        if ((r & 1L) != 0) {
            applyChanges(c);
        }
    }

    /**
     * Called just before a MONITOREXIT of an autolocked method, with its object: the outermost
     * exit of a held cluster lock commits the transaction made under it (the JVM monitor is
     * released after, by the MONITOREXIT). The entry is gone before the commit runs, so the
     * exception handler's second exit of a failed commit only releases the JVM monitor.
     */
    public static void monitorExit(Object o) {
        Class<?> c = o.getClass();
        if (c != plainA && c != plainB) {
            exitSlow(o, c);
        }
    }

    private static void exitSlow(Object o, Class<?> c) {
        if (c == ReadHold.class) {
            ((ReadHold) o).exit();
            return;
        }
        if (plain(o, c)) {
            return;
        }
        long oid = oidOf(o);
        if (oid != 0) {
            exitShared(oid);
        }
    }

    /**
     * The client's change counter ({@link Native#changesSeq}) up to which every recorded remote
     * change is applied to the Java objects. Written under the {@code objects} monitor, after
     * the refresh: a thread that reads it equal to the counter has nothing left to wait for.
     */
    private static volatile long appliedSeq = Long.MIN_VALUE;

    /**
     * At a lock award (and before a DMI runs, after a cluster wait): applies the remote changes
     * that arrived before it. The client records the changed oids before it dispatches the award
     * (same connection, in order), so they are among what this takes; if the applier thread took
     * them first, this waits on the same monitor until it has refreshed them. One atomic load
     * through JNI when nothing changed.
     */
    static void drain(long c) {
        if (Native.changesSeq(c) != appliedSeq) {
            applyChanges(c);
        }
    }

    /**
     * Takes the oids the client recorded as changed by the server and refreshes those that are
     * resident here (all of them when the client says "anything may have changed": tracking
     * just started, more than it keeps). Run by lock awards ({@link #drain}) and by the
     * {@code kiln-applier} thread ({@link Applier}); take and refresh under one monitor (the
     * {@code objects} map's, which materialising holds too), so they never race each other.
     * Returns how many objects were refreshed.
     */
    static int applyChanges(long c) {
        synchronized (objects) {
            long seq = Native.changesSeq(c);
            if (seq == appliedSeq) {
                return 0;
            }
            long[] changed = Native.takeChanged(c);
            int n = 0;
            if (changed == null) {
                int[] count = {0};
                objects.forEach((oid, o) -> {
                    refresh(oid, o);
                    count[0]++;
                });
                n = count[0];
            } else {
                for (long oid : changed) {
                    Object o = objects.get(oid);
                    if (o != null) {
                        refresh(oid, o);
                        n++;
                    }
                }
            }
            appliedSeq = seq;
            return n;
        }
    }

    private static void refresh(long oid, Object o) {
        if (sharing.get() > 0 && SHARING.containsKey(o)) {
            return; // being shared by a walk that has not recorded its content yet: see SHARING
        }
        List<Object> st = ValueCodec.decodeAll(Native.objState(client(), oid), loader());
        if (o instanceof Shared) {
            Jdk.refresh((Shared) o, resolve(st));
            return;
        }
        if (SharedArrays.isArray(o)) {
            SharedArrays.fill(o, st);
            return;
        }
        BaseValues.Type bt = BaseValues.type(o.getClass());
        if (bt != null) {
            bt.apply(o, valueState(st));
            return;
        }
        if (o instanceof Throwable) { // an application exception: Throwable's state fields apart
            List<Object> thrown = new ArrayList<>();
            thrown.add(null);
            List<Object> rest = new ArrayList<>();
            rest.add(st.get(0));
            for (int i = 1; i + 2 < st.size(); i += 3) {
                (BaseValues.THROWABLE_OWNER.equals(st.get(i)) ? thrown : rest).addAll(st.subList(i, i + 3));
            }
            if (thrown.size() > 1) {
                BaseValues.restoreThrowable((Throwable) o, valueState(thrown));
            }
            st = rest;
        }
        try {
            for (int i = 1; i + 2 < st.size(); i += 3) {
                Field f = field(o.getClass(), (String) st.get(i), (String) st.get(i + 1));
                Object v = st.get(i + 2);
                boolean lazyRef = Lazy.any && o instanceof Managed && Lazy.lazyField(f);
                if (v instanceof Ref) {
                    long t = ((Ref) v).oid();
                    v = resident(t);
                    if (v == null && lazy && o instanceof Managed && Lazy.lazyField(f)) {
                        Lazy.put(oid, f, t); // the new target is faulted by the next read
                        if (f.get(o) != null) {
                            f.set(o, null);
                        }
                        continue;
                    }
                    if (v == null) {
                        v = materialise(t);
                    }
                    if (lazyRef && Lazy.get(oid, f) != null) {
                        Lazy.put(oid, f, t); // resolved, and still releasable under pressure
                    }
                } else if (lazyRef) {
                    Lazy.remove(oid, f);
                }
                Object cur = f.get(o);
                if (cur != v && (cur == null || !cur.equals(v))) {
                    f.set(o, v);
                }
            }
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
    }

    // ------------------------------------------------------------------ wait / notify

    private static long[] heldLock(Object o) {
        long oid = oidOf(o); // a Managed object, or a shared array, awt value or atomic
        long[] e = oid == 0 ? null : HELD.get().find(oid);
        if (e != null && e.length == 5) {
            if (mirror(e)) {
                realise(e); // a cluster wait or notify needs a native transaction
            }
            e[4] = COMMIT; // a notify is sent at commit: never park this hold
        }
        return e;
    }

    /** {@code o.wait()} in an instrumented class. */
    public static void objWait(Object o) throws InterruptedException {
        objWait(o, 0L);
    }

    /**
     * {@code o.wait(millis)} in an instrumented class: on a shared object this thread holds the
     * cluster lock of, a cluster wait (releases the lock, waits for a notify from any JVM or the
     * timeout, re-acquires, applies remote changes); otherwise the JVM's own wait.
     *
     * <p>The thread also holds {@code o}'s JVM monitor (the MONITORENTER stays on the object), so
     * it parks in {@code o.wait()}, which releases the monitor for this JVM's other threads and
     * sees {@link Thread#interrupt()} at once, while a daemon waiter thread runs the cluster wait
     * on its behalf and wakes it when the lock is held again. An interrupt cancels the cluster
     * wait through its interrupter; the method returns (throws) only once the lock is re-held,
     * as {@code Object.wait} does.
     */
    public static void objWait(Object o, long millis) throws InterruptedException {
        long[] h = heldLock(o);
        if (h == null) {
            o.wait(millis);
            return;
        }
        if (millis < 0) {
            throw new IllegalArgumentException("timeout value is negative");
        }
        if (Thread.interrupted()) {
            throw new InterruptedException();
        }
        ClusterWait w = new ClusterWait(o, h[1], millis == 0 ? -1 : millis * 1_000_000L);
        WAITERS.execute(w);
        boolean interrupted = false;
        synchronized (o) { // re-entrant: this thread holds the monitor already
            while (!w.done) {
                try {
                    o.wait();
                } catch (InterruptedException e) {
                    if (!interrupted) {
                        interrupted = true;
                        Native.interruptWaiter(w.waiter);
                    }
                }
            }
        }
        Native.freeWaiter(w.waiter);
        drain(client());
        if (w.error != null) {
            throw exitOr(w.error);
        }
        if (interrupted || w.code == 3) {
            throw new InterruptedException();
        }
    }

    /** A cluster wait run by a daemon thread for a thread parked in {@code o.wait()}. */
    private static final class ClusterWait implements Runnable {
        final Object o;
        final long txn;
        final long nanos;
        final long waiter;
        /** Guarded by {@code o}'s monitor. */
        boolean done;
        int code;
        RuntimeException error;

        ClusterWait(Object o, long txn, long nanos) {
            this.o = o;
            this.txn = txn;
            this.nanos = nanos;
            this.waiter = Native.waiter(txn);
        }

        @Override
        public void run() {
            int r = 0;
            RuntimeException err = null;
            try {
                r = Native.await(txn, nanos);
            } catch (RuntimeException e) {
                err = e;
            }
            synchronized (o) {
                code = r;
                error = err;
                done = true;
                o.notifyAll();
            }
        }
    }

    private static final java.util.concurrent.ExecutorService WAITERS =
            java.util.concurrent.Executors.newCachedThreadPool(r -> {
                Thread t = new Thread(r, "kiln-cluster-wait");
                t.setDaemon(true);
                return t;
            });

    /** {@code o.notify()}: a cluster notify (sent at commit) on a held shared object, else the JVM's. */
    public static void objNotify(Object o) {
        long[] h = heldLock(o);
        if (h == null) {
            o.notify();
        } else {
            Native.notify(h[1], false);
        }
    }

    /** {@code o.notifyAll()}: a cluster notifyAll (sent at commit) on a held shared object, else the JVM's. */
    public static void objNotifyAll(Object o) {
        long[] h = heldLock(o);
        if (h == null) {
            o.notifyAll();
        } else {
            Native.notify(h[1], true);
        }
    }

    // ------------------------------------------------------------------ for Dmi, NamedLocks, OnLoad

    /**
     * This thread's held-lock entry {key, txn, count, level} for {@code key} (an object id; named
     * locks use keys &lt; 0), from any path, or null.
     */
    public static long[] heldEntry(long key) {
        long[] e = HELD.get().find(key);
        if (e != null && mirror(e)) {
            realise(e); // its caller may use the transaction
        }
        return e;
    }

    /** The process cluster's native client handle. */
    static long clientHandle() {
        return client();
    }

    // ------------------------------------------------------------------ for java.util.concurrent types and atomics

    /**
     * Takes (or re-enters) the cluster lock of shared object {@code oid} at {@code level} for
     * code that has no MONITORENTER (the {@code dev.kiln.agent.jdk} synchronizers, the
     * self-locking {@code java.util.concurrent} collections, atomics), with no JVM monitor: its
     * entry {oid, txn, count, level} becomes this thread's innermost held lock, nested in any
     * other cluster lock it holds (writes to shared objects are recorded in its transaction, as
     * under {@code synchronized}), and remote changes are applied. An entry already held by this
     * thread (any level) is re-entered. {@code timeoutNanos}: -1 forever, 0 one try, else
     * bounded; null when it was not acquired in time.
     */
    public static long[] lockShared(long oid, int level, long timeoutNanos) {
        return lockObject(oid, level, timeoutNanos, true);
    }

    /**
     * {@link #lockShared} that {@code Thread.interrupt()} ends at once ({@code lockInterruptibly},
     * timed {@code tryLock} of the shared {@code java.util.concurrent} locks): returns the held
     * entry, null when {@code timeoutNanos} (-1: none) passed first, or throws
     * {@link InterruptedException} (also when interrupted on entry). The blocking request runs on
     * a {@code kiln-cluster-wait} thread while this one waits in {@code Object.wait}, which an
     * interrupt reaches at once (the native request itself cannot be cancelled); a lock awarded
     * after the caller gave up is released by that thread at once. A lock free or leased here
     * is taken directly, with no other thread.
     */
    public static long[] lockSharedInterruptibly(long oid, int level, long timeoutNanos) throws InterruptedException {
        if (Thread.interrupted()) {
            throw new InterruptedException();
        }
        Held h = HELD.get();
        long[] e = reenter(h, oid);
        if (e != null) {
            return e;
        }
        long c = client();
        long handle = lockHandle(c, oid);
        e = take(h, c, oid, handle, level, 0, 1);
        if (e != null || timeoutNanos == 0) {
            return e;
        }
        LockRequest req = new LockRequest(c, handle, level, timeoutNanos);
        WAITERS.execute(req);
        long r;
        synchronized (req) {
            while (!req.done) {
                try {
                    req.wait();
                } catch (InterruptedException ie) {
                    req.abandoned = true; // its thread releases the lock if it is awarded later
                    throw ie;
                }
            }
            if (req.error != null) {
                throw exitOr(req.error);
            }
            r = req.result;
        }
        if (r == 0) {
            return null;
        }
        e = new long[] {oid, r & ~1L, 1, level};
        h.stack.push(e);
        if ((r & 1L) != 0) {
            applyChanges(c);
        }
        return e;
    }

    /** A blocking lock request run for a thread that waits interruptibly ({@link #lockSharedInterruptibly}). */
    private static final class LockRequest implements Runnable {
        final long client;
        final long handle;
        final int level;
        final long timeoutNanos;
        /** Guarded by this. */
        boolean done;
        boolean abandoned;
        long result;
        RuntimeException error;

        LockRequest(long client, long handle, int level, long timeoutNanos) {
            this.client = client;
            this.handle = handle;
            this.level = level;
            this.timeoutNanos = timeoutNanos;
        }

        @Override
        public void run() {
            long r = 0;
            RuntimeException err = null;
            try {
                r = Native.lockFast(client, handle, level, timeoutNanos, appliedSeq);
            } catch (RuntimeException e) {
                err = e;
            }
            synchronized (this) {
                if (abandoned) {
                    if (r != 0) {
                        try {
                            Native.commit(r & ~1L); // nothing recorded: releases the lock
                        } catch (RuntimeException ignored) {
                            // a closed client has released it already
                        }
                    }
                    return;
                }
                result = r;
                error = err;
                done = true;
                notifyAll();
            }
        }
    }

    /**
     * {@link #lockShared}; {@code levelled}: the entry records its level (a MONITORENTER's entry
     * {oid, txn, count} does not: a synchronizer takes such a hold for a write lock).
     */
    private static long[] lockObject(long oid, int level, long timeoutNanos, boolean levelled) {
        Held h = HELD.get();
        long[] e = reenter(h, oid);
        if (e != null) {
            return e;
        }
        long c = client();
        return take(h, c, oid, lockHandle(c, oid), level, timeoutNanos, levelled ? 1 : 0);
    }

    /**
     * As {@link #lockShared} for any cluster lock: takes (or re-enters) the lock of native handle
     * {@code handle} (from {@code Native.lockName}/{@code lockObjectHandle}) as this thread's held
     * entry {@code key} (named locks: a key &lt; 0). Balanced by {@link #exitShared}{@code (key)}.
     */
    public static long[] lockHeld(long key, long handle, int level, long timeoutNanos) {
        Held h = HELD.get();
        long[] e = reenter(h, key);
        if (e != null) {
            return e;
        }
        return take(h, client(), key, handle, level, timeoutNanos, 0);
    }

    /** This thread's entry {@code key}, re-entered (its count raised), or null when not held. */
    private static long[] reenter(Held h, long key) {
        long[] e = h.find(key);
        if (e != null) {
            if (mirror(e)) {
                realise(e);
            }
            e[2]++;
        }
        return e;
    }

    /**
     * Takes the cluster lock of native handle {@code handle} and pushes its entry. One JNI
     * crossing ({@link Native#lockFast}): the lock and the remote-change check of
     * {@link #drain} together; the low bit of the result says whether remote changes arrived
     * since {@link #appliedSeq}, and only then are they applied (before the holder runs).
     */
    private static long[] take(Held h, long c, long key, long handle, int level, long timeoutNanos, int shape) {
        if (level != 1 && !LEASES.isEmpty()) {
            // A non-read acquire of a lock this JVM may keep parked for its readers: the parked
            // hold goes back first (else the client would queue this writer behind it).
            ReadLease l = LEASES.get(key);
            if (l != null && l.handle == handle) {
                l.revoke();
            }
        }
        long r = Native.lockFast(c, handle, level, timeoutNanos, appliedSeq);
        if (r == 0) {
            return null;
        }
        long txn = r & ~1L;
        long[] e = shape == READ_ENTRY ? new long[] {key, txn, 1, level, PARKABLE}
                : shape == 1 ? new long[] {key, txn, 1, level} : new long[] {key, txn, 1};
        h.stack.push(e);
        if ((r & 1L) != 0) {
            applyChanges(c);
        }
        return e;
    }

    /** {@link #lockShared} waiting as long as it takes; balanced by {@link #exitShared}. */
    public static void enterShared(long oid, int level) {
        lockShared(oid, level, -1);
    }

    /**
     * Releases a hold taken by {@link #enterShared}, {@link #lockHeld} or a MONITORENTER (held
     * entry {@code key}; none: nothing): the outermost one commits its transaction.
     */
    public static void exitShared(long key) {
        long[] e = heldEntry(key);
        if (e != null) {
            unlockShared(e);
        }
    }

    /** Leaves an entry of {@link #lockShared}: the outermost exit commits and releases the cluster lock. */
    public static void unlockShared(long[] e) {
        if (--e[2] == 0) {
            HELD.get().stack.remove(e);
            if (e.length == 5) {
                endRead(e);
            } else {
                Native.commit(e[1]);
            }
        }
    }

    /** The outermost release of a read-level entry of {@link #readEnter}. */
    private static void endRead(long[] e) {
        if (e[4] == MIRROR) {
            leaseOf(e[0]).unhold((int) e[1]);
        } else if (e[4] == COMMIT || !READ_LEASES || !leaseOf(e[0]).park(e[1])) {
            Native.commit(e[1]);
        }
    }

    /**
     * For a thread holding the cluster lock of shared object {@code o}: when the client recorded
     * remote changes since {@code seen} (a count this method returned before, or -1), brings
     * {@code o} alone in line with the client's cache (current for {@code o}: its lock's remote
     * changes are applied before the award). Returns the count now. A drain pass by another
     * thread may have skipped {@code o} while an operation held its guard.
     */
    public static long refreshSince(Object o, long seen) {
        long now = Native.changesSeq(client());
        long oid = oidOf(o);
        if (now != seen && oid != 0) {
            synchronized (objects) {
                refresh(oid, o);
            }
        }
        return now;
    }

    /**
     * A cluster wait on held entry {@code e} (releases its lock, waits for a notify from any JVM,
     * the timeout or {@link Thread#interrupt()}, re-acquires, applies remote changes). Returns 1
     * notified, 2 timed out, 3 interrupted (the interrupt status is then clear). {@code nanos}:
     * -1 forever. The calling thread parks in a JVM wait, so an interrupt is seen at once.
     */
    public static int waitShared(long[] e, long nanos) {
        Object mon = new Object();
        ClusterWait w = new ClusterWait(mon, e[1], nanos);
        boolean interrupted = Thread.interrupted();
        if (interrupted) {
            Native.interruptWaiter(w.waiter);
        }
        WAITERS.execute(w);
        synchronized (mon) {
            while (!w.done) {
                try {
                    mon.wait();
                } catch (InterruptedException ie) {
                    if (!interrupted) {
                        interrupted = true;
                        Native.interruptWaiter(w.waiter);
                    }
                }
            }
        }
        Native.freeWaiter(w.waiter);
        drain(client());
        if (w.error != null) {
            throw exitOr(w.error);
        }
        return interrupted || w.code == 3 ? 3 : w.code;
    }

    /**
     * Re-reads shared {@code s} from the client's cache (its lock is held by this thread, so the
     * cache has every committed change, remote and local) and then runs {@code then}, both under
     * the monitor {@code drain} holds while it refreshes: a concurrent drain cannot reload it
     * between the two with content it fetched earlier.
     */
    public static void reloadShared(Shared s, Runnable then) {
        synchronized (objects) {
            refresh(s.$kiln$oid(), s);
            then.run();
        }
    }
}

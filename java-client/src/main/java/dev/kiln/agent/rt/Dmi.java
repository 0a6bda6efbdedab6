package dev.kiln.agent.rt;

import dev.kiln.Invocation;
import dev.kiln.Kiln;
import dev.kiln.codec.Ref;
import dev.kiln.codec.ValueCodec;
import dev.kiln.codec.WireBuffer;
import dev.kiln.internal.Native;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Distributed methods ({@code <distributed-methods><method-expression [run-on-all-nodes]>}).
 * A matched method {@code m} of an instrumented class is renamed {@code $kiln$dmi$m} and
 * {@code m} becomes a wrapper: {@link #enter()}, the local call, then {@link #exit} with the
 * receiver and the arguments. The outermost DMI call of a thread (not one nested in another DMI
 * call, not one made while running a remote call) is then recorded in the thread's innermost
 * cluster transaction — sent when it commits — or, with no cluster lock held, in a transaction
 * of its own under the concurrent lock {@code kiln.dmi} committed at once. Every other JVM (or,
 * for {@code run-on-all-nodes="false"}, those where the receiver is resident) runs the same
 * method on its own copy of the receiver, by reflection, on the client's {@code kiln-dmi-<id>}
 * thread, with the arguments shared (shared objects by reference, literals by value).
 *
 * <p>A receiver that is not shared when the local call returns has no copy elsewhere: the call
 * ran locally only, and the agent says so once per method. A local call that throws is not
 * distributed. See docs/agent.md.
 */
public final class Dmi {
    private Dmi() {}

    /** The distributed-call name every agent DMI travels under (also KilnCluster's DMI lock name). */
    static final String CALL = "kiln.dmi";
    private static final int CONCURRENT = 3;

    /** One woven distributed method. */
    private static final class Target {
        final String cls;
        final String name;
        final String desc;
        final boolean allNodes;
        volatile boolean warnedLocal;

        Target(String cls, String name, String desc, boolean allNodes) {
            this.cls = cls;
            this.name = name;
            this.desc = desc;
            this.allNodes = allNodes;
        }
    }

    private static final List<Target> TARGETS = new CopyOnWriteArrayList<>();
    private static final ThreadLocal<int[]> DEPTH = ThreadLocal.withInitial(() -> new int[1]);
    private static final ConcurrentHashMap<String, Method> METHODS = new ConcurrentHashMap<>();
    private static volatile boolean listening;
    private static boolean saidNotListening; // guarded by Dmi.class

    /**
     * Called by the transformer for each woven method (dotted class name): its index, the
     * constant the wrapper passes to {@link #exit}. Starts listening for remote calls.
     */
    public static synchronized int register(String cls, String name, String desc, boolean allNodes) {
        TARGETS.add(new Target(cls, name, desc, allNodes));
        listen();
        return TARGETS.size() - 1;
    }

    /** Registers the handler of remote calls with the process cluster (once; retried while there is none). */
    private static synchronized void listen() {
        if (listening) {
            return;
        }
        try {
            Kiln.cluster().onInvoke(CALL, Dmi::received);
            listening = true;
        } catch (RuntimeException e) {
            if (!saidNotListening) {
                saidNotListening = true;
                OnLoad.report("kiln: distributed methods: not listening for calls from other JVMs (retried at the"
                        + " next call): " + e.getMessage());
            }
        }
    }

    /** Before the local call of a woven method. */
    public static void enter() {
        DEPTH.get()[0]++;
    }

    /** After the local call threw: nothing is distributed. */
    public static void abort() {
        DEPTH.get()[0]--;
    }

    /**
     * After the local call of woven method {@code idx} returned: distributes it unless nested in
     * another DMI call of this thread or run for a remote call.
     */
    public static void exit(Object self, int idx, Object[] args) {
        int[] d = DEPTH.get();
        if (--d[0] > 0) {
            return;
        }
        Target t = TARGETS.get(idx);
        long oid = self instanceof Managed ? ((Managed) self).$kiln$oid() : 0;
        if (oid == 0) {
            if (!t.warnedLocal) {
                t.warnedLocal = true;
                OnLoad.report("kiln: distributed method " + t.cls + "." + t.name + t.desc + " was called on a"
                        + " non-shared " + self.getClass().getName() + ": it ran locally only (a receiver is"
                        + " distributed once it is reachable from a root); said once");
            }
            return;
        }
        if (!listening) {
            listen();
        }
        long c = Runtime.clientHandle();
        long txn = Runtime.currentTxn();
        boolean own = txn == 0;
        if (own) {
            txn = Native.lockNamed(c, CALL, CONCURRENT, -1);
        }
        try {
            WireBuffer b = new WireBuffer(64);
            ValueCodec.encode(t.cls, b);
            ValueCodec.encode(t.name, b);
            ValueCodec.encode(t.desc, b);
            for (int i = 0; i < args.length; i++) {
                ValueCodec.encode(argument(args[i], txn, t, i), b);
            }
            Native.invoke(txn, oid, CALL, b.toByteArray(), t.allNodes);
        } finally {
            if (own) {
                Native.commit(txn);
            }
        }
    }

    /** An argument as sent: literals by value, shared objects by reference (a non-shared one is shared first). */
    private static Object argument(Object a, long txn, Target t, int i) {
        if (a == null || Runtime.isLiteral(a)) {
            return a;
        }
        if (a instanceof Managed && ((Managed) a).$kiln$oid() != 0) {
            return new Ref(((Managed) a).$kiln$oid());
        }
        // Shares its graph in this transaction (or throws TCNonPortableObjectError naming the argument).
        long oid = Runtime.share(a, txn, t.cls + "." + t.name + " argument " + i, new ArrayList<>());
        return new Ref(oid);
    }

    /** A call from another JVM (on the client's kiln-dmi thread). */
    private static void received(Invocation call) throws Exception {
        List<Object> a = call.args();
        if (a.size() < 3 || call.receiverId() == 0) {
            return;
        }
        String cls = (String) a.get(0);
        String name = (String) a.get(1);
        String desc = (String) a.get(2);
        Object self = Runtime.materialise(call.receiverId());
        Runtime.drain(Runtime.clientHandle());
        Method m = method(self.getClass(), cls, name, desc);
        if (m == null) {
            OnLoad.report("kiln: distributed call " + cls + "." + name + desc + " from node " + call.fromNode()
                    + ": no such method on " + self.getClass().getName() + " here; dropped");
            return;
        }
        Object[] args = new Object[a.size() - 3];
        for (int i = 0; i < args.length; i++) {
            Object v = a.get(3 + i);
            args[i] = v instanceof Ref ? Runtime.materialise(((Ref) v).oid()) : v;
        }
        int[] d = DEPTH.get();
        d[0]++; // what the call does locally is not distributed again
        try {
            m.invoke(self, args);
        } catch (InvocationTargetException e) {
            OnLoad.report("kiln: distributed call " + cls + "." + name + desc + " from node " + call.fromNode()
                    + " threw here: " + e.getCause());
        } finally {
            d[0]--;
        }
    }

    private static Method method(Class<?> c, String cls, String name, String desc) {
        String key = c.getName() + "/" + cls + "." + name + desc;
        Method m = METHODS.get(key);
        if (m != null) {
            return m;
        }
        for (Class<?> k = c; k != null; k = k.getSuperclass()) {
            if (!k.getName().equals(cls)) {
                continue;
            }
            for (Method cand : k.getDeclaredMethods()) {
                if (cand.getName().equals(name) && descriptor(cand).equals(desc)) {
                    cand.setAccessible(true);
                    METHODS.put(key, cand);
                    return cand;
                }
            }
        }
        return null;
    }

    private static String descriptor(Method m) {
        StringBuilder b = new StringBuilder("(");
        for (Class<?> p : m.getParameterTypes()) {
            b.append(descriptor(p));
        }
        return b.append(')').append(descriptor(m.getReturnType())).toString();
    }

    private static String descriptor(Class<?> c) {
        if (c.isArray()) {
            return c.getName().replace('.', '/');
        }
        if (!c.isPrimitive()) {
            return "L" + c.getName().replace('.', '/') + ";";
        }
        switch (c.getName()) {
            case "int": return "I";
            case "long": return "J";
            case "boolean": return "Z";
            case "byte": return "B";
            case "char": return "C";
            case "short": return "S";
            case "float": return "F";
            case "double": return "D";
            default: return "V";
        }
    }
}

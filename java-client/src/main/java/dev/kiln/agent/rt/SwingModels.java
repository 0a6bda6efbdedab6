package dev.kiln.agent.rt;

import dev.kiln.internal.Native;

/**
 * The cluster side of the Kiln Swing models ({@code dev.kiln.agent.jdk.KilnDefaultTableModel},
 * {@code KilnDefaultListModel}, {@code KilnDefaultTreeModel}): a shared model's methods run under the model's named cluster
 * lock ({@code javax.swing.table.DefaultTableModel@<oid>}, read level for {@code get*}, write
 * level for the mutators), so an unsynchronized {@code model.setValueAt(..)} from a Swing
 * listener is a cluster transaction of its own; and the events the model fires are distributed
 * methods: recorded in that transaction, run after its commit on every other JVM where the model
 * is resident ({@code run-on-all-nodes="false"}, the {@link Dmi} machinery), where they fire the
 * same event to that JVM's listeners on the Swing event thread, so its views repaint.
 */
public final class SwingModels {
    private SwingModels() {}

    /** Lock levels (as {@code dev.kiln.LockLevel}). */
    public static final int READ = 1;
    /** Write level. */
    public static final int WRITE = 2;

    /** Held-stack key of a model's lock: below every named lock's key and never an object id. */
    private static long key(long oid) {
        return Long.MIN_VALUE + oid;
    }

    /** Model oid -> the client's handle of its lock name, resolved once (kept for the client's life). */
    private static final java.util.concurrent.ConcurrentHashMap<Long, Long> HANDLES =
            new java.util.concurrent.ConcurrentHashMap<>();

    /** Per thread: {depth of model calls, key of the named lock the outermost one took (0: none)}. */
    private static final ThreadLocal<long[]> CALLS = ThreadLocal.withInitial(() -> new long[2]);

    /**
     * Before a method of shared model {@code m}: the outermost model call of a thread takes the
     * model's named lock at {@code level} (and applies remote changes) when the thread holds no
     * cluster lock; inside a cluster lock the program holds (a {@code synchronized (model)} in
     * an autolocked method), or inside another model call, it takes nothing and the call's
     * changes and events are part of that lock's transaction (so the events are sent after the
     * node edits the program made before the call, in the same transaction). Returns false,
     * taking nothing, when {@code m} is not shared; true otherwise (then {@link #exit} after).
     */
    public static boolean enter(Managed m, String type, int level) {
        long oid = m.$kiln$oid();
        if (oid == 0) {
            return false;
        }
        long[] calls = CALLS.get();
        if (calls[0]++ == 0 && Runtime.currentTxn() == 0) {
            long c = Runtime.clientHandle();
            Long h = HANDLES.get(oid);
            if (h == null) {
                h = HANDLES.computeIfAbsent(oid, o -> Native.lockName(c, type + "@" + o));
            }
            try {
                Runtime.lockHeld(key(oid), h, level, -1);
            } catch (RuntimeException | Error e) {
                calls[0]--;
                throw e;
            }
            calls[1] = key(oid);
        }
        return true;
    }

    /** Leaves what {@link #enter} took (only when it returned true): the outermost exit releases (commits). */
    public static void exit(Managed m) {
        long[] calls = CALLS.get();
        if (--calls[0] == 0 && calls[1] != 0) {
            long k = calls[1];
            calls[1] = 0;
            Runtime.exitShared(k);
        }
    }

    private static final java.util.concurrent.ConcurrentHashMap<String, Integer> TARGETS =
            new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * Called when a model becomes shared or is materialised here (its oid is set): from then on
     * this JVM listens for the events other JVMs' copies fire (a JVM that is not listening yet
     * drops them). Registers the model class's {@code $kiln$fire} (descriptor {@code desc}) once.
     */
    public static void resident(String cls, String desc) {
        target(cls, desc);
    }

    private static int target(String cls, String desc) {
        Integer idx = TARGETS.get(cls + desc);
        return idx != null ? idx : TARGETS.computeIfAbsent(cls + desc, k -> Dmi.register(cls, "$kiln$fire", desc, false));
    }

    /**
     * Distributes {@code model.$kiln$fire(args)} (declared by {@code cls} with descriptor
     * {@code desc}: ints, or arrays and shared objects, sent as the arguments of a distributed method) to the JVMs where the model is resident, after the current
     * transaction commits; not when called while running a remote call (the remote side fires
     * locally only) or on a model that is not shared.
     */
    public static void fired(Managed model, String cls, String desc, Object... args) {
        if (model.$kiln$oid() == 0) {
            return;
        }
        int idx = target(cls, desc);
        Dmi.enter();
        Dmi.exit(model, idx, args);
    }
}

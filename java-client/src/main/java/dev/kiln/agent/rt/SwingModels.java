package dev.kiln.agent.rt;

import dev.kiln.internal.Native;

/**
 * The cluster side of the Kiln Swing models ({@code dev.kiln.agent.jdk.KilnDefaultTableModel},
 * {@code KilnDefaultListModel}): a shared model's methods run under the model's named cluster
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

    /**
     * Takes (or re-enters) the named lock of shared model {@code m} at {@code level} and applies
     * remote changes; returns false, taking nothing, when {@code m} is not shared. A read holder
     * re-entering for write is not upgraded (as named locks).
     */
    public static boolean enter(Managed m, String type, int level) {
        long oid = m.$kiln$oid();
        if (oid == 0) {
            return false;
        }
        long c = Runtime.clientHandle();
        Long h = HANDLES.get(oid);
        if (h == null) {
            h = HANDLES.computeIfAbsent(oid, o -> Native.lockName(c, type + "@" + o));
        }
        Runtime.lockHeld(key(oid), h, level, -1);
        return true;
    }

    /** Leaves what {@link #enter} took (only when it returned true): the outermost exit commits. */
    public static void exit(Managed m) {
        Runtime.exitShared(key(m.$kiln$oid()));
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
     * {@code desc}, ints only) to the JVMs where the model is resident, after the current
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

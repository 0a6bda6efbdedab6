package dev.kiln.agent.rt;

/**
 * One read-level hold of a shared object's cluster lock taken by a {@code synchronized} block or
 * method autolocked at {@code read} ({@link Runtime#readEnter}): the block's JVM monitor is this
 * thread-private object's (uncontended, so cheap), not the shared object's, so several threads
 * of one JVM read the object at once. Its exit ({@link Runtime#monitorExit}) leaves the cluster
 * hold once: javac's exception handler may run the exit a second time after a failed commit,
 * and then only the JVM monitor is released.
 */
public final class ReadHold {
    private long[] entry;
    /** Its object's read lease (null: a re-entered hold of any kind, left by {@code unlockShared}). */
    private final ReadLease lease;
    /** The holding thread's held locks (a monitor is exited by the thread that entered it). */
    private final Runtime.Held held;

    ReadHold(long[] entry) {
        this(entry, null, null);
    }

    ReadHold(long[] entry, ReadLease lease, Runtime.Held held) {
        this.entry = entry;
        this.lease = lease;
        this.held = held;
    }

    /** Leaves the cluster hold (the first call only). */
    void exit() {
        long[] e = entry;
        if (e != null) {
            entry = null;
            if (lease == null) {
                Runtime.unlockShared(e);
            } else {
                Runtime.exitRead(e, lease, held);
            }
        }
    }
}

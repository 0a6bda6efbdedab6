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

    ReadHold(long[] entry) {
        this.entry = entry;
    }

    /** Leaves the cluster hold (the first call only). */
    void exit() {
        long[] e = entry;
        if (e != null) {
            entry = null;
            Runtime.unlockShared(e);
        }
    }
}

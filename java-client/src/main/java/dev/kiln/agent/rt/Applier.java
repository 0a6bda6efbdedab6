package dev.kiln.agent.rt;

import dev.kiln.internal.Native;

import java.lang.reflect.Method;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The {@code kiln-applier} daemon thread: applies remote changes to the resident Java objects
 * as they arrive, so a thread that reads shared objects without taking any cluster lock sees
 * other JVMs' committed changes (Terracotta applied remote transactions asynchronously too).
 * It blocks in the client ({@link Native#awaitChanged}: a condition the reader signals when it
 * records changed oids) and then runs {@link Runtime#applyChanges}, the same take + refresh a
 * lock award runs, under the same monitor. A lock award still applies what arrived before it
 * itself (it does not wait for this thread to be scheduled). See docs/agent.md, "Applying
 * remote changes".
 */
final class Applier implements Runnable {
    /** Longest single wait in the client: bounds how long closing the cluster waits for this thread. */
    static final long WAIT_MS = 200;

    private static final AtomicBoolean STARTED = new AtomicBoolean();

    private boolean failed;
    private final long client;
    private final Object cluster;
    private final Method enter;
    private final Method exit;

    private Applier(long client, Object cluster, Method enter, Method exit) {
        this.client = client;
        this.cluster = cluster;
        this.enter = enter;
        this.exit = exit;
    }

    /**
     * Starts tracking changed oids in the client (before any object is resident here) and the
     * applier thread, once per JVM.
     */
    static void start(long c) {
        if (!STARTED.compareAndSet(false, true)) {
            return;
        }
        Native.changesSeq(c); // tracking on: the first take says "all" (nothing resident yet)
        Object cluster;
        Method enter;
        Method exit;
        try {
            // The process cluster's in-flight guard (KilnCluster.enter/exit): closing it (the
            // shutdown hook) waits for a call in progress and frees the handle only after.
            cluster = Class.forName("dev.kiln.Kiln").getMethod("cluster").invoke(null);
            enter = cluster.getClass().getDeclaredMethod("enter");
            exit = cluster.getClass().getDeclaredMethod("exit");
            enter.setAccessible(true);
            exit.setAccessible(true);
        } catch (ReflectiveOperationException | RuntimeException e) {
            System.err.println("kiln: remote changes are applied at lock awards only (no applier thread): " + e);
            return;
        }
        Thread t = new Thread(new Applier(c, cluster, enter, exit), "kiln-applier");
        t.setDaemon(true);
        t.start();
    }

    @Override
    public void run() {
        while (true) {
            try {
                enter.invoke(cluster); // throws once the cluster is closed
            } catch (ReflectiveOperationException e) {
                return;
            }
            try {
                if (Native.awaitChanged(client, WAIT_MS)) {
                    Runtime.applyChanges(client);
                }
            } catch (RuntimeException | LinkageError e) {
                // An object that cannot be refreshed (a class missing here...) or a failed
                // client: lock awards report it to the application too; said once here.
                if (!failed) {
                    failed = true;
                    System.err.println("kiln: the remote-change applier could not apply a change: " + e);
                }
            } finally {
                try {
                    exit.invoke(cluster);
                } catch (ReflectiveOperationException e) {
                    return;
                }
            }
        }
    }
}

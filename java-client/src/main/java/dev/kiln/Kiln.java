package dev.kiln;

import dev.kiln.internal.NativeLoader;
import dev.kiln.internal.Native;

/**
 * Entry point: {@link #connect(String)} a cluster, or {@link #cluster()} for the process-wide
 * cluster that the agent ({@code -javaagent:kiln-agent.jar}) connected.
 */
public final class Kiln {
    private static volatile KilnCluster processCluster;
    /** Why the last {@link #connectProcessCluster} failed (null if it did not). */
    private static volatile String processFailure;

    private Kiln() {}

    /**
     * Connects to a Kiln cluster. {@code spec} is the path of a {@code tc-config.xml} (servers,
     * ports and {@code l1.*} connect settings come from it) or {@code host:port[,host:port]}.
     */
    public static KilnCluster connect(String spec) {
        return connect(spec, null, -1);
    }

    /**
     * Connects with a client name (shown by the server) and a connect timeout in milliseconds
     * (negative: the {@code l1.*} settings of the config, or the defaults).
     */
    public static KilnCluster connect(String spec, String clientName, long connectTimeoutMillis) {
        if (spec == null || spec.trim().isEmpty()) {
            throw new ConfigException("no cluster given: pass a tc-config.xml path or host:port[,host:port]");
        }
        return connect(spec, null, clientName, connectTimeoutMillis);
    }

    /**
     * {@link #connect(String, String, long)} with {@code servers} ({@code host:port[,host:port]},
     * or null/empty for none) replacing the servers {@code spec} names: Terracotta's
     * {@code -Dtc.server}, which the process-wide cluster honours.
     */
    static KilnCluster connect(String spec, String servers, String clientName, long connectTimeoutMillis) {
        if (spec == null || spec.trim().isEmpty()) {
            throw new ConfigException("no cluster given: pass a tc-config.xml path or host:port[,host:port]");
        }
        NativeLoader.load();
        if (servers != null && !servers.trim().isEmpty()) {
            long handle = Native.connectServers(spec.trim(), servers.trim(), clientName, connectTimeoutMillis);
            return new KilnCluster(handle, spec.trim() + " (-D" + TC_SERVER_PROPERTY + "=" + servers.trim() + ")");
        }
        long handle = Native.connect(spec.trim(), clientName, connectTimeoutMillis);
        return new KilnCluster(handle, spec.trim());
    }

    /** Terracotta's system property overriding the configuration's servers (process-wide cluster). */
    public static final String TC_SERVER_PROPERTY = "tc.server";

    /**
     * The process-wide cluster the agent connected.
     *
     * @throws IllegalStateException if this JVM was not started with the agent and a config, or
     *     its connection failed (the agent printed why)
     */
    public static KilnCluster cluster() {
        KilnCluster c = processCluster;
        if (c == null) {
            String failure = processFailure;
            if (failure != null) {
                throw new IllegalStateException("no process-wide Kiln cluster: the agent could not connect: " + failure);
            }
            throw new IllegalStateException(
                    "no process-wide Kiln cluster: start the JVM with -javaagent:kiln-agent.jar and "
                            + "-Dkiln.config=<tc-config.xml or host:port> (or call Kiln.connectProcessCluster)");
        }
        return c;
    }

    /**
     * Connects the process-wide cluster (called by the agent at startup); returns it. A second
     * call returns the cluster already connected. {@code -Dtc.server=host:port[,host:port]}
     * replaces the servers of the configuration.
     */
    public static KilnCluster connectProcessCluster(String spec) {
        return connectProcessCluster(spec, -1);
    }

    /** Set by the process cluster's shutdown hook just before it closes the client. */
    private static volatile boolean exiting;

    /**
     * Whether the JVM is exiting and the process cluster's shutdown hook is closing (or closed)
     * the client: a {@link ClosedException} then means "the JVM is going away", not a failure.
     */
    public static boolean isExiting() {
        return exiting;
    }

    /**
     * {@link #connectProcessCluster(String)} giving up after {@code connectTimeoutMillis}
     * (negative: as the {@code l1.*} settings say, which may be "retry forever").
     */
    public static synchronized KilnCluster connectProcessCluster(String spec, long connectTimeoutMillis) {
        KilnCluster c = processCluster;
        if (c != null && !c.isClosed()) {
            return c;
        }
        try {
            c = connect(spec, System.getProperty(TC_SERVER_PROPERTY), "java-" + ProcessHandle.current().pid(),
                    connectTimeoutMillis);
        } catch (RuntimeException e) {
            processFailure = e.getMessage();
            throw e;
        }
        processFailure = null;
        processCluster = c;
        final KilnCluster closing = c;
        try {
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                exiting = true;
                closing.close();
            }, "kiln-shutdown"));
        } catch (IllegalStateException alreadyShuttingDown) {
            // the JVM is exiting: nothing to register
        }
        return c;
    }
}

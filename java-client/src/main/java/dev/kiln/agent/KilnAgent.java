package dev.kiln.agent;

import java.lang.instrument.Instrumentation;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;

/**
 * The {@code -javaagent} entry point of {@code kiln-agent.jar} ({@code Premain-Class} and
 * {@code Agent-Class}).
 *
 * <p>It finds the cluster configuration and connects this process's cluster client, then returns.
 * The configuration is, first found wins:
 * <ol>
 *   <li>the agent argument: {@code -javaagent:kiln-agent.jar=SPEC};</li>
 *   <li>{@code -Dkiln.config=SPEC};</li>
 *   <li>{@code -Dtc.config=SPEC} (Terracotta's property);</li>
 * </ol>
 * where SPEC is a tc-config.xml path or {@code host:port[,host:port]};
 * {@code -Dtc.server=host:port[,host:port]} replaces the servers of that file. With
 * {@code <clients><logs>} the agent's lines also go to {@code kiln-client.log} there. The outcome is one line on
 * stderr, starting with {@code kiln: }. Connection retries ({@code l1.max.connect.retries},
 * {@code l1.socket.reconnect.waitInterval}) happen inside the client: with retries {@code -1}
 * (Terracotta's default) the application waits until a server answers, as under Terracotta, and
 * the agent prints a {@code kiln: still connecting} line after 15 s and every 30 s after that.
 * {@code -Dkiln.connect.timeout=MILLIS} bounds the wait whatever the configuration says. When the
 * client gives up, the line says why, the application starts without a cluster, and
 * {@code Kiln.cluster()} throws with that reason.
 *
 * <p>The agent never throws into the application: whatever goes wrong (a missing native library, a
 * refused connection, an Error) is reported on stderr and the application starts as usual.
 */
public final class KilnAgent {
    /** The system property naming the configuration (after the agent argument). */
    public static final String CONFIG_PROPERTY = "kiln.config";
    /** Terracotta's system property naming the configuration (after {@code kiln.config}). */
    public static final String TC_CONFIG_PROPERTY = "tc.config";
    /** The system property bounding the agent's connect, in milliseconds. */
    public static final String CONNECT_TIMEOUT_PROPERTY = "kiln.connect.timeout";

    static final long FIRST_NOTICE_MILLIS = 15_000;
    static final long NOTICE_EVERY_MILLIS = 30_000;

    private KilnAgent() {}

    /** Called before {@code main} for {@code -javaagent:kiln-agent.jar[=SPEC]}. */
    public static void premain(String args, Instrumentation inst) {
        start(args, inst);
        JitProfiles.reset(inst); // last: the agent's own use of the JDK collections is over
    }

    /** Called when the agent is attached to a running JVM. */
    public static void agentmain(String args, Instrumentation inst) {
        start(args, inst);
    }

    /**
     * Connects per the configuration, reporting on stderr; never throws. Returns the line printed
     * (for tests).
     */
    static String start(String args, Instrumentation inst) {
        String line;
        try {
            String spec = configSpec(args);
            if (spec == null) {
                line = "kiln: no -D" + CONFIG_PROPERTY + "/-D" + TC_CONFIG_PROPERTY
                        + " and no agent argument: not connecting";
            } else {
                SequencedBridges.install(inst); // JDK 21+: the sequenced views of the Kiln collections, before they load
                String clientSide = clientSide(spec);
                dev.kiln.agent.rt.SharedValues.open(inst); // java.desktop's state for the awt/swing portable types
                dev.kiln.agent.jdk.Wrappers.init(inst); // opens java.util when a JDK synchronized wrapper is first shared
                // The transformer goes in before anything else loads (application classes load after premain).
                String instrumenting = Transparent.install(spec, inst);
                line = connect(spec) + instrumenting + clientSide;
                if (line.startsWith("kiln: connected")) {
                    ClusterBean.install(); // Terracotta 2.x programs' JMX cluster bean
                }
            }
        } catch (Throwable t) {
            line = "kiln: agent failed: " + describe(t);
        }
        report(line);
        return line;
    }

    /**
     * The client side of a tc-config.xml {@code spec}: {@code <clients><logs>} (this agent's log
     * file, {@code kiln-client.log}, goes there; {@code %i}/{@code %D} substituted by the native
     * parser) and the {@code <injected-instances>} fields (for {@link InjectionAdapter}). Returns
     * what the start line gets ("" when nothing to say). Never throws: a bad configuration is
     * reported by {@link Transparent#install} and the connect.
     */
    static String clientSide(String spec) {
        if (!new java.io.File(spec).isFile()) {
            return "";
        }
        java.util.List<Object> v;
        try {
            dev.kiln.internal.NativeLoader.load();
            v = dev.kiln.codec.ValueCodec.decodeAll(dev.kiln.internal.Native.clientConfig(spec));
        } catch (Throwable t) {
            return "";
        }
        java.util.List<String> injected = new java.util.ArrayList<>();
        for (int i = 1; i + 1 < v.size(); i += 2) {
            injected.add((String) v.get(i));
        }
        InjectionAdapter.configure(injected);
        String logs = (String) v.get(0);
        if (logs == null) {
            return "";
        }
        String why = KilnAgentLog.logTo(logs);
        return why != null ? "; " + why : "; log " + KilnAgentLog.filePath();
    }

    /** The configuration: the agent argument, else -Dkiln.config, else -Dtc.config; null if none. */
    static String configSpec(String agentArgs) {
        String[] candidates = {agentArgs, System.getProperty(CONFIG_PROPERTY), System.getProperty(TC_CONFIG_PROPERTY)};
        for (String c : candidates) {
            if (c != null && !c.trim().isEmpty()) {
                return c.trim();
            }
        }
        return null;
    }

    /** -Dkiln.connect.timeout in milliseconds, or -1 if unset; a bad value is reported and ignored. */
    static long connectTimeout() {
        String v = System.getProperty(CONNECT_TIMEOUT_PROPERTY);
        if (v == null || v.trim().isEmpty()) {
            return -1;
        }
        try {
            long ms = Long.parseLong(v.trim());
            if (ms > 0) {
                return ms;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        report("kiln: ignoring -D" + CONNECT_TIMEOUT_PROPERTY + "=" + v + ": expected a positive number of milliseconds");
        return -1;
    }

    private static String connect(String spec) {
        long timeout = connectTimeout();
        String bound = timeout > 0 ? " (-D" + CONNECT_TIMEOUT_PROPERTY + "=" + timeout + ")" : "";
        // Says so while the client keeps retrying (l1.max.connect.retries = -1 retries forever).
        Thread watch = new Thread(() -> {
            long start = System.nanoTime();
            long next = FIRST_NOTICE_MILLIS;
            try {
                while (true) {
                    long elapsed = (System.nanoTime() - start) / 1_000_000L;
                    if (elapsed < next) {
                        Thread.sleep(next - elapsed);
                        continue;
                    }
                    report("kiln: still connecting to " + spec + " after " + next / 1000 + " s (retrying per "
                            + "l1.max.connect.retries; -D" + CONNECT_TIMEOUT_PROPERTY + "=MILLIS bounds the wait)");
                    next += NOTICE_EVERY_MILLIS;
                }
            } catch (InterruptedException done) {
                // connected or gave up
            }
        }, "kiln-agent-connect-watch");
        watch.setDaemon(true);
        try {
            watch.start();
            // dev.kiln.Kiln.connectProcessCluster(String, long) is the API's process-wide cluster;
            // it is called reflectively so the agent does not tie its own loading to the API classes.
            Class<?> kiln = Class.forName("dev.kiln.Kiln", true, KilnAgent.class.getClassLoader());
            Method m = kiln.getMethod("connectProcessCluster", String.class, long.class);
            Object cluster = m.invoke(null, spec, timeout);
            return "kiln: connected to " + spec + " as client " + cluster;
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            String why = describe(cause);
            String same = "could not connect to " + spec + ": ";
            if (why.startsWith(same)) {
                why = why.substring(same.length()); // the client's message already names the spec
            }
            return "kiln: " + same + why + bound;
        } catch (ClassNotFoundException | NoSuchMethodException e) {
            return "kiln: could not connect to " + spec + ": this kiln-agent.jar has no "
                    + "dev.kiln.Kiln.connectProcessCluster(String, long) (" + e + ")";
        } catch (Throwable t) {
            return "kiln: could not connect to " + spec + ": " + describe(t) + bound;
        } finally {
            watch.interrupt();
        }
    }

    private static String describe(Throwable t) {
        String m = t.getMessage();
        if (m == null || m.isEmpty() || t instanceof Error) {
            // Errors (UnsatisfiedLinkError, NoClassDefFoundError, ...) say little without their type.
            return m == null || m.isEmpty() ? t.toString() : t.getClass().getName() + ": " + m;
        }
        return m;
    }

    private static void report(String line) {
        KilnAgentLog.report(line); // stderr, and the <clients><logs> file when configured
    }
}

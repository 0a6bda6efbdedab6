package dev.kiln.agent;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.File;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.Test;

/**
 * Terracotta's launch contract: examples/shared-counter run through {@code bin/dso-java.sh} and
 * through a Terracotta-style {@code run.sh} that sources {@code bin/dso-env.sh} and runs
 * {@code java $TC_JAVA_OPTS}; {@code -Dtc.server} / {@code TC_SERVER} pointing at a server the
 * configuration does not name; a missing agent jar is a clear error. Each run adds its
 * increments to the one counter root the server keeps, so each JVM sees the running total.
 */
public class DsoScriptsTest extends ExampleTestBase {
    @Override
    protected String exampleName() {
        return "shared-counter";
    }

    @Override
    protected String mainClass() {
        return "demo.counter.Main";
    }

    private static final Path BIN = Paths.get(System.getProperty("kiln.repo.dir", "..")).resolve("bin").toAbsolutePath();

    /** The example's config with {@code port} for its server, plus {@code <system>} and {@code <clients><logs>}. */
    private Path config(String name, int port) throws Exception {
        String xml = new String(Files.readAllBytes(exampleDir().resolve("tc-config.xml")), StandardCharsets.UTF_8)
                .replace("9510", Integer.toString(port)).replace("host=\"localhost\"", "host=\"127.0.0.1\"")
                .replace("<servers>", "<system><configuration-model>production</configuration-model></system>\n  <servers>");
        Path p = workDir().resolve(name);
        Files.write(p, xml.getBytes(StandardCharsets.UTF_8));
        return p;
    }

    private static final class Run {
        final int exit;
        final String out;
        final String err;

        Run(int exit, String out, String err) {
            this.exit = exit;
            this.out = out;
            this.err = err;
        }

        @Override
        public String toString() {
            return "exit " + exit + "\nstdout:\n" + out + "\nstderr:\n" + err;
        }
    }

    private Run run(Map<String, String> env, String... cmd) throws Exception {
        String tag = "script-" + System.nanoTime();
        // An empty working directory: dso-env.sh would take a ./tc-config.xml.
        Path cwd = Files.createDirectories(workDir().resolve("cwd"));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(cwd.toFile())
                .redirectOutput(workDir().resolve(tag + ".out").toFile())
                .redirectError(workDir().resolve(tag + ".err").toFile());
        pb.environment().remove("TC_CONFIG_PATH");
        pb.environment().remove("TC_SERVER");
        pb.environment().remove("KILN_AGENT_JAR");
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        pb.environment().putAll(env);
        Process p = pb.start();
        try {
            assertTrue(String.join(" ", cmd) + " finished within 90 s", p.waitFor(90, TimeUnit.SECONDS));
        } finally {
            p.destroyForcibly();
        }
        return new Run(p.exitValue(), new String(Files.readAllBytes(workDir().resolve(tag + ".out")), StandardCharsets.UTF_8).trim(),
                new String(Files.readAllBytes(workDir().resolve(tag + ".err")), StandardCharsets.UTF_8));
    }

    private static String kilnLine(Run r) {
        for (String l : r.err.split("\n")) {
            if (l.startsWith("kiln: ")) {
                return l;
            }
        }
        return "";
    }

    private static int closedPort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** A Terracotta-style run.sh: sources dso-env.sh and runs java $TC_JAVA_OPTS. */
    private Path runScript(String shell, String sourceLine) throws Exception {
        Path p = workDir().resolve("run-" + shell + ".sh");
        String s = "#!/bin/" + shell + "\nset -e\n" + sourceLine + "\n"
                + "exec \"$JAVA_HOME/bin/java\" $TC_JAVA_OPTS -cp \"" + classesDir() + "\" demo.counter.Main \"$@\"\n";
        Files.write(p, s.getBytes(StandardCharsets.UTF_8));
        assertTrue(p.toFile().setExecutable(true));
        return p;
    }

    @Test
    public void dsoJavaRunSourcingDsoEnvAndTcServer() throws Exception {
        String jar = new File(System.getProperty("kiln.agent.jar")).getAbsolutePath();
        Path good = config("tc-config.xml", serverPort());
        Map<String, String> cfg = Map.of("TC_CONFIG_PATH", good.toString());

        // 1. bin/dso-java.sh with TC_CONFIG_PATH: the agent (found at its built location) and the config.
        Run a = run(cfg, BIN.resolve("dso-java.sh").toString(), "-cp", classesDir().toString(), "demo.counter.Main", "a", "5", "5");
        assertEquals(a.toString(), 0, a.exit);
        assertTrue(a.toString(), a.out.startsWith("app: a saw 5"));
        assertTrue(a.toString(), kilnLine(a).startsWith("kiln: connected to " + good + " as client "));

        // 2. a run.sh that sources dso-env.sh (bash, with Terracotta's "-q CONFIG" arguments).
        Path bash = runScript("bash", ". \"" + BIN.resolve("dso-env.sh") + "\" -q \"" + good + "\"");
        Run b = run(Map.of(), bash.toString(), "b", "5", "10");
        assertEquals(b.toString(), 0, b.exit);
        assertTrue(b.toString(), b.out.startsWith("app: b saw 10"));
        // Without -q the options are printed, with the agent jar's absolute path.
        Run printed = run(cfg, "bash", "-c", ". \"" + BIN.resolve("dso-env.sh") + "\"");
        assertEquals(printed.toString(), "-javaagent:" + jar + " -Dtc.config=" + good, printed.out);

        // 3. -Dtc.server: the config names a server that is not there; the override is the real one.
        Path elsewhere = config("elsewhere.xml", closedPort());
        String server = "127.0.0.1:" + serverPort();
        Run c = run(Map.of(), BIN.resolve("dso-java.sh").toString(), "-Dtc.config=" + elsewhere, "-Dtc.server=" + server,
                "-cp", classesDir().toString(), "demo.counter.Main", "c", "5", "15");
        assertEquals(c.toString(), 0, c.exit);
        assertTrue(c.toString(), c.out.startsWith("app: c saw 15"));
        assertTrue(c.toString(), kilnLine(c).startsWith("kiln: connected to " + elsewhere + " as client KilnCluster["
                + elsewhere + " (-Dtc.server=" + server + "), client "));

        // 4. TC_SERVER through dso-env.sh in a POSIX sh run script (KILN_HOME: sh cannot tell where it is).
        Path sh = runScript("sh", ". \"" + BIN.resolve("dso-env.sh") + "\"");
        Run d = run(Map.of("TC_CONFIG_PATH", elsewhere.toString(), "TC_SERVER", server, "KILN_HOME", BIN.getParent().toString()),
                sh.toString(), "d", "5", "20");
        assertEquals(d.toString(), 0, d.exit);
        assertTrue(d.toString(), d.out.startsWith("app: d saw 20"));
        assertTrue(d.toString(), kilnLine(d).contains("(-Dtc.server=" + server + ")"));

        // Without the override that config reaches nothing: the agent says so, the program still runs.
        Run e = run(Map.of("TC_CONFIG_PATH", elsewhere.toString()), BIN.resolve("dso-java.sh").toString(),
                "-Dkiln.connect.timeout=1000", "-cp", classesDir().toString(), "demo.counter.Main", "e", "0", "0");
        assertTrue(e.toString(), kilnLine(e).startsWith("kiln: could not connect to " + elsewhere));
    }

    @Test
    public void aMissingAgentJarOrConfigIsAClearError() throws Exception {
        Path good = config("tc-config.xml", serverPort());
        Path missing = workDir().resolve("no-such.jar");
        Run r = run(Map.of("TC_CONFIG_PATH", good.toString(), "KILN_AGENT_JAR", missing.toString()),
                BIN.resolve("dso-java.sh").toString(), "-version");
        assertEquals(r.toString(), 1, r.exit);
        assertEquals(r.toString(), "dso-env.sh: KILN_AGENT_JAR=" + missing + " is not a file", r.err.trim());

        Run n = run(Map.of(), BIN.resolve("dso-java.sh").toString(), "-version");
        assertEquals(n.toString(), 1, n.exit);
        assertTrue(n.toString(), n.err.startsWith("dso-env.sh: no configuration: set TC_CONFIG_PATH"));
    }
}

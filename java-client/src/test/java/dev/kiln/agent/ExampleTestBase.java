package dev.kiln.agent;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.File;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

import org.junit.After;
import org.junit.Assume;
import org.junit.Before;
import org.junit.Test;

/**
 * Runs an example of examples/ (compiled here from its sources) in child JVMs with the agent,
 * against a real debug kiln-server started for the test and stopped after it.
 */
public abstract class ExampleTestBase {
    /** The directory under examples/. */
    protected abstract String exampleName();

    /** The main class. */
    protected abstract String mainClass();

    private Path dir;
    private Path classes;
    private Process server;

    @Before
    public void setUp() throws Exception {
        File bin = new File(System.getProperty("kiln.server.bin", "target/debug/kiln-server"));
        Assume.assumeTrue("no kiln-server at " + bin, bin.canExecute());
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        Assume.assumeTrue("no system Java compiler", javac != null);
        dir = Files.createTempDirectory("kiln-example-test");
        classes = Files.createDirectories(dir.resolve("classes"));
        // --release 11: the child JVMs may be any JDK of the matrix (11, 17, 21, 25).
        List<String> args = new ArrayList<>(Arrays.asList("--release", "11", "-d", classes.toString()));
        try (Stream<Path> s = Files.walk(example().resolve("src"))) {
            args.addAll(s.filter(p -> p.toString().endsWith(".java")).map(Path::toString).collect(Collectors.toList()));
        }
        assertEquals(0, javac.run(null, null, null, args.toArray(new String[0])));
        startServer(bin);
    }

    @After
    public void tearDown() throws Exception {
        for (Process p : started) {
            p.destroyForcibly();
        }
        for (Process p : new Process[] {server, server2}) {
            if (p != null) {
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
            }
        }
        if (dir != null) {
            try (Stream<Path> walk = Files.walk(dir)) {
                walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /**
     * How many mirror groups (stripes) of one server each the test cluster has (default 1). With
     * two, the example's tc-config.xml lists two {@code <mirror-group>}s on ports 9510 and 9520,
     * which {@link #start} points at the two test servers.
     */
    protected int stripes() {
        return 1;
    }

    private Process server2;
    private int port2;
    private final int[] jmx = new int[2];

    private Path example() {
        return Paths.get(System.getProperty("kiln.repo.dir", "..")).resolve("examples").resolve(exampleName());
    }

    private int port;

    private void startServer(File bin) throws Exception {
        if (stripes() > 1) {
            startStripes(bin);
            return;
        }
        int[] ports = freePorts(3);
        port = ports[0];
        Path sdir = Files.createDirectory(dir.resolve("server"));
        Path config = sdir.resolve("tc-config.xml");
        String xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<tc:tc-config xmlns:tc=\"http://www.terracotta.org/config\">\n"
                + "<servers><server host=\"127.0.0.1\" name=\"graph-test\" bind=\"127.0.0.1\">"
                + "<data>" + sdir.resolve("data") + "</data><logs>" + sdir.resolve("logs") + "</logs>"
                + "<dso-port>" + ports[0] + "</dso-port><jmx-port>" + ports[1] + "</jmx-port>"
                + "<l2-group-port>" + ports[2] + "</l2-group-port></server></servers></tc:tc-config>\n";
        Files.write(config, xml.getBytes(StandardCharsets.UTF_8));
        Path log = sdir.resolve("server.out");
        server = new ProcessBuilder(bin.getPath(), "-f", config.toString()).directory(sdir.toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        awaitListening(server, port, log);
    }

    /** Free loopback ports (closed again: the server binds them). */
    private static int[] freePorts(int n) throws java.io.IOException {
        int[] ports = new int[n];
        ServerSocket[] held = new ServerSocket[n];
        try {
            for (int i = 0; i < n; i++) {
                held[i] = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                ports[i] = held[i].getLocalPort();
            }
        } finally {
            for (ServerSocket s : held) {
                if (s != null) {
                    s.close();
                }
            }
        }
        return ports;
    }

    /** Waits (30 s at most) until {@code server} accepts connections on {@code p}; fails with its log if it exits. */
    private static void awaitListening(Process server, int p, Path log) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            if (!server.isAlive()) {
                fail("kiln-server exited at start: " + new String(Files.readAllBytes(log), StandardCharsets.UTF_8));
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), p), 200);
                return;
            } catch (java.io.IOException notYet) {
                Thread.sleep(50);
            }
        }
        fail("kiln-server did not listen on " + p + " within 30 s");
    }

    /** Two one-server mirror groups (stripes 0 and 1) from one configuration, each started with -n. */
    private void startStripes(File bin) throws Exception {
        int[] ports = freePorts(6);
        port = ports[0];
        port2 = ports[3];
        jmx[0] = ports[1];
        jmx[1] = ports[4];
        Path sdir = Files.createDirectory(dir.resolve("server"));
        StringBuilder xml = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                + "<tc:tc-config xmlns:tc=\"http://www.terracotta.org/config\">\n<servers>");
        for (int g = 0; g < 2; g++) {
            xml.append("<mirror-group group-name=\"stripe-").append(g).append("\" election-time=\"1\">")
                    .append("<server host=\"127.0.0.1\" name=\"s").append(g).append("\" bind=\"127.0.0.1\">")
                    .append("<data>").append(sdir.resolve("data" + g)).append("</data><logs>").append(sdir.resolve("logs" + g))
                    .append("</logs><dso-port>").append(ports[3 * g]).append("</dso-port><jmx-port>").append(ports[3 * g + 1])
                    .append("</jmx-port><l2-group-port>").append(ports[3 * g + 2]).append("</l2-group-port></server></mirror-group>");
        }
        xml.append("</servers></tc:tc-config>\n");
        Path config = sdir.resolve("tc-config.xml");
        Files.write(config, xml.toString().getBytes(StandardCharsets.UTF_8));
        Process[] ps = new Process[2];
        for (int g = 0; g < 2; g++) {
            ps[g] = new ProcessBuilder(bin.getPath(), "-f", config.toString(), "-n", "s" + g).directory(sdir.toFile())
                    .redirectErrorStream(true).redirectOutput(sdir.resolve("server" + g + ".out").toFile()).start();
        }
        server = ps[0];
        server2 = ps[1];
        for (int g = 0; g < 2; g++) {
            awaitListening(ps[g], g == 0 ? port : port2, sdir.resolve("server" + g + ".out"));
        }
    }

    /** The connect string of the test servers: {@code h:p}, or {@code h:p;h:p} with {@link #stripes} = 2. */
    protected String connectSpec() {
        return stripes() > 1 ? "127.0.0.1:" + port + ";127.0.0.1:" + port2 : "127.0.0.1:" + port;
    }

    /** The jmx-port (status, digest) of stripe {@code g} of a {@link #stripes} = 2 cluster. */
    protected int managementPort(int g) {
        return jmx[g];
    }

    /** The test's temporary directory (the example's classes are in {@code classes/}). */
    protected Path workDir() {
        return dir;
    }

    /** The compiled example classes. */
    protected Path classesDir() {
        return classes;
    }

    /** The test server's dso-port. */
    protected int serverPort() {
        return port;
    }

    /** examples/&lt;name&gt;. */
    protected Path exampleDir() {
        return example();
    }

    /** Environment variables the JVMs of {@link #start} get on top of this one's (e.g. DISPLAY). */
    protected final java.util.Map<String, String> childEnv = new java.util.HashMap<>();

    /** The {@code java} the next {@link #start} runs (null: this JVM's); the JDK matrix sets it. */
    protected String childJava;

    /** Starts one JVM of the example (the agent, the example's tc-config.xml pointed at the test server). */
    protected Process start(String... args) throws Exception {
        String xml = new String(Files.readAllBytes(example().resolve("tc-config.xml")), StandardCharsets.UTF_8)
                .replace("9510", Integer.toString(port)).replace("9520", Integer.toString(port2))
                .replace("host=\"localhost\"", "host=\"127.0.0.1\"");
        Path config = dir.resolve("tc-config.xml");
        Files.write(config, xml.getBytes(StandardCharsets.UTF_8));
        String java = childJava != null ? childJava : new File(System.getProperty("java.home"), "bin/java").getPath();
        List<String> cmd = new ArrayList<>(Arrays.asList(java, "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
                "-javaagent:" + System.getProperty("kiln.agent.jar"), "-Dtc.config=" + config,
                "-Dkiln.connect.timeout=20000", "-cp", classes.toString(), mainClass()));
        cmd.addAll(Arrays.asList(args));
        String tag = String.join("_", args);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(dir.resolve(tag + ".out").toFile())
                .redirectError(dir.resolve(tag + ".err").toFile());
        pb.environment().putAll(childEnv);
        Process p = pb.start();
        started.add(p);
        tags.put(p, tag);
        return p;
    }

    private final List<Process> started = new ArrayList<>();
    private final java.util.Map<Process, String> tags = new java.util.HashMap<>();

    /** Waits (bounded) for a JVM of {@link #start}; checks it exited 0 and connected; its stdout. */
    protected String finish(Process p) throws Exception {
        String tag = tags.get(p);
        try {
            assertTrue("JVM " + tag + " finished within 90 s", p.waitFor(90, TimeUnit.SECONDS));
        } finally {
            p.destroyForcibly();
        }
        String o = new String(Files.readAllBytes(dir.resolve(tag + ".out")), StandardCharsets.UTF_8);
        String e = new String(Files.readAllBytes(dir.resolve(tag + ".err")), StandardCharsets.UTF_8);
        assertEquals("stdout:\n" + o + "\nstderr:\n" + e, 0, p.exitValue());
        // The agent's line is the first "kiln: " line (JDK 24+ may print native-access warnings first).
        String kiln = Arrays.stream(e.split("\n")).filter(l -> l.startsWith("kiln: ")).findFirst().orElse("");
        assertTrue(e, kiln.startsWith("kiln: connected to "));
        return o.trim();
    }

    /**
     * Waits (bounded) until a JVM of {@link #start} has connected, then stops it as Ctrl-C would
     * (SIGTERM: the JVM runs its shutdown hooks, the agent's closes the client); returns its
     * stderr once it exited (143).
     */
    protected String terminate(Process p, long settleMillis) throws Exception {
        String tag = tags.get(p);
        Path err = dir.resolve(tag + ".err");
        awaitOutput(p, ".err", "kiln: connected to ");
        Thread.sleep(settleMillis);
        p.destroy();
        try {
            assertTrue("JVM " + tag + " exited within 30 s of SIGTERM", p.waitFor(30, TimeUnit.SECONDS));
        } finally {
            p.destroyForcibly();
        }
        assertEquals(143, p.exitValue());
        return new String(Files.readAllBytes(err), StandardCharsets.UTF_8);
    }

    /**
     * Waits (60 s at most, while it runs) until a JVM of {@link #start} has written {@code text}
     * to its {@code ".out"} (stdout) or {@code ".err"} (stderr).
     */
    protected void awaitOutput(Process p, String stream, String text) throws Exception {
        String tag = tags.get(p);
        Path f = dir.resolve(tag + stream);
        long end = System.currentTimeMillis() + 60_000;
        while (!new String(Files.readAllBytes(f), StandardCharsets.UTF_8).contains(text)) {
            assertTrue("JVM " + tag + " wrote '" + text + "' within 60 s", System.currentTimeMillis() < end && p.isAlive());
            Thread.sleep(50);
        }
    }

    protected String runApp(String... args) throws Exception {
        return finish(start(args));
    }
}

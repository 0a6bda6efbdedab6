package dev.kiln.agent;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
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
 * The load-time transformer in a child JVM: examples/instrumented (compiled here from its
 * sources) run with {@code -javaagent:kiln-agent.jar} and a tc-config.xml whose
 * {@code <instrumented-classes>} includes {@code demo.app..*} and excludes
 * {@code demo.app.internal.*}. The application prints which classes got the object-id field and
 * the marker interface.
 */
public class InstrumentationTest {
    private Path dir;
    private Path classes;

    @Before
    public void setUp() throws IOException {
        dir = Files.createTempDirectory("kiln-instr-test");
        classes = dir.resolve("classes");
        Files.createDirectories(classes);
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        Assume.assumeTrue("no system Java compiler (a JRE)", javac != null);
        List<String> args = new ArrayList<>(Arrays.asList("-d", classes.toString()));
        try (Stream<Path> s = Files.walk(example().resolve("src"))) {
            args.addAll(s.filter(p -> p.toString().endsWith(".java")).map(Path::toString).collect(Collectors.toList()));
        }
        assertEquals("javac of examples/instrumented", 0, javac.run(null, null, null, args.toArray(new String[0])));
    }

    @After
    public void tearDown() throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    private static Path example() {
        return Paths.get(System.getProperty("kiln.repo.dir", "..")).resolve("examples/instrumented");
    }

    /** The example's tc-config.xml pointing at a closed port (no server needed to instrument). */
    private Path config(String replaceFrom, String replaceTo) throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        String xml = new String(Files.readAllBytes(example().resolve("tc-config.xml")), StandardCharsets.UTF_8)
                .replace("9510", Integer.toString(port));
        if (replaceFrom != null) {
            assertTrue(xml.contains(replaceFrom));
            xml = xml.replace(replaceFrom, replaceTo);
        }
        Path p = dir.resolve("tc-config.xml");
        Files.write(p, xml.getBytes(StandardCharsets.UTF_8));
        return p;
    }

    private static final class Run {
        final String stdout;
        final String stderr;

        Run(String stdout, String stderr) {
            this.stdout = stdout;
            this.stderr = stderr;
        }

        List<String> kilnLines() {
            return Arrays.stream(stderr.split("\n")).filter(l -> l.startsWith("kiln: ")).collect(Collectors.toList());
        }

        @Override
        public String toString() {
            return "stdout:\n" + stdout + "\nstderr:\n" + stderr;
        }
    }

    private Run run(Path config) throws Exception {
        String java = new File(System.getProperty("java.home"), "bin/java").getPath();
        List<String> cmd = Arrays.asList(java, "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
                "-javaagent:" + System.getProperty("kiln.agent.jar"), "-Dtc.config=" + config,
                "-Dkiln.connect.timeout=1000", "-cp", classes.toString(), "demo.app.Main");
        Path out = dir.resolve("out.txt");
        Path err = dir.resolve("err.txt");
        Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        try {
            assertTrue("child JVM finished within 60 s", p.waitFor(60, TimeUnit.SECONDS));
        } finally {
            p.destroyForcibly();
        }
        Run r = new Run(new String(Files.readAllBytes(out), StandardCharsets.UTF_8),
                new String(Files.readAllBytes(err), StandardCharsets.UTF_8));
        assertEquals(r.toString(), 0, p.exitValue());
        return r;
    }

    @Test
    public void includedClassesGetTheOidFieldOthersStayPlain() throws Exception {
        Path config = config(null, null);
        Run r = run(config);
        assertEquals(r.toString(), 1, r.kilnLines().size());
        assertTrue(r.toString(), r.kilnLines().get(0).endsWith("; instrumenting per " + config
                + " <application> (2 instrumented-class rule(s), 0 root(s), 0 lock/DMI rule(s))"));
        assertEquals(r.toString(), Arrays.asList(
                "app: demo.app.Account instrumented, oid field in Account",
                "app: demo.app.Savings instrumented, oid field in Account",
                "app: demo.app.internal.Cache plain, no oid field",
                "app: demo.other.Plain plain, no oid field",
                "app: eve=1@2%"), Arrays.asList(r.stdout.trim().split("\n")));
    }

    @Test
    public void aBadClassExpressionIsAConfigErrorWithItsPositionAndNothingIsInstrumented() throws Exception {
        Path config = config("<exclude>demo.app.internal.*</exclude>", "<exclude>demo.app.Base+</exclude>");
        Run r = run(config);
        assertEquals(r.toString(), 1, r.kilnLines().size());
        String line = r.kilnLines().get(0);
        // The exclude is on line 14, its text at column 18; '+' is 13 characters into it.
        assertTrue(r.toString(), line.contains("; NOT instrumenting: configuration error: " + config
                + ":14:31: application/dso/instrumented-classes/exclude: invalid value 'demo.app.Base+': subtype patterns"));
        assertTrue(r.toString(), r.stdout.contains("app: demo.app.Account plain, no oid field"));
    }
}

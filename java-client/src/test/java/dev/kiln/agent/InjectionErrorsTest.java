package dev.kiln.agent;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.File;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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
import org.junit.Test;

/**
 * Injection's bad inputs: {@code @InjectedDsoInstance} on a static field and an
 * {@code <injected-field>} of the wrong type are reported (one line each, naming the field and
 * why) and left alone; with no cluster (the server is unreachable) the DsoCluster fields stay
 * null, said once, and the program runs to the end with its constructors intact.
 */
public class InjectionErrorsTest {
    private Path dir;

    @After
    public void tearDown() throws Exception {
        if (dir != null) {
            try (Stream<Path> w = Files.walk(dir)) {
                w.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    @Test
    public void badFieldsAreReportedAndNoClusterLeavesThemNull() throws Exception {
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        Assume.assumeTrue("no system Java compiler", javac != null);
        dir = Files.createTempDirectory("kiln-injection-errors");
        Path src = Files.createDirectories(dir.resolve("src/inj"));
        Files.write(src.resolve("Main.java"), String.join("\n",
                "package inj;",
                "import com.tc.cluster.DsoCluster;",
                "import com.tc.injection.annotations.InjectedDsoInstance;",
                "public class Main {",
                "  @InjectedDsoInstance static DsoCluster shared;",
                "  String label;",               // <injected-field>: wrong type
                "  @InjectedDsoInstance DsoCluster cluster;",
                "  final int x;",
                "  Main(int x) { super(); this.x = x; }",
                "  Main() { this(new Integer(7).intValue()); }", // this(...) with a NEW in its argument
                "  public static void main(String[] a) {",
                "    Main m = new Main();",
                "    System.out.println(\"app: x=\" + m.x + \" cluster=\" + m.cluster + \" label=\" + m.label + \" static=\" + shared);",
                "    System.out.println(\"app: second \" + new Main(3).x);",
                "  }",
                "}", "").getBytes(StandardCharsets.UTF_8));
        Path classes = Files.createDirectories(dir.resolve("classes"));
        assertEquals(0, javac.run(null, null, null, "--release", "11", "-d", classes.toString(), src.resolve("Main.java").toString()));
        int closed;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort();
        }
        Path config = dir.resolve("tc-config.xml");
        Files.write(config, ("<tc:tc-config xmlns:tc=\"http://www.terracotta.org/config\">\n"
                + "<tc-properties><property name=\"l1.max.connect.retries\" value=\"0\"/></tc-properties>\n"
                + "<servers><server host=\"127.0.0.1\"><dso-port>" + closed + "</dso-port></server></servers>\n"
                + "<application><dso>\n"
                + "<injected-instances><injected-field><field-name>inj.Main.label</field-name></injected-field></injected-instances>\n"
                + "<instrumented-classes><include><class-expression>inj.*</class-expression></include></instrumented-classes>\n"
                + "</dso></application></tc:tc-config>\n").getBytes(StandardCharsets.UTF_8));
        String java = new File(System.getProperty("java.home"), "bin/java").getPath();
        Process p = new ProcessBuilder(java, "-javaagent:" + System.getProperty("kiln.agent.jar"), "-Dtc.config=" + config,
                "-Dkiln.connect.timeout=2000", "-cp", classes.toString(), "inj.Main")
                .redirectOutput(dir.resolve("out").toFile()).redirectError(dir.resolve("err").toFile()).start();
        try {
            assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        } finally {
            p.destroyForcibly();
        }
        String out = new String(Files.readAllBytes(dir.resolve("out")), StandardCharsets.UTF_8);
        String err = new String(Files.readAllBytes(dir.resolve("err")), StandardCharsets.UTF_8);
        String all = "stdout:\n" + out + "\nstderr:\n" + err;
        assertEquals(all, 0, p.exitValue());
        List<String> kiln = Arrays.stream(err.split("\n")).filter(l -> l.startsWith("kiln: ")).collect(Collectors.toList());
        assertTrue(all, kiln.contains("kiln: @InjectedDsoInstance inj.Main.shared is static: not injected (Terracotta injects instance fields)"));
        assertTrue(all, kiln.contains("kiln: <injected-field> inj.Main.label is of type java.lang.String: not injected"
                + " (the injectable type is com.tc.cluster.DsoCluster)"));
        assertEquals(all, 1, kiln.stream().filter(l -> l.startsWith("kiln: no DsoCluster to inject (fields stay null): ")).count());
        assertTrue(all, out.contains("app: x=7 cluster=null label=null static=null"));
        assertTrue(all, out.contains("app: second 3"));
    }
}

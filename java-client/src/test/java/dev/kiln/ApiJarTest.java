package dev.kiln;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.jar.JarFile;
import java.util.stream.Stream;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

import org.junit.Assume;
import org.junit.Test;

/**
 * build/libs/kiln-tc-api.jar (Gradle task apiJar): Terracotta's cluster API under tim-api 1.3
 * names and nothing else, enough to compile a Terracotta-era program that uses the cluster API.
 */
public class ApiJarTest {
    private static File jar() {
        File f = new File(System.getProperty("kiln.api.jar", "build/libs/kiln-tc-api.jar"));
        assertTrue("the API jar is built by the test run: " + f, f.isFile());
        return f;
    }

    @Test
    public void holdsTheTerracottaNamesOnly() throws Exception {
        List<String> classes = new ArrayList<>();
        try (JarFile j = new JarFile(jar())) {
            j.stream().filter(e -> e.getName().endsWith(".class")).forEach(e -> classes.add(e.getName()));
        }
        Collections.sort(classes);
        for (String c : new String[] {"com/tc/cluster/DsoCluster.class", "com/tc/cluster/DsoClusterEvent.class",
            "com/tc/cluster/DsoClusterListener.class", "com/tc/cluster/DsoClusterTopology.class",
            "com/tcclient/cluster/DsoNode.class", "com/tc/injection/annotations/InjectedDsoInstance.class",
            "com/tc/cluster/exceptions/UnclusteredObjectException.class",
            "com/tc/object/tx/UnlockedSharedObjectException.class", "com/tc/exception/TCNonPortableObjectError.class"}) {
            assertTrue(c + " in " + classes, classes.contains(c));
        }
        for (String c : classes) {
            assertTrue("only com/tc and com/tcclient classes: " + c, c.startsWith("com/tc/") || c.startsWith("com/tcclient/"));
        }
        assertTrue("the old package is gone: " + classes, !classes.contains("com/tc/cluster/DsoNode.class"));
    }

    @Test
    public void aTerracottaProgramCompilesAgainstItAlone() throws Exception {
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        Assume.assumeTrue("no system Java compiler", javac != null);
        Path dir = Files.createTempDirectory("kiln-api-jar");
        try {
            Path src = Files.createDirectories(dir.resolve("src/demo"));
            Files.write(src.resolve("App.java"), String.join("\n",
                    "package demo;",
                    "import com.tc.cluster.*;",
                    "import com.tc.injection.annotations.InjectedDsoInstance;",
                    "import com.tcclient.cluster.DsoNode;",
                    "public class App implements DsoClusterListener {",
                    "  @InjectedDsoInstance private DsoCluster cluster;",
                    "  public void nodeJoined(DsoClusterEvent e) { DsoNode n = e.getNode(); System.out.println(n.getId() + n.getIp() + n.getHostname()); }",
                    "  public void nodeLeft(DsoClusterEvent e) {}",
                    "  public void operationsEnabled(DsoClusterEvent e) {}",
                    "  public void operationsDisabled(DsoClusterEvent e) {}",
                    "  void start() { cluster.addClusterListener(this); for (DsoNode n : cluster.getClusterTopology().getNodes()) {} }",
                    "}", "").getBytes(StandardCharsets.UTF_8));
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            int rc = javac.run(null, null, err, "--release", "11", "-classpath", jar().getPath(), "-d",
                    dir.resolve("out").toString(), src.resolve("App.java").toString());
            assertEquals(err.toString("UTF-8"), 0, rc);
        } finally {
            try (Stream<Path> w = Files.walk(dir)) {
                w.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}

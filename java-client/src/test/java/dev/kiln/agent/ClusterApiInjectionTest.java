package dev.kiln.agent;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.Test;

/**
 * examples/cluster-api: Terracotta's cluster API in a plain program under the agent. Both
 * injection forms ({@code @InjectedDsoInstance} and {@code <injected-instances>}) are set before
 * the constructor body; {@code addClusterListener} replays nodeJoined + operationsEnabled of
 * this node; a second JVM's join, and its leave when it is killed, reach the first; the second
 * JVM's DsoNode, stored in a shared object, is read by the first as a node equal (by id) to the
 * one that left, and sorts in a TreeMap.
 */
public class ClusterApiInjectionTest extends ExampleTestBase {
    @Override
    protected String exampleName() {
        return "cluster-api";
    }

    @Override
    protected String mainClass() {
        return "demo.cluster.Main";
    }

    private String waitFor(String tag, String needle) throws Exception {
        Path out = workDir().resolve(tag + ".out");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            String s = Files.exists(out) ? new String(Files.readAllBytes(out), StandardCharsets.UTF_8) : "";
            if (s.contains(needle)) {
                return s;
            }
            Thread.sleep(50);
        }
        String err = new String(Files.readAllBytes(workDir().resolve(tag + ".err")), StandardCharsets.UTF_8);
        fail("JVM " + tag + " did not print '" + needle + "' within 60 s:\n" + new String(Files.readAllBytes(out),
                StandardCharsets.UTF_8) + "\nstderr:\n" + err);
        return null;
    }

    private static String id(String out) {
        Matcher m = Pattern.compile("app: I am (ClientID\\[\\d+\\])").matcher(out);
        assertTrue(out, m.find());
        return m.group(1);
    }

    @Test
    public void injectedClusterEventsAndASharedNode() throws Exception {
        Process watcher = start("watch");
        String w = waitFor("watch", "app: listening");
        String watcherId = id(w);
        assertTrue(w, w.contains("app: constructor saw annotated=true configured=true same=true"));
        assertTrue(w, w.contains("app: replay joined " + watcherId + ", enabled " + watcherId));

        Process visitor = start("visit", "stay");
        String v = waitFor("visit_stay", "app: registered");
        String visitorId = id(v);
        assertTrue(v, v.contains("app: constructor saw annotated=true configured=true same=true"));
        waitFor("watch", "app: event joined " + visitorId);
        visitor.destroyForcibly(); // the client dies: nodeLeft
        assertTrue(visitor.waitFor(10, TimeUnit.SECONDS));

        String out = finish(watcher);
        assertTrue(out, out.contains("app: event left " + visitorId));
        assertTrue(out, out.contains("app: registry holds " + visitorId + " after 1 registration(s); it is the node that left: true"));
        // Sorted by client id: the watcher joined first.
        assertTrue(out, out.contains("app: sorted [watcher, visitor again]"));
        assertTrue(out, out.contains("app: stored is mine: false, ip 127.0.0.1"));
        assertEquals(out, 1, out.split("app: event left ", -1).length - 1);

        // <clients><logs>logs/client-%i-%D</logs>: relative to the config's directory, %i this
        // host's IP address, %D a time stamp; each JVM's agent log went to its own directory.
        List<Path> logs;
        try (Stream<Path> s = Files.list(workDir().resolve("logs"))) {
            logs = s.collect(Collectors.toList());
        }
        assertEquals(logs.toString(), 2, logs.size());
        for (Path d : logs) {
            assertTrue(d.toString(), d.getFileName().toString().matches("client-[0-9a-f.:]+-\\d{17}"));
            String log = new String(Files.readAllBytes(d.resolve("kiln-client.log")), StandardCharsets.UTF_8);
            assertTrue(log, log.contains(" kiln: connected to ") && log.contains("; log " + d.resolve("kiln-client.log")));
        }
    }
}

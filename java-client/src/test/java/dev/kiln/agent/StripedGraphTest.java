package dev.kiln.agent;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import dev.kiln.Kiln;
import dev.kiln.KilnCluster;
import dev.kiln.LockLevel;
import dev.kiln.SharedMap;
import java.io.File;
import java.io.InputStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.Test;

/**
 * examples/striped-graph against two mirror groups (stripes) of one debug kiln-server each: the
 * transparent agent connects to both (from the tc-config.xml's {@code <mirror-group>}s), the roots
 * {@code left} and {@code right} live on different stripes, two JVMs fill both and see each
 * other's entries, a value of one stripe refers to an object of the other, a change of both
 * maps under one lock commits on both stripes (two-phase commit), and two JVMs moving units
 * between the stripes at once never let a reader under the lock see half a transfer; a graph built
 * under a lock of one stripe and linked from a root of the other lands on the root's stripe.
 */
public class StripedGraphTest extends ExampleTestBase {
    @Override
    protected String exampleName() {
        return "striped-graph";
    }

    @Override
    protected String mainClass() {
        return "demo.striped.Main";
    }

    @Override
    protected int stripes() {
        return 2;
    }

    private String digest(int g) throws Exception {
        try (InputStream in = new URL("http://127.0.0.1:" + managementPort(g) + "/digest").openStream()) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static int field(String json, String name) {
        Matcher m = Pattern.compile("\"" + name + "\":(\\d+)").matcher(json);
        assertTrue(json, m.find());
        return Integer.parseInt(m.group(1));
    }

    @Test
    public void twoJvmsShareAGraphSpreadOverTwoStripes() throws Exception {
        Process a = start("a", "fill", "2");
        Process b = start("b", "fill", "2");
        assertEquals("app: a left 41 right 42 link Item(a,3) same true", finish(a));
        assertEquals("app: b left 41 right 42 link Item(b,3) same true", finish(b));
        String d0 = digest(0);
        String d1 = digest(1);
        // Both stripes hold part of it: a root each at least, right's map on stripe 0, left's
        // map and its 40 items on stripe 1.
        assertTrue(d0 + " / " + d1, field(d0, "roots") >= 1 && field(d1, "roots") >= 1);
        assertTrue(d0 + " / " + d1, field(d0, "objects") >= 1 && field(d1, "objects") >= 41);

        // One transaction over both stripes (two-phase commit): both maps change, on both stripes.
        String cross = runApp("c", "cross");
        assertTrue(cross, cross.contains("app: right has cross true, size 43"));
        assertTrue(cross, cross.contains("app: left has cross true, size 42"));
        assertTrue("stripe 0 changed", !d0.equals(digest(0)));
        assertTrue("stripe 1 changed", !d1.equals(digest(1)));

        // Two JVMs move units between the stripes at once; every read under the lock sees
        // both halves of every transfer or neither.
        Process t1 = start("t1", "transfer", "40");
        Process t2 = start("t2", "transfer", "40");
        assertEquals("app: t1 transferred 40, sums off 0", finish(t1));
        assertEquals("app: t2 transferred 40, sums off 0", finish(t2));
        assertEquals("app: pools left 20 right 80", runApp("p", "pools"));
    }

    /**
     * Placement: a chain of 100 new objects built under right's lock (stripe 0) and linked from
     * left (stripe 1) is created on stripe 1 — the agent's share walk places every new object on
     * the stripe of what links it — and another JVM walks it.
     */
    @Test
    public void aGraphLinkedFromAStripe1RootLandsOnStripe1() throws Exception {
        assertEquals("app: w walked 0 sum 0", runApp("w", "walk", "h")); // both roots exist now
        String d0 = digest(0);
        String d1 = digest(1);
        assertEquals("app: h hung 100", runApp("h", "hang", "100"));
        String e0 = digest(0);
        String e1 = digest(1);
        assertEquals(d0 + " -> " + e0, field(d0, "objects"), field(e0, "objects"));
        assertEquals(d1 + " -> " + e1, field(d1, "objects") + 100, field(e1, "objects"));
        assertEquals("app: r walked 100 sum 4950", runApp("r", "walk", "h"));
    }

    /** Runs the Rust `kiln` command-line client (beside the test server's binary) on the cluster. */
    private String cli(String... args) throws Exception {
        File bin = new File(new File(System.getProperty("kiln.server.bin", "target/debug/kiln-server")).getParentFile(), "kiln");
        assertTrue("the kiln CLI is built (cargo build --workspace --bins): " + bin, bin.canExecute());
        java.util.List<String> cmd = new java.util.ArrayList<>();
        cmd.add(bin.getPath());
        cmd.add("-s");
        cmd.add(connectSpec());
        cmd.addAll(java.util.Arrays.asList(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertTrue("kiln " + String.join(" ", args) + " finished", p.waitFor(30, TimeUnit.SECONDS));
        assertEquals("kiln " + String.join(" ", args) + ": " + out, 0, p.exitValue());
        return out;
    }

    /**
     * The explicit Java API ({@code dev.kiln}) over the same two stripes, with the Rust `kiln`
     * CLI on the same graph: the maps {@code orders} (stripe 0) and {@code stock} (stripe 1,
     * FNV-1a-64 of the names); one transaction under the lock {@code orders} changes both
     * (two-phase commit), the Rust client reads both halves, writes into the stripe-1 map, and
     * the Java client reads that.
     */
    @Test
    public void theExplicitApiAndTheRustCliShareTheStripedGraph() throws Exception {
        try (KilnCluster k = Kiln.connect(connectSpec(), "java-explicit", 20_000)) {
            SharedMap<String, Object> orders = k.map("orders");
            SharedMap<String, Object> stock = k.map("stock");
            k.withLock("orders", LockLevel.WRITE, () -> {
                orders.put("o-1", "two lamps");
                stock.put("lamp", "8 left");
            });
            k.flush();
            assertEquals("two lamps", cli("map", "get", "orders", "o-1").replace("\"", ""));
            assertEquals("8 left", cli("map", "get", "stock", "lamp").replace("\"", ""));
            cli("map", "put", "stock", "desk", "from rust");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            Object desk = null;
            while (System.nanoTime() < deadline) {
                desk = k.withLock("stock", LockLevel.READ, () -> stock.get("desk"));
                if (desk != null) {
                    break;
                }
                Thread.sleep(50);
            }
            assertEquals("from rust", desk);

            // Placement: a map made for stock (stripe 1) under the lock orders (stripe 0) lives on
            // stripe 1 with stock; one made with no referrer, on the lock's stripe.
            SharedMap<String, Object> shelf = k.withLock("orders", LockLevel.WRITE, () -> {
                SharedMap<String, Object> m = k.newMap(stock);
                m.put("lamps", 8);
                stock.put("shelf", m);
                return m;
            });
            assertEquals(1, shelf.shared().objectId() >>> 56);
            SharedMap<String, Object> loose = k.withLock("orders", LockLevel.WRITE, () -> k.newMap());
            assertEquals(0, loose.shared().objectId() >>> 56);
            k.flush();
            try (KilnCluster other = Kiln.connect(connectSpec(), "java-reader", 20_000)) {
                Object got = other.withLock("stock", LockLevel.READ, () -> {
                    Object m = other.map("stock").get("shelf");
                    return m instanceof SharedMap ? ((SharedMap<?, ?>) m).get("lamps") : m;
                });
                assertEquals(8, got);
            }
        }
    }
}

package dev.kiln;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import com.tc.cluster.DsoCluster;
import com.tc.cluster.DsoClusterEvent;
import com.tc.cluster.DsoClusterListener;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.After;
import org.junit.Assume;
import org.junit.Test;

/**
 * DsoCluster around a failover: a client of a networked-active-passive group of two real
 * servers gets {@code operationsDisabled} when the active is killed ({@code kill -9}) and
 * {@code operationsEnabled} once it has reconnected to the elected standby; its node stays
 * joined, and what it wrote before is still there.
 */
public class DsoClusterFailoverTest {
    private Path dir;
    private final List<Process> servers = new ArrayList<>();
    private final int[] jmx = new int[2];

    @After
    public void tearDown() throws Exception {
        for (Process p : servers) {
            if (p != null) {
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
            }
        }
        if (dir != null) {
            try (Stream<Path> w = Files.walk(dir)) {
                w.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static int[] freePorts(int n) throws Exception {
        int[] out = new int[n];
        ServerSocket[] held = new ServerSocket[n];
        try {
            for (int i = 0; i < n; i++) {
                held[i] = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                out[i] = held[i].getLocalPort();
            }
        } finally {
            for (ServerSocket s : held) {
                if (s != null) {
                    s.close();
                }
            }
        }
        return out;
    }

    private String state(int i) {
        try {
            HttpURLConnection c = (HttpURLConnection) new URL("http://127.0.0.1:" + jmx[i] + "/status").openConnection();
            c.setConnectTimeout(500);
            c.setReadTimeout(2000);
            try (InputStream in = c.getInputStream()) {
                ByteArrayOutputStream b = new ByteArrayOutputStream();
                in.transferTo(b);
                String s = b.toString("UTF-8");
                int k = s.indexOf("\"state\":\"");
                return k < 0 ? s : s.substring(k + 9, s.indexOf('"', k + 9));
            } finally {
                c.disconnect();
            }
        } catch (Exception e) {
            return null;
        }
    }

    private String log(int i) throws Exception {
        return new String(Files.readAllBytes(dir.resolve("s" + (i + 1) + ".out")), StandardCharsets.UTF_8);
    }

    private int waitActive(long secs) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(secs);
        while (System.nanoTime() < deadline) {
            for (int i = 0; i < 2; i++) {
                if (servers.get(i) != null && "ACTIVE-COORDINATOR".equals(state(i))) {
                    return i;
                }
            }
            Thread.sleep(50);
        }
        fail("no ACTIVE-COORDINATOR within " + secs + " s:\n" + log(0) + "\n" + log(1));
        return -1;
    }

    @Test(timeout = 120_000)
    public void killingTheActiveDisablesThenEnablesOperations() throws Exception {
        File bin = TestServer.binary();
        Assume.assumeTrue("no kiln-server at " + bin, bin.canExecute());
        dir = Files.createTempDirectory("kiln-dso-failover");
        int[] ports = freePorts(6);
        StringBuilder xml = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                + "<tc:tc-config xmlns:tc=\"http://www.terracotta.org/config\">\n<tc-properties>"
                + "<property name=\"l1.socket.reconnect.waitInterval\" value=\"50\"/></tc-properties>\n<servers>\n");
        for (int i = 0; i < 2; i++) {
            jmx[i] = ports[3 * i + 1];
            xml.append("<server host=\"127.0.0.1\" name=\"s").append(i + 1).append("\" bind=\"127.0.0.1\">")
                    .append("<data>").append(dir.resolve("s" + (i + 1) + "/data")).append("</data>")
                    .append("<logs>").append(dir.resolve("s" + (i + 1) + "/logs")).append("</logs>")
                    .append("<dso-port>").append(ports[3 * i]).append("</dso-port>")
                    .append("<jmx-port>").append(ports[3 * i + 1]).append("</jmx-port>")
                    .append("<l2-group-port>").append(ports[3 * i + 2]).append("</l2-group-port>")
                    .append("<dso><client-reconnect-window>30</client-reconnect-window></dso></server>\n");
        }
        xml.append("<ha><mode>networked-active-passive</mode><networked-active-passive><election-time>1</election-time>"
                + "</networked-active-passive></ha>\n</servers>\n</tc:tc-config>\n");
        Path config = dir.resolve("tc-config.xml");
        Files.write(config, xml.toString().getBytes(StandardCharsets.UTF_8));
        for (int i = 0; i < 2; i++) {
            ProcessBuilder pb = new ProcessBuilder(bin.getPath(), "-f", config.toString(), "-n", "s" + (i + 1))
                    .directory(dir.toFile()).redirectErrorStream(true).redirectOutput(dir.resolve("s" + (i + 1) + ".out").toFile());
            pb.environment().put("KILN_LOG", "info");
            servers.add(pb.start());
        }
        int active = waitActive(30);
        int passive = 1 - active;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!"PASSIVE-STANDBY".equals(state(passive))) {
            assertTrue("no PASSIVE-STANDBY:\n" + log(passive), System.nanoTime() < deadline);
            Thread.sleep(50);
        }

        try (KilnCluster c = Kiln.connect(config.toString(), "failover", 20_000)) {
            SharedMap<String, Object> m = c.map("before");
            m.put("k", "v");
            c.flush(); // acknowledged: on the standby too
            DsoCluster dso = c.dsoCluster();
            LinkedBlockingQueue<String> events = new LinkedBlockingQueue<>();
            dso.addClusterListener(new DsoClusterListener() {
                @Override
                public void nodeJoined(DsoClusterEvent e) {
                    events.add("joined " + e.getNode().getId());
                }

                @Override
                public void nodeLeft(DsoClusterEvent e) {
                    events.add("left " + e.getNode().getId());
                }

                @Override
                public void operationsEnabled(DsoClusterEvent e) {
                    events.add("enabled " + e.getNode().getId());
                }

                @Override
                public void operationsDisabled(DsoClusterEvent e) {
                    events.add("disabled " + e.getNode().getId());
                }
            });
            String me = dso.getCurrentNode().getId();
            assertEquals("joined " + me, events.poll(10, TimeUnit.SECONDS));
            assertEquals("enabled " + me, events.poll(10, TimeUnit.SECONDS));

            servers.get(active).destroyForcibly(); // kill -9 of the active
            servers.get(active).waitFor(10, TimeUnit.SECONDS);
            servers.set(active, null);

            assertEquals("disabled " + me, events.poll(30, TimeUnit.SECONDS));
            assertEquals("the standby is elected", passive, waitActive(30));
            String next = events.poll(60, TimeUnit.SECONDS);
            assertEquals("after the failover: " + next + "\n" + log(passive), "enabled " + me, next);
            assertTrue(dso.areOperationsEnabled());
            assertTrue(dso.isNodeJoined());
            assertEquals(me, dso.getCurrentNode().getId());
            assertEquals("v", m.get("k"));
            m.put("after", "failover");
            c.flush();
            assertEquals("failover", c.map("before").get("after"));
        }
    }
}

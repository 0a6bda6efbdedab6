package dev.kiln;

import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.Test;

/** Exception mapping on real failures, and native handles freed. */
public class FaultsTest {
    @Test(timeout = 60_000)
    public void serverKilledMidCallIsConnectionLost() throws Exception {
        try (TestServer server = TestServer.start()) {
            // From the tc-config: an in-memory server, so the client does not try to reconnect.
            KilnCluster c = Kiln.connect(server.config.toString(), "victim", 10_000);
            try {
                BlockingQueue<String> q = c.queue("q");
                AtomicReference<Throwable> thrown = new AtomicReference<>();
                Thread t = new Thread(() -> {
                    try {
                        q.take();
                    } catch (Throwable e) {
                        thrown.set(e);
                    }
                });
                t.start();
                Thread.sleep(300);
                assertTrue(t.isAlive());
                server.kill();
                t.join(20_000);
                assertFalse("take() returned after the kill", t.isAlive());
                assertTrue("got " + thrown.get(), thrown.get() instanceof ConnectionLostException);
                try {
                    c.map("after").put("k", "v");
                    fail("the connection is gone");
                } catch (ConnectionLostException expected) {
                    // fine
                }
            } finally {
                c.close();
            }
        }
    }

    @Test(timeout = 30_000)
    public void somethingThatIsNotAKilnServerIsAProtocolMismatch() throws Exception {
        try (ServerSocket ss = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Thread fake = new Thread(() -> {
                try (Socket s = ss.accept()) {
                    InputStream in = s.getInputStream();
                    byte[] buf = new byte[256];
                    in.read(buf);
                    OutputStream out = s.getOutputStream();
                    out.write("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    Thread.sleep(2000);
                } catch (Exception e) {
                    // the client hung up
                }
            });
            fake.setDaemon(true);
            fake.start();
            try {
                KilnCluster c = Kiln.connect("127.0.0.1:" + ss.getLocalPort(), "confused", 3_000);
                c.close();
                fail("connected to an HTTP server");
            } catch (ProtocolMismatchException e) {
                assertTrue(e.getMessage(), !e.getMessage().isEmpty());
            }
        }
    }

    /** A peer that answers Hello with the protocol's own VersionMismatch Error frame (shared vector). */
    @Test(timeout = 30_000)
    public void versionMismatchFromTheServerIsAProtocolMismatch() throws Exception {
        java.io.File d = new java.io.File(System.getProperty("user.dir")).getAbsoluteFile();
        java.io.File vector = null;
        while (d != null && vector == null) {
            java.io.File f = new java.io.File(d, "protocol/tests/vectors/frame_error.bin");
            vector = f.isFile() ? f : null;
            d = d.getParentFile();
        }
        if (vector == null) {
            throw new AssertionError("protocol/tests/vectors/frame_error.bin not found above " + System.getProperty("user.dir"));
        }
        byte[] errorFrame = Files.readAllBytes(vector.toPath());
        try (ServerSocket ss = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Thread fake = new Thread(() -> {
                try (Socket s = ss.accept()) {
                    s.getInputStream().read(new byte[4096]);
                    s.getOutputStream().write(errorFrame);
                    s.getOutputStream().flush();
                    Thread.sleep(2000);
                } catch (Exception e) {
                    // the client hung up
                }
            });
            fake.setDaemon(true);
            fake.start();
            try {
                Kiln.connect("127.0.0.1:" + ss.getLocalPort(), "old-client", 5_000).close();
                fail("the server refused the version");
            } catch (ProtocolMismatchException e) {
                assertTrue(e.getMessage(), e.getMessage().contains("server speaks protocol 1, client sent 2"));
            }
        }
    }

    private static long rssKb() throws Exception {
        List<String> lines = Files.readAllLines(Paths.get("/proc/self/status"));
        for (String l : lines) {
            if (l.startsWith("VmRSS:")) {
                return Long.parseLong(l.replaceAll("[^0-9]", ""));
            }
        }
        return -1;
    }

    @Test(timeout = 300_000)
    public void handlesAreFreedOver100000Cycles() throws Exception {
        try (TestServer server = TestServer.start()) {
            KilnCluster c = Kiln.connect(server.addr(), "cycles", 10_000);
            try {
                ClusterLock l = c.lock("cycle");
                // Warm up, then measure: 100,000 transaction handles created and freed.
                for (int i = 0; i < 10_000; i++) {
                    l.lock();
                    l.unlock();
                }
                System.gc();
                long before = rssKb();
                for (int i = 0; i < 100_000; i++) {
                    l.lock();
                    l.unlock();
                }
                System.gc();
                long afterTxns = rssKb();
                // And client handles: connect/close cycles (each a TCP connection, so fewer).
                for (int i = 0; i < 300; i++) {
                    Kiln.connect(server.addr(), "cycle-" + i, 10_000).close();
                }
                System.gc();
                long afterClients = rssKb();
                System.out.println("RSS KiB: before " + before + ", after 100k lock/unlock " + afterTxns
                        + ", after 300 connect/close " + afterClients);
                assertTrue("100k txn handles grew RSS by " + (afterTxns - before) + " KiB", afterTxns - before < 16 * 1024);
                assertTrue("300 client handles grew RSS by " + (afterClients - afterTxns) + " KiB",
                        afterClients - afterTxns < 32 * 1024);
            } finally {
                c.close();
            }
        }
    }
}

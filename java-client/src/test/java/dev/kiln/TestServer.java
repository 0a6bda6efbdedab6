package dev.kiln;

import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** A real kiln-server process on free loopback ports, with its own temp directory and tc-config.xml. */
final class TestServer implements AutoCloseable {
    final Path dir;
    final Path config;
    final int port;
    final int jmxPort;
    private Process process;

    private TestServer(Path dir, Path config, int port, int jmxPort) {
        this.dir = dir;
        this.config = config;
        this.port = port;
        this.jmxPort = jmxPort;
    }

    /** The kiln-server binary: -Dkiln.server.bin, else target/debug/kiln-server above the working directory. */
    static File binary() {
        String p = System.getProperty("kiln.server.bin");
        if (p != null && !p.isEmpty()) {
            return new File(p);
        }
        File d = new File(System.getProperty("user.dir")).getAbsoluteFile();
        while (d != null) {
            File f = new File(d, "target/debug/kiln-server");
            if (f.canExecute()) {
                return f;
            }
            d = d.getParentFile();
        }
        throw new IllegalStateException("kiln-server binary not found: set -Dkiln.server.bin or run `cargo build -p kiln-server`");
    }

    static TestServer start() throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("kiln-java-test");
        int[] ports = freePorts(3);
        Path config = dir.resolve("tc-config.xml");
        String xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                + "<tc:tc-config xmlns:tc=\"http://www.terracotta.org/config\">\n"
                + "  <servers>\n"
                + "    <server host=\"127.0.0.1\" name=\"test\" bind=\"127.0.0.1\">\n"
                + "      <data>" + dir.resolve("data") + "</data>\n"
                + "      <logs>" + dir.resolve("logs") + "</logs>\n"
                + "      <dso-port>" + ports[0] + "</dso-port>\n"
                + "      <jmx-port>" + ports[1] + "</jmx-port>\n"
                + "      <l2-group-port>" + ports[2] + "</l2-group-port>\n"
                + "    </server>\n"
                + "  </servers>\n"
                + "</tc:tc-config>\n";
        Files.write(config, xml.getBytes(StandardCharsets.UTF_8));
        TestServer s = new TestServer(dir, config, ports[0], ports[1]);
        s.spawn();
        return s;
    }

    private void spawn() throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(binary().getPath(), "-f", config.toString());
        pb.directory(dir.toFile());
        pb.redirectErrorStream(true);
        pb.redirectOutput(dir.resolve("server.out").toFile());
        pb.environment().put("KILN_LOG", "info");
        process = pb.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("kiln-server exited at start: " + log());
            }
            if (listening(port) && listening(jmxPort)) {
                return;
            }
            Thread.sleep(20);
        }
        throw new IllegalStateException("kiln-server did not start within 20 s: " + log());
    }

    private static boolean listening(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** All ports held at once so the OS cannot hand out the same one twice. */
    static int[] freePorts(int n) throws IOException {
        ServerSocket[] held = new ServerSocket[n];
        int[] ports = new int[n];
        try {
            for (int i = 0; i < n; i++) {
                held[i] = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress());
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

    String addr() {
        return "127.0.0.1:" + port;
    }

    String log() {
        try {
            return new String(Files.readAllBytes(dir.resolve("server.out")), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    /** SIGKILL, and wait for the process to be gone. */
    void kill() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Override
    public void close() throws Exception {
        kill();
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}

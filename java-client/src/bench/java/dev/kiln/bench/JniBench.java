package dev.kiln.bench;

import dev.kiln.ClusterLock;
import dev.kiln.Kiln;
import dev.kiln.KilnCluster;
import dev.kiln.internal.Native;
import dev.kiln.internal.NativeLoader;
import java.io.File;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Issue #4 figures, each beside a baseline measured in the same run:
 * a JNI no-op call (baseline: a plain Java static call the JIT cannot remove) and an uncontended
 * {@code cluster.lock(name)} lock+unlock (baseline: {@link ReentrantLock}; goal ≤ 150 ns).
 * Starts its own kiln-server ({@code -Dkiln.server.bin}, release build) on free ports.
 * Run: {@code gradle --no-daemon -q :java-client:jniBench}.
 */
public final class JniBench {
    static volatile long sink;

    static long javaNoop(long x) {
        return x;
    }

    static int[] freePorts(int n) throws Exception {
        ServerSocket[] held = new ServerSocket[n];
        int[] ports = new int[n];
        for (int i = 0; i < n; i++) {
            held[i] = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress());
            ports[i] = held[i].getLocalPort();
        }
        for (ServerSocket s : held) {
            s.close();
        }
        return ports;
    }

    /** Median of {@code rounds} timed runs of {@code n} iterations, in ns per iteration. */
    interface Body {
        void run(long n);
    }

    static double median(int rounds, long n, Body b) {
        double[] r = new double[rounds];
        for (int i = 0; i < rounds; i++) {
            long t0 = System.nanoTime();
            b.run(n);
            r[i] = (System.nanoTime() - t0) / (double) n;
        }
        Arrays.sort(r);
        return r[rounds / 2];
    }

    public static void main(String[] args) throws Exception {
        boolean quick = args.length > 0 && args[0].equals("--quick");
        long scale = quick ? 10 : 1;
        NativeLoader.load();
        String server = System.getProperty("kiln.server.bin");
        if (server == null || !new File(server).canExecute()) {
            throw new IllegalStateException("-Dkiln.server.bin must name a kiln-server binary (release build)");
        }
        Path dir = Files.createTempDirectory("kiln-jnibench");
        int[] ports = freePorts(3);
        Path config = dir.resolve("tc-config.xml");
        Files.write(config, ("<tc-config><servers><server host=\"127.0.0.1\" name=\"bench\" bind=\"127.0.0.1\">"
                + "<data>" + dir.resolve("data") + "</data><logs>" + dir.resolve("logs") + "</logs>"
                + "<dso-port>" + ports[0] + "</dso-port><jmx-port>" + ports[1] + "</jmx-port>"
                + "<l2-group-port>" + ports[2] + "</l2-group-port></server></servers></tc-config>")
                .getBytes(StandardCharsets.UTF_8));
        Process p = new ProcessBuilder(server, "-f", config.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("server.out").toFile()).start();
        try {
            long deadline = System.currentTimeMillis() + 20_000;
            while (true) {
                try (Socket s = new Socket()) {
                    s.connect(new InetSocketAddress("127.0.0.1", ports[0]), 200);
                    break;
                } catch (Exception e) {
                    if (System.currentTimeMillis() > deadline) {
                        throw new IllegalStateException("kiln-server did not start");
                    }
                    Thread.sleep(20);
                }
            }
            System.out.println("kiln JNI bench (" + (quick ? "quick" : "full") + "), " + Native.version()
                    + ", java " + System.getProperty("java.version"));
            long n = 20_000_000 / scale;
            median(3, n, m -> { long a = 0; for (long i = 0; i < m; i++) { a += Native.noop(i); } sink = a; });
            double jni = median(5, n, m -> { long a = 0; for (long i = 0; i < m; i++) { a += Native.noop(i); } sink = a; });
            double java = median(5, n, m -> { long a = 0; for (long i = 0; i < m; i++) { a += javaNoop(i ^ sink); } sink = a; });
            System.out.printf("| JNI no-op call (Native.noop) | %.1f ns | Java static call %.2f ns | %.0fx | context |%n",
                    jni, java, jni / Math.max(java, 0.01));
            try (KilnCluster c = Kiln.connect("127.0.0.1:" + ports[0], "jnibench", 10_000)) {
                ClusterLock l = c.lock("bench");
                ReentrantLock rl = new ReentrantLock();
                long m = 2_000_000 / scale;
                median(3, m, k -> { for (long i = 0; i < k; i++) { l.lock(); l.unlock(); } });
                double cluster = median(5, m, k -> { for (long i = 0; i < k; i++) { l.lock(); l.unlock(); } });
                double local = median(5, m, k -> { for (long i = 0; i < k; i++) { rl.lock(); rl.unlock(); } });
                System.out.printf("| uncontended cluster.lock(name) lock+unlock | %.0f ns | ReentrantLock %.1f ns | %.0fx; %.2fx goal | <= 150 ns |%n",
                        cluster, local, cluster / Math.max(local, 0.01), cluster / 150.0);
            }
        } finally {
            p.destroyForcibly();
            p.waitFor();
        }
    }
}

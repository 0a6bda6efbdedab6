package dev.kiln.hzbench;

import com.hazelcast.client.HazelcastClient;
import com.hazelcast.client.config.ClientConfig;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.instance.BuildInfoProvider;
import dev.kiln.Kiln;
import dev.kiln.KilnCluster;
import dev.kiln.internal.Native;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Stream;

/**
 * Issue #4: shared map put and get ops/s from one JVM with 4 threads, Kiln beside Hazelcast in the
 * same run, same keys and values.
 *
 * <ul>
 *   <li>Kiln: a release {@code kiln-server} ({@code -Dkiln.server.bin}, in memory) on free loopback
 *       ports, {@code Kiln.connect("127.0.0.1:PORT").map("bench")} ({@code dev.kiln.SharedMap}).</li>
 *   <li>Hazelcast: one member ({@link HazelcastMember}) in a child JVM (same java binary, classpath
 *       from {@code -Dhzbench.member.classpath} else {@code java.class.path}) on 127.0.0.1, TCP-IP
 *       join only, no phone-home; a {@code HazelcastClient} (default routing: to the partition owner, no near cache) in this
 *       JVM, {@code getMap("bench")} ({@code IMap}).</li>
 * </ul>
 *
 * <p>Workload, identical for both: {@code bench.threads} (4) threads; thread {@code t}'s op
 * {@code i} uses key {@code "k" + ((t * keys/threads + i) % keys)} over one shared key space of
 * {@code bench.keys} (10,000) pre-built key strings; the value is one 100-character ASCII String.
 * Phase "put" ({@code map.put}) then phase "get" ({@code map.get}, every key present). Per phase and
 * system one warm-up of {@code bench.warmup.secs} (2), then {@code bench.repeat} (3) measured runs
 * of {@code bench.secs} (5) each, the two systems alternating (and swapping who goes first each
 * round); the figure is the median. A Kiln put run's time includes a final {@code cluster.flush()}
 * (every committed transaction acknowledged by the server), since Kiln commits asynchronously and a
 * Hazelcast put returns after the member's answer.
 *
 * <p>Run: {@code gradle --no-daemon -q :java-client:hazelcastBench}. Every child process (the
 * kiln-server, the member JVM) is killed on exit, also on failure (finally and a shutdown hook).
 */
public final class HazelcastBench {
    private static final List<Process> CHILDREN = new CopyOnWriteArrayList<>();
    // Strong reference: java.util.logging keeps loggers weakly.
    private static final Logger HZ_LOG = Logger.getLogger("com.hazelcast");

    static volatile long sink;

    private HazelcastBench() {
    }

    /** One system under test. */
    private interface Target {
        String name();

        ConcurrentMap<String, String> map();

        /** Run after a put run's threads stopped, inside the timed window. */
        void afterPuts();
    }

    public static void main(String[] args) throws Exception {
        int secs = Integer.getInteger("bench.secs", 5);
        int warmup = Integer.getInteger("bench.warmup.secs", 2);
        int repeat = Integer.getInteger("bench.repeat", 3);
        int threads = Integer.getInteger("bench.threads", 4);
        int nkeys = Integer.getInteger("bench.keys", 10_000);
        HZ_LOG.setLevel(Level.WARNING);

        String[] keys = new String[nkeys];
        for (int i = 0; i < nkeys; i++) {
            keys[i] = "k" + i;
        }
        char[] vc = new char[100];
        for (int i = 0; i < vc.length; i++) {
            vc[i] = (char) ('a' + i % 26);
        }
        String value = new String(vc);

        String server = System.getProperty("kiln.server.bin");
        if (server == null || !new File(server).canExecute()) {
            throw new IllegalStateException("-Dkiln.server.bin must name a kiln-server binary (release build)");
        }
        Runtime.getRuntime().addShutdownHook(new Thread(HazelcastBench::killChildren, "hzbench-cleanup"));

        Path dir = Files.createTempDirectory("kiln-hzbench");
        int[] ports = freePorts(4);
        KilnCluster kiln = null;
        HazelcastInstance hzClient = null;
        boolean ok = false;
        try {
            startKilnServer(server, dir, ports[0], ports[1], ports[2]);
            String clusterName = "kiln-hzbench-" + ProcessHandle.current().pid();
            Process member = startMember(dir, ports[3], clusterName);

            kiln = Kiln.connect("127.0.0.1:" + ports[0]);
            KilnCluster kc = kiln;
            ConcurrentMap<String, String> kmap = kiln.map("bench");

            ClientConfig cc = new ClientConfig();
            cc.setClusterName(clusterName);
            cc.setProperty("hazelcast.phone.home.enabled", "false");
            cc.getNetworkConfig().addAddress("127.0.0.1:" + ports[3]);
            cc.getConnectionStrategyConfig().getConnectionRetryConfig().setClusterConnectTimeoutMillis(30_000);
            hzClient = HazelcastClient.newHazelcastClient(cc);
            ConcurrentMap<String, String> hmap = hzClient.getMap("bench");

            Target[] targets = {
                new Target() {
                    public String name() {
                        return "Kiln";
                    }

                    public ConcurrentMap<String, String> map() {
                        return kmap;
                    }

                    public void afterPuts() {
                        kc.flush();
                    }
                },
                new Target() {
                    public String name() {
                        return "Hazelcast";
                    }

                    public ConcurrentMap<String, String> map() {
                        return hmap;
                    }

                    public void afterPuts() {
                    }
                },
            };

            System.out.println("Shared map put/get: Kiln vs Hazelcast, " + threads + " threads, " + nkeys
                    + " keys, 100-char String values; warm-up " + warmup + " s, " + repeat + " x " + secs
                    + " s per system and phase (median)");
            System.out.println("  java " + System.getProperty("java.version") + ", "
                    + Runtime.getRuntime().availableProcessors() + " cores; " + Native.version()
                    + "; Hazelcast " + BuildInfoProvider.getBuildInfo().getVersion()
                    + " (member pid " + member.pid() + ", client default routing, no near cache)");
            System.out.println("  load average at start: " + loadAverage()
                    + " (the kiln-server, the member JVM and this JVM share the machine's cores)");

            String[] phases = {"put", "get"};
            double[][][] results = new double[phases.length][targets.length][repeat];
            for (int ph = 0; ph < phases.length; ph++) {
                boolean put = phases[ph].equals("put");
                for (Target t : targets) {
                    run(t, put, threads, keys, value, warmup);
                }
                for (int r = 0; r < repeat; r++) {
                    for (int j = 0; j < targets.length; j++) {
                        int ti = (r % 2 == 0) ? j : targets.length - 1 - j;
                        double[] m = run(targets[ti], put, threads, keys, value, secs);
                        results[ph][ti][r] = m[0];
                        System.out.printf(Locale.ROOT, "  %-9s %s run %d: %,.0f ops/s%s%n",
                                targets[ti].name(), phases[ph], r + 1, m[0],
                                put && ti == 0 ? String.format(Locale.ROOT, " (final flush %.1f ms, in the window)", m[1]) : "");
                    }
                }
            }
            // Both maps must hold exactly the keys written.
            for (Target t : targets) {
                int size = t.map().size();
                if (size != nkeys) {
                    throw new IllegalStateException(t.name() + " map holds " + size + " entries, expected " + nkeys);
                }
            }

            System.out.println();
            System.out.println("| system | phase | ops/s (median of " + repeat + ") | range |");
            System.out.println("|---|---|---|---|");
            for (int ph = 0; ph < phases.length; ph++) {
                for (int ti = 0; ti < targets.length; ti++) {
                    double[] v = results[ph][ti].clone();
                    Arrays.sort(v);
                    System.out.printf(Locale.ROOT, "| %s | %s | %,.0f | %,.0f – %,.0f |%n",
                            targets[ti].name(), phases[ph], v[v.length / 2], v[0], v[v.length - 1]);
                }
            }
            System.out.println();
            for (int ph = 0; ph < phases.length; ph++) {
                double k = median(results[ph][0]);
                double h = median(results[ph][1]);
                double ratio = k / h;
                System.out.printf(Locale.ROOT, "%s: Kiln/Hazelcast = %.2fx (goal >= 3x: %s)%n",
                        phases[ph], ratio, ratio >= 3.0 ? "met" : "NOT met");
            }
            transparent(dir, ports[0], clusterName, ports[3], threads, nkeys, secs, warmup, repeat,
                    median(results[0][1]), keys, value);
            System.out.println("load average at end: " + loadAverage());
            ok = true;
        } finally {
            if (hzClient != null) {
                try {
                    hzClient.shutdown();
                } catch (RuntimeException e) {
                    System.err.println("hzbench: Hazelcast client shutdown: " + e);
                }
            }
            if (kiln != null) {
                try {
                    kiln.close();
                } catch (RuntimeException e) {
                    System.err.println("hzbench: Kiln close: " + e);
                }
            }
            killChildren();
            if (!ok) {
                System.err.println("hzbench: failed; logs: " + tail(dir.resolve("server.out")) + "\n--- member:\n"
                        + tail(dir.resolve("member.out")));
            }
            deleteTree(dir);
        }
        // Non-daemon threads of the Hazelcast client may linger; this is a main program.
        System.exit(0);
    }

    /**
     * Issue #10: a plain Java program's {@code java.util.HashMap} root shared by the transparent
     * agent (hzbench.tx.TxMapWork in a child JVM with -javaagent: put under a write lock, get
     * under a read lock, the put window ending with a synchronous-write acknowledgement), beside
     * Hazelcast: puts against the client above (near cache does not apply to puts), gets against
     * a second Hazelcast client with a near cache on the map. Same threads, keys, values, phases.
     */
    static void transparent(Path dir, int kilnPort, String clusterName, int hzPort, int threads, int nkeys, int secs,
                            int warmup, int repeat, double hzPut, String[] keys, String value) throws Exception {
        String jar = System.getProperty("kiln.agent.jar");
        String classes = System.getProperty("hzbench.classes");
        if (jar == null || classes == null) {
            System.out.println("transparent map: skipped (-Dkiln.agent.jar and -Dhzbench.classes not set)");
            return;
        }
        ClientConfig cc = new ClientConfig();
        cc.setClusterName(clusterName);
        cc.setProperty("hazelcast.phone.home.enabled", "false");
        cc.getNetworkConfig().addAddress("127.0.0.1:" + hzPort);
        cc.addNearCacheConfig(new com.hazelcast.config.NearCacheConfig("bench"));
        HazelcastInstance near = HazelcastClient.newHazelcastClient(cc);
        double[] nearGets = new double[repeat];
        try {
            ConcurrentMap<String, String> nmap = near.getMap("bench");
            Target nt = new Target() {
                public String name() {
                    return "Hazelcast+near-cache";
                }

                public ConcurrentMap<String, String> map() {
                    return nmap;
                }

                public void afterPuts() {
                }
            };
            run(nt, false, threads, keys, value, warmup);
            for (int r = 0; r < repeat; r++) {
                nearGets[r] = run(nt, false, threads, keys, value, secs)[0];
                System.out.printf(Locale.ROOT, "  %-20s get run %d: %,.0f ops/s%n", nt.name(), r + 1, nearGets[r]);
            }
        } finally {
            near.shutdown();
        }
        Path cfg = dir.resolve("tx-config.xml");
        Files.write(cfg, ("<tc:tc-config xmlns:tc=\"http://www.terracotta.org/config\"><servers><server host=\"127.0.0.1\">"
                + "<dso-port>" + kilnPort + "</dso-port></server></servers><application><dso><roots><root>"
                + "<field-name>hzbench.tx.TxMapWork.map</field-name></root></roots><instrumented-classes><include>"
                + "<class-expression>hzbench.tx.*</class-expression></include></instrumented-classes><locks>"
                + "<autolock><method-expression>* hzbench.tx.TxMapWork.put(..)</method-expression><lock-level>write</lock-level></autolock>"
                + "<autolock><method-expression>* hzbench.tx.TxMapWork.get(..)</method-expression><lock-level>read</lock-level></autolock>"
                + "<autolock><method-expression>* hzbench.tx.TxMapWork.flush()</method-expression><lock-level>synchronous-write</lock-level></autolock>"
                + "</locks></dso></application></tc:tc-config>").getBytes(StandardCharsets.UTF_8));
        String java = new File(System.getProperty("java.home"), "bin/java").getPath();
        Process p = new ProcessBuilder(java, "-javaagent:" + jar, "-Dtc.config=" + cfg, "-cp", classes,
                "hzbench.tx.TxMapWork", "" + threads, "" + nkeys, "" + secs, "" + warmup, "" + repeat)
                .redirectErrorStream(true).redirectOutput(dir.resolve("tx.out").toFile()).start();
        CHILDREN.add(p);
        if (!p.waitFor(600, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IllegalStateException("transparent map JVM failed:\n" + tail(dir.resolve("tx.out")));
        }
        List<Double> puts = new ArrayList<>();
        List<Double> gets = new ArrayList<>();
        for (String line : Files.readAllLines(dir.resolve("tx.out"), StandardCharsets.UTF_8)) {
            String[] kv = line.trim().split(" ");
            if (kv.length == 2 && (kv[0].equals("put") || kv[0].equals("get"))) {
                (kv[0].equals("put") ? puts : gets).add(Double.parseDouble(kv[1]));
            }
        }
        if (puts.size() != repeat || gets.size() != repeat) {
            throw new IllegalStateException("transparent map JVM printed " + puts + " / " + gets + ":\n" + tail(dir.resolve("tx.out")));
        }
        for (int r = 0; r < repeat; r++) {
            System.out.printf(Locale.ROOT, "  %-20s put run %d: %,.0f ops/s, get run %d: %,.0f ops/s%n",
                    "Kiln transparent", r + 1, puts.get(r), r + 1, gets.get(r));
        }
        double tp = median(puts.stream().mapToDouble(Double::doubleValue).toArray());
        double tg = median(gets.stream().mapToDouble(Double::doubleValue).toArray());
        double hg = median(nearGets);
        System.out.println();
        System.out.println("| transparent HashMap (agent) | put | " + String.format(Locale.ROOT, "%,.0f", tp) + " | vs Hazelcast "
                + String.format(Locale.ROOT, "%,.0f: %.2fx (goal >= 5x: %s)", hzPut, tp / hzPut, tp / hzPut >= 5 ? "met" : "NOT met") + " |");
        System.out.println("| transparent HashMap (agent) | get | " + String.format(Locale.ROOT, "%,.0f", tg) + " | vs Hazelcast near cache "
                + String.format(Locale.ROOT, "%,.0f: %.2fx (goal >= 5x: %s)", hg, tg / hg, tg / hg >= 5 ? "met" : "NOT met") + " |");
    }

    /**
     * One timed run: {ops/s over all threads, ms spent in afterPuts}; {@code afterPuts} is inside
     * the window for puts.
     */
    static double[] run(Target t, boolean put, int threads, String[] keys, String value, int secs) throws Exception {
        ConcurrentMap<String, String> map = t.map();
        int nkeys = keys.length;
        long[] counts = new long[threads * 16]; // padded: one slot per 128 bytes
        AtomicReference<Throwable> failure = new AtomicReference<>();
        CountDownLatch start = new CountDownLatch(1);
        StopFlag flag = new StopFlag();
        Thread[] ts = new Thread[threads];
        for (int k = 0; k < threads; k++) {
            final int id = k;
            ts[k] = new Thread(() -> {
                long i = (long) id * (nkeys / threads);
                long n = 0;
                long bad = 0;
                try {
                    start.await();
                    if (put) {
                        while (!flag.stop) {
                            map.put(keys[(int) (i % nkeys)], value);
                            i++;
                            n++;
                        }
                    } else {
                        while (!flag.stop) {
                            String v = map.get(keys[(int) (i % nkeys)]);
                            if (v == null || v.length() != 100) {
                                bad++;
                            }
                            i++;
                            n++;
                        }
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
                counts[id * 16] = n;
                if (bad != 0) {
                    failure.compareAndSet(null, new IllegalStateException(t.name() + " get: " + bad + " missing or wrong values"));
                }
            }, "hzbench-" + t.name() + "-" + k);
            ts[k].start();
        }
        long t0 = System.nanoTime();
        start.countDown();
        Thread.sleep(secs * 1000L);
        flag.stop = true;
        for (Thread th : ts) {
            th.join(TimeUnit.SECONDS.toMillis(60));
            if (th.isAlive()) {
                throw new IllegalStateException(th.getName() + " did not stop within 60 s");
            }
        }
        long tf = System.nanoTime();
        if (put) {
            t.afterPuts();
        }
        long t1 = System.nanoTime();
        if (failure.get() != null) {
            throw new IllegalStateException(t.name() + (put ? " put" : " get") + " run failed", failure.get());
        }
        long total = 0;
        for (int k = 0; k < threads; k++) {
            total += counts[k * 16];
        }
        return new double[] {total / ((t1 - t0) / 1e9), (t1 - tf) / 1e6};
    }

    static final class StopFlag {
        volatile boolean stop;
    }

    static double median(double[] v) {
        double[] c = v.clone();
        Arrays.sort(c);
        return c[c.length / 2];
    }

    // ------------------------------------------------------------------ processes

    static void startKilnServer(String server, Path dir, int port, int jmxPort, int groupPort) throws Exception {
        Path config = dir.resolve("tc-config.xml");
        String xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                + "<tc:tc-config xmlns:tc=\"http://www.terracotta.org/config\">\n"
                + "  <servers>\n"
                + "    <server host=\"127.0.0.1\" name=\"hzbench\" bind=\"127.0.0.1\">\n"
                + "      <data>" + dir.resolve("data") + "</data>\n"
                + "      <logs>" + dir.resolve("logs") + "</logs>\n"
                + "      <dso-port>" + port + "</dso-port>\n"
                + "      <jmx-port>" + jmxPort + "</jmx-port>\n"
                + "      <l2-group-port>" + groupPort + "</l2-group-port>\n"
                + "    </server>\n"
                + "  </servers>\n"
                + "</tc:tc-config>\n";
        Files.write(config, xml.getBytes(StandardCharsets.UTF_8));
        ProcessBuilder pb = new ProcessBuilder(server, "-f", config.toString());
        pb.directory(dir.toFile());
        pb.redirectErrorStream(true);
        pb.redirectOutput(dir.resolve("server.out").toFile());
        Process p = pb.start();
        CHILDREN.add(p);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!(listening(port) && listening(jmxPort))) {
            if (!p.isAlive()) {
                throw new IllegalStateException("kiln-server exited at start: " + tail(dir.resolve("server.out")));
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("kiln-server did not start within 20 s: " + tail(dir.resolve("server.out")));
            }
            Thread.sleep(20);
        }
    }

    /** The member JVM; returns once it printed READY (at most 60 s), its output going to member.out. */
    static Process startMember(Path dir, int port, String clusterName) throws Exception {
        String java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
        String cp = System.getProperty("hzbench.member.classpath", System.getProperty("java.class.path"));
        // Absolute entries: the member runs in the bench's temp directory.
        StringBuilder abs = new StringBuilder();
        for (String e : cp.split(File.pathSeparator)) {
            if (!e.isEmpty()) {
                abs.append(abs.length() == 0 ? "" : File.pathSeparator).append(new File(e).getAbsolutePath());
            }
        }
        cp = abs.toString();
        List<String> cmd = new ArrayList<>(Arrays.asList(java,
                // The module openings Hazelcast's docs recommend for members on Java 9+.
                "--add-modules", "java.se",
                "--add-exports", "java.base/jdk.internal.ref=ALL-UNNAMED",
                "--add-opens", "java.base/java.lang=ALL-UNNAMED",
                "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED",
                "--add-opens", "java.management/sun.management=ALL-UNNAMED",
                "--add-opens", "jdk.management/com.sun.management.internal=ALL-UNNAMED",
                "-Dhazelcast.phone.home.enabled=false",
                "-cp", cp, HazelcastMember.class.getName(), Integer.toString(port), clusterName));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.directory(dir.toFile());
        pb.redirectErrorStream(true);
        Process p = pb.start();
        CHILDREN.add(p);
        CountDownLatch ready = new CountDownLatch(1);
        Path log = dir.resolve("member.out");
        Thread pump = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
                 PrintWriter w = new PrintWriter(Files.newBufferedWriter(log, StandardCharsets.UTF_8), true)) {
                String line;
                while ((line = r.readLine()) != null) {
                    w.println(line);
                    if (line.startsWith(HazelcastMember.READY)) {
                        ready.countDown();
                    }
                }
            } catch (IOException e) {
                // the process is gone
            }
        }, "hzbench-member-output");
        pump.setDaemon(true);
        pump.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!ready.await(100, TimeUnit.MILLISECONDS)) {
            if (!p.isAlive()) {
                throw new IllegalStateException("Hazelcast member exited at start (" + p.exitValue() + ")");
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("Hazelcast member not ready within 60 s");
            }
        }
        return p;
    }

    static void killChildren() {
        for (Process p : CHILDREN) {
            if (p.isAlive()) {
                p.destroyForcibly();
                try {
                    p.waitFor(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }

    /** /proc/loadavg's first three fields, or "n/a". */
    static String loadAverage() {
        try {
            String[] f = new String(Files.readAllBytes(Paths.get("/proc/loadavg")), StandardCharsets.US_ASCII).trim().split("\\s+");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException | RuntimeException e) {
            return "n/a";
        }
    }

    static boolean listening(int port) {
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

    static String tail(Path f) {
        try {
            List<String> lines = Files.readAllLines(f, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        } catch (IOException e) {
            return "(no " + f.getFileName() + ": " + e + ")";
        }
    }

    static void deleteTree(Path dir) {
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            System.err.println("hzbench: could not delete " + dir + ": " + e);
        }
    }
}

package dev.kiln.bench;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * gradle --no-daemon -q :java-client:agentBench (second part) — the transparent agent against a
 * real release kiln-server: (1) an uncontended {@code synchronized} on a shared object
 * re-acquired through the greedy cluster lock, beside a JVM monitor in the same JVM
 * (benchshared.SharedWork); (2) JVM start to the end of {@code main} of a generated 200-class
 * application (every class instrumented, loaded and run once) with and without the agent,
 * median of 5 JVMs each, alternated, same run.
 */
public final class SharedSyncBench {
    private SharedSyncBench() {}

    public static void main(String[] args) throws Exception {
        String jar = System.getProperty("kiln.agent.jar");
        String cp = System.getProperty("agentbench.classpath");
        String server = System.getProperty("kiln.server.bin");
        if (server == null || !new File(server).canExecute()) {
            throw new IllegalStateException("-Dkiln.server.bin must name a kiln-server binary (release build)");
        }
        Path dir = Files.createTempDirectory("kiln-shared-bench");
        int[] ports = freePorts(3);
        Path scfg = dir.resolve("server.xml");
        Files.write(scfg, ("<tc-config><servers><server host=\"127.0.0.1\" name=\"bench\" bind=\"127.0.0.1\">"
                + "<data>" + dir.resolve("data") + "</data><logs>" + dir.resolve("logs") + "</logs>"
                + "<dso-port>" + ports[0] + "</dso-port><jmx-port>" + ports[1] + "</jmx-port>"
                + "<l2-group-port>" + ports[2] + "</l2-group-port></server></servers></tc-config>")
                .getBytes(StandardCharsets.UTF_8));
        Process srv = new ProcessBuilder(server, "-f", scfg.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("server.out").toFile()).start();
        try {
            waitListening(ports[0]);
            String java = new File(System.getProperty("java.home"), "bin/java").getPath();
            Path cfg = dir.resolve("tc-config.xml");
            Files.write(cfg, ("<tc:tc-config xmlns:tc=\"http://www.terracotta.org/config\"><servers><server host=\"127.0.0.1\">"
                    + "<dso-port>" + ports[0] + "</dso-port></server></servers><application><dso><roots><root>"
                    + "<field-name>benchshared.SharedWork.shared</field-name></root></roots><instrumented-classes>"
                    + "<include><class-expression>benchshared.*</class-expression></include>"
                    + "<include><class-expression>gen.*</class-expression></include></instrumented-classes>"
                    + "<locks><autolock><method-expression>* benchshared.*.read*(..)</method-expression>"
                    + "<lock-level>read</lock-level></autolock>"
                    + "<autolock><method-expression>* benchshared.*.*(..)</method-expression></autolock>"
                    + "<autolock><method-expression>* gen.*.*(..)</method-expression></autolock></locks>"
                    + "</dso></application></tc:tc-config>").getBytes(StandardCharsets.UTF_8));
            List<String> agent = Arrays.asList(java, "-javaagent:" + jar, "-Dtc.config=" + cfg,
                    "-Dkiln.connect.timeout=20000");

            Map<String, Double> r = new LinkedHashMap<>();
            for (int round = 0; round < 2; round++) {
                List<String> cmd = new ArrayList<>(agent);
                cmd.addAll(Arrays.asList("-cp", cp, "benchshared.SharedWork", "200000"));
                for (Map.Entry<String, Double> e : run(cmd).entrySet()) {
                    r.merge(e.getKey(), e.getValue(), Math::min);
                }
                // The same with parked read leases off (every read re-acquire through lockFast).
                List<String> off = new ArrayList<>(agent);
                off.addAll(Arrays.asList("-Dkiln.readLeases=false", "-cp", cp, "benchshared.SharedWork", "200000"));
                for (Map.Entry<String, Double> e : run(off).entrySet()) {
                    r.merge(e.getKey() + "/off", e.getValue(), Math::min);
                }
            }
            System.out.println("agent bench against a release kiln-server (best of 2 JVMs, same run)");
            double jvm = r.get("jvm-monitor");
            for (String k : Arrays.asList("shared-sync", "shared-sync-write", "shared-read", "shared-read-4t",
                    "private-sync", "jvm-monitor")) {
                double v = r.get(k);
                System.out.printf("  %-18s %9.1f ns/op   %6.1fx a JVM monitor%n", k, v, v / jvm);
            }
            System.out.printf("  shared-sync vs the issue's 150 ns: %.2fx%n", r.get("shared-sync") / 150.0);
            for (String k : Arrays.asList("shared-read", "shared-read-4t")) {
                System.out.printf("  %-18s %9.1f ns/op with -Dkiln.readLeases=false; parked lease %.2fx faster%n",
                        k, r.get(k + "/off"), r.get(k + "/off") / r.get(k));
            }

            Path app = generate(dir.resolve("gen"), 200);
            List<String> plainCmd = Arrays.asList(java, "-cp", app.toString(), "gen.Main");
            List<String> agentCmd = new ArrayList<>(agent);
            agentCmd.addAll(Arrays.asList("-cp", app.toString(), "gen.Main"));
            List<Double> without = new ArrayList<>();
            List<Double> with = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                without.add(wall(plainCmd));
                with.add(wall(agentCmd));
            }
            double a = median(without);
            double b = median(with);
            System.out.printf("  JVM start to end of main, 200-class app: without agent %.0f ms, with agent %.0f ms,"
                    + " overhead %.0f ms (issue: <= 400 ms)%n", a, b, b - a);
        } finally {
            srv.destroy();
            if (!srv.waitFor(10, TimeUnit.SECONDS)) {
                srv.destroyForcibly();
            }
        }
    }

    /** Writes and compiles gen.C0..C{n-1} (each with fields, a synchronized method) and gen.Main using all. */
    private static Path generate(Path src, int n) throws Exception {
        Path pkg = src.resolve("gen");
        Files.createDirectories(pkg);
        List<String> files = new ArrayList<>();
        StringBuilder main = new StringBuilder("package gen;\npublic class Main {\n  public static void main(String[] a) {\n    long s = 0;\n");
        for (int i = 0; i < n; i++) {
            String body = "package gen;\npublic class C" + i + " {\n  int a; long b; String c = \"c" + i + "\";\n"
                    + "  public synchronized long work(int x) { a += x; b = a * 31L; return b + c.length(); }\n"
                    + "  public String toString() { return c + a + b; }\n}\n";
            Path f = pkg.resolve("C" + i + ".java");
            Files.write(f, body.getBytes(StandardCharsets.UTF_8));
            files.add(f.toString());
            main.append("    s += new C").append(i).append("().work(").append(i).append(");\n");
        }
        main.append("    System.out.println(\"sum \" + s);\n  }\n}\n");
        Path m = pkg.resolve("Main.java");
        Files.write(m, main.toString().getBytes(StandardCharsets.UTF_8));
        files.add(m.toString());
        javax.tools.JavaCompiler javac = javax.tools.ToolProvider.getSystemJavaCompiler();
        if (javac == null) {
            throw new IllegalStateException("the start-time bench needs a JDK (javax.tools) to compile its 200 classes");
        }
        List<String> opts = new ArrayList<>(Arrays.asList("-d", src.toString()));
        opts.addAll(files);
        if (javac.run(null, null, null, opts.toArray(new String[0])) != 0) {
            throw new IllegalStateException("could not compile the generated application");
        }
        return src;
    }

    private static double wall(List<String> cmd) throws Exception {
        long t0 = System.nanoTime();
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IllegalStateException("JVM failed: " + cmd + "\n" + new String(out, StandardCharsets.UTF_8));
        }
        return (System.nanoTime() - t0) / 1e6;
    }

    private static double median(List<Double> v) {
        List<Double> s = new ArrayList<>(v);
        s.sort(null);
        return s.get(s.size() / 2);
    }

    static Map<String, Double> run(List<String> cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(false).start();
        Map<String, Double> out = new LinkedHashMap<>();
        StringBuilder all = new StringBuilder();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                all.append(line).append('\n');
                String[] kv = line.trim().split(" ");
                if (kv.length == 2 && !kv[0].equals("count")) {
                    out.put(kv[0], Double.parseDouble(kv[1]));
                }
            }
        }
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IllegalStateException("bench JVM failed: " + cmd + "\n" + all + err);
        }
        return out;
    }

    static void waitListening(int port) throws Exception {
        long deadline = System.currentTimeMillis() + 20_000;
        while (true) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException e) {
                if (System.currentTimeMillis() > deadline) {
                    throw new IllegalStateException("kiln-server did not start");
                }
                Thread.sleep(20);
            }
        }
    }

    static int[] freePorts(int n) throws IOException {
        int[] p = new int[n];
        List<ServerSocket> open = new ArrayList<>();
        try {
            for (int i = 0; i < n; i++) {
                ServerSocket s = new ServerSocket(0);
                open.add(s);
                p[i] = s.getLocalPort();
            }
        } finally {
            for (ServerSocket s : open) {
                s.close();
            }
        }
        return p;
    }
}

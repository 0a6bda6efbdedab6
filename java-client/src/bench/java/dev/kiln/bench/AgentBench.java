package dev.kiln.bench;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
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
 * gradle --no-daemon -q :java-client:agentBench — the transparent agent's cost on non-shared
 * objects: benchapp.Work (synchronized on a non-shared object inside an autolocked method, field
 * read and write of an instrumented object, HashMap put+get) in a child JVM without the agent and
 * one with it (same run, alternated, best of each), and JVM start-to-exit of a trivial main.
 * Prints ns/op and the ratio.
 */
public final class AgentBench {
    private AgentBench() {}

    public static void main(String[] args) throws Exception {
        String jar = System.getProperty("kiln.agent.jar");
        String cp = System.getProperty("agentbench.classpath");
        Path dir = Files.createTempDirectory("kiln-agent-bench");
        Path cfg = dir.resolve("tc-config.xml");
        String xml = "<tc:tc-config xmlns:tc=\"http://www.terracotta.org/config\"><servers><server host=\"127.0.0.1\">"
                + "<dso-port>1</dso-port></server></servers><application><dso><instrumented-classes><include>"
                + "<class-expression>benchapp.*</class-expression></include></instrumented-classes><locks><autolock>"
                + "<method-expression>* benchapp.*.*(..)</method-expression></autolock></locks></dso></application>"
                + "</tc:tc-config>";
        Files.write(cfg, xml.getBytes(StandardCharsets.UTF_8));
        String java = new File(System.getProperty("java.home"), "bin/java").getPath();
        List<String> plain = Arrays.asList(java, "-cp", cp, "benchapp.Work");
        List<String> agent = Arrays.asList(java, "-javaagent:" + jar, "-Dtc.config=" + cfg,
                "-Dkiln.connect.timeout=200", "-cp", cp, "benchapp.Work");
        Map<String, Double> base = new LinkedHashMap<>();
        Map<String, Double> with = new LinkedHashMap<>();
        for (int round = 0; round < 3; round++) {
            merge(base, run(plain));
            merge(with, run(agent));
        }
        System.out.println("agent bench (non-shared objects; best of 3 child JVMs each, same run)");
        for (String k : base.keySet()) {
            double b = base.get(k);
            double a = with.get(k);
            System.out.printf("  %-8s without agent %8.3f ns/op   with agent %8.3f ns/op   ratio %.2fx%n", k, b, a, a / b);
        }
        if (System.getProperty("kiln.server.bin") != null) {
            SharedSyncBench.main(args);
        }
        try {
            for (File f : dir.toFile().listFiles()) {
                f.delete();
            }
            dir.toFile().delete();
        } catch (RuntimeException ignored) {
            // temp files only
        }
    }

    private static void merge(Map<String, Double> into, Map<String, Double> m) {
        for (Map.Entry<String, Double> e : m.entrySet()) {
            into.merge(e.getKey(), e.getValue(), Math::min);
        }
    }

    private static Map<String, Double> run(List<String> cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        Map<String, Double> out = new LinkedHashMap<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                String[] kv = line.trim().split(" ");
                if (kv.length == 2) {
                    out.put(kv[0], Double.parseDouble(kv[1]));
                }
            }
        }
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IllegalStateException("bench JVM failed: " + cmd);
        }
        return out;
    }
}

package dev.kiln.bench;

import java.io.File;
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
 * gradle --no-daemon -q -p . :java-client:arrayBench — the cost of the shared-array barriers on
 * arrays that are NOT shared (element stores, System.arraycopy and Arrays.fill rewritten in
 * instrumented classes), before and after an array was shared in the JVM, beside the same code
 * in a JVM without the agent (same run, alternated, best of 3 JVMs each); and a 16-element
 * System.arraycopy into a shared array under its greedy cluster lock. Against a release
 * kiln-server.
 */
public final class ArrayBench {
    private ArrayBench() {}

    public static void main(String[] args) throws Exception {
        String jar = System.getProperty("kiln.agent.jar");
        String cp = System.getProperty("agentbench.classpath");
        String server = System.getProperty("kiln.server.bin");
        if (server == null || !new File(server).canExecute()) {
            throw new IllegalStateException("-Dkiln.server.bin must name a kiln-server binary (release build)");
        }
        Path dir = Files.createTempDirectory("kiln-array-bench");
        int[] ports = SharedSyncBench.freePorts(3);
        Path scfg = dir.resolve("server.xml");
        Files.write(scfg, ("<tc-config><servers><server host=\"127.0.0.1\" name=\"bench\" bind=\"127.0.0.1\">"
                + "<data>" + dir.resolve("data") + "</data><logs>" + dir.resolve("logs") + "</logs>"
                + "<dso-port>" + ports[0] + "</dso-port><jmx-port>" + ports[1] + "</jmx-port>"
                + "<l2-group-port>" + ports[2] + "</l2-group-port></server></servers></tc-config>")
                .getBytes(StandardCharsets.UTF_8));
        Process srv = new ProcessBuilder(server, "-f", scfg.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("server.out").toFile()).start();
        try {
            SharedSyncBench.waitListening(ports[0]);
            String java = new File(System.getProperty("java.home"), "bin/java").getPath();
            Path cfg = dir.resolve("tc-config.xml");
            Files.write(cfg, ("<tc:tc-config xmlns:tc=\"http://www.terracotta.org/config\"><servers><server host=\"127.0.0.1\">"
                    + "<dso-port>" + ports[0] + "</dso-port></server></servers><application><dso><roots><root>"
                    + "<field-name>bencharrays.ArrayWork.shared</field-name></root></roots><instrumented-classes>"
                    + "<include><class-expression>bencharrays.*</class-expression></include></instrumented-classes>"
                    + "<locks><autolock><method-expression>* bencharrays.*.*(..)</method-expression></autolock></locks>"
                    + "</dso></application></tc:tc-config>").getBytes(StandardCharsets.UTF_8));
            List<String> plain = Arrays.asList(java, "-cp", cp, "bencharrays.ArrayWork", "2000000");
            List<String> agent = Arrays.asList(java, "-javaagent:" + jar, "-Dtc.config=" + cfg,
                    "-Dkiln.connect.timeout=20000", "-cp", cp, "bencharrays.ArrayWork", "2000000");
            Map<String, Double> base = new LinkedHashMap<>();
            Map<String, Double> with = new LinkedHashMap<>();
            for (int round = 0; round < 3; round++) {
                base = merge(base, SharedSyncBench.run(plain));
                with = merge(with, SharedSyncBench.run(agent));
            }
            System.out.println("array bench: non-shared arrays in instrumented code (best of 3 child JVMs each, same run;"
                    + " /before: no array shared in the JVM yet, /after: one shared)");
            for (String k : base.keySet()) {
                System.out.printf("  %-20s without agent %8.3f ns/op   with agent %8.3f ns/op   ratio %.2fx%n", k,
                        base.get(k), with.get(k), with.get(k) / base.get(k));
            }
        } finally {
            srv.destroy();
            if (!srv.waitFor(10, TimeUnit.SECONDS)) {
                srv.destroyForcibly();
            }
            try (java.util.stream.Stream<Path> w = Files.walk(dir)) {
                w.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (RuntimeException ignored) {
                // temp files only
            }
        }
    }

    private static Map<String, Double> merge(Map<String, Double> into, Map<String, Double> m) {
        for (Map.Entry<String, Double> e : m.entrySet()) {
            into.merge(e.getKey(), e.getValue(), Math::min);
        }
        return into;
    }
}

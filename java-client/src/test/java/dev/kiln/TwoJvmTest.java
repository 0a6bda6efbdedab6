package dev.kiln;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.Test;

/** Separate JVMs (dev.kiln.apps.Worker) sharing a map, a queue and a condition through a real server. */
public class TwoJvmTest {
    /** The child JVM's classpath: the agent jar (API + native library) and the test classes. */
    static String classpath() throws Exception {
        String jar = System.getProperty("kiln.agent.jar");
        String tests = new File(dev.kiln.apps.Worker.class.getProtectionDomain().getCodeSource().getLocation().toURI()).getPath();
        if (jar != null && new File(jar).isFile()) {
            return jar + File.pathSeparator + tests;
        }
        return System.getProperty("java.class.path") + File.pathSeparator + tests;
    }

    static final class Child {
        final Process process;
        final List<String> lines = new ArrayList<>();
        final CompletableFuture<Void> done = new CompletableFuture<>();
        final CompletableFuture<Void> waiting = new CompletableFuture<>();

        Child(String... args) throws Exception {
            List<String> cmd = new ArrayList<>();
            cmd.add(System.getProperty("java.home") + File.separator + "bin" + File.separator + "java");
            String jni = System.getProperty("kiln.jni.path");
            if (jni != null) {
                cmd.add("-Dkiln.jni.path=" + jni);
            }
            cmd.add("-cp");
            cmd.add(classpath());
            cmd.add("dev.kiln.apps.Worker");
            for (String a : args) {
                cmd.add(a);
            }
            process = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            Thread reader = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                    String l;
                    while ((l = r.readLine()) != null) {
                        synchronized (lines) {
                            lines.add(l);
                        }
                        if (l.equals("WAITING")) {
                            waiting.complete(null);
                        }
                    }
                } catch (Exception e) {
                    // process gone
                }
                done.complete(null);
            });
            reader.setDaemon(true);
            reader.start();
        }

        int finish() throws Exception {
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError("child JVM did not finish in 60 s: " + output());
            }
            done.get(5, TimeUnit.SECONDS);
            return process.exitValue();
        }

        String output() {
            synchronized (lines) {
                return String.join("\n", lines);
            }
        }
    }

    @Test(timeout = 120_000)
    public void producerAndConsumerInTwoJvmsShareAMapAndAQueue() throws Exception {
        try (TestServer server = TestServer.start()) {
            int n = 200;
            Child consumer = new Child(server.addr(), "consumer", String.valueOf(n));
            Thread.sleep(500); // the consumer is (usually) blocked in take() before anything is offered
            Child producer = new Child(server.addr(), "producer", String.valueOf(n));
            assertEquals(producer.output(), 0, producer.finish());
            assertEquals(consumer.output(), 0, consumer.finish());
            assertTrue(producer.output(), producer.output().contains("OK produced " + n));
            assertTrue(consumer.output(), consumer.output().contains("OK consumed " + n));
        }
    }

    @Test(timeout = 120_000)
    public void conditionSignalsAcrossJvms() throws Exception {
        try (TestServer server = TestServer.start()) {
            Child waiter = new Child(server.addr(), "waiter", "0");
            waiter.waiting.get(60, TimeUnit.SECONDS);
            Child opener = new Child(server.addr(), "opener", "0");
            assertEquals(opener.output(), 0, opener.finish());
            assertEquals(waiter.output(), 0, waiter.finish());
            assertTrue(waiter.output(), waiter.output().contains("OK woke"));
        }
    }

    @Test(timeout = 120_000)
    public void distributedCallsAndChangeNoticesReachAnotherJvm() throws Exception {
        try (TestServer server = TestServer.start()) {
            Child listener = new Child(server.addr(), "listener", "7");
            listener.waiting.get(60, TimeUnit.SECONDS);
            try (KilnCluster here = Kiln.connect(server.addr(), "caller", 10_000)) {
                here.<String, Integer>map("jvm-watch").put("x", 7);
                here.invokeAll("ping", 7);
                here.flush();
                assertEquals(listener.output(), 0, listener.finish());
            }
            assertTrue(listener.output(), listener.output().contains("OK called and notified"));
        }
    }
}

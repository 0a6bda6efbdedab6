package dev.kiln.agent;

import static org.junit.Assert.assertTrue;

import java.io.File;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.After;
import org.junit.Before;

/**
 * The desktop examples' tests (jtable, jtree): an Xvfb server started on a free display before
 * each test and killed after (no Xvfb installed: the child JVMs run headless), and the reading
 * of what the example's JVMs print (their stdin driven by {@link #type}).
 */
public abstract class DesktopExampleTestBase extends ExampleTestBase {
    private Process xvfb;

    @Before
    public void display() throws Exception {
        String bin = null;
        for (String d : System.getenv().getOrDefault("PATH", "/usr/bin").split(File.pathSeparator)) {
            if (new File(d, "Xvfb").canExecute()) {
                bin = new File(d, "Xvfb").getPath();
                break;
            }
        }
        if (bin == null) {
            System.err.println(getClass().getSimpleName() + ": no Xvfb on PATH (scripts/test.sh installs Debian's xvfb): headless");
            childEnv.put("JAVA_TOOL_OPTIONS", "-Djava.awt.headless=true");
            return;
        }
        for (int n = 20 + (int) (ProcessHandle.current().pid() % 200); n < 600; n++) {
            if (new File("/tmp/.X" + n + "-lock").exists() || new File("/tmp/.X11-unix/X" + n).exists()) {
                continue;
            }
            Process p = new ProcessBuilder(bin, ":" + n, "-screen", "0", "800x600x24", "-nolisten", "tcp")
                    .redirectErrorStream(true).redirectOutput(workDir().resolve("xvfb-" + n + ".out").toFile()).start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (p.isAlive() && !new File("/tmp/.X11-unix/X" + n).exists() && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            if (p.isAlive() && new File("/tmp/.X11-unix/X" + n).exists()) {
                xvfb = p;
                childEnv.put("DISPLAY", ":" + n);
                return;
            }
            p.destroyForcibly(); // the display was taken meanwhile: the next one
            p.waitFor(5, TimeUnit.SECONDS);
        }
        throw new AssertionError("no free X display for Xvfb");
    }

    @After
    public void stopDisplay() throws Exception {
        if (xvfb != null) {
            xvfb.destroy();
            if (!xvfb.waitFor(5, TimeUnit.SECONDS)) {
                xvfb.destroyForcibly();
            }
        }
    }

    protected static void type(Process p, String lines) throws Exception {
        OutputStream in = p.getOutputStream();
        in.write(lines.getBytes(StandardCharsets.UTF_8));
        in.flush();
    }

    protected List<String> lines(String tag) throws Exception {
        return Arrays.asList(new String(Files.readAllBytes(workDir().resolve(tag + ".out")), StandardCharsets.UTF_8)
                .split("\n"));
    }

    protected String err(String tag) throws Exception {
        return new String(Files.readAllBytes(workDir().resolve(tag + ".err")), StandardCharsets.UTF_8);
    }

    protected void await(String tag, Process p, String text) throws Exception {
        long deadline = System.currentTimeMillis() + 60_000;
        while (!lines(tag).contains(text)) {
            assertTrue(tag + " printed '" + text + "'; stdout:\n" + String.join("\n", lines(tag)) + "\nstderr:\n"
                    + err(tag), System.currentTimeMillis() < deadline && p.isAlive());
            Thread.sleep(20);
        }
    }

    /** The count of lines equal to {@code text} printed so far. */
    protected int count(String tag, String text) throws Exception {
        return (int) lines(tag).stream().filter(text::equals).count();
    }

    /** Waits for the n-th {@code heard} line, then returns the first block starting with {@code head} printed after it. */
    protected List<String> blockAfter(String tag, Process p, String heard, int n, String head) throws Exception {
        long deadline = System.currentTimeMillis() + 60_000;
        while (true) {
            List<String> l = lines(tag);
            int seen = 0;
            for (int i = 0; i < l.size(); i++) {
                if (l.get(i).equals(heard) && ++seen == n) {
                    int start = -1;
                    for (int j = i + 1; j < l.size(); j++) {
                        if (l.get(j).startsWith(head)) {
                            start = j;
                        } else if (start >= 0 && l.get(j).equals("app: == end")) {
                            return new ArrayList<>(l.subList(start, j));
                        }
                    }
                }
            }
            assertTrue(tag + " heard '" + heard + "' " + n + " time(s) and printed its table; stdout:\n"
                    + String.join("\n", l) + "\nstderr:\n" + err(tag), System.currentTimeMillis() < deadline && p.isAlive());
            Thread.sleep(20);
        }
    }
}

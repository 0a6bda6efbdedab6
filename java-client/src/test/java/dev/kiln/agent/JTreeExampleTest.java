package dev.kiln.agent;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
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
import org.junit.Test;

/**
 * examples/jtree under Xvfb (a server started by the test on a free display, killed after, as in
 * {@link JTableExampleTest}; no Xvfb installed: headless): two JVMs show one shared
 * {@code DefaultTreeModel} of {@code DefaultMutableTreeNode}s in a {@code JTree}; nodes added,
 * removed and renamed through the model in one JVM, and nodes edited directly under the model's
 * cluster lock, appear in the other's {@code JTree} (read back through the tree's rows and
 * renderer on its event thread, so through its layout cache, which only the model's events
 * update), whose model listener heard each event once; a shared {@code TreePath} reads back as
 * the same nodes; a third JVM started last materialises the edited tree; a node added outside
 * any lock is refused.
 */
public class JTreeExampleTest extends ExampleTestBase {
    @Override
    protected String exampleName() {
        return "jtree";
    }

    @Override
    protected String mainClass() {
        return "demo.jtree.Main";
    }

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
            System.err.println("JTreeExampleTest: no Xvfb on PATH (scripts/test.sh installs Debian's xvfb): headless");
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

    private static void type(Process p, String lines) throws Exception {
        OutputStream in = p.getOutputStream();
        in.write(lines.getBytes(StandardCharsets.UTF_8));
        in.flush();
    }

    private List<String> lines(String tag) throws Exception {
        return Arrays.asList(new String(Files.readAllBytes(workDir().resolve(tag + ".out")), StandardCharsets.UTF_8)
                .split("\n"));
    }

    private String err(String tag) throws Exception {
        return new String(Files.readAllBytes(workDir().resolve(tag + ".err")), StandardCharsets.UTF_8);
    }

    private void await(String tag, Process p, String text) throws Exception {
        long deadline = System.currentTimeMillis() + 60_000;
        while (!lines(tag).contains(text)) {
            assertTrue(tag + " printed '" + text + "'; stdout:\n" + String.join("\n", lines(tag)) + "\nstderr:\n"
                    + err(tag), System.currentTimeMillis() < deadline && p.isAlive());
            Thread.sleep(20);
        }
    }

    /** The count of lines equal to {@code text} printed so far. */
    private int count(String tag, String text) throws Exception {
        return (int) lines(tag).stream().filter(text::equals).count();
    }

    /** Waits for the n-th {@code heard} line, then returns the first whole tree printed after it. */
    private List<String> treeAfter(String tag, Process p, String heard, int n) throws Exception {
        return blockAfter(tag, p, heard, n, "app: == tree");
    }

    /** Waits for the n-th {@code heard} line, then returns the first block starting with {@code head} printed after it. */
    private List<String> blockAfter(String tag, Process p, String heard, int n, String head) throws Exception {
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

    private static final List<String> FIRST = Arrays.asList("app: == tree (6 rows)",
            "app: Acme",
            "app:   Engineering",
            "app:     Alice",
            "app:     Bob",
            "app:   Sales",
            "app:     Carol");

    @Test
    public void editsInOneJvmAppearInTheOthersJTree() throws Exception {
        Process left = start("left");
        await("left", left, "app: ready");
        Process right = start("right");
        await("right", right, "app: ready");
        // The second JVM's constructor built a chart of its own: it got the first JVM's.
        type(right, "print\n");
        await("right", right, "app: == end");
        assertEquals(FIRST, treeAfter("right", right, "app: ready", 1));

        // insertNodeInto, no lock in the program: the model's own.
        type(left, "add Acme/Engineering Dave\n");
        assertEquals(Arrays.asList("app: == tree (7 rows)", "app: Acme", "app:   Engineering", "app:     Alice",
                "app:     Bob", "app:     Dave", "app:   Sales", "app:     Carol"),
                treeAfter("right", right, "app: heard inserted [Acme, Engineering] [2] [Dave]", 1));

        // The other way round: removeNodeFromParent in the second JVM.
        type(right, "remove Acme/Sales/Carol\n");
        assertEquals(Arrays.asList("app: == tree (6 rows)", "app: Acme", "app:   Engineering", "app:     Alice",
                "app:     Bob", "app:     Dave", "app:   Sales"),
                treeAfter("left", left, "app: heard removed [Acme, Sales] [0] [Carol]", 1));

        // valueForPathChanged (what a JTree cell editor calls).
        type(left, "rename Acme/Sales Marketing\n");
        List<String> renamed = treeAfter("right", right, "app: heard changed [Acme] [1] [Marketing]", 1);
        assertEquals(renamed.toString(), "app:   Marketing", renamed.get(6));

        // Direct node edits under synchronized (model) in an autolocked method.
        type(right, "edit Acme/Engineering/Bob Robert\n");
        List<String> edited = treeAfter("left", left, "app: heard changed [Acme, Engineering] [1] [Robert]", 1);
        assertEquals(edited.toString(), "app:     Robert", edited.get(4));
        type(left, "graft Acme/Marketing Erin\n");
        assertEquals(Arrays.asList("app: == tree (7 rows)", "app: Acme", "app:   Engineering", "app:     Alice",
                "app:     Robert", "app:     Dave", "app:   Marketing", "app:     Erin"),
                treeAfter("right", right, "app: heard structure [Acme, Marketing]", 1));

        // reload(): a structure change of the root, heard by the other JVM.
        type(right, "reload\n");
        assertEquals(7, treeAfter("left", left, "app: heard structure [Acme]", 1).size() - 1);

        // A TreePath shared in a map: the other JVM reads the same nodes.
        type(left, "mark dave Acme/Engineering/Dave\n");
        await("left", left, "app: marked dave");
        type(right, "marks\n");
        await("right", right, "app: marks end");
        assertTrue(String.join("\n", lines("right")),
                lines("right").contains("app: mark dave [Acme, Engineering, Dave] 3 deep, leaf Dave in the tree"));

        // A direct node edit outside any cluster lock is refused, nothing shared.
        type(right, "unlocked Acme Zed\n");
        long until = System.currentTimeMillis() + 30_000;
        while (lines("right").stream().noneMatch(l -> l.startsWith("app: bad command 'unlocked"))) {
            assertTrue(String.join("\n", lines("right")), System.currentTimeMillis() < until && right.isAlive());
            Thread.sleep(20);
        }
        String unlocked = lines("right").stream().filter(l -> l.startsWith("app: bad command 'unlocked")).findFirst()
                .orElse("");
        assertTrue(unlocked, unlocked.contains("UnlockedSharedObjectException") && unlocked.contains("outside any cluster lock"));

        // A JVM started now materialises the edited chart (no Zed).
        Process late = start("late");
        await("late", late, "app: ready");
        type(late, "print\n");
        assertEquals(Arrays.asList("app: == tree (7 rows)", "app: Acme", "app:   Engineering", "app:     Alice",
                "app:     Robert", "app:     Dave", "app:   Marketing", "app:     Erin"),
                treeAfter("late", late, "app: ready", 1));

        type(left, "quit\n");
        type(right, "quit\n");
        type(late, "quit\n");
        finish(left);
        finish(right);
        finish(late);
        // Each event was heard once on each JVM: the remote run of fire* was not sent back.
        for (String tag : new String[] {"left", "right"}) {
            assertEquals(tag, 1, count(tag, "app: heard inserted [Acme, Engineering] [2] [Dave]"));
            assertEquals(tag, 1, count(tag, "app: heard removed [Acme, Sales] [0] [Carol]"));
            assertEquals(tag, 1, count(tag, "app: heard changed [Acme, Engineering] [1] [Robert]"));
            assertEquals(tag, 1, count(tag, "app: heard structure [Acme, Marketing]"));
        }
        assertFalse(err("left"), err("left").contains("Exception"));
        assertFalse(err("right"), err("right").contains("Exception"));
    }

    /** What runs when no Xvfb can be installed: the model part, headless (a JTree without a window); setRoot. */
    @Test
    public void theModelPartRunsHeadless() throws Exception {
        childEnv.remove("DISPLAY");
        childEnv.put("JAVA_TOOL_OPTIONS", "-Djava.awt.headless=true");
        Process left = start("left");
        await("left", left, "app: ready");
        Process right = start("right");
        await("right", right, "app: ready");
        type(right, "add Acme/Sales Frank\n");
        assertEquals(Arrays.asList("app: == tree (7 rows)", "app: Acme", "app:   Engineering", "app:     Alice",
                "app:     Bob", "app:   Sales", "app:     Carol", "app:     Frank"),
                treeAfter("left", left, "app: heard inserted [Acme, Sales] [1] [Frank]", 1));
        // setRoot under synchronized (model): the new root and the old one's new parent are shared.
        type(left, "reroot Holding\n");
        assertEquals(Arrays.asList("app: == tree (8 rows)", "app: Holding", "app:   Acme", "app:     Engineering",
                "app:       Alice", "app:       Bob", "app:     Sales", "app:       Carol", "app:       Frank"),
                treeAfter("right", right, "app: heard structure [Holding]", 1));
        type(right, "add Holding/Acme/Sales Gina\n");
        assertEquals("app:       Gina",
                treeAfter("left", left, "app: heard inserted [Holding, Acme, Sales] [2] [Gina]", 1).get(9));
        type(left, "quit\n");
        type(right, "quit\n");
        finish(left);
        finish(right);
    }
}

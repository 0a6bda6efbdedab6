package dev.kiln.agent;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.util.Arrays;
import java.util.List;

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
public class JTreeExampleTest extends DesktopExampleTestBase {
    @Override
    protected String exampleName() {
        return "jtree";
    }

    @Override
    protected String mainClass() {
        return "demo.jtree.Main";
    }

    /** Waits for the n-th {@code heard} line, then returns the first whole tree printed after it. */
    private List<String> treeAfter(String tag, Process p, String heard, int n) throws Exception {
        return blockAfter(tag, p, heard, n, "app: == tree");
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

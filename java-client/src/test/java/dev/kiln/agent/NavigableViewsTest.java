package dev.kiln.agent;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import org.junit.Test;

/**
 * examples/navigable-views: a shared TreeMap and TreeSets changed through live navigable views
 * (headMap().clear(), tailMap().pollFirstEntry(), setValue through a subMap's entries,
 * descendingMap().remove(), subSet().remove(), removeIf/retainAll on views of views...) in one
 * JVM are what fresh JVMs see; a view change outside any lock is refused and changes nothing;
 * an add or put outside the view's range is refused as the JDK's; two JVMs polling the same pool
 * through view objects made once (headSet, descendingSet) hand out every element exactly once.
 */
public class NavigableViewsTest extends ExampleTestBase {
    @Override
    protected String exampleName() {
        return "navigable-views";
    }

    @Override
    protected String mainClass() {
        return "demo.nv.Main";
    }

    private static final String AFTER_EDIT = "scores={k05=5, k07=700, k08=800, k09=900, k10=10, k12=12, k12x=5, k13=13, k14=14, k17=17}"
            + " tags=[5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 16, 17, 18, 19, 21, 23, 25, 27, 29, 30, 31, 32, 33, 34, 35, 36, 37,"
            + " 38, 39, 40, 41, 42, 43, 44, 47]";
    private static final String AFTER_CHECK = "scores={k09=900, k10=10, k12=12, k12x=-1, k13=13, k14=14, k17=17}"
            + " tags=[5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 16, 17, 18, 19, 21, 23, 25, 27, 30, 41, 42, 43, 44, 47]";

    @Test
    public void viewChangesAreSharedChangesAcrossJvms() throws Exception {
        int n = 200;
        assertEquals("app: filled 20 50 " + n, runApp("fill", Integer.toString(n)));
        assertEquals("app: unlocked=UnlockedSharedObjectException size=20 polled=k15=15 descPoll=k18"
                + " range=IllegalArgumentException:key out of range tail=45 last=49"
                + " setRange=IllegalArgumentException:key out of range " + AFTER_EDIT, runApp("edit"));
        // A fresh JVM sees the edits, navigates them and changes more through views.
        assertEquals("app: " + AFTER_EDIT + " floor(k13)=k13 head(k09)={k05=5, k07=700, k08=800}"
                + " desc=[k17, k14, k13, k12x, k12, k10, k09, k08, k07, k05]"
                + " tags<30=[5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 16, 17, 18, 19, 21, 23, 25, 27, 29]"
                + " pollLast<30=29 now " + AFTER_CHECK, runApp("check"));
        assertEquals("app: " + AFTER_CHECK, runApp("check2"));
        Process a = start("take", "a");
        Process b = start("take", "b");
        int took = 0;
        for (Process p : new Process[] {a, b}) {
            String out = finish(p);
            String[] lines = out.split("\n");
            assertTrue(out, lines[0].matches("app: take [ab] dups 0"));
            took += Integer.parseInt(lines[1].substring("took ".length()));
        }
        assertEquals("every pooled number was polled exactly once", n, took);
        // Both JVMs recorded every number with putIfAbsent under synchronized (taken): a fresh
        // JVM sees all n, and the pool empty.
        assertEquals("app: taken " + n + " missing 0 pool 0", runApp("pool", Integer.toString(n)));
    }
}

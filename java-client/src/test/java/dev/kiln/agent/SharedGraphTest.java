package dev.kiln.agent;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import org.junit.Test;

/**
 * examples/shared-graph: two JVMs one after the other. The first JVM's assignment of the static
 * root shares its graph; the second JVM's own assignment is ignored and it reads the first JVM's
 * graph, with the cycle and the alias intact.
 */
public class SharedGraphTest extends ExampleTestBase {
    @Override
    protected String exampleName() {
        return "shared-graph";
    }

    @Override
    protected String mainClass() {
        return "demo.graph.Main";
    }

    @Test
    public void theFirstJvmsGraphIsTheRootEverywhere() throws Exception {
        // Transient fields stay local: the first JVM has its own, the second JVM's copy none.
        assertEquals("app: visit 1\napp: one sees registry of one: one-0#0 one-1#10 one-2#20\napp: ring closes: true, alias kept: true,"
                + " transient note: note of one, local-only cache: cache of one", runApp("one"));
        assertEquals("app: visit 2\napp: two sees registry of one: one-0#0 one-1#10 one-2#20\napp: ring closes: true, alias kept: true,"
                + " transient note: null, local-only cache: null", runApp("two"));
    }

    @Test
    public void aNonPortableObjectInTheGraphIsRefusedWithItsPathAndNothingIsShared() throws Exception {
        String out = runApp("thread");
        assertTrue(out, out.startsWith("app: refused: kiln: demo.graph.Main.registry.extra holds a java.lang.Thread,"
                + " which cannot be shared"));
        assertTrue(out, out.contains("Nothing of this transaction was shared."));
        // Nothing was bound: the next JVM's graph becomes the root.
        assertTrue(runApp("two").startsWith("app: visit 1\napp: two sees registry of two: two-0#0"));
    }
}

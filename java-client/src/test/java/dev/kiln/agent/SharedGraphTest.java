package dev.kiln.agent;

import static org.junit.Assert.assertEquals;

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
        assertEquals("app: one sees registry of one: one-0#0 one-1#10 one-2#20\napp: ring closes: true, alias kept: true",
                runApp("one"));
        assertEquals("app: two sees registry of one: one-0#0 one-1#10 one-2#20\napp: ring closes: true, alias kept: true",
                runApp("two"));
    }
}

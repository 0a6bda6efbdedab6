package dev.kiln.agent;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import org.junit.Test;

/**
 * examples/shared-map: three JVMs put, remove and merge into one shared HashMap root inside
 * {@code synchronized (map)} (cluster locks); the map is a JDK collection allocated in an
 * instrumented class, so it is a {@code KilnHashMap} shared logically. Every JVM prints the same
 * content, with every JVM's entries.
 */
public class SharedMapTest extends ExampleTestBase {
    @Override
    protected String exampleName() {
        return "shared-map";
    }

    @Override
    protected String mainClass() {
        return "demo.map.Main";
    }

    @Test
    public void threeJvmsSeeTheSameMap() throws Exception {
        Process a = start("a", "4", "3");
        Process b = start("b", "4", "3");
        Process c = start("c", "4", "3");
        String expected = "{a-1=1, a-2=4, a-3=9, a-last=Visit(a,4), b-1=1, b-2=4, b-3=9, b-last=Visit(b,4),"
                + " c-1=1, c-2=4, c-3=9, c-last=Visit(c,4), joined=3}";
        for (Process p : new Process[] {a, b, c}) {
            String out = finish(p);
            assertTrue(out, out.matches("app: [abc] sees 13 entries: .*"));
            assertEquals(out, expected, out.substring(out.indexOf("{")));
        }
    }
}

package dev.kiln.agent;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import org.junit.Test;

/**
 * examples/shared-arrays: JDK code changing shared arrays from instrumented classes
 * (System.arraycopy — also a shift within one array and a copy of a new object in —,
 * Arrays.fill over a range of an object array, Arrays.sort with and without a comparator,
 * Arrays.setAll, Collections.reverse of Arrays.asList, String.getChars) is seen by the next JVMs; the same calls outside any lock are refused before
 * the array changes; clone() of a shared object is a new, non-shared object whose lazy
 * references were resolved (a JVM where the original's referent was not faulted in yet).
 */
public class SharedArraysTest extends ExampleTestBase {
    @Override
    protected String exampleName() {
        return "shared-arrays";
    }

    @Override
    protected String mainClass() {
        return "demo.arrays.Main";
    }

    private static final String SEEN = "app: names [charlie, bravo, alpha, delta, echo, foxtrot]\n"
            + "app: ring [z, a, b, n]\n"
            + "app: big sum 59700, many x 80\n"
            + "app: deck [4, 3, 2, 1] letters hello";

    @Test
    public void jdkArrayOperationsAndClonesAreShared() throws Exception {
        String w = runApp("write");
        String[] lines = w.split("\n");
        assertEquals(w, 3, lines.length);
        assertTrue(w, lines[0].startsWith("app: unlocked arraycopy refused, scores[0] still 7: kiln: System.arraycopy"
                + " on elements 0..1 of a shared int[] (object "));
        assertTrue(w, lines[0].contains("outside any cluster lock."));
        assertEquals(w, "app: unlocked fill refused, names[0] still charlie", lines[1]);
        assertEquals("app: written", lines[2]);

        String s = runApp("sort");
        assertEquals("app: scores [7, 7, 1, 2, 3, 7, 7, 7]\n" + SEEN + "\n"
                + "app: clone item cell-item, copy 42 copy-item, shared cell 1 cell-item", s);

        assertEquals("app: scores [1, 2, 3, 7, 7, 7, 7, 7]\n" + SEEN, runApp("print"));
    }
}

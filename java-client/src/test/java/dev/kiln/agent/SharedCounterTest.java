package dev.kiln.agent;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import org.junit.Test;

/**
 * examples/shared-counter: two JVMs at the same time increment one shared plain object inside
 * {@code synchronized} blocks of an autolocked method (greedy cluster locks on the object); each
 * sees every increment (remote changes are in the Java object when the lock is awarded), and a
 * write outside any lock throws UnlockedSharedObjectException naming the fix.
 */
public class SharedCounterTest extends ExampleTestBase {
    @Override
    protected String exampleName() {
        return "shared-counter";
    }

    @Override
    protected String mainClass() {
        return "demo.counter.Main";
    }

    @Test
    public void synchronizedIncrementsFromTwoJvmsAllCount() throws Exception {
        Process a = start("a", "200", "400");
        Process b = start("b", "200", "400");
        for (Process p : new Process[] {a, b}) {
            String out = finish(p);
            String[] lines = out.split("\n");
            assertEquals(out, 2, lines.length);
            assertTrue(out, lines[0].matches("app: [ab] saw 400"));
            assertTrue(out, lines[1].startsWith("app: unlocked write refused: kiln: demo.counter.Counter.value of a shared"
                    + " object was written by thread \"main\" outside any cluster lock."));
            assertTrue(out, lines[1].contains("<autolock><method-expression>* demo.counter.Counter.*(..)</method-expression>"));
        }
    }
}

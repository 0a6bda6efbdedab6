package dev.kiln.agent;

import static org.junit.Assert.assertEquals;

import org.junit.Test;

/**
 * examples/enum-properties: a shared java.util.EnumMap (changed under synchronized, an
 * unlocked put refused) and java.util.Properties (setProperty, load and remove with no lock of
 * the program's own: its own cluster lock, as Terracotta's built-in autolock), and an empty
 * EnumMap made by a non-instrumented class copied in at share time (its key type kept), seen by
 * three JVMs in turn.
 */
public class EnumPropertiesTest extends ExampleTestBase {
    @Override
    protected String exampleName() {
        return "enum-properties";
    }

    @Override
    protected String mainClass() {
        return "demo.enums.Main";
    }

    private static final String FIRST = "app: counts {LOW=2, HIGH=3} names {MID=middle} (EnumMap) settings {a=1, b=2, mode=fast}"
            + " mode fast";

    @Test
    public void enumMapsAndPropertiesAreShared() throws Exception {
        assertEquals("app: unlocked EnumMap put refused: kiln: java.util.EnumMap.put() on a shared java.util.EnumMap\n" + FIRST, runApp("write"));
        assertEquals(FIRST, runApp("change"));
        assertEquals("app: counts {LOW=2, MID=5} names {} (EnumMap) settings {b=2, mode=safe} mode safe", runApp("print"));
    }
}

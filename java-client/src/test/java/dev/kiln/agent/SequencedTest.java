package dev.kiln.agent;

import static org.junit.Assert.assertEquals;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.Assume;
import org.junit.Test;

/**
 * examples/sequenced: JDK 21 sequenced-collection methods on shared collections. A JVM on JDK 21+
 * (the first alternative JDK of the matrix that is one) calls LinkedHashMap.putFirst/putLast,
 * LinkedHashSet.addFirst/addLast/removeFirst, List.reversed().add/removeFirst, List.addFirst/
 * removeLast and TreeMap.reversed().pollFirstEntry/put inside a lock (one addFirst outside a lock
 * is refused, nothing changed); a fresh JVM on this JDK sees the same content in the same order.
 */
public class SequencedTest extends ExampleTestBase {
    @Override
    protected String exampleName() {
        return "sequenced";
    }

    @Override
    protected String mainClass() {
        return "demo.seq.Main";
    }

    /** The first alternative java whose JDK is 21 or later, or null. */
    private static String jdk21() throws Exception {
        for (String j : ChildJvmTest.altJavas()) {
            Path release = new File(j).getAbsoluteFile().getParentFile().getParentFile().toPath().resolve("release");
            if (!Files.exists(release)) {
                continue;
            }
            for (String line : Files.readAllLines(release, StandardCharsets.UTF_8)) {
                if (line.startsWith("JAVA_VERSION=")) {
                    String v = line.substring("JAVA_VERSION=".length()).replace("\"", "");
                    if (Integer.parseInt(v.split("[.+-]")[0]) >= 21) {
                        return j;
                    }
                }
            }
        }
        return null;
    }

    @Test
    public void sequencedMethodsOfSharedCollectionsAreShared() throws Exception {
        String j21 = jdk21();
        Assume.assumeTrue("no JDK 21+ among -Dkiln.alt.javas", j21 != null);
        assertEquals("app: map={a=1, b=2, c=3} set=[a, b, c] list=[a, b, c] tree={a=1, b=2, c=3}", runApp("fill"));
        childJava = j21;
        String after = "map={c=30, y=25} set=[a, b, y] list=[f, q, a] tree={a=1, b=2, d=4}";
        assertEquals("app: unlocked UnlockedSharedObjectException map={a=1, b=2, c=3} set=[a, b, c] list=[a, b, c]"
                + " tree={a=1, b=2, c=3}\napp: polled c=3\napp: reversed {y=25, c=30} [y, b, a] [25, 30]\napp: " + after
                + "\napp: local KilnLinkedHashSet[c, a] KilnLinkedHashMap{b=3, a=1, z=9} ReverseLinkedHashSetView[a, c]", runApp("edit"));
        childJava = null;
        assertEquals("app: " + after, runApp("show"));
    }
}

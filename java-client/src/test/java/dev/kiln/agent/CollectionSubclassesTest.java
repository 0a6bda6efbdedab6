package dev.kiln.agent;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import org.junit.Test;

/**
 * examples/collection-subclasses: application classes that extend java.util collections (a
 * HashMap registry with its own synchronized methods and a put override, an ArrayList log
 * with a constructor argument, a case-insensitive TreeMap, a double-brace HashMap) are shared
 * as those collections and materialised as the same classes in fresh JVMs; a remove by a key
 * the comparator equates with the stored one reaches the cluster; a subclass with a field of
 * its own is refused, nothing shared.
 */
public class CollectionSubclassesTest extends ExampleTestBase {
    @Override
    protected String exampleName() {
        return "collection-subclasses";
    }

    @Override
    protected String mainClass() {
        return "demo.sub.Main";
    }

    private static final String FIRST = "app: Registry {alpha=1000, beta=2000, gamma=3000} total 6000; EventLog [a:start]"
            + " last a:start; ByName {Alice=a, bob=b, carol=c} get(ALICE) a; defaults true {port=9510, retries=3, timeout=30}";
    private static final String AFTER = "app: Registry {alpha=1000, beta=2000, delta=4000, gamma=3000} total 10000;"
            + " EventLog [a:start, b:joined] last b:joined; ByName {Alice=a, carol=c, dave=d} get(ALICE) a;"
            + " defaults true {port=9510, timeout=30}";

    @Test
    public void subclassesOfJdkCollectionsAreSharedAsThemselves() throws Exception {
        assertEquals(FIRST, runApp("write"));
        assertEquals(FIRST + "\napp: again: alpha is registered already", runApp("change"));
        assertEquals(AFTER, runApp("print"));
        String[] refused = runApp("refused").split("\n");
        assertEquals(String.join("\n", refused), 2, refused.length);
        assertTrue(refused[0], refused[0].startsWith("app: TCNonPortableObjectError: kiln: "));
        assertTrue(refused[0], refused[0].contains("holds a demo.sub.Tagged, a subclass of java.util.HashSet with"
                + " instance fields of its own (Tagged.tag)"));
        assertTrue(refused[0], refused[0].endsWith("Nothing of this transaction was shared."));
        assertTrue(refused[1], refused[1].contains("holds a demo.sub.Main$2, a subclass of java.util.HashMap with"
                + " instance fields of its own (Main$2.this$0)"));
        assertTrue(refused[1], refused[1].contains("make it a static nested class"));
        assertTrue(refused[1], refused[1].endsWith("Nothing of this transaction was shared."));
        assertEquals(AFTER, runApp("print"));
    }
}

package dev.kiln.agent;

import static org.junit.Assert.assertEquals;

import org.junit.Test;

/**
 * examples/synchronized-wrappers: three JVMs share Collections.synchronizedMap / synchronizedList
 * roots and a synchronizedSortedMap, mutate them with no synchronized (each operation atomic across JVMs: exact counts), do a
 * read-modify-write and iterate under synchronized (wrapper) (the wrapper's own cluster lock:
 * exact, consistent), key an IdentityHashMap by shared objects (identity holds across JVMs, an
 * equal copy is no key), see an unmodifiable view of the shared map refuse changes, and share a
 * JDK synchronizedMap made by a non-instrumented library (copied into a Kiln wrapper).
 */
public class SynchronizedWrappersTest extends ExampleTestBase {
    @Override
    protected String exampleName() {
        return "synchronized-wrappers";
    }

    @Override
    protected String mainClass() {
        return "demo.sw.Main";
    }

    @Test
    public void threeJvmsShareSynchronizedWrappersIdentityMapAndViews() throws Exception {
        int n = 100;
        String[] names = {"a", "b", "c"};
        Process[] ps = new Process[names.length];
        for (int i = 0; i < names.length; i++) {
            ps[i] = start("contend", names[i], Integer.toString(n), Integer.toString(names.length));
        }
        for (int i = 0; i < names.length; i++) {
            assertEquals("app: contend " + names[i] + " inconsistent 0 readOnly.put refused", finish(ps[i]));
        }
        int total = n * names.length;
        assertEquals("app: hits " + total + " rmw " + total + " keys " + (total + 2) + " events " + total + " distinct "
                + total + " tokens 3 identity 3 found 3 byCopy 0 readOnly same remove refused ranks {a=" + n + ", b=" + n
                + ", c=" + n + "} first a head {a=" + n + "} fromLib {a=by a, b=by b,"
                + " c=by c, lib=made by the library} types KilnSynchronizedMap,KilnSynchronizedMap,KilnIdentityHashMap",
                runApp("check"));
    }
}

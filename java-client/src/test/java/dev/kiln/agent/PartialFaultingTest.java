package dev.kiln.agent;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.Test;

/**
 * examples/partial-faulting: one JVM builds a catalog of 100 categories x 100 products (10,000
 * products, about 10,200 shared objects) under a root; other JVMs read only a few categories.
 * References fault lazily: a reading JVM materialises the categories array's 100 categories and
 * the lists and products of the categories it walks, not the graph; the values and identities it
 * sees are the builder's; a later change from a third JVM is seen by the next reader. With
 * {@code -Dkiln.lazy=false} (the eager mode) the same read materialises everything, which shows
 * what the lazy mode saves in the same run.
 */
public class PartialFaultingTest extends ExampleTestBase {
    @Override
    protected String exampleName() {
        return "partial-faulting";
    }

    @Override
    protected String mainClass() {
        return "demo.catalog.Main";
    }

    private static int count(String out, String after) {
        Matcher m = Pattern.compile(Pattern.quote(after) + " (\\d+)").matcher(out);
        assertTrue(out, m.find());
        return Integer.parseInt(m.group(1));
    }

    private static int total(int c, int n) {
        return c * 1000 * n + n * (n - 1) / 2;
    }

    @Test
    public void aReaderMaterialisesOnlyWhatItWalks() throws Exception {
        String built = runApp("build");
        assertTrue(built, built.startsWith("app: built 100 categories of 100 products"));
        assertTrue(built, count(built, "materialised here") > 10_000);

        String out = runApp("browse", "3");
        for (int c = 0; c < 3; c++) {
            assertTrue(out, out.contains("app: category-" + c + ": 100 products, total " + total(c, 100)
                    + ", featured sku-" + c + "-50 (the same object as in the list: true)"));
        }
        int early = count(out, "after the root and its array, materialised");
        int after = count(out, "after reading 3 categories, materialised");
        // The root, its array and the array's 100 categories (arrays are materialised with their
        // elements); then 3 lists of 100 products each.
        assertTrue(out, early >= 102 && early <= 110);
        assertTrue(out, after >= early + 303 && after <= early + 310);
        assertTrue(out, after < 1_000);

        // A third JVM changes one product; the next reader sees it.
        assertEquals("app: repriced", runApp("reprice", "1", "7", "5"));
        out = runApp("browse", "2");
        assertTrue(out, out.contains("app: category-1: 100 products, total " + (total(1, 100) - 1007 + 5)));

        // Memory pressure: walking all 10,000 products with at most ~300 objects wanted, the JVM
        // turns resolved references back into lazy ones and releases what it walked; the values
        // stay right, and a category read again is faulted back.
        childEnv.put("JAVA_TOOL_OPTIONS", "-Dkiln.cache.maxObjects=300");
        out = runApp("scan");
        System.out.println(out);
        long sum = 0;
        for (int c = 0; c < 100; c++) {
            sum += total(c, 100);
        }
        sum += 5 - 1007;
        assertTrue(out, out.contains("app: scanned 100 categories, sum " + sum + ";"));
        int left = count(out, "; materialised");
        assertTrue(out, left < 2_000);
        assertTrue(out, count(out, ", released") > 5_000);
        // Released objects left the client's cache too (the server stopped sending their changes).
        assertTrue(out, count(out, ", evicted") > 5_000);
        assertTrue(out, count(out, ", cached") < 5_000);
        assertTrue(out, out.contains("app: again category-1: total " + (total(1, 100) - 1007 + 5) + ", featured sku-1-50"));

        // The eager mode, same graph, same read: everything reachable is materialised.
        childEnv.put("JAVA_TOOL_OPTIONS", "-Dkiln.lazy=false");
        out = runApp("browse", "1");
        assertTrue(out, out.contains("app: category-0: 100 products, total " + total(0, 100)));
        assertTrue(out, count(out, "after the root and its array, materialised") > 10_000);
    }
}

package demo.catalog;

/**
 * A plain program with a big shared graph (tc-config.xml: root demo.catalog.Main.catalog): one
 * JVM builds a catalog of 100 categories x 100 products (10,000 products); another reads only a
 * few categories. References fault lazily: a JVM materialises the objects it walks (and the
 * client prefetches their neighbours into its cache), not the whole graph.
 *
 * <pre>
 *   run.sh build            # builds the catalog under its root
 *   run.sh browse 3         # reads categories 0..2 and prints what this JVM materialised
 *   run.sh reprice 1 7 5    # sets category 1, product 7's price to 5
 *   JAVA_TOOL_OPTIONS=-Dkiln.cache.maxObjects=300 run.sh scan   # walks everything, releasing as it goes
 *                           # (released objects leave the client's cache too: "evicted", "cached")
 * </pre>
 */
public class Main {
    static Catalog catalog;

    public static void main(String[] args) throws Exception {
        String cmd = args.length > 0 ? args[0] : "browse";
        Catalog fresh = new Catalog();
        if (cmd.equals("build")) {
            fresh.fill(100, 100);
        }
        catalog = fresh; // the first assignment anywhere creates the root; later ones are ignored
        Catalog c = catalog;
        if (cmd.equals("build")) {
            System.out.println("app: built " + c.categories.length + " categories of " + c.categories[0].products.size()
                    + " products; materialised here " + materialised());
            return;
        }
        if (cmd.equals("reprice")) {
            c.reprice(Integer.parseInt(args[1]), Integer.parseInt(args[2]), Integer.parseInt(args[3]));
            System.out.println("app: repriced");
            return;
        }
        if (cmd.equals("scan")) {
            // Walks every category (all 10,000 products). Run with -Dkiln.cache.maxObjects=N to
            // let the JVM release what it walked: resolved references are turned back into lazy
            // ones under that pressure, and what nothing else references is collected.
            long sum = 0;
            for (Category cat : c.categories) {
                sum += cat.total();
            }
            System.gc();
            Thread.sleep(200);
            System.gc();
            System.out.println("app: scanned " + c.categories.length + " categories, sum " + sum + "; materialised "
                    + materialised() + ", released " + released() + ", evicted " + diag("evictedCount")
                    + ", cached " + diag("cachedCount"));
            Category again = c.categories[1];
            System.out.println("app: again " + again.name + ": total " + again.total() + ", featured " + again.featured.sku);
            return;
        }
        int n = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        System.out.println("app: " + c.categories.length + " categories; after the root and its array, materialised "
                + materialised());
        for (int i = 0; i < n; i++) {
            Category cat = c.categories[i];
            System.out.println("app: " + cat.name + ": " + cat.products.size() + " products, total " + cat.total()
                    + ", featured " + cat.featured.sku + " (the same object as in the list: "
                    + (cat.featured == cat.products.get(cat.products.size() / 2)) + ")");
        }
        System.out.println("app: after reading " + n + " categories, materialised " + materialised());
    }

    /** One of the agent's diagnostic counters ("n/a" without the Kiln agent). */
    static String diag(String name) {
        try {
            return String.valueOf(Class.forName("dev.kiln.agent.rt.Runtime").getMethod(name).invoke(null));
        } catch (ReflectiveOperationException | LinkageError e) {
            return "n/a";
        }
    }

    /** Objects this JVM released (the agent's diagnostic; "n/a" without the Kiln agent). */
    static String released() {
        try {
            return String.valueOf(Class.forName("dev.kiln.agent.rt.Runtime").getMethod("releasedCount").invoke(null));
        } catch (ReflectiveOperationException | LinkageError e) {
            return "n/a";
        }
    }

    /** Objects this JVM materialised (the agent's diagnostic; "n/a" without the Kiln agent). */
    static String materialised() {
        try {
            return String.valueOf(Class.forName("dev.kiln.agent.rt.Runtime").getMethod("materialisedCount").invoke(null));
        } catch (ReflectiveOperationException | LinkageError e) {
            return "n/a";
        }
    }
}

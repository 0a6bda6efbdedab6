package demo.graph;

/**
 * A plain program sharing a graph through a static root (tc-config.xml: demo.graph.Main.registry).
 * The first JVM's assignment creates the root; in every later JVM the assignment is ignored and
 * the field reads the first JVM's graph: a ring of nodes, whose last node points back at the first
 * (identity kept across JVMs), plus one node reached by two paths (aliasing kept).
 */
public class Main {
    static Registry registry;
    /** A literal root: every JVM's increment replaces the cluster value. */
    static int visits;

    public static void main(String[] args) {
        String me = args.length > 0 ? args[0] : "one";
        if (me.equals("thread")) {
            // A Thread cannot be shared: the root assignment fails, naming the field path.
            Registry bad = new Registry(me, 1);
            bad.extra = new Thread();
            try {
                registry = bad;
                System.out.println("app: shared a Thread?!");
            } catch (com.tc.exception.TCNonPortableObjectError e) {
                System.out.println("app: refused: " + e.getMessage());
            }
            return;
        }
        registry = new Registry(me, 3);
        visits++;
        System.out.println("app: visit " + visits);
        Registry r = registry;
        StringBuilder ring = new StringBuilder();
        Node n = r.first;
        for (int i = 0; i < 3; i++) {
            ring.append(n.label).append('#').append(n.weight).append(' ');
            n = n.next;
        }
        System.out.println("app: " + me + " sees registry of " + r.owner + ": " + ring.toString().trim());
        System.out.println("app: ring closes: " + (n == r.first) + ", alias kept: " + (r.favourite == r.first.next)
                + ", transient note: " + r.note + ", local-only cache: " + r.cache);
    }
}

package demo.cluster;

import com.tc.cluster.DsoCluster;
import com.tc.cluster.DsoClusterEvent;
import com.tc.cluster.DsoClusterListener;
import com.tc.injection.annotations.InjectedDsoInstance;
import com.tcclient.cluster.DsoNode;

import java.util.TreeMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Terracotta's cluster API in a plain program: two DsoCluster fields the agent injects (one by
 * {@code @InjectedDsoInstance}, one by {@code <injected-instances>} in tc-config.xml), set before
 * the constructor body runs; cluster events; a DsoNode stored in a shared object.
 *
 * <p>{@code watch}: prints its node, listens, and waits for another node to join and then leave
 * (killed or exited); prints the node that registered itself in the shared {@link Registry} and
 * whether it equals the node of the leave event. {@code visit [stay]}: registers its node, then
 * exits (or, with {@code stay}, waits to be killed).
 */
public class Main {
    static Registry registry = new Registry();

    @InjectedDsoInstance
    private DsoCluster annotated;
    private DsoCluster configured; // <injected-field> in tc-config.xml
    private final String seenInConstructor;

    Main() {
        // The fields are injected after super() and before this body.
        seenInConstructor = "annotated=" + (annotated != null) + " configured=" + (configured != null)
                + " same=" + (annotated == configured);
    }

    public static void main(String[] args) throws Exception {
        Main m = new Main();
        System.out.println("app: constructor saw " + m.seenInConstructor);
        DsoNode me = m.annotated.getCurrentNode();
        System.out.println("app: I am " + me.getId());
        if (args[0].equals("watch")) {
            m.watch(me);
        } else {
            m.visit(me, args.length > 1 && args[1].equals("stay"));
        }
    }

    private void watch(DsoNode me) throws InterruptedException {
        LinkedBlockingQueue<String> events = new LinkedBlockingQueue<>();
        annotated.addClusterListener(new DsoClusterListener() {
            @Override
            public void nodeJoined(DsoClusterEvent e) {
                events.add("joined " + e.getNode().getId());
            }

            @Override
            public void nodeLeft(DsoClusterEvent e) {
                events.add("left " + e.getNode().getId());
            }

            @Override
            public void operationsEnabled(DsoClusterEvent e) {
                events.add("enabled " + e.getNode().getId());
            }

            @Override
            public void operationsDisabled(DsoClusterEvent e) {
                events.add("disabled " + e.getNode().getId());
            }
        });
        // Replayed at once for an already joined node: nodeJoined and operationsEnabled of itself.
        System.out.println("app: replay " + events.poll(10, TimeUnit.SECONDS) + ", " + events.poll(10, TimeUnit.SECONDS));
        System.out.println("app: listening");
        System.out.flush();
        String other = null;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            String e = events.poll(1, TimeUnit.SECONDS);
            if (e == null) {
                continue;
            }
            System.out.println("app: event " + e);
            System.out.flush();
            if (e.startsWith("joined ") && other == null) {
                other = e.substring("joined ".length());
            } else if (e.equals("left " + other)) {
                break;
            }
        }
        DsoNode stored;
        int n;
        synchronized (registry) {
            stored = registry.last;
            n = registry.registrations;
        }
        System.out.println("app: registry holds " + (stored == null ? "nothing" : stored.getId()) + " after " + n
                + " registration(s); it is the node that left: " + (stored != null && stored.getId().equals(other)));
        if (stored != null) {
            // Comparable and equal by id: the stored (materialised) node sorts with this JVM's own.
            TreeMap<DsoNode, String> byNode = new TreeMap<>();
            byNode.put(stored, "visitor");
            byNode.put(me, "watcher");
            byNode.put(stored, "visitor again");
            System.out.println("app: sorted " + byNode.values());
            System.out.println("app: stored is mine: " + stored.equals(me) + ", ip " + stored.getIp());
        }
    }

    private void visit(DsoNode me, boolean stay) throws InterruptedException {
        synchronized (registry) {
            registry.last = me;
            registry.registrations++;
        }
        System.out.println("app: registered");
        System.out.flush();
        if (stay) {
            Thread.sleep(120_000);
        }
    }
}

package dev.kiln;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import com.tc.cluster.DsoCluster;
import com.tc.cluster.DsoClusterEvent;
import com.tc.cluster.DsoClusterListener;
import com.tcclient.cluster.DsoNode;
import com.tc.cluster.exceptions.UnclusteredObjectException;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.Test;

/** Terracotta's cluster API (com.tc.cluster) over a real server: topology and membership events. */
public class DsoClusterTest {
    @Test(timeout = 60_000)
    public void membershipEventsAndTopology() throws Exception {
        try (TestServer server = TestServer.start();
                KilnCluster a = Kiln.connect(server.addr(), "dso-a", 10_000)) {
            DsoCluster dso = a.dsoCluster();
            assertTrue(dso.isNodeJoined());
            assertTrue(dso.areOperationsEnabled());
            assertEquals("ClientID[" + a.clientId() + "]", dso.getCurrentNode().getId());
            assertEquals("127.0.0.1", dso.getCurrentNode().getIp());

            BlockingQueue<String> events = new LinkedBlockingQueue<>();
            Set<String> threads = new HashSet<>();
            dso.addClusterListener(new DsoClusterListener() {
                private void log(String what, DsoClusterEvent e) {
                    synchronized (threads) {
                        threads.add(Thread.currentThread().getName());
                    }
                    events.add(what + " " + e.getNode().getId());
                }

                @Override
                public void nodeJoined(DsoClusterEvent e) {
                    log("joined", e);
                }

                @Override
                public void nodeLeft(DsoClusterEvent e) {
                    log("left", e);
                }

                @Override
                public void operationsEnabled(DsoClusterEvent e) {
                    log("enabled", e);
                }

                @Override
                public void operationsDisabled(DsoClusterEvent e) {
                    log("disabled", e);
                }
            });
            String me = dso.getCurrentNode().getId();
            assertEquals("joined " + me, events.poll(5, TimeUnit.SECONDS));
            assertEquals("enabled " + me, events.poll(5, TimeUnit.SECONDS));

            long bId;
            try (KilnCluster b = Kiln.connect(server.addr(), "dso-b", 10_000)) {
                bId = b.clientId();
                assertEquals("joined ClientID[" + bId + "]", events.poll(10, TimeUnit.SECONDS));
                Set<String> ids = new HashSet<>();
                for (DsoNode n : dso.getClusterTopology().getNodes()) {
                    ids.add(n.getId());
                }
                assertTrue(ids.toString(), ids.contains(me) && ids.contains("ClientID[" + bId + "]"));
            }
            assertEquals("left ClientID[" + bId + "]", events.poll(10, TimeUnit.SECONDS));
            for (DsoNode n : dso.getClusterTopology().getNodes()) {
                assertFalse(n.getId().equals("ClientID[" + bId + "]"));
            }
            synchronized (threads) {
                assertTrue(threads.toString(), threads.contains("kiln-cluster-events-" + a.clientId()));
            }
        }
    }

    private static Set<String> ids(Set<DsoNode> nodes) {
        Set<String> out = new HashSet<>();
        for (DsoNode n : nodes) {
            out.add(n.getId());
        }
        return out;
    }

    @Test(timeout = 60_000)
    public void objectLocationQueriesAskTheServerWhereStructuresAreResident() throws Exception {
        try (TestServer server = TestServer.start();
                KilnCluster a = Kiln.connect(server.addr(), "loc-a", 10_000);
                KilnCluster b = Kiln.connect(server.addr(), "loc-b", 10_000);
                KilnCluster c = Kiln.connect(server.addr(), "loc-c", 10_000)) {
            DsoCluster dso = a.dsoCluster();
            String idA = "ClientID[" + a.clientId() + "]";
            String idB = "ClientID[" + b.clientId() + "]";

            SharedMap<String, Object> outerA = a.map("where");
            SharedList<Object> listA = a.list("where-list");
            listA.add(1);
            outerA.put("literal", "inline");
            a.flush();
            SharedList<Object> listB = b.list("where-list");
            assertEquals(1, listB.get(0)); // b faults the list in

            assertEquals(new HashSet<>(Arrays.asList(idA, idB)), ids(dso.getNodesWithObject(listA)));
            assertEquals(ids(dso.getNodesWithObject(listA)), ids(dso.getNodesWithObject(listA.shared())));
            Map<?, Set<DsoNode>> both = dso.getNodesWithObjects(listA, outerA);
            assertEquals(new HashSet<>(Arrays.asList(idA, idB)), ids(both.get(listA)));
            assertEquals(Collections.singleton(idA), ids(both.get(outerA)));
            assertTrue(dso.getNodesWithObjects().isEmpty());

            // A structure whose only holder left is resident nowhere: an orphaned value.
            {
                KilnCluster d = Kiln.connect(server.addr(), "loc-d", 10_000);
                SharedMap<String, Object> outerD = d.map("where");
                SharedMap<String, Object> child = d.newMap();
                child.put("x", 1);
                outerD.put("orphan", child);
                outerD.put("shared", d.list("where-list"));
                d.flush();
                d.close();
            }
            long deadline = System.currentTimeMillis() + 10_000;
            while (outerA.size() < 3 && System.currentTimeMillis() < deadline) {
                Thread.sleep(10);
            }
            assertEquals(3, outerA.size());
            deadline = System.currentTimeMillis() + 10_000;
            while (!dso.getKeysForOrphanedValues(outerA).contains("orphan") && System.currentTimeMillis() < deadline) {
                Thread.sleep(20); // until the server has seen d leave
            }
            assertEquals(Collections.singleton("orphan"), dso.getKeysForOrphanedValues(outerA));
            assertEquals(new HashSet<>(Arrays.asList("literal", "shared")), dso.getKeysForLocalValues(outerA));
            // c's first read of the map may fault in the values with it (fault-count prefetch):
            // whatever c holds, its answer agrees with where the server says they are.
            SharedMap<String, Object> outerC = c.map("where");
            Set<String> localAtC = c.dsoCluster().getKeysForLocalValues(outerC);
            assertTrue(localAtC.toString(), localAtC.contains("literal"));
            for (String k : new String[] {"orphan", "shared"}) {
                Set<String> at = ids(c.dsoCluster().getNodesWithObject(outerC.get(k)));
                assertTrue(k + " read by c is resident at c: " + at, at.contains("ClientID[" + c.clientId() + "]"));
            }

            // c holds the orphan now; reading it faults it in here too: local, not orphaned
            assertTrue(dso.getKeysForOrphanedValues(outerA).isEmpty());
            assertEquals(1, ((Map<?, ?>) outerA.get("orphan")).get("x"));
            assertEquals(new HashSet<>(Arrays.asList("literal", "shared", "orphan")), dso.getKeysForLocalValues(outerA));

            for (Object bad : new Object[] {"a string", new HashMap<String, Object>(), null}) {
                try {
                    dso.getNodesWithObject(bad);
                    fail("not clustered: " + bad);
                } catch (UnclusteredObjectException e) {
                    assertTrue(e.getMessage(), e.getMessage().startsWith("not a clustered object: "));
                }
            }
            try {
                dso.getKeysForLocalValues(new HashMap<String, Object>());
                fail("a plain HashMap is not clustered");
            } catch (UnclusteredObjectException e) {
                assertTrue(e.getMessage(), e.getMessage().contains("java.util.HashMap"));
            }
        }
    }
}

package dev.kiln;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import com.tc.cluster.DsoCluster;
import com.tc.cluster.DsoClusterEvent;
import com.tc.cluster.DsoClusterListener;
import com.tc.cluster.DsoNode;
import java.util.HashSet;
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
            assertEquals("Client[" + a.clientId() + "]", dso.getCurrentNode().getId());
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
                assertEquals("joined Client[" + bId + "]", events.poll(10, TimeUnit.SECONDS));
                Set<String> ids = new HashSet<>();
                for (DsoNode n : dso.getClusterTopology().getNodes()) {
                    ids.add(n.getId());
                }
                assertTrue(ids.toString(), ids.contains(me) && ids.contains("Client[" + bId + "]"));
            }
            assertEquals("left Client[" + bId + "]", events.poll(10, TimeUnit.SECONDS));
            for (DsoNode n : dso.getClusterTopology().getNodes()) {
                assertFalse(n.getId().equals("Client[" + bId + "]"));
            }
            synchronized (threads) {
                assertTrue(threads.toString(), threads.contains("kiln-cluster-events-" + a.clientId()));
            }
        }
    }
}

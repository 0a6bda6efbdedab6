package dev.kiln.agent;

import com.tc.cluster.DsoCluster;
import com.tc.cluster.DsoClusterEvent;
import com.tc.cluster.DsoClusterListener;
import com.tcclient.cluster.DsoNode;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import javax.management.MBeanNotificationInfo;
import javax.management.MBeanServer;
import javax.management.MBeanServerFactory;
import javax.management.Notification;
import javax.management.NotificationBroadcasterSupport;
import javax.management.ObjectName;

/**
 * The cluster bean Terracotta 2.x clients registered in the JVM's MBean servers, which programs of
 * that era (the original sharedqueue demo) look up to learn their node id and hear of nodes
 * joining and leaving: {@code org.terracotta:type=Terracotta Cluster,name=Terracotta Cluster Bean},
 * attribute {@code NodeId}, notifications {@code com.tc.cluster.event.nodeConnected} /
 * {@code nodeDisconnected} (message: the node's id) and {@code thisNodeConnected} /
 * {@code thisNodeDisconnected}, fed by the same membership events as {@link DsoCluster}'s
 * listeners. Registered in every MBean server the JVM creates (an {@code MBeanServerBuilder}
 * installed by the agent, {@link KilnMBeanServerBuilder}) and in those that exist when the agent
 * starts with {@code -Dcom.sun.management.jmxremote}; nothing is loaded for a program that uses
 * no JMX. {@code -Dkiln.jmx.clusterBean=false} turns it off. See docs/agent.md.
 */
public final class ClusterBean extends NotificationBroadcasterSupport implements ClusterBeanMBean {
    public static final String NAME = "org.terracotta:type=Terracotta Cluster,name=Terracotta Cluster Bean";
    public static final String NODE_CONNECTED = "com.tc.cluster.event.nodeConnected";
    public static final String NODE_DISCONNECTED = "com.tc.cluster.event.nodeDisconnected";
    public static final String THIS_NODE_CONNECTED = "com.tc.cluster.event.thisNodeConnected";
    public static final String THIS_NODE_DISCONNECTED = "com.tc.cluster.event.thisNodeDisconnected";

    private static volatile ClusterBean instance;
    private static volatile boolean installed;

    private final DsoCluster cluster;
    private final AtomicLong seq = new AtomicLong();
    private volatile boolean connected = true;

    private ClusterBean(DsoCluster cluster) {
        super(new MBeanNotificationInfo(new String[] {NODE_CONNECTED, NODE_DISCONNECTED, THIS_NODE_CONNECTED,
            THIS_NODE_DISCONNECTED}, Notification.class.getName(), "Terracotta cluster membership events"));
        this.cluster = cluster;
    }

    /**
     * Called once the agent is connected: installs the MBean server builder (unless the program
     * chose its own) and registers the bean in the servers that already exist when remote JMX was
     * asked for on the command line. Never throws.
     */
    public static void install() {
        try {
            if ("false".equals(System.getProperty("kiln.jmx.clusterBean"))) {
                return;
            }
            installed = true;
            if (System.getProperty("javax.management.builder.initial") == null) {
                System.setProperty("javax.management.builder.initial", KilnMBeanServerBuilder.class.getName());
            }
            boolean remote = System.getProperty("com.sun.management.jmxremote") != null
                    || System.getProperty("com.sun.management.jmxremote.port") != null;
            if (remote) {
                Thread t = new Thread(() -> {
                    try {
                        ManagementFactory.getPlatformMBeanServer(); // registered by the builder if new
                        for (MBeanServer s : MBeanServerFactory.findMBeanServer(null)) {
                            register(s);
                        }
                    } catch (Throwable e) {
                        KilnAgentLog.report("kiln: could not register the Terracotta cluster bean: " + e);
                    }
                }, "kiln-jmx");
                t.setDaemon(true);
                t.start();
            }
        } catch (Throwable e) {
            KilnAgentLog.report("kiln: could not install the Terracotta cluster bean: " + e);
        }
    }

    /** Registers the bean in {@code server} unless it is there already. Never throws. */
    static void register(MBeanServer server) {
        if (!installed) {
            return;
        }
        try {
            ObjectName n = new ObjectName(NAME);
            if (!server.isRegistered(n)) {
                server.registerMBean(bean(), n);
            }
        } catch (javax.management.InstanceAlreadyExistsException raced) {
            // registered meanwhile
        } catch (Throwable e) {
            KilnAgentLog.report("kiln: could not register the Terracotta cluster bean: " + e);
        }
    }

    private static synchronized ClusterBean bean() {
        ClusterBean b = instance;
        if (b == null) {
            DsoCluster c = dev.kiln.Kiln.cluster().dsoCluster();
            b = new ClusterBean(c);
            ClusterBean self = b;
            c.addClusterListener(new DsoClusterListener() {
                @Override
                public void nodeJoined(DsoClusterEvent e) {
                    if (!e.getNode().equals(c.getCurrentNode())) {
                        self.send(NODE_CONNECTED, e.getNode().getId());
                    }
                }

                @Override
                public void nodeLeft(DsoClusterEvent e) {
                    self.send(NODE_DISCONNECTED, e.getNode().getId());
                }

                @Override
                public void operationsEnabled(DsoClusterEvent e) {
                    self.connected = true;
                    self.send(THIS_NODE_CONNECTED, e.getNode().getId());
                }

                @Override
                public void operationsDisabled(DsoClusterEvent e) {
                    self.connected = false;
                    self.send(THIS_NODE_DISCONNECTED, e.getNode().getId());
                }
            });
            instance = b;
        }
        return b;
    }

    private void send(String type, String nodeId) {
        sendNotification(new Notification(type, NAME, seq.incrementAndGet(), System.currentTimeMillis(), nodeId));
    }

    @Override
    public String getNodeId() {
        return cluster.getCurrentNode().getId();
    }

    @Override
    public String[] getNodesInCluster() {
        List<String> ids = new ArrayList<>();
        for (DsoNode n : cluster.getClusterTopology().getNodes()) {
            ids.add(n.getId());
        }
        return ids.toArray(new String[0]);
    }

    @Override
    public boolean isConnected() {
        return connected;
    }
}

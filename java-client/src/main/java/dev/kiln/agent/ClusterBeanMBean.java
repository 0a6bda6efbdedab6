package dev.kiln.agent;

/**
 * The management interface of the Terracotta 2.x-era cluster bean,
 * {@code org.terracotta:type=Terracotta Cluster,name=Terracotta Cluster Bean} (see {@link ClusterBean}).
 */
public interface ClusterBeanMBean {
    /** This JVM's node id, as {@code com.tcclient.cluster.DsoNode#getId()} ({@code ClientID[n]}). */
    String getNodeId();

    /** The ids of the nodes in the cluster now, this one included. */
    String[] getNodesInCluster();

    /** Whether this node's cluster operations are enabled (connected). */
    boolean isConnected();
}

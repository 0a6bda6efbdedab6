package com.tcclient.cluster;

/**
 * A node (client process) of the cluster: Terracotta's tim-api 1.3 {@code com.tcclient.cluster.DsoNode}.
 *
 * <p>The nodes {@link com.tc.cluster.DsoCluster} hands out are equal (and hash) by {@link #getId()},
 * are {@link Comparable} (by client id, so they can be {@code TreeMap}/{@code TreeSet} keys), and
 * can be stored in shared objects: with the agent, a node is shared as a physical object of a
 * built-in portable class (no {@code <include>} needed); read in another JVM it equals that JVM's
 * own node for the same client. They are also {@link java.io.Serializable}.
 */
public interface DsoNode {
    /** Unique in the cluster's life: {@code ClientID[<client id>]}, as in Terracotta. */
    String getId();

    /** The node's IP address as the server sees it. */
    String getIp();

    /** The node's host name (the IP address when it does not resolve). */
    String getHostname();
}

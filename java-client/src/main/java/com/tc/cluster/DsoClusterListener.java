package com.tc.cluster;

/**
 * Cluster membership callbacks. They run on this node's cluster-event thread (named
 * {@code kiln-cluster-events-<client id>}), one at a time, in order; a callback must not block for
 * long (events queue behind it). An exception thrown by a callback is logged and ignored.
 */
public interface DsoClusterListener {
    /** Another node joined (or, first, this node: see {@link DsoCluster#addClusterListener}). */
    void nodeJoined(DsoClusterEvent event);

    /** A node left. */
    void nodeLeft(DsoClusterEvent event);

    /** This node can use the cluster (connected or reconnected). */
    void operationsEnabled(DsoClusterEvent event);

    /** This node cannot use the cluster now (connection lost; it may come back). */
    void operationsDisabled(DsoClusterEvent event);
}

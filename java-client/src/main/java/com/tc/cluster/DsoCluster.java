package com.tc.cluster;

/**
 * Terracotta's cluster API, same names: who is in the cluster and events when that changes. Get
 * it with {@code KilnCluster.dsoCluster()} (or, with the agent, injected into a field annotated
 * {@link com.tc.injection.annotations.InjectedDsoInstance} — coming with the instrumentation).
 *
 * <p>Not yet: Terracotta's object-location queries ({@code getNodesWithObject(s)},
 * {@code getKeysForOrphanedValues}, {@code getKeysForLocalValues}).
 */
public interface DsoCluster {
    /** Adds a listener; if this node has joined, it gets {@code operationsEnabled} at once. */
    void addClusterListener(DsoClusterListener listener);

    /** Removes a listener. */
    void removeClusterListener(DsoClusterListener listener);

    /** The nodes now in the cluster (this one included). */
    DsoClusterTopology getClusterTopology();

    /** This node. */
    DsoNode getCurrentNode();

    /** True while this node is a member of the cluster. */
    boolean isNodeJoined();

    /** True while this node is connected to the server (cluster operations can proceed). */
    boolean areOperationsEnabled();

    /** Waits until this node has joined; returns it. */
    DsoNode waitUntilNodeJoinsCluster();
}

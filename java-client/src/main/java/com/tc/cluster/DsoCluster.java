package com.tc.cluster;

import com.tcclient.cluster.DsoNode;

/**
 * Terracotta's cluster API, same names: who is in the cluster and events when that changes. Get
 * it with {@code KilnCluster.dsoCluster()} (or, with the agent, injected into a field annotated
 * {@link com.tc.injection.annotations.InjectedDsoInstance} — coming with the instrumentation).
 *
 * <p>The object-location queries ask the server which nodes have a shared structure resident
 * (faulted into their cache and not evicted): one round trip, a snapshot. Clustered objects are
 * Kiln's shared structures ({@code SharedMap}, {@code SharedList}, {@code SharedQueue}); literal
 * values (strings, numbers ...) live inside the structure that holds them.
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

    /**
     * The nodes where {@code object} is resident.
     *
     * @throws com.tc.cluster.exceptions.UnclusteredObjectException if it is not a shared structure
     */
    java.util.Set<DsoNode> getNodesWithObject(Object object);

    /**
     * For each object, the nodes where it is resident.
     *
     * @throws com.tc.cluster.exceptions.UnclusteredObjectException if one is not a shared structure
     */
    java.util.Map<?, java.util.Set<DsoNode>> getNodesWithObjects(Object... objects);

    /** {@link #getNodesWithObjects(Object...)} of a collection. */
    java.util.Map<?, java.util.Set<DsoNode>> getNodesWithObjects(java.util.Collection<?> objects);

    /**
     * The keys of {@code map} whose values are shared structures resident on no node (reading
     * them faults them in from the server).
     *
     * @throws com.tc.cluster.exceptions.UnclusteredObjectException if the map is not a shared map
     */
    <K> java.util.Set<K> getKeysForOrphanedValues(java.util.Map<K, ?> map);

    /**
     * The keys of {@code map} whose values are local to this node: literal values (held by the
     * map itself) and shared structures resident here.
     *
     * @throws com.tc.cluster.exceptions.UnclusteredObjectException if the map is not a shared map
     */
    <K> java.util.Set<K> getKeysForLocalValues(java.util.Map<K, ?> map);
}

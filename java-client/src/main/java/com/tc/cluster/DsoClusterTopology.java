package com.tc.cluster;

import com.tcclient.cluster.DsoNode;

import java.util.Collection;

/** The nodes of the cluster at one moment. */
public interface DsoClusterTopology {
    /** The nodes now in the cluster, this one included. */
    Collection<DsoNode> getNodes();
}

package com.tc.cluster;

import com.tcclient.cluster.DsoNode;

/** A membership event: the node it is about. */
public interface DsoClusterEvent {
    /** The node that joined or left (this node for operations enabled/disabled). */
    DsoNode getNode();
}

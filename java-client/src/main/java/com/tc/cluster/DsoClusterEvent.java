package com.tc.cluster;

/** A membership event: the node it is about. */
public interface DsoClusterEvent {
    /** The node that joined or left (this node for operations enabled/disabled). */
    DsoNode getNode();
}

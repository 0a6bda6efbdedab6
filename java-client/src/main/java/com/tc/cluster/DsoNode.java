package com.tc.cluster;

/** A node (client process) of the cluster. */
public interface DsoNode {
    /** Unique in the cluster's life: {@code Client[<client id>]}, as in Terracotta. */
    String getId();

    /** The node's IP address as the server sees it. */
    String getIp();

    /** The node's host name (the IP address when it does not resolve). */
    String getHostname();
}

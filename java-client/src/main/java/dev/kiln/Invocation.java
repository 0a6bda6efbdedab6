package dev.kiln;

import java.util.List;

/** One distributed call delivered to this node, see {@link KilnCluster#onInvoke}. */
public final class Invocation {
    private final KilnCluster cluster;
    private final String name;
    private final List<Object> args;
    private final long fromNode;
    private final long receiverId;

    Invocation(KilnCluster cluster, String name, List<Object> args, long fromNode, long receiverId) {
        this.cluster = cluster;
        this.name = name;
        this.args = args;
        this.fromNode = fromNode;
        this.receiverId = receiverId;
    }

    /** The name the call was made with. */
    public String name() {
        return name;
    }

    /** The arguments, decoded as values read from shared structures are (unmodifiable). */
    public List<Object> args() {
        return args;
    }

    /** The client id of the calling node. */
    public long fromNode() {
        return fromNode;
    }

    /** The receiver structure's object id, or 0 for a call without a receiver. */
    public long receiverId() {
        return receiverId;
    }

    /**
     * The receiver structure ({@link SharedMap}, {@link SharedList} or {@link SharedQueue}), or
     * null for a call without a receiver (or a receiver of another kind).
     */
    public Shared receiver() {
        return receiverId == 0 ? null : cluster.structureOrNull(receiverId);
    }

    @Override
    public String toString() {
        return "Invocation[" + name + args + " from node " + fromNode + (receiverId == 0 ? "" : ", receiver " + receiverId) + "]";
    }
}

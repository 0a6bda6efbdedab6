package dev.kiln;

/** A change notice: which structure, which transaction, which node. */
public final class ChangeEvent {
    private final Shared structure;
    private final long transactionId;
    private final long fromNode;

    ChangeEvent(Shared structure, long transactionId, long fromNode) {
        this.structure = structure;
        this.transactionId = transactionId;
        this.fromNode = fromNode;
    }

    /** The structure that changed (the one the listener was added to). */
    public Shared structure() {
        return structure;
    }

    /** The server's global id of the transaction that changed it. */
    public long transactionId() {
        return transactionId;
    }

    /** The client id of the node that committed it. */
    public long fromNode() {
        return fromNode;
    }

    @Override
    public String toString() {
        return "ChangeEvent[" + structure + ", txn " + transactionId + ", from node " + fromNode + "]";
    }
}

package com.tc.cluster.exceptions;

/** Terracotta's exception for an object-location query about an object that is not shared. */
public class UnclusteredObjectException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final transient Object unclusteredObject;

    /** The object (of a class that is not a Kiln shared structure) named in the message. */
    public UnclusteredObjectException(Object unclusteredObject) {
        super("not a clustered object: " + (unclusteredObject == null ? "null"
                : unclusteredObject.getClass().getName() + " (only Kiln shared structures, e.g. SharedMap, SharedList, "
                        + "SharedQueue, have cluster-wide identity)"));
        this.unclusteredObject = unclusteredObject;
    }

    /** The object. */
    public Object getUnclusteredObject() {
        return unclusteredObject;
    }
}

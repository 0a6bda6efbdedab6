package dev.kiln.agent.rt;

/**
 * Implemented (at load time, by the agent's class transformer) by every class that
 * {@code <instrumented-classes>} includes: the object's cluster object id lives in an injected
 * field {@code long $kiln$oid} ({@code 0}: not shared). Applications never implement it.
 */
public interface Managed {
    /** The name of the injected field. */
    String OID_FIELD = "$kiln$oid";

    /** The object id of this object in the cluster, 0 when it is not shared. */
    long $kiln$oid();

    /** Sets the object id (by the agent's runtime only, when the object becomes shared or is materialised). */
    void $kiln$oid(long oid);
}

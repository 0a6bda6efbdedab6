package dev.kiln.agent.jdk;

/**
 * A Kiln {@code Collections.synchronized*} wrapper ({@link Wrappers}): a {@link Shared} that is
 * stored in the cluster as the collection it wraps (same oid, that collection's kind and content,
 * its class name plus {@code |wrap=synchronizedX}). Its own object is its mutex, so its methods
 * and a user's {@code synchronized (wrapper)} take the same lock: a JVM monitor while it is not
 * shared, the wrapper's cluster lock (and that monitor) once it is.
 */
interface KilnWrapper extends KilnConcurrent {
    /** The lock owner: this wrapper, or the one it is a view of. */
    KilnWrapper $kiln$mutex();

    /** The wrapped collection or map. */
    Object $kiln$inner();

    /** Replaces the wrapped collection by its Kiln copy (share time, before anything is recorded). */
    void $kiln$inner(Object inner);
}

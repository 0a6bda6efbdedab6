package dev.kiln.agent.jdk;

import dev.kiln.agent.rt.Managed;

import java.util.List;

/**
 * A JDK collection the agent can share logically: the {@code dev.kiln.agent.jdk.Kiln*}
 * subclasses (allocated instead of the JDK type in instrumented classes, or copied from a plain
 * JDK collection at share time). While {@link #$kiln$oid()} is 0 every method is the JDK's own
 * after one field test; once shared, every mutator checks the cluster lock and records logical
 * operations (put/remove/add/set/clear...), never internal arrays. See docs/agent.md.
 */
public interface Shared extends Managed {
    /** The cluster kind: 0 map, 1 list, 2 set, 3 queue, 4 sorted map. */
    int $kiln$kind();

    /**
     * The class name recorded in the cluster: the JDK type, plus what materialising it on another
     * JVM needs ({@code |accessOrder}, {@code |comparator=...}). Throws
     * {@link com.tc.exception.TCNonPortableObjectError} when that cannot be shared (a lambda comparator).
     */
    String $kiln$class();

    /** The content in local order, not recorded: a map's keys and values alternating, else the elements. */
    List<Object> $kiln$content();

    /** Replaces the content locally, recording nothing (the caller makes sure the oid is 0 meanwhile). */
    void $kiln$load(List<Object> content);
}

package dev.kiln.agent.jdk;

import java.util.Iterator;
import java.util.Set;

/** The raw (local, unrecorded) operations of a Kiln set, for {@link SetOps}. */
public interface KilnSet<E> extends Shared, Set<E> {
    /** The JDK's own add. */
    boolean $kiln$add(E e);

    /** The JDK's own remove. */
    boolean $kiln$remove(Object o);

    /** The JDK's own clear. */
    void $kiln$clear();

    /** The JDK's own iterator (its remove is local only). */
    Iterator<E> $kiln$iterator();
}

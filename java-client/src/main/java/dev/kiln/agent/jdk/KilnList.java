package dev.kiln.agent.jdk;

import java.util.List;

/** The raw (local, unrecorded) operations of a Kiln list, for {@link ListOps}. */
public interface KilnList<E> extends Shared, List<E> {
    /** The JDK's own add(int, E). */
    void $kiln$add(int i, E e);

    /** The JDK's own set. */
    E $kiln$set(int i, E e);

    /** The JDK's own remove(int). */
    E $kiln$removeAt(int i);

    /** The JDK's own clear. */
    void $kiln$clear();
}

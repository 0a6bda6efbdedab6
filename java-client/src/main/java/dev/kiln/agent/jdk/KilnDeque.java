package dev.kiln.agent.jdk;

import java.util.Deque;
import java.util.Iterator;

/**
 * The raw (local, unrecorded) head/tail operations of a Kiln {@code java.util.concurrent} deque
 * (LinkedBlockingDeque), for {@link ConcurrentOps}; its tail operations are the
 * {@link KilnQueue} ones. In the cluster a deque is a logical list, head = index 0.
 */
public interface KilnDeque<E> extends KilnQueue<E>, Deque<E> {
    /** The JDK's own offerFirst. */
    boolean $kiln$offerFirst(E e);

    /** The JDK's own pollLast. */
    E $kiln$pollLast();

    /** The JDK's own descendingIterator (its remove is local only). */
    Iterator<E> $kiln$descendingIterator();
}

package dev.kiln.agent.jdk;

import java.util.Iterator;
import java.util.Queue;

/**
 * The raw (local, unrecorded) operations of a Kiln {@code java.util.concurrent} queue
 * (LinkedBlockingQueue, ArrayBlockingQueue, ConcurrentLinkedQueue, PriorityBlockingQueue), for {@link ConcurrentOps}.
 * In the cluster a queue is a logical list, head = index 0.
 */
public interface KilnQueue<E> extends KilnConcurrent, Queue<E> {
    /** The JDK's own offer. */
    boolean $kiln$offer(E e);

    /** The JDK's own poll. */
    E $kiln$poll();

    /** The JDK's own iterator (its remove is local only). */
    Iterator<E> $kiln$iterator();

    /** The JDK's own clear. */
    void $kiln$clear();

    /** Free places left (Integer.MAX_VALUE when unbounded). */
    int $kiln$remaining();

    /** True when a removal can unblock a producer (a bounded queue). */
    boolean $kiln$bounded();

    /**
     * True when a removal is recorded by value, not by index: the local order (a priority heap) is
     * not the cluster list's (offer order).
     */
    default boolean $kiln$byValue() {
        return false;
    }

    @Override
    default int $kiln$kind() {
        return 1;
    }

    @Override
    default java.util.List<Object> $kiln$content() {
        java.util.List<Object> out = new java.util.ArrayList<>();
        for (Iterator<E> it = $kiln$iterator(); it.hasNext();) {
            out.add(it.next());
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    @Override
    default void $kiln$load(java.util.List<Object> c) {
        $kiln$clear();
        for (Object o : c) {
            $kiln$offer((E) o);
        }
    }
}

package dev.kiln.agent.jdk;

import java.util.concurrent.locks.ReentrantLock;

/**
 * A self-locking {@code java.util.concurrent} Kiln type. Its {@link Guard} keeps the lock-award
 * refresh of another thread of this JVM ({@code Runtime.drain} reloading every resident object
 * from the client's cache) from reloading it while a thread is in the middle of an operation on
 * it: such a refresh is skipped and the object marked stale, and the operating thread, which
 * holds the object's cluster lock, reloads it itself ({@link ConcurrentOps}).
 */
public interface KilnConcurrent extends Shared {
    /** This object's guard. */
    Guard $kiln$guard();

    /** Taken (inside the object's cluster lock and JVM monitor) for an operation; tried by a refresh. */
    final class Guard extends ReentrantLock {
        private static final long serialVersionUID = 1L;
        /** A refresh was skipped while an operation ran: the content may be behind the client's cache. */
        volatile boolean stale;
        /** The count of remote transactions when this object was last brought in line here (-1: never). */
        long synced = -1;
    }
}

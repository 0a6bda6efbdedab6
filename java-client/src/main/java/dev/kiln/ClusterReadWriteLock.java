package dev.kiln;

import java.util.concurrent.locks.ReadWriteLock;

/**
 * A named cluster read/write lock: many readers or one writer across the cluster. A thread
 * holding the read lock may take the write lock (upgrade; it waits for other readers to leave).
 */
public final class ClusterReadWriteLock implements ReadWriteLock {
    private final ClusterLock read;
    private final ClusterLock write;

    ClusterReadWriteLock(KilnCluster cluster, String name) {
        this.read = new ClusterLock(cluster, name, LockLevel.READ, true);
        this.write = new ClusterLock(cluster, name, LockLevel.WRITE, true);
    }

    @Override
    public ClusterLock readLock() {
        return read;
    }

    @Override
    public ClusterLock writeLock() {
        return write;
    }
}

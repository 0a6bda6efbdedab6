package dev.kiln;

/**
 * A registered handler or listener ({@link KilnCluster#onInvoke},
 * {@link SharedStructure#addChangeListener}); {@link #close()} removes it. Idempotent.
 */
public interface Registration extends AutoCloseable {
    /** Removes the handler or listener; it is not called again once this returns. */
    @Override
    void close();
}

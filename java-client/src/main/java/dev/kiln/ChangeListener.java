package dev.kiln;

/**
 * Told after another node's transaction changed a shared structure, see
 * {@link SharedStructure#addChangeListener}. Runs on the cluster's change thread
 * {@code kiln-changes-<client id>}, one notice at a time in commit order, after the change is
 * visible to this node's reads. It may use the cluster; what it throws is logged and ignored.
 */
@FunctionalInterface
public interface ChangeListener {
    /** One transaction of another node changed the structure. */
    void changed(ChangeEvent event);
}

package dev.kiln;

/**
 * Something backed by a shared object of the cluster: {@link SharedMap}, {@link SharedList},
 * {@link SharedQueue} (and {@link SharedStructure} itself). A {@code Shared} stored as a value
 * in another shared structure travels as a reference to the same object; reading it back, on any
 * node, gives a live {@code SharedMap}/{@code SharedList}/{@code SharedQueue} again.
 */
public interface Shared {
    /** The shared object behind this (root name if any, object id, reference). */
    SharedStructure shared();

    /**
     * Calls {@code listener} after each transaction of another node that changed this structure
     * (on the thread {@code kiln-changes-<client id>}, see {@link ChangeListener}). The first
     * listener of a structure subscribes it with the server (one round trip); closing the last
     * registration unsubscribes.
     */
    default Registration addChangeListener(ChangeListener listener) {
        return shared().cluster.callbacks().addChangeListener(this, listener);
    }
}

package dev.kiln;

/**
 * Handles the distributed calls of one name, see {@link KilnCluster#onInvoke}. Runs on the
 * cluster's DMI thread {@code kiln-dmi-<client id>}, one call at a time in delivery order; it
 * may use the cluster (locks, shared structures), but while it runs later calls wait. What it
 * throws is logged (java.util.logging, logger {@code dev.kiln}) and otherwise ignored.
 */
@FunctionalInterface
public interface InvocationHandler {
    /** Handles one call. */
    void onInvoke(Invocation call) throws Exception;
}

package demo.coll;

/** Enum keys: their hashCode differs between JVMs; the cluster keys them by name. */
public enum Color {
    RED, GREEN, BLUE
}

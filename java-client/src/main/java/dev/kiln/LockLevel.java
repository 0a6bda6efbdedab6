package dev.kiln;

/** The four cluster lock levels (Terracotta's read, write, concurrent and synchronous-write). */
public enum LockLevel {
    /** Shared with other readers; changes are not allowed. */
    READ(1),
    /** Exclusive. */
    WRITE(2),
    /** No exclusion: only a transaction boundary. */
    CONCURRENT(3),
    /** Exclusive, and unlocking returns only after the server acknowledged the changes. */
    SYNCHRONOUS_WRITE(4);

    final int code;

    LockLevel(int code) {
        this.code = code;
    }

    boolean writes() {
        return this != READ;
    }
}

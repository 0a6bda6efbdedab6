package com.tc.object.tx;

/**
 * Thrown (as under Terracotta DSO) when a field of a shared object is written outside any
 * cluster lock. The message names the class, the field, the thread and the {@code <autolock>}
 * configuration that would make the enclosing {@code synchronized} a cluster lock.
 */
public class UnlockedSharedObjectException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public UnlockedSharedObjectException(String message) {
        super(message);
    }
}

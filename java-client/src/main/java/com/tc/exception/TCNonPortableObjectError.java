package com.tc.exception;

/**
 * Thrown (as under Terracotta DSO) when a transaction would link an object that cannot be
 * shared into the shared graph. The message names the field path from the root and the fix.
 * Nothing of that transaction is published.
 */
public class TCNonPortableObjectError extends Error {
    private static final long serialVersionUID = 1L;

    public TCNonPortableObjectError(String message) {
        super(message);
    }
}

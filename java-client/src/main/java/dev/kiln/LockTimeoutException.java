package dev.kiln;

/** A lock or a wait did not complete within its timeout. */
public class LockTimeoutException extends KilnException {
    private static final long serialVersionUID = 1L;

    public LockTimeoutException(String message) {
        super(message);
    }

    public LockTimeoutException(String message, Throwable cause) {
        super(message, cause);
    }
}

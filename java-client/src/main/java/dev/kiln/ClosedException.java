package dev.kiln;

/** The cluster handle was closed. */
public class ClosedException extends KilnException {
    private static final long serialVersionUID = 1L;

    public ClosedException(String message) {
        super(message);
    }

    public ClosedException(String message, Throwable cause) {
        super(message, cause);
    }
}

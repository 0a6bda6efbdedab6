package dev.kiln;

/** A blocking cluster operation was interrupted. */
public class KilnInterruptedException extends KilnException {
    private static final long serialVersionUID = 1L;

    public KilnInterruptedException(String message) {
        super(message);
    }

    public KilnInterruptedException(String message, Throwable cause) {
        super(message, cause);
    }
}

package dev.kiln;

/** Base of every Kiln error thrown to Java code. Unchecked, like the JDK's concurrency errors. */
public class KilnException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public KilnException(String message) {
        super(message);
    }

    public KilnException(String message, Throwable cause) {
        super(message, cause);
    }
}

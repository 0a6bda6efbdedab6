package dev.kiln;

/** The server could not make a transaction durable (disk full, read-only, I/O error); the transaction was rolled back. */
public class StorageUnavailableException extends KilnException {
    private static final long serialVersionUID = 1L;

    public StorageUnavailableException(String message) {
        super(message);
    }

    public StorageUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}

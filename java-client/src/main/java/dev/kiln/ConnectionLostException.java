package dev.kiln;

/** The connection to the server could not be made or was lost (and not re-established). */
public class ConnectionLostException extends KilnException {
    private static final long serialVersionUID = 1L;

    public ConnectionLostException(String message) {
        super(message);
    }

    public ConnectionLostException(String message, Throwable cause) {
        super(message, cause);
    }
}

package dev.kiln;

/** The server refused this client (for example it came back after the reconnect window). */
public class ServerRefusedException extends KilnException {
    private static final long serialVersionUID = 1L;

    public ServerRefusedException(String message) {
        super(message);
    }

    public ServerRefusedException(String message, Throwable cause) {
        super(message, cause);
    }
}

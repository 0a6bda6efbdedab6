package dev.kiln;

/** Client and server speak different protocol versions, or a frame could not be decoded. */
public class ProtocolMismatchException extends KilnException {
    private static final long serialVersionUID = 1L;

    public ProtocolMismatchException(String message) {
        super(message);
    }

    public ProtocolMismatchException(String message, Throwable cause) {
        super(message, cause);
    }
}

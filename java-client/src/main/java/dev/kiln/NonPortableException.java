package dev.kiln;

/** A value of a class that cannot be shared (not a literal type of DESIGN.md nor a shared structure); the message names the class. */
public class NonPortableException extends KilnException {
    private static final long serialVersionUID = 1L;

    public NonPortableException(String message) {
        super(message);
    }

    public NonPortableException(String message, Throwable cause) {
        super(message, cause);
    }
}

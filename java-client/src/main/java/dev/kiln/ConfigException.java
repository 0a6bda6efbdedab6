package dev.kiln;

/** A tc-config.xml or connection specification is invalid; the message names the file, line and setting. */
public class ConfigException extends KilnException {
    private static final long serialVersionUID = 1L;

    public ConfigException(String message) {
        super(message);
    }

    public ConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}

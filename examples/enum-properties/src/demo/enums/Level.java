package demo.enums;

/** A Java 5 enum: the keys of the shared EnumMaps. */
public enum Level {
    LOW, MID, HIGH
}

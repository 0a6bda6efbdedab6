package demo.enums;

import java.util.EnumMap;

/** A class no <include> matches (excluded in tc-config.xml): the EnumMap it makes is a plain JDK one. */
public class Library {
    public static EnumMap<Level, String> emptyNames() {
        return new EnumMap<>(Level.class);
    }
}

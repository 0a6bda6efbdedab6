package dev.kiln.codec;

import java.util.Objects;

/**
 * An enum constant whose class could not be resolved here (the class is not loadable from the
 * decoding class loader, is not an enum, or has no constant of that name). It keeps the wire
 * content, so it encodes back to exactly the same {@code enum} value (docs/protocol.md §3).
 */
public final class EnumValue {
    private final String className;
    private final String constant;

    public EnumValue(String className, String constant) {
        this.className = Objects.requireNonNull(className, "className");
        this.constant = Objects.requireNonNull(constant, "constant");
    }

    /** The enum's class name ({@link Class#getName()} form of the declaring enum class). */
    public String className() {
        return className;
    }

    /** The constant's name ({@link Enum#name()}). */
    public String constant() {
        return constant;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof EnumValue)) {
            return false;
        }
        EnumValue e = (EnumValue) o;
        return e.className.equals(className) && e.constant.equals(constant);
    }

    @Override
    public int hashCode() {
        return 31 * className.hashCode() + constant.hashCode();
    }

    /** {@code <class>.<constant>}, e.g. {@code com.acme.Color.RED}. */
    @Override
    public String toString() {
        return className + "." + constant;
    }
}

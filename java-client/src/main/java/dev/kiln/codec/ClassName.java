package dev.kiln.codec;

import java.util.Objects;

/**
 * A class literal as it travels in a shared value (the {@code class} value of docs/protocol.md §3):
 * only the class name ({@link Class#getName()} form, e.g. {@code java.lang.String}, {@code [I},
 * {@code com.acme.Outer$Inner}). The codec never loads the named class; callers that need the
 * {@link Class} resolve it themselves with the class loader of their choice.
 */
public final class ClassName implements Comparable<ClassName> {
    private final String name;

    public ClassName(String name) {
        this.name = Objects.requireNonNull(name, "name");
    }

    /** The name of {@code c} ({@link Class#getName()}). */
    public static ClassName of(Class<?> c) {
        return new ClassName(c.getName());
    }

    /** The class name, {@link Class#getName()} form. */
    public String name() {
        return name;
    }

    @Override
    public int compareTo(ClassName o) {
        return name.compareTo(o.name);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ClassName && ((ClassName) o).name.equals(name);
    }

    @Override
    public int hashCode() {
        return name.hashCode();
    }

    /** {@code class <name>}, like {@link Class#toString()} of a class. */
    @Override
    public String toString() {
        return "class " + name;
    }
}

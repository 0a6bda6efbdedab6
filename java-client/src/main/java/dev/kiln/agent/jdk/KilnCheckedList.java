package dev.kiln.agent.jdk;

/**
 * The Kiln twin of {@code Collections.checkedList}: a view delegating every
 * method to the JDK's checked view of the viewed collection (the delegation of the
 * {@code KilnUnmodifiable*} twins, {@link KilnUnmodifiableCollection}), so a wrong type is refused
 * with ClassCastException exactly as the JDK's, and a change goes to the viewed collection (a shared
 * {@code java.util} one records it under the thread's cluster lock, as any change of it). Shared, it
 * is its own cluster object: a list of one reference, the viewed collection; the checked type(s)
 * travel in the cluster class name ({@code ...|wrap=checkedList|types=java.lang.String}), loaded on
 * another JVM by the application's class loader. See docs/agent.md ("Portable types 3").
 */
public class KilnCheckedList<E> extends KilnUnmodifiableList<E> {
    private static final long serialVersionUID = 1L;
    /** The element type the JDK's checked view checks. */
    final Class<E> type;

    KilnCheckedList(java.util.List<E> c, Class<E> type) {
        super(null);
        this.type = java.util.Objects.requireNonNull(type);
        if (c != null) {
            view(c);
        }
    }

    @Override
    String $kiln$wrap() {
        return "checkedList";
    }

    @Override
    java.util.Collection<E> jdk(java.util.Collection<E> coll) {
        return java.util.Collections.checkedList((java.util.List<E>) coll, type);
    }

    /** The checked type, as the cluster class name carries it. */
    String $kiln$types() {
        return type.getName();
    }

    @Override
    public String $kiln$class() {
        return super.$kiln$class() + Wrappers.TYPES + $kiln$types();
    }
}

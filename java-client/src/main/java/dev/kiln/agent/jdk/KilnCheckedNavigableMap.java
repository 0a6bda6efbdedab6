package dev.kiln.agent.jdk;

/**
 * The Kiln twin of {@code Collections.checkedNavigableMap}: a view delegating every
 * method to the JDK's checked view of the viewed collection (the delegation of the
 * {@code KilnUnmodifiable*} twins, {@link KilnUnmodifiableCollection}), so a wrong type is refused
 * with ClassCastException exactly as the JDK's, and a change goes to the viewed collection (a shared
 * {@code java.util} one records it under the thread's cluster lock, as any change of it). Shared, it
 * is its own cluster object: a list of one reference, the viewed collection; the checked type(s)
 * travel in the cluster class name ({@code ...|wrap=checkedNavigableMap|types=java.lang.String}), loaded on
 * another JVM by the application's class loader. See docs/agent.md ("Portable types 3").
 */
public class KilnCheckedNavigableMap<K, V> extends KilnUnmodifiableNavigableMap<K, V> {
    private static final long serialVersionUID = 1L;
    /** The key and value types the JDK's checked view checks. */
    final Class<K> keyType;
    final Class<V> valueType;

    KilnCheckedNavigableMap(java.util.NavigableMap<K, V> m, Class<K> keyType, Class<V> valueType) {
        super(null);
        this.keyType = java.util.Objects.requireNonNull(keyType);
        this.valueType = java.util.Objects.requireNonNull(valueType);
        if (m != null) {
            view(m);
        }
    }

    @Override
    String $kiln$wrap() {
        return "checkedNavigableMap";
    }

    @Override
    java.util.Map<K, V> jdk(java.util.Map<K, V> map) {
        return java.util.Collections.checkedNavigableMap((java.util.NavigableMap<K, V>) map, keyType, valueType);
    }

    /** The checked types, as the cluster class name carries them. */
    String $kiln$types() {
        return keyType.getName() + "," + valueType.getName();
    }

    @Override
    public String $kiln$class() {
        return super.$kiln$class() + Wrappers.TYPES + $kiln$types();
    }
}

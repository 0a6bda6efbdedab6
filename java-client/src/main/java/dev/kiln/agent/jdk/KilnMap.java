package dev.kiln.agent.jdk;

import java.util.Map;
import java.util.Set;

/** The raw (local, unrecorded) operations of a Kiln map, for {@link MapOps}. */
public interface KilnMap<K, V> extends Shared, Map<K, V> {
    /** The JDK's own put. */
    V $kiln$put(K k, V v);

    /** The JDK's own remove. */
    V $kiln$remove(Object k);

    /** The JDK's own clear. */
    void $kiln$clear();

    /** The JDK's own entry set (its iterator's remove and entries' setValue are local only). */
    Set<Map.Entry<K, V>> $kiln$entries();

    /** True for an access-ordered LinkedHashMap: a put or get of a present key moves it to the end. */
    default boolean $kiln$moves() {
        return false;
    }
}

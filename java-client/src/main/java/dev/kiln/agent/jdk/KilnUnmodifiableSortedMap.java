package dev.kiln.agent.jdk;

import java.util.Collections;
import java.util.Comparator;
import java.util.Map;
import java.util.SortedMap;

/**
 * The Kiln twin of {@code Collections.unmodifiableSortedMap} ({@link KilnUnmodifiableMap}): every
 * method is the JDK's view's; its sub-maps are the JDK's unmodifiable views of the viewed map's.
 * Shared as its own cluster object, a list of one reference: the viewed map.
 */
public class KilnUnmodifiableSortedMap<K, V> extends KilnUnmodifiableMap<K, V> implements SortedMap<K, V> {
    private static final long serialVersionUID = 1L;

    KilnUnmodifiableSortedMap(SortedMap<K, V> m) {
        super(m);
    }

    @Override
    String $kiln$wrap() {
        return "unmodifiableSortedMap";
    }

    @Override
    Map<K, V> jdk(Map<K, V> map) {
        return Collections.unmodifiableSortedMap((SortedMap<K, V>) map);
    }

    private SortedMap<K, V> sro() {
        return (SortedMap<K, V>) ro;
    }

    @Override
    public Comparator<? super K> comparator() {
        return sro().comparator();
    }

    @Override
    public SortedMap<K, V> subMap(K from, K to) {
        return sro().subMap(from, to);
    }

    @Override
    public SortedMap<K, V> headMap(K to) {
        return sro().headMap(to);
    }

    @Override
    public SortedMap<K, V> tailMap(K from) {
        return sro().tailMap(from);
    }

    @Override
    public K firstKey() {
        return sro().firstKey();
    }

    @Override
    public K lastKey() {
        return sro().lastKey();
    }
}

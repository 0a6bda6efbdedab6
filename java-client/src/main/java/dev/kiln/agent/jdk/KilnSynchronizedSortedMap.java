package dev.kiln.agent.jdk;

import java.util.Comparator;
import java.util.SortedMap;

/** The Kiln twin of {@code Collections.synchronizedSortedMap} ({@link KilnSynchronizedMap}); sub-maps share its mutex. */
public class KilnSynchronizedSortedMap<K, V> extends KilnSynchronizedMap<K, V> implements SortedMap<K, V> {
    private static final long serialVersionUID = 1L;

    KilnSynchronizedSortedMap(SortedMap<K, V> m, KilnWrapper owner) {
        super(m, owner);
    }

    @Override
    String $kiln$wrap() {
        return "synchronizedSortedMap";
    }

    private SortedMap<K, V> sm() {
        return (SortedMap<K, V>) map();
    }

    @Override
    public Comparator<? super K> comparator() {
        return Wrappers.op(mutex, () -> sm().comparator());
    }

    @Override
    public SortedMap<K, V> subMap(K from, K to) {
        return Wrappers.op(mutex, () -> new KilnSynchronizedSortedMap<>(sm().subMap(from, to), mutex));
    }

    @Override
    public SortedMap<K, V> headMap(K to) {
        return Wrappers.op(mutex, () -> new KilnSynchronizedSortedMap<>(sm().headMap(to), mutex));
    }

    @Override
    public SortedMap<K, V> tailMap(K from) {
        return Wrappers.op(mutex, () -> new KilnSynchronizedSortedMap<>(sm().tailMap(from), mutex));
    }

    @Override
    public K firstKey() {
        return Wrappers.op(mutex, () -> sm().firstKey());
    }

    @Override
    public K lastKey() {
        return Wrappers.op(mutex, () -> sm().lastKey());
    }
}

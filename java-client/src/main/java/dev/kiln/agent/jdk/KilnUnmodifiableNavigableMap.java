package dev.kiln.agent.jdk;

import java.util.Collections;
import java.util.Map;
import java.util.NavigableMap;
import java.util.NavigableSet;
import java.util.SortedMap;

/**
 * The Kiln twin of {@code Collections.unmodifiableNavigableMap} ({@link KilnUnmodifiableMap}):
 * every method is the JDK's view's ({@code pollFirstEntry}/{@code pollLastEntry} refused, entries
 * immutable, as there); its sub-maps and key sets are the JDK's unmodifiable views. Shared as its
 * own cluster object: the viewed map.
 */
public class KilnUnmodifiableNavigableMap<K, V> extends KilnUnmodifiableSortedMap<K, V> implements NavigableMap<K, V> {
    private static final long serialVersionUID = 1L;

    KilnUnmodifiableNavigableMap(NavigableMap<K, V> m) {
        super(m);
    }

    @Override
    String $kiln$wrap() {
        return "unmodifiableNavigableMap";
    }

    @Override
    Map<K, V> jdk(Map<K, V> map) {
        return Collections.unmodifiableNavigableMap((NavigableMap<K, V>) map);
    }

    private NavigableMap<K, V> nro() {
        return (NavigableMap<K, V>) ro;
    }

    @Override
    public Map.Entry<K, V> lowerEntry(K k) {
        return nro().lowerEntry(k);
    }

    @Override
    public K lowerKey(K k) {
        return nro().lowerKey(k);
    }

    @Override
    public Map.Entry<K, V> floorEntry(K k) {
        return nro().floorEntry(k);
    }

    @Override
    public K floorKey(K k) {
        return nro().floorKey(k);
    }

    @Override
    public Map.Entry<K, V> ceilingEntry(K k) {
        return nro().ceilingEntry(k);
    }

    @Override
    public K ceilingKey(K k) {
        return nro().ceilingKey(k);
    }

    @Override
    public Map.Entry<K, V> higherEntry(K k) {
        return nro().higherEntry(k);
    }

    @Override
    public K higherKey(K k) {
        return nro().higherKey(k);
    }

    @Override
    public Map.Entry<K, V> firstEntry() {
        return nro().firstEntry();
    }

    @Override
    public Map.Entry<K, V> lastEntry() {
        return nro().lastEntry();
    }

    @Override
    public Map.Entry<K, V> pollFirstEntry() {
        return nro().pollFirstEntry();
    }

    @Override
    public Map.Entry<K, V> pollLastEntry() {
        return nro().pollLastEntry();
    }

    @Override
    public NavigableMap<K, V> descendingMap() {
        return nro().descendingMap();
    }

    @Override
    public NavigableSet<K> navigableKeySet() {
        return nro().navigableKeySet();
    }

    @Override
    public NavigableSet<K> descendingKeySet() {
        return nro().descendingKeySet();
    }

    @Override
    public NavigableMap<K, V> subMap(K from, boolean fromIn, K to, boolean toIn) {
        return nro().subMap(from, fromIn, to, toIn);
    }

    @Override
    public NavigableMap<K, V> headMap(K to, boolean in) {
        return nro().headMap(to, in);
    }

    @Override
    public NavigableMap<K, V> tailMap(K from, boolean in) {
        return nro().tailMap(from, in);
    }

    @Override
    public SortedMap<K, V> subMap(K from, K to) {
        return nro().subMap(from, true, to, false);
    }

    @Override
    public SortedMap<K, V> headMap(K to) {
        return nro().headMap(to, false);
    }

    @Override
    public SortedMap<K, V> tailMap(K from) {
        return nro().tailMap(from, true);
    }
}

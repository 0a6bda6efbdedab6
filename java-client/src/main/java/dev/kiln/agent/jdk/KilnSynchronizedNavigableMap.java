package dev.kiln.agent.jdk;

import java.util.Map;
import java.util.NavigableMap;
import java.util.NavigableSet;
import java.util.SortedMap;

/** The Kiln twin of {@code Collections.synchronizedNavigableMap} ({@link KilnSynchronizedMap}); views share its mutex. */
public class KilnSynchronizedNavigableMap<K, V> extends KilnSynchronizedSortedMap<K, V> implements NavigableMap<K, V> {
    private static final long serialVersionUID = 1L;

    KilnSynchronizedNavigableMap(NavigableMap<K, V> m, KilnWrapper owner) {
        super(m, owner);
    }

    @Override
    String $kiln$wrap() {
        return "synchronizedNavigableMap";
    }

    private NavigableMap<K, V> nm() {
        return (NavigableMap<K, V>) map();
    }

    private NavigableMap<K, V> view(NavigableMap<K, V> v) {
        return new KilnSynchronizedNavigableMap<>(v, mutex);
    }

    @Override
    public Map.Entry<K, V> lowerEntry(K k) {
        return Wrappers.op(mutex, () -> nm().lowerEntry(k));
    }

    @Override
    public K lowerKey(K k) {
        return Wrappers.op(mutex, () -> nm().lowerKey(k));
    }

    @Override
    public Map.Entry<K, V> floorEntry(K k) {
        return Wrappers.op(mutex, () -> nm().floorEntry(k));
    }

    @Override
    public K floorKey(K k) {
        return Wrappers.op(mutex, () -> nm().floorKey(k));
    }

    @Override
    public Map.Entry<K, V> ceilingEntry(K k) {
        return Wrappers.op(mutex, () -> nm().ceilingEntry(k));
    }

    @Override
    public K ceilingKey(K k) {
        return Wrappers.op(mutex, () -> nm().ceilingKey(k));
    }

    @Override
    public Map.Entry<K, V> higherEntry(K k) {
        return Wrappers.op(mutex, () -> nm().higherEntry(k));
    }

    @Override
    public K higherKey(K k) {
        return Wrappers.op(mutex, () -> nm().higherKey(k));
    }

    @Override
    public Map.Entry<K, V> firstEntry() {
        return Wrappers.op(mutex, () -> nm().firstEntry());
    }

    @Override
    public Map.Entry<K, V> lastEntry() {
        return Wrappers.op(mutex, () -> nm().lastEntry());
    }

    @Override
    public Map.Entry<K, V> pollFirstEntry() {
        return Wrappers.op(mutex, () -> nm().pollFirstEntry());
    }

    @Override
    public Map.Entry<K, V> pollLastEntry() {
        return Wrappers.op(mutex, () -> nm().pollLastEntry());
    }

    @Override
    public NavigableMap<K, V> descendingMap() {
        return Wrappers.op(mutex, () -> view(nm().descendingMap()));
    }

    @Override
    public NavigableSet<K> navigableKeySet() {
        return Wrappers.op(mutex, () -> new KilnSynchronizedNavigableSet<>(nm().navigableKeySet(), mutex));
    }

    @Override
    public NavigableSet<K> descendingKeySet() {
        return Wrappers.op(mutex, () -> new KilnSynchronizedNavigableSet<>(nm().descendingKeySet(), mutex));
    }

    @Override
    public NavigableMap<K, V> subMap(K from, boolean fromIn, K to, boolean toIn) {
        return Wrappers.op(mutex, () -> view(nm().subMap(from, fromIn, to, toIn)));
    }

    @Override
    public NavigableMap<K, V> headMap(K to, boolean in) {
        return Wrappers.op(mutex, () -> view(nm().headMap(to, in)));
    }

    @Override
    public NavigableMap<K, V> tailMap(K from, boolean in) {
        return Wrappers.op(mutex, () -> view(nm().tailMap(from, in)));
    }

    @Override
    public SortedMap<K, V> subMap(K from, K to) {
        return Wrappers.op(mutex, () -> view(nm().subMap(from, true, to, false)));
    }

    @Override
    public SortedMap<K, V> headMap(K to) {
        return Wrappers.op(mutex, () -> view(nm().headMap(to, false)));
    }

    @Override
    public SortedMap<K, V> tailMap(K from) {
        return Wrappers.op(mutex, () -> view(nm().tailMap(from, true)));
    }
}

package dev.kiln.agent.jdk;

import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.NavigableSet;
import java.util.Set;
import java.util.SortedMap;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * A {@code java.util.LinkedHashMap} the cluster can share, insertion or access order (an access-ordered get under a cluster lock records the move). Allocated instead of {@code java.util.LinkedHashMap} in instrumented classes (same
 * constructors) and copied from a plain one at share time. Not shared: the JDK's behaviour after
 * one field test. Shared: every mutator (views, iterators and entries included) checks the cluster
 * lock and records logical Put/Remove/Clear operations ({@link MapOps}).
 */
@SuppressWarnings("unchecked")
public class KilnLinkedHashMap<K, V> extends java.util.LinkedHashMap<K, V> implements KilnMap<K, V> {
    private static final long serialVersionUID = 1L;
    private transient long $kiln$oid;

    /** LinkedHashMap's own flag is private. */
    private final boolean accessOrder;

    /** As the JDK's constructor. */
    public KilnLinkedHashMap() {
        super();
        this.accessOrder = false;
    }

    /** As the JDK's constructor. */
    public KilnLinkedHashMap(int initialCapacity) {
        super(initialCapacity);
        this.accessOrder = false;
    }

    /** As the JDK's constructor. */
    public KilnLinkedHashMap(int initialCapacity, float loadFactor) {
        super(initialCapacity, loadFactor);
        this.accessOrder = false;
    }

    /** As the JDK's constructor. */
    public KilnLinkedHashMap(int initialCapacity, float loadFactor, boolean accessOrder) {
        super(initialCapacity, loadFactor, accessOrder);
        this.accessOrder = accessOrder;
    }

    /** As the JDK's constructor. */
    public KilnLinkedHashMap(Map<? extends K, ? extends V> m) {
        super(m);
        this.accessOrder = false;
    }


    @Override
    public long $kiln$oid() {
        return $kiln$oid;
    }

    @Override
    public void $kiln$oid(long oid) {
        $kiln$oid = oid;
    }

    @Override
    public int $kiln$kind() {
        return 0;
    }

    @Override
    public String $kiln$class() {
        return accessOrder ? "java.util.LinkedHashMap|accessOrder" : "java.util.LinkedHashMap";
    }

    @Override
    public List<Object> $kiln$content() {
        return Jdk.mapContent(rawEntries());
    }

    @Override
    public void $kiln$load(List<Object> c) {
        super.clear();
        for (int i = 0; i + 1 < c.size(); i += 2) {
            super.put((K) c.get(i), (V) c.get(i + 1));
        }
    }

    @Override
    public V $kiln$put(K k, V v) {
        return super.put(k, v);
    }

    @Override
    public V $kiln$remove(Object k) {
        return super.remove(k);
    }

    @Override
    public void $kiln$clear() {
        super.clear();
    }

    @Override
    public Set<Map.Entry<K, V>> $kiln$entries() {
        return rawEntries();
    }

    @Override
    public V put(K k, V v) {
        return $kiln$oid == 0 ? super.put(k, v) : MapOps.put(this, k, v);
    }

    @Override
    public V remove(Object k) {
        return $kiln$oid == 0 ? super.remove(k) : MapOps.remove(this, k);
    }

    @Override
    public void clear() {
        if ($kiln$oid == 0) {
            super.clear();
        } else {
            MapOps.clear(this);
        }
    }

    @Override
    public void putAll(Map<? extends K, ? extends V> m) {
        if ($kiln$oid == 0) {
            super.putAll(m);
        } else {
            MapOps.putAll(this, m);
        }
    }

    @Override
    public V putIfAbsent(K k, V v) {
        return $kiln$oid == 0 ? super.putIfAbsent(k, v) : MapOps.putIfAbsent(this, k, v);
    }

    @Override
    public boolean remove(Object k, Object v) {
        return $kiln$oid == 0 ? super.remove(k, v) : MapOps.remove(this, k, v);
    }

    @Override
    public V replace(K k, V v) {
        return $kiln$oid == 0 ? super.replace(k, v) : MapOps.replace(this, k, v);
    }

    @Override
    public boolean replace(K k, V o, V v) {
        return $kiln$oid == 0 ? super.replace(k, o, v) : MapOps.replace(this, k, o, v);
    }

    @Override
    public V computeIfAbsent(K k, Function<? super K, ? extends V> f) {
        return $kiln$oid == 0 ? super.computeIfAbsent(k, f) : MapOps.computeIfAbsent(this, k, f);
    }

    @Override
    public V computeIfPresent(K k, BiFunction<? super K, ? super V, ? extends V> f) {
        return $kiln$oid == 0 ? super.computeIfPresent(k, f) : MapOps.computeIfPresent(this, k, f);
    }

    @Override
    public V compute(K k, BiFunction<? super K, ? super V, ? extends V> f) {
        return $kiln$oid == 0 ? super.compute(k, f) : MapOps.compute(this, k, f);
    }

    @Override
    public V merge(K k, V v, BiFunction<? super V, ? super V, ? extends V> f) {
        return $kiln$oid == 0 ? super.merge(k, v, f) : MapOps.merge(this, k, v, f);
    }

    @Override
    public void replaceAll(BiFunction<? super K, ? super V, ? extends V> f) {
        if ($kiln$oid == 0) {
            super.replaceAll(f);
        } else {
            MapOps.replaceAll(this, f);
        }
    }

    @Override
    public Set<K> keySet() {
        return $kiln$oid == 0 ? super.keySet() : MapOps.keySet(this);
    }

    @Override
    public Collection<V> values() {
        return $kiln$oid == 0 ? super.values() : MapOps.values(this);
    }

    @Override
    public Set<Map.Entry<K, V>> entrySet() {
        return $kiln$oid == 0 ? super.entrySet() : MapOps.entrySet(this);
    }

    /** A copy is a new, unshared map. */
    @Override
    public Object clone() {
        KilnLinkedHashMap<K, V> c = (KilnLinkedHashMap<K, V>) super.clone();
        c.$kiln$oid = 0;
        return c;
    }

    @Override
    public boolean $kiln$moves() {
        return accessOrder;
    }

    @Override
    public V get(Object k) {
        V v = super.get(k);
        if ($kiln$oid != 0 && accessOrder) {
            MapOps.touched(this, k, v);
        }
        return v;
    }

    @Override
    public V getOrDefault(Object k, V d) {
        V v = super.getOrDefault(k, d);
        if ($kiln$oid != 0 && accessOrder) {
            MapOps.touched(this, k, v);
        }
        return v;
    }

    // JDK 21 SequencedMap additions (plain methods on older JDKs; overrides on 21+). The JDK's
    // putFirst/putLast call put() in a private "put mode", which a shared map would record as a
    // plain Put (the cluster's order would differ): shared, they are recorded here; unshared,
    // they are the JDK's own.

    private static final java.lang.invoke.MethodHandle PUT_FIRST = jdk21("putFirst");
    private static final java.lang.invoke.MethodHandle PUT_LAST = jdk21("putLast");

    /** {@code LinkedHashMap.name(Object, Object)} as {@code super.name(..)} of this class; null before JDK 21. */
    private static java.lang.invoke.MethodHandle jdk21(String name) {
        try {
            return java.lang.invoke.MethodHandles.lookup().findSpecial(java.util.LinkedHashMap.class, name,
                    java.lang.invoke.MethodType.methodType(Object.class, Object.class, Object.class), KilnLinkedHashMap.class);
        } catch (ReflectiveOperationException before21) {
            return null;
        }
    }

    private V jdk(java.lang.invoke.MethodHandle h, K k, V v, boolean first) {
        if (h == null) { // before JDK 21 nothing but a direct call reaches here: the same semantics
            if (!first) {
                V old = super.remove(k);
                super.put(k, v);
                return old;
            }
            V old = super.get(k);
            List<Map.Entry<K, V>> rest = new java.util.ArrayList<>();
            for (Map.Entry<K, V> e : rawEntries()) {
                if (!java.util.Objects.equals(e.getKey(), k)) {
                    rest.add(new java.util.AbstractMap.SimpleEntry<>(e));
                }
            }
            super.clear();
            super.put(k, v);
            for (Map.Entry<K, V> e : rest) {
                super.put(e.getKey(), e.getValue());
            }
            return old;
        }
        try {
            return (V) h.invoke(this, k, v);
        } catch (RuntimeException | Error x) {
            throw x;
        } catch (Throwable x) {
            throw new java.lang.reflect.UndeclaredThrowableException(x);
        }
    }

    /** As {@code LinkedHashMap.putFirst} (JDK 21): shared, recorded as Clear and the entries put again in the new order. */
    public V putFirst(K k, V v) {
        if ($kiln$oid == 0) {
            return jdk(PUT_FIRST, k, v, true);
        }
        long t = Jdk.txn(this, "putFirst");
        k = Jdk.link(t, k, this);
        v = Jdk.link(t, v, this);
        Object stored = MapOps.storedKey(this, k);
        V old = null;
        List<Map.Entry<K, V>> rest = new java.util.ArrayList<>(size());
        for (Map.Entry<K, V> e : rawEntries()) {
            if (java.util.Objects.equals(e.getKey(), k)) {
                old = e.getValue();
            } else {
                rest.add(new java.util.AbstractMap.SimpleEntry<>(e));
            }
        }
        super.clear();
        Jdk.clear(t, this);
        super.put((K) stored, v);
        Jdk.put(t, this, stored, v);
        for (Map.Entry<K, V> e : rest) {
            super.put(e.getKey(), e.getValue());
            Jdk.put(t, this, e.getKey(), e.getValue());
        }
        return old;
    }

    /** As {@code LinkedHashMap.putLast} (JDK 21): shared, a present key is recorded as Remove and Put. */
    public V putLast(K k, V v) {
        if ($kiln$oid == 0) {
            return jdk(PUT_LAST, k, v, false);
        }
        long t = Jdk.txn(this, "putLast");
        k = Jdk.link(t, k, this);
        v = Jdk.link(t, v, this);
        Object stored = MapOps.storedKey(this, k);
        V old = null;
        if (super.containsKey(k)) {
            old = super.remove(k);
            Jdk.remove(t, this, stored);
        }
        super.put((K) stored, v);
        Jdk.put(t, this, stored, v);
        return old;
    }

    private static final java.lang.invoke.MethodHandle REVERSED =
            Sequenced.special(java.lang.invoke.MethodHandles.lookup(), java.util.LinkedHashMap.class, "reversed", "java.util.SequencedMap");
    private static final java.lang.invoke.MethodHandle KEYS =
            Sequenced.special(java.lang.invoke.MethodHandles.lookup(), java.util.LinkedHashMap.class, "sequencedKeySet", "java.util.SequencedSet");
    private static final java.lang.invoke.MethodHandle VALUES =
            Sequenced.special(java.lang.invoke.MethodHandles.lookup(), java.util.LinkedHashMap.class, "sequencedValues", "java.util.SequencedCollection");
    private static final java.lang.invoke.MethodHandle ENTRIES =
            Sequenced.special(java.lang.invoke.MethodHandles.lookup(), java.util.LinkedHashMap.class, "sequencedEntrySet", "java.util.SequencedSet");

    // The JDK 21 sequenced views (their overrides, returning JDK 21 types, are bridges added at load
    // by SequencedBridges): unshared the JDK's own; shared, views whose changes are this map's.

    /** {@code reversed()} (JDK 21). */
    public Object $kiln$reversed() {
        if ($kiln$oid == 0) {
            return Sequenced.jdk(REVERSED, this);
        }
        return Sequenced.view("java.util.SequencedMap", new Sequenced.RevMap<>(this), () -> this);
    }

    /** {@code sequencedKeySet()} (JDK 21). */
    public Object $kiln$sequencedKeySet() {
        if ($kiln$oid == 0) {
            return Sequenced.jdk(KEYS, this);
        }
        return Sequenced.view("java.util.SequencedSet", MapOps.keySet(this),
                () -> Sequenced.call("java.util.SequencedMap", $kiln$reversed(), "sequencedKeySet"));
    }

    /** {@code sequencedValues()} (JDK 21). */
    public Object $kiln$sequencedValues() {
        if ($kiln$oid == 0) {
            return Sequenced.jdk(VALUES, this);
        }
        return Sequenced.view("java.util.SequencedCollection", MapOps.values(this),
                () -> Sequenced.call("java.util.SequencedMap", $kiln$reversed(), "sequencedValues"));
    }

    /** {@code sequencedEntrySet()} (JDK 21). */
    public Object $kiln$sequencedEntrySet() {
        if ($kiln$oid == 0) {
            return Sequenced.jdk(ENTRIES, this);
        }
        return Sequenced.view("java.util.SequencedSet", MapOps.entrySet(this),
                () -> Sequenced.call("java.util.SequencedMap", $kiln$reversed(), "sequencedEntrySet"));
    }

    /**
     * The JDK's own entry set: on JDK 21+ {@code LinkedHashMap.entrySet()} is
     * {@code sequencedEntrySet()}, a virtual call this class overrides, so the raw set is taken
     * through {@code super.sequencedEntrySet()} there.
     */
    @SuppressWarnings("unchecked")
    private Set<Map.Entry<K, V>> rawEntries() {
        return ENTRIES == null ? super.entrySet() : (Set<Map.Entry<K, V>>) Sequenced.jdk(ENTRIES, this);
    }
}

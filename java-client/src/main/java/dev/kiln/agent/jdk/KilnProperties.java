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

import dev.kiln.agent.rt.Runtime;

/**
 * A {@code java.util.Properties} the cluster can share. Allocated instead of {@code
 * java.util.Properties} in instrumented classes (same constructors) and copied from a plain one at
 * share time. Not shared: the JDK's behaviour after one field test. Shared: as Terracotta DSO,
 * which write-autolocked every {@code synchronized} method of {@code Properties} by default, each
 * mutator ({@code setProperty}, {@code put}, {@code remove}, {@code load}...) takes this object's
 * own cluster write lock for its duration (re-entered when the thread holds it, nested in any
 * other cluster lock the thread holds), so it needs no user lock, and records logical
 * Put/Remove/Clear operations ({@link MapOps}); the JVM monitor is taken after the cluster lock
 * (by the JDK's own synchronized methods). The views' removals need a user lock, as for the
 * other maps. The {@code defaults} table is not shared.
 */
@SuppressWarnings("unchecked")
public class KilnProperties extends java.util.Properties implements KilnMap<Object, Object> {
    private static final long serialVersionUID = 1L;
    private transient long $kiln$oid;

    /** As the JDK's constructor. */
    public KilnProperties() {
        super();
    }

    /** As the JDK's constructor. */
    public KilnProperties(java.util.Properties defaults) {
        super(defaults);
    }

    private static final int WRITE = 2;

    /** {@code op} under this shared object's own cluster write lock (Terracotta's built-in autolock). */
    private <R> R locked(java.util.function.Supplier<R> op) {
        long oid = $kiln$oid;
        Runtime.enterShared(oid, WRITE);
        try {
            return op.get();
        } finally {
            Runtime.exitShared(oid);
        }
    }

    @Override
    public void load(java.io.Reader r) throws java.io.IOException {
        if ($kiln$oid == 0) {
            super.load(r);
        } else {
            loadLocked(() -> super.load(r));
        }
    }

    @Override
    public void load(java.io.InputStream in) throws java.io.IOException {
        if ($kiln$oid == 0) {
            super.load(in);
        } else {
            loadLocked(() -> super.load(in));
        }
    }

    @Override
    public void loadFromXML(java.io.InputStream in) throws java.io.IOException {
        if ($kiln$oid == 0) {
            super.loadFromXML(in);
        } else {
            loadLocked(() -> super.loadFromXML(in));
        }
    }

    private interface IoOp {
        void run() throws java.io.IOException;
    }

    /** A load's puts in one transaction of this object's lock. */
    private void loadLocked(IoOp op) throws java.io.IOException {
        long oid = $kiln$oid;
        Runtime.enterShared(oid, WRITE);
        try {
            op.run();
        } finally {
            Runtime.exitShared(oid);
        }
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
        return "java.util.Properties";
    }

    @Override
    public synchronized List<Object> $kiln$content() {
        return Jdk.mapContent(super.entrySet());
    }

    @Override
    public synchronized void $kiln$load(List<Object> c) {
        super.clear();
        for (int i = 0; i + 1 < c.size(); i += 2) {
            super.put(c.get(i), c.get(i + 1));
        }
    }

    @Override
    public synchronized Object $kiln$put(Object k, Object v) {
        return super.put(k, v);
    }

    @Override
    public synchronized Object $kiln$remove(Object k) {
        return super.remove(k);
    }

    @Override
    public synchronized void $kiln$clear() {
        super.clear();
    }

    @Override
    public Set<Map.Entry<Object, Object>> $kiln$entries() {
        return super.entrySet();
    }

    @Override
    public Object put(Object k, Object v) {
        return $kiln$oid == 0 ? super.put(k, v) : locked(() -> MapOps.put(this, k, v));
    }

    @Override
    public Object remove(Object k) {
        return $kiln$oid == 0 ? super.remove(k) : locked(() -> MapOps.remove(this, k));
    }

    @Override
    public void clear() {
        if ($kiln$oid == 0) {
            super.clear();
        } else {
            locked(() -> {
                MapOps.clear(this);
                return null;
            });
        }
    }

    @Override
    public void putAll(Map<?, ?> m) {
        if ($kiln$oid == 0) {
            super.putAll(m);
        } else {
            locked(() -> {
                MapOps.putAll(this, (Map<Object, Object>) m);
                return null;
            });
        }
    }

    @Override
    public Object putIfAbsent(Object k, Object v) {
        return $kiln$oid == 0 ? super.putIfAbsent(k, v) : locked(() -> MapOps.putIfAbsent(this, k, v));
    }

    @Override
    public boolean remove(Object k, Object v) {
        return $kiln$oid == 0 ? super.remove(k, v) : locked(() -> MapOps.remove(this, k, v));
    }

    @Override
    public Object replace(Object k, Object v) {
        return $kiln$oid == 0 ? super.replace(k, v) : locked(() -> MapOps.replace(this, k, v));
    }

    @Override
    public boolean replace(Object k, Object o, Object v) {
        return $kiln$oid == 0 ? super.replace(k, o, v) : locked(() -> MapOps.replace(this, k, o, v));
    }

    @Override
    public Object computeIfAbsent(Object k, Function<? super Object, ?> f) {
        return $kiln$oid == 0 ? super.computeIfAbsent(k, f) : locked(() -> MapOps.computeIfAbsent(this, k, f));
    }

    @Override
    public Object computeIfPresent(Object k, BiFunction<? super Object, ? super Object, ?> f) {
        return $kiln$oid == 0 ? super.computeIfPresent(k, f) : locked(() -> MapOps.computeIfPresent(this, k, f));
    }

    @Override
    public Object compute(Object k, BiFunction<? super Object, ? super Object, ?> f) {
        return $kiln$oid == 0 ? super.compute(k, f) : locked(() -> MapOps.compute(this, k, f));
    }

    @Override
    public Object merge(Object k, Object v, BiFunction<? super Object, ? super Object, ?> f) {
        return $kiln$oid == 0 ? super.merge(k, v, f) : locked(() -> MapOps.merge(this, k, v, f));
    }

    @Override
    public void replaceAll(BiFunction<? super Object, ? super Object, ?> f) {
        if ($kiln$oid == 0) {
            super.replaceAll(f);
        } else {
            locked(() -> {
                MapOps.replaceAll(this, f);
                return null;
            });
        }
    }

    @Override
    public Set<Object> keySet() {
        return $kiln$oid == 0 ? super.keySet() : MapOps.keySet(this);
    }

    @Override
    public Collection<Object> values() {
        return $kiln$oid == 0 ? super.values() : MapOps.values(this);
    }

    @Override
    public Set<Map.Entry<Object, Object>> entrySet() {
        return $kiln$oid == 0 ? super.entrySet() : MapOps.entrySet(this);
    }

    /** A copy is a new, unshared map. */
    @Override
    public synchronized Object clone() {
        KilnProperties c = (KilnProperties) super.clone();
        c.$kiln$oid = 0;
        return c;
    }
}

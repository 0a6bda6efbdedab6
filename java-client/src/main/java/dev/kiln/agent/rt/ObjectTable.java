package dev.kiln.agent.rt;

import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;

/**
 * Object id -> the Java object materialised or shared in this JVM, held weakly (docs/agent.md
 * "Local release"): an object nothing in the program references any more is collected, its
 * entry (and its lazy-field entries) removed, and the next read of a lazy field pointing to it
 * materialises it again from the client. Mutations happen under the table's monitor, as the
 * strong map's did ({@code Runtime} materialises, refreshes and resolves under it).
 */
final class ObjectTable {
    private static final class Entry extends WeakReference<Object> {
        final long oid;

        Entry(Object o, long oid, ReferenceQueue<Object> q) {
            super(o, q);
            this.oid = oid;
        }
    }

    private final ConcurrentHashMap<Long, Entry> map = new ConcurrentHashMap<>();
    /**
     * Told the ids of the entries {@link #expunge} removed, under the table's monitor (so no
     * materialisation of the same ids runs meanwhile): the client drops them from its cache.
     */
    private final java.util.function.Consumer<long[]> onRelease;

    ObjectTable() {
        this(null);
    }

    ObjectTable(java.util.function.Consumer<long[]> onRelease) {
        this.onRelease = onRelease;
    }
    private final ReferenceQueue<Object> queue = new ReferenceQueue<>();
    /** Entries removed because their object was collected (diagnostics). */
    private long released;

    Object get(long oid) {
        Entry e = map.get(oid);
        return e == null ? null : e.get();
    }

    void put(long oid, Object o) {
        expunge();
        map.put(oid, new Entry(o, oid, queue));
    }

    void remove(long oid) {
        map.remove(oid);
    }

    /** Live objects (after removing the collected ones). */
    int size() {
        expunge();
        int n = 0;
        for (Entry e : map.values()) {
            if (e.get() != null) {
                n++;
            }
        }
        return n;
    }

    synchronized long released() {
        expunge();
        return released;
    }

    /** Calls {@code f} for every live object. */
    void forEach(BiConsumer<Long, Object> f) {
        for (Map.Entry<Long, Entry> en : map.entrySet()) {
            Object o = en.getValue().get();
            if (o != null) {
                f.accept(en.getKey(), o);
            }
        }
    }

    /**
     * Removes the entries of collected objects; returns their ids. Under the table's monitor, the
     * one {@code Runtime} materialises under: a re-materialisation of the same id cannot slip in
     * between removing the entry and dropping the holder's lazy entries (it would lose its own).
     */
    synchronized long[] expunge() {
        List<Long> gone = null;
        for (Object r; (r = queue.poll()) != null; ) {
            Entry e = (Entry) r;
            if (map.remove(e.oid, e)) {
                Lazy.removeHolder(e.oid);
                released++;
                if (gone == null) {
                    gone = new ArrayList<>();
                }
                gone.add(e.oid);
            }
        }
        if (gone == null) {
            return new long[0];
        }
        long[] out = new long[gone.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = gone.get(i);
        }
        if (onRelease != null) {
            try {
                onRelease.accept(out);
            } catch (RuntimeException | LinkageError e) {
                // Best effort: a closed client has nothing left to drop.
            }
        }
        return out;
    }
}

package dev.kiln.agent.rt;

import java.lang.reflect.Field;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Lazy references (docs/agent.md "Lazy faulting"): when a shared object of an instrumented class
 * is materialised (or refreshed by a remote change) and one of its reference fields points to a
 * cluster object not materialised in this JVM yet, the field is left {@code null} and the target's
 * object id is kept here, per (holder oid, field). The GETFIELD barrier ({@link Runtime#lazyGet})
 * resolves it on the first read of that null; a local write ({@link Runtime#afterPutRef}) or a
 * remote change of the field replaces the entry.
 *
 * <p>An entry stays after its field is resolved (so a write racing the resolution can tell the
 * field was lazy and re-assert its own value); it goes when the field is written or the holder
 * is evicted.
 */
final class Lazy {
    private Lazy() {
    }

    /** holder oid -> field -> target oid. */
    private static final ConcurrentHashMap<Long, ConcurrentHashMap<Field, Long>> TABLE = new ConcurrentHashMap<>();

    /**
     * Whether any entry was ever made: the barrier's one test on a null read until then. Set once
     * (false to true, never back), under the {@code objects} monitor, before the first lazy
     * field exists. Deliberately not volatile, so the JIT can keep it out of loops (a volatile
     * load per null read doubled the agent bench's non-shared field-read loop): a thread sees it
     * set through the happens-before edge that handed it an object with a lazy field (the root
     * read or lazy resolution that materialised it, a cluster lock award, both under the same
     * monitor); only a program that passes such an object between threads with a data race, in
     * the moment the JVM makes its first lazy field, could read that field as null.
     */
    static boolean any;

    /**
     * Whether reads of {@code f} go through the barrier: a reference field of a class the
     * transformer rewrote (it implements {@link Managed}; Kiln's own classes that implement it by
     * hand, such as the cluster API's node, are never rewritten, so their fields stay eager).
     */
    static boolean lazyField(Field f) {
        Class<?> c = f.getDeclaringClass();
        return !f.getType().isPrimitive() && Managed.class.isAssignableFrom(c) && !c.getName().startsWith("dev.kiln.");
    }

    static void put(long holder, Field f, long target) {
        any = true;
        TABLE.computeIfAbsent(holder, k -> new ConcurrentHashMap<>()).put(f, target);
    }

    static Long get(long holder, Field f) {
        ConcurrentHashMap<Field, Long> m = TABLE.get(holder);
        return m == null ? null : m.get(f);
    }

    static Long remove(long holder, Field f) {
        ConcurrentHashMap<Field, Long> m = TABLE.get(holder);
        return m == null ? null : m.remove(f);
    }

    /** The holder was collected (or evicted): its entries go. */
    static void removeHolder(long holder) {
        TABLE.remove(holder);
    }

    /** Calls {@code f} for every (holder, field, target) entry. */
    static void forEach(TriConsumer f) {
        for (java.util.Map.Entry<Long, ConcurrentHashMap<Field, Long>> h : TABLE.entrySet()) {
            for (java.util.Map.Entry<Field, Long> e : h.getValue().entrySet()) {
                f.accept(h.getKey(), e.getKey(), e.getValue());
            }
        }
    }

    interface TriConsumer {
        void accept(long holder, Field f, long target);
    }

    /** Entries (diagnostics). */
    static int size() {
        int n = 0;
        for (ConcurrentHashMap<Field, Long> m : TABLE.values()) {
            n += m.size();
        }
        return n;
    }
}

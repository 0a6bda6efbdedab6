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

    /** (holder oid, field) -> target oid. */
    private static final ConcurrentHashMap<Key, Long> TABLE = new ConcurrentHashMap<>();

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

    static final class Key {
        final long oid;
        final Field field;

        Key(long oid, Field field) {
            this.oid = oid;
            this.field = field;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Key && ((Key) o).oid == oid && ((Key) o).field.equals(field);
        }

        @Override
        public int hashCode() {
            return Long.hashCode(oid) * 31 + field.getName().hashCode();
        }
    }

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
        TABLE.put(new Key(holder, f), target);
    }

    static Long get(long holder, Field f) {
        return TABLE.get(new Key(holder, f));
    }

    static Long remove(long holder, Field f) {
        return TABLE.remove(new Key(holder, f));
    }

    /** Entries (diagnostics). */
    static int size() {
        return TABLE.size();
    }
}

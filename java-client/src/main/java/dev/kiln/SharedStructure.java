package dev.kiln;

import dev.kiln.codec.Ref;
import dev.kiln.codec.ValueCodec;
import dev.kiln.internal.Native;
import java.util.List;

/**
 * What every shared structure is: a root name and the shared object behind it. A shared
 * structure stored inside another one travels as a reference to the same object (reading it back
 * gives a {@link Ref}).
 */
public abstract class SharedStructure implements Shared {
    final KilnCluster cluster;
    final String name;
    final long oid;

    SharedStructure(KilnCluster cluster, String name, long oid) {
        this.cluster = cluster;
        this.name = name;
        this.oid = oid;
    }

    /** The root name, or null for a structure bound to no root (see {@link KilnCluster#newMap()}). */
    public final String rootName() {
        return name;
    }

    /** This structure itself. */
    @Override
    public final SharedStructure shared() {
        return this;
    }

    /** The shared object's id. */
    public final long objectId() {
        return oid;
    }

    /** A reference to this structure, as stored inside other shared structures. */
    public final Ref ref() {
        return new Ref(oid);
    }

    static byte[] enc(Object v) {
        if (v instanceof Shared) {
            return ValueCodec.encode(((Shared) v).shared().ref());
        }
        return ValueCodec.encode(v);
    }

    /** Decodes a plain value (no structure lookup). */
    static Object dec(byte[] b) {
        return b == null ? null : ValueCodec.decode(b);
    }

    /** Decodes a value read from this structure: references to maps, lists and queues become live structures. */
    final Object decode(byte[] b) {
        return b == null ? null : cluster.live(ValueCodec.decode(b));
    }

    /** Every element (maps: keys and values alternating) as of now, references left as {@link Ref}s (nothing is faulted in). */
    final List<Object> rawSnapshot() {
        long h = cluster.enter();
        try {
            return ValueCodec.decodeAll(Native.values(h, oid));
        } finally {
            cluster.exit();
        }
    }

    /** Every element (maps: keys and values alternating) as of now. */
    final List<Object> snapshot() {
        long h = cluster.enter();
        List<Object> all;
        try {
            all = ValueCodec.decodeAll(Native.values(h, oid));
        } finally {
            cluster.exit();
        }
        for (int i = 0; i < all.size(); i++) {
            all.set(i, cluster.live(all.get(i)));
        }
        return all;
    }

    final int sharedSize() {
        long h = cluster.enter();
        try {
            return Native.size(h, oid);
        } finally {
            cluster.exit();
        }
    }

    /** The root name in quotes, or {@code #<object id>} for a structure bound to no root. */
    final String label() {
        return name != null ? "'" + name + "'" : "#" + oid;
    }

    @Override
    public String toString() {
        return "SharedStructure[" + label() + "]";
    }

    @Override
    public final boolean equals(Object o) {
        return o instanceof SharedStructure && ((SharedStructure) o).oid == oid && ((SharedStructure) o).cluster == cluster;
    }

    @Override
    public final int hashCode() {
        return Long.hashCode(oid);
    }
}

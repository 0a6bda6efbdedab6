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
public abstract class SharedStructure {
    final KilnCluster cluster;
    final String name;
    final long oid;

    SharedStructure(KilnCluster cluster, String name, long oid) {
        this.cluster = cluster;
        this.name = name;
        this.oid = oid;
    }

    /** The root name. */
    public final String rootName() {
        return name;
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
        if (v instanceof SharedStructure) {
            return ValueCodec.encode(((SharedStructure) v).ref());
        }
        return ValueCodec.encode(v);
    }

    static Object dec(byte[] b) {
        return b == null ? null : ValueCodec.decode(b);
    }

    /** Every element (maps: keys and values alternating) as of now. */
    final List<Object> snapshot() {
        long h = cluster.enter();
        try {
            return ValueCodec.decodeAll(Native.values(h, oid));
        } finally {
            cluster.exit();
        }
    }

    final int sharedSize() {
        long h = cluster.enter();
        try {
            return Native.size(h, oid);
        } finally {
            cluster.exit();
        }
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

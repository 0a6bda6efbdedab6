package dev.kiln.codec;

/**
 * A reference to a shared object: the {@code ref} value of docs/protocol.md §3, carrying the
 * object's id (§4: stripe in the top byte, sequence in the low 56 bits).
 *
 * <p>Immutable value object: two refs are equal iff their ids are equal. Ids are compared as
 * unsigned 64-bit numbers, like the protocol's value order. The codec does not validate ids (the
 * reference decoder accepts any {@code u64}); note that {@code 0} is never a valid object id.
 */
public final class Ref implements Comparable<Ref> {
    private final long oid;

    public Ref(long oid) {
        this.oid = oid;
    }

    /** The object id, as the protocol's {@code u64} (read it unsigned). */
    public long oid() {
        return oid;
    }

    /** The mirror group owning the object: the top byte of the id. */
    public int stripe() {
        return (int) (oid >>> 56);
    }

    /** The low 56 bits of the id. */
    public long sequence() {
        return oid & 0x00ff_ffff_ffff_ffffL;
    }

    @Override
    public int compareTo(Ref o) {
        return Long.compareUnsigned(oid, o.oid);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Ref && ((Ref) o).oid == oid;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(oid);
    }

    /** {@code Ref@0x} and the id in hexadecimal, e.g. {@code Ref@0x100000000000001}. */
    @Override
    public String toString() {
        return "Ref@0x" + Long.toHexString(oid);
    }
}

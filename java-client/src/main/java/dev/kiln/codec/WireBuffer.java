package dev.kiln.codec;

import dev.kiln.KilnException;
import java.io.ByteArrayOutputStream;
import java.util.Arrays;

/**
 * A growable, unsynchronised output buffer writing the primitive encodings of
 * docs/protocol.md §2 (big-endian integers, {@code u32}-length-prefixed UTF-8 strings and byte
 * strings). Not thread-safe.
 */
public final class WireBuffer {
    /** Largest array size the JVMs allow in practice. */
    private static final int MAX_SIZE = Integer.MAX_VALUE - 8;

    private byte[] buf;
    private int size;

    public WireBuffer() {
        this(64);
    }

    public WireBuffer(int initialCapacity) {
        if (initialCapacity < 0) {
            throw new IllegalArgumentException("negative capacity " + initialCapacity);
        }
        buf = new byte[initialCapacity];
    }

    /** Number of bytes written. */
    public int size() {
        return size;
    }

    /** Forgets the content (keeps the capacity). */
    public void reset() {
        size = 0;
    }

    /** A copy of the content. */
    public byte[] toByteArray() {
        return Arrays.copyOf(buf, size);
    }

    /** Appends the content to {@code out}. */
    public void writeTo(ByteArrayOutputStream out) {
        out.write(buf, 0, size);
    }

    private void ensure(int more) {
        if (more > MAX_SIZE - size) {
            throw new KilnException("encoded value too large: " + size + " + " + more + " bytes");
        }
        int need = size + more;
        if (need > buf.length) {
            int cap = buf.length < MAX_SIZE / 2 ? Math.max(buf.length * 2, 16) : MAX_SIZE;
            buf = Arrays.copyOf(buf, Math.max(cap, need));
        }
    }

    /** Writes the low 8 bits of {@code v}. */
    public void u8(int v) {
        ensure(1);
        buf[size++] = (byte) v;
    }

    /** Writes the low 16 bits of {@code v}, big-endian. */
    public void u16(int v) {
        ensure(2);
        buf[size++] = (byte) (v >>> 8);
        buf[size++] = (byte) v;
    }

    /** Writes {@code v} as 4 bytes, big-endian. */
    public void u32(int v) {
        ensure(4);
        putInt(v);
    }

    /** Writes {@code v} as 8 bytes, big-endian. */
    public void u64(long v) {
        ensure(8);
        putInt((int) (v >>> 32));
        putInt((int) v);
    }

    private void putInt(int v) {
        buf[size++] = (byte) (v >>> 24);
        buf[size++] = (byte) (v >>> 16);
        buf[size++] = (byte) (v >>> 8);
        buf[size++] = (byte) v;
    }

    /** Appends raw bytes (no length prefix). */
    public void raw(byte[] b, int off, int len) {
        ensure(len);
        System.arraycopy(b, off, buf, size, len);
        size += len;
    }

    /** Writes a {@code bytes}: {@code u32} length, then the bytes. */
    public void bytes(byte[] b) {
        ensure(4 + b.length);
        putInt(b.length);
        System.arraycopy(b, 0, buf, size, b.length);
        size += b.length;
    }

    /**
     * Writes a {@code string}: {@code u32} byte length, then standard UTF-8 (a supplementary
     * character as one 4-byte sequence; never modified UTF-8 or CESU-8).
     *
     * @throws dev.kiln.NonPortableException if {@code s} contains a lone surrogate, which has no
     *     UTF-8 encoding
     */
    public void string(String s) {
        int n = Utf8.encodedLength(s);
        ensure(4 + n);
        putInt(n);
        size = Utf8.encode(s, buf, size);
    }
}

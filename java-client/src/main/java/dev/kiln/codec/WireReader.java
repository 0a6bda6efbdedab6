package dev.kiln.codec;

import dev.kiln.KilnException;
import java.util.Arrays;

/**
 * A bounds-checked reader of the primitive encodings of docs/protocol.md §2 over a byte array
 * slice. Every read checks the remaining input first: running off the end, a length beyond the
 * input or invalid UTF-8 throws {@link KilnException} (whose message names what was being read
 * and the offset, counted from the start of the slice), never an
 * {@link ArrayIndexOutOfBoundsException}, and nothing is allocated for a hostile length. Not
 * thread-safe.
 */
public final class WireReader {
    private final byte[] buf;
    private final int start;
    private final int end;
    private int pos;

    public WireReader(byte[] b) {
        this(b, 0, b.length);
    }

    public WireReader(byte[] b, int off, int len) {
        if (off < 0 || len < 0 || off > b.length - len) {
            throw new IndexOutOfBoundsException("slice " + off + "+" + len + " of " + b.length);
        }
        this.buf = b;
        this.start = off;
        this.end = off + len;
        this.pos = off;
    }

    /** The read position, counted from the start of the slice. */
    public int offset() {
        return pos - start;
    }

    /** Bytes not yet read. */
    public int remaining() {
        return end - pos;
    }

    private void need(long n, String what) {
        if (n > end - pos) {
            throw new KilnException("truncated input: " + what + " at offset " + offset() + " needs " + n
                    + " byte(s), only " + remaining() + " left");
        }
    }

    /** Reads an unsigned byte. */
    public int u8(String what) {
        need(1, what);
        return buf[pos++] & 0xff;
    }

    /** Reads a big-endian {@code u16} (as a non-negative int). */
    public int u16(String what) {
        need(2, what);
        int v = ((buf[pos] & 0xff) << 8) | (buf[pos + 1] & 0xff);
        pos += 2;
        return v;
    }

    /** Reads a big-endian 32-bit integer (signed; use {@link Integer#toUnsignedLong} for a u32). */
    public int i32(String what) {
        need(4, what);
        return getInt();
    }

    /** Reads a big-endian 64-bit integer (signed; a u64 is the same bits). */
    public long i64(String what) {
        need(8, what);
        long hi = getInt();
        long lo = getInt() & 0xffff_ffffL;
        return (hi << 32) | lo;
    }

    private int getInt() {
        int v = ((buf[pos] & 0xff) << 24) | ((buf[pos + 1] & 0xff) << 16) | ((buf[pos + 2] & 0xff) << 8)
                | (buf[pos + 3] & 0xff);
        pos += 4;
        return v;
    }

    /** Reads a {@code bool}: {@code 00} or {@code 01}; any other byte is an error. */
    public boolean bool(String what) {
        int at = offset();
        int b = u8(what);
        if (b > 1) {
            throw new KilnException("invalid bool byte 0x" + hex2(b) + " for " + what + " at offset " + at);
        }
        return b == 1;
    }

    /** Reads a {@code u32} length and checks that that many bytes remain; returns it. */
    private int length(String what) {
        long n = Integer.toUnsignedLong(i32(what + " length"));
        need(n, what);
        return (int) n;
    }

    /** Reads a {@code bytes} ({@code u32} length + raw bytes) into a new array. */
    public byte[] bytes(String what) {
        int n = length(what);
        byte[] b = Arrays.copyOfRange(buf, pos, pos + n);
        pos += n;
        return b;
    }

    /** Reads a {@code string} ({@code u32} length + UTF-8); invalid UTF-8 is an error. */
    public String string(String what) {
        int n = length(what);
        int at = pos;
        String s = Utf8.decode(buf, at, n, what, at - start);
        pos += n;
        return s;
    }

    /** Errors if any byte is left. */
    public void finish(String what) {
        if (pos != end) {
            throw new KilnException("trailing bytes: " + remaining() + " byte(s) left after " + what
                    + " at offset " + offset());
        }
    }

    static String hex2(int b) {
        return Character.forDigit(b >>> 4 & 0xf, 16) + "" + Character.forDigit(b & 0xf, 16);
    }
}

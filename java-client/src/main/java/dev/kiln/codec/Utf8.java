package dev.kiln.codec;

import dev.kiln.KilnException;
import dev.kiln.NonPortableException;
import java.nio.charset.StandardCharsets;

/**
 * Strict standard UTF-8 (RFC 3629), as Rust's {@code str} requires: no modified UTF-8 (a U+0000 is
 * the single byte {@code 00}), no CESU-8 (a supplementary character is one 4-byte sequence), no
 * encoded surrogates, no overlong forms, nothing above U+10FFFF.
 */
final class Utf8 {
    private Utf8() {}

    /**
     * The UTF-8 length of {@code s}.
     *
     * @throws NonPortableException if {@code s} contains a lone (unpaired) surrogate
     */
    static int encodedLength(String s) {
        int len = s.length();
        long n = len;
        for (int i = 0; i < len; i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                continue;
            }
            if (c < 0x800) {
                n += 1;
            } else if (!Character.isSurrogate(c)) {
                n += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < len && Character.isLowSurrogate(s.charAt(i + 1))) {
                n += 2; // 2 chars -> 4 bytes
                i++;
            } else {
                throw new NonPortableException("string with a lone surrogate U+"
                        + Integer.toHexString(c).toUpperCase() + " at index " + i
                        + " is not portable: it has no UTF-8 encoding (a shared String must be valid UTF-16)");
            }
        }
        if (n > Integer.MAX_VALUE - 8) {
            throw new KilnException("string too long to encode: " + n + " UTF-8 bytes");
        }
        return (int) n;
    }

    /** Writes {@code s} (checked by {@link #encodedLength}) at {@code off}; returns the end offset. */
    static int encode(String s, byte[] dst, int off) {
        int len = s.length();
        int p = off;
        for (int i = 0; i < len; i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                dst[p++] = (byte) c;
            } else if (c < 0x800) {
                dst[p++] = (byte) (0xc0 | (c >> 6));
                dst[p++] = (byte) (0x80 | (c & 0x3f));
            } else if (!Character.isSurrogate(c)) {
                dst[p++] = (byte) (0xe0 | (c >> 12));
                dst[p++] = (byte) (0x80 | ((c >> 6) & 0x3f));
                dst[p++] = (byte) (0x80 | (c & 0x3f));
            } else {
                int cp = Character.toCodePoint(c, s.charAt(++i));
                dst[p++] = (byte) (0xf0 | (cp >> 18));
                dst[p++] = (byte) (0x80 | ((cp >> 12) & 0x3f));
                dst[p++] = (byte) (0x80 | ((cp >> 6) & 0x3f));
                dst[p++] = (byte) (0x80 | (cp & 0x3f));
            }
        }
        return p;
    }

    /**
     * Decodes {@code len} bytes at {@code off}; {@code reportOff} is the offset of {@code off} as
     * reported in error messages.
     *
     * @throws KilnException on invalid UTF-8, naming the offset of the bad sequence
     */
    static String decode(byte[] b, int off, int len, String what, int reportOff) {
        int end = off + len;
        int i = off;
        while (i < end && b[i] >= 0) {
            i++;
        }
        if (i == end) {
            return new String(b, off, len, StandardCharsets.ISO_8859_1); // all ASCII
        }
        char[] out = new char[len]; // UTF-16 units <= UTF-8 bytes
        int n = 0;
        for (int j = off; j < i; j++) {
            out[n++] = (char) b[j];
        }
        while (i < end) {
            int b0 = b[i];
            if (b0 >= 0) {
                out[n++] = (char) b0;
                i++;
                continue;
            }
            b0 &= 0xff;
            int seqStart = i;
            if (b0 >= 0xc2 && b0 <= 0xdf) {
                if (i + 1 < end && isCont(b[i + 1])) {
                    out[n++] = (char) (((b0 & 0x1f) << 6) | (b[i + 1] & 0x3f));
                    i += 2;
                    continue;
                }
            } else if (b0 >= 0xe0 && b0 <= 0xef) {
                if (i + 2 < end) {
                    int b1 = b[i + 1] & 0xff;
                    int lo = b0 == 0xe0 ? 0xa0 : 0x80;
                    int hi = b0 == 0xed ? 0x9f : 0xbf; // ED A0..BF would be a surrogate
                    if (b1 >= lo && b1 <= hi && isCont(b[i + 2])) {
                        out[n++] = (char) (((b0 & 0x0f) << 12) | ((b1 & 0x3f) << 6) | (b[i + 2] & 0x3f));
                        i += 3;
                        continue;
                    }
                }
            } else if (b0 >= 0xf0 && b0 <= 0xf4) {
                if (i + 3 < end) {
                    int b1 = b[i + 1] & 0xff;
                    int lo = b0 == 0xf0 ? 0x90 : 0x80; // F0 80..8F would be overlong
                    int hi = b0 == 0xf4 ? 0x8f : 0xbf; // F4 90.. would be above U+10FFFF
                    if (b1 >= lo && b1 <= hi && isCont(b[i + 2]) && isCont(b[i + 3])) {
                        int cp = ((b0 & 0x07) << 18) | ((b1 & 0x3f) << 12) | ((b[i + 2] & 0x3f) << 6)
                                | (b[i + 3] & 0x3f);
                        out[n++] = Character.highSurrogate(cp);
                        out[n++] = Character.lowSurrogate(cp);
                        i += 4;
                        continue;
                    }
                }
            }
            throw new KilnException("invalid UTF-8 in " + what + " at offset " + (reportOff + seqStart - off)
                    + " (byte 0x" + WireReader.hex2(b0) + ", byte " + (seqStart - off) + " of the "
                    + len + "-byte string)");
        }
        return new String(out, 0, n);
    }

    private static boolean isCont(byte b) {
        return (b & 0xc0) == 0x80;
    }
}

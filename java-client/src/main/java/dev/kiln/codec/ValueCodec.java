package dev.kiln.codec;

import dev.kiln.KilnException;
import dev.kiln.NonPortableException;
import java.io.ByteArrayOutputStream;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Objects;

/**
 * The value encoding of docs/protocol.md §3 (one tag byte, then the payload; primitives as in §2):
 * Java objects to bytes and back. The Rust reference is {@code protocol/src/value.rs}.
 *
 * <table>
 *   <caption>Java types and wire tags</caption>
 *   <tr><th>Java (encode)</th><th>Tag</th><th>Java (decode)</th></tr>
 *   <tr><td>{@code null}</td><td>{@code 00} null</td><td>{@code null}</td></tr>
 *   <tr><td>{@link Boolean}</td><td>{@code 01} bool</td><td>{@link Boolean}</td></tr>
 *   <tr><td>{@link Byte}</td><td>{@code 02} i8</td><td>{@link Byte}</td></tr>
 *   <tr><td>{@link Short}</td><td>{@code 03} i16</td><td>{@link Short}</td></tr>
 *   <tr><td>{@link Integer}</td><td>{@code 04} i32</td><td>{@link Integer}</td></tr>
 *   <tr><td>{@link Long}</td><td>{@code 05} i64</td><td>{@link Long}</td></tr>
 *   <tr><td>{@link Float}</td><td>{@code 06} f32 (raw bits)</td><td>{@link Float}</td></tr>
 *   <tr><td>{@link Double}</td><td>{@code 07} f64 (raw bits)</td><td>{@link Double}</td></tr>
 *   <tr><td>{@link Character}</td><td>{@code 08} char</td><td>{@link Character}</td></tr>
 *   <tr><td>{@link String}</td><td>{@code 09} string</td><td>{@link String}</td></tr>
 *   <tr><td>{@code byte[]}</td><td>{@code 0a} bytes</td><td>{@code byte[]} (a new array)</td></tr>
 *   <tr><td>{@link BigInteger}</td><td>{@code 0b} big-integer</td><td>{@link BigInteger}</td></tr>
 *   <tr><td>{@link BigDecimal}</td><td>{@code 0c} big-decimal</td><td>{@link BigDecimal}</td></tr>
 *   <tr><td>{@link Class}, {@link ClassName}</td><td>{@code 0d} class</td><td>{@link ClassName}
 *       (the class is never loaded)</td></tr>
 *   <tr><td>{@link Enum}, {@link EnumValue}</td><td>{@code 0e} enum</td><td>the {@link Enum}
 *       constant if its class loads and has it, else {@link EnumValue}</td></tr>
 *   <tr><td>{@link Date}</td><td>{@code 0f} date</td><td>{@link Date}</td></tr>
 *   <tr><td>{@link Ref}</td><td>{@code 10} ref</td><td>{@link Ref}</td></tr>
 * </table>
 *
 * <p>{@link BigInteger}, {@link BigDecimal} and {@link Date} must be exactly those classes:
 * a subclass (e.g. {@code java.sql.Timestamp}) would lose its extra state and come back as the
 * base class, so it is refused like any other non-portable class, with
 * {@link NonPortableException}. So is a {@link String} containing a lone surrogate (it has no
 * UTF-8 form; the protocol forbids modified UTF-8 / CESU-8).
 *
 * <p>Decoding is strict and bounds-checked: an unknown tag, a truncated payload, a length beyond
 * the input, invalid UTF-8, a bool byte other than {@code 00}/{@code 01}, big-number text Java
 * cannot parse, or bytes left over throw {@link KilnException} naming the offset. A hostile
 * length never causes an allocation.
 *
 * <p>Stateless and thread-safe.
 */
public final class ValueCodec {
    public static final int TAG_NULL = 0x00;
    public static final int TAG_BOOL = 0x01;
    public static final int TAG_I8 = 0x02;
    public static final int TAG_I16 = 0x03;
    public static final int TAG_I32 = 0x04;
    public static final int TAG_I64 = 0x05;
    public static final int TAG_F32 = 0x06;
    public static final int TAG_F64 = 0x07;
    public static final int TAG_CHAR = 0x08;
    public static final int TAG_STRING = 0x09;
    public static final int TAG_BYTES = 0x0a;
    public static final int TAG_BIG_INTEGER = 0x0b;
    public static final int TAG_BIG_DECIMAL = 0x0c;
    public static final int TAG_CLASS = 0x0d;
    public static final int TAG_ENUM = 0x0e;
    public static final int TAG_DATE = 0x0f;
    public static final int TAG_REF = 0x10;

    private ValueCodec() {}

    // ------------------------------------------------------------------ encoding

    /**
     * The encoding of {@code v} (tag + payload).
     *
     * @throws NonPortableException if {@code v} is not of a portable type (the message names
     *     its class)
     */
    public static byte[] encode(Object v) {
        WireBuffer out = new WireBuffer(initialCapacity(v));
        encode(v, out);
        return out.toByteArray();
    }

    /** Appends the encoding of {@code v} to {@code out}; nothing is appended if it throws. */
    public static void encode(Object v, ByteArrayOutputStream out) {
        WireBuffer b = new WireBuffer(initialCapacity(v));
        encode(v, b);
        b.writeTo(out);
    }

    private static int initialCapacity(Object v) {
        if (v instanceof String) {
            return 5 + ((String) v).length();
        }
        if (v instanceof byte[]) {
            return 5 + ((byte[]) v).length;
        }
        return 16;
    }

    /**
     * Appends the encoding of {@code v} to {@code out}. If it throws, {@code out} may hold a
     * partially written value: discard it (or {@link WireBuffer#reset()}).
     *
     * @throws NonPortableException if {@code v} is not of a portable type
     */
    public static void encode(Object v, WireBuffer out) {
        if (v == null) {
            out.u8(TAG_NULL);
        } else if (v instanceof String) {
            out.u8(TAG_STRING);
            out.string((String) v);
        } else if (v instanceof Integer) {
            out.u8(TAG_I32);
            out.u32((Integer) v);
        } else if (v instanceof Long) {
            out.u8(TAG_I64);
            out.u64((Long) v);
        } else if (v instanceof Ref) {
            out.u8(TAG_REF);
            out.u64(((Ref) v).oid());
        } else if (v instanceof Boolean) {
            out.u8(TAG_BOOL);
            out.u8((Boolean) v ? 1 : 0);
        } else if (v instanceof Double) {
            out.u8(TAG_F64);
            out.u64(Double.doubleToRawLongBits((Double) v));
        } else if (v instanceof Float) {
            out.u8(TAG_F32);
            out.u32(Float.floatToRawIntBits((Float) v));
        } else if (v instanceof Byte) {
            out.u8(TAG_I8);
            out.u8((Byte) v);
        } else if (v instanceof Short) {
            out.u8(TAG_I16);
            out.u16((Short) v);
        } else if (v instanceof Character) {
            out.u8(TAG_CHAR);
            out.u16((Character) v);
        } else if (v instanceof byte[]) {
            out.u8(TAG_BYTES);
            out.bytes((byte[]) v);
        } else if (v instanceof Enum) {
            Enum<?> e = (Enum<?>) v;
            out.u8(TAG_ENUM);
            out.string(e.getDeclaringClass().getName());
            out.string(e.name());
        } else if (v instanceof EnumValue) {
            EnumValue e = (EnumValue) v;
            out.u8(TAG_ENUM);
            out.string(e.className());
            out.string(e.constant());
        } else if (v instanceof Class) {
            out.u8(TAG_CLASS);
            out.string(((Class<?>) v).getName());
        } else if (v instanceof ClassName) {
            out.u8(TAG_CLASS);
            out.string(((ClassName) v).name());
        } else if (v.getClass() == BigInteger.class) {
            out.u8(TAG_BIG_INTEGER);
            out.string(v.toString());
        } else if (v.getClass() == BigDecimal.class) {
            out.u8(TAG_BIG_DECIMAL);
            out.string(v.toString());
        } else if (v.getClass() == Date.class) {
            out.u8(TAG_DATE);
            out.u64(((Date) v).getTime());
        } else {
            throw nonPortable(v.getClass());
        }
    }

    private static NonPortableException nonPortable(Class<?> c) {
        String why = "";
        if (BigInteger.class.isAssignableFrom(c) || BigDecimal.class.isAssignableFrom(c)
                || Date.class.isAssignableFrom(c)) {
            Class<?> base = BigInteger.class.isAssignableFrom(c) ? BigInteger.class
                    : BigDecimal.class.isAssignableFrom(c) ? BigDecimal.class : Date.class;
            why = " (a subclass of " + base.getName() + " would come back as a plain " + base.getName()
                    + ", losing its own state)";
        }
        return new NonPortableException(c.getTypeName() + " is not portable: a shared value must be a String,"
                + " boxed primitive, BigInteger, BigDecimal, enum, Date, Class, byte[] or a shared structure"
                + why);
    }

    // ------------------------------------------------------------------ decoding

    /**
     * Decodes exactly one value from {@code b}. Enum classes are looked up with the thread's
     * context class loader, falling back to this codec's loader.
     *
     * @throws KilnException if {@code b} is not exactly one well-formed value
     * @throws NullPointerException if {@code b} is null
     */
    public static Object decode(byte[] b) {
        return decode(b, null);
    }

    /**
     * Decodes exactly one value from {@code b}, resolving enum classes with {@code loader}
     * ({@code null}: the thread's context class loader, then this codec's loader).
     */
    public static Object decode(byte[] b, ClassLoader loader) {
        Objects.requireNonNull(b, "value bytes");
        WireReader r = new WireReader(b);
        Object v = decode(r, loader);
        r.finish("the value");
        return v;
    }

    /**
     * Decodes a concatenation of values (as the native bridge returns the elements of a
     * collection). {@code null} gives an empty list.
     *
     * @throws KilnException if the bytes are not a sequence of well-formed values
     */
    public static List<Object> decodeAll(byte[] b) {
        return decodeAll(b, null);
    }

    /**
     * {@link #decodeAll(byte[])} resolving enum classes with {@code loader} (see
     * {@link #decode(byte[], ClassLoader)}).
     */
    public static List<Object> decodeAll(byte[] b, ClassLoader loader) {
        if (b == null || b.length == 0) {
            return new ArrayList<>(0);
        }
        WireReader r = new WireReader(b);
        List<Object> out = new ArrayList<>();
        while (r.remaining() > 0) {
            out.add(decode(r, loader));
        }
        return out;
    }

    /** Decodes one value at the reader's position, leaving it after the value. */
    public static Object decode(WireReader r) {
        return decode(r, null);
    }

    /** Decodes one value at the reader's position, resolving enum classes with {@code loader}. */
    public static Object decode(WireReader r, ClassLoader loader) {
        int at = r.offset();
        int tag = r.u8("value tag");
        switch (tag) {
            case TAG_NULL:
                return null;
            case TAG_BOOL:
                return r.bool("bool value");
            case TAG_I8:
                return (byte) r.u8("i8 value");
            case TAG_I16:
                return (short) r.u16("i16 value");
            case TAG_I32:
                return r.i32("i32 value");
            case TAG_I64:
                return r.i64("i64 value");
            case TAG_F32:
                return Float.intBitsToFloat(r.i32("f32 value"));
            case TAG_F64:
                return Double.longBitsToDouble(r.i64("f64 value"));
            case TAG_CHAR:
                return (char) r.u16("char value");
            case TAG_STRING:
                return r.string("string value");
            case TAG_BYTES:
                return r.bytes("bytes value");
            case TAG_BIG_INTEGER: {
                String s = r.string("big integer");
                try {
                    return new BigInteger(s);
                } catch (NumberFormatException e) {
                    throw badNumber("big-integer", s, at, e);
                }
            }
            case TAG_BIG_DECIMAL: {
                String s = r.string("big decimal");
                try {
                    return new BigDecimal(s);
                } catch (NumberFormatException e) {
                    throw badNumber("big-decimal", s, at, e);
                }
            }
            case TAG_CLASS:
                return new ClassName(r.string("class name"));
            case TAG_ENUM: {
                String cls = r.string("enum class");
                String name = r.string("enum constant");
                return resolveEnum(cls, name, loader);
            }
            case TAG_DATE:
                return new Date(r.i64("date value"));
            case TAG_REF:
                return new Ref(r.i64("ref value"));
            default:
                throw new KilnException("invalid value tag 0x" + WireReader.hex2(tag) + " at offset " + at);
        }
    }

    private static KilnException badNumber(String type, String s, int at, NumberFormatException e) {
        String shown = s.length() > 64 ? s.substring(0, 64) + "..." : s;
        return new KilnException("invalid " + type + " text \"" + shown + "\" in the value at offset " + at, e);
    }

    /**
     * The constant {@code name} of enum class {@code cls}, or an {@link EnumValue} if the class
     * cannot be loaded (it is loaded without initialisation first; only an actual enum class is
     * initialised), is not an enum, or has no such constant.
     */
    static Object resolveEnum(String cls, String name, ClassLoader loader) {
        Class<?> c = null;
        if (loader != null) {
            c = load(cls, loader);
        } else {
            ClassLoader ctx = Thread.currentThread().getContextClassLoader();
            ClassLoader own = ValueCodec.class.getClassLoader();
            if (ctx != null) {
                c = load(cls, ctx);
            }
            if (c == null && own != ctx) {
                c = load(cls, own);
            }
        }
        if (c != null && c.isEnum()) {
            try {
                return enumConstant(c, name);
            } catch (IllegalArgumentException | LinkageError | SecurityException e) {
                // no such constant, or the class failed to initialise: keep the wire content
            }
        }
        return new EnumValue(cls, name);
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static Object enumConstant(Class<?> c, String name) {
        return Enum.valueOf((Class) c, name);
    }

    private static Class<?> load(String name, ClassLoader loader) {
        try {
            return Class.forName(name, false, loader);
        } catch (ClassNotFoundException | LinkageError | SecurityException e) {
            return null;
        }
    }
}

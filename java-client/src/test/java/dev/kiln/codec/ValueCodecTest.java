package dev.kiln.codec;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertSame;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import dev.kiln.KilnException;
import dev.kiln.NonPortableException;
import java.io.ByteArrayOutputStream;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Date;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.Test;

public class ValueCodecTest {

    enum Color {
        RED,
        GREEN {
            @Override
            public String toString() {
                return "green!";
            }
        },
        BLUE
    }

    /** An enum whose class initialisation fails. */
    enum Broken {
        A;

        static {
            if (Boolean.TRUE) {
                throw new IllegalStateException("boom");
            }
        }
    }

    /** Set by {@link Sentinel}'s initialiser (reading a field of Sentinel itself would initialise it). */
    static volatile boolean sentinelInitialised;

    /** Not an enum; records whether it was initialised. */
    static final class Sentinel {
        static {
            sentinelInitialised = true;
        }
    }

    static final class MyDate extends Date {
        private static final long serialVersionUID = 1L;
    }

    // ------------------------------------------------------------------ helpers

    private static byte[] b(int... xs) {
        byte[] out = new byte[xs.length];
        for (int i = 0; i < xs.length; i++) {
            out[i] = (byte) xs[i];
        }
        return out;
    }

    private static byte[] cat(byte[]... parts) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            o.write(p, 0, p.length);
        }
        return o.toByteArray();
    }

    /** A tag byte, then a {@code string}/{@code bytes}: u32 length + content. */
    private static byte[] str(int tag, byte[] utf8) {
        return cat(b(tag), lp(utf8));
    }

    /** u32 length + content. */
    private static byte[] lp(byte[] content) {
        return cat(ByteBuffer.allocate(4).putInt(content.length).array(), content);
    }

    private static byte[] lp(String s) {
        return lp(s.getBytes(StandardCharsets.UTF_8));
    }

    /** Encodes, checks the bytes, decodes and checks the value comes back exactly. */
    private static Object roundTrip(Object v, byte[] expected) {
        byte[] enc = ValueCodec.encode(v);
        assertEquals("encoding of " + Values.show(v), VectorsTest.hex(expected), VectorsTest.hex(enc));
        Object back = ValueCodec.decode(enc);
        assertTrue("decoded " + Values.show(back) + " for " + Values.show(v), Values.same(v, back));
        return back;
    }

    private static Object roundTrip(Object v) {
        byte[] enc = ValueCodec.encode(v);
        Object back = ValueCodec.decode(enc);
        assertTrue("decoded " + Values.show(back) + " for " + Values.show(v), Values.same(v, back));
        assertArrayEquals(enc, ValueCodec.encode(back));
        return back;
    }

    /** Decoding must throw KilnException (exactly that class) and nothing else. */
    private static KilnException malformed(byte[] in) {
        try {
            Object v = ValueCodec.decode(in);
            fail("decoded " + Values.show(v) + " from malformed " + VectorsTest.hex(in));
            return null;
        } catch (KilnException e) {
            assertSame("exception class for " + VectorsTest.hex(in), KilnException.class, e.getClass());
            assertTrue("message names an offset: " + e.getMessage(), e.getMessage().contains("offset"));
            return e;
        }
    }

    private static NonPortableException nonPortable(Object v) {
        try {
            ValueCodec.encode(v);
            fail("encoded non-portable " + v.getClass().getName());
            return null;
        } catch (NonPortableException e) {
            return e;
        }
    }

    // ------------------------------------------------------------------ round trips

    @Test
    public void nullAndBooleans() {
        roundTrip(null, b(0x00));
        roundTrip(true, b(0x01, 0x01));
        roundTrip(false, b(0x01, 0x00));
    }

    @Test
    public void integers() {
        roundTrip((byte) -5, b(0x02, 0xfb));
        roundTrip(Byte.MIN_VALUE, b(0x02, 0x80));
        roundTrip((short) -300, b(0x03, 0xfe, 0xd4));
        roundTrip(Short.MAX_VALUE, b(0x03, 0x7f, 0xff));
        roundTrip(-5, b(0x04, 0xff, 0xff, 0xff, 0xfb));
        roundTrip(Integer.MIN_VALUE, b(0x04, 0x80, 0, 0, 0));
        roundTrip(-1234567890123L, b(0x05, 0xff, 0xff, 0xfe, 0xe0, 0x8e, 0x04, 0xfb, 0x35));
        roundTrip(Long.MAX_VALUE, b(0x05, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff));
        // Different tags are different values: int 1 is not long 1.
        assertNotEquals(VectorsTest.hex(ValueCodec.encode(1)), VectorsTest.hex(ValueCodec.encode(1L)));
        assertEquals(Integer.class, ValueCodec.decode(ValueCodec.encode(1)).getClass());
        assertEquals(Long.class, ValueCodec.decode(ValueCodec.encode(1L)).getClass());
    }

    @Test
    public void floatsKeepTheirExactBits() {
        roundTrip(1.5f, b(0x06, 0x3f, 0xc0, 0, 0));
        roundTrip(-0.0f, b(0x06, 0x80, 0, 0, 0));
        roundTrip(0.0f, b(0x06, 0, 0, 0, 0));
        roundTrip(Float.NEGATIVE_INFINITY, b(0x06, 0xff, 0x80, 0, 0));
        roundTrip(Float.MIN_VALUE, b(0x06, 0, 0, 0, 1));
        int[] nans = {0x7fc00000, 0x7fc00001, 0xffc12345, 0x7fffffff, 0xffffffff, 0x7f800001, 0x7fa00000};
        for (int bits : nans) {
            float f = Float.intBitsToFloat(bits);
            byte[] enc = ValueCodec.encode(f);
            assertArrayEquals(ByteBuffer.allocate(5).put((byte) 6).putInt(bits).array(), enc);
            float back = (Float) ValueCodec.decode(enc);
            assertEquals(Integer.toHexString(bits), bits, Float.floatToRawIntBits(back));
        }
        roundTrip(-2.25, b(0x07, 0xc0, 0x02, 0, 0, 0, 0, 0, 0));
        roundTrip(-0.0, b(0x07, 0x80, 0, 0, 0, 0, 0, 0, 0));
        roundTrip(Double.POSITIVE_INFINITY, b(0x07, 0x7f, 0xf0, 0, 0, 0, 0, 0, 0));
        long[] dnans = {0x7ff8000000000000L, 0x7ff80000deadbeefL, 0xfff8000000000000L, 0x7ff0000000000001L,
            0xfff7ffffffffffffL, 0x7fffffffffffffffL};
        for (long bits : dnans) {
            double d = Double.longBitsToDouble(bits);
            byte[] enc = ValueCodec.encode(d);
            assertArrayEquals(ByteBuffer.allocate(9).put((byte) 7).putLong(bits).array(), enc);
            double back = (Double) ValueCodec.decode(enc);
            assertEquals(Long.toHexString(bits), bits, Double.doubleToRawLongBits(back));
        }
    }

    @Test
    public void charsIncludingSurrogates() {
        roundTrip('\u00e9', b(0x08, 0x00, 0xe9));
        roundTrip('\0', b(0x08, 0, 0));
        roundTrip('\ud83d', b(0x08, 0xd8, 0x3d)); // a lone high surrogate is a valid char value
        roundTrip('\udfff', b(0x08, 0xdf, 0xff));
        roundTrip('\uffff', b(0x08, 0xff, 0xff));
    }

    @Test
    public void strings() {
        roundTrip("", b(0x09, 0, 0, 0, 0));
        roundTrip("h\u00e9llo", b(0x09, 0, 0, 0, 6, 0x68, 0xc3, 0xa9, 0x6c, 0x6c, 0x6f));
        // U+0000 is one 00 byte (not modified UTF-8's C0 80).
        roundTrip("\0", b(0x09, 0, 0, 0, 1, 0));
        // A supplementary character is one 4-byte sequence (not CESU-8's two 3-byte ones).
        roundTrip("\ud834\udd1e", b(0x09, 0, 0, 0, 4, 0xf0, 0x9d, 0x84, 0x9e));
        String widths = "\u0800\uffff\u07ff\u0080\u007f";
        roundTrip(widths, str(0x09, widths.getBytes(StandardCharsets.UTF_8)));
        roundTrip("\udbff\udfff", b(0x09, 0, 0, 0, 4, 0xf4, 0x8f, 0xbf, 0xbf)); // U+10FFFF
    }

    @Test
    public void largeStringsAndBytes() {
        StringBuilder sb = new StringBuilder();
        Random rnd = new Random(42);
        while (sb.length() < 1_000_000) {
            int cp = rnd.nextInt(4) == 0 ? rnd.nextInt(0x80) : rnd.nextInt(0x10ffff);
            if (cp >= 0xd800 && cp <= 0xdfff) {
                continue;
            }
            sb.appendCodePoint(cp);
        }
        String s = sb.toString();
        byte[] enc = ValueCodec.encode(s);
        assertArrayEquals(str(0x09, s.getBytes(StandardCharsets.UTF_8)), enc);
        assertEquals(s, ValueCodec.decode(enc));

        String ascii = String.join("", Collections.nCopies(200_000, "kiln "));
        assertEquals(ascii, roundTrip(ascii));

        byte[] big = new byte[3_000_000];
        rnd.nextBytes(big);
        Object back = roundTrip(big);
        assertTrue(back != big);
    }

    @Test
    public void loneSurrogatesInStringsAreNotPortable() {
        for (String s : new String[] {"a\ud800", "\udc00b", "x\udc00\ud800y", "\ud800\ud800"}) {
            NonPortableException e = nonPortable(s);
            assertTrue(e.getMessage(), e.getMessage().contains("surrogate"));
            assertTrue(e.getMessage(), e.getMessage().contains("index"));
        }
    }

    @Test
    public void bytes() {
        roundTrip(new byte[0], b(0x0a, 0, 0, 0, 0));
        roundTrip(b(0, 1, 0xfe, 0xff), b(0x0a, 0, 0, 0, 4, 0, 1, 0xfe, 0xff));
    }

    @Test
    public void bigIntegers() {
        roundTrip(BigInteger.ZERO, str(0x0b, "0".getBytes(StandardCharsets.US_ASCII)));
        roundTrip(new BigInteger("-123456789012345678901234567890"),
                str(0x0b, "-123456789012345678901234567890".getBytes(StandardCharsets.US_ASCII)));
        BigInteger huge = BigInteger.ONE.shiftLeft(1000).negate();
        roundTrip(huge, str(0x0b, huge.toString().getBytes(StandardCharsets.US_ASCII)));
    }

    @Test
    public void bigDecimalsKeepTheirScaleAndForm() {
        String[] forms = {"3.14159265358979323846", "0", "-0.00", "1E+3", "1E-7", "0.000001", "123.4500", "0E-10",
            "-1.23E+400", "1E-2147483647"};
        for (String f : forms) {
            BigDecimal d = new BigDecimal(f);
            Object back = roundTrip(d, str(0x0c, d.toString().getBytes(StandardCharsets.US_ASCII)));
            assertEquals(d.scale(), ((BigDecimal) back).scale());
        }
        roundTrip(BigDecimal.valueOf(1, -5));
        roundTrip(new BigDecimal("1000").setScale(-2));
        // Other textual forms (from another language's client) decode, to the equal BigDecimal.
        assertEquals(new BigDecimal("1000"), ValueCodec.decode(cat(b(0x0c), lp("1.000e3"))));
    }

    @Test
    public void classLiteralsDecodeAsNamesWithoutLoading() {
        roundTrip(new ClassName("java.lang.String"), str(0x0d, "java.lang.String".getBytes(StandardCharsets.US_ASCII)));
        assertArrayEquals(ValueCodec.encode(new ClassName("java.lang.String")), ValueCodec.encode(String.class));
        assertEquals(new ClassName("[I"), ValueCodec.decode(ValueCodec.encode(int[].class)));
        assertEquals(new ClassName("int"), ValueCodec.decode(ValueCodec.encode(int.class)));
        assertEquals(new ClassName(Color.class.getName()), ValueCodec.decode(ValueCodec.encode(Color.class)));
        assertEquals(ClassName.of(Sentinel.class), ValueCodec.decode(ValueCodec.encode(Sentinel.class)));
        assertFalse("a class literal must not load/initialise the class", sentinelInitialised);
        assertEquals("class java.lang.String", new ClassName("java.lang.String").toString());
    }

    @Test
    public void knownEnums() {
        roundTrip(TimeUnit.SECONDS, cat(b(0x0e), lp("java.util.concurrent.TimeUnit"), lp("SECONDS")));
        assertSame(Color.RED, roundTrip(Color.RED));
        // A constant with a body is an anonymous subclass: the declaring class is what travels.
        assertTrue(Color.GREEN.getClass() != Color.class);
        assertSame(Color.GREEN, roundTrip(Color.GREEN));
        assertArrayEquals(ValueCodec.encode(new EnumValue(Color.class.getName(), "GREEN")),
                ValueCodec.encode(Color.GREEN));
        // An EnumValue of a loadable enum decodes to the real constant.
        assertSame(Color.BLUE, ValueCodec.decode(ValueCodec.encode(new EnumValue(Color.class.getName(), "BLUE"))));
    }

    @Test
    public void unknownEnumsDecodeAsEnumValues() {
        EnumValue[] unknown = {
            new EnumValue("com.nowhere.Missing", "X"), // no such class
            new EnumValue(Color.class.getName(), "PURPLE"), // no such constant
            new EnumValue("java.lang.String", "X"), // not an enum
            new EnumValue(Sentinel.class.getName(), "X"), // not an enum: must not be initialised
            new EnumValue(Broken.class.getName(), "A"), // fails to initialise
            new EnumValue("[Ljava.lang.String;", "X"),
            new EnumValue("", ""),
            new EnumValue("not a class name at all \u00e9\ud834\udd1e", "\u00e9"),
        };
        for (EnumValue e : unknown) {
            Object back = roundTrip(e);
            assertEquals(e, back);
        }
        assertFalse("a non-enum class named by an enum value must not be initialised", sentinelInitialised);
        EnumValue e = new EnumValue("a.B", "C");
        assertEquals(new EnumValue("a.B", "C"), e);
        assertEquals(new EnumValue("a.B", "C").hashCode(), e.hashCode());
        assertNotEquals(new EnumValue("a.B", "D"), e);
        assertNotEquals(new EnumValue("a.X", "C"), e);
        assertEquals("a.B.C", e.toString());
    }

    @Test
    public void enumResolutionUsesTheGivenOrContextLoader() {
        byte[] enc = ValueCodec.encode(Color.RED);
        ClassLoader isolated = new ClassLoader(null) {}; // sees only the JDK
        assertEquals(new EnumValue(Color.class.getName(), "RED"), ValueCodec.decode(enc, isolated));
        assertSame(TimeUnit.DAYS, ValueCodec.decode(ValueCodec.encode(TimeUnit.DAYS), isolated));
        Thread t = Thread.currentThread();
        ClassLoader old = t.getContextClassLoader();
        t.setContextClassLoader(isolated);
        try {
            // falls back to the codec's own loader
            assertSame(Color.RED, ValueCodec.decode(enc));
        } finally {
            t.setContextClassLoader(old);
        }
        t.setContextClassLoader(null);
        try {
            assertSame(Color.RED, ValueCodec.decode(enc));
        } finally {
            t.setContextClassLoader(old);
        }
    }

    @Test
    public void dates() {
        roundTrip(new Date(1700000000000L), b(0x0f, 0, 0, 0x01, 0x8b, 0xcf, 0xe5, 0x68, 0x00));
        roundTrip(new Date(-1), b(0x0f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff));
        roundTrip(new Date(Long.MIN_VALUE));
        assertEquals(Date.class, ValueCodec.decode(ValueCodec.encode(new Date())).getClass());
    }

    @Test
    public void refs() {
        roundTrip(new Ref(42), b(0x10, 0, 0, 0, 0, 0, 0, 0, 42));
        Ref striped = new Ref(0x0100000000000001L);
        roundTrip(striped, b(0x10, 1, 0, 0, 0, 0, 0, 0, 1));
        assertEquals(1, striped.stripe());
        assertEquals(1L, striped.sequence());
        Ref max = new Ref(-1L);
        roundTrip(max, b(0x10, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff));
        assertEquals(255, max.stripe());
        assertEquals(0x00ffffffffffffffL, max.sequence());
        assertEquals("Ref@0x2a", new Ref(42).toString());
        assertEquals("Ref@0xffffffffffffffff", max.toString());
        assertEquals(new Ref(42), new Ref(42));
        assertEquals(new Ref(42).hashCode(), new Ref(42).hashCode());
        assertNotEquals(new Ref(42), new Ref(43));
        assertNotEquals(new Ref(42), 42L);
        assertTrue("unsigned order", new Ref(1).compareTo(max) < 0);
    }

    // ------------------------------------------------------------------ non-portable values

    @Test
    public void nonPortableValuesNameTheClass() {
        NonPortableException e = nonPortable(new Thread());
        assertEquals("java.lang.Thread is not portable: a shared value must be a String, boxed primitive, BigInteger,"
                + " BigDecimal, enum, Date, Class, byte[] or a shared structure", e.getMessage());
        assertTrue(nonPortable(new Object()).getMessage().startsWith("java.lang.Object is not portable"));
        assertTrue(nonPortable(new int[1]).getMessage().startsWith("int[] is not portable"));
        assertTrue(nonPortable(new String[1]).getMessage().startsWith("java.lang.String[] is not portable"));
        assertTrue(nonPortable(new ArrayList<>()).getMessage().startsWith("java.util.ArrayList is not portable"));
        assertTrue(nonPortable(new StringBuilder()).getMessage().startsWith("java.lang.StringBuilder is not portable"));
        // Subclasses of BigInteger/BigDecimal/Date would lose their state: refused, with the reason.
        String m = nonPortable(new MyDate()).getMessage();
        assertTrue(m, m.startsWith(MyDate.class.getName() + " is not portable"));
        assertTrue(m, m.contains("subclass of java.util.Date"));
        BigInteger sub = new BigInteger("5") {
            private static final long serialVersionUID = 1L;
        };
        m = nonPortable(sub).getMessage();
        assertTrue(m, m.contains("subclass of java.math.BigInteger"));
    }

    @Test
    public void failedEncodeAppendsNothingToAStream() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ValueCodec.encode(7, out);
        nonPortableInto(out, new Object());
        nonPortableInto(out, "bad \ud800");
        ValueCodec.encode("x", out);
        assertEquals("0400000007" + "090000000178", VectorsTest.hex(out.toByteArray()));
        assertEquals(Arrays.asList(7, "x"), ValueCodec.decodeAll(out.toByteArray()));
    }

    private static void nonPortableInto(ByteArrayOutputStream out, Object v) {
        try {
            ValueCodec.encode(v, out);
            fail();
        } catch (NonPortableException expected) {
            // fine
        }
    }

    // ------------------------------------------------------------------ sequences

    @Test
    public void decodeAllReadsConcatenatedValues() {
        assertEquals(Collections.emptyList(), ValueCodec.decodeAll(null));
        assertEquals(Collections.emptyList(), ValueCodec.decodeAll(new byte[0]));
        WireBuffer w = new WireBuffer(0);
        Object[] vs = {"k1", 1, null, "k2", new Ref(9), TimeUnit.HOURS, -0.0f, new BigDecimal("1.50")};
        for (Object v : vs) {
            ValueCodec.encode(v, w);
        }
        List<Object> got = ValueCodec.decodeAll(w.toByteArray());
        assertEquals(vs.length, got.size());
        for (int i = 0; i < vs.length; i++) {
            assertTrue(i + ": " + Values.show(got.get(i)), Values.same(vs[i], got.get(i)));
        }
        got.add("mutable"); // callers may modify the list
        // A truncated last value is an error, not a shorter list.
        byte[] cut = Arrays.copyOf(w.toByteArray(), w.size() - 1);
        try {
            ValueCodec.decodeAll(cut);
            fail();
        } catch (KilnException e) {
            assertSame(KilnException.class, e.getClass());
        }
    }

    @Test
    public void readerDecodesValuesInsideALargerBuffer() {
        byte[] inner = cat(ValueCodec.encode("a"), ValueCodec.encode(5L));
        byte[] outer = cat(b(0xee, 0xee), inner, b(0xee));
        WireReader r = new WireReader(outer, 2, inner.length);
        assertEquals("a", ValueCodec.decode(r));
        assertEquals(6, r.offset());
        assertEquals(5L, ValueCodec.decode(r));
        r.finish("test");
        try {
            ValueCodec.decode(r);
            fail();
        } catch (KilnException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("offset 15"));
        }
    }

    // ------------------------------------------------------------------ malformed input

    @Test
    public void emptyUnknownTagAndTrailingBytes() {
        malformed(new byte[0]);
        for (int tag = 0x11; tag <= 0xff; tag++) {
            KilnException e = malformed(b(tag));
            assertTrue(e.getMessage(), e.getMessage().contains("tag"));
        }
        KilnException e = malformed(b(0x04, 0, 0, 0, 1, 0x00));
        assertTrue(e.getMessage(), e.getMessage().contains("trailing"));
        assertTrue(e.getMessage(), e.getMessage().contains("offset 5"));
        assertTrue(malformed(b(0x00, 0x00)).getMessage().contains("offset 1"));
        assertEquals(Arrays.asList(null, null), ValueCodec.decodeAll(b(0, 0)));
    }

    @Test
    public void invalidBool() {
        for (int x = 2; x <= 0xff; x++) {
            KilnException e = malformed(b(0x01, x));
            assertTrue(e.getMessage(), e.getMessage().contains("bool"));
        }
    }

    @Test
    public void everyTruncationIsAKilnException() {
        Object[] samples = {true, (byte) 1, (short) 2, 3, 4L, 5f, 6.0, 'c', "h\u00e9llo\ud834\udd1e", b(1, 2, 3),
            new BigInteger("-77"), new BigDecimal("1.5"), String.class, TimeUnit.SECONDS, new EnumValue("a.B", "C"),
            new Date(5), new Ref(6), ""};
        for (Object s : samples) {
            byte[] enc = ValueCodec.encode(s);
            for (int n = 0; n < enc.length; n++) {
                KilnException e = malformed(Arrays.copyOf(enc, n));
                assertTrue(e.getMessage(), e.getMessage().contains("truncated"));
            }
        }
    }

    @Test
    public void hostileLengthsFailWithoutAllocating() {
        int[] tags = {0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e};
        for (int tag : tags) {
            int[][] lengths = {{0xff, 0xff, 0xff, 0xff}, {0x7f, 0xff, 0xff, 0xff}, {0x80, 0, 0, 0}, {0, 0, 0, 4}};
            for (int[] len : lengths) {
                KilnException e = malformed(b(tag, len[0], len[1], len[2], len[3], 'a', 'b', 'c'));
                assertTrue(e.getMessage(), e.getMessage().contains("truncated"));
            }
        }
        // An enum whose constant length is hostile.
        malformed(b(0x0e, 0, 0, 0, 1, 'A', 0xff, 0xff, 0xff, 0xff, 'x'));
        KilnException e = malformed(b(0x09, 0xff, 0xff, 0xff, 0xff, 'a', 'b', 'c'));
        assertTrue(e.getMessage(), e.getMessage().contains("4294967295"));
    }

    @Test
    public void invalidUtf8IsAnError() {
        int[][] bad = {
            {0xc0, 0x80}, // overlong U+0000 (modified UTF-8)
            {0xc1, 0xbf}, // overlong
            {0xe0, 0x80, 0x80}, // overlong
            {0xf0, 0x80, 0x80, 0x80}, // overlong
            {0xed, 0xa0, 0x80}, // encoded high surrogate
            {0xed, 0xbf, 0xbf}, // encoded low surrogate
            {0xed, 0xa0, 0xbd, 0xed, 0xb4, 0x9e}, // CESU-8 pair
            {0xf4, 0x90, 0x80, 0x80}, // above U+10FFFF
            {0xf5, 0x80, 0x80, 0x80},
            {0xf8, 0x88, 0x80, 0x80, 0x80},
            {0xff},
            {0x80}, // lone continuation
            {'a', 0xe2, 0x82}, // truncated sequence at the end
            {0xe2, 0x28, 0xa1}, // bad continuation
            {0xc3},
        };
        for (int[] seq : bad) {
            byte[] utf8 = b(seq);
            for (int tag : new int[] {0x09, 0x0b, 0x0c, 0x0d}) {
                KilnException e = malformed(str(tag, utf8));
                assertTrue(e.getMessage(), e.getMessage().contains("UTF-8"));
            }
            malformed(cat(b(0x0e), lp(utf8), lp("X")));
            malformed(cat(b(0x0e), lp("X"), lp(utf8)));
        }
        KilnException e = malformed(str(0x09, b('a', 'b', 0xc0, 0x80)));
        assertTrue(e.getMessage(), e.getMessage().contains("offset 7"));
    }

    @Test
    public void strictUtf8AgreesWithTheJdk() {
        Random rnd = new Random(7);
        int[] interesting = {0x00, 0x41, 0x7f, 0x80, 0xbf, 0xc0, 0xc1, 0xc2, 0xdf, 0xe0, 0xe1, 0xec, 0xed, 0xee, 0xef,
            0xf0, 0xf1, 0xf3, 0xf4, 0xf5, 0xff, 0x8f, 0x90, 0x9f, 0xa0};
        for (int round = 0; round < 200_000; round++) {
            byte[] utf8 = new byte[1 + rnd.nextInt(6)];
            for (int i = 0; i < utf8.length; i++) {
                utf8[i] = (byte) (rnd.nextBoolean() ? interesting[rnd.nextInt(interesting.length)] : rnd.nextInt(256));
            }
            String jdk;
            try {
                jdk = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(utf8)).toString();
            } catch (CharacterCodingException ex) {
                jdk = null;
            }
            byte[] in = str(0x09, utf8);
            if (jdk == null) {
                malformed(in);
            } else {
                assertEquals(VectorsTest.hex(utf8), jdk, ValueCodec.decode(in));
                assertArrayEquals(in, ValueCodec.encode(jdk));
            }
        }
    }

    @Test
    public void encodingAgreesWithTheJdkForValidStrings() throws CharacterCodingException {
        Random rnd = new Random(11);
        for (int round = 0; round < 20_000; round++) {
            StringBuilder sb = new StringBuilder();
            int n = rnd.nextInt(8);
            for (int i = 0; i < n; i++) {
                int cp;
                switch (rnd.nextInt(4)) {
                    case 0:
                        cp = rnd.nextInt(0x80);
                        break;
                    case 1:
                        cp = 0x80 + rnd.nextInt(0x780);
                        break;
                    case 2:
                        cp = 0x800 + rnd.nextInt(0xf800);
                        break;
                    default:
                        cp = 0x10000 + rnd.nextInt(0x100000);
                }
                if (cp < 0xd800 || cp > 0xdfff) {
                    sb.appendCodePoint(cp);
                }
            }
            String s = sb.toString();
            ByteBuffer jdk = StandardCharsets.UTF_8.newEncoder().onMalformedInput(CodingErrorAction.REPORT)
                    .encode(CharBuffer.wrap(s));
            byte[] want = new byte[jdk.remaining()];
            jdk.get(want);
            roundTrip(s, str(0x09, want));
        }
    }

    @Test
    public void randomAndMutatedInputOnlyEverThrowsKilnException() {
        Random rnd = new Random(1234);
        List<byte[]> seeds = new ArrayList<>();
        for (Object v : new Object[] {"h\u00e9llo", TimeUnit.SECONDS, new BigDecimal("1.5"), b(1, 2), 7L, 1.5f,
            new Ref(3), true, 'x', new Date(9), Object.class, new BigInteger("12")}) {
            seeds.add(ValueCodec.encode(v));
        }
        int decoded = 0;
        for (int round = 0; round < 100_000; round++) {
            byte[] in;
            if (round % 2 == 0) {
                in = new byte[rnd.nextInt(12)];
                rnd.nextBytes(in);
                if (in.length > 0 && rnd.nextBoolean()) {
                    in[0] = (byte) rnd.nextInt(0x12);
                }
            } else {
                byte[] seed = seeds.get(rnd.nextInt(seeds.size()));
                in = Arrays.copyOf(seed, Math.max(0, seed.length + rnd.nextInt(3) - 1));
                for (int k = rnd.nextInt(3); k >= 0 && in.length > 0; k--) {
                    in[rnd.nextInt(in.length)] = (byte) rnd.nextInt(256);
                }
            }
            try {
                Object v = ValueCodec.decode(in);
                decoded++;
                if (!(v instanceof BigInteger) && !(v instanceof BigDecimal)) {
                    // Everything but big-number text (which may be non-canonical) re-encodes exactly.
                    assertEquals(VectorsTest.hex(in), VectorsTest.hex(ValueCodec.encode(v)));
                }
            } catch (KilnException e) {
                assertSame(KilnException.class, e.getClass());
            } catch (Throwable t) {
                throw new AssertionError("input " + VectorsTest.hex(in) + " threw " + t, t);
            }
            try {
                ValueCodec.decodeAll(in);
            } catch (KilnException e) {
                assertSame(KilnException.class, e.getClass());
            }
        }
        assertTrue("some inputs decoded: " + decoded, decoded > 1000);
    }

    @Test
    public void badBigNumberTextIsAKilnException() {
        for (String s : new String[] {"", "abc", "1.5", "--1", "1e5", " 1"}) {
            KilnException e = malformed(str(0x0b, s.getBytes(StandardCharsets.UTF_8)));
            assertTrue(e.getMessage(), e.getMessage().contains("big-integer"));
        }
        for (String s : new String[] {"", "abc", "1..2", "1E", "1E99999999999", "NaN"}) {
            KilnException e = malformed(str(0x0c, s.getBytes(StandardCharsets.UTF_8)));
            assertTrue(e.getMessage(), e.getMessage().contains("big-decimal"));
        }
    }

    @Test
    public void nullByteArrayIsAProgrammingError() {
        try {
            ValueCodec.decode((byte[]) null);
            fail();
        } catch (NullPointerException expected) {
            // decodeAll(null) is the "absent" case; decode(null) is a caller bug
        }
        assertNull(ValueCodec.decode(b(0)));
    }

    @Test
    public void wireBufferGrowsFromZero() {
        WireBuffer w = new WireBuffer(0);
        for (int i = 0; i < 10_000; i++) {
            ValueCodec.encode(i, w);
        }
        assertEquals(50_000, w.size());
        List<Object> back = ValueCodec.decodeAll(w.toByteArray());
        assertEquals(9_999, back.get(9_999));
        w.reset();
        assertEquals(0, w.size());
    }
}

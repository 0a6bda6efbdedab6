package dev.kiln.codec;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Date;
import java.util.List;
import java.util.Map;
import org.junit.Test;

/**
 * Checks the codec against the shared test vectors of {@code protocol/tests/vectors/}
 * (docs/protocol.md §10): every vector of kind {@code value} must decode to exactly the described
 * value with nothing left over, and the described value must encode to exactly the file's bytes.
 *
 * <p>The directory is the system property {@code kiln.vectors.dir} if set, else found by walking
 * up from the working directory to {@code protocol/tests/vectors/manifest.json}.
 */
public class VectorsTest {

    static File vectorsDir() {
        String prop = System.getProperty("kiln.vectors.dir");
        if (prop != null && !prop.isEmpty()) {
            File d = new File(prop);
            if (!new File(d, "manifest.json").isFile()) {
                fail("kiln.vectors.dir=" + prop + " has no manifest.json");
            }
            return d;
        }
        File dir = new File(System.getProperty("user.dir")).getAbsoluteFile();
        for (File d = dir; d != null; d = d.getParentFile()) {
            File v = new File(d, "protocol" + File.separator + "tests" + File.separator + "vectors");
            if (new File(v, "manifest.json").isFile()) {
                return v;
            }
        }
        fail("protocol/tests/vectors/manifest.json not found above " + dir
                + " (set -Dkiln.vectors.dir=<dir>)");
        return null;
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> valueVectors(File dir) throws IOException {
        String text = new String(Files.readAllBytes(new File(dir, "manifest.json").toPath()), StandardCharsets.UTF_8);
        Map<String, Object> manifest = (Map<String, Object>) Json.parse(text);
        assertEquals("protocol_version", 1L, manifest.get("protocol_version"));
        List<Map<String, Object>> out = new ArrayList<>();
        for (Object o : (List<Object>) manifest.get("vectors")) {
            Map<String, Object> v = (Map<String, Object>) o;
            if ("value".equals(v.get("kind"))) {
                out.add(v);
            }
        }
        return out;
    }

    @Test
    public void everyValueVectorDecodesAndEncodesExactly() throws IOException {
        File dir = vectorsDir();
        List<Map<String, Object>> vectors = valueVectors(dir);
        List<String> failures = new ArrayList<>();
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        List<Object> allExpected = new ArrayList<>();
        int checked = 0;
        for (Map<String, Object> v : vectors) {
            String name = (String) v.get("name");
            try {
                byte[] file = Files.readAllBytes(new File(dir, (String) v.get("file")).toPath());
                assertEquals(name + ": manifest hex vs file", v.get("hex"), hex(file));
                @SuppressWarnings("unchecked")
                Map<String, Object> expected = (Map<String, Object>) v.get("expected");
                Object want = toJava(expected);

                Object got = ValueCodec.decode(file);
                if (!Values.same(want, got)) {
                    failures.add(name + ": decoded " + Values.show(got) + ", expected " + Values.show(want));
                }
                byte[] enc = ValueCodec.encode(want);
                if (!Arrays.equals(file, enc)) {
                    failures.add(name + ": encoded " + hex(enc) + ", expected " + hex(file));
                }
                for (Object alt : alternatives(expected)) {
                    byte[] e2 = ValueCodec.encode(alt);
                    if (!Arrays.equals(file, e2)) {
                        failures.add(name + ": encoding " + Values.show(alt) + " gave " + hex(e2));
                    }
                }
                all.write(file);
                allExpected.add(want);
                checked++;
            } catch (AssertionError | RuntimeException e) {
                failures.add(name + ": " + e);
            }
        }
        if (!failures.isEmpty()) {
            fail(failures.size() + " value vector failure(s):\n  " + String.join("\n  ", failures));
        }
        assertTrue("no value vectors checked in " + dir, checked > 0);
        assertEquals("value vectors checked", vectors.size(), checked);

        // The concatenation decodes back to the sequence (the bridge's "values" form).
        List<Object> seq = ValueCodec.decodeAll(all.toByteArray());
        assertEquals(allExpected.size(), seq.size());
        for (int i = 0; i < seq.size(); i++) {
            assertTrue("element " + i, Values.same(allExpected.get(i), seq.get(i)));
        }
        System.out.println("VectorsTest: " + checked + " value vectors checked from " + dir);
    }

    /** The Java value a vector's language-neutral description stands for. */
    static Object toJava(Map<String, Object> e) {
        String type = (String) e.get("type");
        Object value = e.get("value");
        switch (type) {
            case "null":
                return null;
            case "bool":
                return (Boolean) value;
            case "i8":
                return (byte) checkedRange(value, Byte.MIN_VALUE, Byte.MAX_VALUE);
            case "i16":
                return (short) checkedRange(value, Short.MIN_VALUE, Short.MAX_VALUE);
            case "i32":
                return (int) checkedRange(value, Integer.MIN_VALUE, Integer.MAX_VALUE);
            case "i64":
                return (Long) value;
            case "char":
                return (char) checkedRange(value, 0, 0xffff);
            case "date":
                return new Date((Long) value);
            case "f32": {
                String bits = (String) e.get("bits");
                assertEquals("f32 bits digits", 8, bits.length());
                float f = Float.intBitsToFloat(Integer.parseUnsignedInt(bits, 16));
                checkFloatValue(f, value);
                return f;
            }
            case "f64": {
                String bits = (String) e.get("bits");
                assertEquals("f64 bits digits", 16, bits.length());
                double d = Double.longBitsToDouble(Long.parseUnsignedLong(bits, 16));
                checkFloatValue(d, value);
                return d;
            }
            case "string":
                return (String) value;
            case "bytes":
                return unhex((String) e.get("hex"));
            case "big-integer":
                return new BigInteger((String) value);
            case "big-decimal":
                return new BigDecimal((String) value);
            case "class":
                return new ClassName((String) value);
            case "enum": {
                String cls = (String) e.get("class");
                String name = (String) e.get("name");
                Object constant = loadableConstant(cls, name);
                return constant != null ? constant : new EnumValue(cls, name);
            }
            case "ref": {
                long oid = u64(value);
                Ref r = new Ref(oid);
                assertEquals("ref stripe", ((Number) e.get("stripe")).longValue(), r.stripe());
                assertEquals("ref seq", ((Number) e.get("seq")).longValue(), r.sequence());
                return r;
            }
            default:
                throw new AssertionError("unknown value type in manifest: " + type);
        }
    }

    /** Other Java values that must encode the same way (e.g. a Class for a class name). */
    static List<Object> alternatives(Map<String, Object> e) {
        List<Object> alts = new ArrayList<>();
        String type = (String) e.get("type");
        if ("enum".equals(type)) {
            alts.add(new EnumValue((String) e.get("class"), (String) e.get("name")));
        } else if ("class".equals(type)) {
            try {
                alts.add(Class.forName((String) e.get("value"), false, VectorsTest.class.getClassLoader()));
            } catch (ClassNotFoundException ignored) {
                // not a class of this JVM: the ClassName is enough
            }
        }
        return alts;
    }

    private static Object loadableConstant(String cls, String name) {
        try {
            Class<?> c = Class.forName(cls, false, VectorsTest.class.getClassLoader());
            if (c.isEnum()) {
                for (Object k : c.getEnumConstants()) {
                    if (((Enum<?>) k).name().equals(name)) {
                        return k;
                    }
                }
            }
        } catch (ClassNotFoundException ignored) {
            // decodes as EnumValue
        }
        return null;
    }

    private static long checkedRange(Object v, long min, long max) {
        long x = (Long) v;
        assertTrue("value " + x + " out of range", x >= min && x <= max);
        return x;
    }

    private static long u64(Object v) {
        if (v instanceof BigInteger) {
            BigInteger b = (BigInteger) v;
            assertTrue("u64 out of range: " + b, b.signum() >= 0 && b.bitLength() <= 64);
            return b.longValue();
        }
        long x = (Long) v;
        assertTrue("negative u64: " + x, x >= 0);
        return x;
    }

    /** The "value" beside the authoritative "bits" must agree with them. */
    private static void checkFloatValue(double d, Object value) {
        if ("NaN".equals(value)) {
            assertTrue("NaN expected", Double.isNaN(d));
        } else if ("Infinity".equals(value)) {
            assertEquals(Double.POSITIVE_INFINITY, d, 0.0);
        } else if ("-Infinity".equals(value)) {
            assertEquals(Double.NEGATIVE_INFINITY, d, 0.0);
        } else {
            double want = ((Number) value).doubleValue();
            assertEquals("value vs bits", 0, Double.compare(want, d)); // distinguishes -0.0
        }
    }

    static String hex(byte[] b) {
        StringBuilder s = new StringBuilder();
        for (byte x : b) {
            s.append(Character.forDigit((x >> 4) & 0xf, 16)).append(Character.forDigit(x & 0xf, 16));
        }
        return s.toString();
    }

    static byte[] unhex(String h) {
        assertEquals("odd hex length", 0, h.length() % 2);
        byte[] b = new byte[h.length() / 2];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) Integer.parseInt(h.substring(2 * i, 2 * i + 2), 16);
        }
        return b;
    }
}

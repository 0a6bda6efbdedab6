package dev.kiln.agent.rt;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertSame;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import com.tc.object.tx.UnlockedSharedObjectException;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.InetAddress;
import java.net.URI;
import java.net.URL;
import java.sql.Time;
import java.sql.Timestamp;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Calendar;
import java.util.Date;
import java.util.EventObject;
import java.util.GregorianCalendar;
import java.util.Locale;
import java.util.Map;
import java.util.SimpleTimeZone;
import java.util.TimeZone;

import org.junit.Test;

/**
 * No server: which java.base classes are value types, that each one's state re-creates an equal
 * object and re-applies onto a changed one, that every mutator twin makes the JDK call (and is
 * found by the rewriter's lookup), that a "shared" value's mutator outside a lock is refused
 * before any change, and that an unshared value's twin costs about the JDK call.
 */
public class BaseValuesTest {
    @Test
    public void valueTypesAreExactJdkClasses() throws Exception {
        for (Object v : new Object[] {new Date(), new java.sql.Date(0), new Time(0), new Timestamp(0), new GregorianCalendar(),
            TimeZone.getTimeZone("Europe/Paris"), Locale.JAPAN, new BitSet(), new File("x"), new URL("http://a/b"),
            new URI("urn:x"), InetAddress.getByAddress(new byte[] {1, 2, 3, 4}), new EventObject("s"), new IOException("m"),
            new IllegalStateException(), new RuntimeException(), new Error(), new UncheckedIOException("u", new IOException()),
            new StringBuilder("b"), new StringBuffer("c"), java.util.UUID.randomUUID(), java.util.Currency.getInstance("EUR"),
            new StackTraceElement("C", "m", "C.java", 3)}) {
            assertTrue(v.getClass().getName(), SharedValues.isValue(v));
        }
        assertFalse("a subclass is not one", SharedValues.isValue(new Date() {}));
        assertFalse("an application exception", SharedValues.isValue(new Exception() {}));
        assertFalse("a JDK Throwable with state of its own",
                SharedValues.isValue(new java.lang.reflect.InvocationTargetException(new IOException())));
        assertFalse(SharedValues.isValue(new java.sql.SQLException("state")));
        assertFalse(SharedValues.isValue(new SimpleTimeZone(0, "Z")));
        assertNull(BaseValues.type("demo.Nothing"));
        assertNotNull(BaseValues.type("java.io.EOFException")); // a JDK Throwable named on the wire
    }

    private static Object roundTrip(Object v) throws Exception {
        BaseValues.Type t = BaseValues.type(v.getClass());
        assertNull(t.refusal(v));
        Map<String, Object> s = BaseValues.stateMap(t, v);
        assertEquals(Arrays.asList(t.names), new java.util.ArrayList<>(s.keySet()));
        Object c = t.create(v.getClass(), s);
        assertSame(v.getClass(), c.getClass());
        return c;
    }

    @Test
    public void stateRecreatesAnEqualValue() throws Exception {
        Timestamp ts = new Timestamp(1243807200123L);
        ts.setNanos(123456789);
        GregorianCalendar cal = new GregorianCalendar(TimeZone.getTimeZone("Asia/Tokyo"), Locale.JAPAN);
        cal.set(2009, Calendar.JUNE, 1, 1, 30, 15);
        cal.setLenient(false);
        cal.setMinimalDaysInFirstWeek(4);
        cal.setGregorianChange(new Date(Long.MIN_VALUE));
        BitSet bits = new BitSet();
        bits.set(3);
        bits.set(70, 90);
        for (Object v : new Object[] {new Date(1243807200000L), new java.sql.Date(1243807200000L), new Time(3_600_000L), ts, cal,
            TimeZone.getTimeZone("America/New_York"), Locale.CANADA_FRENCH, Locale.forLanguageTag("sr-Latn-RS"),
            new Locale("no", "NO", "NY"), bits, new BitSet(), new File("/var/spool/x"), new URI("http://h:8/p?q#f"),
            java.util.UUID.randomUUID(), new StackTraceElement("a.B", "run", null, -2)}) {
            assertEquals(v, roundTrip(v));
        }
        URL u = new URL("http://jobs.example.com:8080/api?x=1#top");
        assertEquals(u.toExternalForm(), ((URL) roundTrip(u)).toExternalForm());
        InetAddress named = InetAddress.getByAddress("gw.example.com", new byte[] {10, 0, 0, 7});
        assertEquals(named.toString(), roundTrip(named).toString());
        InetAddress bare = InetAddress.getByAddress(new byte[] {10, 0, 0, 8});
        assertEquals("/10.0.0.8", roundTrip(bare).toString()); // no host name looked up
        InetAddress v6 = java.net.Inet6Address.getByAddress(null, InetAddress.getByName("fe80::1").getAddress(), 3);
        assertEquals(v6, roundTrip(v6));
        assertEquals(3, ((java.net.Inet6Address) roundTrip(v6)).getScopeId());
        assertSame(java.util.Currency.getInstance("JPY"), roundTrip(java.util.Currency.getInstance("JPY")));
        assertEquals("log: a", roundTrip(new StringBuilder("log: a")).toString());
        assertEquals("log: b", roundTrip(new StringBuffer("log: b")).toString());
        StringBuilder sb = new StringBuilder("x");
        BaseValues.type(StringBuilder.class).apply(sb, BaseValues.stateMap(BaseValues.type(StringBuilder.class), new StringBuilder("yz")));
        assertEquals("yz", sb.toString());
        EventObject e = (EventObject) roundTrip(new EventObject("source"));
        assertNull("the source stays in the JVM that made it", e.getSource());
    }

    @Test
    public void throwablesKeepMessageCauseAndStackTrace() throws Exception {
        IllegalStateException ise = new IllegalStateException("failed", new IOException("disk full"));
        BaseValues.Type t = BaseValues.type(ise.getClass());
        Map<String, Object> s = BaseValues.stateMap(t, ise);
        assertSame(ise.getCause(), s.get("cause")); // the sharing walk shares the cause as its own object
        IOException cause = (IOException) roundTrip(ise.getCause());
        s.put("cause", cause);
        Throwable c = (Throwable) t.create(IllegalStateException.class, s);
        assertEquals("failed", c.getMessage());
        assertSame(cause, c.getCause());
        assertEquals(frames(ise), frames(c));
        assertEquals(frames(ise.getCause()), frames(cause));
        assertTrue(frames(c).contains("throwablesKeepMessageCauseAndStackTrace"));
        // no (String) constructor: its (String, IOException) one, with the cause
        UncheckedIOException u = new UncheckedIOException("wrapped", cause);
        Map<String, Object> us = BaseValues.stateMap(t, u);
        assertNull(t.refusal(u));
        UncheckedIOException u2 = (UncheckedIOException) t.create(UncheckedIOException.class, us);
        assertEquals("wrapped", u2.getMessage());
        assertSame(cause, u2.getCause());
        // suppressed exceptions (try-with-resources): an array in the state, added back
        IOException closing = new IOException("close failed");
        ise.addSuppressed(closing);
        Map<String, Object> withSup = BaseValues.stateMap(t, ise);
        assertSame(closing, ((Throwable[]) withSup.get("suppressed"))[0]);
        Throwable c2 = (Throwable) t.create(IllegalStateException.class, withSup);
        assertEquals(Arrays.asList(closing), Arrays.asList(c2.getSuppressed()));
        t.apply(c2, withSup); // a refresh adds nothing twice
        assertEquals(1, c2.getSuppressed().length);
        assertNull(BaseValues.stateMap(t, new RuntimeException()).get("suppressed"));
        Throwable none = (Throwable) roundTrip(new RuntimeException());
        assertNull(none.getMessage());
        assertNull(none.getCause());
    }

    /** Class, method, file and line of each frame (the JDK 9+ module and loader names are not kept). */
    private static String frames(Throwable t) {
        StringBuilder b = new StringBuilder();
        for (StackTraceElement e : t.getStackTrace()) {
            b.append(e.getClassName()).append('.').append(e.getMethodName()).append('(').append(e.getFileName()).append(':')
                    .append(e.getLineNumber()).append(")\n");
        }
        return b.toString();
    }

    @Test
    public void applyBringsAChangedValueBack() throws Exception {
        GregorianCalendar a = new GregorianCalendar(TimeZone.getTimeZone("UTC"));
        a.setTimeInMillis(0);
        GregorianCalendar b = (GregorianCalendar) roundTrip(a);
        a.add(Calendar.DAY_OF_MONTH, 3);
        a.setTimeZone(TimeZone.getTimeZone("Europe/Paris"));
        a.setFirstDayOfWeek(Calendar.MONDAY);
        BaseValues.Type t = BaseValues.type(GregorianCalendar.class);
        t.apply(b, BaseValues.stateMap(t, a));
        assertEquals(a, b);
        assertEquals(4, b.get(Calendar.DAY_OF_MONTH));
        BitSet x = new BitSet();
        x.set(1);
        BitSet y = (BitSet) roundTrip(x);
        x.clear(1);
        x.set(200);
        BaseValues.type(BitSet.class).apply(y, BaseValues.stateMap(BaseValues.type(BitSet.class), x));
        assertEquals(x, y);
        Timestamp ts = new Timestamp(5000);
        Timestamp ts2 = (Timestamp) roundTrip(ts);
        ts.setNanos(7);
        BaseValues.type(Timestamp.class).apply(ts2, BaseValues.stateMap(BaseValues.type(Timestamp.class), ts));
        assertEquals(ts, ts2);
    }

    @Test
    public void refusedWhenAnotherJvmCouldNotRecreateIt() throws Exception {
        GregorianCalendar c = new GregorianCalendar(new SimpleTimeZone(5400000, "Custom"));
        assertTrue(BaseValues.type(c.getClass()).refusal(c).contains("SimpleTimeZone"));
        assertTrue(dev.kiln.agent.jdk.Jdk.hint(new java.sql.SQLException("x")).contains("fields of their own"));
        assertTrue(dev.kiln.agent.jdk.Jdk.hint(new SimpleTimeZone(0, "Z")).contains("GregorianCalendar"));
        TimeZone z = TimeZone.getTimeZone("Europe/Paris");
        z.setRawOffset(1);
        assertTrue(BaseValues.type(z.getClass()).refusal(z).contains("setRawOffset"));
    }

    private static String descriptor(Class<?> c) {
        if (c.isArray()) {
            return c.getName().replace('.', '/');
        }
        if (!c.isPrimitive()) {
            return "L" + c.getName().replace('.', '/') + ";";
        }
        return c == int.class ? "I" : c == long.class ? "J" : c == boolean.class ? "Z" : c == char.class ? "C"
                : c == float.class ? "F" : c == double.class ? "D" : "?";
    }

    /** Every generated twin is found by the rewriter's lookup, names a JDK method, and makes the same call. */
    @Test
    public void everyTwinMatchesItsTarget() throws Exception {
        int n = 0;
        for (Class<?> k : new Class<?>[] {BaseValueCalls.class, SqlValueCalls.class, BuilderCalls.class}) {
            for (Method m : k.getDeclaredMethods()) {
                if (!Modifier.isPublic(m.getModifiers()) || m.getName().equals("target")) {
                    continue;
                }
                String[] parts = m.getName().split("_");
                String name = parts[parts.length - 2];
                Class<?>[] ps = m.getParameterTypes();
                StringBuilder desc = new StringBuilder("(");
                for (int i = 1; i < ps.length; i++) {
                    desc.append(descriptor(ps[i]));
                }
                desc.append(')').append(m.getReturnType() == void.class ? "V" : descriptor(m.getReturnType()));
                String owner = ps[0].getName().replace('.', '/');
                String found = k == BaseValueCalls.class ? BaseValueCalls.target(owner, name, desc.toString())
                        : k == SqlValueCalls.class ? SqlValueCalls.target(owner, name, desc.toString())
                        : BuilderCalls.target(owner, name, desc.toString());
                assertEquals(owner + "." + name + desc, m.getName(), found);
                assertEquals(m.getReturnType(), ps[0].getMethod(name, Arrays.copyOfRange(ps, 1, ps.length)).getReturnType());
                n++;
            }
        }
        assertEquals(53 + 22 + 66, n);
        assertNull(BaseValueCalls.target("java/util/Date", "getTime", "()J"));
        Date d = new Date(0);
        BaseValueCalls.Date_setTime_0(d, 42);
        assertEquals(42, d.getTime());
        GregorianCalendar c = new GregorianCalendar(TimeZone.getTimeZone("UTC"));
        c.setTimeInMillis(0);
        BaseValueCalls.class.getMethod(BaseValueCalls.target("java/util/Calendar", "add", "(II)V"), Calendar.class, int.class, int.class)
                .invoke(null, c, Calendar.YEAR, 1);
        assertEquals(1971, c.get(Calendar.YEAR));
        BitSet b = new BitSet();
        BaseValueCalls.class.getMethod(BaseValueCalls.target("java/util/BitSet", "set", "(II)V"), BitSet.class, int.class, int.class)
                .invoke(null, b, 2, 5);
        assertEquals("{2, 3, 4}", b.toString());
        Timestamp ts = new Timestamp(0);
        SqlValueCalls.class.getMethod(SqlValueCalls.target("java/sql/Timestamp", "setNanos", "(I)V"), Timestamp.class, int.class)
                .invoke(null, ts, 5);
        assertEquals(5, ts.getNanos());
    }

    /** A shared value's mutator outside any cluster lock throws before anything changed; a non-shared one is untouched. */
    @Test
    public void unlockedMutatorOfASharedValueIsRefusedUnchanged() {
        Date shared = new Date(10);
        BitSet bits = new BitSet();
        Date other = new Date(1);
        SharedValues.bind(shared, 4242);
        SharedValues.bind(bits, 4243);
        try {
            try {
                BaseValueCalls.Date_setTime_0(shared, 99);
                fail("refused");
            } catch (UnlockedSharedObjectException e) {
                assertTrue(e.getMessage(), e.getMessage().startsWith("kiln: java.util.Date.setTime() on a shared java.util.Date (object 4242)"));
            }
            assertEquals(10, shared.getTime());
            try {
                BaseValueCalls.BitSet_flip_47(bits, 3);
                fail("refused");
            } catch (UnlockedSharedObjectException e) {
                assertTrue(e.getMessage(), e.getMessage().contains("BitSet.flip()"));
            }
            assertTrue(bits.isEmpty());
            StringBuffer log = new StringBuffer("a");
            SharedValues.bind(log, 4244);
            try {
                BuilderCalls.StringBuffer_append_34(log, "b");
                fail("refused");
            } catch (UnlockedSharedObjectException e) {
                assertTrue(e.getMessage(), e.getMessage().contains("java.lang.StringBuffer.append()"));
            } finally {
                SharedValues.unbind(log);
            }
            assertEquals("a", log.toString());
            assertEquals("xy", BuilderCalls.StringBuilder_append_1(new StringBuilder("x"), "y").toString()); // not shared
            BaseValueCalls.Date_setTime_0(other, 7); // not shared: the JDK's call
            assertEquals(7, other.getTime());
        } finally {
            SharedValues.unbind(shared);
            SharedValues.unbind(bits);
        }
    }

    private static long loop(boolean twin, GregorianCalendar[] cs, int n) {
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            GregorianCalendar c = cs[i & 7];
            if (twin) {
                BaseValueCalls.GregorianCalendar_setLenient_33(c, (i & 1) == 0);
            } else {
                c.setLenient((i & 1) == 0);
            }
        }
        return System.nanoTime() - t0;
    }

    /**
     * The unshared-speed guard: the twin of a non-shared GregorianCalendar's setLenient (no
     * Calendar shared in this JVM: one static read, then the JDK's call) costs about the direct
     * call (best of 7 runs of 2M calls; a loose bound, the machine is shared).
     */
    @Test
    public void anUnsharedValuesTwinKeepsJdkSpeed() {
        GregorianCalendar[] cs = new GregorianCalendar[8];
        for (int i = 0; i < cs.length; i++) {
            cs[i] = new GregorianCalendar();
        }
        long direct = Long.MAX_VALUE;
        long twin = Long.MAX_VALUE;
        for (int r = 0; r < 7; r++) {
            direct = Math.min(direct, loop(false, cs, 2_000_000));
            twin = Math.min(twin, loop(true, cs, 2_000_000));
        }
        System.out.println("BaseValuesTest: 2M setLenient: twin " + twin / 1000 + " us, direct " + direct / 1000 + " us");
        assertTrue("twin " + twin + " ns vs direct " + direct + " ns", twin <= direct * 2 + 2_000_000);
    }
}

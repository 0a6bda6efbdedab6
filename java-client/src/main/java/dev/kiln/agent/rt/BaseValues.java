package dev.kiln.agent.rt;

import java.io.File;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.net.InetAddress;
import java.net.URI;
import java.net.URL;
import java.util.BitSet;
import java.util.Date;
import java.util.EventObject;
import java.util.GregorianCalendar;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.TimeZone;

/**
 * The {@code java.base} (and {@code java.sql}) value types Terracotta DSO shared without
 * configuration: {@code java.util.Date}, {@code java.sql.Date}/{@code Time}/{@code Timestamp},
 * {@code GregorianCalendar} (with the {@code TimeZone} it carries), {@code TimeZone},
 * {@code Locale}, {@code BitSet}, {@code StringBuilder}/{@code StringBuffer}, {@code File},
 * {@code URL}, {@code URI}, {@code InetAddress}, {@code UUID}, {@code Currency}, {@code StackTraceElement},
 * {@code EventObject} and the JDK's {@code Throwable}s.
 *
 * <p>They go the way of the awt value types ({@link SharedValues}: one physical cluster object
 * per Java object, its id in the identity map, identity and aliasing kept, a cluster lock when
 * shared), but their state is not their private fields (java.base is not opened to the agent):
 * each {@link Type} names a few <em>state fields</em> read and re-applied through the class's
 * public API ({@code Date}: {@code time}; {@code Timestamp}: {@code time}, {@code nanos};
 * {@code GregorianCalendar}: its instant, zone id, leniency, week rules and Gregorian change...).
 * On the wire they are ordinary physical fields (owner {@link Type#owner}, name, value). In-place
 * mutators called by instrumented code ({@code date.setTime}, {@code cal.add}, {@code bits.set})
 * go through the twins of {@link BaseValueCalls} / {@link SqlValueCalls} / {@link BuilderCalls}
 * ({@code builder.append}, but not on a builder the method just made): {@link #before} refuses
 * an unlocked one on a shared value before any change, {@link #after} records the new state.
 */
public final class BaseValues {
    private BaseValues() {}

    /*
     * False until the first value of the family (Date and java.sql dates, GregorianCalendar,
     * BitSet) is shared or materialised in this JVM: until then a twin is the JDK call and this
     * one static read (a shared Date does not tax the BitSets).
     */
    /** A java.util.Date or java.sql date/time/timestamp was shared here. */
    public static volatile boolean dates;
    /** A GregorianCalendar was shared here. */
    public static volatile boolean calendars;
    /** A BitSet was shared here. */
    public static volatile boolean bits;
    /** A StringBuilder or StringBuffer was shared here. */
    public static volatile boolean builders;

    /** The owner of Throwable's state fields on the wire (JDK exceptions and application ones alike). */
    static final String THROWABLE_OWNER = "java.lang.Throwable";

    /** One value type: its state fields, read and applied through its public API. */
    abstract static class Type {
        /** The declaring class the state fields are recorded under. */
        final String owner;
        /** The state field names, in the order {@link #state} returns them. */
        final String[] names;
        /** True when the type has in-place mutators (its twins record changes). */
        final boolean mutable;

        Type(String owner, boolean mutable, String... names) {
            this.owner = owner;
            this.mutable = mutable;
            this.names = names;
        }

        /** The state of {@code v}: literals, or objects the sharing walk shares too (a cause). */
        abstract Object[] state(Object v);

        /** A new object of {@code c} with state {@code s} (references already materialised). */
        abstract Object create(Class<?> c, Map<String, Object> s) throws Exception;

        /** Brings {@code v} to state {@code s} (a refresh from the cluster); immutable types: nothing. */
        void apply(Object v, Map<String, Object> s) {}

        /** Why {@code v} cannot be shared (another JVM could not re-create it), or null. */
        String refusal(Object v) {
            return null;
        }
    }

    private static final Map<String, Type> BY_NAME = new java.util.HashMap<>();

    private static final ClassValue<Type> TYPES = new ClassValue<Type>() {
        @Override
        protected Type computeValue(Class<?> c) {
            Type t = BY_NAME.get(c.getName());
            if (t == null && Throwable.class.isAssignableFrom(c) && jdkThrowable(c)) {
                t = THROWABLE;
            }
            return t;
        }
    };

    /** The type of {@code c} (exact class; any JDK Throwable without state of its own), or null. */
    static Type type(Class<?> c) {
        return TYPES.get(c);
    }

    /** The type of cluster class name {@code name}, or null (loads JDK classes only). */
    static Type type(String name) {
        Type t = BY_NAME.get(name);
        if (t != null || !(name.startsWith("java.") || name.startsWith("javax."))) {
            return t;
        }
        try {
            return type(Class.forName(name, false, ClassLoader.getPlatformClassLoader())); // a JDK Throwable (java.sql's too)
        } catch (ClassNotFoundException | LinkageError e) {
            return null;
        }
    }

    /** A JDK (boot or platform loader) Throwable whose classes up to Throwable declare no instance fields. */
    private static boolean jdkThrowable(Class<?> c) {
        ClassLoader l = c.getClassLoader();
        if (l != null && l != ClassLoader.getPlatformClassLoader()) {
            return false;
        }
        for (Class<?> k = c; k != Throwable.class; k = k.getSuperclass()) {
            for (Field f : k.getDeclaredFields()) {
                if (!Modifier.isStatic(f.getModifiers())) {
                    return false;
                }
            }
        }
        return true;
    }

    private static void add(Type t, String... classes) {
        for (String c : classes) {
            BY_NAME.put(c, t);
        }
    }

    /** {@code java.util.Date}, {@code java.sql.Date}, {@code java.sql.Time}: the instant. */
    private static final Type TIME = new Type("java.util.Date", true, "time") {
        @Override
        Object[] state(Object v) {
            return new Object[] {((Date) v).getTime()};
        }

        @Override
        Object create(Class<?> c, Map<String, Object> s) throws Exception {
            return c.getConstructor(long.class).newInstance((Long) s.get("time"));
        }

        @Override
        void apply(Object v, Map<String, Object> s) {
            long t = (Long) s.get("time");
            if (((Date) v).getTime() != t) {
                ((Date) v).setTime(t);
            }
        }
    };

    /** {@code java.sql.Timestamp}: the instant and its nanoseconds (java.sql by reflection: a JVM may lack it). */
    private static final Type TIMESTAMP = new Type("java.sql.Timestamp", true, "time", "nanos") {
        @Override
        Object[] state(Object v) {
            try {
                return new Object[] {((Date) v).getTime(), v.getClass().getMethod("getNanos").invoke(v)};
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        Object create(Class<?> c, Map<String, Object> s) throws Exception {
            Object o = c.getConstructor(long.class).newInstance((Long) s.get("time"));
            apply(o, s);
            return o;
        }

        @Override
        void apply(Object v, Map<String, Object> s) {
            try {
                ((Date) v).setTime((Long) s.get("time"));
                v.getClass().getMethod("setNanos", int.class).invoke(v, (Integer) s.get("nanos"));
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
        }
    };

    /** {@code GregorianCalendar}: its instant, zone, leniency, week rules and Julian-Gregorian cutover. */
    private static final Type CALENDAR = new Type("java.util.GregorianCalendar", true,
            "time", "zone", "lenient", "firstDayOfWeek", "minimalDaysInFirstWeek", "gregorianChange") {
        @Override
        Object[] state(Object v) {
            GregorianCalendar g = (GregorianCalendar) v;
            return new Object[] {g.getTimeInMillis(), g.getTimeZone().getID(), g.isLenient(), g.getFirstDayOfWeek(),
                g.getMinimalDaysInFirstWeek(), g.getGregorianChange().getTime()};
        }

        @Override
        Object create(Class<?> c, Map<String, Object> s) {
            GregorianCalendar g = new GregorianCalendar(TimeZone.getTimeZone((String) s.get("zone")));
            apply(g, s);
            return g;
        }

        @Override
        void apply(Object v, Map<String, Object> s) {
            GregorianCalendar g = (GregorianCalendar) v;
            String zone = (String) s.get("zone");
            if (!g.getTimeZone().getID().equals(zone)) {
                g.setTimeZone(TimeZone.getTimeZone(zone));
            }
            g.setLenient((Boolean) s.get("lenient"));
            g.setFirstDayOfWeek((Integer) s.get("firstDayOfWeek"));
            g.setMinimalDaysInFirstWeek((Integer) s.get("minimalDaysInFirstWeek"));
            long change = (Long) s.get("gregorianChange");
            if (g.getGregorianChange().getTime() != change) {
                g.setGregorianChange(new Date(change));
            }
            g.setTimeInMillis((Long) s.get("time"));
        }

        @Override
        String refusal(Object v) {
            return zoneRefusal(((GregorianCalendar) v).getTimeZone());
        }
    };

    /** A time zone another JVM can look up by id: the JDK's own zones (not a custom SimpleTimeZone). */
    private static String zoneRefusal(TimeZone z) {
        if (!z.getClass().getName().equals("sun.util.calendar.ZoneInfo")) {
            return "its time zone is a " + z.getClass().getName() + " (only the JDK's zones, TimeZone.getTimeZone(id),"
                    + " are shared: by id)";
        }
        return null;
    }

    /** {@code TimeZone} (the JDK's zones): by id. */
    private static final Type ZONE = new Type("java.util.TimeZone", false, "id") {
        @Override
        Object[] state(Object v) {
            return new Object[] {((TimeZone) v).getID()};
        }

        @Override
        Object create(Class<?> c, Map<String, Object> s) {
            return TimeZone.getTimeZone((String) s.get("id"));
        }

        @Override
        String refusal(Object v) {
            TimeZone z = (TimeZone) v;
            TimeZone again = TimeZone.getTimeZone(z.getID());
            return again.hasSameRules(z) ? null : "its rules differ from the JDK's zone of id " + z.getID()
                    + " (setRawOffset was called): it is shared by id";
        }
    };

    /** {@code Locale}: language, country, variant and its BCP 47 tag (script, extensions). */
    private static final Type LOCALE = new Type("java.util.Locale", false, "language", "country", "variant", "tag") {
        @Override
        Object[] state(Object v) {
            Locale l = (Locale) v;
            return new Object[] {l.getLanguage(), l.getCountry(), l.getVariant(), l.toLanguageTag()};
        }

        @Override
        Object create(Class<?> c, Map<String, Object> s) {
            Locale l = Locale.forLanguageTag((String) s.get("tag"));
            if (l.getLanguage().equals(s.get("language")) && l.getCountry().equals(s.get("country"))
                    && l.getVariant().equals(s.get("variant"))) {
                return l;
            }
            return new Locale((String) s.get("language"), (String) s.get("country"), (String) s.get("variant"));
        }
    };

    /** {@code BitSet}: its bits ({@code toByteArray}, a byte[] literal). */
    private static final Type BITS = new Type("java.util.BitSet", true, "bits") {
        @Override
        Object[] state(Object v) {
            return new Object[] {((BitSet) v).toByteArray()};
        }

        @Override
        Object create(Class<?> c, Map<String, Object> s) {
            return BitSet.valueOf((byte[]) s.get("bits"));
        }

        @Override
        void apply(Object v, Map<String, Object> s) {
            BitSet b = (BitSet) v;
            BitSet n = BitSet.valueOf((byte[]) s.get("bits"));
            if (!b.equals(n)) {
                b.clear();
                b.or(n);
            }
        }
    };

    /** {@code StringBuilder} / {@code StringBuffer}: its characters. */
    private static final Type BUILDER = new Type("java.lang.AbstractStringBuilder", true, "chars") {
        @Override
        Object[] state(Object v) {
            return new Object[] {v.toString()};
        }

        @Override
        Object create(Class<?> c, Map<String, Object> s) {
            String chars = (String) s.get("chars");
            return c == StringBuffer.class ? new StringBuffer(chars) : new StringBuilder(chars);
        }

        @Override
        void apply(Object v, Map<String, Object> s) {
            String chars = (String) s.get("chars");
            if (v instanceof StringBuilder) {
                StringBuilder b = (StringBuilder) v;
                if (!chars.contentEquals(b)) {
                    b.setLength(0);
                    b.append(chars);
                }
            } else {
                StringBuffer b = (StringBuffer) v;
                synchronized (b) {
                    if (!chars.contentEquals(b)) {
                        b.setLength(0);
                        b.append(chars);
                    }
                }
            }
        }
    };

    /** {@code java.util.UUID}: its two halves. */
    private static final Type UUID_TYPE = new Type("java.util.UUID", false, "most", "least") {
        @Override
        Object[] state(Object v) {
            return new Object[] {((java.util.UUID) v).getMostSignificantBits(), ((java.util.UUID) v).getLeastSignificantBits()};
        }

        @Override
        Object create(Class<?> c, Map<String, Object> s) {
            return new java.util.UUID((Long) s.get("most"), (Long) s.get("least"));
        }
    };

    /** {@code java.util.Currency}: its ISO 4217 code (one instance per code in each JVM, as the JDK's). */
    private static final Type CURRENCY = new Type("java.util.Currency", false, "code") {
        @Override
        Object[] state(Object v) {
            return new Object[] {((java.util.Currency) v).getCurrencyCode()};
        }

        @Override
        Object create(Class<?> c, Map<String, Object> s) {
            return java.util.Currency.getInstance((String) s.get("code"));
        }
    };

    /** {@code StackTraceElement} (a literal in Terracotta): class, method, file, line. */
    private static final Type FRAME = new Type("java.lang.StackTraceElement", false, "class", "method", "file", "line") {
        @Override
        Object[] state(Object v) {
            StackTraceElement e = (StackTraceElement) v;
            return new Object[] {e.getClassName(), e.getMethodName(), e.getFileName(), e.getLineNumber()};
        }

        @Override
        Object create(Class<?> c, Map<String, Object> s) {
            return new StackTraceElement((String) s.get("class"), (String) s.get("method"), (String) s.get("file"),
                    (Integer) s.get("line"));
        }
    };

    /** {@code java.io.File}: its path. */
    private static final Type FILE = new Type("java.io.File", false, "path") {
        @Override
        Object[] state(Object v) {
            return new Object[] {((File) v).getPath()};
        }

        @Override
        Object create(Class<?> c, Map<String, Object> s) {
            return new File((String) s.get("path"));
        }
    };

    /** {@code java.net.URL}: its external form. */
    private static final Type URL_TYPE = new Type("java.net.URL", false, "spec") {
        @Override
        Object[] state(Object v) {
            return new Object[] {((URL) v).toExternalForm()};
        }

        @Override
        Object create(Class<?> c, Map<String, Object> s) throws Exception {
            return new URL((String) s.get("spec"));
        }
    };

    /** {@code java.net.URI}: its string form. */
    private static final Type URI_TYPE = new Type("java.net.URI", false, "string") {
        @Override
        Object[] state(Object v) {
            return new Object[] {v.toString()};
        }

        @Override
        Object create(Class<?> c, Map<String, Object> s) throws Exception {
            return new URI((String) s.get("string"));
        }
    };

    /** {@code Inet4Address} / {@code Inet6Address}: the host name it was given or resolved (never looked up here), the address, the scope. */
    private static final Type INET = new Type("java.net.InetAddress", false, "host", "address", "scope") {
        @Override
        Object[] state(Object v) {
            InetAddress a = (InetAddress) v;
            String s = a.toString(); // "host/literal": the host part is empty when none is known
            String host = s.substring(0, s.lastIndexOf('/'));
            int scope = a instanceof java.net.Inet6Address ? ((java.net.Inet6Address) a).getScopeId() : 0;
            return new Object[] {host.isEmpty() ? null : host, a.getAddress(), scope};
        }

        @Override
        Object create(Class<?> c, Map<String, Object> s) throws Exception {
            byte[] addr = (byte[]) s.get("address");
            String host = (String) s.get("host");
            int scope = (Integer) s.get("scope");
            if (addr.length == 16 && scope != 0) {
                return java.net.Inet6Address.getByAddress(host, addr, scope);
            }
            return InetAddress.getByAddress(host, addr);
        }
    };

    /** {@code java.util.EventObject}: no state ({@code source} is transient-like, as in Terracotta: null elsewhere). */
    private static final Type EVENT = new Type("java.util.EventObject", false) {
        @Override
        Object[] state(Object v) {
            return new Object[0];
        }

        @Override
        Object create(Class<?> c, Map<String, Object> s) throws Exception {
            return Runtime.allocate(c);
        }
    };

    /**
     * A JDK {@code Throwable} with no state of its own (Exception, RuntimeException, IOException,
     * IllegalStateException...): message, cause, stack trace (as text: one
     * {@code class\tmethod\tfile\tline} line per element) and suppressed exceptions (an array).
     */
    private static final Type THROWABLE = new Type(THROWABLE_OWNER, false, "message", "cause", "stackTrace", "suppressed") {
        @Override
        Object[] state(Object v) {
            Throwable t = (Throwable) v;
            StringBuilder b = new StringBuilder();
            for (StackTraceElement e : t.getStackTrace()) {
                b.append(e.getClassName()).append('\t').append(e.getMethodName()).append('\t')
                        .append(e.getFileName() == null ? "" : e.getFileName()).append('\t').append(e.getLineNumber()).append('\n');
            }
            Throwable[] sup = t.getSuppressed();
            return new Object[] {t.getMessage(), t.getCause(), b.toString(), sup.length == 0 ? null : sup};
        }

        @Override
        Object create(Class<?> c, Map<String, Object> s) throws Exception {
            String msg = (String) s.get("message");
            Object cause = s.get("cause");
            Throwable t = null;
            Constructor<?> withCause = causeCtor(c, cause);
            if (withCause != null) {
                t = (Throwable) withCause.newInstance(msg, cause);
            }
            if (t == null) {
                Constructor<?> k = ctor(c, String.class);
                if (k != null && (msg != null || ctor(c) == null)) {
                    t = (Throwable) k.newInstance(msg);
                } else if (ctor(c) != null) {
                    t = (Throwable) c.getConstructor().newInstance();
                } else {
                    throw new IllegalStateException("no public (String) or () constructor");
                }
            }
            apply(t, s);
            return t;
        }

        @Override
        void apply(Object v, Map<String, Object> s) {
            Throwable t = (Throwable) v;
            Object cause = s.get("cause");
            if (cause instanceof Throwable && t.getCause() == null) {
                try {
                    t.initCause((Throwable) cause);
                } catch (IllegalStateException | IllegalArgumentException e) {
                    // its cause was fixed by its constructor: kept
                }
            }
            t.setStackTrace(parseStack((String) s.get("stackTrace")));
            addSuppressed(t, s.get("suppressed"));
        }

        @Override
        String refusal(Object v) {
            Class<?> c = v.getClass();
            if (ctor(c, String.class) == null && ctor(c) == null && causeCtor(c, ((Throwable) v).getCause()) == null) {
                return "it has no public (String), () or (String, cause) constructor to re-create it with";
            }
            return null;
        }
    };

    /** A public {@code (String, T)} constructor of {@code c} that takes {@code cause} as its T, or null. */
    private static Constructor<?> causeCtor(Class<?> c, Object cause) {
        if (cause == null) {
            return null;
        }
        for (Constructor<?> k : c.getConstructors()) {
            Class<?>[] p = k.getParameterTypes();
            if (p.length == 2 && p[0] == String.class && p[1].isInstance(cause)) {
                return k;
            }
        }
        return null;
    }

    /** The state fields of a Throwable (message, cause, stack trace): an application exception's too. */
    static Type throwableType() {
        return THROWABLE;
    }

    private static volatile Field[] throwableFields;

    /**
     * Opens java.lang to the agent's module (once, at the first application exception this JVM
     * materialises: {@code Instrumentation.redefineModule}, as for java.desktop) and returns
     * Throwable's {@code detailMessage}, {@code cause}, {@code stackTrace} and
     * {@code suppressedExceptions}, accessible.
     */
    private static Field[] throwableFields() {
        Field[] fs = throwableFields;
        if (fs != null) {
            return fs;
        }
        synchronized (BaseValues.class) {
            if (throwableFields == null) {
                java.lang.instrument.Instrumentation i = SharedValues.instrumentation();
                if (i == null) {
                    throw new IllegalStateException("kiln: cannot materialise an application exception: the agent did not start"
                            + " with an Instrumentation to open java.lang");
                }
                Module me = BaseValues.class.getModule();
                i.redefineModule(Object.class.getModule(), java.util.Collections.emptySet(), java.util.Collections.emptyMap(),
                        java.util.Collections.singletonMap("java.lang", java.util.Collections.singleton(me)),
                        java.util.Collections.emptySet(), java.util.Collections.emptyMap());
                try {
                    Field[] f = new Field[5];
                    String[] names = {"detailMessage", "cause", "stackTrace", "suppressedExceptions", "SUPPRESSED_SENTINEL"};
                    for (int k = 0; k < names.length; k++) {
                        f[k] = Throwable.class.getDeclaredField(names[k]);
                        f[k].setAccessible(true);
                    }
                    throwableFields = f;
                } catch (NoSuchFieldException | RuntimeException e) {
                    throw new IllegalStateException("kiln: cannot set the state of an application exception here: " + e, e);
                }
            }
            return throwableFields;
        }
    }

    /**
     * Sets the Throwable state {@code s} (message, cause, stack trace) of application exception
     * {@code t}, made without a constructor by the agent (or refreshed): through Throwable's own
     * fields, since its public setters refuse an object no constructor initialised.
     */
    static void restoreThrowable(Throwable t, Map<String, Object> s) {
        Field[] f = throwableFields();
        try {
            f[0].set(t, s.get("message"));
            Object cause = s.get("cause");
            f[1].set(t, cause instanceof Throwable ? cause : t); // "this": no cause yet, initCause allowed
            String text = (String) s.get("stackTrace");
            f[2].set(t, parseStack(text == null ? "" : text));
            if (f[3].get(t) == null) {
                f[3].set(t, f[4].get(null)); // addSuppressed enabled, as after a constructor
            }
            addSuppressed(t, s.get("suppressed"));
        } catch (IllegalAccessException e) {
            throw new IllegalStateException("kiln: cannot set the state of a " + t.getClass().getName() + ": " + e, e);
        }
    }

    /** Adds the suppressed exceptions of state {@code sup} (a {@code Throwable[]}, or null) that {@code t} lacks. */
    private static void addSuppressed(Throwable t, Object sup) {
        if (!(sup instanceof Throwable[])) {
            return;
        }
        java.util.List<Throwable> have = java.util.Arrays.asList(t.getSuppressed());
        for (Throwable x : (Throwable[]) sup) {
            if (x != null && x != t && !have.contains(x)) {
                t.addSuppressed(x);
            }
        }
    }

    private static StackTraceElement[] parseStack(String text) {
        String[] lines = text.isEmpty() ? new String[0] : text.split("\n");
        StackTraceElement[] st = new StackTraceElement[lines.length];
        for (int i = 0; i < lines.length; i++) {
            String[] p = lines[i].split("\t", -1);
            st[i] = new StackTraceElement(p[0], p[1], p[2].isEmpty() ? null : p[2], Integer.parseInt(p[3]));
        }
        return st;
    }

    private static Constructor<?> ctor(Class<?> c, Class<?>... params) {
        try {
            return c.getConstructor(params);
        } catch (NoSuchMethodException e) {
            return null;
        }
    }

    static {
        add(TIME, "java.util.Date", "java.sql.Date", "java.sql.Time");
        add(TIMESTAMP, "java.sql.Timestamp");
        add(CALENDAR, "java.util.GregorianCalendar");
        add(ZONE, "sun.util.calendar.ZoneInfo");
        add(LOCALE, "java.util.Locale");
        add(BITS, "java.util.BitSet");
        add(BUILDER, "java.lang.StringBuilder", "java.lang.StringBuffer");
        add(UUID_TYPE, "java.util.UUID");
        add(CURRENCY, "java.util.Currency");
        add(FRAME, "java.lang.StackTraceElement");
        add(FILE, "java.io.File");
        add(URL_TYPE, "java.net.URL");
        add(URI_TYPE, "java.net.URI");
        add(INET, "java.net.Inet4Address", "java.net.Inet6Address");
        add(EVENT, "java.util.EventObject");
    }

    /** The state of base value {@code v} by field name. */
    static Map<String, Object> stateMap(Type t, Object v) {
        Object[] s = t.state(v);
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < t.names.length; i++) {
            m.put(t.names[i], s[i]);
        }
        return m;
    }

    /** After a base value was shared or materialised here: its mutators' twins start checking. */
    static void noteShared(Type t) {
        if (t == TIME || t == TIMESTAMP) {
            dates = true;
        } else if (t == CALENDAR) {
            calendars = true;
        } else if (t == BITS) {
            bits = true;
        } else if (t == BUILDER) {
            builders = true;
        }
    }

    /**
     * Before an in-place mutator {@code op} of value {@code r} in instrumented code (the twin
     * calls it once a value of {@code r}'s family was shared here): the object
     * id of a shared {@code r} (0: not shared, the call is the JDK's). A shared one outside any
     * cluster lock throws {@link com.tc.object.tx.UnlockedSharedObjectException} before anything
     * changed.
     */
    public static long before(Object r, String op) {
        if (r == null) {
            return 0;
        }
        long oid = SharedValues.oid(r);
        if (oid != 0 && Runtime.currentTxn() == 0) {
            String type = r.getClass().getName();
            throw new com.tc.object.tx.UnlockedSharedObjectException("kiln: " + type + "." + op + "() on a shared " + type
                    + " (object " + oid + ") by thread \"" + Thread.currentThread().getName() + "\" outside any cluster"
                    + " lock. Change shared values inside synchronized blocks or methods matched by an <autolock>, e.g."
                    + " synchronized (holder) { date.setTime(t); } in a method of <locks><autolock><method-expression>*"
                    + " pkg.Class.*(..)</method-expression><lock-level>write</lock-level></autolock></locks>.");
        }
        return oid;
    }

    /** After the mutator: shared {@code r}'s new state is recorded in the thread's cluster transaction. */
    public static void after(Object r, long oid) {
        if (oid != 0) {
            Runtime.recordValueState(r, oid, type(r.getClass()));
        }
    }
}

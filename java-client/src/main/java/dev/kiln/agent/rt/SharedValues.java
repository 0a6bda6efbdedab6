package dev.kiln.agent.rt;

import java.lang.instrument.Instrumentation;
import java.lang.reflect.Field;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Desktop value types shared as built-in configuration (Terracotta applied it whatever
 * tc-config said): {@code java.awt.Color}, {@code Point}, {@code Dimension}, {@code Rectangle},
 * {@code BasicStroke} and the {@code java.awt.geom} shapes ({@code Point2D}, {@code Line2D},
 * {@code Rectangle2D}, {@code RoundRectangle2D}, {@code Ellipse2D} {@code $Double}/{@code $Float},
 * {@code Path2D} {@code $Double}/{@code $Float}, {@code GeneralPath}).
 *
 * <p>They are JDK classes: the agent cannot give them an oid field, so, as for arrays
 * ({@link SharedArrays}), shared ones are kept in an identity map (object -> oid). Each is a
 * physical cluster object whose state is its instance fields read by reflection (the agent opens
 * {@code java.awt}, {@code java.awt.geom}, {@code javax.swing} and {@code javax.swing.table} of
 * {@code java.desktop} to itself at start, {@link #open}); {@code Color.cs} (the colour space,
 * re-created on demand by {@code getColorSpace}) and the Swing models' {@code listenerList} are
 * transient. Writes by instrumented code to their public fields ({@code p.x = 3}) are barriered
 * as any shared field write, and its calls of their in-place mutators ({@code p.setLocation(..)},
 * {@code path.lineTo(..)}) go through {@link ValueCalls}; non-instrumented code's changes are not
 * seen (docs/agent.md, "Desktop programs"). The java.base value types ({@link BaseValues}: Date,
 * Calendar, BitSet, exceptions...) share this identity map and these hooks, with state fields of
 * their own instead of reflection.
 */
public final class SharedValues {
    private SharedValues() {}

    /** The value classes, by exact name (a subclass such as {@code SystemColor} is not one). */
    static final Set<String> NAMES = new HashSet<>(Arrays.asList(
            "java.awt.Color", "java.awt.Point", "java.awt.Dimension", "java.awt.Rectangle", "java.awt.BasicStroke",
            "java.awt.geom.Point2D$Double", "java.awt.geom.Point2D$Float",
            "java.awt.geom.Line2D$Double", "java.awt.geom.Line2D$Float",
            "java.awt.geom.Rectangle2D$Double", "java.awt.geom.Rectangle2D$Float",
            "java.awt.geom.RoundRectangle2D$Double", "java.awt.geom.RoundRectangle2D$Float",
            "java.awt.geom.Ellipse2D$Double", "java.awt.geom.Ellipse2D$Float",
            "java.awt.geom.Path2D$Double", "java.awt.geom.Path2D$Float", "java.awt.geom.GeneralPath",
            "javax.swing.tree.TreePath")); // immutable: a JTree's paths, held in shared maps

    /** Internal names of the classes whose fields a PUTFIELD of instrumented code is barriered on. */
    private static final Set<String> OWNERS = new HashSet<>();

    static {
        for (String n : NAMES) {
            OWNERS.add(n.replace('.', '/'));
        }
    }

    /** Declaring class -> field names the cluster does not hold for these built-in types. */
    private static final Map<String, Set<String>> TRANSIENT = new HashMap<>();

    static {
        TRANSIENT.put("java.awt.Color", new HashSet<>(Arrays.asList("cs")));
        TRANSIENT.put("java.util.EventObject", new HashSet<>(Arrays.asList("source"))); // as Terracotta: local to each JVM
        TRANSIENT.put("javax.swing.AbstractListModel", new HashSet<>(Arrays.asList("listenerList")));
        TRANSIENT.put("javax.swing.table.AbstractTableModel", new HashSet<>(Arrays.asList("listenerList")));
        TRANSIENT.put("javax.swing.tree.DefaultTreeModel", new HashSet<>(Arrays.asList("listenerList")));
    }

    /** The packages of java.desktop whose non-public state the agent reads and writes. */
    static final String[] OPENED = {"java.awt", "java.awt.geom", "javax.swing", "javax.swing.table", "javax.swing.tree"};

    private static final ClassValue<Boolean> IS_VALUE = new ClassValue<Boolean>() {
        @Override
        protected Boolean computeValue(Class<?> c) {
            return NAMES.contains(c.getName()) || BaseValues.type(c) != null; // awt, or java.base values
        }
    };

    /** Shared value objects -> object id (guarded by itself; strong, as Runtime's oid map). */
    private static final IdentityHashMap<Object, Long> OIDS = new IdentityHashMap<>();
    /** False until the first value object is shared or materialised here. */
    private static volatile boolean any;
    private static volatile String openedWhy = "the agent did not start with an Instrumentation";

    private static volatile Instrumentation inst;
    private static volatile boolean openTried;

    /**
     * Remembers the agent's Instrumentation, to open java.desktop's {@link #OPENED} packages to
     * the agent's module when the first awt value or Swing model needs its private state read or
     * set ({@link #ensureOpen}). Called once at agent start; never throws. Not opened at start:
     * {@code redefineModule} before {@code main} made the JIT compile the application's early
     * {@code HashMap} use worse (agentBench's non-shared HashMap 1.45x against 1.2x without it).
     */
    public static void open(Instrumentation i) {
        inst = i;
    }

    /**
     * Opens java.desktop's {@link #OPENED} packages to the agent's module (once); returns why it
     * could not, or null. Never throws.
     */
    static String ensureOpen() {
        if (openTried) {
            return openedWhy;
        }
        synchronized (SharedValues.class) {
            if (!openTried) {
                openedWhy = doOpen(inst);
                openTried = true;
            }
            return openedWhy;
        }
    }

    /** True for a class of java.desktop (whose state needs {@link #ensureOpen} first). */
    static boolean desktopClass(Class<?> c) {
        Module m = c.getModule();
        return m.isNamed() && "java.desktop".equals(m.getName());
    }

    private static String doOpen(Instrumentation i) {
        if (i == null) {
            return "the agent did not start with an Instrumentation";
        }
        try {
            java.util.Optional<Module> desktop = ModuleLayer.boot().findModule("java.desktop");
            if (!desktop.isPresent()) {
                return "this JVM has no java.desktop module";
            }
            Module me = SharedValues.class.getModule();
            Map<String, Set<Module>> opens = new HashMap<>();
            for (String p : OPENED) {
                opens.put(p, java.util.Collections.singleton(me));
            }
            i.redefineModule(desktop.get(), java.util.Collections.emptySet(), java.util.Collections.emptyMap(),
                    opens, java.util.Collections.emptySet(), java.util.Collections.emptyMap());
            return null;
        } catch (RuntimeException | Error e) {
            return "java.desktop could not be opened to the agent: " + e;
        }
    }

    /** The agent's Instrumentation (null: none), for {@link BaseValues}' opening of java.lang. */
    static Instrumentation instrumentation() {
        return inst;
    }

    /** Why java.desktop is not open to the agent (null: it is): for the errors of the sharing walk. */
    static String notOpened() {
        return ensureOpen();
    }

    /** True for an object of one of the value classes. */
    static boolean isValue(Object v) {
        return IS_VALUE.get(v.getClass());
    }

    /** True for a cluster class name of a value class. */
    static boolean isValueClass(String name) {
        return NAMES.contains(name);
    }

    /** True when a PUTFIELD on {@code internalOwner}'s field is to be barriered (a value class). */
    public static boolean barrieredOwner(String internalOwner) {
        return OWNERS.contains(internalOwner);
    }

    /** True for a field of these built-in types the cluster does not hold ({@code Color.cs}, {@code listenerList}). */
    static boolean transientField(Field f) {
        Set<String> s = TRANSIENT.get(f.getDeclaringClass().getName());
        return s != null && s.contains(f.getName());
    }

    /** The object id of shared value {@code v}, 0 when it is not shared. */
    static long oid(Object v) {
        if (!any) {
            return 0;
        }
        synchronized (OIDS) {
            Long l = OIDS.get(v);
            return l == null ? 0 : l;
        }
    }

    static void bind(Object v, long oid) {
        synchronized (OIDS) {
            OIDS.put(v, oid);
            any = true;
        }
        BaseValues.Type t = BaseValues.type(v.getClass());
        if (t != null) {
            BaseValues.noteShared(t); // its mutators' twins start checking
        }
    }

    static void unbind(Object v) {
        synchronized (OIDS) {
            OIDS.remove(v);
        }
    }

    /** Sets the object id of a shared or materialised object: its oid field, or this identity map. */
    static void setOid(Object o, long oid) {
        if (o instanceof Managed) {
            ((Managed) o).$kiln$oid(oid);
        } else if (isValue(o)) {
            bind(o, oid);
        } else {
            throw new IllegalStateException("kiln: cannot materialise object " + oid + " as a " + o.getClass().getName()
                    + " in this JVM: the class is neither instrumented here (an <include> of its tc-config must match"
                    + " it, as in the JVM that shared it) nor a built-in portable type");
        }
    }

    /**
     * After a barriered PUTFIELD on a value object (not {@link Managed}): the shared one's change
     * is recorded like any field write. Cheap while no value object was shared here.
     */
    static long barrierOid(Object obj) {
        return any && obj != null && isValue(obj) ? oid(obj) : 0;
    }

    /**
     * After an in-place mutator of value {@code r} ({@code setLocation}, {@code lineTo}...) ran in
     * an instrumented class ({@link ValueCalls}): a shared value's fields are recorded again in
     * the thread's cluster transaction (or {@code UnlockedSharedObjectException}, outside a
     * lock). A primitive array field the JDK method may have changed in place (a path's
     * coordinates) is replaced by a copy, shared as a new array (its old one is no longer
     * referenced). Returns at once while no value was shared in this JVM.
     */
    public static void changed(Object r) {
        long oid = barrierOid(r);
        if (oid == 0) {
            return;
        }
        try {
            for (Field f : Runtime.sharedFields(r.getClass())) {
                Class<?> t = f.getType();
                if (t.isArray() && t.getComponentType().isPrimitive() && t != byte[].class) {
                    Object a = f.get(r);
                    if (a != null && SharedArrays.oid(a) != 0) {
                        int n = java.lang.reflect.Array.getLength(a);
                        Object copy = java.lang.reflect.Array.newInstance(t.getComponentType(), n);
                        System.arraycopy(a, 0, copy, 0, n);
                        f.set(r, copy);
                    }
                }
                Runtime.afterPut(r, f.getDeclaringClass().getName(), f.getName());
            }
        } catch (IllegalAccessException e) {
            throw new IllegalStateException("kiln: cannot read the fields of a shared " + r.getClass().getName()
                    + " (" + notOpened() + ")", e);
        }
    }

    /**
     * A Java object materialised by the agent (no constructor ran) whose transient state must be
     * re-created, as its constructor would have: the Kiln Swing models' listener lists.
     */
    public interface Reloaded {
        /** Called once its fields are set, before the program can see it. */
        void $kiln$loaded();
    }

    /**
     * A Kiln subclass of a JDK class of an {@link #OPENED} package ({@code KilnDefaultTableModel},
     * {@code KilnDefaultListModel}, {@code KilnDefaultTreeModel}, {@code KilnDefaultMutableTreeNode}), shared as a physical object: its JDK superclass's fields are
     * reachable (opened), so the sharing walk does not refuse it as it refuses other subclasses of
     * JDK classes with state.
     */
    public interface Model extends Managed, Reloaded {}

    /** After {@code Runtime.materialise} filled {@code o}. */
    static void loaded(Object o) {
        if (o instanceof Reloaded) {
            ((Reloaded) o).$kiln$loaded();
        }
    }
}

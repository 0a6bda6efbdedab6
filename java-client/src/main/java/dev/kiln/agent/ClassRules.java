package dev.kiln.agent;

import dev.kiln.codec.ValueCodec;
import dev.kiln.internal.Native;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The {@code <application><dso>} rules of the configuration, as the native parser compiled them
 * (one parser and one matcher, in Rust: config/src/aw.rs). Matching a class or method is one JNI
 * call, made once per loaded class and method; class answers are cached.
 */
final class ClassRules {
    /** What {@code <instrumented-classes>} says about one class. */
    static final class ClassInfo {
        final boolean honorTransient;
        final String onLoad;
        final boolean onLoadExecute;
        final List<String> transientFields;

        ClassInfo(boolean honorTransient, String onLoad, boolean onLoadExecute, List<String> transientFields) {
            this.honorTransient = honorTransient;
            this.onLoad = onLoad;
            this.onLoadExecute = onLoadExecute;
            this.transientFields = transientFields;
        }
    }

    /** What {@code <locks>} and {@code <distributed-methods>} say about one method. */
    static final class MethodInfo {
        final int autolockLevel;
        final boolean autoSynchronized;
        final String autolockExpression;
        final String namedLock;
        final int namedLevel;
        final int dmi;

        MethodInfo(int autolockLevel, boolean autoSynchronized, String autolockExpression, String namedLock,
                   int namedLevel, int dmi) {
            this.autolockLevel = autolockLevel;
            this.autoSynchronized = autoSynchronized;
            this.autolockExpression = autolockExpression;
            this.namedLock = namedLock;
            this.namedLevel = namedLevel;
            this.dmi = dmi;
        }
    }

    /** A configured root. */
    static final class Root {
        final String className;
        final String field;
        final String name;

        Root(String className, String field, String name) {
            this.className = className;
            this.field = field;
            this.name = name;
        }
    }

    private static final ClassInfo NOT_INSTRUMENTED = new ClassInfo(false, null, false, Collections.emptyList());

    private final long handle;
    private final ConcurrentHashMap<String, ClassInfo> classes = new ConcurrentHashMap<>();
    final List<Root> roots;

    private ClassRules(long handle) {
        this.handle = handle;
        List<Object> r = ValueCodec.decodeAll(Native.agentRoots(handle));
        List<Root> roots = new ArrayList<>();
        for (int i = 0; i + 2 < r.size(); i += 3) {
            roots.add(new Root((String) r.get(i), (String) r.get(i + 1), (String) r.get(i + 2)));
        }
        this.roots = Collections.unmodifiableList(roots);
        List<Object> counts = ValueCodec.decodeAll(Native.agentCounts(handle));
        this.includes = (Integer) counts.get(0);
        this.locks = (Integer) counts.get(1);
    }

    private int includes;
    private int locks;

    /** True when the configuration says anything for the agent to instrument. */
    boolean hasRules() {
        return includes > 0 || !roots.isEmpty();
    }

    /** Counts for the agent's start line. */
    String summary() {
        return includes + " instrumented-class rule(s), " + roots.size() + " root(s), " + locks + " lock/DMI rule(s)";
    }

    /** Parses the configuration file (throws dev.kiln.ConfigException with file:line:column). */
    static ClassRules load(String path) {
        return new ClassRules(Native.agentConfig(path));
    }

    /** The rules for {@code className} (dotted), or null when no include matches (or an exclude wins). */
    ClassInfo classInfo(String className) {
        ClassInfo c = classes.get(className);
        if (c == null) {
            byte[] b = Native.agentClass(handle, className);
            if (b == null) {
                c = NOT_INSTRUMENTED;
            } else {
                List<Object> v = ValueCodec.decodeAll(b);
                List<String> tf = new ArrayList<>();
                for (int i = 3; i < v.size(); i++) {
                    tf.add((String) v.get(i));
                }
                c = new ClassInfo((Boolean) v.get(0), (String) v.get(1), (Boolean) v.get(2), tf);
            }
            classes.putIfAbsent(className, c);
        }
        return c == NOT_INSTRUMENTED ? null : c;
    }

    boolean instrumented(String className) {
        return classInfo(className) != null;
    }

    /** The lock / DMI rules for a method, or null if none matches. */
    MethodInfo methodInfo(String className, String name, String desc, int access) {
        byte[] b = Native.agentMethod(handle, className, name, desc, access);
        if (b == null) {
            return null;
        }
        List<Object> v = ValueCodec.decodeAll(b);
        return new MethodInfo((Integer) v.get(0), (Boolean) v.get(1), (String) v.get(2), (String) v.get(3),
                (Integer) v.get(4), (Integer) v.get(5));
    }
}

package dev.kiln.agent;

import java.lang.instrument.Instrumentation;
import java.util.ArrayList;
import java.util.List;

/**
 * Gives the application the JDK collections' JIT profiles as a JVM without the agent has them.
 *
 * <p>HotSpot compiles a method from the profile its earlier calls left: the receiver types seen at
 * each virtual call ({@code key.hashCode()}, {@code key.equals(k)} in {@code HashMap}) and the
 * branches taken. The agent's start (reading tc-config.xml, building its rule tables, the
 * transformer's work on every class loaded) runs the JDK collections thousands of times with its
 * own key types, so the application's first hot loop over a {@code HashMap<Integer, ..>} was
 * compiled for a mix it never uses: 1.2–1.4× the cost of the same loop in a JVM without the agent
 * (docs/benchmarks.md). Any {@code -javaagent}, even an empty one, does the same (the JDK parses
 * the agent jar's manifest into a map).
 *
 * <p>At the end of {@code premain} (never on a late attach, where the profiles are the
 * application's own) the collection classes below are retransformed unchanged: HotSpot replaces
 * their methods with fresh copies, so profiling starts again from nothing when the application
 * runs. No transformer of the agent takes part (they are registered without retransformation),
 * the classes' bytes and state are the JDK's, and nothing compiled was worth keeping yet. Costs a
 * few milliseconds once; {@code -Dkiln.jit.resetProfiles=false} turns it off.
 */
final class JitProfiles {
    /** The system property that turns the reset off ({@code false}). */
    static final String PROPERTY = "kiln.jit.resetProfiles";

    /** The java.util collections the agent's start uses most, and that applications use most. */
    private static final String[] CLASSES = {
        "java.util.HashMap", "java.util.LinkedHashMap", "java.util.HashSet", "java.util.LinkedHashSet",
        "java.util.ArrayList", "java.util.ArrayDeque", "java.util.TreeMap", "java.util.TreeSet",
        "java.util.IdentityHashMap", "java.util.AbstractMap", "java.util.AbstractCollection",
        "java.util.AbstractList",
    };

    private JitProfiles() {}

    /** Retransforms {@link #CLASSES} unchanged; returns how many were reset. Never throws. */
    static int reset(Instrumentation inst) {
        if ("false".equals(System.getProperty(PROPERTY)) || !inst.isRetransformClassesSupported()) {
            return 0;
        }
        List<Class<?>> classes = new ArrayList<>(CLASSES.length);
        for (String n : CLASSES) {
            try {
                Class<?> c = Class.forName(n, false, null);
                if (inst.isModifiableClass(c)) {
                    classes.add(c);
                }
            } catch (Throwable t) {
                // not in this JDK: nothing to reset
            }
        }
        try {
            inst.retransformClasses(classes.toArray(new Class<?>[0]));
            return classes.size();
        } catch (Throwable t) {
            KilnAgentLog.report("kiln: could not reset the JDK collections' JIT profiles (" + t
                    + "); the application runs as it would without the reset");
            return 0;
        }
    }
}

package dev.kiln.agent.rt;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * {@code <instrumented-classes><include><on-load>}: when a shared object is materialised in this
 * JVM (faulted in from the cluster: created by another JVM, or by an earlier run), the
 * {@code <on-load><method>} of its class — a no-argument method of the class or a superclass,
 * any access — is called on it, after its fields are set, so transient state (listeners,
 * timers, caches: {@code <honor-transient>} / {@code <transient-fields>}) can be re-created.
 * The JVM that creates an object runs its constructor instead, not the on-load method. The rule
 * of the most specific class of the object's hierarchy that has one applies.
 *
 * <p>{@code <on-load><execute>} (a BeanShell script in Terracotta) is not supported: the first
 * object of such a class materialised logs a warning, once per class, and loads without it.
 * An on-load method that throws is logged and the object stays loaded. See docs/agent.md.
 */
public final class OnLoad {
    private OnLoad() {}

    /** Class name -> {on-load text, "method" or "execute"}, or null: from the transformer's rules. */
    private static volatile Function<String, String[]> rules = c -> null;
    private static volatile Consumer<String> log = System.err::println;

    /** What to do for objects of one class. */
    private static final class Action {
        final Method method; // null: nothing to call
        final String warning; // said once, at the first object, then null

        Action(Method method, String warning) {
            this.method = method;
            this.warning = warning;
        }
    }

    private static final Action NOTHING = new Action(null, null);
    private static final ConcurrentHashMap<Class<?>, Action> ACTIONS = new ConcurrentHashMap<>();
    private static final java.util.Set<Class<?>> WARNED = ConcurrentHashMap.newKeySet();

    /** Called once by the agent: the configuration's on-load rules and the agent's log. */
    public static void configure(Function<String, String[]> onLoadRules, Consumer<String> agentLog) {
        rules = onLoadRules;
        log = agentLog;
    }

    /** One line of the agent's log (stderr and {@code <clients><logs>}). */
    static void report(String line) {
        log.accept(line);
    }

    /** Called by {@link Runtime#materialise} once the object's fields are set. */
    static void loaded(Object o) {
        Class<?> c = o.getClass();
        Action a = ACTIONS.get(c);
        if (a == null) {
            a = action(c);
            ACTIONS.put(c, a);
        }
        if (a == NOTHING) {
            return;
        }
        if (a.warning != null && WARNED.add(c)) {
            report(a.warning);
        }
        if (a.method != null) {
            try {
                a.method.invoke(o);
            } catch (InvocationTargetException e) {
                report("kiln: <on-load> method " + a.method.getDeclaringClass().getName() + "." + a.method.getName()
                        + "() threw on a " + c.getName() + " loaded here; the object stays loaded: " + e.getCause());
            } catch (IllegalAccessException e) {
                report("kiln: <on-load> method " + a.method + " cannot be called: " + e);
            }
        }
    }

    private static Action action(Class<?> c) {
        for (Class<?> k = c; k != null && k != Object.class; k = k.getSuperclass()) {
            String[] r = rules.apply(k.getName());
            if (r == null || r[0] == null) {
                continue;
            }
            if ("execute".equals(r[1])) {
                return new Action(null, "kiln: WARNING: <on-load><execute> of " + k.getName() + " is unsupported"
                        + " (Terracotta's BeanShell scripts are not run); objects of " + c.getName() + " load"
                        + " without it. Use <on-load><method>name</method> (a no-argument method) instead.");
            }
            String name = r[0].trim();
            for (Class<?> m = k; m != null; m = m.getSuperclass()) {
                try {
                    Method found = m.getDeclaredMethod(name);
                    found.setAccessible(true);
                    return new Action(found, null);
                } catch (NoSuchMethodException e) {
                    // up
                }
            }
            return new Action(null, "kiln: WARNING: <on-load><method>" + name + "</method> of " + k.getName()
                    + ": no method " + name + "() in " + k.getName() + " or its superclasses; objects load without it");
        }
        return NOTHING;
    }
}

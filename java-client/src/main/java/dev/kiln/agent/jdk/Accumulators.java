package dev.kiln.agent.jdk;

import com.tc.exception.TCNonPortableObjectError;

import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;

/**
 * The portable form of a {@code LongAccumulator}/{@code DoubleAccumulator}'s function: another JVM
 * must re-create it, so it travels as a class name in the cluster class name
 * ({@code |function=pkg.Max}) and only a named class with no instance fields and a no-argument
 * constructor qualifies (the comparator rule of {@link Jdk#comparatorSuffix}). A lambda or method
 * reference ({@code Long::max}) has no name another JVM could load, and a function holding state
 * would silently lose it: both are refused at share time. See docs/agent.md.
 */
final class Accumulators {
    private Accumulators() {}

    static final String FN = "|function=";

    /** The class-name suffix naming function {@code f} portably, or TCNonPortableObjectError. */
    static String functionSuffix(Object f, Object owner) {
        Class<?> k = f.getClass();
        boolean named = !k.isSynthetic() && !k.isAnonymousClass() && !k.isLocalClass() && !k.getName().contains("$$Lambda")
                && !k.getName().contains("/");
        boolean stateless = true;
        for (Class<?> x = k; x != null && x != Object.class; x = x.getSuperclass()) {
            for (Field fl : x.getDeclaredFields()) {
                stateless &= Modifier.isStatic(fl.getModifiers()) || fl.isSynthetic(); // the agent's $kiln$oid
            }
        }
        boolean noArg;
        try {
            k.getDeclaredConstructor();
            noArg = true;
        } catch (NoSuchMethodException e) {
            noArg = false;
        }
        if (named && stateless && noArg) {
            return FN + k.getName();
        }
        throw new TCNonPortableObjectError("kiln: a " + Jdk.jdkType(owner) + " whose function is a " + k.getName()
                + " cannot be shared: another JVM must re-create its function. Use an instance of a named class"
                + " implementing " + (owner instanceof java.util.concurrent.atomic.LongAccumulator ? "LongBinaryOperator"
                        : "DoubleBinaryOperator")
                + " with no instance fields and a no-argument constructor (not a lambda or a method reference such as"
                + " Long::max). Nothing of this transaction was shared.");
    }

    /** The function named by cluster class name {@code spec}. */
    static Object function(String spec, ClassLoader loader) throws ReflectiveOperationException {
        int i = spec.indexOf(FN);
        if (i < 0) {
            throw new ClassNotFoundException("kiln: accumulator class name without a function: " + spec);
        }
        String name = spec.substring(i + FN.length());
        int end = name.indexOf('|');
        if (end >= 0) {
            name = name.substring(0, end);
        }
        Constructor<?> ctor = Class.forName(name, true, loader).getDeclaredConstructor();
        ctor.setAccessible(true);
        return ctor.newInstance();
    }
}

package demo.app;

import demo.other.Plain;

/**
 * Prints, for a few classes, whether the Kiln agent instrumented them (the injected object-id
 * field and marker interface), per this directory's tc-config.xml: demo.app..* is included,
 * demo.app.internal.* excluded, demo.other.* not mentioned.
 */
public class Main {
    public static void main(String[] args) {
        Object[] objects = {new Account("ada", 10), new Savings("bob", 20, 3), new demo.app.internal.Cache(),
            new Plain()};
        for (Object o : objects) {
            System.out.println("app: " + o.getClass().getName() + " " + describe(o.getClass()));
        }
        System.out.println("app: " + new Savings("eve", 1, 2));
    }

    static String describe(Class<?> c) {
        boolean managed = false;
        for (Class<?> k = c; k != null; k = k.getSuperclass()) {
            for (Class<?> i : k.getInterfaces()) {
                managed |= i.getName().equals("dev.kiln.agent.rt.Managed");
            }
        }
        String field = "no oid field";
        for (Class<?> k = c; k != null; k = k.getSuperclass()) {
            try {
                k.getDeclaredField("$kiln$oid");
                field = "oid field in " + k.getSimpleName();
                break;
            } catch (NoSuchFieldException e) {
                // look further up
            }
        }
        return (managed ? "instrumented" : "plain") + ", " + field;
    }
}

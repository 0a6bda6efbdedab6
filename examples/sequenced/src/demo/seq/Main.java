package demo.seq;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.Map;

/**
 * Modes: {@code fill} (any JDK), {@code edit} (JDK 21+: putFirst/putLast, addFirst/addLast,
 * reversed() and sequenced*() views, one refused change outside a lock; the same on unshared
 * collections), {@code show} (any JDK).
 */
public class Main {
    static State state = new State();

    public static void main(String[] args) throws Exception {
        State s = state;
        switch (args[0]) {
            case "fill":
                synchronized (s) {
                    for (String k : new String[] {"a", "b", "c"}) {
                        s.map.put(k, k.charAt(0) - 'a' + 1);
                        s.set.add(k);
                        s.list.add(k);
                        s.tree.put(k, k.charAt(0) - 'a' + 1);
                    }
                }
                System.out.println("app: " + s);
                break;
            case "edit":
                System.out.println("app: unlocked " + refused(() -> call(s.set, "addFirst", "x")) + " " + s);
                synchronized (s) {
                    call(s.map, "putFirst", "z", 26);
                    call(s.map, "putFirst", "b", 20);
                    call(s.map, "putLast", "z", 0);
                    call(s.set, "addFirst", "z");
                    call(s.set, "addFirst", "c");
                    call(s.set, "addLast", "z");
                    call(s.set, "removeFirst");
                    ((java.util.List<String>) call(s.list, "reversed")).add("q");
                    call(call(s.list, "reversed"), "removeFirst");
                    call(s.list, "addFirst", "f");
                    call(s.list, "removeLast");
                    System.out.println("app: polled " + call(call(s.tree, "reversed"), "pollFirstEntry"));
                    ((Map<String, Integer>) call(s.tree, "reversed")).put("d", 4);
                    // The reversed and sequenced views of a LinkedHashSet / LinkedHashMap.
                    java.util.Iterator<String> it = ((java.util.Set<String>) call(s.set, "reversed")).iterator();
                    it.next();
                    it.remove();
                    call(call(s.set, "reversed"), "addFirst", "y");
                    Map<String, Integer> rev = call(s.map, "reversed");
                    rev.remove("a");
                    call(rev, "pollFirstEntry");
                    call(rev, "putFirst", "y", 25);
                    call(call(s.map, "sequencedKeySet"), "removeFirst");
                    ((java.util.Set<Map.Entry<String, Integer>>) call(s.map, "sequencedEntrySet")).iterator().next().setValue(30);
                    System.out.println("app: reversed " + call(s.map, "reversed") + " " + call(s.set, "reversed")
                            + " " + call(call(s.map, "sequencedValues"), "reversed"));
                }
                System.out.println("app: " + s);
                // Not shared (a Kiln type allocated here, never linked): the JDK's own methods.
                java.util.LinkedHashSet<String> ls = new java.util.LinkedHashSet<>(java.util.Arrays.asList("a", "b", "c"));
                call(ls, "addFirst", "c");
                call(ls, "addLast", "a");
                java.util.LinkedHashMap<String, Integer> lm = new java.util.LinkedHashMap<>();
                lm.put("a", 1);
                lm.put("b", 2);
                call(lm, "putFirst", "b", 3);
                call(lm, "putLast", "z", 9);
                Object lrev = call(ls, "reversed");
                ((java.util.Set<String>) lrev).remove("b");
                System.out.println("app: local " + ls.getClass().getSimpleName() + ls + " " + lm.getClass().getSimpleName() + lm
                        + " " + lrev.getClass().getSimpleName() + lrev);
                break;
            case "show":
                System.out.println("app: " + s);
                break;
            default:
                throw new IllegalArgumentException(args[0]);
        }
    }

    /** {@code target.name(args)} by reflection (a JDK 21 method: this example compiles with --release 11). */
    @SuppressWarnings("unchecked")
    static <T> T call(Object target, String name, Object... args) {
        for (Class<?> c = target.getClass(); c != null; c = c.getSuperclass()) {
            for (Class<?> i : interfaces(c)) {
                for (Method m : i.getMethods()) {
                    if (m.getName().equals(name) && m.getParameterCount() == args.length) {
                        try {
                            return (T) m.invoke(target, args);
                        } catch (InvocationTargetException e) {
                            throw (RuntimeException) e.getCause();
                        } catch (IllegalAccessException e) {
                            throw new IllegalStateException(e);
                        }
                    }
                }
            }
        }
        throw new IllegalStateException("no " + name + " on " + target.getClass() + " (JDK 21 or later needed)");
    }

    /** The public JDK types to look the method up on (their public methods are accessible). */
    static Class<?>[] interfaces(Class<?> c) {
        java.util.List<Class<?>> out = new java.util.ArrayList<>();
        if (c.getName().startsWith("java.")) {
            out.add(c);
        }
        for (Class<?> i : c.getInterfaces()) {
            if (i.getName().startsWith("java.")) {
                out.add(i);
            }
        }
        return out.toArray(new Class<?>[0]);
    }

    static String refused(Runnable r) {
        try {
            r.run();
            return "accepted";
        } catch (RuntimeException e) {
            return e.getClass().getSimpleName();
        }
    }
}

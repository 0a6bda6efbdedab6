package demo.sub;

import java.util.HashMap;
import java.util.Map;

/**
 * Application classes that extend java.util collections, shared logically as the collections
 * they extend, materialised as the same classes in every JVM. Modes: {@code write} fills them
 * (one JVM); {@code change} sees them in a fresh JVM and changes them; {@code print} prints
 * what a third JVM sees; {@code refused} links a subclass with a field of its own, then an
 * anonymous subclass made in an instance method (it holds its outer object).
 */
public class Main {
    static Registry registry = new Registry();
    static EventLog log = new EventLog();
    static ByName byName = new ByName();
    static Map<String, Integer> defaults = new HashMap<String, Integer>() {
        private static final long serialVersionUID = 1L;

        { // double-brace initialisation: an anonymous subclass of HashMap
            put("timeout", 30);
            put("retries", 3);
        }
    };
    static Object[] holder = new Object[1];

    public static void main(String[] args) {
        switch (args[0]) {
            case "write":
                registry.register("alpha", 1000);
                registry.register("beta", 2000);
                registry.put("GAMMA", 3000);
                log.record("a", "start");
                synchronized (byName) {
                    byName.put("bob", "b");
                    byName.put("Alice", "a");
                    byName.put("carol", "c");
                }
                synchronized (defaults) {
                    defaults.put("port", 9510);
                }
                print();
                break;
            case "change":
                print();
                registry.register("delta", 4000);
                log.record("b", "joined");
                synchronized (byName) {
                    byName.remove("BOB");
                    byName.put("dave", "d");
                }
                synchronized (defaults) {
                    defaults.remove("retries");
                }
                String twice;
                try {
                    registry.register("alpha", 1);
                    twice = "accepted";
                } catch (IllegalStateException e) {
                    twice = e.getMessage();
                }
                System.out.println("app: again: " + twice);
                break;
            case "print":
                print();
                break;
            case "refused":
                try {
                    synchronized (holder) {
                        holder[0] = new Tagged();
                    }
                    System.out.println("app: accepted");
                } catch (RuntimeException | Error e) { // TCNonPortableObjectError is an Error, as in Terracotta
                    System.out.println("app: " + e.getClass().getSimpleName() + ": " + e.getMessage());
                }
                try {
                    new Main().linkInner();
                    System.out.println("app: accepted");
                } catch (RuntimeException | Error e) {
                    System.out.println("app: " + e.getClass().getSimpleName() + ": " + e.getMessage());
                }
                break;
            default:
                throw new IllegalArgumentException(args[0]);
        }
    }

    /** A double-brace map made in an instance method: its anonymous class holds this Main. */
    void linkInner() {
        Map<String, Integer> m = new HashMap<String, Integer>() {
            private static final long serialVersionUID = 1L;

            {
                put("x", 1);
            }
        };
        synchronized (holder) {
            holder[0] = m;
        }
    }

    static void print() {
        System.out.println("app: " + registry.getClass().getSimpleName() + " " + new java.util.TreeMap<>(registry)
                + " total " + registry.total() + "; " + log.getClass().getSimpleName() + " " + log + " last "
                + log.last() + "; " + byName.getClass().getSimpleName() + " " + byName + " get(ALICE) "
                + byName.get("ALICE") + "; defaults " + (defaults.getClass() != HashMap.class) + " "
                + new java.util.TreeMap<>(defaults));
    }
}

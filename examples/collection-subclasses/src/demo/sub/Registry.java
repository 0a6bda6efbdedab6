package demo.sub;

import java.util.HashMap;

/** A registry that is a HashMap (a Java 1.4-era habit): its own methods, no fields of its own. */
public class Registry extends HashMap<String, Integer> {
    private static final long serialVersionUID = 1L;

    public synchronized void register(String name, int port) {
        if (containsKey(name)) {
            throw new IllegalStateException(name + " is registered already");
        }
        super.put(name, port);
    }

    public synchronized int total() {
        int t = 0;
        for (int p : values()) {
            t += p;
        }
        return t;
    }

    @Override
    public synchronized Integer put(String k, Integer v) {
        return super.put(k.toLowerCase(), v); // an override calling super: still shared
    }
}

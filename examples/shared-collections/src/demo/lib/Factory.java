package demo.lib;

import java.util.HashMap;
import java.util.Map;

/** Library code no <include> matches: its HashMap is a plain java.util.HashMap. */
public final class Factory {
    private Factory() {}

    public static Map<String, Integer> counts() {
        Map<String, Integer> m = new HashMap<>();
        m.put("x", 1);
        return m;
    }
}

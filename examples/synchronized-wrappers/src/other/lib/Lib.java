package other.lib;

import java.util.Collections;
import java.util.HashMap;
import java.util.Map;

/** A "library" no <include> matches: its Collections.synchronizedMap is the JDK's own wrapper. */
public final class Lib {
    private Lib() {}

    public static Map<String, String> make() {
        Map<String, String> m = Collections.synchronizedMap(new HashMap<>());
        m.put("lib", "made by the library");
        return m;
    }
}

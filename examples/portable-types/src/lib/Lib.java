package lib;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;

/** A library no &lt;include&gt; matches: its JDK views and wrappers are plain JDK objects. */
public final class Lib {
    private Lib() {}

    public static SortedMap<String, Integer> readOnlyRanks() {
        TreeMap<String, Integer> m = new TreeMap<>();
        m.put("gold", 1);
        m.put("silver", 2);
        return Collections.unmodifiableSortedMap(m);
    }

    public static List<String> checkedTags() {
        List<String> l = Collections.checkedList(new ArrayList<>(), String.class);
        l.add("lib");
        return l;
    }
}

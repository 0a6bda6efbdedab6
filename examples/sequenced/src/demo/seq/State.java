package demo.seq;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.TreeMap;

/** The shared collections. */
public class State {
    final LinkedHashMap<String, Integer> map = new LinkedHashMap<>();
    final LinkedHashSet<String> set = new LinkedHashSet<>();
    final List<String> list = new ArrayList<>();
    final TreeMap<String, Integer> tree = new TreeMap<>();

    @Override
    public String toString() {
        return "map=" + map + " set=" + set + " list=" + list + " tree=" + tree;
    }
}

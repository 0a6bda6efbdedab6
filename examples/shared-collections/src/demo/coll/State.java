package demo.coll;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.Stack;
import java.util.TreeMap;
import java.util.Vector;

/** The shared state: plain JDK collections in a plain object. */
public class State {
    final Key k1 = new Key("one");
    final Key k2 = new Key("two");
    final Map<Color, String> byColor = new HashMap<>();
    final Map<Key, String> byKey = new HashMap<>();
    final TreeMap<String, Integer> sorted = new TreeMap<>(new ByLength());
    final LinkedHashMap<String, Integer> lru = new LinkedHashMap<>(16, 0.75f, true);
    final List<String> list = new ArrayList<>();
    final LinkedList<String> linked = new LinkedList<>();
    final Set<String> tags = new HashSet<>();
    final Vector<String> vec = new Vector<>();
    final Stack<Integer> stack = new Stack<>();
    final ArrayDeque<String> deque = new ArrayDeque<>();
    Map<String, Integer> fromLib;
    List<String> fixed;
    final int[] counts = new int[3];
    final String[] names = new String[2];
    final Object[] refs = {k1, null};
    Object other;
    int phase;
}

package demo.coll;

import com.tc.exception.TCNonPortableObjectError;
import com.tc.object.tx.UnlockedSharedObjectException;

import demo.lib.Factory;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.ListIterator;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Two JVMs share a graph of JDK collections (a static root): "a" builds it with every kind of
 * mutation (enum and identity keys, a comparator TreeMap, an access-ordered LinkedHashMap, list
 * iterators and sub-lists, iterator.remove, entry.setValue, a map from non-instrumented code and
 * an Arrays.asList list), "b" prints what it sees, changes it, and "a" prints it again.
 */
public class Main {
    static State state = new State();

    public static void main(String[] args) throws InterruptedException {
        if (args[0].equals("a")) {
            write();
            System.out.println("app: a " + dump());
            try {
                state.list.add("unlocked");
                System.out.println("app: unlocked add accepted?!");
            } catch (UnlockedSharedObjectException e) {
                System.out.println("app: unlocked add refused: " + e.getMessage());
            }
            try {
                state.counts[0] = 9;
                System.out.println("app: unlocked array store accepted?!");
            } catch (UnlockedSharedObjectException e) {
                System.out.println("app: unlocked array store refused: " + e.getMessage());
            }
            try {
                synchronized (state) {
                    state.other = new TreeMap<String, Integer>((x, y) -> y.compareTo(x));
                }
                System.out.println("app: lambda comparator accepted?!");
            } catch (TCNonPortableObjectError e) {
                System.out.println("app: lambda comparator refused: " + e.getMessage());
            }
            try {
                synchronized (state) {
                    state.other = new java.util.WeakHashMap<String, Integer>(); // not shared yet
                }
                System.out.println("app: WeakHashMap accepted?!");
            } catch (TCNonPortableObjectError e) {
                System.out.println("app: WeakHashMap refused: " + e.getMessage());
            }
            try {
                synchronized (state) {
                    state.other = new Registry();
                }
                System.out.println("app: HashMap subclass accepted?!");
            } catch (TCNonPortableObjectError e) {
                System.out.println("app: HashMap subclass refused: " + e.getMessage());
            }
            synchronized (state) {
                state.phase = 1; // b may go on
            }
            await(2);
            System.out.println("app: a final " + dump() + " other=" + state.other);
        } else {
            await(1);
            System.out.println("app: b " + dump());
            change();
            System.out.println("app: b final " + dump() + " other=" + state.other);
        }
    }

    static void write() {
        State s = state;
        synchronized (s) {
            s.byColor.put(Color.RED, "red");
            s.byColor.put(Color.GREEN, "green");
            s.byColor.put(Color.BLUE, "blue");
            s.byColor.remove(Color.GREEN);
            s.byKey.put(s.k1, "first");
            s.byKey.put(s.k2, "second");
            s.sorted.put("ccc", 3);
            s.sorted.put("a", 1);
            s.sorted.put("bb", 2);
            s.sorted.put("dddd", 4);
            for (Iterator<Map.Entry<String, Integer>> it = s.sorted.entrySet().iterator(); it.hasNext();) {
                Map.Entry<String, Integer> e = it.next();
                if (e.getKey().equals("bb")) {
                    it.remove();
                } else if (e.getKey().equals("a")) {
                    e.setValue(100);
                }
            }
            s.lru.put("x", 1);
            s.lru.put("y", 2);
            s.lru.put("z", 3);
            s.lru.get("x");
            s.list.addAll(Arrays.asList("l0", "l1", "l2", "l3", "l4", "l5"));
            s.list.remove("l0");
            s.list.set(0, "L1");
            s.list.subList(1, 3).clear();
            ListIterator<String> li = s.list.listIterator();
            li.next();
            li.set("first");
            li.add("inserted");
            s.linked.add("p");
            s.linked.addFirst("o");
            s.linked.addLast("q");
            s.linked.removeLast();
            s.linked.push("n");
            s.tags.addAll(Arrays.asList("t1", "t2", "t3"));
            for (Iterator<String> it = s.tags.iterator(); it.hasNext();) {
                if (it.next().equals("t2")) {
                    it.remove();
                }
            }
            s.vec.addElement("v1");
            s.vec.add("v2");
            s.vec.insertElementAt("v0", 0);
            s.vec.removeElement("v1");
            s.stack.push(1);
            s.stack.push(2);
            s.stack.push(3);
            s.stack.pop();
            s.deque.offer("a");
            s.deque.offer("b");
            s.deque.offer("c");
            s.deque.push("z");
            s.deque.pollLast();
            for (Iterator<String> it = s.deque.iterator(); it.hasNext();) {
                if (it.next().equals("a")) {
                    it.remove();
                }
            }
            s.fromLib = Factory.counts();
            s.fromLib.put("y", 2);
            s.fixed = Arrays.asList("f1", "f2");
            s.counts[1] = 5;
            s.names[0] = "n0";
            s.refs[1] = s.k2;
        }
    }

    static void change() {
        State s = state;
        synchronized (s) {
            s.other = "by b"; // with phase below: two changes of one object in one transaction
            s.byColor.put(Color.GREEN, "vert");
            s.byKey.remove(s.k1);
            s.sorted.pollFirstEntry();
            s.lru.get("y");
            s.list.remove(1);
            s.linked.removeFirst();
            s.tags.clear();
            s.tags.add("t9");
            s.fromLib.remove("x");
            s.vec.setElementAt("V2", 1);
            s.stack.push(9);
            s.deque.addLast("e");
            s.deque.pop();
            s.counts[2] = 7;
            s.names[1] = "n1";
            s.refs[0] = null;
            s.phase = 2;
        }
    }

    static void await(int phase) throws InterruptedException {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (System.nanoTime() < deadline) {
            synchronized (state) {
                if (state.phase >= phase) {
                    return;
                }
            }
            Thread.sleep(20);
        }
        throw new IllegalStateException("phase " + phase + " not reached");
    }

    static String dump() {
        State s = state;
        synchronized (s) {
            List<String> colors = new ArrayList<>();
            for (Color c : Color.values()) {
                colors.add(c + ":" + s.byColor.get(c));
            }
            return "byColor=" + colors + " byKey=" + s.byKey.get(s.k1) + "," + s.byKey.get(s.k2) + "," + s.byKey.size()
                    + " sorted=" + s.sorted + " lru=" + s.lru + " list=" + s.list + " linked=" + s.linked
                    + " tags=" + new TreeSet<>(s.tags) + " vec=" + s.vec + " stack=" + s.stack + " deque=" + s.deque + " fromLib=" + new TreeMap<>(s.fromLib) + " fixed=" + s.fixed
                    + " counts=" + Arrays.toString(s.counts) + " names=" + Arrays.toString(s.names)
                    + " refs=" + (s.refs[0] == s.k1) + "," + (s.refs[1] == s.k2);
        }
    }

    /**
     * An application class extending a JDK collection with a field of its own: refused (one
     * without fields is shared as the collection, examples/collection-subclasses).
     */
    static class Registry extends HashMap<String, String> {
        private static final long serialVersionUID = 1L;
        String owner = "a";
    }
}

package demo.nv;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Map;
import java.util.NavigableSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A shared TreeMap and TreeSets changed through their navigable views by several JVMs. Modes:
 * <ul>
 * <li>{@code fill N}: scores k00..k19 (value i), tags 0..49, pool 0..N-1;</li>
 * <li>{@code edit}: one refused view change outside any lock, then headMap().clear(),
 *     tailMap().pollFirstEntry(), setValue through subMap().entrySet(), descendingMap().remove(),
 *     navigableKeySet().headSet().remove(), descendingKeySet().pollFirst(), a put into a subMap
 *     (and one out of its range, refused), a keySet iterator remove and values().removeIf of views;
 *     on the set: subSet().remove(), headSet().clear(), pollFirst of a tailSet and of the
 *     descendingSet, removeIf on a subSet, add into a tailSet (and one out of a headSet's range),
 *     a descending iterator's remove, retainAll on a view of a view;</li>
 * <li>{@code check}: what a fresh JVM sees, then more changes through views;</li>
 * <li>{@code check2}: what a fresh JVM sees after {@code check};</li>
 * <li>{@code take NAME}: polls the pool through one view object made at the start (headSet and
 *     descendingSet in turn) until it is empty, recording each number in {@code taken} with
 *     putIfAbsent (a number polled twice is a duplicate);</li>
 * <li>{@code pool N}: whether every number was taken exactly once.</li>
 * </ul>
 */
public class Main {
    static TreeMap<String, Integer> scores = new TreeMap<>();
    static TreeSet<Integer> tags = new TreeSet<>();
    static TreeSet<Integer> pool = new TreeSet<>();
    static TreeMap<Integer, String> taken = new TreeMap<>();

    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "fill":
                fill(Integer.parseInt(args[1]));
                break;
            case "edit":
                System.out.println("app: " + edit());
                break;
            case "check":
                System.out.println("app: " + check());
                break;
            case "check2":
                System.out.println("app: " + show());
                break;
            case "take":
                take(args[1]);
                break;
            case "pool":
                pool(Integer.parseInt(args[1]));
                break;
            default:
                throw new IllegalArgumentException(args[0]);
        }
    }

    static void fill(int n) {
        synchronized (scores) {
            for (int i = 0; i < 20; i++) {
                scores.put(String.format("k%02d", i), i);
            }
        }
        synchronized (tags) {
            for (int i = 0; i < 50; i++) {
                tags.add(i);
            }
        }
        synchronized (pool) {
            for (int i = 0; i < n; i++) {
                pool.add(i);
            }
        }
        System.out.println("app: filled " + scores.size() + " " + tags.size() + " " + pool.size());
    }

    static String edit() {
        StringBuilder b = new StringBuilder();
        // No synchronized: a change through a view is a change of the shared map, refused.
        b.append("unlocked=").append(refused(() -> scores.headMap("k10").clear())).append(" size=").append(scores.size());
        synchronized (scores) {
            scores.headMap("k05").clear();
            b.append(" polled=").append(scores.tailMap("k15", true).pollFirstEntry());
            for (Map.Entry<String, Integer> e : scores.subMap("k07", "k10").entrySet()) {
                e.setValue(e.getValue() * 100);
            }
            scores.descendingMap().remove("k19");
            scores.navigableKeySet().headSet("k07").remove("k06");
            b.append(" descPoll=").append(scores.descendingKeySet().pollFirst());
            scores.subMap("k10", true, "k14", true).put("k12x", 5);
            b.append(" range=").append(refused(() -> scores.headMap("k05").put("k09", 1)));
            Iterator<String> it = scores.tailMap("k16").keySet().iterator();
            it.next();
            it.remove();
            scores.subMap("k10", "k12").values().removeIf(v -> v == 11);
        }
        synchronized (tags) {
            tags.subSet(10, 20).remove(15);
            tags.headSet(5).clear();
            b.append(" tail=").append(tags.tailSet(45, true).pollFirst());
            b.append(" last=").append(tags.descendingSet().pollFirst());
            tags.subSet(20, true, 30, false).removeIf(x -> x % 2 == 0);
            tags.tailSet(40).add(100);
            b.append(" setRange=").append(refused(() -> tags.headSet(10).add(20)));
            Iterator<Integer> it = tags.descendingSet().iterator();
            it.next();
            it.remove();
            tags.descendingSet().headSet(44).retainAll(new HashSet<>(Arrays.asList(47)));
        }
        return b.append(' ').append(show()).toString();
    }

    static String check() {
        StringBuilder b = new StringBuilder(show());
        b.append(" floor(k13)=").append(scores.floorKey("k13")).append(" head(k09)=").append(scores.headMap("k09"))
                .append(" desc=").append(scores.descendingKeySet()).append(" tags<30=").append(tags.headSet(30));
        synchronized (scores) {
            scores.descendingMap().tailMap("k09", false).clear();
            scores.tailMap("k12x").entrySet().iterator().next().setValue(-1);
        }
        synchronized (tags) {
            b.append(" pollLast<30=").append(tags.headSet(30, false).pollLast());
            tags.descendingSet().subSet(40, 30).clear();
        }
        return b.append(" now ").append(show()).toString();
    }

    static String show() {
        return "scores=" + scores + " tags=" + tags;
    }

    static void take(String name) {
        NavigableSet<Integer> up = pool.headSet(Integer.MAX_VALUE, true);
        NavigableSet<Integer> down = pool.descendingSet();
        int took = 0;
        int dups = 0;
        for (int i = 0;; i++) {
            Integer x;
            synchronized (pool) {
                x = (i % 2 == 0 ? up : down).pollFirst();
            }
            if (x == null) {
                break;
            }
            took++;
            synchronized (taken) {
                if (taken.putIfAbsent(x, name) != null) {
                    dups++;
                }
            }
        }
        System.out.println("app: take " + name + " dups " + dups);
        System.out.println("took " + took);
    }

    static void pool(int n) {
        int missing = 0;
        for (int i = 0; i < n; i++) {
            if (!taken.containsKey(i)) {
                missing++;
            }
        }
        System.out.println("app: taken " + taken.size() + " missing " + missing + " pool " + pool.size());
    }

    static String refused(Runnable r) {
        try {
            r.run();
            return "accepted";
        } catch (RuntimeException e) {
            return e.getClass().getSimpleName() + (e instanceof IllegalArgumentException ? ":" + e.getMessage() : "");
        }
    }
}

package demo.scl;

import java.util.Collections;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ConcurrentSkipListSet;

/**
 * Sorted java.util.concurrent collections shared by several JVMs with no synchronized and no
 * &lt;locks&gt;: a ConcurrentSkipListMap in natural order, one in Collections.reverseOrder(), a
 * ConcurrentSkipListSet sorted by a named comparator ({@link ByLength}), and a pool of numbers that
 * JVMs drain with pollFirst() at the same time. Modes:
 * <ul>
 * <li>{@code fill N}: fills the maps and sets, and the pool with 0..N-1;</li>
 * <li>{@code view}: what a fresh JVM sees: order, comparators, navigation, views (read-only while
 *     shared), then a merge, a pollFirstEntry and a pollLast;</li>
 * <li>{@code take NAME}: pollFirst()s the pool until it is empty, recording each number with
 *     putIfAbsent (a number polled twice is a duplicate), and adds NAME-i to {@code names};</li>
 * <li>{@code check N}: what a fresh JVM sees after the takers.</li>
 * </ul>
 */
public class Main {
    static ConcurrentSkipListMap<String, Integer> prices = new ConcurrentSkipListMap<>();
    static ConcurrentSkipListMap<Integer, String> ranks = new ConcurrentSkipListMap<>(Collections.reverseOrder());
    static ConcurrentSkipListSet<String> words = new ConcurrentSkipListSet<>(new ByLength());
    static ConcurrentSkipListSet<Integer> pool = new ConcurrentSkipListSet<>();
    static ConcurrentHashMap<Integer, String> taken = new ConcurrentHashMap<>();
    static ConcurrentSkipListSet<String> names = new ConcurrentSkipListSet<>();

    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "fill":
                fill(Integer.parseInt(args[1]));
                break;
            case "view":
                view();
                break;
            case "take":
                take(args[1]);
                break;
            case "check":
                check(Integer.parseInt(args[1]));
                break;
            default:
                throw new IllegalArgumentException(args[0]);
        }
    }

    static void fill(int n) {
        prices.put("pear", 4);
        prices.put("apple", 5);
        prices.put("fig", 3);
        prices.putIfAbsent("kiwi", 4);
        prices.putIfAbsent("fig", 99); // present: no change
        for (int i = 1; i <= 5; i++) {
            ranks.put(i, "r" + i);
        }
        words.add("banana");
        words.add("fig");
        words.add("kiwi");
        words.add("apple");
        words.add("date");
        for (int i = 0; i < n; i++) {
            pool.add(i);
        }
        System.out.println("app: filled " + prices + " " + ranks.firstKey() + " " + words + " " + pool.size());
    }

    static void view() {
        StringBuilder b = new StringBuilder("app: ");
        b.append(prices).append(' ').append(prices.firstKey()).append(' ').append(prices.lastKey());
        b.append(" ceiling(b)=").append(prices.ceilingKey("b")).append(" head(kiwi)=").append(prices.headMap("kiwi"));
        b.append(" desc=").append(prices.descendingKeySet());
        b.append(" ranks=").append(ranks).append(" cmp=").append(ranks.comparator() == Collections.reverseOrder());
        b.append(" words=").append(words).append(' ').append(words.comparator().getClass().getName());
        b.append(" floor(cherry)=").append(words.floor("cherry")).append(" tail(date)=").append(words.tailSet("date"));
        try {
            prices.headMap("kiwi").put("aaa", 1);
            b.append(" head-put-allowed");
        } catch (UnsupportedOperationException e) {
            b.append(" head-put-refused");
        }
        try {
            prices.keySet().remove("fig");
            b.append(" keySet-remove-allowed");
        } catch (UnsupportedOperationException e) {
            b.append(" keySet-remove-refused");
        }
        b.append(" merge=").append(prices.merge("fig", 10, Integer::sum));
        Map.Entry<String, Integer> first = prices.pollFirstEntry();
        b.append(" pollFirst=").append(first.getKey()).append('=').append(first.getValue());
        b.append(" pollLast=").append(words.pollLast());
        b.append(" now=").append(prices).append(' ').append(words);
        System.out.println(b);
    }

    static void take(String name) {
        int mine = 0;
        int dups = 0;
        for (Integer i = pool.pollFirst(); i != null; i = pool.pollFirst()) {
            if (taken.putIfAbsent(i, name) != null) {
                dups++;
            }
            mine++;
            if (mine % 10 == 0) {
                names.add(name + "-" + mine);
            }
        }
        System.out.println("app: take " + name + " dups " + dups);
        System.out.println("took " + mine);
    }

    static void check(int n) {
        int missing = 0;
        for (int i = 0; i < n; i++) {
            missing += taken.containsKey(i) ? 0 : 1;
        }
        System.out.println("app: taken " + taken.size() + " missing " + missing + " pool " + pool.size() + " names "
                + names.size() + " prices " + prices + " words " + words
                + " ranks " + ranks.keySet());
    }
}

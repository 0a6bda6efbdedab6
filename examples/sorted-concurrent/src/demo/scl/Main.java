package demo.scl;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.PriorityBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAdder;

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
 *     putIfAbsent (a number polled twice is a duplicate), adds NAME-i to {@code names}, and counts
 *     each poll in the shared adders {@code hits} (LongAdder) and {@code weight} (DoubleAdder, 0.5 each);</li>
 * <li>{@code check N}: what a fresh JVM sees after the takers;</li>
 * <li>{@code serve NAME}: counts itself in {@code waiting}, then take()s from the priority queue
 *     {@code tasks} (highest first: Collections.reverseOrder()) until the sentinel -1, recording each
 *     task with putIfAbsent, and prints whether its takes came out highest first;</li>
 * <li>{@code submit N SERVERS}: waits until SERVERS servers wait in take(), then adds 0..N-1 and one
 *     sentinel per server in one addAll (one transaction: the servers see them all at once);</li>
 * <li>{@code deque} / {@code deque-view}: a LinkedBlockingDeque changed at both ends by one JVM, seen
 *     and changed by a fresh one;</li>
 * <li>{@code give} / {@code get}: a LinkedBlockingDeque(1): {@code get} blocks in takeLast() on the
 *     empty deque, {@code give} putFirst()s twice, its second put blocking until {@code get} took;</li>
 * <li>{@code immutables} / {@code immutables-view}: List.of, Set.of, Map.of, Collections.emptyList,
 *     singletonList and singletonMap put into a shared map by one JVM, read (and refused changes)
 *     by a fresh one.</li>
 * </ul>
 */
@SuppressWarnings("unchecked")
public class Main {
    static ConcurrentSkipListMap<String, Integer> prices = new ConcurrentSkipListMap<>();
    static ConcurrentSkipListMap<Integer, String> ranks = new ConcurrentSkipListMap<>(Collections.reverseOrder());
    static ConcurrentSkipListSet<String> words = new ConcurrentSkipListSet<>(new ByLength());
    static ConcurrentSkipListSet<Integer> pool = new ConcurrentSkipListSet<>();
    static ConcurrentHashMap<Integer, String> taken = new ConcurrentHashMap<>();
    static ConcurrentSkipListSet<String> names = new ConcurrentSkipListSet<>();
    static PriorityBlockingQueue<Integer> tasks = new PriorityBlockingQueue<>(16, Collections.reverseOrder());
    static ConcurrentHashMap<Integer, String> served = new ConcurrentHashMap<>();
    static AtomicInteger waiting = new AtomicInteger();
    static LinkedBlockingDeque<String> line = new LinkedBlockingDeque<>();
    static LinkedBlockingDeque<String> handoff = new LinkedBlockingDeque<>(1);
    static ConcurrentHashMap<String, Object> config = new ConcurrentHashMap<>();
    static LongAdder hits = new LongAdder();
    static DoubleAdder weight = new DoubleAdder();

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
            case "serve":
                serve(args[1]);
                break;
            case "submit":
                submit(Integer.parseInt(args[1]), Integer.parseInt(args[2]));
                break;
            case "deque":
                deque();
                break;
            case "deque-view":
                dequeView();
                break;
            case "give":
                give();
                break;
            case "get":
                get();
                break;
            case "immutables":
                immutables();
                break;
            case "immutables-view":
                immutablesView();
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
            hits.increment();
            weight.add(0.5);
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
                + " ranks " + ranks.keySet() + " hits " + hits.sum() + " weight " + weight.sum());
    }

    static void serve(String name) throws InterruptedException {
        waiting.incrementAndGet();
        List<Integer> mine = new ArrayList<>();
        int dups = 0;
        for (int t = tasks.take(); t != -1; t = tasks.take()) {
            if (served.putIfAbsent(t, name) != null) {
                dups++;
            }
            mine.add(t);
        }
        boolean highestFirst = true;
        for (int i = 1; i < mine.size(); i++) {
            highestFirst &= mine.get(i - 1) > mine.get(i);
        }
        System.out.println("app: serve " + name + " dups " + dups + " highest-first " + highestFirst);
        System.out.println("served " + mine.size());
    }

    static void submit(int n, int servers) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (waiting.get() < servers && System.nanoTime() < end) {
            Thread.sleep(20);
        }
        Thread.sleep(200); // they are blocked in take() on the empty queue by now
        List<Integer> batch = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            batch.add(i);
        }
        for (int i = 0; i < servers; i++) {
            batch.add(-1); // lowest priority: taken after every task
        }
        Collections.shuffle(batch);
        tasks.addAll(batch);
        System.out.println("app: submitted " + n + " waiting " + waiting.get() + " peek " + tasks.peek());
    }

    static void deque() throws InterruptedException {
        line.offerFirst("b");
        line.offerLast("c");
        line.push("a");
        line.addLast("d");
        line.putFirst("z");
        line.offerLast("a");
        String last = line.pollLast();
        line.putLast("e");
        line.addLast("a");
        boolean removed = line.removeLastOccurrence("a");
        System.out.println("app: deque " + line + " last " + last + " removed " + removed);
    }

    static void dequeView() throws InterruptedException {
        StringBuilder b = new StringBuilder("app: ").append(line).append(' ').append(line.peekFirst()).append(' ')
                .append(line.peekLast());
        b.append(" takeLast=").append(line.takeLast()).append(" pop=").append(line.pop());
        b.append(" pollLast(timeout)=").append(line.pollLast(1, TimeUnit.SECONDS));
        java.util.Iterator<String> it = line.descendingIterator();
        b.append(" desc-first=").append(it.next());
        it.remove();
        b.append(" now=").append(line);
        System.out.println(b);
    }

    static void give() throws InterruptedException {
        handoff.putFirst("one");
        handoff.putFirst("two"); // full (capacity 1): blocks until the other JVM takes "one"
        System.out.println("app: gave 2");
    }

    static void get() throws InterruptedException {
        String a = handoff.takeLast(); // blocks: the deque is empty until the other JVM puts
        String b = handoff.takeLast();
        System.out.println("app: got " + a + " " + b + " left " + handoff.size());
    }

    static void immutables() {
        List<String> abc = List.of("a", "b", "c");
        config.put("list", abc);
        config.put("set", Set.of(7));
        config.put("map", Map.of("k", 1, "j", 2));
        config.put("empty", Collections.emptyList());
        config.put("one", Collections.singletonList("x"));
        config.put("entry", Collections.singletonMap("only", List.of(1, 2)));
        config.put("pair", List.of(abc, abc)); // one walk: the same list twice
        System.out.println("app: immutables " + config.size());
    }

    static void immutablesView() {
        StringBuilder b = new StringBuilder("app:");
        List<?> list = (List<?>) config.get("list");
        b.append(' ').append(list).append(' ').append(config.get("set")).append(' ')
                .append(new java.util.TreeMap<>((Map<?, ?>) config.get("map"))).append(' ').append(config.get("empty"))
                .append(' ').append(config.get("one")).append(' ').append(config.get("entry"));
        List<?> pair = (List<?>) config.get("pair");
        b.append(" same=").append(pair.get(0) == pair.get(1)).append(" equal=").append(list.equals(List.of("a", "b", "c")));
        Runnable[] changes = {() -> ((List<String>) list).add("d"), () -> ((Set<Integer>) config.get("set")).remove(7),
            () -> ((Map<String, Integer>) config.get("map")).put("z", 9), () -> ((List<?>) config.get("one")).clear(),
            () -> ((Map<?, ?>) config.get("entry")).clear(), () -> ((List<?>) config.get("pair")).remove(0)};
        int refused = 0;
        for (Runnable c : changes) {
            try {
                c.run();
            } catch (UnsupportedOperationException e) {
                refused++;
            }
        }
        b.append(" refused=").append(refused).append(" after=").append(list).append(' ').append(config.get("one"));
        System.out.println(b);
    }
}

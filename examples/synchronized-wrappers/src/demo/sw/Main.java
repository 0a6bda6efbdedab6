package demo.sw;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Terracotta-era shared collections: Collections.synchronizedMap / synchronizedList roots mutated
 * with no synchronized at all (each operation is atomic across JVMs), read-modify-write and
 * iteration under synchronized (wrapper) (the same cluster lock as the wrapper's own methods), an
 * IdentityHashMap keyed by shared objects, an unmodifiable view of the shared map, and a JDK
 * synchronized wrapper made by a library (shared as a copy). Modes:
 * <ul>
 * <li>{@code contend NAME N JVMS}: waits until JVMS JVMs started, then N rounds of merge/put/add
 *     without a lock, a read-modify-write and an iteration under synchronized (wrapper);</li>
 * <li>{@code check}: what a fresh JVM sees.</li>
 * </ul>
 */
public class Main {
    static Map<String, Integer> counts = Collections.synchronizedMap(new HashMap<>());
    static List<String> events = Collections.synchronizedList(new ArrayList<>());
    static List<Token> tokens = Collections.synchronizedList(new ArrayList<>());
    static Map<Token, String> byIdentity = new IdentityHashMap<>();
    static java.util.SortedMap<String, Integer> ranks = Collections.synchronizedSortedMap(new TreeMap<>());
    static Map<String, Integer> readOnly = Collections.unmodifiableMap(counts);
    static Map<String, String> fromLib = other.lib.Lib.make();
    static AtomicInteger started = new AtomicInteger();

    public static void main(String[] args) throws Exception {
        if (args[0].equals("contend")) {
            contend(args[1], Integer.parseInt(args[2]), Integer.parseInt(args[3]));
        } else {
            check();
        }
    }

    static void contend(String name, int n, int jvms) throws Exception {
        started.incrementAndGet();
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (started.get() < jvms && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        Token mine = new Token(name);
        tokens.add(mine); // shares the token
        synchronized (byIdentity) {
            byIdentity.put(mine, name);
        }
        fromLib.put(name, "by " + name); // the library's wrapper, now a shared Kiln one: no lock needed
        int inconsistent = 0;
        for (int i = 0; i < n; i++) {
            counts.merge("hits", 1, Integer::sum); // atomic across JVMs, no user lock
            counts.put(name + "-" + i, i);
            events.add(name + ":" + i);
            ranks.merge(name, 1, Integer::sum);
            synchronized (counts) { // read-modify-write: the wrapper's own lock excludes every JVM's operations
                Integer v = counts.get("rmw");
                counts.put("rmw", v == null ? 1 : v + 1);
            }
            if (i % 10 == 0) {
                synchronized (events) { // iteration under the wrapper's lock, as the JDK asks
                    int seen = 0;
                    for (String e : events) {
                        seen += e == null ? 0 : 1;
                    }
                    inconsistent += seen == events.size() ? 0 : 1;
                }
            }
        }
        String refused;
        try {
            readOnly.put("x", 1);
            refused = "accepted?!";
        } catch (UnsupportedOperationException e) {
            refused = "refused";
        }
        System.out.println("app: contend " + name + " inconsistent " + inconsistent + " readOnly.put " + refused);
    }

    static void check() {
        StringBuilder b = new StringBuilder("app:");
        b.append(" hits ").append(counts.get("hits")).append(" rmw ").append(counts.get("rmw"));
        b.append(" keys ").append(counts.size()).append(" events ").append(events.size());
        int distinct;
        synchronized (events) {
            distinct = new java.util.HashSet<>(events).size();
        }
        b.append(" distinct ").append(distinct);
        int found = 0;
        int byCopy = 0;
        synchronized (tokens) {
            for (Token t : tokens) {
                found += t.name.equals(byIdentity.get(t)) ? 1 : 0; // one object per oid: identity holds across JVMs
                byCopy += byIdentity.get(new Token(t.name)) == null ? 0 : 1; // equal, another object: not a key
            }
        }
        b.append(" tokens ").append(tokens.size()).append(" identity ").append(byIdentity.size()).append(" found ")
                .append(found).append(" byCopy ").append(byCopy);
        b.append(" readOnly ").append(readOnly.size() == counts.size() ? "same" : "differs");
        String refused;
        try {
            readOnly.remove("hits");
            refused = "accepted?!";
        } catch (UnsupportedOperationException e) {
            refused = "refused";
        }
        b.append(" remove ").append(refused);
        b.append(" ranks ").append(ranks).append(" first ").append(ranks.firstKey())
                .append(" head ").append(ranks.headMap("b"));
        b.append(" fromLib ").append(new TreeMap<>(fromLib));
        b.append(" types ").append(counts.getClass().getSimpleName()).append(',').append(fromLib.getClass().getSimpleName())
                .append(',').append(byIdentity.getClass().getSimpleName());
        System.out.println(b);
    }
}

package demo.map;

import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * A plain program sharing a HashMap (a static root) between JVMs, Terracotta style: every JVM
 * puts its entries and removes one inside {@code synchronized (map)} (a cluster lock, per the
 * <autolock> in tc-config.xml), counts itself in, waits until every JVM did, and prints the
 * map's content, which is the same on every JVM.
 *
 * <p>Arguments: NAME ENTRIES JVMS.
 */
public class Main {
    static Map<String, Object> map = new HashMap<>();

    public static void main(String[] args) throws InterruptedException {
        String me = args[0];
        int n = Integer.parseInt(args[1]);
        int jvms = Integer.parseInt(args[2]);
        for (int i = 0; i < n; i++) {
            synchronized (map) {
                map.put(me + "-" + i, i * i);
            }
        }
        synchronized (map) {
            map.remove(me + "-0");
            map.put(me + "-last", new Visit(me, n));
            map.merge("joined", 1, (a, b) -> (Integer) a + (Integer) b);
        }
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (true) {
            Object joined;
            synchronized (map) {
                joined = map.get("joined");
            }
            if (Integer.valueOf(jvms).equals(joined) || System.nanoTime() > deadline) {
                break;
            }
            Thread.sleep(20);
        }
        String content;
        synchronized (map) {
            content = new TreeMap<>(map).toString();
        }
        System.out.println("app: " + me + " sees " + map.size() + " entries: " + content);
    }

    /** A plain object stored as a map value (shared by reference, printed by value). */
    static class Visit {
        final String by;
        final int count;

        Visit(String by, int count) {
            this.by = by;
            this.count = count;
        }

        @Override
        public String toString() {
            return "Visit(" + by + "," + count + ")";
        }
    }
}

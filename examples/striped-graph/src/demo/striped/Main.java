package demo.striped;

import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * A plain program over a cluster of two mirror groups (stripes): the roots {@code left} and
 * {@code right} hash to different stripes (FNV-1a-64 of their names), so each map, and what is
 * created under its lock, lives on its own stripe; a value in {@code right} refers to an object of
 * {@code left}'s stripe. {@code NAME fill JVMS}: puts 20 entries in each map, links one of its
 * items from {@code right}, waits for every JVM, prints both maps. {@code NAME cross}: changes
 * {@code right} inside {@code synchronized (left)}, which needs two-phase commit across the
 * stripes (not implemented yet): the change is refused and nothing of it is stored.
 */
public class Main {
    static Map<String, Object> left = new HashMap<>();
    static Map<String, Object> right = new HashMap<>();

    public static void main(String[] args) throws Exception {
        String me = args[0];
        String cmd = args[1];
        if (cmd.equals("fill")) {
            int jvms = Integer.parseInt(args[2]);
            Item linked = null;
            for (int i = 0; i < 20; i++) {
                Item it = new Item(me, i);
                synchronized (left) {
                    left.put(me + "-" + i, it);
                }
                synchronized (right) {
                    right.put(me + "-" + i, i * i);
                }
                if (i == 3) {
                    linked = it;
                }
            }
            synchronized (right) {
                right.put(me + "-link", linked); // a reference to an object of the other stripe
            }
            synchronized (left) {
                left.merge("joined", 1, (a, b) -> (Integer) a + (Integer) b);
            }
            while (true) {
                synchronized (left) {
                    if ((Integer) left.get("joined") >= jvms) {
                        break;
                    }
                }
                Thread.sleep(50);
            }
            Map<String, Object> l;
            Map<String, Object> r;
            synchronized (left) {
                l = new TreeMap<>(left);
            }
            synchronized (right) {
                r = new TreeMap<>(right);
            }
            Object link = r.get(me + "-link");
            System.out.println("app: " + me + " left " + l.size() + " right " + r.size() + " link " + link
                    + " same " + (link == l.get(me + "-3")));
        } else if (cmd.equals("cross")) {
            try {
                synchronized (left) {
                    right.put("cross", 1);
                }
                System.out.println("app: cross stored?!");
            } catch (RuntimeException e) {
                System.out.println("app: cross refused: " + e.getClass().getName() + ": " + e.getMessage());
            }
            synchronized (right) {
                System.out.println("app: right has cross " + right.containsKey("cross") + ", size " + right.size());
            }
        }
    }
}

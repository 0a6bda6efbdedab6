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
 * both maps inside {@code synchronized (left)}: one transaction over both stripes (two-phase
 * commit). {@code NAME transfer N}: N such transactions moving a unit from left's pool to
 * right's, each followed by a check that the pools still sum to 100 (several JVMs at once);
 * {@code NAME pools} prints both pools. {@code NAME hang N}: a chain of N {@link Node}s built
 * inside {@code synchronized (right)} (a lock of right's stripe) and put into {@code left}: the
 * new objects live on left's stripe, the stripe of the map that links them, not on the lock's.
 * {@code NAME walk OWNER} walks OWNER's chain and prints its length and the sum of its numbers.
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
            // One transaction over both stripes: the lock is left's (its stripe coordinates),
            // right's change is committed with it (two-phase commit).
            synchronized (left) {
                left.put("cross", 1);
                right.put("cross", 1);
            }
            synchronized (right) {
                System.out.println("app: right has cross " + right.containsKey("cross") + ", size " + right.size());
            }
            synchronized (left) {
                System.out.println("app: left has cross " + left.containsKey("cross") + ", size " + left.size());
            }
        } else if (cmd.equals("transfer")) {
            // N transfers of one unit from left's pool to right's, each under left's lock, and
            // after each a read of both pools under the same lock: their sum is always 100.
            int n = Integer.parseInt(args[2]);
            int bad = 0;
            for (int i = 0; i < n; i++) {
                synchronized (left) {
                    int a = (Integer) left.getOrDefault("pool", 100);
                    int b = (Integer) right.getOrDefault("pool", 0);
                    left.put("pool", a - 1);
                    right.put("pool", b + 1);
                }
                synchronized (left) {
                    int a = (Integer) left.getOrDefault("pool", 100);
                    int b = (Integer) right.getOrDefault("pool", 0);
                    if (a + b != 100) {
                        bad++;
                        System.out.println("app: " + me + " saw left " + a + " + right " + b);
                    }
                }
            }
            System.out.println("app: " + me + " transferred " + n + ", sums off " + bad);
        } else if (cmd.equals("hang")) {
            int n = Integer.parseInt(args[2]);
            Node head = null;
            for (int i = n - 1; i >= 0; i--) {
                head = new Node(i, head);
            }
            synchronized (right) {
                right.put("hung-by", me);
                left.put(me + "-chain", head); // the chain is shared here, linked from left
            }
            System.out.println("app: " + me + " hung " + n);
        } else if (cmd.equals("walk")) {
            String owner = args[2];
            int len = 0;
            long sum = 0;
            synchronized (left) {
                for (Node x = (Node) left.get(owner + "-chain"); x != null; x = x.next) {
                    len++;
                    sum += x.n;
                }
            }
            System.out.println("app: " + me + " walked " + len + " sum " + sum);
        } else if (cmd.equals("pools")) {
            synchronized (left) {
                System.out.println("app: pools left " + left.get("pool") + " right " + right.get("pool"));
            }
        }
    }
}

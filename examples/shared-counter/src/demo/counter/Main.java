package demo.counter;

import com.tc.object.tx.UnlockedSharedObjectException;

/**
 * A plain program: several JVMs increment one shared counter (a static root) inside
 * {@code synchronized} blocks, which the <autolock> in tc-config.xml makes cluster locks. Each JVM
 * then waits (reading under the lock) until every JVM's increments are in, prints the total, and
 * shows that a write outside any lock is refused.
 *
 * <p>Arguments: NAME INCREMENTS EXPECTED-TOTAL.
 */
public class Main {
    static Counter counter = new Counter();

    public static void main(String[] args) throws InterruptedException {
        String me = args[0];
        int n = Integer.parseInt(args[1]);
        int total = Integer.parseInt(args[2]);
        for (int i = 0; i < n; i++) {
            synchronized (counter) {
                counter.value++;
                counter.lastBy = me;
            }
        }
        long deadline = System.nanoTime() + 60_000_000_000L;
        int seen;
        while (true) {
            synchronized (counter) {
                seen = counter.value;
            }
            if (seen >= total || System.nanoTime() > deadline) {
                break;
            }
            Thread.sleep(20);
        }
        System.out.println("app: " + me + " saw " + seen);
        try {
            counter.value = -1;
            System.out.println("app: unlocked write accepted?!");
        } catch (UnlockedSharedObjectException e) {
            System.out.println("app: unlocked write refused: " + e.getMessage());
        }
    }
}

package dev.kiln.agent;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import org.junit.Test;

/**
 * examples/sorted-concurrent: ConcurrentSkipListMap/Set shared by several JVMs with no synchronized
 * and no &lt;locks&gt;: sorted order and comparators (natural, Collections.reverseOrder(), a named
 * class) re-created on another JVM, navigation, read-only views while shared, and pollFirst() from
 * two JVMs at once handing every element out exactly once (counted in a shared LongAdder and
 * DoubleAdder, exact across JVMs); a PriorityBlockingQueue taken highest first across JVMs.
 */
public class SortedConcurrentTest extends ExampleTestBase {
    @Override
    protected String exampleName() {
        return "sorted-concurrent";
    }

    @Override
    protected String mainClass() {
        return "demo.scl.Main";
    }

    @Test
    public void sortedOrderComparatorsAndViewsAcrossJvmsAndPollFirstExactlyOnce() throws Exception {
        int n = 200;
        assertEquals("app: filled {apple=5, fig=3, kiwi=4, pear=4} 5 [fig, date, kiwi, apple, banana] " + n,
                runApp("fill", Integer.toString(n)));
        // A fresh JVM materialises them with their comparators: same order, same navigation.
        assertEquals("app: {apple=5, fig=3, kiwi=4, pear=4} apple pear ceiling(b)=fig head(kiwi)={apple=5, fig=3}"
                + " desc=[pear, kiwi, fig, apple] ranks={5=r5, 4=r4, 3=r3, 2=r2, 1=r1} cmp=true"
                + " words=[fig, date, kiwi, apple, banana] demo.scl.ByLength floor(cherry)=banana"
                + " tail(date)=[date, kiwi, apple, banana] head-put-refused keySet-remove-refused merge=13"
                + " pollFirst=apple=5 pollLast=banana now={fig=13, kiwi=4, pear=4} [fig, date, kiwi, apple]",
                runApp("view"));
        Process a = start("take", "a");
        Process b = start("take", "b");
        int names = 0;
        int took = 0;
        for (Process p : new Process[] {a, b}) {
            String out = finish(p);
            String[] lines = out.split("\n");
            assertTrue(out, lines[0].matches("app: take [ab] dups 0"));
            int mine = Integer.parseInt(lines[1].substring("took ".length()));
            took += mine;
            names += mine / 10;
        }
        assertEquals("every pooled number was polled exactly once", n, took);
        // The takers' changes and the viewer's are what a fresh JVM sees.
        assertEquals("app: taken " + n + " missing 0 pool 0 names " + names + " prices {fig=13, kiwi=4, pear=4}"
                + " words [fig, date, kiwi, apple] ranks [5, 4, 3, 2, 1] hits " + n + " weight " + (n / 2.0), runApp("check", Integer.toString(n)));
    }

    @Test
    public void priorityBlockingQueueTakesHighestFirstBlockingAcrossJvms() throws Exception {
        int n = 120;
        Process a = start("serve", "a");
        Process b = start("serve", "b");
        // peek after the addAll: highest first by the reverse-order comparator.
        assertEquals("app: submitted " + n + " waiting 2 peek " + (n - 1), runApp("submit", Integer.toString(n), "2"));
        int served = 0;
        for (Process p : new Process[] {a, b}) {
            String out = finish(p);
            String[] lines = out.split("\n");
            // Each server's takes came out in the queue's order across both JVMs' heaps.
            assertTrue(out, lines[0].matches("app: serve [ab] dups 0 highest-first true"));
            served += Integer.parseInt(lines[1].substring("served ".length()));
        }
        assertEquals("every task was taken exactly once", n, served);
    }

    @Test
    public void linkedBlockingDequeBothEndsAcrossJvmsAndBlockingAtTheTail() throws Exception {
        assertEquals("app: deque [z, a, b, c, d, e] last a removed true", runApp("deque"));
        assertEquals("app: [z, a, b, c, d, e] z e takeLast=e pop=z pollLast(timeout)=d desc-first=c now=[a, b]",
                runApp("deque-view"));
        // get blocks in takeLast() on the empty deque; give's second putFirst blocks on the full one (capacity 1).
        Process get = start("get");
        Process give = start("give");
        assertEquals("app: gave 2", finish(give));
        assertEquals("app: got one two left 0", finish(get));
    }

    @Test
    public void immutableCollectionsAreSharedAndStayImmutableOnAnotherJvm() throws Exception {
        assertEquals("app: immutables 7", runApp("immutables"));
        assertEquals("app: [a, b, c] [7] {j=2, k=1} [] [x] {only=[1, 2]} same=true equal=true refused=6 after=[a, b, c] [x]",
                runApp("immutables-view"));
    }
}

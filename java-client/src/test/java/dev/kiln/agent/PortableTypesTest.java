package dev.kiln.agent;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import org.junit.Test;

/**
 * examples/portable-types: the remaining portable JDK types shared by real JVMs against the debug
 * kiln-server: java.util.PriorityQueue (comparator kept, removals by value, shared elements kept as
 * one object, an unlocked change refused), AtomicIntegerArray/AtomicLongArray/AtomicReferenceArray
 * and LongAccumulator/DoubleAccumulator (exact across two JVMs at once with no user lock, identity
 * in a reference slot, a lambda accumulator refused), the sorted/navigable unmodifiable views and
 * the checked wrappers.
 */
public class PortableTypesTest extends ExampleTestBase {
    @Override
    protected String exampleName() {
        return "portable-types";
    }

    @Override
    protected String mainClass() {
        return "demo.pt.Main";
    }

    @Test
    public void priorityQueueIsSharedWithItsOrderAndElementIdentity() throws Exception {
        assertEquals("app: pq-filled head=b1 size=5 nums=100 peek=99 refused=UnlockedSharedObjectException size=5",
                runApp("pq-fill", "100"));
        assertEquals("app: order=[b1, d2, a3, e4, c5] same=true poll=b1 remove=true removeIf=true now=[f0, e4]"
                + " nums=100 peek=99", runApp("pq-view"));
        assertEquals("app: jobs=[f0, e4] head=f0 d-in-queue=false d=d2", runApp("pq-check"));
    }

    @Test
    public void atomicArraysAndAccumulatorsAreExactAcrossJvms() throws Exception {
        int n = 200;
        assertEquals("app: pool " + n + " max " + Long.MIN_VALUE + " slot d2", runApp("pool", Integer.toString(n)));
        Process a = start("take", "a");
        Process b = start("take", "b");
        int took = 0;
        for (Process p : new Process[] {a, b}) {
            String out = finish(p);
            String[] lines = out.split("\n");
            assertTrue(out, lines[0].matches("app: take [ab] dups 0 highest-first true"));
            took += Integer.parseInt(lines[1].substring("took ".length()));
        }
        assertEquals("every number was polled exactly once", n, took);
        assertEquals("app: taken " + n + " counts [20, 20, 20, 20, 20, 20, 20, 20, 20, 20] totals-exact true max 199"
                + " total 100.0 slot-same true cas true cas-again false counts-cas true acc 1000 reset-was 199 max-now "
                + Long.MIN_VALUE + " lambda-refused TCNonPortableObjectError with-hint refs [d]", runApp("tally", Integer.toString(n)));
        assertEquals("app: counts [20, 20, 20, -1, 2000, 55, 20, 20, 20, 20] slot0 g7 slot1 text slot2 [1, 2, 3]"
                + " KilnArrayList totals 1000 max 42 total 100.0 as-long 42", runApp("tally-view"));
    }

    @Test
    public void sortedUnmodifiableViewsAndCheckedWrappersAreShared() throws Exception {
        assertEquals("app: views wrong-type CCE ro-put UOE q 2 {apple=5, banana=6, cherry=7} [z, y, x] {one=1} [j1] [1, 3]",
                runApp("views"));
        // A fresh JVM: the views navigate the shared TreeMap/TreeSet (comparator kept), refuse every change
        // (views, entries, sub-views included), a checked wrapper refuses a wrong type and records the rest; the two
        // views of one map are views of the same shared map; a library's JDK view and checked list are copied.
        assertEquals("app: {apple=5, banana=6, cherry=7} first=apple ceiling(b)=banana head(c)={apple=5, banana=6}"
                + " desc=[cherry, banana, apple] sorted-is-navigable=false names=[z, y, x] cmp-reverse=true higher(y)=x"
                + " sorted-names-last=x refused: put=UOE pollFirstEntry=UOE entry.setValue=UOE head.put=UOE set.add=UOE"
                + " pollFirst=UOE desc.remove=UOE job-same=true wrong-type=CCE wrong-elem=CCE qpoll=2 qwrong=CCE"
                + " now {apple=5, banana=6, cherry=7, date=8} date 2 [j1, k2] [1, 2] lib KilnUnmodifiableSortedMap{gold=1, silver=2}"
                + " KilnCheckedRandomAccessList[lib] lib-put=UOE lib-wrong=CCE", runApp("views-check"));
        assertEquals("app: {apple=5, banana=6, cherry=7, date=8} [z, y, x] {one=1, two=2} [j1, k2] [1, 2] [lib, kiln] [5]",
                runApp("views-final"));
    }

    @Test
    public void fieldUpdatersOnSharedObjectsAreRecordedUnderTheLock() throws Exception {
        int n = 100;
        assertEquals("app: counter 0", runApp("upd-init"));
        Process a = start("upd", "a", Integer.toString(n));
        Process b = start("upd", "b", Integer.toString(n));
        assertEquals("app: upd a done", finish(a));
        assertEquals("app: upd b done", finish(b));
        // Exact across the JVMs: 2 per iteration each; the last job is one of theirs, the same object.
        String out = runApp("upd-check", Integer.toString(n));
        assertTrue(out, out.matches("app: hits " + (4 * n) + " total " + (4 * n) + " misses " + (2 * n) + " previous null last [ab]" + (n - 1)
                + " same true refused UnlockedSharedObjectException with-hint unchanged true cas true cas-again false"
                + " acc 1000"));
        assertEquals("app: hits 1000 total 7 last n1", runApp("upd-view"));
    }
}

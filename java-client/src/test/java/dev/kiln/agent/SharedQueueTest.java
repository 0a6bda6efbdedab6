package dev.kiln.agent;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import org.junit.Test;

/**
 * examples/shared-queue: java.util.concurrent collections and atomics shared by several JVMs with
 * no synchronized and no &lt;locks&gt; anywhere: their operations lock themselves across JVMs.
 */
public class SharedQueueTest extends ExampleTestBase {
    @Override
    protected String exampleName() {
        return "shared-queue";
    }

    @Override
    protected String mainClass() {
        return "demo.sq.Main";
    }

    @Test
    public void twoWorkersTakeEveryJobExactlyOnceWokenAcrossJvms() throws Exception {
        int n = 150;
        Process w1 = start("worker", "w1");
        Process w2 = start("worker", "w2");
        Process producer = start("producer", Integer.toString(n), "2");
        assertEquals("app: produced " + n + " for 2 workers", finish(producer));
        // Both blocked in take() on an empty queue until the producer JVM's put woke them.
        assertEquals("app: worker w1 did some dups 0 (first take blocked)", finish(w1));
        assertEquals("app: worker w2 did some dups 0 (first take blocked)", finish(w2));
        // A fresh JVM: every job's result once, the counter exact, the queue empty.
        assertEquals("app: results " + n + " missing 0 done " + n + " log " + n + " queue 0 workers [w1, w2] members 2 [w1, w2] tags 10",
                runApp("check", Integer.toString(n)));
    }

    @Test
    public void threeThreadsPerJvmTakeEveryJobExactlyOnce() throws Exception {
        // Several threads of one JVM use the shared queue, map and counter at once (no user lock):
        // one thread's operation must not be undone by another's lock-award refresh.
        int n = 240;
        Process w1 = start("worker", "w1", "3");
        Process w2 = start("worker", "w2", "3");
        Process producer = start("producer", Integer.toString(n), "6");
        assertEquals("app: produced " + n + " for 6 workers", finish(producer));
        assertEquals("app: workers w1 did some dups 0", finish(w1));
        assertEquals("app: workers w2 did some dups 0", finish(w2));
        assertEquals("app: results " + n + " missing 0 done " + n + " log " + n + " queue 0 workers [w1, w2] members 0 [] tags 0",
                runApp("check", Integer.toString(n)));
    }

    @Test
    public void concurrentMapAtomicMethodsAndAtomicsAreExactUnderContention() throws Exception {
        int n = 120;
        Process a = start("contend", "a", Integer.toString(n));
        Process b = start("contend", "b", Integer.toString(n));
        Process c = start("contend", "c", Integer.toString(n));
        int wins = 0;
        int interleaved = 0;
        for (Process p : new Process[] {a, b, c}) {
            String out = finish(p);
            String[] lines = out.split("\n");
            // No ticket (incrementAndGet result) was handed out twice; an unshared AtomicLong is the JDK's.
            assertTrue(out, lines[0].matches("app: contend [abc] wins (some|none) dups 0 local " + n + " replace-stale false"));
            wins += Integer.parseInt(lines[1].substring(lines[1].lastIndexOf(' ') + 1));
            interleaved += lines[2].endsWith("true") ? 1 : 0;
        }
        assertEquals("every putIfAbsent claim was won by exactly one JVM", n, wins);
        assertTrue("the JVMs' increments interleaved (they ran at the same time)", interleaved >= 2);
        assertEquals("app: claims " + n + " tickets " + 3 * n + " done " + 3 * n + " merged " + 3 * n + " computed "
                + 3 * n + " owner-set true", runApp("tally"));
    }

    @Test
    public void timedPollTimesOutAndTakeIsInterruptedAtOnce() throws Exception {
        assertEquals("app: poll null after the timeout", runApp("timed", "400"));
        assertEquals("app: take interrupted promptly", runApp("interrupt"));
    }

    @Test
    public void arrayBlockingQueueKeepsItsCapacityAndPutBlocksAcrossJvms() throws Exception {
        Process fill = start("fill");
        Process drain = start("drain");
        assertEquals("app: drained 1 2 3", finish(drain));
        assertEquals("app: fill true true false capacity 2 put blocked until a take", finish(fill));
    }
}

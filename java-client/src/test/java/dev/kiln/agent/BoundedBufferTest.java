package dev.kiln.agent;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

import org.junit.Test;

/**
 * examples/bounded-buffer: the Condition javadoc's bounded buffer (one ReentrantLock, conditions
 * notFull and notEmpty, a 4-slot array ring) shared by three JVMs — two produce and consume, one
 * only consumes: every item is taken exactly once, each producer's items in the order it put them
 * (FIFO ring), and all finish (a lost wake-up would leave one blocked). And per-condition wait
 * sets: of a lock with two conditions, signal() of one wakes exactly one of its waiters and none
 * of the other condition's, across JVMs.
 */
public class BoundedBufferTest extends ExampleTestBase {
    @Override
    protected String exampleName() {
        return "bounded-buffer";
    }

    @Override
    protected String mainClass() {
        return "demo.bb.Main";
    }

    @Test
    public void boundedBufferAcrossThreeJvmsLosesNoWakeUp() throws Exception {
        int n = 150;
        Process a = start("run", "a", "0", Integer.toString(n), "100");
        Process b = start("run", "b", "1000", Integer.toString(n), "100");
        Process c = start("run", "c", "0", "0", "100");
        TreeSet<Integer> all = new TreeSet<>();
        int total = 0;
        for (Process p : new Process[] {a, b, c}) {
            String out = finish(p);
            String[] lines = out.split("\n");
            assertTrue(out, lines[0].matches("app: [abc] took 100"));
            List<Integer> got = new ArrayList<>();
            for (String v : lines[1].split(",")) {
                got.add(Integer.parseInt(v));
            }
            int lastA = -1;
            int lastB = -1;
            for (int v : got) { // each producer's items come out of the FIFO ring in the order put
                if (v < 1000) {
                    assertTrue(out, v > lastA);
                    lastA = v;
                } else {
                    assertTrue(out, v > lastB);
                    lastB = v;
                }
            }
            all.addAll(got);
            total += got.size();
        }
        assertEquals("no item taken twice", total, all.size());
        TreeSet<Integer> expected = new TreeSet<>();
        for (int i = 0; i < n; i++) {
            expected.add(i);
            expected.add(1000 + i);
        }
        assertEquals(expected, all);
    }

    @Test
    public void signalWakesOneWaiterOfItsConditionOnly() throws Exception {
        Process w = start("wait");
        assertEquals("app: after signal a: a 1 b 0; after signalAll a: a 2 b 0; after signal b: a 2 b 1;", runApp("signal"));
        assertEquals("app: all waiters returned", finish(w));
    }

    /**
     * Timeout and interrupt cancel a waiter's ticket (a later signal skips it and wakes the next
     * waiter: no signal lost to a waiter gone), and a thread's own signal followed by its own await
     * in the same hold wakes the other waiter, not itself (FIFO tickets, as the JDK's queue).
     */
    @Test
    public void cancelledWaitsAreSkippedAndASignallerDoesNotWakeItself() throws Exception {
        Process w = start("tickets");
        assertEquals("app: t3=interrupted t1=timeout t2=signalled t4=signalled self=timeout", runApp("tickets-signal"));
        assertEquals("app: tickets done", finish(w));
    }

    /** The conditions of a ReentrantReadWriteLock's write lock: two JVMs each produce 80 and consume 80 through 3 slots. */
    @Test
    public void readWriteLockConditionsAcrossTwoJvms() throws Exception {
        Process a = start("runrw", "a", "0", "80", "80");
        Process b = start("runrw", "b", "1000", "80", "80");
        TreeSet<Integer> all = new TreeSet<>();
        for (Process p : new Process[] {a, b}) {
            String out = finish(p);
            String[] lines = out.split("\n");
            assertTrue(out, lines[0].matches("app: [ab] took 80 left [0-3]"));
            for (String v : lines[1].split(",")) {
                assertTrue(out, all.add(Integer.parseInt(v)));
            }
        }
        assertEquals(160, all.size());
        assertEquals(Integer.valueOf(0), all.first());
        assertEquals(Integer.valueOf(1079), all.last());
    }
}

package dev.kiln.agent;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.Test;

/**
 * examples/coordination: three JVMs share a CyclicBarrier(3) (with a barrier action), a
 * CountDownLatch(3), a ReentrantLock with a Condition, a Semaphore(2) and a ReentrantReadWriteLock, with no synchronized and no
 * {@code <locks>}: no JVM passes a round before all three entered it, the counter made under the
 * lock is exact, the Condition and the latch release every JVM; then a timed await with a
 * missing party times out, an interrupted await throws InterruptedException at once; what cannot
 * be shared (a lambda barrier action, a library's plain barrier, a read-to-write upgrade) is
 * refused with a clear error, a library's plain latch is shared as a copy.
 */
public class CoordinationTest extends ExampleTestBase {
    private static final int ROUNDS = 4;
    private static final int INCREMENTS = 100;

    @Override
    protected String exampleName() {
        return "coordination";
    }

    @Override
    protected String mainClass() {
        return "demo.coordination.Main";
    }

    @Test
    public void aJvmStoppedWhileItWaitsAtTheBarrierExitsWithoutAKilnStackTrace() throws Exception {
        // Ctrl-C of a party waiting for the other two at the shared CyclicBarrier.
        String err = terminate(start("node", "a", Integer.toString(ROUNDS), Integer.toString(INCREMENTS)), 1500);
        assertFalse(err, err.contains("Exception"));
    }

    @Test
    public void lockInterruptiblyEndsAtOnceOnInterrupt() throws Exception {
        assertEquals("lock-interrupt: interrupted promptly, tryLock while held false, then taken", runApp("lock-interrupt"));
    }

    @Test
    public void aPartyKilledWhileWaitingIsNotCounted() throws Exception {
        // Terracotta's coordination demo after a Ctrl-C or kill -9 of a waiting JVM: the next
        // three JVMs must all meet at the barrier (not two of them tripping it with the dead
        // party counted, and the third waiting for ever).
        Process dead = start("gate", "x");
        awaitOutput(dead, ".out", "x waiting at the gate");
        Thread.sleep(500); // in the cluster wait
        dead.destroyForcibly();
        assertTrue(dead.waitFor(30, java.util.concurrent.TimeUnit.SECONDS));
        Process a = start("gate", "a");
        Process b = start("gate", "b");
        awaitOutput(a, ".out", "a waiting at the gate");
        awaitOutput(b, ".out", "b waiting at the gate");
        Thread.sleep(1500);
        assertTrue("two live parties of three must not pass the gate", a.isAlive() && b.isAlive());
        Process c = start("gate", "c");
        java.util.Set<String> indexes = new java.util.TreeSet<>();
        for (Process p : new Process[] {a, b, c}) {
            String out = finish(p);
            Matcher m = Pattern.compile("passed the gate index (\\d)").matcher(out);
            assertTrue(out, m.find());
            indexes.add(m.group(1));
        }
        assertEquals("[0, 1, 2]", indexes.toString());
    }

    @Test
    public void threeJvmsCoordinateThroughSharedSynchronizers() throws Exception {
        List<Process> ps = new ArrayList<>();
        for (String n : new String[] {"a", "b", "c"}) {
            ps.add(start("node", n, Integer.toString(ROUNDS), Integer.toString(INCREMENTS)));
        }
        List<java.util.Set<String>> indexes = new ArrayList<>();
        for (int r = 0; r < ROUNDS; r++) {
            indexes.add(new java.util.TreeSet<>());
        }
        Pattern passed = Pattern.compile("([abc]) passed (\\d+) saw (\\d+) index (\\d+)");
        for (int i = 0; i < 3; i++) {
            String n = "abc".substring(i, i + 1);
            String out = finish(ps.get(i));
            String[] lines = out.split("\n");
            assertEquals(out, 2 * ROUNDS + 3, lines.length);
            for (int r = 0; r < ROUNDS; r++) {
                assertEquals(out, n + " entered " + r, lines[2 * r]);
                Matcher m = passed.matcher(lines[2 * r + 1]);
                assertTrue(out, m.matches());
                assertEquals(out, Integer.toString(r), m.group(2));
                // Every party had entered round r before this one passed it.
                assertEquals(out, "3", m.group(3));
                indexes.get(r).add(m.group(4));
            }
            // The counter under the ReentrantLock is exact; the barrier action ran once per round.
            assertEquals(out, n + " counter " + 3 * INCREMENTS + " trips " + ROUNDS, lines[2 * ROUNDS]);
            assertEquals(out, n + " latch 0", lines[2 * ROUNDS + 1]);
            // The write lock's counter is exact; the Semaphore(2) never let three nodes in; all permits are back.
            Matcher rw = Pattern.compile(n + " rw " + 3 * INCREMENTS + " max inside ([12]) permits 2").matcher(lines[2 * ROUNDS + 2]);
            assertTrue(out, rw.matches());
        }

        for (int r = 0; r < ROUNDS; r++) { // arrival indexes of a round, as the JDK's: one party each of 2, 1, 0
            assertEquals("round " + r, new java.util.TreeSet<>(java.util.Arrays.asList("0", "1", "2")), indexes.get(r));
        }

        String out = runApp("timeout");
        String[] lines = out.split("\n");
        assertEquals(out, 5, lines.length);
        Matcher t = Pattern.compile("timed await: TimeoutException after (\\d+) ms, broken true").matcher(lines[0]);
        assertTrue(out, t.matches());
        long waited = Long.parseLong(t.group(1));
        assertTrue(out, waited >= 450 && waited < 10_000);
        assertEquals(out, "await of the broken barrier: BrokenBarrierException", lines[1]);
        assertEquals(out, "after reset: broken false, waiting 0", lines[2]);
        Matcher i = Pattern.compile("interrupted await: InterruptedException (\\d+) ms after the interrupt, broken true")
                .matcher(lines[3]);
        assertTrue(out, i.matches());
        assertTrue(out, Long.parseLong(i.group(1)) < 2_000); // at once, not at some poll
        Matcher l = Pattern.compile("latch timed await: true count 0 after (\\d+) ms").matcher(lines[4]);
        assertTrue(out, l.matches());

        out = runApp("refused");
        lines = out.split("\n");
        assertEquals(out, 4, lines.length);
        // A barrier action that cannot exist on another JVM (a lambda) is refused at share time.
        assertTrue(out, lines[0].startsWith("lambda action: com.tc.exception.TCNonPortableObjectError: kiln: "
                + "demo.coordination.Coordinator.extra[3] holds a demo.coordination.Main$$Lambda"));
        assertTrue(out, lines[0].contains("a lambda cannot be re-created on another JVM"));
        assertTrue(out, lines[0].endsWith("Nothing of this transaction was shared."));
        // A plain CyclicBarrier from a library cannot be copied (its action is private to java.base).
        assertTrue(out, lines[1].startsWith("plain barrier: com.tc.exception.TCNonPortableObjectError: kiln: "
                + "demo.coordination.Coordinator.extra holds a java.util.concurrent.CyclicBarrier"));
        assertTrue(out, lines[1].contains("allocate it in an instrumented class"));
        // A plain latch is replaced by its shared copy, count kept; counting down is the cluster's.
        assertEquals(out, "plain latch: dev.kiln.agent.jdk.KilnCountDownLatch count 1", lines[2]);
        assertTrue(out, lines[3].startsWith("upgrade: kiln: thread \"main\" asked for the write lock of a shared"
                + " ReentrantReadWriteLock while holding its read lock"));
    }
}

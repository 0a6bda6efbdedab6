package dev.kiln.agent;

import static org.junit.Assert.assertEquals;

import org.junit.Test;

/**
 * examples/read-lease: the greedy read-lock re-acquire (one JNI crossing, {@code Native.lockFast},
 * whose low result bit says remote changes must be applied) keeps the lock semantics across JVMs
 * (docs/agent.md, "Read-lock fast path").
 */
public class ReadLeaseTest extends ExampleTestBase {
    @Override
    protected String exampleName() {
        return "read-lease";
    }

    @Override
    protected String mainClass() {
        return "demo.lease.Main";
    }

    /**
     * The reader JVM keeps re-acquiring the cell's read lock locally (greedy lease) and holds it
     * for 5 ms at a time from a second thread; the writer JVM writes 40 rounds. A write recalls
     * the lease only once the local readers left (no hold sees the value change under it), and
     * the first re-acquire after a round's write committed sees that round's value (the remote
     * change is applied before the award is used).
     */
    @Test
    public void aRecallWaitsForLocalReadersAndTheNextReacquireSeesTheWrite() throws Exception {
        Process reader = start("reader", "40");
        CometdExampleTest.awaitLine(workDir(), "reader_40", "app: reader created 40 rounds");
        Process writer = start("writer");
        String w = finish(writer);
        String r = finish(reader);
        assertEquals("app: writer wrote 40 rounds", w);
        assertEquals("app: reader created 40 rounds\n"
                + "app: reader: 40 rounds, 0 stale first reads, 0 holds saw a change, holds done, re-acquires done", r);
    }
}

package dev.kiln.agent;

import static org.junit.Assert.assertEquals;

import org.junit.Test;

/**
 * examples/read-concurrent: read-level {@code synchronized} on a shared object takes the cluster
 * read lock and a thread-private monitor, so readers of one JVM run at once; a write-level block
 * excludes them (docs/agent.md, "Concurrent local readers").
 */
public class ConcurrentReadersTest extends ExampleTestBase {
    @Override
    protected String exampleName() {
        return "read-concurrent";
    }

    @Override
    protected String mainClass() {
        return "demo.readers.Main";
    }

    /**
     * Two threads are inside one read-level block (and one read-level synchronized method) of the
     * shared object at the same time (each waits, bounded, for the other inside); a writer of the
     * same JVM is never seen half-done by 2 looping readers and finishes its 200 writes; a write
     * under a read lock, and a write-level block nested in a read-level one, are refused and
     * leave the lock free; a read-level method nested in a write-level block re-enters it; a
     * {@code wait} in a read-level block is woken by a write-level {@code notifyAll}.
     */
    @Test
    public void readersOfOneJvmRunAtOnceAndAWriterExcludesThem() throws Exception {
        assertEquals("app: local: block readers together yes, method readers together yes, "
                + "0 torn reads, writer done, reads done, write under read refused, lock free after it yes, "
                + "upgrade refused, lock free after it yes, read in write ok, wait in read woken",
                runApp("local"));
    }

    /**
     * While 4 threads of one JVM re-acquire the board's read lock in a loop (through the parked
     * read lease: the count of such holds is &gt; 0), another JVM's 100 write-level blocks each
     * finish within 5 s (the recall takes the lease back from the looping readers) and the
     * readers see every write and none half done.
     */
    @Test
    public void aWriterOfAnotherJvmProgressesWhileReadersLoop() throws Exception {
        Process readers = start("readers", "100");
        CometdExampleTest.awaitLine(workDir(), "readers_100", "app: readers ready");
        String w = finish(start("writer", "100"));
        String r = finish(readers);
        assertEquals("app: writer: 100 writes, each within 5 s", w);
        assertEquals("app: readers ready\napp: readers: 0 torn reads, saw all 100 writes, parked lease used", r);
    }
}

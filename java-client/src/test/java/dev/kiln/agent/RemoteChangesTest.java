package dev.kiln.agent;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.Test;

/**
 * examples/remote-changes: remote changes reach the resident objects of a JVM (docs/agent.md,
 * "Applying remote changes").
 */
public class RemoteChangesTest extends ExampleTestBase {
    @Override
    protected String exampleName() {
        return "remote-changes";
    }

    @Override
    protected String mainClass() {
        return "demo.remote.Main";
    }

    /**
     * The race that made CometdExampleTest flaky, made frequent: the holder's first thread keeps
     * changing a shared queue and counter under their own locks while its second thread takes
     * the lock of an unrelated counter again and again, each award bringing the poker JVM's
     * latest change of it. When an award refreshed every resident object from the client's
     * cache, a refresh landing between a local write and its record restored the old value:
     * a consumed item came back (taken twice) and increments were lost. Only what the poker
     * changed may be refreshed: every item once, in order, and the counter exact on both JVMs.
     */
    @Test
    public void changesUnderOneLockSurviveRemoteChangesAppliedAtAnotherLocksAward() throws Exception {
        Process holder = start("holder", "2000");
        CometdExampleTest.awaitLine(workDir(), "holder_2000", "app: holder created 2000 items");
        Process poker = start("poker");
        String h = finish(holder);
        String p = finish(poker);
        assertTrue(h, h.startsWith("app: holder created 2000 items\n"));
        h = h.substring(h.indexOf('\n') + 1);
        Matcher m = Pattern.compile("app: holder consumed 2000 \\(every item once, in order\\), a=(\\d+) after (\\d+)"
                + " increments, 100\\+ remote changes of b").matcher(h);
        assertTrue(h, m.matches());
        assertEquals(h, m.group(2), m.group(1));
        assertEquals("app: poker poked some; sees a=" + m.group(1) + ", 0 item(s) left", p);
    }

    /**
     * A JVM that reads a shared object without any lock sees another JVM's committed change
     * (the kiln-applier thread applies it; no lock award of the reader is involved), within a
     * bounded time.
     */
    @Test
    public void aLockFreeReaderSeesACommittedRemoteChange() throws Exception {
        Process board = start("board");
        CometdExampleTest.awaitLine(workDir(), "board", "app: board created");
        Process reader = start("reader");
        assertEquals("app: reader saw version 1 'hello' without a lock within 5 s", finish(reader));
        assertEquals("app: board created\napp: board wrote version 1", finish(board));
    }
}

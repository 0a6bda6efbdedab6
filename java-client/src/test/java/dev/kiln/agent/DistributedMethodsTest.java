package dev.kiln.agent;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Arrays;

import org.junit.Test;

/**
 * examples/distributed-methods: {@code <distributed-methods>} with run-on-all-nodes true and
 * false, a synchronized DMI, a non-portable argument (refused after the local run, nothing
 * sent), a private DMI with primitive arguments, no re-broadcast of calls nested in a DMI or made
 * while running a remote one, a DMI on a non-shared receiver (local only, said once), and
 * {@code <named-lock>} (two JVMs incrementing a counter with no synchronized, through an instance
 * and a static method under one lock name: exact total; {@code <on-load><method>} on the JVM that
 * faults an object in;
 * {@code <on-load><execute>} warned about once).
 */
public class DistributedMethodsTest extends ExampleTestBase {
    @Override
    protected String exampleName() {
        return "distributed-methods";
    }

    @Override
    protected String mainClass() {
        return "demo.dmi.Main";
    }

    private String err(String tag) throws Exception {
        return new String(Files.readAllBytes(workDir().resolve(tag + ".err")), StandardCharsets.UTF_8);
    }

    @Test
    public void callsGoWhereTheirRuleSaysAndAreNotSentAgain() throws Exception {
        Process host = start("host");
        CometdExampleTest.awaitLine(workDir(), "host", "app: host shared a and b");
        Process guest = start("guest");
        // b.pingResident: b is resident only on the host -> not run on the guest. b.ping: every
        // node (the guest faults b in). a.relay runs on the guest with b by reference; the
        // b.ping it makes there is local. a.secret (private, int + long) reaches the guest.
        // <on-load> ran where each board was faulted in (a at the root read, b for the ping), not
        // on the host, which created them.
        assertEquals("app: guest ran a.loaded b.loaded b.ping(host) a.relay(host,b) b.ping(relay) a.secret(7,1099511627776)",
                finish(guest));
        // The guest's remote runs were not broadcast back: each call ran once here.
        // a.note(new Thread()) ran on the host, then was refused (non-portable argument), not sent.
        assertEquals("app: host shared a and b\n"
                + "app: host note refused: com.tc.exception.TCNonPortableObjectError: kiln: demo.dmi.Board.note argument 0 holds a java.lang.Thread\n"
                + "app: host ran b.pingResident(host) b.ping(host) a.note(Thread) a.relay(host,b) b.ping(relay)"
                + " a.secret(7,1099511627776)", finish(host));
    }

    @Test
    public void aNonSharedReceiverRunsLocallyAndIsReportedOnce() throws Exception {
        assertEquals("app: local ran x.ping(local) x.ping(local)", runApp("local"));
        long lines = Arrays.stream(err("local").split("\n"))
                .filter(l -> l.contains("distributed method demo.dmi.Board.ping(Ljava/lang/String;)V was called on a"
                        + " non-shared demo.dmi.Board: it ran locally only")).count();
        assertEquals(err("local"), 1, lines);
    }

    @Test
    public void aNamedLockMakesUnsynchronizedIncrementsExact() throws Exception {
        Process one = start("counter", "400");
        Process two = start("counter", "400", "b");
        assertEquals("app: counter 800", finish(one));
        assertEquals("app: counter 800", finish(two));
        // One of the two materialised the other's counter: its <on-load><execute> is warned about, once.
        String both = err("counter_400") + err("counter_400_b");
        long warnings = Arrays.stream(both.split("\n"))
                .filter(l -> l.contains("<on-load><execute> of demo.dmi.Counter is unsupported")).count();
        assertEquals(both, 1, warnings);
    }
}

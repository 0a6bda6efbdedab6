package dev.kiln.agent;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.junit.Test;

/**
 * examples/bank: three JVMs make random transfers between plain account objects with nested
 * {@code synchronized} (ordered) and audit the constant total as they go; a fourth JVM is
 * killed with SIGKILL inside a transfer, between the debit and the credit. Every audit, and a
 * final one from a fresh JVM, sees the full total: nothing of the killed transaction is visible
 * and its locks went with it (the others finish).
 */
public class BankTest extends ExampleTestBase {
    @Override
    protected String exampleName() {
        return "bank";
    }

    @Override
    protected String mainClass() {
        return "demo.bank.Main";
    }

    @Test
    public void threeJvmsKeepTheInvariantAndAKilledTransferLeavesNoTrace() throws Exception {
        // The first JVM creates the bank; the hanging one joins it and stops inside a transfer.
        assertEquals("app: audit ok (10000)", runApp("audit"));
        Process hang = start("hang");
        Path out = workDir().resolve("hang.out");
        long deadline = System.currentTimeMillis() + 60_000;
        while (!new String(Files.readAllBytes(out), StandardCharsets.UTF_8).contains("inside a transfer")) {
            assertTrue("the hanging JVM reached the middle of its transfer", System.currentTimeMillis() < deadline);
            assertTrue("the hanging JVM is alive", hang.isAlive());
            Thread.sleep(20);
        }
        Process a = start("transfer", "3000", "1");
        Process b = start("transfer", "3000", "2");
        Process c = start("transfer", "3000", "3");
        Thread.sleep(500);
        hang.destroyForcibly(); // SIGKILL, holding the locks of accounts 0 and 9
        assertTrue(hang.waitFor(10, TimeUnit.SECONDS));
        assertEquals("app: transfers done, audit ok (10000)", finish(a));
        assertEquals("app: transfers done, audit ok (10000)", finish(b));
        assertEquals("app: transfers done, audit ok (10000)", finish(c));
        assertEquals("app: audit ok (10000)", runApp("audit"));
    }
}

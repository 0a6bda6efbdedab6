package dev.kiln.agent;

import static org.junit.Assert.assertEquals;

import org.junit.Test;

/**
 * examples/condition-signal: a shared ReentrantLock with one Condition; two threads of one JVM
 * await it, another JVM signals once — exactly one await returns (a cluster notify of one
 * waiter, as Terracotta's; before, signal() woke every waiter) — then signals all.
 */
public class ConditionSignalTest extends ExampleTestBase {
    @Override
    protected String exampleName() {
        return "condition-signal";
    }

    @Override
    protected String mainClass() {
        return "demo.signal.Main";
    }

    @Test
    public void signalWakesOneWaiterAcrossJvms() throws Exception {
        Process w = start("wait");
        String s = runApp("signal");
        assertEquals("app: after signal, woken 1\napp: after signalAll, woken 2", s);
        assertEquals("app: both waiters returned", finish(w));
    }
}

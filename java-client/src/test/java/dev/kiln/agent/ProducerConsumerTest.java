package dev.kiln.agent;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;

import org.junit.Test;

/**
 * examples/producer-consumer: a consumer JVM blocks in wait() inside a synchronized method of a
 * shared plain object; a producer JVM's synchronized put + notifyAll wakes it across JVMs, once per
 * message, until "done".
 */
public class ProducerConsumerTest extends ExampleTestBase {
    @Override
    protected String exampleName() {
        return "producer-consumer";
    }

    @Override
    protected String mainClass() {
        return "demo.queue.Main";
    }

    @Test
    public void waitAndNotifyAllWorkAcrossJvms() throws Exception {
        // The consumer creates the root (an empty mailbox) and waits; the producer joins it.
        Process consumer = start("consumer");
        Process producer = start("producer", "50");
        assertEquals("app: producer sent 50", finish(producer));
        assertEquals("app: consumer got 50, last m49", finish(consumer));
    }

    @Test
    public void producerAndConsumerThreadsOfOneJvmShareTheMonitor() throws Exception {
        // Both threads synchronize on the shared mailbox: the consumer's cluster wait must release
        // the JVM monitor too, or the producer thread could never enter put().
        assertEquals("app: consumer got 200, last m199", runApp("local", "200"));
    }

    @Test
    public void interruptReachesAClusterWaitAtOnce() throws Exception {
        assertEquals("app: interrupted promptly", runApp("interrupt"));
    }

    @Test
    public void aJvmStoppedWhileItsThreadWaitsInTheClusterExitsWithoutAKilnStackTrace() throws Exception {
        // Ctrl-C of a consumer blocked in take()'s wait(): the agent's shutdown hook closes the
        // client, and the waiting thread stays parked until the JVM halts (no ClosedException
        // printed from the program's thread).
        String err = terminate(start("consumer"), 1500);
        assertFalse(err, err.contains("Exception"));
    }

    @Test
    public void timedClusterWaitReturnsAfterItsTimeout() throws Exception {
        assertEquals("app: poll null after the timeout", runApp("timed", "400"));
    }
}

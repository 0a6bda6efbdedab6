package dev.kiln.agent;

import static org.junit.Assert.assertEquals;

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
}

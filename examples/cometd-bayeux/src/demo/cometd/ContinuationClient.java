package demo.cometd;

/**
 * A bayeux client whose messages wait in a shared queue. Its continuation (the suspended
 * Ajax poll of this node) is transient: re-created by {@link #init}, the {@code <on-load>}
 * method, on every JVM that faults the client in. {@link #deliver} queues a message on any
 * node; {@link #resume} — a distributed method — then wakes the continuation on every node,
 * after the queued message is committed.
 */
public class ContinuationClient {
    private final String id;
    private Message head;
    private Message tail;
    private boolean acked;
    private transient Continuation continuation;
    private transient int resumes;
    private transient String initializedBy;

    public ContinuationClient(String id) {
        this.id = id;
        continuation = new Continuation();
        initializedBy = "constructor";
    }

    /** The {@code <on-load>} method. */
    void init() {
        continuation = new Continuation();
        initializedBy = "on-load";
    }

    public String id() {
        return id;
    }

    public String initializedBy() {
        return initializedBy;
    }

    public synchronized void deliver(String text) {
        Message m = new Message(text);
        if (tail == null) {
            head = m;
        } else {
            tail.next = m;
        }
        tail = m;
        resume();
    }

    /** Distributed: runs here, then on every other JVM once the delivery is committed. */
    public void resume() {
        resumes++; // transient: counts this JVM's runs
        continuation.resume();
    }

    public synchronized String poll() {
        Message m = head;
        if (m == null) {
            return null;
        }
        head = m.next;
        if (head == null) {
            tail = null;
        }
        return m.text;
    }

    /** This node's waiting side: true when resumed within {@code millis}. */
    public boolean suspend(long millis) throws InterruptedException {
        return continuation.suspend(millis);
    }

    public int resumes() {
        return resumes;
    }

    public synchronized void ack() {
        acked = true;
    }

    public synchronized boolean acked() {
        return acked;
    }
}

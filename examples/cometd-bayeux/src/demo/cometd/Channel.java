package demo.cometd;

/** A named channel and its subscribers (a plain linked list). */
public class Channel {
    final String name;
    final Channel next;
    private Subscription subscribers;

    Channel(String name, Channel next) {
        this.name = name;
        this.next = next;
    }

    synchronized void subscribe(ContinuationClient client) {
        subscribers = new Subscription(client, subscribers);
    }

    synchronized ContinuationClient first() {
        return subscribers == null ? null : subscribers.client;
    }

    /** Delivers to every subscriber; the number of clients. */
    synchronized int publish(String message) {
        int n = 0;
        for (Subscription s = subscribers; s != null; s = s.next) {
            s.client.deliver(message);
            n++;
        }
        return n;
    }

    static class Subscription {
        final ContinuationClient client;
        final Subscription next;

        Subscription(ContinuationClient client, Subscription next) {
            this.client = client;
            this.next = next;
        }
    }
}

package demo.cometd;

import java.util.Random;
import java.util.Timer;

/**
 * The root: channels and, through them, their subscribed clients. The timer, the random
 * generator and the node name are transient ({@code <honor-transient>}): not shared (a Timer
 * could not be: it owns a thread), re-created on each JVM — by the constructor where the bayeux
 * is created, by the {@code <on-load>} method {@link #loaded} where it is faulted in.
 */
public class Bayeux {
    private Channel channels;
    private transient Timer timer;
    private transient Random random;
    private transient String node;
    private transient String initializedBy;

    public Bayeux() {
        transients("constructor");
    }

    /** The {@code <on-load>} method: called when another JVM's bayeux is materialised here. */
    void loaded() {
        transients("on-load");
    }

    private void transients(String by) {
        timer = new Timer("bayeux-timer", true);
        random = new Random();
        initializedBy = by;
    }

    /** The servlet's per-node initialisation (transient state only). */
    public synchronized void initialize(String node) {
        this.node = node;
    }

    public String initializedBy() {
        return initializedBy + (timer != null && random != null ? "" : " (transients missing)");
    }

    public String node() {
        return node;
    }

    public synchronized Channel channel(String name) {
        for (Channel c = channels; c != null; c = c.next) {
            if (c.name.equals(name)) {
                return c;
            }
        }
        Channel c = new Channel(name, channels);
        channels = c;
        return c;
    }

    public synchronized void subscribe(String channel, ContinuationClient client) {
        channel(channel).subscribe(client);
    }

    public synchronized int publish(String channel, String message) {
        return channel(channel).publish(message);
    }

    public synchronized ContinuationClient firstSubscriber(String channel) {
        return channel(channel).first();
    }

    /** A client id as the real bayeux makes them (uses the transient generator). */
    public String newClientId(String name) {
        return name + "-" + Integer.toHexString(random.nextInt(1 << 16));
    }
}

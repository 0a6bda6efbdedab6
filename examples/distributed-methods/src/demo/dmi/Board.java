package demo.dmi;

import java.util.ArrayList;
import java.util.List;

/**
 * A shared object with distributed methods. Each JVM logs (in a static list: statics are not
 * shared) what ran here, so the two JVMs' logs show where each call went.
 */
public class Board {
    static final List<String> LOG = new ArrayList<>();

    private final String name;
    private boolean ready;
    private boolean done;

    public Board(String name) {
        this.name = name;
    }

    /** The {@code <on-load>} method: runs where another JVM's board is faulted in. */
    private void loaded() {
        log(name + ".loaded");
    }

    private static void log(String s) {
        synchronized (LOG) {
            LOG.add(s);
        }
    }

    static String log() {
        synchronized (LOG) {
            return String.join(" ", LOG);
        }
    }

    static int logged(String s) {
        synchronized (LOG) {
            int n = 0;
            for (String l : LOG) {
                n += l.equals(s) ? 1 : 0;
            }
            return n;
        }
    }

    /** Distributed to every JVM. */
    public void ping(String from) {
        log(name + ".ping(" + from + ")");
    }

    /** Distributed to the JVMs where this board is resident (run-on-all-nodes="false"). */
    public void pingResident(String from) {
        log(name + ".pingResident(" + from + ")");
    }

    /** Distributed (and synchronized: under the cluster lock of this board on each JVM); calls another distributed method, which is not distributed again. */
    public synchronized void relay(String from, Board other) {
        log(name + ".relay(" + from + "," + other.name + ")");
        other.ping("relay");
    }

    /** Distributed: its argument is shared, or the call is refused after the local run. */
    public void note(Object o) {
        log(name + ".note(" + o.getClass().getSimpleName() + ")");
    }

    /** Not distributed itself: calls the private distributed method. */
    public void poke() {
        secret(7, 1L << 40);
    }

    /** A private distributed method with primitive arguments. */
    private void secret(int i, long l) {
        log(name + ".secret(" + i + "," + l + ")");
    }

    public synchronized void ready() {
        ready = true;
    }

    public synchronized boolean isReady() {
        return ready;
    }

    public synchronized void done() {
        done = true;
    }

    public synchronized boolean isDone() {
        return done;
    }
}

package legacy;

/**
 * A class as a Java 1.4-era library would have it: synchronized methods, a raw collection, no
 * string concatenation through invokedynamic (the test rewrites its class file to version 48,
 * Java 1.4, as old jars are; such class files carry no stack map frames). Shared from tc-config.xml:
 * its synchronized methods are autolocked, {@link #ping} is a distributed method, {@link #named}
 * runs under a named lock.
 */
public class Counter {
    private int count;
    private int extra;
    private java.util.List log = new java.util.ArrayList();

    public synchronized void add(int n) {
        count += n;
        if (log.size() < 8) {
            log.add(new StringBuffer("add ").append(n).toString());
        }
    }

    public synchronized int get() {
        return count;
    }

    public synchronized int extra() {
        return extra;
    }

    public synchronized int logSize() {
        return log.size();
    }

    /** Distributed: runs here, then on every other JVM; the others acknowledge through a root. */
    public void ping(String from) {
        if (!from.equals(Main.self)) {
            System.out.println(new StringBuffer("app: pinged by ").append(from).toString());
            Main.acked = Boolean.TRUE;
        }
    }

    /** Under the named lock legacyNamed (no synchronized): a write needs no monitor. */
    public void named(int n) {
        extra += n;
    }
}

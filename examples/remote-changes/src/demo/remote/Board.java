package demo.remote;

/** A notice board one JVM writes under its lock and another reads without any lock. */
public class Board {
    int version;
    String text = "";
    boolean readerReady;
}

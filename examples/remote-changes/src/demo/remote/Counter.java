package demo.remote;

/** A plain shared counter (its lock is its monitor). */
public class Counter {
    int n;
    boolean stop;
}

package demo.counter;

/** The shared state: a plain class. */
public class Counter {
    int value;
    String lastBy;
}

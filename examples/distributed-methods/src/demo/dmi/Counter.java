package demo.dmi;

/** A counter under the named lock "demo-counter": no synchronized anywhere. */
public class Counter {
    private int count;

    public void increment() {
        count++;
    }

    public int get() {
        return count;
    }
}

package demo.dmi;

/** A counter under the named lock "demo-counter": no synchronized anywhere. */
public class Counter {
    private int count;

    public void increment() {
        count++;
    }

    /** Static, under the same named lock (re-entered when called from a locked method). */
    public static void add(Counter c, int k) {
        c.count += k;
    }

    public int get() {
        return count;
    }
}

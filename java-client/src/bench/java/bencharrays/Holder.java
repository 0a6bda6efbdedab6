package bencharrays;

/** The shared root of ArrayWork: one int[] (a shared array once the root is). */
public class Holder {
    final int[] values = new int[64];
}

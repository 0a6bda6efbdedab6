package benchshared;

/** A plain object: shared when it is the root, private otherwise. */
public class Counter {
    long n;
}

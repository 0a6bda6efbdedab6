package demo.coll;

import java.util.Comparator;

/** A stateless comparator class: a TreeMap sorted by it is re-created with it on every JVM. */
public class ByLength implements Comparator<String> {
    @Override
    public int compare(String a, String b) {
        return a.length() != b.length() ? Integer.compare(a.length(), b.length()) : a.compareTo(b);
    }
}

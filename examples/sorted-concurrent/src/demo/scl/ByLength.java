package demo.scl;

import java.util.Comparator;

/** Shorter words first, then alphabetical: a named, stateless comparator another JVM can re-create. */
public class ByLength implements Comparator<String> {
    @Override
    public int compare(String a, String b) {
        int d = Integer.compare(a.length(), b.length());
        return d != 0 ? d : a.compareTo(b);
    }
}

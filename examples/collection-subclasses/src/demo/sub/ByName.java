package demo.sub;

import java.util.TreeMap;

/** A TreeMap ordered case-insensitively by its constructor. */
public class ByName extends TreeMap<String, String> {
    private static final long serialVersionUID = 1L;

    public ByName() {
        super(String.CASE_INSENSITIVE_ORDER);
    }
}

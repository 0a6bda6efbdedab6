package demo.sub;

import java.util.HashSet;

/** A HashSet with state of its own beside its elements: refused when shared. */
public class Tagged extends HashSet<String> {
    private static final long serialVersionUID = 1L;
    String tag = "t";
}

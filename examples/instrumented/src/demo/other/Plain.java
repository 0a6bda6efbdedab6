package demo.other;

/** Not mentioned by tc-config.xml: stays a plain class. */
public class Plain {
    int n;
}

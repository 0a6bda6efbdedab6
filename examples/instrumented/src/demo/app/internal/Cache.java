package demo.app.internal;

/** Excluded by tc-config.xml: stays a plain class. */
public class Cache {
    int hits;
}

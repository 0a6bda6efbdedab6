package demo.coll;

/** A key without equals/hashCode: identity (Object.hashCode) keys, shared by reference. */
public class Key {
    final String name;

    Key(String name) {
        this.name = name;
    }
}

package demo.graph;

/** The root object: built by each JVM's constructor call; only the first JVM's is kept. */
public class Registry {
    final String owner;
    Node first;
    Node favourite;
    /** Not shared: honor-transient is on for this class. */
    transient String note;
    /** Not shared: listed in transient-fields. */
    String cache;
    /** Set to something non-portable by the "thread" mode. */
    Object extra;

    Registry(String owner, int size) {
        this.owner = owner;
        Node head = new Node(owner + "-0", 0);
        Node cur = head;
        for (int i = 1; i < size; i++) {
            cur.next = new Node(owner + "-" + i, i * 10);
            cur = cur.next;
        }
        cur.next = head;
        first = head;
        favourite = head.next;
        note = "note of " + owner;
        cache = "cache of " + owner;
    }
}

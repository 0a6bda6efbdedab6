package demo.striped;

/** A link of a chain hung off the root {@code left} (see {@code Main hang}). */
public class Node {
    final int n;
    final Node next;

    Node(int n, Node next) {
        this.n = n;
        this.next = next;
    }
}

package demo.graph;

/** A plain graph node. */
public class Node {
    final String label;
    int weight;
    Node next;

    Node(String label, int weight) {
        this.label = label;
        this.weight = weight;
    }
}

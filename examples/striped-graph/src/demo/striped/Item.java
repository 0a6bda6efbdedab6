package demo.striped;

/** A plain object in the graph under the root {@code left}. */
public class Item {
    final String owner;
    final int n;

    Item(String owner, int n) {
        this.owner = owner;
        this.n = n;
    }

    @Override
    public String toString() {
        return "Item(" + owner + "," + n + ")";
    }
}

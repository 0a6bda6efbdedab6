package demo.arrays;

/** An element of the shared object array. */
public class Item {
    final String name;

    Item(String name) {
        this.name = name;
    }

    @Override
    public String toString() {
        return name;
    }
}

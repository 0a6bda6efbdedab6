package demo.arrays;

/** A cloneable shared object: a copy made with clone() is a new, non-shared object. */
public class Cell implements Cloneable {
    int value;
    Item item;

    @Override
    public Cell clone() {
        try {
            return (Cell) super.clone();
        } catch (CloneNotSupportedException e) {
            throw new AssertionError(e);
        }
    }
}

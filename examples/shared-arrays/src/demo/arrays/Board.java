package demo.arrays;

/** The shared state: arrays of several kinds and a cloneable cell. */
public class Board {
    final int[] scores = new int[8];
    final String[] names = {"delta", "alpha", "echo", "charlie", "bravo", "foxtrot"};
    final Item[] ring = {new Item("a"), new Item("b"), new Item("c"), null};
    final long[] big = new long[200];
    final Object[] many = new Object[100];
    final String[] deck = {"1", "2", "3", "4"};
    final char[] letters = new char[5];
    final Cell cell = new Cell();

    Board() {
        cell.value = 1;
        cell.item = new Item("cell-item");
    }
}

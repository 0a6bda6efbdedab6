package demo.arrays;

import com.tc.object.tx.UnlockedSharedObjectException;

import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;

/**
 * A plain program whose shared arrays are changed by JDK code: System.arraycopy, Arrays.fill,
 * Arrays.sort, Arrays.setAll, Collections.reverse of Arrays.asList and String.getChars, called inside synchronized blocks of autolocked methods, change
 * the shared arrays in every JVM; outside any lock they are refused before anything changes. A
 * shared object's clone() is a new, non-shared object. A shared array is a cluster lock itself.
 *
 * <p>Argument: "write" (the first JVM: makes the changes), "sort" (a second JVM: prints what it
 * sees, clones the shared cell, sorts the scores), "print" (a third JVM: prints what it sees).
 */
public class Main {
    static Board board = new Board();

    public static void main(String[] args) {
        switch (args[0]) {
            case "write":
                write();
                break;
            case "sort":
                print();
                cloneCell();
                int[] scores = board.scores;
                synchronized (scores) { // a shared array is a cluster lock too
                    Arrays.sort(scores);
                    scores.notifyAll(); // and its wait set a cluster one (no waiter here)
                }
                break;
            default:
                print();
        }
    }

    static void write() {
        Board b = board;
        synchronized (b) {
            Arrays.fill(b.scores, 7);
            System.arraycopy(new int[] {1, 2, 3}, 0, b.scores, 2, 3);
            Arrays.sort(b.names);
            Arrays.sort(b.names, 0, 3, Comparator.reverseOrder());
            System.arraycopy(b.ring, 0, b.ring, 1, 3); // shift right: a a b c
            b.ring[0] = new Item("z");
            System.arraycopy(new Item[] {new Item("n")}, 0, b.ring, 3, 1); // a new object, shared by the copy
            Arrays.setAll(b.big, i -> i * 3L);
            Arrays.fill(b.many, 10, 90, "x");
            Collections.reverse(Arrays.asList(b.deck)); // a list view of the shared array
            "hello".getChars(0, 5, b.letters, 0);
        }
        try {
            System.arraycopy(new int[] {5}, 0, b.scores, 0, 1);
            System.out.println("app: unlocked arraycopy accepted?!");
        } catch (UnlockedSharedObjectException e) {
            System.out.println("app: unlocked arraycopy refused, scores[0] still " + b.scores[0] + ": " + e.getMessage());
        }
        try {
            Arrays.fill(b.names, null);
            System.out.println("app: unlocked fill accepted?!");
        } catch (UnlockedSharedObjectException e) {
            System.out.println("app: unlocked fill refused, names[0] still " + b.names[0]);
        }
        System.out.println("app: written");
    }

    static void print() {
        Board b = board;
        synchronized (b) {
            long sum = 0;
            for (long v : b.big) {
                sum += v;
            }
            int xs = 0;
            for (Object o : b.many) {
                xs += "x".equals(o) ? 1 : 0;
            }
            System.out.println("app: scores " + Arrays.toString(b.scores));
            System.out.println("app: names " + Arrays.toString(b.names));
            System.out.println("app: ring " + Arrays.toString(b.ring));
            System.out.println("app: big sum " + sum + ", many x " + xs);
            System.out.println("app: deck " + Arrays.toString(b.deck) + " letters " + new String(b.letters));
        }
    }

    static void cloneCell() {
        Board b = board;
        Cell copy = b.cell.clone(); // the shared cell's item is not faulted in yet here
        copy.value = 42; // a plain object: no lock needed
        copy.item = new Item("copy-item");
        Cell other = b.cell.clone();
        System.out.println("app: clone item " + other.item + ", copy " + copy.value + " " + copy.item
                + ", shared cell " + b.cell.value + " " + b.cell.item);
    }
}

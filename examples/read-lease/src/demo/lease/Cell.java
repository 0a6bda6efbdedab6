package demo.lease;

/** The shared value the writer changes and the reader reads under read locks. */
public class Cell {
    int value;
    /** The round the writer last finished (published after the value's commit). */
    final Progress progress = new Progress();
}

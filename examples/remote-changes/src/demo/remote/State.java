package demo.remote;

import java.util.ArrayList;
import java.util.List;

/** The root: a shared queue, two unrelated counters and a board. */
public class State {
    final List<String> queue = new ArrayList<>();
    final Counter a = new Counter();
    final Counter b = new Counter();
    final Board board = new Board();
}

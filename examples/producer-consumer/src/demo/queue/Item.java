package demo.queue;

/** One queued message. */
public class Item {
    final String value;
    Item next;

    Item(String value) {
        this.value = value;
    }
}

package demo.queue;

/** An unbounded FIFO of strings built from plain linked items. */
public class Mailbox {
    private Item head;
    private Item tail;

    public synchronized void put(String s) {
        Item i = new Item(s);
        if (tail == null) {
            head = i;
        } else {
            tail.next = i;
        }
        tail = i;
        notifyAll();
    }

    /** The next message, or null when none arrived within {@code millis} (a timed wait). */
    public synchronized String poll(long millis) throws InterruptedException {
        long end = System.currentTimeMillis() + millis;
        while (head == null) {
            long left = end - System.currentTimeMillis();
            if (left <= 0) {
                return null;
            }
            wait(left);
        }
        return take();
    }

    public synchronized String take() throws InterruptedException {
        while (head == null) {
            wait();
        }
        Item i = head;
        head = i.next;
        if (head == null) {
            tail = null;
        }
        return i.value;
    }
}

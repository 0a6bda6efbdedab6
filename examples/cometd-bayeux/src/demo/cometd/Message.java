package demo.cometd;

/** One queued message. */
public class Message {
    final String text;
    Message next;

    Message(String text) {
        this.text = text;
    }
}

package demo.sub;

import java.util.ArrayList;

/** A list of events with a helper, extending ArrayList. */
public class EventLog extends ArrayList<String> {
    private static final long serialVersionUID = 1L;

    public EventLog() {
        super(4);
    }

    public synchronized void record(String who, String what) {
        add(who + ":" + what);
    }

    public synchronized String last() {
        return isEmpty() ? null : get(size() - 1);
    }
}

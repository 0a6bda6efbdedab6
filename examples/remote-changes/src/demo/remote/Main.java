package demo.remote;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Modes (see README.txt): {@code holder N} + {@code poker} (a thread's changes under its own lock
 * survive the remote changes applied at another lock's award), {@code board} + {@code reader} (a
 * lock-free reader sees a committed remote change).
 */
public class Main {
    static State state;

    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "holder":
                holder(Integer.parseInt(args[1]));
                break;
            case "poker":
                poker();
                break;
            case "board":
                board();
                break;
            case "reader":
                reader();
                break;
            default:
                throw new IllegalArgumentException("mode: holder N | poker | board | reader");
        }
    }

    // ------------------------------------------------------------------ holder + poker

    static void holder(int n) throws Exception {
        State s = new State();
        synchronized (s) {
            for (int i = 0; i < n; i++) {
                s.queue.add("q" + i);
            }
        }
        state = s; // shares the root with its queue
        s = state;
        System.out.println("app: holder created " + n + " items");
        System.out.flush();
        Counter b = s.b;
        // Wait (bounded) for the poker JVM to start changing b.
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (pokes(b) == 0) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("no poker within 60 s");
            }
            Thread.sleep(10);
        }
        State st = s;
        AtomicInteger observed = new AtomicInteger();
        Thread awards = new Thread(() -> {
            // Takes b's lock again and again: each award after a poke applies the poker's change.
            int last = pokes(b);
            while (!stopped(b)) {
                int now = pokes(b);
                if (now != last) {
                    observed.incrementAndGet();
                    last = now;
                }
                try {
                    Thread.sleep(1);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "awards");
        awards.start();
        List<String> got = new ArrayList<>();
        int increments = 0;
        long t0 = System.nanoTime();
        while (true) {
            String item = take(st.queue);
            if (item != null) {
                got.add(item);
            }
            increments += increment(st.a, 50);
            if (item == null && observedAtLeast(observed, 100, t0)) {
                break;
            }
            Thread.sleep(1); // a transaction per ms: the poker's lock requests are not starved
        }
        stop(b);
        awards.join();
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            expected.add("q" + i);
        }
        String order = got.equals(expected) ? "every item once, in order" : "WRONG ITEMS " + diff(expected, got);
        System.out.println("app: holder consumed " + got.size() + " (" + order + "), a=" + value(st.a) + " after "
                + increments + " increments, " + (observed.get() >= 100 ? "100+" : observed.get()) + " remote changes of b");
    }

    /** Enough remote changes of b were applied while this thread worked (or 30 s passed). */
    private static boolean observedAtLeast(AtomicInteger observed, int min, long t0) {
        return observed.get() >= min || System.nanoTime() - t0 > 30_000_000_000L;
    }

    private static String diff(List<String> expected, List<String> got) {
        for (int i = 0; i < Math.min(expected.size(), got.size()); i++) {
            if (!expected.get(i).equals(got.get(i))) {
                return "at " + i + ": " + got.subList(i, Math.min(got.size(), i + 3));
            }
        }
        return "sizes " + expected.size() + " vs " + got.size();
    }

    static String take(List<String> q) {
        synchronized (q) {
            return q.isEmpty() ? null : q.remove(0);
        }
    }

    /** {@code k} increments under one hold of the lock (one transaction). */
    static int increment(Counter c, int k) {
        synchronized (c) {
            for (int i = 0; i < k; i++) {
                c.n++;
            }
        }
        return k;
    }

    static int value(Counter c) {
        synchronized (c) {
            return c.n;
        }
    }

    static int pokes(Counter c) {
        synchronized (c) {
            return c.n;
        }
    }

    static boolean stopped(Counter c) {
        synchronized (c) {
            return c.stop;
        }
    }

    static void stop(Counter c) {
        synchronized (c) {
            c.stop = true;
        }
    }

    static void poker() throws Exception {
        State s = state;
        if (s == null) {
            throw new IllegalStateException("start the holder first");
        }
        Counter b = s.b;
        int pokes = 0;
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (System.nanoTime() < deadline) {
            synchronized (b) {
                if (b.stop) {
                    break;
                }
                b.n++;
            }
            pokes++;
            Thread.sleep(1);
        }
        int a = value(s.a);
        int left;
        synchronized (s.queue) {
            left = s.queue.size();
        }
        System.out.println("app: poker poked " + (pokes > 0 ? "some" : "none") + "; sees a=" + a + ", " + left + " item(s) left");
    }

    // ------------------------------------------------------------------ board + reader

    static void board() throws Exception {
        State s = new State();
        state = s;
        s = state;
        Board b = s.board;
        System.out.println("app: board created");
        System.out.flush();
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (!ready(b)) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("no reader within 60 s");
            }
            Thread.sleep(10);
        }
        Thread.sleep(200); // the reader is in its lock-free loop by now
        write(b, 1, "hello");
        System.out.println("app: board wrote version 1");
    }

    static boolean ready(Board b) {
        synchronized (b) {
            return b.readerReady;
        }
    }

    static void write(Board b, int version, String text) {
        synchronized (b) {
            b.text = text;
            b.version = version;
        }
    }

    static void reader() throws Exception {
        State s = state;
        if (s == null) {
            throw new IllegalStateException("start the board first");
        }
        Board b = s.board;
        synchronized (b) {
            b.readerReady = true; // the last lock this JVM takes
        }
        long t0 = System.nanoTime();
        long deadline = t0 + 20_000_000_000L;
        // No lock from here on: plain field reads of the resident board.
        while ((b.version == 0 || !"hello".equals(b.text)) && System.nanoTime() < deadline) {
            Thread.sleep(2);
        }
        long ms = (System.nanoTime() - t0) / 1_000_000;
        System.out.println("app: reader saw version " + b.version + " '" + b.text + "' without a lock"
                + (b.version == 1 && ms < 5000 ? " within 5 s" : " after " + ms + " ms"));
        System.err.println("reader waited " + ms + " ms");
    }
}

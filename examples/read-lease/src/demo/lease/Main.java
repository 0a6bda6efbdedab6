package demo.lease;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Modes (see README.txt): {@code reader ROUNDS} (start first) and {@code writer}. Methods named
 * {@code read*} are autolocked at read level, {@code write*} at write level.
 */
public class Main {
    static Cell cell;

    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "reader":
                reader(Integer.parseInt(args[1]));
                break;
            case "writer":
                writer();
                break;
            default:
                throw new IllegalArgumentException("mode: reader ROUNDS | writer");
        }
    }

    static void reader(int rounds) throws Exception {
        Cell c = new Cell();
        cell = c; // shares the root
        c = cell;
        Cell sc = c;
        writeRounds(c.progress, rounds);
        System.out.println("app: reader created " + rounds + " rounds");
        System.out.flush();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong reacquires = new AtomicLong();
        AtomicLong holds = new AtomicLong();
        AtomicLong changedMidHold = new AtomicLong();
        Thread spinner = new Thread(() -> {
            while (!stop.get()) {
                readValue(sc);
                reacquires.incrementAndGet();
            }
        });
        Thread holder = new Thread(() -> {
            try {
                while (!stop.get()) {
                    if (!readHeld(sc)) {
                        changedMidHold.incrementAndGet();
                    }
                    holds.incrementAndGet();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        spinner.start();
        holder.start();
        int stale = 0;
        for (int i = 1; i <= rounds; i++) {
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (readRound(c.progress) < i) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("round " + i + " not written within 30 s");
                }
                Thread.sleep(1);
            }
            // The writer's value commit ended before the round was published: the very next
            // read-lock award of the cell must bring it.
            int v = readValue(c);
            if (v != i) {
                stale++;
                System.err.println("round " + i + ": first read after the write saw " + v);
            }
            writeAck(c.progress, i);
        }
        stop.set(true);
        spinner.join(30_000);
        holder.join(30_000);
        System.out.println("app: reader: " + rounds + " rounds, " + stale + " stale first reads, "
                + changedMidHold.get() + " holds saw a change" + (holds.get() > 0 ? ", holds done" : ", no holds")
                + (reacquires.get() > rounds ? ", re-acquires done" : ", too few re-acquires"));
        System.err.println("reader: " + reacquires.get() + " re-acquires, " + holds.get() + " holds");
    }

    static void writer() throws Exception {
        Cell c = cell;
        if (c == null) {
            throw new IllegalStateException("start the reader first");
        }
        int rounds = readRounds(c.progress);
        for (int i = 1; i <= rounds; i++) {
            writeValue(c, i);
            writeRound(c.progress, i);
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (readAcked(c.progress) < i) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("round " + i + " not acknowledged within 30 s");
                }
                Thread.sleep(1);
            }
        }
        System.out.println("app: writer wrote " + rounds + " rounds");
    }

    static int readValue(Cell c) {
        synchronized (c) {
            return c.value;
        }
    }

    /** Holds the read lock for a while: no remote write may land in between. */
    static boolean readHeld(Cell c) throws InterruptedException {
        synchronized (c) {
            int a = c.value;
            Thread.sleep(5);
            return c.value == a;
        }
    }

    static void writeValue(Cell c, int v) {
        synchronized (c) {
            c.value = v;
        }
    }

    static int readRounds(Progress p) {
        synchronized (p) {
            return p.rounds;
        }
    }

    static int readRound(Progress p) {
        synchronized (p) {
            return p.round;
        }
    }

    static int readAcked(Progress p) {
        synchronized (p) {
            return p.acked;
        }
    }

    static void writeRounds(Progress p, int n) {
        synchronized (p) {
            p.rounds = n;
        }
    }

    static void writeRound(Progress p, int i) {
        synchronized (p) {
            p.round = i;
        }
    }

    static void writeAck(Progress p, int i) {
        synchronized (p) {
            p.acked = i;
        }
    }
}

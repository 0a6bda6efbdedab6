package demo.coordination;

/** The barrier action: run once per round, by the last party to arrive, on its JVM. */
public class RoundAction implements Runnable {
    private final Coordinator c;

    public RoundAction(Coordinator c) {
        this.c = c;
    }

    @Override
    public void run() {
        c.lock.lock();
        try {
            c.trips++;
        } finally {
            c.lock.unlock();
        }
    }
}

package demo.cometd;

/** A node-local suspended request (never shared: only held in transient fields). */
public class Continuation {
    private boolean resumed;

    public synchronized void resume() {
        resumed = true;
        notifyAll();
    }

    public synchronized boolean suspend(long millis) throws InterruptedException {
        long end = System.currentTimeMillis() + millis;
        while (!resumed) {
            long left = end - System.currentTimeMillis();
            if (left <= 0) {
                return false;
            }
            wait(left);
        }
        resumed = false;
        return true;
    }
}

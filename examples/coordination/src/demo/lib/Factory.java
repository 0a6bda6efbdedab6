package demo.lib;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;

/** A "library" no {@code <include>} matches: what it allocates are plain JDK synchronizers. */
public final class Factory {
    private Factory() {}

    public static CyclicBarrier barrier(int parties) {
        return new CyclicBarrier(parties);
    }

    public static CountDownLatch latch(int count) {
        return new CountDownLatch(count);
    }
}

package demo.pt;

import java.util.function.LongBinaryOperator;

/** A portable accumulator function: a named class with no state and a no-argument constructor. */
public class Max implements LongBinaryOperator {
    @Override
    public long applyAsLong(long a, long b) {
        return Math.max(a, b);
    }
}

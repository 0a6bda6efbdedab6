package demo.pt;

import java.util.function.DoubleBinaryOperator;

/** A portable accumulator function (a sum). */
public class Total implements DoubleBinaryOperator {
    @Override
    public double applyAsDouble(double a, double b) {
        return a + b;
    }
}

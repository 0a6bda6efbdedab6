package dev.kiln.agent.jdk;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.DoubleAccumulator;
import java.util.function.DoubleBinaryOperator;

/**
 * A {@code java.util.concurrent.atomic.DoubleAccumulator} the cluster can share: allocated instead of
 * the JDK type in instrumented classes (same constructor, which keeps the function and identity the
 * JDK's keeps private), re-created on another JVM from its class name, which names the function
 * ({@code |function=pkg.Max}: a named class with no instance fields and a no-argument constructor,
 * re-created on each JVM; a lambda or a function holding state is refused with
 * TCNonPortableObjectError at share time, {@link Accumulators#functionSuffix}). Not shared: the
 * JDK's accumulator after one field test. Shared: a map (kind 0) {value, identity} in the cluster;
 * every operation takes the accumulator's own cluster lock (write; read for {@code get} and the
 * {@code Number} views), applies the function to the cluster value and records the result, so
 * results are exact across JVMs with no user lock (the JDK's striped cells are not used while shared).
 */
public class KilnDoubleAccumulator extends DoubleAccumulator implements Shared {
    private static final long serialVersionUID = 1L;
    private transient long $kiln$oid;
    /** True once the fields hold a cluster state (materialised on this JVM): they, not the JDK's cells, are the value. */
    private transient boolean loaded;
    private final transient DoubleBinaryOperator function;
    /** The identity, and the cluster value while shared. */
    private double identity;
    private double value;

    /** As the JDK's constructor. */
    public KilnDoubleAccumulator(DoubleBinaryOperator accumulatorFunction, double identity) {
        super(accumulatorFunction, identity);
        this.function = accumulatorFunction;
        this.identity = identity;
        this.value = identity;
    }

    @Override
    public long $kiln$oid() {
        return $kiln$oid;
    }

    @Override
    public void $kiln$oid(long oid) {
        $kiln$oid = oid;
    }

    @Override
    public int $kiln$kind() {
        return 0;
    }

    @Override
    public String $kiln$class() {
        return "java.util.concurrent.atomic.DoubleAccumulator" + Accumulators.functionSuffix(function, this);
    }

    @Override
    public List<Object> $kiln$content() {
        if ($kiln$oid == 0 && !loaded) {
            value = super.get(); // being shared: its value so far
        }
        List<Object> c = new ArrayList<>(4);
        c.add("value");
        c.add(value);
        c.add("identity");
        c.add(identity);
        return c;
    }

    @Override
    public void $kiln$load(List<Object> c) {
        if (Sync.dirty(this)) {
            return; // changed here under its write lock, not sent yet: no other JVM can have changed it
        }
        loaded = true;
        for (int i = 0; i + 1 < c.size(); i += 2) {
            Object v = c.get(i + 1);
            double x = v == null ? 0 : ((Number) v).doubleValue();
            if ("value".equals(c.get(i))) {
                value = x;
            } else if ("identity".equals(c.get(i))) {
                identity = x;
            }
        }
    }

    @Override
    public void accumulate(double x) {
        if ($kiln$oid == 0) {
            super.accumulate(x);
            return;
        }
        long[] e = Sync.lock(this, Sync.WRITE);
        try {
            double next = function.applyAsDouble(value, x);
            if (Double.doubleToRawLongBits(next) != Double.doubleToRawLongBits(value)) {
                value = next;
                Sync.put(e, this, "value", value);
            }
        } finally {
            Sync.unlock(this, e);
        }
    }

    @Override
    public double get() {
        if ($kiln$oid == 0) {
            return super.get();
        }
        long[] e = Sync.lock(this, Sync.READ);
        try {
            return value;
        } finally {
            Sync.unlock(this, e);
        }
    }

    @Override
    public void reset() {
        if ($kiln$oid == 0) {
            super.reset();
        } else {
            getThenReset();
        }
    }

    @Override
    public double getThenReset() {
        if ($kiln$oid == 0) {
            return super.getThenReset();
        }
        long[] e = Sync.lock(this, Sync.WRITE);
        try {
            double r = value;
            value = identity;
            Sync.put(e, this, "value", value);
            return r;
        } finally {
            Sync.unlock(this, e);
        }
    }

    @Override
    public long longValue() {
        return $kiln$oid == 0 ? super.longValue() : (long) get();
    }

    @Override
    public int intValue() {
        return $kiln$oid == 0 ? super.intValue() : (int) get();
    }

    @Override
    public float floatValue() {
        return $kiln$oid == 0 ? super.floatValue() : (float) get();
    }

    @Override
    public double doubleValue() {
        return $kiln$oid == 0 ? super.doubleValue() : (double) get();
    }

    @Override
    public String toString() {
        return $kiln$oid == 0 ? super.toString() : Double.toString(get());
    }
}

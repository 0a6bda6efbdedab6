package demo.pt;

import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.concurrent.atomic.AtomicLongFieldUpdater;
import java.util.concurrent.atomic.AtomicReferenceFieldUpdater;

/** A shared object whose volatile fields are changed through Atomic*FieldUpdaters. */
public class Counter {
    static final AtomicIntegerFieldUpdater<Counter> HITS = AtomicIntegerFieldUpdater.newUpdater(Counter.class, "hits");
    static final AtomicLongFieldUpdater<Counter> TOTAL = AtomicLongFieldUpdater.newUpdater(Counter.class, "total");
    static final AtomicReferenceFieldUpdater<Counter, Object> LAST =
            AtomicReferenceFieldUpdater.newUpdater(Counter.class, Object.class, "last");
    static final AtomicIntegerFieldUpdater<Counter> MISSES = AtomicIntegerFieldUpdater.newUpdater(Counter.class, "misses");

    volatile int hits;
    volatile long total;
    volatile Object last;
    // A second volatile field of each type: the agent finds which one an updater updates by probing.
    volatile int misses;
    volatile Object previous;
}

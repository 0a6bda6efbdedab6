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

    volatile int hits;
    volatile long total;
    volatile Object last;
}

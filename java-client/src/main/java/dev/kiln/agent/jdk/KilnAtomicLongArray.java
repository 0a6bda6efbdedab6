package dev.kiln.agent.jdk;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A {@code java.util.concurrent.atomic.AtomicLongArray} the cluster can share: allocated instead of
 * the JDK type in instrumented classes (same constructors), copied from a plain one at share time,
 * re-created on another JVM from its class name ({@code |length=N}). The JDK's element methods are
 * final: in instrumented classes their call sites go to {@link AtomicArrays} (rewritten as the
 * atomics' are). Not shared: the JDK's methods after one type test and one field test. Shared: a
 * map (kind 0) index to element in the cluster; each element operation takes the array's own
 * cluster lock (write; read for {@code get}), runs the JDK's method on the local array (current
 * under the lock) and records the element when it changed. See docs/agent.md.
 */
public class KilnAtomicLongArray extends AtomicLongArray implements Shared {
    private static final long serialVersionUID = 1L;
    private transient long $kiln$oid;

    /** As the JDK's constructor. */
    public KilnAtomicLongArray(int length) {
        super(length);
    }

    /** As the JDK's constructor. */
    public KilnAtomicLongArray(long[] array) {
        super(array);
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
        return "java.util.concurrent.atomic.AtomicLongArray|length=" + length();
    }

    @Override
    public List<Object> $kiln$content() {
        List<Object> c = new ArrayList<>(length() * 2);
        for (int i = 0; i < length(); i++) {
            c.add(i);
            c.add(get(i));
        }
        return c;
    }

    @Override
    public void $kiln$load(List<Object> c) {
        if (Sync.dirty(this)) {
            return; // changed here under its write lock, not sent yet: no other JVM can have changed it
        }
        for (int i = 0; i + 1 < c.size(); i += 2) {
            int at = ((Number) c.get(i)).intValue();
            if (at >= 0 && at < length()) {
                set(at, c.get(i + 1) == null ? 0 : ((Number) c.get(i + 1)).longValue());
            }
        }
    }

    /** Shared: the elements as of a read lock (current). */
    @Override
    public String toString() {
        return $kiln$oid == 0 ? super.toString() : AtomicArrays.locked(this, Sync.READ, -1, () -> super.toString());
    }
}

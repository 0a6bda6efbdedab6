package dev.kiln.agent.jdk;

import java.util.Collection;
import java.util.Collections;
import java.util.Set;

/** The Kiln twin of {@code Collections.unmodifiableSet} ({@link KilnUnmodifiableCollection}). */
public class KilnUnmodifiableSet<E> extends KilnUnmodifiableCollection<E> implements Set<E> {
    private static final long serialVersionUID = 1L;

    KilnUnmodifiableSet(Set<E> s) {
        super(s);
    }

    @Override
    String $kiln$wrap() {
        return "unmodifiableSet";
    }

    @Override
    Collection<E> jdk(Collection<E> coll) {
        return Collections.unmodifiableSet((Set<E>) coll);
    }

    @Override
    public boolean equals(Object o) {
        return o == this || ro.equals(o);
    }

    @Override
    public int hashCode() {
        return ro.hashCode();
    }
}

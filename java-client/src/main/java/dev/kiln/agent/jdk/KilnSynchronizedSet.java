package dev.kiln.agent.jdk;

import java.util.Set;

/** The Kiln twin of {@code Collections.synchronizedSet} ({@link KilnSynchronizedCollection}). */
public class KilnSynchronizedSet<E> extends KilnSynchronizedCollection<E> implements Set<E> {
    private static final long serialVersionUID = 1L;

    KilnSynchronizedSet(Set<E> s, KilnWrapper owner) {
        super(s, owner);
    }

    @Override
    String $kiln$wrap() {
        return "synchronizedSet";
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        return Wrappers.op(mutex, () -> c.equals(o));
    }

    @Override
    public int hashCode() {
        return Wrappers.op(mutex, () -> c.hashCode());
    }
}

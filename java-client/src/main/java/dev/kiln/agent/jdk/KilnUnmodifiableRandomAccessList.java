package dev.kiln.agent.jdk;

import java.util.List;
import java.util.RandomAccess;

/** The Kiln twin of {@code Collections.unmodifiableList} of a RandomAccess list, RandomAccess too (as the JDK's). */
public class KilnUnmodifiableRandomAccessList<E> extends KilnUnmodifiableList<E> implements RandomAccess {
    private static final long serialVersionUID = 1L;

    KilnUnmodifiableRandomAccessList(List<E> l) {
        super(l);
    }
}

package dev.kiln.agent.jdk;

import java.util.List;
import java.util.RandomAccess;

/** The Kiln twin of {@code Collections.synchronizedList} of a RandomAccess list, which is RandomAccess too (as the JDK's). */
public class KilnSynchronizedRandomAccessList<E> extends KilnSynchronizedList<E> implements RandomAccess {
    private static final long serialVersionUID = 1L;

    KilnSynchronizedRandomAccessList(List<E> l, KilnWrapper owner) {
        super(l, owner);
    }
}

package dev.kiln.agent.rt;

import dev.kiln.internal.Native;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code <locks><named-lock><lock-name>N</lock-name><method-expression>…<lock-level>}: a matched
 * method {@code m} is renamed {@code $kiln$named$m} and {@code m} becomes a wrapper that holds
 * the cluster lock named N at that level for the call, whatever the method synchronizes on (or
 * whether it does at all). Re-entrant per thread (one lock per name, whatever the level of the
 * nested method: a read holder re-entering for write is not upgraded); the outermost exit
 * commits. While held, it is the thread's innermost cluster lock: writes to shared objects are
 * recorded in its transaction (a {@code synchronized} on a shared object inside nests a lock of
 * its own). Remote changes are applied when it is acquired. The name is the cluster lock name
 * as is, so the explicit API's {@code KilnCluster.lock(N)} is the same lock.
 */
public final class NamedLocks {
    private NamedLocks() {}

    private static final List<String> NAMES = new ArrayList<>();
    private static final List<Integer> LEVELS = new ArrayList<>();
    private static final Map<String, Integer> KEYS = new HashMap<>();
    private static volatile String[] names = new String[0];
    private static volatile int[] levels = new int[0];
    private static volatile long[] keys = new long[0];

    /** Called by the transformer for each woven method: the index its wrapper passes. */
    public static synchronized int register(String lockName, int level) {
        KEYS.computeIfAbsent(lockName, n -> KEYS.size());
        NAMES.add(lockName);
        LEVELS.add(level);
        int n = NAMES.size();
        String[] nn = new String[n];
        int[] ll = new int[n];
        long[] kk = new long[n];
        for (int i = 0; i < n; i++) {
            nn[i] = NAMES.get(i);
            ll[i] = LEVELS.get(i);
            kk[i] = -1L - KEYS.get(nn[i]); // < 0: never an object id
        }
        names = nn;
        levels = ll;
        keys = kk;
        return n - 1;
    }

    /** Before the call of woven method {@code idx}: takes (or re-enters) its named lock. */
    public static void enter(int idx) {
        long c = Runtime.clientHandle();
        String name = names[idx];
        Long h = HANDLES.get(name);
        if (h == null) {
            h = HANDLES.computeIfAbsent(name, n -> Native.lockName(c, n));
        }
        Runtime.lockHeld(keys[idx], h, levels[idx], -1);
    }

    /** Lock name -> the client's handle on that lock (resolved once). */
    private static final java.util.concurrent.ConcurrentHashMap<String, Long> HANDLES =
            new java.util.concurrent.ConcurrentHashMap<>();

    /** After the call (returned or threw): the outermost exit commits and releases the lock. */
    public static void exit(int idx) {
        Runtime.exitShared(keys[idx]);
    }
}

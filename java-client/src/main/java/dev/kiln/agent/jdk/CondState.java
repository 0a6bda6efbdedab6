package dev.kiln.agent.jdk;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The per-condition wait sets of a shared lock with {@link KilnCondition}s ({@link KilnReentrantLock},
 * the write lock of {@link KilnReentrantReadWriteLock}), kept in the lock object's own cluster
 * state, so every JVM sees the same counts under the lock: {@code conditions} (how many
 * {@code newCondition()} made; a condition's index is its number, 1-based), and per condition
 * index {@code i} {@code w:i} (threads of any JVM in its {@code await}), {@code q:i} (tickets taken: each
 * await takes the next, in lock order), {@code r:i} (tickets below it are released) and
 * {@code c:i:t} (ticket t cancelled: its await ended by timeout or interrupt). A signal releases
 * the oldest live ticket (skipping cancelled ones, FIFO as the JDK's ConditionObject); an await
 * returns normally only once its ticket is released: a wake-up meant for another condition or for
 * another waiter, or spurious, is waited again, so a signal makes exactly one waiter of
 * <em>its</em> condition return, and a thread's own signal never wakes itself. Changed only under
 * the lock's cluster write lock (recorded with {@code mapPut}/{@code mapRemove} in its
 * transaction; re-read at the first condition operation of a hold, see {@link Sync#fresh}).
 */
final class CondState {
    static final String CONDITIONS = "conditions";

    /** How many conditions were made (before sharing: in this JVM; once shared: cluster-wide). */
    volatile int conditions;
    /** {@code w:i} and {@code s:i} that are not 0. */
    private final Map<String, Long> counts = new ConcurrentHashMap<>();

    /** The state as the lock object's content: {@code conditions} and every non-zero count. */
    List<Object> content() {
        List<Object> c = new ArrayList<>(2 + 2 * counts.size());
        if (conditions != 0) {
            c.add(CONDITIONS);
            c.add(conditions);
        }
        for (Map.Entry<String, Long> e : counts.entrySet()) {
            c.add(e.getKey());
            c.add(e.getValue());
        }
        return c;
    }

    /** Loads the lock object's content (from the cluster). */
    void load(List<Object> content) {
        int n = 0;
        Map<String, Long> m = new java.util.HashMap<>();
        for (int i = 0; i + 1 < content.size(); i += 2) {
            Object k = content.get(i);
            if (CONDITIONS.equals(k)) {
                n = (int) Sync.num(content.get(i + 1));
            } else if (k instanceof String && isCount((String) k)) {
                long v = Sync.num(content.get(i + 1));
                if (v != 0) {
                    m.put((String) k, v);
                }
            }
        }
        conditions = n;
        counts.keySet().retainAll(m.keySet());
        counts.putAll(m);
    }

    private static boolean isCount(String k) {
        return k.length() > 2 && k.charAt(1) == ':' && "wqrc".indexOf(k.charAt(0)) >= 0;
    }

    /** Threads of any JVM registered in an await of condition {@code i}, not returned yet. */
    static String waiters(int i) {
        return "w:" + i;
    }

    /** The next ticket of condition {@code i} (each await takes one, in lock order: FIFO). */
    static String tickets(int i) {
        return "q:" + i;
    }

    /** Tickets of condition {@code i} below this are released (signalled, or cancelled and skipped). */
    static String released(int i) {
        return "r:" + i;
    }

    /** Marks ticket {@code t} of condition {@code i} cancelled (its await ended by timeout or interrupt). */
    static String cancelled(int i, long t) {
        return "c:" + i + ":" + t;
    }

    /** Removes every key starting with {@code prefix} (here and in {@code e}'s transaction). */
    void removeAll(long[] e, Shared lock, String prefix) {
        for (String k : new ArrayList<>(counts.keySet())) {
            if (k.startsWith(prefix)) {
                set(e, lock, k, 0);
            }
        }
    }

    long get(String key) {
        Long v = counts.get(key);
        return v == null ? 0 : v;
    }

    /** Sets {@code key} to {@code v} here and in held entry {@code e}'s transaction on {@code lock}'s object. */
    void set(long[] e, Shared lock, String key, long v) {
        if (v == 0) {
            if (counts.remove(key) != null) {
                Sync.remove(e, lock, key);
            }
        } else {
            counts.put(key, v);
            Sync.put(e, lock, key, v);
        }
    }

    /** Threads registered in an await of a condition other than {@code i}. */
    long othersWaiting(int i) {
        long n = 0;
        String mine = waiters(i);
        for (Map.Entry<String, Long> e : counts.entrySet()) {
            if (e.getKey().startsWith("w:") && !e.getKey().equals(mine)) {
                n += e.getValue();
            }
        }
        return n;
    }
}

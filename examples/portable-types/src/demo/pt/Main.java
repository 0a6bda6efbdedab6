package demo.pt;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.atomic.DoubleAccumulator;
import java.util.concurrent.atomic.LongAccumulator;

/**
 * The remaining portable JDK types shared by several JVMs. Modes:
 * <ul>
 * <li>{@code pq-fill N}: a PriorityQueue of shared {@link Job}s changed under its lock (offer, add,
 *     addAll), one of its jobs also held in {@code refs}; a PriorityQueue(reverseOrder) of 0..N-1; an
 *     offer outside any lock refused;</li>
 * <li>{@code pq-view}: a fresh JVM sees the head, the job of {@code refs} as the same object, then
 *     polls, removes it, removeIf, iterator.remove, offers;</li>
 * <li>{@code pq-check}: a fresh JVM sees the result;</li>
 * <li>{@code pool N}: fills {@code nums} with 0..N-1 and puts one job into {@code slots[0]} and {@code refs};</li>
 * <li>{@code take NAME}: polls {@code nums} (highest first) until empty, counting each number in
 *     the atomic arrays and accumulators (no user lock for those);</li>
 * <li>{@code tally N}: a fresh JVM checks the counts, identity in {@code slots}, then changes the
 *     arrays (compareAndSet, getAndUpdate, set) and resets the accumulator; a lambda accumulator refused;</li>
 * <li>{@code tally-view}: a fresh JVM sees those changes.</li>
 * </ul>
 */
public class Main {
    static PriorityQueue<Job> jobs = new PriorityQueue<>();
    static PriorityQueue<Integer> nums = new PriorityQueue<>(Collections.reverseOrder());
    static Map<String, Object> refs = new HashMap<>();
    static ConcurrentHashMap<Integer, String> takenBy = new ConcurrentHashMap<>();
    static AtomicIntegerArray counts = new AtomicIntegerArray(10);
    static AtomicLongArray totals = new AtomicLongArray(4);
    static AtomicReferenceArray<Object> slots = new AtomicReferenceArray<>(3);
    static LongAccumulator max = new LongAccumulator(new Max(), Long.MIN_VALUE);
    static DoubleAccumulator total = new DoubleAccumulator(new Total(), 0.0);
    static Map<String, Object> views = new HashMap<>();

    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "pq-fill":
                pqFill(Integer.parseInt(args[1]));
                break;
            case "pq-view":
                pqView();
                break;
            case "pq-check":
                pqCheck();
                break;
            case "pool":
                pool(Integer.parseInt(args[1]));
                break;
            case "take":
                take(args[1]);
                break;
            case "tally":
                tally(Integer.parseInt(args[1]));
                break;
            case "tally-view":
                tallyView();
                break;
            case "upd-init":
                updInit();
                break;
            case "upd":
                upd(args[1], Integer.parseInt(args[2]));
                break;
            case "upd-check":
                updCheck(Integer.parseInt(args[1]));
                break;
            case "upd-view":
                updView();
                break;
            default:
                Views.main(args);
        }
    }

    static void pqFill(int n) {
        Job d = new Job("d", 2);
        synchronized (jobs) {
            jobs.offer(new Job("a", 3));
            jobs.add(new Job("b", 1));
            jobs.addAll(Arrays.asList(new Job("c", 5), d, new Job("e", 4)));
        }
        synchronized (refs) {
            refs.put("d", d);
        }
        synchronized (nums) {
            for (int i = 0; i < n; i++) {
                nums.add(i);
            }
        }
        String refused = "no";
        try {
            unlockedOffer();
        } catch (RuntimeException e) {
            refused = e.getClass().getSimpleName();
        }
        System.out.println("app: pq-filled head=" + jobs.peek() + " size=" + jobs.size() + " nums=" + nums.size()
                + " peek=" + nums.peek() + " refused=" + refused + " size=" + jobs.size());
    }

    /** Not synchronized: no cluster lock, so the shared queue refuses the change. */
    static void unlockedOffer() {
        jobs.offer(new Job("z", 9));
    }

    static List<Job> inOrder(PriorityQueue<Job> q) {
        PriorityQueue<Job> copy = new PriorityQueue<>(q);
        List<Job> out = new ArrayList<>();
        while (!copy.isEmpty()) {
            out.add(copy.poll());
        }
        return out;
    }

    static void pqView() {
        StringBuilder b = new StringBuilder("app: ");
        Job d = (Job) refs.get("d");
        synchronized (jobs) {
            boolean same = false;
            for (Job j : jobs) {
                same |= j == d;
            }
            b.append("order=").append(inOrder(jobs)).append(" same=").append(same);
            b.append(" poll=").append(jobs.poll());
            b.append(" remove=").append(jobs.remove(d));
            b.append(" removeIf=").append(jobs.removeIf(j -> j.priority > 4));
            for (Iterator<Job> it = jobs.iterator(); it.hasNext();) {
                if (it.next().name.equals("a")) {
                    it.remove();
                }
            }
            jobs.offer(new Job("f", 0));
            b.append(" now=").append(inOrder(jobs));
        }
        b.append(" nums=").append(nums.size()).append(" peek=").append(nums.peek());
        System.out.println(b);
    }

    static void pqCheck() {
        Job d = (Job) refs.get("d");
        boolean in = false;
        for (Job j : jobs) {
            in |= j == d;
        }
        System.out.println("app: jobs=" + inOrder(jobs) + " head=" + jobs.peek() + " d-in-queue=" + in + " d=" + d);
    }

    static void pool(int n) {
        Job d = new Job("d", 2);
        synchronized (nums) {
            for (int i = 0; i < n; i++) {
                nums.offer(i);
            }
        }
        slots.set(0, d);
        synchronized (refs) {
            refs.put("d", d);
        }
        System.out.println("app: pool " + nums.size() + " max " + max.get() + " slot " + slots.get(0));
    }

    static void take(String name) {
        List<Integer> mine = new ArrayList<>();
        int dups = 0;
        while (true) {
            Integer x;
            synchronized (nums) {
                x = nums.poll();
            }
            if (x == null) {
                break;
            }
            mine.add(x);
            if (takenBy.putIfAbsent(x, name) != null) {
                dups++;
            }
            counts.incrementAndGet(x % 10);
            totals.addAndGet(x % 4, x);
            max.accumulate(x);
            total.accumulate(0.5);
        }
        boolean desc = true;
        for (int i = 1; i < mine.size(); i++) {
            desc &= mine.get(i) < mine.get(i - 1);
        }
        System.out.println("app: take " + name + " dups " + dups + " highest-first " + desc + "\ntook " + mine.size());
    }

    static void tally(int n) {
        long[] want = new long[4];
        for (int i = 0; i < n; i++) {
            want[i % 4] += i;
        }
        boolean totalsOk = true;
        for (int k = 0; k < 4; k++) {
            totalsOk &= totals.get(k) == want[k];
        }
        StringBuilder b = new StringBuilder("app: taken " + takenBy.size() + " counts " + counts + " totals-exact "
                + totalsOk + " max " + max.get() + " total " + total.get());
        Object d = slots.get(0);
        b.append(" slot-same ").append(d == refs.get("d"));
        Job g = new Job("g", 7);
        b.append(" cas ").append(slots.compareAndSet(0, d, g)).append(" cas-again ").append(slots.compareAndSet(0, d, g));
        slots.set(1, "text");
        slots.getAndUpdate(2, v -> Arrays.asList(1, 2, 3));
        b.append(" counts-cas ").append(counts.compareAndSet(3, n / 10, -1));
        counts.getAndUpdate(4, v -> v * 100);
        counts.set(5, 55);
        b.append(" acc ").append(totals.accumulateAndGet(1, 1000, Math::min));
        b.append(" reset-was ").append(max.getThenReset()).append(" max-now ").append(max.get());
        max.accumulate(42);
        try {
            LongAccumulator bad = new LongAccumulator(Long::sum, 0);
            synchronized (refs) {
                refs.put("bad", bad);
            }
            b.append(" lambda-shared");
        } catch (Error e) {
            b.append(" lambda-refused ").append(e.getClass().getSimpleName())
                    .append(e.getMessage().contains("named class") ? " with-hint" : " no-hint")
                    .append(" refs ").append(refs.keySet());
        }
        System.out.println(b);
    }

    static void tallyView() {
        Object s2 = slots.get(2);
        System.out.println("app: counts " + counts + " slot0 " + slots.get(0) + " slot1 " + slots.get(1) + " slot2 " + s2
                + " " + (s2 == null ? "" : s2.getClass().getSimpleName()) + " totals " + totals.get(1) + " max " + max.get()
                + " total " + total.get() + " as-long " + max.longValue());
    }

    static void updInit() {
        synchronized (refs) {
            refs.put("counter", new Counter());
        }
        System.out.println("app: counter " + Counter.HITS.get((Counter) refs.get("counter")));
    }

    /** Two JVMs at once: every change through the updaters under the counter's own lock. */
    static void upd(String name, int n) {
        Counter c = (Counter) refs.get("counter");
        Job job = null;
        for (int i = 0; i < n; i++) {
            job = new Job(name, i);
            synchronized (c) {
                Counter.HITS.incrementAndGet(c);
                int v = Counter.HITS.get(c);
                if (!Counter.HITS.compareAndSet(c, v, v + 1)) {
                    throw new IllegalStateException("a CAS under the lock failed");
                }
                Counter.TOTAL.addAndGet(c, 3);
                Counter.TOTAL.getAndUpdate(c, t -> t - 1);
                Counter.LAST.set(c, job);
                Counter.MISSES.getAndIncrement(c);
            }
        }
        synchronized (refs) {
            refs.put("last-" + name, job);
        }
        System.out.println("app: upd " + name + " done");
    }

    static void unlockedIncrement(Counter c) {
        Counter.HITS.incrementAndGet(c);
    }

    static void updCheck(int n) {
        Counter c = (Counter) refs.get("counter");
        Object last = Counter.LAST.get(c);
        boolean same = last == refs.get("last-a") || last == refs.get("last-b");
        StringBuilder b = new StringBuilder("app: hits " + Counter.HITS.get(c) + " total " + Counter.TOTAL.get(c)
                + " misses " + c.misses + " previous " + c.previous + " last "
                + last + " same " + same);
        String refused = "no";
        int before = Counter.HITS.get(c);
        try {
            unlockedIncrement(c);
        } catch (RuntimeException e) {
            refused = e.getClass().getSimpleName() + (e.getMessage().contains("FieldUpdater") ? " with-hint" : "");
        }
        b.append(" refused ").append(refused).append(" unchanged ").append(Counter.HITS.get(c) == before);
        Job next = new Job("n", 1);
        synchronized (c) {
            b.append(" cas ").append(Counter.LAST.compareAndSet(c, last, next));
            b.append(" cas-again ").append(Counter.LAST.compareAndSet(c, last, next));
            b.append(" acc ").append(Counter.HITS.accumulateAndGet(c, 1000, Math::max));
            Counter.TOTAL.set(c, 7);
        }
        System.out.println(b);
    }

    static void updView() {
        Counter c = (Counter) refs.get("counter");
        System.out.println("app: hits " + c.hits + " total " + Counter.TOTAL.get(c) + " last " + Counter.LAST.get(c));
    }
}

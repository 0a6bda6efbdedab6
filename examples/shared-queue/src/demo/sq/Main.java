package demo.sq;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Terracotta's "sharedqueue" demo shape with java.util.concurrent types and no synchronized
 * anywhere: a root queue of jobs, a root map of results, an atomic job counter. Modes:
 * <ul>
 * <li>{@code worker NAME}: counts itself in {@code ready}, then take()s jobs until "stop", puts each
 *     result with putIfAbsent (a job seen twice is a duplicate) and increments {@code done};</li>
 * <li>{@code producer N WORKERS}: waits until WORKERS workers are ready (blocked in take()), then puts N
 *     jobs and one "stop" per worker;</li>
 * <li>{@code check N}: what a fresh JVM sees: results, the counter, the workers that did jobs;</li>
 * <li>{@code contend NAME N}: CHM atomic methods and atomics under contention from several JVMs at once;</li>
 * <li>{@code tally}: the contention totals;</li>
 * <li>{@code timed MS}: a timed poll of an empty shared queue; {@code interrupt}: take() interrupted;</li>
 * <li>{@code fill} / {@code drain}: a shared ArrayBlockingQueue(2): the third put() blocks until another JVM takes.</li>
 * </ul>
 */
public class Main {
    static LinkedBlockingQueue<String> jobs = new LinkedBlockingQueue<>();
    static ConcurrentHashMap<String, String> results = new ConcurrentHashMap<>();
    static AtomicInteger done = new AtomicInteger();
    static AtomicInteger ready = new AtomicInteger();
    static LinkedBlockingQueue<String> idle = new LinkedBlockingQueue<>();
    static ArrayBlockingQueue<Integer> slots = new ArrayBlockingQueue<>(2);
    static ConcurrentLinkedQueue<String> log = new ConcurrentLinkedQueue<>();
    static AtomicReference<String> owner = new AtomicReference<>();
    static CopyOnWriteArrayList<String> members = new CopyOnWriteArrayList<>();
    static CopyOnWriteArraySet<String> tags = new CopyOnWriteArraySet<>();

    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "worker":
                if (args.length > 2) {
                    workers(args[1], Integer.parseInt(args[2]));
                } else {
                    worker(args[1]);
                }
                break;
            case "producer":
                producer(Integer.parseInt(args[1]), Integer.parseInt(args[2]));
                break;
            case "check":
                check(Integer.parseInt(args[1]));
                break;
            case "contend":
                contend(args[1], Integer.parseInt(args[2]));
                break;
            case "tally":
                tally();
                break;
            case "timed":
                timed(Long.parseLong(args[1]));
                break;
            case "interrupt":
                interrupt();
                break;
            case "fill":
                fill();
                break;
            case "drain":
                drain();
                break;
            default:
                throw new IllegalArgumentException(args[0]);
        }
    }

    static void worker(String name) throws InterruptedException {
        members.addIfAbsent(name);
        members.addIfAbsent(name); // already there: no second entry in any JVM
        ready.incrementAndGet();
        int mine = 0;
        int dups = 0;
        long firstWait = -1;
        while (true) {
            long t0 = System.nanoTime();
            String job = jobs.take();
            if (firstWait < 0) {
                firstWait = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            }
            if (job.equals("stop")) {
                break;
            }
            if (results.putIfAbsent(job, name + ":" + job.toUpperCase()) != null) {
                dups++;
            }
            done.incrementAndGet();
            log.offer(name + " " + job);
            tags.add(job.substring(job.length() - 1)); // the last digit: 10 distinct tags
            mine++;
        }
        System.out.println("app: worker " + name + " did " + (mine > 0 ? "some" : "none") + " dups " + dups
                + (firstWait >= 200 ? " (first take blocked)" : " (first take did not block: " + firstWait + " ms)"));
    }

    /** {@code worker NAME THREADS}: THREADS threads of this JVM take from the same queue, each until a "stop". */
    static void workers(String name, int threads) throws InterruptedException {
        ready.addAndGet(threads);
        int[] mine = new int[threads];
        int[] dups = new int[threads];
        Thread[] ts = new Thread[threads];
        for (int t = 0; t < threads; t++) {
            int me = t;
            ts[t] = new Thread(() -> {
                try {
                    while (true) {
                        String job = jobs.take();
                        if (job.equals("stop")) {
                            return;
                        }
                        if (results.putIfAbsent(job, name + ":" + job.toUpperCase()) != null) {
                            dups[me]++;
                        }
                        done.incrementAndGet();
                        log.offer(name + "." + me + " " + job);
                        mine[me]++;
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            ts[t].start();
        }
        int total = 0;
        int dup = 0;
        for (int t = 0; t < threads; t++) {
            ts[t].join();
            total += mine[t];
            dup += dups[t];
        }
        System.out.println("app: workers " + name + " did " + (total > 0 ? "some" : "none") + " dups " + dup);
    }

    static void producer(int n, int workers) throws InterruptedException {
        long end = System.currentTimeMillis() + 60_000;
        while (ready.get() < workers && System.currentTimeMillis() < end) {
            Thread.sleep(50);
        }
        Thread.sleep(500); // the workers are blocked in take() by now
        for (int i = 0; i < n; i++) {
            jobs.put("job-" + i);
        }
        for (int i = 0; i < workers; i++) {
            jobs.put("stop");
        }
        System.out.println("app: produced " + n + " for " + ready.get() + " workers");
    }

    static void check(int n) {
        int missing = 0;
        java.util.TreeSet<String> by = new java.util.TreeSet<>();
        for (int i = 0; i < n; i++) {
            String r = results.get("job-" + i);
            if (r == null || !r.endsWith(":JOB-" + i)) {
                missing++;
            } else {
                by.add(r.substring(0, r.indexOf(':')));
            }
        }
        System.out.println("app: results " + results.size() + " missing " + missing + " done " + done.get() + " log "
                + log.size() + " queue " + jobs.size() + " workers " + by + " members " + members.size() + " " + new java.util.TreeSet<>(members)
                + " tags " + tags.size());
    }

    static void contend(String name, int n) {
        ready.incrementAndGet();
        long end = System.currentTimeMillis() + 60_000;
        while (ready.get() % 3 != 0 && System.currentTimeMillis() < end) { // start together (3 JVMs)
            sleep(20);
        }
        int wins = 0;
        int dups = 0;
        AtomicLong local = new AtomicLong(); // not shared: the JDK's own
        int first = -1;
        int last = -1;
        for (int i = 0; i < n; i++) {
            if (results.putIfAbsent("claim-" + i, name) == null) {
                wins++;
            }
            results.merge("merged", "x", String::concat);
            results.compute("computed", (k, v) -> v == null ? "1" : Integer.toString(Integer.parseInt(v) + 1));
            int ticket = done.incrementAndGet();
            first = first < 0 ? ticket : first;
            last = ticket;
            if (results.putIfAbsent("ticket-" + ticket, name) != null) {
                dups++;
            }
            owner.compareAndSet(null, name);
            local.incrementAndGet();
        }
        boolean replaced = results.replace("computed", "never", "x");
        System.out.println("app: contend " + name + " wins " + (wins > 0 ? "some" : "none") + " dups " + dups + " local "
                + local.get() + " replace-stale " + replaced);
        System.out.println("app: wins " + name + " " + wins);
        // Tickets first..last not all ours: another JVM's increments ran in between (real contention).
        System.out.println("app: interleaved " + name + " " + (last - first + 1 != n));
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static void tally() {
        int claims = 0;
        int tickets = 0;
        for (String k : results.keySet()) {
            if (k.startsWith("claim-")) {
                claims++;
            } else if (k.startsWith("ticket-")) {
                tickets++;
            }
        }
        System.out.println("app: claims " + claims + " tickets " + tickets + " done " + done.get() + " merged "
                + results.get("merged").length() + " computed " + results.get("computed") + " owner-set "
                + (owner.get() != null));
    }

    static void timed(long ms) throws InterruptedException {
        long t0 = System.nanoTime();
        String v = idle.poll(ms, TimeUnit.MILLISECONDS);
        long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        System.out.println("app: poll " + v + (took >= ms ? " after the timeout" : " too early: " + took + " ms"));
    }

    static void interrupt() throws InterruptedException {
        idle.size(); // binds the root here
        long[] took = {-1};
        Thread t = new Thread(() -> {
            long t0 = System.nanoTime();
            try {
                idle.take();
            } catch (InterruptedException e) {
                took[0] = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            }
        });
        t.start();
        Thread.sleep(500);
        long t1 = System.nanoTime();
        t.interrupt();
        t.join(10_000);
        long after = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t1);
        System.out.println(took[0] >= 0 && after < 2000 ? "app: take interrupted promptly"
                : "app: take not interrupted promptly: " + took[0] + " / " + after + " ms");
    }

    static void fill() throws InterruptedException {
        boolean a = slots.offer(1);
        boolean b = slots.offer(2);
        boolean c = slots.offer(3); // full: capacity 2 in every JVM
        ready.incrementAndGet();
        long t0 = System.nanoTime();
        slots.put(3); // blocks until the drain JVM takes one
        long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        System.out.println("app: fill " + a + " " + b + " " + c + " capacity " + (slots.size() + slots.remainingCapacity())
                + (took >= 300 ? " put blocked until a take" : " put did not block: " + took + " ms"));
    }

    static void drain() throws InterruptedException {
        long end = System.currentTimeMillis() + 60_000;
        while (ready.get() < 1 && System.currentTimeMillis() < end) {
            Thread.sleep(50);
        }
        Thread.sleep(800); // the fill JVM is blocked in put()
        StringBuilder got = new StringBuilder();
        for (int i = 0; i < 3; i++) {
            got.append(' ').append(slots.take());
        }
        System.out.println("app: drained" + got);
    }
}

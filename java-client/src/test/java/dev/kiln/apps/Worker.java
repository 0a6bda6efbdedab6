package dev.kiln.apps;

import dev.kiln.ClusterLock;
import dev.kiln.Kiln;
import dev.kiln.KilnCluster;
import dev.kiln.SharedMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.locks.Condition;

/**
 * A separate JVM for TwoJvmTest: {@code Worker <spec> <role> <n>}. Prints "OK ..." on success,
 * exits non-zero on failure.
 */
public final class Worker {
    public static void main(String[] args) throws Exception {
        String spec = args[0];
        String role = args[1];
        int n = Integer.parseInt(args[2]);
        try (KilnCluster c = Kiln.connect(spec, role, 10_000)) {
            ConcurrentMap<String, Integer> map = c.map("jvm-map");
            BlockingQueue<String> queue = c.queue("jvm-queue");
            ClusterLock lock = c.lock("jvm-gate");
            Condition opened = lock.newCondition();
            switch (role) {
                case "producer": {
                    for (int i = 0; i < n; i++) {
                        map.put("k" + i, i);
                        queue.put("item-" + i);
                    }
                    c.flush();
                    System.out.println("OK produced " + n);
                    break;
                }
                case "consumer": {
                    for (int i = 0; i < n; i++) {
                        String item = queue.take();
                        if (!item.equals("item-" + i)) {
                            throw new AssertionError("expected item-" + i + ", got " + item);
                        }
                        // The map entry was committed before the item was offered: it is visible.
                        Integer v = map.get("k" + i);
                        if (v == null || v != i) {
                            throw new AssertionError("map k" + i + " = " + v);
                        }
                    }
                    System.out.println("OK consumed " + n);
                    break;
                }
                case "waiter": {
                    ConcurrentMap<String, Boolean> gate = c.map("jvm-gate-state");
                    lock.lock();
                    try {
                        System.out.println("WAITING");
                        System.out.flush();
                        while (!Boolean.TRUE.equals(gate.get("open"))) {
                            opened.await();
                        }
                    } finally {
                        lock.unlock();
                    }
                    System.out.println("OK woke");
                    break;
                }
                case "opener": {
                    ConcurrentMap<String, Boolean> gate = c.map("jvm-gate-state");
                    lock.lock();
                    try {
                        gate.put("open", true);
                        opened.signalAll();
                    } finally {
                        lock.unlock();
                    }
                    System.out.println("OK opened");
                    break;
                }
                case "listener": {
                    // A distributed call and a change notice from another JVM.
                    SharedMap<String, Integer> watched = c.map("jvm-watch");
                    CountDownLatch called = new CountDownLatch(1);
                    CountDownLatch changed = new CountDownLatch(1);
                    c.onInvoke("ping", call -> {
                        if (Integer.valueOf(n).equals(call.args().get(0))) {
                            called.countDown();
                        }
                    });
                    watched.addChangeListener(ev -> {
                        if (Integer.valueOf(n).equals(watched.get("x"))) {
                            changed.countDown();
                        }
                    });
                    System.out.println("WAITING");
                    System.out.flush();
                    if (!called.await(60, TimeUnit.SECONDS) || !changed.await(60, TimeUnit.SECONDS)) {
                        throw new AssertionError("no call (" + called.getCount() + ") or no change notice (" + changed.getCount() + ")");
                    }
                    System.out.println("OK called and notified");
                    break;
                }
                default:
                    throw new IllegalArgumentException("role " + role);
            }
        }
    }
}

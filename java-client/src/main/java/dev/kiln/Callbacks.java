package dev.kiln;

import dev.kiln.codec.ValueCodec;
import dev.kiln.internal.Native;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Distributed-call handlers and change listeners of one {@link KilnCluster}. Two daemon threads,
 * started on first use, pull from the native client and call the Java code:
 * {@code kiln-dmi-<client id>} ({@link Native#nextDmi}) and {@code kiln-changes-<client id>}
 * ({@link Native#nextChange}). Pulling from Java threads instead of calling Java from native
 * threads keeps every upcall on a thread the JVM created and names, that never blocks JVM exit,
 * and that stops by itself when the cluster closes.
 */
final class Callbacks {
    private static final Logger LOG = Logger.getLogger("dev.kiln");
    private static final long POLL_NANOS = 250_000_000L;

    private final KilnCluster cluster;
    private final Map<String, CopyOnWriteArrayList<InvocationHandler>> handlers = new ConcurrentHashMap<>();
    private final Map<Long, Sub> subs = new HashMap<>(); // guarded by this
    private Thread dmiThread; // guarded by this
    private Thread changeThread; // guarded by this

    /** The native subscription of one structure and its listeners. */
    private static final class Sub {
        final long handle;
        final Shared owner;
        final CopyOnWriteArrayList<ChangeListener> listeners = new CopyOnWriteArrayList<>();

        Sub(long handle, Shared owner) {
            this.handle = handle;
            this.owner = owner;
        }
    }

    Callbacks(KilnCluster cluster) {
        this.cluster = cluster;
    }

    private static Registration once(Runnable r) {
        AtomicBoolean done = new AtomicBoolean();
        return () -> {
            if (done.compareAndSet(false, true)) {
                r.run();
            }
        };
    }

    private Thread start(String kind, Runnable loop) {
        Thread t = new Thread(loop, "kiln-" + kind + "-" + cluster.clientId());
        t.setDaemon(true);
        t.start();
        return t;
    }

    // ------------------------------------------------------------------ distributed calls

    Registration onInvoke(String name, InvocationHandler handler) {
        if (name == null || handler == null) {
            throw new NullPointerException(name == null ? "name" : "handler");
        }
        synchronized (this) {
            if (dmiThread == null) {
                long h = cluster.enter();
                try {
                    Native.dmiListen(h);
                } finally {
                    cluster.exit();
                }
                dmiThread = start("dmi", this::dmiLoop);
            }
        }
        CopyOnWriteArrayList<InvocationHandler> list = handlers.computeIfAbsent(name, n -> new CopyOnWriteArrayList<>());
        list.add(handler);
        return once(() -> list.remove(handler));
    }

    private void dmiLoop() {
        while (!cluster.isClosed()) {
            byte[] b = pull(true);
            if (b == null) {
                continue;
            }
            List<Object> v;
            try {
                v = ValueCodec.decodeAll(b);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "undecodable distributed call dropped", e);
                continue;
            }
            long from = (Long) v.get(0);
            long receiver = (Long) v.get(1);
            String name = (String) v.get(2);
            int argc = (Integer) v.get(3);
            List<Object> args = new java.util.ArrayList<>(argc);
            for (int i = 0; i < argc; i++) {
                args.add(cluster.live(v.get(4 + i)));
            }
            List<InvocationHandler> hs = handlers.get(name);
            if (hs == null || hs.isEmpty()) {
                LOG.fine("distributed call '" + name + "' from node " + from + ": no handler on this node");
                continue;
            }
            Invocation call = new Invocation(cluster, name, Collections.unmodifiableList(args), from, receiver);
            for (InvocationHandler h : hs) {
                try {
                    h.onInvoke(call);
                } catch (Exception | Error e) {
                    LOG.log(Level.WARNING, "handler of distributed call '" + name + "' threw; ignored", e);
                }
            }
        }
    }

    /** One poll of the native queue; null on timeout, on error (logged) and once closed. */
    private byte[] pull(boolean dmi) {
        long h;
        try {
            h = cluster.enter();
        } catch (ClosedException e) {
            return null;
        }
        try {
            return dmi ? Native.nextDmi(h, POLL_NANOS) : Native.nextChange(h, POLL_NANOS);
        } catch (ClosedException e) {
            return null;
        } catch (RuntimeException e) {
            if (!cluster.isClosed()) {
                LOG.log(Level.WARNING, "kiln " + (dmi ? "distributed call" : "change") + " thread: poll failed; retrying", e);
                try {
                    Thread.sleep(POLL_NANOS / 1_000_000L);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                }
            }
            return null;
        } finally {
            cluster.exit();
        }
    }

    // ------------------------------------------------------------------ change notices

    Registration addChangeListener(Shared owner, ChangeListener listener) {
        if (listener == null) {
            throw new NullPointerException("listener");
        }
        long oid = owner.shared().oid;
        Sub sub;
        synchronized (this) {
            sub = subs.get(oid);
            if (sub == null) {
                long h = cluster.enter();
                long s;
                try {
                    s = Native.subscribe(h, oid);
                } finally {
                    cluster.exit();
                }
                cluster.trackSubscription(s);
                sub = new Sub(s, owner);
                subs.put(oid, sub);
                if (changeThread == null) {
                    changeThread = start("changes", this::changeLoop);
                }
            }
            sub.listeners.add(listener);
        }
        Sub mine = sub;
        return once(() -> remove(oid, mine, listener));
    }

    private synchronized void remove(long oid, Sub sub, ChangeListener listener) {
        sub.listeners.remove(listener);
        if (sub.listeners.isEmpty() && subs.get(oid) == sub) {
            subs.remove(oid);
            cluster.untrackSubscription(sub.handle);
        }
    }

    private void changeLoop() {
        while (!cluster.isClosed()) {
            byte[] b = pull(false);
            if (b == null) {
                continue;
            }
            List<Object> v = ValueCodec.decodeAll(b);
            long oid = (Long) v.get(0);
            Sub sub;
            synchronized (this) {
                sub = subs.get(oid);
            }
            if (sub == null) {
                continue; // unsubscribed meanwhile
            }
            ChangeEvent ev = new ChangeEvent(sub.owner, (Long) v.get(1), (Long) v.get(2));
            for (ChangeListener l : sub.listeners) {
                try {
                    l.changed(ev);
                } catch (RuntimeException | Error e) {
                    LOG.log(Level.WARNING, "change listener " + l + " threw; ignored", e);
                }
            }
        }
    }
}

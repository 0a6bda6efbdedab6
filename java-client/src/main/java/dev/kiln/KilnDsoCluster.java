package dev.kiln;

import com.tc.cluster.DsoCluster;
import com.tc.cluster.DsoClusterEvent;
import com.tc.cluster.DsoClusterListener;
import com.tc.cluster.DsoClusterTopology;
import com.tcclient.cluster.DsoNode;
import dev.kiln.agent.rt.Managed;
import com.tc.cluster.exceptions.UnclusteredObjectException;
import dev.kiln.codec.Ref;
import dev.kiln.codec.ValueCodec;
import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.Set;
import dev.kiln.internal.Native;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * {@link DsoCluster} of one {@link KilnCluster}. A daemon thread {@code kiln-cluster-events-<id>}
 * pulls membership events from the native client (started at the first
 * {@link KilnCluster#dsoCluster()} call) and calls the listeners, one event at a time.
 */
final class KilnDsoCluster implements DsoCluster {
    private static final Logger LOG = Logger.getLogger(KilnDsoCluster.class.getName());
    private static final long POLL_NANOS = 250_000_000L;

    /**
     * A node. Shareable: a built-in portable class of the transparent agent (it implements
     * {@link Managed} itself, so no {@code <include>} is needed and the agent shares it as a
     * physical object with its fields {@code clientId}, {@code name}, {@code ip}); equal, hashed
     * and ordered by client id, so a node read from a shared map in another JVM equals that JVM's
     * own node object and works as a {@code TreeMap} key. Also {@link java.io.Serializable}.
     */
    static final class Node implements DsoNode, Comparable<DsoNode>, Managed, java.io.Serializable {
        private static final long serialVersionUID = 1L;

        // Not final: a node materialised from the cluster gets them by reflection.
        private long clientId;
        private String name;
        private String ip;
        /** Resolved at the first {@link #getHostname()} (a reverse lookup), then kept. */
        private String hostname;
        private transient volatile long $kiln$oid;

        Node(long clientId, String name, String addr) {
            this.clientId = clientId;
            this.name = name;
            int colon = addr == null ? -1 : addr.lastIndexOf(':');
            String host = colon > 0 ? addr.substring(0, colon) : (addr == null ? "" : addr);
            this.ip = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        }

        long clientId() {
            return clientId;
        }

        @Override
        public String getId() {
            return "ClientID[" + clientId + "]";
        }

        @Override
        public String getIp() {
            return ip;
        }

        @Override
        public String getHostname() {
            String h = hostname;
            if (h == null) {
                try {
                    h = ip.isEmpty() ? "" : java.net.InetAddress.getByName(ip).getHostName();
                } catch (Exception e) {
                    h = ip;
                }
                hostname = h;
            }
            return h;
        }

        @Override
        public boolean equals(Object o) {
            if (o instanceof Node) {
                return ((Node) o).clientId == clientId;
            }
            return o instanceof DsoNode && getId().equals(((DsoNode) o).getId());
        }

        @Override
        public int hashCode() {
            return getId().hashCode();
        }

        /** By client id (join order); a foreign {@link DsoNode} by its id string. */
        @Override
        public int compareTo(DsoNode o) {
            if (o instanceof Node) {
                return Long.compare(clientId, ((Node) o).clientId);
            }
            return getId().compareTo(o.getId());
        }

        @Override
        public long $kiln$oid() {
            return $kiln$oid;
        }

        @Override
        public void $kiln$oid(long oid) {
            $kiln$oid = oid;
        }

        @Override
        public String toString() {
            return getId() + (name == null || name.isEmpty() ? "" : " (" + name + ")") + "@" + ip;
        }
    }

    private static final class Event implements DsoClusterEvent {
        private final DsoNode node;

        Event(DsoNode node) {
            this.node = node;
        }

        @Override
        public DsoNode getNode() {
            return node;
        }

        @Override
        public String toString() {
            return "DsoClusterEvent[" + node + "]";
        }
    }

    private final KilnCluster cluster;
    private final Node self;
    private final Map<Long, Node> nodes = new LinkedHashMap<>();
    private final List<DsoClusterListener> listeners = new CopyOnWriteArrayList<>();
    private volatile boolean enabled = true;
    private volatile boolean joined = true;

    KilnDsoCluster(KilnCluster cluster) {
        this.cluster = cluster;
        long h = cluster.enter();
        List<Object> v;
        try {
            // Drop what happened before anyone listened: the topology below is the current one.
            while (Native.nextEvent(h, 0) != null) {
                // stale
            }
            v = ValueCodec.decodeAll(Native.nodes(h));
        } finally {
            cluster.exit();
        }
        long selfId = (Long) v.get(0);
        Node me = null;
        synchronized (nodes) {
            for (int i = 1; i + 3 < v.size(); i += 4) {
                Node n = new Node((Long) v.get(i), (String) v.get(i + 1), (String) v.get(i + 3));
                nodes.put(n.clientId(), n);
                if (n.clientId() == selfId) {
                    me = n;
                }
            }
            if (me == null) {
                me = new Node(selfId, "", "127.0.0.1:0");
                nodes.put(selfId, me);
            }
        }
        this.self = me;
        Thread t = new Thread(this::pump, "kiln-cluster-events-" + selfId);
        t.setDaemon(true);
        t.start();
    }

    private void pump() {
        while (!cluster.isClosed()) {
            byte[] b;
            long h;
            try {
                h = cluster.enter();
            } catch (ClosedException e) {
                break;
            }
            try {
                b = Native.nextEvent(h, POLL_NANOS);
            } catch (RuntimeException e) {
                LOG.log(Level.FINE, "cluster event thread stops", e);
                break;
            } finally {
                cluster.exit();
            }
            if (b != null) {
                dispatch(ValueCodec.decodeAll(b));
            }
        }
        if (enabled) {
            enabled = false;
            joined = false;
            fire(l -> l.operationsDisabled(new Event(self)));
        }
    }

    private void dispatch(List<Object> v) {
        int kind = (Integer) v.get(0);
        switch (kind) {
            case 1: {
                Node n = new Node((Long) v.get(1), (String) v.get(2), (String) v.get(4));
                synchronized (nodes) {
                    nodes.put(n.clientId(), n);
                }
                fire(l -> l.nodeJoined(new Event(n)));
                break;
            }
            case 2: {
                long id = (Long) v.get(1);
                Node n;
                synchronized (nodes) {
                    n = nodes.remove(id);
                }
                Node left = n != null ? n : new Node(id, (String) v.get(2), (String) v.get(4));
                fire(l -> l.nodeLeft(new Event(left)));
                break;
            }
            case 3:
                enabled = false;
                joined = false;
                fire(l -> l.operationsDisabled(new Event(self)));
                break;
            case 4:
                enabled = false;
                fire(l -> l.operationsDisabled(new Event(self)));
                break;
            case 5:
                enabled = true;
                fire(l -> l.operationsEnabled(new Event(self)));
                break;
            default:
                LOG.fine("unknown cluster event kind " + kind);
        }
    }

    private interface Call {
        void on(DsoClusterListener l);
    }

    private void fire(Call c) {
        for (DsoClusterListener l : listeners) {
            try {
                c.on(l);
            } catch (RuntimeException | Error e) {
                LOG.log(Level.WARNING, "cluster listener " + l + " threw; ignored", e);
            }
        }
    }

    @Override
    public void addClusterListener(DsoClusterListener listener) {
        if (listener == null) {
            throw new NullPointerException("listener");
        }
        listeners.add(listener);
        if (joined) {
            try {
                listener.nodeJoined(new Event(self));
                if (enabled) {
                    listener.operationsEnabled(new Event(self));
                }
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "cluster listener " + listener + " threw; ignored", e);
            }
        }
    }

    @Override
    public void removeClusterListener(DsoClusterListener listener) {
        listeners.remove(listener);
    }

    @Override
    public DsoClusterTopology getClusterTopology() {
        final List<DsoNode> snapshot;
        synchronized (nodes) {
            snapshot = Collections.unmodifiableList(new ArrayList<DsoNode>(nodes.values()));
        }
        return new DsoClusterTopology() {
            @Override
            public Collection<DsoNode> getNodes() {
                return snapshot;
            }

            @Override
            public String toString() {
                return "DsoClusterTopology" + snapshot;
            }
        };
    }

    @Override
    public DsoNode getCurrentNode() {
        return self;
    }

    @Override
    public boolean isNodeJoined() {
        return joined && !cluster.isClosed();
    }

    @Override
    public boolean areOperationsEnabled() {
        return enabled && !cluster.isClosed();
    }

    @Override
    public DsoNode waitUntilNodeJoinsCluster() {
        return self;
    }

    // ------------------------------------------------------------------ object location

    private static long oidOf(Object o) {
        if (o instanceof Shared) {
            return ((Shared) o).shared().objectId();
        }
        throw new UnclusteredObjectException(o);
    }

    private DsoNode node(long id) {
        synchronized (nodes) {
            Node n = nodes.get(id);
            return n != null ? n : new Node(id, "", "");
        }
    }

    /** Per object id, the client ids where it is resident (one round trip). */
    private List<Set<Long>> locate(long[] oids) {
        if (oids.length == 0) {
            return Collections.emptyList();
        }
        ByteArrayOutputStream enc = new ByteArrayOutputStream();
        for (long oid : oids) {
            byte[] b = ValueCodec.encode(oid);
            enc.write(b, 0, b.length);
        }
        long h = cluster.enter();
        List<Object> v;
        try {
            v = ValueCodec.decodeAll(Native.locate(h, enc.toByteArray()));
        } finally {
            cluster.exit();
        }
        List<Set<Long>> out = new ArrayList<>(oids.length);
        int i = 0;
        while (i < v.size()) {
            int n = (Integer) v.get(i++);
            Set<Long> ids = new HashSet<>();
            for (int k = 0; k < n; k++) {
                ids.add((Long) v.get(i++));
            }
            out.add(ids);
        }
        return out;
    }

    private Set<DsoNode> nodesOf(Set<Long> ids) {
        Set<DsoNode> out = new LinkedHashSet<>();
        for (Long id : ids) {
            out.add(node(id));
        }
        return Collections.unmodifiableSet(out);
    }

    @Override
    public Set<DsoNode> getNodesWithObject(Object object) {
        return nodesOf(locate(new long[] {oidOf(object)}).get(0));
    }

    @Override
    public Map<?, Set<DsoNode>> getNodesWithObjects(Object... objects) {
        return getNodesWithObjects(objects == null ? Collections.emptyList() : Arrays.asList(objects));
    }

    /** Keyed by identity: a shared map's equals/hashCode would read its whole content. */
    @Override
    public Map<?, Set<DsoNode>> getNodesWithObjects(Collection<?> objects) {
        List<Object> list = new ArrayList<>(objects);
        long[] oids = new long[list.size()];
        for (int i = 0; i < oids.length; i++) {
            oids[i] = oidOf(list.get(i));
        }
        List<Set<Long>> located = locate(oids);
        Map<Object, Set<DsoNode>> out = new IdentityHashMap<>();
        for (int i = 0; i < oids.length; i++) {
            out.put(list.get(i), nodesOf(located.get(i)));
        }
        return Collections.unmodifiableMap(out);
    }

    /** The entries of a shared map whose values are shared structures, and where those are resident. */
    private <K> Set<K> keysWhere(Map<K, ?> map, boolean local) {
        if (!(map instanceof SharedMap)) {
            throw new UnclusteredObjectException(map);
        }
        List<K> keys = new ArrayList<>();
        List<Long> oids = new ArrayList<>();
        Set<K> out = new LinkedHashSet<>();
        // The raw entries: resolving a reference to a live structure would fault it in here.
        List<Object> flat = ((SharedMap<K, ?>) map).shared().rawSnapshot();
        for (int i = 0; i + 1 < flat.size(); i += 2) {
            @SuppressWarnings("unchecked")
            K key = (K) cluster.live(flat.get(i));
            Object v = flat.get(i + 1);
            if (v instanceof Ref) {
                keys.add(key);
                oids.add(((Ref) v).oid());
            } else if (local) {
                out.add(key); // a literal lives in the map, which this node has read
            }
        }
        long[] arr = new long[oids.size()];
        for (int i = 0; i < arr.length; i++) {
            arr[i] = oids.get(i);
        }
        List<Set<Long>> located = locate(arr);
        for (int i = 0; i < arr.length; i++) {
            Set<Long> at = located.get(i);
            if (local ? at.contains(self.clientId()) : at.isEmpty()) {
                out.add(keys.get(i));
            }
        }
        return out;
    }

    @Override
    public <K> Set<K> getKeysForOrphanedValues(Map<K, ?> map) {
        return keysWhere(map, false);
    }

    @Override
    public <K> Set<K> getKeysForLocalValues(Map<K, ?> map) {
        return keysWhere(map, true);
    }
}

package dev.kiln.internal;

/**
 * The JNI surface of {@code libkiln_jni} (crate {@code jni-agent}). This file is the contract
 * between the Java runtime and the native bridge: the bridge converts arguments, calls the Rust
 * {@code kiln} client's blocking facade and converts results; it holds no protocol or lock logic.
 *
 * <p>Conventions:
 * <ul>
 *   <li>Handles are {@code long}s: a client handle from {@link #connect}, a transaction handle
 *       from {@link #lockNamed}/{@link #lockObject}. {@code 0} is never a valid handle. A client
 *       handle is freed by {@link #close} exactly once; a transaction handle by {@link #commit}
 *       (or {@link #abandon}) exactly once. Owners (AutoCloseable Java objects) guarantee this.
 *       A transaction handle belongs to the thread that locked.</li>
 *   <li>Values cross as {@code byte[]} in the value encoding of docs/protocol.md §3 (one tag
 *       byte + payload), produced and read by {@code dev.kiln.codec.ValueCodec}. "Values" (plural)
 *       results are the concatenation of encoded values. A {@code null} {@code byte[]} result
 *       means "absent" (not the encoded Java {@code null}, which is {@code {0x00}}).</li>
 *   <li>Lock levels: 1 read, 2 write, 3 concurrent, 4 synchronous-write (protocol LockLevel).</li>
 *   <li>Root kinds: 0 map, 1 list, 2 set, 3 queue, 4 sorted map.</li>
 *   <li>Timeouts are nanoseconds; a negative timeout means "wait forever".</li>
 *   <li>Errors are thrown as the exceptions of {@code dev.kiln} (all extend
 *       {@code dev.kiln.KilnException}, a RuntimeException), with the client's message:
 *       <ul>
 *         <li>ConnectFailed, ConnectionLost → {@code dev.kiln.ConnectionLostException}</li>
 *         <li>LockTimeout, Timeout → {@code dev.kiln.LockTimeoutException}</li>
 *         <li>Interrupted → {@code dev.kiln.KilnInterruptedException}</li>
 *         <li>NonPortable → {@code dev.kiln.NonPortableException}</li>
 *         <li>VersionMismatch, Protocol → {@code dev.kiln.ProtocolMismatchException}</li>
 *         <li>Refused, ReconnectFailed → {@code dev.kiln.ServerRefusedException}</li>
 *         <li>StorageUnavailable, TxnRejected → {@code dev.kiln.StorageUnavailableException}</li>
 *         <li>Config → {@code dev.kiln.ConfigException}</li>
 *         <li>Closed → {@code dev.kiln.ClosedException}</li>
 *         <li>anything else (WrongKind, UnknownObject, IllegalState, ServerError, Io, a bad
 *             handle, a panic in the bridge, undecodable value bytes) → {@code dev.kiln.KilnException}</li>
 *       </ul>
 *       Each exception class has a public {@code (String message)} constructor.</li>
 * </ul>
 */
public final class Native {
    private Native() {}

    /** Bridge version string (e.g. "kiln_jni 0.1.0, protocol 1"). Never throws. */
    public static native String version();

    /** A no-op native call returning its argument (JNI round-trip benchmark). */
    public static native long noop(long x);

    // ------------------------------------------------------------------ client

    /**
     * Connects. {@code spec} is a tc-config.xml path (if it names an existing file) or
     * "host:port[,host:port]". {@code name} is the client name shown by the server (may be null).
     * {@code connectTimeoutMillis}: how long to keep trying (negative: the config's l1.* settings).
     * Returns a client handle.
     */
    public static native long connect(String spec, String name, long connectTimeoutMillis);

    /**
     * {@link #connect} with {@code servers} ("host:port[,host:port]", Terracotta's
     * {@code -Dtc.server}) replacing the servers of the configuration {@code spec} names (its
     * other client settings still apply).
     */
    public static native long connectServers(String spec, String servers, String name, long connectTimeoutMillis);

    /**
     * The client side of the tc-config.xml at {@code path}: string {@code <clients><logs>}
     * directory, substituted ({@code %i}, {@code %D}, ...), or null; then per
     * {@code <injected-field>} string field name and string instance type (or null).
     */
    public static native byte[] clientConfig(String path);

    /**
     * Closes the client's connection (says goodbye to the server, best effort) WITHOUT freeing the
     * handle: calls blocked in other threads (lock, await, take) return with ClosedException, and
     * later calls on the handle fail with ClosedException. Idempotent.
     */
    public static native void shutdown(long client);

    /** Closes (if not yet shut down) and frees the client handle. Called exactly once. */
    public static native void close(long client);

    /** The server-assigned client id. */
    public static native long clientId(long client);

    /** Waits until every transaction committed so far is acknowledged by the server. */
    public static native void flush(long client);

    /** The object id of root {@code name}, creating an empty structure of {@code kind} if absent. */
    public static native long root(long client, String name, int kind);

    // ------------------------------------------------------------------ locks = transactions

    /** Locks the named lock at {@code level}; returns a transaction handle, or 0 on timeout. */
    public static native long lockNamed(long client, String name, int level, long timeoutNanos);

    /**
     * A lock-name handle: the named lock resolved once for this client, so that
     * {@link #lockNamedFast} passes only primitives and a greedy re-acquire touches neither JNI
     * strings nor the client's lock table. Freed by {@link #freeLockName} exactly once, when no
     * thread can use it any more (it may outlive the client handle: it then only holds memory).
     */
    public static native long lockName(long client, String name);

    /** Frees a lock-name handle. */
    public static native void freeLockName(long lockName);

    /** {@link #lockNamed} with a handle from {@link #lockName} of the same client. */
    public static native long lockNamedFast(long client, long lockName, int level, long timeoutNanos);

    /**
     * {@link #lockNamedFast} and the agent's remote-change check in one JNI crossing: 0 when not
     * acquired in time, else the transaction handle ({@code r & ~1L}) with its low bit set when
     * {@link #changesSeq}, read after the award, differs from {@code appliedSeq} (remote changes
     * arrived that the caller must apply before it runs under the lock).
     */
    public static native long lockFast(long client, long lockName, int level, long timeoutNanos, long appliedSeq);

    /**
     * The lock of object {@code oid} resolved once (as {@link #lockName} does for a name), for
     * {@link #lockNamedFast}; freed by {@link #freeLockName}.
     */
    public static native long lockObjectHandle(long client, long oid);

    /**
     * Whether the server recalled the lease of lock handle {@code lockName} (from
     * {@link #lockObjectHandle}) or a local acquirer waits for it: a hold kept for others (the
     * agent's parked read leases) is then given back.
     */
    public static native boolean lockReleaseWanted(long lockName);

    /**
     * Marks the read hold of lock handle {@code lockName} as parked (kept for others) or not: a
     * recall or a queued local acquirer of a parked lock wakes {@link #awaitReleaseWanted}.
     * Returns whether the lock is wanted back already ({@link #lockReleaseWanted} as of the mark).
     */
    public static native boolean lockParked(long lockName, boolean parked);

    /**
     * Blocks until a lock marked by {@link #lockParked} is wanted back since counter
     * {@code seen}, or {@code timeoutMillis} pass; returns the counter now.
     */
    public static native long awaitReleaseWanted(long client, long seen, long timeoutMillis);

    /** Locks the lock of object {@code oid} at {@code level}; returns a transaction handle, or 0 on timeout. */
    public static native long lockObject(long client, long oid, int level, long timeoutNanos);

    /** Commits the transaction's changes and releases its lock; frees the handle (also on error). */
    public static native void commit(long txn);

    /** Releases the lock; frees the handle. Changes already made are still committed (there is no rollback). */
    public static native void abandon(long txn);

    /** The fencing token of the lock award. */
    public static native long token(long txn);

    /**
     * Object.wait() across the cluster on the transaction's lock (must be write level): releases,
     * waits for a notify or the timeout, re-acquires. Returns 1 notified, 2 timed out, 3 interrupted.
     */
    public static native int await(long txn, long timeoutNanos);

    /**
     * A handle that interrupts the transaction's current or next {@link #await} from any thread
     * (the await then returns 3 with the lock held again). Free it with {@link #freeWaiter}.
     */
    public static native long waiter(long txn);

    /** Interrupts the wait of a {@link #waiter} handle; callable from any thread. */
    public static native void interruptWaiter(long waiter);

    /** Frees a {@link #waiter} handle. */
    public static native void freeWaiter(long waiter);

    /** notify() (all=false) or notifyAll() (all=true) on the transaction's lock; sent at commit. */
    public static native void notify(long txn, boolean all);

    // ------------------------------------------------------------------ membership

    /**
     * The cluster's nodes: i64 this node's client id, then per other node four values: i64 client
     * id, string name, i32 pid, string address (as the server sees it).
     */
    public static native byte[] nodes(long client);

    /**
     * The next membership event within the timeout, or null: i32 kind (1 joined, 2 left,
     * 3 disconnected for good, 4 reconnecting, 5 reconnected), then for 1 and 2 the node's four
     * values as in {@link #nodes}. Events are those after connect; one consumer per client.
     * Works after {@link #shutdown} (reports 3).
     */
    public static native byte[] nextEvent(long client, long timeoutNanos);

    /**
     * Where objects are resident ({@code oids}: concatenated i64 values): per object, in order,
     * i32 count then that many i64 client ids, ascending, this client included. One round trip.
     */
    public static native byte[] locate(long client, byte[] oids);

    // ------------------------------------------------------------------ reads (no lock needed)

    /** Map lookup; null if the key is absent. */
    public static native byte[] mapGet(long client, long oid, byte[] key);

    /** Elements of a list/queue/set, or keys and values alternating (k1 v1 k2 v2 ...) of a map. */
    public static native byte[] values(long client, long oid);

    /** Number of elements (entries of a map). */
    public static native int size(long client, long oid);

    /** List/queue element at {@code index}; null if out of range. */
    public static native byte[] listGet(long client, long oid, int index);

    // ------------------------------------------------------------------ writes (inside a transaction)

    /** Puts; returns the previous value, or null if the key was absent. */
    public static native byte[] mapPut(long txn, long oid, byte[] key, byte[] value);

    /** Removes; returns the previous value, or null if the key was absent. */
    public static native byte[] mapRemove(long txn, long oid, byte[] key);

    /** Empties a map, list, set or queue. */
    public static native void clear(long txn, long oid);

    /** Appends to a list or queue (adds to a set). Returns false if a set already had it. */
    public static native boolean add(long txn, long oid, byte[] value);

    /** Inserts into a list at index. */
    public static native void addAt(long txn, long oid, int index, byte[] value);

    /** Replaces a list element; returns the previous one. */
    public static native byte[] listSet(long txn, long oid, int index, byte[] value);

    /** Removes a list element by index; returns it. */
    public static native byte[] removeAt(long txn, long oid, int index);

    /** Removes the first element equal to value from a list/queue/set; true if one was removed. */
    public static native boolean removeValue(long txn, long oid, byte[] value);

    /**
     * Creates an empty collection of {@code kind} (0 map, 1 list, 2 set, 3 queue, 4 sorted map),
     * bound to no root; returns its object id. It lives while a shared structure references it
     * (or this client holds it). It is created on {@code stripe} (negative: the lock's stripe),
     * as {@link #objCreate}.
     */
    public static native long create(long txn, int kind, int stripe);

    /** Takes the head of a queue; null if empty. */
    public static native byte[] poll(long txn, long oid);
    /** The kind of object {@code oid}: 0 map, 1 list, 2 set, 3 queue, 4 sorted map, -1 anything else. */
    public static native int kind(long client, long oid);

    // ------------------------------------------------------------------ distributed calls

    /**
     * A distributed method call fired when the transaction commits: {@code receiver} 0 (none)
     * or an object id, {@code args} concatenated encoded values, {@code allNodes} true for every
     * other node, false for the nodes where {@code receiver} is resident.
     */
    public static native void invoke(long txn, long receiver, String method, byte[] args, boolean allNodes);

    /** Starts keeping the distributed calls delivered to this client for {@link #nextDmi} (idempotent). */
    public static native void dmiListen(long client);

    /**
     * The next distributed call within the timeout, or null: i64 calling client, i64 receiver
     * (0: none), string method, i32 argument count, then the arguments. Throws KilnException if
     * {@link #dmiListen} was not called. One consumer per client.
     */
    public static native byte[] nextDmi(long client, long timeoutNanos);

    // ------------------------------------------------------------------ change notices

    /**
     * Subscribes to changes other nodes commit to object {@code oid}; returns a subscription
     * handle, freed by {@link #unsubscribe} exactly once. Returns once the server registered it.
     */
    public static native long subscribe(long client, long oid);

    /** Ends a subscription and frees its handle. */
    public static native void unsubscribe(long subscription);

    /**
     * The next change notice of any subscription of this client within the timeout, or null:
     * i64 object id, i64 transaction id, i64 client that committed it. One consumer per client.
     */
    public static native byte[] nextChange(long client, long timeoutNanos);

    // ------------------------------------------------------------------ transparent agent (dev.kiln.agent)

    /**
     * Parses {@code <application><dso>} of the tc-config.xml at {@code path} (the one parser:
     * AspectWerkz expressions are compiled natively; a bad one is a ConfigException naming
     * file:line:column). Returns a config handle that lives for the process (never freed).
     */
    public static native long agentConfig(String path);

    /**
     * Null when the class (dotted binary name) is not instrumented; else: bool honor-transient,
     * string on-load method/script (or null), bool on-load is an {@code <execute>} script, then
     * the class's {@code <transient-fields>} names (strings).
     */
    public static native byte[] agentClass(long cfg, String className);

    /**
     * Null when no lock or distributed-method rule matches the method; else: i32 autolock level
     * (0 none, else as lock levels above), bool auto-synchronized, string the autolock
     * expression (or null), string named lock (or null), i32 named-lock level, i32 DMI (0 none,
     * 1 all nodes, 2 where the receiver is resident). {@code access} is the JVM access flags.
     */
    public static native byte[] agentMethod(long cfg, String className, String name, String desc, int access);

    /** The configured roots: per root three strings: declaring class, field name, root name. */
    public static native byte[] agentRoots(long cfg);

    /** Rule counts: i32 instrumented-class rules, i32 lock and distributed-method rules. */
    public static native byte[] agentCounts(long cfg);

    /**
     * A new physical object of {@code className} with no fields yet; its object id. It is created
     * on {@code stripe}: the stripe of the object that links it or of the root it is assigned to
     * (a negative value: the transaction's lock's stripe).
     */
    public static native long objCreate(long txn, String className, int stripe);

    /** The stripe root {@code name} lives on (0 with one stripe). */
    public static native int rootStripe(long client, String name);

    /** Sets fields of a resident physical object: (string declaring class, string name, value) triples. */
    public static native void objSetFields(long txn, long oid, byte[] fields);

    /**
     * A physical object's state (faulted in with the prefetch if not resident): string class name,
     * then (string declaring class, string name, value) triples.
     */
    public static native byte[] objState(long client, long oid);

    /** The value bound to root {@code name}, or null when unbound. */
    public static native byte[] rootValue(long client, String name);

    /** Binds root {@code name} (first writer wins; {@code replace} re-binds a literal root); the value bound after. */
    public static native byte[] rootBind(long client, String name, byte[] value, boolean replace);

    /** How many transactions of other clients were applied to this client's cache so far. */
    public static native long remoteTxns(long client);

    /**
     * A counter that moves whenever the client records a change the server made to its cache
     * (starts the client's change tracking on first use).
     */
    public static native long changesSeq(long client);

    /**
     * The counter of {@link #changesSeq} itself as an 8-byte direct buffer in native byte order,
     * valid for the rest of the process: read in place (an acquire load), it saves the crossing
     * (the agent's parked read leases). Starts the change tracking as {@link #changesSeq} does.
     */
    public static native java.nio.ByteBuffer changesSeqBuffer(long client);

    /**
     * The ids of cached objects the server changed since the last call (empty: none), or null
     * when anything may have changed (tracking just started, too many to list): refresh all.
     */
    public static native long[] takeChanged(long client);

    /** Blocks until a change waits for {@link #takeChanged} or {@code timeoutMs} passes; true when one waits. */
    public static native boolean awaitChanged(long client, long timeoutMs);

    /**
     * Drops objects the agent released (collected in this JVM) from the client's cache and tells
     * the server, which stops sending their changes; an object an open transaction changed is
     * kept until that transaction is sent. Returns how many were dropped.
     */
    public static native int evictReleased(long client, long[] oids);

    /** Objects in the client's cache (diagnostics). */
    public static native long cachedCount(long client);

    /**
     * A new empty logical collection (kind as {@link #create}) recorded with class name
     * {@code className} (the transparent agent's JDK collections: the JDK type plus what
     * materialising it needs, e.g. {@code java.util.TreeMap|comparator=demo.ByName}); its object id.
     * {@link #objState} of a collection returns i32 kind, string class name, then its elements
     * (a map's keys and values alternating), in order. Placed on {@code stripe} as {@link #objCreate}.
     */
    public static native long collCreate(long txn, String className, int kind, int stripe);

    /**
     * A new array object of Java array class {@code className} ({@code [I}, {@code [Ldemo.P;}) with
     * {@code values} (one encoded value per element, of the element type); its object id.
     * {@link #objState} of an array returns i32 5, the class name, then its elements. Placed on
     * {@code stripe} as {@link #objCreate}.
     */
    public static native long arrCreate(long txn, String className, byte[] values, int stripe);

    /** Sets element {@code index} of a shared array. */
    public static native void arrSet(long txn, long oid, int index, byte[] value);

    /** Replaces the content of a shared object array (same length). */
    public static native void arrSetAll(long txn, long oid, byte[] values);
}

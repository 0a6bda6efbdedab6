//! What the handles point to, and the operations of the contract on them: plain safe Rust over
//! the client's blocking facade (no JNI here; argument conversion is in [`crate::convert`]).

use std::path::Path;
use std::time::Duration;

use bytes::BytesMut;
use kiln::blocking::{Client, Txn};
use kiln::{
    ChangeEvent, ClientBuilder, ClusterEvent, ConnectionState, DeltaOp, DmiCall, DmiEvent,
    LockHandle, LockId, LockLevel, NodeInfo, ObjectData, ObjectId, SubTarget, Subscription, Value,
    WakeReason,
};

use tokio::sync::broadcast;

use crate::convert::{self, RootKind};
use crate::error::{BridgeError, Result};

/// What a client handle (`long`) points to.
#[derive(Debug)]
pub struct ClientHandle {
    /// The client.
    pub client: Client,
    /// Membership events for `Native.nextEvent`, subscribed at connect (one consumer: the Java
    /// side's single event thread).
    pub events: parking_lot::Mutex<broadcast::Receiver<ClusterEvent>>,
    /// Distributed calls for `Native.nextDmi`, subscribed by `Native.dmiListen` (one consumer:
    /// the Java side's single DMI thread). `None` until then: calls delivered before are not
    /// kept.
    pub dmi: parking_lot::Mutex<Option<broadcast::Receiver<DmiEvent>>>,
    /// Change notices of every subscription of this client (`Native.subscribe`), queued by the
    /// client's callback thread for `Native.nextChange`.
    changes_tx: std::sync::mpsc::Sender<ChangeEvent>,
    changes_rx: parking_lot::Mutex<std::sync::mpsc::Receiver<ChangeEvent>>,
}

/// What a subscription handle (`long`) points to: dropping it unsubscribes.
#[derive(Debug)]
pub struct SubHandle {
    /// The client's subscription.
    pub sub: Subscription,
}

/// Membership event kinds of `Native.nextEvent` (first value of the encoding).
pub mod event_kind {
    /// Another node joined.
    pub const JOINED: i32 = 1;
    /// Another node left.
    pub const LEFT: i32 = 2;
    /// This node's connection is gone for good.
    pub const DISCONNECTED: i32 = 3;
    /// This node lost its connection and is reconnecting.
    pub const RECONNECTING: i32 = 4;
    /// This node reconnected.
    pub const RECONNECTED: i32 = 5;
}

/// Appends a node as four values: i64 id, string name, i32 pid, string address.
fn encode_node(out: &mut BytesMut, n: &NodeInfo) {
    Value::I64(n.id as i64).encode(out);
    Value::Str(n.name.clone()).encode(out);
    Value::I32(n.pid as i32).encode(out);
    Value::Str(n.addr.clone()).encode(out);
}

/// What [`recv_within`] got.
enum Recv<T> {
    Got(T),
    /// Nothing within the timeout, or the receiver lagged (logged).
    Nothing,
    /// The sender is gone (the client is closed).
    Closed,
}

/// The next item of a broadcast channel within `timeout`. A receiver that fell behind loses
/// what it missed (logged as a warning naming `what`).
fn recv_within<T: Clone>(
    client: &Client,
    rx: &mut broadcast::Receiver<T>,
    timeout: Duration,
    what: &'static str,
) -> Recv<T> {
    match client.block_on(async { tokio::time::timeout(timeout, rx.recv()).await }) {
        Err(_elapsed) => Recv::Nothing,
        Ok(Ok(ev)) => Recv::Got(ev),
        Ok(Err(broadcast::error::RecvError::Lagged(n))) => {
            tracing::warn!(
                missed = n,
                "{what} lagged: {n} were dropped (their Java consumer is too slow)"
            );
            Recv::Nothing
        }
        Ok(Err(broadcast::error::RecvError::Closed)) => Recv::Closed,
    }
}

/// What a transaction handle (`long`) points to: the lock guard (= the transaction) and the
/// client it belongs to (to fault objects in before changing them).
#[derive(Debug)]
pub struct TxnHandle {
    /// The transaction.
    pub txn: Txn,
    /// Its client.
    pub client: Client,
}

/// Connects as `Native.connect` does: `spec` is a tc-config.xml path when it names an existing
/// file, else `host:port[,host:port]` (mirror groups separated by `;`); `timeout` (if any) is the
/// overall connect deadline.
pub fn connect(spec: &str, name: Option<&str>, timeout: Option<Duration>) -> Result<ClientHandle> {
    connect_with(spec, None, name, timeout)
}

/// [`connect`], with `servers` (`host:port[,host:port]`, Terracotta's `-Dtc.server`), if given,
/// replacing the servers of the configuration (its other client settings still apply).
pub fn connect_with(
    spec: &str,
    servers: Option<&str>,
    name: Option<&str>,
    timeout: Option<Duration>,
) -> Result<ClientHandle> {
    // Groups separated by `;` are the stripes of a cluster of several mirror groups.
    let mut b = if Path::new(spec).is_file() {
        ClientBuilder::from_config_file(spec)?
    } else {
        ClientBuilder::new(Vec::<String>::new()).groups(convert::spec_groups(spec)?)
    };
    if let Some(s) = servers {
        b = b.groups(convert::spec_groups(s)?);
    }
    if let Some(n) = name {
        b = b.name(n);
    }
    if let Some(t) = timeout {
        b = b.connect_deadline(t);
    }
    tracing::debug!(spec, ?servers, ?name, ?timeout, "connecting");
    let client = b.connect_blocking()?;
    tracing::debug!(client_id = client.client_id(), "connected");
    let events = parking_lot::Mutex::new(client.events());
    let (changes_tx, changes_rx) = std::sync::mpsc::channel();
    Ok(ClientHandle {
        client,
        events,
        dmi: parking_lot::Mutex::new(None),
        changes_tx,
        changes_rx: parking_lot::Mutex::new(changes_rx),
    })
}

fn kind_of(data: &ObjectData) -> &'static str {
    data.kind_name()
}

fn wrong_kind(oid: ObjectId, expected: &'static str, actual: &'static str) -> BridgeError {
    BridgeError::Client(kiln::Error::WrongKind {
        oid,
        expected,
        actual,
    })
}

impl ClientHandle {
    /// The client, unless it was shut down: every call on a shut-down handle fails with
    /// [`kiln::Error::Closed`] (the client itself still serves cache hits and greedy re-acquires
    /// after `close`).
    pub fn open(&self) -> Result<&Client> {
        match self.client.state() {
            ConnectionState::Closed => Err(kiln::Error::Closed.into()),
            _ => Ok(&self.client),
        }
    }

    /// Says goodbye (flushing first) without freeing anything: later calls, and calls blocked
    /// in other threads, fail with [`kiln::Error::Closed`]. Idempotent. Errors of a client whose
    /// connection is already gone are only logged (closing is best effort); others (e.g.
    /// storage unavailable at the flush) are returned.
    pub fn shutdown(&self) -> Result<()> {
        match self.client.close() {
            Ok(()) => Ok(()),
            Err(e) if e.is_fatal() => {
                tracing::debug!(error = %e, "close of a failed client");
                Ok(())
            }
            Err(e) => Err(e.into()),
        }
    }

    /// [`ClientHandle::shutdown`] (a no-op if already shut down), then drops the client.
    pub fn close(self) -> Result<()> {
        self.shutdown()
    }

    /// This node and every other node of the cluster: i64 client id of this node, then four
    /// values per other node (see `encode_node`).
    pub fn nodes(&self) -> Result<BytesMut> {
        let c = self.open()?;
        let mut out = BytesMut::new();
        Value::I64(c.client_id() as i64).encode(&mut out);
        for n in c.nodes() {
            encode_node(&mut out, &n);
        }
        Ok(out)
    }

    /// The next membership event within `timeout`, or `None`: i32 kind (see [`event_kind`]),
    /// then the node for joined/left. Works after shutdown too (it reports `DISCONNECTED`).
    pub fn next_event(&self, timeout: Duration) -> Result<Option<BytesMut>> {
        let mut rx = self.events.lock();
        let ev = match recv_within(&self.client, &mut rx, timeout, "membership events") {
            Recv::Got(ev) => ev,
            Recv::Nothing => return Ok(None),
            Recv::Closed => ClusterEvent::Disconnected,
        };
        let mut out = BytesMut::new();
        let (kind, node) = match &ev {
            ClusterEvent::NodeJoined(n) => (event_kind::JOINED, Some(n)),
            ClusterEvent::NodeLeft(n) => (event_kind::LEFT, Some(n)),
            ClusterEvent::Disconnected => (event_kind::DISCONNECTED, None),
            ClusterEvent::Reconnecting => (event_kind::RECONNECTING, None),
            ClusterEvent::Reconnected => (event_kind::RECONNECTED, None),
            _ => return Ok(None),
        };
        Value::I32(kind).encode(&mut out);
        if let Some(n) = node {
            encode_node(&mut out, n);
        }
        Ok(Some(out))
    }

    /// Starts keeping the distributed calls delivered to this client for [`Self::next_dmi`]
    /// (idempotent).
    pub fn dmi_listen(&self) -> Result<()> {
        let c = self.open()?;
        let mut rx = self.dmi.lock();
        if rx.is_none() {
            *rx = Some(c.dmi_events());
        }
        Ok(())
    }

    /// The next distributed call within `timeout`, or `None`: i64 calling client, i64 receiver
    /// object (0: none), string method, i32 argument count, the arguments. Calls from before
    /// [`Self::dmi_listen`] are not seen; after shutdown it returns `None` at once.
    pub fn next_dmi(&self, timeout: Duration) -> Result<Option<BytesMut>> {
        let mut guard = self.dmi.lock();
        let Some(rx) = guard.as_mut() else {
            return Err(BridgeError::IllegalState(
                "nextDmi before dmiListen: no distributed calls are kept for this client",
            ));
        };
        let ev = match recv_within(&self.client, rx, timeout, "distributed calls") {
            Recv::Got(ev) => ev,
            Recv::Nothing | Recv::Closed => return Ok(None),
        };
        let mut out = BytesMut::new();
        Value::I64(convert::u64_to_java(ev.from_client)).encode(&mut out);
        Value::I64(convert::oid_to_java(ev.call.receiver)).encode(&mut out);
        Value::Str(ev.call.method).encode(&mut out);
        Value::I32(convert::java_int(ev.call.args.len(), "argument count")?).encode(&mut out);
        for a in &ev.call.args {
            a.encode(&mut out);
        }
        Ok(Some(out))
    }

    /// Subscribes to the changes other clients make to object `oid` (faulting it in first);
    /// the notices queue up for [`Self::next_change`] until the handle is dropped.
    pub fn subscribe(&self, oid: ObjectId) -> Result<SubHandle> {
        let c = self.open()?;
        let tx = self.changes_tx.clone();
        let sub = c.subscribe(SubTarget::Object(oid), move |ev| {
            // The receiver lives as long as the client handle, which outlives the client's
            // callback thread: a send cannot fail while it runs.
            let _ = tx.send(ev);
        })?;
        Ok(SubHandle { sub })
    }

    /// The next change notice within `timeout`, or `None`: i64 object id, i64 transaction id,
    /// i64 client that committed it.
    pub fn next_change(&self, timeout: Duration) -> Result<Option<BytesMut>> {
        let rx = self.changes_rx.lock();
        let ev = match rx.recv_timeout(timeout) {
            Ok(ev) => ev,
            Err(_) => return Ok(None),
        };
        let oid = match ev.target {
            SubTarget::Object(o) => convert::oid_to_java(o),
            // Only object subscriptions are made through this handle.
            SubTarget::Root(_) => 0,
        };
        let mut out = BytesMut::new();
        Value::I64(oid).encode(&mut out);
        Value::I64(convert::u64_to_java(ev.gtx)).encode(&mut out);
        Value::I64(convert::u64_to_java(ev.from_client)).encode(&mut out);
        Ok(Some(out))
    }

    /// Where objects are resident: per object, in order, i32 count then that many i64 client
    /// ids (ascending; this client included).
    pub fn locate(&self, oids: &[ObjectId]) -> Result<BytesMut> {
        let located = self.open()?.locate(oids)?;
        let mut out = BytesMut::new();
        for ids in located {
            Value::I32(convert::java_int(ids.len(), "client count")?).encode(&mut out);
            for id in ids {
                Value::I64(convert::u64_to_java(id)).encode(&mut out);
            }
        }
        Ok(out)
    }

    /// The kind of a shared object: a [`RootKind`] code (0 map, 1 list, 2 set, 3 queue, 4 sorted
    /// map) or -1 for anything else (physical objects, arrays).
    pub fn kind(&self, oid: ObjectId) -> Result<i32> {
        Ok(self.open()?.read(oid, |s| match &s.data {
            ObjectData::Map(_) => 0,
            ObjectData::List(_) => 1,
            ObjectData::Set(_) => 2,
            ObjectData::Queue(_) => 3,
            ObjectData::SortedMap(_) => 4,
            _ => -1,
        })?)
    }

    /// The object id of root `name`, created as an empty `kind` if unbound.
    pub fn root(&self, name: &str, kind: RootKind) -> Result<ObjectId> {
        let c = self.open()?;
        Ok(match kind {
            RootKind::Map => c.map(name)?.id(),
            RootKind::List => c.list(name)?.id(),
            RootKind::Set => c.set(name)?.id(),
            RootKind::Queue => c.queue(name)?.id(),
            RootKind::SortedMap => c.block_on(c.as_async().sorted_map(name))?.id(),
        })
    }

    /// Locks; `timeout` `None` waits forever, else `Ok(None)` when not acquired in time.
    pub fn lock(
        &self,
        lock: LockId,
        level: LockLevel,
        timeout: Option<Duration>,
    ) -> Result<Option<TxnHandle>> {
        let c = self.open()?;
        let txn = match timeout {
            None => Some(c.lock(lock, level)?),
            Some(t) => c.try_lock(lock, level, t)?,
        };
        Ok(txn.map(|txn| TxnHandle {
            txn,
            client: self.client.clone(),
        }))
    }

    /// The lock `lock` resolved once, for [`Self::lock_via`].
    pub fn lock_handle(&self, lock: LockId) -> Result<LockHandle> {
        Ok(self.open()?.lock_handle(lock))
    }

    /// [`Self::lock`] through a handle from [`Self::lock_handle`] of this client: the greedy
    /// re-acquire path touches neither the lock table nor the runtime.
    pub fn lock_via(
        &self,
        handle: &LockHandle,
        level: LockLevel,
        timeout: Option<Duration>,
    ) -> Result<Option<TxnHandle>> {
        let c = self.open()?;
        Ok(c.lock_via(handle, level, timeout)?.map(|txn| TxnHandle {
            txn,
            client: self.client.clone(),
        }))
    }

    /// Map lookup.
    pub fn map_get(&self, oid: ObjectId, key: &Value) -> Result<Option<Value>> {
        let c = self.open()?;
        Ok(c.map_get(&kiln::Map::from_id(oid), key)?)
    }

    /// Concatenated encodings of the elements (or of keys and values alternating, for maps;
    /// of the elements, for arrays).
    pub fn values(&self, oid: ObjectId) -> Result<BytesMut> {
        self.open()?.read(oid, |s| match &s.data {
            ObjectData::Map(m) => Ok(encode_entries(m.iter())),
            ObjectData::SortedMap(m) => Ok(encode_entries(m.iter())),
            ObjectData::List(l) => Ok(convert::encode_values(l)),
            ObjectData::Set(set) => Ok(convert::encode_values(set)),
            ObjectData::Queue(q) => Ok(convert::encode_values(q)),
            ObjectData::Array(a) => {
                let mut out = BytesMut::new();
                for i in 0..a.len() {
                    if let Some(v) = a.get(i) {
                        v.encode(&mut out);
                    }
                }
                Ok(out)
            }
            d => Err(wrong_kind(oid, "collection", kind_of(d))),
        })?
    }

    /// Number of elements / entries (fields of a physical object).
    pub fn size(&self, oid: ObjectId) -> Result<usize> {
        Ok(self.open()?.read(oid, |s| s.data.len())?)
    }

    /// List / queue element at `index` (`None` out of range).
    pub fn list_get(&self, oid: ObjectId, index: i32) -> Result<Option<Value>> {
        let Ok(i) = usize::try_from(index) else {
            return Ok(None);
        };
        self.open()?.read(oid, |s| match &s.data {
            ObjectData::List(l) => Ok(l.get(i).cloned()),
            ObjectData::Queue(q) => Ok(q.get(i).cloned()),
            d => Err(wrong_kind(oid, "list", kind_of(d))),
        })?
    }
}

fn encode_entries<'a>(entries: impl Iterator<Item = (&'a Value, &'a Value)>) -> BytesMut {
    let mut out = BytesMut::new();
    for (k, v) in entries {
        k.encode(&mut out);
        v.encode(&mut out);
    }
    out
}

impl TxnHandle {
    /// Commits and releases (waits only as the client's commit does).
    pub fn commit(self) -> Result<()> {
        Ok(self.txn.commit()?)
    }

    /// Releases the lock without waiting; what was recorded is still sent (there is no
    /// rollback). Send errors of a failed client are logged by the client.
    pub fn abandon(self) {
        drop(self.txn);
    }

    /// The fencing token.
    pub fn token(&self) -> u64 {
        self.txn.token()
    }

    /// Cluster `wait` on the lock. An interrupted wait (the lock is held again) is
    /// [`WakeReason::Interrupted`], not an error.
    pub fn wait(&mut self, timeout: Option<Duration>) -> Result<WakeReason> {
        match self.txn.wait(timeout) {
            Ok(r) => Ok(r),
            Err(kiln::Error::Interrupted) => Ok(WakeReason::Interrupted),
            Err(e) => Err(e.into()),
        }
    }

    /// A handle that interrupts this transaction's current or next [`Self::wait`] from any
    /// thread (Java's `Thread.interrupt()` of the waiting thread).
    pub fn waiter(&self) -> kiln::WaitInterrupter {
        self.txn.waiter()
    }

    /// notify / notifyAll at commit.
    pub fn notify(&mut self, all: bool) {
        if all {
            self.txn.notify_all();
        } else {
            self.txn.notify();
        }
    }

    /// Creates an empty collection of `kind` in this transaction (not bound to any root: it
    /// lives while something references it or this client holds it) on `stripe` (negative: the
    /// lock's; see `transparent::create_placed`); its id.
    pub fn create(&mut self, kind: RootKind, stripe: i32) -> Result<ObjectId> {
        let state = match kind {
            RootKind::Map => kiln::ObjectState::map(),
            RootKind::List => kiln::ObjectState::list(),
            RootKind::Set => kiln::ObjectState::set(),
            RootKind::Queue => kiln::ObjectState::queue(),
            RootKind::SortedMap => kiln::ObjectState::sorted_map(),
        };
        crate::transparent::create_placed(&mut self.txn, stripe, state)
    }

    /// A distributed call fired after this transaction commits: to every other client
    /// (`all_nodes`) or only to those where `receiver` is resident.
    pub fn invoke(
        &mut self,
        receiver: ObjectId,
        method: String,
        args: Vec<Value>,
        all_nodes: bool,
    ) {
        self.txn.invoke(DmiCall {
            receiver,
            method,
            args,
            all_nodes,
        });
    }

    /// Faults `oid` in when it is not in the local cache (transaction writes need it resident).
    fn resident(&self, oid: ObjectId) -> Result<()> {
        if self.client.as_async().cached_version(oid).is_none() {
            self.client.read(oid, |_| ())?;
        }
        Ok(())
    }

    /// The kind and size of a resident object.
    fn shape(&self, oid: ObjectId) -> Result<(&'static str, usize)> {
        self.resident(oid)?;
        Ok(self.txn.read(oid, |s| (kind_of(&s.data), s.data.len()))?)
    }

    /// A list index checked against the list (the client reports a bad index as a protocol
    /// error, which the contract would map to ProtocolMismatchException).
    fn list_index(&self, oid: ObjectId, index: i32, inclusive_end: bool) -> Result<usize> {
        let (kind, len) = self.shape(oid)?;
        if kind != "list" {
            return Err(wrong_kind(oid, "list", kind));
        }
        let out = || BridgeError::IndexOutOfBounds {
            oid,
            kind,
            index: index.into(),
            len,
        };
        let i = usize::try_from(index).map_err(|_| out())?;
        if i > len || (i == len && !inclusive_end) {
            return Err(out());
        }
        Ok(i)
    }

    /// Map put; the previous value.
    pub fn map_put(&mut self, oid: ObjectId, key: Value, value: Value) -> Result<Option<Value>> {
        self.resident(oid)?;
        Ok(kiln::Map::from_id(oid).put(&mut self.txn, key, value)?)
    }

    /// Map remove; the previous value.
    pub fn map_remove(&mut self, oid: ObjectId, key: Value) -> Result<Option<Value>> {
        self.resident(oid)?;
        Ok(kiln::Map::from_id(oid).remove(&mut self.txn, key)?)
    }

    /// Empties a collection.
    pub fn clear(&mut self, oid: ObjectId) -> Result<()> {
        self.resident(oid)?;
        Ok(self.txn.apply(oid, DeltaOp::Clear)?)
    }

    /// Appends to a list / queue, adds to a set (false: the set had it).
    pub fn add(&mut self, oid: ObjectId, value: Value) -> Result<bool> {
        let (kind, _) = self.shape(oid)?;
        let tx = &mut self.txn;
        match kind {
            "list" => kiln::List::from_id(oid).add(tx, value).map(|()| true),
            "queue" => kiln::Queue::from_id(oid).offer(tx, value).map(|()| true),
            "set" => kiln::Set::from_id(oid).add(tx, value),
            other => return Err(wrong_kind(oid, "list, queue or set", other)),
        }
        .map_err(Into::into)
    }

    /// Inserts into a list.
    pub fn add_at(&mut self, oid: ObjectId, index: i32, value: Value) -> Result<()> {
        let i = self.list_index(oid, index, true)?;
        Ok(kiln::List::from_id(oid).add_at(&mut self.txn, i, value)?)
    }

    /// Replaces a list element; the previous one.
    pub fn list_set(&mut self, oid: ObjectId, index: i32, value: Value) -> Result<Value> {
        let i = self.list_index(oid, index, false)?;
        Ok(kiln::List::from_id(oid).set(&mut self.txn, i, value)?)
    }

    /// Removes a list element by index; returns it.
    pub fn remove_at(&mut self, oid: ObjectId, index: i32) -> Result<Value> {
        let i = self.list_index(oid, index, false)?;
        Ok(kiln::List::from_id(oid).remove_at(&mut self.txn, i)?)
    }

    /// Removes the first element equal to `value` from a list / queue / set.
    pub fn remove_value(&mut self, oid: ObjectId, value: Value) -> Result<bool> {
        let (kind, _) = self.shape(oid)?;
        let tx = &mut self.txn;
        Ok(match kind {
            "list" => kiln::List::from_id(oid).remove(tx, value)?,
            "set" => kiln::Set::from_id(oid).remove(tx, value)?,
            "queue" => {
                // No typed Queue::remove in the client: observe, then apply the logical op.
                let present = tx.read(oid, |s| match &s.data {
                    ObjectData::Queue(q) => q.contains(&value),
                    _ => false,
                })?;
                if present {
                    tx.apply(oid, DeltaOp::RemoveValue { value })?;
                }
                present
            }
            other => return Err(wrong_kind(oid, "list, queue or set", other)),
        })
    }

    /// Takes the head of a queue.
    pub fn poll(&mut self, oid: ObjectId) -> Result<Option<Value>> {
        self.resident(oid)?;
        Ok(kiln::Queue::from_id(oid).poll(&mut self.txn)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_send<T: Send>() {}

    #[test]
    fn handles_are_send() {
        assert_send::<ClientHandle>();
        assert_send::<TxnHandle>();
    }

    #[test]
    fn connect_to_nothing_fails_with_connect_failed() {
        // Port 1 on loopback: refused at once; the deadline bounds the retries.
        let e = connect("127.0.0.1:1", Some("t"), Some(Duration::from_millis(300)))
            .expect_err("nothing listens on port 1");
        assert!(
            matches!(e, BridgeError::Client(kiln::Error::ConnectFailed { .. })),
            "{e:?}"
        );
        assert_eq!(
            crate::error::exception_class(&e),
            crate::error::class::CONNECTION_LOST
        );
    }

    #[test]
    fn connect_with_an_empty_spec_is_a_config_error() {
        let e = connect(" ", None, None).expect_err("empty spec");
        assert!(matches!(e, BridgeError::BadSpec(_)), "{e:?}");
    }
}

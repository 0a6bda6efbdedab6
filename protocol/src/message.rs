//! Every message of the protocol, its type byte, and its body encoding.
//!
//! Direction: types `0x01..=0x3f` go client → server, `0x40..=0x7f` server → client; `Ping`/`Pong`
//! go both ways. See `docs/protocol.md` for the semantics of each message.

use bytes::{BufMut, BytesMut};

use crate::wire::{put_count, put_str, Reader};
use crate::{Delta, ObjectId, ObjectState, ProtocolError, Value};

/// Version of the protocol this crate speaks. A server refuses any other version in `Hello`.
pub const PROTOCOL_VERSION: u16 = 1;

/// Identifies a cluster lock.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum LockId {
    /// The monitor of a shared object.
    Object(ObjectId),
    /// A named lock (named-lock / autolock).
    Named(String),
    /// A class monitor (`synchronized static`).
    Class(String),
}

impl std::fmt::Display for LockId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LockId::Object(o) => write!(f, "object@{o}"),
            LockId::Named(n) => write!(f, "named:{n}"),
            LockId::Class(c) => write!(f, "class:{c}"),
        }
    }
}

impl From<ObjectId> for LockId {
    /// The monitor of a shared object.
    fn from(o: ObjectId) -> Self {
        LockId::Object(o)
    }
}

impl From<&str> for LockId {
    /// A named lock.
    fn from(n: &str) -> Self {
        LockId::Named(n.to_owned())
    }
}

impl From<String> for LockId {
    /// A named lock.
    fn from(n: String) -> Self {
        LockId::Named(n)
    }
}

impl LockId {
    pub(crate) fn encode(&self, out: &mut BytesMut) {
        match self {
            LockId::Object(o) => {
                out.put_u8(1);
                out.put_u64(o.0);
            }
            LockId::Named(n) => {
                out.put_u8(2);
                put_str(out, n);
            }
            LockId::Class(c) => {
                out.put_u8(3);
                put_str(out, c);
            }
        }
    }
    pub(crate) fn decode(r: &mut Reader<'_>) -> Result<Self, ProtocolError> {
        Ok(match r.u8()? {
            1 => LockId::Object(ObjectId(r.u64()?)),
            2 => LockId::Named(r.string("lock name")?),
            3 => LockId::Class(r.string("lock class")?),
            t => {
                return Err(ProtocolError::InvalidTag {
                    what: "lock id",
                    tag: t,
                })
            }
        })
    }
}

/// Lock levels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum LockLevel {
    /// Shared with other readers.
    Read = 1,
    /// Exclusive.
    Write = 2,
    /// No exclusion; only a transaction boundary. Never sent to the server in a `LockRequest`.
    Concurrent = 3,
    /// Exclusive, and release returns only after the transaction is acknowledged.
    SyncWrite = 4,
}

impl LockLevel {
    /// Decodes a level byte.
    pub fn from_u8(b: u8) -> Result<Self, ProtocolError> {
        Ok(match b {
            1 => LockLevel::Read,
            2 => LockLevel::Write,
            3 => LockLevel::Concurrent,
            4 => LockLevel::SyncWrite,
            t => {
                return Err(ProtocolError::InvalidTag {
                    what: "lock level",
                    tag: t,
                })
            }
        })
    }
    /// True for Write and SyncWrite.
    pub fn is_exclusive(self) -> bool {
        matches!(self, LockLevel::Write | LockLevel::SyncWrite)
    }
}

/// A distributed method call, fired after its transaction commits.
#[derive(Debug, Clone, PartialEq)]
pub struct DmiCall {
    /// Receiver object (`ObjectId(0)` for a static / receiver-less call).
    pub receiver: ObjectId,
    /// Method signature, e.g. `void org.mortbay.cometd.ContinuationClient.resume()`.
    pub method: String,
    /// Arguments.
    pub args: Vec<Value>,
    /// `true` (default, `run-on-all-nodes`): every other client; `false`: only clients where the
    /// receiver is resident.
    pub all_nodes: bool,
}

/// A change subscription target.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum SubTarget {
    /// Changes of one object.
    Object(ObjectId),
    /// Re-binding of a root.
    Root(String),
}

impl SubTarget {
    fn encode(&self, out: &mut BytesMut) {
        match self {
            SubTarget::Object(o) => {
                out.put_u8(1);
                out.put_u64(o.0);
            }
            SubTarget::Root(n) => {
                out.put_u8(2);
                put_str(out, n);
            }
        }
    }
    fn decode(r: &mut Reader<'_>) -> Result<Self, ProtocolError> {
        Ok(match r.u8()? {
            1 => SubTarget::Object(ObjectId(r.u64()?)),
            2 => SubTarget::Root(r.string("root name")?),
            t => {
                return Err(ProtocolError::InvalidTag {
                    what: "subscription target",
                    tag: t,
                })
            }
        })
    }
}

/// A notify / notifyAll carried in a transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notify {
    /// The lock whose waiters are woken.
    pub lock: LockId,
    /// notifyAll when true, notify (one waiter, FIFO) when false.
    pub all: bool,
}

/// Transaction flag: acknowledge this transaction individually with `CommitAck` as soon as it
/// commits (used for synchronous-write locks).
pub const TXN_FLAG_SYNC: u8 = 1;

/// One transaction: everything a client changed while holding its outermost lock.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Txn {
    /// Client sequence number, strictly increasing per client from 1.
    pub seq: u64,
    /// Flags, see [`TXN_FLAG_SYNC`].
    pub flags: u8,
    /// Objects created in this transaction, with their full state.
    pub new_objects: Vec<(ObjectId, ObjectState)>,
    /// Changes to existing objects.
    pub deltas: Vec<Delta>,
    /// notify / notifyAll, effective at commit.
    pub notifies: Vec<Notify>,
    /// Distributed method calls, fired after commit.
    pub dmis: Vec<DmiCall>,
}

impl Txn {
    /// The transaction's encoding alone (§7 "Txn"), e.g. a prepared part replicated between
    /// servers.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut b = BytesMut::new();
        self.encode(&mut b);
        b.to_vec()
    }

    /// Decodes [`Txn::to_bytes`]; the whole input must be consumed.
    pub fn decode_standalone(bytes: &[u8]) -> Result<Txn, ProtocolError> {
        let mut r = Reader::new(bytes);
        let t = Txn::decode(&mut r)?;
        r.finish("transaction")?;
        Ok(t)
    }

    fn encode(&self, out: &mut BytesMut) {
        out.put_u64(self.seq);
        out.put_u8(self.flags);
        put_count(out, self.new_objects.len());
        for (id, st) in &self.new_objects {
            out.put_u64(id.0);
            st.encode(out);
        }
        put_count(out, self.deltas.len());
        self.deltas.iter().for_each(|d| d.encode(out));
        put_count(out, self.notifies.len());
        for n in &self.notifies {
            n.lock.encode(out);
            out.put_u8(u8::from(n.all));
        }
        put_count(out, self.dmis.len());
        self.dmis.iter().for_each(|d| encode_dmi(d, out));
    }
    fn decode(r: &mut Reader<'_>) -> Result<Self, ProtocolError> {
        let seq = r.u64()?;
        let flags = r.u8()?;
        let n = r.count(13, "new objects")?;
        let mut new_objects = Vec::with_capacity(n);
        for _ in 0..n {
            let id = ObjectId(r.u64()?);
            new_objects.push((id, ObjectState::decode(r)?));
        }
        let n = r.count(12, "deltas")?;
        let mut deltas = Vec::with_capacity(n);
        for _ in 0..n {
            deltas.push(Delta::decode(r)?);
        }
        let n = r.count(3, "notifies")?;
        let mut notifies = Vec::with_capacity(n);
        for _ in 0..n {
            notifies.push(Notify {
                lock: LockId::decode(r)?,
                all: r.bool()?,
            });
        }
        let n = r.count(17, "dmis")?;
        let mut dmis = Vec::with_capacity(n);
        for _ in 0..n {
            dmis.push(decode_dmi(r)?);
        }
        Ok(Txn {
            seq,
            flags,
            new_objects,
            deltas,
            notifies,
            dmis,
        })
    }
    /// True when the transaction carries nothing.
    pub fn is_empty(&self) -> bool {
        self.new_objects.is_empty()
            && self.deltas.is_empty()
            && self.notifies.is_empty()
            && self.dmis.is_empty()
    }
}

fn encode_dmi(d: &DmiCall, out: &mut BytesMut) {
    out.put_u64(d.receiver.0);
    put_str(out, &d.method);
    put_count(out, d.args.len());
    d.args.iter().for_each(|a| a.encode(out));
    out.put_u8(u8::from(d.all_nodes));
}

fn decode_dmi(r: &mut Reader<'_>) -> Result<DmiCall, ProtocolError> {
    let receiver = ObjectId(r.u64()?);
    let method = r.string("dmi method")?;
    let n = r.count(1, "dmi args")?;
    let mut args = Vec::with_capacity(n);
    for _ in 0..n {
        args.push(Value::decode(r)?);
    }
    Ok(DmiCall {
        receiver,
        method,
        args,
        all_nodes: r.bool()?,
    })
}

/// A cluster member (a connected client).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeInfo {
    /// Client id assigned by the server.
    pub id: u64,
    /// Client name from `Hello`.
    pub name: String,
    /// Process id.
    pub pid: u32,
    /// Remote address as the server sees it.
    pub addr: String,
}

impl NodeInfo {
    fn encode(&self, out: &mut BytesMut) {
        out.put_u64(self.id);
        put_str(out, &self.name);
        out.put_u32(self.pid);
        put_str(out, &self.addr);
    }
    fn decode(r: &mut Reader<'_>) -> Result<Self, ProtocolError> {
        Ok(NodeInfo {
            id: r.u64()?,
            name: r.string("node name")?,
            pid: r.u32()?,
            addr: r.string("node addr")?,
        })
    }
}

/// An object sent in a fault reply.
#[derive(Debug, Clone, PartialEq)]
pub struct FaultedObject {
    /// Id.
    pub oid: ObjectId,
    /// Version: the GTX that last changed it.
    pub version: u64,
    /// Full state.
    pub state: ObjectState,
}

/// Reconnect information sent in `Hello` by a client that was connected before.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reconnect {
    /// The id the server gave this client before.
    pub client_id: u64,
    /// Highest transaction sequence the client saw acknowledged.
    pub last_acked_seq: u64,
}

/// Why a waiting thread was woken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum WakeReason {
    /// notify / notifyAll.
    Notified = 1,
    /// The timed wait expired.
    TimedOut = 2,
    /// The client interrupted the waiter.
    Interrupted = 3,
}

/// Error codes of the `Error` message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u16)]
#[non_exhaustive]
pub enum ErrorCode {
    /// Undecodable frame or message.
    Malformed = 1,
    /// Frame over the maximum size.
    FrameTooLarge = 2,
    /// Unknown message type.
    UnknownMessage = 3,
    /// `Hello` with another protocol version.
    VersionMismatch = 4,
    /// A message that is not valid in the current state (e.g. release of a lock not held, a
    /// message before `Hello`).
    OutOfOrder = 5,
    /// A transaction referenced an object the server does not have.
    UnknownObject = 6,
    /// A transaction's operation does not fit its object.
    BadOperation = 7,
    /// The server refuses this client (e.g. reconnect not possible).
    Refused = 8,
    /// The server is shutting down.
    ShuttingDown = 9,
    /// Internal server error.
    Internal = 10,
    /// The server cannot make the transaction durable (disk full, read-only...).
    StorageUnavailable = 11,
    /// The request names a root, lock or object another stripe (mirror group) owns
    /// (docs/protocol.md "Stripes"); nothing of it was done.
    WrongStripe = 12,
}

impl ErrorCode {
    /// Decodes a code; unknown codes map to `Internal`.
    pub fn from_u16(v: u16) -> ErrorCode {
        match v {
            1 => ErrorCode::Malformed,
            2 => ErrorCode::FrameTooLarge,
            3 => ErrorCode::UnknownMessage,
            4 => ErrorCode::VersionMismatch,
            5 => ErrorCode::OutOfOrder,
            6 => ErrorCode::UnknownObject,
            7 => ErrorCode::BadOperation,
            8 => ErrorCode::Refused,
            9 => ErrorCode::ShuttingDown,
            11 => ErrorCode::StorageUnavailable,
            12 => ErrorCode::WrongStripe,
            _ => ErrorCode::Internal,
        }
    }
}

/// Message type bytes.
pub mod msg_type {
    #![allow(missing_docs)]
    // client -> server
    pub const HELLO: u8 = 0x01;
    pub const ID_LEASE_REQUEST: u8 = 0x02;
    pub const ROOT_LOOKUP: u8 = 0x03;
    pub const ROOT_CREATE: u8 = 0x04;
    pub const LIST_ROOTS: u8 = 0x05;
    pub const FAULT: u8 = 0x06;
    pub const EVICT: u8 = 0x07;
    pub const TXN_BATCH: u8 = 0x08;
    pub const LOCK_REQUEST: u8 = 0x09;
    pub const LOCK_CANCEL: u8 = 0x0a;
    pub const RECALL_COMMIT: u8 = 0x0b;
    pub const LOCK_RELEASE: u8 = 0x0c;
    pub const WAIT: u8 = 0x0d;
    pub const INTERRUPT: u8 = 0x0e;
    pub const SUBSCRIBE: u8 = 0x0f;
    pub const UNSUBSCRIBE: u8 = 0x10;
    pub const GOODBYE: u8 = 0x11;
    pub const REASSERT: u8 = 0x12;
    pub const LOCATE: u8 = 0x13;
    pub const PREPARE: u8 = 0x14;
    pub const DECIDE: u8 = 0x15;
    pub const COMMIT: u8 = 0x16;
    pub const OUTCOME: u8 = 0x17;
    pub const AWAIT_PARTS: u8 = 0x18;
    // both directions
    pub const PING: u8 = 0x3e;
    pub const PONG: u8 = 0x3f;
    // server -> client
    pub const WELCOME: u8 = 0x40;
    pub const MEMBERSHIP: u8 = 0x41;
    pub const NODE_JOINED: u8 = 0x42;
    pub const NODE_LEFT: u8 = 0x43;
    pub const ID_LEASE: u8 = 0x44;
    pub const ROOT_VALUE: u8 = 0x45;
    pub const ROOT_LIST: u8 = 0x46;
    pub const FAULT_REPLY: u8 = 0x47;
    pub const BATCH_ACK: u8 = 0x48;
    pub const COMMIT_ACK: u8 = 0x49;
    pub const DELTAS: u8 = 0x4a;
    pub const LOCK_AWARD: u8 = 0x4b;
    pub const LOCK_RECALL: u8 = 0x4c;
    pub const LOCK_TIMEOUT: u8 = 0x4d;
    pub const WAIT_DONE: u8 = 0x4e;
    pub const DMI_DELIVER: u8 = 0x4f;
    pub const CHANGE_NOTICE: u8 = 0x50;
    pub const ERROR: u8 = 0x51;
    pub const RESUMED: u8 = 0x52;
    pub const TXN_REJECTED: u8 = 0x53;
    pub const LOCATED: u8 = 0x54;
    pub const PREPARED: u8 = 0x55;
    pub const PREPARE_FAILED: u8 = 0x56;
    pub const DECIDED: u8 = 0x57;
    pub const AWARD_FENCE: u8 = 0x58;
    pub const OUTCOME_IS: u8 = 0x59;
    pub const PARTS_DONE: u8 = 0x5a;
}

/// The id of a transaction across stripes (two-phase commit, protocol.md §9.12):
/// the coordinator stripe (the stripe of the transaction's lock), the client's id there and a
/// sequence number of that client (from 1, one per cross-stripe transaction). 17 bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Xid {
    /// The coordinator stripe.
    pub stripe: u8,
    /// The client's id on the coordinator stripe.
    pub client: u64,
    /// The client's sequence number of cross-stripe transactions.
    pub seq: u64,
}

impl Xid {
    /// The 17 bytes of the id (stripe, client, seq; big-endian): a store key.
    pub fn key(&self) -> [u8; 17] {
        let mut k = [0u8; 17];
        k[0] = self.stripe;
        k[1..9].copy_from_slice(&self.client.to_be_bytes());
        k[9..].copy_from_slice(&self.seq.to_be_bytes());
        k
    }

    pub(crate) fn encode(&self, out: &mut BytesMut) {
        out.put_u8(self.stripe);
        out.put_u64(self.client);
        out.put_u64(self.seq);
    }
    pub(crate) fn decode(r: &mut Reader<'_>) -> Result<Xid, ProtocolError> {
        Ok(Xid {
            stripe: r.u8()?,
            client: r.u64()?,
            seq: r.u64()?,
        })
    }
}

impl std::fmt::Display for Xid {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "xid {}/{}/{}", self.stripe, self.client, self.seq)
    }
}

/// A lock's fence (§9.12): per participant stripe, the last transaction across stripes
/// committed under the lock that changed that stripe. The lock's next holder uses the award
/// only once each of those stripes answered `AwaitParts{xid}` (its parts up to that one, of that
/// client, are applied and their deltas sent).
pub type Fence = Vec<(u8, Xid)>;

pub(crate) fn put_fence(out: &mut BytesMut, fence: &[(u8, Xid)]) {
    put_count(out, fence.len());
    for (s, x) in fence {
        out.put_u8(*s);
        x.encode(out);
    }
}

pub(crate) fn get_fence(r: &mut Reader<'_>) -> Result<Fence, ProtocolError> {
    let n = r.count(18, "fence")?;
    let mut v = Vec::with_capacity(n);
    for _ in 0..n {
        v.push((r.u8()?, Xid::decode(r)?));
    }
    Ok(v)
}

/// A protocol message.
#[derive(Debug, Clone, PartialEq)]
#[allow(missing_docs)]
pub enum Message {
    // ---------------------------------------------------------------- client -> server
    /// First message of every connection.
    Hello {
        protocol_version: u16,
        client_name: String,
        pid: u32,
        reconnect: Option<Reconnect>,
    },
    /// Ask for a range of object ids.
    IdLeaseRequest { count: u64 },
    /// Look a root up.
    RootLookup { req_id: u64, name: String },
    /// Bind a root if unbound (first writer wins). With `replace`, a root bound to a literal is
    /// re-bound; a root bound to a reference never is.
    RootCreate {
        req_id: u64,
        name: String,
        value: Value,
        replace: bool,
    },
    /// List all roots.
    ListRoots { req_id: u64 },
    /// Fault objects in, with a prefetch budget of reachable objects.
    Fault {
        req_id: u64,
        oids: Vec<ObjectId>,
        budget: u32,
    },
    /// The client dropped these objects from its cache.
    Evict { oids: Vec<ObjectId> },
    /// Transactions, applied in order.
    TxnBatch { txns: Vec<Txn> },
    /// Ask for a lock. `timeout_ms`: -1 block, 0 try once, >0 wait up to that long.
    LockRequest {
        req_id: u64,
        lock: LockId,
        level: LockLevel,
        timeout_ms: i64,
    },
    /// Withdraw a pending lock request (interrupted acquire).
    LockCancel { req_id: u64 },
    /// Answer to `LockRecall`: every transaction made under the lock was sent before this.
    RecallCommit { lock: LockId },
    /// Give a lock back voluntarily.
    LockRelease { lock: LockId },
    /// A thread waits on the lock's monitor (lock released by the client before). `timeout_ms`
    /// 0 means forever.
    Wait {
        waiter_id: u64,
        lock: LockId,
        timeout_ms: u64,
    },
    /// Interrupt a waiting thread.
    Interrupt { waiter_id: u64 },
    /// Subscribe to change notices.
    Subscribe { target: SubTarget },
    /// Unsubscribe.
    Unsubscribe { target: SubTarget },
    /// Clean disconnect.
    Goodbye,
    /// After a reconnect `Welcome`: what the client had before the server restarted — objects
    /// resident in its cache with their versions, the greedy lock leases it holds, and its
    /// threads waiting in `wait()` (remaining timeout, 0 = forever).
    Reassert {
        resident: Vec<(ObjectId, u64)>,
        locks: Vec<(LockId, LockLevel)>,
        waiters: Vec<(u64, LockId, u64)>,
    },
    /// Which clients have each of `oids` resident (DsoCluster's object-location queries).
    Locate { req_id: u64, oids: Vec<ObjectId> },
    /// Two-phase commit, phase 1: check this stripe's part of transaction `xid` and keep it
    /// prepared (not visible); answered by `Prepared` or `PrepareFailed` (§9.12). `part.seq`
    /// is 0 (the part is not in the connection's sequence of transactions).
    Prepare { req_id: u64, xid: Xid, part: Txn },
    /// Two-phase commit, phase 2 elsewhere: commit (apply) or abort (drop) the prepared part
    /// `xid`; answered by `Decided`. The client sends it to abort everywhere; participants
    /// otherwise learn the decision from the coordinator stripe (`Outcome`).
    Decide { req_id: u64, xid: Xid, commit: bool },
    /// Two-phase commit at the coordinator, sent right after its `Prepare`: commit `xid` once
    /// every one of `participants` (the other stripes it changes) has prepared its part — each
    /// says so itself, by asking `Outcome` — unless it is aborted first; the part is applied
    /// and the decision recorded, with `fence`, `lock`'s fence entry for each participant.
    /// Answered by `Decided` (commit or abort: the coordinator's answer is the outcome).
    Commit {
        req_id: u64,
        xid: Xid,
        lock: LockId,
        participants: Vec<u8>,
        fence: bool,
    },
    /// Answered by `PartsDone` once this stripe holds no undecided part of `xid`'s client
    /// (same coordinator stripe and client) up to `xid.seq`, and every decided one's deltas
    /// were sent: a fenced award's wait (§9.12).
    AwaitParts { req_id: u64, xid: Xid },
    /// Server to server (a participant's active to the coordinator stripe's, on a connection
    /// without `Hello`, several in flight): what became of transaction `xid`? `from`: the
    /// asking stripe, which has prepared its part (the question is its vote).
    Outcome { req_id: u64, xid: Xid, from: u8 },
    // ---------------------------------------------------------------- both directions
    /// Health check probe.
    Ping { nonce: u64 },
    /// Answer to `Ping`.
    Pong { nonce: u64 },
    // ---------------------------------------------------------------- server -> client
    /// Accepts `Hello`. `cluster_id`: the server's cluster (0: none yet). `stripe` / `stripes`:
    /// the stripe (mirror group index) this server serves and how many the cluster has (0 / 1
    /// with one group); a client refuses a server whose pair differs from its configuration.
    Welcome {
        protocol_version: u16,
        client_id: u64,
        server_name: String,
        max_frame: u32,
        fault_count: u32,
        epoch: u64,
        cluster_id: u128,
        stripe: u8,
        stripes: u8,
    },
    /// The current members (sent after `Welcome`; includes this client).
    Membership {
        this_node: u64,
        nodes: Vec<NodeInfo>,
    },
    /// A client joined.
    NodeJoined { node: NodeInfo },
    /// A client left (or was removed).
    NodeLeft { node: NodeInfo },
    /// Object id range `[start, start+count)` leased to the client.
    IdLease { start: u64, count: u64 },
    /// Answer to `RootLookup` / `RootCreate`: the root's value now (None: unbound).
    RootValue {
        req_id: u64,
        name: String,
        value: Option<Value>,
    },
    /// Answer to `ListRoots`.
    RootList {
        req_id: u64,
        roots: Vec<(String, Value)>,
    },
    /// Answer to `Fault`.
    FaultReply {
        req_id: u64,
        objects: Vec<FaultedObject>,
        missing: Vec<ObjectId>,
    },
    /// Every transaction with seq ≤ `upto_seq` is committed; `gtx` is the last one's GTX.
    BatchAck { upto_seq: u64, gtx: u64 },
    /// One `TXN_FLAG_SYNC` transaction is committed.
    CommitAck { seq: u64, gtx: u64 },
    /// Changes another client committed to objects resident here (one transaction).
    Deltas {
        gtx: u64,
        from_client: u64,
        deltas: Vec<Delta>,
    },
    /// Lock granted (a greedy lease: keep it until recalled).
    LockAward {
        req_id: u64,
        lock: LockId,
        level: LockLevel,
        token: u64,
    },
    /// Another client wants the lock: flush, then `RecallCommit`.
    LockRecall { lock: LockId, level: LockLevel },
    /// A try-lock failed or timed out, or a request was cancelled.
    LockTimeout { req_id: u64, lock: LockId },
    /// A waiter is done waiting (it must re-acquire the lock itself).
    WaitDone { waiter_id: u64, reason: WakeReason },
    /// A distributed method call to run locally.
    DmiDeliver {
        from_client: u64,
        gtx: u64,
        call: DmiCall,
    },
    /// A subscribed target changed (after the matching `Deltas`, if any).
    ChangeNotice {
        target: SubTarget,
        gtx: u64,
        from_client: u64,
    },
    /// An error; the server closes the connection after sending it unless noted.
    Error { code: ErrorCode, message: String },
    /// Answer to `Reassert`: the client's cached copies of `stale` are older than the server's
    /// (or gone); it must drop them. `gtx` is the server's last GTX.
    Resumed { gtx: u64, stale: Vec<ObjectId> },
    /// The transactions `from_seq..=upto_seq` were not committed (nothing of them is applied);
    /// the connection stays open and the sequence numbers are consumed.
    TxnRejected {
        from_seq: u64,
        upto_seq: u64,
        code: ErrorCode,
        message: String,
    },
    /// Answer to `Locate`: for each requested object, in order, the ids of the clients where
    /// it is resident (the asking client included), ascending.
    Located { req_id: u64, nodes: Vec<Vec<u64>> },
    /// Answer to `Prepare`: the part is checked, kept and its objects pinned.
    Prepared { req_id: u64, xid: Xid },
    /// Answer to `Prepare`: the part cannot be committed (nothing of it is kept).
    PrepareFailed {
        req_id: u64,
        xid: Xid,
        code: ErrorCode,
        message: String,
    },
    /// Answer to `Decide`: the part is applied (`commit`, as GTX `gtx`) or dropped (`gtx` 0).
    Decided {
        req_id: u64,
        xid: Xid,
        commit: bool,
        gtx: u64,
    },
    /// Sent just before the `LockAward` of request `req_id`: the award is used only once
    /// every stripe of `fence` answered `AwaitParts` for its transaction.
    AwardFence {
        req_id: u64,
        lock: LockId,
        fence: Fence,
    },
    /// Answer to `AwaitParts`.
    PartsDone { req_id: u64, xid: Xid },
    /// Answer to `Outcome`: `state` 0 = not decided yet (ask again), 1 = committed (as GTX
    /// `gtx` on the coordinator), 2 = aborted.
    OutcomeIs {
        req_id: u64,
        xid: Xid,
        state: u8,
        gtx: u64,
    },
}

fn put_oids(out: &mut BytesMut, oids: &[ObjectId]) {
    put_count(out, oids.len());
    oids.iter().for_each(|o| out.put_u64(o.0));
}

fn get_oids(r: &mut Reader<'_>) -> Result<Vec<ObjectId>, ProtocolError> {
    let n = r.count(8, "object ids")?;
    let mut v = Vec::with_capacity(n);
    for _ in 0..n {
        v.push(ObjectId(r.u64()?));
    }
    Ok(v)
}

fn put_opt_value(out: &mut BytesMut, v: &Option<Value>) {
    match v {
        None => out.put_u8(0),
        Some(v) => {
            out.put_u8(1);
            v.encode(out);
        }
    }
}

impl Message {
    /// The message's type byte.
    pub fn type_byte(&self) -> u8 {
        use msg_type as t;
        match self {
            Message::Hello { .. } => t::HELLO,
            Message::IdLeaseRequest { .. } => t::ID_LEASE_REQUEST,
            Message::RootLookup { .. } => t::ROOT_LOOKUP,
            Message::RootCreate { .. } => t::ROOT_CREATE,
            Message::ListRoots { .. } => t::LIST_ROOTS,
            Message::Fault { .. } => t::FAULT,
            Message::Evict { .. } => t::EVICT,
            Message::TxnBatch { .. } => t::TXN_BATCH,
            Message::LockRequest { .. } => t::LOCK_REQUEST,
            Message::LockCancel { .. } => t::LOCK_CANCEL,
            Message::RecallCommit { .. } => t::RECALL_COMMIT,
            Message::LockRelease { .. } => t::LOCK_RELEASE,
            Message::Wait { .. } => t::WAIT,
            Message::Interrupt { .. } => t::INTERRUPT,
            Message::Subscribe { .. } => t::SUBSCRIBE,
            Message::Unsubscribe { .. } => t::UNSUBSCRIBE,
            Message::Goodbye => t::GOODBYE,
            Message::Reassert { .. } => t::REASSERT,
            Message::Locate { .. } => t::LOCATE,
            Message::Ping { .. } => t::PING,
            Message::Pong { .. } => t::PONG,
            Message::Welcome { .. } => t::WELCOME,
            Message::Membership { .. } => t::MEMBERSHIP,
            Message::NodeJoined { .. } => t::NODE_JOINED,
            Message::NodeLeft { .. } => t::NODE_LEFT,
            Message::IdLease { .. } => t::ID_LEASE,
            Message::RootValue { .. } => t::ROOT_VALUE,
            Message::RootList { .. } => t::ROOT_LIST,
            Message::FaultReply { .. } => t::FAULT_REPLY,
            Message::BatchAck { .. } => t::BATCH_ACK,
            Message::CommitAck { .. } => t::COMMIT_ACK,
            Message::Deltas { .. } => t::DELTAS,
            Message::LockAward { .. } => t::LOCK_AWARD,
            Message::LockRecall { .. } => t::LOCK_RECALL,
            Message::LockTimeout { .. } => t::LOCK_TIMEOUT,
            Message::WaitDone { .. } => t::WAIT_DONE,
            Message::DmiDeliver { .. } => t::DMI_DELIVER,
            Message::ChangeNotice { .. } => t::CHANGE_NOTICE,
            Message::Error { .. } => t::ERROR,
            Message::Resumed { .. } => t::RESUMED,
            Message::TxnRejected { .. } => t::TXN_REJECTED,
            Message::Located { .. } => t::LOCATED,
            Message::Prepare { .. } => t::PREPARE,
            Message::Decide { .. } => t::DECIDE,
            Message::Commit { .. } => t::COMMIT,
            Message::AwaitParts { .. } => t::AWAIT_PARTS,
            Message::PartsDone { .. } => t::PARTS_DONE,
            Message::Prepared { .. } => t::PREPARED,
            Message::PrepareFailed { .. } => t::PREPARE_FAILED,
            Message::Decided { .. } => t::DECIDED,
            Message::AwardFence { .. } => t::AWARD_FENCE,
            Message::Outcome { .. } => t::OUTCOME,
            Message::OutcomeIs { .. } => t::OUTCOME_IS,
        }
    }

    /// The message's name, for logs and errors.
    pub fn name(&self) -> &'static str {
        type_name(self.type_byte())
    }

    /// Appends type byte + body (no frame header).
    pub fn encode_body(&self, out: &mut BytesMut) {
        out.put_u8(self.type_byte());
        match self {
            Message::Hello {
                protocol_version,
                client_name,
                pid,
                reconnect,
            } => {
                out.put_u16(*protocol_version);
                put_str(out, client_name);
                out.put_u32(*pid);
                match reconnect {
                    None => out.put_u8(0),
                    Some(rc) => {
                        out.put_u8(1);
                        out.put_u64(rc.client_id);
                        out.put_u64(rc.last_acked_seq);
                    }
                }
            }
            Message::IdLeaseRequest { count } => out.put_u64(*count),
            Message::RootLookup { req_id, name } => {
                out.put_u64(*req_id);
                put_str(out, name);
            }
            Message::RootCreate {
                req_id,
                name,
                value,
                replace,
            } => {
                out.put_u64(*req_id);
                put_str(out, name);
                value.encode(out);
                out.put_u8(u8::from(*replace));
            }
            Message::ListRoots { req_id } => out.put_u64(*req_id),
            Message::Fault {
                req_id,
                oids,
                budget,
            } => {
                out.put_u64(*req_id);
                put_oids(out, oids);
                out.put_u32(*budget);
            }
            Message::Evict { oids } => put_oids(out, oids),
            Message::TxnBatch { txns } => {
                put_count(out, txns.len());
                txns.iter().for_each(|t| t.encode(out));
            }
            Message::LockRequest {
                req_id,
                lock,
                level,
                timeout_ms,
            } => {
                out.put_u64(*req_id);
                lock.encode(out);
                out.put_u8(*level as u8);
                out.put_i64(*timeout_ms);
            }
            Message::LockCancel { req_id } => out.put_u64(*req_id),
            Message::RecallCommit { lock } | Message::LockRelease { lock } => lock.encode(out),
            Message::Wait {
                waiter_id,
                lock,
                timeout_ms,
            } => {
                out.put_u64(*waiter_id);
                lock.encode(out);
                out.put_u64(*timeout_ms);
            }
            Message::Interrupt { waiter_id } => out.put_u64(*waiter_id),
            Message::Subscribe { target } | Message::Unsubscribe { target } => target.encode(out),
            Message::Goodbye => {}
            Message::Ping { nonce } | Message::Pong { nonce } => out.put_u64(*nonce),
            Message::Welcome {
                protocol_version,
                client_id,
                server_name,
                max_frame,
                fault_count,
                epoch,
                cluster_id,
                stripe,
                stripes,
            } => {
                out.put_u16(*protocol_version);
                out.put_u64(*client_id);
                put_str(out, server_name);
                out.put_u32(*max_frame);
                out.put_u32(*fault_count);
                out.put_u64(*epoch);
                out.put_u128(*cluster_id);
                out.put_u8(*stripe);
                out.put_u8(*stripes);
            }
            Message::Membership { this_node, nodes } => {
                out.put_u64(*this_node);
                put_count(out, nodes.len());
                nodes.iter().for_each(|n| n.encode(out));
            }
            Message::NodeJoined { node } | Message::NodeLeft { node } => node.encode(out),
            Message::IdLease { start, count } => {
                out.put_u64(*start);
                out.put_u64(*count);
            }
            Message::RootValue {
                req_id,
                name,
                value,
            } => {
                out.put_u64(*req_id);
                put_str(out, name);
                put_opt_value(out, value);
            }
            Message::RootList { req_id, roots } => {
                out.put_u64(*req_id);
                put_count(out, roots.len());
                for (n, v) in roots {
                    put_str(out, n);
                    v.encode(out);
                }
            }
            Message::FaultReply {
                req_id,
                objects,
                missing,
            } => {
                out.put_u64(*req_id);
                put_count(out, objects.len());
                for o in objects {
                    out.put_u64(o.oid.0);
                    out.put_u64(o.version);
                    o.state.encode(out);
                }
                put_oids(out, missing);
            }
            Message::BatchAck { upto_seq, gtx } => {
                out.put_u64(*upto_seq);
                out.put_u64(*gtx);
            }
            Message::CommitAck { seq, gtx } => {
                out.put_u64(*seq);
                out.put_u64(*gtx);
            }
            Message::Deltas {
                gtx,
                from_client,
                deltas,
            } => {
                out.put_u64(*gtx);
                out.put_u64(*from_client);
                put_count(out, deltas.len());
                deltas.iter().for_each(|d| d.encode(out));
            }
            Message::LockAward {
                req_id,
                lock,
                level,
                token,
            } => {
                out.put_u64(*req_id);
                lock.encode(out);
                out.put_u8(*level as u8);
                out.put_u64(*token);
            }
            Message::LockRecall { lock, level } => {
                lock.encode(out);
                out.put_u8(*level as u8);
            }
            Message::LockTimeout { req_id, lock } => {
                out.put_u64(*req_id);
                lock.encode(out);
            }
            Message::WaitDone { waiter_id, reason } => {
                out.put_u64(*waiter_id);
                out.put_u8(*reason as u8);
            }
            Message::DmiDeliver {
                from_client,
                gtx,
                call,
            } => {
                out.put_u64(*from_client);
                out.put_u64(*gtx);
                encode_dmi(call, out);
            }
            Message::ChangeNotice {
                target,
                gtx,
                from_client,
            } => {
                target.encode(out);
                out.put_u64(*gtx);
                out.put_u64(*from_client);
            }
            Message::Error { code, message } => {
                out.put_u16(*code as u16);
                put_str(out, message);
            }
            Message::Reassert {
                resident,
                locks,
                waiters,
            } => {
                put_count(out, resident.len());
                for (oid, version) in resident {
                    out.put_u64(oid.0);
                    out.put_u64(*version);
                }
                put_count(out, locks.len());
                for (lock, level) in locks {
                    lock.encode(out);
                    out.put_u8(*level as u8);
                }
                put_count(out, waiters.len());
                for (waiter_id, lock, timeout_ms) in waiters {
                    out.put_u64(*waiter_id);
                    lock.encode(out);
                    out.put_u64(*timeout_ms);
                }
            }
            Message::Resumed { gtx, stale } => {
                out.put_u64(*gtx);
                put_oids(out, stale);
            }
            Message::Locate { req_id, oids } => {
                out.put_u64(*req_id);
                put_oids(out, oids);
            }
            Message::Located { req_id, nodes } => {
                out.put_u64(*req_id);
                put_count(out, nodes.len());
                for ids in nodes {
                    put_count(out, ids.len());
                    ids.iter().for_each(|id| out.put_u64(*id));
                }
            }
            Message::TxnRejected {
                from_seq,
                upto_seq,
                code,
                message,
            } => {
                out.put_u64(*from_seq);
                out.put_u64(*upto_seq);
                out.put_u16(*code as u16);
                put_str(out, message);
            }
            Message::Prepare { req_id, xid, part } => {
                out.put_u64(*req_id);
                xid.encode(out);
                part.encode(out);
            }
            Message::Decide {
                req_id,
                xid,
                commit,
            } => {
                out.put_u64(*req_id);
                xid.encode(out);
                out.put_u8(u8::from(*commit));
            }
            Message::Commit {
                req_id,
                xid,
                lock,
                participants,
                fence,
            } => {
                out.put_u64(*req_id);
                xid.encode(out);
                lock.encode(out);
                put_count(out, participants.len());
                participants.iter().for_each(|s| out.put_u8(*s));
                out.put_u8(u8::from(*fence));
            }
            Message::AwaitParts { req_id, xid } | Message::PartsDone { req_id, xid } => {
                out.put_u64(*req_id);
                xid.encode(out);
            }
            Message::Prepared { req_id, xid } => {
                out.put_u64(*req_id);
                xid.encode(out);
            }
            Message::PrepareFailed {
                req_id,
                xid,
                code,
                message,
            } => {
                out.put_u64(*req_id);
                xid.encode(out);
                out.put_u16(*code as u16);
                put_str(out, message);
            }
            Message::Decided {
                req_id,
                xid,
                commit,
                gtx,
            } => {
                out.put_u64(*req_id);
                xid.encode(out);
                out.put_u8(u8::from(*commit));
                out.put_u64(*gtx);
            }
            Message::AwardFence {
                req_id,
                lock,
                fence,
            } => {
                out.put_u64(*req_id);
                lock.encode(out);
                put_fence(out, fence);
            }
            Message::Outcome { req_id, xid, from } => {
                out.put_u64(*req_id);
                xid.encode(out);
                out.put_u8(*from);
            }
            Message::OutcomeIs {
                req_id,
                xid,
                state,
                gtx,
            } => {
                out.put_u64(*req_id);
                xid.encode(out);
                out.put_u8(*state);
                out.put_u64(*gtx);
            }
        }
    }

    /// Parses a frame payload (type byte + body). The whole payload must be consumed.
    pub fn decode(payload: &[u8]) -> Result<Message, ProtocolError> {
        use msg_type as t;
        let mut r = Reader::new(payload);
        let ty = r.u8().map_err(|_| ProtocolError::EmptyFrame)?;
        let r = &mut r;
        let m = match ty {
            t::HELLO => Message::Hello {
                protocol_version: r.u16()?,
                client_name: r.string("client name")?,
                pid: r.u32()?,
                reconnect: match r.u8()? {
                    0 => None,
                    1 => Some(Reconnect {
                        client_id: r.u64()?,
                        last_acked_seq: r.u64()?,
                    }),
                    t => {
                        return Err(ProtocolError::InvalidTag {
                            what: "option",
                            tag: t,
                        })
                    }
                },
            },
            t::ID_LEASE_REQUEST => Message::IdLeaseRequest { count: r.u64()? },
            t::ROOT_LOOKUP => Message::RootLookup {
                req_id: r.u64()?,
                name: r.string("root name")?,
            },
            t::ROOT_CREATE => Message::RootCreate {
                req_id: r.u64()?,
                name: r.string("root name")?,
                value: Value::decode(r)?,
                replace: r.bool()?,
            },
            t::LIST_ROOTS => Message::ListRoots { req_id: r.u64()? },
            t::FAULT => Message::Fault {
                req_id: r.u64()?,
                oids: get_oids(r)?,
                budget: r.u32()?,
            },
            t::EVICT => Message::Evict { oids: get_oids(r)? },
            t::TXN_BATCH => {
                let n = r.count(25, "transactions")?;
                let mut txns = Vec::with_capacity(n);
                for _ in 0..n {
                    txns.push(Txn::decode(r)?);
                }
                Message::TxnBatch { txns }
            }
            t::LOCK_REQUEST => Message::LockRequest {
                req_id: r.u64()?,
                lock: LockId::decode(r)?,
                level: LockLevel::from_u8(r.u8()?)?,
                timeout_ms: r.i64()?,
            },
            t::LOCK_CANCEL => Message::LockCancel { req_id: r.u64()? },
            t::RECALL_COMMIT => Message::RecallCommit {
                lock: LockId::decode(r)?,
            },
            t::LOCK_RELEASE => Message::LockRelease {
                lock: LockId::decode(r)?,
            },
            t::WAIT => Message::Wait {
                waiter_id: r.u64()?,
                lock: LockId::decode(r)?,
                timeout_ms: r.u64()?,
            },
            t::INTERRUPT => Message::Interrupt {
                waiter_id: r.u64()?,
            },
            t::SUBSCRIBE => Message::Subscribe {
                target: SubTarget::decode(r)?,
            },
            t::UNSUBSCRIBE => Message::Unsubscribe {
                target: SubTarget::decode(r)?,
            },
            t::GOODBYE => Message::Goodbye,
            t::PING => Message::Ping { nonce: r.u64()? },
            t::PONG => Message::Pong { nonce: r.u64()? },
            t::WELCOME => Message::Welcome {
                protocol_version: r.u16()?,
                client_id: r.u64()?,
                server_name: r.string("server name")?,
                max_frame: r.u32()?,
                fault_count: r.u32()?,
                epoch: r.u64()?,
                cluster_id: u128::from_be_bytes(
                    r.take(16, "cluster id")?
                        .try_into()
                        .expect("16 bytes were taken"),
                ),
                stripe: r.u8()?,
                stripes: r.u8()?,
            },
            t::MEMBERSHIP => {
                let this_node = r.u64()?;
                let n = r.count(20, "nodes")?;
                let mut nodes = Vec::with_capacity(n);
                for _ in 0..n {
                    nodes.push(NodeInfo::decode(r)?);
                }
                Message::Membership { this_node, nodes }
            }
            t::NODE_JOINED => Message::NodeJoined {
                node: NodeInfo::decode(r)?,
            },
            t::NODE_LEFT => Message::NodeLeft {
                node: NodeInfo::decode(r)?,
            },
            t::ID_LEASE => Message::IdLease {
                start: r.u64()?,
                count: r.u64()?,
            },
            t::ROOT_VALUE => Message::RootValue {
                req_id: r.u64()?,
                name: r.string("root name")?,
                value: match r.u8()? {
                    0 => None,
                    1 => Some(Value::decode(r)?),
                    t => {
                        return Err(ProtocolError::InvalidTag {
                            what: "option",
                            tag: t,
                        })
                    }
                },
            },
            t::ROOT_LIST => {
                let req_id = r.u64()?;
                let n = r.count(5, "roots")?;
                let mut roots = Vec::with_capacity(n);
                for _ in 0..n {
                    let name = r.string("root name")?;
                    roots.push((name, Value::decode(r)?));
                }
                Message::RootList { req_id, roots }
            }
            t::FAULT_REPLY => {
                let req_id = r.u64()?;
                let n = r.count(21, "faulted objects")?;
                let mut objects = Vec::with_capacity(n);
                for _ in 0..n {
                    objects.push(FaultedObject {
                        oid: ObjectId(r.u64()?),
                        version: r.u64()?,
                        state: ObjectState::decode(r)?,
                    });
                }
                Message::FaultReply {
                    req_id,
                    objects,
                    missing: get_oids(r)?,
                }
            }
            t::BATCH_ACK => Message::BatchAck {
                upto_seq: r.u64()?,
                gtx: r.u64()?,
            },
            t::COMMIT_ACK => Message::CommitAck {
                seq: r.u64()?,
                gtx: r.u64()?,
            },
            t::DELTAS => {
                let gtx = r.u64()?;
                let from_client = r.u64()?;
                let n = r.count(12, "deltas")?;
                let mut deltas = Vec::with_capacity(n);
                for _ in 0..n {
                    deltas.push(Delta::decode(r)?);
                }
                Message::Deltas {
                    gtx,
                    from_client,
                    deltas,
                }
            }
            t::LOCK_AWARD => Message::LockAward {
                req_id: r.u64()?,
                lock: LockId::decode(r)?,
                level: LockLevel::from_u8(r.u8()?)?,
                token: r.u64()?,
            },
            t::LOCK_RECALL => Message::LockRecall {
                lock: LockId::decode(r)?,
                level: LockLevel::from_u8(r.u8()?)?,
            },
            t::LOCK_TIMEOUT => Message::LockTimeout {
                req_id: r.u64()?,
                lock: LockId::decode(r)?,
            },
            t::WAIT_DONE => Message::WaitDone {
                waiter_id: r.u64()?,
                reason: match r.u8()? {
                    1 => WakeReason::Notified,
                    2 => WakeReason::TimedOut,
                    3 => WakeReason::Interrupted,
                    t => {
                        return Err(ProtocolError::InvalidTag {
                            what: "wake reason",
                            tag: t,
                        })
                    }
                },
            },
            t::DMI_DELIVER => Message::DmiDeliver {
                from_client: r.u64()?,
                gtx: r.u64()?,
                call: decode_dmi(r)?,
            },
            t::CHANGE_NOTICE => Message::ChangeNotice {
                target: SubTarget::decode(r)?,
                gtx: r.u64()?,
                from_client: r.u64()?,
            },
            t::ERROR => Message::Error {
                code: ErrorCode::from_u16(r.u16()?),
                message: r.string("error message")?,
            },
            t::REASSERT => {
                let n = r.count(16, "resident objects")?;
                let mut resident = Vec::with_capacity(n);
                for _ in 0..n {
                    resident.push((ObjectId(r.u64()?), r.u64()?));
                }
                let n = r.count(3, "held locks")?;
                let mut locks = Vec::with_capacity(n);
                for _ in 0..n {
                    locks.push((LockId::decode(r)?, LockLevel::from_u8(r.u8()?)?));
                }
                let n = r.count(18, "waiters")?;
                let mut waiters = Vec::with_capacity(n);
                for _ in 0..n {
                    waiters.push((r.u64()?, LockId::decode(r)?, r.u64()?));
                }
                Message::Reassert {
                    resident,
                    locks,
                    waiters,
                }
            }
            t::RESUMED => Message::Resumed {
                gtx: r.u64()?,
                stale: get_oids(r)?,
            },
            t::LOCATE => Message::Locate {
                req_id: r.u64()?,
                oids: get_oids(r)?,
            },
            t::LOCATED => {
                let req_id = r.u64()?;
                let n = r.count(4, "located objects")?;
                let mut nodes = Vec::with_capacity(n);
                for _ in 0..n {
                    let k = r.count(8, "client ids")?;
                    let mut ids = Vec::with_capacity(k);
                    for _ in 0..k {
                        ids.push(r.u64()?);
                    }
                    nodes.push(ids);
                }
                Message::Located { req_id, nodes }
            }
            t::TXN_REJECTED => Message::TxnRejected {
                from_seq: r.u64()?,
                upto_seq: r.u64()?,
                code: ErrorCode::from_u16(r.u16()?),
                message: r.string("rejection message")?,
            },
            t::PREPARE => Message::Prepare {
                req_id: r.u64()?,
                xid: Xid::decode(r)?,
                part: Txn::decode(r)?,
            },
            t::DECIDE => Message::Decide {
                req_id: r.u64()?,
                xid: Xid::decode(r)?,
                commit: r.bool()?,
            },
            t::COMMIT => Message::Commit {
                req_id: r.u64()?,
                xid: Xid::decode(r)?,
                lock: LockId::decode(r)?,
                participants: {
                    let n = r.count(1, "participants")?;
                    let mut v = Vec::with_capacity(n);
                    for _ in 0..n {
                        v.push(r.u8()?);
                    }
                    v
                },
                fence: r.bool()?,
            },
            t::AWAIT_PARTS => Message::AwaitParts {
                req_id: r.u64()?,
                xid: Xid::decode(r)?,
            },
            t::PARTS_DONE => Message::PartsDone {
                req_id: r.u64()?,
                xid: Xid::decode(r)?,
            },
            t::PREPARED => Message::Prepared {
                req_id: r.u64()?,
                xid: Xid::decode(r)?,
            },
            t::PREPARE_FAILED => Message::PrepareFailed {
                req_id: r.u64()?,
                xid: Xid::decode(r)?,
                code: ErrorCode::from_u16(r.u16()?),
                message: r.string("prepare failure message")?,
            },
            t::DECIDED => Message::Decided {
                req_id: r.u64()?,
                xid: Xid::decode(r)?,
                commit: r.bool()?,
                gtx: r.u64()?,
            },
            t::AWARD_FENCE => Message::AwardFence {
                req_id: r.u64()?,
                lock: LockId::decode(r)?,
                fence: get_fence(r)?,
            },
            t::OUTCOME => Message::Outcome {
                req_id: r.u64()?,
                xid: Xid::decode(r)?,
                from: r.u8()?,
            },
            t::OUTCOME_IS => Message::OutcomeIs {
                req_id: r.u64()?,
                xid: Xid::decode(r)?,
                state: match r.u8()? {
                    s @ 0..=2 => s,
                    t => {
                        return Err(ProtocolError::InvalidTag {
                            what: "outcome",
                            tag: t,
                        })
                    }
                },
                gtx: r.u64()?,
            },
            other => return Err(ProtocolError::UnknownMessage(other)),
        };
        r.finish(type_name(ty))?;
        Ok(m)
    }
}

/// Name of a message type byte (`"unknown"` if none).
pub fn type_name(ty: u8) -> &'static str {
    use msg_type as t;
    match ty {
        t::HELLO => "Hello",
        t::ID_LEASE_REQUEST => "IdLeaseRequest",
        t::ROOT_LOOKUP => "RootLookup",
        t::ROOT_CREATE => "RootCreate",
        t::LIST_ROOTS => "ListRoots",
        t::FAULT => "Fault",
        t::EVICT => "Evict",
        t::TXN_BATCH => "TxnBatch",
        t::LOCK_REQUEST => "LockRequest",
        t::LOCK_CANCEL => "LockCancel",
        t::RECALL_COMMIT => "RecallCommit",
        t::LOCK_RELEASE => "LockRelease",
        t::WAIT => "Wait",
        t::INTERRUPT => "Interrupt",
        t::SUBSCRIBE => "Subscribe",
        t::UNSUBSCRIBE => "Unsubscribe",
        t::GOODBYE => "Goodbye",
        t::REASSERT => "Reassert",
        t::LOCATE => "Locate",
        t::PING => "Ping",
        t::PONG => "Pong",
        t::WELCOME => "Welcome",
        t::MEMBERSHIP => "Membership",
        t::NODE_JOINED => "NodeJoined",
        t::NODE_LEFT => "NodeLeft",
        t::ID_LEASE => "IdLease",
        t::ROOT_VALUE => "RootValue",
        t::ROOT_LIST => "RootList",
        t::FAULT_REPLY => "FaultReply",
        t::BATCH_ACK => "BatchAck",
        t::COMMIT_ACK => "CommitAck",
        t::DELTAS => "Deltas",
        t::LOCK_AWARD => "LockAward",
        t::LOCK_RECALL => "LockRecall",
        t::LOCK_TIMEOUT => "LockTimeout",
        t::WAIT_DONE => "WaitDone",
        t::DMI_DELIVER => "DmiDeliver",
        t::CHANGE_NOTICE => "ChangeNotice",
        t::ERROR => "Error",
        t::RESUMED => "Resumed",
        t::TXN_REJECTED => "TxnRejected",
        t::LOCATED => "Located",
        t::PREPARE => "Prepare",
        t::DECIDE => "Decide",
        t::COMMIT => "Commit",
        t::AWAIT_PARTS => "AwaitParts",
        t::PARTS_DONE => "PartsDone",
        t::PREPARED => "Prepared",
        t::PREPARE_FAILED => "PrepareFailed",
        t::DECIDED => "Decided",
        t::AWARD_FENCE => "AwardFence",
        t::OUTCOME => "Outcome",
        t::OUTCOME_IS => "OutcomeIs",
        _ => "unknown",
    }
}

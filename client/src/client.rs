//! The async client: connection, reader / writer / health tasks, cache, locks, roots.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Weak};
use std::time::{Duration, Instant};

use bytes::BytesMut;
use kiln_protocol::frame::{self, FrameDecoder};
use kiln_protocol::{
    DmiCall, ErrorCode, LockId, LockLevel, Message, NodeInfo, ObjectData, ObjectId, ObjectState,
    SubTarget, Txn as WireTxn, Value, WakeReason, PROTOCOL_VERSION,
};
use parking_lot::{Mutex, RwLock};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::tcp::OwnedReadHalf;
use tokio::net::TcpStream;
use tokio::sync::{broadcast, oneshot, watch, Notify};
use tokio::task::JoinHandle;

use crate::locks::{Ctx, GrantResult, LockCore, Waiter};
use crate::outbound::{writer_loop, Outbound};
use crate::txn::{FastOr, Txn};
use crate::{Error, Result};
use rustc_hash::FxHashMap;
use std::future::Future;

/// Default number of object ids leased per request.
const DEFAULT_ID_BATCH: u64 = 10_000;
/// Default bound on unacknowledged transactions.
pub const DEFAULT_WINDOW: usize = 20_000;

// ------------------------------------------------------------------------------------- events

/// A change of cluster membership, see [`Client::events`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ClusterEvent {
    /// Another client connected.
    NodeJoined(NodeInfo),
    /// A client disconnected (cleanly or not).
    NodeLeft(NodeInfo),
    /// This client lost (or closed) its connection to the server.
    Disconnected,
}

/// A distributed method call delivered to this client, see [`Client::dmi_events`].
#[derive(Debug, Clone, PartialEq)]
pub struct DmiEvent {
    /// The client whose transaction carried the call.
    pub from_client: u64,
    /// The global transaction id of that transaction.
    pub gtx: u64,
    /// The call.
    pub call: DmiCall,
}

/// A subscribed object or root changed, see [`Client::subscribe`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangeEvent {
    /// What changed.
    pub target: SubTarget,
    /// The transaction that changed it.
    pub gtx: u64,
    /// The client that committed it.
    pub from_client: u64,
}

/// Counters of a client, for tests and monitoring (see [`Client::stats`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ClientStats {
    /// Frames written to the server (a `TxnBatch` with many transactions counts once).
    pub frames_sent: u64,
    /// `write` calls (each carries every frame queued at that moment).
    pub writes: u64,
    /// Bytes written.
    pub bytes_sent: u64,
    /// Frames received.
    pub frames_received: u64,
    /// Bytes received.
    pub bytes_received: u64,
    /// `LockRequest`s sent.
    pub lock_requests: u64,
    /// Health-check and [`Client::ping`] `Ping`s sent (each is one frame of `frames_sent`).
    pub pings_sent: u64,
    /// `LockRecall`s received.
    pub recalls: u64,
    /// Non-empty transactions committed (queued for sending).
    pub txns_committed: u64,
    /// Transactions written to the socket.
    pub txns_sent: u64,
    /// Highest transaction sequence acknowledged by the server.
    pub acked_seq: u64,
    /// `Fault` requests sent.
    pub faults: u64,
    /// Remote `Deltas` messages applied to the cache.
    pub remote_txns_applied: u64,
    /// Objects currently in the local cache.
    pub cached_objects: u64,
    /// Locks this client keeps state for (leased, held, waited for or requested).
    pub tracked_locks: u64,
}

#[derive(Debug, Default)]
pub(crate) struct Stats {
    pub(crate) frames_sent: AtomicU64,
    pub(crate) writes: AtomicU64,
    pub(crate) bytes_sent: AtomicU64,
    pub(crate) frames_received: AtomicU64,
    pub(crate) bytes_received: AtomicU64,
    pub(crate) lock_requests: AtomicU64,
    pub(crate) pings_sent: AtomicU64,
    pub(crate) recalls: AtomicU64,
    pub(crate) txns_committed: AtomicU64,
    pub(crate) txns_sent: AtomicU64,
    pub(crate) faults: AtomicU64,
    pub(crate) remote_txns: AtomicU64,
}

// ------------------------------------------------------------------------------------- builder

/// Client-side health check of the server connection (`l1.healthcheck.l2.*`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HealthCheck {
    /// Silence before the first probe.
    pub idle: Duration,
    /// Time between unanswered probes.
    pub interval: Duration,
    /// Unanswered probes before the connection is declared lost.
    pub probes: u32,
}

impl Default for HealthCheck {
    fn default() -> Self {
        HealthCheck {
            idle: Duration::from_millis(5000),
            interval: Duration::from_millis(1000),
            probes: 3,
        }
    }
}

/// Configures and opens a [`Client`].
///
/// ```no_run
/// # async fn demo() -> kiln::Result<()> {
/// use std::time::Duration;
/// let client = kiln::ClientBuilder::new(["127.0.0.1:9510", "127.0.0.1:9511"])
///     .name("order-service")
///     .connect_deadline(Duration::from_secs(5))
///     .connect()
///     .await?;
/// # drop(client); Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct ClientBuilder {
    addrs: Vec<String>,
    name: String,
    fault_count: Option<u32>,
    window: usize,
    connect_timeout: Duration,
    connect_deadline: Option<Duration>,
    max_retries: i64,
    retry_wait: Duration,
    health: Option<HealthCheck>,
    id_batch: u64,
}

impl ClientBuilder {
    /// A builder for the given server addresses (`host:port`), tried in order.
    ///
    /// Defaults: connect timeout 10 s per attempt, retry rounds forever (`-1`) every second but
    /// at most 10 s overall, window of 20 000 unacknowledged transactions, fault count from the
    /// server's `Welcome`, health check 5 s idle / 1 s interval / 3 probes.
    pub fn new<S: Into<String>>(addrs: impl IntoIterator<Item = S>) -> Self {
        ClientBuilder {
            addrs: addrs.into_iter().map(Into::into).collect(),
            name: format!("kiln-rust-{}", std::process::id()),
            fault_count: None,
            window: DEFAULT_WINDOW,
            connect_timeout: Duration::from_secs(10),
            connect_deadline: Some(Duration::from_secs(10)),
            max_retries: -1,
            retry_wait: Duration::from_secs(1),
            health: Some(HealthCheck::default()),
            id_batch: DEFAULT_ID_BATCH,
        }
    }

    /// A builder from a parsed `tc-config.xml`: every server of the configuration,
    /// `l1.max.connect.retries`, `l1.socket.connect.timeout`, `l1.socket.reconnect.waitInterval`,
    /// `l1.healthcheck.l2.*` and `<clients><dso><fault-count>`. No overall deadline (set one with
    /// [`ClientBuilder::connect_deadline`]).
    pub fn from_config(cfg: &kiln_config::TcConfig) -> Self {
        let mut b = ClientBuilder::new(cfg.client_addresses());
        let c = cfg.tc_properties.l1_connect();
        b.max_retries = c.max_connect_retries;
        b.connect_timeout = Duration::from_millis(c.socket_connect_timeout_ms.max(1));
        b.retry_wait = Duration::from_millis(c.reconnect_wait_interval_ms.max(10));
        b.connect_deadline = None;
        let hc = cfg
            .tc_properties
            .healthcheck(kiln_config::HealthCheckTarget::L1ToL2);
        b.health = hc.ping_enabled.then(|| HealthCheck {
            idle: Duration::from_millis(hc.ping_idletime_ms.max(1)),
            interval: Duration::from_millis(hc.ping_interval_ms.max(1)),
            probes: hc.ping_probes.max(1),
        });
        b.fault_count = Some(cfg.clients.fault_count);
        b
    }

    /// [`ClientBuilder::from_config`] over a configuration file.
    pub fn from_config_file(path: impl AsRef<std::path::Path>) -> Result<Self> {
        Ok(Self::from_config(&kiln_config::TcConfig::from_file(path)?))
    }

    /// The client name sent in `Hello` (shown in membership events and server logs).
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = name.into();
        self
    }
    /// Prefetch budget of faults (objects per `Fault`); default: the server's `fault_count`.
    pub fn fault_count(mut self, n: u32) -> Self {
        self.fault_count = Some(n.max(1));
        self
    }
    /// Maximum unacknowledged transactions before committers block (default 20 000).
    pub fn window(mut self, n: usize) -> Self {
        self.window = n.max(1);
        self
    }
    /// Timeout of one TCP connect attempt.
    pub fn connect_timeout(mut self, d: Duration) -> Self {
        self.connect_timeout = d;
        self
    }
    /// Overall time limit of [`ClientBuilder::connect`] across all retries.
    pub fn connect_deadline(mut self, d: Duration) -> Self {
        self.connect_deadline = Some(d);
        self
    }
    /// No overall connect deadline (only `max_retries` bounds the attempts).
    pub fn no_connect_deadline(mut self) -> Self {
        self.connect_deadline = None;
        self
    }
    /// Rounds over the address list after the first one; `-1` = forever.
    pub fn max_retries(mut self, n: i64) -> Self {
        self.max_retries = n;
        self
    }
    /// Pause between two rounds over the address list.
    pub fn retry_wait(mut self, d: Duration) -> Self {
        self.retry_wait = d;
        self
    }
    /// Health check settings; `None` disables client-side probing.
    pub fn health_check(mut self, hc: Option<HealthCheck>) -> Self {
        self.health = hc;
        self
    }
    /// Object ids leased per request (default 10 000).
    pub fn id_batch(mut self, n: u64) -> Self {
        self.id_batch = n.max(2);
        self
    }

    /// Connects: tries every address in order, in rounds, until one accepts and the handshake
    /// (`Hello` / `Welcome` / `Membership`) succeeds; then leases a first range of object ids.
    ///
    /// Must be called inside a tokio runtime (the client spawns its reader, writer and
    /// health-check tasks on it).
    pub async fn connect(self) -> Result<Client> {
        if self.addrs.is_empty() {
            return Err(Error::ConnectFailed {
                addrs: vec![],
                reason: "no server address given".into(),
            });
        }
        let start = Instant::now();
        let deadline = self.connect_deadline.map(|d| start + d);
        let mut round: i64 = 0;
        let mut last_err = String::new();
        loop {
            for addr in &self.addrs {
                let mut attempt = self.connect_timeout;
                if let Some(d) = deadline {
                    attempt = attempt.min(d.saturating_duration_since(Instant::now()));
                    if attempt.is_zero() {
                        break;
                    }
                }
                tracing::debug!(%addr, round, "connecting");
                match tokio::time::timeout(attempt, self.try_addr(addr)).await {
                    Ok(Ok(c)) => return Ok(c),
                    Ok(Err(
                        e @ (Error::VersionMismatch { .. }
                        | Error::Refused { .. }
                        | Error::ServerError { .. }),
                    )) => return Err(e),
                    Ok(Err(e)) => {
                        tracing::debug!(%addr, error = %e, "connect attempt failed");
                        let reason = match e {
                            Error::Io(io) => io.to_string(),
                            other => other.to_string(),
                        };
                        last_err = if self.addrs.len() > 1 {
                            format!("{addr}: {reason}")
                        } else {
                            reason
                        };
                    }
                    Err(_) => {
                        last_err = if self.addrs.len() > 1 {
                            format!("{addr}: timed out after {attempt:.1?}")
                        } else {
                            format!("timed out after {attempt:.1?}")
                        }
                    }
                }
            }
            round += 1;
            let out_of_rounds = self.max_retries >= 0 && round > self.max_retries;
            let mut wait = self.retry_wait;
            if let Some(d) = deadline {
                let left = d.saturating_duration_since(Instant::now());
                if left.is_zero() {
                    last_err = format!("{last_err} (gave up after {:.1?})", start.elapsed());
                }
                wait = wait.min(left);
                if left.is_zero() || out_of_rounds {
                    return Err(Error::ConnectFailed {
                        addrs: self.addrs.clone(),
                        reason: last_err,
                    });
                }
            }
            if out_of_rounds {
                return Err(Error::ConnectFailed {
                    addrs: self.addrs.clone(),
                    reason: last_err,
                });
            }
            tokio::time::sleep(wait).await;
        }
    }

    async fn try_addr(&self, addr: &str) -> Result<Client> {
        let stream = TcpStream::connect(addr).await?;
        stream.set_nodelay(true)?;
        let (mut rd, mut wr) = stream.into_split();
        let hello = Message::Hello {
            protocol_version: PROTOCOL_VERSION,
            client_name: self.name.clone(),
            pid: std::process::id(),
            reconnect: None,
        };
        wr.write_all(&frame::to_bytes(&hello))
            .await
            .map_err(|e| Error::lost(e.to_string()))?;
        let dec = FrameDecoder::new(frame::DEFAULT_MAX_FRAME);
        let mut buf = BytesMut::with_capacity(16 * 1024);
        let mut welcome = None;
        let mut backlog = Vec::new();
        let membership = loop {
            let msg = match dec.next(&mut buf)? {
                Some(m) => m,
                None => {
                    let n = rd
                        .read_buf(&mut buf)
                        .await
                        .map_err(|e| Error::lost(e.to_string()))?;
                    if n == 0 {
                        return Err(Error::lost(
                            "server closed the connection during the handshake",
                        ));
                    }
                    continue;
                }
            };
            match msg {
                Message::Welcome {
                    protocol_version,
                    client_id,
                    server_name,
                    max_frame,
                    fault_count,
                    epoch,
                } => {
                    if protocol_version != PROTOCOL_VERSION {
                        return Err(Error::VersionMismatch {
                            message: format!("server speaks protocol {protocol_version}, client {PROTOCOL_VERSION}"),
                        });
                    }
                    welcome = Some((client_id, server_name, max_frame, fault_count, epoch));
                }
                Message::Membership { this_node, nodes } if welcome.is_some() => {
                    break (this_node, nodes)
                }
                Message::Error { code, message } => return Err(server_error(code, message)),
                other if welcome.is_some() => backlog.push(other),
                other => {
                    return Err(Error::lost(format!(
                        "unexpected {} before Welcome",
                        other.name()
                    )));
                }
            }
        };
        let Some((client_id, server_name, max_frame, fault_count, epoch)) = welcome else {
            return Err(Error::lost("no Welcome"));
        };
        tracing::info!(%addr, client_id, server = %server_name, epoch, "connected");
        let (cb_tx, cb_rx) = std::sync::mpsc::channel::<Callback>();
        std::thread::Builder::new()
            .name(format!("kiln-callbacks-{client_id}"))
            .spawn(move || callback_thread(cb_rx))
            .map_err(|e| Error::lost(format!("cannot start the callback thread: {e}")))?;
        let (acks, _) = watch::channel(AckState::default());
        let inner = Arc::new(Inner {
            client_id: membership.0,
            server_name,
            server_addr: addr.to_string(),
            max_frame: (max_frame as usize).max(1024),
            fault_count: self.fault_count.unwrap_or(fault_count).max(1),
            window: self.window as u64,
            out: Outbound::default(),
            cache: Mutex::new(FxHashMap::default()),
            locks: RwLock::new(FxHashMap::default()),
            pending: Mutex::new(HashMap::new()),
            pings: Mutex::new(HashMap::new()),
            next_req: AtomicU64::new(1),
            next_waiter: AtomicU64::new(1),
            waits: Mutex::new(HashMap::new()),
            acked: AtomicU64::new(0),
            acks,
            ids: Mutex::new(IdPool::new(self.id_batch)),
            ids_ready: Notify::new(),
            nodes: Mutex::new(membership.1),
            events: broadcast::channel(1024).0,
            dmi: broadcast::channel(4096).0,
            dmi_handlers: Mutex::new(Vec::new()),
            subs: Mutex::new(Subs::default()),
            callbacks: Mutex::new(Some(cb_tx)),
            failure: Mutex::new(None),
            failed: AtomicBool::new(false),
            closed: AtomicBool::new(false),
            stats: Stats::default(),
            epoch: Instant::now(),
            last_rx_us: AtomicU64::new(0),
            tasks: Mutex::new(Vec::new()),
        });
        if client_id != inner.client_id {
            tracing::warn!(
                client_id,
                this_node = inner.client_id,
                "Welcome and Membership disagree on the client id"
            );
        }
        for m in backlog {
            inner.dispatch(m);
        }
        let wr = Arc::new(wr);
        inner.out.attach(&wr);
        let mut tasks = vec![
            tokio::spawn(writer_loop(inner.clone(), wr)),
            tokio::spawn(reader_loop(inner.clone(), rd, buf)),
        ];
        if let Some(hc) = self.health {
            tasks.push(tokio::spawn(health_loop(Arc::downgrade(&inner), hc)));
        }
        inner.tasks.lock().extend(tasks);
        let client = Client {
            inner: inner.clone(),
            _handle: Arc::new(Handle { inner }),
        };
        client.reserve_ids(1).await?;
        Ok(client)
    }
}

fn server_error(code: ErrorCode, message: String) -> Error {
    match code {
        ErrorCode::VersionMismatch => Error::VersionMismatch { message },
        ErrorCode::Refused => Error::Refused { message },
        code => Error::ServerError { code, message },
    }
}

// ------------------------------------------------------------------------------------- inner

type Callback = Box<dyn FnOnce() + Send>;
type ChangeCallback = Arc<dyn Fn(ChangeEvent) + Send + Sync>;
type DmiCallback = Arc<dyn Fn(DmiEvent) + Send + Sync>;

fn callback_thread(rx: std::sync::mpsc::Receiver<Callback>) {
    while let Ok(f) = rx.recv() {
        if std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).is_err() {
            tracing::error!("a kiln callback panicked");
        }
    }
}

#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct AckState {
    pub(crate) upto: u64,
    pub(crate) down: bool,
}

#[derive(Debug)]
pub(crate) struct Cached {
    pub(crate) version: u64,
    pub(crate) state: ObjectState,
}

#[derive(Debug)]
struct IdPool {
    ranges: VecDeque<(u64, u64)>,
    remaining: u64,
    requested: bool,
    batch: u64,
    last_request: Option<Instant>,
}

/// Largest id lease asked for when ids are consumed quickly.
const MAX_ID_BATCH: u64 = 1 << 20;

impl IdPool {
    fn new(batch: u64) -> Self {
        IdPool {
            ranges: VecDeque::new(),
            remaining: 0,
            requested: false,
            batch,
            last_request: None,
        }
    }

    /// Takes one id; `Some(count)` asks the caller to request another lease of `count` ids.
    fn alloc(&mut self) -> (Option<ObjectId>, Option<u64>) {
        let id = loop {
            let Some((next, end)) = self.ranges.front_mut() else {
                break None;
            };
            if *next >= *end {
                self.ranges.pop_front();
                continue;
            }
            let id = *next;
            *next += 1;
            self.remaining = self.remaining.saturating_sub(1);
            if id == 0 {
                continue;
            }
            break Some(ObjectId(id));
        };
        (id, self.want_more())
    }
    /// Asks for a new lease when less than half a batch is left. Ids consumed quickly (the
    /// previous lease was asked for less than a second ago) double the batch size.
    fn want_more(&mut self) -> Option<u64> {
        if self.requested || self.remaining >= self.batch / 2 {
            return None;
        }
        let now = Instant::now();
        if self
            .last_request
            .is_some_and(|t| now.duration_since(t) < Duration::from_secs(1))
        {
            self.batch = (self.batch * 2).min(MAX_ID_BATCH.max(self.batch));
        }
        self.last_request = Some(now);
        self.requested = true;
        Some(self.batch)
    }
    fn add(&mut self, start: u64, count: u64) -> Option<u64> {
        self.ranges.push_back((start, start.saturating_add(count)));
        self.remaining += count;
        self.requested = false;
        self.want_more()
    }
}

#[derive(Default)]
struct Subs {
    next: u64,
    map: HashMap<SubTarget, Vec<(u64, ChangeCallback)>>,
}

/// One lock's entry in the client's lock table.
#[derive(Debug)]
pub(crate) struct LockEntry {
    pub(crate) id: LockId,
    pub(crate) core: Mutex<LockCore>,
}

/// Closes the connection when the last [`Client`] clone is dropped.
#[derive(Debug)]
struct Handle {
    inner: Arc<Inner>,
}

impl Drop for Handle {
    fn drop(&mut self) {
        if !self.inner.closed.swap(true, Ordering::AcqRel) {
            tracing::debug!(
                client_id = self.inner.client_id,
                "last client handle dropped: closing"
            );
            self.inner.out.close_with(Some(Message::Goodbye));
        }
    }
}

/// Shared state of a connected client.
pub(crate) struct Inner {
    pub(crate) client_id: u64,
    server_name: String,
    server_addr: String,
    pub(crate) max_frame: usize,
    pub(crate) fault_count: u32,
    window: u64,
    pub(crate) out: Outbound,
    pub(crate) cache: Mutex<FxHashMap<ObjectId, Cached>>,
    locks: RwLock<FxHashMap<LockId, Arc<LockEntry>>>,
    pending: Mutex<HashMap<u64, oneshot::Sender<Message>>>,
    pings: Mutex<HashMap<u64, oneshot::Sender<()>>>,
    pub(crate) next_req: AtomicU64,
    next_waiter: AtomicU64,
    waits: Mutex<HashMap<u64, oneshot::Sender<WakeReason>>>,
    acked: AtomicU64,
    acks: watch::Sender<AckState>,
    ids: Mutex<IdPool>,
    ids_ready: Notify,
    nodes: Mutex<Vec<NodeInfo>>,
    events: broadcast::Sender<ClusterEvent>,
    dmi: broadcast::Sender<DmiEvent>,
    dmi_handlers: Mutex<Vec<DmiCallback>>,
    subs: Mutex<Subs>,
    callbacks: Mutex<Option<std::sync::mpsc::Sender<Callback>>>,
    failure: Mutex<Option<Error>>,
    failed: AtomicBool,
    closed: AtomicBool,
    pub(crate) stats: Stats,
    epoch: Instant,
    last_rx_us: AtomicU64,
    tasks: Mutex<Vec<JoinHandle<()>>>,
}

impl std::fmt::Debug for Inner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Inner")
            .field("client_id", &self.client_id)
            .field("server", &self.server_name)
            .field("addr", &self.server_addr)
            .finish_non_exhaustive()
    }
}

impl Inner {
    /// The error every operation returns once the client is down.
    pub(crate) fn failure(&self) -> Error {
        match &*self.failure.lock() {
            Some(e) => e.duplicate(),
            None if self.closed.load(Ordering::Acquire) => Error::Closed,
            None => Error::lost("connection closed"),
        }
    }

    #[inline]
    pub(crate) fn check_alive(&self) -> Result<()> {
        if self.failed.load(Ordering::Acquire) || self.closed.load(Ordering::Acquire) {
            Err(self.failure())
        } else {
            Ok(())
        }
    }

    /// Puts the client into the failed state (first error wins) and fails everything pending.
    pub(crate) fn fail(&self, err: Error) {
        let quiet = {
            let mut f = self.failure.lock();
            if f.is_some() {
                return;
            }
            let quiet = self.closed.load(Ordering::Acquire);
            if quiet {
                tracing::debug!(error = %err, "connection ended after close");
                *f = Some(Error::Closed);
            } else {
                tracing::warn!(client_id = self.client_id, error = %err, "client failed");
                *f = Some(err);
            }
            quiet
        };
        self.failed.store(true, Ordering::Release);
        let err = self.failure();
        self.out.abort();
        self.pending.lock().clear();
        self.pings.lock().clear();
        self.waits.lock().clear();
        let entries: Vec<Arc<LockEntry>> = self.locks.read().values().cloned().collect();
        for e in entries {
            e.core.lock().fail(&err);
        }
        self.acks.send_modify(|a| a.down = true);
        self.ids_ready.notify_waiters();
        if !quiet {
            // After close(), close() itself reported the disconnection.
            let _ = self.events.send(ClusterEvent::Disconnected);
        }
        for t in self.tasks.lock().drain(..) {
            t.abort();
        }
        // Dropping the sender ends the callback thread once queued callbacks ran.
        self.callbacks.lock().take();
    }

    fn run_callback(&self, f: Callback) {
        if let Some(tx) = &*self.callbacks.lock() {
            let _ = tx.send(f);
        }
    }

    fn since_last_rx(&self) -> Duration {
        let now = self.epoch.elapsed().as_micros() as u64;
        Duration::from_micros(now.saturating_sub(self.last_rx_us.load(Ordering::Relaxed)))
    }

    /// Sends a request and waits for the reply carrying the same `req_id`.
    async fn request(&self, make: impl FnOnce(u64) -> Message) -> Result<Message> {
        let req_id = self.next_req.fetch_add(1, Ordering::Relaxed);
        let (tx, rx) = oneshot::channel();
        self.pending.lock().insert(req_id, tx);
        self.check_alive().inspect_err(|_| {
            self.pending.lock().remove(&req_id);
        })?;
        if !self.out.push(make(req_id)) {
            self.pending.lock().remove(&req_id);
            return Err(self.failure());
        }
        rx.await.map_err(|_| self.failure())
    }

    // ------------------------------------------------------------------ locks

    #[inline]
    pub(crate) fn entry(&self, lock: LockId) -> Arc<LockEntry> {
        if let Some(e) = self.locks.read().get(&lock) {
            return e.clone();
        }
        self.locks
            .write()
            .entry(lock.clone())
            .or_insert_with(|| {
                Arc::new(LockEntry {
                    id: lock,
                    core: Mutex::new(LockCore::default()),
                })
            })
            .clone()
    }

    fn existing_entry(&self, lock: &LockId) -> Option<Arc<LockEntry>> {
        self.locks.read().get(lock).cloned()
    }

    /// Runs `f` on a lock's core with a context that queues messages on the outbound queue.
    pub(crate) fn with_core<R>(
        &self,
        entry: &LockEntry,
        f: impl FnOnce(&mut LockCore, &mut Ctx<'_>) -> R,
    ) -> R {
        let mut core = entry.core.lock();
        let mut sink = |m: Message| {
            if matches!(m, Message::LockRequest { .. }) {
                self.stats.lock_requests.fetch_add(1, Ordering::Relaxed);
            }
            tracing::trace!(msg = ?m, "lock message");
            self.out.push(m);
        };
        let mut ctx = Ctx {
            lock: &entry.id,
            next_req: &self.next_req,
            send: &mut sink,
            now: Instant::now(),
        };
        f(&mut core, &mut ctx)
    }

    /// Releases one local hold (pumping the state machine only when needed).
    #[inline]
    pub(crate) fn release(&self, entry: &Arc<LockEntry>, exclusive: bool) {
        let needs_pump = entry.core.lock().release(exclusive);
        if needs_pump {
            self.with_core(entry, |c, ctx| c.pump(ctx));
            self.forget_if_idle(entry);
        }
    }

    /// Drops a lock's entry from the table once this client has nothing to do with the lock
    /// (no lease, no holder, no waiter, no request), so the table does not grow with every lock
    /// ever used. Only when nobody but the table and the caller holds the entry: then nobody can
    /// be using it, and a later acquire simply creates a fresh (identical) one.
    pub(crate) fn forget_if_idle(&self, entry: &Arc<LockEntry>) {
        if !entry.core.lock().is_idle() {
            return;
        }
        let mut table = self.locks.write();
        if Arc::strong_count(entry) == 2 && entry.core.lock().is_idle() {
            if let Some(e) = table.get(&entry.id) {
                if Arc::ptr_eq(e, entry) {
                    table.remove(&entry.id);
                }
            }
        }
    }

    /// Number of locks this client keeps state for (tests, diagnostics).
    pub(crate) fn lock_table_len(&self) -> usize {
        self.locks.read().len()
    }

    /// The slow path of acquiring: queue as a local waiter, request a lease if needed, wait.
    /// `Ok(None)`: not acquired within `timeout`.
    pub(crate) async fn acquire(
        self: &Arc<Self>,
        entry: &Arc<LockEntry>,
        exclusive: bool,
        timeout: Option<Duration>,
    ) -> Result<Option<u64>> {
        let now = Instant::now();
        let (tx, rx) = oneshot::channel();
        let wid = self.next_waiter.fetch_add(1, Ordering::Relaxed);
        let early = self.with_core(entry, |core, ctx| {
            if let Some(t) = core.try_local(exclusive) {
                return Some(Ok(Some(t)));
            }
            if let Err(e) = self.check_alive() {
                return Some(Err(e));
            }
            if timeout == Some(Duration::ZERO)
                && (core.outstanding.is_some() || core.lease_covers(exclusive) || core.readers > 0)
            {
                return Some(Ok(None));
            }
            core.enqueue(Waiter {
                id: wid,
                exclusive,
                deadline: timeout.map(|t| now + t),
                tx,
            });
            core.pump(ctx);
            None
        });
        if let Some(r) = early {
            return r;
        }
        let mut guard = WaiterGuard {
            inner: self,
            entry,
            wid,
            exclusive,
            rx: Some(rx),
        };
        let local_deadline = match timeout {
            None => None,
            Some(Duration::ZERO) => Some(now + Duration::from_secs(30)),
            Some(t) => Some(now + t),
        };
        let Some(rx) = guard.rx.as_mut() else {
            return Err(self.failure());
        };
        let res: Option<GrantResult> = match local_deadline {
            None => rx.await.ok(),
            Some(d) => match tokio::time::timeout_at(d.into(), &mut *rx).await {
                Ok(r) => r.ok(),
                Err(_) => {
                    let removed = self.with_core(entry, |c, ctx| c.remove_waiter(wid, ctx));
                    if removed {
                        guard.rx = None;
                        return Ok(None);
                    }
                    rx.try_recv().ok()
                }
            },
        };
        guard.rx = None; // completed: nothing to undo
        match res {
            Some(GrantResult::Granted(t)) => Ok(Some(t)),
            Some(GrantResult::TimedOut) => Ok(None),
            Some(GrantResult::Failed(e)) => Err(e),
            None => Err(self.failure()),
        }
    }

    // ------------------------------------------------------------------ transactions

    /// Waits until the window has room for one more transaction.
    pub(crate) async fn wait_window(&self) -> Result<()> {
        let last = self.out.last_seq.load(Ordering::Acquire);
        if last.saturating_sub(self.acked.load(Ordering::Acquire)) < self.window {
            return Ok(());
        }
        let mut rx = self.acks.subscribe();
        let window = self.window;
        let out = &self.out;
        let r = rx
            .wait_for(|a| {
                a.down || out.last_seq.load(Ordering::Acquire).saturating_sub(a.upto) < window
            })
            .await
            .map(|a| a.down);
        match r {
            Ok(false) => Ok(()),
            _ => Err(self.failure()),
        }
    }

    /// Queues a finished transaction; returns its sequence number.
    pub(crate) fn send_txn(&self, t: WireTxn) -> Result<u64> {
        match self.out.push_txn(t) {
            Some(seq) => {
                self.stats.txns_committed.fetch_add(1, Ordering::Relaxed);
                Ok(seq)
            }
            None => Err(self.failure()),
        }
    }

    /// Waits until transaction `seq` (and every earlier one) is acknowledged.
    pub(crate) async fn wait_acked(&self, seq: u64) -> Result<()> {
        if self.acked.load(Ordering::Acquire) >= seq {
            return Ok(());
        }
        let mut rx = self.acks.subscribe();
        match rx
            .wait_for(|a| a.down || a.upto >= seq)
            .await
            .map(|a| (a.upto, a.down))
        {
            Ok((upto, _)) if upto >= seq => Ok(()),
            _ => Err(self.failure()),
        }
    }

    fn on_ack(&self, seq: u64) {
        let prev = self.acked.fetch_max(seq, Ordering::AcqRel);
        if seq > prev {
            self.acks.send_modify(|a| a.upto = a.upto.max(seq));
        }
    }

    pub(crate) fn alloc_id(&self) -> Result<ObjectId> {
        let (id, more) = self.ids.lock().alloc();
        if let Some(count) = more {
            self.out.push(Message::IdLeaseRequest { count });
        }
        id.ok_or(Error::IdsExhausted)
    }

    /// Object ids left in the leased ranges.
    pub(crate) fn ids_remaining(&self) -> u64 {
        self.ids.lock().remaining
    }

    pub(crate) async fn reserve_ids(&self, n: u64) -> Result<()> {
        loop {
            let notified = self.ids_ready.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            {
                let mut ids = self.ids.lock();
                if ids.remaining >= n {
                    return Ok(());
                }
                if !ids.requested {
                    ids.requested = true;
                    ids.last_request = Some(Instant::now());
                    let count = ids.batch.max(n - ids.remaining);
                    drop(ids);
                    self.out.push(Message::IdLeaseRequest { count });
                }
            }
            self.check_alive()?;
            notified.await;
        }
    }

    pub(crate) fn next_waiter_id(&self) -> u64 {
        self.next_waiter.fetch_add(1, Ordering::Relaxed)
    }

    pub(crate) fn register_wait(&self, waiter_id: u64) -> oneshot::Receiver<WakeReason> {
        let (tx, rx) = oneshot::channel();
        self.waits.lock().insert(waiter_id, tx);
        rx
    }

    pub(crate) fn unregister_wait(&self, waiter_id: u64) {
        self.waits.lock().remove(&waiter_id);
    }

    // ------------------------------------------------------------------ cache

    /// Caches faulted objects. Runs on the reader, in message order (protocol.md §9.7): a
    /// `Deltas` that follows the reply on the connection always finds the object cached. A
    /// cached copy that is already newer (a remote change applied meanwhile) is kept.
    fn insert_faulted(&self, objects: Vec<kiln_protocol::FaultedObject>) {
        let mut cache = self.cache.lock();
        for o in objects {
            match cache.get_mut(&o.oid) {
                Some(c) if c.version >= o.version => {}
                Some(c) => {
                    c.version = o.version;
                    c.state = o.state;
                }
                None => {
                    cache.insert(
                        o.oid,
                        Cached {
                            version: o.version,
                            state: o.state,
                        },
                    );
                }
            }
        }
    }

    fn evict_local(&self, oids: &[ObjectId]) {
        let mut cache = self.cache.lock();
        for o in oids {
            cache.remove(o);
        }
    }

    // ------------------------------------------------------------------ dispatch

    fn dispatch(self: &Arc<Self>, m: Message) {
        tracing::trace!(msg = m.name(), "received");
        match m {
            Message::Ping { nonce } => {
                self.out.push(Message::Pong { nonce });
            }
            Message::Pong { nonce } => {
                if let Some(tx) = self.pings.lock().remove(&nonce) {
                    let _ = tx.send(());
                }
            }
            Message::FaultReply {
                req_id,
                objects,
                missing,
            } => {
                self.insert_faulted(objects);
                let reply = Message::FaultReply {
                    req_id,
                    objects: Vec::new(),
                    missing,
                };
                match self.pending.lock().remove(&req_id) {
                    Some(tx) => {
                        let _ = tx.send(reply);
                    }
                    None => tracing::debug!(req_id, "fault reply nobody waits for (cached anyway)"),
                }
            }
            Message::RootValue { req_id, .. } | Message::RootList { req_id, .. } => {
                match self.pending.lock().remove(&req_id) {
                    Some(tx) => {
                        let _ = tx.send(m);
                    }
                    None => tracing::debug!(req_id, "reply to a request nobody waits for"),
                }
            }
            Message::IdLease { start, count } => {
                let more = self.ids.lock().add(start, count);
                if let Some(count) = more {
                    self.out.push(Message::IdLeaseRequest { count });
                }
                self.ids_ready.notify_waiters();
            }
            Message::BatchAck { upto_seq, .. } => self.on_ack(upto_seq),
            Message::CommitAck { seq, .. } => self.on_ack(seq),
            Message::Deltas {
                gtx,
                from_client,
                deltas,
            } => {
                self.stats.remote_txns.fetch_add(1, Ordering::Relaxed);
                let mut bad = Vec::new();
                {
                    let mut cache = self.cache.lock();
                    for d in &deltas {
                        let Some(c) = cache.get_mut(&d.oid) else {
                            continue;
                        };
                        // Already contains this change (faulted after it was applied).
                        if c.version >= gtx {
                            continue;
                        }
                        for op in &d.ops {
                            if let Err(e) = c.state.apply(op) {
                                tracing::warn!(oid = %d.oid, gtx, from_client, error = %e, "remote delta does not apply: dropping the object from the cache");
                                bad.push(d.oid);
                                break;
                            }
                        }
                        c.version = gtx;
                    }
                    for o in &bad {
                        cache.remove(o);
                    }
                }
                if !bad.is_empty() {
                    self.out.push(Message::Evict { oids: bad });
                }
            }
            Message::LockAward {
                req_id,
                lock,
                level,
                token,
            } => match self.existing_entry(&lock) {
                Some(e) => self.with_core(&e, |c, ctx| c.on_award(req_id, level, token, ctx)),
                None => tracing::warn!(%lock, "award for an unknown lock"),
            },
            Message::LockRecall { lock, .. } => {
                self.stats.recalls.fetch_add(1, Ordering::Relaxed);
                match self.existing_entry(&lock) {
                    Some(e) => {
                        self.with_core(&e, |c, ctx| c.on_recall(ctx));
                        self.forget_if_idle(&e);
                    }
                    None => {
                        tracing::debug!(%lock, "recall of a lock this client no longer tracks (stale)")
                    }
                }
            }
            Message::LockTimeout { req_id, lock } => match self.existing_entry(&lock) {
                Some(e) => {
                    self.with_core(&e, |c, ctx| c.on_timeout(req_id, ctx));
                    self.forget_if_idle(&e);
                }
                None => tracing::debug!(%lock, "timeout of a lock this client no longer tracks"),
            },
            Message::WaitDone { waiter_id, reason } => match self.waits.lock().remove(&waiter_id) {
                Some(tx) => {
                    let _ = tx.send(reason);
                }
                None => tracing::debug!(waiter_id, ?reason, "WaitDone for an abandoned waiter"),
            },
            Message::DmiDeliver {
                from_client,
                gtx,
                call,
            } => {
                let ev = DmiEvent {
                    from_client,
                    gtx,
                    call,
                };
                let handlers: Vec<DmiCallback> = self.dmi_handlers.lock().clone();
                if !handlers.is_empty() {
                    let ev2 = ev.clone();
                    self.run_callback(Box::new(move || {
                        handlers.iter().for_each(|h| h(ev2.clone()))
                    }));
                }
                let _ = self.dmi.send(ev);
            }
            Message::ChangeNotice {
                target,
                gtx,
                from_client,
            } => {
                let cbs: Vec<ChangeCallback> = self
                    .subs
                    .lock()
                    .map
                    .get(&target)
                    .map(|v| v.iter().map(|(_, c)| c.clone()).collect())
                    .unwrap_or_default();
                if !cbs.is_empty() {
                    let ev = ChangeEvent {
                        target,
                        gtx,
                        from_client,
                    };
                    self.run_callback(Box::new(move || cbs.iter().for_each(|c| c(ev.clone()))));
                }
            }
            Message::NodeJoined { node } => {
                {
                    let mut nodes = self.nodes.lock();
                    nodes.retain(|n| n.id != node.id);
                    nodes.push(node.clone());
                }
                let _ = self.events.send(ClusterEvent::NodeJoined(node));
            }
            Message::NodeLeft { node } => {
                self.nodes.lock().retain(|n| n.id != node.id);
                let _ = self.events.send(ClusterEvent::NodeLeft(node));
            }
            Message::Membership { nodes, .. } => *self.nodes.lock() = nodes,
            Message::Error { code, message } => self.fail(server_error(code, message)),
            other => tracing::warn!(
                msg = other.name(),
                "unexpected message from the server ignored"
            ),
        }
    }
}

/// Undoes an abandoned acquire: removes the waiter, or releases a grant nobody will use.
struct WaiterGuard<'a> {
    inner: &'a Arc<Inner>,
    entry: &'a Arc<LockEntry>,
    wid: u64,
    exclusive: bool,
    rx: Option<oneshot::Receiver<GrantResult>>,
}

impl Drop for WaiterGuard<'_> {
    fn drop(&mut self) {
        let Some(mut rx) = self.rx.take() else { return };
        let removed = self
            .inner
            .with_core(self.entry, |c, ctx| c.remove_waiter(self.wid, ctx));
        if !removed {
            if let Ok(GrantResult::Granted(_)) = rx.try_recv() {
                self.inner.release(self.entry, self.exclusive);
            }
        }
    }
}

async fn reader_loop(inner: Arc<Inner>, mut rd: OwnedReadHalf, mut buf: BytesMut) {
    let dec = FrameDecoder::new(inner.max_frame);
    loop {
        loop {
            match dec.next(&mut buf) {
                Ok(Some(m)) => {
                    inner.stats.frames_received.fetch_add(1, Ordering::Relaxed);
                    inner.dispatch(m);
                }
                Ok(None) => break,
                Err(e) => {
                    inner.fail(Error::Protocol(e));
                    return;
                }
            }
        }
        if buf.capacity() - buf.len() < 16 * 1024 {
            buf.reserve(64 * 1024);
        }
        match rd.read_buf(&mut buf).await {
            Ok(0) => {
                inner.fail(Error::lost("the server closed the connection"));
                return;
            }
            Ok(n) => {
                inner
                    .stats
                    .bytes_received
                    .fetch_add(n as u64, Ordering::Relaxed);
                inner
                    .last_rx_us
                    .store(inner.epoch.elapsed().as_micros() as u64, Ordering::Relaxed);
            }
            Err(e) => {
                inner.fail(Error::lost(format!("read failed: {e}")));
                return;
            }
        }
    }
}

async fn health_loop(weak: Weak<Inner>, hc: HealthCheck) {
    let mut probes = 0u32;
    let mut probe_sent_us = 0u64;
    let mut nonce = 1u64 << 63;
    loop {
        let sleep_for = {
            let Some(inner) = weak.upgrade() else { return };
            if inner.failed.load(Ordering::Acquire) || inner.closed.load(Ordering::Acquire) {
                return;
            }
            if probes > 0 && inner.last_rx_us.load(Ordering::Relaxed) >= probe_sent_us {
                probes = 0; // the last probe (or anything else) was answered
            }
            let since = inner.since_last_rx();
            if since < hc.idle {
                probes = 0;
                hc.idle - since
            } else if probes >= hc.probes {
                inner.fail(Error::lost(format!(
                    "health check: no answer from the server for {:.1?} ({} probes)",
                    since, hc.probes
                )));
                return;
            } else {
                nonce += 1;
                probes += 1;
                probe_sent_us = inner.epoch.elapsed().as_micros() as u64;
                tracing::debug!(probes, ?since, "health check probe");
                inner.stats.pings_sent.fetch_add(1, Ordering::Relaxed);
                inner.out.push(Message::Ping { nonce });
                hc.interval
            }
        };
        tokio::time::sleep(sleep_for).await;
    }
}

// ------------------------------------------------------------------------------------- client

/// A connected Kiln client (cheap to clone: every clone shares one connection).
///
/// The connection closes when [`Client::close`] is called or when the last clone is dropped.
///
/// ```no_run
/// # async fn demo() -> kiln::Result<()> {
/// use kiln::{Client, LockId, LockLevel, Value};
/// let client = Client::connect("127.0.0.1:9510").await?;
/// let orders = client.map("orders").await?;
/// let mut tx = client.lock(LockId::Named("orders".into()), LockLevel::Write).await?;
/// orders.put(&mut tx, "o-1", "pending")?;
/// tx.commit().await?;
/// assert_eq!(orders.get(&client, "o-1").await?, Some(Value::from("pending")));
/// client.close().await?;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Client {
    pub(crate) inner: Arc<Inner>,
    _handle: Arc<Handle>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("client_id", &self.inner.client_id)
            .field("server", &self.inner.server_name)
            .field("addr", &self.inner.server_addr)
            .finish()
    }
}

impl Client {
    /// Connects to one server with the default settings of [`ClientBuilder::new`].
    ///
    /// ```no_run
    /// # async fn demo() -> kiln::Result<()> {
    /// let client = kiln::Client::connect("127.0.0.1:9510").await?;
    /// println!("I am client {}", client.client_id());
    /// # Ok(()) }
    /// ```
    pub async fn connect(addr: &str) -> Result<Client> {
        ClientBuilder::new([addr]).connect().await
    }

    /// A [`ClientBuilder`] for the given addresses.
    pub fn builder<S: Into<String>>(addrs: impl IntoIterator<Item = S>) -> ClientBuilder {
        ClientBuilder::new(addrs)
    }

    /// The id the server assigned to this client (also its node id in [`Client::nodes`]).
    pub fn client_id(&self) -> u64 {
        self.inner.client_id
    }

    /// The server's name (from `Welcome`).
    pub fn server_name(&self) -> &str {
        &self.inner.server_name
    }

    /// The address this client connected to.
    pub fn server_addr(&self) -> &str {
        &self.inner.server_addr
    }

    /// The connected clients, this one included.
    pub fn nodes(&self) -> Vec<NodeInfo> {
        self.inner.nodes.lock().clone()
    }

    /// Membership events from now on (a receiver that falls more than 1024 events behind
    /// gets `RecvError::Lagged`).
    pub fn events(&self) -> broadcast::Receiver<ClusterEvent> {
        self.inner.events.subscribe()
    }

    /// True while the connection is up and the client not closed.
    pub fn is_connected(&self) -> bool {
        self.inner.check_alive().is_ok()
    }

    // ------------------------------------------------------------------ locks

    /// Acquires a cluster lock and starts a transaction under it (blocks until granted).
    ///
    /// Greedy: once the server awarded this client a lease, acquiring again costs no network
    /// traffic until another client asks for the lock. `LockLevel::Concurrent` takes no lock at
    /// all (only a transaction boundary). The lock is not reentrant.
    ///
    /// ```no_run
    /// # async fn demo(client: kiln::Client) -> kiln::Result<()> {
    /// use kiln::{LockId, LockLevel};
    /// let tx = client.lock(LockId::Named("config".into()), LockLevel::Read).await?;
    /// // ... read shared objects ...
    /// tx.commit().await?;
    /// # Ok(()) }
    /// ```
    ///
    /// On the greedy fast path the lock is taken when `lock` is called and the returned future
    /// is ready at once (no allocation, no await point).
    pub fn lock(
        &self,
        lock: impl Into<LockId>,
        level: LockLevel,
    ) -> impl Future<Output = Result<Txn>> + Send + '_ {
        match self.lock_fast(lock.into(), level) {
            Err(e) => FastOr::Ready(Some(Err(e))),
            Ok(Ok(tx)) => FastOr::Ready(Some(Ok(tx))),
            Ok(Err(entry)) => FastOr::Slow(Box::pin(async move {
                match self.lock_slow(entry, level, None).await? {
                    Some(tx) => Ok(tx),
                    None => Err(Error::lost("lock acquire ended without a grant")),
                }
            })),
        }
    }

    /// Like [`Client::lock`], giving up after `timeout` (`Duration::ZERO`: only if available
    /// now). `Ok(None)`: not acquired.
    ///
    /// ```no_run
    /// # async fn demo(client: kiln::Client) -> kiln::Result<()> {
    /// use std::time::Duration;
    /// use kiln::{LockId, LockLevel};
    /// match client.try_lock(LockId::Named("job".into()), LockLevel::Write, Duration::from_millis(100)).await? {
    ///     Some(tx) => tx.commit().await?,
    ///     None => println!("busy"),
    /// }
    /// # Ok(()) }
    /// ```
    pub fn try_lock(
        &self,
        lock: impl Into<LockId>,
        level: LockLevel,
        timeout: Duration,
    ) -> impl Future<Output = Result<Option<Txn>>> + Send + '_ {
        match self.lock_fast(lock.into(), level) {
            Err(e) => FastOr::Ready(Some(Err(e))),
            Ok(Ok(tx)) => FastOr::Ready(Some(Ok(Some(tx)))),
            Ok(Err(entry)) => FastOr::Slow(Box::pin(self.lock_slow(entry, level, Some(timeout)))),
        }
    }

    /// The synchronous fast path: acquires the lock only if this client's lease allows it
    /// right now without any network traffic; `None` otherwise (then use [`Client::lock`]).
    pub fn try_lock_local(&self, lock: impl Into<LockId>, level: LockLevel) -> Option<Txn> {
        self.lock_fast(lock.into(), level).ok()?.ok()
    }

    /// A pre-resolved handle on one lock: skips the lock-table lookup on every acquire (the
    /// fastest way to take the same lock repeatedly).
    ///
    /// ```no_run
    /// # async fn demo(client: kiln::Client) -> kiln::Result<()> {
    /// use kiln::{LockId, LockLevel};
    /// let l = client.lock_handle(LockId::Named("counter".into()));
    /// for _ in 0..1000 {
    ///     l.lock(LockLevel::Write).await?.commit().await?;
    /// }
    /// # Ok(()) }
    /// ```
    pub fn lock_handle(&self, lock: impl Into<LockId>) -> LockHandle {
        LockHandle {
            client: self.clone(),
            entry: self.inner.entry(lock.into()),
        }
    }

    /// `Ok(Ok(txn))`: granted locally; `Ok(Err(entry))`: needs the slow path.
    #[inline]
    pub(crate) fn lock_fast(
        &self,
        lock: LockId,
        level: LockLevel,
    ) -> Result<std::result::Result<Txn, Arc<LockEntry>>> {
        if level == LockLevel::Concurrent {
            self.inner.check_alive()?;
            return Ok(Ok(Txn::concurrent(self.inner.clone(), lock)));
        }
        let entry = self.inner.entry(lock);
        Ok(self.lock_entry_fast(entry, level))
    }

    #[inline]
    pub(crate) fn lock_entry_fast(
        &self,
        entry: Arc<LockEntry>,
        level: LockLevel,
    ) -> std::result::Result<Txn, Arc<LockEntry>> {
        if level == LockLevel::Concurrent {
            return Ok(Txn::concurrent(self.inner.clone(), entry.id.clone()));
        }
        let t = entry.core.lock().try_local(level.is_exclusive());
        match t {
            Some(t) => Ok(Txn::held(self.inner.clone(), entry, level, t)),
            None => Err(entry),
        }
    }

    pub(crate) async fn lock_slow(
        &self,
        entry: Arc<LockEntry>,
        level: LockLevel,
        timeout: Option<Duration>,
    ) -> Result<Option<Txn>> {
        Ok(self
            .inner
            .acquire(&entry, level.is_exclusive(), timeout)
            .await?
            .map(|t| Txn::held(self.inner.clone(), entry, level, t)))
    }

    // ------------------------------------------------------------------ roots

    /// The value bound to a root, `None` if unbound.
    ///
    /// ```no_run
    /// # async fn demo(client: kiln::Client) -> kiln::Result<()> {
    /// if let Some(v) = client.root("config").await? { println!("config = {v}"); }
    /// # Ok(()) }
    /// ```
    pub async fn root(&self, name: &str) -> Result<Option<Value>> {
        match self
            .inner
            .request(|req_id| Message::RootLookup {
                req_id,
                name: name.to_string(),
            })
            .await?
        {
            Message::RootValue { value, .. } => Ok(value),
            other => Err(unexpected(&other)),
        }
    }

    /// Every root, sorted by name.
    pub async fn roots(&self) -> Result<Vec<(String, Value)>> {
        match self
            .inner
            .request(|req_id| Message::ListRoots { req_id })
            .await?
        {
            Message::RootList { roots, .. } => Ok(roots),
            other => Err(unexpected(&other)),
        }
    }

    /// Binds a root to a literal (first writer wins; with `replace`, a root bound to a literal
    /// is re-bound). Returns the value bound after the call.
    pub async fn set_root_literal(&self, name: &str, value: Value, replace: bool) -> Result<Value> {
        let name_s = name.to_string();
        match self
            .inner
            .request(|req_id| Message::RootCreate {
                req_id,
                name: name_s,
                value,
                replace,
            })
            .await?
        {
            Message::RootValue { value: Some(v), .. } => Ok(v),
            Message::RootValue { value: None, .. } => Err(Error::lost(format!(
                "root '{name}' unbound after RootCreate"
            ))),
            other => Err(unexpected(&other)),
        }
    }

    /// The object bound to root `name`, creating it from `init` when the root is unbound.
    /// First writer wins: when another client bound the root concurrently, its object is
    /// returned (and `init` is discarded). The object is resident when this returns.
    ///
    /// ```no_run
    /// # async fn demo(client: kiln::Client) -> kiln::Result<()> {
    /// let oid = client.root_or_create("registry", kiln::ObjectState::map()).await?;
    /// # let _ = oid; Ok(()) }
    /// ```
    pub async fn root_or_create(&self, name: &str, init: ObjectState) -> Result<ObjectId> {
        if let Some(v) = self.root(name).await? {
            let oid = root_oid(name, v)?;
            self.ensure_resident(oid).await?;
            return Ok(oid);
        }
        let mut tx = Txn::concurrent(self.inner.clone(), LockId::Named(String::new()));
        let mine = tx.create(init)?;
        tx.commit().await?;
        let winner = match self
            .inner
            .request(|req_id| Message::RootCreate {
                req_id,
                name: name.to_string(),
                value: Value::Ref(mine),
                replace: false,
            })
            .await?
        {
            Message::RootValue { value: Some(v), .. } => root_oid(name, v)?,
            Message::RootValue { value: None, .. } => {
                return Err(Error::lost(format!(
                    "root '{name}' unbound after RootCreate"
                )))
            }
            other => return Err(unexpected(&other)),
        };
        if winner != mine {
            tracing::debug!(root = name, %mine, %winner, "lost the race to create a root");
            self.evict(&[mine]).await?;
            self.ensure_resident(winner).await?;
        }
        Ok(winner)
    }

    async fn typed_root(
        &self,
        root: &str,
        init: ObjectState,
        accept: fn(&ObjectData) -> bool,
        expected: &'static str,
    ) -> Result<ObjectId> {
        let oid = self.root_or_create(root, init).await?;
        self.read(oid, |s| {
            if accept(&s.data) {
                Ok(())
            } else {
                Err(Error::WrongKind {
                    oid,
                    expected,
                    actual: s.data.kind_name(),
                })
            }
        })
        .await??;
        Ok(oid)
    }

    /// A map bound to root `root` (created empty if unbound).
    pub async fn map(&self, root: &str) -> Result<crate::Map> {
        let oid = self
            .typed_root(
                root,
                ObjectState::map(),
                |d| matches!(d, ObjectData::Map(_) | ObjectData::SortedMap(_)),
                "map",
            )
            .await?;
        Ok(crate::Map::from_id(oid))
    }
    /// A sorted map bound to root `root` (created empty if unbound).
    pub async fn sorted_map(&self, root: &str) -> Result<crate::Map> {
        let oid = self
            .typed_root(
                root,
                ObjectState::sorted_map(),
                |d| matches!(d, ObjectData::Map(_) | ObjectData::SortedMap(_)),
                "map",
            )
            .await?;
        Ok(crate::Map::from_id(oid))
    }
    /// A list bound to root `root` (created empty if unbound).
    pub async fn list(&self, root: &str) -> Result<crate::List> {
        let oid = self
            .typed_root(
                root,
                ObjectState::list(),
                |d| matches!(d, ObjectData::List(_)),
                "list",
            )
            .await?;
        Ok(crate::List::from_id(oid))
    }
    /// A set bound to root `root` (created empty if unbound).
    pub async fn set(&self, root: &str) -> Result<crate::Set> {
        let oid = self
            .typed_root(
                root,
                ObjectState::set(),
                |d| matches!(d, ObjectData::Set(_)),
                "set",
            )
            .await?;
        Ok(crate::Set::from_id(oid))
    }
    /// A queue bound to root `root` (created empty if unbound).
    pub async fn queue(&self, root: &str) -> Result<crate::Queue> {
        let oid = self
            .typed_root(
                root,
                ObjectState::queue(),
                |d| matches!(d, ObjectData::Queue(_)),
                "queue",
            )
            .await?;
        Ok(crate::Queue::from_id(oid))
    }

    // ------------------------------------------------------------------ objects

    async fn ensure_resident(&self, oid: ObjectId) -> Result<()> {
        if self.inner.cache.lock().contains_key(&oid) {
            return Ok(());
        }
        self.fault(vec![oid]).await
    }

    /// Faults objects in (with the client's prefetch budget). Objects the server does not have
    /// give [`Error::UnknownObject`].
    pub async fn fault(&self, oids: Vec<ObjectId>) -> Result<()> {
        self.inner.stats.faults.fetch_add(1, Ordering::Relaxed);
        let budget = self.inner.fault_count;
        match self
            .inner
            .request(|req_id| Message::Fault {
                req_id,
                oids,
                budget,
            })
            .await?
        {
            Message::FaultReply {
                objects, missing, ..
            } => {
                self.inner.insert_faulted(objects);
                match missing.first() {
                    Some(&oid) => Err(Error::UnknownObject { oid }),
                    None => Ok(()),
                }
            }
            other => Err(unexpected(&other)),
        }
    }

    /// A copy of an object's state (from the cache, faulted in on a miss).
    pub async fn object(&self, oid: ObjectId) -> Result<ObjectState> {
        self.read(oid, ObjectState::clone).await
    }

    /// Runs `f` on an object's cached state (faulted in on a miss) without copying it.
    ///
    /// ```no_run
    /// # async fn demo(client: kiln::Client, oid: kiln::ObjectId) -> kiln::Result<()> {
    /// let n = client.read(oid, |s| s.data.len()).await?;
    /// # let _ = n; Ok(()) }
    /// ```
    pub async fn read<R>(&self, oid: ObjectId, f: impl FnOnce(&ObjectState) -> R) -> Result<R> {
        let mut f = Some(f);
        for _ in 0..3 {
            {
                let cache = self.inner.cache.lock();
                if let Some(c) = cache.get(&oid) {
                    let f = f
                        .take()
                        .ok_or_else(|| Error::lost("read callback consumed"))?;
                    return Ok(f(&c.state));
                }
            }
            self.inner.check_alive()?;
            self.fault(vec![oid]).await?;
        }
        Err(Error::NotResident { oid })
    }

    /// The cached state of an object, without faulting (`None` if not resident).
    pub fn cached(&self, oid: ObjectId) -> Option<ObjectState> {
        self.inner.cache.lock().get(&oid).map(|c| c.state.clone())
    }

    /// The version (GTX of the last change seen) of a cached object.
    pub fn cached_version(&self, oid: ObjectId) -> Option<u64> {
        self.inner.cache.lock().get(&oid).map(|c| c.version)
    }

    /// Drops objects from the local cache and tells the server (it stops sending their deltas).
    pub async fn evict(&self, oids: &[ObjectId]) -> Result<()> {
        self.inner.check_alive()?;
        self.inner.evict_local(oids);
        if !self.inner.out.push(Message::Evict {
            oids: oids.to_vec(),
        }) {
            return Err(self.inner.failure());
        }
        Ok(())
    }

    /// Makes sure at least `n` object ids are leased, waiting for the server if needed (call it
    /// before creating many objects in one transaction).
    pub async fn reserve_ids(&self, n: u64) -> Result<()> {
        self.inner.reserve_ids(n).await
    }

    // ------------------------------------------------------------------ callbacks

    /// Calls `cb` after each transaction of another client that changed `target` (an object:
    /// after its deltas are applied to this client's cache; a root: when re-bound). The object
    /// is faulted in first. Callbacks run on the client's callback thread, one at a time, in
    /// order; they may block. Dropping the [`Subscription`] unsubscribes. Returns once the
    /// server has registered the subscription (one round trip).
    ///
    /// ```no_run
    /// # async fn demo(client: kiln::Client) -> kiln::Result<()> {
    /// let m = client.map("prices").await?;
    /// let _sub = client.subscribe(kiln::SubTarget::Object(m.id()), |ev| println!("changed by {}", ev.from_client)).await?;
    /// # Ok(()) }
    /// ```
    pub async fn subscribe(
        &self,
        target: SubTarget,
        cb: impl Fn(ChangeEvent) + Send + Sync + 'static,
    ) -> Result<Subscription> {
        if let SubTarget::Object(oid) = &target {
            self.ensure_resident(*oid).await?;
        }
        self.inner.check_alive()?;
        let (id, first) = {
            let mut subs = self.inner.subs.lock();
            subs.next += 1;
            let id = subs.next;
            let list = subs.map.entry(target.clone()).or_default();
            list.push((id, Arc::new(cb)));
            (id, list.len() == 1)
        };
        let sub = Subscription {
            inner: Arc::downgrade(&self.inner),
            target: target.clone(),
            id,
            active: true,
        };
        if first {
            self.inner.out.push(Message::Subscribe { target });
            // The server handles one connection's messages in order: once a Ping sent after
            // the Subscribe is answered, the subscription is registered and every later change
            // by anyone is notified.
            self.ping().await?;
        }
        Ok(sub)
    }

    /// Distributed method calls delivered to this client (by other clients' transactions),
    /// from now on. A tokio broadcast channel of capacity 4096: a receiver that falls further
    /// behind gets `RecvError::Lagged`. See also [`Client::on_dmi`].
    pub fn dmi_events(&self) -> broadcast::Receiver<DmiEvent> {
        self.inner.dmi.subscribe()
    }

    /// Registers a handler called (on the callback thread) for every delivered distributed
    /// method call, for the life of the client.
    pub fn on_dmi(&self, handler: impl Fn(DmiEvent) + Send + Sync + 'static) {
        self.inner.dmi_handlers.lock().push(Arc::new(handler));
    }

    // ------------------------------------------------------------------ misc

    /// Waits until every transaction committed so far is acknowledged by the server.
    pub async fn flush(&self) -> Result<()> {
        let last = self.inner.out.last_seq.load(Ordering::Acquire);
        if last == 0 {
            return self.inner.check_alive();
        }
        self.inner.wait_acked(last).await
    }

    /// Round-trip time of a `Ping`.
    pub async fn ping(&self) -> Result<Duration> {
        let nonce = self.inner.next_req.fetch_add(1, Ordering::Relaxed);
        let (tx, rx) = oneshot::channel();
        self.inner.pings.lock().insert(nonce, tx);
        self.inner.check_alive()?;
        let t = Instant::now();
        self.inner.stats.pings_sent.fetch_add(1, Ordering::Relaxed);
        if !self.inner.out.push(Message::Ping { nonce }) {
            return Err(self.inner.failure());
        }
        rx.await.map_err(|_| self.inner.failure())?;
        Ok(t.elapsed())
    }

    /// Counters (see [`ClientStats`]).
    pub fn stats(&self) -> ClientStats {
        let s = &self.inner.stats;
        let l = |a: &AtomicU64| a.load(Ordering::Relaxed);
        ClientStats {
            frames_sent: l(&s.frames_sent) + l(&self.inner.out.direct_frames),
            writes: l(&s.writes) + l(&self.inner.out.direct_frames),
            bytes_sent: l(&s.bytes_sent) + l(&self.inner.out.direct_bytes),
            frames_received: l(&s.frames_received),
            bytes_received: l(&s.bytes_received),
            lock_requests: l(&s.lock_requests),
            pings_sent: l(&s.pings_sent),
            recalls: l(&s.recalls),
            txns_committed: l(&s.txns_committed),
            txns_sent: l(&s.txns_sent),
            acked_seq: l(&self.inner.acked),
            faults: l(&s.faults),
            remote_txns_applied: l(&s.remote_txns),
            cached_objects: self.inner.cache.lock().len() as u64,
            tracked_locks: self.inner.lock_table_len() as u64,
        }
    }

    /// Flushes (waits for every transaction to be acknowledged), then says `Goodbye` and closes
    /// the connection; the server releases this client's locks. Later calls on any clone return
    /// [`Error::Closed`].
    pub async fn close(&self) -> Result<()> {
        if self.inner.closed.load(Ordering::Acquire) {
            return Ok(());
        }
        let flushed = self.flush().await;
        if !self.inner.closed.swap(true, Ordering::AcqRel) {
            self.inner.out.close_with(Some(Message::Goodbye));
        }
        // Let the writer put the Goodbye on the wire.
        let writer = {
            let mut tasks = self.inner.tasks.lock();
            if tasks.is_empty() {
                None
            } else {
                Some(tasks.remove(0))
            }
        };
        if let Some(w) = writer {
            let _ = tokio::time::timeout(Duration::from_secs(5), w).await;
        }
        let _ = self.inner.events.send(ClusterEvent::Disconnected);
        match flushed {
            Err(Error::Closed) => Ok(()),
            other => other,
        }
    }
}

fn unexpected(m: &Message) -> Error {
    Error::lost(format!("unexpected reply {}", m.name()))
}

fn root_oid(name: &str, v: Value) -> Result<ObjectId> {
    match v {
        Value::Ref(oid) => Ok(oid),
        value => Err(Error::RootIsLiteral {
            name: name.to_string(),
            value,
        }),
    }
}

/// A pre-resolved lock (see [`Client::lock_handle`]).
#[derive(Debug, Clone)]
pub struct LockHandle {
    client: Client,
    entry: Arc<LockEntry>,
}

impl LockHandle {
    /// The lock.
    pub fn id(&self) -> &LockId {
        &self.entry.id
    }
    /// [`Client::lock`] on this lock.
    pub fn lock(&self, level: LockLevel) -> impl Future<Output = Result<Txn>> + Send + '_ {
        match self.client.lock_entry_fast(self.entry.clone(), level) {
            Ok(tx) => FastOr::Ready(Some(Ok(tx))),
            Err(entry) => FastOr::Slow(Box::pin(async move {
                self.client.inner.check_alive()?;
                match self.client.lock_slow(entry, level, None).await? {
                    Some(tx) => Ok(tx),
                    None => Err(Error::lost("lock acquire ended without a grant")),
                }
            })),
        }
    }
    /// [`Client::try_lock`] on this lock.
    pub fn try_lock(
        &self,
        level: LockLevel,
        timeout: Duration,
    ) -> impl Future<Output = Result<Option<Txn>>> + Send + '_ {
        match self.client.lock_entry_fast(self.entry.clone(), level) {
            Ok(tx) => FastOr::Ready(Some(Ok(Some(tx)))),
            Err(entry) => {
                FastOr::Slow(Box::pin(self.client.lock_slow(entry, level, Some(timeout))))
            }
        }
    }
    /// [`Client::try_lock_local`] on this lock.
    pub fn try_lock_local(&self, level: LockLevel) -> Option<Txn> {
        self.client.lock_entry_fast(self.entry.clone(), level).ok()
    }
}

/// A change subscription (see [`Client::subscribe`]); dropping it unsubscribes.
#[derive(Debug)]
pub struct Subscription {
    inner: Weak<Inner>,
    target: SubTarget,
    id: u64,
    active: bool,
}

impl Subscription {
    /// The subscribed target.
    pub fn target(&self) -> &SubTarget {
        &self.target
    }
    /// Unsubscribes now (same as dropping).
    pub fn unsubscribe(mut self) {
        self.remove();
    }
    fn remove(&mut self) {
        if !std::mem::replace(&mut self.active, false) {
            return;
        }
        let Some(inner) = self.inner.upgrade() else {
            return;
        };
        let last = {
            let mut subs = inner.subs.lock();
            match subs.map.get_mut(&self.target) {
                Some(list) => {
                    list.retain(|(id, _)| *id != self.id);
                    if list.is_empty() {
                        subs.map.remove(&self.target);
                        true
                    } else {
                        false
                    }
                }
                None => false,
            }
        };
        if last {
            inner.out.push(Message::Unsubscribe {
                target: self.target.clone(),
            });
        }
    }
}

impl Drop for Subscription {
    fn drop(&mut self) {
        self.remove();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_types_are_send_and_sync() {
        fn send_sync<T: Send + Sync>() {}
        fn send<T: Send>() {}
        send_sync::<Client>();
        send_sync::<crate::blocking::Client>();
        send::<Txn>();
        send::<crate::blocking::Txn>();
        send_sync::<crate::WaitInterrupter>();
        send_sync::<Subscription>();
        send_sync::<LockHandle>();
        send_sync::<Error>();
    }

    #[test]
    fn id_pool_requests_before_exhaustion() {
        let mut p = IdPool::new(10);
        p.requested = true;
        assert_eq!(p.add(0, 10), None, "a full batch needs no new request");
        // id 0 is skipped
        assert_eq!(p.alloc(), (Some(ObjectId(1)), None));
        let mut asked = vec![];
        let mut got = vec![];
        while let (Some(id), more) = p.alloc() {
            got.push(id.0);
            asked.extend(more);
        }
        assert_eq!(got, (2..10).collect::<Vec<_>>());
        assert_eq!(asked, vec![10], "asks once when below half");
        assert_eq!(p.add(100, 10), None);
        assert_eq!(p.alloc().0, Some(ObjectId(100)));
        // consumed fast: the next request doubles the batch
        let mut more = None;
        while more.is_none() {
            more = p.alloc().1;
        }
        assert_eq!(more, Some(20));
    }
}

//! The async client: connection, reader / writer / health tasks, cache, locks, roots.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Weak};
use std::time::{Duration, Instant};

use bytes::BytesMut;
use kiln_protocol::frame::{self, FrameDecoder};
use kiln_protocol::{
    DmiCall, ErrorCode, LockId, LockLevel, Message, NodeInfo, ObjectData, ObjectId, ObjectState,
    Reconnect, SubTarget, Txn as WireTxn, Value, WakeReason, PROTOCOL_VERSION,
};
use parking_lot::{Mutex, RwLock};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
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
/// Default time a client keeps trying to reconnect after losing its connection (longer than
/// the server's default reconnect window of 120 s).
pub const DEFAULT_RECONNECT_TIMEOUT: Duration = Duration::from_secs(150);
/// Default pause between reconnect attempts of a [`ClientBuilder::new`] client (a client from a
/// configuration uses `l1.socket.reconnect.waitInterval`).
pub const DEFAULT_RECONNECT_INTERVAL: Duration = Duration::from_millis(250);
/// Rejected transaction ranges remembered for waiters (merged when consecutive).
const MAX_REJECTIONS: usize = 1024;

// ------------------------------------------------------------------------------------- events

/// A change of cluster membership, see [`Client::events`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ClusterEvent {
    /// Another client connected.
    NodeJoined(NodeInfo),
    /// A client disconnected (cleanly or not).
    NodeLeft(NodeInfo),
    /// This client lost (or closed) its connection to the server for good.
    Disconnected,
    /// This client lost its connection and is reconnecting (operations that need the server
    /// wait meanwhile); followed by [`ClusterEvent::Reconnected`] or
    /// [`ClusterEvent::Disconnected`].
    Reconnecting,
    /// This client reconnected (same client id, locks and cache re-asserted, unacknowledged
    /// transactions sent again).
    Reconnected,
}

/// Where a client's connection stands, see [`Client::state`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ConnectionState {
    /// Connected to the server.
    Connected,
    /// The connection was lost; the client is reconnecting. Operations that need the server
    /// wait; greedy re-acquires of leases the client holds still work locally.
    Reconnecting,
    /// The connection is gone for good (lost without reconnect, refused, server error...).
    Failed,
    /// Closed by [`Client::close`] or by dropping the last handle.
    Closed,
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
    /// Transactions the server rejected (`TxnRejected`: not applied, e.g. storage unavailable).
    pub txns_rejected: u64,
    /// Successful reconnects after a lost connection.
    pub reconnects: u64,
    /// Transactions kept for a resend: committed, not yet acknowledged or rejected.
    pub unacked_txns: u64,
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
    pub(crate) txns_rejected: AtomicU64,
    pub(crate) reconnects: AtomicU64,
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
    reconnect: bool,
    reconnect_timeout: Duration,
    reconnect_interval: Duration,
}

impl ClientBuilder {
    /// A builder for the given server addresses (`host:port`), tried in order.
    ///
    /// Defaults: connect timeout 10 s per attempt, retry rounds forever (`-1`) every second but
    /// at most 10 s overall, window of 20 000 unacknowledged transactions, fault count from the
    /// server's `Welcome`, health check 5 s idle / 1 s interval / 3 probes, reconnect after a
    /// lost connection for up to 150 s, every 250 ms.
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
            reconnect: true,
            reconnect_timeout: DEFAULT_RECONNECT_TIMEOUT,
            reconnect_interval: DEFAULT_RECONNECT_INTERVAL,
        }
    }

    /// A builder from a parsed `tc-config.xml`: every server of the configuration,
    /// `l1.max.connect.retries`, `l1.socket.connect.timeout`, `l1.socket.reconnect.waitInterval`,
    /// `l1.healthcheck.l2.*` and `<clients><dso><fault-count>`. No overall deadline (set one with
    /// [`ClientBuilder::connect_deadline`]). `l1.socket.reconnect.waitInterval` is also the
    /// pause between reconnect attempts. Reconnect after a lost connection is on only if some
    /// server of the configuration is persistent (`permanent-store` / `<restartable>`), with a
    /// timeout of the longest `<client-reconnect-window>` plus 30 s.
    pub fn from_config(cfg: &kiln_config::TcConfig) -> Self {
        let mut b = ClientBuilder::new(cfg.client_addresses());
        let c = cfg.tc_properties.l1_connect();
        b.max_retries = c.max_connect_retries;
        b.connect_timeout = Duration::from_millis(c.socket_connect_timeout_ms.max(1));
        b.retry_wait = Duration::from_millis(c.reconnect_wait_interval_ms.max(10));
        b.reconnect_interval = b.retry_wait;
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
        // Reconnecting only helps when a server keeps the graph across a restart: an in-memory
        // server that comes back refuses old clients, so with none persistent a lost connection
        // fails at once. Otherwise keep trying a little longer than the longest reconnect window.
        let persistent: Vec<&kiln_config::ServerConfig> = cfg
            .all_servers()
            .filter(|s| s.persistence == kiln_config::PersistenceMode::PermanentStore)
            .collect();
        b.reconnect = !persistent.is_empty();
        if let Some(window) = persistent
            .iter()
            .map(|s| s.client_reconnect_window_secs)
            .max()
        {
            b.reconnect_timeout = Duration::from_secs(window.saturating_add(30));
        }
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
    /// Whether a lost connection is re-established (default `true`; protocol.md §9.9).
    ///
    /// When the connection ends (EOF, I/O error, health check, or the server shutting down),
    /// the client keeps trying to reconnect to its server addresses for
    /// [`ClientBuilder::reconnect_timeout`]. Meanwhile operations that need the server wait
    /// (they do not fail); re-acquiring a lock whose lease the client holds keeps working
    /// locally. A server that restarted with persistence (`permanent-store`) takes the client
    /// back with the same id: the client re-asserts its cache, locks and waiters, then sends its
    /// unacknowledged transactions and pending requests again. A server without that state
    /// (in-memory, or the client came back after its reconnect window) refuses: the client
    /// fails with [`Error::ReconnectFailed`] carrying the server's reason.
    ///
    /// The rest of the object-id lease is given up when the connection is lost (the restarted
    /// server may lease those ids again): until the new lease arrives, [`Txn::create`] fails
    /// with [`Error::IdsExhausted`] (call [`Client::reserve_ids`] first to wait for it; the
    /// blocking `create` waits by itself).
    ///
    /// With `false`, a lost connection fails the client at once with
    /// [`Error::ConnectionLost`].
    pub fn reconnect(mut self, on: bool) -> Self {
        self.reconnect = on;
        self
    }
    /// How long the client keeps trying to reconnect after losing its connection (default
    /// 150 s: longer than the server's default reconnect window of 120 s).
    pub fn reconnect_timeout(mut self, d: Duration) -> Self {
        self.reconnect_timeout = d;
        self
    }
    /// Pause between two reconnect attempts (rounds over the address list); default 250 ms, or
    /// `l1.socket.reconnect.waitInterval` for a client built from a configuration.
    pub fn reconnect_interval(mut self, d: Duration) -> Self {
        self.reconnect_interval = d.max(Duration::from_millis(1));
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
                    // A peer that answers with something other than Kiln frames is not a Kiln
                    // server (wrong port?): retrying will not change that.
                    Ok(Err(
                        e @ (Error::VersionMismatch { .. }
                        | Error::Refused { .. }
                        | Error::ServerError { .. }
                        | Error::Protocol(_)),
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
        let hs = handshake(addr, &self.name, None).await?;
        let Handshake {
            rd,
            wr,
            buf,
            welcome,
            membership,
            backlog,
        } = hs;
        let client_id = welcome.client_id;
        tracing::info!(%addr, client_id, server = %welcome.server_name, epoch = welcome.epoch, "connected");
        let (cb_tx, cb_rx) = std::sync::mpsc::channel::<Callback>();
        std::thread::Builder::new()
            .name(format!("kiln-callbacks-{client_id}"))
            .spawn(move || callback_thread(cb_rx))
            .map_err(|e| Error::lost(format!("cannot start the callback thread: {e}")))?;
        let (acks, _) = watch::channel(AckState::default());
        let reconnect = self.reconnect.then(|| ReconnectCfg {
            addrs: self.addrs.clone(),
            name: self.name.clone(),
            connect_timeout: self.connect_timeout,
            interval: self.reconnect_interval,
            timeout: self.reconnect_timeout,
        });
        let inner = Arc::new(Inner {
            client_id: membership.0,
            server_name: welcome.server_name,
            server_addr: addr.to_string(),
            max_frame: (welcome.max_frame as usize).max(1024),
            fault_count: self.fault_count.unwrap_or(welcome.fault_count).max(1),
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
            tasks: Mutex::new(Tasks::default()),
            gate: RwLock::new(()),
            reconnecting: AtomicBool::new(false),
            reconnect,
            health: self.health,
            server_epoch: AtomicU64::new(welcome.epoch),
            rejections: Mutex::new(VecDeque::new()),
            any_rejected: AtomicBool::new(false),
            flushed_upto: AtomicU64::new(0),
            resubscribe: Mutex::new(Vec::new()),
            wake: Notify::new(),
        });
        if client_id != inner.client_id {
            tracing::warn!(
                client_id,
                this_node = inner.client_id,
                "Welcome and Membership disagree on the client id"
            );
        }
        for m in backlog {
            inner.dispatch(m, 0);
        }
        inner.start_tasks(rd, wr, buf, 0);
        let client = Client {
            inner: inner.clone(),
            _handle: Arc::new(Handle { inner }),
        };
        client.reserve_ids(1).await?;
        Ok(client)
    }
}

/// What a server said in `Welcome`.
#[derive(Debug)]
struct WelcomeInfo {
    client_id: u64,
    server_name: String,
    max_frame: u32,
    fault_count: u32,
    epoch: u64,
}

/// An opened connection after `Hello` / `Welcome` / `Membership`.
#[derive(Debug)]
struct Handshake {
    rd: OwnedReadHalf,
    wr: OwnedWriteHalf,
    /// Bytes received after `Membership`.
    buf: BytesMut,
    welcome: WelcomeInfo,
    membership: (u64, Vec<NodeInfo>),
    /// Messages received between `Welcome` and `Membership`.
    backlog: Vec<Message>,
}

/// Connects to `addr` and says `Hello` (with `reconnect` after a lost connection); returns once
/// `Welcome` and `Membership` arrived.
async fn handshake(addr: &str, name: &str, reconnect: Option<Reconnect>) -> Result<Handshake> {
    let stream = TcpStream::connect(addr).await?;
    stream.set_nodelay(true)?;
    let (mut rd, mut wr) = stream.into_split();
    let hello = Message::Hello {
        protocol_version: PROTOCOL_VERSION,
        client_name: name.to_string(),
        pid: std::process::id(),
        reconnect,
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
                        message: format!(
                            "server speaks protocol {protocol_version}, client {PROTOCOL_VERSION}"
                        ),
                    });
                }
                welcome = Some(WelcomeInfo {
                    client_id,
                    server_name,
                    max_frame,
                    fault_count,
                    epoch,
                });
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
    let Some(welcome) = welcome else {
        return Err(Error::lost("no Welcome"));
    };
    Ok(Handshake {
        rd,
        wr,
        buf,
        welcome,
        membership,
        backlog,
    })
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
    /// Created by an open transaction of this client and not sent yet: the server does not
    /// know it (never re-asserted as resident).
    pub(crate) unsent: bool,
}

/// A request waiting for its reply (kept to be sent again after a reconnect).
#[derive(Debug)]
struct PendingReq {
    tx: oneshot::Sender<Message>,
    msg: Message,
    /// Sent on a connection that was lost: send again once reconnected.
    resend: bool,
}

/// A local thread in a cluster `wait()`.
#[derive(Debug)]
struct WaitEntry {
    tx: oneshot::Sender<WakeReason>,
    lock: LockId,
    /// `None`: waits forever.
    deadline: Option<Instant>,
    /// An `Interrupt` was sent for it.
    interrupted: bool,
}

/// A range of transactions the server rejected.
#[derive(Debug)]
struct Rejection {
    from: u64,
    upto: u64,
    code: ErrorCode,
    message: String,
}

impl Rejection {
    fn error(&self) -> Error {
        let message = format!(
            "transactions {}..={} were not applied: {}",
            self.from, self.upto, self.message
        );
        match self.code {
            ErrorCode::StorageUnavailable => Error::StorageUnavailable { message },
            code => Error::TxnRejected { code, message },
        }
    }
}

/// How a client reconnects (from its builder).
#[derive(Debug, Clone)]
struct ReconnectCfg {
    addrs: Vec<String>,
    name: String,
    connect_timeout: Duration,
    interval: Duration,
    timeout: Duration,
}

/// The tasks of the current connection (or the reconnect task).
#[derive(Debug, Default)]
struct Tasks {
    writer: Option<JoinHandle<()>>,
    others: Vec<JoinHandle<()>>,
}

impl Tasks {
    fn abort_all(&mut self) {
        for t in self.writer.take().into_iter().chain(self.others.drain(..)) {
            t.abort();
        }
    }
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
            self.inner.wake.notify_one();
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
    pending: Mutex<HashMap<u64, PendingReq>>,
    /// Pings waiting for their `Pong` (`true`: sent on a lost connection, send again).
    pings: Mutex<HashMap<u64, (oneshot::Sender<()>, bool)>>,
    pub(crate) next_req: AtomicU64,
    next_waiter: AtomicU64,
    waits: Mutex<HashMap<u64, WaitEntry>>,
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
    tasks: Mutex<Tasks>,
    /// Connection changes (loss, re-assert, resume) take it exclusively: every operation that
    /// records state the server must know (pending requests, lock requests, waits,
    /// subscriptions) and queues the matching message takes it shared, so a connection change
    /// sees state and queue consistent.
    gate: RwLock<()>,
    /// The connection was lost; reconnecting.
    reconnecting: AtomicBool,
    /// `None`: a lost connection fails the client.
    reconnect: Option<ReconnectCfg>,
    health: Option<HealthCheck>,
    /// `Welcome.epoch` of the server connected to.
    server_epoch: AtomicU64,
    /// Transactions the server rejected (merged ranges, most recent last).
    rejections: Mutex<VecDeque<Rejection>>,
    any_rejected: AtomicBool,
    /// Highest sequence a completed [`Client::flush`] waited for.
    flushed_upto: AtomicU64,
    /// Subscriptions to send again after a reconnect (those made before the loss).
    resubscribe: Mutex<Vec<SubTarget>>,
    /// Wakes the reconnect task (close).
    wake: Notify,
}

impl std::fmt::Debug for Inner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Inner")
            .field("client_id", &self.client_id)
            .field("server", &self.server_name)
            .field("addr", &self.server_addr)
            .field("state", &self.state())
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

    /// Ok while the client is usable: connected, or reconnecting (operations then wait).
    #[inline]
    pub(crate) fn check_alive(&self) -> Result<()> {
        if self.failed.load(Ordering::Acquire) || self.closed.load(Ordering::Acquire) {
            Err(self.failure())
        } else {
            Ok(())
        }
    }

    pub(crate) fn state(&self) -> ConnectionState {
        if self.closed.load(Ordering::Acquire) {
            ConnectionState::Closed
        } else if self.failed.load(Ordering::Acquire) {
            ConnectionState::Failed
        } else if self.reconnecting.load(Ordering::Acquire) {
            ConnectionState::Reconnecting
        } else {
            ConnectionState::Connected
        }
    }

    /// The shared side of [`Inner::gate`].
    fn gate(&self) -> parking_lot::RwLockReadGuard<'_, ()> {
        self.gate.read_recursive()
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
        self.reconnecting.store(false, Ordering::Release);
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
        self.wake.notify_one();
        if !quiet {
            // After close(), close() itself reported the disconnection.
            let _ = self.events.send(ClusterEvent::Disconnected);
        }
        self.tasks.lock().abort_all();
        // Dropping the sender ends the callback thread once queued callbacks ran.
        self.callbacks.lock().take();
    }

    /// Fails the client for an error seen on connection `gen` (ignored if that connection was
    /// already replaced).
    fn fail_conn(&self, gen: u64, err: Error) {
        if self.out.gen() == gen && !self.reconnecting.load(Ordering::Acquire) {
            self.fail(err);
        }
    }

    /// Connection `gen` ended (EOF, I/O error, health check, server shutting down). Without
    /// reconnect the client fails; otherwise it starts reconnecting: the outbound queue pauses
    /// (producers keep queueing), the state the server will forget is marked to be sent again,
    /// and the reconnect task starts.
    pub(crate) fn connection_lost(self: &Arc<Self>, gen: u64, err: Error) {
        let Some(cfg) = self.reconnect.clone() else {
            return self.fail_conn(gen, err);
        };
        if self.closed.load(Ordering::Acquire) {
            return self.fail_conn(gen, err);
        }
        {
            let _g = self.gate.write();
            if self.failed.load(Ordering::Acquire)
                || self.reconnecting.load(Ordering::Acquire)
                || self.out.gen() != gen
            {
                return; // already handled (or failed)
            }
            self.reconnecting.store(true, Ordering::Release);
            // Everything queued but transactions is dropped: rebuilt below / on resume.
            self.out.pause();
            let entries: Vec<Arc<LockEntry>> = self.locks.read().values().cloned().collect();
            for e in &entries {
                self.with_core_ungated(e, |c, ctx| c.on_connection_lost(ctx));
            }
            for p in self.pending.lock().values_mut() {
                p.resend = true;
            }
            for (_, resend) in self.pings.lock().values_mut() {
                *resend = true;
            }
            *self.resubscribe.lock() = self.subs.lock().map.keys().cloned().collect();
            // The unused rest of the id lease is given up: the restarted server may lease those
            // ids again. A new lease is asked for once reconnected.
            let mut ids = self.ids.lock();
            ids.ranges.clear();
            ids.remaining = 0;
            ids.requested = false;
        }
        tracing::warn!(
            client_id = self.client_id,
            error = %err,
            timeout = ?cfg.timeout,
            "connection to the server lost: reconnecting"
        );
        let _ = self.events.send(ClusterEvent::Reconnecting);
        let mut tasks = self.tasks.lock();
        tasks.abort_all();
        tasks.others.push(tokio::spawn(reconnect_loop(
            self.clone(),
            cfg,
            err.to_string(),
        )));
    }

    /// Spawns the reader, writer and health-check tasks of connection `gen`.
    fn start_tasks(
        self: &Arc<Self>,
        rd: OwnedReadHalf,
        wr: OwnedWriteHalf,
        buf: BytesMut,
        gen: u64,
    ) {
        let wr = Arc::new(wr);
        self.out.attach(&wr);
        self.start_tasks_attached(rd, wr, buf, gen);
    }

    fn start_tasks_attached(
        self: &Arc<Self>,
        rd: OwnedReadHalf,
        wr: Arc<OwnedWriteHalf>,
        buf: BytesMut,
        gen: u64,
    ) {
        self.last_rx_us
            .store(self.epoch.elapsed().as_micros() as u64, Ordering::Relaxed);
        let mut tasks = self.tasks.lock();
        tasks.others.retain(|t| !t.is_finished());
        tasks.writer = Some(tokio::spawn(writer_loop(self.clone(), wr, gen)));
        tasks
            .others
            .push(tokio::spawn(reader_loop(self.clone(), rd, buf, gen)));
        if let Some(hc) = self.health {
            tasks
                .others
                .push(tokio::spawn(health_loop(Arc::downgrade(self), hc, gen)));
        }
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

    /// Sends a request and waits for the reply carrying the same `req_id` (across a reconnect:
    /// the request is sent again on the new connection).
    async fn request(&self, make: impl FnOnce(u64) -> Message) -> Result<Message> {
        let req_id = self.next_req.fetch_add(1, Ordering::Relaxed);
        let (tx, rx) = oneshot::channel();
        {
            let _g = self.gate();
            let mut pending = self.pending.lock();
            self.check_alive()?;
            let msg = make(req_id);
            if !self.out.push(msg.clone()) {
                return Err(self.failure());
            }
            pending.insert(
                req_id,
                PendingReq {
                    tx,
                    msg,
                    resend: false,
                },
            );
        }
        rx.await.map_err(|_| self.failure())
    }

    // ------------------------------------------------------------------ reconnect

    /// The `Reassert` for a new connection: every cached object the server knows (with its
    /// version), every lease held, every local thread in a cluster `wait()`. Also returns the
    /// waiters to interrupt again. Queued `Wait`s / `Interrupt`s are dropped: the `Reassert`
    /// and the resend cover them.
    fn reassert(&self) -> (Message, Vec<u64>) {
        let _g = self.gate.write();
        let resident: Vec<(ObjectId, u64)> = self
            .cache
            .lock()
            .iter()
            .filter(|(_, c)| !c.unsent)
            .map(|(o, c)| (*o, c.version))
            .collect();
        let entries: Vec<Arc<LockEntry>> = self.locks.read().values().cloned().collect();
        let locks: Vec<(LockId, LockLevel)> = entries
            .iter()
            .filter_map(|e| e.core.lock().lease_level().map(|l| (e.id.clone(), l)))
            .collect();
        let now = Instant::now();
        let mut waiters: Vec<(u64, LockId, u64)> = Vec::new();
        let mut interrupts = Vec::new();
        for (id, w) in self.waits.lock().iter() {
            let ms = match w.deadline {
                None => 0,
                Some(d) => u64::try_from(d.saturating_duration_since(now).as_millis())
                    .unwrap_or(u64::MAX)
                    .max(1),
            };
            waiters.push((*id, w.lock.clone(), ms));
            if w.interrupted {
                interrupts.push(*id);
            }
        }
        waiters.sort_by_key(|w| w.0);
        interrupts.sort_unstable();
        self.out
            .remove_msgs(|m| matches!(m, Message::Wait { .. } | Message::Interrupt { .. }));
        (
            Message::Reassert {
                resident,
                locks,
                waiters,
            },
            interrupts,
        )
    }

    /// The server took the client back (`Resumed`): drops stale objects, queues what the lost
    /// connection left unanswered (unacknowledged transactions, lock requests, subscriptions,
    /// requests, pings, interrupts, an id lease) ahead of what was queued meanwhile, and starts
    /// the new connection's tasks. Returns false when the client was closed meanwhile.
    fn resume(
        self: &Arc<Self>,
        hs: Handshake,
        stale: Vec<ObjectId>,
        interrupts: Vec<u64>,
        backlog: Vec<Message>,
        addr: &str,
    ) -> bool {
        let Handshake {
            rd,
            wr,
            buf,
            welcome,
            membership,
            ..
        } = hs;
        let wr = Arc::new(wr);
        let gen;
        {
            let _g = self.gate.write();
            if self.closed.load(Ordering::Acquire) || self.failed.load(Ordering::Acquire) {
                // Closed while reconnecting: say goodbye on the new connection, best effort.
                let _ = wr.try_write(&frame::to_bytes(&Message::Goodbye));
                return false;
            }
            self.evict_local(&stale);
            let now = Instant::now();
            let mut prefix = Vec::new();
            let entries: Vec<Arc<LockEntry>> = self.locks.read().values().cloned().collect();
            for e in &entries {
                if let Some(m) = e.core.lock().take_resend(&e.id, now) {
                    self.stats.lock_requests.fetch_add(1, Ordering::Relaxed);
                    prefix.push(m);
                }
            }
            for target in std::mem::take(&mut *self.resubscribe.lock()) {
                prefix.push(Message::Subscribe { target });
            }
            {
                let mut pending = self.pending.lock();
                let mut reqs: Vec<(u64, Message)> = pending
                    .iter_mut()
                    .filter(|(_, p)| p.resend)
                    .map(|(id, p)| {
                        p.resend = false;
                        (*id, p.msg.clone())
                    })
                    .collect();
                reqs.sort_by_key(|r| r.0);
                prefix.extend(reqs.into_iter().map(|r| r.1));
            }
            for (nonce, (_, resend)) in self.pings.lock().iter_mut() {
                if std::mem::replace(resend, false) {
                    prefix.push(Message::Ping { nonce: *nonce });
                }
            }
            {
                let waits = self.waits.lock();
                for waiter_id in interrupts {
                    if waits.contains_key(&waiter_id) {
                        prefix.push(Message::Interrupt { waiter_id });
                    }
                }
            }
            {
                let mut ids = self.ids.lock();
                if !ids.requested {
                    ids.requested = true;
                    ids.last_request = Some(now);
                    prefix.push(Message::IdLeaseRequest { count: ids.batch });
                }
            }
            gen = self.out.resume(prefix, &wr);
            self.reconnecting.store(false, Ordering::Release);
        }
        self.server_epoch.store(welcome.epoch, Ordering::Relaxed);
        self.stats.reconnects.fetch_add(1, Ordering::Relaxed);
        tracing::info!(
            client_id = self.client_id,
            %addr,
            epoch = welcome.epoch,
            unacked = self
                .out
                .last_seq
                .load(Ordering::Relaxed)
                .saturating_sub(self.acked.load(Ordering::Relaxed)),
            "reconnected"
        );
        // Membership: tell what changed while away (never "this node left").
        let (added, removed) = {
            let mut nodes = self.nodes.lock();
            let me = self.client_id;
            let removed: Vec<NodeInfo> = nodes
                .iter()
                .filter(|n| n.id != me && !membership.1.iter().any(|m| m.id == n.id))
                .cloned()
                .collect();
            let added: Vec<NodeInfo> = membership
                .1
                .iter()
                .filter(|n| n.id != me && !nodes.iter().any(|m| m.id == n.id))
                .cloned()
                .collect();
            *nodes = membership.1;
            (added, removed)
        };
        let _ = self.events.send(ClusterEvent::Reconnected);
        for n in removed {
            let _ = self.events.send(ClusterEvent::NodeLeft(n));
        }
        for n in added {
            let _ = self.events.send(ClusterEvent::NodeJoined(n));
        }
        for m in backlog {
            self.dispatch(m, gen);
        }
        self.start_tasks_attached(rd, wr, buf, gen);
        true
    }

    // ------------------------------------------------------------------ rejections

    /// `TxnRejected`: the transactions were not applied. Their objects leave the cache (they are
    /// faulted in again from the server), they are not kept for a resend, and whoever waits for
    /// them gets the error; the sequence numbers count as acknowledged.
    fn on_rejected(&self, from: u64, upto: u64, code: ErrorCode, message: String) {
        let n = upto.saturating_sub(from).saturating_add(1);
        self.stats.txns_rejected.fetch_add(n, Ordering::Relaxed);
        tracing::warn!(
            client_id = self.client_id,
            from_seq = from,
            upto_seq = upto,
            ?code,
            reason = %message,
            "the server rejected transactions: their changes are dropped from the cache"
        );
        let mut oids: Vec<ObjectId> = self
            .out
            .take_retained(from, upto)
            .iter()
            .flat_map(|r| r.oids.iter().copied())
            .collect();
        oids.sort_unstable();
        oids.dedup();
        if !oids.is_empty() {
            self.evict_local(&oids);
            self.out.push(Message::Evict { oids });
        }
        {
            let mut r = self.rejections.lock();
            match r.back_mut() {
                Some(last) if last.upto.saturating_add(1) == from && last.code == code => {
                    last.upto = upto;
                    last.message = message;
                }
                _ => {
                    if r.len() >= MAX_REJECTIONS {
                        r.pop_front();
                    }
                    r.push_back(Rejection {
                        from,
                        upto,
                        code,
                        message,
                    });
                }
            }
            self.any_rejected.store(true, Ordering::Release);
        }
        self.on_ack(upto, None);
    }

    /// The error for a rejected transaction in `from..=upto`, if any.
    pub(crate) fn rejected_in(&self, from: u64, upto: u64) -> Option<Error> {
        if !self.any_rejected.load(Ordering::Acquire) || from > upto {
            return None;
        }
        self.rejections
            .lock()
            .iter()
            .rev()
            .find(|r| r.from <= upto && from <= r.upto)
            .map(Rejection::error)
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
        let _g = self.gate();
        self.with_core_ungated(entry, f)
    }

    /// [`Inner::with_core`] for a caller that holds the gate.
    fn with_core_ungated<R>(
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
        if !t.new_objects.is_empty() {
            // Sent from now on: re-asserted as resident after a reconnect (the server knows
            // them once the transaction is applied, or reports them stale).
            let mut cache = self.cache.lock();
            for (oid, _) in &t.new_objects {
                if let Some(c) = cache.get_mut(oid) {
                    c.unsent = false;
                }
            }
        }
        match self.out.push_txn(t) {
            Some(seq) => {
                self.stats.txns_committed.fetch_add(1, Ordering::Relaxed);
                Ok(seq)
            }
            None => Err(self.failure()),
        }
    }

    /// Waits until transaction `seq` (and every earlier one) is acknowledged; the error of a
    /// rejection if `seq` was rejected.
    pub(crate) async fn wait_acked(&self, seq: u64) -> Result<()> {
        self.wait_acked_upto(seq).await?;
        match self.rejected_in(seq, seq) {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }

    /// Waits until every transaction up to `seq` is acknowledged or rejected.
    pub(crate) async fn wait_acked_upto(&self, seq: u64) -> Result<()> {
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

    /// Transactions up to `seq` are acknowledged; `gtx` is the global id of the last of them
    /// (`None`: rejected). The objects they created or changed take that version (protocol.md
    /// §9.7: the server applies one batch of a client at once, so no other client's change
    /// falls between them and `gtx`), so a later re-assert reports them up to date.
    fn on_ack(&self, seq: u64, gtx: Option<u64>) {
        let prev = self.acked.fetch_max(seq, Ordering::AcqRel);
        if seq > prev {
            let acked = self.out.release_acked(seq);
            if let Some(gtx) = gtx {
                if acked.iter().any(|r| !r.oids.is_empty()) {
                    let mut cache = self.cache.lock();
                    for oid in acked.iter().flat_map(|r| r.oids.iter()) {
                        if let Some(c) = cache.get_mut(oid) {
                            c.version = c.version.max(gtx);
                        }
                    }
                }
            }
            drop(acked);
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

    /// Registers a cluster waiter and queues its `Wait` (one step for a reconnect: a waiter is
    /// either re-asserted or its `Wait` is sent, never both).
    pub(crate) fn start_wait(
        &self,
        waiter_id: u64,
        lock: LockId,
        timeout: Option<Duration>,
    ) -> Result<oneshot::Receiver<WakeReason>> {
        let timeout_ms = match timeout {
            None => 0,
            Some(d) => u64::try_from(d.as_millis()).unwrap_or(u64::MAX).max(1),
        };
        let (tx, rx) = oneshot::channel();
        let _g = self.gate();
        let mut waits = self.waits.lock();
        self.check_alive()?;
        if !self.out.push(Message::Wait {
            waiter_id,
            lock: lock.clone(),
            timeout_ms,
        }) {
            return Err(self.failure());
        }
        waits.insert(
            waiter_id,
            WaitEntry {
                tx,
                lock,
                deadline: timeout.map(|t| Instant::now() + t),
                interrupted: false,
            },
        );
        Ok(rx)
    }

    /// Interrupts a cluster waiter of this client.
    pub(crate) fn interrupt_wait(&self, waiter_id: u64) {
        let _g = self.gate();
        let mut waits = self.waits.lock();
        if let Some(w) = waits.get_mut(&waiter_id) {
            w.interrupted = true;
        }
        self.out.push(Message::Interrupt { waiter_id });
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
                            unsent: false,
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

    /// Handles a message received on connection `gen`.
    fn dispatch(self: &Arc<Self>, m: Message, gen: u64) {
        tracing::trace!(msg = m.name(), "received");
        if let Message::Error { code, message } = m {
            let err = server_error(code, message);
            if code == ErrorCode::ShuttingDown {
                self.connection_lost(gen, err);
            } else {
                self.fail_conn(gen, err);
            }
            return;
        }
        // Under the gate: a message of a connection that was lost meanwhile is dropped (the
        // state it would change was snapshot for the reconnect; requests are sent again).
        let _g = self.gate();
        if self.out.gen() != gen {
            tracing::debug!(msg = m.name(), "message of a lost connection dropped");
            return;
        }
        match m {
            Message::Ping { nonce } => {
                self.out.push(Message::Pong { nonce });
            }
            Message::Pong { nonce } => {
                if let Some((tx, _)) = self.pings.lock().remove(&nonce) {
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
                    Some(p) => {
                        let _ = p.tx.send(reply);
                    }
                    None => tracing::debug!(req_id, "fault reply nobody waits for (cached anyway)"),
                }
            }
            Message::RootValue { req_id, .. }
            | Message::RootList { req_id, .. }
            | Message::Located { req_id, .. } => match self.pending.lock().remove(&req_id) {
                Some(p) => {
                    let _ = p.tx.send(m);
                }
                None => tracing::debug!(req_id, "reply to a request nobody waits for"),
            },
            Message::IdLease { start, count } => {
                let more = self.ids.lock().add(start, count);
                if let Some(count) = more {
                    self.out.push(Message::IdLeaseRequest { count });
                }
                self.ids_ready.notify_waiters();
            }
            Message::BatchAck { upto_seq, gtx } => self.on_ack(upto_seq, Some(gtx)),
            Message::CommitAck { seq, gtx } => self.on_ack(seq, Some(gtx)),
            Message::TxnRejected {
                from_seq,
                upto_seq,
                code,
                message,
            } => self.on_rejected(from_seq, upto_seq, code, message),
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
                Some(w) => {
                    let _ = w.tx.send(reason);
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

async fn reader_loop(inner: Arc<Inner>, mut rd: OwnedReadHalf, mut buf: BytesMut, gen: u64) {
    let dec = FrameDecoder::new(inner.max_frame);
    loop {
        loop {
            match dec.next(&mut buf) {
                Ok(Some(m)) => {
                    if inner.out.gen() != gen {
                        return; // this connection was replaced
                    }
                    inner.stats.frames_received.fetch_add(1, Ordering::Relaxed);
                    inner.dispatch(m, gen);
                }
                Ok(None) => break,
                Err(e) => {
                    inner.fail_conn(gen, Error::Protocol(e));
                    return;
                }
            }
        }
        if buf.capacity() - buf.len() < 16 * 1024 {
            buf.reserve(64 * 1024);
        }
        match rd.read_buf(&mut buf).await {
            Ok(0) => {
                inner.connection_lost(gen, Error::lost("the server closed the connection"));
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
                inner.connection_lost(gen, Error::lost(format!("read failed: {e}")));
                return;
            }
        }
    }
}

async fn health_loop(weak: Weak<Inner>, hc: HealthCheck, gen: u64) {
    let mut probes = 0u32;
    let mut probe_sent_us = 0u64;
    let mut nonce = 1u64 << 63;
    loop {
        let sleep_for = {
            let Some(inner) = weak.upgrade() else { return };
            if inner.failed.load(Ordering::Acquire)
                || inner.closed.load(Ordering::Acquire)
                || inner.out.gen() != gen
            {
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
                inner.connection_lost(
                    gen,
                    Error::lost(format!(
                        "health check: no answer from the server for {:.1?} ({} probes)",
                        since, hc.probes
                    )),
                );
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

/// How one reconnect attempt ended.
enum Attempt {
    /// Try again (server down, connection broke, shutting down again...): the reason.
    Retry(String),
    /// Give up: the client fails with this error.
    Fatal(Error),
}

/// Reconnects after a lost connection: rounds over the server addresses every
/// `cfg.interval` until one takes the client back or `cfg.timeout` passed.
async fn reconnect_loop(inner: Arc<Inner>, cfg: ReconnectCfg, why: String) {
    let started = Instant::now();
    let deadline = started + cfg.timeout;
    let mut last = why.clone();
    let mut attempts = 0u64;
    loop {
        for addr in &cfg.addrs {
            if inner.closed.load(Ordering::Acquire) || inner.failed.load(Ordering::Acquire) {
                inner.fail(Error::Closed);
                return;
            }
            if Instant::now() >= deadline {
                break;
            }
            attempts += 1;
            tracing::debug!(%addr, attempts, "reconnecting");
            match reconnect_once(&inner, &cfg, addr, deadline).await {
                Ok(()) => return,
                Err(Attempt::Fatal(Error::ReconnectFailed { reason })) => {
                    inner.fail(Error::ReconnectFailed {
                        reason: format!("{reason} (after the connection was lost: {why})"),
                    });
                    return;
                }
                Err(Attempt::Fatal(e)) => {
                    inner.fail(e);
                    return;
                }
                Err(Attempt::Retry(reason)) => {
                    tracing::debug!(%addr, %reason, "reconnect attempt failed");
                    last = if cfg.addrs.len() > 1 {
                        format!("{addr}: {reason}")
                    } else {
                        reason
                    };
                }
            }
        }
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            inner.fail(Error::ReconnectFailed {
                reason: format!(
                    "no server at {} took the client back within {:.1?} ({attempts} attempts; last error: {last}) after the connection was lost: {why}",
                    cfg.addrs.join(", "),
                    cfg.timeout
                ),
            });
            return;
        }
        tokio::select! {
            _ = tokio::time::sleep(cfg.interval.min(left)) => {}
            _ = inner.wake.notified() => {}
        }
    }
}

/// One reconnect attempt at `addr`: `Hello{reconnect}`, `Welcome` with the same client id,
/// `Reassert`, `Resumed`; then the client resumes on the new connection.
async fn reconnect_once(
    inner: &Arc<Inner>,
    cfg: &ReconnectCfg,
    addr: &str,
    deadline: Instant,
) -> std::result::Result<(), Attempt> {
    let attempt_end = deadline.min(Instant::now() + cfg.connect_timeout);
    let hello = Reconnect {
        client_id: inner.client_id,
        last_acked_seq: inner.acked.load(Ordering::Acquire),
    };
    let hs =
        match tokio::time::timeout_at(attempt_end.into(), handshake(addr, &cfg.name, Some(hello)))
            .await
        {
            Err(_) => {
                return Err(Attempt::Retry(format!(
                    "no Welcome within {:.1?}",
                    cfg.connect_timeout
                )))
            }
            Ok(Ok(hs)) => hs,
            Ok(Err(Error::ServerError {
                code: ErrorCode::ShuttingDown,
                message,
            })) => return Err(Attempt::Retry(format!("server shutting down: {message}"))),
            Ok(Err(
                Error::Refused { message }
                | Error::VersionMismatch { message }
                | Error::ServerError { message, .. },
            )) => {
                return Err(Attempt::Fatal(Error::ReconnectFailed {
                    reason: format!(
                        "the server at {addr} refused the reconnect of client {}: {message}",
                        inner.client_id
                    ),
                }))
            }
            Ok(Err(Error::Io(e))) => return Err(Attempt::Retry(e.to_string())),
            Ok(Err(e)) => return Err(Attempt::Retry(e.to_string())),
        };
    if hs.welcome.client_id != inner.client_id || hs.membership.0 != inner.client_id {
        return Err(Attempt::Fatal(Error::ReconnectFailed {
            reason: format!(
                "the server at {addr} answered the reconnect of client {} with client id {} (it does not know this client)",
                inner.client_id, hs.welcome.client_id
            ),
        }));
    }
    let mut hs = hs;
    let (reassert, interrupts) = inner.reassert();
    if let Err(e) = hs.wr.write_all(&frame::to_bytes(&reassert)).await {
        return Err(Attempt::Retry(format!("write failed: {e}")));
    }
    // Wait for Resumed (the server may hold it while its reconnect window is open).
    let dec = FrameDecoder::new(frame::DEFAULT_MAX_FRAME);
    let mut backlog = std::mem::take(&mut hs.backlog);
    let stale = loop {
        let msg = match dec.next(&mut hs.buf) {
            Ok(Some(m)) => m,
            Ok(None) => {
                if inner.closed.load(Ordering::Acquire) {
                    return Err(Attempt::Fatal(Error::Closed));
                }
                let read = tokio::time::timeout_at(deadline.into(), hs.rd.read_buf(&mut hs.buf));
                match read.await {
                    Err(_) => {
                        return Err(Attempt::Fatal(Error::ReconnectFailed {
                            reason: format!(
                                "the server at {addr} did not answer the Reassert of client {} within {:.1?}",
                                inner.client_id, cfg.timeout
                            ),
                        }))
                    }
                    Ok(Ok(0)) => {
                        return Err(Attempt::Retry(
                            "server closed the connection before Resumed".into(),
                        ))
                    }
                    Ok(Ok(_)) => continue,
                    Ok(Err(e)) => return Err(Attempt::Retry(format!("read failed: {e}"))),
                }
            }
            Err(e) => return Err(Attempt::Retry(format!("undecodable message: {e}"))),
        };
        match msg {
            Message::Resumed { gtx, stale } => {
                tracing::debug!(gtx, stale = stale.len(), "resumed");
                break stale;
            }
            Message::Ping { nonce } => {
                if let Err(e) = hs.wr.write_all(&frame::to_bytes(&Message::Pong { nonce })).await {
                    return Err(Attempt::Retry(format!("write failed: {e}")));
                }
            }
            Message::Error {
                code: ErrorCode::ShuttingDown,
                message,
            } => return Err(Attempt::Retry(format!("server shutting down: {message}"))),
            Message::Error { code, message } => {
                return Err(Attempt::Fatal(Error::ReconnectFailed {
                    reason: format!(
                        "the server at {addr} rejected the Reassert of client {} ({code:?}): {message}",
                        inner.client_id
                    ),
                }))
            }
            other => backlog.push(other),
        }
    };
    // A writer of the lost connection may still be retaining what it took (no await point
    // between taking and retaining: this is a matter of microseconds).
    while inner.out.unretained() > 0 {
        if inner.failed.load(Ordering::Acquire) {
            return Err(Attempt::Fatal(Error::Closed));
        }
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    if inner.resume(hs, stale, interrupts, backlog, addr) {
        Ok(())
    } else {
        Err(Attempt::Fatal(Error::Closed))
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
            .field("state", &self.inner.state())
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

    /// True while the connection is up and the client not closed (false while reconnecting).
    pub fn is_connected(&self) -> bool {
        self.inner.state() == ConnectionState::Connected
    }

    /// Where the connection stands: connected, reconnecting, failed or closed.
    pub fn state(&self) -> ConnectionState {
        self.inner.state()
    }

    /// The epoch of the server this client is connected to (`Welcome.epoch`: `1` for an
    /// in-memory server; incremented on every start of a persistent one).
    pub fn server_epoch(&self) -> u64 {
        self.inner.server_epoch.load(Ordering::Relaxed)
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

    /// For each of `oids`, in order, the ids of the connected clients that have it resident
    /// (this client included): Terracotta's `DsoCluster.getNodesWithObjects`. A snapshot from
    /// the server; one round trip.
    pub async fn locate(&self, oids: &[ObjectId]) -> Result<Vec<Vec<u64>>> {
        if oids.is_empty() {
            return Ok(Vec::new());
        }
        let n = oids.len();
        match self
            .inner
            .request(|req_id| Message::Locate {
                req_id,
                oids: oids.to_vec(),
            })
            .await?
        {
            Message::Located { nodes, .. } if nodes.len() == n => Ok(nodes),
            Message::Located { nodes, .. } => Err(Error::lost(format!(
                "Located answers {} objects, {n} were asked",
                nodes.len()
            ))),
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

    /// Runs the callback in `f` on the cached state of `oid` and returns its result; `None`
    /// (leaving `f` untouched) when the object is not resident. No runtime involved: the
    /// blocking facade's cache-hit path.
    pub(crate) fn read_cached<R, F: FnOnce(&ObjectState) -> R>(
        &self,
        oid: ObjectId,
        f: &mut Option<F>,
    ) -> Option<R> {
        let cache = self.inner.cache.lock();
        let c = cache.get(&oid)?;
        let f = f.take()?;
        Some(f(&c.state))
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
            let _g = self.inner.gate();
            let mut subs = self.inner.subs.lock();
            subs.next += 1;
            let id = subs.next;
            let list = subs.map.entry(target.clone()).or_default();
            list.push((id, Arc::new(cb)));
            let first = list.len() == 1;
            if first {
                self.inner.out.push(Message::Subscribe {
                    target: target.clone(),
                });
            }
            (id, first)
        };
        let sub = Subscription {
            inner: Arc::downgrade(&self.inner),
            target,
            id,
            active: true,
        };
        if first {
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

    /// Waits until every transaction committed so far is acknowledged by the server (across a
    /// reconnect: unacknowledged transactions are sent again).
    ///
    /// Fails with [`Error::StorageUnavailable`] (or [`Error::TxnRejected`]) when the server
    /// rejected a transaction committed since the previous `flush` (protocol.md §9.8): nothing
    /// of it was applied, and the objects it touched were dropped from the local cache.
    pub async fn flush(&self) -> Result<()> {
        let from = self.inner.flushed_upto.load(Ordering::Acquire) + 1;
        let last = self.inner.out.last_seq.load(Ordering::Acquire);
        if last == 0 {
            return self.inner.check_alive();
        }
        self.inner.wait_acked_upto(last).await?;
        self.inner.flushed_upto.fetch_max(last, Ordering::AcqRel);
        match self.inner.rejected_in(from, last) {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }

    /// Round-trip time of a `Ping` (waits while reconnecting).
    pub async fn ping(&self) -> Result<Duration> {
        let nonce = self.inner.next_req.fetch_add(1, Ordering::Relaxed);
        let (tx, rx) = oneshot::channel();
        let t = Instant::now();
        {
            let _g = self.inner.gate();
            let mut pings = self.inner.pings.lock();
            self.inner.check_alive()?;
            self.inner.stats.pings_sent.fetch_add(1, Ordering::Relaxed);
            if !self.inner.out.push(Message::Ping { nonce }) {
                return Err(self.inner.failure());
            }
            pings.insert(nonce, (tx, false));
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
            txns_rejected: l(&s.txns_rejected),
            reconnects: l(&s.reconnects),
            unacked_txns: l(&self.inner.out.last_seq).saturating_sub(l(&self.inner.acked)),
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
            self.inner.wake.notify_one();
        }
        // Let the writer put the Goodbye on the wire.
        let writer = self.inner.tasks.lock().writer.take();
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
        let _g = inner.gate();
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
    fn reconnect_follows_the_servers_persistence() {
        let cfg = |dso: &str| {
            let xml = format!(
                r#"<tc-config><servers><server host="127.0.0.1" name="a"><dso-port>9510</dso-port><dso>{dso}</dso></server></servers></tc-config>"#
            );
            ClientBuilder::from_config(
                &kiln_config::TcConfig::from_str_with_origin(&xml, "test").expect("valid config"),
            )
        };
        let memory = cfg("");
        assert!(
            !memory.reconnect,
            "an in-memory server refuses old clients: fail fast"
        );
        let durable = cfg("<client-reconnect-window>40</client-reconnect-window><persistence><mode>permanent-store</mode></persistence>");
        assert!(durable.reconnect);
        assert_eq!(durable.reconnect_timeout, Duration::from_secs(70));
    }

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

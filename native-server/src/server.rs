//! Listener, sessions and graceful shutdown (`run(listener, admin, shutdown)`, as in mini-redis).

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::BytesMut;
use kiln_protocol::{frame, ErrorCode, Message, NodeInfo, ProtocolError, PROTOCOL_VERSION};
use parking_lot::Mutex;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{mpsc, watch};
use tokio::task::JoinSet;
use tracing::{debug, info, warn};

use crate::locks::ClientId;
use crate::pipeline::Pipeline;
use crate::state::{ClientEntry, Outbound, State, Violation};
use crate::ServerError;

/// Runtime settings of one server, derived from its `tc-config.xml` entry.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Server name (`<server name=...>`).
    pub name: String,
    /// Maximum frame payload accepted, bytes (default 16 MiB).
    pub max_frame: usize,
    /// Prefetch budget announced to clients (`<clients><dso><fault-count>`, default 500).
    pub fault_count: u32,
    /// L2→L1 health check (`l2.healthcheck.l1.*`): idle time before pinging, ms.
    pub hc_idle: Duration,
    /// Interval between probes.
    pub hc_interval: Duration,
    /// Unanswered probes before the client is declared dead.
    pub hc_probes: u32,
    /// Whether L2→L1 health checking is on.
    pub hc_enabled: bool,
    /// How long a graceful shutdown waits for sessions to drain.
    pub drain_timeout: Duration,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            name: "kiln".into(),
            max_frame: frame::DEFAULT_MAX_FRAME,
            fault_count: 500,
            hc_idle: Duration::from_millis(5000),
            hc_interval: Duration::from_millis(1000),
            hc_probes: 3,
            hc_enabled: true,
            drain_timeout: Duration::from_secs(10),
        }
    }
}

impl Settings {
    /// Settings for `server` of `cfg`.
    pub fn from_config(cfg: &kiln_config::TcConfig, server: &kiln_config::ServerConfig) -> Self {
        let hc = cfg
            .tc_properties
            .healthcheck(kiln_config::HealthCheckTarget::L2ToL1);
        Settings {
            name: server.name.clone(),
            fault_count: cfg.clients.fault_count,
            hc_idle: Duration::from_millis(hc.ping_idletime_ms),
            hc_interval: Duration::from_millis(hc.ping_interval_ms.max(10)),
            hc_probes: hc.ping_probes,
            hc_enabled: hc.ping_enabled,
            ..Settings::default()
        }
    }
}

/// What every session and the admin endpoint share.
#[derive(Debug)]
pub struct Shared {
    /// Settings.
    pub settings: Settings,
    /// The state (one lock; see [`crate::state`]).
    pub state: Mutex<State>,
    /// Commit pipeline.
    pub pipeline: Pipeline,
    /// Start time.
    pub started: Instant,
    /// Frames received (all clients).
    pub frames_in: std::sync::atomic::AtomicU64,
    /// Shutdown trigger: `Some(force)` once requested.
    pub shutdown: watch::Sender<Option<bool>>,
}

impl Shared {
    /// New shared state.
    pub fn new(settings: Settings, pipeline: Pipeline) -> Arc<Self> {
        let (shutdown, _) = watch::channel(None);
        Arc::new(Shared {
            settings,
            state: Mutex::new(State::default()),
            pipeline,
            started: Instant::now(),
            frames_in: std::sync::atomic::AtomicU64::new(0),
            shutdown,
        })
    }
    /// Asks the server to stop (`force`: do not drain).
    pub fn request_shutdown(&self, force: bool) {
        self.shutdown.send_replace(Some(force));
    }
}

/// Runs the server until `shutdown` completes or `/stop` is requested, then drains.
pub async fn run(
    shared: Arc<Shared>,
    listener: TcpListener,
    admin: Option<TcpListener>,
    shutdown: impl Future<Output = ()>,
) -> Result<(), ServerError> {
    let mut stop_rx = shared.shutdown.subscribe();
    let mut sessions = JoinSet::new();
    let admin_task = admin.map(|l| tokio::spawn(crate::admin::serve(shared.clone(), l)));
    let timer = tokio::spawn(lock_timer(shared.clone()));
    info!(
        server = %shared.settings.name,
        addr = %listener.local_addr().map(|a| a.to_string()).unwrap_or_default(),
        "ACTIVE-COORDINATOR: accepting clients"
    );
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((sock, addr)) => {
                    let s = shared.clone();
                    sessions.spawn(async move { handle_connection(s, sock, addr).await });
                }
                Err(e) => {
                    warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            },
            _ = &mut shutdown => { shared.request_shutdown(false); break; }
            _ = stop_rx.changed() => break,
            Some(_) = sessions.join_next(), if !sessions.is_empty() => {}
        }
    }
    drop(listener);
    let force = shared.shutdown.borrow().unwrap_or(false);
    info!(
        force,
        sessions = sessions.len(),
        "shutting down: draining sessions"
    );
    let drain = if force {
        Duration::from_millis(200)
    } else {
        shared.settings.drain_timeout
    };
    let drained = tokio::time::timeout(drain, async {
        while sessions.join_next().await.is_some() {}
    })
    .await;
    if drained.is_err() {
        warn!("drain timeout: aborting remaining sessions");
        sessions.abort_all();
    }
    timer.abort();
    if let Some(a) = admin_task {
        // Give the /stop response time to flush.
        tokio::time::sleep(Duration::from_millis(50)).await;
        a.abort();
    }
    info!("server stopped");
    Ok(())
}

async fn lock_timer(shared: Arc<Shared>) {
    let mut iv = tokio::time::interval(Duration::from_millis(5));
    iv.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    loop {
        iv.tick().await;
        let mut st = shared.state.lock();
        if st.locks.has_deadlines() {
            let effects = st.locks.tick(Instant::now());
            st.deliver(effects);
        }
    }
}

enum End {
    Eof,
    Goodbye,
    Shutdown,
}

async fn handle_connection(shared: Arc<Shared>, sock: TcpStream, addr: SocketAddr) {
    let _ = sock.set_nodelay(true);
    let (rd, mut wr) = sock.into_split();
    let (tx, mut rx) = mpsc::unbounded_channel();
    shared.state.lock().counters.connections += 1;
    let mut session = Session {
        shared: shared.clone(),
        client: None,
        tx: tx.clone(),
        addr,
    };
    let mut out = BytesMut::with_capacity(64 * 1024);
    let result = session.run(rd, &mut wr, &mut rx, &mut out).await;
    match &result {
        Ok(End::Eof) => debug!(%addr, client = ?session.client, "client disconnected"),
        Ok(End::Goodbye) => debug!(%addr, client = ?session.client, "client said goodbye"),
        Ok(End::Shutdown) => {
            let _ = tx.send(Outbound::Msg(Message::Error {
                code: ErrorCode::ShuttingDown,
                message: format!("server '{}' is shutting down", shared.settings.name),
            }));
        }
        Err(v) => {
            warn!(%addr, client = ?session.client, code = ?v.code, reason = %v.message, "closing connection after protocol error");
            shared.state.lock().counters.protocol_errors += 1;
            let _ = tx.send(Outbound::Msg(Message::Error {
                code: v.code,
                message: v.message.clone(),
            }));
        }
    }
    if let Some(id) = session.client {
        let mut st = shared.state.lock();
        st.remove_client(id);
        info!(client = id, %addr, "client left; its locks, waiters and resident set were released");
    }
    drop(tx);
    drop(session);
    // Nobody else can queue for us now: send what is left (acks, the error), then close —
    // bounded, as the client may not be reading at all.
    let _ = tokio::time::timeout(Duration::from_secs(2), flush(&mut wr, &mut rx, &mut out)).await;
    let _ = wr.shutdown().await;
}

/// Writes everything queued for this client in one `write_all` per megabyte. Messages are queued
/// (by this session or others) while the state lock is held, so queue order is decision order.
async fn flush(
    wr: &mut OwnedWriteHalf,
    rx: &mut mpsc::UnboundedReceiver<Outbound>,
    out: &mut BytesMut,
) -> std::io::Result<()> {
    loop {
        while out.len() < 1024 * 1024 {
            match rx.try_recv() {
                Ok(Outbound::Msg(m)) => frame::encode(&m, out),
                Err(_) => break,
            }
        }
        if out.is_empty() {
            return Ok(());
        }
        wr.write_all(out).await?;
        out.clear();
    }
}

struct Session {
    shared: Arc<Shared>,
    client: Option<ClientId>,
    tx: mpsc::UnboundedSender<Outbound>,
    addr: SocketAddr,
}

fn frame_violation(e: ProtocolError) -> Violation {
    let code = match e {
        ProtocolError::FrameTooLarge { .. } => ErrorCode::FrameTooLarge,
        ProtocolError::UnknownMessage(_) => ErrorCode::UnknownMessage,
        _ => ErrorCode::Malformed,
    };
    Violation::new(code, e.to_string())
}

impl Session {
    fn reply(&self, msg: Message) {
        let _ = self.tx.send(Outbound::Msg(msg));
    }

    async fn run(
        &mut self,
        mut rd: OwnedReadHalf,
        wr: &mut OwnedWriteHalf,
        rx: &mut mpsc::UnboundedReceiver<Outbound>,
        out: &mut BytesMut,
    ) -> Result<End, Violation> {
        let mut buf = BytesMut::with_capacity(64 * 1024);
        let mut stop = self.shared.shutdown.subscribe();
        let s = &self.shared.settings;
        let (hc_enabled, hc_idle, hc_interval, hc_probes) =
            (s.hc_enabled, s.hc_idle, s.hc_interval, s.hc_probes);
        let mut hc = tokio::time::interval(hc_interval);
        hc.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut last_rx = Instant::now();
        let write_limit = (hc_idle + hc_interval * hc_probes).max(Duration::from_secs(1));
        let mut nonce = 0u64;
        let max = self.shared.settings.max_frame;
        loop {
            while let Some(n) = frame::check(&buf, max).map_err(frame_violation)? {
                let f = buf.split_to(n);
                self.shared
                    .frames_in
                    .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let msg = frame::parse(&f).map_err(frame_violation)?;
                if let Some(end) = self.handle(msg).await? {
                    return Ok(end);
                }
            }
            // A client that stops reading (frozen, or flooded) must not wedge its session: if
            // a write cannot complete within the health-check window, the client is dead.
            match tokio::time::timeout(write_limit, flush(wr, rx, out)).await {
                Ok(Ok(())) => {}
                Ok(Err(_)) => return Ok(End::Eof),
                Err(_) => {
                    return Err(Violation::new(
                        ErrorCode::Refused,
                        format!(
                            "client did not read for {} ms (l2.healthcheck.l1 idletime + interval*probes);                              {} bytes unsent",
                            write_limit.as_millis(),
                            out.len()
                        ),
                    ))
                }
            }
            if stop.borrow().is_some() {
                return Ok(End::Shutdown);
            }
            tokio::select! {
                Some(Outbound::Msg(m)) = rx.recv() => frame::encode(&m, out),
                r = rd.read_buf(&mut buf) => match r {
                    Ok(0) => {
                        if !buf.is_empty() {
                            debug!(addr = %self.addr, bytes = buf.len(), "discarding partial frame of a vanished client");
                        }
                        return Ok(End::Eof);
                    }
                    Ok(_) => last_rx = Instant::now(),
                    Err(e) => {
                        debug!(addr = %self.addr, error = %e, "read error");
                        return Ok(End::Eof);
                    }
                },
                _ = hc.tick(), if hc_enabled && self.client.is_some() => {
                    let idle = last_rx.elapsed();
                    if idle > hc_idle + hc_interval * hc_probes {
                        return Err(Violation::new(ErrorCode::Refused, format!(
                            "health check: no traffic from client for {} ms (l2.healthcheck.l1.ping.idletime + interval*probes)",
                            idle.as_millis())));
                    }
                    if idle > hc_idle {
                        nonce += 1;
                        self.reply(Message::Ping { nonce });
                    }
                }
                _ = stop.changed() => {}
            }
        }
    }

    async fn handle(&mut self, msg: Message) -> Result<Option<End>, Violation> {
        let Some(me) = self.client else {
            return self.hello(msg).map(|_| None);
        };
        let shared = self.shared.clone();
        match msg {
            Message::TxnBatch { txns } => {
                let mut applied = Vec::with_capacity(txns.len());
                let mut failure = None;
                {
                    let mut st = shared.state.lock();
                    for t in txns {
                        match st.apply_txn(me, t) {
                            Ok(Some(a)) => applied.push(a),
                            Ok(None) => {}
                            Err(v) => {
                                failure = Some(v);
                                break;
                            }
                        }
                    }
                    if shared.pipeline.is_empty() {
                        st.publish(me, applied);
                        applied = Vec::new();
                    }
                }
                if !applied.is_empty() {
                    if let Err(e) = shared.pipeline.commit(me, &applied).await {
                        return Err(Violation::new(ErrorCode::StorageUnavailable, e.to_string()));
                    }
                    shared.state.lock().publish(me, applied);
                }
                if let Some(v) = failure {
                    return Err(v);
                }
            }
            Message::LockRequest {
                req_id,
                lock,
                level,
                timeout_ms,
            } => {
                let mut st = shared.state.lock();
                let effects = st
                    .locks
                    .request(me, req_id, lock, level, timeout_ms, Instant::now())
                    .map_err(|v| Violation::new(ErrorCode::OutOfOrder, v.0))?;
                st.deliver(effects);
            }
            Message::RecallCommit { lock } | Message::LockRelease { lock } => {
                let mut st = shared.state.lock();
                let effects = st
                    .locks
                    .release(me, &lock)
                    .map_err(|v| Violation::new(ErrorCode::OutOfOrder, v.0))?;
                st.deliver(effects);
            }
            Message::LockCancel { req_id } => {
                let mut st = shared.state.lock();
                let effects = st.locks.cancel(me, req_id);
                st.deliver(effects);
            }
            Message::Wait {
                waiter_id,
                lock,
                timeout_ms,
            } => {
                let mut st = shared.state.lock();
                st.locks
                    .wait(me, waiter_id, lock, timeout_ms, Instant::now())
                    .map_err(|v| Violation::new(ErrorCode::OutOfOrder, v.0))?;
            }
            Message::Interrupt { waiter_id } => {
                let mut st = shared.state.lock();
                let effects = st.locks.interrupt(me, waiter_id);
                st.deliver(effects);
            }
            Message::IdLeaseRequest { count } => {
                let (start, count) = shared.state.lock().lease_ids(count);
                self.reply(Message::IdLease { start, count });
            }
            Message::RootLookup { req_id, name } => {
                let value = shared.state.lock().roots.get(&name).cloned();
                self.reply(Message::RootValue {
                    req_id,
                    name,
                    value,
                });
            }
            Message::RootCreate {
                req_id,
                name,
                value,
                replace,
            } => {
                let v = shared.state.lock().root_create(me, &name, value, replace)?;
                self.reply(Message::RootValue {
                    req_id,
                    name,
                    value: Some(v),
                });
            }
            Message::ListRoots { req_id } => {
                let roots = shared
                    .state
                    .lock()
                    .roots
                    .iter()
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect();
                self.reply(Message::RootList { req_id, roots });
            }
            Message::Fault {
                req_id,
                oids,
                budget,
            } => {
                let mut st = shared.state.lock();
                let (objects, missing) = st.fault(me, &oids, budget, shared.settings.max_frame / 2);
                // Sent under the state lock so no later delta can overtake it.
                st.send(
                    me,
                    Message::FaultReply {
                        req_id,
                        objects,
                        missing,
                    },
                );
            }
            Message::Evict { oids } => {
                let mut st = shared.state.lock();
                if let Some(c) = st.clients.get_mut(&me) {
                    for o in &oids {
                        if !c.subs.contains(&kiln_protocol::SubTarget::Object(*o)) {
                            c.resident.remove(o);
                        }
                    }
                }
            }
            Message::Subscribe { target } => shared.state.lock().subscribe(me, target),
            Message::Unsubscribe { target } => shared.state.lock().unsubscribe(me, &target),
            Message::Ping { nonce } => self.reply(Message::Pong { nonce }),
            Message::Pong { .. } => {}
            Message::Goodbye => return Ok(Some(End::Goodbye)),
            Message::Hello { .. } => {
                return Err(Violation::new(
                    ErrorCode::OutOfOrder,
                    "Hello sent twice on one connection",
                ));
            }
            other => {
                return Err(Violation::new(
                    ErrorCode::OutOfOrder,
                    format!(
                        "message {} goes from server to client; a client may not send it",
                        other.name()
                    ),
                ));
            }
        }
        Ok(None)
    }

    fn hello(&mut self, msg: Message) -> Result<(), Violation> {
        let Message::Hello {
            protocol_version,
            client_name,
            pid,
            reconnect,
        } = msg
        else {
            return Err(Violation::new(
                ErrorCode::OutOfOrder,
                format!("first message must be Hello, got {}", msg.name()),
            ));
        };
        if protocol_version != PROTOCOL_VERSION {
            return Err(Violation::new(
                ErrorCode::VersionMismatch,
                format!("server speaks protocol version {PROTOCOL_VERSION}, client '{client_name}' sent version {protocol_version}"),
            ));
        }
        if let Some(rc) = reconnect {
            return Err(Violation::new(
                ErrorCode::Refused,
                format!(
                    "server '{}' has no record of client {} (it keeps no state across restarts with persistence \
                     temporary-swap-only); the client must restart",
                    self.shared.settings.name, rc.client_id
                ),
            ));
        }
        let mut st = self.shared.state.lock();
        let id = st.next_client;
        st.next_client += 1;
        let info = NodeInfo {
            id,
            name: client_name,
            pid,
            addr: self.addr.to_string(),
        };
        st.clients.insert(
            id,
            ClientEntry {
                info: info.clone(),
                out: self.tx.clone(),
                resident: Default::default(),
                last_seq: 0,
                subs: Default::default(),
            },
        );
        self.client = Some(id);
        let s = &self.shared.settings;
        st.send(
            id,
            Message::Welcome {
                protocol_version: PROTOCOL_VERSION,
                client_id: id,
                server_name: s.name.clone(),
                max_frame: u32::try_from(s.max_frame).unwrap_or(u32::MAX),
                fault_count: s.fault_count,
                epoch: 1,
            },
        );
        let mut nodes: Vec<NodeInfo> = st.clients.values().map(|c| c.info.clone()).collect();
        nodes.sort_by_key(|n| n.id);
        st.send(
            id,
            Message::Membership {
                this_node: id,
                nodes,
            },
        );
        st.send_others(id, &Message::NodeJoined { node: info.clone() });
        info!(client = id, name = %info.name, pid = info.pid, addr = %info.addr, "client joined");
        Ok(())
    }
}

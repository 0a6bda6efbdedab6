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

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use crate::locks::ClientId;
use crate::pipeline::Pipeline;
use crate::state::{ClientEntry, DgcReport, Outbound, State, Violation};
use crate::store::{Op, Store};
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
    /// `<client-reconnect-window>`: how long clients known from before a restart may take to
    /// come back (default 120 s).
    pub reconnect_window: Duration,
    /// `<garbage-collection>`: periodic distributed GC.
    pub gc_enabled: bool,
    /// Log every GC phase.
    pub gc_verbose: bool,
    /// Seconds between periodic GCs.
    pub gc_interval: Duration,
    /// The server group (HA) this server is in, when it has two or more members.
    pub group: Option<crate::ha::GroupConfig>,
    /// The stripe: index of this server's mirror group in the configuration (0: the first or
    /// only group).
    pub stripe: u8,
    /// How many mirror groups (stripes) the configuration lists.
    pub stripes: usize,
    /// This server's mirror group (`default-group` for `<server>`s directly under `<servers>`).
    pub group_name: String,
    /// Operator override (`--force-active-despite-possible-data-loss`): a former passive with
    /// data that starts alone may become active.
    pub force_active: bool,
    /// `l2.l1reconnect.enabled` / `l2.l1reconnect.timeout.millis`: how long the session of a
    /// client whose connection dropped is kept (locks, waiters, resident set, sequence mark)
    /// for it to reconnect to this same running server. `None`: removed at once.
    pub l1_reconnect: Option<Duration>,
    /// Management console: token, access rule, the servers the configuration lists.
    pub console: crate::console::ConsoleSettings,
    /// Lock profiler at start (`l2.lockprofiler.enabled`, `l2.lockprofiler.maxLocks`).
    pub lock_profiler: (bool, usize),
    /// The client-port addresses (`host:dso-port`) of every stripe's servers, by stripe: where
    /// a participant asks a coordinator stripe for a transaction's outcome (`crate::twopc`).
    pub stripe_addrs: Vec<Vec<String>>,
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
            reconnect_window: Duration::from_secs(120),
            gc_enabled: true,
            gc_verbose: false,
            gc_interval: Duration::from_secs(3600),
            group: None,
            force_active: false,
            l1_reconnect: None,
            console: crate::console::ConsoleSettings::default(),
            lock_profiler: (false, crate::profiler::DEFAULT_CAPACITY),
            stripe: 0,
            stripes: 1,
            stripe_addrs: Vec::new(),
            group_name: kiln_config::DEFAULT_GROUP_NAME.to_owned(),
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
            reconnect_window: Duration::from_secs(server.client_reconnect_window_secs),
            gc_enabled: server.garbage_collection.enabled,
            gc_verbose: server.garbage_collection.verbose,
            gc_interval: Duration::from_secs(server.garbage_collection.interval_secs.max(1)),
            group: crate::ha::GroupConfig::from_config(cfg, server),
            stripe: stripe_of(cfg, server),
            stripes: cfg.servers.groups.len().max(1),
            stripe_addrs: cfg
                .servers
                .groups
                .iter()
                .map(|g| {
                    g.servers
                        .iter()
                        .map(|s| format!("{}:{}", s.host, s.dso_port))
                        .collect()
                })
                .collect(),
            group_name: server.group.clone(),
            l1_reconnect: {
                let r = cfg.tc_properties.l1_reconnect();
                r.enabled.then(|| Duration::from_millis(r.timeout_ms))
            },
            console: crate::console::ConsoleSettings::from_config(cfg, server),
            lock_profiler: {
                let (on, max) = cfg.tc_properties.lock_profiler();
                (on, usize::try_from(max).unwrap_or(usize::MAX))
            },
            ..Settings::default()
        }
    }
}

/// The stripe of `server`: the index of its mirror group in `cfg` (groups beyond 255 are
/// refused by the configuration's own limits long before; saturates).
pub fn stripe_of(cfg: &kiln_config::TcConfig, server: &kiln_config::ServerConfig) -> u8 {
    let i = cfg
        .servers
        .groups
        .iter()
        .position(|g| g.name == server.group)
        .unwrap_or(0);
    u8::try_from(i).unwrap_or(u8::MAX)
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
    /// The durable store (persistent mode only).
    pub store: Option<Arc<Store>>,
    /// The reconnect-window gate: `true` once normal operation may proceed.
    gate: watch::Sender<bool>,
    gate_open: AtomicBool,
    /// When the reconnect window closes (if one was opened).
    pub window_deadline: Mutex<Option<Instant>>,
    /// HA: the group, this server's state in it, its passives.
    pub ha: crate::ha::Ha,
    /// The last distributed GC.
    pub last_dgc: Mutex<Option<DgcReport>>,
    /// Statistics over time (`/api/stats`).
    pub history: Mutex<crate::history::History>,
    dgc_running: tokio::sync::Mutex<()>,
    /// Cluster-DGC bookkeeping (several stripes, [`crate::dgc`]).
    pub cluster_dgc: crate::dgc::ClusterDgc,
    /// Sessions kept for clients whose connection dropped (`l2.l1reconnect`). Locked after
    /// `state`, never before.
    detached: Mutex<HashMap<ClientId, Detached>>,
    /// Clients whose kept session expired (the newest 1024), for the refusal message.
    expired: Mutex<VecDeque<ClientId>>,
    detach_gen: AtomicU64,
    /// Per attached client, the trigger that ends its session (a reconnect `Hello` arrived on a
    /// new connection before this server noticed the old one dropped).
    attached: Mutex<HashMap<ClientId, Arc<tokio::sync::Notify>>>,
}

/// A session kept for a client whose connection dropped.
#[derive(Debug)]
struct Detached {
    /// Which detach this is (a timer only removes the session it was started for).
    gen: u64,
    /// When the connection dropped.
    since: Instant,
    /// The highest waiter id received from the client.
    max_waiter: u64,
}

impl Shared {
    /// Clients whose connection dropped and whose session is kept for them to reconnect
    /// (`l2.l1reconnect`), with how long ago it dropped (the console's "reconnecting").
    pub fn detached_clients(&self) -> Vec<(ClientId, Duration)> {
        self.detached
            .lock()
            .iter()
            .map(|(id, d)| (*id, d.since.elapsed()))
            .collect()
    }

    /// New shared state, in memory.
    pub fn new(settings: Settings, pipeline: Pipeline) -> Arc<Self> {
        Self::with_state(settings, pipeline, State::default(), None)
    }

    /// Shared state over `state` (e.g. loaded from `store`). If `state` knows clients from
    /// before a restart, the reconnect window is open until they all returned or
    /// `settings.reconnect_window` passed.
    pub fn with_state(
        settings: Settings,
        pipeline: Pipeline,
        state: State,
        store: Option<Arc<Store>>,
    ) -> Arc<Self> {
        let (shutdown, _) = watch::channel(None);
        let mut state = state;
        state.stripe = settings.stripe;
        state.stripes = settings.stripes;
        // Before any window closes: a restored prepared part of another coordinator stripe
        // is asked about, never aborted here (`twopc::Table::orphan`).
        state.twopc.set_stripe(settings.stripe);
        let (profile, capacity) = settings.lock_profiler;
        state.locks.profiler.set_capacity(capacity);
        state.locks.profiler.set_enabled(profile);
        let ha = crate::ha::Ha::new(settings.group.clone());
        // A group member waits for the election before it serves anyone; a server that becomes
        // active by election opens its window then.
        let open = state.known.is_empty() || ha.is_group();
        let (gate, _) = watch::channel(open);
        let window_deadline = (!open).then(|| Instant::now() + settings.reconnect_window);
        Arc::new(Shared {
            settings,
            state: Mutex::new(state),
            pipeline,
            started: Instant::now(),
            frames_in: std::sync::atomic::AtomicU64::new(0),
            shutdown,
            store,
            gate,
            gate_open: AtomicBool::new(open),
            window_deadline: Mutex::new(window_deadline),
            ha,
            last_dgc: Mutex::new(None),
            history: Mutex::new(crate::history::History::default()),
            dgc_running: tokio::sync::Mutex::new(()),
            cluster_dgc: crate::dgc::ClusterDgc::default(),
            detached: Mutex::new(HashMap::new()),
            expired: Mutex::new(VecDeque::new()),
            detach_gen: AtomicU64::new(0),
            attached: Mutex::new(HashMap::new()),
        })
    }

    /// Whether the reconnect window is over (normal operation).
    pub fn gate_is_open(&self) -> bool {
        self.gate_open.load(Ordering::Acquire)
    }

    /// Waits until the reconnect window is over.
    async fn wait_gate(&self) {
        if self.gate_is_open() {
            return;
        }
        let mut rx = self.gate.subscribe();
        let _ = rx.wait_for(|open| *open).await;
    }

    /// Opens the reconnect window for the clients on record in `st.known` (after this server was
    /// elected active in a failover). Call with the state lock held.
    pub fn open_window(self: &Arc<Self>, st: &mut State) {
        crate::twopc::start_resolver(self, st);
        if st.known.is_empty() {
            crate::twopc::abort_absent(self, st);
            return;
        }
        let deadline = Instant::now() + self.settings.reconnect_window;
        *self.window_deadline.lock() = Some(deadline);
        self.gate_open.store(false, Ordering::Release);
        self.gate.send_replace(false);
        info!(
            known_clients = st.known.len(),
            window_secs = self.settings.reconnect_window.as_secs(),
            "reconnect window open: waiting for the clients of the previous active"
        );
        let s = self.clone();
        tokio::spawn(async move {
            tokio::time::sleep_until(deadline.into()).await;
            let mut st = s.state.lock();
            s.close_window(&mut st, "the reconnect window expired");
        });
    }

    /// Records `ops`: written to the store (persistent mode) and replicated to the passives
    /// (HA). Call with the state lock held (the order of the records is the order of the
    /// changes); await the result without it.
    pub fn record(&self, ops: Vec<Op>) -> Pending {
        let repl = self.replicate(&ops);
        let durable = self.store.as_ref().map(|s| s.submit(ops));
        Pending { durable, repl }
    }

    /// Keeps the session of client `id`, whose connection dropped, for `timeout`
    /// (`l2.l1reconnect`): it stays a member with its locks, waiters, resident set and sequence
    /// mark; messages for it are dropped (its `Reassert` and resends recover them). Past the
    /// timeout it is removed as if it had left.
    fn detach(
        self: &Arc<Self>,
        st: &mut State,
        id: ClientId,
        max_waiter: u64,
        timeout: Duration,
        addr: SocketAddr,
    ) {
        let gen = self.detach_gen.fetch_add(1, Ordering::Relaxed) + 1;
        let (holds, waiters) = (st.locks.holds(), st.locks.waiter_count());
        if let Some(c) = st.clients.get_mut(&id) {
            c.out = mpsc::unbounded_channel().0;
        }
        self.detached.lock().insert(
            id,
            Detached {
                gen,
                since: Instant::now(),
                max_waiter,
            },
        );
        info!(
            client = id,
            %addr,
            timeout_ms = timeout.as_millis() as u64,
            server_holds = holds,
            server_waiters = waiters,
            "client connection dropped: its session (locks, waiters, resident set) is kept for l2.l1reconnect.timeout.millis"
        );
        let shared = self.clone();
        tokio::spawn(async move {
            tokio::time::sleep(timeout).await;
            let mut st = shared.state.lock();
            let expired = {
                let mut d = shared.detached.lock();
                match d.get(&id) {
                    Some(k) if k.gen == gen => d.remove(&id),
                    _ => None,
                }
            };
            let Some(k) = expired else { return };
            {
                let mut e = shared.expired.lock();
                e.push_back(id);
                while e.len() > 1024 {
                    e.pop_front();
                }
            }
            st.remove_client(id);
            drop(shared.record(vec![Op::DelClient(id)]));
            warn!(
                client = id,
                after_ms = k.since.elapsed().as_millis() as u64,
                "client did not reconnect within l2.l1reconnect.timeout.millis: its session was removed, its locks and waiters released; it must restart"
            );
        });
    }

    /// The error that ends a session of a group member that is no longer active (deposed): the
    /// client treats it as a lost connection and goes to the new active.
    pub(crate) fn deposed(&self) -> Violation {
        Violation::new(
            ErrorCode::ShuttingDown,
            format!(
                "server '{}' is {}, no longer active: nothing more is acknowledged here; go to the new active",
                self.settings.name,
                self.ha.role()
            ),
        )
    }

    /// Ends the reconnect window (all known clients returned, or time is up). Clients that did
    /// not return are forgotten for good. Call with the state lock held.
    fn close_window(&self, st: &mut State, why: &str) {
        if self.gate_is_open() {
            return;
        }
        let missing: Vec<ClientId> = st.known.keys().chain(st.awaiting.iter()).copied().collect();
        if !missing.is_empty() {
            drop(self.record(missing.iter().map(|c| Op::DelClient(*c)).collect()));
        }
        for c in &missing {
            if let Some(k) = st.known.get(c) {
                warn!(client = c, name = %k.name, "client did not reconnect within the reconnect window; it must restart");
            }
        }
        st.known.clear();
        st.awaiting.clear();
        crate::twopc::abort_absent(self, st);
        self.gate_open.store(true, Ordering::Release);
        self.gate.send_replace(true);
        info!(
            reason = why,
            missing = missing.len(),
            returned = st.counters.reconnects,
            "reconnect window closed: accepting new clients and operations"
        );
    }

    /// Runs one distributed GC now (not during the reconnect window, when the resident sets of
    /// clients that have not returned are unknown). Removed objects are deleted from the store.
    pub async fn run_dgc(&self, why: &str) -> Result<DgcReport, String> {
        if !self.ha.is_active() {
            return Err(format!(
                "this server is {}, not the active: the DGC runs on the active",
                self.ha.role()
            ));
        }
        if self.settings.stripes > 1 {
            return Err(format!(
                "the cluster has {} stripes (mirror groups): a DGC of one stripe alone could remove objects \
                 referenced only from another stripe; run the cluster DGC (`kiln-server dgc` / bin/run-dgc.sh \
                 with the cluster's tc-config.xml: it coordinates every stripe's active)",
                self.settings.stripes
            ));
        }
        if !self.gate_is_open() {
            return Err("the reconnect window is open: the resident sets of returning clients are not known yet; try again after it closes".into());
        }
        let _one = self.dgc_running.lock().await;
        let verbose = self.settings.gc_verbose;
        if verbose {
            info!(
                trigger = why,
                "DGC: start (mark from roots and client resident sets)"
            );
        }
        let (report, pending) = {
            let mut st = self.state.lock();
            let (report, garbage) = st.dgc();
            let pending = if garbage.is_empty() {
                None
            } else {
                self.record(garbage.iter().map(|o| Op::DelObject(*o)).collect())
                    .durable
            };
            (report, pending)
        };
        if let Some(rx) = pending {
            match rx.await {
                Ok(Ok(())) => {}
                Ok(Err(e)) => {
                    warn!(error = %e, "DGC: removed objects could not be deleted from the store (they will be collected again after a restart)")
                }
                Err(_) => warn!("DGC: the store writer stopped"),
            }
        }
        if verbose {
            info!(
                marked = report.marked,
                mark_us = report.mark_micros,
                "DGC: mark phase done"
            );
            info!(
                removed = report.removed,
                sweep_us = report.sweep_micros,
                "DGC: sweep phase done"
            );
        }
        info!(
            trigger = why,
            before = report.objects_before,
            marked = report.marked,
            removed = report.removed,
            clients = report.clients,
            "DGC complete"
        );
        self.history.lock().dgc(&report);
        *self.last_dgc.lock() = Some(report.clone());
        Ok(report)
    }
    /// Asks the server to stop (`force`: do not drain).
    pub fn request_shutdown(&self, force: bool) {
        self.shutdown.send_replace(Some(force));
    }
}

/// What [`Shared::record`] waits for: the store's group commit and the standbys' acks.
#[derive(Debug)]
pub struct Pending {
    /// The store write (persistent mode).
    pub durable: Option<tokio::sync::oneshot::Receiver<Result<(), String>>>,
    /// The replication to the standbys (HA).
    pub repl: Option<crate::ha::ReplWait>,
}

impl Pending {
    /// Whether there is nothing to wait for.
    pub fn is_empty(&self) -> bool {
        self.durable.is_none() && self.repl.is_none()
    }
    /// Waits for both; an error is the store's (a standby that does not answer is dropped,
    /// never an error).
    pub async fn wait(self, shared: &Shared) -> Result<(), String> {
        let durable = async {
            match self.durable {
                None => Ok(()),
                Some(rx) => rx
                    .await
                    .unwrap_or_else(|_| Err("the store writer stopped".to_owned())),
            }
        };
        let repl = async {
            if let Some(r) = self.repl {
                r.wait(shared).await;
            }
        };
        let (d, ()) = tokio::join!(durable, repl);
        d?;
        crate::ha::zap::verify_writable(shared).await
    }
}

/// Where clients are accepted.
#[derive(Debug)]
pub enum Listen {
    /// On this (already bound) listener, from the start.
    Bound(TcpListener),
    /// A group member: bind `addr` (setting `dso-port`) once elected ACTIVE-COORDINATOR, run
    /// the group on the bound `group` listener meanwhile.
    WhenActive {
        /// `host:dso-port` to bind.
        addr: String,
        /// The bound `l2-group-port` listener.
        group: TcpListener,
    },
}

/// Runs the server until `shutdown` completes or `/stop` is requested, then drains.
pub async fn run(
    shared: Arc<Shared>,
    listener: TcpListener,
    admin: Option<TcpListener>,
    shutdown: impl Future<Output = ()>,
) -> Result<(), ServerError> {
    serve(shared, Listen::Bound(listener), admin, shutdown).await
}

/// Runs the server (single or group member) until `shutdown` completes or `/stop` is
/// requested, then drains.
pub async fn serve(
    shared: Arc<Shared>,
    listen: Listen,
    admin: Option<TcpListener>,
    shutdown: impl Future<Output = ()>,
) -> Result<(), ServerError> {
    if !shared.ha.is_group() {
        // A server without a group is its own cluster: its id exists from the first start.
        let mut st = shared.state.lock();
        crate::ha::ensure_cluster(&shared, &mut st);
    }
    let (mut listener, bind_addr) = match listen {
        Listen::Bound(l) => (Some(l), None),
        Listen::WhenActive { addr, group } => {
            info!(
                server = %shared.settings.name,
                group = %shared.ha.group.as_ref().map(|g| g.name.clone()).unwrap_or_default(),
                group_addr = %group.local_addr().map(|a| a.to_string()).unwrap_or_default(),
                election_secs = shared.ha.group.as_ref().map(|g| g.election_time.as_secs()).unwrap_or(0),
                "group member: looking for the active or electing one"
            );
            tokio::spawn(crate::ha::election::run(shared.clone(), group));
            (None, Some(addr))
        }
    };
    let mut stop_rx = shared.shutdown.subscribe();
    let mut sessions = JoinSet::new();
    let admin_task = admin.map(|l| tokio::spawn(crate::admin::serve(shared.clone(), l)));
    let timer = tokio::spawn(lock_timer(shared.clone()));
    let sampler = tokio::spawn(crate::history::run(shared.clone()));
    // Prepared parts restored from the store whose client does not come back are resolved by
    // asking their coordinator stripe (started at once: the window may close before any
    // failover or prepare would start it).
    if shared.state.lock().twopc.prepared() > 0 {
        let mut st = shared.state.lock();
        crate::twopc::start_resolver(&shared, &mut st);
    }
    let window = shared.window_deadline.lock().map(|deadline| {
        let s = shared.clone();
        tokio::spawn(async move {
            tokio::time::sleep_until(deadline.into()).await;
            let mut st = s.state.lock();
            s.close_window(&mut st, "the reconnect window expired");
        })
    });
    let first_deadline = *shared.window_deadline.lock();
    if let Some(deadline) = first_deadline {
        let st = shared.state.lock();
        info!(
            known_clients = st.known.len(),
            window_secs = deadline.saturating_duration_since(Instant::now()).as_secs(),
            "reconnect window open: waiting for the clients connected before the restart"
        );
    }
    let gc = shared.settings.gc_enabled.then(|| {
        let s = shared.clone();
        tokio::spawn(async move {
            let mut iv = tokio::time::interval(s.settings.gc_interval);
            iv.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            iv.tick().await;
            loop {
                iv.tick().await;
                crate::dgc::periodic(&s).await;
            }
        })
    });
    if let Some(l) = &listener {
        info!(
            server = %shared.settings.name,
            addr = %l.local_addr().map(|a| a.to_string()).unwrap_or_default(),
            "ACTIVE-COORDINATOR: accepting clients"
        );
    }
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            () = shared.ha.wait_active(), if listener.is_none() => {
                let addr = bind_addr.clone().unwrap_or_default();
                match TcpListener::bind(&addr).await {
                    Ok(l) => {
                        info!(server = %shared.settings.name, %addr, "ACTIVE-COORDINATOR: accepting clients");
                        listener = Some(l);
                    }
                    Err(source) => {
                        let e = ServerError::Bind { addr, setting: "dso-port", server: shared.settings.name.clone(), source };
                        tracing::error!("{e}");
                        shared.request_shutdown(true);
                        break;
                    }
                }
            }
            accepted = async { listener.as_ref().expect("guarded: the listener is bound").accept().await }, if listener.is_some() => match accepted {
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
    sampler.abort();
    if let Some(w) = window {
        w.abort();
    }
    if let Some(g) = gc {
        g.abort();
    }
    if let Some(store) = shared.store.clone() {
        // Everything acknowledged is already synced; this writes what is queued and closes.
        let _ = tokio::task::spawn_blocking(move || store.close()).await;
    }
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

/// How often a session waiting for the reconnect window to close sends the client a keep-alive.
const GATE_KEEPALIVE: Duration = Duration::from_millis(250);
/// How much of a waiting client's input is read ahead (and kept, in order) during that wait.
const GATE_READ_LIMIT: usize = 4 * 1024 * 1024;
/// How long a write to a client waiting for the reconnect window may take.
const GATE_WRITE_LIMIT: Duration = Duration::from_secs(10);

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
        awaiting_reassert: false,
        resuming: None,
        deferred: Vec::new(),
        released_deferred: Default::default(),
        max_waiter: 0,
        lost: false,
        kick: Arc::new(tokio::sync::Notify::new()),
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
        let mut a = shared.attached.lock();
        if a.get(&id).is_some_and(|k| Arc::ptr_eq(k, &session.kick)) {
            a.remove(&id);
        }
    }
    let kept = session.client.is_some_and(|id| {
        let mut st = shared.state.lock();
        let dropped = matches!(result, Ok(End::Eof)) || (session.lost && result.is_err());
        let keep = shared.settings.l1_reconnect.filter(|_| {
            dropped
                && (!session.awaiting_reassert || session.resuming.is_some())
                && !st.awaiting.contains(&id)
                && shared.shutdown.borrow().is_none()
                && shared.ha.is_active()
                && st.clients.contains_key(&id)
        });
        if let Some(timeout) = keep {
            shared.detach(&mut st, id, session.max_waiter, timeout, addr);
        }
        keep.is_some()
    });
    if kept {
        drop(tx);
        drop(session);
        let _ = wr.shutdown().await;
        return;
    }
    if let Some(id) = session.client {
        let mut st = shared.state.lock();
        st.remove_client(id);
        st.awaiting.remove(&id);
        let shutting_down = matches!(result, Ok(End::Shutdown));
        match (&shared.store, shutting_down) {
            // The server stops: the client stays known and may reconnect after the restart.
            (Some(_), true) => {
                info!(client = id, %addr, "server stopping; the client may reconnect after the restart")
            }
            (Some(_), false) => {
                drop(shared.record(vec![Op::DelClient(id)]));
                info!(client = id, %addr, "client left; its locks, waiters and resident set were released");
            }
            (None, _) => {
                // HA in memory: the passives forget it too (after a failover it must restart).
                if !shutting_down {
                    drop(shared.record(vec![Op::DelClient(id)]));
                }
                info!(client = id, %addr, "client left; its locks, waiters and resident set were released")
            }
        }
        if st.known.is_empty() && st.awaiting.is_empty() {
            shared.close_window(&mut st, "all known clients returned");
        }
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
    awaiting_reassert: bool,
    /// The `Hello` took back this client's kept session (`l2.l1reconnect`): the highest waiter
    /// id received from it before.
    resuming: Option<u64>,
    /// Holds the client no longer claims after a resume, released at its first message after
    /// the transactions it sends again (see `LockManager::resume_client`).
    deferred: Vec<kiln_protocol::LockId>,
    /// Deferred holds released for it: a late `RecallCommit` / `LockRelease` of one of them
    /// (queued by the client before it re-asserted) is already done, not a violation.
    released_deferred: std::collections::HashSet<kiln_protocol::LockId>,
    /// The highest waiter id this client sent.
    max_waiter: u64,
    /// The connection was lost (health check), not closed for a protocol error.
    lost: bool,
    /// Ends this session as a dropped connection (see `Shared::attached`).
    kick: Arc<tokio::sync::Notify>,
    tx: mpsc::UnboundedSender<Outbound>,
    addr: SocketAddr,
}

/// Acknowledges re-sent transactions that were already applied (seq at or below the mark).
fn ack_duplicates(st: &State, me: ClientId, txns: &[kiln_protocol::Txn]) {
    let dups: Vec<(u64, u8)> = txns.iter().map(|t| (t.seq, t.flags)).collect();
    ack_duplicate_seqs(st, me, &dups);
}

fn ack_duplicate_seqs(st: &State, me: ClientId, dups: &[(u64, u8)]) {
    let Some(upto_seq) = dups.iter().map(|d| d.0).max() else {
        return;
    };
    for (seq, flags) in dups {
        if flags & kiln_protocol::TXN_FLAG_SYNC != 0 {
            st.send(
                me,
                Message::CommitAck {
                    seq: *seq,
                    gtx: st.gtx,
                },
            );
        }
    }
    st.send(
        me,
        Message::BatchAck {
            upto_seq,
            gtx: st.gtx,
        },
    );
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
                if self.waits_for_gate(&msg) {
                    let waited = self
                        .wait_gate_alive(&mut rd, &mut buf, wr, rx, out, &mut last_rx)
                        .await?;
                    if let Some(end) = waited {
                        return Ok(end);
                    }
                }
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
                    self.lost = true;
                    return Err(Violation::new(
                        ErrorCode::Refused,
                        format!(
                            "client did not read for {} ms (l2.healthcheck.l1 idletime + interval*probes);                              {} bytes unsent",
                            write_limit.as_millis(),
                            out.len()
                        ),
                    ));
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
                        self.lost = true;
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
                _ = self.kick.notified() => {
                    debug!(addr = %self.addr, client = ?self.client, "the client reconnected on a new connection: this one is treated as dropped");
                    return Ok(End::Eof);
                }
            }
        }
    }

    /// Whether `msg` of this (registered, re-asserted) session must wait for the reconnect
    /// window to close (see `handle`).
    fn waits_for_gate(&self, msg: &Message) -> bool {
        self.client.is_some()
            && !self.awaiting_reassert
            && !self.shared.gate_is_open()
            && !matches!(
                msg,
                Message::Reassert { .. }
                    | Message::Ping { .. }
                    | Message::Pong { .. }
                    | Message::Goodbye
            )
    }

    /// Waits for the reconnect window to close while keeping the connection alive: what is
    /// queued for the client is still written, a keep-alive `Ping` goes out every
    /// [`GATE_KEEPALIVE`] (the client's health check counts any frame as an answer; without it
    /// a returning client whose first operation waited longer than its
    /// `l1.healthcheck.l2.*` window declared the server dead, dropped the connection and, its
    /// record gone with it, was refused when it came back), and the client's next frames are
    /// read into `buf` (kept in order for after the wait; reading stops at [`GATE_READ_LIMIT`]
    /// bytes) so that a client that vanishes meanwhile is seen at once.
    async fn wait_gate_alive(
        &mut self,
        rd: &mut OwnedReadHalf,
        buf: &mut BytesMut,
        wr: &mut OwnedWriteHalf,
        rx: &mut mpsc::UnboundedReceiver<Outbound>,
        out: &mut BytesMut,
        last_rx: &mut Instant,
    ) -> Result<Option<End>, Violation> {
        let mut gate = self.shared.gate.subscribe();
        let mut stop = self.shared.shutdown.subscribe();
        let mut keepalive = tokio::time::interval(GATE_KEEPALIVE);
        keepalive.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        keepalive.tick().await;
        let mut nonce = 1u64 << 62;
        loop {
            if *gate.borrow_and_update() {
                return Ok(None);
            }
            if stop.borrow().is_some() {
                return Ok(Some(End::Shutdown));
            }
            // Bounded as in `run`: a client that does not read is not waited for.
            match tokio::time::timeout(GATE_WRITE_LIMIT, flush(wr, rx, out)).await {
                Ok(Ok(())) => {}
                Ok(Err(_)) | Err(_) => return Ok(Some(End::Eof)),
            }
            tokio::select! {
                r = gate.changed() => {
                    if r.is_err() {
                        return Ok(None);
                    }
                }
                Some(Outbound::Msg(m)) = rx.recv() => frame::encode(&m, out),
                r = rd.read_buf(buf), if buf.len() < GATE_READ_LIMIT => match r {
                    Ok(0) | Err(_) => {
                        debug!(addr = %self.addr, client = ?self.client, "client vanished while waiting for the reconnect window");
                        return Ok(Some(End::Eof));
                    }
                    Ok(_) => *last_rx = Instant::now(),
                },
                _ = keepalive.tick() => {
                    nonce += 1;
                    self.reply(Message::Ping { nonce });
                }
                _ = stop.changed() => {}
                _ = self.kick.notified() => return Ok(Some(End::Eof)),
            }
        }
    }

    async fn handle(&mut self, msg: Message) -> Result<Option<End>, Violation> {
        let Some(me) = self.client else {
            if let Message::Outcome { req_id, xid, from } = msg {
                // Server to server (a participant stripe asking, several questions in flight
                // on one connection): each answered as soon as it is decided.
                if let Some(answer) =
                    crate::twopc::outcome_now(&self.shared, req_id, xid, from).await
                {
                    self.reply(answer);
                    return Ok(None);
                }
                let (shared, tx) = (self.shared.clone(), self.tx.clone());
                tokio::spawn(async move {
                    let answer = crate::twopc::outcome(&shared, req_id, xid, from).await;
                    let _ = tx.send(Outbound::Msg(answer));
                });
                return Ok(None);
            }
            return self.hello(msg).await.map(|_| None);
        };
        let shared = self.shared.clone();
        if !self.deferred.is_empty()
            && !matches!(
                msg,
                Message::TxnBatch { .. }
                    | Message::Reassert { .. }
                    | Message::Pong { .. }
                    | Message::Fault { .. }
            )
        {
            // The client's re-sent transactions are in: the holds it gave up are released now.
            let locks = std::mem::take(&mut self.deferred);
            self.released_deferred.extend(locks.iter().cloned());
            let mut st = shared.state.lock();
            let effects = st.locks.release_deferred(me, &locks);
            debug!(
                client = me,
                locks = ?locks,
                trigger = msg.name(),
                "released the holds the client gave up while disconnected"
            );
            st.deliver(effects);
        }
        // During the reconnect window only the returning clients' Reassert (and keep-alives)
        // proceed; everything else waits, in order.
        if !matches!(
            msg,
            Message::Reassert { .. }
                | Message::Ping { .. }
                | Message::Pong { .. }
                | Message::Goodbye
        ) {
            if self.awaiting_reassert {
                return Err(Violation::new(
                    ErrorCode::OutOfOrder,
                    format!(
                        "after a reconnect Hello the next message must be Reassert, got {}",
                        msg.name()
                    ),
                ));
            }
            shared.wait_gate().await;
        }
        match msg {
            Message::Reassert {
                resident,
                locks,
                waiters,
            } => {
                if !self.awaiting_reassert {
                    return Err(Violation::new(
                        ErrorCode::OutOfOrder,
                        "Reassert is only valid right after a reconnect Hello",
                    ));
                }
                self.awaiting_reassert = false;
                if let Some(max_waiter) = self.resuming.take() {
                    self.resume_kept(me, resident, locks, waiters, max_waiter)?;
                    return Ok(None);
                }
                let mut st = shared.state.lock();
                let now = Instant::now();
                for (lock, level) in locks {
                    st.locks
                        .reassert_hold(me, lock, level)
                        .map_err(|v| Violation::new(ErrorCode::OutOfOrder, v.0))?;
                }
                for (waiter_id, lock, timeout_ms) in waiters {
                    st.locks
                        .reassert_waiter(me, waiter_id, lock, timeout_ms, now)
                        .map_err(|v| Violation::new(ErrorCode::OutOfOrder, v.0))?;
                }
                let mut stale = Vec::new();
                let mut keep = Vec::with_capacity(resident.len());
                for (oid, version) in resident {
                    match st.objects.version(&oid) {
                        Some(v) if v <= version => keep.push(oid),
                        _ => stale.push(oid),
                    }
                }
                keep.iter().chain(&stale).for_each(|o| st.dgc_rescue(*o));
                if let Some(c) = st.clients.get_mut(&me) {
                    c.resident.extend(keep);
                }
                st.awaiting.remove(&me);
                let gtx = st.gtx;
                info!(
                    client = me,
                    stale = stale.len(),
                    "client re-asserted its locks, waiters and cache"
                );
                st.send(me, Message::Resumed { gtx, stale });
                if st.known.is_empty() && st.awaiting.is_empty() {
                    shared.close_window(&mut st, "all known clients returned");
                }
            }
            Message::TxnBatch { txns } => {
                if shared.ha.is_group() && !shared.ha.is_active() {
                    return Err(shared.deposed());
                }
                let store = shared.store.clone();
                if let Some(store) = store.as_ref().filter(|s| !s.healthy()) {
                    // Refused without being applied: nothing to undo.
                    let mut st = shared.state.lock();
                    let last = st.clients.get(&me).map_or(0, |c| c.last_seq);
                    let fresh: Vec<u64> =
                        txns.iter().map(|t| t.seq).filter(|s| *s > last).collect();
                    if let (Some(from), Some(upto)) = (fresh.first(), fresh.last()) {
                        if let Some(c) = st.clients.get_mut(&me) {
                            c.last_seq = *upto;
                        }
                        st.counters.txns_rejected += fresh.len() as u64;
                        let message = store
                            .problem()
                            .unwrap_or_else(|| "storage unavailable".into());
                        warn!(client = me, from_seq = from, upto_seq = upto, reason = %message, "transactions rejected: storage unavailable");
                        st.send(
                            me,
                            Message::TxnRejected {
                                from_seq: *from,
                                upto_seq: *upto,
                                code: ErrorCode::StorageUnavailable,
                                message,
                            },
                        );
                    } else {
                        ack_duplicates(&st, me, &txns);
                    }
                    return Ok(None);
                }
                crate::twopc::wait_unpinned(
                    &shared,
                    me,
                    &|| {
                        txns.iter()
                            .flat_map(|t| t.deltas.iter().map(|d| d.oid))
                            .collect()
                    },
                    true,
                )
                .await;
                let mut applied = Vec::with_capacity(txns.len());
                let mut failure = None;
                let mut durable = None;
                let mut repl = None;
                {
                    let mut st = shared.state.lock();
                    let mut dups = Vec::new();
                    for t in txns {
                        let (seq, flags) = (t.seq, t.flags);
                        match st.apply_txn(me, t) {
                            Ok(Some(a)) => applied.push(a),
                            Ok(None) => dups.push((seq, flags)),
                            Err(v) => {
                                failure = Some(v);
                                break;
                            }
                        }
                    }
                    if applied.is_empty() && !dups.is_empty() {
                        ack_duplicate_seqs(&st, me, &dups);
                    }
                    let replicated = !shared.ha.links.lock().is_empty();
                    if !applied.is_empty() && (store.is_some() || replicated) {
                        // The replication stage of the pipeline: the batch's new state goes to
                        // every passive now (in commit order, under the state lock); the
                        // acknowledgement below waits for the standbys.
                        let ops = st.durable_ops(me, &applied);
                        let p = shared.record(ops);
                        durable = p.durable;
                        repl = p.repl;
                    }
                    if durable.is_none()
                        && repl.is_none()
                        && shared.pipeline.is_empty()
                        && crate::ha::zap::may_ack_now(&shared)
                    {
                        st.publish(me, applied);
                        applied = Vec::new();
                    }
                }
                if !applied.is_empty() {
                    let mut err = Pending { durable, repl }.wait(&shared).await.err();
                    if shared.ha.is_group() && !shared.ha.is_active() {
                        // Deposed while waiting for the standby: never acknowledged here; the
                        // client sends it again to the new active.
                        return Err(shared.deposed());
                    }
                    if err.is_none() {
                        if let Err(e) = shared.pipeline.commit(me, &applied).await {
                            err = Some(e.to_string());
                        }
                    }
                    let rejected = {
                        let mut st = shared.state.lock();
                        match err {
                            None => {
                                st.publish(me, applied);
                                None
                            }
                            Some(message) => {
                                let from_seq = applied.first().map_or(0, |a| a.seq);
                                let upto_seq = applied.last().map_or(0, |a| a.seq);
                                st.counters.txns_rejected += applied.len() as u64;
                                let repair = st.rollback(me, applied);
                                // The batch was replicated before the store rejected it: the
                                // standbys get the same repair (the rolled-back values), in
                                // stream order, and the rejection is told only once they
                                // applied it — a failover can never bring the batch back.
                                let undo = shared.replicate(&repair);
                                if let Some(store) = &store {
                                    store.repair(repair);
                                }
                                warn!(client = me, from_seq, upto_seq, reason = %message, "transactions rolled back and rejected: they could not be committed");
                                let msg = Message::TxnRejected {
                                    from_seq,
                                    upto_seq,
                                    code: ErrorCode::StorageUnavailable,
                                    message,
                                };
                                match undo {
                                    None => {
                                        st.send(me, msg);
                                        None
                                    }
                                    Some(w) => Some((w, msg)),
                                }
                            }
                        }
                    };
                    if let Some((w, msg)) = rejected {
                        w.wait(&shared).await;
                        shared.state.lock().send(me, msg);
                    }
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
                st.check_lock_owner(&lock)?;
                let effects = st
                    .locks
                    .request(me, req_id, lock, level, timeout_ms, Instant::now())
                    .map_err(|v| Violation::new(ErrorCode::OutOfOrder, v.0))?;
                st.deliver(effects);
            }
            Message::RecallCommit { lock } | Message::LockRelease { lock } => {
                let mut st = shared.state.lock();
                if !st.holds(me, &lock) && self.released_deferred.remove(&lock) {
                    debug!(client = me, %lock, "late release of a hold already released after the reconnect");
                    return Ok(None);
                }
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
                self.max_waiter = self.max_waiter.max(waiter_id);
                let mut st = shared.state.lock();
                st.check_lock_owner(&lock)?;
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
                let (start, count, pending) = {
                    let mut st = shared.state.lock();
                    let (start, count) = st.lease_ids(count);
                    // A new active must never lease these ids again.
                    let pending = shared
                        .replicate(&[Op::PutMeta("next_oid", st.next_oid)])
                        .map(|r| Pending {
                            durable: None,
                            repl: Some(r),
                        });
                    (start, count, pending)
                };
                if let Some(p) = pending {
                    let _ = p.wait(&shared).await;
                }
                self.reply(Message::IdLease { start, count });
            }
            Message::RootLookup { req_id, name } => {
                let value = {
                    let st = shared.state.lock();
                    st.check_root_owner(&name)?;
                    st.roots.get(&name).cloned()
                };
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
                let (v, pending) = {
                    let mut st = shared.state.lock();
                    st.check_root_owner(&name)?;
                    let (v, previous) = st.root_create(&name, value, replace)?;
                    let pending = match previous {
                        Some(prev) => {
                            let p = shared.record(vec![Op::put_root(&name, &v)]);
                            if p.is_empty() {
                                st.root_notice(me, &name);
                                None
                            } else {
                                Some((p, prev))
                            }
                        }
                        None => None,
                    };
                    (v, pending)
                };
                if let Some((p, prev)) = pending {
                    let result = p.wait(&shared).await;
                    if shared.ha.is_group() && !shared.ha.is_active() {
                        return Err(shared.deposed());
                    }
                    let mut st = shared.state.lock();
                    if let Err(e) = result {
                        let repair = match prev {
                            Some(p) => {
                                let op = Op::put_root(&name, &p);
                                st.roots.insert(name.clone(), p);
                                op
                            }
                            None => {
                                st.roots.remove(&name);
                                Op::DelRoot(name.clone())
                            }
                        };
                        if let Some(store) = &shared.store {
                            store.repair(vec![repair]);
                        }
                        return Err(Violation::new(
                            ErrorCode::StorageUnavailable,
                            format!("root '{name}' could not be stored: {e}"),
                        ));
                    }
                    st.root_notice(me, &name);
                }
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
                crate::twopc::wait_unpinned(&shared, me, &|| oids.clone(), false).await;
                let mut st = shared.state.lock();
                for o in &oids {
                    st.check_object_owner("fault of", *o)?;
                }
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
                oids.iter().for_each(|o| st.dgc_rescue(*o));
                if let Some(c) = st.clients.get_mut(&me) {
                    for o in &oids {
                        if !c.subs.contains(&kiln_protocol::SubTarget::Object(*o)) {
                            c.resident.remove(o);
                        }
                    }
                }
            }
            Message::Locate { req_id, oids } => {
                let nodes = {
                    let st = shared.state.lock();
                    for o in &oids {
                        st.check_object_owner("locate of", *o)?;
                    }
                    oids.iter()
                        .map(|o| {
                            let mut ids: Vec<u64> = st
                                .clients
                                .iter()
                                .filter(|(_, c)| c.resident.contains(o))
                                .map(|(id, _)| *id)
                                .collect();
                            ids.sort_unstable();
                            ids
                        })
                        .collect()
                };
                self.reply(Message::Located { req_id, nodes });
            }
            Message::Subscribe { target } => shared.state.lock().subscribe(me, target),
            Message::Unsubscribe { target } => shared.state.lock().unsubscribe(me, &target),
            Message::Ping { nonce } => self.reply(Message::Pong { nonce }),
            Message::Pong { .. } => {}
            Message::Goodbye => return Ok(Some(End::Goodbye)),
            Message::Prepare { req_id, xid, part } => {
                crate::twopc::prepare(&shared, me, req_id, xid, part).await?
            }
            Message::Decide {
                req_id,
                xid,
                commit,
            } => crate::twopc::decide(&shared, me, req_id, xid, commit).await?,
            Message::Commit {
                req_id,
                xid,
                lock,
                participants,
                fence,
            } => {
                crate::twopc::commit(
                    &shared,
                    me,
                    req_id,
                    xid,
                    lock,
                    participants,
                    fence,
                    self.kick.clone(),
                )
                .await?
            }
            Message::AwaitParts { req_id, xid } => {
                crate::twopc::await_parts(&shared, me, req_id, xid)
            }
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

    async fn hello(&mut self, msg: Message) -> Result<(), Violation> {
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
        let shared = self.shared.clone();
        let name = &shared.settings.name;
        if !shared.ha.is_active() {
            let active = shared.ha.active.lock().clone();
            let hint = active
                .and_then(|a| {
                    shared.ha.group.as_ref().and_then(|g| {
                        g.peers
                            .iter()
                            .find(|p| p.name == a)
                            .map(|p| format!("; try the active '{a}' at {}", p.dso_addr))
                    })
                })
                .unwrap_or_default();
            return Err(Violation::new(
                ErrorCode::ShuttingDown,
                format!(
                    "server '{name}' is {}, not active: it does not serve clients{hint}",
                    shared.ha.role()
                ),
            ));
        }
        if let Some(rc) = reconnect {
            {
                let mut st = shared.state.lock();
                let kept = shared.detached.lock().remove(&rc.client_id);
                if let Some(d) = kept {
                    return self.take_back(&mut st, rc, d, client_name, pid);
                }
                if shared.settings.l1_reconnect.is_some() && st.clients.contains_key(&rc.client_id)
                {
                    // The old connection has not been seen to drop yet: end it (its session is
                    // kept) and let the client try again.
                    if let Some(k) = shared.attached.lock().get(&rc.client_id) {
                        k.notify_one();
                    }
                    return Err(Violation::new(
                        ErrorCode::ShuttingDown,
                        format!(
                            "server '{name}': client {} is still attached on its previous connection, which is being closed; try again",
                            rc.client_id
                        ),
                    ));
                }
            }
            if shared.expired.lock().contains(&rc.client_id) {
                let t = shared.settings.l1_reconnect.unwrap_or_default();
                return Err(Violation::new(
                    ErrorCode::Refused,
                    format!(
                        "server '{name}' refuses the reconnect of client {} ('{client_name}'): its session was kept for {} ms \
                         after its connection dropped (l2.l1reconnect.timeout.millis) and was removed, its locks released; \
                         the client must restart",
                        rc.client_id,
                        t.as_millis()
                    ),
                ));
            }
            if shared.store.is_none() && !shared.ha.is_group() {
                return Err(Violation::new(
                    ErrorCode::Refused,
                    format!(
                        "server '{name}' has no record of client {} (it keeps no state across restarts with persistence \
                         temporary-swap-only); the client must restart",
                        rc.client_id
                    ),
                ));
            }
            let mut st = shared.state.lock();
            let Some(known) = st.known.remove(&rc.client_id) else {
                let why = if shared.gate_is_open() && shared.window_deadline.lock().is_some() {
                    format!(
                        "it did not reconnect within the reconnect window ({} s, <client-reconnect-window>) or left before the restart",
                        shared.settings.reconnect_window.as_secs()
                    )
                } else if st.clients.contains_key(&rc.client_id) {
                    "a client with that id is connected".to_owned()
                } else {
                    "it was not connected when the server stopped (or it left normally)".to_owned()
                };
                return Err(Violation::new(
                    ErrorCode::Refused,
                    format!("server '{name}' refuses the reconnect of client {} ('{client_name}'): {why}; the client must restart", rc.client_id),
                ));
            };
            let id = rc.client_id;
            st.awaiting.insert(id);
            st.counters.reconnects += 1;
            self.awaiting_reassert = true;
            let last_seq = known.last_seq.max(rc.last_acked_seq);
            info!(client = id, name = %client_name, stored_seq = known.last_seq, client_acked_seq = rc.last_acked_seq, "known client reconnected after the restart");
            self.register(&mut st, id, client_name, pid, last_seq);
            return Ok(());
        }
        // New clients wait for the reconnect window.
        shared.wait_gate().await;
        let (id, pending) = {
            let mut st = shared.state.lock();
            let id = st.next_client;
            st.next_client += 1;
            let pending = shared.record(vec![
                Op::PutClient(id, 0, client_name.clone()),
                Op::PutMeta("next_client", st.next_client),
            ]);
            (id, pending)
        };
        // The client is on record before it can do anything (so it may reconnect after a crash
        // or a failover).
        if !pending.is_empty() {
            if let Err(e) = pending.wait(&shared).await {
                warn!(error = %e, "client joins while storage is unavailable: it will not be able to reconnect after a restart");
            }
        }
        let mut st = shared.state.lock();
        self.register(&mut st, id, client_name, pid, 0);
        Ok(())
    }

    /// `Hello{reconnect}` of a client whose session this server kept (`l2.l1reconnect`): the
    /// session is attached to this connection; `Reassert` must follow.
    fn take_back(
        &mut self,
        st: &mut State,
        rc: kiln_protocol::Reconnect,
        kept: Detached,
        client_name: String,
        pid: u32,
    ) -> Result<(), Violation> {
        let id = rc.client_id;
        let addr = self.addr.to_string();
        let Some(c) = st.clients.get_mut(&id) else {
            return Err(Violation::new(
                ErrorCode::Refused,
                format!(
                    "server '{}' lost the kept session of client {id}; the client must restart",
                    self.shared.settings.name
                ),
            ));
        };
        // Until its `Reassert` is reconciled, what the server would tell this client (awards,
        // recalls, deltas of the session's old view) is dropped, as while it was away: the
        // reconciliation accounts for it.
        c.out = mpsc::unbounded_channel().0;
        c.info.addr = addr;
        c.info.pid = pid;
        c.last_seq = c.last_seq.max(rc.last_acked_seq);
        let last_seq = c.last_seq;
        self.client = Some(id);
        self.shared.attached.lock().insert(id, self.kick.clone());
        self.awaiting_reassert = true;
        self.resuming = Some(kept.max_waiter);
        self.max_waiter = kept.max_waiter;
        st.counters.reconnects += 1;
        info!(
            client = id,
            name = %client_name,
            away_ms = kept.since.elapsed().as_millis() as u64,
            seq = last_seq,
            client_acked_seq = rc.last_acked_seq,
            "client reconnected to its kept session"
        );
        self.send_welcome(st, id, &self.tx);
        Ok(())
    }

    /// `Reassert` on a kept session: the client's view of its locks, waiters and cache is
    /// reconciled with what the server kept (messages may have been lost both ways).
    fn resume_kept(
        &mut self,
        me: ClientId,
        resident: Vec<(kiln_protocol::ObjectId, u64)>,
        locks: Vec<(kiln_protocol::LockId, kiln_protocol::LockLevel)>,
        waiters: Vec<(u64, kiln_protocol::LockId, u64)>,
        max_waiter: u64,
    ) -> Result<(), Violation> {
        let shared = self.shared.clone();
        let mut st = shared.state.lock();
        if let Some(c) = st.clients.get_mut(&me) {
            c.out = self.tx.clone();
        }
        let r = st
            .locks
            .resume_client(me, locks, waiters, max_waiter, Instant::now())
            .map_err(|v| Violation::new(ErrorCode::OutOfOrder, v.0))?;
        let mut stale = Vec::new();
        let mut keep = std::collections::HashSet::with_capacity(resident.len());
        for (oid, version) in resident {
            match st.objects.version(&oid) {
                Some(v) if v <= version => {
                    keep.insert(oid);
                }
                _ => stale.push(oid),
            }
        }
        keep.iter().chain(&stale).for_each(|o| st.dgc_rescue(*o));
        if let Some(c) = st.clients.get_mut(&me) {
            for t in &c.subs {
                if let kiln_protocol::SubTarget::Object(o) = t {
                    keep.insert(*o);
                }
            }
            c.resident = keep;
        }
        let gtx = st.gtx;
        info!(
            client = me,
            stale = stale.len(),
            woken_again = r.woken.len(),
            deferred_releases = r.deferred.len(),
            "client re-asserted its locks, waiters and cache on its kept session"
        );
        st.send(me, Message::Resumed { gtx, stale });
        st.deliver(r.effects);
        for waiter_id in r.woken {
            st.send(
                me,
                Message::WaitDone {
                    waiter_id,
                    reason: kiln_protocol::WakeReason::Notified,
                },
            );
        }
        self.deferred = r.deferred;
        Ok(())
    }

    /// Sends `Welcome` + `Membership` to `id` on `tx`.
    fn send_welcome(&self, st: &State, id: ClientId, tx: &mpsc::UnboundedSender<Outbound>) {
        let s = &self.shared.settings;
        let _ = tx.send(Outbound::Msg(Message::Welcome {
            protocol_version: PROTOCOL_VERSION,
            client_id: id,
            server_name: s.name.clone(),
            max_frame: u32::try_from(s.max_frame).unwrap_or(u32::MAX),
            fault_count: s.fault_count,
            epoch: st.epoch,
            cluster_id: st.cluster,
            stripe: st.stripe,
            stripes: u8::try_from(st.stripes).unwrap_or(u8::MAX),
        }));
        let mut nodes: Vec<NodeInfo> = st.clients.values().map(|c| c.info.clone()).collect();
        nodes.sort_by_key(|n| n.id);
        let _ = tx.send(Outbound::Msg(Message::Membership {
            this_node: id,
            nodes,
        }));
    }

    /// Enters the client, sends `Welcome` + `Membership`, tells the others.
    fn register(
        &mut self,
        st: &mut State,
        id: ClientId,
        client_name: String,
        pid: u32,
        last_seq: u64,
    ) {
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
                last_seq,
                subs: Default::default(),
                stats: Default::default(),
            },
        );
        self.client = Some(id);
        self.shared.attached.lock().insert(id, self.kick.clone());
        self.send_welcome(st, id, &self.tx);
        st.send_others(id, &Message::NodeJoined { node: info.clone() });
        info!(client = id, name = %info.name, pid = info.pid, addr = %info.addr, "client joined");
    }
}

//! Management HTTP endpoint on `jmx-port`: `GET /status` (JSON), `GET /metrics` (Prometheus text),
//! `POST /stop[?force=true]`, `POST /dgc` (one distributed GC now, JSON report), `GET /digest`
//! (a digest of the whole graph, to compare two runs), and the operations console
//! ([`crate::console`]: `GET /`, `/api/*`). Every route passes the access check of
//! [`crate::console::auth`] (token, loopback-only actions).

use std::collections::HashMap;
use std::sync::atomic::Ordering;
use std::sync::Arc;

use axum::extract::{Query, State as AxState};
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::{Json, Router};
use prometheus::{Encoder, IntCounter, IntGauge, Opts, Registry, TextEncoder};
use serde::Serialize;
use tokio::net::TcpListener;
use tracing::{info, warn};

use crate::server::Shared;

/// The `/status` document.
#[derive(Debug, Serialize)]
pub struct Status {
    /// Server name.
    pub server: String,
    /// Role/state.
    pub state: &'static str,
    /// Kiln version.
    pub version: &'static str,
    /// Seconds since start.
    pub uptime_secs: u64,
    /// Connected clients.
    pub clients: usize,
    /// Objects stored.
    pub objects: usize,
    /// Roots.
    pub roots: usize,
    /// (lock, client) holds.
    pub locks_held: usize,
    /// Locks with any state.
    pub locks: usize,
    /// Queued lock requests.
    pub lock_requests_queued: usize,
    /// Cluster waiters.
    pub waiters: usize,
    /// Transactions committed.
    pub txns_committed: u64,
    /// Last global transaction id.
    pub gtx: u64,
    /// This run's epoch.
    pub epoch: u64,
    /// The cluster id of this server's data (32 hex digits; `None`: not created yet — a group
    /// member before its group had an active).
    pub cluster_id: Option<String>,
    /// `permanent-store` or `temporary-swap-only`.
    pub persistence: &'static str,
    /// Storage health (persistent mode).
    pub storage: Option<Storage>,
    /// The reconnect window, while open.
    pub reconnect_window: Option<Window>,
    /// Transactions rejected (storage unavailable).
    pub txns_rejected: u64,
    /// The last distributed GC.
    pub last_dgc: Option<crate::state::DgcReport>,
    /// Decoded (hot) vs encoded (cold) objects and arena size.
    pub object_memory: crate::objects::ObjectMemory,
    /// HA: the group, this server's role in it, its peers and passives.
    pub ha: Option<HaStatus>,
    /// The `<data>` directory: exists, writable, free space.
    pub data_dir: crate::console::DataDirHealth,
    /// The stripe this server serves.
    pub stripe: StripeStatus,
    /// The last cluster DGC run (several stripes) this server took part in.
    pub cluster_dgc: Option<crate::dgc::StripeRun>,
    /// The last cluster DGC run this server coordinated (`POST /dgc`, periodic on stripe 0).
    pub cluster_dgc_coordinated: Option<crate::dgc::ClusterReport>,
}

/// `/status` `stripe`: which mirror group (stripe) this server serves.
#[derive(Debug, Serialize)]
pub struct StripeStatus {
    /// Index of the server's mirror group in the configuration (the top byte of the object ids
    /// it leases).
    pub id: u8,
    /// The group's name.
    pub group: String,
    /// How many stripes the configuration lists.
    pub of: usize,
}

/// HA part of `/status` (group members only).
#[derive(Debug, Serialize)]
pub struct HaStatus {
    /// Group name.
    pub group: String,
    /// This server's state (same as `state`).
    pub role: &'static str,
    /// The active this passive follows.
    pub active: Option<String>,
    /// Passives of this active: name and state.
    pub passives: Vec<PassiveStatus>,
    /// Replication sequence sent minus the lowest standby acknowledgement.
    pub replication_lag: u64,
    /// Passive sync progress (on a passive).
    pub sync: Option<crate::ha::SyncProgress>,
    /// Every member: name, state as last heard (or this server's own), dso address.
    pub members: Vec<MemberStatus>,
    /// Election time, seconds.
    pub election_time_secs: u64,
    /// Quorum mode (`<ha><quorum>majority</quorum>`), if on.
    pub quorum: Option<QuorumStatus>,
}

/// Quorum part of `/status`.
#[derive(Debug, Serialize)]
pub struct QuorumStatus {
    /// `majority`.
    pub mode: &'static str,
    /// Voting members (servers + voters).
    pub members: usize,
    /// Grants needed.
    pub majority: usize,
    /// Every voting member and what it answered in this server's last round of requests
    /// (`granted`, `refused`, `unreachable`; on a passive, whose reachability probes ask for
    /// nothing, `reachable` / `unreachable`; `unknown` before the first round) and whether it
    /// is reachable.
    pub voting_members: Vec<VotingMember>,
    /// Milliseconds since that round (`None`: never asked).
    pub last_round_ms: Option<u64>,
    /// The epoch of that round.
    pub last_round_epoch: Option<u64>,
    /// This server's term (epoch).
    pub epoch: u64,
    /// This server's own vote: the newest epoch it granted and to whom.
    pub vote_epoch: u64,
    /// Holder of that vote (empty: none).
    pub vote_holder: String,
    /// Active: milliseconds of lease left (0: expired; `None`: not active).
    pub lease_remaining_ms: Option<u64>,
    /// Whether this server may acknowledge writes now (active, lease running, not deposed).
    pub may_write: bool,
    /// Why this server does not vote (its stored vote could not be loaded), if so.
    pub vote_error: Option<String>,
}

/// One voting member in `/status`.
#[derive(Debug, Serialize)]
pub struct VotingMember {
    /// Server name or voter `host:port`.
    pub name: String,
    /// `server` or `voter`.
    pub kind: &'static str,
    /// Its answer in the last round (`unknown`: not asked yet).
    pub answer: &'static str,
    /// Whether it answered (`None`: not asked yet).
    pub reachable: Option<bool>,
}

fn quorum_status(shared: &Shared) -> Option<QuorumStatus> {
    let g = shared.ha.group.as_ref()?;
    let q = g.quorum.as_ref()?;
    let tally = shared.ha.last_tally.lock().clone();
    let answer_of = |name: &str| -> &'static str {
        tally
            .as_ref()
            .and_then(|t| t.members.iter().find(|(n, _)| n == name).map(|(_, a)| *a))
            .unwrap_or("unknown")
    };
    let voting_members = std::iter::once((g.me.clone(), "server"))
        .chain(g.peers.iter().map(|p| (p.name.clone(), "server")))
        .chain(q.voters.iter().map(|v| (v.clone(), "voter")))
        .map(|(name, kind)| {
            let answer = answer_of(&name);
            VotingMember {
                reachable: (answer != "unknown").then_some(answer != "unreachable"),
                name,
                kind,
                answer,
            }
        })
        .collect();
    let active = shared.ha.is_active();
    let lease_remaining_ms = active.then(|| {
        shared
            .ha
            .lease_until
            .lock()
            .map(|u| u.saturating_duration_since(std::time::Instant::now()))
            .map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
            .unwrap_or(0)
    });
    let (vote_epoch, vote_holder) = {
        let b = shared.ha.book.lock();
        (b.epoch(), b.holder().to_owned())
    };
    Some(QuorumStatus {
        mode: "majority",
        members: q.members,
        majority: q.majority,
        voting_members,
        last_round_ms: tally
            .as_ref()
            .and_then(|t| t.at)
            .map(|a| u64::try_from(a.elapsed().as_millis()).unwrap_or(u64::MAX)),
        last_round_epoch: tally.as_ref().map(|t| t.epoch),
        epoch: shared.state.lock().epoch,
        vote_epoch,
        vote_holder,
        lease_remaining_ms,
        may_write: active && shared.ha.lease_ok() && shared.ha.deposed().is_none(),
        vote_error: shared.ha.vote_error.lock().clone(),
    })
}

/// One passive of the active.
#[derive(Debug, Serialize)]
pub struct PassiveStatus {
    /// Server name.
    pub name: String,
    /// `PASSIVE-STANDBY` or `INITIALIZING`.
    pub state: &'static str,
}

/// One group member as this server sees it.
#[derive(Debug, Serialize)]
pub struct MemberStatus {
    /// Server name.
    pub name: String,
    /// Its state as last heard (`UNKNOWN` if never heard).
    pub state: &'static str,
    /// Where clients reach it.
    pub dso_addr: String,
    /// Seconds since it was last heard from (`None`: this server, or never).
    pub last_heard_secs: Option<u64>,
}

fn ha_status(shared: &Shared) -> Option<HaStatus> {
    let g = shared.ha.group.as_ref()?;
    let role = shared.ha.role();
    let peers = shared.ha.peers.lock();
    let passives = shared.ha.passives();
    let mut members = vec![MemberStatus {
        name: g.me.clone(),
        state: role.as_str(),
        dso_addr: String::new(),
        last_heard_secs: None,
    }];
    for p in &g.peers {
        let linked = passives.iter().find(|(n, _)| *n == p.name);
        let state = match (linked, peers.get(&p.name)) {
            (Some((_, true)), _) => "PASSIVE-STANDBY",
            (Some((_, false)), _) => "INITIALIZING",
            (None, Some(v)) => v.role.as_str(),
            (None, None) => "UNKNOWN",
        };
        members.push(MemberStatus {
            name: p.name.clone(),
            state,
            dso_addr: p.dso_addr.clone(),
            last_heard_secs: peers.get(&p.name).map(|v| v.seen.elapsed().as_secs()),
        });
    }
    Some(HaStatus {
        group: g.name.clone(),
        role: role.as_str(),
        active: if role == kiln_protocol::group::ServerRole::ActiveCoordinator {
            Some(g.me.clone())
        } else {
            shared.ha.active.lock().clone()
        },
        passives: passives
            .into_iter()
            .map(|(name, standby)| PassiveStatus {
                name,
                state: if standby {
                    "PASSIVE-STANDBY"
                } else {
                    "INITIALIZING"
                },
            })
            .collect(),
        replication_lag: shared.ha.replication_lag(),
        sync: shared.ha.sync.lock().clone(),
        members,
        election_time_secs: g.election_time.as_secs(),
        quorum: quorum_status(shared),
    })
}

/// Storage part of `/status`.
#[derive(Debug, Serialize)]
pub struct Storage {
    /// The data directory.
    pub data: String,
    /// Whether writes are accepted.
    pub healthy: bool,
    /// What is wrong.
    pub problem: Option<String>,
    /// Journal syncs (group commits).
    pub syncs: u64,
    /// Failed group writes.
    pub failures: u64,
}

/// Reconnect window part of `/status`.
#[derive(Debug, Serialize)]
pub struct Window {
    /// Seconds left.
    pub remaining_secs: u64,
    /// Clients still expected.
    pub waiting_for: Vec<u64>,
}

/// Builds the status document.
pub fn status_of(shared: &Shared) -> Status {
    let ha = ha_status(shared);
    let st = shared.state.lock();
    Status {
        server: shared.settings.name.clone(),
        state: if shared.shutdown.borrow().is_some() {
            "STOPPING"
        } else {
            shared.ha.role().as_str()
        },
        version: env!("CARGO_PKG_VERSION"),
        uptime_secs: shared.started.elapsed().as_secs(),
        clients: st.clients.len(),
        objects: st.objects.len(),
        roots: st.roots.len(),
        locks_held: st.locks_held(),
        locks: st.locks.lock_count(),
        lock_requests_queued: st.locks.queued(),
        waiters: st.locks.waiter_count(),
        txns_committed: st.counters.txns_committed,
        gtx: st.gtx,
        epoch: st.epoch,
        cluster_id: (st.cluster != 0).then(|| crate::ha::cluster_hex(st.cluster)),
        persistence: if shared.store.is_some() {
            "permanent-store"
        } else {
            "temporary-swap-only"
        },
        storage: shared.store.as_ref().map(|store| Storage {
            data: store.path().display().to_string(),
            healthy: store.healthy(),
            problem: store.problem(),
            syncs: store.stats().syncs.load(Ordering::Relaxed),
            failures: store.stats().failures.load(Ordering::Relaxed),
        }),
        reconnect_window: match (shared.gate_is_open(), *shared.window_deadline.lock()) {
            (false, Some(d)) => Some(Window {
                remaining_secs: d
                    .saturating_duration_since(std::time::Instant::now())
                    .as_secs(),
                waiting_for: st.known.keys().chain(st.awaiting.iter()).copied().collect(),
            }),
            _ => None,
        },
        txns_rejected: st.counters.txns_rejected,
        last_dgc: shared.last_dgc.lock().clone(),
        object_memory: st.objects.memory(),
        ha,
        data_dir: crate::console::data_dir_health(&shared.settings.console.data_dir),
        stripe: StripeStatus {
            id: shared.settings.stripe,
            group: shared.settings.group_name.clone(),
            of: shared.settings.stripes,
        },
        cluster_dgc: shared.cluster_dgc.last.lock().clone(),
        cluster_dgc_coordinated: shared.cluster_dgc.last_coordinated.lock().clone(),
    }
}

/// Serves until aborted (with the console's sampler).
pub async fn serve(shared: Arc<Shared>, listener: TcpListener) {
    let console = Arc::new(crate::console::Console::default());
    let access = shared.settings.console.access.clone();
    let ctx = crate::console::Ctx {
        shared: shared.clone(),
        console: console.clone(),
    };
    let app = Router::new()
        .route("/status", get(status))
        .route("/metrics", get(metrics))
        .route("/stop", post(stop))
        .route("/dgc", post(dgc))
        .merge(crate::dgc::routes())
        .route("/digest", get(digest))
        .route("/api/locks", get(api_locks))
        .route("/api/profiler", post(api_profiler))
        .route("/api/stats", get(api_stats))
        .merge(crate::console::routes())
        // Last: the access check covers every route above, including any added later.
        .layer(axum::middleware::from_fn_with_state(
            access,
            crate::console::auth::layer,
        ))
        .with_state(ctx);
    let server = axum::serve(
        listener,
        app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    );
    tokio::select! {
        r = server => if let Err(e) = r {
            warn!(error = %e, "management endpoint stopped");
        },
        () = crate::console::run_sampler(shared, console) => {}
    }
}

fn bad_request(message: String) -> axum::response::Response {
    (
        StatusCode::BAD_REQUEST,
        Json(serde_json::json!({ "error": message })),
    )
        .into_response()
}

/// `GET /api/locks?top=N&sort=wait|hold|contention` (defaults: 20, wait).
async fn api_locks(
    AxState(shared): AxState<Arc<Shared>>,
    Query(q): Query<HashMap<String, String>>,
) -> axum::response::Response {
    let top = match q.get("top").map(|v| v.parse::<usize>()) {
        None => 20,
        Some(Ok(n)) if n > 0 => n,
        Some(_) => {
            return bad_request(format!(
                "/api/locks: query parameter top={:?} is not a positive integer",
                q.get("top").cloned().unwrap_or_default()
            ))
        }
    };
    let sort = match q.get("sort") {
        None => crate::profiler::SortKey::Wait,
        Some(v) => match crate::profiler::SortKey::parse(v) {
            Some(k) => k,
            None => {
                return bad_request(format!(
                    "/api/locks: query parameter sort={v:?} must be wait, hold or contention"
                ))
            }
        },
    };
    let st = shared.state.lock();
    Json(serde_json::json!({
        "enabled": st.locks.profiler.enabled(),
        "locks": st.locks.profile(top, sort),
    }))
    .into_response()
}

/// `POST /api/profiler?enabled=true|false`.
async fn api_profiler(
    AxState(shared): AxState<Arc<Shared>>,
    Query(q): Query<HashMap<String, String>>,
) -> axum::response::Response {
    let on = match q.get("enabled").map(String::as_str) {
        Some("true") => true,
        Some("false") => false,
        other => {
            return bad_request(format!(
                "/api/profiler: query parameter enabled={:?} must be true or false",
                other.unwrap_or("")
            ))
        }
    };
    let mut st = shared.state.lock();
    st.locks.profiler.set_enabled(on);
    info!(
        enabled = on,
        "lock profiler switched through the management port"
    );
    Json(serde_json::json!({ "enabled": st.locks.profiler.enabled() })).into_response()
}

/// `GET /api/stats`.
async fn api_stats(AxState(shared): AxState<Arc<Shared>>) -> Json<serde_json::Value> {
    Json(shared.history.lock().document())
}

async fn status(AxState(shared): AxState<Arc<Shared>>) -> Json<Status> {
    Json(status_of(&shared))
}

async fn stop(
    AxState(shared): AxState<Arc<Shared>>,
    Query(q): Query<HashMap<String, String>>,
) -> impl IntoResponse {
    let force = q.get("force").is_some_and(|v| v == "true" || v == "1");
    // Seed 001: stopping the group's active with no PASSIVE-STANDBY to take over stops the
    // cluster; that needs --force.
    if !force
        && shared.ha.is_group()
        && shared.ha.is_active()
        && !shared.ha.passives().iter().any(|(_, standby)| *standby)
    {
        warn!("stop refused: this server is the active and no PASSIVE-STANDBY is connected (use --force)");
        return (
            StatusCode::CONFLICT,
            Json(serde_json::json!({
                "stopping": false,
                "error": format!("server '{}' is the ACTIVE-COORDINATOR of group '{}' and no PASSIVE-STANDBY is connected to take over: stopping it stops the cluster; use --force to stop it anyway", shared.settings.name, shared.ha.group.as_ref().map(|g| g.name.clone()).unwrap_or_default()),
            })),
        );
    }
    info!(force, "stop requested through the management port");
    shared.request_shutdown(force);
    (
        StatusCode::ACCEPTED,
        Json(serde_json::json!({ "stopping": true, "force": force })),
    )
}

async fn dgc(AxState(shared): AxState<Arc<Shared>>) -> impl IntoResponse {
    // Several stripes: this server coordinates one run over every stripe's active.
    if shared.settings.stripes > 1 {
        return match crate::dgc::run_for(&shared, "on demand (management port)").await {
            Ok(report) => (StatusCode::OK, Json(serde_json::json!(report))),
            Err(e) => (
                StatusCode::CONFLICT,
                Json(serde_json::json!({ "error": e.to_string() })),
            ),
        };
    }
    match shared.run_dgc("on demand (management port)").await {
        Ok(report) => (StatusCode::OK, Json(serde_json::json!(report))),
        Err(e) => (
            StatusCode::CONFLICT,
            Json(serde_json::json!({ "error": e })),
        ),
    }
}

/// A digest of the graph: every object (id, version, encoded state) in id order and every root,
/// hashed with FNV-1a 64. Two servers with the same graph give the same digest.
pub fn digest_of(shared: &Shared) -> serde_json::Value {
    let st = shared.state.lock();
    let mut ids: Vec<_> = st.objects.ids();
    ids.sort_unstable();
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut feed = |b: &[u8]| {
        for x in b {
            h ^= u64::from(*x);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    };
    let mut buf = bytes::BytesMut::new();
    let mut bytes_total = 0usize;
    for id in &ids {
        if let Some(enc) = st.objects.encoded(id) {
            buf.clear();
            buf.extend_from_slice(&id.0.to_be_bytes());
            buf.extend_from_slice(&enc);
            bytes_total += buf.len();
            feed(&buf);
        }
    }
    for (name, v) in &st.roots {
        buf.clear();
        buf.extend_from_slice(name.as_bytes());
        v.encode(&mut buf);
        feed(&buf);
    }
    serde_json::json!({
        "objects": ids.len(),
        "roots": st.roots.len(),
        "bytes": bytes_total,
        "gtx": st.gtx,
        "digest": format!("{h:016x}"),
    })
}

async fn digest(AxState(shared): AxState<Arc<Shared>>) -> Json<serde_json::Value> {
    let s = shared.clone();
    let v = tokio::task::spawn_blocking(move || digest_of(&s))
        .await
        .unwrap_or_else(|e| serde_json::json!({ "error": e.to_string() }));
    Json(v)
}

async fn metrics(AxState(shared): AxState<Arc<Shared>>) -> impl IntoResponse {
    match render_metrics(&shared) {
        Ok(text) => (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
            text,
        ),
        Err(e) => (
            StatusCode::INTERNAL_SERVER_ERROR,
            [(header::CONTENT_TYPE, "text/plain")],
            e.to_string(),
        ),
    }
}

/// Renders every metric in the Prometheus text format.
pub fn render_metrics(shared: &Shared) -> Result<String, crate::ServerError> {
    // Several mirror groups: every metric carries its stripe (one group: unchanged).
    let reg = if shared.settings.stripes > 1 {
        let labels = [
            ("stripe".to_owned(), shared.settings.stripe.to_string()),
            ("group".to_owned(), shared.settings.group_name.clone()),
        ];
        Registry::new_custom(None, Some(labels.into_iter().collect()))?
    } else {
        Registry::new()
    };
    let s = status_of(shared);
    let c = shared.state.lock().counters.clone();
    let gauge = |name: &str, help: &str, v: usize| -> Result<(), crate::ServerError> {
        let g = IntGauge::with_opts(Opts::new(name, help))?;
        g.set(i64::try_from(v).unwrap_or(i64::MAX));
        reg.register(Box::new(g))?;
        Ok(())
    };
    let counter = |name: &str, help: &str, v: u64| -> Result<(), crate::ServerError> {
        let g = IntCounter::with_opts(Opts::new(name, help))?;
        g.inc_by(v);
        reg.register(Box::new(g))?;
        Ok(())
    };
    gauge("kiln_clients_connected", "Clients connected", s.clients)?;
    gauge(
        "kiln_ha_role",
        "Server state: 0 starting, 1 passive-uninitialized, 2 initializing, 3 passive-standby, 4 active-coordinator",
        shared.ha.role() as usize,
    )?;
    gauge(
        "kiln_epoch",
        "Epoch (active term)",
        usize::try_from(s.epoch).unwrap_or(usize::MAX),
    )?;
    if let Some(h) = &s.ha {
        gauge(
            "kiln_ha_passives",
            "Passives of this active",
            h.passives.len(),
        )?;
        gauge(
            "kiln_ha_standbys",
            "PASSIVE-STANDBYs of this active",
            h.passives
                .iter()
                .filter(|p| p.state == "PASSIVE-STANDBY")
                .count(),
        )?;
        gauge(
            "kiln_ha_replication_lag",
            "Replicated batches not yet acknowledged by the slowest standby",
            usize::try_from(h.replication_lag).unwrap_or(usize::MAX),
        )?;
        if let Some(q) = &h.quorum {
            let n = |v: u64| usize::try_from(v).unwrap_or(usize::MAX);
            gauge(
                "kiln_ha_quorum_members",
                "Quorum mode: voting members (servers + voters)",
                q.members,
            )?;
            gauge(
                "kiln_ha_quorum_majority",
                "Quorum mode: grants needed for a term or a lease",
                q.majority,
            )?;
            gauge(
                "kiln_ha_quorum_reachable",
                "Quorum mode: voting members that answered this server's last round (itself included)",
                q.voting_members
                    .iter()
                    .filter(|m| m.reachable == Some(true))
                    .count(),
            )?;
            gauge(
                "kiln_ha_quorum_granted",
                "Quorum mode: voting members that granted this server's last round",
                q.voting_members
                    .iter()
                    .filter(|m| m.answer == "granted")
                    .count(),
            )?;
            gauge(
                "kiln_ha_quorum_lease_remaining_ms",
                "Quorum mode: milliseconds of lease left on this active (0 when not active or expired)",
                n(q.lease_remaining_ms.unwrap_or(0)),
            )?;
            gauge(
                "kiln_ha_quorum_may_write",
                "Quorum mode: 1 when this server may acknowledge writes (active, lease running, not deposed)",
                usize::from(q.may_write),
            )?;
            gauge(
                "kiln_ha_quorum_vote_epoch",
                "Quorum mode: the newest epoch this server granted as a voting member",
                n(q.vote_epoch),
            )?;
        }
        if let Some(p) = &h.sync {
            gauge(
                "kiln_ha_sync_objects",
                "Objects received by the passive sync",
                usize::try_from(p.objects).unwrap_or(usize::MAX),
            )?;
            gauge(
                "kiln_ha_sync_total",
                "Objects in the active's sync snapshot",
                usize::try_from(p.total).unwrap_or(usize::MAX),
            )?;
        }
    }
    gauge("kiln_objects", "Shared objects stored", s.objects)?;
    gauge("kiln_roots", "Roots", s.roots)?;
    gauge("kiln_locks_held", "Lock holds (lock, client)", s.locks_held)?;
    gauge(
        "kiln_lock_requests_queued",
        "Queued lock requests",
        s.lock_requests_queued,
    )?;
    gauge("kiln_waiters", "Cluster waiters", s.waiters)?;
    counter(
        "kiln_transactions_committed_total",
        "Transactions committed",
        c.txns_committed,
    )?;
    counter(
        "kiln_batches_committed_total",
        "Transaction batches committed",
        c.batches_committed,
    )?;
    counter(
        "kiln_objects_faulted_total",
        "Objects sent to clients by faults",
        c.objects_faulted,
    )?;
    counter(
        "kiln_deltas_broadcast_total",
        "Delta messages broadcast",
        c.deltas_broadcast,
    )?;
    counter(
        "kiln_dmi_delivered_total",
        "Distributed method calls delivered",
        c.dmi_delivered,
    )?;
    counter(
        "kiln_connections_total",
        "Connections accepted",
        c.connections,
    )?;
    counter(
        "kiln_protocol_errors_total",
        "Connections closed after a protocol error",
        c.protocol_errors,
    )?;
    counter(
        "kiln_frames_received_total",
        "Frames received",
        shared.frames_in.load(Ordering::Relaxed),
    )?;
    let (awards, recalls) = {
        let st = shared.state.lock();
        (st.locks.awards(), st.locks.recalls())
    };
    counter("kiln_lock_awards_total", "Lock awards", awards)?;
    let (prof_on, prof) = {
        let st = shared.state.lock();
        (
            st.locks.profiler.enabled(),
            (st.locks.profiler.totals(), st.locks.profiler.tracked()),
        )
    };
    let (prof, tracked) = prof;
    gauge(
        "kiln_lock_profiler_enabled",
        "1 when the lock profiler counts",
        usize::from(prof_on),
    )?;
    if prof_on {
        let n = |v: u64| usize::try_from(v).unwrap_or(usize::MAX);
        gauge(
            "kiln_lock_profiler_requests",
            "Lock profiler: requests over the tracked locks",
            n(prof.0),
        )?;
        gauge(
            "kiln_lock_profiler_contended",
            "Lock profiler: contended acquisitions over the tracked locks",
            n(prof.3),
        )?;
        gauge(
            "kiln_lock_profiler_tracked_locks",
            "Lock profiler: locks tracked (at most l2.lockprofiler.maxLocks)",
            tracked,
        )?;
        gauge(
            "kiln_lock_profiler_wait_max_us",
            "Lock profiler: longest wait over the tracked locks, microseconds",
            n(prof.4),
        )?;
    }
    if let Some(smp) = shared.history.lock().latest().cloned() {
        let g = prometheus::Gauge::with_opts(Opts::new(
            "kiln_commits_per_sync",
            "Transactions per journal sync (or per batch in memory) over the last second",
        ))?;
        g.set(smp.commits_per_sync);
        reg.register(Box::new(g))?;
    }
    counter("kiln_lock_recalls_total", "Lock recalls", recalls)?;
    counter("kiln_gtx", "Last global transaction id", s.gtx)?;
    counter(
        "kiln_transactions_rejected_total",
        "Transactions rejected because they could not be made durable",
        c.txns_rejected,
    )?;
    counter("kiln_dgc_runs_total", "Distributed GC runs", c.dgc_runs)?;
    counter(
        "kiln_dgc_objects_removed_total",
        "Objects removed by the distributed GC",
        c.dgc_removed,
    )?;
    if let Some(r) = &s.last_dgc {
        gauge(
            "kiln_dgc_last_marked",
            "Objects marked by the last DGC",
            r.marked,
        )?;
        gauge(
            "kiln_dgc_last_removed",
            "Objects removed by the last DGC",
            r.removed,
        )?;
        gauge(
            "kiln_dgc_last_mark_micros",
            "Mark phase of the last DGC, microseconds",
            usize::try_from(r.mark_micros).unwrap_or(usize::MAX),
        )?;
        gauge(
            "kiln_dgc_last_sweep_micros",
            "Sweep phase of the last DGC, microseconds",
            usize::try_from(r.sweep_micros).unwrap_or(usize::MAX),
        )?;
    }
    counter(
        "kiln_client_reconnects_total",
        "Clients that reconnected after a restart",
        c.reconnects,
    )?;
    if let Some(store) = &shared.store {
        let st = store.stats();
        gauge(
            "kiln_storage_healthy",
            "1 when the store accepts writes",
            usize::from(store.healthy()),
        )?;
        counter(
            "kiln_storage_syncs_total",
            "Journal syncs (group commits)",
            st.syncs.load(Ordering::Relaxed),
        )?;
        counter(
            "kiln_storage_ops_total",
            "Store operations written",
            st.ops.load(Ordering::Relaxed),
        )?;
        counter(
            "kiln_storage_bytes_total",
            "Bytes written to the store (keys and values)",
            st.bytes.load(Ordering::Relaxed),
        )?;
        counter(
            "kiln_storage_failures_total",
            "Failed group writes",
            st.failures.load(Ordering::Relaxed),
        )?;
        counter(
            "kiln_storage_refused_total",
            "Writes refused while storage was unavailable",
            st.refused.load(Ordering::Relaxed),
        )?;
        counter(
            "kiln_storage_sync_micros_total",
            "Time spent writing and syncing, microseconds",
            st.sync_micros.load(Ordering::Relaxed),
        )?;
    }
    let mut out = Vec::new();
    TextEncoder::new().encode(&reg.gather(), &mut out)?;
    Ok(String::from_utf8_lossy(&out).into_owned())
}

//! The operations console on the management port (`jmx-port`): `GET /` (one page, its CSS and
//! JS compiled into the binary: no CDN, works offline) and the JSON API it reads:
//!
//! * `GET /api/topology`: every server of every group the configuration lists (state fetched from
//!   each server's `/status` where reachable, else this server's HA view), with state, role,
//!   epoch, uptime, data directory health, replication lag and passive-sync progress; every
//!   connected client with txn/s, faults/s, resident objects, locks held and whether its session
//!   is kept for a reconnect.
//! * `GET /api/events`: server-sent events, one `topology` snapshot per second.
//! * `GET /api/roots?offset=&limit=`, `GET /api/objects/{id}?offset=&limit=`: the root and object
//!   browser; one object is read from the store per request (never the whole graph).
//! * `POST /api/clients/{id}/dump-locks`: what the server holds for that client (held, queued,
//!   waiting), also written to the server log.
//!
//! Access rules (token, loopback-only actions) are in [`auth`], applied to every route.

pub mod auth;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use axum::extract::{FromRef, Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use kiln_protocol::{ArrayData, LockId, ObjectData, ObjectId, Value};
use parking_lot::Mutex;
use serde_json::{json, Value as Json_};
use tracing::info;

use crate::locks::ClientId;
use crate::server::Shared;

const INDEX: &str = include_str!("assets/index.html");
const CSS: &str = include_str!("assets/console.css");
const JS: &str = include_str!("assets/console.js");
const FAVICON: &str = include_str!("assets/favicon.svg");

/// Entries per page of the object browser unless `limit` says otherwise (at most 1000).
pub const DEFAULT_PAGE: usize = 100;
const MAX_PAGE: usize = 1000;

/// One server the configuration lists.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ListedServer {
    /// `<server name>`.
    pub name: String,
    /// Its mirror group.
    pub group: String,
    /// Where clients reach it.
    pub dso_addr: String,
    /// Where its management port is reached from this machine.
    pub mgmt_addr: String,
}

/// Console settings (from the configuration).
#[derive(Debug, Clone, Default)]
pub struct ConsoleSettings {
    /// Token and access rule.
    pub access: auth::Access,
    /// Every server of every group, in configuration order.
    pub servers: Vec<ListedServer>,
    /// This server's `<data>` directory (health shown even without persistence).
    pub data_dir: PathBuf,
}

/// Where the management port of `s` is reached from this machine: its specific bind address,
/// else its host (a wildcard means loopback).
pub fn mgmt_addr(s: &kiln_config::ServerConfig) -> String {
    let wildcard = |h: &str| h == "0.0.0.0" || h == "::" || h == "[::]";
    let host = if !wildcard(&s.jmx_bind) {
        s.jmx_bind.as_str()
    } else if wildcard(&s.host) {
        "127.0.0.1"
    } else {
        s.host.as_str()
    };
    format!("{host}:{}", s.jmx_port)
}

/// The management token: `KILN_MANAGEMENT_TOKEN`, else the tc-property `l2.management.token`
/// (empty means none), with where it came from.
pub fn token_from(cfg: &kiln_config::TcConfig) -> Option<(String, &'static str)> {
    std::env::var("KILN_MANAGEMENT_TOKEN")
        .ok()
        .filter(|t| !t.is_empty())
        .map(|t| (t, "KILN_MANAGEMENT_TOKEN"))
        .or_else(|| {
            cfg.tc_properties
                .get("l2.management.token")
                .filter(|t| !t.is_empty())
                .map(|t| (t.to_owned(), "tc-property l2.management.token"))
        })
}

impl ConsoleSettings {
    /// Settings of `server` in `cfg`.
    pub fn from_config(cfg: &kiln_config::TcConfig, server: &kiln_config::ServerConfig) -> Self {
        let token = token_from(cfg);
        ConsoleSettings {
            access: auth::Access {
                source: token.as_ref().map_or("", |t| t.1),
                token: token.map(|t| t.0),
                all: cfg
                    .tc_properties
                    .get("l2.management.token.all")
                    .and_then(|v| v.parse::<bool>().ok())
                    .unwrap_or(false),
            },
            servers: cfg
                .servers
                .groups
                .iter()
                .flat_map(|g| {
                    g.servers.iter().map(|s| ListedServer {
                        name: s.name.clone(),
                        group: g.name.clone(),
                        dso_addr: format!("{}:{}", s.host, s.dso_port),
                        mgmt_addr: mgmt_addr(s),
                    })
                })
                .collect(),
            data_dir: server.data.clone(),
        }
    }
}

/// Health of a data directory, shown by `/status` and the console.
#[derive(Debug, Clone, serde::Serialize)]
pub struct DataDirHealth {
    /// The directory.
    pub path: String,
    /// Whether it exists.
    pub exists: bool,
    /// Whether this process may write in it.
    pub writable: bool,
    /// Bytes free for this process (`None`: unknown).
    pub free_bytes: Option<u64>,
    /// Bytes of the file system (`None`: unknown).
    pub total_bytes: Option<u64>,
}

/// Checks `path` (two cheap system calls, nothing written).
pub fn data_dir_health(path: &std::path::Path) -> DataDirHealth {
    let exists = path.is_dir();
    #[cfg(unix)]
    let (writable, free, total) = {
        let writable = exists && rustix::fs::access(path, rustix::fs::Access::WRITE_OK).is_ok();
        // Free space of the directory, or of the nearest existing parent.
        let probe = path
            .ancestors()
            .find(|p| p.is_dir())
            .unwrap_or(std::path::Path::new("."));
        match rustix::fs::statvfs(probe) {
            Ok(v) => (
                writable,
                Some(v.f_bavail.saturating_mul(v.f_frsize)),
                Some(v.f_blocks.saturating_mul(v.f_frsize)),
            ),
            Err(_) => (writable, None, None),
        }
    };
    #[cfg(not(unix))]
    let (writable, free, total) = (
        exists
            && std::fs::metadata(path)
                .map(|m| !m.permissions().readonly())
                .unwrap_or(false),
        None,
        None,
    );
    DataDirHealth {
        path: path.display().to_string(),
        exists,
        writable,
        free_bytes: free,
        total_bytes: total,
    }
}

/// Another server's `/status` as last fetched: when, and the document or the error.
type PeerStatus = (Instant, Result<Json_, String>);

/// What the console keeps between requests.
#[derive(Debug, Default)]
pub struct Console {
    /// Per client: counters at the last sample and when.
    prev: Mutex<HashMap<ClientId, (Instant, crate::state::ClientStats)>>,
    /// Per client: (txn/s, faults/s) over the last sample interval.
    rates: Mutex<HashMap<ClientId, (f64, f64)>>,
    /// Other servers' `/status` as last fetched: when, and the document or the error.
    peers: Mutex<HashMap<String, PeerStatus>>,
    /// Milliseconds since `created` when the topology was last viewed (peers are polled only
    /// while someone looks).
    last_view_ms: AtomicU64,
    created: OnceLock<Instant>,
    /// On a server that is not the active: the clients of the active's console as last
    /// fetched (clients connect to the active only): when, from which server, the rows.
    remote_clients: Mutex<Option<(Instant, String, Vec<Json_>)>>,
}

impl Console {
    fn now_ms(&self) -> u64 {
        let c = self.created.get_or_init(Instant::now);
        u64::try_from(c.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    fn viewed(&self) {
        self.last_view_ms.store(self.now_ms(), Ordering::Relaxed);
    }

    fn recently_viewed(&self) -> bool {
        self.now_ms()
            .saturating_sub(self.last_view_ms.load(Ordering::Relaxed))
            < 15_000
    }

    /// One sample: client rates; while someone looks, the other servers' `/status`.
    pub async fn sample(&self, shared: &Arc<Shared>) {
        let now = Instant::now();
        {
            let st = shared.state.lock();
            let mut prev = self.prev.lock();
            let mut rates = self.rates.lock();
            rates.retain(|id, _| st.clients.contains_key(id));
            prev.retain(|id, _| st.clients.contains_key(id));
            for (id, c) in &st.clients {
                if let Some((t, p)) = prev.get(id) {
                    let secs = now.duration_since(*t).as_secs_f64().max(1e-3);
                    rates.insert(
                        *id,
                        (
                            c.stats.txns.saturating_sub(p.txns) as f64 / secs,
                            c.stats.faulted.saturating_sub(p.faulted) as f64 / secs,
                        ),
                    );
                }
                prev.insert(*id, (now, c.stats));
            }
        }
        if !self.recently_viewed() {
            return;
        }
        let me = shared.settings.name.clone();
        let token = shared.settings.console.access.token.clone();
        let fetches: Vec<_> = shared
            .settings
            .console
            .servers
            .iter()
            .filter(|s| s.name != me)
            .map(|s| {
                let (name, addr, token) = (s.name.clone(), s.mgmt_addr.clone(), token.clone());
                tokio::spawn(async move {
                    let r = tokio::time::timeout(
                        Duration::from_millis(800),
                        crate::mgmt::request_with_token(&addr, "GET", "/status", token.as_deref()),
                    )
                    .await;
                    let doc = match r {
                        Err(_) => Err(format!("{addr}: no answer within 800 ms")),
                        Ok(Err(e)) => Err(e.to_string()),
                        Ok(Ok((200, body))) => serde_json::from_str(&body)
                            .map_err(|e| format!("{addr}: bad /status JSON: {e}")),
                        Ok(Ok((code, _))) => Err(format!("{addr}: HTTP {code}")),
                    };
                    (name, doc)
                })
            })
            .collect();
        for f in fetches {
            if let Ok((name, doc)) = f.await {
                self.peers.lock().insert(name, (Instant::now(), doc));
            }
        }
        if shared.ha.is_active() {
            *self.remote_clients.lock() = None;
            return;
        }
        // Not the active: its clients are on the active's console.
        let active = {
            let peers = self.peers.lock();
            shared
                .settings
                .console
                .servers
                .iter()
                .find_map(|s| match peers.get(&s.name) {
                    Some((_, Ok(doc))) if doc["state"] == "ACTIVE-COORDINATOR" => {
                        Some((s.name.clone(), s.mgmt_addr.clone()))
                    }
                    _ => None,
                })
        };
        let Some((name, addr)) = active else {
            return;
        };
        let r = tokio::time::timeout(
            Duration::from_millis(800),
            crate::mgmt::request_with_token(&addr, "GET", "/api/topology", token.as_deref()),
        )
        .await;
        if let Ok(Ok((200, body))) = r {
            if let Ok(doc) = serde_json::from_str::<Json_>(&body) {
                if let Some(rows) = doc["clients"].as_array() {
                    *self.remote_clients.lock() = Some((Instant::now(), name, rows.clone()));
                }
            }
        }
    }
}

/// Router state: the server and the console.
#[derive(Debug, Clone)]
pub struct Ctx {
    /// The server.
    pub shared: Arc<Shared>,
    /// The console.
    pub console: Arc<Console>,
}

impl FromRef<Ctx> for Arc<Shared> {
    fn from_ref(c: &Ctx) -> Self {
        c.shared.clone()
    }
}

/// The console's routes.
pub fn routes() -> Router<Ctx> {
    Router::new()
        .route("/", get(index))
        .route("/favicon.svg", get(favicon))
        .route("/api/topology", get(topology))
        .route("/api/events", get(events))
        .route("/api/roots", get(roots))
        .route("/api/objects/{id}", get(object))
        .route("/api/clients/{id}/dump-locks", post(dump_locks))
}

/// Runs the sampler every second until dropped.
pub async fn run_sampler(shared: Arc<Shared>, console: Arc<Console>) {
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        console.sample(&shared).await;
    }
}

fn page() -> &'static str {
    static PAGE: OnceLock<String> = OnceLock::new();
    PAGE.get_or_init(|| {
        INDEX
            .replace("/*KILN_CSS*/", CSS)
            .replace("/*KILN_JS*/", JS)
    })
}

async fn index() -> Response {
    ([(header::CACHE_CONTROL, "no-store")], Html(page())).into_response()
}

async fn favicon() -> Response {
    ([(header::CONTENT_TYPE, "image/svg+xml")], FAVICON).into_response()
}

fn unix_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
        .unwrap_or(0)
}

fn lock_kind(l: &LockId) -> &'static str {
    match l {
        LockId::Object(_) => "object",
        LockId::Named(_) => "name",
        LockId::Class(_) => "class",
    }
}

fn level_name(l: kiln_protocol::LockLevel) -> &'static str {
    match l {
        kiln_protocol::LockLevel::Read => "read",
        kiln_protocol::LockLevel::Write => "write",
        kiln_protocol::LockLevel::Concurrent => "concurrent",
        kiln_protocol::LockLevel::SyncWrite => "synchronous-write",
    }
}

/// One server row of the topology from a `/status` document.
fn server_row(listed: &ListedServer, doc: &Json_, source: &str) -> Json_ {
    let ha = &doc["ha"];
    json!({
        "name": listed.name,
        "group": listed.group,
        "dso_addr": listed.dso_addr,
        "mgmt_addr": listed.mgmt_addr,
        "reachable": true,
        "source": source,
        "state": doc["state"],
        "role": role_of(doc["state"].as_str().unwrap_or("")),
        "epoch": doc["epoch"],
        "uptime_secs": doc["uptime_secs"],
        "version": doc["version"],
        "gtx": doc["gtx"],
        "clients": doc["clients"],
        "objects": doc["objects"],
        "persistence": doc["persistence"],
        "storage": doc["storage"],
        "data_dir": doc["data_dir"],
        "replication_lag": ha["replication_lag"],
        "sync": ha["sync"],
        "active": ha["active"],
    })
}

fn role_of(state: &str) -> &'static str {
    match state {
        "ACTIVE-COORDINATOR" => "active",
        "PASSIVE-STANDBY" | "PASSIVE-UNINITIALIZED" | "INITIALIZING" => "passive",
        "STOPPING" => "stopping",
        "START-STATE" | "STARTING" => "starting",
        "DOWN" => "down",
        _ => "unknown",
    }
}

/// The topology snapshot.
pub fn topology_of(shared: &Shared, console: &Console) -> Json_ {
    let me = &shared.settings.name;
    let own = serde_json::to_value(crate::admin::status_of(shared)).unwrap_or(Json_::Null);
    let ha_view: HashMap<String, (String, Option<u64>)> = own["ha"]["members"]
        .as_array()
        .map(|m| {
            m.iter()
                .filter_map(|x| {
                    Some((
                        x["name"].as_str()?.to_owned(),
                        (
                            x["state"].as_str().unwrap_or("UNKNOWN").to_owned(),
                            x["last_heard_secs"].as_u64(),
                        ),
                    ))
                })
                .collect()
        })
        .unwrap_or_default();
    let mut listed = shared.settings.console.servers.clone();
    if !listed.iter().any(|s| &s.name == me) {
        listed.push(ListedServer {
            name: me.clone(),
            group: shared
                .ha
                .group
                .as_ref()
                .map_or_else(|| "default-group".to_owned(), |g| g.name.clone()),
            dso_addr: String::new(),
            mgmt_addr: String::new(),
        });
    }
    let peers = console.peers.lock().clone();
    let mut groups: Vec<(String, Vec<Json_>)> = Vec::new();
    for s in &listed {
        let row = if &s.name == me {
            server_row(s, &own, "self")
        } else {
            match peers.get(&s.name) {
                Some((at, Ok(doc))) if at.elapsed() < Duration::from_secs(5) => {
                    server_row(s, doc, "status")
                }
                other => {
                    let error = match other {
                        Some((_, Err(e))) => Some(e.clone()),
                        Some((_, Ok(_))) => Some("last /status is older than 5 s".to_owned()),
                        None => None,
                    };
                    let (state, heard) = match ha_view.get(&s.name) {
                        Some((st, heard)) if st != "UNKNOWN" => (st.clone(), *heard),
                        _ => ("DOWN".to_owned(), None),
                    };
                    json!({
                        "name": s.name, "group": s.group, "dso_addr": s.dso_addr,
                        "mgmt_addr": s.mgmt_addr, "reachable": false,
                        "source": if ha_view.contains_key(&s.name) { "ha-view" } else { "none" },
                        "state": state, "role": role_of(&state), "last_heard_secs": heard,
                        "error": error,
                    })
                }
            }
        };
        match groups.iter_mut().find(|(g, _)| *g == s.group) {
            Some((_, rows)) => rows.push(row),
            None => groups.push((s.group.clone(), vec![row])),
        }
    }
    let detached: HashMap<ClientId, Duration> = shared.detached_clients().into_iter().collect();
    let rates = console.rates.lock().clone();
    let (clients, totals) = {
        let st = shared.state.lock();
        let mut clients: Vec<Json_> = st
            .clients
            .iter()
            .map(|(id, c)| {
                let (txn, faults) = rates.get(id).copied().unwrap_or((0.0, 0.0));
                let held = st.locks.client_view(*id).held.len();
                json!({
                    "id": id,
                    "name": c.info.name,
                    "pid": c.info.pid,
                    "host": c.info.addr,
                    "txn_per_s": (txn * 10.0).round() / 10.0,
                    "faults_per_s": (faults * 10.0).round() / 10.0,
                    "txns": c.stats.txns,
                    "resident": c.resident.len(),
                    "locks_held": held,
                    "reconnecting": detached.contains_key(id),
                    "disconnected_secs": detached.get(id).map(|d| d.as_secs()),
                })
            })
            .collect();
        clients.sort_by_key(|c| c["id"].as_u64());
        let totals = json!({
            "txns_committed": st.counters.txns_committed,
            "batches_committed": st.counters.batches_committed,
            "objects_faulted": st.counters.objects_faulted,
            "objects": st.objects.len(),
            "roots": st.roots.len(),
            "dgc_runs": st.counters.dgc_runs,
            "dgc_removed": st.counters.dgc_removed,
        });
        (clients, totals)
    };
    let (clients, clients_from) = match &*console.remote_clients.lock() {
        Some((at, from, rows)) if clients.is_empty() && at.elapsed() < Duration::from_secs(5) => {
            (rows.clone(), Json_::from(from.clone()))
        }
        _ => (clients, Json_::from(me.clone())),
    };
    json!({
        "t": unix_ms(),
        "server": me,
        "clients_from": clients_from,
        "state": own["state"],
        "auth": {
            "token_required_for_actions": shared.settings.console.access.token.is_some(),
            "token_required_for_all": shared.settings.console.access.token.is_some() && shared.settings.console.access.all,
        },
        "groups": groups.into_iter().map(|(name, servers)| json!({"name": name, "servers": servers})).collect::<Vec<_>>(),
        "clients": clients,
        "totals": totals,
        "syncs": own["storage"]["syncs"],
        "last_dgc": own["last_dgc"],
    })
}

async fn topology(State(ctx): State<Ctx>) -> Json<Json_> {
    ctx.console.viewed();
    Json(topology_of(&ctx.shared, &ctx.console))
}

async fn events(
    State(ctx): State<Ctx>,
) -> Sse<impl futures_util::Stream<Item = Result<Event, std::convert::Infallible>>> {
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let stream = futures_util::stream::unfold((ctx, tick), |(ctx, mut tick)| async move {
        tick.tick().await;
        ctx.console.viewed();
        let snap = topology_of(&ctx.shared, &ctx.console);
        let ev = Event::default().event("topology").data(snap.to_string());
        Some((Ok(ev), (ctx, tick)))
    });
    Sse::new(stream).keep_alive(KeepAlive::default())
}

/// A value for the browser: its type, its text and, for a reference, the object id (as a string:
/// ids with a stripe do not fit a JavaScript number).
pub fn value_json(v: &Value) -> Json_ {
    let ty = match v {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::I8(_) | Value::I16(_) | Value::I32(_) | Value::I64(_) => "int",
        Value::F32(_) | Value::F64(_) => "float",
        Value::Char(_) => "char",
        Value::Str(_) => "str",
        Value::Bytes(_) => "bytes",
        Value::BigInteger(_) | Value::BigDecimal(_) => "number",
        Value::ClassName(_) => "class",
        Value::Enum { .. } => "enum",
        Value::Date(_) => "date",
        Value::Ref(_) => "ref",
    };
    let mut text = v.to_string();
    if text.len() > 300 {
        let mut cut = 300;
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        text.truncate(cut);
        text.push('…');
    }
    let mut o = json!({ "type": ty, "text": text });
    if let Value::Ref(id) = v {
        o["id"] = json!(id.0.to_string());
    }
    o
}

/// `?offset=&limit=` of the browser routes.
#[derive(Debug, serde::Deserialize)]
pub struct PageQuery {
    /// First entry.
    pub offset: Option<usize>,
    /// Entries (default [`DEFAULT_PAGE`], at most 1000).
    pub limit: Option<usize>,
}

impl PageQuery {
    fn bounds(&self) -> (usize, usize) {
        (
            self.offset.unwrap_or(0),
            self.limit.unwrap_or(DEFAULT_PAGE).clamp(1, MAX_PAGE),
        )
    }
}

fn error(status: StatusCode, message: String) -> Response {
    (status, Json(json!({ "error": message }))).into_response()
}

/// The page bounds of `?offset=&limit=`, or the message of a 400 naming the bad parameter.
fn page_bounds(
    q: Result<Query<PageQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<(usize, usize), String> {
    match q {
        Ok(Query(q)) => Ok(q.bounds()),
        Err(e) => Err(format!(
            "bad paging parameters ({}): offset and limit are non-negative integers, limit at most {MAX_PAGE}",
            e.body_text()
        )),
    }
}

async fn roots(
    State(ctx): State<Ctx>,
    q: Result<Query<PageQuery>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let (offset, limit) = match page_bounds(q) {
        Ok(b) => b,
        Err(m) => return error(StatusCode::BAD_REQUEST, m),
    };
    let st = ctx.shared.state.lock();
    let roots: Vec<Json_> = st
        .roots
        .iter()
        .skip(offset)
        .take(limit)
        .map(|(name, v)| {
            let class = v
                .as_ref_id()
                .and_then(|id| st.objects.read(&id))
                .map(|(_, s)| s.class);
            json!({ "name": name, "value": value_json(v), "class": class })
        })
        .collect();
    Json(json!({ "total": st.roots.len(), "offset": offset, "limit": limit, "roots": roots }))
        .into_response()
}

/// Parses an object id as the console writes it: the raw number (`72057594037927937`), `@N`, or
/// `stripe:seq`.
pub fn parse_object_id(s: &str) -> Option<ObjectId> {
    let s = s.trim().trim_start_matches('@');
    let id = match s.split_once(':') {
        Some((stripe, seq)) => ObjectId::new(stripe.parse().ok()?, seq.parse().ok()?),
        None => ObjectId(s.parse().ok()?),
    };
    (id.0 != 0).then_some(id)
}

fn kind_name(d: &ObjectData) -> &'static str {
    match d {
        ObjectData::Physical(_) => "object",
        ObjectData::Array(_) => "array",
        ObjectData::Map(_) => "map",
        ObjectData::SortedMap(_) => "sorted-map",
        ObjectData::List(_) => "list",
        ObjectData::Set(_) => "set",
        ObjectData::Queue(_) => "queue",
    }
}

fn array_values(a: &ArrayData, offset: usize, limit: usize) -> (usize, Vec<Value>) {
    fn page<T: Clone>(v: &[T], o: usize, l: usize, f: impl Fn(T) -> Value) -> Vec<Value> {
        v.iter().skip(o).take(l).cloned().map(f).collect()
    }
    match a {
        ArrayData::Bool(v) => (v.len(), page(v, offset, limit, Value::Bool)),
        ArrayData::I8(v) => (v.len(), page(v, offset, limit, Value::I8)),
        ArrayData::I16(v) => (v.len(), page(v, offset, limit, Value::I16)),
        ArrayData::I32(v) => (v.len(), page(v, offset, limit, Value::I32)),
        ArrayData::I64(v) => (v.len(), page(v, offset, limit, Value::I64)),
        ArrayData::F32(v) => (v.len(), page(v, offset, limit, Value::F32)),
        ArrayData::F64(v) => (v.len(), page(v, offset, limit, Value::F64)),
        ArrayData::Char(v) => (v.len(), page(v, offset, limit, Value::Char)),
        ArrayData::Values(v) => (v.len(), page(v, offset, limit, |x| x)),
    }
}

/// One object for the browser: class, kind, version, one page of its fields or entries, and the
/// clients it is resident at. `None`: no such object.
pub fn object_json(shared: &Shared, id: ObjectId, offset: usize, limit: usize) -> Option<Json_> {
    let st = shared.state.lock();
    let (version, state) = st.objects.read(&id)?;
    let indexed = |vals: &mut dyn Iterator<Item = &Value>| -> Vec<Json_> {
        vals.skip(offset)
            .take(limit)
            .enumerate()
            .map(|(i, v)| json!({ "index": offset + i, "value": value_json(v) }))
            .collect()
    };
    let (size, entries): (usize, Vec<Json_>) = match &state.data {
        ObjectData::Physical(fields) => (
            fields.len(),
            fields
                .iter()
                .skip(offset)
                .take(limit)
                .map(|f| json!({ "field": f.name, "declaring": f.class, "value": value_json(&f.value) }))
                .collect(),
        ),
        ObjectData::Array(a) => {
            let (n, vals) = array_values(a, offset, limit);
            (
                n,
                vals.iter()
                    .enumerate()
                    .map(|(i, v)| json!({ "index": offset + i, "value": value_json(v) }))
                    .collect(),
            )
        }
        ObjectData::Map(m) => (
            m.len(),
            m.iter()
                .skip(offset)
                .take(limit)
                .map(|(k, v)| json!({ "key": value_json(k), "value": value_json(v) }))
                .collect(),
        ),
        ObjectData::SortedMap(m) => (
            m.len(),
            m.iter()
                .skip(offset)
                .take(limit)
                .map(|(k, v)| json!({ "key": value_json(k), "value": value_json(v) }))
                .collect(),
        ),
        ObjectData::List(l) => (l.len(), indexed(&mut l.iter())),
        ObjectData::Set(s) => (s.len(), indexed(&mut s.iter())),
        ObjectData::Queue(q) => (q.len(), indexed(&mut q.iter())),
    };
    let mut resident: Vec<Json_> = st
        .clients
        .iter()
        .filter(|(_, c)| c.resident.contains(&id))
        .map(|(cid, c)| json!({ "id": cid, "name": c.info.name }))
        .collect();
    resident.sort_by_key(|c| c["id"].as_u64());
    let roots: Vec<&String> = st
        .roots
        .iter()
        .filter(|(_, v)| v.as_ref_id() == Some(id))
        .map(|(n, _)| n)
        .collect();
    Some(json!({
        "id": id.0.to_string(),
        "label": format!("@{id}"),
        "class": state.class,
        "kind": kind_name(&state.data),
        "version": version,
        "size": size,
        "offset": offset,
        "limit": limit,
        "entries": entries,
        "resident_at": resident,
        "roots": roots,
    }))
}

async fn object(
    State(ctx): State<Ctx>,
    Path(id): Path<String>,
    q: Result<Query<PageQuery>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let Some(oid) = parse_object_id(&id) else {
        return error(
            StatusCode::BAD_REQUEST,
            format!("'{id}' is not an object id (a number, @number or stripe:sequence)"),
        );
    };
    let (offset, limit) = match page_bounds(q) {
        Ok(b) => b,
        Err(m) => return error(StatusCode::BAD_REQUEST, m),
    };
    match object_json(&ctx.shared, oid, offset, limit) {
        Some(doc) => Json(doc).into_response(),
        None => error(
            StatusCode::NOT_FOUND,
            format!("the server has no object {oid}"),
        ),
    }
}

/// The server-side view of one client's locks.
pub fn client_locks_json(shared: &Shared, client: ClientId) -> Option<Json_> {
    let st = shared.state.lock();
    let c = st.clients.get(&client)?;
    let v = st.locks.client_view(client);
    Some(json!({
        "client": client,
        "name": c.info.name,
        "pid": c.info.pid,
        "host": c.info.addr,
        "held": v.held.iter().map(|(l, lv)| json!({"lock": l.to_string(), "kind": lock_kind(l), "level": level_name(*lv)})).collect::<Vec<_>>(),
        "queued": v.queued.iter().map(|(l, lv, r)| json!({"lock": l.to_string(), "kind": lock_kind(l), "level": level_name(*lv), "req_id": r})).collect::<Vec<_>>(),
        "waiting": v.waiting.iter().map(|(l, w)| json!({"lock": l.to_string(), "kind": lock_kind(l), "waiter_id": w})).collect::<Vec<_>>(),
    }))
}

async fn dump_locks(State(ctx): State<Ctx>, Path(id): Path<String>) -> Response {
    let Ok(client) = id.parse::<ClientId>() else {
        return error(
            StatusCode::BAD_REQUEST,
            format!("'{id}' is not a client id"),
        );
    };
    match client_locks_json(&ctx.shared, client) {
        Some(doc) => {
            info!(client, dump = %doc, "lock dump of a client (management console)");
            Json(doc).into_response()
        }
        None => error(
            StatusCode::NOT_FOUND,
            format!("no client {client} is connected to this server"),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn object_ids_parse_in_every_console_form() {
        assert_eq!(parse_object_id("42"), Some(ObjectId(42)));
        assert_eq!(parse_object_id("@42"), Some(ObjectId(42)));
        assert_eq!(parse_object_id("2:7"), Some(ObjectId::new(2, 7)));
        assert_eq!(parse_object_id("0"), None);
        assert_eq!(parse_object_id("x"), None);
        assert_eq!(parse_object_id("300:1"), None);
    }

    #[test]
    fn values_carry_type_text_and_ref() {
        let r = value_json(&Value::Ref(ObjectId::new(1, 5)));
        assert_eq!(r["type"], "ref");
        assert_eq!(r["id"], ObjectId::new(1, 5).0.to_string());
        assert_eq!(value_json(&Value::Str("hi".into()))["text"], "hi");
        let long = value_json(&Value::Str("é".repeat(400)));
        assert!(long["text"].as_str().is_some_and(|t| t.ends_with('…')));
    }

    #[test]
    fn the_page_inlines_its_assets() {
        let p = page();
        assert!(!p.contains("/*KILN_CSS*/") && !p.contains("/*KILN_JS*/"));
        assert!(p.contains("EventSource"));
    }
}

//! Distributed GC across stripes (mirror groups): each stripe's active marks its own objects in
//! an *epoch*, foreign ids its marked objects reference are forwarded to their owning stripe by a
//! coordinator (the `kiln-server dgc` command, [`run_cluster`]) until no stripe reaches anything
//! new, then every stripe sweeps what it did not mark. While an epoch is open, a stripe keeps a
//! *rescue* set (snapshot-at-beginning with a Yuasa deletion barrier): ids created, faulted,
//! subscribed, evicted or re-asserted, and every reference a transaction's change overwrote or
//! removed (from its undo record). Marking closes over the rescue set. The protocol and its safety argument are in
//! docs/architecture.md "DGC across stripes".
//!
//! Management routes (every one behind the same access check as `POST /dgc`):
//! `POST /dgc/cluster/begin?epoch=E` (open the epoch, barrier on, nothing marked yet),
//! `POST /dgc/cluster/mark?epoch=E` (body: JSON array of ids of this stripe to mark from; the
//! first mark also marks from the roots and every client's resident set; answers the foreign ids
//! newly reached), `POST /dgc/cluster/sweep?epoch=E` (final mark under the state lock; if it
//! reaches a foreign id not reported before, answers `converged: false` with those ids and
//! sweeps nothing; else removes every unmarked object, journaled and replicated like the
//! one-stripe DGC, and closes the epoch), `POST /dgc/cluster/abort?epoch=E`.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Instant;

use axum::extract::{Query, State as AxState};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use kiln_protocol::{ObjectId, ObjectState, SubTarget, Undo};
use serde::Serialize;
use tracing::{error, info, warn};

use crate::server::Shared;
use crate::state::{DgcReport, State};
use crate::store::Op;
use crate::ServerError;

/// An open cluster-DGC epoch on one stripe.
#[derive(Debug)]
pub struct Epoch {
    /// The coordinator's epoch id.
    pub id: u64,
    /// When it was opened.
    pub opened: Instant,
    /// Objects of this stripe marked so far.
    pub marked: HashSet<ObjectId>,
    /// Ids of other stripes reached and reported to the coordinator.
    pub reported: HashSet<ObjectId>,
    /// Ids rescued by the barrier and not marked from yet.
    pub rescue: Vec<ObjectId>,
    /// Whether the roots and resident sets were marked from.
    pub roots_done: bool,
    /// Mark requests served.
    pub rounds: u64,
    /// Ids received from other stripes.
    pub received: u64,
    /// Time spent marking (under the state lock), microseconds.
    pub mark_micros: u64,
    /// The coordinator's last request.
    pub last_call: Instant,
    /// Given up (see [`Epoch::rescue`]).
    pub abandoned: bool,
}

/// An open epoch without a coordinator request for this long is dropped.
pub const ABANDONED: std::time::Duration = std::time::Duration::from_secs(120);
/// An open epoch with more pending rescues than this is dropped (32 MiB of ids).
pub const MAX_RESCUE: usize = 4 << 20;

/// What one stripe did in the last cluster run it took part in (`/status` `cluster_dgc`).
#[derive(Debug, Clone, Serialize)]
pub struct StripeRun {
    /// Epoch id.
    pub epoch: u64,
    /// `open`, `swept`, `aborted` (by the coordinator or by a newer epoch).
    pub outcome: &'static str,
    /// Mark requests served.
    pub rounds: u64,
    /// Objects of this stripe marked.
    pub marked: usize,
    /// Foreign ids reported to the coordinator.
    pub foreign_reported: usize,
    /// Ids received from other stripes.
    pub received: u64,
    /// Objects removed (swept).
    pub removed: usize,
    /// From begin to the sweep (or the abort), milliseconds.
    pub open_ms: u64,
}

impl Epoch {
    /// A new epoch `id`: nothing marked, barrier on.
    pub fn new(id: u64) -> Epoch {
        Epoch {
            id,
            opened: Instant::now(),
            marked: HashSet::new(),
            reported: HashSet::new(),
            rescue: Vec::new(),
            roots_done: false,
            rounds: 0,
            received: 0,
            mark_micros: 0,
            last_call: Instant::now(),
            abandoned: false,
        }
    }

    fn run(&self, outcome: &'static str, removed: usize) -> StripeRun {
        StripeRun {
            epoch: self.id,
            outcome,
            rounds: self.rounds,
            marked: self.marked.len(),
            foreign_reported: self.reported.len(),
            received: self.received,
            removed,
            open_ms: self.opened.elapsed().as_millis() as u64,
        }
    }
}

/// Result of one mark step.
#[derive(Debug, Default)]
pub struct MarkStep {
    /// Foreign ids reached for the first time in this epoch.
    pub foreign: Vec<ObjectId>,
    /// Local objects newly marked.
    pub newly_marked: usize,
}

impl Epoch {
    /// Rescues `oid`. Every 4096 rescues, an epoch without a coordinator request for
    /// [`ABANDONED`], or with more than [`MAX_RESCUE`] pending rescues, is given up: its rescue
    /// set is freed, nothing more is rescued, and its next request fails (nothing of it is swept).
    pub fn rescue(&mut self, oid: ObjectId) {
        if self.abandoned {
            return;
        }
        self.rescue.push(oid);
        if self.rescue.len().is_multiple_of(4096)
            && (self.last_call.elapsed() > ABANDONED || self.rescue.len() > MAX_RESCUE)
        {
            warn!(
                epoch = self.id,
                idle_secs = self.last_call.elapsed().as_secs(),
                rescued = self.rescue.len(),
                "cluster DGC: epoch abandoned (no coordinator request for too long, or too many rescues); nothing of it will be swept"
            );
            self.abandoned = true;
            self.rescue = Vec::new();
        }
    }

    /// The deletion barrier of one applied change: the references its undo record holds — the
    /// values (and keys) the change overwrote or removed. Returns `u` unchanged.
    pub fn rescue_undo(&mut self, u: Undo) -> Undo {
        if let Undo::Replace(data) = u {
            // A clear or a whole-array set: everything the object held.
            let old = ObjectState {
                class: String::new(),
                data,
            };
            old.for_each_ref(&mut |r| self.rescue(r));
            return Undo::Replace(old.data);
        }
        let mut refs: [Option<ObjectId>; 2] = [None, None];
        match &u {
            Undo::Field { old: Some(v), .. }
            | Undo::Element { old: v, .. }
            | Undo::ListInsert(_, v)
            | Undo::ListSet(_, v)
            | Undo::SetInsertAt(_, v)
            | Undo::QueuePushFront(v)
            | Undo::QueueInsert(_, v) => refs[0] = v.as_ref_id(),
            Undo::MapRestore { key, old: v, .. }
            | Undo::MapInsertAt { key, value: v, .. }
            | Undo::SortedPut {
                key,
                value: Some(v),
                ..
            } => refs = [key.as_ref_id(), v.as_ref_id()],
            // Something added, nothing overwritten or removed.
            Undo::Field { old: None, .. }
            | Undo::SortedPut { value: None, .. }
            | Undo::MapRemove { .. }
            | Undo::ListRemoveAt(_)
            | Undo::SetRemove(_)
            | Undo::QueuePopBack
            | Undo::Nothing => {}
            Undo::Replace(_) => {}
        }
        for r in refs.into_iter().flatten() {
            self.rescue(r);
        }
        u
    }
}

impl State {
    /// The creation/residency barrier: while a cluster-DGC epoch is open, `oid` is marked from
    /// before the sweep.
    pub fn dgc_rescue(&mut self, oid: ObjectId) {
        if let Some(e) = self.dgc_epoch.as_mut() {
            e.rescue(oid);
        }
    }

    /// Marks from `from` (ids of this stripe), the rescue set and, the first time, the roots and
    /// every client's resident set. Foreign ids reached are reported once per epoch.
    pub fn dgc_mark(&mut self, epoch: u64, from: &[ObjectId]) -> Result<MarkStep, String> {
        let stripe = self.stripe;
        let t0 = Instant::now();
        let Some(e) = self.dgc_epoch.as_mut() else {
            return Err(format!(
                "no cluster DGC epoch is open on this stripe (epoch {epoch} was aborted, replaced, or ended by a failover or restart)"
            ));
        };
        if e.id != epoch {
            return Err(format!(
                "cluster DGC epoch {epoch} is not the open one (epoch {} is): a newer run replaced it",
                e.id
            ));
        }
        if e.abandoned {
            self.dgc_epoch = None;
            return Err(format!(
                "cluster DGC epoch {epoch} was given up (no coordinator request for {} s, or more than {MAX_RESCUE} rescues): nothing of it is swept",
                ABANDONED.as_secs()
            ));
        }
        if let Some(bad) = from.iter().find(|o| o.stripe() != stripe) {
            return Err(format!(
                "object {bad} belongs to stripe {}, not to this stripe ({stripe}): the coordinator sends each id to its owner",
                bad.stripe()
            ));
        }
        e.rounds += 1;
        e.received += from.len() as u64;
        e.last_call = Instant::now();
        let mut stack: Vec<ObjectId> = std::mem::take(&mut e.rescue);
        stack.extend_from_slice(from);
        if !e.roots_done {
            e.roots_done = true;
            stack.extend(
                self.roots
                    .values()
                    .filter_map(kiln_protocol::Value::as_ref_id),
            );
            for c in self.clients.values() {
                stack.extend(c.resident.iter().copied());
            }
        }
        let mut step = MarkStep::default();
        let objects = &self.objects;
        while let Some(oid) = stack.pop() {
            if oid.stripe() != stripe {
                if e.reported.insert(oid) {
                    step.foreign.push(oid);
                }
                continue;
            }
            if !objects.contains(&oid) || !e.marked.insert(oid) {
                continue;
            }
            step.newly_marked += 1;
            objects.for_each_ref(&oid, &mut |r| {
                if r.stripe() != stripe || !e.marked.contains(&r) {
                    stack.push(r);
                }
            });
        }
        e.mark_micros += t0.elapsed().as_micros() as u64;
        Ok(step)
    }

    /// Final step of an epoch: marks from the rescue set; if that reaches a foreign id not
    /// reported before, `Ok(Err(ids))` (nothing swept, the epoch stays open). Otherwise removes
    /// every unmarked object of this stripe, closes the epoch and returns the report, the removed
    /// ids (the caller journals them) and the stripe's run summary.
    #[allow(clippy::type_complexity)]
    pub fn dgc_sweep(
        &mut self,
        epoch: u64,
    ) -> Result<Result<(DgcReport, Vec<ObjectId>, StripeRun), Vec<ObjectId>>, String> {
        let step = self.dgc_mark(epoch, &[])?;
        if !step.foreign.is_empty() {
            return Ok(Err(step.foreign));
        }
        let Some(e) = self.dgc_epoch.take() else {
            return Err("the cluster DGC epoch vanished".into());
        };
        let t1 = Instant::now();
        let mut report = DgcReport {
            objects_before: self.objects.len(),
            clients: self.clients.len(),
            marked: e.marked.len(),
            mark_micros: e.mark_micros,
            ..DgcReport::default()
        };
        let garbage: Vec<ObjectId> = self
            .objects
            .ids()
            .into_iter()
            .filter(|o| !e.marked.contains(o))
            .collect();
        for oid in &garbage {
            self.objects.remove(oid);
            self.subscribers.remove(&SubTarget::Object(*oid));
        }
        report.removed = garbage.len();
        report.sweep_micros = t1.elapsed().as_micros() as u64;
        self.counters.dgc_runs += 1;
        self.counters.dgc_removed += garbage.len() as u64;
        let run = e.run("swept", garbage.len());
        Ok(Ok((report, garbage, run)))
    }
}

/// Cluster-DGC bookkeeping of one server (in [`Shared`]).
#[derive(Debug, Default)]
pub struct ClusterDgc {
    /// The last cluster run this stripe took part in.
    pub last: parking_lot::Mutex<Option<StripeRun>>,
    /// One coordinated run at a time from this server.
    running: tokio::sync::Mutex<()>,
    /// The last run this server coordinated (`POST /dgc`, periodic).
    pub last_coordinated: parking_lot::Mutex<Option<ClusterReport>>,
}

/// A refusal: status and message.
type Refusal = (StatusCode, String);

fn epoch_of(q: &HashMap<String, String>) -> Result<u64, Refusal> {
    match q.get("epoch").map(|v| v.parse::<u64>()) {
        Some(Ok(e)) if e != 0 => Ok(e),
        _ => Err((
            StatusCode::BAD_REQUEST,
            format!(
                "query parameter epoch={:?} must be a positive integer",
                q.get("epoch").cloned().unwrap_or_default()
            ),
        )),
    }
}

fn conflict(code: StatusCode, message: String) -> Response {
    (code, Json(serde_json::json!({ "error": message }))).into_response()
}

/// The stripe may take part: it is the active and its reconnect window is closed.
fn ready(shared: &Shared) -> Result<(), Refusal> {
    if !shared.ha.is_active() {
        return Err((
            StatusCode::CONFLICT,
            format!(
                "server '{}' is {}, not the active of stripe {}: the DGC runs on each stripe's active",
                shared.settings.name,
                shared.ha.role(),
                shared.settings.stripe
            ),
        ));
    }
    if !shared.gate_is_open() {
        return Err((
            StatusCode::CONFLICT,
            format!(
                "the reconnect window of server '{}' (stripe {}) is open: the resident sets of returning clients are not known yet; try again after it closes",
                shared.settings.name, shared.settings.stripe
            ),
        ));
    }
    Ok(())
}

async fn begin(
    AxState(shared): AxState<Arc<Shared>>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let epoch = match epoch_of(&q).and_then(|e| ready(&shared).map(|()| e)) {
        Ok(e) => e,
        Err((code, m)) => return conflict(code, m),
    };
    let mut st = shared.state.lock();
    if let Some(old) = st.dgc_epoch.take() {
        warn!(
            old = old.id,
            new = epoch,
            "cluster DGC: a new epoch replaces an open one (its run aborts; nothing of it is swept)"
        );
        *shared.cluster_dgc.last.lock() = Some(old.run("aborted", 0));
    }
    st.dgc_epoch = Some(Epoch::new(epoch));
    let objects = st.objects.len();
    drop(st);
    info!(
        epoch,
        stripe = shared.settings.stripe,
        "cluster DGC: epoch open (rescue barrier on)"
    );
    Json(serde_json::json!({
        "epoch": epoch,
        "stripe": shared.settings.stripe,
        "server": shared.settings.name,
        "objects": objects,
    }))
    .into_response()
}

async fn mark(
    AxState(shared): AxState<Arc<Shared>>,
    Query(q): Query<HashMap<String, String>>,
    body: String,
) -> Response {
    let epoch = match epoch_of(&q).and_then(|e| ready(&shared).map(|()| e)) {
        Ok(e) => e,
        Err((code, m)) => return conflict(code, m),
    };
    let ids: Vec<u64> = if body.trim().is_empty() {
        Vec::new()
    } else {
        match serde_json::from_str(&body) {
            Ok(v) => v,
            Err(e) => {
                return conflict(
                    StatusCode::BAD_REQUEST,
                    format!("/dgc/cluster/mark: the body must be a JSON array of object ids: {e}"),
                )
            }
        }
    };
    let ids: Vec<ObjectId> = ids.into_iter().map(ObjectId).collect();
    let step = shared.state.lock().dgc_mark(epoch, &ids);
    match step {
        Ok(s) => Json(serde_json::json!({
            "foreign": s.foreign.iter().map(|o| o.0).collect::<Vec<_>>(),
            "newly_marked": s.newly_marked,
        }))
        .into_response(),
        Err(e) => conflict(StatusCode::CONFLICT, e),
    }
}

async fn sweep(
    AxState(shared): AxState<Arc<Shared>>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let epoch = match epoch_of(&q).and_then(|e| ready(&shared).map(|()| e)) {
        Ok(e) => e,
        Err((code, m)) => return conflict(code, m),
    };
    let (outcome, pending) = {
        let mut st = shared.state.lock();
        match st.dgc_sweep(epoch) {
            Err(e) => return conflict(StatusCode::CONFLICT, e),
            Ok(Err(foreign)) => {
                drop(st);
                info!(
                    epoch,
                    new_foreign = foreign.len(),
                    "cluster DGC: not converged at sweep (more rounds needed)"
                );
                return Json(serde_json::json!({
                    "converged": false,
                    "foreign": foreign.iter().map(|o| o.0).collect::<Vec<_>>(),
                }))
                .into_response();
            }
            Ok(Ok((report, garbage, run))) => {
                let pending = if garbage.is_empty() {
                    None
                } else {
                    shared
                        .record(garbage.iter().map(|o| Op::DelObject(*o)).collect())
                        .durable
                };
                ((report, run), pending)
            }
        }
    };
    if let Some(rx) = pending {
        match rx.await {
            Ok(Ok(())) => {}
            Ok(Err(e)) => {
                warn!(error = %e, "cluster DGC: removed objects could not be deleted from the store (they will be collected again after a restart)")
            }
            Err(_) => warn!("cluster DGC: the store writer stopped"),
        }
    }
    let (report, run) = outcome;
    info!(
        epoch,
        stripe = shared.settings.stripe,
        before = report.objects_before,
        marked = report.marked,
        removed = report.removed,
        rounds = run.rounds,
        foreign_reported = run.foreign_reported,
        received = run.received,
        open_ms = run.open_ms,
        "cluster DGC: stripe swept"
    );
    shared.history.lock().dgc(&report);
    *shared.last_dgc.lock() = Some(report.clone());
    *shared.cluster_dgc.last.lock() = Some(run.clone());
    Json(serde_json::json!({
        "converged": true,
        "stripe": shared.settings.stripe,
        "server": shared.settings.name,
        "report": report,
        "run": run,
    }))
    .into_response()
}

async fn abort(
    AxState(shared): AxState<Arc<Shared>>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let epoch = match epoch_of(&q) {
        Ok(e) => e,
        Err((code, m)) => return conflict(code, m),
    };
    let mut st = shared.state.lock();
    let aborted = match st.dgc_epoch.take() {
        Some(e) if e.id == epoch => {
            *shared.cluster_dgc.last.lock() = Some(e.run("aborted", 0));
            true
        }
        other => {
            st.dgc_epoch = other;
            false
        }
    };
    drop(st);
    if aborted {
        info!(epoch, "cluster DGC: epoch aborted, nothing swept");
    }
    Json(serde_json::json!({ "aborted": aborted })).into_response()
}

/// The cluster-DGC management routes (merged into the management router before its access
/// check layer).
pub fn routes<S>() -> Router<S>
where
    S: Clone + Send + Sync + 'static,
    Arc<Shared>: axum::extract::FromRef<S>,
{
    Router::new()
        .route("/dgc/cluster/begin", post(begin))
        .route("/dgc/cluster/mark", post(mark))
        .route("/dgc/cluster/sweep", post(sweep))
        .route("/dgc/cluster/abort", post(abort))
}

// ---------------------------------------------------------------------------------------------
// The coordinator.

/// One stripe as the coordinator sees it: its index, group name and servers (name, management
/// address).
#[derive(Debug, Clone)]
pub struct StripeTarget {
    /// Stripe index (the mirror group's position in the configuration).
    pub index: u8,
    /// Group name.
    pub group: String,
    /// Members: server name and management address (`host:jmx-port`).
    pub servers: Vec<(String, String)>,
}

/// What the coordinator reports about one stripe.
#[derive(Debug, Clone, Serialize)]
pub struct StripeOutcome {
    /// Stripe index.
    pub stripe: u8,
    /// Group name.
    pub group: String,
    /// The active that took part.
    pub server: String,
    /// Its sweep answer (`report`, `run`).
    pub sweep: serde_json::Value,
}

/// A whole cluster run.
#[derive(Debug, Clone, Serialize)]
pub struct ClusterReport {
    /// Epoch id.
    pub epoch: u64,
    /// Mark rounds (every stripe asked once per round).
    pub rounds: u32,
    /// Ids forwarded between stripes.
    pub forwarded: u64,
    /// Objects removed over all stripes.
    pub removed: u64,
    /// Ids a stripe reached after their owner had swept (sweeps retried after a late mark).
    pub late_references: usize,
    /// Of those, ids their owner does not have (should stay empty: the safety argument says
    /// each was marked; anything here is logged as an error).
    pub late_missing: Vec<u64>,
    /// Per stripe.
    pub stripes: Vec<StripeOutcome>,
}

/// Most mark rounds before a run gives up (nothing removed). A round that reports nothing new
/// ends the marking, and each id is reported at most once per stripe, so the marking ends without
/// this bound; a graph needs one round per stripe crossing on its longest path (a chain that
/// alternates between stripes: one round per link). The bound stops a run that mutators keep
/// feeding with new cross-stripe references.
const MAX_ROUNDS: u32 = 1_000_000;
/// Sweep attempts that may find new foreign ids before the run gives up.
const MAX_SWEEP_RETRIES: u32 = 20;
/// How long the coordinator waits for one step's answer.
const STEP_WAIT: std::time::Duration = std::time::Duration::from_secs(300);

fn err(m: String) -> ServerError {
    ServerError::ClusterDgc(m)
}

async fn call(
    addr: &str,
    path: &str,
    token: Option<&str>,
    body: &str,
) -> Result<serde_json::Value, String> {
    // A mark or sweep of a big heap holds its stripe's lock for a while: wait long enough.
    match crate::mgmt::request_body(addr, "POST", path, token, body, STEP_WAIT).await {
        Ok((200, b)) => serde_json::from_str(&b).map_err(|e| format!("bad answer {b:?}: {e}")),
        Ok((code, b)) => Err(format!("HTTP {code}: {b}")),
        Err(e) => Err(e.to_string()),
    }
}

/// Finds the active of `t`: the member whose `/status` says `ACTIVE-COORDINATOR` of stripe
/// `t.index`.
async fn find_active(t: &StripeTarget, token: Option<&str>) -> Result<(String, String), String> {
    let mut seen = Vec::new();
    for (name, addr) in &t.servers {
        match crate::mgmt::request_with_token(addr, "GET", "/status", token).await {
            Ok((200, body)) => {
                let v: serde_json::Value = serde_json::from_str(&body).unwrap_or_default();
                let state = v["state"].as_str().unwrap_or("?").to_owned();
                if state == "ACTIVE-COORDINATOR" && v["stripe"]["id"] == t.index {
                    return Ok((name.clone(), addr.clone()));
                }
                seen.push(format!("{name} at {addr}: {state}"));
            }
            Ok((code, body)) => seen.push(format!("{name} at {addr}: HTTP {code}: {body}")),
            Err(e) => seen.push(format!("{name}: {e}")),
        }
    }
    Err(format!(
        "stripe {} (group '{}') has no reachable ACTIVE-COORDINATOR ({})",
        t.index,
        t.group,
        seen.join("; ")
    ))
}

/// Runs one DGC over every stripe: begin on each stripe's active, mark rounds forwarding foreign
/// ids to their owners until one full round reaches nothing new, then sweep each stripe. A stripe
/// without an active, or failing before the sweeps, aborts the run on every stripe: nothing is
/// removed anywhere.
pub async fn run_cluster(
    targets: &[StripeTarget],
    token: Option<&str>,
) -> Result<ClusterReport, ServerError> {
    let mut actives = Vec::with_capacity(targets.len());
    for t in targets {
        actives.push(find_active(t, token).await.map_err(|e| {
            err(format!(
                "{e}: the cluster DGC needs every stripe's active; nothing was removed"
            ))
        })?);
    }
    let epoch = {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(1);
        (nanos ^ (u64::from(std::process::id()) << 32)) | 1
    };
    info!(epoch, stripes = targets.len(), "cluster DGC: start");
    let actives = &actives;
    let abort_all = |why: String| async move {
        for (_, addr) in actives {
            let _ = call(
                addr,
                &format!("/dgc/cluster/abort?epoch={epoch}"),
                token,
                "",
            )
            .await;
        }
        err(format!("{why}; the run was aborted on every stripe"))
    };
    for (t, (name, addr)) in targets.iter().zip(actives) {
        if let Err(e) = call(
            addr,
            &format!("/dgc/cluster/begin?epoch={epoch}"),
            token,
            "",
        )
        .await
        {
            return Err(abort_all(format!(
                "stripe {} (group '{}', server '{name}' at {addr}) did not begin the epoch: {e}; nothing was removed",
                t.index, t.group
            ))
            .await);
        }
    }
    let index_of = |stripe: u8| targets.iter().position(|t| t.index == stripe);
    let mut pending: Vec<Vec<u64>> = vec![Vec::new(); targets.len()];
    let mut rounds = 0u32;
    let mut forwarded = 0u64;
    let mut first = true;
    let mut outcomes: Vec<Option<StripeOutcome>> = vec![None; targets.len()];
    let mut sweep_retries = 0u32;
    // Ids reached after their owner swept (by the snapshot argument each was marked there).
    let mut late: Vec<(usize, u64)> = Vec::new();
    loop {
        // Mark rounds until one full round reaches nothing new.
        loop {
            let any_pending = pending.iter().any(|p| !p.is_empty());
            if !first && !any_pending {
                break;
            }
            rounds += 1;
            if rounds > MAX_ROUNDS {
                return Err(abort_all(format!(
                    "no convergence after {MAX_ROUNDS} mark rounds; nothing was removed on stripes not yet swept"
                ))
                .await);
            }
            let mut next: Vec<Vec<u64>> = vec![Vec::new(); targets.len()];
            let mut any_new = false;
            // One mark request per stripe not swept yet, all at once.
            let mut asks = Vec::new();
            for (i, (_, addr)) in actives.iter().enumerate() {
                if outcomes[i].is_some() {
                    continue;
                }
                let ids = std::mem::take(&mut pending[i]);
                let body = serde_json::to_string(&ids).unwrap_or_else(|_| "[]".into());
                let (addr, tok) = (addr.clone(), token.map(str::to_owned));
                let path = format!("/dgc/cluster/mark?epoch={epoch}");
                asks.push((
                    i,
                    tokio::spawn(async move { call(&addr, &path, tok.as_deref(), &body).await }),
                ));
            }
            for (i, ask) in asks {
                let (t, (name, addr)) = (&targets[i], &actives[i]);
                let answer = ask
                    .await
                    .unwrap_or_else(|e| Err(format!("the request task failed: {e}")));
                let v = match answer {
                    Ok(v) => v,
                    Err(e) => {
                        return Err(abort_all(format!(
                            "stripe {} (group '{}', server '{name}' at {addr}) failed in mark round {rounds}: {e}; nothing was removed on stripes not yet swept",
                            t.index, t.group
                        ))
                        .await)
                    }
                };
                for id in v["foreign"].as_array().into_iter().flatten() {
                    let Some(id) = id.as_u64() else { continue };
                    any_new = true;
                    match index_of(ObjectId(id).stripe()) {
                        Some(j) if outcomes[j].is_none() => {
                            forwarded += 1;
                            next[j].push(id);
                        }
                        // Its owner has swept already: checked after the run.
                        Some(j) => late.push((j, id)),
                        None => warn!(
                            epoch,
                            id, "cluster DGC: a reference to an object of no configured stripe"
                        ),
                    }
                }
            }
            pending = next;
            first = false;
            if !any_new && pending.iter().all(Vec::is_empty) {
                break;
            }
        }
        // Sweep every stripe not swept yet; one that reaches something new sends the run back
        // to marking.
        let mut reopened = false;
        for (i, (t, (name, addr))) in targets.iter().zip(actives).enumerate() {
            if outcomes[i].is_some() {
                continue;
            }
            let v = match call(addr, &format!("/dgc/cluster/sweep?epoch={epoch}"), token, "").await
            {
                Ok(v) => v,
                Err(e) => {
                    return Err(abort_all(format!(
                        "stripe {} (group '{}', server '{name}' at {addr}) failed to sweep: {e}; stripes swept before it removed only objects unreachable at the start of the run",
                        t.index, t.group
                    ))
                    .await)
                }
            };
            if v["converged"].as_bool() == Some(true) {
                outcomes[i] = Some(StripeOutcome {
                    stripe: t.index,
                    group: t.group.clone(),
                    server: name.clone(),
                    sweep: v,
                });
                continue;
            }
            reopened = true;
            for id in v["foreign"].as_array().into_iter().flatten() {
                if let Some(id) = id.as_u64() {
                    if let Some(j) = index_of(ObjectId(id).stripe()) {
                        if outcomes[j].is_none() {
                            forwarded += 1;
                            pending[j].push(id);
                        } else {
                            late.push((j, id));
                        }
                    }
                }
            }
            // Stripes after this one would sweep before the new ids are marked: stop here.
            break;
        }
        if !reopened {
            break;
        }
        sweep_retries += 1;
        if sweep_retries > MAX_SWEEP_RETRIES {
            return Err(abort_all(format!(
                "the sweep found new references {MAX_SWEEP_RETRIES} times (mutators keep moving references); stripes not yet swept removed nothing"
            ))
            .await);
        }
    }
    let stripes: Vec<StripeOutcome> = outcomes.into_iter().flatten().collect();
    let removed = stripes
        .iter()
        .map(|s| s.sweep["report"]["removed"].as_u64().unwrap_or(0))
        .sum();
    // Check the claim for every id reached after its owner swept: the owner still has it.
    let mut late_missing = Vec::new();
    for (j, id) in &late {
        let (_, addr) = &actives[*j];
        match crate::mgmt::request_with_token(addr, "GET", &format!("/api/objects/{id}"), token)
            .await
        {
            Ok((404, _)) => {
                error!(
                    epoch,
                    id,
                    stripe = targets[*j].index,
                    "cluster DGC: an object referenced after its stripe swept is missing there"
                );
                late_missing.push(*id);
            }
            Ok(_) => {}
            Err(e) => warn!(epoch, id, error = %e, "cluster DGC: could not check a late reference"),
        }
    }
    info!(
        epoch,
        rounds,
        forwarded,
        removed,
        late_references = late.len(),
        "cluster DGC: complete"
    );
    Ok(ClusterReport {
        epoch,
        rounds,
        forwarded,
        removed,
        late_references: late.len(),
        late_missing,
        stripes,
    })
}

/// The stripes of the configuration this server was started with (every listed server with
/// its group, in configuration order: the n-th group is stripe n).
pub fn targets_from(settings: &crate::Settings) -> Vec<StripeTarget> {
    let mut out: Vec<StripeTarget> = Vec::new();
    for s in &settings.console.servers {
        let i = match out.iter().position(|t| t.group == s.group) {
            Some(i) => i,
            None => {
                out.push(StripeTarget {
                    index: u8::try_from(out.len()).unwrap_or(u8::MAX),
                    group: s.group.clone(),
                    servers: Vec::new(),
                });
                out.len() - 1
            }
        };
        out[i].servers.push((s.name.clone(), s.mgmt_addr.clone()));
    }
    out
}

/// A cluster run coordinated by this server (an active of a striped cluster): `POST /dgc`, the
/// console's action and the periodic DGC of stripe 0's active. The peers are called with this
/// server's management token.
pub async fn run_for(shared: &Shared, why: &str) -> Result<ClusterReport, ServerError> {
    if !shared.ha.is_active() {
        return Err(err(format!(
            "server '{}' is {}, not the active of stripe {}: a cluster DGC is coordinated by an active",
            shared.settings.name,
            shared.ha.role(),
            shared.settings.stripe
        )));
    }
    let _one = shared.cluster_dgc.running.lock().await;
    let targets = targets_from(&shared.settings);
    if targets.len() != shared.settings.stripes {
        return Err(err(format!(
            "the configuration lists {} groups but this server serves one of {} stripes",
            targets.len(),
            shared.settings.stripes
        )));
    }
    info!(
        trigger = why,
        stripes = targets.len(),
        "cluster DGC: coordinating"
    );
    let token = shared.settings.console.access.token.clone();
    let report = run_cluster(&targets, token.as_deref()).await?;
    *shared.cluster_dgc.last_coordinated.lock() = Some(report.clone());
    Ok(report)
}

/// One tick of the periodic DGC (`<garbage-collection><interval>`): one stripe runs today's
/// local DGC; on a striped cluster only stripe 0's active starts a cluster run (the other
/// stripes take part in it).
pub async fn periodic(shared: &Shared) {
    const WHY: &str = "periodic (<garbage-collection><interval>)";
    if shared.settings.stripes <= 1 {
        if let Err(e) = shared.run_dgc(WHY).await {
            info!(reason = %e, "periodic DGC skipped");
        }
        return;
    }
    if shared.settings.stripe != 0 || !shared.ha.is_active() {
        tracing::debug!("periodic cluster DGC: started by stripe 0's active only");
        return;
    }
    match run_for(shared, WHY).await {
        Ok(r) => info!(
            epoch = r.epoch,
            removed = r.removed,
            rounds = r.rounds,
            "periodic cluster DGC done"
        ),
        Err(e) => {
            warn!(error = %e, "periodic cluster DGC failed (nothing removed on stripes that did not sweep)")
        }
    }
}

#[cfg(test)]
mod tests {
    //! The barrier, deterministically: two stripes' states marked in the order that loses an
    //! object without it (the integration test races a real mutator against real runs).
    #![allow(clippy::unwrap_used)]

    use std::collections::HashSet;

    use kiln_protocol::{Delta, DeltaOp, NodeInfo, ObjectId, ObjectState, Txn, Value};

    use super::Epoch;
    use crate::state::{ClientEntry, ClientStats, State};

    const C: &str = "t.Node";

    fn stripe(s: u8) -> State {
        let mut st = State {
            stripe: s,
            stripes: 2,
            ..State::default()
        };
        let (out, rx) = tokio::sync::mpsc::unbounded_channel();
        std::mem::forget(rx);
        st.clients.insert(
            1,
            ClientEntry {
                info: NodeInfo {
                    id: 1,
                    name: "m".into(),
                    pid: 1,
                    addr: "test".into(),
                },
                out,
                resident: HashSet::new(),
                last_seq: 0,
                subs: HashSet::new(),
                stats: ClientStats::default(),
            },
        );
        st
    }

    fn set(oid: ObjectId, to: Option<ObjectId>) -> Delta {
        Delta {
            oid,
            ops: vec![DeltaOp::SetField {
                class: C.into(),
                name: "next".into(),
                value: to.map_or(Value::Null, Value::Ref),
            }],
        }
    }

    /// Commits a transaction of client 1: `new` objects (with `next`) and `changes`.
    fn txn(st: &mut State, new: &[(ObjectId, Option<ObjectId>)], changes: Vec<Delta>) {
        let seq = st.clients[&1].last_seq + 1;
        let mut deltas: Vec<Delta> = new.iter().map(|(o, n)| set(*o, *n)).collect();
        deltas.extend(changes);
        st.apply_txn(
            1,
            Txn {
                seq,
                flags: 0,
                new_objects: new
                    .iter()
                    .map(|(o, _)| (*o, ObjectState::physical(C)))
                    .collect(),
                deltas,
                notifies: Vec::new(),
                dmis: Vec::new(),
            },
        )
        .unwrap()
        .unwrap();
    }

    fn open(st: &mut State, id: u64) {
        st.dgc_epoch = Some(Epoch::new(id));
    }

    fn evict_all(st: &mut State) {
        let ids: Vec<ObjectId> = st.clients[&1].resident.iter().copied().collect();
        ids.iter().for_each(|o| st.dgc_rescue(*o));
        st.clients.get_mut(&1).unwrap().resident.clear();
    }

    /// Runs mark rounds (stripe 0 first, as the coordinator does) until nothing new, then
    /// sweeps both; `between` runs after stripe 0's first mark, before stripe 1's.
    fn run(sts: &mut [State; 2], between: impl FnOnce(&mut [State; 2])) -> [usize; 2] {
        open(&mut sts[0], 9);
        open(&mut sts[1], 9);
        let mut pending: [Vec<ObjectId>; 2] = [Vec::new(), Vec::new()];
        let mut between = Some(between);
        loop {
            let mut any = false;
            for i in 0..2 {
                let ids = std::mem::take(&mut pending[i]);
                let step = sts[i].dgc_mark(9, &ids).unwrap();
                for f in step.foreign {
                    any = true;
                    pending[usize::from(f.stripe())].push(f);
                }
                if let Some(b) = between.take() {
                    b(sts);
                }
            }
            if !any {
                break;
            }
        }
        let mut removed = [0; 2];
        for i in 0..2 {
            let (report, _, _) = sts[i].dgc_sweep(9).unwrap().unwrap();
            removed[i] = report.removed;
        }
        removed
    }

    #[test]
    fn deletion_barrier_keeps_a_reference_moved_to_an_already_marked_stripe() {
        let mut sts = [stripe(0), stripe(1)];
        let (h0, h1, p) = (
            ObjectId::new(0, 1),
            ObjectId::new(1, 1),
            ObjectId::new(1, 2),
        );
        txn(&mut sts[1], &[(p, None), (h1, Some(p))], Vec::new());
        txn(&mut sts[0], &[(h0, None)], Vec::new());
        sts[0].roots.insert("r0".into(), Value::Ref(h0));
        sts[1].roots.insert("r1".into(), Value::Ref(h1));
        evict_all(&mut sts[0]);
        evict_all(&mut sts[1]);
        // After stripe 0 marked: p moves from stripe 1's h1 to stripe 0's h0 (link, then unlink);
        // the mutator never faults p. Without the barrier on h1, nobody marks p.
        let removed = run(&mut sts, |sts| {
            txn(&mut sts[0], &[], vec![set(h0, Some(p))]);
            txn(&mut sts[1], &[], vec![set(h1, None)]);
            evict_all(&mut sts[0]);
            evict_all(&mut sts[1]);
        });
        assert_eq!(removed, [0, 0]);
        assert!(sts[1].objects.contains(&p));
        // The next run: p is referenced from h0 only and survives; after unlinking it goes.
        assert_eq!(run(&mut sts, |_| {}), [0, 0]);
        txn(&mut sts[0], &[], vec![set(h0, None)]);
        evict_all(&mut sts[0]);
        assert_eq!(run(&mut sts, |_| {}), [0, 1]);
        assert!(!sts[1].objects.contains(&p));
    }

    #[test]
    fn creation_barrier_keeps_an_object_created_after_its_stripe_marked() {
        let mut sts = [stripe(0), stripe(1)];
        let (h0, h1, n) = (
            ObjectId::new(0, 1),
            ObjectId::new(1, 1),
            ObjectId::new(0, 5),
        );
        txn(&mut sts[0], &[(h0, None)], Vec::new());
        txn(&mut sts[1], &[(h1, Some(h0))], Vec::new());
        sts[0].roots.insert("r0".into(), Value::Ref(h0));
        sts[1].roots.insert("r1".into(), Value::Ref(h1));
        evict_all(&mut sts[0]);
        evict_all(&mut sts[1]);
        let removed = run(&mut sts, |sts| {
            // Created on stripe 0 after its mark, linked from h0 (marked already: a root, and
            // referenced from stripe 1), then the client leaves (nothing of it is rescued).
            txn(&mut sts[0], &[(n, None)], vec![set(h0, Some(n))]);
            sts[0].remove_client(1);
        });
        assert_eq!(removed, [0, 0]);
        assert!(sts[0].objects.contains(&n));
    }

    #[test]
    fn a_cycle_across_stripes_is_collected_and_a_sweep_that_reaches_new_ids_waits() {
        let mut sts = [stripe(0), stripe(1)];
        let (a, b) = (ObjectId::new(0, 1), ObjectId::new(1, 1));
        txn(&mut sts[0], &[(a, None)], Vec::new());
        txn(&mut sts[1], &[(b, Some(a))], Vec::new());
        txn(&mut sts[0], &[], vec![set(a, Some(b))]);
        evict_all(&mut sts[0]);
        evict_all(&mut sts[1]);
        assert_eq!(run(&mut sts, |_| {}), [1, 1]);
        // Not converged: a rescue reaching a foreign id unreported before blocks the sweep.
        let (c, d) = (ObjectId::new(0, 2), ObjectId::new(1, 2));
        txn(&mut sts[1], &[(d, None)], Vec::new());
        open(&mut sts[0], 3);
        sts[0].dgc_mark(3, &[]).unwrap();
        txn(&mut sts[0], &[(c, Some(d))], Vec::new());
        match sts[0].dgc_sweep(3).unwrap() {
            Err(foreign) => assert_eq!(foreign, vec![d]),
            Ok(_) => panic!("swept although a new foreign id was reached"),
        }
        assert!(sts[0].dgc_epoch.is_some(), "the epoch stays open");
        assert!(sts[0].dgc_mark(4, &[]).is_err(), "another epoch is refused");
        assert!(sts[0].dgc_mark(3, &[d]).is_err(), "a foreign id is refused");
    }

    #[test]
    fn the_deletion_barrier_rescues_what_each_kind_of_change_overwrote_or_removed() {
        let r = |n| Value::Ref(ObjectId::new(0, n));
        let id = |n| ObjectId::new(0, n);
        let cases: Vec<(ObjectState, Vec<DeltaOp>, Vec<ObjectId>)> = vec![
            (
                ObjectState::map(),
                vec![
                    DeltaOp::Put {
                        key: r(1),
                        value: r(2),
                    },
                    DeltaOp::Put {
                        key: r(1),
                        value: r(3),
                    },
                    DeltaOp::Remove { key: r(1) },
                ],
                vec![id(1), id(2), id(1), id(3)],
            ),
            (
                ObjectState::map(),
                vec![
                    DeltaOp::Put {
                        key: Value::I64(1),
                        value: r(4),
                    },
                    DeltaOp::Clear,
                ],
                vec![id(4)],
            ),
            (
                ObjectState::list(),
                vec![
                    DeltaOp::Add { value: r(5) },
                    DeltaOp::Add { value: r(6) },
                    DeltaOp::RemoveAt { index: 0 },
                    DeltaOp::RemoveValue { value: r(6) },
                ],
                vec![id(5), id(6)],
            ),
            (
                ObjectState::queue(),
                vec![DeltaOp::Offer { value: r(7) }, DeltaOp::Poll],
                vec![id(7)],
            ),
            (
                ObjectState::set(),
                vec![
                    DeltaOp::Add { value: r(8) },
                    DeltaOp::RemoveValue { value: r(8) },
                ],
                vec![id(8)],
            ),
        ];
        for (mut st, ops, want) in cases {
            let mut e = Epoch::new(1);
            for op in &ops {
                let u = st.apply(op).unwrap();
                e.rescue_undo(u);
            }
            assert_eq!(e.rescue, want, "{ops:?}");
        }
    }

    #[test]
    fn an_epoch_without_its_coordinator_is_given_up_and_its_rescues_freed() {
        let mut st = stripe(0);
        open(&mut st, 4);
        let e = st.dgc_epoch.as_mut().unwrap();
        e.last_call = std::time::Instant::now()
            .checked_sub(super::ABANDONED + std::time::Duration::from_secs(1))
            .unwrap();
        for i in 1..=4096 {
            st.dgc_rescue(ObjectId::new(0, i));
        }
        let e = st.dgc_epoch.as_ref().unwrap();
        assert!(e.abandoned && e.rescue.is_empty());
        let err = st.dgc_mark(4, &[]).unwrap_err();
        assert!(err.contains("was given up"), "{err}");
        assert!(st.dgc_epoch.is_none(), "dropped at its next request");
    }
}

//! Management HTTP endpoint on `jmx-port`: `GET /status` (JSON), `GET /metrics` (Prometheus text),
//! `POST /stop[?force=true]`.

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
}

/// Builds the status document.
pub fn status_of(shared: &Shared) -> Status {
    let st = shared.state.lock();
    Status {
        server: shared.settings.name.clone(),
        state: if shared.shutdown.borrow().is_some() {
            "STOPPING"
        } else {
            "ACTIVE-COORDINATOR"
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
    }
}

/// Serves until aborted.
pub async fn serve(shared: Arc<Shared>, listener: TcpListener) {
    let app = Router::new()
        .route("/status", get(status))
        .route("/metrics", get(metrics))
        .route("/stop", post(stop))
        .with_state(shared);
    if let Err(e) = axum::serve(listener, app).await {
        warn!(error = %e, "management endpoint stopped");
    }
}

async fn status(AxState(shared): AxState<Arc<Shared>>) -> Json<Status> {
    Json(status_of(&shared))
}

async fn stop(
    AxState(shared): AxState<Arc<Shared>>,
    Query(q): Query<HashMap<String, String>>,
) -> impl IntoResponse {
    let force = q.get("force").is_some_and(|v| v == "true" || v == "1");
    info!(force, "stop requested through the management port");
    shared.request_shutdown(force);
    (
        StatusCode::ACCEPTED,
        Json(serde_json::json!({ "stopping": true, "force": force })),
    )
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
    let reg = Registry::new();
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
    counter("kiln_lock_recalls_total", "Lock recalls", recalls)?;
    counter("kiln_gtx", "Last global transaction id", s.gtx)?;
    let mut out = Vec::new();
    TextEncoder::new().encode(&reg.gather(), &mut out)?;
    Ok(String::from_utf8_lossy(&out).into_owned())
}

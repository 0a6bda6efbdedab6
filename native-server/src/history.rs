//! Statistics over time: a ring buffer of one-second samples (the last 15 minutes) and the
//! recent DGC runs, served as `GET /api/stats`.

use std::collections::VecDeque;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::Serialize;

use crate::server::Shared;

/// Sampling interval.
pub const INTERVAL: Duration = Duration::from_millis(1000);
/// Samples kept (15 minutes).
pub const MAX_SAMPLES: usize = 900;
/// DGC runs kept.
pub const MAX_DGC: usize = 256;

/// One sample.
#[derive(Debug, Clone, Serialize)]
pub struct Sample {
    /// Unix time, ms.
    pub t: u64,
    /// Transactions committed per second over the last interval.
    pub txn_per_s: f64,
    /// Transactions per journal sync (persistent) or per commit batch (in memory).
    pub commits_per_sync: f64,
    /// Objects faulted to clients per second.
    pub faults_per_s: f64,
    /// Objects stored.
    pub objects: usize,
}

/// One DGC run.
#[derive(Debug, Clone, Serialize)]
pub struct DgcRun {
    /// Unix time, ms.
    pub t: u64,
    /// Objects collected.
    pub collected: usize,
    /// Mark + sweep, ms.
    pub duration_ms: u64,
}

/// The ring buffers.
#[derive(Debug, Default)]
pub struct History {
    samples: VecDeque<Sample>,
    dgc: VecDeque<DgcRun>,
    last: Option<(std::time::Instant, u64, u64, u64)>,
}

/// Unix time now, ms.
pub fn unix_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
        .unwrap_or(0)
}

impl History {
    /// Records a DGC run.
    pub fn dgc(&mut self, r: &crate::state::DgcReport) {
        self.dgc.push_back(DgcRun {
            t: unix_ms(),
            collected: r.removed,
            duration_ms: (r.mark_micros + r.sweep_micros) / 1000,
        });
        while self.dgc.len() > MAX_DGC {
            self.dgc.pop_front();
        }
    }

    /// Takes one sample from cumulative counters (transactions, syncs, faults).
    pub fn sample(&mut self, txns: u64, syncs: u64, faults: u64, objects: usize) {
        let now = std::time::Instant::now();
        if let Some((t0, tx0, sy0, f0)) = self.last {
            let secs = now.duration_since(t0).as_secs_f64().max(1e-3);
            let dtx = txns.saturating_sub(tx0);
            let dsy = syncs.saturating_sub(sy0);
            self.samples.push_back(Sample {
                t: unix_ms(),
                txn_per_s: dtx as f64 / secs,
                commits_per_sync: if dsy == 0 {
                    0.0
                } else {
                    dtx as f64 / dsy as f64
                },
                faults_per_s: faults.saturating_sub(f0) as f64 / secs,
                objects,
            });
            while self.samples.len() > MAX_SAMPLES {
                self.samples.pop_front();
            }
        }
        self.last = Some((now, txns, syncs, faults));
    }

    /// The newest sample.
    pub fn latest(&self) -> Option<&Sample> {
        self.samples.back()
    }

    /// The `/api/stats` document.
    pub fn document(&self) -> serde_json::Value {
        serde_json::json!({
            "interval_ms": u64::try_from(INTERVAL.as_millis()).unwrap_or(1000),
            "samples": self.samples,
            "dgc": self.dgc,
        })
    }
}

/// Samples `shared` every [`INTERVAL`] until aborted.
pub async fn run(shared: Arc<Shared>) {
    let mut iv = tokio::time::interval(INTERVAL);
    iv.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        iv.tick().await;
        let (txns, batches, faults, objects) = {
            let st = shared.state.lock();
            (
                st.counters.txns_committed,
                st.counters.batches_committed,
                st.counters.objects_faulted,
                st.objects.len(),
            )
        };
        let syncs = shared
            .store
            .as_ref()
            .map(|s| s.stats().syncs.load(Ordering::Relaxed))
            .unwrap_or(batches);
        shared.history.lock().sample(txns, syncs, faults, objects);
    }
}

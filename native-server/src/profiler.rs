//! The lock profiler: per-lock requests, awards, recalls, contended acquisitions, hold and wait
//! times. Off by default; when off, every hook costs one relaxed atomic load. Memory is bounded:
//! at most `capacity` locks are tracked; when full, the lock with the fewest requests (the
//! coldest) is evicted to make room.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use kiln_protocol::LockId;
use serde::Serialize;

use crate::locks::ClientId;

/// Default number of locks the profiler keeps statistics for.
pub const DEFAULT_CAPACITY: usize = 10_000;

/// How many tracked locks a full profiler looks at to choose the one it evicts.
const EVICTION_SAMPLE: usize = 64;

/// Statistics of one lock.
#[derive(Debug, Default, Clone)]
pub struct LockStats {
    /// Requests received.
    pub requests: u64,
    /// Awards made.
    pub awards: u64,
    /// Recalls sent (greedy hops).
    pub recalls: u64,
    /// Requests that had to queue.
    pub contended: u64,
    hold_total_us: u64,
    /// Releases measured.
    holds: u64,
    /// Longest hold, microseconds.
    pub hold_max_us: u64,
    wait_total_us: u64,
    /// Longest wait, microseconds.
    pub wait_max_us: u64,
    /// Request time of queued requests, per client.
    pending: HashMap<ClientId, Instant>,
    /// Award time of current holds, per client.
    held_since: HashMap<ClientId, Instant>,
}

impl LockStats {
    /// Mean hold time, microseconds.
    pub fn hold_mean_us(&self) -> f64 {
        if self.holds == 0 {
            0.0
        } else {
            self.hold_total_us as f64 / self.holds as f64
        }
    }
    /// Mean wait time (over awards), microseconds.
    pub fn wait_mean_us(&self) -> f64 {
        if self.awards == 0 {
            0.0
        } else {
            self.wait_total_us as f64 / self.awards as f64
        }
    }
}

/// How `/api/locks` orders its top-N.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortKey {
    /// Mean wait time.
    Wait,
    /// Mean hold time.
    Hold,
    /// Contended acquisitions.
    Contention,
}

impl SortKey {
    /// Parses `wait`, `hold` or `contention`.
    pub fn parse(s: &str) -> Option<SortKey> {
        match s {
            "wait" => Some(SortKey::Wait),
            "hold" => Some(SortKey::Hold),
            "contention" => Some(SortKey::Contention),
            _ => None,
        }
    }
}

/// One lock in the `/api/locks` document.
#[derive(Debug, Clone, Serialize)]
pub struct LockReport {
    /// The lock id as text.
    pub lock: String,
    /// `object`, `name` or `class`.
    pub kind: &'static str,
    /// Requests.
    pub requests: u64,
    /// Awards.
    pub awards: u64,
    /// Recalls.
    pub recalls: u64,
    /// Contended acquisitions.
    pub contended: u64,
    /// Mean hold, µs.
    pub hold_mean_us: f64,
    /// Max hold, µs.
    pub hold_max_us: u64,
    /// Mean wait, µs.
    pub wait_mean_us: f64,
    /// Max wait, µs.
    pub wait_max_us: u64,
    /// Current holders.
    pub holders: Vec<String>,
    /// Current queue, in order.
    pub queue: Vec<String>,
}

/// The profiler (lives in the lock manager, under the state lock).
#[derive(Debug)]
pub struct LockProfiler {
    enabled: AtomicBool,
    capacity: usize,
    stats: HashMap<LockId, LockStats>,
}

impl Default for LockProfiler {
    fn default() -> Self {
        LockProfiler {
            enabled: AtomicBool::new(false),
            capacity: DEFAULT_CAPACITY,
            stats: HashMap::new(),
        }
    }
}

fn micros(from: Instant, to: Instant) -> u64 {
    u64::try_from(to.saturating_duration_since(from).as_micros()).unwrap_or(u64::MAX)
}

impl LockProfiler {
    /// Whether it counts.
    #[inline]
    pub fn enabled(&self) -> bool {
        self.enabled.load(Ordering::Relaxed)
    }
    /// Turns it on or off. Turning it on starts from empty statistics.
    pub fn set_enabled(&mut self, on: bool) {
        if on && !self.enabled() {
            self.stats.clear();
        }
        self.enabled.store(on, Ordering::Relaxed);
    }
    /// Sets how many locks are tracked (at least 1).
    pub fn set_capacity(&mut self, n: usize) {
        self.capacity = n.max(1);
    }
    /// Locks tracked.
    pub fn tracked(&self) -> usize {
        self.stats.len()
    }

    fn entry(&mut self, lock: &LockId) -> &mut LockStats {
        if !self.stats.contains_key(lock) && self.stats.len() >= self.capacity {
            // Approximate coldest (as Redis's sampled eviction): the idle lock with the fewest
            // requests among `EVICTION_SAMPLE` entries, so a full profiler costs a bounded scan per
            // new lock, not one over every tracked lock.
            let sample = || self.stats.iter().take(EVICTION_SAMPLE);
            let coldest = sample()
                .filter(|(_, s)| s.held_since.is_empty() && s.pending.is_empty())
                .min_by_key(|(_, s)| s.requests)
                .or_else(|| sample().min_by_key(|(_, s)| s.requests))
                .map(|(l, _)| l.clone());
            if let Some(l) = coldest {
                self.stats.remove(&l);
            }
        }
        self.stats.entry(lock.clone()).or_default()
    }

    /// A request arrived (`queued`: it could not be granted at once).
    #[inline]
    pub fn on_request(&mut self, lock: &LockId, client: ClientId, queued: bool, now: Instant) {
        if !self.enabled() {
            return;
        }
        let s = self.entry(lock);
        s.requests += 1;
        if queued {
            s.contended += 1;
            s.pending.insert(client, now);
        }
    }

    /// A try-lock (timeout 0) refused at once: a request, and contended, that never queued.
    #[inline]
    pub fn on_refused(&mut self, lock: &LockId) {
        if !self.enabled() {
            return;
        }
        let s = self.entry(lock);
        s.requests += 1;
        s.contended += 1;
    }

    /// An award (immediate, or from the queue).
    #[inline]
    pub fn on_award(&mut self, lock: &LockId, client: ClientId, now: Instant) {
        if !self.enabled() {
            return;
        }
        let s = self.entry(lock);
        s.awards += 1;
        if let Some(t) = s.pending.remove(&client) {
            let w = micros(t, now);
            s.wait_total_us += w;
            s.wait_max_us = s.wait_max_us.max(w);
        }
        s.held_since.entry(client).or_insert(now);
    }

    /// A recall was sent.
    #[inline]
    pub fn on_recall(&mut self, lock: &LockId) {
        if !self.enabled() {
            return;
        }
        self.entry(lock).recalls += 1;
    }

    /// A hold ended (release, recall commit, client gone) or a queued request left.
    #[inline]
    pub fn on_release(&mut self, lock: &LockId, client: ClientId, now: Instant) {
        if !self.enabled() {
            return;
        }
        if let Some(s) = self.stats.get_mut(lock) {
            s.pending.remove(&client);
            if let Some(t) = s.held_since.remove(&client) {
                let h = micros(t, now);
                s.hold_total_us += h;
                s.holds += 1;
                s.hold_max_us = s.hold_max_us.max(h);
            }
        }
    }

    /// The `top` locks by `key`, highest first.
    pub fn top(&self, top: usize, key: SortKey) -> Vec<(&LockId, &LockStats)> {
        let mut v: Vec<_> = self.stats.iter().collect();
        let score = |s: &LockStats| match key {
            SortKey::Wait => s.wait_mean_us(),
            SortKey::Hold => s.hold_mean_us(),
            SortKey::Contention => s.contended as f64,
        };
        v.sort_by(|a, b| score(b.1).total_cmp(&score(a.1)));
        v.truncate(top);
        v
    }

    /// Aggregates over all tracked locks: (requests, awards, recalls, contended, max wait µs).
    pub fn totals(&self) -> (u64, u64, u64, u64, u64) {
        self.stats.values().fold((0, 0, 0, 0, 0), |a, s| {
            (
                a.0 + s.requests,
                a.1 + s.awards,
                a.2 + s.recalls,
                a.3 + s.contended,
                a.4.max(s.wait_max_us),
            )
        })
    }
}

/// `object`, `name` or `class`.
pub fn kind_of(lock: &LockId) -> &'static str {
    match lock {
        LockId::Object(_) => "object",
        LockId::Named(_) => "name",
        LockId::Class(_) => "class",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_only_when_enabled_and_evicts_coldest() {
        let mut p = LockProfiler::default();
        let a = LockId::Named("a".into());
        let now = Instant::now();
        p.on_request(&a, 1, false, now);
        assert_eq!(p.tracked(), 0);
        p.set_enabled(true);
        p.set_capacity(2);
        p.on_request(&a, 1, false, now);
        p.on_award(&a, 1, now);
        p.on_request(&a, 2, true, now);
        p.on_recall(&a);
        p.on_release(&a, 1, now + std::time::Duration::from_millis(5));
        p.on_award(&a, 2, now + std::time::Duration::from_millis(5));
        let s = &p.stats[&a];
        assert_eq!((s.requests, s.awards, s.recalls, s.contended), (2, 2, 1, 1));
        assert_eq!(s.hold_max_us, 5000);
        assert_eq!(s.wait_max_us, 5000);
        let b = LockId::Named("b".into());
        let c = LockId::Named("c".into());
        p.on_request(&b, 3, false, now);
        p.on_request(&c, 3, false, now);
        assert_eq!(p.tracked(), 2);
        assert!(p.stats.contains_key(&a), "the busy (held) lock stays");
        assert!(p.stats.contains_key(&c));
        p.on_refused(&c);
        let s = &p.stats[&c];
        assert_eq!((s.requests, s.contended, s.awards), (2, 1, 0));
        assert!(
            s.pending.is_empty(),
            "a refused try-lock leaves nothing pending"
        );
    }
}

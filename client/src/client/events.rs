//! Events and counters a client reports: membership, connection state, DMI, change
//! notices, statistics.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use kiln_protocol::{DmiCall, NodeInfo, ObjectId, SubTarget};
use rustc_hash::FxHashSet;

/// A change of cluster membership, see [`Client::events`](crate::Client::events).
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

/// Where a client's connection stands, see [`Client::state`](crate::Client::state).
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
    /// Closed by [`Client::close`](crate::Client::close) or by dropping the last handle.
    Closed,
}

/// A distributed method call delivered to this client, see [`Client::dmi_events`](crate::Client::dmi_events).
#[derive(Debug, Clone, PartialEq)]
pub struct DmiEvent {
    /// The client whose transaction carried the call.
    pub from_client: u64,
    /// The global transaction id of that transaction.
    pub gtx: u64,
    /// The call.
    pub call: DmiCall,
}

/// A subscribed object or root changed, see [`Client::subscribe`](crate::Client::subscribe).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangeEvent {
    /// What changed.
    pub target: SubTarget,
    /// The transaction that changed it.
    pub gtx: u64,
    /// The client that committed it.
    pub from_client: u64,
}

/// Counters of a client, for tests and monitoring (see [`Client::stats`](crate::Client::stats)).
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
    /// Health-check and [`Client::ping`](crate::Client::ping) `Ping`s sent (each is one frame of `frames_sent`).
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
    /// Objects the server changed in the cache since the last [`ChangeTracker::take`].
    pub(crate) changes: ChangeTracker,
    /// Parked read holds wanted back ([`super::lock_table::ReleaseWanted`]).
    pub(crate) release_wanted: super::lock_table::ReleaseWanted,
}

/// What the server changed in this client's cache since the last
/// [`Client::take_changed`](crate::Client::take_changed).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Changed {
    /// Anything may have changed (tracking just started, more changed objects than the
    /// tracker keeps, or the cache was re-synchronised after a reconnect or failover):
    /// refresh everything derived from the cache.
    All,
    /// Exactly these objects (no duplicates, in no particular order; empty: nothing changed).
    Oids(Vec<ObjectId>),
}

/// Most changed objects a [`ChangeTracker`] keeps before it says [`Changed::All`].
pub(crate) const MAX_TRACKED_CHANGES: usize = 65_536;

#[derive(Debug, Default)]
struct Pending {
    all: bool,
    oids: FxHashSet<ObjectId>,
}

/// The oids of cached objects changed by the server (remote `Deltas`, stale after a resync,
/// objects dropped from the cache), for a cache user that keeps copies of its own (the Java
/// agent's resident objects). Off until [`ChangeTracker::enable`]: a client nobody asks keeps
/// nothing but one relaxed load per change. Bounded: past [`MAX_TRACKED_CHANGES`] oids it only
/// remembers "all".
///
/// Ordering: the reader notes a message's oids before it dispatches the next message of the
/// connection, so a lock award (a later message) is seen only after the changes that preceded
/// it are noted.
#[derive(Debug, Default)]
pub(crate) struct ChangeTracker {
    enabled: AtomicBool,
    /// Bumped at every note (a cheap "anything new?" test for the taker).
    seq: AtomicU64,
    pending: parking_lot::Mutex<Pending>,
    cv: parking_lot::Condvar,
}

impl ChangeTracker {
    /// Starts tracking. What changed before is unknown, so the first take says `All`.
    pub(crate) fn enable(&self) {
        // A load first: the agent calls this at every lock award (no shared-line write).
        if self.enabled.load(Ordering::Acquire) || self.enabled.swap(true, Ordering::AcqRel) {
            return;
        }
        self.note_all();
    }

    pub(crate) fn enabled(&self) -> bool {
        self.enabled.load(Ordering::Acquire)
    }

    /// Notes changed objects (nothing when tracking is off).
    pub(crate) fn note<I: IntoIterator<Item = ObjectId>>(&self, oids: I) {
        if !self.enabled() {
            return;
        }
        let mut p = self.pending.lock();
        if !p.all {
            p.oids.extend(oids);
            if p.oids.len() > MAX_TRACKED_CHANGES {
                p.all = true;
                p.oids = FxHashSet::default();
            }
        }
        self.seq.fetch_add(1, Ordering::AcqRel);
        drop(p);
        self.cv.notify_all();
    }

    /// Notes that anything may have changed (nothing when tracking is off).
    pub(crate) fn note_all(&self) {
        if !self.enabled() {
            return;
        }
        let mut p = self.pending.lock();
        p.all = true;
        p.oids = FxHashSet::default();
        self.seq.fetch_add(1, Ordering::AcqRel);
        drop(p);
        self.cv.notify_all();
    }

    /// A counter that moves whenever something is noted.
    pub(crate) fn seq(&self) -> u64 {
        self.seq.load(Ordering::Acquire)
    }

    /// The counter of [`Self::seq`] itself (read in place by the Java agent).
    pub(crate) fn seq_cell(&self) -> &AtomicU64 {
        &self.seq
    }

    /// What was noted since the last take (and forgets it).
    pub(crate) fn take(&self) -> Changed {
        let mut p = self.pending.lock();
        if std::mem::take(&mut p.all) {
            p.oids = FxHashSet::default();
            return Changed::All;
        }
        Changed::Oids(p.oids.drain().collect())
    }

    /// Blocks the calling thread until something is noted and not taken yet, or `timeout`
    /// passes; true when something is pending.
    pub(crate) fn wait(&self, timeout: Duration) -> bool {
        let deadline = std::time::Instant::now() + timeout;
        let mut p = self.pending.lock();
        while !p.all && p.oids.is_empty() {
            if self.cv.wait_until(&mut p, deadline).timed_out() {
                break;
            }
        }
        p.all || !p.oids.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn oids(c: Changed) -> Vec<u64> {
        match c {
            Changed::Oids(mut v) => {
                v.sort_unstable();
                v.into_iter().map(|o| o.0).collect()
            }
            Changed::All => panic!("expected oids, got All"),
        }
    }

    #[test]
    fn off_until_enabled_then_all_first() {
        let t = ChangeTracker::default();
        t.note([ObjectId(1)]);
        assert_eq!(t.seq(), 0, "nothing kept while off");
        assert_eq!(oids(t.take()), Vec::<u64>::new());
        t.enable();
        assert_eq!(t.take(), Changed::All, "what happened before is unknown");
        t.note([ObjectId(3), ObjectId(2), ObjectId(3)]);
        t.note([ObjectId(2)]);
        assert_eq!(oids(t.take()), vec![2, 3]);
        assert_eq!(oids(t.take()), Vec::<u64>::new(), "taken once");
    }

    #[test]
    fn bounded_overflow_says_all() {
        let t = ChangeTracker::default();
        t.enable();
        let _ = t.take();
        t.note((0..=MAX_TRACKED_CHANGES as u64).map(ObjectId));
        assert_eq!(t.take(), Changed::All);
        t.note([ObjectId(9)]);
        assert_eq!(oids(t.take()), vec![9]);
        t.note([ObjectId(9)]);
        t.note_all();
        t.note([ObjectId(10)]);
        assert_eq!(t.take(), Changed::All, "all absorbs later oids until taken");
    }

    #[test]
    fn wait_wakes_on_note_and_times_out() {
        let t = std::sync::Arc::new(ChangeTracker::default());
        t.enable();
        let _ = t.take();
        let start = std::time::Instant::now();
        assert!(!t.wait(Duration::from_millis(30)));
        assert!(start.elapsed() >= Duration::from_millis(30));
        let t2 = t.clone();
        let h = std::thread::spawn(move || t2.wait(Duration::from_secs(10)));
        std::thread::sleep(Duration::from_millis(20));
        t.note([ObjectId(5)]);
        assert!(h.join().expect("waiter"));
        assert!(start.elapsed() < Duration::from_secs(5));
        assert!(t.wait(Duration::from_secs(10)), "pending: returns at once");
    }
}

//! Events and counters a client reports: membership, connection state, DMI, change
//! notices, statistics.

use std::sync::atomic::AtomicU64;

use kiln_protocol::{DmiCall, NodeInfo, SubTarget};

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
}

//! The async client: connection, reader / writer / health tasks, cache, locks, roots.
//!
//! - [`builder`]: [`ClientBuilder`] and the first connect;
//! - [`handshake`]: `Hello` / `Welcome` / `Membership` on a new connection;
//! - [`inner`]: [`Inner`], the state every clone of a [`Client`] shares, and its life cycle;
//! - [`ids`]: the object-id pool;
//! - [`lock_table`]: lock entries, the slow acquire path, cluster waits;
//! - [`acks`]: the window, acknowledgements and rejections of committed transactions;
//! - [`reader`]: the reader task and the dispatch of incoming messages;
//! - [`health`]: the health-check task;
//! - [`reconnect`]: re-establishing a lost connection;
//! - [`events`]: events and counters;
//! - [`api`]: the public [`Client`] surface, [`LockHandle`], [`Subscription`].

use std::time::Duration;

mod acks;
mod api;
mod builder;
mod events;
mod fence;
mod handshake;
mod health;
mod ids;
mod inner;
mod lock_table;
mod reader;
mod reconnect;
mod stripes;
mod twopc;

pub use api::{Client, LockHandle, Subscription};
pub use builder::{ClientBuilder, HealthCheck};
pub use events::{ChangeEvent, Changed, ClientStats, ClusterEvent, ConnectionState, DmiEvent};
pub(crate) use inner::{Cached, Inner, LockEntry};

/// Default number of object ids leased per request.
const DEFAULT_ID_BATCH: u64 = 10_000;
/// Default bound on unacknowledged transactions.
pub const DEFAULT_WINDOW: usize = 20_000;
/// Default time a client keeps trying to reconnect after losing its connection (longer than
/// the server's default reconnect window of 120 s).
pub const DEFAULT_RECONNECT_TIMEOUT: Duration = Duration::from_secs(150);
/// Default pause between reconnect attempts of a [`ClientBuilder::new`] client (a client from a
/// configuration uses `l1.socket.reconnect.waitInterval`).
pub const DEFAULT_RECONNECT_INTERVAL: Duration = Duration::from_millis(250);
/// Rejected transaction ranges remembered for waiters (merged when consecutive).
const MAX_REJECTIONS: usize = 1024;

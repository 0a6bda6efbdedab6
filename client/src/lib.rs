//! # kiln — the Rust client of Kiln
//!
//! Kiln lets several processes share one object graph as if it lived in each of their heaps.
//! The server (the L2) owns the graph; this crate is a client (an L1): it faults objects in
//! lazily, changes them under cluster locks and receives the changes other clients make.
//!
//! - [`Client`] is the async client (tokio). [`blocking::Client`] is the same surface for
//!   ordinary threads.
//! - [`Client::lock`] acquires a cluster lock and returns a [`Txn`]: the guard *is* the
//!   transaction. Changes made through it apply to the local cache at once and are sent when
//!   it is released. Locks are *greedy*: once the server awarded this client a lock, its tasks
//!   re-acquire it with no network traffic until another client asks for it.
//! - Roots name the entry points of the graph; [`Client::map`], [`Client::list`],
//!   [`Client::set`] and [`Client::queue`] give typed handles over root collections.
//! - `wait`/`notify` ([`Txn::wait`], [`Txn::notify`]), distributed method calls
//!   ([`Txn::invoke`], [`Client::dmi_events`]), change callbacks ([`Client::subscribe`]) and
//!   cluster membership ([`Client::nodes`], [`Client::events`]).
//! - A lost connection is re-established ([`ClientBuilder::reconnect`]): against a server that
//!   restarted with persistence the client keeps its id, locks, waiters and cache, and sends its
//!   unacknowledged transactions again; operations wait meanwhile ([`Client::state`]).
//! - Transactions the server could not make durable are rejected
//!   ([`Error::StorageUnavailable`], reported by [`Client::flush`] and SyncWrite commits).
//!
//! ```no_run
//! use kiln::{Client, LockId, LockLevel};
//! # async fn demo() -> kiln::Result<()> {
//! let client = Client::connect("127.0.0.1:9510").await?;
//! let hits = client.map("hits").await?;
//! let mut tx = client.lock(LockId::Named("hits".into()), LockLevel::Write).await?;
//! let n = hits.get(&client, "/").await?.and_then(|v| v.as_i64()).unwrap_or(0);
//! hits.put(&mut tx, "/", n + 1)?;
//! tx.commit().await?;
//! client.close().await?;
//! # Ok(()) }
//! ```
#![deny(unsafe_code)]
#![warn(missing_docs)]

pub mod blocking;
pub mod bridge;
mod client;
mod collections;
mod error;
mod locks;
mod outbound;
mod txn;

pub use client::{
    ChangeEvent, Changed, Client, ClientBuilder, ClientStats, ClusterEvent, ConnectionState,
    DmiEvent, HealthCheck, LockHandle, Subscription, DEFAULT_RECONNECT_INTERVAL,
    DEFAULT_RECONNECT_TIMEOUT, DEFAULT_WINDOW,
};
pub use collections::{Array, List, Map, Object, Queue, Set, ToValue};
pub use error::{Error, Result};
pub use txn::{Txn, WaitInterrupter};

pub use kiln_protocol::{
    ArrayData, Delta, DeltaOp, DmiCall, ErrorCode, Field, LockId, LockLevel, NodeInfo, ObjectData,
    ObjectId, ObjectState, SubTarget, Value, WakeReason,
};

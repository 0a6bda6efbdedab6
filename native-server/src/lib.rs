//! # kiln-server
//!
//! The Kiln L2: a tokio listener with one session per client, the object store and roots, the
//! transaction pipeline (apply in order → global transaction id → [commit stages] → broadcast and
//! acknowledge), the greedy-lease lock manager, DMI fan-out, change notices, membership events and a
//! management HTTP endpoint. See `docs/architecture.md`.
#![deny(unsafe_code)]

pub mod admin;
pub mod console;
pub mod dgc;
mod error;
pub mod ha;
pub mod history;
pub mod locks;
pub mod mgmt;
pub mod objects;
pub mod pipeline;
pub mod profiler;
pub mod server;
pub mod state;
pub mod store;
pub mod twopc;

pub use error::ServerError;
pub use server::{run, serve, Listen, Pending, Settings, Shared};

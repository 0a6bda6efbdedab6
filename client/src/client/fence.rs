//! Epoch fence on the client side (issue #11, item 5): a client that has seen epoch N (the
//! `Welcome.epoch` of the active it was connected to) refuses a server at an older epoch — a
//! deposed active that has not noticed yet — and moves on to the next address: it applies and
//! acknowledges nothing from it.
//!
//! Cluster identity: a client that reconnects (failover or `l2.l1reconnect`) refuses a server
//! whose `Welcome.cluster_id` is not the cluster it was connected to: same addresses, group and
//! server names, but another cluster's data — replaying its transactions there would write them
//! into a foreign graph.

use std::sync::atomic::Ordering;

use crate::Error;

use super::handshake::WelcomeInfo;
use super::inner::Inner;

/// `Err(reason)` when the server that answered with `welcome` is at an epoch older than the
/// newest this client has seen.
pub(super) fn check_epoch(inner: &Inner, welcome: &WelcomeInfo, addr: &str) -> Result<(), String> {
    let seen = inner.server_epoch.load(Ordering::Acquire);
    if welcome.epoch >= seen {
        return Ok(());
    }
    tracing::warn!(
        %addr,
        server = %welcome.server_name,
        epoch = welcome.epoch,
        seen_epoch = seen,
        "refusing a server at an older epoch (fenced: it was deposed); trying the next address"
    );
    Err(format!(
        "server '{}' at {addr} is at epoch {}, older than epoch {seen} this client has seen (a deposed active): refused",
        welcome.server_name, welcome.epoch
    ))
}

/// `Err` when the server that answered with `welcome` belongs to another cluster than the one
/// this client was connected to (both ids known). A server of the same cluster that had no id
/// before gives this client its id.
pub(super) fn check_cluster(inner: &Inner, welcome: &WelcomeInfo, addr: &str) -> Result<(), Error> {
    let mut known = inner.cluster_id.lock();
    if *known == 0 || welcome.cluster_id == 0 || welcome.cluster_id == *known {
        if *known == 0 {
            *known = welcome.cluster_id;
        }
        return Ok(());
    }
    let reason = format!(
        "the server '{}' at {addr} belongs to cluster {:032x}, not to cluster {:032x} this client (id {}) was connected to: \
         refusing to reconnect to it (its unacknowledged transactions are not replayed into another cluster's graph; \
         check the server addresses and the servers' <data> directories)",
        welcome.server_name, welcome.cluster_id, *known, inner.client_id
    );
    tracing::error!(%addr, server = %welcome.server_name, "{reason}");
    Err(Error::ReconnectFailed { reason })
}

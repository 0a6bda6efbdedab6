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

/// `Err(Error::WrongStripe)` when the server that answered with `welcome` serves another
/// stripe, or belongs to a cluster with another number of stripes, than this client was
/// configured with (`stripe` of `stripes`: the position of the server's group among the
/// client's groups). A client with the wrong number of groups would hash roots and named locks
/// to the wrong stripes (docs/protocol.md §9.11).
pub(super) fn check_stripe(
    welcome: &WelcomeInfo,
    addr: &str,
    stripe: u8,
    stripes: u8,
) -> Result<(), Error> {
    let theirs = welcome.stripes.max(1);
    if welcome.stripe == stripe && theirs == stripes.max(1) {
        return Ok(());
    }
    let mine = if stripes <= 1 {
        "this client was given one group (stripe 0 of 1): give it every <mirror-group> of the \
         servers' configuration (a tc-config.xml with the groups, or a connect string `h:p;h:p`)"
            .to_string()
    } else {
        format!(
            "this client lists it in group {} of {} (stripe {stripe} of {stripes}): the client's \
             groups must be the servers' <mirror-group>s, all of them, in configuration order",
            u16::from(stripe) + 1,
            stripes
        )
    };
    let message = format!(
        "server '{}' at {addr} serves stripe {} of {theirs}, but {mine}",
        welcome.server_name, welcome.stripe
    );
    tracing::error!(%addr, server = %welcome.server_name, "{message}");
    Err(Error::WrongStripe { message })
}

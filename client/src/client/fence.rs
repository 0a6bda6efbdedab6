//! Epoch fence on the client side (issue #11, item 5): a client that has seen epoch N (the
//! `Welcome.epoch` of the active it was connected to) refuses a server at an older epoch — a
//! deposed active that has not noticed yet — and moves on to the next address: it applies and
//! acknowledges nothing from it.

use std::sync::atomic::Ordering;

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

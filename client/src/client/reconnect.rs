//! Reconnect after a lost connection: pause, re-assert, resume (protocol.md §9.9).

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

use kiln_protocol::frame::{self, FrameDecoder};
use kiln_protocol::{ErrorCode, LockId, LockLevel, Message, NodeInfo, ObjectId, Reconnect};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::Error;

use super::events::ClusterEvent;
use super::handshake::{handshake, Handshake};
use super::inner::{Inner, LockEntry};

/// How a client reconnects (from its builder).
#[derive(Debug, Clone)]
pub(super) struct ReconnectCfg {
    pub(super) addrs: Vec<String>,
    pub(super) name: String,
    pub(super) connect_timeout: Duration,
    pub(super) interval: Duration,
    pub(super) timeout: Duration,
}

impl Inner {
    /// Connection `gen` ended (EOF, I/O error, health check, server shutting down). Without
    /// reconnect the client fails; otherwise it starts reconnecting: the outbound queue pauses
    /// (producers keep queueing), the state the server will forget is marked to be sent again,
    /// and the reconnect task starts.
    pub(crate) fn connection_lost(self: &Arc<Self>, gen: u64, err: Error) {
        let Some(cfg) = self.reconnect.clone() else {
            return self.fail_conn(gen, err);
        };
        if self.closed.load(Ordering::Acquire) {
            return self.fail_conn(gen, err);
        }
        {
            let _g = self.gate.write();
            if self.failed.load(Ordering::Acquire)
                || self.reconnecting.load(Ordering::Acquire)
                || self.out.gen() != gen
            {
                return; // already handled (or failed)
            }
            self.reconnecting.store(true, Ordering::Release);
            // Everything queued but transactions is dropped: rebuilt below / on resume.
            self.out.pause();
            let entries: Vec<Arc<LockEntry>> = self.locks.read().values().cloned().collect();
            for e in &entries {
                self.with_core_ungated(e, |c, ctx| c.on_connection_lost(ctx));
            }
            for p in self.pending.lock().values_mut() {
                p.resend = true;
            }
            for (_, resend) in self.pings.lock().values_mut() {
                *resend = true;
            }
            *self.resubscribe.lock() = self.subs.lock().map.keys().cloned().collect();
            // The unused rest of the id lease is given up: the restarted server may lease those
            // ids again. A new lease is asked for once reconnected.
            let mut ids = self.ids.lock();
            ids.ranges.clear();
            ids.remaining = 0;
            ids.requested = false;
        }
        tracing::warn!(
            client_id = self.client_id,
            error = %err,
            timeout = ?cfg.timeout,
            "connection to the server lost: reconnecting"
        );
        let _ = self.events.send(ClusterEvent::Reconnecting);
        let mut tasks = self.tasks.lock();
        tasks.abort_all();
        tasks.others.push(tokio::spawn(reconnect_loop(
            self.clone(),
            cfg,
            err.to_string(),
        )));
    }

    /// The `Reassert` for a new connection: every cached object the server knows (with its
    /// version), every lease held, every local thread in a cluster `wait()`. Also returns the
    /// waiters to interrupt again. Queued `Wait`s / `Interrupt`s are dropped: the `Reassert`
    /// and the resend cover them.
    pub(super) fn reassert(&self) -> (Message, Vec<u64>) {
        let _g = self.gate.write();
        let resident: Vec<(ObjectId, u64)> = self
            .cache
            .lock()
            .iter()
            .filter(|(_, c)| !c.unsent)
            .map(|(o, c)| (*o, c.version))
            .collect();
        let entries: Vec<Arc<LockEntry>> = self.locks.read().values().cloned().collect();
        let locks: Vec<(LockId, LockLevel)> = entries
            .iter()
            .filter_map(|e| e.core.lock().lease_level().map(|l| (e.id.clone(), l)))
            .collect();
        let now = Instant::now();
        let mut waiters: Vec<(u64, LockId, u64)> = Vec::new();
        let mut interrupts = Vec::new();
        for (id, w) in self.waits.lock().iter() {
            let ms = match w.deadline {
                None => 0,
                Some(d) => u64::try_from(d.saturating_duration_since(now).as_millis())
                    .unwrap_or(u64::MAX)
                    .max(1),
            };
            waiters.push((*id, w.lock.clone(), ms));
            if w.interrupted {
                interrupts.push(*id);
            }
        }
        waiters.sort_by_key(|w| w.0);
        interrupts.sort_unstable();
        self.out
            .remove_msgs(|m| matches!(m, Message::Wait { .. } | Message::Interrupt { .. }));
        (
            Message::Reassert {
                resident,
                locks,
                waiters,
            },
            interrupts,
        )
    }

    /// The server took the client back (`Resumed`): drops stale objects, queues what the lost
    /// connection left unanswered (unacknowledged transactions, lock requests, subscriptions,
    /// requests, pings, interrupts, an id lease) ahead of what was queued meanwhile, and starts
    /// the new connection's tasks. Returns false when the client was closed meanwhile.
    pub(super) fn resume(
        self: &Arc<Self>,
        hs: Handshake,
        stale: Vec<ObjectId>,
        interrupts: Vec<u64>,
        backlog: Vec<Message>,
        addr: &str,
    ) -> bool {
        let Handshake {
            rd,
            wr,
            buf,
            welcome,
            membership,
            ..
        } = hs;
        let wr = Arc::new(wr);
        let gen;
        {
            let _g = self.gate.write();
            if self.closed.load(Ordering::Acquire) || self.failed.load(Ordering::Acquire) {
                // Closed while reconnecting: say goodbye on the new connection, best effort.
                let _ = wr.try_write(&frame::to_bytes(&Message::Goodbye));
                return false;
            }
            self.evict_local(&stale);
            // Changed while away (the server compared every re-asserted version): copies
            // kept outside the cache refresh them (events.rs ChangeTracker).
            self.stats.changes.note(stale.iter().copied());
            let now = Instant::now();
            let mut prefix = Vec::new();
            let entries: Vec<Arc<LockEntry>> = self.locks.read().values().cloned().collect();
            for e in &entries {
                if let Some(m) = e.core.lock().take_resend(&e.id, now) {
                    self.stats.lock_requests.fetch_add(1, Ordering::Relaxed);
                    prefix.push(m);
                }
            }
            for target in std::mem::take(&mut *self.resubscribe.lock()) {
                prefix.push(Message::Subscribe { target });
            }
            {
                let mut pending = self.pending.lock();
                let mut reqs: Vec<(u64, Message)> = pending
                    .iter_mut()
                    .filter(|(_, p)| p.resend)
                    .map(|(id, p)| {
                        p.resend = false;
                        (*id, p.msg.clone())
                    })
                    .collect();
                reqs.sort_by_key(|r| r.0);
                prefix.extend(reqs.into_iter().map(|r| r.1));
            }
            for (nonce, (_, resend)) in self.pings.lock().iter_mut() {
                if std::mem::replace(resend, false) {
                    prefix.push(Message::Ping { nonce: *nonce });
                }
            }
            {
                let waits = self.waits.lock();
                for waiter_id in interrupts {
                    if waits.contains_key(&waiter_id) {
                        prefix.push(Message::Interrupt { waiter_id });
                    }
                }
            }
            {
                let mut ids = self.ids.lock();
                if !ids.requested {
                    ids.requested = true;
                    ids.last_request = Some(now);
                    prefix.push(Message::IdLeaseRequest { count: ids.batch });
                }
            }
            // The stale objects are fetched again after everything above — after the re-sent
            // transactions, whose changes the server's copies must include (the reader caches
            // the reply): an application that meets one before it arrives gets `NotResident`
            // and faults it itself.
            // Lock acquires wait for that reply (`refetch`), so a transaction begun after the
            // resume finds every object it had resident.
            if stale.is_empty() {
                self.refetch.store(0, Ordering::Release);
            } else {
                let req_id = self.next_req.fetch_add(1, Ordering::Relaxed);
                self.refetch.store(req_id, Ordering::Release);
                prefix.push(Message::Fault {
                    req_id,
                    oids: stale.clone(),
                    budget: 0,
                });
            }
            self.refetched.notify_waiters();
            gen = self.out.resume(prefix, &wr);
            self.reconnecting.store(false, Ordering::Release);
        }
        self.server_epoch.store(welcome.epoch, Ordering::Relaxed);
        self.stats.reconnects.fetch_add(1, Ordering::Relaxed);
        tracing::info!(
            client_id = self.client_id,
            %addr,
            epoch = welcome.epoch,
            unacked = self
                .out
                .last_seq
                .load(Ordering::Relaxed)
                .saturating_sub(self.acked.load(Ordering::Relaxed)),
            "reconnected"
        );
        // Membership: tell what changed while away (never "this node left").
        let (added, removed) = {
            let mut nodes = self.nodes.lock();
            let me = self.client_id;
            let removed: Vec<NodeInfo> = nodes
                .iter()
                .filter(|n| n.id != me && !membership.1.iter().any(|m| m.id == n.id))
                .cloned()
                .collect();
            let added: Vec<NodeInfo> = membership
                .1
                .iter()
                .filter(|n| n.id != me && !nodes.iter().any(|m| m.id == n.id))
                .cloned()
                .collect();
            *nodes = membership.1;
            (added, removed)
        };
        let _ = self.events.send(ClusterEvent::Reconnected);
        for n in removed {
            let _ = self.events.send(ClusterEvent::NodeLeft(n));
        }
        for n in added {
            let _ = self.events.send(ClusterEvent::NodeJoined(n));
        }
        for m in backlog {
            self.dispatch(m, gen);
        }
        self.start_tasks_attached(rd, wr, buf, gen);
        true
    }
}

/// How one reconnect attempt ended.
pub(super) enum Attempt {
    /// Try again (server down, connection broke, shutting down again...): the reason.
    Retry(String),
    /// Give up: the client fails with this error.
    Fatal(Error),
    /// A server of another cluster answered: the client fails at once with this error (the
    /// other addresses are not tried: the address list, or the servers' data, is wrong, and
    /// nothing of this client's session may go to a foreign graph).
    Foreign(Error),
}

/// Reconnects after a lost connection: rounds over the server addresses every
/// `cfg.interval` until one takes the client back or `cfg.timeout` passed.
pub(super) async fn reconnect_loop(inner: Arc<Inner>, cfg: ReconnectCfg, why: String) {
    let started = Instant::now();
    let deadline = started + cfg.timeout;
    let mut last = why.clone();
    let mut attempts = 0u64;
    // With several addresses (a server group) one server's refusal is not the last word: a
    // deposed or stale active may still refuse while the new active takes the client back.
    // The client fails when every address of a round refused.
    let mut refusal: Option<String> = None;
    loop {
        let mut refused_all = !cfg.addrs.is_empty();
        for addr in &cfg.addrs {
            if inner.closed.load(Ordering::Acquire) || inner.failed.load(Ordering::Acquire) {
                inner.fail(Error::Closed);
                return;
            }
            if Instant::now() >= deadline {
                break;
            }
            attempts += 1;
            tracing::debug!(%addr, attempts, "reconnecting");
            match reconnect_once(&inner, &cfg, addr, deadline).await {
                Ok(()) => return,
                Err(Attempt::Fatal(Error::ReconnectFailed { reason })) if cfg.addrs.len() > 1 => {
                    tracing::debug!(%addr, %reason, "reconnect refused: trying the other servers");
                    last = format!("{addr}: {reason}");
                    refusal = Some(reason);
                }
                Err(Attempt::Fatal(Error::ReconnectFailed { reason })) => {
                    inner.fail(Error::ReconnectFailed {
                        reason: format!("{reason} (after the connection was lost: {why})"),
                    });
                    return;
                }
                Err(Attempt::Fatal(e) | Attempt::Foreign(e)) => {
                    inner.fail(e);
                    return;
                }
                Err(Attempt::Retry(reason)) => {
                    refused_all = false;
                    tracing::debug!(%addr, %reason, "reconnect attempt failed");
                    last = if cfg.addrs.len() > 1 {
                        format!("{addr}: {reason}")
                    } else {
                        reason
                    };
                }
            }
        }
        if let (true, Some(reason)) = (refused_all, &refusal) {
            inner.fail(Error::ReconnectFailed {
                reason: format!(
                    "{reason} (every server refused: {}; after the connection was lost: {why})",
                    cfg.addrs.join(", ")
                ),
            });
            return;
        }
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            if let Some(reason) = refusal {
                inner.fail(Error::ReconnectFailed {
                    reason: format!("{reason} (after the connection was lost: {why})"),
                });
                return;
            }
            inner.fail(Error::ReconnectFailed {
                reason: format!(
                    "no server at {} took the client back within {:.1?} ({attempts} attempts; last error: {last}) after the connection was lost: {why}",
                    cfg.addrs.join(", "),
                    cfg.timeout
                ),
            });
            return;
        }
        tokio::select! {
            _ = tokio::time::sleep(cfg.interval.min(left)) => {}
            _ = inner.wake.notified() => {}
        }
    }
}

/// One reconnect attempt at `addr`: `Hello{reconnect}`, `Welcome` with the same client id,
/// `Reassert`, `Resumed`; then the client resumes on the new connection.
pub(super) async fn reconnect_once(
    inner: &Arc<Inner>,
    cfg: &ReconnectCfg,
    addr: &str,
    deadline: Instant,
) -> std::result::Result<(), Attempt> {
    let attempt_end = deadline.min(Instant::now() + cfg.connect_timeout);
    let hello = Reconnect {
        client_id: inner.client_id,
        last_acked_seq: inner.acked.load(Ordering::Acquire),
    };
    let hs =
        match tokio::time::timeout_at(attempt_end.into(), handshake(addr, &cfg.name, Some(hello)))
            .await
        {
            Err(_) => {
                return Err(Attempt::Retry(format!(
                    "no Welcome within {:.1?}",
                    cfg.connect_timeout
                )))
            }
            Ok(Ok(hs)) => hs,
            Ok(Err(Error::ServerError {
                code: ErrorCode::ShuttingDown,
                message,
            })) => return Err(Attempt::Retry(format!("server shutting down: {message}"))),
            Ok(Err(
                Error::Refused { message }
                | Error::VersionMismatch { message }
                | Error::ServerError { message, .. },
            )) => {
                return Err(Attempt::Fatal(Error::ReconnectFailed {
                    reason: format!(
                        "the server at {addr} refused the reconnect of client {}: {message}",
                        inner.client_id
                    ),
                }))
            }
            Ok(Err(Error::Io(e))) => return Err(Attempt::Retry(e.to_string())),
            Ok(Err(e)) => return Err(Attempt::Retry(e.to_string())),
        };
    // Another cluster's server first: it may even know a client with this id.
    super::fence::check_cluster(inner, &hs.welcome, addr).map_err(Attempt::Foreign)?;
    super::fence::check_stripe(&hs.welcome, addr, inner.stripe, inner.stripes)
        .map_err(Attempt::Foreign)?;
    if hs.welcome.client_id != inner.client_id || hs.membership.0 != inner.client_id {
        return Err(Attempt::Fatal(Error::ReconnectFailed {
            reason: format!(
                "the server at {addr} answered the reconnect of client {} with client id {} (it does not know this client)",
                inner.client_id, hs.welcome.client_id
            ),
        }));
    }
    super::fence::check_epoch(inner, &hs.welcome, addr).map_err(Attempt::Retry)?;
    let mut hs = hs;
    let (reassert, interrupts) = inner.reassert();
    if let Err(e) = hs.wr.write_all(&frame::to_bytes(&reassert)).await {
        return Err(Attempt::Retry(format!("write failed: {e}")));
    }
    // Wait for Resumed (the server may hold it while its reconnect window is open).
    let dec = FrameDecoder::new(frame::DEFAULT_MAX_FRAME);
    let mut backlog = std::mem::take(&mut hs.backlog);
    let stale = loop {
        let msg = match dec.next(&mut hs.buf) {
            Ok(Some(m)) => m,
            Ok(None) => {
                if inner.closed.load(Ordering::Acquire) {
                    return Err(Attempt::Fatal(Error::Closed));
                }
                let read = tokio::time::timeout_at(deadline.into(), hs.rd.read_buf(&mut hs.buf));
                match read.await {
                    Err(_) => {
                        return Err(Attempt::Fatal(Error::ReconnectFailed {
                            reason: format!(
                                "the server at {addr} did not answer the Reassert of client {} within {:.1?}",
                                inner.client_id, cfg.timeout
                            ),
                        }))
                    }
                    Ok(Ok(0)) => {
                        return Err(Attempt::Retry(
                            "server closed the connection before Resumed".into(),
                        ))
                    }
                    Ok(Ok(_)) => continue,
                    Ok(Err(e)) => return Err(Attempt::Retry(format!("read failed: {e}"))),
                }
            }
            Err(e) => return Err(Attempt::Retry(format!("undecodable message: {e}"))),
        };
        match msg {
            Message::Resumed { gtx, stale } => {
                tracing::debug!(gtx, stale = stale.len(), "resumed");
                break stale;
            }
            Message::Ping { nonce } => {
                if let Err(e) = hs.wr.write_all(&frame::to_bytes(&Message::Pong { nonce })).await {
                    return Err(Attempt::Retry(format!("write failed: {e}")));
                }
            }
            Message::Error {
                code: ErrorCode::ShuttingDown,
                message,
            } => return Err(Attempt::Retry(format!("server shutting down: {message}"))),
            Message::Error { code, message } => {
                return Err(Attempt::Fatal(Error::ReconnectFailed {
                    reason: format!(
                        "the server at {addr} rejected the Reassert of client {} ({code:?}): {message}",
                        inner.client_id
                    ),
                }))
            }
            other => backlog.push(other),
        }
    };
    // A writer of the lost connection may still be retaining what it took (no await point
    // between taking and retaining: this is a matter of microseconds).
    while inner.out.unretained() > 0 {
        if inner.failed.load(Ordering::Acquire) {
            return Err(Attempt::Fatal(Error::Closed));
        }
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    if inner.resume(hs, stale, interrupts, backlog, addr) {
        Ok(())
    } else {
        Err(Attempt::Fatal(Error::Closed))
    }
}

//! Transactions across stripes: the client side of two-phase commit (docs/protocol.md §9.12).
//!
//! A transaction lives on its lock's stripe (the **coordinator**). Changes it makes to objects
//! of other stripes are recorded per stripe ([`crate::Txn`] keeps them beside the lock
//! stripe's part); new objects are placed on the stripe of what links them and travel in that
//! stripe's part. At commit, when other stripes are involved — one round trip for the client:
//! 1. `Prepare{xid, part}` to every involved stripe in parallel (the participants first), and
//!    `Commit{xid, lock, participants, fence}` to the coordinator right behind its `Prepare`;
//! 2. each participant, once prepared, votes by asking the coordinator `Outcome`; the last vote
//!    decides: the coordinator applies its part and records the decision with the lock's fence
//!    (the commit point) and answers `Decided{gtx}` — the commit returns. Each participant
//!    applies its part on its question's answer; this client's later requests there wait for
//!    that server-side;
//! 3. any `PrepareFailed` (or a lost stripe) → `Decide{abort}` everywhere; the coordinator's
//!    answer to `Commit` is the outcome (aborted: the commit fails, nothing applied anywhere).
//!
//! The lock's next award (to any client) is preceded by `AwardFence{[(stripe, xid)]}` and used
//! only once each of those stripes answered `AwaitParts{xid}` ([`Inner::hold_award`]): a
//! reader under the same lock sees all of the transaction or none of it. One stripe: none of
//! this runs.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock, Weak};
use std::time::Duration;

use kiln_protocol::{Fence, LockId, Message, ObjectId, Txn as WireTxn, Xid};
use parking_lot::Mutex;
use tokio::sync::oneshot;

use crate::{Error, Result};

use super::inner::{Inner, PendingReq};

/// How long a fenced award waits for another stripe's connection before it is used anyway
/// (with a warning): a stripe without an active stops what needs it (seed 001).
const FENCE_WAIT: Duration = Duration::from_secs(10);

/// Per-connection state of two-phase commit (empty and unused with one stripe).
#[derive(Debug, Default)]
pub(crate) struct TwoPc {
    /// Every stripe's connection, by stripe (set once the client knows all of them).
    siblings: OnceLock<Vec<Weak<Inner>>>,
    /// Cross-stripe transactions this client coordinated (the xid sequence).
    next_xid: AtomicU64,
    /// `AwardFence`s received, by the `req_id` of the award they precede.
    award_fences: Mutex<HashMap<u64, Fence>>,
    /// Locks whose award waits for its fence: the messages about them received meanwhile,
    /// dispatched in order once the fence is reached.
    held_back: Mutex<HashMap<LockId, Vec<Message>>>,
}

impl TwoPc {
    /// Tells every stripe's connection about the others (`all[i]` serves stripe `i`).
    pub(crate) fn set_siblings(&self, all: &[Arc<Inner>]) {
        let _ = self.siblings.set(all.iter().map(Arc::downgrade).collect());
    }
}

/// The lock a server message is about, for the messages a held-back award must not overtake.
fn lock_of(m: &Message) -> Option<&LockId> {
    match m {
        Message::LockAward { lock, .. }
        | Message::LockRecall { lock, .. }
        | Message::LockTimeout { lock, .. }
        | Message::AwardFence { lock, .. } => Some(lock),
        _ => None,
    }
}

impl Inner {
    /// The connection of stripe `s` (this one for its own stripe).
    pub(crate) fn stripe_conn(self: &Arc<Self>, s: u8) -> Result<Arc<Inner>> {
        if s == self.stripe {
            return Ok(self.clone());
        }
        self.twopc
            .siblings
            .get()
            .and_then(|v| v.get(usize::from(s)))
            .and_then(Weak::upgrade)
            .ok_or_else(|| Error::WrongStripe {
                message: format!(
                    "stripe {s} is not one of the {} stripe(s) this client is connected to",
                    self.stripes
                ),
            })
    }

    /// Waits until each stripe of `fence` (other than this one: its deltas precede the award
    /// on this connection) has applied its transaction: `AwaitParts{xid}` to all of them at
    /// once; each `PartsDone` means that stripe applied the parts of `xid` (and its client's
    /// earlier ones) and every message it queued for this client before (their deltas) has
    /// been dispatched.
    async fn reach_fence(self: &Arc<Self>, fence: &[(u8, Xid)]) {
        let asked: Vec<_> = fence
            .iter()
            .filter(|(s, _)| *s != self.stripe)
            .map(|&(s, xid)| {
                let rx = self.stripe_conn(s).and_then(|c| {
                    let rx = c.request_queued(|req_id| Message::AwaitParts { req_id, xid })?;
                    Ok((c, rx))
                });
                (s, xid, rx)
            })
            .collect();
        let deadline = tokio::time::Instant::now() + FENCE_WAIT;
        for (s, xid, rx) in asked {
            let r = match rx {
                Ok((c, rx)) => match tokio::time::timeout_at(deadline, rx).await {
                    Ok(Ok(Message::PartsDone { .. })) => Ok(Ok(())),
                    Ok(Ok(other)) => Ok(Err(Error::lost(format!(
                        "{xid}: unexpected answer {} to AwaitParts",
                        other.name()
                    )))),
                    Ok(Err(_)) => Ok(Err(c.failure())),
                    Err(e) => Err(e),
                },
                Err(e) => Ok(Err(e)),
            };
            match r {
                Ok(Ok(())) => {}
                Ok(Err(e)) => {
                    tracing::warn!(stripe = s, %xid, error = %e, "fence not reached: the stripe's connection failed")
                }
                Err(_) => tracing::warn!(
                    stripe = s,
                    %xid,
                    "fence not reached within {} s: the award is used anyway",
                    FENCE_WAIT.as_secs()
                ),
            }
        }
    }

    /// The reader's hook for the messages about locks (several stripes only): `Some(m)` to
    /// dispatch now, `None` when it is held back behind a fenced award (dispatched in order
    /// once the fence is reached).
    pub(super) fn hold_award(self: &Arc<Self>, m: Message, gen: u64) -> Option<Message> {
        let Some(lock) = lock_of(&m) else {
            return Some(m);
        };
        let mut held = self.twopc.held_back.lock();
        if let Some(q) = held.get_mut(lock) {
            q.push(m);
            return None;
        }
        let fence = match &m {
            Message::AwardFence { req_id, fence, .. } => {
                self.twopc
                    .award_fences
                    .lock()
                    .insert(*req_id, fence.clone());
                return None;
            }
            Message::LockAward { req_id, .. } => self.twopc.award_fences.lock().remove(req_id),
            _ => None,
        };
        let Some(fence) = fence else {
            drop(held);
            return Some(m);
        };
        let lock = lock.clone();
        held.insert(lock.clone(), vec![m]);
        drop(held);
        let me = self.clone();
        tokio::spawn(async move {
            me.reach_fence(&fence).await;
            // Dispatched under the map's lock: the reader queues (or waits) meanwhile, so
            // nothing about this lock overtakes the award.
            let mut held = me.twopc.held_back.lock();
            for m in held.remove(&lock).unwrap_or_default() {
                me.dispatch(m, gen);
            }
        });
        None
    }

    /// Queues a request now (in connection order: nothing this client sends later on this
    /// connection overtakes it) and returns the receiver of its reply (sent again after a
    /// reconnect, as [`Inner::request`]).
    fn request_queued(
        &self,
        make: impl FnOnce(u64) -> Message,
    ) -> Result<oneshot::Receiver<Message>> {
        let req_id = self.next_req.fetch_add(1, Ordering::Relaxed);
        let (tx, rx) = oneshot::channel();
        let _g = self.gate();
        let mut pending = self.pending.lock();
        self.check_alive()?;
        let msg = make(req_id);
        if !self.out.push(msg.clone()) {
            return Err(self.failure());
        }
        pending.insert(
            req_id,
            PendingReq {
                tx,
                msg,
                resend: false,
            },
        );
        Ok(rx)
    }

    /// Commits a transaction whose changes span stripes: `home` is the part of this (the
    /// lock's) stripe, `foreign` the parts of the others. Returns once the coordinator decided
    /// (the transaction is committed; the participants apply their parts on their own).
    /// `fenced`: the lock is held (its next holder waits for the participants).
    pub(crate) async fn commit_across(
        self: &Arc<Self>,
        lock: &LockId,
        fenced: bool,
        home: WireTxn,
        foreign: Vec<(u8, WireTxn)>,
    ) -> Result<()> {
        let xid = Xid {
            stripe: self.stripe,
            client: self.client_id,
            seq: self.twopc.next_xid.fetch_add(1, Ordering::Relaxed) + 1,
        };
        let mut parts: Vec<(Arc<Inner>, WireTxn)> = Vec::with_capacity(foreign.len() + 1);
        parts.push((self.clone(), home));
        for (s, t) in foreign {
            parts.push((self.stripe_conn(s)?, t));
        }
        tracing::debug!(%xid, %lock, stripes = parts.len(), "two-phase commit");
        // One round trip: `Prepare` everywhere in parallel (the participants first: their
        // votes are on the critical path), and on the coordinator's connection, right after
        // its `Prepare`, the `Commit` it holds until every participant voted.
        let mut prepares: Vec<_> = (0..parts.len()).map(|_| None).collect();
        for i in (1..parts.len()).chain(std::iter::once(0)) {
            let (c, t) = &parts[i];
            let mut part = t.clone();
            part.seq = 0;
            part.flags = 0;
            prepares[i] = Some(c.request_queued(|req_id| Message::Prepare { req_id, xid, part }));
        }
        let participants: Vec<u8> = parts.iter().skip(1).map(|(c, _)| c.stripe).collect();
        let commit = self.request_queued(|req_id| Message::Commit {
            req_id,
            xid,
            lock: lock.clone(),
            participants,
            fence: fenced,
        });
        let mut failure: Option<Error> = None;
        for (rx, (c, _)) in prepares.into_iter().flatten().zip(&parts) {
            let r = match rx {
                Ok(rx) => rx.await.map_err(|_| c.failure()),
                Err(e) => Err(e),
            };
            let err = match r {
                Ok(Message::Prepared { .. }) => None,
                Ok(Message::PrepareFailed { code, message, .. }) => Some(Error::TxnRejected {
                    code,
                    message: format!(
                        "{xid} under lock {lock}: stripe {} refused its part: {message}; nothing of the transaction is committed",
                        c.stripe
                    ),
                }),
                Ok(other) => Some(Error::lost(format!(
                    "unexpected answer {} to Prepare",
                    other.name()
                ))),
                Err(e) => Some(e),
            };
            if failure.is_none() {
                failure = err;
            }
        }
        if let Some(e) = &failure {
            tracing::warn!(%xid, %lock, error = %e, "two-phase commit aborted");
            // The coordinator decides the abort (unless every vote let it commit already); a
            // participant follows the coordinator, not this message, and answers once it
            // knows. Nothing waits for those answers: the answer to `Commit` is the outcome.
            for (c, _) in &parts {
                let _ = c.request_queued(|req_id| Message::Decide {
                    req_id,
                    xid,
                    commit: false,
                });
            }
        }
        // The coordinator's answer to `Commit` is the outcome (with a failure above it can
        // still be a commit: a participant whose answer was lost had prepared and voted).
        let answer = match commit {
            Ok(rx) => rx.await.map_err(|_| self.failure()),
            Err(e) => Err(e),
        };
        let home_gtx = match answer {
            Ok(Message::Decided {
                commit: true, gtx, ..
            }) => gtx,
            Ok(Message::Decided { commit: false, .. }) => {
                return Err(failure.unwrap_or_else(|| Error::TxnRejected {
                    code: kiln_protocol::ErrorCode::Refused,
                    message: format!(
                        "{xid} under lock {lock}: the coordinator stripe {} aborted it (a participant did not prepare in time); nothing of the transaction is committed",
                        self.stripe
                    ),
                }));
            }
            Ok(other) => {
                return Err(failure.unwrap_or_else(|| {
                    Error::lost(format!(
                        "{xid}: unexpected answer {} to Commit",
                        other.name()
                    ))
                }))
            }
            Err(e) => return Err(failure.unwrap_or(e)),
        };
        self.set_versions(&parts[0].1, Some(home_gtx));
        for (c, t) in parts.iter().skip(1) {
            // Applied there once it learns the decision; the server sends the version with
            // any later fault or re-assert answer.
            c.set_versions(t, None);
        }
        self.stats.txns_committed.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }

    /// The objects `t` created or changed were sent (a later re-assert reports them at `gtx`,
    /// when known, up to date).
    fn set_versions(&self, t: &WireTxn, gtx: Option<u64>) {
        let mut cache = self.cache.lock();
        let oids = t
            .new_objects
            .iter()
            .map(|(o, _)| o)
            .chain(t.deltas.iter().map(|d| &d.oid));
        for oid in oids {
            if let Some(c) = cache.get_mut(oid) {
                if let Some(gtx) = gtx {
                    c.version = c.version.max(gtx);
                }
                c.unsent = false;
            }
        }
    }

    /// Drops `oids` (changed by a transaction that did not commit) from this connection's
    /// cache and tells the server.
    pub(crate) fn drop_uncommitted(&self, oids: Vec<ObjectId>) {
        if oids.is_empty() {
            return;
        }
        self.stats.changes.note(oids.iter().copied());
        self.evict_local(&oids);
        self.out.push(Message::Evict { oids });
    }
}

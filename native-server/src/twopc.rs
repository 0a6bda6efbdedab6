//! Transactions across stripes: the server side of two-phase commit (docs/protocol.md §9.12,
//! docs/architecture.md "Mirror groups (stripes)").
//!
//! A client whose transaction changes objects of several stripes sends each stripe its part in
//! a `Prepare{xid, part}`. The stripe checks the part exactly as a `TxnBatch` transaction
//! (ownership, existence, ops fit, references) without applying it, keeps it in [`Table`] and
//! *pins* the objects it touches: a `Fault` of one, and any other client's prepare or
//! transaction touching one, wait until the decision (bounded by [`PIN_WAIT`]). `Decide{xid,
//! commit}` applies the part through the ordinary commit pipeline (durable, replicated,
//! deltas to the other clients, notifies, DMIs) or drops it, and answers `Decided{gtx}`;
//! everything is idempotent by xid. A client that leaves with prepared parts has them
//! aborted. `LockFence{lock, fence}` records, per lock, the GTX each other stripe must have
//! delivered to the next holder: every later award of the lock is preceded by
//! `AwardFence{req_id, lock, fence}`.
//!
//! With one stripe none of this runs: the table stays empty and the hooks in `server.rs` /
//! `state.rs` test `stripes > 1` or an empty map first.

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::Arc;
use std::time::{Duration, Instant};

use kiln_protocol::{ErrorCode, LockId, Message, ObjectId, ObjectState, Txn, Xid};
use tracing::{debug, warn};

use crate::locks::ClientId;
use crate::server::{Pending, Shared};
use crate::state::{State, Violation};
use crate::store::Op;

/// How long a prepare, transaction or fault waits for a pinned object before it goes on (a
/// transaction or fault) or fails (a prepare: `PrepareFailed`).
pub const PIN_WAIT: Duration = Duration::from_secs(10);

/// Decisions remembered for idempotent re-sends (oldest forgotten first).
const MAX_DECIDED: usize = 65_536;

/// A prepared part: checked, not applied.
#[derive(Debug)]
struct PreparedPart {
    /// The client (on this stripe) that prepared it.
    client: ClientId,
    part: Txn,
    /// The objects it changes or creates (pinned).
    oids: Vec<ObjectId>,
}

/// Prepared parts, pins, decisions and lock fences of one stripe.
#[derive(Debug, Default)]
pub struct Table {
    parts: HashMap<Xid, PreparedPart>,
    pinned: HashMap<ObjectId, Xid>,
    decided: HashMap<Xid, (bool, u64)>,
    decided_order: VecDeque<Xid>,
    fences: HashMap<LockId, Vec<(u8, u64)>>,
    /// Woken whenever pins are released.
    unpinned: Arc<tokio::sync::Notify>,
}

impl Table {
    /// Prepared parts currently kept (for `/status` and tests).
    pub fn prepared(&self) -> usize {
        self.parts.len()
    }

    /// Objects currently pinned.
    pub fn pinned(&self) -> usize {
        self.pinned.len()
    }

    /// Whether any of `oids` is pinned by a part of a client other than `me`.
    fn pins_other(&self, me: ClientId, oids: &mut dyn Iterator<Item = ObjectId>) -> Option<Xid> {
        if self.pinned.is_empty() {
            return None;
        }
        oids.filter_map(|o| self.pinned.get(&o))
            .find(|x| self.parts.get(x).is_some_and(|p| p.client != me))
            .copied()
    }

    fn unpin(&mut self, p: &PreparedPart, xid: &Xid) {
        for o in &p.oids {
            if self.pinned.get(o) == Some(xid) {
                self.pinned.remove(o);
            }
        }
        self.unpinned.notify_waiters();
    }

    fn remember(&mut self, xid: Xid, commit: bool, gtx: u64) {
        if self.decided.insert(xid, (commit, gtx)).is_none() {
            self.decided_order.push_back(xid);
            while self.decided_order.len() > MAX_DECIDED {
                if let Some(old) = self.decided_order.pop_front() {
                    self.decided.remove(&old);
                }
            }
        }
    }

    /// Client `client` left for good: its prepared parts are aborted (nothing of them was
    /// visible) and their pins released.
    pub fn client_gone(&mut self, client: ClientId) {
        if self.parts.is_empty() {
            return;
        }
        let gone: Vec<Xid> = self
            .parts
            .iter()
            .filter(|(_, p)| p.client == client)
            .map(|(x, _)| *x)
            .collect();
        for xid in gone {
            if let Some(p) = self.parts.remove(&xid) {
                warn!(%xid, client, "a client left with a prepared part undecided: aborted");
                self.unpin(&p, &xid);
                self.remember(xid, false, 0);
            }
        }
    }

    /// A passive applies a replicated prepared part (kept and pinned as on its active).
    pub fn replicated_prepare(
        &mut self,
        xid: Xid,
        client: ClientId,
        part: &[u8],
    ) -> Result<(), String> {
        let part = Txn::decode_standalone(part)
            .map_err(|e| format!("replicated prepared part of {xid}: {e}"))?;
        if self.decided.contains_key(&xid) {
            return Ok(());
        }
        self.keep(xid, client, part);
        Ok(())
    }

    /// A passive applies a replicated decision.
    pub fn replicated_decision(&mut self, xid: Xid, commit: bool, gtx: u64) {
        if let Some(p) = self.parts.remove(&xid) {
            self.unpin(&p, &xid);
        }
        self.remember(xid, commit, gtx);
    }

    /// Prepared parts and decisions as group ops (the head of a passive's sync).
    pub fn snapshot(&self) -> Vec<kiln_protocol::group::GroupOp> {
        use kiln_protocol::group::GroupOp;
        let mut ops: Vec<GroupOp> = self
            .decided_order
            .iter()
            .filter_map(|x| {
                self.decided
                    .get(x)
                    .map(|(c, g)| GroupOp::Decided(*x, *c, *g))
            })
            .collect();
        ops.extend(
            self.parts
                .iter()
                .map(|(x, p)| GroupOp::PutPrepared(*x, p.client, p.part.to_bytes())),
        );
        ops
    }

    fn keep(&mut self, xid: Xid, client: ClientId, part: Txn) {
        let oids: Vec<ObjectId> = part
            .deltas
            .iter()
            .map(|d| d.oid)
            .chain(part.new_objects.iter().map(|(o, _)| *o))
            .collect();
        for o in &oids {
            self.pinned.insert(*o, xid);
        }
        self.parts.insert(xid, PreparedPart { client, part, oids });
    }

    /// The reconnect window closed: parts of clients that did not return are aborted.
    pub fn abort_absent(&mut self, present: &dyn Fn(ClientId) -> bool) -> Vec<Xid> {
        let gone: Vec<(Xid, ClientId)> = self
            .parts
            .iter()
            .filter(|(_, p)| !present(p.client))
            .map(|(x, p)| (*x, p.client))
            .collect();
        for (xid, client) in &gone {
            if let Some(p) = self.parts.remove(xid) {
                warn!(%xid, client, "the client of a prepared part did not return: aborted");
                self.unpin(&p, xid);
                self.remember(*xid, false, 0);
            }
        }
        gone.into_iter().map(|(x, _)| x).collect()
    }

    /// Before the `LockAward` of `req_id`: the lock's fence, if it has one.
    pub fn award_fence(&self, st: &State, client: ClientId, req_id: u64, lock: &LockId) {
        if self.fences.is_empty() {
            return;
        }
        if let Some(f) = self.fences.get(lock) {
            st.send(
                client,
                Message::AwardFence {
                    req_id,
                    lock: lock.clone(),
                    fence: f.clone(),
                },
            );
        }
    }
}

impl State {
    /// Checks `part` of a transaction across stripes exactly as [`State::apply_txn`] would
    /// apply it (ownership, new ids, existence, ops fit, references), without changing
    /// anything.
    pub fn check_part(&self, xid: &Xid, part: &Txn) -> Result<(), Violation> {
        let mut created: HashSet<ObjectId> = HashSet::new();
        for (oid, _) in &part.new_objects {
            if oid.0 == 0 || oid.stripe() != self.stripe {
                return Err(Violation::new(
                    ErrorCode::WrongStripe,
                    format!(
                        "{xid} creates object {oid} of stripe {}, but this server serves stripe {}",
                        oid.stripe(),
                        self.stripe
                    ),
                ));
            }
            if self.objects.contains(oid) || !created.insert(*oid) {
                return Err(Violation::new(
                    ErrorCode::OutOfOrder,
                    format!("{xid} creates object {oid}, which already exists"),
                ));
            }
        }
        for d in &part.deltas {
            self.check_object_owner(&format!("{xid} changes"), d.oid)?;
        }
        for n in &part.notifies {
            self.check_lock_owner(&n.lock)?;
        }
        let mut scratch: HashMap<ObjectId, ObjectState> = HashMap::new();
        for d in &part.deltas {
            let state = match scratch.get_mut(&d.oid) {
                Some(s) => s,
                None => {
                    let Some((_, s)) = self.objects.read(&d.oid) else {
                        return Err(Violation::new(
                            ErrorCode::UnknownObject,
                            format!(
                                "{xid} changes object {}, which the server does not have",
                                d.oid
                            ),
                        ));
                    };
                    scratch.entry(d.oid).or_insert(s)
                }
            };
            for op in &d.ops {
                state.apply(op).map_err(|e| {
                    Violation::new(
                        ErrorCode::BadOperation,
                        format!("{xid}, object {}: {e}", d.oid),
                    )
                })?;
            }
        }
        let mut dangling = None;
        let mut check = |r: ObjectId| {
            if self.stripes > 1 && r.stripe() != self.stripe {
                return;
            }
            if dangling.is_none() && !created.contains(&r) && !self.objects.contains(&r) {
                dangling = Some(r);
            }
        };
        for (_, s) in &part.new_objects {
            s.for_each_ref(&mut check);
        }
        for d in &part.deltas {
            d.ops.iter().for_each(|op| op.for_each_ref(&mut check));
        }
        if let Some(r) = dangling {
            return Err(Violation::new(
                ErrorCode::UnknownObject,
                format!("{xid} refers to object {r}, which neither exists nor is created in it"),
            ));
        }
        Ok(())
    }
}

/// Aborts (and records the decision of) the prepared parts whose client is not connected:
/// after a failover, once the reconnect window is closed (or there was none).
pub fn abort_absent(shared: &Shared, st: &mut State) {
    if st.twopc.parts.is_empty() {
        return;
    }
    let present: HashSet<ClientId> = st.clients.keys().copied().collect();
    let gone = st.twopc.abort_absent(&|c| present.contains(&c));
    if !gone.is_empty() {
        drop(shared.record(gone.into_iter().map(|x| Op::Decided(x, false, 0)).collect()));
    }
}

/// Waits (at most [`PIN_WAIT`]) until none of `oids` is pinned by another client's prepared
/// part. `Some(xid)`: still pinned by `xid` when the time ran out.
pub async fn wait_unpinned(
    shared: &Shared,
    me: ClientId,
    oids: &(dyn Fn() -> Vec<ObjectId> + Sync),
) -> Option<Xid> {
    if shared.settings.stripes <= 1 {
        return None;
    }
    let deadline = Instant::now() + PIN_WAIT;
    let mut list: Option<Vec<ObjectId>> = None;
    loop {
        let notify = {
            let st = shared.state.lock();
            if st.twopc.pinned.is_empty() {
                return None;
            }
            let l = list.get_or_insert_with(oids);
            match st.twopc.pins_other(me, &mut l.iter().copied()) {
                None => return None,
                Some(x) if Instant::now() >= deadline => return Some(x),
                Some(x) => {
                    debug!(%x, client = me, "waiting for a prepared part's decision");
                    st.twopc.unpinned.clone()
                }
            }
        };
        let n = notify.notified();
        tokio::pin!(n);
        n.as_mut().enable();
        // A decision between the check and `enable` is caught by the short timeout.
        let _ = tokio::time::timeout(Duration::from_millis(50), n).await;
    }
}

/// `Prepare{req_id, xid, part}` from client `me`.
pub async fn prepare(
    shared: &Arc<Shared>,
    me: ClientId,
    req_id: u64,
    xid: Xid,
    part: Txn,
) -> Result<(), Violation> {
    if shared.ha.is_group() && !shared.ha.is_active() {
        return Err(shared.deposed());
    }
    let oids = || part_oids(&part);
    let busy = wait_unpinned(shared, me, &oids).await;
    let Some(pending) = prepare_locked(shared, me, req_id, xid, part, busy) else {
        return Ok(());
    };
    let r = pending.wait(shared).await;
    if shared.ha.is_group() && !shared.ha.is_active() {
        return Err(shared.deposed());
    }
    let st = shared.state.lock();
    match r {
        Ok(()) => st.send(me, Message::Prepared { req_id, xid }),
        Err(e) => prepare_failed(
            &st,
            me,
            req_id,
            xid,
            ErrorCode::StorageUnavailable,
            format!("{xid} could not be prepared: {e}"),
        ),
    }
    Ok(())
}

fn part_oids(part: &Txn) -> Vec<ObjectId> {
    part.deltas
        .iter()
        .map(|d| d.oid)
        .chain(part.new_objects.iter().map(|(o, _)| *o))
        .collect()
}

fn prepare_failed(
    st: &State,
    me: ClientId,
    req_id: u64,
    xid: Xid,
    code: ErrorCode,
    message: String,
) {
    debug!(%xid, client = me, %message, "prepare failed");
    st.send(
        me,
        Message::PrepareFailed {
            req_id,
            xid,
            code,
            message,
        },
    );
}

/// The part of a prepare under the state lock: `Some(pending)` when the part was kept and is
/// being journaled (answered once that is done), `None` when it was answered already.
fn prepare_locked(
    shared: &Shared,
    me: ClientId,
    req_id: u64,
    xid: Xid,
    part: Txn,
    busy: Option<Xid>,
) -> Option<Pending> {
    let mut st = shared.state.lock();
    if st.twopc.parts.contains_key(&xid) {
        st.send(me, Message::Prepared { req_id, xid });
        return None;
    }
    if let Some(&(commit, _)) = st.twopc.decided.get(&xid) {
        if commit {
            st.send(me, Message::Prepared { req_id, xid });
        } else {
            let m = format!("{xid} was aborted already");
            prepare_failed(&st, me, req_id, xid, ErrorCode::OutOfOrder, m);
        }
        return None;
    }
    if let Some(other) = busy {
        let m = format!(
            "{xid}: its objects are still pinned by the undecided {other} after {} s",
            PIN_WAIT.as_secs()
        );
        prepare_failed(&st, me, req_id, xid, ErrorCode::Refused, m);
        return None;
    }
    if let Err(v) = st.check_part(&xid, &part) {
        prepare_failed(&st, me, req_id, xid, v.code, v.message);
        return None;
    }
    // Journaled (replicated to the passives) before it is acknowledged: a failover keeps it.
    let pending = shared.record(vec![Op::PutPrepared(xid, me, part.to_bytes())]);
    st.twopc.keep(xid, me, part);
    if pending.is_empty() {
        st.send(me, Message::Prepared { req_id, xid });
        return None;
    }
    Some(pending)
}

/// `Decide{req_id, xid, commit}` from client `me`.
pub async fn decide(
    shared: &Arc<Shared>,
    me: ClientId,
    req_id: u64,
    xid: Xid,
    commit: bool,
) -> Result<(), Violation> {
    if shared.ha.is_group() && !shared.ha.is_active() {
        return Err(shared.deposed());
    }
    let (applied, pending) = {
        let mut st = shared.state.lock();
        if let Some(&(c, gtx)) = st.twopc.decided.get(&xid) {
            st.send(
                me,
                Message::Decided {
                    req_id,
                    xid,
                    commit: c,
                    gtx,
                },
            );
            return Ok(());
        }
        let Some(p) = st.twopc.parts.remove(&xid) else {
            if commit {
                return Err(Violation::new(
                    ErrorCode::OutOfOrder,
                    format!("commit of {xid}, which was never prepared on this stripe"),
                ));
            }
            st.twopc.remember(xid, false, 0);
            st.send(
                me,
                Message::Decided {
                    req_id,
                    xid,
                    commit: false,
                    gtx: 0,
                },
            );
            return Ok(());
        };
        st.twopc.unpin(&p, &xid);
        if !commit {
            st.twopc.remember(xid, false, 0);
            let pending = shared.record(vec![Op::Decided(xid, false, 0)]);
            let aborted = Message::Decided {
                req_id,
                xid,
                commit: false,
                gtx: 0,
            };
            if pending.is_empty() {
                st.send(me, aborted);
                return Ok(());
            }
            (Err(aborted), pending)
        } else {
            let mut part = p.part;
            part.seq = 0;
            part.flags = 0;
            let applied = st.apply_checked(me, part).map_err(|v| {
            warn!(%xid, code = ?v.code, reason = %v.message, "a prepared part no longer applies");
            Violation::new(
                ErrorCode::Internal,
                format!("{xid}: the prepared part no longer applies: {}", v.message),
            )
        })?;
            let replicated = !shared.ha.links.lock().is_empty();
            let pending = if shared.store.is_some() || replicated {
                // The part's changes and the decision travel in one record: a passive that has
                // one has the other.
                let mut ops = st.durable_ops(me, std::slice::from_ref(&applied));
                ops.push(Op::Decided(xid, true, applied.gtx));
                shared.record(ops)
            } else {
                Pending {
                    durable: None,
                    repl: None,
                }
            };
            if pending.is_empty()
                && shared.pipeline.is_empty()
                && crate::ha::zap::may_ack_now(shared)
            {
                let gtx = applied.gtx;
                st.publish(me, vec![applied]);
                st.twopc.remember(xid, true, gtx);
                st.send(
                    me,
                    Message::Decided {
                        req_id,
                        xid,
                        commit: true,
                        gtx,
                    },
                );
                return Ok(());
            }
            (Ok(applied), pending)
        }
    };
    let applied = match applied {
        Ok(a) => a,
        Err(aborted) => {
            let _ = pending.wait(shared).await;
            shared.state.lock().send(me, aborted);
            return Ok(());
        }
    };
    let mut err = pending.wait(shared).await.err();
    if shared.ha.is_group() && !shared.ha.is_active() {
        return Err(shared.deposed());
    }
    test_exit_after_decided(&xid);
    if err.is_none() {
        if let Err(e) = shared
            .pipeline
            .commit(me, std::slice::from_ref(&applied))
            .await
        {
            err = Some(e.to_string());
        }
    }
    let mut st = shared.state.lock();
    if let Some(message) = err {
        let repair = st.rollback(me, vec![applied]);
        let _ = shared.replicate(&repair);
        if let Some(store) = &shared.store {
            store.repair(repair);
        }
        st.twopc.remember(xid, false, 0);
        return Err(Violation::new(
            ErrorCode::StorageUnavailable,
            format!("{xid} could not be committed: {message}"),
        ));
    }
    let gtx = applied.gtx;
    st.publish(me, vec![applied]);
    st.twopc.remember(xid, true, gtx);
    st.send(
        me,
        Message::Decided {
            req_id,
            xid,
            commit: true,
            gtx,
        },
    );
    Ok(())
}

/// Test hook (debug builds only): with `KILN_TEST_EXIT_AFTER_DECIDED=<file>` in its
/// environment, the server exits (as if killed) once `<file>` exists, after a commit decision
/// was replicated and before it is answered or published — the coordinator dying mid-commit,
/// deterministically. The file is removed first (one exit per file).
fn test_exit_after_decided(xid: &Xid) {
    if !cfg!(debug_assertions) {
        return;
    }
    let Some(f) = std::env::var_os("KILN_TEST_EXIT_AFTER_DECIDED") else {
        return;
    };
    if std::fs::remove_file(&f).is_ok() {
        warn!(%xid, "KILN_TEST_EXIT_AFTER_DECIDED: exiting after the decision was replicated");
        std::process::exit(137);
    }
}

/// `LockFence{lock, fence}`: merged into the lock's fence (highest GTX per stripe).
pub fn lock_fence(st: &mut State, lock: LockId, fence: Vec<(u8, u64)>) -> Result<(), Violation> {
    st.check_lock_owner(&lock)?;
    let f = st.twopc.fences.entry(lock).or_default();
    for (s, g) in fence {
        match f.iter_mut().find(|(x, _)| *x == s) {
            Some((_, old)) => *old = (*old).max(g),
            None => f.push((s, g)),
        }
    }
    Ok(())
}

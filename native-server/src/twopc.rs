//! Transactions across stripes: the server side of two-phase commit (docs/protocol.md §9.12,
//! docs/architecture.md "Mirror groups (stripes)").
//!
//! A client whose transaction changes objects of several stripes sends each stripe its part in
//! a `Prepare{xid, part}`. The stripe checks the part exactly as a `TxnBatch` transaction
//! (ownership, existence, ops fit, references) without applying it, keeps it in [`Table`] and
//! *pins* the objects it touches: a `Fault` of one, and any other client's prepare or
//! transaction touching one, wait until the decision (bounded by [`PIN_WAIT`]); so do the
//! preparing client's own requests on a participant stripe (its later transactions there are
//! applied after the part). Right behind its `Prepare` to the coordinator stripe (its lock's)
//! the client sends `Commit{xid, lock, participants, fence}`, held there ([`commit`]) until
//! every participant voted: right after its `Prepared`, a participant asks the coordinator
//! `Outcome{xid, from}` (its vote; held by the coordinator until it decides, [`outcome`];
//! re-asked by [`start_resolver`] after a failover or restart). The last vote decides: the
//! coordinator applies its part through the ordinary commit pipeline (durable, replicated,
//! deltas to the other clients, notifies, DMIs), records the decision and the lock's fence in
//! the same record, and answers `Decided{gtx}` — the client's commit returns there, one round
//! trip plus the vote's hop. Each participant learns the decision from its question's answer
//! and applies or drops its part. A lock's
//! fence (per participant stripe, the last xid committed under it that changed that stripe)
//! precedes every later award of the lock (`AwardFence`); the new holder uses the award once
//! each of those stripes answered its `AwaitParts{xid}` ([`await_parts`]: the parts are
//! applied and their deltas sent). `Decide{xid, commit}` aborts (the client, after a failed
//! prepare) or commits a part directly; everything is idempotent by xid; prepared parts,
//! decisions and fences are replicated to the passives (group ops `PutPrepared`, `Decided`,
//! `LockFence`) before they are answered or acted on. When a client leaves with an undecided
//! part, the coordinator stripe aborts it.
//!
//! With one stripe none of this runs: the table stays empty and the hooks in `server.rs` /
//! `state.rs` test `stripes > 1` or an empty map first.

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::Arc;
use std::time::{Duration, Instant};

use kiln_protocol::{ErrorCode, Fence, LockId, Message, ObjectId, ObjectState, Txn, Xid};
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

/// How long the coordinator holds an `Outcome` question about an undecided transaction whose
/// client is still there before it answers "not decided yet" (the participant asks again).
const OUTCOME_HOLD: Duration = Duration::from_secs(1);

/// A prepared part: checked, not applied.
#[derive(Debug)]
struct PreparedPart {
    /// The client (on this stripe) that prepared it.
    client: ClientId,
    part: Txn,
    /// The objects it changes or creates (pinned).
    oids: Vec<ObjectId>,
}

/// A `Commit` waiting for its participants' votes.
#[derive(Debug)]
struct Held {
    me: ClientId,
    req_id: u64,
    lock: LockId,
    participants: Vec<u8>,
    fence: bool,
    /// Ends the client's session when the commit fails on this server.
    kick: Arc<tokio::sync::Notify>,
}

impl Held {
    fn voted(&self, votes: Option<&HashSet<u8>>) -> bool {
        self.participants
            .iter()
            .all(|s| votes.is_some_and(|v| v.contains(s)))
    }

    /// Decides the commit it waited for (its answer included).
    async fn decide(self, shared: &Arc<Shared>, xid: Xid) {
        let fence = self.fence.then_some((self.lock, self.participants));
        if let Err(v) = decide_inner(shared, self.me, self.req_id, xid, true, fence).await {
            warn!(%xid, code = ?v.code, reason = %v.message, "commit failed on this server: the client's session ends");
            self.kick.notify_one();
        }
    }
}

/// Prepared parts, pins, decisions and lock fences of one stripe.
#[derive(Debug, Default)]
pub struct Table {
    parts: HashMap<Xid, PreparedPart>,
    pinned: HashMap<ObjectId, Xid>,
    decided: HashMap<Xid, (bool, u64)>,
    decided_order: VecDeque<Xid>,
    fences: HashMap<LockId, Fence>,
    /// Woken whenever pins are released or a decision is made.
    unpinned: Arc<tokio::sync::Notify>,
    /// Participant parts decided and being applied (removed from `parts`, deltas not sent
    /// yet): an `AwaitParts` waits for them too.
    applying: HashSet<Xid>,
    /// Participant parts whose outcome a task is asking the coordinator stripe about.
    asking: HashSet<Xid>,
    /// Coordinator stripe: per undecided transaction, the participant stripes that asked its
    /// `Outcome` (each asks once its part is prepared: its vote).
    votes: HashMap<Xid, HashSet<u8>>,
    /// Coordinator stripe: `Commit`s waiting for their votes (taken by whoever completes
    /// them: the last vote's question, or the commit's own task).
    held: HashMap<Xid, Held>,
    /// Per coordinator stripe, the task holding this server's `Outcome` connection to it.
    askers: HashMap<u8, Link>,
    /// The resolver task runs.
    resolver: bool,
    /// The stripe this table serves (set at start, `Table::set_stripe`).
    stripe: u8,
}

impl Table {
    /// Sets the stripe this table serves (at start, before any reconnect window closes).
    pub fn set_stripe(&mut self, stripe: u8) {
        self.stripe = stripe;
    }

    /// Prepared parts currently kept (for `/status` and tests).
    pub fn prepared(&self) -> usize {
        self.parts.len()
    }

    /// Objects currently pinned.
    pub fn pinned(&self) -> usize {
        self.pinned.len()
    }

    /// The undecided part a request of `me` touching `oids` waits for: one pinning any of
    /// them — another client's, or `me`'s own when this stripe is a participant of it (its
    /// decision comes from the coordinator stripe, not from this connection) —; with `ordered`
    /// (a transaction), also any participant part of `me` here, so that its later transactions
    /// are applied after the ones it committed across stripes.
    fn blocker(
        &self,
        me: ClientId,
        oids: &mut dyn Iterator<Item = ObjectId>,
        ordered: bool,
    ) -> Option<Xid> {
        if self.parts.is_empty() {
            return None;
        }
        let blocks = |x: &Xid| {
            self.parts
                .get(x)
                .is_some_and(|p| p.client != me || x.stripe != self.stripe)
        };
        if ordered {
            if let Some(x) = self
                .parts
                .iter()
                .find(|(x, p)| p.client == me && x.stripe != self.stripe)
                .map(|(x, _)| *x)
            {
                return Some(x);
            }
        }
        oids.filter_map(|o| self.pinned.get(&o))
            .find(|x| blocks(x))
            .copied()
    }

    /// Whether a part of `xid`'s client (same coordinator stripe) up to `xid.seq` is still
    /// undecided or being applied here.
    fn has_parts_upto(&self, xid: &Xid) -> bool {
        let mine = |x: &Xid| x.stripe == xid.stripe && x.client == xid.client && x.seq <= xid.seq;
        self.parts.keys().any(mine) || self.applying.iter().any(mine)
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
        self.unpinned.notify_waiters();
        self.votes.remove(&xid);
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
            self.orphan(xid, client);
        }
    }

    /// The client of prepared part `xid` is gone: the coordinator stripe's part is aborted (no
    /// decision was made: the client decides at the coordinator); a participant's is kept,
    /// pinned, until the coordinator stripe tells its outcome (it is being asked already).
    fn orphan(&mut self, xid: Xid, client: ClientId) -> bool {
        if xid.stripe != self.stripe {
            warn!(%xid, client, "the client of a prepared part left undecided: the coordinator stripe {} decides it", xid.stripe);
            return false;
        }
        if let Some(p) = self.parts.remove(&xid) {
            warn!(%xid, client, "the client of a prepared part left before deciding it: aborted");
            self.unpin(&p, &xid);
            self.remember(xid, false, 0);
        }
        true
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
        ops.extend(
            self.fences
                .iter()
                .map(|(l, f)| GroupOp::LockFence(l.clone(), f.clone())),
        );
        ops
    }

    /// `xid` committed under `lock`, changing `participants`: it becomes their entry of the
    /// lock's fence (the lock serializes its holders, so it is the latest); the fence after it.
    pub fn merge_fence(&mut self, lock: LockId, participants: &[u8], xid: Xid) -> Fence {
        let f = self.fences.entry(lock).or_default();
        for &s in participants {
            match f.iter_mut().find(|(x, _)| *x == s) {
                Some((_, old)) => *old = xid,
                None => f.push((s, xid)),
            }
        }
        f.clone()
    }

    /// A replicated or restored fence (the state after the change).
    pub fn set_fence(&mut self, lock: LockId, fence: &[(u8, Xid)]) {
        self.fences.insert(lock, fence.to_vec());
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

    /// The reconnect window closed: parts of clients that did not return are aborted (the
    /// coordinator stripe's) or asked about (a participant's); the aborted ones are returned.
    pub fn abort_absent(&mut self, present: &dyn Fn(ClientId) -> bool) -> Vec<Xid> {
        let gone: Vec<(Xid, ClientId)> = self
            .parts
            .iter()
            .filter(|(_, p)| !present(p.client))
            .map(|(x, p)| (*x, p.client))
            .collect();
        gone.into_iter()
            .filter(|(xid, client)| self.orphan(*xid, *client))
            .map(|(x, _)| x)
            .collect()
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

/// Waits (at most [`PIN_WAIT`]) until no undecided part blocks a request of `me` touching
/// `oids` (`Table::blocker`; `ordered`: a transaction of `me`, which also waits for `me`'s
/// participant parts here). `Some(xid)`: still blocked by `xid` when the time ran out.
pub async fn wait_unpinned(
    shared: &Shared,
    me: ClientId,
    oids: &(dyn Fn() -> Vec<ObjectId> + Sync),
    ordered: bool,
) -> Option<Xid> {
    if shared.settings.stripes <= 1 {
        return None;
    }
    let deadline = Instant::now() + PIN_WAIT;
    let mut list: Option<Vec<ObjectId>> = None;
    loop {
        let notify = {
            let st = shared.state.lock();
            if st.twopc.parts.is_empty() {
                return None;
            }
            let l = list.get_or_insert_with(oids);
            match st.twopc.blocker(me, &mut l.iter().copied(), ordered) {
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
    start_resolver(shared, &mut shared.state.lock());
    let oids = || part_oids(&part);
    let busy = wait_unpinned(shared, me, &oids, false).await;
    let Some(pending) = prepare_locked(shared, me, req_id, xid, part, busy) else {
        return Ok(());
    };
    let r = pending.wait(shared).await;
    if shared.ha.is_group() && !shared.ha.is_active() {
        return Err(shared.deposed());
    }
    let mut st = shared.state.lock();
    match r {
        Ok(()) => {
            st.send(me, Message::Prepared { req_id, xid });
            ask_soon(shared, &mut st, xid);
        }
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
    shared: &Arc<Shared>,
    me: ClientId,
    req_id: u64,
    xid: Xid,
    part: Txn,
    busy: Option<Xid>,
) -> Option<Pending> {
    let mut st = shared.state.lock();
    st.twopc.stripe = st.stripe;
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
        ask_soon(shared, &mut st, xid);
        return None;
    }
    Some(pending)
}

/// How long the coordinator holds a `Commit` for its participants' votes before it aborts
/// the transaction (its client is still connected but a participant never prepared).
const VOTE_WAIT: Duration = Duration::from_secs(30);

/// `Commit{req_id, xid, lock, participants, fence}` from client `me`, right after its
/// `Prepare` here (this is `xid`'s coordinator stripe). Held on a task — the session goes on
/// reading (a `Decide{abort}` may follow) — until every participant voted (asked `Outcome`),
/// then the part is applied and the decision recorded together with `lock`'s fence entry for
/// each participant (with `fence`); answered `Decided`. A part that is not prepared here, an
/// abort that came first, or no votes within [`VOTE_WAIT`]: answered `Decided{false}`.
/// `kick` ends the session when the commit fails on this server (deposed, storage): the
/// client re-sends it to the next active.
#[allow(clippy::too_many_arguments)]
pub async fn commit(
    shared: &Arc<Shared>,
    me: ClientId,
    req_id: u64,
    xid: Xid,
    lock: LockId,
    participants: Vec<u8>,
    fence: bool,
    kick: Arc<tokio::sync::Notify>,
) -> Result<(), Violation> {
    {
        let st = shared.state.lock();
        if xid.stripe != st.stripe {
            return Err(Violation::new(
                ErrorCode::OutOfOrder,
                format!(
                    "Commit of {xid} sent to stripe {}, which is not its coordinator",
                    st.stripe
                ),
            ));
        }
        st.check_lock_owner(&lock)?;
    }
    let held = Held {
        me,
        req_id,
        lock,
        participants,
        fence,
        kick,
    };
    let ready = {
        let mut st = shared.state.lock();
        st.twopc.held.insert(xid, held);
        held_step(shared, &mut st, xid, false)
    };
    if let Some(held) = ready {
        // Every vote came before the `Commit`: decided now.
        held.decide(shared, xid).await;
        return Ok(());
    }
    // Otherwise the last vote decides it (`outcome`), a `Decide{abort}` answers it
    // (`answer_held`); this only ends one that is still held after [`VOTE_WAIT`].
    let shared = shared.clone();
    tokio::spawn(async move {
        tokio::time::sleep(VOTE_WAIT).await;
        let late = held_step(&shared, &mut shared.state.lock(), xid, true);
        if let Some(held) = late {
            held.decide(&shared, xid).await;
        }
    });
    Ok(())
}

/// Looks at the held `Commit` of `xid`: answers it when it is decided already, when its part
/// is not prepared here (its prepare failed) or — `timed_out` — when votes are still missing
/// (aborted); returns it when every vote is in (to be decided by the caller); `None` when it
/// waits, or is not held (any more).
fn held_step(shared: &Shared, st: &mut State, xid: Xid, timed_out: bool) -> Option<Held> {
    let t = &st.twopc;
    let h = t.held.get(&xid)?;
    let (me, req_id) = (h.me, h.req_id);
    let voted = h.voted(t.votes.get(&xid));
    let answer = |commit: bool, gtx: u64| Message::Decided {
        req_id,
        xid,
        commit,
        gtx,
    };
    if let Some(&(commit, gtx)) = t.decided.get(&xid) {
        st.twopc.held.remove(&xid);
        st.send(me, answer(commit, gtx));
        return None;
    }
    let here = t.parts.contains_key(&xid);
    if here && voted {
        return st.twopc.held.remove(&xid);
    }
    if here && !timed_out {
        return None;
    }
    if timed_out {
        warn!(%xid, "no vote of every participant within {} s: aborted", VOTE_WAIT.as_secs());
    } else {
        debug!(%xid, "commit of a part not prepared here (its prepare failed): aborted");
    }
    if let Some(p) = st.twopc.parts.remove(&xid) {
        st.twopc.unpin(&p, &xid);
    }
    st.twopc.held.remove(&xid);
    st.twopc.remember(xid, false, 0);
    drop(shared.record(vec![Op::Decided(xid, false, 0)]));
    st.send(me, answer(false, 0));
    None
}

/// `xid` was aborted: its held `Commit`, if any, is answered so.
fn answer_held(st: &mut State, xid: Xid) {
    if let Some(h) = st.twopc.held.remove(&xid) {
        st.send(
            h.me,
            Message::Decided {
                req_id: h.req_id,
                xid,
                commit: false,
                gtx: 0,
            },
        );
    }
}

/// `Decide{req_id, xid, commit}` from client `me` (after a failed prepare, `commit` false).
/// At the coordinator stripe an abort is decided here (a commit is decided by `Commit` only:
/// `Decide{commit}` there is refused). A participant never decides on the client's word —
/// its vote may already have let the coordinator commit —: a prepared part is answered once
/// the coordinator stripe's decision is applied here; a part it never prepared (it cast no
/// vote) is recorded aborted.
pub async fn decide(
    shared: &Arc<Shared>,
    me: ClientId,
    req_id: u64,
    xid: Xid,
    commit: bool,
) -> Result<(), Violation> {
    if xid.stripe == shared.settings.stripe {
        if commit {
            return Err(Violation::new(
                ErrorCode::OutOfOrder,
                format!("Decide{{commit}} of {xid} at its coordinator stripe: a commit is decided by Commit (protocol.md §9.12)"),
            ));
        }
        return decide_inner(shared, me, req_id, xid, false, None).await;
    }
    if shared.ha.is_group() && !shared.ha.is_active() {
        return Err(shared.deposed());
    }
    let answer = move |st: &State| {
        let (commit, gtx) = st.twopc.decided.get(&xid).copied()?;
        Some(Message::Decided {
            req_id,
            xid,
            commit,
            gtx,
        })
    };
    {
        let mut st = shared.state.lock();
        if let Some(m) = answer(&st) {
            st.send(me, m);
            return Ok(());
        }
        if !st.twopc.parts.contains_key(&xid) {
            if commit {
                return Err(Violation::new(
                    ErrorCode::OutOfOrder,
                    format!("commit of {xid}, which was never prepared on this stripe"),
                ));
            }
            st.twopc.remember(xid, false, 0);
            drop(shared.record(vec![Op::Decided(xid, false, 0)]));
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
        }
    }
    // Prepared here: the coordinator stripe decides (it is being asked); answered then, on a
    // task (the session reads on).
    let shared = shared.clone();
    tokio::spawn(async move {
        let deadline = Instant::now() + VOTE_WAIT + PIN_WAIT;
        loop {
            let notify = {
                let st = shared.state.lock();
                if !st.twopc.applying.contains(&xid) {
                    if let Some(m) = answer(&st) {
                        st.send(me, m);
                        return;
                    }
                }
                if Instant::now() >= deadline {
                    debug!(%xid, "the client's Decide waited for the coordinator stripe's decision in vain");
                    return;
                }
                st.twopc.unpinned.clone()
            };
            let n = notify.notified();
            tokio::pin!(n);
            n.as_mut().enable();
            let _ = tokio::time::timeout(Duration::from_millis(50), n).await;
        }
    });
    Ok(())
}

async fn decide_inner(
    shared: &Arc<Shared>,
    me: ClientId,
    req_id: u64,
    xid: Xid,
    commit: bool,
    fence: Option<(LockId, Vec<u8>)>,
) -> Result<(), Violation> {
    if shared.ha.is_group() && !shared.ha.is_active() {
        return Err(shared.deposed());
    }
    let participant = xid.stripe != shared.settings.stripe;
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
            answer_held(&mut st, xid);
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
            answer_held(&mut st, xid);
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
            if participant {
                // Decided here (a re-sent Decide, the outcome task, find it) but not yet sent.
                st.twopc.applying.insert(xid);
                st.twopc.remember(xid, true, applied.gtx);
            }
            let fence = fence.map(|(lock, participants)| {
                let f = st.twopc.merge_fence(lock.clone(), &participants, xid);
                Op::LockFence(lock, f)
            });
            let replicated = !shared.ha.links.lock().is_empty();
            let pending = if shared.store.is_some() || replicated {
                // The part's changes, the decision and the lock's fence travel in one record:
                // a passive that has one has the others.
                let mut ops = st.durable_ops(me, std::slice::from_ref(&applied));
                ops.push(Op::Decided(xid, true, applied.gtx));
                ops.extend(fence);
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
                st.twopc.applying.remove(&xid);
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
    st.twopc.applying.remove(&xid);
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

/// `Outcome{req_id, xid, from}` from another stripe's server (this is `xid`'s coordinator
/// stripe): `from` prepared its part (its vote, [`wait_votes`]); the answer is the decision,
/// as soon as there is one. While `xid`'s client is connected (or expected back
/// within the reconnect window) an undecided transaction is waited for, at most
/// [`OUTCOME_HOLD`], then answered "not decided yet" (the participant asks again); once the
/// client is gone, an undecided transaction — prepared here or not — is aborted on the spot
/// (recorded, so a late `Prepare` or `Commit` of it fails), which is safe because only the
/// client's `Commit` here decides a commit.
pub async fn outcome(shared: &Arc<Shared>, req_id: u64, xid: Xid, from: u8) -> Message {
    match outcome_inner(shared, req_id, xid, from, true).await {
        Some(m) => m,
        None => Message::OutcomeIs {
            req_id,
            xid,
            state: 0,
            gtx: 0,
        },
    }
}

/// [`outcome`] without holding: the answer if there is one now (the vote recorded, and the
/// commit decided here if it was the last one), `None` when the question must wait — the
/// session answers at once without a task on the common path.
pub async fn outcome_now(shared: &Arc<Shared>, req_id: u64, xid: Xid, from: u8) -> Option<Message> {
    outcome_inner(shared, req_id, xid, from, false).await
}

async fn outcome_inner(
    shared: &Arc<Shared>,
    req_id: u64,
    xid: Xid,
    from: u8,
    hold: bool,
) -> Option<Message> {
    let answer = |state: u8, gtx: u64| {
        Some(Message::OutcomeIs {
            req_id,
            xid,
            state,
            gtx,
        })
    };
    let deadline = Instant::now() + OUTCOME_HOLD;
    loop {
        if !shared.ha.is_active() {
            return answer(0, 0);
        }
        let step: Result<Arc<tokio::sync::Notify>, Held> = {
            let mut st = shared.state.lock();
            if xid.stripe != st.stripe {
                return answer(0, 0);
            }
            if let Some(&(commit, gtx)) = st.twopc.decided.get(&xid) {
                return answer(if commit { 1 } else { 2 }, gtx);
            }
            // The question is `from`'s vote: it prepared its part. The last vote a held
            // `Commit` waits for decides it here, on the spot — if the coordinator's own part
            // is prepared (otherwise the commit's task aborts it).
            let mut complete = None;
            if st.twopc.votes.entry(xid).or_default().insert(from) {
                let t = &st.twopc;
                if t.parts.contains_key(&xid)
                    && t.held.get(&xid).is_some_and(|h| h.voted(t.votes.get(&xid)))
                {
                    complete = st.twopc.held.remove(&xid);
                }
            }
            if let Some(held) = complete {
                Err(held)
            } else if st.clients.contains_key(&xid.client) || st.known.contains_key(&xid.client) {
                // `xid.client` is the client's id here, on its coordinator stripe.
                if Instant::now() >= deadline {
                    return answer(0, 0); // its client may still decide
                }
                Ok(st.twopc.unpinned.clone())
            } else {
                if let Some(p) = st.twopc.parts.remove(&xid) {
                    st.twopc.unpin(&p, &xid);
                }
                warn!(%xid, "asked for the outcome of an undecided transaction whose client is gone: aborted");
                st.twopc.remember(xid, false, 0);
                drop(shared.record(vec![Op::Decided(xid, false, 0)]));
                return answer(2, 0);
            }
        };
        let notify = match step {
            Ok(_) if !hold => return None,
            Ok(n) => n,
            Err(held) => {
                held.decide(shared, xid).await;
                continue;
            }
        };
        let n = notify.notified();
        tokio::pin!(n);
        n.as_mut().enable();
        // A decision between the check and `enable` (or the client leaving) is caught by the
        // short timeout.
        let _ = tokio::time::timeout(Duration::from_millis(50), n).await;
    }
}

/// Starts (once) the task that makes sure every participant part kept here is being asked
/// about (every 300 ms: after a restart, a promotion, or a failed question).
pub fn start_resolver(shared: &Arc<Shared>, st: &mut State) {
    st.twopc.stripe = st.stripe;
    if st.twopc.resolver || shared.settings.stripes <= 1 {
        return;
    }
    st.twopc.resolver = true;
    let shared = shared.clone();
    tokio::spawn(async move {
        let mut stop = shared.shutdown.subscribe();
        loop {
            tokio::select! {
                _ = tokio::time::sleep(Duration::from_millis(300)) => {}
                _ = stop.changed() => return,
            }
            if !shared.ha.is_active() && shared.ha.is_group() {
                continue;
            }
            let mut st = shared.state.lock();
            let t = &st.twopc;
            let idle: Vec<Xid> = t
                .parts
                .keys()
                .filter(|x| x.stripe != t.stripe && !t.asking.contains(x))
                .copied()
                .collect();
            for xid in idle {
                ask_soon(&shared, &mut st, xid);
            }
        }
    });
}

/// Starts a task asking `xid`'s coordinator stripe for its outcome (this stripe is a
/// participant and keeps its part) until the part is decided here; one per xid.
fn ask_soon(shared: &Arc<Shared>, st: &mut State, xid: Xid) {
    if xid.stripe == st.stripe || shared.settings.stripes <= 1 || !st.twopc.asking.insert(xid) {
        return;
    }
    // The first question leaves now (it is the vote the coordinator's `Commit` waits for).
    let mut first = Some(send_question(shared, st, xid));
    let shared = shared.clone();
    tokio::spawn(async move {
        let mut stop = shared.shutdown.subscribe();
        loop {
            if !shared.state.lock().twopc.parts.contains_key(&xid)
                || (shared.ha.is_group() && !shared.ha.is_active())
            {
                break;
            }
            let asked = Instant::now();
            let question = match first.take() {
                Some(q) => q,
                None => send_question(&shared, &mut shared.state.lock(), xid),
            };
            let answer = tokio::select! {
                a = answer_of(question) => a,
                _ = stop.changed() => break,
            };
            match answer {
                Some((1, gtx)) => resolve(&shared, xid, true, gtx).await,
                Some((2, _)) => resolve(&shared, xid, false, 0).await,
                Some(_) => {
                    debug!(%xid, "outcome not decided yet");
                    if asked.elapsed() < Duration::from_millis(100) {
                        // Not held (the coordinator is not active yet): no busy loop.
                        tokio::time::sleep(Duration::from_millis(100)).await;
                    }
                }
                None => {
                    debug!(%xid, "the coordinator stripe did not answer; asking again");
                    tokio::time::sleep(Duration::from_millis(300)).await;
                }
            }
        }
        shared.state.lock().twopc.asking.remove(&xid);
    });
}

/// A question for a coordinator stripe's `Outcome` connection, and where its answer goes.
type Ask = (Xid, tokio::sync::oneshot::Sender<(u8, u64)>);

/// This server's `Outcome` connection to one coordinator stripe: shared by whoever asks — a
/// session writes its question itself when nothing is waiting to be written (a vote costs no
/// hand-off between tasks) — and the task that connects, writes what could not be written at
/// once and reads the answers ([`asker`]).
type Link = Arc<parking_lot::Mutex<AskLink>>;

#[derive(Debug, Default)]
pub(crate) struct AskLink {
    /// The connection's write half, while connected.
    wr: Option<Arc<tokio::net::tcp::OwnedWriteHalf>>,
    /// Questions sent, by `req_id`.
    inflight: HashMap<u64, tokio::sync::oneshot::Sender<(u8, u64)>>,
    next_req: u64,
    /// Bytes of questions not written yet, in order (written by the task).
    backlog: bytes::BytesMut,
    /// Questions asked while not connected.
    waiting: Vec<Ask>,
    /// Wakes the task (questions waiting, or a backlog).
    wake: Arc<tokio::sync::Notify>,
    running: bool,
}

impl AskLink {
    /// Queues question `xid` (its id, in flight; its bytes written now when the connection
    /// takes them, else left in the backlog).
    fn put(&mut self, shared: &Shared, xid: Xid, answer: tokio::sync::oneshot::Sender<(u8, u64)>) {
        let Some(wr) = self.wr.clone() else {
            self.waiting.push((xid, answer));
            self.wake.notify_one();
            return;
        };
        self.next_req += 1;
        let req_id = self.next_req;
        self.inflight.insert(req_id, answer);
        let frame = kiln_protocol::frame::to_bytes(&Message::Outcome {
            req_id,
            xid,
            from: shared.settings.stripe,
        });
        let written = if self.backlog.is_empty() {
            wr.try_write(&frame).unwrap_or(0)
        } else {
            0
        };
        if written < frame.len() {
            self.backlog.extend_from_slice(&frame[written..]);
            self.wake.notify_one();
        }
    }
}

/// Asks the coordinator stripe of `xid` for the outcome (on this server's connection to that
/// stripe, shared by every question to it, several in flight, [`AskLink`]).
fn send_question(
    shared: &Arc<Shared>,
    st: &mut State,
    xid: Xid,
) -> Option<tokio::sync::oneshot::Receiver<(u8, u64)>> {
    let (tx, rx) = tokio::sync::oneshot::channel();
    let link = st.twopc.askers.entry(xid.stripe).or_default().clone();
    let mut l = link.lock();
    if !l.running {
        l.running = true;
        tokio::spawn(asker(shared.clone(), xid.stripe, link.clone()));
    }
    l.put(shared, xid, tx);
    Some(rx)
}

/// The answer to a question: `(state, gtx)`, `None` when the coordinator stripe could not be
/// reached (or did not answer in time).
async fn answer_of(q: Option<tokio::sync::oneshot::Receiver<(u8, u64)>>) -> Option<(u8, u64)> {
    tokio::time::timeout(OUTCOME_HOLD + Duration::from_secs(2), q?)
        .await
        .ok()?
        .ok()
}

/// The task of this server's `Outcome` connection to coordinator stripe `stripe`: connects
/// when questions wait (to each of that stripe's servers' client ports in turn until one
/// answers: only the active listens), writes the backlog, and routes the answers by `req_id`.
/// When the connection fails, the questions in flight get no answer (their askers try again)
/// and the next question connects anew.
async fn asker(shared: Arc<Shared>, stripe: u8, link: Link) {
    use tokio::io::AsyncReadExt;
    let mut stop = shared.shutdown.subscribe();
    let wake = link.lock().wake.clone();
    let addrs = shared
        .settings
        .stripe_addrs
        .get(usize::from(stripe))
        .cloned()
        .unwrap_or_default();
    loop {
        if link.lock().waiting.is_empty() {
            tokio::select! {
                _ = wake.notified() => continue,
                _ = stop.changed() => return,
            }
        }
        let mut sock = None;
        for addr in &addrs {
            let c =
                tokio::time::timeout(Duration::from_secs(2), tokio::net::TcpStream::connect(addr))
                    .await;
            if let Ok(Ok(c)) = c {
                c.set_nodelay(true).ok();
                sock = Some(c);
                break;
            }
        }
        let Some(sock) = sock else {
            debug!(stripe, "no server of the coordinator stripe answers");
            link.lock().waiting.clear(); // their askers try again
            continue;
        };
        let (mut rd, wr) = sock.into_split();
        let wr = Arc::new(wr);
        {
            let mut l = link.lock();
            l.wr = Some(wr.clone());
            for (xid, answer) in std::mem::take(&mut l.waiting) {
                l.put(&shared, xid, answer);
            }
        }
        let mut buf = bytes::BytesMut::with_capacity(4096);
        let failed = 'conn: loop {
            // Write what the sessions could not.
            loop {
                let more = !link.lock().backlog.is_empty();
                if !more {
                    break;
                }
                if wr.writable().await.is_err() {
                    break 'conn true;
                }
                let mut l = link.lock();
                match wr.try_write(&l.backlog) {
                    Ok(n) => {
                        let _ = l.backlog.split_to(n);
                    }
                    Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
                    Err(_) => break 'conn true,
                }
            }
            while let Ok(Some(n)) = kiln_protocol::frame::check(&buf, 1 << 16) {
                let f = buf.split_to(n);
                match kiln_protocol::frame::parse(&f) {
                    Ok(Message::OutcomeIs {
                        req_id, state, gtx, ..
                    }) => {
                        if let Some(answer) = link.lock().inflight.remove(&req_id) {
                            let _ = answer.send((state, gtx));
                        }
                    }
                    other => {
                        warn!(stripe, answer = ?other, "unexpected answer on an Outcome connection: reconnecting");
                        break 'conn true;
                    }
                }
            }
            tokio::select! {
                r = rd.read_buf(&mut buf) => match r {
                    Ok(n) if n > 0 => {}
                    _ => break 'conn true,
                },
                _ = wake.notified() => {}
                _ = stop.changed() => break 'conn false,
            }
        };
        // The questions in flight get no answer: their askers ask again.
        let mut l = link.lock();
        l.wr = None;
        l.inflight.clear();
        l.backlog.clear();
        if !failed {
            return;
        }
    }
}

/// Applies (`commit`) or drops a participant part, as the coordinator stripe decided.
async fn resolve(shared: &Arc<Shared>, xid: Xid, commit: bool, coordinator_gtx: u64) {
    let (applied, client, pending) = {
        let mut st = shared.state.lock();
        let Some(p) = st.twopc.parts.remove(&xid) else {
            return;
        };
        st.twopc.unpin(&p, &xid);
        if !commit {
            warn!(%xid, "the coordinator stripe aborted it: the prepared part is dropped");
            st.twopc.remember(xid, false, 0);
            drop(shared.record(vec![Op::Decided(xid, false, 0)]));
            return;
        }
        let client = p.client;
        let mut part = p.part;
        part.seq = 0;
        part.flags = 0;
        let applied = match st.apply_checked(client, part) {
            Ok(a) => a,
            Err(v) => {
                warn!(%xid, reason = %v.message, "a committed transaction's prepared part no longer applies here");
                st.twopc.remember(xid, false, 0);
                return;
            }
        };
        debug!(%xid, coordinator_gtx, gtx = applied.gtx, "the coordinator stripe committed it: the prepared part is applied");
        st.twopc.applying.insert(xid);
        st.twopc.remember(xid, true, applied.gtx);
        let mut ops = st.durable_ops(client, std::slice::from_ref(&applied));
        ops.push(Op::Decided(xid, true, applied.gtx));
        let pending = shared.record(ops);
        (applied, client, pending)
    };
    if let Err(e) = pending.wait(shared).await {
        warn!(%xid, error = %e, "the resolved part could not be made durable");
    }
    let mut st = shared.state.lock();
    st.publish(client, vec![applied]);
    st.twopc.applying.remove(&xid);
    st.twopc.unpinned.notify_waiters();
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

/// `AwaitParts{req_id, xid}` from client `me` (a fenced award, §9.12): answered `PartsDone`
/// once no part of `xid`'s client up to `xid.seq` is undecided or being applied here (their
/// deltas were queued to `me` first), or after [`PIN_WAIT`] with a warning. Waits on a task:
/// the session goes on reading.
pub fn await_parts(shared: &Arc<Shared>, me: ClientId, req_id: u64, xid: Xid) {
    let done = Message::PartsDone { req_id, xid };
    {
        let st = shared.state.lock();
        if !st.twopc.has_parts_upto(&xid) {
            st.send(me, done);
            return;
        }
    }
    let shared = shared.clone();
    tokio::spawn(async move {
        let deadline = Instant::now() + PIN_WAIT;
        loop {
            let notify = {
                let st = shared.state.lock();
                if !st.twopc.has_parts_upto(&xid) {
                    st.send(me, done);
                    return;
                }
                if Instant::now() >= deadline {
                    warn!(%xid, client = me, "a fenced award waited {} s for an undecided part: answered anyway", PIN_WAIT.as_secs());
                    st.send(me, done);
                    return;
                }
                st.twopc.unpinned.clone()
            };
            let n = notify.notified();
            tokio::pin!(n);
            n.as_mut().enable();
            let _ = tokio::time::timeout(Duration::from_millis(50), n).await;
        }
    });
}

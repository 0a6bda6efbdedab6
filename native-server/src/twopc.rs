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
//! everything is idempotent by xid; prepared parts, decisions and fences are replicated to the
//! passives (group ops `PutPrepared`, `Decided`, `LockFence`) before they are answered or acted
//! on. When a client leaves with prepared parts, the coordinator stripe aborts its own and a
//! participant asks the coordinator stripe (`Outcome`, [`start_resolver`]) and applies or
//! drops its part accordingly. `LockFence{lock, fence}` records, per lock, the GTX each other
//! stripe must have delivered to the next holder: every later award of the lock is preceded by
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
    /// Participant parts whose client left before deciding them: their outcome is asked of
    /// the coordinator stripe ([`start_resolver`]).
    orphans: HashSet<Xid>,
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
            self.orphan(xid, client);
        }
    }

    /// The client of prepared part `xid` is gone: the coordinator stripe's part is aborted (no
    /// decision was made: the client decides at the coordinator first); a participant's is
    /// kept, pinned, until the coordinator stripe tells its outcome.
    fn orphan(&mut self, xid: Xid, client: ClientId) -> bool {
        if xid.stripe != self.stripe {
            warn!(%xid, client, "the client of a prepared part left undecided: asking the coordinator stripe {}", xid.stripe);
            self.orphans.insert(xid);
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

    /// Merges `fence` into `lock`'s (the highest GTX per stripe); the lock's fence after it.
    pub fn merge_fence(&mut self, lock: LockId, fence: &[(u8, u64)]) -> Vec<(u8, u64)> {
        let f = self.fences.entry(lock).or_default();
        for &(s, g) in fence {
            match f.iter_mut().find(|(x, _)| *x == s) {
                Some((_, old)) => *old = (*old).max(g),
                None => f.push((s, g)),
            }
        }
        f.clone()
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
    start_resolver(shared, &mut shared.state.lock());
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

/// `Outcome{req_id, xid}` from another stripe's server (this is `xid`'s coordinator stripe):
/// the decision; an undecided part whose client is gone here — or an xid never prepared
/// here — is aborted now (recorded, so a late `Prepare` of it fails), which is safe because
/// the client decides at the coordinator first.
pub fn outcome(shared: &Shared, req_id: u64, xid: Xid) -> Message {
    let answer = |state: u8, gtx: u64| Message::OutcomeIs {
        req_id,
        xid,
        state,
        gtx,
    };
    if !shared.ha.is_active() {
        return answer(0, 0);
    }
    let mut st = shared.state.lock();
    if xid.stripe != st.stripe {
        return answer(0, 0);
    }
    if let Some(&(commit, gtx)) = st.twopc.decided.get(&xid) {
        return answer(if commit { 1 } else { 2 }, gtx);
    }
    let here = st.twopc.parts.get(&xid).map(|p| p.client);
    if let Some(c) = here {
        if st.clients.contains_key(&c) || st.known.contains_key(&c) {
            return answer(0, 0); // its client may still decide
        }
        if let Some(p) = st.twopc.parts.remove(&xid) {
            st.twopc.unpin(&p, &xid);
        }
    }
    warn!(%xid, "asked for the outcome of an undecided transaction whose client is gone: aborted");
    st.twopc.remember(xid, false, 0);
    drop(shared.record(vec![Op::Decided(xid, false, 0)]));
    answer(2, 0)
}

/// Starts (once) the task that resolves orphaned participant parts by asking their
/// coordinator stripe (`Outcome`), every 300 ms while there are any.
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
            let orphans: Vec<Xid> = {
                let mut st = shared.state.lock();
                let t = &mut st.twopc;
                t.orphans.retain(|x| t.parts.contains_key(x));
                t.orphans.iter().copied().collect()
            };
            for xid in orphans {
                match ask_outcome(&shared, xid).await {
                    Some((1, gtx)) => resolve(&shared, xid, true, gtx).await,
                    Some((2, _)) => resolve(&shared, xid, false, 0).await,
                    _ => debug!(%xid, "outcome not known yet"),
                }
            }
        }
    });
}

/// Asks the coordinator stripe of `xid` (each of its servers in turn; only the active listens
/// on the client port) for the outcome: `(state, gtx)`.
async fn ask_outcome(shared: &Shared, xid: Xid) -> Option<(u8, u64)> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let addrs = shared.settings.stripe_addrs.get(usize::from(xid.stripe))?;
    for addr in addrs {
        let r = tokio::time::timeout(Duration::from_secs(2), async {
            let mut sock = tokio::net::TcpStream::connect(addr).await.ok()?;
            let req = kiln_protocol::frame::to_bytes(&Message::Outcome { req_id: 1, xid });
            sock.write_all(&req).await.ok()?;
            let mut buf = bytes::BytesMut::with_capacity(64);
            loop {
                if let Ok(Some(n)) = kiln_protocol::frame::check(&buf, 1 << 16) {
                    return match kiln_protocol::frame::parse(&buf[..n]).ok()? {
                        Message::OutcomeIs { state, gtx, .. } => Some((state, gtx)),
                        _ => None,
                    };
                }
                if sock.read_buf(&mut buf).await.ok()? == 0 {
                    return None;
                }
            }
        })
        .await;
        if let Ok(Some(a)) = r {
            return Some(a);
        }
    }
    None
}

/// Applies (`commit`) or drops an orphaned participant part, as the coordinator decided.
async fn resolve(shared: &Arc<Shared>, xid: Xid, commit: bool, coordinator_gtx: u64) {
    let (applied, client, pending) = {
        let mut st = shared.state.lock();
        st.twopc.orphans.remove(&xid);
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
                return;
            }
        };
        warn!(%xid, coordinator_gtx, gtx = applied.gtx, "the coordinator stripe committed it: the prepared part is applied");
        let mut ops = st.durable_ops(client, std::slice::from_ref(&applied));
        ops.push(Op::Decided(xid, true, applied.gtx));
        let pending = shared.record(ops);
        (applied, client, pending)
    };
    if let Err(e) = pending.wait(shared).await {
        warn!(%xid, error = %e, "the resolved part could not be made durable");
    }
    let mut st = shared.state.lock();
    let gtx = applied.gtx;
    st.publish(client, vec![applied]);
    st.twopc.remember(xid, true, gtx);
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

/// `LockFence{lock, fence}`: merged into the lock's fence (highest GTX per stripe) and
/// replicated; the session reads its next message (the release that follows) only once the
/// passives have it, so a new active never awards the lock without it.
pub async fn lock_fence(
    shared: &Arc<Shared>,
    lock: LockId,
    fence: Vec<(u8, u64)>,
) -> Result<(), Violation> {
    let pending = {
        let mut st = shared.state.lock();
        st.check_lock_owner(&lock)?;
        let merged = st.twopc.merge_fence(lock.clone(), &fence);
        shared.record(vec![Op::LockFence(lock, merged)])
    };
    if !pending.is_empty() {
        let _ = pending.wait(shared).await;
    }
    Ok(())
}

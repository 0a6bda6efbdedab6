//! The server's shared state: object store, roots, clients (with their resident sets), change
//! subscriptions, the lock manager, and the transaction apply step.
//!
//! Everything here is guarded by one mutex in [`crate::server::Shared`]; every outbound message
//! is enqueued while that mutex is held, so the order in which clients observe effects is the order
//! in which the server decided them (deltas before the award that follows them).

use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};

use kiln_protocol::group::GroupOp;
use kiln_protocol::{
    Delta, DmiCall, ErrorCode, FaultedObject, LockId, Message, NodeInfo, Notify, ObjectId,
    ObjectState, SubTarget, Txn, Undo, Value, TXN_FLAG_SYNC,
};
use tokio::sync::mpsc;

use crate::locks::{ClientId, LockEffect, LockManager};
use crate::objects::Objects;
use crate::store::{KnownClient, Loaded, Op};

/// What a session's writer task consumes.
#[derive(Debug)]
pub enum Outbound {
    /// Send this message.
    Msg(Message),
}

/// One stored object.
#[derive(Debug)]
pub struct Stored {
    /// GTX that last changed it.
    pub version: u64,
    /// Its state.
    pub state: ObjectState,
}

/// A connected client.
#[derive(Debug)]
pub struct ClientEntry {
    /// Membership info.
    pub info: NodeInfo,
    /// Its outbound queue.
    pub out: mpsc::UnboundedSender<Outbound>,
    /// Objects resident there.
    pub resident: HashSet<ObjectId>,
    /// Highest transaction sequence applied.
    pub last_seq: u64,
    /// Subscriptions it holds.
    pub subs: HashSet<SubTarget>,
    /// Per-client counters (the console's txn/s and faults/s).
    pub stats: ClientStats,
}

/// Per-client counters, read by the management console (`/api/topology`) to compute rates.
#[derive(Debug, Clone, Copy, Default)]
pub struct ClientStats {
    /// Transactions of this client applied.
    pub txns: u64,
    /// Objects sent to this client by faults.
    pub faulted: u64,
}

/// A protocol violation found while handling a message: sent as `Error`, then the connection closes.
#[derive(Debug, Clone)]
pub struct Violation {
    /// Error code.
    pub code: ErrorCode,
    /// Human message.
    pub message: String,
}

impl Violation {
    pub(crate) fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Violation {
            code,
            message: message.into(),
        }
    }
}

/// A transaction applied in memory, waiting for the rest of the commit pipeline.
#[derive(Debug)]
pub struct AppliedTxn {
    /// Client sequence.
    pub seq: u64,
    /// Global transaction id.
    pub gtx: u64,
    /// Whether the client wants a `CommitAck`.
    pub sync: bool,
    /// Changes to existing objects (broadcast to clients where resident).
    pub deltas: Vec<Delta>,
    /// Objects created.
    pub created: Vec<ObjectId>,
    /// notify / notifyAll.
    pub notifies: Vec<Notify>,
    /// DMI calls.
    pub dmis: Vec<DmiCall>,
    /// Undo log (in apply order) and the versions the changed objects had before, kept until
    /// the commit pipeline has finished so a failed batch can be rolled back.
    pub undo: Vec<(ObjectId, Undo)>,
    /// Versions before this transaction of the objects it changed.
    pub prev_versions: Vec<(ObjectId, u64)>,
}

/// Counters reported by `/status` and `/metrics`.
#[derive(Debug, Default, Clone)]
pub struct Counters {
    /// Transactions committed.
    pub txns_committed: u64,
    /// Transaction batches committed.
    pub batches_committed: u64,
    /// Objects faulted out to clients.
    pub objects_faulted: u64,
    /// Delta messages broadcast.
    pub deltas_broadcast: u64,
    /// DMI deliveries.
    pub dmi_delivered: u64,
    /// Connections accepted.
    pub connections: u64,
    /// Protocol errors (connections closed with an error).
    pub protocol_errors: u64,
    /// Transactions rejected because they could not be made durable.
    pub txns_rejected: u64,
    /// Distributed GC runs.
    pub dgc_runs: u64,
    /// Objects removed by the distributed GC.
    pub dgc_removed: u64,
    /// Clients that reconnected after a restart.
    pub reconnects: u64,
}

/// The shared state.
#[derive(Debug)]
pub struct State {
    /// All objects (compact: see [`crate::objects`]).
    pub objects: Objects,
    /// Roots.
    pub roots: BTreeMap<String, Value>,
    /// Connected clients.
    pub clients: HashMap<ClientId, ClientEntry>,
    /// Subscribers per target.
    pub subscribers: HashMap<SubTarget, HashSet<ClientId>>,
    /// Locks.
    pub locks: LockManager,
    /// Last GTX assigned.
    pub gtx: u64,
    /// Next object sequence to lease.
    pub next_oid: u64,
    /// Next client id.
    pub next_client: ClientId,
    /// Counters.
    pub counters: Counters,
    /// This run's epoch (1 in memory; stored and incremented per start with persistence).
    pub epoch: u64,
    /// Clients recorded before a restart that have not re-asserted yet (reconnect window).
    pub known: BTreeMap<ClientId, KnownClient>,
    /// Known clients that said `Hello` again but have not sent `Reassert` yet.
    pub awaiting: HashSet<ClientId>,
    /// Whether changes are written to a store (decides which ops are produced).
    pub persistent: bool,
    /// The stripe this server serves: the index of its mirror group in the configuration
    /// (0 for a single group). Ids it leases carry it in their top byte; objects of other
    /// stripes are refused (docs/architecture.md "Mirror groups (stripes)").
    pub stripe: u8,
    /// How many stripes (mirror groups) the cluster has (1: a single group, where nothing is
    /// checked for ownership).
    pub stripes: usize,
    /// Whether this server was its group's active when it last stopped (a vote criterion).
    pub was_active: bool,
    /// The cluster this server's data belongs to (random 128-bit, `meta/cluster_hi` and
    /// `cluster_lo`; 0: none yet — created by the first active of a fresh group, or at the
    /// first start of a server without a group; a passive takes its active's in the sync).
    pub cluster: u128,
    /// The open cluster-DGC epoch (several stripes; [`crate::dgc`]), in memory only.
    pub dgc_epoch: Option<crate::dgc::Epoch>,
    /// Prepared parts of transactions across stripes, their pins, decisions and lock fences
    /// (`crate::twopc`; empty with one stripe).
    pub twopc: crate::twopc::Table,
}

/// What one distributed GC run did.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct DgcReport {
    /// Objects before the run.
    pub objects_before: usize,
    /// Objects reachable from roots or resident at some client.
    pub marked: usize,
    /// Objects removed.
    pub removed: usize,
    /// Clients whose resident sets were roots of the mark.
    pub clients: usize,
    /// Mark phase, microseconds.
    pub mark_micros: u64,
    /// Sweep phase, microseconds.
    pub sweep_micros: u64,
}

impl Default for State {
    fn default() -> Self {
        State {
            objects: Objects::default(),
            roots: BTreeMap::new(),
            clients: HashMap::new(),
            subscribers: HashMap::new(),
            locks: LockManager::new(),
            gtx: 0,
            next_oid: 1,
            next_client: 1,
            counters: Counters::default(),
            epoch: 1,
            known: BTreeMap::new(),
            awaiting: HashSet::new(),
            persistent: false,
            stripe: 0,
            stripes: 1,
            was_active: false,
            cluster: 0,
            dgc_epoch: None,
            twopc: crate::twopc::Table::default(),
        }
    }
}

impl State {
    fn wrong_stripe(&self, what: String, owner: u8) -> Violation {
        Violation::new(
            ErrorCode::WrongStripe,
            format!(
                "{what} belongs to stripe {owner}, but this server serves stripe {} of {} \
                 (roots and named locks by FNV-1a-64 of the name, objects and their locks by the \
                 id's top byte; docs/protocol.md \"Stripes\"): nothing was done",
                self.stripe, self.stripes
            ),
        )
    }

    /// `Err(WrongStripe)` when root `name` is owned by another stripe.
    pub fn check_root_owner(&self, name: &str) -> Result<(), Violation> {
        if self.stripes <= 1 {
            return Ok(());
        }
        let owner = kiln_protocol::stripe::name_stripe(name, self.stripes);
        if owner == self.stripe {
            return Ok(());
        }
        Err(self.wrong_stripe(format!("root '{name}'"), owner))
    }

    /// `Err(WrongStripe)` when `lock` is owned by another stripe.
    pub fn check_lock_owner(&self, lock: &kiln_protocol::LockId) -> Result<(), Violation> {
        if self.stripes <= 1 {
            return Ok(());
        }
        let owner = kiln_protocol::stripe::lock_stripe(lock, self.stripes);
        if owner == self.stripe {
            return Ok(());
        }
        Err(self.wrong_stripe(format!("lock {lock}"), owner))
    }

    /// `Err(WrongStripe)` when object `oid` lives in another stripe (`what`: what is done to it).
    pub fn check_object_owner(&self, what: &str, oid: ObjectId) -> Result<(), Violation> {
        if self.stripes <= 1 || oid.stripe() == self.stripe {
            return Ok(());
        }
        Err(self.wrong_stripe(format!("{what} object {oid}"), oid.stripe()))
    }

    /// Sends to one client (ignored if it is gone: its session is already tearing down).
    pub fn send(&self, client: ClientId, msg: Message) {
        if let Some(c) = self.clients.get(&client) {
            let _ = c.out.send(Outbound::Msg(msg));
        }
    }

    /// Sends to every client but `except`.
    pub fn send_others(&self, except: ClientId, msg: &Message) {
        for (id, c) in &self.clients {
            if *id != except {
                let _ = c.out.send(Outbound::Msg(msg.clone()));
            }
        }
    }

    /// Delivers lock manager effects.
    pub fn deliver(&self, effects: Vec<LockEffect>) {
        for e in effects {
            match e {
                LockEffect::Award {
                    client,
                    req_id,
                    lock,
                    level,
                    token,
                } => {
                    self.twopc.award_fence(self, client, req_id, &lock);
                    self.send(
                        client,
                        Message::LockAward {
                            req_id,
                            lock,
                            level,
                            token,
                        },
                    )
                }
                LockEffect::Recall {
                    client,
                    lock,
                    level,
                } => self.send(client, Message::LockRecall { lock, level }),
                LockEffect::Timeout {
                    client,
                    req_id,
                    lock,
                } => self.send(client, Message::LockTimeout { req_id, lock }),
                LockEffect::WaitDone {
                    client,
                    waiter_id,
                    reason,
                } => self.send(client, Message::WaitDone { waiter_id, reason }),
            }
        }
    }

    /// Leases `count` object ids (clamped to 1..=1_000_000).
    pub fn lease_ids(&mut self, count: u64) -> (u64, u64) {
        let count = count.clamp(1, 1_000_000);
        let start = self.next_oid;
        self.next_oid += count;
        (ObjectId::new(self.stripe, start).0, count)
    }

    /// `RootCreate`: first writer wins; a literal root may be replaced when asked. Returns the
    /// value bound after the request and, when the request changed the binding, the previous
    /// binding (`Some(None)` = was unbound) — the caller persists it, then calls
    /// [`State::root_notice`].
    #[allow(clippy::type_complexity)]
    pub fn root_create(
        &mut self,
        name: &str,
        value: Value,
        replace: bool,
    ) -> Result<(Value, Option<Option<Value>>), Violation> {
        if let Some(id) = value.as_ref_id() {
            if !self.objects.contains(&id) {
                return Err(Violation::new(
                    ErrorCode::UnknownObject,
                    format!(
                        "root '{name}' cannot refer to object {id}: the server has no such object"
                    ),
                ));
            }
        }
        if let Some(id) = value.as_ref_id() {
            self.dgc_rescue(id);
        }
        let changed = match self.roots.get(name) {
            None => true,
            Some(cur) => replace && cur.as_ref_id().is_none() && *cur != value,
        };
        let previous = if changed {
            Some(self.roots.insert(name.to_owned(), value))
        } else {
            None
        };
        Ok((
            self.roots.get(name).cloned().unwrap_or(Value::Null),
            previous,
        ))
    }

    /// `ChangeNotice{Root(name)}` to the root's subscribers other than `client`.
    pub fn root_notice(&self, client: ClientId, name: &str) {
        let target = SubTarget::Root(name.to_owned());
        if let Some(subs) = self.subscribers.get(&target) {
            for s in subs.iter().filter(|s| **s != client) {
                self.send(
                    *s,
                    Message::ChangeNotice {
                        target: target.clone(),
                        gtx: self.gtx,
                        from_client: client,
                    },
                );
            }
        }
    }

    /// `Fault`: requested objects plus reachable ones breadth-first up to `budget` objects, and
    /// prefetching stops before the reply would pass `max_bytes` (half the frame maximum), so a
    /// huge budget can never produce a frame the client must refuse.
    pub fn fault(
        &mut self,
        client: ClientId,
        oids: &[ObjectId],
        budget: u32,
        max_bytes: usize,
    ) -> (Vec<FaultedObject>, Vec<ObjectId>) {
        let mut objects = Vec::new();
        let mut missing = Vec::new();
        let budget = (budget as usize).max(oids.len());
        let mut seen: HashSet<ObjectId> = HashSet::new();
        let mut queue: VecDeque<(ObjectId, bool)> = oids.iter().map(|o| (*o, true)).collect();
        let resident = self.clients.get(&client).map(|c| &c.resident);
        let mut newly = Vec::new();
        let mut bytes = 0usize;
        while let Some((oid, requested)) = queue.pop_front() {
            // Requested objects are always answered; prefetch stays within budget and size.
            if !requested && (objects.len() >= budget || bytes >= max_bytes) {
                continue;
            }
            if !seen.insert(oid) {
                continue;
            }
            if !requested && resident.is_some_and(|r| r.contains(&oid)) {
                continue;
            }
            let Some((version, state)) = self.objects.read(&oid) else {
                if requested {
                    missing.push(oid);
                }
                continue;
            };
            let size = 16 + state.encoded_len();
            if !requested && bytes + size > max_bytes {
                continue;
            }
            bytes += size;
            state.for_each_ref(&mut |r| queue.push_back((r, false)));
            objects.push(FaultedObject {
                oid,
                version,
                state,
            });
            newly.push(oid);
        }
        if self.dgc_epoch.is_some() {
            newly.iter().for_each(|o| self.dgc_rescue(*o));
        }
        if let Some(c) = self.clients.get_mut(&client) {
            c.stats.faulted += objects.len() as u64;
            c.resident.extend(newly);
        }
        self.counters.objects_faulted += objects.len() as u64;
        (objects, missing)
    }

    /// Applies one transaction atomically. `Ok(None)`: a duplicate (already applied) — skipped.
    pub fn apply_txn(
        &mut self,
        client: ClientId,
        txn: Txn,
    ) -> Result<Option<AppliedTxn>, Violation> {
        let last = self.clients.get(&client).map_or(0, |c| c.last_seq);
        if txn.seq <= last {
            return Ok(None);
        }
        if txn.seq != last + 1 {
            return Err(Violation::new(
                ErrorCode::OutOfOrder,
                format!(
                    "transaction seq {} out of order: expected {}",
                    txn.seq,
                    last + 1
                ),
            ));
        }
        self.apply_checked(client, txn).map(Some)
    }

    /// Applies one transaction atomically without its sequence check: `txn.seq` 0 is a part of
    /// a transaction across stripes (`crate::twopc`), which leaves the client's high-water mark
    /// alone and is not acknowledged by `BatchAck`.
    pub fn apply_checked(&mut self, client: ClientId, txn: Txn) -> Result<AppliedTxn, Violation> {
        let Txn {
            seq,
            flags,
            new_objects,
            deltas,
            notifies,
            dmis,
        } = txn;
        let mut created = Vec::with_capacity(new_objects.len());
        let mut undo: Vec<(ObjectId, Undo)> = Vec::new();
        let result = (|| -> Result<(), Violation> {
            for (oid, state) in new_objects {
                if oid.0 != 0 && oid.stripe() != self.stripe {
                    // One group: `Refused`, as before stripes had their own code.
                    let code = if self.stripes > 1 {
                        ErrorCode::WrongStripe
                    } else {
                        ErrorCode::Refused
                    };
                    return Err(Violation::new(
                        code,
                        format!(
                            "transaction {seq} creates object {oid} of stripe {}, but this server serves stripe {} \
                             (objects live in the stripe whose server leased their id; a transaction across stripes \
                             sends each stripe its own part, protocol.md §9.12)",
                            oid.stripe(),
                            self.stripe
                        ),
                    ));
                }
                if oid.0 == 0 || self.objects.contains(&oid) {
                    return Err(Violation::new(
                        ErrorCode::OutOfOrder,
                        format!("transaction {seq} creates object {oid}, which already exists or is invalid"),
                    ));
                }
                self.objects.insert(oid, Stored { version: 0, state });
                self.dgc_rescue(oid);
                created.push(oid);
                // Never lease an id that is in use (ids of a returning client's old lease).
                self.next_oid = self.next_oid.max(oid.seq() + 1);
            }
            // Nothing of another stripe is changed or notified here (checked before anything
            // is applied, so there is nothing to undo).
            for d in &deltas {
                self.check_object_owner(&format!("transaction {seq} changes"), d.oid)?;
            }
            for n in &notifies {
                self.check_lock_owner(&n.lock)?;
            }
            for d in &deltas {
                let Some(obj) = self.objects.get_mut(&d.oid) else {
                    return Err(Violation::new(
                        ErrorCode::UnknownObject,
                        format!(
                            "transaction {seq} changes object {}, which the server does not have",
                            d.oid
                        ),
                    ));
                };
                for op in &d.ops {
                    match obj.state.apply(op) {
                        // Cluster DGC deletion barrier: what the change overwrote or removed.
                        Ok(u) => undo.push((
                            d.oid,
                            match self.dgc_epoch.as_mut() {
                                Some(e) => e.rescue_undo(u),
                                None => u,
                            },
                        )),
                        Err(e) => {
                            return Err(Violation::new(
                                ErrorCode::BadOperation,
                                format!("transaction {seq}, object {}: {e}", d.oid),
                            ))
                        }
                    }
                }
            }
            // Every reference must resolve.
            let mut dangling = None;
            let objects = &self.objects;
            let (stripe, stripes) = (self.stripe, self.stripes);
            let mut check = |r: ObjectId| {
                // A reference to another stripe's object cannot be checked here (it lives
                // there); references between stripes are allowed.
                if stripes > 1 && r.stripe() != stripe {
                    return;
                }
                if dangling.is_none() && !objects.contains(&r) {
                    dangling = Some(r);
                }
            };
            for oid in &created {
                objects.for_each_ref(oid, &mut check);
            }
            for d in &deltas {
                d.ops.iter().for_each(|op| op.for_each_ref(&mut check));
            }
            if let Some(r) = dangling {
                return Err(Violation::new(
                    ErrorCode::UnknownObject,
                    format!("transaction {seq} refers to object {r}, which neither exists nor is created in it"),
                ));
            }
            Ok(())
        })();
        if let Err(v) = result {
            for (oid, u) in undo.into_iter().rev() {
                if let Some(obj) = self.objects.get_mut(&oid) {
                    obj.state.undo(u);
                }
            }
            for oid in &created {
                self.objects.remove(oid);
            }
            return Err(v);
        }
        self.gtx += 1;
        let gtx = self.gtx;
        let mut prev_versions = Vec::with_capacity(deltas.len());
        for d in &deltas {
            if let Some(o) = self.objects.get_mut(&d.oid) {
                if o.version != gtx {
                    prev_versions.push((d.oid, o.version));
                }
                o.version = gtx;
            }
        }
        for oid in &created {
            if let Some(o) = self.objects.get_mut(oid) {
                o.version = gtx;
            }
        }
        if let Some(c) = self.clients.get_mut(&client) {
            if seq != 0 {
                c.last_seq = seq;
            }
            c.stats.txns += 1;
            c.resident.extend(created.iter().copied());
        }
        self.counters.txns_committed += 1;
        Ok(AppliedTxn {
            seq,
            gtx,
            sync: flags & TXN_FLAG_SYNC != 0,
            deltas,
            created,
            notifies,
            dmis,
            undo,
            prev_versions,
        })
    }

    /// Rolls back transactions of `client` that were applied but could not be committed (newest
    /// first). Their sequence numbers stay consumed. Returns the store ops that make the disk
    /// match memory again (for a store that may hold part of the failed write).
    pub fn rollback(&mut self, client: ClientId, applied: Vec<AppliedTxn>) -> Vec<Op> {
        let mut touched: Vec<ObjectId> = Vec::new();
        for t in applied.into_iter().rev() {
            for (oid, u) in t.undo.into_iter().rev() {
                if let Some(obj) = self.objects.get_mut(&oid) {
                    obj.state.undo(u);
                }
            }
            for (oid, v) in t.prev_versions {
                if let Some(obj) = self.objects.get_mut(&oid) {
                    obj.version = v;
                }
                touched.push(oid);
            }
            for oid in t.created {
                self.objects.remove(&oid);
                if let Some(c) = self.clients.get_mut(&client) {
                    c.resident.remove(&oid);
                }
                touched.push(oid);
            }
        }
        touched.sort_unstable();
        touched.dedup();
        self.objects.demote_excess();
        let mut ops: Vec<Op> = touched
            .into_iter()
            .map(|oid| match self.objects.encoded(&oid) {
                Some(b) => Op::PutObject(oid, b),
                None => Op::DelObject(oid),
            })
            .collect();
        if let Some(c) = self.clients.get(&client) {
            ops.push(Op::PutClient(client, c.last_seq, c.info.name.clone()));
        }
        ops
    }

    /// The store ops that make `applied` (of `client`) durable: the new state of every object
    /// changed or created (once each), the client's high-water mark and the counters.
    pub fn durable_ops(&self, client: ClientId, applied: &[AppliedTxn]) -> Vec<Op> {
        let mut seen: HashSet<ObjectId> = HashSet::new();
        let mut ops = Vec::new();
        for t in applied {
            for oid in t.created.iter().chain(t.deltas.iter().map(|d| &d.oid)) {
                if seen.insert(*oid) {
                    if let Some(b) = self.objects.encoded(oid) {
                        ops.push(Op::PutObject(*oid, b));
                    }
                }
            }
        }
        if let Some(c) = self.clients.get(&client) {
            ops.push(Op::PutClient(client, c.last_seq, c.info.name.clone()));
        }
        ops.push(Op::PutMeta("gtx", self.gtx));
        ops.push(Op::PutMeta("next_oid", self.next_oid));
        ops.push(Op::PutMeta("next_client", self.next_client));
        ops
    }

    /// State restored from a store.
    pub fn from_loaded(l: Loaded) -> State {
        let twopc = l.twopc;
        let mut st = State {
            objects: l.objects,
            roots: l.roots,
            gtx: l.gtx,
            next_oid: l.next_oid,
            next_client: l.next_client,
            epoch: l.epoch,
            known: l.clients,
            locks: LockManager::with_token_base(l.epoch << 40),
            persistent: true,
            was_active: l.was_active,
            cluster: l.cluster,
            ..State::default()
        };
        // Transactions across stripes in flight when the server stopped (store.rs `twopc`).
        for op in &twopc {
            match op {
                GroupOp::PutPrepared(xid, client, part) => {
                    if let Err(e) = st.twopc.replicated_prepare(*xid, *client, part) {
                        tracing::error!(%xid, error = %e, "a stored prepared part cannot be read; it is dropped");
                    }
                }
                GroupOp::Decided(xid, commit, gtx) => {
                    st.twopc.replicated_decision(*xid, *commit, *gtx)
                }
                GroupOp::LockFence(lock, fence) => {
                    st.twopc.set_fence(lock.clone(), fence);
                }
                _ => {}
            }
        }
        if !twopc.is_empty() {
            tracing::info!(
                prepared = st.twopc.prepared(),
                records = twopc.len(),
                "restored the records of transactions across stripes"
            );
        }
        st
    }

    /// Distributed GC: marks everything reachable from the roots and from every connected
    /// client's resident set, then removes the rest from memory. Returns the report and the
    /// removed ids (the caller deletes them from the store).
    pub fn dgc(&mut self) -> (DgcReport, Vec<ObjectId>) {
        let t0 = std::time::Instant::now();
        let mut report = DgcReport {
            objects_before: self.objects.len(),
            clients: self.clients.len(),
            ..DgcReport::default()
        };
        let mut marked: HashSet<ObjectId> = HashSet::with_capacity(self.objects.len());
        let mut stack: Vec<ObjectId> = Vec::new();
        for v in self.roots.values() {
            if let Some(id) = v.as_ref_id() {
                stack.push(id);
            }
        }
        for c in self.clients.values() {
            stack.extend(c.resident.iter().copied());
        }
        while let Some(oid) = stack.pop() {
            if !marked.insert(oid) {
                continue;
            }
            self.objects.for_each_ref(&oid, &mut |r| {
                if !marked.contains(&r) {
                    stack.push(r)
                }
            });
        }
        report.marked = marked.iter().filter(|o| self.objects.contains(o)).count();
        report.mark_micros = t0.elapsed().as_micros() as u64;
        let t1 = std::time::Instant::now();
        let garbage: Vec<ObjectId> = self
            .objects
            .ids()
            .into_iter()
            .filter(|o| !marked.contains(o))
            .collect();
        for oid in &garbage {
            self.objects.remove(oid);
            let target = SubTarget::Object(*oid);
            self.subscribers.remove(&target);
        }
        report.removed = garbage.len();
        report.sweep_micros = t1.elapsed().as_micros() as u64;
        self.counters.dgc_runs += 1;
        self.counters.dgc_removed += garbage.len() as u64;
        (report, garbage)
    }

    /// Publishes committed transactions of `client`: deltas to residents, change notices,
    /// notify effects, DMI, then acks to the originator.
    pub fn publish(&mut self, client: ClientId, applied: Vec<AppliedTxn>) {
        let mut last = None;
        for t in applied {
            if !t.deltas.is_empty() {
                for (id, c) in &self.clients {
                    if *id == client {
                        continue;
                    }
                    let relevant: Vec<Delta> = t
                        .deltas
                        .iter()
                        .filter(|d| c.resident.contains(&d.oid))
                        .cloned()
                        .collect();
                    if !relevant.is_empty() {
                        self.counters.deltas_broadcast += 1;
                        let _ = c.out.send(Outbound::Msg(Message::Deltas {
                            gtx: t.gtx,
                            from_client: client,
                            deltas: relevant,
                        }));
                    }
                }
                if !self.subscribers.is_empty() {
                    let mut notified: HashSet<(ClientId, ObjectId)> = HashSet::new();
                    for d in &t.deltas {
                        let target = SubTarget::Object(d.oid);
                        if let Some(subs) = self.subscribers.get(&target) {
                            for s in subs {
                                if *s != client && notified.insert((*s, d.oid)) {
                                    self.send(
                                        *s,
                                        Message::ChangeNotice {
                                            target: target.clone(),
                                            gtx: t.gtx,
                                            from_client: client,
                                        },
                                    );
                                }
                            }
                        }
                    }
                }
            }
            for n in &t.notifies {
                let effects = self.locks.notify(&n.lock, n.all);
                self.deliver(effects);
            }
            for call in t.dmis {
                let targets: Vec<ClientId> = self
                    .clients
                    .iter()
                    .filter(|(id, c)| {
                        **id != client && (call.all_nodes || c.resident.contains(&call.receiver))
                    })
                    .map(|(id, _)| *id)
                    .collect();
                for id in targets {
                    self.counters.dmi_delivered += 1;
                    self.send(
                        id,
                        Message::DmiDeliver {
                            from_client: client,
                            gtx: t.gtx,
                            call: call.clone(),
                        },
                    );
                }
            }
            if t.sync {
                self.send(
                    client,
                    Message::CommitAck {
                        seq: t.seq,
                        gtx: t.gtx,
                    },
                );
            }
            if t.seq != 0 {
                last = Some((t.seq, t.gtx));
            }
        }
        if let Some((upto_seq, gtx)) = last {
            self.counters.batches_committed += 1;
            self.send(client, Message::BatchAck { upto_seq, gtx });
        }
        self.objects.demote_excess();
    }

    /// Subscribes a client.
    pub fn subscribe(&mut self, client: ClientId, target: SubTarget) {
        if let SubTarget::Object(oid) = &target {
            if self.objects.contains(oid) {
                self.dgc_rescue(*oid);
            }
            if let Some(c) = self.clients.get_mut(&client) {
                if self.objects.contains(oid) {
                    c.resident.insert(*oid);
                }
            }
        }
        if let Some(c) = self.clients.get_mut(&client) {
            c.subs.insert(target.clone());
        }
        self.subscribers.entry(target).or_default().insert(client);
    }

    /// Unsubscribes a client.
    pub fn unsubscribe(&mut self, client: ClientId, target: &SubTarget) {
        if let Some(c) = self.clients.get_mut(&client) {
            c.subs.remove(target);
        }
        if let Some(s) = self.subscribers.get_mut(target) {
            s.remove(&client);
            if s.is_empty() {
                self.subscribers.remove(target);
            }
        }
    }

    /// Removes a departed client: locks, waiters, residency, subscriptions; tells the others.
    pub fn remove_client(&mut self, client: ClientId) {
        let Some(entry) = self.clients.remove(&client) else {
            return;
        };
        for t in &entry.subs {
            if let Some(s) = self.subscribers.get_mut(t) {
                s.remove(&client);
                if s.is_empty() {
                    self.subscribers.remove(t);
                }
            }
        }
        let effects = self.locks.client_gone(client);
        self.deliver(effects);
        self.twopc.client_gone(client);
        self.send_others(client, &Message::NodeLeft { node: entry.info });
    }

    /// Locks currently held, as (lock, client) pairs count.
    pub fn locks_held(&self) -> usize {
        self.locks.holds()
    }

    /// Whether `client` holds `lock`.
    pub fn holds(&self, client: ClientId, lock: &LockId) -> bool {
        self.locks.held_level(client, lock).is_some()
    }
}

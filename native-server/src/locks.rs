//! The cluster lock manager: greedy leases, recall, FIFO fairness across clients, the four lock
//! levels, try-lock with timeout, wait/notify with timed waits and interrupts, fencing tokens.
//!
//! Pure logic: every call returns the [`LockEffect`]s (messages) the caller must deliver, in order.

use std::collections::{HashMap, HashSet, VecDeque};
use std::time::{Duration, Instant};

use kiln_protocol::{LockId, LockLevel, WakeReason};

/// A client's id.
pub type ClientId = u64;

/// Something the lock manager wants told to a client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LockEffect {
    /// Send `LockAward`.
    Award {
        client: ClientId,
        req_id: u64,
        lock: LockId,
        level: LockLevel,
        token: u64,
    },
    /// Send `LockRecall`.
    Recall {
        client: ClientId,
        lock: LockId,
        level: LockLevel,
    },
    /// Send `LockTimeout`.
    Timeout {
        client: ClientId,
        req_id: u64,
        lock: LockId,
    },
    /// Send `WaitDone`.
    WaitDone {
        client: ClientId,
        waiter_id: u64,
        reason: WakeReason,
    },
}

/// What [`LockManager::resume_client`] did.
#[derive(Debug, Default)]
pub struct Resumed {
    /// Messages to deliver (awards, recalls).
    pub effects: Vec<LockEffect>,
    /// Holds the client no longer claims, still held until [`LockManager::release_deferred`].
    pub deferred: Vec<LockId>,
    /// Waiters the client still waits in that the server already woke.
    pub woken: Vec<u64>,
}

/// What one client holds and waits for ([`LockManager::client_view`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClientLocks {
    /// Locks held and at which level.
    pub held: Vec<(LockId, LockLevel)>,
    /// Queued requests: lock, level asked, request id.
    pub queued: Vec<(LockId, LockLevel, u64)>,
    /// Cluster waits (`wait()`): lock, waiter id.
    pub waiting: Vec<(LockId, u64)>,
}

/// A lock operation the protocol does not allow in the current state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LockViolation(pub String);

#[derive(Debug)]
struct Request {
    client: ClientId,
    req_id: u64,
    level: LockLevel,
    deadline: Option<Instant>,
}

#[derive(Debug)]
struct Waiter {
    client: ClientId,
    waiter_id: u64,
    deadline: Option<Instant>,
}

#[derive(Debug, Default)]
struct LockState {
    holders: Vec<(ClientId, LockLevel)>,
    queue: VecDeque<Request>,
    waiters: VecDeque<Waiter>,
    recalled: HashSet<ClientId>,
}

impl LockState {
    fn is_idle(&self) -> bool {
        self.holders.is_empty() && self.queue.is_empty() && self.waiters.is_empty()
    }
    fn compatible(&self, client: ClientId, level: LockLevel) -> bool {
        if level.is_exclusive() {
            self.holders.iter().all(|(c, _)| *c == client)
        } else {
            self.holders
                .iter()
                .all(|(c, l)| *c == client || !l.is_exclusive())
        }
    }
    fn held_by(&self, client: ClientId) -> Option<LockLevel> {
        self.holders
            .iter()
            .find(|(c, _)| *c == client)
            .map(|(_, l)| *l)
    }
}

/// Lock manager state for the whole server.
#[derive(Debug, Default)]
pub struct LockManager {
    locks: HashMap<LockId, LockState>,
    next_token: u64,
    /// Locks in which a client appears (holder, queued or waiter), for disconnect cleanup.
    by_client: HashMap<ClientId, HashSet<LockId>>,
    /// Where each waiter waits.
    waiters: HashMap<(ClientId, u64), LockId>,
    /// Where each queued request is.
    requests: HashMap<(ClientId, u64), LockId>,
    deadlines: usize,
    awards: u64,
    recalls: u64,
    /// Per-lock statistics (off by default; see [`crate::profiler`]).
    pub profiler: crate::profiler::LockProfiler,
}

impl LockManager {
    /// An empty manager.
    pub fn new() -> Self {
        Self::default()
    }

    /// An empty manager whose fencing tokens start above `base` (the server uses
    /// `epoch << 40`, so tokens keep increasing across restarts).
    pub fn with_token_base(base: u64) -> Self {
        LockManager {
            next_token: base,
            ..Self::default()
        }
    }

    /// After a server restart: `client` re-asserts a lease it held. Compatible claims are
    /// restored as holds; a claim that conflicts with another client's re-asserted hold is a
    /// violation (two clients cannot both have held it exclusively).
    pub fn reassert_hold(
        &mut self,
        client: ClientId,
        lock: LockId,
        level: LockLevel,
    ) -> Result<(), LockViolation> {
        let st = self.locks.entry(lock.clone()).or_default();
        if st.held_by(client).is_some() {
            return Ok(());
        }
        if !st.compatible(client, level) {
            let others: Vec<String> = st
                .holders
                .iter()
                .map(|(c, l)| format!("client {c} at {l:?}"))
                .collect();
            return Err(LockViolation(format!(
                "lock {lock} re-asserted at {level:?} conflicts with {}",
                others.join(", ")
            )));
        }
        st.holders.push((client, level));
        self.track(client, &lock);
        Ok(())
    }

    /// After a server restart: `client` re-asserts a thread waiting on `lock` (the client need
    /// not hold the lease any more). `timeout_ms` is what remains (0 = forever).
    pub fn reassert_waiter(
        &mut self,
        client: ClientId,
        waiter_id: u64,
        lock: LockId,
        timeout_ms: u64,
        now: Instant,
    ) -> Result<(), LockViolation> {
        if self.waiters.contains_key(&(client, waiter_id)) {
            return Err(LockViolation(format!(
                "waiter id {waiter_id} re-asserted twice"
            )));
        }
        let deadline = (timeout_ms > 0).then(|| now + Duration::from_millis(timeout_ms));
        if deadline.is_some() {
            self.deadlines += 1;
        }
        self.locks
            .entry(lock.clone())
            .or_default()
            .waiters
            .push_back(Waiter {
                client,
                waiter_id,
                deadline,
            });
        self.waiters.insert((client, waiter_id), lock.clone());
        self.track(client, &lock);
        Ok(())
    }

    /// Number of (lock, client) holds.
    pub fn holds(&self) -> usize {
        self.locks.values().map(|s| s.holders.len()).sum()
    }
    /// Number of locks with any state.
    pub fn lock_count(&self) -> usize {
        self.locks.len()
    }
    /// Number of cluster waiters.
    pub fn waiter_count(&self) -> usize {
        self.waiters.len()
    }
    /// Number of queued requests.
    pub fn queued(&self) -> usize {
        self.requests.len()
    }
    /// Awards made so far.
    pub fn awards(&self) -> u64 {
        self.awards
    }
    /// Recalls sent so far.
    pub fn recalls(&self) -> u64 {
        self.recalls
    }
    /// True when some request or waiter has a deadline (the caller should call [`Self::tick`]).
    pub fn has_deadlines(&self) -> bool {
        self.deadlines > 0
    }
    /// Read-only view of one client for the management console: the locks it holds (with
    /// level), the requests it has queued (lock, level, request id) and the cluster waits it is
    /// in (lock, waiter id). Sorted by lock.
    pub fn client_view(&self, client: ClientId) -> ClientLocks {
        let mut v = ClientLocks::default();
        if let Some(set) = self.by_client.get(&client) {
            for lock in set {
                if let Some(level) = self.locks.get(lock).and_then(|s| s.held_by(client)) {
                    v.held.push((lock.clone(), level));
                }
            }
        }
        for ((c, req_id), lock) in &self.requests {
            if *c != client {
                continue;
            }
            let level = self
                .locks
                .get(lock)
                .and_then(|s| {
                    s.queue
                        .iter()
                        .find(|r| r.client == client && r.req_id == *req_id)
                })
                .map(|r| r.level);
            if let Some(level) = level {
                v.queued.push((lock.clone(), level, *req_id));
            }
        }
        for ((c, waiter_id), lock) in &self.waiters {
            if *c == client {
                v.waiting.push((lock.clone(), *waiter_id));
            }
        }
        let key = |l: &LockId| l.to_string();
        v.held.sort_by_key(|(l, _)| key(l));
        v.queued.sort_by_key(|(l, _, r)| (key(l), *r));
        v.waiting.sort_by_key(|(l, w)| (key(l), *w));
        v
    }

    /// The level `client` holds `lock` at.
    pub fn held_level(&self, client: ClientId, lock: &LockId) -> Option<LockLevel> {
        self.locks.get(lock).and_then(|s| s.held_by(client))
    }

    /// The profiler's top `top` locks by `key`, with their current holders and queue.
    pub fn profile(
        &self,
        top: usize,
        key: crate::profiler::SortKey,
    ) -> Vec<crate::profiler::LockReport> {
        self.profiler
            .top(top, key)
            .into_iter()
            .map(|(lock, s)| {
                let st = self.locks.get(lock);
                crate::profiler::LockReport {
                    lock: lock.to_string(),
                    kind: crate::profiler::kind_of(lock),
                    requests: s.requests,
                    awards: s.awards,
                    recalls: s.recalls,
                    contended: s.contended,
                    hold_mean_us: s.hold_mean_us(),
                    hold_max_us: s.hold_max_us,
                    wait_mean_us: s.wait_mean_us(),
                    wait_max_us: s.wait_max_us,
                    holders: st
                        .map(|st| {
                            st.holders
                                .iter()
                                .map(|(c, _)| format!("client{c}"))
                                .collect()
                        })
                        .unwrap_or_default(),
                    queue: st
                        .map(|st| {
                            st.queue
                                .iter()
                                .map(|r| format!("client{}", r.client))
                                .collect()
                        })
                        .unwrap_or_default(),
                }
            })
            .collect()
    }

    fn track(&mut self, client: ClientId, lock: &LockId) {
        self.by_client
            .entry(client)
            .or_default()
            .insert(lock.clone());
    }

    fn award(
        &mut self,
        client: ClientId,
        req_id: u64,
        lock: &LockId,
        level: LockLevel,
        out: &mut Vec<LockEffect>,
    ) {
        self.next_token += 1;
        self.awards += 1;
        out.push(LockEffect::Award {
            client,
            req_id,
            lock: lock.clone(),
            level,
            token: self.next_token,
        });
    }

    /// `LockRequest`.
    pub fn request(
        &mut self,
        client: ClientId,
        req_id: u64,
        lock: LockId,
        level: LockLevel,
        timeout_ms: i64,
        now: Instant,
    ) -> Result<Vec<LockEffect>, LockViolation> {
        if level == LockLevel::Concurrent {
            return Err(LockViolation(format!(
                "lock {lock}: concurrent-level locks are client-side only and must not be requested"
            )));
        }
        if self.requests.contains_key(&(client, req_id)) {
            return Err(LockViolation(format!(
                "lock request id {req_id} is already pending"
            )));
        }
        let mut out = Vec::new();
        let st = self.locks.entry(lock.clone()).or_default();
        if st.queue.iter().any(|r| r.client == client) {
            return Err(LockViolation(format!(
                "lock {lock}: this client already has a pending request"
            )));
        }
        match st.held_by(client) {
            Some(held) if held.is_exclusive() || !level.is_exclusive() => {
                // Already covered: re-award (a fresh token) without changing anything.
                self.profiler.on_request(&lock, client, false, now);
                self.profiler.on_award(&lock, client, now);
                self.track(client, &lock);
                self.award(client, req_id, &lock, level, &mut out);
                return Ok(out);
            }
            Some(_) => {
                // Read → write upgrade: the client promises no local reader is active. The read
                // hold ends here (its hold time is recorded); the write request follows.
                st.holders.retain(|(c, _)| *c != client);
                st.recalled.remove(&client);
                self.profiler.on_release(&lock, client, now);
            }
            None => {}
        }
        if st.queue.is_empty() && st.compatible(client, level) {
            st.holders.push((client, level));
            self.profiler.on_request(&lock, client, false, now);
            self.profiler.on_award(&lock, client, now);
            self.track(client, &lock);
            self.award(client, req_id, &lock, level, &mut out);
            return Ok(out);
        }
        if timeout_ms == 0 {
            self.profiler.on_refused(&lock);
            out.push(LockEffect::Timeout {
                client,
                req_id,
                lock: lock.clone(),
            });
            // An upgrade attempt dropped the read hold; the client sees a failed try and must treat
            // the read lease as gone (documented in protocol.md).
            self.after_change(&lock, &mut out);
            return Ok(out);
        }
        self.profiler.on_request(&lock, client, true, now);
        let deadline = u64::try_from(timeout_ms)
            .ok()
            .map(|ms| now + Duration::from_millis(ms));
        if deadline.is_some() {
            self.deadlines += 1;
        }
        st.queue.push_back(Request {
            client,
            req_id,
            level,
            deadline,
        });
        self.requests.insert((client, req_id), lock.clone());
        self.track(client, &lock);
        self.after_change(&lock, &mut out);
        Ok(out)
    }

    /// Grant what can be granted from the head of the queue (a writer, or a run of readers),
    /// then recall the holders that block the new head (once each). Drops the lock when idle.
    fn after_change(&mut self, lock: &LockId, out: &mut Vec<LockEffect>) {
        let Some(st) = self.locks.get_mut(lock) else {
            return;
        };
        let mut grants = Vec::new();
        while let Some(head) = st.queue.front() {
            if !st.compatible(head.client, head.level) {
                break;
            }
            let Some(r) = st.queue.pop_front() else { break };
            st.holders.retain(|(c, _)| *c != r.client);
            st.holders.push((r.client, r.level));
            if r.deadline.is_some() {
                self.deadlines -= 1;
            }
            grants.push((r.client, r.req_id, r.level));
        }
        let mut recalls = Vec::new();
        let mut want = LockLevel::Write;
        if let Some(head) = st.queue.front() {
            want = head.level;
            let head_client = head.client;
            for (c, l) in &st.holders {
                let conflicts = *c != head_client && (want.is_exclusive() || l.is_exclusive());
                if conflicts && st.recalled.insert(*c) {
                    recalls.push(*c);
                }
            }
        }
        let idle = st.is_idle();
        if self.profiler.enabled() {
            let now = Instant::now();
            for (client, _, _) in &grants {
                self.profiler.on_award(lock, *client, now);
            }
            for _ in &recalls {
                self.profiler.on_recall(lock);
            }
        }
        for (client, req_id, level) in grants {
            self.requests.remove(&(client, req_id));
            self.award(client, req_id, lock, level, out);
        }
        for c in recalls {
            self.recalls += 1;
            out.push(LockEffect::Recall {
                client: c,
                lock: lock.clone(),
                level: want,
            });
        }
        if idle {
            self.locks.remove(lock);
        }
    }

    /// `RecallCommit` / `LockRelease`.
    pub fn release(
        &mut self,
        client: ClientId,
        lock: &LockId,
    ) -> Result<Vec<LockEffect>, LockViolation> {
        let st = self
            .locks
            .get_mut(lock)
            .filter(|s| s.held_by(client).is_some())
            .ok_or_else(|| {
                LockViolation(format!(
                    "release of lock {lock}, which this client does not hold"
                ))
            })?;
        st.holders.retain(|(c, _)| *c != client);
        st.recalled.remove(&client);
        if self.profiler.enabled() {
            self.profiler.on_release(lock, client, Instant::now());
        }
        let still_involved = st.queue.iter().any(|r| r.client == client)
            || st.waiters.iter().any(|w| w.client == client);
        if !still_involved {
            if let Some(set) = self.by_client.get_mut(&client) {
                set.remove(lock);
            }
        }
        let mut out = Vec::new();
        self.after_change(lock, &mut out);
        Ok(out)
    }

    /// `LockCancel`.
    pub fn cancel(&mut self, client: ClientId, req_id: u64) -> Vec<LockEffect> {
        let mut out = Vec::new();
        let Some(lock) = self.requests.remove(&(client, req_id)) else {
            return out;
        };
        if self.profiler.enabled() {
            self.profiler.on_release(&lock, client, Instant::now());
        }
        if let Some(st) = self.locks.get_mut(&lock) {
            if let Some(pos) = st
                .queue
                .iter()
                .position(|r| r.client == client && r.req_id == req_id)
            {
                if let Some(r) = st.queue.remove(pos) {
                    if r.deadline.is_some() {
                        self.deadlines -= 1;
                    }
                }
            }
        }
        out.push(LockEffect::Timeout {
            client,
            req_id,
            lock: lock.clone(),
        });
        self.after_change(&lock, &mut out);
        out
    }

    /// `Wait`: the client must hold the lock.
    pub fn wait(
        &mut self,
        client: ClientId,
        waiter_id: u64,
        lock: LockId,
        timeout_ms: u64,
        now: Instant,
    ) -> Result<(), LockViolation> {
        let st = self
            .locks
            .get_mut(&lock)
            .filter(|s| s.held_by(client).is_some())
            .ok_or_else(|| {
                LockViolation(format!(
                    "wait on lock {lock}, which this client does not hold"
                ))
            })?;
        if self.waiters.contains_key(&(client, waiter_id)) {
            return Err(LockViolation(format!(
                "waiter id {waiter_id} is already waiting"
            )));
        }
        let deadline = (timeout_ms > 0).then(|| now + Duration::from_millis(timeout_ms));
        if deadline.is_some() {
            self.deadlines += 1;
        }
        st.waiters.push_back(Waiter {
            client,
            waiter_id,
            deadline,
        });
        self.waiters.insert((client, waiter_id), lock.clone());
        self.track(client, &lock);
        Ok(())
    }

    /// A committed notify / notifyAll.
    pub fn notify(&mut self, lock: &LockId, all: bool) -> Vec<LockEffect> {
        let mut out = Vec::new();
        let Some(st) = self.locks.get_mut(lock) else {
            return out;
        };
        let n = if all {
            st.waiters.len()
        } else {
            st.waiters.len().min(1)
        };
        let woken: Vec<Waiter> = st.waiters.drain(..n).collect();
        for w in woken {
            if w.deadline.is_some() {
                self.deadlines -= 1;
            }
            self.waiters.remove(&(w.client, w.waiter_id));
            out.push(LockEffect::WaitDone {
                client: w.client,
                waiter_id: w.waiter_id,
                reason: WakeReason::Notified,
            });
        }
        self.after_change(lock, &mut out);
        out
    }

    /// `Interrupt`.
    pub fn interrupt(&mut self, client: ClientId, waiter_id: u64) -> Vec<LockEffect> {
        let mut out = Vec::new();
        let Some(lock) = self.waiters.remove(&(client, waiter_id)) else {
            return out;
        };
        if let Some(st) = self.locks.get_mut(&lock) {
            if let Some(pos) = st
                .waiters
                .iter()
                .position(|w| w.client == client && w.waiter_id == waiter_id)
            {
                if let Some(w) = st.waiters.remove(pos) {
                    if w.deadline.is_some() {
                        self.deadlines -= 1;
                    }
                }
            }
        }
        out.push(LockEffect::WaitDone {
            client,
            waiter_id,
            reason: WakeReason::Interrupted,
        });
        self.after_change(&lock, &mut out);
        out
    }

    /// Expires timed requests and waits.
    pub fn tick(&mut self, now: Instant) -> Vec<LockEffect> {
        let mut out = Vec::new();
        if self.deadlines == 0 {
            return out;
        }
        let mut touched = Vec::new();
        for (lock, st) in self.locks.iter_mut() {
            let mut changed = false;
            st.queue.retain(|r| match r.deadline {
                Some(d) if d <= now => {
                    out.push(LockEffect::Timeout {
                        client: r.client,
                        req_id: r.req_id,
                        lock: lock.clone(),
                    });
                    changed = true;
                    false
                }
                _ => true,
            });
            st.waiters.retain(|w| match w.deadline {
                Some(d) if d <= now => {
                    out.push(LockEffect::WaitDone {
                        client: w.client,
                        waiter_id: w.waiter_id,
                        reason: WakeReason::TimedOut,
                    });
                    changed = true;
                    false
                }
                _ => true,
            });
            if changed {
                touched.push(lock.clone());
            }
        }
        for e in &out {
            match e {
                LockEffect::Timeout {
                    client,
                    req_id,
                    lock,
                } => {
                    self.requests.remove(&(*client, *req_id));
                    self.deadlines -= 1;
                    // The timed-out request leaves the profiler's pending waits.
                    self.profiler.on_release(lock, *client, now);
                }
                LockEffect::WaitDone {
                    client, waiter_id, ..
                } => {
                    self.waiters.remove(&(*client, *waiter_id));
                    self.deadlines -= 1;
                }
                _ => {}
            }
        }
        for lock in touched {
            self.after_change(&lock, &mut out);
        }
        out
    }

    /// The same running server takes back `client`, whose connection dropped while its session
    /// was kept (`l2.l1reconnect`, protocol.md §9.9): `holds` / `waiters` are its `Reassert`,
    /// `max_waiter_seen` the highest waiter id this server ever received from it.
    ///
    /// Messages may have been lost both ways, so the client's view wins where it can:
    /// - its queued requests are dropped (it sends every outstanding request again, with the
    ///   original `req_id`);
    /// - a claimed hold the server does not have is restored (a conflict is a violation);
    /// - a hold the server has but the client does not claim (its `RecallCommit` was lost, or
    ///   an award it never received) is returned in [`Resumed::deferred`]: still held, so
    ///   nobody can take it before the transactions the client sends again are applied; the
    ///   caller releases it with [`Self::release_deferred`] at the client's first message
    ///   after those transactions;
    /// - a claimed waiter the server still has keeps its place; one the server never received
    ///   (`waiter_id > max_waiter_seen`) is added; one the server already woke (its `WaitDone`
    ///   was lost) is returned in [`Resumed::woken`] for the caller to wake again (a spurious
    ///   wake-up, which `wait` allows);
    /// - recalls are issued again for every hold others are queued behind.
    pub fn resume_client(
        &mut self,
        client: ClientId,
        holds: Vec<(LockId, LockLevel)>,
        waiters: Vec<(u64, LockId, u64)>,
        max_waiter_seen: u64,
        now: Instant,
    ) -> Result<Resumed, LockViolation> {
        let mut touched: HashSet<LockId> = self
            .by_client
            .get(&client)
            .map(|s| s.iter().cloned().collect())
            .unwrap_or_default();
        let claimed_waiters: HashSet<u64> = waiters.iter().map(|w| w.0).collect();
        let mut removed_deadlines = 0;
        for lock in &touched {
            if let Some(st) = self.locks.get_mut(lock) {
                st.recalled.remove(&client);
                st.queue.retain(|r| {
                    let keep = r.client != client;
                    if !keep && r.deadline.is_some() {
                        removed_deadlines += 1;
                    }
                    keep
                });
                st.waiters.retain(|w| {
                    let keep = w.client != client || claimed_waiters.contains(&w.waiter_id);
                    if !keep && w.deadline.is_some() {
                        removed_deadlines += 1;
                    }
                    keep
                });
            }
        }
        self.deadlines -= removed_deadlines;
        self.requests.retain(|(c, _), _| *c != client);
        let present: HashSet<u64> = self
            .waiters
            .keys()
            .filter(|(c, w)| *c == client && claimed_waiters.contains(w))
            .map(|(_, w)| *w)
            .collect();
        self.waiters
            .retain(|(c, w), _| *c != client || present.contains(w));
        let claimed: HashSet<LockId> = holds.iter().map(|h| h.0.clone()).collect();
        let mut deferred = Vec::new();
        for lock in &touched {
            if claimed.contains(lock) {
                continue;
            }
            if let Some(st) = self.locks.get_mut(lock) {
                if st.held_by(client).is_some() {
                    // Stays held (and is not recalled again) until released by the caller.
                    st.recalled.insert(client);
                    deferred.push(lock.clone());
                }
            }
        }
        for (lock, level) in holds {
            touched.insert(lock.clone());
            self.reassert_hold(client, lock, level)?;
        }
        let mut woken = Vec::new();
        for (waiter_id, lock, timeout_ms) in waiters {
            if present.contains(&waiter_id) {
                continue;
            }
            if waiter_id <= max_waiter_seen {
                woken.push(waiter_id);
                continue;
            }
            touched.insert(lock.clone());
            self.reassert_waiter(client, waiter_id, lock, timeout_ms, now)?;
        }
        let mut effects = Vec::new();
        for lock in touched {
            self.after_change(&lock, &mut effects);
        }
        deferred.sort_by_key(|l| l.to_string());
        Ok(Resumed {
            effects,
            deferred,
            woken,
        })
    }

    /// Releases the holds [`Self::resume_client`] deferred (those `client` still has).
    pub fn release_deferred(&mut self, client: ClientId, locks: &[LockId]) -> Vec<LockEffect> {
        let mut out = Vec::new();
        for lock in locks {
            if self.held_level(client, lock).is_some() {
                if let Ok(e) = self.release(client, lock) {
                    out.extend(e);
                }
            }
        }
        out
    }

    /// A client is gone for good: drop its holds, queued requests and waiters; others proceed.
    pub fn client_gone(&mut self, client: ClientId) -> Vec<LockEffect> {
        let mut out = Vec::new();
        let Some(locks) = self.by_client.remove(&client) else {
            return out;
        };
        for lock in locks {
            if self.profiler.enabled() {
                self.profiler.on_release(&lock, client, Instant::now());
            }
            if let Some(st) = self.locks.get_mut(&lock) {
                st.holders.retain(|(c, _)| *c != client);
                st.recalled.remove(&client);
                let mut removed_deadlines = 0;
                st.queue.retain(|r| {
                    let keep = r.client != client;
                    if !keep && r.deadline.is_some() {
                        removed_deadlines += 1;
                    }
                    keep
                });
                st.waiters.retain(|w| {
                    let keep = w.client != client;
                    if !keep && w.deadline.is_some() {
                        removed_deadlines += 1;
                    }
                    keep
                });
                self.deadlines -= removed_deadlines;
            }
            self.after_change(&lock, &mut out);
        }
        self.requests.retain(|(c, _), _| *c != client);
        self.waiters.retain(|(c, _), _| *c != client);
        // Effects addressed to the departed client are pointless.
        out.retain(|e| match e {
            LockEffect::Award { client: c, .. }
            | LockEffect::Recall { client: c, .. }
            | LockEffect::Timeout { client: c, .. }
            | LockEffect::WaitDone { client: c, .. } => *c != client,
        });
        out
    }
}

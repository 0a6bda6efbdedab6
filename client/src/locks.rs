//! The greedy lock client: per-lock lease state, local holders and local waiters.
//!
//! [`LockCore`] is pure logic: it never does I/O itself. Every transition that must talk to the
//! server hands messages to a sink (`FnMut(Message)`), so the whole state machine is unit-tested
//! without a server. The client wraps one core per [`LockId`] in a `parking_lot::Mutex`.
//!
//! Invariants:
//! - a request is outstanding (`outstanding.is_some()`) only while `lease == Lease::None`;
//! - at most one request is outstanding per lock;
//! - while `recalled`, no new local holder is granted; when the last holder releases, the
//!   client sends `RecallCommit` (every transaction made under the lock was queued before, at
//!   its holder's release) and re-requests if local acquirers still wait;
//! - local waiters are granted in FIFO order (a waiting writer blocks later readers), but for
//!   one exception, as a JVM monitor or parking_lot's mutex does it: when a local holder
//!   releases a write lease's lock and the head waiter is a writer that has waited less than
//!   [`FAIR_AFTER`], the head is woken to try again ([`GrantResult::Retry`]) rather than handed
//!   the lock, and a writer of this client may take the free lock meanwhile ("barging"). Threads
//!   taking turns on one lock then do not pay a thread wake-up per hold; a waiter that has
//!   waited [`FAIR_AFTER`] is handed the lock at the next release (no starvation). At most one
//!   woken waiter is in flight ([`LockCore::woken`]).

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use kiln_protocol::{LockId, LockLevel, Message};
use tokio::sync::oneshot;

/// The lease this client holds from the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Lease {
    /// No lease.
    None,
    /// Shared lease: local readers only.
    Read,
    /// Exclusive lease: local readers and writers.
    Write,
}

/// How long a queued writer may be overtaken by writers of its own client that take the lock
/// as it is released (see the module notes); after that, the next release hands it the lock.
pub(crate) const FAIR_AFTER: Duration = Duration::from_micros(500);

/// What a waiter finally gets.
#[derive(Debug)]
pub(crate) enum GrantResult {
    /// Granted locally; the award's fencing token.
    Granted(u64),
    /// The lock was released by a local holder while this waiter was the head: it is no longer
    /// queued and must try again ([`LockCore::retry`]), since another local writer may have
    /// taken the lock first.
    Retry,
    /// The request timed out (try-lock).
    TimedOut,
    /// The client failed.
    Failed(crate::Error),
}

/// A local acquirer waiting for the lock.
#[derive(Debug)]
pub(crate) struct Waiter {
    pub(crate) id: u64,
    pub(crate) exclusive: bool,
    /// `None`: block forever.
    pub(crate) deadline: Option<Instant>,
    /// When it first queued (kept across retries): the fairness bound counts from here.
    pub(crate) since: Instant,
    pub(crate) tx: oneshot::Sender<GrantResult>,
}

/// Where the core sends messages and finds request ids.
pub(crate) struct Ctx<'a> {
    pub(crate) lock: &'a LockId,
    pub(crate) next_req: &'a AtomicU64,
    pub(crate) send: &'a mut dyn FnMut(Message),
    pub(crate) now: Instant,
}

impl Ctx<'_> {
    fn req_id(&self) -> u64 {
        self.next_req.fetch_add(1, Ordering::Relaxed)
    }
}

/// The state of one lock at this client.
#[derive(Debug)]
pub(crate) struct LockCore {
    pub(crate) lease: Lease,
    pub(crate) recalled: bool,
    /// Outstanding `LockRequest` id.
    pub(crate) outstanding: Option<u64>,
    /// Whether a `LockCancel` was sent for the outstanding request.
    pub(crate) cancel_sent: bool,
    pub(crate) readers: u32,
    pub(crate) writer: bool,
    pub(crate) token: u64,
    pub(crate) queue: VecDeque<Waiter>,
    /// Requests sent for this lock (stats/tests).
    pub(crate) requests_sent: u64,
    /// Level of the outstanding request.
    pub(crate) req_level: LockLevel,
    /// The outstanding request was sent on a connection that was lost: send it again (same
    /// `req_id`) once reconnected.
    pub(crate) resend: bool,
    /// A waiter was sent [`GrantResult::Retry`] and has not tried again yet: no other is woken
    /// meanwhile (its retry, or its abandoning, carries the hand-off on).
    pub(crate) woken: bool,
}

impl LockCore {
    /// Nothing left to remember: no lease, no holder, no waiter, no request in flight.
    pub(crate) fn is_idle(&self) -> bool {
        self.lease == Lease::None
            && !self.recalled
            && self.outstanding.is_none()
            && self.readers == 0
            && !self.writer
            && self.queue.is_empty()
            && !self.woken
    }
}

impl Default for LockCore {
    fn default() -> Self {
        LockCore {
            lease: Lease::None,
            recalled: false,
            outstanding: None,
            cancel_sent: false,
            readers: 0,
            writer: false,
            token: 0,
            queue: VecDeque::new(),
            requests_sent: 0,
            req_level: LockLevel::Write,
            resend: false,
            woken: false,
        }
    }
}

impl LockCore {
    /// The hot path: grants a local hold without any traffic when the lease covers the level,
    /// no recall is pending, no local holder conflicts and nobody waits locally — or, for a
    /// writer, only writers that have waited less than [`FAIR_AFTER`] (they were woken, or will
    /// be, at the release; see the module notes).
    #[inline]
    pub(crate) fn try_local(&mut self, exclusive: bool) -> Option<u64> {
        if self.recalled {
            return None;
        }
        if let Some(head) = self.queue.front() {
            if !exclusive || !head.exclusive || head.since.elapsed() >= FAIR_AFTER {
                return None;
            }
        }
        if self.can_grant(exclusive) {
            self.take(exclusive);
            Some(self.token)
        } else {
            None
        }
    }

    #[inline]
    fn can_grant(&self, exclusive: bool) -> bool {
        match (self.lease, exclusive) {
            (Lease::None, _) => false,
            (Lease::Read, true) => false,
            (_, false) => !self.writer,
            (Lease::Write, true) => !self.writer && self.readers == 0,
        }
    }

    #[inline]
    fn take(&mut self, exclusive: bool) {
        if exclusive {
            self.writer = true;
        } else {
            self.readers += 1;
        }
    }

    #[inline]
    fn untake(&mut self, exclusive: bool) {
        if exclusive {
            self.writer = false;
        } else {
            self.readers = self.readers.saturating_sub(1);
        }
    }

    /// Releases one local hold. Returns true when [`LockCore::pump`] must run (recall pending or
    /// local waiters).
    #[inline]
    pub(crate) fn release(&mut self, exclusive: bool) -> bool {
        self.untake(exclusive);
        self.recalled || !self.queue.is_empty()
    }

    /// True when the lease already covers `exclusive` (used by try-lock with timeout 0: a
    /// local conflict means "not available now").
    pub(crate) fn lease_covers(&self, exclusive: bool) -> bool {
        matches!(
            (self.lease, exclusive),
            (Lease::Write, _) | (Lease::Read, false)
        )
    }

    /// Queues a local waiter (the caller then runs [`LockCore::pump`]).
    pub(crate) fn enqueue(&mut self, w: Waiter) {
        self.queue.push_back(w);
    }

    /// Removes a waiter that gave up (timeout, drop). Returns true if it was still queued.
    /// Sends `LockCancel` when nobody waits any more for an outstanding request.
    pub(crate) fn remove_waiter(&mut self, id: u64, ctx: &mut Ctx<'_>) -> bool {
        let before = self.queue.len();
        self.queue.retain(|w| w.id != id);
        let removed = self.queue.len() != before;
        if removed {
            self.pump(ctx);
        }
        removed
    }

    /// [`LockCore::pump`] after a local holder released: when the lock is now free under a
    /// write lease and the head waiter is a writer that has waited less than [`FAIR_AFTER`], the
    /// head is woken to try again ([`GrantResult::Retry`]) instead of being handed the lock, so
    /// that the releasing thread (or another) may take it at once; nothing more when a woken
    /// waiter is still in flight. Otherwise as [`LockCore::pump`].
    pub(crate) fn pump_released(&mut self, ctx: &mut Ctx<'_>) {
        if !self.recalled && self.can_grant(true) {
            self.queue.retain(|w| !w.tx.is_closed());
            while let Some(head) = self.queue.front() {
                if !head.exclusive || ctx.now.saturating_duration_since(head.since) >= FAIR_AFTER {
                    break;
                }
                if self.woken {
                    return;
                }
                let Some(w) = self.queue.pop_front() else {
                    break;
                };
                if w.tx.send(GrantResult::Retry).is_ok() {
                    self.woken = true;
                    return;
                }
            }
        }
        self.pump(ctx);
    }

    /// The woken waiter `w` (sent [`GrantResult::Retry`]) tries again: holds the lock (its
    /// token) when it can, else goes back to the head of the queue (its `since` kept).
    pub(crate) fn retry(&mut self, w: Waiter, ctx: &mut Ctx<'_>) -> Option<u64> {
        self.woken = false;
        if !self.recalled && self.can_grant(w.exclusive) {
            self.take(w.exclusive);
            return Some(self.token);
        }
        self.queue.push_front(w);
        self.pump(ctx);
        None
    }

    /// The woken waiter went away before trying again: the next one is woken or granted.
    pub(crate) fn abandon_woken(&mut self, ctx: &mut Ctx<'_>) {
        self.woken = false;
        self.pump_released(ctx);
    }

    /// Drives the state machine: drops abandoned waiters, answers a pending recall when the last
    /// holder is gone, grants queued waiters in FIFO order, and sends a `LockRequest` (or an
    /// upgrade) when the head waiter needs a lease the client lacks.
    pub(crate) fn pump(&mut self, ctx: &mut Ctx<'_>) {
        self.queue.retain(|w| !w.tx.is_closed());
        if self.recalled {
            if self.readers > 0 || self.writer {
                return; // the last holder's release pumps again
            }
            (ctx.send)(Message::RecallCommit {
                lock: ctx.lock.clone(),
            });
            self.lease = Lease::None;
            self.recalled = false;
        }
        // Grant from the head, FIFO.
        while let Some(w) = self.queue.front() {
            if !self.can_grant(w.exclusive) {
                break;
            }
            let Some(w) = self.queue.pop_front() else {
                break;
            };
            self.take(w.exclusive);
            if w.tx.send(GrantResult::Granted(self.token)).is_err() {
                self.untake(w.exclusive); // the acquirer went away
            }
        }
        // Ask the server when the head needs a lease we do not have.
        let Some(head) = self.queue.front() else {
            if let (Some(req_id), false) = (self.outstanding, self.cancel_sent) {
                (ctx.send)(Message::LockCancel { req_id });
                self.cancel_sent = true;
            }
            return;
        };
        if self.outstanding.is_some() || self.lease_covers(head.exclusive) {
            return;
        }
        let want_write = self.queue.iter().any(|w| w.exclusive);
        match self.lease {
            Lease::Write => {}
            Lease::Read => {
                // Upgrade: only once every local reader is gone; the server drops our read
                // hold when it receives the Write request.
                if self.readers == 0 {
                    self.lease = Lease::None;
                    self.send_request(LockLevel::Write, ctx);
                }
            }
            Lease::None => {
                let level = if want_write {
                    LockLevel::Write
                } else {
                    LockLevel::Read
                };
                self.send_request(level, ctx);
            }
        }
    }

    /// The request timeout covering every local waiter (`-1`: one of them blocks).
    fn request_timeout(&self, now: Instant) -> i64 {
        let mut timeout_ms: i64 = 0;
        for w in &self.queue {
            match w.deadline {
                None => return -1,
                Some(d) => {
                    let ms = i64::try_from(d.saturating_duration_since(now).as_millis())
                        .unwrap_or(i64::MAX);
                    timeout_ms = timeout_ms.max(ms);
                }
            }
        }
        timeout_ms
    }

    fn send_request(&mut self, level: LockLevel, ctx: &mut Ctx<'_>) {
        let timeout_ms = self.request_timeout(ctx.now);
        let req_id = ctx.req_id();
        self.outstanding = Some(req_id);
        self.cancel_sent = false;
        self.req_level = level;
        self.resend = false;
        self.requests_sent += 1;
        (ctx.send)(Message::LockRequest {
            req_id,
            lock: ctx.lock.clone(),
            level,
            timeout_ms,
        });
    }

    /// `LockAward`: the lease is ours.
    pub(crate) fn on_award(
        &mut self,
        req_id: u64,
        level: LockLevel,
        token: u64,
        ctx: &mut Ctx<'_>,
    ) {
        if self.outstanding != Some(req_id) {
            tracing::warn!(lock = %ctx.lock, req_id, outstanding = ?self.outstanding, "award for a request that is not outstanding");
        }
        self.outstanding = None;
        self.cancel_sent = false;
        self.lease = if level == LockLevel::Read {
            Lease::Read
        } else {
            Lease::Write
        };
        self.recalled = false;
        self.token = token;
        self.pump(ctx);
    }

    /// `LockRecall`: stop granting, give the lease back once the local holders are gone.
    pub(crate) fn on_recall(&mut self, ctx: &mut Ctx<'_>) {
        if self.lease == Lease::None {
            // Stale: e.g. the recall of a read hold our upgrade request already dropped.
            tracing::debug!(lock = %ctx.lock, "recall ignored: no lease");
            return;
        }
        self.recalled = true;
        self.pump(ctx);
    }

    /// `LockTimeout`: the outstanding request ended without an award.
    pub(crate) fn on_timeout(&mut self, req_id: u64, ctx: &mut Ctx<'_>) {
        if self.outstanding != Some(req_id) {
            tracing::debug!(lock = %ctx.lock, req_id, "timeout for a request that is not outstanding");
            return;
        }
        self.outstanding = None;
        self.cancel_sent = false;
        let limit = ctx.now + Duration::from_millis(10);
        let mut kept = VecDeque::with_capacity(self.queue.len());
        for w in self.queue.drain(..) {
            match w.deadline {
                Some(d) if d <= limit => {
                    let _ = w.tx.send(GrantResult::TimedOut);
                }
                _ => kept.push_back(w),
            }
        }
        self.queue = kept;
        self.pump(ctx);
    }

    /// The level of the lease held, if any (re-asserted after a reconnect).
    pub(crate) fn lease_level(&self) -> Option<LockLevel> {
        match self.lease {
            Lease::None => None,
            Lease::Read => Some(LockLevel::Read),
            Lease::Write => Some(LockLevel::Write),
        }
    }

    /// The connection was lost (the client reconnects). The server forgets pending requests and
    /// recalls; the lease itself is re-asserted. A recall pending here is dropped (the restarted
    /// server recalls again if someone still wants the lock); an outstanding request is sent
    /// again after the reconnect, unless it was being cancelled (then it is simply forgotten,
    /// as if it had timed out).
    pub(crate) fn on_connection_lost(&mut self, ctx: &mut Ctx<'_>) {
        self.recalled = false;
        if self.outstanding.is_none() {
            return;
        }
        if self.cancel_sent {
            self.outstanding = None;
            self.cancel_sent = false;
            self.resend = false;
            self.pump(ctx);
        } else {
            self.resend = true;
        }
    }

    /// After a reconnect: the `LockRequest` to send again (original `req_id` and level, timeout
    /// recomputed for the local waiters), if the outstanding request was sent on the lost
    /// connection.
    pub(crate) fn take_resend(&mut self, lock: &LockId, now: Instant) -> Option<Message> {
        if !std::mem::replace(&mut self.resend, false) {
            return None;
        }
        let req_id = self.outstanding?;
        Some(Message::LockRequest {
            req_id,
            lock: lock.clone(),
            level: self.req_level,
            timeout_ms: self.request_timeout(now),
        })
    }

    /// The connection failed: no lease any more, every waiter fails.
    pub(crate) fn fail(&mut self, err: &crate::Error) {
        self.lease = Lease::None;
        self.recalled = false;
        self.outstanding = None;
        self.resend = false;
        for w in self.queue.drain(..) {
            let _ = w.tx.send(GrantResult::Failed(err.duplicate()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Harness {
        core: LockCore,
        id: LockId,
        next: AtomicU64,
        sent: Vec<Message>,
        wid: u64,
    }

    impl Harness {
        fn new() -> Self {
            Harness {
                core: LockCore::default(),
                id: LockId::Named("L".into()),
                next: AtomicU64::new(1),
                sent: vec![],
                wid: 0,
            }
        }
        fn run(&mut self, f: impl FnOnce(&mut LockCore, &mut Ctx<'_>)) {
            self.run_ret(f);
        }
        fn wait(
            &mut self,
            exclusive: bool,
            deadline: Option<Instant>,
        ) -> oneshot::Receiver<GrantResult> {
            self.wait_since(exclusive, deadline, Instant::now())
        }
        fn wait_since(
            &mut self,
            exclusive: bool,
            deadline: Option<Instant>,
            since: Instant,
        ) -> oneshot::Receiver<GrantResult> {
            let (tx, rx) = oneshot::channel();
            self.wid += 1;
            let w = Waiter {
                id: self.wid,
                exclusive,
                deadline,
                since,
                tx,
            };
            self.run(|c, ctx| {
                c.enqueue(w);
                c.pump(ctx)
            });
            rx
        }
        fn run_ret<R>(&mut self, f: impl FnOnce(&mut LockCore, &mut Ctx<'_>) -> R) -> R {
            let sent = &mut self.sent;
            let mut sink = |m: Message| sent.push(m);
            let mut ctx = Ctx {
                lock: &self.id,
                next_req: &self.next,
                send: &mut sink,
                now: Instant::now(),
            };
            f(&mut self.core, &mut ctx)
        }
        fn take(&mut self) -> Vec<Message> {
            std::mem::take(&mut self.sent)
        }
    }

    fn granted(rx: &mut oneshot::Receiver<GrantResult>) -> bool {
        matches!(rx.try_recv(), Ok(GrantResult::Granted(_)))
    }

    #[test]
    fn first_acquire_requests_then_award_grants() {
        let mut h = Harness::new();
        assert_eq!(h.core.try_local(true), None);
        let mut rx = h.wait(true, None);
        let sent = h.take();
        assert!(matches!(
            &sent[..],
            [Message::LockRequest {
                req_id: 1,
                level: LockLevel::Write,
                timeout_ms: -1,
                ..
            }]
        ));
        assert!(rx.try_recv().is_err());
        h.run(|c, ctx| c.on_award(1, LockLevel::Write, 77, ctx));
        assert!(matches!(rx.try_recv(), Ok(GrantResult::Granted(77))));
        assert!(h.core.writer);
        // release then greedy re-acquire: no traffic
        assert!(!h.core.release(true));
        assert_eq!(h.core.try_local(true), Some(77));
        assert!(!h.core.release(true));
        assert_eq!(h.core.try_local(false), Some(77));
        assert!(!h.core.release(false));
        assert!(h.take().is_empty());
    }

    #[test]
    fn only_one_outstanding_request() {
        let mut h = Harness::new();
        let mut a = h.wait(true, None);
        let mut b = h.wait(true, None);
        assert_eq!(h.take().len(), 1);
        h.run(|c, ctx| c.on_award(1, LockLevel::Write, 1, ctx));
        assert!(granted(&mut a));
        assert!(b.try_recv().is_err());
        let pump = h.core.release(true);
        assert!(pump);
        h.run(|c, ctx| c.pump(ctx));
        assert!(granted(&mut b));
        assert!(h.take().is_empty());
    }

    #[test]
    fn recall_waits_for_holder_then_commits_and_rerequests() {
        let mut h = Harness::new();
        let _a = h.wait(true, None);
        h.run(|c, ctx| c.on_award(1, LockLevel::Write, 5, ctx));
        h.take();
        h.run(|c, ctx| c.on_recall(ctx));
        assert!(
            h.take().is_empty(),
            "holder still active: no RecallCommit yet"
        );
        // a new local acquirer must not be granted while recalled
        assert_eq!(h.core.try_local(true), None);
        let mut b = h.wait(true, None);
        assert!(h.take().is_empty());
        assert!(h.core.release(true));
        h.run(|c, ctx| c.pump(ctx));
        let sent = h.take();
        assert!(
            matches!(
                &sent[..],
                [
                    Message::RecallCommit { .. },
                    Message::LockRequest { req_id: 2, .. }
                ]
            ),
            "{sent:?}"
        );
        assert_eq!(h.core.lease, Lease::None);
        h.run(|c, ctx| c.on_award(2, LockLevel::Write, 9, ctx));
        assert!(matches!(b.try_recv(), Ok(GrantResult::Granted(9))));
    }

    #[test]
    fn recall_without_holders_commits_immediately() {
        let mut h = Harness::new();
        let _a = h.wait(false, None);
        h.run(|c, ctx| c.on_award(1, LockLevel::Read, 5, ctx));
        h.core.release(false);
        h.take();
        h.run(|c, ctx| c.on_recall(ctx));
        assert!(matches!(&h.take()[..], [Message::RecallCommit { .. }]));
        assert_eq!(h.core.lease, Lease::None);
        // stale recall ignored
        h.run(|c, ctx| c.on_recall(ctx));
        assert!(h.take().is_empty());
    }

    #[test]
    fn readers_share_writer_waits_fifo() {
        let mut h = Harness::new();
        let mut r1 = h.wait(false, None);
        let sent = h.take();
        assert!(matches!(
            &sent[..],
            [Message::LockRequest {
                level: LockLevel::Read,
                ..
            }]
        ));
        h.run(|c, ctx| c.on_award(1, LockLevel::Read, 1, ctx));
        assert!(granted(&mut r1));
        assert_eq!(h.core.try_local(false), Some(1));
        assert_eq!(h.core.readers, 2);
        // writer wants in: must wait for readers, then upgrade
        let mut w = h.wait(true, None);
        assert!(h.take().is_empty());
        // a later reader queues behind the writer
        assert_eq!(h.core.try_local(false), None);
        let mut r3 = h.wait(false, None);
        h.core.release(false);
        h.run(|c, ctx| c.pump(ctx));
        assert!(h.take().is_empty());
        h.core.release(false);
        h.run(|c, ctx| c.pump(ctx));
        let sent = h.take();
        assert!(
            matches!(
                &sent[..],
                [Message::LockRequest {
                    req_id: 2,
                    level: LockLevel::Write,
                    ..
                }]
            ),
            "{sent:?}"
        );
        assert_eq!(h.core.lease, Lease::None);
        // a recall of the dropped read hold is stale and ignored
        h.run(|c, ctx| c.on_recall(ctx));
        assert!(h.take().is_empty());
        h.run(|c, ctx| c.on_award(2, LockLevel::Write, 2, ctx));
        assert!(granted(&mut w));
        assert!(r3.try_recv().is_err());
        h.core.release(true);
        h.run(|c, ctx| c.pump(ctx));
        assert!(granted(&mut r3));
    }

    #[test]
    fn try_timeout_and_cancel() {
        let mut h = Harness::new();
        let now = Instant::now();
        let mut t = h.wait(true, Some(now));
        let sent = h.take();
        assert!(matches!(
            &sent[..],
            [Message::LockRequest { timeout_ms: 0, .. }]
        ));
        h.run(|c, ctx| c.on_timeout(1, ctx));
        assert!(matches!(t.try_recv(), Ok(GrantResult::TimedOut)));
        assert!(h.take().is_empty());
        // waiter gives up locally: cancel is sent once
        let _b = h.wait(true, None);
        assert_eq!(h.take().len(), 1);
        let id = h.wid;
        h.run(|c, ctx| assert!(c.remove_waiter(id, ctx)));
        assert!(matches!(&h.take()[..], [Message::LockCancel { req_id: 2 }]));
        h.run(|c, ctx| c.pump(ctx));
        assert!(h.take().is_empty());
        // award that raced the cancel stands: lease held, no waiter
        h.run(|c, ctx| c.on_award(2, LockLevel::Write, 3, ctx));
        assert_eq!(h.core.try_local(true), Some(3));
    }

    #[test]
    fn dropped_waiter_does_not_keep_the_lock() {
        let mut h = Harness::new();
        let rx = h.wait(true, None);
        drop(rx);
        h.take();
        h.run(|c, ctx| c.on_award(1, LockLevel::Write, 1, ctx));
        assert!(!h.core.writer);
        assert_eq!(h.core.try_local(true), Some(1));
    }

    #[test]
    fn connection_loss_keeps_the_lease_forgets_the_recall_and_resends_the_request() {
        let mut h = Harness::new();
        let _a = h.wait(true, None);
        h.run(|c, ctx| c.on_award(1, LockLevel::Write, 5, ctx));
        h.take();
        h.run(|c, ctx| c.on_recall(ctx));
        h.run(|c, ctx| c.on_connection_lost(ctx));
        assert_eq!(h.core.lease_level(), Some(LockLevel::Write));
        // the holder releases: no RecallCommit for a recall the restarted server forgot
        assert!(!h.core.release(true));
        assert!(h.take().is_empty());
        assert_eq!(
            h.core.try_local(true),
            Some(5),
            "greedy re-acquire keeps working"
        );
        h.core.release(true);

        // an outstanding request is sent again with its req_id and level
        let mut h = Harness::new();
        let mut w = h.wait(false, Some(Instant::now() + Duration::from_secs(60)));
        h.take();
        h.run(|c, ctx| c.on_connection_lost(ctx));
        assert!(h.take().is_empty());
        let m = h.core.take_resend(&h.id, Instant::now());
        assert!(
            matches!(m, Some(Message::LockRequest { req_id: 1, level: LockLevel::Read, timeout_ms, .. }) if timeout_ms > 50_000),
            "{m:?}"
        );
        assert!(h.core.take_resend(&h.id, Instant::now()).is_none(), "once");
        h.run(|c, ctx| c.on_award(1, LockLevel::Read, 7, ctx));
        assert!(granted(&mut w));

        // a request being cancelled is forgotten; a waiter queued behind it asks anew
        let mut h = Harness::new();
        let _x = h.wait(true, None);
        let id = h.wid;
        h.run(|c, ctx| assert!(c.remove_waiter(id, ctx)));
        let _y = h.wait(true, None);
        h.take();
        h.run(|c, ctx| c.on_connection_lost(ctx));
        assert!(
            matches!(&h.take()[..], [Message::LockRequest { req_id: 2, .. }]),
            "a new request for the waiter"
        );
        assert!(h.core.take_resend(&h.id, Instant::now()).is_none());
    }

    #[test]
    fn failure_fails_waiters() {
        let mut h = Harness::new();
        let mut rx = h.wait(true, None);
        h.core.fail(&crate::Error::lost("x"));
        assert!(matches!(rx.try_recv(), Ok(GrantResult::Failed(_))));
        assert_eq!(h.core.lease, Lease::None);
    }

    fn retried(rx: &mut oneshot::Receiver<GrantResult>) -> bool {
        matches!(rx.try_recv(), Ok(GrantResult::Retry))
    }

    /// A write-leased lock held by a local writer.
    fn held_write(h: &mut Harness) {
        let mut a = h.wait(true, None);
        h.run(|c, ctx| c.on_award(1, LockLevel::Write, 3, ctx));
        assert!(granted(&mut a));
        h.take();
    }

    /// A woken waiter's retry (same id, fresh channel).
    fn waiter(id: u64, exclusive: bool) -> (Waiter, oneshot::Receiver<GrantResult>) {
        let (tx, rx) = oneshot::channel();
        let w = Waiter {
            id,
            exclusive,
            deadline: None,
            since: Instant::now(),
            tx,
        };
        (w, rx)
    }

    #[test]
    fn a_release_wakes_the_head_writer_and_a_local_writer_may_take_the_lock_first() {
        let mut h = Harness::new();
        held_write(&mut h);
        let mut b = h.wait(true, None);
        assert!(h.core.release(true));
        h.run(|c, ctx| c.pump_released(ctx));
        assert!(retried(&mut b), "woken to try again, not handed the lock");
        assert!(h.core.woken && h.core.queue.is_empty());
        // The releasing thread comes back first: it takes the free lock.
        assert_eq!(h.core.try_local(true), Some(3));
        // The woken waiter tries, finds it held, and queues again at the head.
        let (w, mut b) = waiter(2, true);
        assert_eq!(h.run_ret(|c, ctx| c.retry(w, ctx)), None);
        assert!(!h.core.woken && h.core.queue.len() == 1);
        assert!(b.try_recv().is_err());
        // Next release: woken again; this time it gets the lock.
        assert!(h.core.release(true));
        h.run(|c, ctx| c.pump_released(ctx));
        assert!(retried(&mut b));
        let (w, _b) = waiter(2, true);
        assert_eq!(h.run_ret(|c, ctx| c.retry(w, ctx)), Some(3));
        assert!(h.core.writer && !h.core.woken);
        assert!(h.take().is_empty(), "all of it local: no traffic");
    }

    #[test]
    fn a_writer_queued_for_fair_after_is_handed_the_lock_and_not_overtaken() {
        let mut h = Harness::new();
        held_write(&mut h);
        let long_ago = Instant::now() - FAIR_AFTER - Duration::from_millis(1);
        let mut b = h.wait_since(true, None, long_ago);
        assert!(h.core.release(true));
        // Overdue at the head: nobody may take the lock ahead of it...
        assert_eq!(h.core.try_local(true), None);
        // ...and the release hands it over.
        h.run(|c, ctx| c.pump_released(ctx));
        assert!(granted(&mut b));
        assert!(h.core.writer && !h.core.woken);
    }

    #[test]
    fn readers_never_overtake_a_queued_writer_and_queued_readers_are_granted_together() {
        let mut h = Harness::new();
        held_write(&mut h);
        let _w = h.wait(true, None);
        assert!(h.core.release(true));
        h.run(|c, ctx| c.pump_released(ctx)); // the writer is woken
        assert!(h.core.woken);
        let mut h2 = Harness::new();
        held_write(&mut h2);
        let _queued_writer = h2.wait(true, None);
        assert_eq!(
            h2.core.try_local(false),
            None,
            "a reader waits behind a queued writer"
        );
        // Readers at the head are granted directly, all of them.
        let mut h3 = Harness::new();
        held_write(&mut h3);
        let mut r1 = h3.wait(false, None);
        let mut r2 = h3.wait(false, None);
        assert!(h3.core.release(true));
        h3.run(|c, ctx| c.pump_released(ctx));
        assert!(granted(&mut r1) && granted(&mut r2));
        assert_eq!(h3.core.readers, 2);
    }

    #[test]
    fn one_woken_waiter_at_a_time_and_an_abandoned_one_passes_the_turn_on() {
        let mut h = Harness::new();
        held_write(&mut h);
        let mut b = h.wait(true, None);
        let mut c2 = h.wait(true, None);
        assert!(h.core.release(true));
        h.run(|c, ctx| c.pump_released(ctx));
        assert!(retried(&mut b));
        // Another holder comes and goes while b is in flight: c2 is not woken as well.
        assert_eq!(h.core.try_local(true), Some(3));
        assert!(h.core.release(true));
        h.run(|c, ctx| c.pump_released(ctx));
        assert!(c2.try_recv().is_err());
        // b goes away without trying: c2 is woken in its place.
        h.run(|c, ctx| c.abandon_woken(ctx));
        assert!(retried(&mut c2));
        assert!(h.core.woken);
    }

    #[test]
    fn a_recall_while_a_waiter_is_woken_is_answered_and_the_waiter_requests_again() {
        let mut h = Harness::new();
        held_write(&mut h);
        let mut b = h.wait(true, None);
        assert!(h.core.release(true));
        h.run(|c, ctx| c.pump_released(ctx));
        assert!(retried(&mut b));
        h.run(|c, ctx| c.on_recall(ctx));
        let sent = h.take();
        assert!(
            matches!(&sent[..], [Message::RecallCommit { .. }]),
            "{sent:?}"
        );
        assert_eq!(h.core.try_local(true), None);
        let (w, _b) = waiter(2, true);
        assert_eq!(h.run_ret(|c, ctx| c.retry(w, ctx)), None);
        let sent = h.take();
        assert!(
            matches!(
                &sent[..],
                [Message::LockRequest {
                    level: LockLevel::Write,
                    ..
                }]
            ),
            "{sent:?}"
        );
    }
}

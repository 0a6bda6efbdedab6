//! The client's lock table: entries, the slow acquire path, cluster waits.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use kiln_protocol::{LockId, Message, WakeReason};
use parking_lot::{Condvar, Mutex};

use tokio::sync::oneshot;

use crate::locks::{Ctx, GrantResult, LockCore, Waiter};
use crate::Result;

use super::inner::{Inner, LockEntry, WaitEntry};

/// "A lock whose read hold is parked is wanted back": a counter and a condvar. The client's
/// recall path and a local acquirer that had to queue signal it when the lock's entry is
/// marked parked ([`LockEntry::parked`]); the Java agent's `kiln-read-leases` thread waits on
/// it ([`crate::Client::await_release_wanted`]) instead of polling.
#[derive(Debug, Default)]
pub(crate) struct ReleaseWanted {
    seq: Mutex<u64>,
    cv: Condvar,
}

impl ReleaseWanted {
    fn signal(&self) {
        *self.seq.lock() += 1;
        self.cv.notify_all();
    }

    /// Waits until the counter differs from `seen` or `timeout` passes; the counter now.
    pub(crate) fn wait(&self, seen: u64, timeout: Duration) -> u64 {
        let mut g = self.seq.lock();
        if *g == seen {
            self.cv.wait_for(&mut g, timeout);
        }
        *g
    }
}

impl Inner {
    /// After a recall or a queued local acquirer of `entry`: signals [`ReleaseWanted`] when its
    /// read hold is parked. `parked` is set under the core's mutex
    /// ([`crate::LockHandle::set_parked`]), which the caller took and released for the recall or
    /// the enqueue: either this load sees it, or the setter saw the recall or the waiter.
    pub(crate) fn note_release_wanted(&self, entry: &LockEntry) {
        if entry.parked.load(Ordering::Acquire) {
            self.stats.release_wanted.signal();
        }
    }

    #[inline]
    pub(crate) fn entry(&self, lock: LockId) -> Arc<LockEntry> {
        if let Some(e) = self.locks.read().get(&lock) {
            return e.clone();
        }
        self.locks
            .write()
            .entry(lock.clone())
            .or_insert_with(|| {
                Arc::new(LockEntry {
                    id: lock,
                    core: Mutex::new(LockCore::default()),
                    parked: AtomicBool::new(false),
                })
            })
            .clone()
    }

    pub(super) fn existing_entry(&self, lock: &LockId) -> Option<Arc<LockEntry>> {
        self.locks.read().get(lock).cloned()
    }

    /// Runs `f` on a lock's core with a context that queues messages on the outbound queue.
    pub(crate) fn with_core<R>(
        &self,
        entry: &LockEntry,
        f: impl FnOnce(&mut LockCore, &mut Ctx<'_>) -> R,
    ) -> R {
        let _g = self.gate();
        self.with_core_ungated(entry, f)
    }

    /// [`Inner::with_core`] for a caller that holds the gate.
    pub(super) fn with_core_ungated<R>(
        &self,
        entry: &LockEntry,
        f: impl FnOnce(&mut LockCore, &mut Ctx<'_>) -> R,
    ) -> R {
        let mut core = entry.core.lock();
        let mut sink = |m: Message| {
            if matches!(m, Message::LockRequest { .. }) {
                self.stats.lock_requests.fetch_add(1, Ordering::Relaxed);
            }
            tracing::trace!(msg = ?m, "lock message");
            self.out.push(m);
        };
        let mut ctx = Ctx {
            lock: &entry.id,
            next_req: &self.next_req,
            send: &mut sink,
            now: Instant::now(),
        };
        f(&mut core, &mut ctx)
    }

    /// Releases one local hold (pumping the state machine only when needed).
    #[inline]
    pub(crate) fn release(&self, entry: &Arc<LockEntry>, exclusive: bool) {
        let needs_pump = entry.core.lock().release(exclusive);
        if needs_pump {
            self.with_core(entry, |c, ctx| c.pump_released(ctx));
            self.forget_if_idle(entry);
        }
    }

    /// Drops a lock's entry from the table once this client has nothing to do with the lock
    /// (no lease, no holder, no waiter, no request), so the table does not grow with every lock
    /// ever used. Only when nobody but the table and the caller holds the entry: then nobody can
    /// be using it, and a later acquire simply creates a fresh (identical) one.
    pub(crate) fn forget_if_idle(&self, entry: &Arc<LockEntry>) {
        if !entry.core.lock().is_idle() {
            return;
        }
        let mut table = self.locks.write();
        if Arc::strong_count(entry) == 2 && entry.core.lock().is_idle() {
            if let Some(e) = table.get(&entry.id) {
                if Arc::ptr_eq(e, entry) {
                    table.remove(&entry.id);
                }
            }
        }
    }

    /// Number of locks this client keeps state for (tests, diagnostics).
    pub(crate) fn lock_table_len(&self) -> usize {
        self.locks.read().len()
    }

    /// The slow path of acquiring: queue as a local waiter, request a lease if needed, wait.
    /// `Ok(None)`: not acquired within `timeout`.
    pub(crate) async fn acquire(
        self: &Arc<Self>,
        entry: &Arc<LockEntry>,
        exclusive: bool,
        timeout: Option<Duration>,
    ) -> Result<Option<u64>> {
        let now = Instant::now();
        let (tx, rx) = oneshot::channel();
        let wid = self.next_waiter.fetch_add(1, Ordering::Relaxed);
        let deadline = timeout.map(|t| now + t);
        let early = self.with_core(entry, |core, ctx| {
            if let Some(t) = core.try_local(exclusive) {
                return Some(Ok(Some(t)));
            }
            if let Err(e) = self.check_alive() {
                return Some(Err(e));
            }
            if timeout == Some(Duration::ZERO)
                && (core.outstanding.is_some() || core.lease_covers(exclusive) || core.readers > 0)
            {
                return Some(Ok(None));
            }
            core.enqueue(Waiter {
                id: wid,
                exclusive,
                deadline,
                since: now,
                tx,
            });
            core.pump(ctx);
            None
        });
        if let Some(r) = early {
            return r;
        }
        self.note_release_wanted(entry); // queued: a parked read hold must go back
        let mut guard = WaiterGuard {
            inner: self,
            entry,
            wid,
            exclusive,
            rx: Some(rx),
        };
        let local_deadline = match timeout {
            None => None,
            Some(Duration::ZERO) => Some(now + Duration::from_secs(30)),
            Some(t) => Some(now + t),
        };
        loop {
            let Some(rx) = guard.rx.as_mut() else {
                return Err(self.failure());
            };
            let res: Option<GrantResult> = match local_deadline {
                None => rx.await.ok(),
                Some(d) => match tokio::time::timeout_at(d.into(), &mut *rx).await {
                    Ok(r) => r.ok(),
                    Err(_) => {
                        let removed = self.with_core(entry, |c, ctx| c.remove_waiter(wid, ctx));
                        if removed {
                            guard.rx = None;
                            return Ok(None);
                        }
                        rx.try_recv().ok()
                    }
                },
            };
            guard.rx = None; // completed: nothing to undo
            match res {
                Some(GrantResult::Granted(t)) => return Ok(Some(t)),
                Some(GrantResult::TimedOut) => return Ok(None),
                Some(GrantResult::Failed(e)) => return Err(e),
                Some(GrantResult::Retry) => {
                    // Woken at a release: take the lock, or queue again at the head (a timed
                    // out deadline then ends the wait at the next turn of the loop).
                    let (tx, rx) = oneshot::channel();
                    let w = Waiter {
                        id: wid,
                        exclusive,
                        deadline,
                        since: now,
                        tx,
                    };
                    let got = self.with_core(entry, |core, ctx| {
                        if let Err(e) = self.check_alive() {
                            core.abandon_woken(ctx);
                            return Some(Err(e));
                        }
                        core.retry(w, ctx).map(Ok)
                    });
                    match got {
                        Some(r) => return r.map(Some),
                        None => guard.rx = Some(rx),
                    }
                }
                None => return Err(self.failure()),
            }
        }
    }

    pub(crate) fn next_waiter_id(&self) -> u64 {
        self.next_waiter.fetch_add(1, Ordering::Relaxed)
    }

    /// Registers a cluster waiter and queues its `Wait` (one step for a reconnect: a waiter is
    /// either re-asserted or its `Wait` is sent, never both).
    pub(crate) fn start_wait(
        &self,
        waiter_id: u64,
        lock: LockId,
        timeout: Option<Duration>,
    ) -> Result<oneshot::Receiver<WakeReason>> {
        let timeout_ms = match timeout {
            None => 0,
            Some(d) => u64::try_from(d.as_millis()).unwrap_or(u64::MAX).max(1),
        };
        let (tx, rx) = oneshot::channel();
        let _g = self.gate();
        let mut waits = self.waits.lock();
        self.check_alive()?;
        if !self.out.push(Message::Wait {
            waiter_id,
            lock: lock.clone(),
            timeout_ms,
        }) {
            return Err(self.failure());
        }
        waits.insert(
            waiter_id,
            WaitEntry {
                tx,
                lock,
                deadline: timeout.map(|t| Instant::now() + t),
                interrupted: false,
            },
        );
        Ok(rx)
    }

    /// Interrupts a cluster waiter of this client.
    pub(crate) fn interrupt_wait(&self, waiter_id: u64) {
        let _g = self.gate();
        let mut waits = self.waits.lock();
        if let Some(w) = waits.get_mut(&waiter_id) {
            w.interrupted = true;
        }
        self.out.push(Message::Interrupt { waiter_id });
    }

    // ------------------------------------------------------------------ cache
}

/// Undoes an abandoned acquire: removes the waiter, or releases a grant nobody will use.
pub(super) struct WaiterGuard<'a> {
    inner: &'a Arc<Inner>,
    entry: &'a Arc<LockEntry>,
    wid: u64,
    exclusive: bool,
    rx: Option<oneshot::Receiver<GrantResult>>,
}

impl Drop for WaiterGuard<'_> {
    fn drop(&mut self) {
        let Some(mut rx) = self.rx.take() else { return };
        let removed = self
            .inner
            .with_core(self.entry, |c, ctx| c.remove_waiter(self.wid, ctx));
        if !removed {
            match rx.try_recv() {
                Ok(GrantResult::Granted(_)) => self.inner.release(self.entry, self.exclusive),
                Ok(GrantResult::Retry) => self
                    .inner
                    .with_core(self.entry, |c, ctx| c.abandon_woken(ctx)),
                _ => {}
            }
        }
    }
}

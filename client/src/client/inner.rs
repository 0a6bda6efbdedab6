//! [`Inner`]: the shared state of a client and its life cycle (failure, tasks, requests, cache).

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::BytesMut;
use kiln_protocol::{LockId, Message, NodeInfo, ObjectId, ObjectState, SubTarget, WakeReason};
use parking_lot::{Mutex, RwLock};

use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::sync::{broadcast, oneshot, watch, Notify};
use tokio::task::JoinHandle;

use crate::locks::LockCore;
use crate::outbound::{writer_loop, Outbound};
use crate::{Error, Result};
use rustc_hash::FxHashMap;

use super::acks::Rejection;
use super::builder::HealthCheck;
use super::events::{ChangeEvent, ClusterEvent, ConnectionState, DmiEvent, Stats};
use super::health::health_loop;
use super::ids::IdPool;
use super::reader::reader_loop;
use super::reconnect::ReconnectCfg;

pub(super) type Callback = Box<dyn FnOnce() + Send>;
pub(super) type ChangeCallback = Arc<dyn Fn(ChangeEvent) + Send + Sync>;
pub(super) type DmiCallback = Arc<dyn Fn(DmiEvent) + Send + Sync>;

pub(super) fn callback_thread(rx: std::sync::mpsc::Receiver<Callback>) {
    while let Ok(f) = rx.recv() {
        if std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).is_err() {
            tracing::error!("a kiln callback panicked");
        }
    }
}

#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct AckState {
    pub(crate) upto: u64,
    pub(crate) down: bool,
}

#[derive(Debug)]
pub(crate) struct Cached {
    pub(crate) version: u64,
    pub(crate) state: ObjectState,
    /// Created by an open transaction of this client and not sent yet: the server does not
    /// know it (never re-asserted as resident).
    pub(crate) unsent: bool,
    /// The open flag of the last transaction of this client that changed it (see
    /// [`crate::Client::evict_released`]); `None` when none did since it was cached.
    pub(crate) writer: Option<Arc<AtomicBool>>,
}

/// A request waiting for its reply (kept to be sent again after a reconnect).
#[derive(Debug)]
pub(super) struct PendingReq {
    pub(super) tx: oneshot::Sender<Message>,
    pub(super) msg: Message,
    /// Sent on a connection that was lost: send again once reconnected.
    pub(super) resend: bool,
}

/// A local thread in a cluster `wait()`.
#[derive(Debug)]
pub(super) struct WaitEntry {
    pub(super) tx: oneshot::Sender<WakeReason>,
    pub(super) lock: LockId,
    /// `None`: waits forever.
    pub(super) deadline: Option<Instant>,
    /// An `Interrupt` was sent for it.
    pub(super) interrupted: bool,
}

/// The tasks of the current connection (or the reconnect task).
#[derive(Debug, Default)]
pub(super) struct Tasks {
    pub(super) writer: Option<JoinHandle<()>>,
    pub(super) others: Vec<JoinHandle<()>>,
}

impl Tasks {
    pub(super) fn abort_all(&mut self) {
        for t in self.writer.take().into_iter().chain(self.others.drain(..)) {
            t.abort();
        }
    }
}

#[derive(Default)]
pub(super) struct Subs {
    pub(super) next: u64,
    pub(super) map: HashMap<SubTarget, Vec<(u64, ChangeCallback)>>,
}

/// One lock's entry in the client's lock table.
#[derive(Debug)]
pub(crate) struct LockEntry {
    pub(crate) id: LockId,
    pub(crate) core: Mutex<LockCore>,
    /// A holder keeps this lock's read hold for others (the Java agent's parked read lease):
    /// a recall or a local waiter signals [`super::lock_table::ReleaseWanted`].
    pub(crate) parked: std::sync::atomic::AtomicBool,
}

/// Shared state of a connected client.
pub(crate) struct Inner {
    pub(crate) client_id: u64,
    /// The stripe (mirror group index) this connection serves; 0 with one group.
    pub(crate) stripe: u8,
    /// How many stripes the client uses (1: one group, nothing is checked).
    pub(crate) stripes: u8,
    pub(super) server_name: String,
    pub(super) server_addr: String,
    pub(crate) max_frame: usize,
    pub(crate) fault_count: u32,
    pub(super) window: u64,
    pub(crate) out: Outbound,
    pub(crate) cache: Mutex<FxHashMap<ObjectId, Cached>>,
    pub(super) locks: RwLock<FxHashMap<LockId, Arc<LockEntry>>>,
    pub(super) pending: Mutex<HashMap<u64, PendingReq>>,
    /// Pings waiting for their `Pong` (`true`: sent on a lost connection, send again).
    pub(super) pings: Mutex<HashMap<u64, (oneshot::Sender<()>, bool)>>,
    pub(crate) next_req: AtomicU64,
    pub(super) next_waiter: AtomicU64,
    pub(super) waits: Mutex<HashMap<u64, WaitEntry>>,
    pub(super) acked: AtomicU64,
    pub(super) acks: watch::Sender<AckState>,
    pub(super) ids: Mutex<IdPool>,
    pub(super) ids_ready: Notify,
    pub(super) nodes: Mutex<Vec<NodeInfo>>,
    pub(super) events: broadcast::Sender<ClusterEvent>,
    pub(super) dmi: broadcast::Sender<DmiEvent>,
    pub(super) dmi_handlers: Mutex<Vec<DmiCallback>>,
    pub(super) subs: Mutex<Subs>,
    pub(super) callbacks: Mutex<Option<std::sync::mpsc::Sender<Callback>>>,
    pub(super) failure: Mutex<Option<Error>>,
    pub(super) failed: AtomicBool,
    pub(super) closed: AtomicBool,
    pub(crate) stats: Stats,
    pub(super) epoch: Instant,
    pub(super) last_rx_us: AtomicU64,
    pub(super) tasks: Mutex<Tasks>,
    /// Connection changes (loss, re-assert, resume) take it exclusively: every operation that
    /// records state the server must know (pending requests, lock requests, waits,
    /// subscriptions) and queues the matching message takes it shared, so a connection change
    /// sees state and queue consistent.
    pub(super) gate: RwLock<()>,
    /// The connection was lost; reconnecting.
    pub(super) reconnecting: AtomicBool,
    /// `None`: a lost connection fails the client.
    pub(super) reconnect: Option<ReconnectCfg>,
    pub(super) health: Option<HealthCheck>,
    /// `Welcome.epoch` of the server connected to.
    pub(super) server_epoch: AtomicU64,
    /// `Welcome.cluster_id` of the first server that had one: a reconnect to a server of
    /// another cluster is refused ([`super::fence::check_cluster`]).
    pub(super) cluster_id: Mutex<u128>,
    /// Transactions the server rejected (merged ranges, most recent last).
    pub(super) rejections: Mutex<VecDeque<Rejection>>,
    pub(super) any_rejected: AtomicBool,
    /// Highest sequence a completed [`Client::flush`] waited for.
    pub(super) flushed_upto: AtomicU64,
    /// Subscriptions to send again after a reconnect (those made before the loss).
    pub(super) resubscribe: Mutex<Vec<SubTarget>>,
    /// Wakes the reconnect task (close).
    pub(super) wake: Notify,
    /// Released objects [`Inner::evict_released_local`] kept back (an open transaction
    /// changed them); retried at its next call.
    pub(super) evict_later: Mutex<Vec<ObjectId>>,
    /// `req_id` of the re-fault of stale objects a resume sent (0: none outstanding). Until its
    /// reply is cached, lock acquires wait (they would meet the dropped objects).
    pub(super) refetch: AtomicU64,
    /// Signalled when `refetch` goes back to 0 (or is replaced by a later resume).
    pub(super) refetched: Notify,
    /// Two-phase commit across stripes (unused with one stripe).
    pub(crate) twopc: super::twopc::TwoPc,
}

impl std::fmt::Debug for Inner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Inner")
            .field("client_id", &self.client_id)
            .field("server", &self.server_name)
            .field("addr", &self.server_addr)
            .field("state", &self.state())
            .finish_non_exhaustive()
    }
}

impl Inner {
    /// The error every operation returns once the client is down.
    pub(crate) fn failure(&self) -> Error {
        match &*self.failure.lock() {
            Some(e) => e.duplicate(),
            None if self.closed.load(Ordering::Acquire) => Error::Closed,
            None => Error::lost("connection closed"),
        }
    }

    /// Whether a resume's re-fault of stale objects is still outstanding.
    #[inline]
    pub(crate) fn refetching(&self) -> bool {
        self.refetch.load(Ordering::Acquire) != 0
    }

    /// Waits until no re-fault of stale objects is outstanding (the reply is cached, or a later
    /// resume replaced it), the client failed or closed (its error), or `limit` passed
    /// (`Ok(false)`).
    pub(crate) async fn wait_refetched(&self, limit: Option<Duration>) -> Result<bool> {
        let end = limit.map(|l| Instant::now() + l);
        loop {
            let notified = self.refetched.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            if !self.refetching() {
                return Ok(true);
            }
            self.check_alive()?;
            let mut step = Duration::from_millis(100); // a failed client is noticed within this
            if let Some(end) = end {
                let left = end.saturating_duration_since(Instant::now());
                if left.is_zero() {
                    return Ok(false);
                }
                step = step.min(left);
            }
            let _ = tokio::time::timeout(step, notified).await;
        }
    }

    /// The reply to `req_id` was cached: ends the resume's re-fault if it was that one.
    pub(super) fn refetch_done(&self, req_id: u64) {
        if req_id != 0
            && self
                .refetch
                .compare_exchange(req_id, 0, Ordering::AcqRel, Ordering::Acquire)
                .is_ok()
        {
            self.refetched.notify_waiters();
        }
    }

    /// Ok while the client is usable: connected, or reconnecting (operations then wait).
    #[inline]
    pub(crate) fn check_alive(&self) -> Result<()> {
        if self.failed.load(Ordering::Acquire) || self.closed.load(Ordering::Acquire) {
            Err(self.failure())
        } else {
            Ok(())
        }
    }

    pub(crate) fn state(&self) -> ConnectionState {
        if self.closed.load(Ordering::Acquire) {
            ConnectionState::Closed
        } else if self.failed.load(Ordering::Acquire) {
            ConnectionState::Failed
        } else if self.reconnecting.load(Ordering::Acquire) {
            ConnectionState::Reconnecting
        } else {
            ConnectionState::Connected
        }
    }

    /// The shared side of [`Inner::gate`].
    pub(super) fn gate(&self) -> parking_lot::RwLockReadGuard<'_, ()> {
        self.gate.read_recursive()
    }

    /// Puts the client into the failed state (first error wins) and fails everything pending.
    pub(crate) fn fail(&self, err: Error) {
        let err = self.name_stripe(err);
        let quiet = {
            let mut f = self.failure.lock();
            if f.is_some() {
                return;
            }
            let quiet = self.closed.load(Ordering::Acquire);
            if quiet {
                tracing::debug!(error = %err, "connection ended after close");
                *f = Some(Error::Closed);
            } else {
                tracing::warn!(client_id = self.client_id, error = %err, "client failed");
                *f = Some(err);
            }
            quiet
        };
        self.failed.store(true, Ordering::Release);
        self.reconnecting.store(false, Ordering::Release);
        let err = self.failure();
        self.out.abort();
        self.pending.lock().clear();
        self.pings.lock().clear();
        self.waits.lock().clear();
        let entries: Vec<Arc<LockEntry>> = self.locks.read().values().cloned().collect();
        for e in entries {
            e.core.lock().fail(&err);
        }
        self.acks.send_modify(|a| a.down = true);
        self.ids_ready.notify_waiters();
        self.wake.notify_one();
        if !quiet {
            // After close(), close() itself reported the disconnection.
            let _ = self.events.send(ClusterEvent::Disconnected);
        }
        self.tasks.lock().abort_all();
        // Dropping the sender ends the callback thread once queued callbacks ran.
        self.callbacks.lock().take();
    }

    /// Fails the client for an error seen on connection `gen` (ignored if that connection was
    /// already replaced).
    pub(super) fn fail_conn(&self, gen: u64, err: Error) {
        if self.out.gen() == gen && !self.reconnecting.load(Ordering::Acquire) {
            self.fail(err);
        }
    }

    /// Spawns the reader, writer and health-check tasks of connection `gen`.
    pub(super) fn start_tasks(
        self: &Arc<Self>,
        rd: OwnedReadHalf,
        wr: OwnedWriteHalf,
        buf: BytesMut,
        gen: u64,
    ) {
        let wr = Arc::new(wr);
        self.out.attach(&wr);
        self.start_tasks_attached(rd, wr, buf, gen);
    }

    pub(super) fn start_tasks_attached(
        self: &Arc<Self>,
        rd: OwnedReadHalf,
        wr: Arc<OwnedWriteHalf>,
        buf: BytesMut,
        gen: u64,
    ) {
        self.last_rx_us
            .store(self.epoch.elapsed().as_micros() as u64, Ordering::Relaxed);
        let mut tasks = self.tasks.lock();
        tasks.others.retain(|t| !t.is_finished());
        tasks.writer = Some(tokio::spawn(writer_loop(self.clone(), wr, gen)));
        tasks
            .others
            .push(tokio::spawn(reader_loop(self.clone(), rd, buf, gen)));
        if let Some(hc) = self.health {
            tasks
                .others
                .push(tokio::spawn(health_loop(Arc::downgrade(self), hc, gen)));
        }
    }

    pub(super) fn run_callback(&self, f: Callback) {
        if let Some(tx) = &*self.callbacks.lock() {
            let _ = tx.send(f);
        }
    }

    pub(super) fn since_last_rx(&self) -> Duration {
        let now = self.epoch.elapsed().as_micros() as u64;
        Duration::from_micros(now.saturating_sub(self.last_rx_us.load(Ordering::Relaxed)))
    }

    /// Sends a request and waits for the reply carrying the same `req_id` (across a reconnect:
    /// the request is sent again on the new connection).
    pub(super) async fn request(&self, make: impl FnOnce(u64) -> Message) -> Result<Message> {
        let req_id = self.next_req.fetch_add(1, Ordering::Relaxed);
        let (tx, rx) = oneshot::channel();
        {
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
        }
        rx.await.map_err(|_| self.failure())
    }

    /// Caches faulted objects. Runs on the reader, in message order (protocol.md §9.7): a
    /// `Deltas` that follows the reply on the connection always finds the object cached. A
    /// cached copy that is already newer (a remote change applied meanwhile) is kept.
    pub(super) fn insert_faulted(&self, objects: Vec<kiln_protocol::FaultedObject>) {
        let mut cache = self.cache.lock();
        for o in objects {
            match cache.get_mut(&o.oid) {
                Some(c) if c.version >= o.version => {}
                Some(c) => {
                    c.version = o.version;
                    c.state = o.state;
                }
                None => {
                    cache.insert(
                        o.oid,
                        Cached {
                            version: o.version,
                            state: o.state,
                            unsent: false,
                            writer: None,
                        },
                    );
                }
            }
        }
    }

    /// Drops from the cache the objects of `oids` that no open transaction of this client
    /// changed and that are sent (an unsent one is an open transaction's new object), plus
    /// those kept back by earlier calls that are free now; returns the ids dropped. Kept ones
    /// are retried at the next call.
    pub(super) fn evict_released_local(&self, oids: &[ObjectId]) -> Vec<ObjectId> {
        let mut later = self.evict_later.lock();
        let mut cache = self.cache.lock();
        let mut gone = Vec::with_capacity(oids.len());
        let mut keep = Vec::new();
        for o in oids.iter().chain(later.iter()) {
            let busy = match cache.get(o) {
                None => continue,
                Some(c) => c.unsent || c.writer.as_ref().is_some_and(|w| w.load(Ordering::Acquire)),
            };
            if busy {
                keep.push(*o);
            } else {
                cache.remove(o);
                gone.push(*o);
            }
        }
        keep.sort_unstable();
        keep.dedup();
        *later = keep;
        gone
    }

    /// With several stripes, a lost connection names its stripe (seed 001 "Stripe and Cluster
    /// Failure": a stripe without an active stops the work that needs it).
    fn name_stripe(&self, err: Error) -> Error {
        if self.stripes <= 1 {
            return err;
        }
        let what = |reason: String| {
            format!(
                "stripe {} of {} (server '{}'): {reason} — a stripe without an active stops everything \
                 stored on it until one of its servers is active again; restart the cluster if it does not come back",
                self.stripe, self.stripes, self.server_name
            )
        };
        match err {
            Error::ReconnectFailed { reason } => Error::ReconnectFailed {
                reason: what(reason),
            },
            Error::ConnectionLost { reason } => Error::ConnectionLost {
                reason: what(reason),
            },
            other => other,
        }
    }

    pub(crate) fn evict_local(&self, oids: &[ObjectId]) {
        let mut cache = self.cache.lock();
        for o in oids {
            cache.remove(o);
        }
    }
}

//! The lock guard that is also the transaction.

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, OnceLock, Weak};
use std::task::{Context, Poll};
use std::time::Duration;

use kiln_protocol::{
    Delta, DeltaOp, DmiCall, LockId, LockLevel, Notify, ObjectId, ObjectState, Txn as WireTxn,
    Value, WakeReason, TXN_FLAG_SYNC,
};
use parking_lot::Mutex;

use crate::client::{Cached, Inner, LockEntry};
use crate::{Error, Result};

#[derive(Debug)]
enum Hold {
    Entry(Arc<LockEntry>),
    Concurrent(Box<LockId>),
}

/// What a transaction recorded (boxed lazily: an empty transaction allocates nothing).
#[derive(Debug, Default)]
struct Rec {
    txn: WireTxn,
    /// Index of each object created in this transaction in the `new_objects` of its stripe's
    /// part (`txn` for the lock's stripe, `foreign` for the others).
    new_index: HashMap<ObjectId, usize>,
    /// True while this transaction is open, set on the cache entries it changed
    /// ([`Cached::writer`]): an open transaction's objects are not evicted as released
    /// ([`crate::Client::evict_released`]). Made at its first change of an existing object.
    open: Option<Arc<AtomicBool>>,
    /// Changes to objects of other stripes than the lock's, per stripe (two-phase commit at
    /// commit time, `client/twopc.rs`); empty with one stripe.
    foreign: Vec<(u8, WireTxn)>,
}

impl Rec {
    /// The part of stripe `s` (not the lock's): changes and new objects of `s`.
    fn part_mut(&mut self, s: u8) -> &mut WireTxn {
        match self.foreign.iter().position(|(x, _)| *x == s) {
            Some(i) => &mut self.foreign[i].1,
            None => {
                self.foreign.push((s, WireTxn::default()));
                &mut self.foreign.last_mut().expect("just pushed").1
            }
        }
    }

    fn is_empty(&self) -> bool {
        self.txn.is_empty() && self.foreign.is_empty()
    }

    /// Every object it created or changed, by stripe (the lock's stripe first).
    fn oids_by_stripe(&self, home: u8) -> Vec<(u8, Vec<ObjectId>)> {
        let of = |t: &WireTxn| {
            let mut v: Vec<ObjectId> = t
                .new_objects
                .iter()
                .map(|(o, _)| *o)
                .chain(t.deltas.iter().map(|d| d.oid))
                .collect();
            v.sort_unstable();
            v.dedup();
            v
        };
        std::iter::once((home, of(&self.txn)))
            .chain(self.foreign.iter().map(|(s, t)| (*s, of(t))))
            .collect()
    }
}

impl Drop for Rec {
    fn drop(&mut self) {
        if let Some(f) = &self.open {
            f.store(false, Ordering::Release);
        }
    }
}

impl Cached {
    /// The cache entry of an object created by an open transaction.
    fn created(state: ObjectState) -> Cached {
        Cached {
            version: 0,
            state,
            unsent: true,
            writer: None,
        }
    }
}

#[derive(Debug, Default)]
struct IState {
    /// Waiter id of the wait in progress.
    waiting: Option<u64>,
    /// An interrupt arrived while not waiting: the next wait fails at once.
    pending: bool,
}

#[derive(Debug)]
struct InterruptShared {
    state: Mutex<IState>,
    inner: Weak<Inner>,
}

/// A handle to interrupt a [`Txn::wait`] from another task or thread (like
/// `Thread.interrupt()`): the wait in progress ends with [`Error::Interrupted`] (after the lock is
/// re-acquired); if no wait is in progress, the next one fails immediately.
///
/// ```no_run
/// # async fn demo(client: kiln::Client) -> kiln::Result<()> {
/// use kiln::{LockId, LockLevel};
/// let mut tx = client.lock(LockId::Named("cond".into()), LockLevel::Write).await?;
/// let stop = tx.waiter();
/// tokio::spawn(async move { stop.interrupt() });
/// match tx.wait(None).await {
///     Err(kiln::Error::Interrupted) => println!("interrupted, lock held again"),
///     other => println!("{other:?}"),
/// }
/// tx.commit().await?;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct WaitInterrupter {
    shared: Arc<InterruptShared>,
}

impl WaitInterrupter {
    /// Interrupts the current (or next) wait.
    pub fn interrupt(&self) {
        let mut st = self.shared.state.lock();
        match st.waiting {
            Some(waiter_id) => {
                if let Some(inner) = self.shared.inner.upgrade() {
                    inner.interrupt_wait(waiter_id);
                }
            }
            None => st.pending = true,
        }
    }
    /// True while a wait is in progress.
    pub fn is_waiting(&self) -> bool {
        self.shared.state.lock().waiting.is_some()
    }
}

/// A held cluster lock and the transaction made under it.
///
/// Every change made through the guard is applied to the local cache at once and recorded.
/// Releasing the lock — [`Txn::commit`], or dropping the guard — ends the transaction: if it
/// changed anything it is queued for the server (many transactions travel in one frame). With
/// [`LockLevel::SyncWrite`], `commit` returns only once the server acknowledged it.
///
/// Not reentrant: acquiring the same exclusive lock again from the same task while holding it
/// deadlocks; nesting is the caller's business.
///
/// ```no_run
/// # async fn demo(client: kiln::Client) -> kiln::Result<()> {
/// use kiln::{LockId, LockLevel, ObjectState, Value};
/// let mut tx = client.lock(LockId::Named("people".into()), LockLevel::Write).await?;
/// let p = tx.create(ObjectState::physical("com.acme.Person"))?;
/// tx.set_field(p, "com.acme.Person", "name", Value::from("Ada"))?;
/// tx.commit().await?;
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct Txn {
    inner: Arc<Inner>,
    hold: Hold,
    level: LockLevel,
    token: u64,
    holding: bool,
    rec: Option<Box<Rec>>,
    interrupt: OnceLock<Arc<InterruptShared>>,
    /// The id of the object of another stripe this transaction touched (0: none): the
    /// transaction is void. Atomic so that a read (`&self`) can void it too.
    cross: AtomicU64,
}

impl Txn {
    pub(crate) fn held(
        inner: Arc<Inner>,
        entry: Arc<LockEntry>,
        level: LockLevel,
        token: u64,
    ) -> Txn {
        Txn {
            inner,
            hold: Hold::Entry(entry),
            level,
            token,
            holding: true,
            rec: None,
            interrupt: OnceLock::new(),
            cross: AtomicU64::new(0),
        }
    }

    pub(crate) fn concurrent(inner: Arc<Inner>, lock: LockId) -> Txn {
        Txn {
            inner,
            hold: Hold::Concurrent(Box::new(lock)),
            level: LockLevel::Concurrent,
            token: 0,
            holding: true,
            rec: None,
            interrupt: OnceLock::new(),
            cross: AtomicU64::new(0),
        }
    }

    fn cross_error(&self, oid: ObjectId) -> Error {
        Error::CrossStripe {
            lock: self.lock_id().clone(),
            lock_stripe: self.inner.stripe,
            oid,
            object_stripe: oid.stripe(),
        }
    }

    /// The object of another stripe that voided this transaction, if any.
    #[inline]
    fn crossed(&self) -> Option<ObjectId> {
        match self.cross.load(Ordering::Relaxed) {
            0 => None,
            v => Some(ObjectId(v)),
        }
    }

    /// Marks the transaction void because it touched `oid` of another stripe (the first such
    /// object is the one reported). The error to return.
    #[cold]
    fn cross_touch(&self, oid: ObjectId) -> Error {
        if self
            .cross
            .compare_exchange(0, oid.0, Ordering::Relaxed, Ordering::Relaxed)
            .is_ok()
        {
            tracing::warn!(lock = %self.lock_id(), lock_stripe = self.inner.stripe, %oid, object_stripe = oid.stripe(),
                "a transaction touched an object of a stripe this client is not connected to: it is void");
        }
        self.cross_error(self.crossed().unwrap_or(oid))
    }

    /// `Err` when the transaction is void; what it recorded is dropped first (never sent) and the
    /// objects it changed or created leave the local cache (faulted in again on next use).
    #[inline]
    fn check_void(&mut self) -> Result<()> {
        let Some(o) = self.crossed() else {
            return Ok(());
        };
        self.discard();
        Err(self.cross_error(o))
    }

    /// The connection of `oid`'s stripe when it is not the transaction's (its lock's) stripe;
    /// `None` for the lock's stripe (always with one stripe). A stripe this client does not
    /// know voids the transaction.
    #[inline]
    fn foreign_conn(&self, oid: ObjectId) -> Result<Option<Arc<Inner>>> {
        if self.inner.stripes <= 1 || oid.stripe() == self.inner.stripe {
            return Ok(None);
        }
        self.foreign_conn_slow(oid).map(Some)
    }

    #[cold]
    fn foreign_conn_slow(&self, oid: ObjectId) -> Result<Arc<Inner>> {
        self.inner.stripe_conn(oid.stripe()).map_err(|_| {
            // A Java agent changed its copy before asking: the next refresh puts it back.
            self.inner.stats.changes.note([oid]);
            self.cross_touch(oid)
        })
    }

    fn discard(&mut self) {
        if let Some(rec) = self.rec.take() {
            // Their local copies (a Java agent's objects) changed with the transaction: they
            // are recorded as changed, so the next refresh puts them back as the cluster has
            // them.
            self.drop_changed(&rec);
        }
    }

    fn drop_changed(&self, rec: &Rec) {
        for (s, oids) in rec.oids_by_stripe(self.inner.stripe) {
            match self.inner.stripe_conn(s) {
                Ok(c) => c.drop_uncommitted(oids),
                Err(_) => self.inner.stats.changes.note(oids),
            }
        }
    }

    /// The fencing token of the lease under which the lock was granted (0 for Concurrent).
    pub fn token(&self) -> u64 {
        self.token
    }
    /// The level held.
    pub fn level(&self) -> LockLevel {
        self.level
    }
    /// The lock.
    pub fn lock_id(&self) -> &LockId {
        match &self.hold {
            Hold::Entry(e) => &e.id,
            Hold::Concurrent(l) => l,
        }
    }
    /// True when nothing was recorded yet.
    pub fn is_empty(&self) -> bool {
        match &self.rec {
            None => true,
            Some(r) => r.is_empty(),
        }
    }

    /// Whether it changed objects of other stripes than its lock's (two-phase commit).
    fn crosses(&self) -> bool {
        self.rec.as_ref().is_some_and(|r| !r.foreign.is_empty())
    }

    /// Commits a transaction that changed objects of several stripes (two-phase commit,
    /// `client/twopc.rs`): returns once the coordinator stripe decided (the lock's fence is
    /// recorded there with the decision). On failure nothing of it is committed anywhere and
    /// what it changed leaves the local caches. The lock is still held.
    async fn commit_across(&mut self) -> Result<()> {
        let Some(mut rec) = self.rec.take() else {
            return Ok(());
        };
        let open = rec.open.take();
        let home = std::mem::take(&mut rec.txn);
        let foreign = std::mem::take(&mut rec.foreign);
        let lock = self.lock_id().clone();
        // A held lock is fenced for its next holder; a concurrent-level one is never awarded.
        let fenced = matches!(self.hold, Hold::Entry(_));
        let r = self
            .inner
            .commit_across(&lock, fenced, home.clone(), foreign.clone())
            .await;
        if let Some(f) = open {
            f.store(false, Ordering::Release);
        }
        if let Err(e) = r {
            rec.txn = home;
            rec.foreign = foreign;
            self.drop_changed(&rec);
            return Err(e);
        }
        Ok(())
    }

    /// The hold and what is left of this guard, moved to a new guard (this one then holds
    /// nothing: dropping it does nothing).
    fn take_hold(&mut self) -> Txn {
        Txn {
            inner: self.inner.clone(),
            hold: match &self.hold {
                Hold::Entry(e) => Hold::Entry(e.clone()),
                Hold::Concurrent(l) => Hold::Concurrent(l.clone()),
            },
            level: self.level,
            token: self.token,
            holding: std::mem::replace(&mut self.holding, false),
            rec: self.rec.take(),
            interrupt: OnceLock::new(),
            cross: AtomicU64::new(0),
        }
    }

    fn rec_mut(&mut self) -> &mut Rec {
        self.rec.get_or_insert_with(Box::default)
    }

    /// Takes the recorded transaction (None when empty), flagged for SyncWrite.
    fn take_rec(&mut self) -> Option<WireTxn> {
        let mut rec = self.rec.take()?;
        if rec.txn.is_empty() {
            return None;
        }
        let mut t = std::mem::take(&mut rec.txn);
        if self.level == LockLevel::SyncWrite {
            t.flags |= TXN_FLAG_SYNC;
        }
        Some(t)
    }

    fn check_writable(&self) -> Result<()> {
        if self.level == LockLevel::Read {
            return Err(Error::ReadOnly {
                lock: self.lock_id().clone(),
            });
        }
        Ok(())
    }

    /// Creates a shared object on the transaction's lock's stripe (its id comes from this
    /// client's leased range: no round trip). It is resident here at once and sent with the
    /// transaction.
    ///
    /// Placement over several stripes (docs/architecture.md "Placement of new objects"): a new
    /// object should live on the stripe of the object that will reference it, so that a graph
    /// stays together and the stripes share the objects as they share the roots. `create` knows
    /// no referrer (the id, which names the stripe, is final when it returns, before the object
    /// is linked anywhere): it uses the lock's stripe. When the referrer is known, use
    /// [`Txn::create_near`] (the object that will reference it, new or existing) or
    /// [`Txn::create_in`] (a stripe, e.g. [`crate::Client::root_stripe`] for an object assigned
    /// to a root). With one stripe all three are the same.
    pub fn create(&mut self, state: ObjectState) -> Result<ObjectId> {
        let home = self.inner.stripe;
        self.create_in(home, state)
    }

    /// Creates a shared object on the stripe of `near`, the object (existing, or new in this
    /// transaction) that will reference it: the graph hung off `near` stays on `near`'s stripe.
    /// Objects reachable only from new objects follow their referrer when each is created near
    /// the one that links it. The id comes from that stripe's leased pool; if it is not the
    /// lock's stripe, the object travels in that stripe's part of the two-phase commit.
    ///
    /// ```no_run
    /// # async fn demo(client: kiln::Client) -> kiln::Result<()> {
    /// use kiln::{LockId, LockLevel, ObjectState, Value};
    /// let orders = client.map("orders").await?; // on the stripe "orders" hashes to
    /// let mut tx = client.lock(LockId::Named("any".into()), LockLevel::Write).await?;
    /// let o = tx.create_near(orders.id(), ObjectState::physical("com.acme.Order"))?;
    /// assert_eq!(o.stripe(), orders.id().stripe());
    /// orders.put(&mut tx, Value::from("o-1"), Value::Ref(o))?;
    /// tx.commit().await?;
    /// # Ok(()) }
    /// ```
    pub fn create_near(&mut self, near: ObjectId, state: ObjectState) -> Result<ObjectId> {
        self.create_in(near.stripe(), state)
    }

    /// Creates a shared object on stripe `stripe` (ids from that stripe's leased pool). A
    /// stripe this client does not know fails with [`Error::WrongStripe`] and records nothing;
    /// with one stripe only stripe 0 exists.
    pub fn create_in(&mut self, stripe: u8, state: ObjectState) -> Result<ObjectId> {
        self.check_writable()?;
        self.check_void()?;
        if stripe == self.inner.stripe {
            let oid = self.inner.alloc_id()?;
            self.inner
                .cache
                .lock()
                .insert(oid, Cached::created(state.clone()));
            let rec = self.rec_mut();
            rec.new_index.insert(oid, rec.txn.new_objects.len());
            rec.txn.new_objects.push((oid, state));
            return Ok(oid);
        }
        let far = self.inner.stripe_conn(stripe).map_err(|_| Error::WrongStripe {
            message: format!(
                "a new object under lock {} was placed on stripe {stripe}, but this client knows {} stripe(s)",
                self.lock_id(),
                self.inner.stripes.max(1)
            ),
        })?;
        let oid = far.alloc_id()?;
        far.cache.lock().insert(oid, Cached::created(state.clone()));
        let part = self.rec_mut().part_mut(stripe);
        let i = part.new_objects.len();
        part.new_objects.push((oid, state));
        self.rec_mut().new_index.insert(oid, i);
        Ok(oid)
    }

    /// Sets a field of a physical object.
    pub fn set_field(
        &mut self,
        oid: ObjectId,
        class: &str,
        name: &str,
        value: Value,
    ) -> Result<()> {
        self.apply(
            oid,
            DeltaOp::SetField {
                class: class.to_string(),
                name: name.to_string(),
                value,
            },
        )
    }

    /// Applies any operation to a resident object (fault it in first with
    /// [`crate::Client::object`]; [`Error::NotResident`] otherwise). The cache changes at once;
    /// an operation that does not fit the object fails with [`Error::Protocol`] and changes
    /// nothing.
    pub fn apply(&mut self, oid: ObjectId, op: DeltaOp) -> Result<()> {
        self.apply_observe(oid, op, |_, _| Ok(()))
    }

    /// Applies `op` after computing `before(state, op)` on the state before the change (under
    /// the same cache lock); `before` failing aborts without change.
    pub(crate) fn apply_observe<R>(
        &mut self,
        oid: ObjectId,
        op: DeltaOp,
        before: impl FnOnce(&ObjectState, &DeltaOp) -> Result<R>,
    ) -> Result<R> {
        self.check_writable()?;
        self.check_void()?;
        let far = self.foreign_conn(oid)?;
        let inner = far.clone().unwrap_or_else(|| self.inner.clone());
        let mut cache = inner.cache.lock();
        let c = cache.get_mut(&oid).ok_or(Error::NotResident { oid })?;
        let r = before(&c.state, &op)?;
        c.state.apply(&op)?;
        let rec = self.rec.get_or_insert_with(Box::default);
        let open = rec
            .open
            .get_or_insert_with(|| Arc::new(AtomicBool::new(true)));
        if !c.writer.as_ref().is_some_and(|w| Arc::ptr_eq(w, open)) {
            c.writer = Some(open.clone());
        }
        drop(cache);
        let rec = self.rec_mut();
        if far.is_some() {
            let created = rec.new_index.get(&oid).copied();
            let t = rec.part_mut(oid.stripe());
            if let Some(i) = created {
                // Created in this transaction on that stripe: its state travels whole.
                if let Some((_, st)) = t.new_objects.get_mut(i) {
                    st.apply(&op)?;
                }
                return Ok(r);
            }
            match t.deltas.last_mut() {
                Some(d) if d.oid == oid => d.ops.push(op),
                _ => t.deltas.push(Delta { oid, ops: vec![op] }),
            }
            return Ok(r);
        }
        if let Some(&i) = rec.new_index.get(&oid) {
            if let Some((_, st)) = rec.txn.new_objects.get_mut(i) {
                st.apply(&op)?;
            }
            return Ok(r);
        }
        match rec.txn.deltas.last_mut() {
            Some(d) if d.oid == oid => d.ops.push(op),
            _ => rec.txn.deltas.push(Delta { oid, ops: vec![op] }),
        }
        Ok(r)
    }

    /// Reads a resident object (no faulting: [`Error::NotResident`] on a miss).
    pub fn read<R>(&self, oid: ObjectId, f: impl FnOnce(&ObjectState) -> R) -> Result<R> {
        if let Some(far) = self.foreign_conn(oid)? {
            let cache = far.cache.lock();
            return cache
                .get(&oid)
                .map(|c| f(&c.state))
                .ok_or(Error::NotResident { oid });
        }
        let cache = self.inner.cache.lock();
        cache
            .get(&oid)
            .map(|c| f(&c.state))
            .ok_or(Error::NotResident { oid })
    }

    /// Wakes the oldest cluster waiter of this lock when the transaction commits.
    pub fn notify(&mut self) {
        let lock = self.lock_id().clone();
        self.rec_mut()
            .txn
            .notifies
            .push(Notify { lock, all: false });
    }

    /// Wakes every cluster waiter of this lock when the transaction commits.
    pub fn notify_all(&mut self) {
        let lock = self.lock_id().clone();
        self.rec_mut().txn.notifies.push(Notify { lock, all: true });
    }

    /// Records a distributed method call, delivered to the other clients after commit (this
    /// client runs it locally itself, if it wants to).
    pub fn invoke(&mut self, call: DmiCall) {
        self.rec_mut().txn.dmis.push(call);
    }

    fn shared(&self) -> &Arc<InterruptShared> {
        self.interrupt.get_or_init(|| {
            Arc::new(InterruptShared {
                state: Mutex::new(IState::default()),
                inner: Arc::downgrade(&self.inner),
            })
        })
    }

    /// A handle to interrupt this transaction's current or next [`Txn::wait`].
    pub fn waiter(&self) -> WaitInterrupter {
        WaitInterrupter {
            shared: self.shared().clone(),
        }
    }

    /// `Object.wait()`: ends the transaction so far (it is sent: a wait is a release point),
    /// registers as a cluster waiter of the lock, releases the lock locally, parks until
    /// notified / timed out / interrupted, then re-acquires the lock at the same level before
    /// returning. `timeout`: `None` waits forever.
    ///
    /// Interruption returns [`Error::Interrupted`] with the lock held again.
    ///
    /// ```no_run
    /// # async fn demo(client: kiln::Client) -> kiln::Result<()> {
    /// use std::time::Duration;
    /// use kiln::{LockId, LockLevel, WakeReason};
    /// let mut tx = client.lock(LockId::Named("ready".into()), LockLevel::Write).await?;
    /// if tx.wait(Some(Duration::from_secs(1))).await? == WakeReason::TimedOut {
    ///     println!("nobody notified");
    /// }
    /// tx.commit().await?;
    /// # Ok(()) }
    /// ```
    pub async fn wait(&mut self, timeout: Option<Duration>) -> Result<WakeReason> {
        self.check_void()?;
        let entry = match &self.hold {
            Hold::Entry(e) => e.clone(),
            Hold::Concurrent(l) => {
                return Err(Error::IllegalState(format!(
                    "wait on {l} needs a cluster lock, not a Concurrent transaction"
                )))
            }
        };
        if !self.holding {
            return Err(Error::IllegalState(format!(
                "wait on {}: lock not held",
                entry.id
            )));
        }
        self.inner.check_alive()?;
        if self.crosses() {
            self.commit_across().await?;
        }
        if !self.is_empty() {
            self.inner.wait_window().await?;
        }
        let exclusive = self.level.is_exclusive();
        let shared = self.shared().clone();
        let waiter_id = self.inner.next_waiter_id();
        let rx = {
            let mut st = shared.state.lock();
            if st.pending {
                st.pending = false;
                return Err(Error::Interrupted);
            }
            // Open until its changes are queued (see `finish`).
            let open = self.rec.as_mut().and_then(|r| r.open.take());
            let sent = match self.take_rec() {
                Some(t) => self.inner.send_txn(t).map(|_| ()),
                None => Ok(()),
            };
            if let Some(f) = open {
                f.store(false, Ordering::Release);
            }
            sent?;
            let rx = self
                .inner
                .start_wait(waiter_id, entry.id.clone(), timeout)?;
            st.waiting = Some(waiter_id);
            rx
        };
        // The Wait is queued before anything this release may send (RecallCommit).
        self.holding = false;
        self.inner.release(&entry, exclusive);
        let reason = rx.await;
        shared.state.lock().waiting = None;
        let reason = reason.map_err(|_| self.inner.failure())?;
        let fast = entry.core.lock().try_local(exclusive);
        let token = match fast {
            Some(t) => t,
            None => match self.inner.acquire(&entry, exclusive, None).await? {
                Some(t) => t,
                None => {
                    return Err(Error::LockTimeout {
                        lock: entry.id.clone(),
                    })
                }
            },
        };
        self.token = token;
        self.holding = true;
        match reason {
            WakeReason::Interrupted => Err(Error::Interrupted),
            r => Ok(r),
        }
    }

    /// Ends the transaction and releases the hold (no waiting). Returns the txn's seq if sent.
    fn finish(&mut self) -> Result<Option<u64>> {
        // Open until its changes are queued for the server: a fault queued after an eviction
        // then follows them (the server answers it with this transaction's state).
        if self.crosses() {
            return self.finish_across();
        }
        let open = self.rec.as_mut().and_then(|r| r.open.take());
        let sent = match self.check_void() {
            // Void: nothing of it is sent (notifies and DMIs recorded after it included).
            Err(e) => Err(e),
            Ok(()) => match self.take_rec() {
                None => Ok(None),
                Some(t) => self.inner.send_txn(t).map(Some),
            },
        };
        if let Some(f) = open {
            f.store(false, Ordering::Release);
        }
        if std::mem::replace(&mut self.holding, false) {
            if let Hold::Entry(e) = &self.hold {
                self.inner.release(e, self.level.is_exclusive());
            }
        }
        sent
    }

    /// [`Txn::finish`] of a transaction across stripes on a path that cannot wait (release,
    /// drop): the two-phase commit runs on a task that releases the lock when it is done.
    #[cold]
    fn finish_across(&mut self) -> Result<Option<u64>> {
        let Ok(rt) = tokio::runtime::Handle::try_current() else {
            self.discard();
            let _ = self.finish();
            return Err(Error::IllegalState(format!(
                "a transaction under {} across stripes was released outside a runtime: it needs \
                 two-phase commit (use commit()); nothing of it is committed",
                self.lock_id()
            )));
        };
        let mut rest = self.take_hold();
        rt.spawn(async move {
            if let Err(e) = rest.commit_across().await {
                tracing::warn!(lock = %rest.lock_id(), error = %e, "a transaction across stripes did not commit");
            }
            let _ = rest.finish();
        });
        Ok(None)
    }

    /// Ends the transaction and releases the lock. Waits only when the window of
    /// unacknowledged transactions is full, or, under [`LockLevel::SyncWrite`], until the
    /// server acknowledged this transaction. An empty transaction completes at once (the
    /// returned future is ready on first poll, no allocation).
    pub fn commit(mut self) -> impl Future<Output = Result<()>> + Send + 'static {
        if self.is_empty() {
            self.rec = None;
            return FastOr::Ready(Some(self.finish().map(|_| ())));
        }
        FastOr::Slow(Box::pin(async move {
            if let Err(e) = self.inner.check_alive() {
                drop(self.rec.take());
                return Err(e);
            }
            if self.crosses() {
                self.check_void()?;
                let r = self.commit_across().await;
                let released = self.finish().map(|_| ());
                return r.and(released);
            }
            self.inner.wait_window().await?;
            let seq = self.finish()?;
            if let (LockLevel::SyncWrite, Some(seq)) = (self.level, seq) {
                self.inner.wait_acked(seq).await?;
            }
            Ok(())
        }))
    }

    /// Synchronous commit: like [`Txn::commit`] but never waits (ignores the window and does
    /// not wait for a SyncWrite acknowledgement). Same as dropping the guard, with the error.
    pub fn release(mut self) -> Result<()> {
        self.finish().map(|_| ())
    }

    pub(crate) fn client_inner(&self) -> &Arc<Inner> {
        &self.inner
    }

    pub(crate) fn needs_wait_on_commit(&self) -> bool {
        !self.is_empty()
    }
}

/// A future that is either ready at once (the fast path, no allocation) or a boxed slow path.
pub(crate) enum FastOr<'a, T> {
    Ready(Option<T>),
    Slow(Pin<Box<dyn Future<Output = T> + Send + 'a>>),
}

impl<T: Unpin> Future for FastOr<'_, T> {
    type Output = T;
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<T> {
        match self.get_mut() {
            FastOr::Ready(v) => Poll::Ready(v.take().expect("future polled after completion")),
            FastOr::Slow(f) => f.as_mut().poll(cx),
        }
    }
}

impl Drop for Txn {
    fn drop(&mut self) {
        if self.holding || self.rec.is_some() {
            if let Err(e) = self.finish() {
                tracing::warn!(lock = %self.lock_id(), error = %e, "transaction dropped on a failed client");
            }
        }
    }
}

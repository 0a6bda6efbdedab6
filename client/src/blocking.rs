//! A blocking facade over the async client, for threads that are not async (the JNI and C
//! bridges, simple programs).
//!
//! Every blocking client runs its connection on one shared background tokio runtime (two worker
//! threads named `kiln-rt`, started on first use). Lock acquisition keeps the greedy fast path
//! synchronous: re-acquiring a lock under this client's lease does not touch the runtime at all.
//!
//! Do not call these methods from inside an async task (they block the thread and panic inside
//! a runtime); use the async [`crate::Client`] there.
//!
//! ```no_run
//! use kiln::blocking::Client;
//! use kiln::{LockId, LockLevel};
//! # fn main() -> kiln::Result<()> {
//! let client = Client::connect("127.0.0.1:9510")?;
//! let m = client.map("orders")?;
//! let mut tx = client.lock(LockId::Named("orders".into()), LockLevel::Write)?;
//! m.put(&mut tx, "o-1", "pending")?;
//! tx.commit()?;
//! println!("{:?}", client.block_on(m.get(client.as_async(), "o-1"))?);
//! # Ok(()) }
//! ```

use std::future::Future;
use std::ops::{Deref, DerefMut};
use std::sync::OnceLock;
use std::time::Duration;

use kiln_protocol::{
    LockId, LockLevel, NodeInfo, ObjectId, ObjectState, SubTarget, Value, WakeReason,
};
use tokio::runtime::Runtime;
use tokio::sync::broadcast;

use crate::{
    ChangeEvent, Changed, ClientBuilder, ClientStats, ClusterEvent, DmiEvent, Error, Result,
    Subscription,
};

static RUNTIME: OnceLock<Runtime> = OnceLock::new();
static RUNTIME_INIT: parking_lot::Mutex<()> = parking_lot::Mutex::new(());

/// The shared background runtime (created on first use).
pub fn runtime() -> Result<&'static Runtime> {
    if let Some(rt) = RUNTIME.get() {
        return Ok(rt);
    }
    let _g = RUNTIME_INIT.lock();
    if let Some(rt) = RUNTIME.get() {
        return Ok(rt);
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("kiln-rt")
        .enable_all()
        .build()?;
    Ok(RUNTIME.get_or_init(|| rt))
}

/// Blocking client; see the [module documentation](self). Cheap to clone.
#[derive(Debug, Clone)]
pub struct Client {
    inner: crate::Client,
    rt: &'static Runtime,
}

impl ClientBuilder {
    /// Connects from a non-async thread (see [`crate::blocking`]).
    pub fn connect_blocking(self) -> Result<Client> {
        let rt = runtime()?;
        let inner = rt.block_on(self.connect())?;
        Ok(Client { inner, rt })
    }
}

impl Client {
    /// Connects to one server with default settings.
    pub fn connect(addr: &str) -> Result<Client> {
        ClientBuilder::new([addr]).connect_blocking()
    }
    /// Wraps an async client (its tasks must run on a runtime that outlives it, e.g. the one
    /// returned by [`runtime`]).
    pub fn from_async(inner: crate::Client) -> Result<Client> {
        Ok(Client {
            inner,
            rt: runtime()?,
        })
    }
    /// The async client underneath.
    pub fn as_async(&self) -> &crate::Client {
        &self.inner
    }
    /// Runs a future of the async API to completion on the background runtime.
    pub fn block_on<F: Future>(&self, f: F) -> F::Output {
        self.rt.block_on(f)
    }

    /// See [`crate::Client::client_id`].
    pub fn client_id(&self) -> u64 {
        self.inner.client_id()
    }
    /// See [`crate::Client::nodes`].
    pub fn nodes(&self) -> Vec<NodeInfo> {
        self.inner.nodes()
    }
    /// See [`crate::Client::events`] (use `blocking_recv` on the receiver).
    pub fn events(&self) -> broadcast::Receiver<ClusterEvent> {
        self.inner.events()
    }
    /// See [`crate::Client::is_connected`].
    pub fn is_connected(&self) -> bool {
        self.inner.is_connected()
    }
    /// See [`crate::Client::state`].
    pub fn state(&self) -> crate::ConnectionState {
        self.inner.state()
    }

    /// See [`crate::Client::lock`]. The greedy fast path never touches the runtime.
    pub fn lock(&self, lock: impl Into<LockId>, level: LockLevel) -> Result<Txn> {
        let lock = lock.into();
        let c = self.inner.lock_owner(&lock)?;
        match c.lock_fast(lock, level)? {
            Ok(tx) => Ok(self.wrap(tx)),
            Err(entry) => match self.rt.block_on(c.lock_slow(entry, level, None))? {
                Some(tx) => Ok(self.wrap(tx)),
                None => Err(Error::lost("lock acquire ended without a grant")),
            },
        }
    }
    /// See [`crate::Client::lock_handle`].
    pub fn lock_handle(&self, lock: impl Into<LockId>) -> crate::LockHandle {
        self.inner.lock_handle(lock)
    }
    /// Locks through a pre-resolved [`crate::LockHandle`] of this client: a greedy re-acquire
    /// touches neither the lock table nor the runtime. `timeout` `None` waits forever; else
    /// `Ok(None)` when the lock was not granted in time.
    pub fn lock_via(
        &self,
        handle: &crate::LockHandle,
        level: LockLevel,
        timeout: Option<Duration>,
    ) -> Result<Option<Txn>> {
        if let Some(tx) = handle.try_lock_local(level) {
            return Ok(Some(self.wrap(tx)));
        }
        match timeout {
            None => Ok(Some(self.wrap(self.rt.block_on(handle.lock(level))?))),
            Some(t) => Ok(self
                .rt
                .block_on(handle.try_lock(level, t))?
                .map(|tx| self.wrap(tx))),
        }
    }
    /// See [`crate::Client::try_lock`].
    pub fn try_lock(
        &self,
        lock: impl Into<LockId>,
        level: LockLevel,
        timeout: Duration,
    ) -> Result<Option<Txn>> {
        let lock = lock.into();
        let c = self.inner.lock_owner(&lock)?;
        match c.lock_fast(lock, level)? {
            Ok(tx) => Ok(Some(self.wrap(tx))),
            Err(entry) => Ok(self
                .rt
                .block_on(c.lock_slow(entry, level, Some(timeout)))?
                .map(|t| self.wrap(t))),
        }
    }
    fn wrap(&self, inner: crate::Txn) -> Txn {
        Txn {
            inner: Some(inner),
            rt: self.rt,
        }
    }

    /// See [`crate::Client::root`].
    pub fn root(&self, name: &str) -> Result<Option<Value>> {
        self.rt.block_on(self.inner.root(name))
    }
    /// See [`crate::Client::roots`].
    pub fn roots(&self) -> Result<Vec<(String, Value)>> {
        self.rt.block_on(self.inner.roots())
    }
    /// See [`crate::Client::root_stripe`].
    pub fn root_stripe(&self, name: &str) -> u8 {
        self.inner.root_stripe(name)
    }
    /// See [`crate::Client::root_or_create`].
    pub fn root_or_create(&self, name: &str, init: ObjectState) -> Result<ObjectId> {
        self.rt.block_on(self.inner.root_or_create(name, init))
    }
    /// See [`crate::Client::set_root_literal`].
    pub fn set_root_literal(&self, name: &str, value: Value, replace: bool) -> Result<Value> {
        self.rt
            .block_on(self.inner.set_root_literal(name, value, replace))
    }
    /// See [`crate::Client::map`].
    pub fn map(&self, root: &str) -> Result<crate::Map> {
        self.rt.block_on(self.inner.map(root))
    }
    /// See [`crate::Client::list`].
    pub fn list(&self, root: &str) -> Result<crate::List> {
        self.rt.block_on(self.inner.list(root))
    }
    /// See [`crate::Client::set`].
    pub fn set(&self, root: &str) -> Result<crate::Set> {
        self.rt.block_on(self.inner.set(root))
    }
    /// See [`crate::Client::queue`].
    pub fn queue(&self, root: &str) -> Result<crate::Queue> {
        self.rt.block_on(self.inner.queue(root))
    }
    /// See [`crate::Client::object`].
    pub fn object(&self, oid: ObjectId) -> Result<ObjectState> {
        self.rt.block_on(self.inner.object(oid))
    }
    /// See [`crate::Client::read`].
    ///
    /// A cache hit runs `f` on the calling thread without entering the runtime (no `block_on`,
    /// whose thread-local bookkeeping costs tens of ns, more from a `cdylib`); a miss faults the
    /// object in through the runtime.
    pub fn read<R>(&self, oid: ObjectId, f: impl FnOnce(&ObjectState) -> R) -> Result<R> {
        let mut f = Some(f);
        if let Some(r) = self.inner.read_cached(oid, &mut f) {
            return Ok(r);
        }
        let f = f.ok_or_else(|| Error::lost("read callback consumed"))?;
        self.rt.block_on(self.inner.read(oid, f))
    }
    /// The value of `key` in `map` (see [`crate::Map::get`]); a cache hit does not enter the
    /// runtime (see [`Client::read`]).
    pub fn map_get(&self, map: &crate::Map, key: impl crate::ToValue) -> Result<Option<Value>> {
        let oid = map.id();
        let key = key.to_value();
        self.read(oid, |s| crate::collections::map_get(oid, s, &key))?
    }
    /// See [`crate::Client::cached`].
    pub fn cached(&self, oid: ObjectId) -> Option<ObjectState> {
        self.inner.cached(oid)
    }
    /// See [`crate::Client::evict`].
    pub fn evict(&self, oids: &[ObjectId]) -> Result<()> {
        self.rt.block_on(self.inner.evict(oids))
    }
    /// See [`crate::Client::evict_released`] (never blocks).
    pub fn evict_released(&self, oids: &[ObjectId]) -> Result<usize> {
        self.inner.evict_released(oids)
    }
    /// See [`crate::Client::reserve_ids`].
    pub fn reserve_ids(&self, n: u64) -> Result<()> {
        self.rt.block_on(self.inner.reserve_ids(n))
    }
    /// See [`crate::Client::subscribe`].
    pub fn subscribe(
        &self,
        target: SubTarget,
        cb: impl Fn(ChangeEvent) + Send + Sync + 'static,
    ) -> Result<Subscription> {
        self.rt.block_on(self.inner.subscribe(target, cb))
    }
    /// See [`crate::Client::dmi_events`] (use `blocking_recv` on the receiver).
    pub fn dmi_events(&self) -> broadcast::Receiver<DmiEvent> {
        self.inner.dmi_events()
    }
    /// See [`crate::Client::on_dmi`].
    pub fn on_dmi(&self, handler: impl Fn(DmiEvent) + Send + Sync + 'static) {
        self.inner.on_dmi(handler)
    }
    /// See [`crate::Client::locate`].
    pub fn locate(&self, oids: &[ObjectId]) -> Result<Vec<Vec<u64>>> {
        self.rt.block_on(self.inner.locate(oids))
    }
    /// See [`crate::Client::flush`].
    pub fn flush(&self) -> Result<()> {
        self.rt.block_on(self.inner.flush())
    }
    /// See [`crate::Client::ping`].
    pub fn ping(&self) -> Result<Duration> {
        self.rt.block_on(self.inner.ping())
    }
    /// See [`crate::Client::stats`].
    pub fn stats(&self) -> ClientStats {
        self.inner.stats()
    }
    /// See [`crate::Client::remote_txns_applied`].
    pub fn remote_txns_applied(&self) -> u64 {
        self.inner.remote_txns_applied()
    }
    /// See [`crate::Client::track_changes`].
    pub fn track_changes(&self) {
        self.inner.track_changes()
    }
    /// See [`crate::Client::take_changed`].
    pub fn take_changed(&self) -> Changed {
        self.inner.take_changed()
    }
    /// See [`crate::Client::changes_seq`].
    pub fn changes_seq(&self) -> u64 {
        self.inner.changes_seq()
    }
    /// See [`crate::Client::await_release_wanted`].
    pub fn await_release_wanted(&self, seen: u64, timeout: std::time::Duration) -> u64 {
        self.inner.await_release_wanted(seen, timeout)
    }
    /// See [`crate::Client::changes_seq_cell`].
    pub fn changes_seq_cell(&self) -> *const std::sync::atomic::AtomicU64 {
        self.inner.changes_seq_cell()
    }
    /// Blocks until a change recorded since [`crate::Client::track_changes`] is waiting to be
    /// taken, or `timeout` passes, or the client is closed or failed (checked every 20 ms);
    /// true when one is. Returns at once if one is already waiting. (A daemon thread applying
    /// remote changes waits here.)
    pub fn wait_changed(&self, timeout: Duration) -> bool {
        let deadline = std::time::Instant::now() + timeout;
        loop {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            if self
                .inner
                .inner
                .stats
                .changes
                .wait(left.min(Duration::from_millis(20)))
            {
                return true;
            }
            if left <= Duration::from_millis(20) || self.inner.inner.check_alive().is_err() {
                return false;
            }
        }
    }
    /// See [`crate::Client::close`].
    pub fn close(&self) -> Result<()> {
        self.rt.block_on(self.inner.close())
    }
}

/// Blocking transaction guard; dereferences to [`crate::Txn`] for the synchronous recording
/// methods (`create`, `set_field`, `apply`, `notify`, `invoke`, typed-collection writes...).
#[derive(Debug)]
pub struct Txn {
    inner: Option<crate::Txn>,
    rt: &'static Runtime,
}

impl Txn {
    fn get(&self) -> &crate::Txn {
        self.inner
            .as_ref()
            .unwrap_or_else(|| unreachable!("blocking::Txn used after commit"))
    }
    fn get_mut(&mut self) -> &mut crate::Txn {
        self.inner
            .as_mut()
            .unwrap_or_else(|| unreachable!("blocking::Txn used after commit"))
    }
    /// See [`crate::Txn::create`]; when every leased object id is used, waits for the next
    /// lease instead of failing with [`Error::IdsExhausted`].
    pub fn create(&mut self, state: ObjectState) -> Result<ObjectId> {
        let inner = self.get().client_inner().clone();
        if inner.ids_remaining() == 0 {
            self.rt.block_on(inner.reserve_ids(1))?;
        }
        self.get_mut().create(state)
    }
    /// See [`crate::Txn::create_near`]; waits for the next lease of `near`'s stripe as
    /// [`Txn::create`] does.
    pub fn create_near(&mut self, near: ObjectId, state: ObjectState) -> Result<ObjectId> {
        self.create_in(near.stripe(), state)
    }
    /// See [`crate::Txn::create_in`]; waits for the next lease of that stripe as
    /// [`Txn::create`] does.
    pub fn create_in(&mut self, stripe: u8, state: ObjectState) -> Result<ObjectId> {
        let inner = self.get().client_inner().clone();
        if let Ok(far) = inner.stripe_conn(stripe) {
            if far.ids_remaining() == 0 {
                self.rt.block_on(far.reserve_ids(1))?;
            }
        }
        self.get_mut().create_in(stripe, state)
    }
    /// See [`crate::Txn::wait`].
    pub fn wait(&mut self, timeout: Option<Duration>) -> Result<WakeReason> {
        let rt = self.rt;
        rt.block_on(self.get_mut().wait(timeout))
    }
    /// See [`crate::Txn::commit`]. An empty non-SyncWrite transaction commits without touching
    /// the runtime.
    pub fn commit(mut self) -> Result<()> {
        let Some(tx) = self.inner.take() else {
            return Ok(());
        };
        if !tx.needs_wait_on_commit() && tx.level() != LockLevel::SyncWrite {
            return tx.release();
        }
        self.rt.block_on(tx.commit())
    }
}

impl Deref for Txn {
    type Target = crate::Txn;
    fn deref(&self) -> &crate::Txn {
        self.get()
    }
}

impl DerefMut for Txn {
    fn deref_mut(&mut self) -> &mut crate::Txn {
        self.get_mut()
    }
}

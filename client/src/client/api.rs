//! The public API: [`Client`], [`LockHandle`], [`Subscription`].

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Weak};
use std::time::{Duration, Instant};

use kiln_protocol::{
    LockId, LockLevel, Message, NodeInfo, ObjectData, ObjectId, ObjectState, SubTarget, Value,
};

use tokio::sync::{broadcast, oneshot};

use crate::txn::{FastOr, Txn};
use crate::{Error, Result};
use std::future::Future;

use super::builder::ClientBuilder;
use super::events::{ChangeEvent, Changed, ClientStats, ClusterEvent, ConnectionState, DmiEvent};
use super::inner::{Inner, LockEntry};

/// Closes the connection when the last [`Client`] clone is dropped.
#[derive(Debug)]
pub(super) struct Handle {
    pub(super) inner: Arc<Inner>,
}

impl Drop for Handle {
    fn drop(&mut self) {
        if !self.inner.closed.swap(true, Ordering::AcqRel) {
            tracing::debug!(
                client_id = self.inner.client_id,
                "last client handle dropped: closing"
            );
            self.inner.out.close_with(Some(Message::Goodbye));
            self.inner.wake.notify_one();
        }
    }
}

/// A connected Kiln client (cheap to clone: every clone shares one connection).
///
/// The connection closes when [`Client::close`] is called or when the last clone is dropped.
///
/// ```no_run
/// # async fn demo() -> kiln::Result<()> {
/// use kiln::{Client, LockId, LockLevel, Value};
/// let client = Client::connect("127.0.0.1:9510").await?;
/// let orders = client.map("orders").await?;
/// let mut tx = client.lock(LockId::Named("orders".into()), LockLevel::Write).await?;
/// orders.put(&mut tx, "o-1", "pending")?;
/// tx.commit().await?;
/// assert_eq!(orders.get(&client, "o-1").await?, Some(Value::from("pending")));
/// client.close().await?;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Client {
    pub(crate) inner: Arc<Inner>,
    pub(super) _handle: Arc<Handle>,
    /// Several mirror groups: every stripe's client (`None`: one group; see `stripes.rs`).
    pub(super) stripes: Option<Arc<super::stripes::Stripes>>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("client_id", &self.inner.client_id)
            .field("server", &self.inner.server_name)
            .field("addr", &self.inner.server_addr)
            .field("state", &self.inner.state())
            .finish()
    }
}

impl Client {
    /// Connects to one server with the default settings of [`ClientBuilder::new`].
    ///
    /// ```no_run
    /// # async fn demo() -> kiln::Result<()> {
    /// let client = kiln::Client::connect("127.0.0.1:9510").await?;
    /// println!("I am client {}", client.client_id());
    /// # Ok(()) }
    /// ```
    pub async fn connect(addr: &str) -> Result<Client> {
        ClientBuilder::new([addr]).connect().await
    }

    /// A [`ClientBuilder`] for the given addresses.
    pub fn builder<S: Into<String>>(addrs: impl IntoIterator<Item = S>) -> ClientBuilder {
        ClientBuilder::new(addrs)
    }

    /// The id the server assigned to this client (also its node id in [`Client::nodes`]).
    pub fn client_id(&self) -> u64 {
        self.inner.client_id
    }

    /// The server's name (from `Welcome`).
    pub fn server_name(&self) -> &str {
        &self.inner.server_name
    }

    /// The address this client connected to.
    pub fn server_addr(&self) -> &str {
        &self.inner.server_addr
    }

    /// The connected clients, this one included.
    pub fn nodes(&self) -> Vec<NodeInfo> {
        self.inner.nodes.lock().clone()
    }

    /// Membership events from now on (a receiver that falls more than 1024 events behind
    /// gets `RecvError::Lagged`).
    pub fn events(&self) -> broadcast::Receiver<ClusterEvent> {
        self.inner.events.subscribe()
    }

    /// True while the connection is up and the client not closed (false while reconnecting).
    pub fn is_connected(&self) -> bool {
        self.state() == ConnectionState::Connected
    }

    /// Where the connection stands: connected, reconnecting, failed or closed.
    pub fn state(&self) -> ConnectionState {
        if let Some(s) = &self.stripes {
            return self.striped_state(s);
        }
        self.inner.state()
    }

    /// The epoch of the server this client is connected to (`Welcome.epoch`: `1` for an
    /// in-memory server; incremented on every start of a persistent one).
    pub fn server_epoch(&self) -> u64 {
        self.inner.server_epoch.load(Ordering::Relaxed)
    }

    // ------------------------------------------------------------------ locks

    /// Acquires a cluster lock and starts a transaction under it (blocks until granted).
    ///
    /// Greedy: once the server awarded this client a lease, acquiring again costs no network
    /// traffic until another client asks for the lock. `LockLevel::Concurrent` takes no lock at
    /// all (only a transaction boundary). The lock is not reentrant.
    ///
    /// ```no_run
    /// # async fn demo(client: kiln::Client) -> kiln::Result<()> {
    /// use kiln::{LockId, LockLevel};
    /// let tx = client.lock(LockId::Named("config".into()), LockLevel::Read).await?;
    /// // ... read shared objects ...
    /// tx.commit().await?;
    /// # Ok(()) }
    /// ```
    ///
    /// On the greedy fast path the lock is taken when `lock` is called and the returned future
    /// is ready at once (no allocation, no await point).
    pub fn lock(
        &self,
        lock: impl Into<LockId>,
        level: LockLevel,
    ) -> impl Future<Output = Result<Txn>> + Send + '_ {
        let lock = lock.into();
        let this = match self.route_lock(&lock) {
            Ok(c) => c.unwrap_or(self),
            Err(e) => return FastOr::Ready(Some(Err(e))),
        };
        match this.lock_fast(lock, level) {
            Err(e) => FastOr::Ready(Some(Err(e))),
            Ok(Ok(tx)) => FastOr::Ready(Some(Ok(tx))),
            Ok(Err(entry)) => FastOr::Slow(Box::pin(async move {
                match this.lock_slow(entry, level, None).await? {
                    Some(tx) => Ok(tx),
                    None => Err(Error::lost("lock acquire ended without a grant")),
                }
            })),
        }
    }

    /// Like [`Client::lock`], giving up after `timeout` (`Duration::ZERO`: only if available
    /// now). `Ok(None)`: not acquired.
    ///
    /// ```no_run
    /// # async fn demo(client: kiln::Client) -> kiln::Result<()> {
    /// use std::time::Duration;
    /// use kiln::{LockId, LockLevel};
    /// match client.try_lock(LockId::Named("job".into()), LockLevel::Write, Duration::from_millis(100)).await? {
    ///     Some(tx) => tx.commit().await?,
    ///     None => println!("busy"),
    /// }
    /// # Ok(()) }
    /// ```
    pub fn try_lock(
        &self,
        lock: impl Into<LockId>,
        level: LockLevel,
        timeout: Duration,
    ) -> impl Future<Output = Result<Option<Txn>>> + Send + '_ {
        let lock = lock.into();
        let this = match self.route_lock(&lock) {
            Ok(c) => c.unwrap_or(self),
            Err(e) => return FastOr::Ready(Some(Err(e))),
        };
        match this.lock_fast(lock, level) {
            Err(e) => FastOr::Ready(Some(Err(e))),
            Ok(Ok(tx)) => FastOr::Ready(Some(Ok(Some(tx)))),
            Ok(Err(entry)) => FastOr::Slow(Box::pin(this.lock_slow(entry, level, Some(timeout)))),
        }
    }

    /// The synchronous fast path: acquires the lock only if this client's lease allows it
    /// right now without any network traffic; `None` otherwise (then use [`Client::lock`]).
    pub fn try_lock_local(&self, lock: impl Into<LockId>, level: LockLevel) -> Option<Txn> {
        let lock = lock.into();
        let this = self.route_lock(&lock).ok()?.unwrap_or(self);
        this.lock_fast(lock, level).ok()?.ok()
    }

    /// A pre-resolved handle on one lock: skips the lock-table lookup on every acquire (the
    /// fastest way to take the same lock repeatedly).
    ///
    /// ```no_run
    /// # async fn demo(client: kiln::Client) -> kiln::Result<()> {
    /// use kiln::{LockId, LockLevel};
    /// let l = client.lock_handle(LockId::Named("counter".into()));
    /// for _ in 0..1000 {
    ///     l.lock(LockLevel::Write).await?.commit().await?;
    /// }
    /// # Ok(()) }
    /// ```
    pub fn lock_handle(&self, lock: impl Into<LockId>) -> LockHandle {
        let lock = lock.into();
        // A lock of a stripe this client does not know stays on stripe 0, whose server refuses
        // it when it is requested.
        let this = self.route_lock(&lock).ok().flatten().unwrap_or(self);
        LockHandle {
            client: this.clone(),
            entry: this.inner.entry(lock),
        }
    }

    /// `Ok(Ok(txn))`: granted locally; `Ok(Err(entry))`: needs the slow path.
    #[inline]
    pub(crate) fn lock_fast(
        &self,
        lock: LockId,
        level: LockLevel,
    ) -> Result<std::result::Result<Txn, Arc<LockEntry>>> {
        if self.inner.refetching() {
            return Ok(Err(self.inner.entry(lock))); // the slow path waits for the re-fault
        }
        if level == LockLevel::Concurrent {
            self.inner.check_alive()?;
            return Ok(Ok(Txn::concurrent(self.inner.clone(), lock)));
        }
        let entry = self.inner.entry(lock);
        Ok(self.lock_entry_fast(entry, level))
    }

    #[inline]
    pub(crate) fn lock_entry_fast(
        &self,
        entry: Arc<LockEntry>,
        level: LockLevel,
    ) -> std::result::Result<Txn, Arc<LockEntry>> {
        if self.inner.refetching() {
            return Err(entry); // the slow path waits for the re-fault
        }
        if level == LockLevel::Concurrent {
            return Ok(Txn::concurrent(self.inner.clone(), entry.id.clone()));
        }
        let t = entry.core.lock().try_local(level.is_exclusive());
        match t {
            Some(t) => Ok(Txn::held(self.inner.clone(), entry, level, t)),
            None => Err(entry),
        }
    }

    pub(crate) async fn lock_slow(
        &self,
        entry: Arc<LockEntry>,
        level: LockLevel,
        timeout: Option<Duration>,
    ) -> Result<Option<Txn>> {
        // After a resume, the objects the server reported stale were dropped and are being
        // fetched again: a transaction begins once they are back (a pause, not NotResident).
        let start = std::time::Instant::now();
        if !self.inner.wait_refetched(timeout).await? {
            return Ok(None);
        }
        let timeout = timeout.map(|t| t.saturating_sub(start.elapsed()));
        if level == LockLevel::Concurrent {
            self.inner.check_alive()?;
            return Ok(Some(Txn::concurrent(self.inner.clone(), entry.id.clone())));
        }
        Ok(self
            .inner
            .acquire(&entry, level.is_exclusive(), timeout)
            .await?
            .map(|t| Txn::held(self.inner.clone(), entry, level, t)))
    }

    // ------------------------------------------------------------------ roots

    /// The value bound to a root, `None` if unbound.
    ///
    /// ```no_run
    /// # async fn demo(client: kiln::Client) -> kiln::Result<()> {
    /// if let Some(v) = client.root("config").await? { println!("config = {v}"); }
    /// # Ok(()) }
    /// ```
    pub async fn root(&self, name: &str) -> Result<Option<Value>> {
        if let Some(c) = self.route_root(name)? {
            return Box::pin(c.root(name)).await;
        }
        match self
            .inner
            .request(|req_id| Message::RootLookup {
                req_id,
                name: name.to_string(),
            })
            .await?
        {
            Message::RootValue { value, .. } => Ok(value),
            other => Err(unexpected(&other)),
        }
    }

    /// Every root, sorted by name.
    pub async fn roots(&self) -> Result<Vec<(String, Value)>> {
        if let Some(s) = &self.stripes {
            let mut all = Vec::new();
            for c in &s.clients {
                all.extend(Box::pin(c.roots()).await?);
            }
            all.sort_by(|a, b| a.0.cmp(&b.0));
            return Ok(all);
        }
        match self
            .inner
            .request(|req_id| Message::ListRoots { req_id })
            .await?
        {
            Message::RootList { roots, .. } => Ok(roots),
            other => Err(unexpected(&other)),
        }
    }

    /// For each of `oids`, in order, the ids of the connected clients that have it resident
    /// (this client included): Terracotta's `DsoCluster.getNodesWithObjects`. A snapshot from
    /// the server; one round trip.
    pub async fn locate(&self, oids: &[ObjectId]) -> Result<Vec<Vec<u64>>> {
        if oids.is_empty() {
            return Ok(Vec::new());
        }
        if self.stripes.is_some() {
            let mut out = Vec::with_capacity(oids.len());
            for o in oids {
                let c = self.route_oid(*o)?.unwrap_or(self);
                out.extend(Box::pin(c.locate(std::slice::from_ref(o))).await?);
            }
            return Ok(out);
        }
        let n = oids.len();
        match self
            .inner
            .request(|req_id| Message::Locate {
                req_id,
                oids: oids.to_vec(),
            })
            .await?
        {
            Message::Located { nodes, .. } if nodes.len() == n => Ok(nodes),
            Message::Located { nodes, .. } => Err(Error::lost(format!(
                "Located answers {} objects, {n} were asked",
                nodes.len()
            ))),
            other => Err(unexpected(&other)),
        }
    }

    /// Binds a root to a literal (first writer wins; with `replace`, a root bound to a literal
    /// is re-bound). Returns the value bound after the call.
    pub async fn set_root_literal(&self, name: &str, value: Value, replace: bool) -> Result<Value> {
        if let Some(c) = self.route_root(name)? {
            return Box::pin(c.set_root_literal(name, value, replace)).await;
        }
        let name_s = name.to_string();
        match self
            .inner
            .request(|req_id| Message::RootCreate {
                req_id,
                name: name_s,
                value,
                replace,
            })
            .await?
        {
            Message::RootValue { value: Some(v), .. } => Ok(v),
            Message::RootValue { value: None, .. } => Err(Error::lost(format!(
                "root '{name}' unbound after RootCreate"
            ))),
            other => Err(unexpected(&other)),
        }
    }

    /// The object bound to root `name`, creating it from `init` when the root is unbound.
    /// First writer wins: when another client bound the root concurrently, its object is
    /// returned (and `init` is discarded). The object is resident when this returns.
    ///
    /// ```no_run
    /// # async fn demo(client: kiln::Client) -> kiln::Result<()> {
    /// let oid = client.root_or_create("registry", kiln::ObjectState::map()).await?;
    /// # let _ = oid; Ok(()) }
    /// ```
    pub async fn root_or_create(&self, name: &str, init: ObjectState) -> Result<ObjectId> {
        // The root's object is created on the root's stripe.
        if let Some(c) = self.route_root(name)? {
            return Box::pin(c.root_or_create(name, init)).await;
        }
        if let Some(v) = self.root(name).await? {
            let oid = root_oid(name, v)?;
            self.ensure_resident(oid).await?;
            return Ok(oid);
        }
        let mut tx = Txn::concurrent(self.inner.clone(), LockId::Named(String::new()));
        let mine = tx.create(init)?;
        // The root may only be bound once the server applied the transaction that creates its
        // object: a `RootCreate` sent behind a transaction the server rejects (storage
        // unavailable) would name an object that does not exist. So wait for the verdict and
        // report a rejection itself. The transaction's sequence lies in (before, after]; a
        // rejection in that range (ours, or a concurrent commit's) fails the call.
        let before = self.inner.out.last_seq.load(Ordering::Acquire);
        tx.commit().await?;
        let after = self.inner.out.last_seq.load(Ordering::Acquire);
        self.inner.wait_acked_upto(after).await?;
        if let Some(e) = self.inner.rejected_in(before.saturating_add(1), after) {
            return Err(e);
        }
        let winner = match self
            .inner
            .request(|req_id| Message::RootCreate {
                req_id,
                name: name.to_string(),
                value: Value::Ref(mine),
                replace: false,
            })
            .await?
        {
            Message::RootValue { value: Some(v), .. } => root_oid(name, v)?,
            Message::RootValue { value: None, .. } => {
                return Err(Error::lost(format!(
                    "root '{name}' unbound after RootCreate"
                )))
            }
            other => return Err(unexpected(&other)),
        };
        if winner != mine {
            tracing::debug!(root = name, %mine, %winner, "lost the race to create a root");
            self.evict(&[mine]).await?;
            self.ensure_resident(winner).await?;
        }
        Ok(winner)
    }

    async fn typed_root(
        &self,
        root: &str,
        init: ObjectState,
        accept: fn(&ObjectData) -> bool,
        expected: &'static str,
    ) -> Result<ObjectId> {
        let oid = self.root_or_create(root, init).await?;
        self.read(oid, |s| {
            if accept(&s.data) {
                Ok(())
            } else {
                Err(Error::WrongKind {
                    oid,
                    expected,
                    actual: s.data.kind_name(),
                })
            }
        })
        .await??;
        Ok(oid)
    }

    /// A map bound to root `root` (created empty if unbound).
    pub async fn map(&self, root: &str) -> Result<crate::Map> {
        let oid = self
            .typed_root(
                root,
                ObjectState::map(),
                |d| matches!(d, ObjectData::Map(_) | ObjectData::SortedMap(_)),
                "map",
            )
            .await?;
        Ok(crate::Map::from_id(oid))
    }
    /// A sorted map bound to root `root` (created empty if unbound).
    pub async fn sorted_map(&self, root: &str) -> Result<crate::Map> {
        let oid = self
            .typed_root(
                root,
                ObjectState::sorted_map(),
                |d| matches!(d, ObjectData::Map(_) | ObjectData::SortedMap(_)),
                "map",
            )
            .await?;
        Ok(crate::Map::from_id(oid))
    }
    /// A list bound to root `root` (created empty if unbound).
    pub async fn list(&self, root: &str) -> Result<crate::List> {
        let oid = self
            .typed_root(
                root,
                ObjectState::list(),
                |d| matches!(d, ObjectData::List(_)),
                "list",
            )
            .await?;
        Ok(crate::List::from_id(oid))
    }
    /// A set bound to root `root` (created empty if unbound).
    pub async fn set(&self, root: &str) -> Result<crate::Set> {
        let oid = self
            .typed_root(
                root,
                ObjectState::set(),
                |d| matches!(d, ObjectData::Set(_)),
                "set",
            )
            .await?;
        Ok(crate::Set::from_id(oid))
    }
    /// A queue bound to root `root` (created empty if unbound).
    pub async fn queue(&self, root: &str) -> Result<crate::Queue> {
        let oid = self
            .typed_root(
                root,
                ObjectState::queue(),
                |d| matches!(d, ObjectData::Queue(_)),
                "queue",
            )
            .await?;
        Ok(crate::Queue::from_id(oid))
    }

    // ------------------------------------------------------------------ objects

    async fn ensure_resident(&self, oid: ObjectId) -> Result<()> {
        if let Some(c) = self.route_oid(oid)? {
            return Box::pin(c.ensure_resident(oid)).await;
        }
        if self.inner.cache.lock().contains_key(&oid) {
            return Ok(());
        }
        self.fault(vec![oid]).await
    }

    /// Faults objects in (with the client's prefetch budget). Objects the server does not have
    /// give [`Error::UnknownObject`].
    pub async fn fault(&self, oids: Vec<ObjectId>) -> Result<()> {
        if self.stripes.is_some() {
            for (c, part) in self.split_oids(&oids)? {
                Box::pin(c.fault(part)).await?;
            }
            return Ok(());
        }
        self.inner.stats.faults.fetch_add(1, Ordering::Relaxed);
        let budget = self.inner.fault_count;
        match self
            .inner
            .request(|req_id| Message::Fault {
                req_id,
                oids,
                budget,
            })
            .await?
        {
            Message::FaultReply {
                objects, missing, ..
            } => {
                self.inner.insert_faulted(objects);
                match missing.first() {
                    Some(&oid) => Err(Error::UnknownObject { oid }),
                    None => Ok(()),
                }
            }
            other => Err(unexpected(&other)),
        }
    }

    /// A copy of an object's state (from the cache, faulted in on a miss).
    pub async fn object(&self, oid: ObjectId) -> Result<ObjectState> {
        self.read(oid, ObjectState::clone).await
    }

    /// Runs `f` on an object's cached state (faulted in on a miss) without copying it.
    ///
    /// ```no_run
    /// # async fn demo(client: kiln::Client, oid: kiln::ObjectId) -> kiln::Result<()> {
    /// let n = client.read(oid, |s| s.data.len()).await?;
    /// # let _ = n; Ok(()) }
    /// ```
    pub async fn read<R>(&self, oid: ObjectId, f: impl FnOnce(&ObjectState) -> R) -> Result<R> {
        let this = self.route_oid(oid)?.unwrap_or(self);
        let mut f = Some(f);
        for _ in 0..3 {
            {
                let cache = this.inner.cache.lock();
                if let Some(c) = cache.get(&oid) {
                    let f = f
                        .take()
                        .ok_or_else(|| Error::lost("read callback consumed"))?;
                    return Ok(f(&c.state));
                }
            }
            this.inner.check_alive()?;
            this.fault(vec![oid]).await?;
        }
        Err(Error::NotResident { oid })
    }

    /// Runs the callback in `f` on the cached state of `oid` and returns its result; `None`
    /// (leaving `f` untouched) when the object is not resident. No runtime involved: the
    /// blocking facade's cache-hit path.
    pub(crate) fn read_cached<R, F: FnOnce(&ObjectState) -> R>(
        &self,
        oid: ObjectId,
        f: &mut Option<F>,
    ) -> Option<R> {
        let this = self.route_oid(oid).ok()?.unwrap_or(self);
        let cache = this.inner.cache.lock();
        let c = cache.get(&oid)?;
        let f = f.take()?;
        Some(f(&c.state))
    }

    /// The cached state of an object, without faulting (`None` if not resident).
    pub fn cached(&self, oid: ObjectId) -> Option<ObjectState> {
        let this = self.route_oid(oid).ok()?.unwrap_or(self);
        this.inner.cache.lock().get(&oid).map(|c| c.state.clone())
    }

    /// The version (GTX of the last change seen) of a cached object.
    pub fn cached_version(&self, oid: ObjectId) -> Option<u64> {
        let this = self.route_oid(oid).ok()?.unwrap_or(self);
        this.inner.cache.lock().get(&oid).map(|c| c.version)
    }

    /// Drops objects from the local cache and tells the server (it stops sending their deltas).
    pub async fn evict(&self, oids: &[ObjectId]) -> Result<()> {
        if self.stripes.is_some() {
            for (c, part) in self.split_oids(oids)? {
                Box::pin(c.evict(&part)).await?;
            }
            return Ok(());
        }
        self.inner.check_alive()?;
        self.inner.evict_local(oids);
        if !self.inner.out.push(Message::Evict {
            oids: oids.to_vec(),
        }) {
            return Err(self.inner.failure());
        }
        Ok(())
    }

    /// Drops objects the application released (it holds no copy of them any more) from the
    /// local cache and tells the server (it stops sending their deltas; a later use faults them
    /// again). Unlike [`Client::evict`], an object an open transaction of this client changed
    /// or created is kept until that transaction is sent (it is retried at the next call), so
    /// a fault can never return a state older than this client's own uncommitted change.
    /// Returns how many objects were dropped.
    pub fn evict_released(&self, oids: &[ObjectId]) -> Result<usize> {
        if self.stripes.is_some() {
            // Every stripe, also one given no id: it retries the ids it kept back.
            let parts = self.split_oids(oids)?;
            let mut n = 0;
            for c in self.each_stripe() {
                let part = parts
                    .iter()
                    .find(|(k, _)| std::ptr::eq(*k, c))
                    .map(|(_, v)| v.as_slice())
                    .unwrap_or(&[]);
                n += c.evict_released(part)?;
            }
            return Ok(n);
        }
        self.inner.check_alive()?;
        let gone = self.inner.evict_released_local(oids);
        let n = gone.len();
        if n > 0 && !self.inner.out.push(Message::Evict { oids: gone }) {
            return Err(self.inner.failure());
        }
        Ok(n)
    }

    /// Makes sure at least `n` object ids are leased, waiting for the server if needed (call it
    /// before creating many objects in one transaction).
    pub async fn reserve_ids(&self, n: u64) -> Result<()> {
        // Transactions create objects on their lock's stripe: every stripe's pool is filled.
        for c in self.each_stripe() {
            c.inner.reserve_ids(n).await?;
        }
        Ok(())
    }

    // ------------------------------------------------------------------ callbacks

    /// Calls `cb` after each transaction of another client that changed `target` (an object:
    /// after its deltas are applied to this client's cache; a root: when re-bound). The object
    /// is faulted in first. Callbacks run on the client's callback thread, one at a time, in
    /// order; they may block. Dropping the [`Subscription`] unsubscribes. Returns once the
    /// server has registered the subscription (one round trip).
    ///
    /// ```no_run
    /// # async fn demo(client: kiln::Client) -> kiln::Result<()> {
    /// let m = client.map("prices").await?;
    /// let _sub = client.subscribe(kiln::SubTarget::Object(m.id()), |ev| println!("changed by {}", ev.from_client)).await?;
    /// # Ok(()) }
    /// ```
    pub async fn subscribe(
        &self,
        target: SubTarget,
        cb: impl Fn(ChangeEvent) + Send + Sync + 'static,
    ) -> Result<Subscription> {
        let route = match &target {
            SubTarget::Object(oid) => self.route_oid(*oid)?,
            SubTarget::Root(name) => self.route_root(name)?,
        };
        if let Some(c) = route {
            return Box::pin(c.subscribe(target, cb)).await;
        }
        if let SubTarget::Object(oid) = &target {
            self.ensure_resident(*oid).await?;
        }
        self.inner.check_alive()?;
        let (id, first) = {
            let _g = self.inner.gate();
            let mut subs = self.inner.subs.lock();
            subs.next += 1;
            let id = subs.next;
            let list = subs.map.entry(target.clone()).or_default();
            list.push((id, Arc::new(cb)));
            let first = list.len() == 1;
            if first {
                self.inner.out.push(Message::Subscribe {
                    target: target.clone(),
                });
            }
            (id, first)
        };
        let sub = Subscription {
            inner: Arc::downgrade(&self.inner),
            target,
            id,
            active: true,
        };
        if first {
            // The server handles one connection's messages in order: once a Ping sent after
            // the Subscribe is answered, the subscription is registered and every later change
            // by anyone is notified.
            self.ping().await?;
        }
        Ok(sub)
    }

    /// Distributed method calls delivered to this client (by other clients' transactions),
    /// from now on. A tokio broadcast channel of capacity 4096: a receiver that falls further
    /// behind gets `RecvError::Lagged`. See also [`Client::on_dmi`].
    pub fn dmi_events(&self) -> broadcast::Receiver<DmiEvent> {
        self.inner.dmi.subscribe()
    }

    /// Registers a handler called (on the callback thread) for every delivered distributed
    /// method call, for the life of the client.
    pub fn on_dmi(&self, handler: impl Fn(DmiEvent) + Send + Sync + 'static) {
        // A call arrives on the stripe of the transaction that made it: every stripe.
        let handler: super::inner::DmiCallback = Arc::new(handler);
        for c in self.each_stripe() {
            c.inner.dmi_handlers.lock().push(handler.clone());
        }
    }

    // ------------------------------------------------------------------ misc

    /// Waits until every transaction committed so far is acknowledged by the server (across a
    /// reconnect: unacknowledged transactions are sent again).
    ///
    /// Fails with [`Error::StorageUnavailable`] (or [`Error::TxnRejected`]) when the server
    /// rejected a transaction committed since the previous `flush` (protocol.md §9.8): nothing
    /// of it was applied, and the objects it touched were dropped from the local cache.
    pub async fn flush(&self) -> Result<()> {
        if let Some(s) = &self.stripes {
            for c in &s.clients {
                Box::pin(c.flush()).await?;
            }
            return Ok(());
        }
        let from = self.inner.flushed_upto.load(Ordering::Acquire) + 1;
        let last = self.inner.out.last_seq.load(Ordering::Acquire);
        if last == 0 {
            return self.inner.check_alive();
        }
        self.inner.wait_acked_upto(last).await?;
        self.inner.flushed_upto.fetch_max(last, Ordering::AcqRel);
        match self.inner.rejected_in(from, last) {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }

    /// Round-trip time of a `Ping` (waits while reconnecting).
    pub async fn ping(&self) -> Result<Duration> {
        let nonce = self.inner.next_req.fetch_add(1, Ordering::Relaxed);
        let (tx, rx) = oneshot::channel();
        let t = Instant::now();
        {
            let _g = self.inner.gate();
            let mut pings = self.inner.pings.lock();
            self.inner.check_alive()?;
            self.inner.stats.pings_sent.fetch_add(1, Ordering::Relaxed);
            if !self.inner.out.push(Message::Ping { nonce }) {
                return Err(self.inner.failure());
            }
            pings.insert(nonce, (tx, false));
        }
        rx.await.map_err(|_| self.inner.failure())?;
        Ok(t.elapsed())
    }

    /// How many remote transactions this client has applied to its cache so far (one atomic
    /// load: the Java agent checks it at every cluster lock award; [`Self::stats`] also counts
    /// the cache and the lock table under their locks).
    pub fn remote_txns_applied(&self) -> u64 {
        if let Some(s) = &self.stripes {
            return s
                .clients
                .iter()
                .map(|c| c.inner.stats.remote_txns.load(Ordering::Relaxed))
                .sum();
        }
        self.inner.stats.remote_txns.load(Ordering::Relaxed)
    }

    /// Starts recording which cached objects the server changes (remote transactions' deltas,
    /// objects dropped from the cache: a bad delta, a rejected transaction, stale after a
    /// reconnect or failover), for [`Self::take_changed`]. Off by default: a client that never
    /// asks keeps nothing. Idempotent; the first take after it says [`Changed::All`] (what
    /// changed before is unknown).
    ///
    /// A lock award is dispatched after the changes that preceded it on the connection are
    /// recorded, so a thread that was awarded a lock and then calls `take_changed` sees every
    /// object changed under earlier holders.
    pub fn track_changes(&self) {
        for c in self.each_stripe() {
            c.inner.stats.changes.enable();
        }
    }

    /// What the server changed in the cache since the last call (see [`Self::track_changes`]);
    /// `Changed::Oids(vec![])` when nothing changed. Bounded: past 65,536 changed objects
    /// between two takes it says [`Changed::All`].
    pub fn take_changed(&self) -> Changed {
        if let Some(s) = &self.stripes {
            // Every stripe's tracker is taken (so none keeps changes for a later take).
            let mut all = false;
            let mut oids = Vec::new();
            for c in &s.clients {
                match c.inner.stats.changes.take() {
                    Changed::All => all = true,
                    Changed::Oids(o) => oids.extend(o),
                }
            }
            return if all {
                Changed::All
            } else {
                Changed::Oids(oids)
            };
        }
        self.inner.stats.changes.take()
    }

    /// A counter that moves whenever a change is recorded (one atomic load: test it before
    /// [`Self::take_changed`] on a hot path).
    pub fn changes_seq(&self) -> u64 {
        if let Some(s) = &self.stripes {
            return s
                .clients
                .iter()
                .map(|c| c.inner.stats.changes.seq())
                .fold(0u64, u64::wrapping_add);
        }
        self.inner.stats.changes.seq()
    }

    /// Blocks until a lock whose read hold is parked ([`LockHandle::set_parked`]) is wanted back
    /// (recalled by the server, or a local acquirer queued for it) since the counter was
    /// `seen`, or `timeout` passes; returns the counter now (pass it as `seen` next time). The
    /// caller then asks each parked lock's [`LockHandle::release_wanted`].
    pub fn await_release_wanted(&self, seen: u64, timeout: Duration) -> u64 {
        self.inner.stats.release_wanted.wait(seen, timeout)
    }

    /// Where [`Self::changes_seq`]'s counter lives, for a caller that reads it in place (the
    /// Java agent's zero-crossing read re-acquire maps it as a direct buffer). The address stays
    /// valid for the rest of the process: this leaks one reference to the client's shared
    /// state, so the counter outlives every handle and `close`.
    pub fn changes_seq_cell(&self) -> *const AtomicU64 {
        let inner = self.inner.clone();
        let p: *const AtomicU64 = inner.stats.changes.seq_cell();
        std::mem::forget(inner);
        p
    }

    /// Counters (see [`ClientStats`]).
    pub fn stats(&self) -> ClientStats {
        if let Some(s) = &self.stripes {
            return Self::striped_stats(s);
        }
        let s = &self.inner.stats;
        let l = |a: &AtomicU64| a.load(Ordering::Relaxed);
        ClientStats {
            frames_sent: l(&s.frames_sent) + l(&self.inner.out.direct_frames),
            writes: l(&s.writes) + l(&self.inner.out.direct_frames),
            bytes_sent: l(&s.bytes_sent) + l(&self.inner.out.direct_bytes),
            frames_received: l(&s.frames_received),
            bytes_received: l(&s.bytes_received),
            lock_requests: l(&s.lock_requests),
            pings_sent: l(&s.pings_sent),
            recalls: l(&s.recalls),
            txns_committed: l(&s.txns_committed),
            txns_sent: l(&s.txns_sent),
            acked_seq: l(&self.inner.acked),
            faults: l(&s.faults),
            remote_txns_applied: l(&s.remote_txns),
            cached_objects: self.inner.cache.lock().len() as u64,
            tracked_locks: self.inner.lock_table_len() as u64,
            txns_rejected: l(&s.txns_rejected),
            reconnects: l(&s.reconnects),
            unacked_txns: l(&self.inner.out.last_seq).saturating_sub(l(&self.inner.acked)),
        }
    }

    /// Flushes (waits for every transaction to be acknowledged), then says `Goodbye` and closes
    /// the connection; the server releases this client's locks. Later calls on any clone return
    /// [`Error::Closed`].
    pub async fn close(&self) -> Result<()> {
        if let Some(s) = &self.stripes {
            let mut first = Ok(());
            for c in &s.clients {
                let r = Box::pin(c.close()).await;
                if first.is_ok() {
                    first = r;
                }
            }
            return first;
        }
        if self.inner.closed.load(Ordering::Acquire) {
            return Ok(());
        }
        let flushed = self.flush().await;
        if !self.inner.closed.swap(true, Ordering::AcqRel) {
            self.inner.out.close_with(Some(Message::Goodbye));
            self.inner.wake.notify_one();
        }
        // Let the writer put the Goodbye on the wire.
        let writer = self.inner.tasks.lock().writer.take();
        if let Some(w) = writer {
            let _ = tokio::time::timeout(Duration::from_secs(5), w).await;
        }
        let _ = self.inner.events.send(ClusterEvent::Disconnected);
        match flushed {
            Err(Error::Closed) => Ok(()),
            other => other,
        }
    }
}

fn unexpected(m: &Message) -> Error {
    Error::lost(format!("unexpected reply {}", m.name()))
}

fn root_oid(name: &str, v: Value) -> Result<ObjectId> {
    match v {
        Value::Ref(oid) => Ok(oid),
        value => Err(Error::RootIsLiteral {
            name: name.to_string(),
            value,
        }),
    }
}

/// A pre-resolved lock (see [`Client::lock_handle`]).
#[derive(Debug, Clone)]
pub struct LockHandle {
    client: Client,
    entry: Arc<LockEntry>,
}

impl LockHandle {
    /// The lock.
    pub fn id(&self) -> &LockId {
        &self.entry.id
    }
    /// [`Client::lock`] on this lock.
    pub fn lock(&self, level: LockLevel) -> impl Future<Output = Result<Txn>> + Send + '_ {
        match self.client.lock_entry_fast(self.entry.clone(), level) {
            Ok(tx) => FastOr::Ready(Some(Ok(tx))),
            Err(entry) => FastOr::Slow(Box::pin(async move {
                self.client.inner.check_alive()?;
                match self.client.lock_slow(entry, level, None).await? {
                    Some(tx) => Ok(tx),
                    None => Err(Error::lost("lock acquire ended without a grant")),
                }
            })),
        }
    }
    /// [`Client::try_lock`] on this lock.
    pub fn try_lock(
        &self,
        level: LockLevel,
        timeout: Duration,
    ) -> impl Future<Output = Result<Option<Txn>>> + Send + '_ {
        match self.client.lock_entry_fast(self.entry.clone(), level) {
            Ok(tx) => FastOr::Ready(Some(Ok(Some(tx)))),
            Err(entry) => {
                FastOr::Slow(Box::pin(self.client.lock_slow(entry, level, Some(timeout))))
            }
        }
    }
    /// [`Client::try_lock_local`] on this lock.
    pub fn try_lock_local(&self, level: LockLevel) -> Option<Txn> {
        self.client.lock_entry_fast(self.entry.clone(), level).ok()
    }
    /// True when a holder of this lock keeping it for others should let it go: the server
    /// recalled the lease (it is given back once the local holders are gone) or a local
    /// acquirer waits. The Java agent's parked read leases poll it (docs/agent.md,
    /// "Zero-crossing read re-acquire").
    pub fn release_wanted(&self) -> bool {
        let c = self.entry.core.lock();
        c.recalled || !c.queue.is_empty()
    }
    /// Marks (or unmarks) this lock's read hold as parked: kept by one holder for others, so
    /// a recall or a queued local acquirer signals [`Client::await_release_wanted`]. Returns
    /// [`Self::release_wanted`] as of the mark (set under the lock's state mutex, so a recall
    /// or waiter either is seen here or sees the mark).
    pub fn set_parked(&self, parked: bool) -> bool {
        let c = self.entry.core.lock();
        self.entry.parked.store(parked, Ordering::Release);
        c.recalled || !c.queue.is_empty()
    }
}

/// A change subscription (see [`Client::subscribe`]); dropping it unsubscribes.
#[derive(Debug)]
pub struct Subscription {
    inner: Weak<Inner>,
    target: SubTarget,
    id: u64,
    active: bool,
}

impl Subscription {
    /// The subscribed target.
    pub fn target(&self) -> &SubTarget {
        &self.target
    }
    /// Unsubscribes now (same as dropping).
    pub fn unsubscribe(mut self) {
        self.remove();
    }
    fn remove(&mut self) {
        if !std::mem::replace(&mut self.active, false) {
            return;
        }
        let Some(inner) = self.inner.upgrade() else {
            return;
        };
        let _g = inner.gate();
        let last = {
            let mut subs = inner.subs.lock();
            match subs.map.get_mut(&self.target) {
                Some(list) => {
                    list.retain(|(id, _)| *id != self.id);
                    if list.is_empty() {
                        subs.map.remove(&self.target);
                        true
                    } else {
                        false
                    }
                }
                None => false,
            }
        };
        if last {
            inner.out.push(Message::Unsubscribe {
                target: self.target.clone(),
            });
        }
    }
}

impl Drop for Subscription {
    fn drop(&mut self) {
        self.remove();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_types_are_send_and_sync() {
        fn send_sync<T: Send + Sync>() {}
        fn send<T: Send>() {}
        send_sync::<Client>();
        send_sync::<crate::blocking::Client>();
        send::<Txn>();
        send::<crate::blocking::Txn>();
        send_sync::<crate::WaitInterrupter>();
        send_sync::<Subscription>();
        send_sync::<LockHandle>();
        send_sync::<Error>();
    }
}

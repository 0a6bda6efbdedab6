//! Durable storage on fjall (`permanent-store` / `<restartable enabled="true"/>`).
//!
//! Layout of `<data>`:
//! - `kiln.lock` — held with an exclusive OS file lock while a server runs (servers must not share
//!   a data directory); it also records the pid of the holder.
//! - `kiln-store/` — one fjall `Database` with five keyspaces:
//!   - `objects`: key = object id (`u64` big-endian), value = version (`u64` LE) + object state in
//!     the wire encoding of `docs/protocol.md` §5;
//!   - `roots`: key = root name (UTF-8), value = Value encoding;
//!   - `clients`: key = client id (`u64` BE), value = sequence high-water mark (`u64` LE) + name;
//!   - `meta`: `format`, `server`, `group` (the server group, recorded at the first start and
//!     checked at every start), and the counters `epoch`, `gtx`, `next_oid`, `next_client`,
//!     `was_active`, and the cluster id as `cluster_hi` / `cluster_lo` (`u64` LE each);
//!   - `twopc`: the records of transactions across stripes (protocol.md §9.12), each value one
//!     group op in its replication encoding (`GroupOp::to_bytes`): key `p` + xid (17 bytes) = a
//!     prepared part (removed when it is decided), `d` + xid = a decision, `f` + the lock's
//!     name = the lock's fence. A stripe restarted as a whole keeps them (its prepared parts stay
//!     pinned until decided, its decisions answer `Outcome`, its fences guard the next award).
//!
//! Writes go through one writer thread (fjall calls never run on the async reactor). It takes
//! everything queued, writes it as one atomic fjall batch and syncs the journal
//! (`PersistMode::SyncData`) before completing any of it: group commit. Callers enqueue while they
//! hold the server's state lock, so the write order is the order of the in-memory changes.
//!
//! When a write fails (disk full, read-only, I/O error) the store turns *unhealthy*: every write is
//! refused at once; the callers undo their changes in memory and send back *repair* ops (the
//! authoritative current values of what they touched). Once a second the writer re-opens the
//! database and writes the pending repairs; when that succeeds the store is healthy again.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc as std_mpsc;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::BytesMut;
use fjall::{Database, Keyspace, KeyspaceCreateOptions, PersistMode};
use kiln_protocol::group::GroupOp;
use kiln_protocol::wire::Reader;
use kiln_protocol::{ObjectId, ObjectState, Value};
use parking_lot::Mutex;
use tokio::sync::oneshot;
use tracing::{error, info, warn};

use crate::objects::Objects;

/// Objects handed from the table reader to the loader per chunk at start.
const LOAD_CHUNK: usize = 4096;
use crate::ServerError;

/// Format marker stored under `meta/format`.
pub const FORMAT: &[u8] = b"kiln-store/1";
const STORE_DIR: &str = "kiln-store";
const LOCK_FILE: &str = "kiln.lock";

/// One change to the store.
#[derive(Debug, Clone)]
pub enum Op {
    /// Put an object (already encoded: version LE + state).
    PutObject(ObjectId, Vec<u8>),
    /// Delete an object.
    DelObject(ObjectId),
    /// Bind a root (encoded Value).
    PutRoot(String, Vec<u8>),
    /// Unbind a root.
    DelRoot(String),
    /// Record a client: id, high-water mark, name.
    PutClient(u64, u64, String),
    /// Forget a client.
    DelClient(u64),
    /// Set a counter.
    PutMeta(&'static str, u64),
    /// A prepared part of a transaction across stripes (`crate::twopc`): replicated to the
    /// passives and stored in `twopc` (key `p` + xid).
    PutPrepared(kiln_protocol::Xid, u64, Vec<u8>),
    /// A decision of a transaction across stripes (replaces its prepared part; key `d` + xid).
    Decided(kiln_protocol::Xid, bool, u64),
    /// A lock's fence (key `f` + the lock's name).
    LockFence(kiln_protocol::LockId, kiln_protocol::Fence),
}

impl Op {
    /// `PutObject` for a stored object.
    pub fn put_object(oid: ObjectId, version: u64, state: &ObjectState) -> Op {
        let mut b = BytesMut::with_capacity(8 + state.encoded_len());
        b.extend_from_slice(&version.to_le_bytes());
        state.encode(&mut b);
        Op::PutObject(oid, b.to_vec())
    }
    /// `PutRoot` for a value.
    pub fn put_root(name: &str, value: &Value) -> Op {
        let mut b = BytesMut::new();
        value.encode(&mut b);
        Op::PutRoot(name.to_owned(), b.to_vec())
    }
    fn bytes(&self) -> usize {
        match self {
            Op::PutObject(_, v) => 8 + v.len(),
            Op::PutRoot(k, v) => k.len() + v.len(),
            Op::PutClient(_, _, n) => 16 + n.len(),
            Op::DelRoot(k) => k.len(),
            _ => 16,
        }
    }
}

/// What a previously connected client left in the store.
#[derive(Debug, Clone)]
pub struct KnownClient {
    /// Client name.
    pub name: String,
    /// Sequence high-water mark.
    pub last_seq: u64,
}

/// Key of a `twopc` record: its kind byte, then the xid or the lock's name.
fn twopc_key(kind: u8, rest: &[u8]) -> Vec<u8> {
    let mut k = Vec::with_capacity(1 + rest.len());
    k.push(kind);
    k.extend_from_slice(rest);
    k
}

/// Decisions of transactions across stripes kept in the store (the newest; older ones are pruned
/// at start), as many as the server keeps in memory.
const MAX_DECISIONS: usize = 65_536;

/// Everything loaded at start.
#[derive(Debug, Default)]
pub struct Loaded {
    /// Objects.
    pub objects: Objects,
    /// Roots.
    pub roots: BTreeMap<String, Value>,
    /// Clients connected before the restart.
    pub clients: BTreeMap<u64, KnownClient>,
    /// This start's epoch (stored value + 1).
    pub epoch: u64,
    /// Last GTX.
    pub gtx: u64,
    /// Next object sequence.
    pub next_oid: u64,
    /// Next client id.
    pub next_client: u64,
    /// Bytes of object data read.
    pub bytes: u64,
    /// Load time.
    pub elapsed: Duration,
    /// True when the store was created by this start.
    pub created: bool,
    /// Whether this server was its group's active when it stopped (`meta/was_active`).
    pub was_active: bool,
    /// The cluster id of the data (`meta/cluster_hi`, `cluster_lo`; 0: none recorded).
    pub cluster: u128,
    /// Quorum mode: this server's last granted vote (`meta/vote_epoch`, `vote_holder` as a
    /// name hash, `vote_lease_ms`; zeros: none).
    pub vote: [u64; 3],
    /// Records of transactions across stripes: prepared parts and fences, then decisions.
    pub twopc: Vec<GroupOp>,
}

/// Counters and health, shared with the writer thread.
#[derive(Debug, Default)]
pub struct StoreStats {
    healthy: AtomicBool,
    problem: Mutex<Option<String>>,
    /// Journal syncs.
    pub syncs: AtomicU64,
    /// Ops written.
    pub ops: AtomicU64,
    /// Bytes written (keys + values).
    pub bytes: AtomicU64,
    /// Failed group writes.
    pub failures: AtomicU64,
    /// Writes refused while unhealthy.
    pub refused: AtomicU64,
    /// Total time spent in write + sync, microseconds.
    pub sync_micros: AtomicU64,
}

type Done = oneshot::Sender<Result<(), String>>;

enum Cmd {
    Write(Vec<Op>, Done),
    Repair(Vec<Op>),
    /// Move the store to this backup directory and continue with an empty one.
    Rotate(PathBuf, oneshot::Sender<Result<PathBuf, String>>),
    Shutdown,
}

/// `<data>/dirty-objectdb-backup`: where a server that rejoins its group as a passive moves the
/// data it had (seed 001).
pub const BACKUP_DIR: &str = "dirty-objectdb-backup";

/// `YYYYMMDD-HHMMSS-mmm` (UTC) of `t`, for backup directory names.
pub fn timestamp(t: std::time::SystemTime) -> String {
    let ms = t
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0);
    let (secs, milli) = (ms / 1000, ms % 1000);
    let days = (secs / 86_400) as i64;
    let sod = secs % 86_400;
    // Civil date from days since 1970-01-01 (H. Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}{m:02}{d:02}-{:02}{:02}{:02}-{milli:03}",
        sod / 3600,
        (sod / 60) % 60,
        sod % 60
    )
}

/// The durable store. Cheap to share (`Arc` inside).
#[derive(Debug)]
pub struct Store {
    tx: Mutex<Option<std_mpsc::Sender<Cmd>>>,
    stats: Arc<StoreStats>,
    path: PathBuf,
    thread: Mutex<Option<std::thread::JoinHandle<()>>>,
}

impl std::fmt::Debug for Cmd {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Cmd::Write(ops, _) => write!(f, "Write({} ops)", ops.len()),
            Cmd::Repair(ops) => write!(f, "Repair({} ops)", ops.len()),
            Cmd::Rotate(p, _) => write!(f, "Rotate({})", p.display()),
            Cmd::Shutdown => write!(f, "Shutdown"),
        }
    }
}

struct Handles {
    db: Database,
    objects: Keyspace,
    roots: Keyspace,
    clients: Keyspace,
    meta: Keyspace,
    twopc: Keyspace,
}

impl Handles {
    fn open(dir: &Path) -> Result<Handles, fjall::Error> {
        let db = Database::builder(dir).open()?;
        let ks = |name: &str| db.keyspace(name, KeyspaceCreateOptions::default);
        Ok(Handles {
            objects: ks("objects")?,
            roots: ks("roots")?,
            clients: ks("clients")?,
            meta: ks("meta")?,
            twopc: ks("twopc")?,
            db,
        })
    }
}

impl Handles {
    /// Writes every keyspace's memtable to disk tables so that the next start has no journal to
    /// replay (a clean stop restarts at table-read speed). The journal is already synced, so a
    /// failure here loses nothing: the next start replays the journal instead.
    fn flush_memtables(&self) {
        let started = Instant::now();
        for (name, ks) in [
            ("objects", &self.objects),
            ("roots", &self.roots),
            ("clients", &self.clients),
            ("meta", &self.meta),
            ("twopc", &self.twopc),
        ] {
            // `rotate_memtable_and_wait` is fjall's own flush-and-wait (public, hidden from docs).
            if let Err(e) = ks.rotate_memtable_and_wait() {
                warn!(keyspace = name, error = %e, "could not flush the memtable at shutdown; the next start replays the journal");
                return;
            }
        }
        info!(
            secs = format!("{:.2}", started.elapsed().as_secs_f64()),
            "store flushed to disk tables (the next start replays no journal)"
        );
    }
}

fn storage_err(path: &Path, what: &str, e: impl std::fmt::Display) -> ServerError {
    ServerError::Storage {
        path: path.to_path_buf(),
        message: format!("{what}: {e}"),
    }
}

/// The name of the entry directly under `data` that contains `inner`, when `inner` lies inside
/// `data` (compared after resolving both, so `./data` and `/abs/data` match).
fn own_entry(data: &Path, inner: &Path) -> Option<String> {
    let data = std::fs::canonicalize(data).ok()?;
    let inner = std::fs::canonicalize(inner).unwrap_or_else(|_| inner.to_path_buf());
    let rest = inner.strip_prefix(&data).ok()?;
    rest.components()
        .next()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
}

fn u64_le(b: &[u8]) -> Option<u64> {
    b.get(..8)
        .and_then(|s| <[u8; 8]>::try_from(s).ok())
        .map(u64::from_le_bytes)
}

/// The exclusive lock on a data directory; released when dropped (or when the process dies).
#[derive(Debug)]
pub struct DirLock {
    _file: File,
}

/// Takes the exclusive lock of `data` (creating the directory). A second server gets an error
/// naming the directory and the pid of the holder.
pub fn lock_data_dir(data: &Path, server: &str) -> Result<DirLock, ServerError> {
    std::fs::create_dir_all(data).map_err(|e| {
        storage_err(
            data,
            &format!("cannot create the <data> directory of server '{server}'"),
            e,
        )
    })?;
    let path = data.join(LOCK_FILE);
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .read(true)
        .write(true)
        .open(&path)
        .map_err(|e| storage_err(&path, "cannot open the data directory lock", e))?;
    match file.try_lock() {
        Ok(()) => {}
        Err(std::fs::TryLockError::WouldBlock) => {
            let holder = std::fs::read_to_string(&path).unwrap_or_default();
            return Err(ServerError::DataDirInUse {
                path: data.to_path_buf(),
                holder: holder.trim().to_owned(),
            });
        }
        Err(std::fs::TryLockError::Error(e)) => {
            return Err(storage_err(&path, "cannot lock the data directory", e))
        }
    }
    let _ = file.set_len(0);
    let _ = writeln!(file, "pid {} server {server}", std::process::id());
    Ok(DirLock { _file: file })
}

impl Store {
    /// Opens (or creates) the store under `data` for server `server` and loads it.
    /// `data` must already be locked with [`lock_data_dir`]. `logs` is the server's `<logs>`
    /// directory: when it lies inside `data` (a common layout) the server has created it itself
    /// before the store is opened, so it does not make `data` look foreign.
    pub fn open(data: &Path, server: &str, logs: &Path) -> Result<(Store, Loaded), ServerError> {
        Self::open_in_group(data, server, logs, None)
    }

    /// As [`Store::open`], for a server of server group `group` (`<mirror-group group-name>`,
    /// `default-group` for servers directly under `<servers>`): the group is recorded in the
    /// store's metadata at its first start (`meta/group`), and data recorded for another group
    /// is refused with an error naming the directory and both groups.
    pub fn open_in_group(
        data: &Path,
        server: &str,
        logs: &Path,
        group: Option<&str>,
    ) -> Result<(Store, Loaded), ServerError> {
        Self::open_member(data, server, logs, group.map(|g| (g, 0)))
    }

    /// As [`Store::open_in_group`], for a server of group `member.0` that is stripe `member.1`
    /// (the index of its mirror group in the configuration). The stripe is recorded beside the
    /// group at the first start (`meta/stripe`: the store's object ids carry it in their top
    /// byte), and a store recorded for another stripe is refused (the mirror groups were
    /// reordered in the configuration, or the directory belongs to another stripe).
    pub fn open_member(
        data: &Path,
        server: &str,
        logs: &Path,
        member: Option<(&str, u8)>,
    ) -> Result<(Store, Loaded), ServerError> {
        let group = member.map(|m| m.0);
        let dir = data.join(STORE_DIR);
        // The top-level entry of `data` that holds the logs, if the logs are inside `data`.
        let own_logs = own_entry(data, logs);
        // A directory with files but no Kiln store is somebody else's: do not write into it.
        if !dir.exists() {
            let foreign: Vec<String> = std::fs::read_dir(data)
                .map_err(|e| storage_err(data, "cannot list the data directory", e))?
                .filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| n != LOCK_FILE && own_logs.as_deref() != Some(n.as_str()))
                .collect();
            if !foreign.is_empty() {
                return Err(ServerError::ForeignDataDir {
                    path: data.to_path_buf(),
                    reason: format!(
                        "it holds {} (e.g. '{}') but no Kiln store ('{STORE_DIR}')",
                        foreign.len(),
                        foreign[0]
                    ),
                });
            }
        }
        let started = Instant::now();
        let h = Handles::open(&dir).map_err(|e| {
            storage_err(
                &dir,
                "cannot open the store (corrupt, or written by an incompatible version)",
                e,
            )
        })?;
        let get = |k: &str| -> Result<Option<Vec<u8>>, ServerError> {
            h.meta
                .get(k)
                .map(|v| v.map(|v| v.to_vec()))
                .map_err(|e| storage_err(&dir, "cannot read metadata", e))
        };
        let mut loaded = Loaded::default();
        match get("format")? {
            Some(f) if f == FORMAT => {
                let owner = get("server")?.unwrap_or_default();
                if owner != server.as_bytes() {
                    return Err(ServerError::ForeignDataDir {
                        path: data.to_path_buf(),
                        reason: format!(
                            "it belongs to server '{}', not '{server}' (servers must not share a data directory)",
                            String::from_utf8_lossy(&owner)
                        ),
                    });
                }
            }
            Some(f) => {
                return Err(ServerError::ForeignDataDir {
                    path: data.to_path_buf(),
                    reason: format!(
                        "unknown store format '{}' (this build writes '{}')",
                        String::from_utf8_lossy(&f),
                        String::from_utf8_lossy(FORMAT)
                    ),
                })
            }
            None => {
                if h.objects.first_key_value().is_some() || h.roots.first_key_value().is_some() {
                    return Err(ServerError::ForeignDataDir {
                        path: data.to_path_buf(),
                        reason: "the store has data but no format marker".into(),
                    });
                }
                let mut b = h.db.batch();
                b.insert(&h.meta, "format", FORMAT);
                b.insert(&h.meta, "server", server.as_bytes());
                b.commit()
                    .and_then(|()| h.db.persist(PersistMode::SyncData))
                    .map_err(|e| storage_err(&dir, "cannot initialise the store", e))?;
                loaded.created = true;
            }
        }
        if let Some(group) = group {
            match get("group")? {
                Some(g) if g == group.as_bytes() => {}
                Some(g) => {
                    return Err(ServerError::ForeignDataDir {
                        path: data.to_path_buf(),
                        reason: format!(
                            "it holds the data of server '{server}' in server group '{}', but this configuration puts \
                             server '{server}' in group '{group}' (a data directory of another group or cluster; \
                             point <data> at this group's directory, or move this one away to start empty)",
                            String::from_utf8_lossy(&g)
                        ),
                    })
                }
                None => {
                    // First start (or a store from before the group was recorded).
                    let mut b = h.db.batch();
                    b.insert(&h.meta, "group", group.as_bytes());
                    b.commit()
                        .and_then(|()| h.db.persist(PersistMode::SyncData))
                        .map_err(|e| storage_err(&dir, "cannot record the server group", e))?;
                }
            }
        }
        if let Some((group, stripe)) = member {
            match get("stripe")? {
                Some(s) if s == [stripe] => {}
                Some(s) => {
                    let recorded = s.first().copied().unwrap_or(0);
                    return Err(ServerError::ForeignDataDir {
                        path: data.to_path_buf(),
                        reason: format!(
                            "it holds the data of group '{group}' as stripe {recorded} (its object ids carry \
                             stripe {recorded}), but this configuration makes group '{group}' stripe {stripe} \
                             (mirror group number {} of <servers>): keep the <mirror-group>s in the order they \
                             had when the cluster was created",
                            u32::from(stripe) + 1
                        ),
                    });
                }
                None => {
                    let mut b = h.db.batch();
                    b.insert(&h.meta, "stripe", [stripe]);
                    b.commit()
                        .and_then(|()| h.db.persist(PersistMode::SyncData))
                        .map_err(|e| storage_err(&dir, "cannot record the stripe", e))?;
                }
            }
        }
        let counter = |k: &str| -> Result<u64, ServerError> {
            Ok(get(k)?.as_deref().and_then(u64_le).unwrap_or(0))
        };
        loaded.epoch = counter("epoch")? + 1;
        loaded.gtx = counter("gtx")?;
        loaded.was_active = counter("was_active")? != 0;
        loaded.cluster =
            (u128::from(counter("cluster_hi")?) << 64) | u128::from(counter("cluster_lo")?);
        loaded.next_oid = counter("next_oid")?.max(1);
        loaded.next_client = counter("next_client")?.max(1);
        loaded.vote = [
            counter("vote_epoch")?,
            counter("vote_holder")?,
            counter("vote_lease_ms")?,
        ];
        // The new epoch is durable before anything else happens in it.
        let mut b = h.db.batch();
        b.insert(&h.meta, "epoch", loaded.epoch.to_le_bytes());
        b.commit()
            .and_then(|()| h.db.persist(PersistMode::SyncData))
            .map_err(|e| storage_err(&dir, "cannot write the epoch", e))?;

        for kv in h.roots.iter() {
            let (k, v) = kv
                .into_inner()
                .map_err(|e| storage_err(&dir, "cannot read roots", e))?;
            let name = String::from_utf8(k.to_vec())
                .map_err(|e| storage_err(&dir, "corrupt root name", e))?;
            let value = Value::decode(&mut Reader::new(&v))
                .map_err(|e| storage_err(&dir, &format!("corrupt root '{name}'"), e))?;
            loaded.roots.insert(name, value);
        }
        for kv in h.clients.iter() {
            let (k, v) = kv
                .into_inner()
                .map_err(|e| storage_err(&dir, "cannot read clients", e))?;
            let id = <[u8; 8]>::try_from(&k[..])
                .map(u64::from_be_bytes)
                .map_err(|_| storage_err(&dir, "corrupt client record", "bad key"))?;
            let last_seq = u64_le(&v).unwrap_or(0);
            let name = String::from_utf8_lossy(v.get(8..).unwrap_or_default()).into_owned();
            loaded.clients.insert(id, KnownClient { name, last_seq });
            loaded.next_client = loaded.next_client.max(id + 1);
        }
        let mut decided: Vec<(u64, Vec<u8>, GroupOp)> = Vec::new();
        for kv in h.twopc.iter() {
            let (k, v) = kv
                .into_inner()
                .map_err(|e| storage_err(&dir, "cannot read the two-phase commit records", e))?;
            let op = GroupOp::from_bytes(&v)
                .map_err(|e| storage_err(&dir, "corrupt two-phase commit record", e))?;
            match &op {
                GroupOp::Decided(_, _, gtx) => decided.push((*gtx, k.to_vec(), op)),
                _ => loaded.twopc.push(op),
            }
        }
        // Decisions answer re-sent requests and `Outcome`: the newest are kept (as in memory).
        if decided.len() > MAX_DECISIONS {
            decided.sort_by_key(|d| d.0);
            let old = decided.len() - MAX_DECISIONS;
            let mut b = h.db.batch();
            for (_, k, _) in decided.drain(..old) {
                b.remove(&h.twopc, k);
            }
            b.commit()
                .and_then(|()| h.db.persist(PersistMode::SyncData))
                .map_err(|e| storage_err(&dir, "cannot prune old decisions", e))?;
        }
        loaded.twopc.extend(decided.into_iter().map(|d| d.2));
        let approx = h.objects.approximate_len();
        loaded.objects.reserve(approx);
        let mut last_log = Instant::now();
        let mut max_seq = 0u64;
        // Two stages on two threads: one walks fjall's tables (decompress, checksum, merge), this
        // one copies the bytes into the object table. Chunks keep the hand-off cheap.
        type Chunk = Result<Vec<(fjall::Slice, fjall::Slice)>, String>;
        let objects_ks = h.objects.clone();
        std::thread::scope(|scope| -> Result<(), ServerError> {
            let (chunk_tx, chunk_rx) = std_mpsc::sync_channel::<Chunk>(8);
            std::thread::Builder::new()
                .name("kiln-store-load".into())
                .spawn_scoped(scope, move || {
                    let mut chunk = Vec::with_capacity(LOAD_CHUNK);
                    for kv in objects_ks.iter() {
                        match kv.into_inner() {
                            Ok(kv) => chunk.push(kv),
                            Err(e) => {
                                let _ = chunk_tx.send(Err(e.to_string()));
                                return;
                            }
                        }
                        if chunk.len() == LOAD_CHUNK {
                            let full =
                                std::mem::replace(&mut chunk, Vec::with_capacity(LOAD_CHUNK));
                            if chunk_tx.send(Ok(full)).is_err() {
                                return;
                            }
                        }
                    }
                    let _ = chunk_tx.send(Ok(chunk));
                })
                .map_err(|e| storage_err(&dir, "cannot start the loader thread", e))?;
            for chunk in chunk_rx {
                let chunk = chunk.map_err(|e| storage_err(&dir, "cannot read objects", e))?;
                for (k, v) in chunk {
                    let oid = <[u8; 8]>::try_from(&k[..])
                        .map(|b| ObjectId(u64::from_be_bytes(b)))
                        .map_err(|_| storage_err(&dir, "corrupt object key", "bad key"))?;
                    let version = u64_le(&v).ok_or_else(|| {
                        storage_err(&dir, &format!("corrupt object {oid}"), "too short")
                    })?;
                    // Kept encoded (cold): no decoding at load. fjall checksums every block it reads.
                    loaded.objects.insert_encoded(oid, version, &v[8..]);
                    loaded.bytes += (k.len() + v.len()) as u64;
                    max_seq = max_seq.max(oid.seq());
                }
                if last_log.elapsed() >= Duration::from_secs(1) {
                    last_log = Instant::now();
                    let n = loaded.objects.len();
                    let secs = started.elapsed().as_secs_f64().max(1e-6);
                    info!(
                        loaded = n,
                        percent = (n * 100).checked_div(approx).unwrap_or(0).min(100),
                        objects_per_sec = (n as f64 / secs) as u64,
                        mb_per_sec = format!("{:.1}", loaded.bytes as f64 / 1e6 / secs),
                        "loading the object store"
                    );
                }
            }
            Ok(())
        })?;
        loaded.next_oid = loaded.next_oid.max(max_seq + 1);
        loaded.elapsed = started.elapsed();
        let stats = Arc::new(StoreStats::default());
        stats.healthy.store(true, Ordering::Release);
        let (tx, rx) = std_mpsc::channel();
        let fail_if = std::env::var_os("KILN_STORE_FAIL_IF_EXISTS").map(PathBuf::from);
        if let Some(f) = &fail_if {
            warn!(file = %f.display(), "KILN_STORE_FAIL_IF_EXISTS is set: writes fail while this file exists (fault injection for tests)");
        }
        let mut writer = Writer {
            handles: Some(h),
            dir: dir.clone(),
            stats: stats.clone(),
            pending_repair: Vec::new(),
            fail_if,
        };
        let thread = std::thread::Builder::new()
            .name("kiln-store-writer".into())
            .spawn(move || writer.run(rx))
            .map_err(|e| storage_err(&dir, "cannot start the writer thread", e))?;
        Ok((
            Store {
                tx: Mutex::new(Some(tx)),
                stats,
                path: data.to_path_buf(),
                thread: Mutex::new(Some(thread)),
            },
            loaded,
        ))
    }

    /// A store that never opened: every write is refused with `reason` (the server still serves
    /// reads and status).
    pub fn failed(data: &Path, reason: String) -> Store {
        let stats = Arc::new(StoreStats::default());
        *stats.problem.lock() = Some(reason);
        Store {
            tx: Mutex::new(None),
            stats,
            path: data.to_path_buf(),
            thread: Mutex::new(None),
        }
    }

    /// The data directory.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Whether writes are accepted now.
    pub fn healthy(&self) -> bool {
        self.stats.healthy.load(Ordering::Acquire)
    }

    /// What is wrong, if anything.
    pub fn problem(&self) -> Option<String> {
        self.stats.problem.lock().clone()
    }

    /// Counters.
    pub fn stats(&self) -> &StoreStats {
        &self.stats
    }

    /// Queues `ops` as part of the next group commit; the receiver completes once they are
    /// durable (or failed). Call while holding the state lock so disk order = memory order.
    pub fn submit(&self, ops: Vec<Op>) -> oneshot::Receiver<Result<(), String>> {
        let (done, rx) = oneshot::channel();
        let refused = |done: Done, why: String| {
            let _ = done.send(Err(why));
        };
        if !self.healthy() {
            self.stats.refused.fetch_add(1, Ordering::Relaxed);
            refused(
                done,
                self.problem()
                    .unwrap_or_else(|| "storage unavailable".into()),
            );
            return rx;
        }
        match self.tx.lock().as_ref() {
            Some(tx) => {
                if let Err(std_mpsc::SendError(Cmd::Write(_, done))) =
                    tx.send(Cmd::Write(ops, done))
                {
                    refused(done, "the store is closed".into());
                }
            }
            None => refused(done, "the store is closed".into()),
        }
        rx
    }

    /// Queues repair ops after a failed write (the authoritative values of what the failed write
    /// touched); written before the store becomes healthy again.
    pub fn repair(&self, ops: Vec<Op>) {
        if let Some(tx) = self.tx.lock().as_ref() {
            let _ = tx.send(Cmd::Repair(ops));
        }
    }

    /// Moves this store (everything written so far, in order with earlier writes) to
    /// `<data>/dirty-objectdb-backup/<timestamp>/kiln-store` and continues with an empty store
    /// of the same server. The receiver gets the backup directory.
    pub fn move_to_backup(&self) -> oneshot::Receiver<Result<PathBuf, String>> {
        let (done, rx) = oneshot::channel();
        let backup = self
            .path
            .join(BACKUP_DIR)
            .join(timestamp(std::time::SystemTime::now()));
        match self.tx.lock().as_ref() {
            Some(tx) => {
                if let Err(std_mpsc::SendError(Cmd::Rotate(_, done))) =
                    tx.send(Cmd::Rotate(backup, done))
                {
                    let _ = done.send(Err("the store is closed".into()));
                }
            }
            None => {
                let _ = done.send(Err("the store is closed".into()));
            }
        }
        rx
    }

    /// Writes what is queued and stops the writer thread.
    pub fn close(&self) {
        if let Some(tx) = self.tx.lock().take() {
            let _ = tx.send(Cmd::Shutdown);
        }
        if let Some(t) = self.thread.lock().take() {
            let _ = t.join();
        }
    }
}

impl Drop for Store {
    fn drop(&mut self) {
        self.close();
    }
}

struct Writer {
    handles: Option<Handles>,
    dir: PathBuf,
    stats: Arc<StoreStats>,
    pending_repair: Vec<Op>,
    fail_if: Option<PathBuf>,
}

impl Writer {
    fn run(&mut self, rx: std_mpsc::Receiver<Cmd>) {
        let mut last_attempt = Instant::now();
        loop {
            let first = if self.stats.healthy.load(Ordering::Acquire) {
                match rx.recv() {
                    Ok(c) => Some(c),
                    Err(_) => return,
                }
            } else {
                match rx.recv_timeout(Duration::from_millis(200)) {
                    Ok(c) => Some(c),
                    Err(std_mpsc::RecvTimeoutError::Timeout) => None,
                    Err(std_mpsc::RecvTimeoutError::Disconnected) => return,
                }
            };
            let mut group: Vec<Cmd> = first.into_iter().collect();
            let mut n_ops: usize = group.iter().map(cmd_len).sum();
            while n_ops < 200_000 {
                match rx.try_recv() {
                    Ok(c) => {
                        n_ops += cmd_len(&c);
                        group.push(c);
                    }
                    Err(_) => break,
                }
            }
            let shutdown = group.iter().any(|c| matches!(c, Cmd::Shutdown));
            // A rotation happens in order: what was queued before it goes into the old store.
            let mut rest = group;
            loop {
                let Some(i) = rest.iter().position(|c| matches!(c, Cmd::Rotate(..))) else {
                    self.handle_group(rest, shutdown, &mut last_attempt);
                    break;
                };
                let tail = rest.split_off(i + 1);
                let rotate = rest.pop();
                self.handle_group(rest, false, &mut last_attempt);
                if let Some(Cmd::Rotate(backup, done)) = rotate {
                    let _ = done.send(self.rotate(&backup).map(|()| backup));
                }
                rest = tail;
            }
            if shutdown {
                if !self.pending_repair.is_empty() {
                    warn!(
                        ops = self.pending_repair.len(),
                        "stopping with unwritten repairs: the store may hold changes of rejected transactions"
                    );
                }
                if let Some(h) = &self.handles {
                    let _ = h.db.persist(PersistMode::SyncAll);
                    if self.stats.healthy.load(Ordering::Acquire) {
                        h.flush_memtables();
                    }
                }
                return;
            }
        }
    }

    fn handle_group(&mut self, group: Vec<Cmd>, shutdown: bool, last_attempt: &mut Instant) {
        if self.stats.healthy.load(Ordering::Acquire) {
            self.write_group(group);
        } else {
            for c in group {
                match c {
                    Cmd::Write(_, done) => {
                        self.stats.refused.fetch_add(1, Ordering::Relaxed);
                        let _ = done.send(Err(self.problem()));
                    }
                    Cmd::Repair(ops) => self.pending_repair.extend(ops),
                    Cmd::Rotate(..) | Cmd::Shutdown => {}
                }
            }
            if shutdown || last_attempt.elapsed() >= Duration::from_secs(1) {
                *last_attempt = Instant::now();
                self.try_recover();
            }
        }
    }

    /// Closes the store, moves its directory to `backup/kiln-store` and opens an empty store
    /// for the same server (format and owner written). On failure the old store is reopened
    /// where it was, when it can be.
    fn rotate(&mut self, backup: &Path) -> Result<(), String> {
        let (owner, group) = match self.handles.as_ref() {
            Some(h) => {
                let meta = |k: &str| -> Result<Option<Vec<u8>>, String> {
                    h.meta
                        .get(k)
                        .map(|v| v.map(|v| v.to_vec()))
                        .map_err(|e| fjall_message(&e))
                };
                let owner = meta("server")?.unwrap_or_default();
                let group = meta("group")?;
                let stripe = meta("stripe")?;
                h.db.persist(PersistMode::SyncAll)
                    .map_err(|e| fjall_message(&e))?;
                (owner, (group, stripe))
            }
            None => return Err("the store is not open".into()),
        };
        self.handles = None;
        let target = backup.join(STORE_DIR);
        let moved = std::fs::create_dir_all(backup)
            .and_then(|()| std::fs::rename(&self.dir, &target))
            .map_err(|e| {
                format!(
                    "cannot move {} to {}: {e}",
                    self.dir.display(),
                    target.display()
                )
            });
        if let Err(e) = moved {
            self.handles = Handles::open(&self.dir).ok();
            return Err(e);
        }
        let h = Handles::open(&self.dir).map_err(|e| fjall_message(&e))?;
        let mut b = h.db.batch();
        b.insert(&h.meta, "format", FORMAT);
        b.insert(&h.meta, "server", owner);
        let (group, stripe) = group;
        if let Some(g) = group {
            b.insert(&h.meta, "group", g);
        }
        if let Some(s) = stripe {
            b.insert(&h.meta, "stripe", s);
        }
        b.commit()
            .and_then(|()| h.db.persist(PersistMode::SyncData))
            .map_err(|e| fjall_message(&e))?;
        self.handles = Some(h);
        Ok(())
    }

    fn problem(&self) -> String {
        self.stats
            .problem
            .lock()
            .clone()
            .unwrap_or_else(|| "storage unavailable".into())
    }

    fn write_group(&mut self, group: Vec<Cmd>) {
        let mut ops: Vec<&Op> = Vec::new();
        for c in &group {
            match c {
                Cmd::Write(o, _) | Cmd::Repair(o) => ops.extend(o.iter()),
                Cmd::Rotate(..) | Cmd::Shutdown => {}
            }
        }
        let started = Instant::now();
        let result = if ops.is_empty() {
            Ok(())
        } else {
            self.write(&ops)
        };
        let bytes: usize = ops.iter().map(|o| o.bytes()).sum();
        let n_ops = ops.len();
        drop(ops);
        match result {
            Ok(()) => {
                if n_ops > 0 {
                    self.stats.syncs.fetch_add(1, Ordering::Relaxed);
                    self.stats.ops.fetch_add(n_ops as u64, Ordering::Relaxed);
                    self.stats.bytes.fetch_add(bytes as u64, Ordering::Relaxed);
                    self.stats
                        .sync_micros
                        .fetch_add(started.elapsed().as_micros() as u64, Ordering::Relaxed);
                }
                for c in group {
                    if let Cmd::Write(_, done) = c {
                        let _ = done.send(Ok(()));
                    }
                }
            }
            Err(e) => {
                self.stats.failures.fetch_add(1, Ordering::Relaxed);
                let msg = format!(
                    "cannot write to the data directory {}: {e}",
                    self.dir.display()
                );
                error!(error = %msg, "storage failed: refusing writes until it works again (reads and status continue)");
                *self.stats.problem.lock() = Some(msg.clone());
                self.stats.healthy.store(false, Ordering::Release);
                // Repairs that were part of the failed group are still owed.
                for c in group {
                    match c {
                        Cmd::Write(_, done) => {
                            let _ = done.send(Err(msg.clone()));
                        }
                        Cmd::Repair(ops) => self.pending_repair.extend(ops),
                        Cmd::Rotate(..) | Cmd::Shutdown => {}
                    }
                }
            }
        }
    }

    fn write(&mut self, ops: &[&Op]) -> Result<(), String> {
        if let Some(f) = &self.fail_if {
            if f.exists() {
                return Err(format!(
                    "No space left on device (os error 28) [injected: {} exists]",
                    f.display()
                ));
            }
        }
        let h = self.handles.as_ref().ok_or("the store is not open")?;
        let mut b = h.db.batch();
        for op in ops {
            match op {
                Op::PutObject(oid, v) => b.insert(&h.objects, oid.0.to_be_bytes(), v.as_slice()),
                Op::DelObject(oid) => b.remove(&h.objects, oid.0.to_be_bytes()),
                Op::PutRoot(k, v) => b.insert(&h.roots, k.as_bytes(), v.as_slice()),
                Op::DelRoot(k) => b.remove(&h.roots, k.as_bytes()),
                Op::PutClient(id, seq, name) => {
                    let mut v = seq.to_le_bytes().to_vec();
                    v.extend_from_slice(name.as_bytes());
                    b.insert(&h.clients, id.to_be_bytes(), v)
                }
                Op::DelClient(id) => b.remove(&h.clients, id.to_be_bytes()),
                Op::PutMeta(k, v) => b.insert(&h.meta, *k, v.to_le_bytes()),
                Op::PutPrepared(xid, client, part) => b.insert(
                    &h.twopc,
                    twopc_key(b'p', &xid.key()),
                    GroupOp::PutPrepared(*xid, *client, part.clone()).to_bytes(),
                ),
                Op::Decided(xid, commit, gtx) => {
                    b.remove(&h.twopc, twopc_key(b'p', &xid.key()));
                    b.insert(
                        &h.twopc,
                        twopc_key(b'd', &xid.key()),
                        GroupOp::Decided(*xid, *commit, *gtx).to_bytes(),
                    )
                }
                Op::LockFence(lock, fence) => b.insert(
                    &h.twopc,
                    twopc_key(b'f', lock.to_string().as_bytes()),
                    GroupOp::LockFence(lock.clone(), fence.clone()).to_bytes(),
                ),
            }
        }
        b.commit()
            .and_then(|()| h.db.persist(PersistMode::SyncData))
            .map_err(|e| fjall_message(&e))
    }

    fn try_recover(&mut self) {
        if let Some(f) = &self.fail_if {
            if f.exists() {
                return;
            }
        }
        // fjall poisons a database after a failed journal write: open it afresh (this also
        // recovers the journal up to its last intact batch).
        self.handles = None;
        match Handles::open(&self.dir) {
            Ok(h) => self.handles = Some(h),
            Err(e) => {
                let msg = format!(
                    "cannot re-open the store in {}: {}",
                    self.dir.display(),
                    fjall_message(&e)
                );
                warn!(error = %msg, "storage still unavailable");
                *self.stats.problem.lock() = Some(msg);
                return;
            }
        }
        let repairs = std::mem::take(&mut self.pending_repair);
        let refs: Vec<&Op> = repairs.iter().collect();
        // Always write something, so the check proves the disk takes writes and syncs again.
        let probe = Op::PutMeta("last_recovery", now_millis());
        let mut all = refs;
        all.push(&probe);
        match self.write(&all) {
            Ok(()) => {
                info!(
                    repairs = repairs.len(),
                    "storage works again: accepting writes"
                );
                *self.stats.problem.lock() = None;
                self.stats.healthy.store(true, Ordering::Release);
            }
            Err(e) => {
                self.pending_repair = repairs;
                let msg = format!(
                    "cannot write to the data directory {}: {e}",
                    self.dir.display()
                );
                warn!(error = %msg, "storage still unavailable");
                *self.stats.problem.lock() = Some(msg);
            }
        }
    }
}

fn cmd_len(c: &Cmd) -> usize {
    match c {
        Cmd::Write(o, _) | Cmd::Repair(o) => o.len(),
        Cmd::Rotate(..) | Cmd::Shutdown => 0,
    }
}

fn now_millis() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

/// fjall's `Display` is `Debug`; spell out the I/O cause where there is one.
fn fjall_message(e: &fjall::Error) -> String {
    match e {
        fjall::Error::Io(io) => io.to_string(),
        fjall::Error::Poisoned => "the store is poisoned by an earlier write failure".into(),
        fjall::Error::Locked => "the store is locked by another process".into(),
        other => {
            let mut s = format!("{other:?}");
            let mut src = std::error::Error::source(other);
            while let Some(c) = src {
                s = format!("{s}: {c}");
                src = c.source();
            }
            s
        }
    }
}

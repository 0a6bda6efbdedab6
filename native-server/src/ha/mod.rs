//! High availability: the server group (one per stripe), its states (seed 001), the election,
//! passive sync and synchronous replication. See `docs/architecture.md` ("HA").
//!
//! - [`GroupConfig`] / [`Ha`]: the group this server belongs to and its current [`ServerRole`].
//!   A server holds one `Ha` per group it is in (one today: every `<server>` directly under
//!   `<servers>`).
//! - [`election`]: find the group's active or elect one among the servers that vote within
//!   `election-time`; after the active is lost, elect among the PASSIVE-STANDBYs.
//! - [`replication`]: on the active, one [`replication::Link`] per passive: the sync stream, then
//!   every committed batch; the commit pipeline waits for the standbys' acknowledgements.
//! - [`passive`]: on a passive, apply the sync and the replication stream (and make it durable in
//!   a persistent group) and acknowledge.
//! - [`quorum`]: quorum mode: terms granted and leases renewed by a majority of the voting
//!   members (servers + `kiln-voter`s).
//! - [`zap`]: epoch fencing and split brain: the active keeps probing its peers; an active that
//!   learns of a newer term steps down; two actives that meet apply the seed-001 zap rules.

pub mod election;
pub mod passive;
pub mod quorum;
pub mod replication;
pub mod zap;

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use kiln_protocol::group::{GroupOp, ServerRole};
use kiln_protocol::wire::Reader;
use kiln_protocol::Value;
use parking_lot::Mutex;
use tokio::sync::watch;

use crate::state::State;
use crate::store::{KnownClient, Op};

pub use replication::{Link, ReplWait};

/// One peer server of the group.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Peer {
    /// `<server name>`.
    pub name: String,
    /// `host:l2-group-port` to reach it.
    pub group_addr: String,
    /// `host:dso-port` (for logs and status: where clients go).
    pub dso_addr: String,
}

/// The group this server is a member of (from `<servers>`).
#[derive(Debug, Clone, serde::Serialize)]
pub struct GroupConfig {
    /// Group name (`default-group` for `<server>`s directly under `<servers>`).
    pub name: String,
    /// This server's name.
    pub me: String,
    /// The other members.
    pub peers: Vec<Peer>,
    /// `election-time`.
    pub election_time: Duration,
    /// L2→L2 HealthChecker: silence after which a peer is dead
    /// (`l2.healthcheck.l2.ping.idletime + interval × probes`).
    pub peer_timeout: Duration,
    /// L2→L2 ping interval.
    pub ping_interval: Duration,
    /// `l2.nha.tcgroupcomm.reconnect.enabled` / `.timeout`: how long a broken active↔standby
    /// link may take to reconnect before the standby is dropped (`None`: dropped at once).
    pub reconnect: Option<Duration>,
    /// Quorum mode (`<ha><quorum>majority</quorum>`), if on.
    pub quorum: Option<QuorumConfig>,
    /// Quorum mode, temporary-swap group: the file holding this server's vote
    /// (`<data>/kiln-vote`; a persistent group keeps it in its store metadata).
    pub vote_file: Option<std::path::PathBuf>,
}

/// Quorum mode settings of a group.
#[derive(Debug, Clone, serde::Serialize)]
pub struct QuorumConfig {
    /// `host:port` of each `<voter>`.
    pub voters: Vec<String>,
    /// Voting members: servers of the group + voters.
    pub members: usize,
    /// A majority of them.
    pub majority: usize,
}

impl GroupConfig {
    /// The group of `server` in `cfg`, when it has more than one member (a one-server group
    /// behaves as a single server).
    pub fn from_config(
        cfg: &kiln_config::TcConfig,
        server: &kiln_config::ServerConfig,
    ) -> Option<GroupConfig> {
        let g = cfg.group(&server.group)?;
        if g.servers.len() < 2 {
            return None;
        }
        let hc = cfg
            .tc_properties
            .healthcheck(kiln_config::HealthCheckTarget::L2ToL2);
        let interval = Duration::from_millis(hc.ping_interval_ms.max(10));
        let peer_timeout = (Duration::from_millis(hc.ping_idletime_ms) + interval * hc.ping_probes)
            .max(Duration::from_millis(500));
        // Peers reach a server's group port at its `host` (the address it is known by, as in
        // Terracotta) when one is given, else at its bind address (the default host,
        // `localhost`, yields to a specific bind address); clients are pointed at the dso bind
        // address.
        let advertised = |host: &str, bind: &str| -> String {
            let wildcard = |h: &str| h == "0.0.0.0" || h == "::" || h == "[::]" || h.is_empty();
            if !wildcard(host) && (host != "localhost" || wildcard(bind)) {
                host.to_owned()
            } else if !wildcard(bind) {
                bind.to_owned()
            } else {
                "127.0.0.1".to_owned()
            }
        };
        let reach = |host: &str, bind: &str| -> String {
            let wildcard = |h: &str| h == "0.0.0.0" || h == "::" || h == "[::]";
            if !wildcard(bind) {
                bind.to_owned()
            } else if wildcard(host) {
                "127.0.0.1".to_owned()
            } else {
                host.to_owned()
            }
        };
        Some(GroupConfig {
            name: g.name.clone(),
            me: server.name.clone(),
            peers: g
                .servers
                .iter()
                .filter(|s| s.name != server.name)
                .map(|s| Peer {
                    name: s.name.clone(),
                    group_addr: format!("{}:{}", advertised(&s.host, &s.group_bind), s.group_port),
                    dso_addr: format!("{}:{}", reach(&s.host, &s.dso_bind), s.dso_port),
                })
                .collect(),
            election_time: Duration::from_secs(g.election_time_secs.max(1)),
            peer_timeout,
            ping_interval: interval,
            quorum: (cfg.servers.ha.quorum == kiln_config::Quorum::Majority).then(|| {
                let members = g.servers.len() + cfg.servers.ha.voters.len();
                QuorumConfig {
                    voters: cfg
                        .servers
                        .ha
                        .voters
                        .iter()
                        .map(|v| format!("{}:{}", v.host, v.port))
                        .collect(),
                    members,
                    majority: members / 2 + 1,
                }
            }),
            vote_file: (cfg.servers.ha.quorum == kiln_config::Quorum::Majority
                && server.persistence != kiln_config::PersistenceMode::PermanentStore)
                .then(|| server.data.join(quorum::VOTE_FILE)),
            reconnect: {
                let r = cfg.tc_properties.l2_group_reconnect();
                r.enabled
                    .then(|| Duration::from_millis(r.timeout_ms.max(1)))
            },
        })
    }
}

/// What this server last heard from a peer (its vote).
#[derive(Debug, Clone)]
pub struct PeerView {
    /// Its state.
    pub role: ServerRole,
    /// Its last GTX.
    pub gtx: u64,
    /// Whether it was the active when it last stopped.
    pub was_active: bool,
    /// Its epoch.
    pub epoch: u64,
    /// When heard.
    pub seen: Instant,
}

/// Passive sync progress (on the passive).
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct SyncProgress {
    /// Objects received.
    pub objects: u64,
    /// Objects in the active's snapshot.
    pub total: u64,
    /// Bytes received.
    pub bytes: u64,
    /// Seconds since the sync started.
    pub secs: f64,
}

/// The HA state of one server in its group.
#[derive(Debug)]
pub struct Ha {
    /// The group (`None`: a single server, always ACTIVE-COORDINATOR).
    pub group: Option<GroupConfig>,
    role: watch::Sender<ServerRole>,
    /// Passives of this active.
    pub(crate) links: Mutex<Vec<std::sync::Arc<Link>>>,
    /// Replication sequence (assigned under the state lock).
    pub(crate) repl_seq: AtomicU64,
    /// Votes / states heard from peers.
    pub peers: Mutex<BTreeMap<String, PeerView>>,
    /// The active this passive follows.
    pub active: Mutex<Option<String>>,
    /// Sync progress while INITIALIZING (and the last one after).
    pub sync: Mutex<Option<SyncProgress>>,
    /// Whether this server was elected (promoted from passive) in this run.
    pub promoted: AtomicBool,
    /// The restart-rule wait was logged.
    pub(crate) waiting_logged: AtomicBool,
    /// Epoch fence: the newest active term this server knows of (its own while active, the
    /// active's it follows, or one it was told of).
    pub(crate) fence: AtomicU64,
    /// Set when this active was deposed (a newer term exists): why. Nothing is acknowledged
    /// from then on; the election loop restarts it as a passive.
    pub(crate) deposed: Mutex<Option<String>>,
    /// A standby was lost: before the next acknowledgement, this active checks that the group
    /// has no newer active ([`zap::verify_writable`]).
    pub(crate) suspect: AtomicBool,
    /// One verification at a time.
    pub(crate) verifying: tokio::sync::Mutex<()>,
    /// Wakes the election loop when this active steps down.
    pub(crate) stepped_down: tokio::sync::Notify,
    /// This active acknowledged writes with no standby in this term (zap rules).
    pub(crate) alone: AtomicBool,
    /// Quorum mode: this server's vote (as a voting member).
    pub(crate) book: Mutex<quorum::VoteBook>,
    /// Quorum mode: until when this active's lease runs.
    pub(crate) lease_until: Mutex<Option<Instant>>,
    /// Quorum mode: losing the majority was logged.
    pub(crate) lease_lost: AtomicBool,
    /// Quorum mode: newest epoch a member reported granting (proposals go above it).
    pub(crate) floor: AtomicU64,
    /// Quorum mode: one vote decided and made durable at a time.
    pub(crate) vote_io: tokio::sync::Mutex<()>,
    /// Quorum mode: the stored vote could not be loaded (why): this server refuses to vote.
    pub(crate) vote_error: Mutex<Option<String>>,
    /// Quorum mode: the last lease renewal: (granted, refused, unreachable) member names.
    pub(crate) last_tally: Mutex<Option<quorum::TallyView>>,
    /// Why this server stopped on its own (its data belongs to another cluster): the process
    /// exits non-zero with it.
    pub fatal: Mutex<Option<String>>,
}

impl Ha {
    /// HA state for `group` (`None`: single server).
    pub fn new(group: Option<GroupConfig>) -> Ha {
        let initial = if group.is_some() {
            ServerRole::Starting
        } else {
            ServerRole::ActiveCoordinator
        };
        let (role, _) = watch::channel(initial);
        let (book, vote_error) = match group.as_ref().and_then(|g| g.vote_file.as_deref()) {
            Some(path) => match quorum::load_vote_file(path) {
                Ok(b) => (b, None),
                Err(e) => {
                    tracing::error!("{e}");
                    (quorum::VoteBook::new(0, String::new(), None), Some(e))
                }
            },
            None => (quorum::VoteBook::new(0, String::new(), None), None),
        };
        Ha {
            group,
            role,
            links: Mutex::new(Vec::new()),
            repl_seq: AtomicU64::new(0),
            peers: Mutex::new(BTreeMap::new()),
            active: Mutex::new(None),
            sync: Mutex::new(None),
            promoted: AtomicBool::new(false),
            waiting_logged: AtomicBool::new(false),
            fence: AtomicU64::new(0),
            deposed: Mutex::new(None),
            suspect: AtomicBool::new(false),
            verifying: tokio::sync::Mutex::new(()),
            stepped_down: tokio::sync::Notify::new(),
            alone: AtomicBool::new(false),
            book: Mutex::new(book),
            lease_until: Mutex::new(None),
            lease_lost: AtomicBool::new(false),
            floor: AtomicU64::new(0),
            vote_io: tokio::sync::Mutex::new(()),
            vote_error: Mutex::new(vote_error),
            last_tally: Mutex::new(None),
            fatal: Mutex::new(None),
        }
    }

    /// Persistent group in quorum mode: restores the vote this server kept in its store
    /// metadata (`vote_epoch`, `vote_holder` as a name hash, `vote_lease_ms`; hook at start,
    /// from [`crate::store::Loaded::vote`]). The holder's lease is honoured from now.
    pub fn restore_vote(&self, vote: [u64; 3]) {
        let [epoch, holder, lease_ms] = vote;
        let Some(g) = &self.group else {
            return;
        };
        if g.quorum.is_none() || epoch == 0 {
            return;
        }
        let name = std::iter::once(&g.me)
            .chain(g.peers.iter().map(|p| &p.name))
            .find(|n| quorum::name_hash(n) == holder)
            .cloned()
            // A holder no longer in the configuration: kept as its hash (never equal to a
            // candidate's name, so that epoch is never granted to anyone else).
            .unwrap_or_else(|| format!("#{holder:016x}"));
        tracing::info!(epoch, holder = %name, lease_ms, "quorum: restored this server's vote from the store");
        *self.book.lock() = quorum::VoteBook::new(
            epoch,
            name,
            Some(Duration::from_millis(lease_ms).max(g.peer_timeout)),
        );
    }

    /// Whether this group runs in quorum mode.
    pub fn is_quorum(&self) -> bool {
        self.group.as_ref().is_some_and(|g| g.quorum.is_some())
    }

    /// Quorum mode: whether this active's lease runs (always `true` outside quorum mode).
    pub fn lease_ok(&self) -> bool {
        !self.is_quorum() || self.lease_until.lock().is_some_and(|u| Instant::now() < u)
    }

    /// The peer last heard as ACTIVE-COORDINATOR in `epoch`, if any.
    pub fn active_of(&self, epoch: u64) -> Option<String> {
        self.peers
            .lock()
            .iter()
            .find(|(_, v)| v.role == ServerRole::ActiveCoordinator && v.epoch == epoch)
            .map(|(n, _)| n.clone())
    }

    /// The newest active term this server knows of.
    pub fn fence(&self) -> u64 {
        self.fence.load(Ordering::Acquire)
    }

    /// Raises the fence to `epoch` (never lowers it).
    pub(crate) fn see_epoch(&self, epoch: u64) {
        self.fence.fetch_max(epoch, Ordering::AcqRel);
    }

    /// Why this server was deposed, if it was (in this term).
    pub fn deposed(&self) -> Option<String> {
        self.deposed.lock().clone()
    }

    /// A standby of this active was dropped: the next acknowledgement waits for a check of the
    /// group (hook in `replication::drop_link`).
    pub fn standby_lost(&self) {
        if self.is_group() && self.is_active() {
            self.suspect.store(true, Ordering::Release);
        }
    }

    /// Whether a batch may be acknowledged at once, without [`zap::verify_writable`]: not
    /// deposed and no lost standby to check on (hook in the commit path's fast path).
    pub fn may_ack_now(&self) -> bool {
        !self.suspect.load(Ordering::Acquire) && self.deposed.lock().is_none() && self.lease_ok()
    }

    /// Current state.
    pub fn role(&self) -> ServerRole {
        *self.role.borrow()
    }

    /// Whether this server serves clients.
    pub fn is_active(&self) -> bool {
        self.role() == ServerRole::ActiveCoordinator
    }

    /// Whether this server is in a group of two or more (clients may fail over to it, so it
    /// keeps their records even in memory).
    pub fn is_group(&self) -> bool {
        self.group.is_some()
    }

    pub(crate) fn set_role(&self, r: ServerRole) {
        let old = self.role.send_replace(r);
        if old != r {
            tracing::info!(from = %old, to = %r, "server state changed");
        }
    }

    /// Waits until this server is ACTIVE-COORDINATOR.
    pub async fn wait_active(&self) {
        let mut rx = self.role.subscribe();
        let _ = rx.wait_for(|r| *r == ServerRole::ActiveCoordinator).await;
    }

    /// Names and states of the passives of this active: (name, standby?).
    pub fn passives(&self) -> Vec<(String, bool)> {
        self.links
            .lock()
            .iter()
            .map(|l| (l.name.clone(), l.is_standby()))
            .collect()
    }

    /// Replication sequence sent vs the lowest acknowledged by a standby.
    pub fn replication_lag(&self) -> u64 {
        let sent = self.repl_seq.load(Ordering::Acquire);
        self.links
            .lock()
            .iter()
            .filter(|l| l.is_standby())
            .map(|l| sent.saturating_sub(l.acked()))
            .max()
            .unwrap_or(0)
    }
}

/// The group form of a store op.
pub fn to_group_op(op: &Op) -> GroupOp {
    match op {
        Op::PutObject(o, b) => GroupOp::PutObject(*o, b.clone()),
        Op::DelObject(o) => GroupOp::DelObject(*o),
        Op::PutRoot(k, v) => GroupOp::PutRoot(k.clone(), v.clone()),
        Op::DelRoot(k) => GroupOp::DelRoot(k.clone()),
        Op::PutClient(id, seq, n) => GroupOp::PutClient(*id, *seq, n.clone()),
        Op::DelClient(id) => GroupOp::DelClient(*id),
        Op::PutMeta(k, v) => GroupOp::PutMeta((*k).to_owned(), *v),
        Op::PutPrepared(x, c, p) => GroupOp::PutPrepared(*x, *c, p.clone()),
        Op::Decided(x, commit, gtx) => GroupOp::Decided(*x, *commit, *gtx),
        Op::LockFence(l, f) => GroupOp::LockFence(l.clone(), f.clone()),
    }
}

/// The store form of a replicated op (for a persistent passive). Unknown counters are dropped.
pub fn to_store_op(op: &GroupOp) -> Option<Op> {
    Some(match op {
        GroupOp::PutObject(o, b) => Op::PutObject(*o, b.clone()),
        GroupOp::DelObject(o) => Op::DelObject(*o),
        GroupOp::PutRoot(k, v) => Op::PutRoot(k.clone(), v.clone()),
        GroupOp::DelRoot(k) => Op::DelRoot(k.clone()),
        GroupOp::PutClient(id, seq, n) => Op::PutClient(*id, *seq, n.clone()),
        GroupOp::DelClient(id) => Op::DelClient(*id),
        GroupOp::PutMeta(k, v) => Op::PutMeta(meta_key(k)?, *v),
        GroupOp::PutPrepared(x, c, p) => Op::PutPrepared(*x, *c, p.clone()),
        GroupOp::Decided(x, commit, gtx) => Op::Decided(*x, *commit, *gtx),
        GroupOp::LockFence(l, f) => Op::LockFence(l.clone(), f.clone()),
    })
}

fn meta_key(k: &str) -> Option<&'static str> {
    match k {
        "gtx" => Some("gtx"),
        "next_oid" => Some("next_oid"),
        "next_client" => Some("next_client"),
        "epoch" => Some("epoch"),
        "cluster_hi" => Some("cluster_hi"),
        "cluster_lo" => Some("cluster_lo"),
        _ => None,
    }
}

/// Applies replicated ops to a passive's state: objects, roots, client records (they become the
/// `known` clients a promoted passive waits for in its reconnect window) and counters. Returns
/// the number of objects put.
pub fn apply_ops(st: &mut State, ops: &[GroupOp]) -> Result<u64, String> {
    let mut objects = 0;
    for op in ops {
        match op {
            GroupOp::PutObject(oid, b) => {
                let version = b
                    .get(..8)
                    .and_then(|s| <[u8; 8]>::try_from(s).ok())
                    .map(u64::from_le_bytes)
                    .ok_or_else(|| format!("replicated object {oid} is too short"))?;
                st.objects.insert_encoded(*oid, version, &b[8..]);
                st.next_oid = st.next_oid.max(oid.seq() + 1);
                objects += 1;
            }
            GroupOp::DelObject(oid) => {
                st.objects.remove(oid);
            }
            GroupOp::PutRoot(k, v) => {
                let value = Value::decode(&mut Reader::new(v))
                    .map_err(|e| format!("replicated root '{k}': {e}"))?;
                st.roots.insert(k.clone(), value);
            }
            GroupOp::DelRoot(k) => {
                st.roots.remove(k);
            }
            GroupOp::PutClient(id, seq, name) => {
                st.known.insert(
                    *id,
                    KnownClient {
                        name: name.clone(),
                        last_seq: *seq,
                    },
                );
                st.next_client = st.next_client.max(id + 1);
            }
            GroupOp::DelClient(id) => {
                st.known.remove(id);
            }
            GroupOp::PutMeta(k, v) => match k.as_str() {
                "gtx" => st.gtx = st.gtx.max(*v),
                "next_oid" => st.next_oid = st.next_oid.max(*v),
                "next_client" => st.next_client = st.next_client.max(*v),
                "epoch" => st.epoch = st.epoch.max(*v),
                "cluster_hi" => {
                    st.cluster = (u128::from(*v) << 64) | (st.cluster & u128::from(u64::MAX))
                }
                "cluster_lo" => st.cluster = (st.cluster & !u128::from(u64::MAX)) | u128::from(*v),
                _ => {}
            },
            GroupOp::PutPrepared(xid, client, part) => {
                st.twopc.replicated_prepare(*xid, *client, part)?
            }
            GroupOp::Decided(xid, commit, gtx) => st.twopc.replicated_decision(*xid, *commit, *gtx),
            GroupOp::LockFence(lock, fence) => {
                st.twopc.set_fence(lock.clone(), fence);
            }
        }
    }
    st.objects.demote_excess();
    Ok(objects)
}

/// Everything but the objects, as ops (the head of a passive sync): counters, client records
/// (connected clients with their high-water marks, and clients still expected in a reconnect
/// window), roots.
pub fn snapshot_head(st: &State) -> Vec<GroupOp> {
    let mut ops = vec![
        GroupOp::PutMeta("gtx".into(), st.gtx),
        GroupOp::PutMeta("next_oid".into(), st.next_oid),
        GroupOp::PutMeta("next_client".into(), st.next_client),
        GroupOp::PutMeta("epoch".into(), st.epoch),
    ];
    if st.cluster != 0 {
        let (hi, lo) = cluster_halves(st.cluster);
        ops.push(GroupOp::PutMeta("cluster_hi".into(), hi));
        ops.push(GroupOp::PutMeta("cluster_lo".into(), lo));
    }
    for (id, c) in &st.clients {
        ops.push(GroupOp::PutClient(*id, c.last_seq, c.info.name.clone()));
    }
    for (id, k) in &st.known {
        ops.push(GroupOp::PutClient(*id, k.last_seq, k.name.clone()));
    }
    for (name, v) in &st.roots {
        let mut b = bytes::BytesMut::new();
        v.encode(&mut b);
        ops.push(GroupOp::PutRoot(name.clone(), b.to_vec()));
    }
    ops.extend(st.twopc.snapshot());
    ops
}

/// A cluster id as shown in logs, `/status` and errors: 32 hex digits.
pub fn cluster_hex(id: u128) -> String {
    format!("{id:032x}")
}

/// The two `meta` counters a cluster id is stored as (`cluster_hi`, `cluster_lo`).
pub fn cluster_halves(id: u128) -> (u64, u64) {
    ((id >> 64) as u64, id as u64)
}

/// A new random 128-bit cluster id (never 0): 16 bytes of `/dev/urandom`, or — where that
/// cannot be read — the std library's randomly keyed hasher over the time and the process id.
fn new_cluster_id() -> u128 {
    use std::hash::{BuildHasher, Hasher};
    use std::io::Read as _;
    let mut b = [0u8; 16];
    let from_os = std::fs::File::open("/dev/urandom").and_then(|mut f| f.read_exact(&mut b));
    let id = match from_os {
        Ok(()) => u128::from_be_bytes(b),
        Err(_) => {
            let half = |salt: u64| {
                let mut h = std::collections::hash_map::RandomState::new().build_hasher();
                h.write_u64(salt);
                h.write_u32(std::process::id());
                h.write_u128(
                    std::time::SystemTime::now()
                        .duration_since(std::time::UNIX_EPOCH)
                        .map_or(0, |d| d.as_nanos()),
                );
                h.finish()
            };
            (u128::from(half(1)) << 64) | u128::from(half(2))
        }
    };
    id.max(1)
}

/// Gives this server's data a cluster id if it has none (the first active of a fresh group, or
/// a server without a group at its first start), recorded in the store. Call with the state
/// lock held.
pub fn ensure_cluster(shared: &crate::server::Shared, st: &mut State) {
    if st.cluster != 0 {
        return;
    }
    st.cluster = new_cluster_id();
    if let Some(store) = &shared.store {
        let (hi, lo) = cluster_halves(st.cluster);
        drop(store.submit(vec![
            Op::PutMeta("cluster_hi", hi),
            Op::PutMeta("cluster_lo", lo),
        ]));
    }
    tracing::info!(cluster_id = %cluster_hex(st.cluster), "new cluster: created its cluster id");
}

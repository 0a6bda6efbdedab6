//! Quorum mode (`<ha><quorum>majority</quorum>`, a Kiln element; see `docs/architecture.md`).
//!
//! The voting members of a group are its servers plus the `<voters>` (`kiln-voter`
//! processes). A server becomes active only when a majority of them granted it the new epoch,
//! and stays writable only while a majority keeps renewing that grant: a **lease** of the L2→L2
//! HealthChecker time, renewed every quarter of it. Each member keeps one [`VoteBook`]: the
//! newest epoch it granted and to whom; it refuses an older epoch, a second candidate for the
//! same epoch, and — while the holder's lease is running — any new epoch for someone else. So a
//! new active is granted its term only after the old one's lease ran out at a majority, and the
//! old one stopped acknowledging writes when its own lease (measured from the renewal it *sent*,
//! earlier than any member received it) ran out: two writable actives are impossible.
//!
//! An active that learns of a newer epoch from a member's refusal steps down (epoch fence,
//! [`super::zap::step_down`]); one whose lease expired refuses writes with a clear error until it
//! regains a majority. Every member makes a new grant durable before it answers (or counts its
//! own vote): a server in a persistent group in its store metadata (`vote_epoch`,
//! `vote_holder`, `vote_lease_ms`), a server in a temporary-swap group in `<data>/kiln-vote`,
//! a `kiln-voter` in its `--state` file (each file written to a temporary file, fsynced and
//! renamed). After a restart a member honours the lease of the holder it loaded, so a
//! restarted member never grants an epoch twice.

use std::io::Write;
use std::path::Path;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::BytesMut;
use kiln_protocol::group::{GroupMsg, ServerRole};
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;
use tokio::task::JoinSet;
use tracing::{error, info, warn};

use crate::server::Shared;
use crate::store::Op;

use super::election::read_msg;

/// The vote file of a server in a temporary-swap group, under its `<data>` directory.
pub const VOTE_FILE: &str = "kiln-vote";

/// A stable 64-bit hash of a server name (FNV-1a; never 0): the holder of a vote kept in the
/// store metadata, whose values are numbers.
pub fn name_hash(name: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in name.as_bytes() {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h.max(1)
}

/// Writes `<epoch> <lease_ms> <holder>` to `path` durably: a temporary file, fsynced, renamed,
/// and the directory fsynced.
pub fn persist_vote_file(
    path: &Path,
    epoch: u64,
    lease_ms: u64,
    holder: &str,
) -> std::io::Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    let tmp = path.with_extension("tmp");
    {
        let mut f = std::fs::File::create(&tmp)?;
        writeln!(f, "{epoch} {lease_ms} {holder}")?;
        f.sync_all()?;
    }
    std::fs::rename(&tmp, path)?;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::File::open(dir)?.sync_all()?;
    }
    Ok(())
}

/// Loads a vote file written by [`persist_vote_file`] (none: an empty book). The loaded
/// holder's lease is honoured from now. A malformed file is an error naming it.
pub fn load_vote_file(path: &Path) -> Result<VoteBook, String> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Ok(VoteBook::new(0, String::new(), None))
        }
        Err(e) => {
            return Err(format!(
                "quorum: cannot read this server's vote file {}: {e}; it refuses to vote until the file is readable",
                path.display()
            ))
        }
    };
    let line = text.lines().next().unwrap_or_default();
    let mut it = line.splitn(3, ' ');
    let epoch = it.next().and_then(|e| e.parse::<u64>().ok());
    let lease = it.next().and_then(|e| e.parse::<u64>().ok());
    let holder = it.next().filter(|h| !h.is_empty());
    match (epoch, lease, holder) {
        (Some(epoch), Some(lease), Some(holder)) => {
            info!(path = %path.display(), epoch, %holder, lease_ms = lease, "quorum: restored this server's vote");
            Ok(VoteBook::new(epoch, holder.to_owned(), Some(Duration::from_millis(lease))))
        }
        _ => Err(format!(
            "quorum: this server's vote file {} is not '<epoch> <lease_ms> <holder>': {line:?}; it refuses to vote \
             (it may have granted a term it no longer knows of; remove the file only when every server of the group is stopped)",
            path.display()
        )),
    }
}

/// The epoch of a reachability probe: no term is ever 0, so no member grants it (it answers
/// with its current vote and [`PROBE_ANSWER`]; nothing is recorded, nothing logged).
pub const PROBE_EPOCH: u64 = 0;
/// The refusal reason of a probe.
pub const PROBE_ANSWER: &str = "reachability probe";

/// The last round of lease requests of this server (for `/status` and `/metrics`).
#[derive(Debug, Clone, serde::Serialize)]
pub struct TallyView {
    /// The epoch asked for.
    pub epoch: u64,
    /// Members that granted it.
    pub granted: Vec<String>,
    /// Members that refused it (name: reason).
    pub refused: Vec<String>,
    /// Members (addresses) that did not answer.
    pub unreachable: Vec<String>,
    /// Every voting member (server name, or a voter's `host:port`) and what it answered:
    /// `granted`, `refused` or `unreachable`.
    pub members: Vec<(String, &'static str)>,
    /// Milliseconds since the round.
    #[serde(skip)]
    pub at: Option<Instant>,
}

/// What one voting member granted last.
#[derive(Debug, Clone)]
pub struct VoteBook {
    epoch: u64,
    holder: String,
    at: Option<Instant>,
    lease: Duration,
}

/// A member's decision on one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Vote {
    /// Granted; `new_term` when it is a new epoch (not a renewal): persist before answering.
    Granted {
        /// A new epoch was granted (not a renewal).
        new_term: bool,
    },
    /// Refused, with the reason.
    Refused(String),
}

impl VoteBook {
    /// A book that granted `epoch` to `holder` (empty: nobody). `held_for`: treat the holder's
    /// lease as running from now for that long (a voter restarting cannot know when the lease it
    /// granted ends).
    pub fn new(epoch: u64, holder: String, held_for: Option<Duration>) -> VoteBook {
        VoteBook {
            epoch,
            at: held_for.map(|_| Instant::now()),
            lease: held_for.unwrap_or_default(),
            holder,
        }
    }

    /// Newest epoch granted.
    pub fn epoch(&self) -> u64 {
        self.epoch
    }

    /// Its holder.
    pub fn holder(&self) -> &str {
        &self.holder
    }

    /// Decides on `candidate` asking for `epoch` with a lease of `lease`, at `now`.
    pub fn request(&mut self, epoch: u64, candidate: &str, lease: Duration, now: Instant) -> Vote {
        if epoch == PROBE_EPOCH {
            // A reachability probe (a passive's, [`probe`]): answered, never granted.
            return Vote::Refused(PROBE_ANSWER.into());
        }
        if epoch < self.epoch {
            return Vote::Refused(format!(
                "epoch {epoch} is older than epoch {} granted to '{}'",
                self.epoch, self.holder
            ));
        }
        if epoch == self.epoch && !self.holder.is_empty() {
            if candidate != self.holder {
                return Vote::Refused(format!(
                    "epoch {epoch} is already granted to '{}'",
                    self.holder
                ));
            }
            self.at = Some(now);
            self.lease = lease;
            return Vote::Granted { new_term: false };
        }
        if !self.holder.is_empty() && self.holder != candidate {
            if let Some(at) = self.at {
                let until = at + self.lease;
                if now < until {
                    return Vote::Refused(format!(
                        "'{}' holds a lease in epoch {} for {} ms more",
                        self.holder,
                        self.epoch,
                        (until - now).as_millis()
                    ));
                }
            }
        }
        self.epoch = epoch;
        self.holder = candidate.to_owned();
        self.at = Some(now);
        self.lease = lease;
        Vote::Granted { new_term: true }
    }
}

/// The reply message for `vote`.
pub fn reply(voter: &str, book: &VoteBook, vote: &Vote) -> GroupMsg {
    GroupMsg::VoteReply {
        voter: voter.to_owned(),
        granted: matches!(vote, Vote::Granted { .. }),
        epoch: book.epoch(),
        holder: book.holder().to_owned(),
        reason: match vote {
            Vote::Granted { .. } => String::new(),
            Vote::Refused(r) => r.clone(),
        },
    }
}

/// Decides on `candidate` asking this server for `epoch`, making a new grant durable first
/// (store metadata in a persistent group, the vote file in a temporary-swap group); a grant
/// that cannot be made durable is refused. One vote at a time.
pub async fn vote(shared: &Shared, epoch: u64, candidate: &str, lease_ms: u64) -> Vote {
    let _one = shared.ha.vote_io.lock().await;
    if let Some(why) = shared.ha.vote_error.lock().clone() {
        return Vote::Refused(why);
    }
    let vote = shared.ha.book.lock().request(
        epoch,
        candidate,
        Duration::from_millis(lease_ms),
        Instant::now(),
    );
    if vote != (Vote::Granted { new_term: true }) {
        return vote;
    }
    let durable: Result<(), String> = if let Some(store) = &shared.store {
        let rx = {
            let _order = shared.state.lock();
            store.submit(vec![
                Op::PutMeta("vote_epoch", epoch),
                Op::PutMeta("vote_holder", name_hash(candidate)),
                Op::PutMeta("vote_lease_ms", lease_ms),
            ])
        };
        match rx.await {
            Ok(r) => r.map_err(|e| format!("store {}: {e}", store.path().display())),
            Err(_) => Err("the store is closed".into()),
        }
    } else if let Some(path) = shared.ha.group.as_ref().and_then(|g| g.vote_file.clone()) {
        let who = candidate.to_owned();
        let p = path.clone();
        match tokio::task::spawn_blocking(move || persist_vote_file(&p, epoch, lease_ms, &who))
            .await
        {
            Ok(r) => r.map_err(|e| format!("{}: {e}", path.display())),
            Err(e) => Err(e.to_string()),
        }
    } else {
        Ok(())
    };
    match durable {
        Ok(()) => vote,
        Err(e) => {
            error!(%candidate, epoch, error = %e, "quorum: cannot make the vote durable: refusing it");
            Vote::Refused(format!(
                "server '{}' cannot make its vote durable: {e}",
                shared.settings.name
            ))
        }
    }
}

/// This server's answer to a `VoteRequest` on its group port.
pub async fn answer(shared: &Shared, epoch: u64, candidate: &str, lease_ms: u64) -> GroupMsg {
    let vote = vote(shared, epoch, candidate, lease_ms).await;
    match &vote {
        Vote::Granted { new_term: true } => {
            info!(%candidate, epoch, "quorum: vote granted (durable)");
        }
        Vote::Refused(_) if epoch == PROBE_EPOCH => {}
        Vote::Refused(why) => info!(%candidate, epoch, reason = %why, "quorum: vote refused"),
        Vote::Granted { .. } => {}
    }
    let book = shared.ha.book.lock();
    reply(&shared.settings.name, &book, &vote)
}

/// The outcome of asking every voting member.
#[derive(Debug, Default)]
struct Tally {
    granted: Vec<String>,
    refused: Vec<String>,
    unreachable: Vec<String>,
    members: Vec<(String, &'static str)>,
    newest: (u64, String),
}

impl Tally {
    fn record(&self, shared: &Shared, epoch: u64) {
        *shared.ha.last_tally.lock() = Some(TallyView {
            epoch,
            granted: self.granted.clone(),
            refused: self.refused.clone(),
            unreachable: self.unreachable.clone(),
            members: self.members.clone(),
            at: Some(Instant::now()),
        });
    }
}

async fn ask(
    label: String,
    addr: String,
    req: GroupMsg,
    within: Duration,
) -> (String, Option<GroupMsg>) {
    (label, ask_one(&addr, req, within).await)
}

async fn ask_one(addr: &str, req: GroupMsg, within: Duration) -> Option<GroupMsg> {
    let sock = tokio::time::timeout(within, TcpStream::connect(addr))
        .await
        .ok()?
        .ok()?;
    let _ = sock.set_nodelay(true);
    let (mut rd, mut wr) = sock.into_split();
    let mut b = BytesMut::new();
    req.encode_framed(&mut b);
    wr.write_all(&b).await.ok()?;
    let mut buf = BytesMut::new();
    read_msg(&mut rd, &mut buf, within).await
}

/// Asks this server itself, every peer and every voter for `epoch`.
async fn ask_all(shared: &Arc<Shared>, epoch: u64) -> Tally {
    let mut t = Tally::default();
    let Some(g) = shared.ha.group.clone() else {
        return t;
    };
    let Some(q) = g.quorum.clone() else {
        return t;
    };
    let lease = g.peer_timeout;
    let me = g.me.clone();
    let lease_ms = u64::try_from(lease.as_millis()).unwrap_or(u64::MAX);
    // Its own vote is durable before it counts, like any member's.
    match vote(shared, epoch, &me, lease_ms).await {
        Vote::Granted { .. } => {
            t.granted.push(me.clone());
            t.members.push((me.clone(), "granted"));
        }
        Vote::Refused(r) => {
            t.refused.push(format!("{me}: {r}"));
            t.members.push((me.clone(), "refused"));
        }
    }
    let req = GroupMsg::VoteRequest {
        epoch,
        candidate: me,
        lease_ms,
    };
    let within = (lease / 2).clamp(Duration::from_millis(100), Duration::from_secs(1));
    let mut set = JoinSet::new();
    for (label, addr) in g
        .peers
        .iter()
        .map(|p| (p.name.clone(), p.group_addr.clone()))
        .chain(q.voters.iter().map(|v| (v.clone(), v.clone())))
    {
        set.spawn(ask(label, addr, req.clone(), within));
    }
    while let Some(r) = set.join_next().await {
        let Ok((label, r)) = r else {
            continue;
        };
        match r {
            Some(GroupMsg::VoteReply {
                voter,
                granted,
                epoch: e,
                holder,
                reason,
            }) => {
                if e > t.newest.0 {
                    t.newest = (e, holder.clone());
                }
                if granted {
                    t.granted.push(voter);
                    t.members.push((label, "granted"));
                } else {
                    t.refused.push(format!("{voter}: {reason}"));
                    t.members.push((label, "refused"));
                }
            }
            _ => {
                t.unreachable.push(label.clone());
                t.members.push((label, "unreachable"));
            }
        }
    }
    t.record(shared, epoch);
    t
}

/// Quorum mode: asks the voting members for the new term `epoch`. `Ok(sent)` (when the
/// request went out: the lease runs from there) with a majority, else why not.
pub async fn acquire(shared: &Arc<Shared>, epoch: u64) -> Result<Instant, String> {
    let Some(q) = shared.ha.group.as_ref().and_then(|g| g.quorum.clone()) else {
        return Ok(Instant::now());
    };
    let sent = Instant::now();
    let t = ask_all(shared, epoch).await;
    shared.ha.floor.fetch_max(t.newest.0, Ordering::AcqRel);
    if t.granted.len() >= q.majority {
        info!(
            epoch,
            granted = %t.granted.join(", "),
            refused = %t.refused.join("; "),
            unreachable = %t.unreachable.join(", "),
            majority = q.majority,
            members = q.members,
            "quorum: a majority granted the new term"
        );
        return Ok(sent);
    }
    Err(format!(
        "{} of {} voting members granted epoch {epoch} (a majority is {}); refused: [{}]; unreachable: [{}]",
        t.granted.len(),
        q.members,
        q.majority,
        t.refused.join("; "),
        t.unreachable.join(", ")
    ))
}

/// While this server is active in quorum mode: renew the lease every quarter of it; step down
/// on a newer epoch; log losing and regaining the majority.
pub async fn hold(shared: Arc<Shared>) {
    let Some(g) = shared.ha.group.clone() else {
        return;
    };
    let Some(q) = g.quorum.clone() else {
        return;
    };
    let lease = g.peer_timeout;
    let every = (lease / 4).clamp(Duration::from_millis(50), Duration::from_secs(1));
    loop {
        tokio::time::sleep(every).await;
        if !shared.ha.is_active() || shared.ha.deposed().is_some() {
            return;
        }
        let epoch = shared.state.lock().epoch;
        let sent = Instant::now();
        let t = ask_all(&shared, epoch).await;
        if t.newest.0 > epoch {
            super::zap::step_down(
                &shared,
                format!(
                    "server '{}' was deposed: the voting members granted the newer epoch {} to '{}' (this server's epoch {epoch})",
                    g.me, t.newest.0, t.newest.1
                ),
            );
            return;
        }
        if t.granted.len() >= q.majority {
            *shared.ha.lease_until.lock() = Some(sent + lease);
            if shared.ha.lease_lost.swap(false, Ordering::AcqRel) {
                info!(epoch, granted = %t.granted.join(", "), "quorum: majority regained; accepting writes again");
            }
        } else if !shared.ha.lease_ok() && !shared.ha.lease_lost.swap(true, Ordering::AcqRel) {
            error!(
                epoch,
                granted = %t.granted.join(", "),
                refused = %t.refused.join("; "),
                unreachable = %t.unreachable.join(", "),
                majority = q.majority,
                "quorum: lost the majority of the voting members for longer than the lease (L2→L2 HealthChecker time): refusing writes"
            );
        } else if t.granted.len() < q.majority {
            warn!(
                epoch,
                granted = t.granted.len(),
                majority = q.majority,
                "quorum: lease renewal without a majority"
            );
        }
    }
}

/// The refusal of a write by an active without a valid lease.
pub fn no_quorum(shared: &Shared) -> String {
    let (members, majority, lease) = shared
        .ha
        .group
        .as_ref()
        .and_then(|g| {
            g.quorum
                .as_ref()
                .map(|q| (q.members, q.majority, g.peer_timeout))
        })
        .unwrap_or_default();
    format!(
        "no quorum: server '{}' has not had a majority ({majority} of {members} voting members, <ha><quorum>majority</quorum>) \
         for longer than its lease ({} ms, the L2→L2 HealthChecker time); it refuses writes until it regains one or another server is elected",
        shared.settings.name,
        lease.as_millis()
    )
}

/// Quorum mode, on a passive (which asks no one for votes): every lease/4 it asks every other
/// voting member for the never-granted [`PROBE_EPOCH`] and records who answered, so its
/// `/status` `ha.quorum`, `kiln_ha_quorum_*` metrics and `status --group` show the voting
/// members' reachability from this server (answer `reachable` / `unreachable`). Stops when the
/// server becomes active (its lease rounds take over) and runs again when it is a passive.
pub async fn probe(shared: Arc<Shared>) {
    let Some(g) = shared.ha.group.clone() else {
        return;
    };
    let Some(q) = g.quorum.clone() else {
        return;
    };
    let every = (g.peer_timeout / 4).clamp(Duration::from_millis(50), Duration::from_secs(1));
    let within = (g.peer_timeout / 2).clamp(Duration::from_millis(100), Duration::from_secs(1));
    loop {
        tokio::time::sleep(every).await;
        if !matches!(
            shared.ha.role(),
            ServerRole::PassiveStandby
                | ServerRole::PassiveUninitialized
                | ServerRole::Initializing
        ) {
            continue;
        }
        let req = GroupMsg::VoteRequest {
            epoch: PROBE_EPOCH,
            candidate: g.me.clone(),
            lease_ms: 0,
        };
        let mut set = JoinSet::new();
        for (label, addr) in g
            .peers
            .iter()
            .map(|p| (p.name.clone(), p.group_addr.clone()))
            .chain(q.voters.iter().map(|v| (v.clone(), v.clone())))
        {
            set.spawn(ask(label, addr, req.clone(), within));
        }
        let mut members = vec![(g.me.clone(), "reachable")];
        let mut unreachable = Vec::new();
        while let Some(r) = set.join_next().await {
            let Ok((label, r)) = r else {
                continue;
            };
            if matches!(r, Some(GroupMsg::VoteReply { .. })) {
                members.push((label, "reachable"));
            } else {
                unreachable.push(label.clone());
                members.push((label, "unreachable"));
            }
        }
        // A round of this server's own (it became a candidate meanwhile) is not overwritten.
        if !matches!(
            shared.ha.role(),
            ServerRole::PassiveStandby
                | ServerRole::PassiveUninitialized
                | ServerRole::Initializing
        ) {
            continue;
        }
        *shared.ha.last_tally.lock() = Some(TallyView {
            epoch: PROBE_EPOCH,
            granted: Vec::new(),
            refused: Vec::new(),
            unreachable,
            members,
            at: Some(Instant::now()),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_term_per_epoch_and_no_new_term_during_a_lease() {
        let lease = Duration::from_millis(800);
        let t0 = Instant::now();
        let mut b = VoteBook::new(0, String::new(), None);
        assert_eq!(
            b.request(1, "s1", lease, t0),
            Vote::Granted { new_term: true }
        );
        // Renewal.
        assert_eq!(
            b.request(1, "s1", lease, t0 + Duration::from_millis(100)),
            Vote::Granted { new_term: false }
        );
        // Another candidate for the same epoch, or a newer one during the lease: refused.
        assert!(matches!(b.request(1, "s2", lease, t0), Vote::Refused(_)));
        assert!(matches!(
            b.request(2, "s2", lease, t0 + Duration::from_millis(500)),
            Vote::Refused(r) if r.contains("holds a lease")
        ));
        // After the lease: granted; the old holder's renewal is refused.
        let later = t0 + Duration::from_millis(1000);
        assert_eq!(
            b.request(2, "s2", lease, later),
            Vote::Granted { new_term: true }
        );
        assert!(
            matches!(b.request(1, "s1", lease, later), Vote::Refused(r) if r.contains("older"))
        );
        assert_eq!((b.epoch(), b.holder()), (2, "s2"));
    }

    #[test]
    fn a_restarted_voter_honours_the_lease_it_may_have_granted() {
        let lease = Duration::from_secs(60);
        let mut b = VoteBook::new(5, "s1".into(), Some(lease));
        assert!(matches!(
            b.request(6, "s2", lease, Instant::now()),
            Vote::Refused(_)
        ));
        assert_eq!(
            b.request(5, "s1", lease, Instant::now()),
            Vote::Granted { new_term: false }
        );
    }

    #[test]
    fn the_vote_file_round_trips_and_a_bad_one_is_named() {
        let dir = std::env::temp_dir().join(format!("kiln-vote-test-{}", std::process::id()));
        let path = dir.join("sub").join(VOTE_FILE);
        assert_eq!(load_vote_file(&path).unwrap().epoch(), 0);
        persist_vote_file(&path, 42, 900, "server one").unwrap();
        let mut b = load_vote_file(&path).unwrap();
        assert_eq!((b.epoch(), b.holder()), (42, "server one"));
        // The loaded holder's lease is honoured: nobody else gets a newer term at once.
        assert!(matches!(
            b.request(43, "s2", Duration::from_millis(900), Instant::now()),
            Vote::Refused(r) if r.contains("holds a lease")
        ));
        std::fs::write(&path, "42 s1\n").unwrap();
        let e = load_vote_file(&path).unwrap_err();
        assert!(
            e.contains(&path.display().to_string()) && e.contains("refuses to vote"),
            "{e}"
        );
        let _ = std::fs::remove_dir_all(&dir);
        assert_ne!(name_hash("s1"), name_hash("s2"));
        assert_ne!(name_hash(""), 0);
    }
}

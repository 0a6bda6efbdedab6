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
//! regains a majority. Servers keep their book in memory; a `kiln-voter` persists it (file,
//! fsynced before it answers) and, after a restart, honours the lease of the holder it loaded.

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::BytesMut;
use kiln_protocol::group::GroupMsg;
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;
use tokio::task::JoinSet;
use tracing::{error, info, warn};

use crate::server::Shared;

use super::election::read_msg;

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

/// This server's answer to a `VoteRequest` on its group port.
pub fn answer(shared: &Shared, epoch: u64, candidate: &str, lease_ms: u64) -> GroupMsg {
    let mut book = shared.ha.book.lock();
    let vote = book.request(
        epoch,
        candidate,
        Duration::from_millis(lease_ms),
        Instant::now(),
    );
    match &vote {
        Vote::Granted { new_term: true } => {
            info!(%candidate, epoch, "quorum: vote granted");
        }
        Vote::Refused(why) => info!(%candidate, epoch, reason = %why, "quorum: vote refused"),
        Vote::Granted { .. } => {}
    }
    reply(&shared.settings.name, &book, &vote)
}

/// The outcome of asking every voting member.
#[derive(Debug, Default)]
struct Tally {
    granted: Vec<String>,
    refused: Vec<String>,
    unreachable: usize,
    newest: (u64, String),
}

async fn ask(addr: String, req: GroupMsg, within: Duration) -> Option<GroupMsg> {
    let sock = tokio::time::timeout(within, TcpStream::connect(&addr))
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
    match shared
        .ha
        .book
        .lock()
        .request(epoch, &me, lease, Instant::now())
    {
        Vote::Granted { .. } => t.granted.push(me.clone()),
        Vote::Refused(r) => t.refused.push(format!("{me}: {r}")),
    }
    let req = GroupMsg::VoteRequest {
        epoch,
        candidate: me,
        lease_ms: u64::try_from(lease.as_millis()).unwrap_or(u64::MAX),
    };
    let within = (lease / 2).clamp(Duration::from_millis(100), Duration::from_secs(1));
    let mut set = JoinSet::new();
    for addr in g
        .peers
        .iter()
        .map(|p| p.group_addr.clone())
        .chain(q.voters.iter().cloned())
    {
        set.spawn(ask(addr, req.clone(), within));
    }
    while let Some(r) = set.join_next().await {
        match r.ok().flatten() {
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
                } else {
                    t.refused.push(format!("{voter}: {reason}"));
                }
            }
            _ => t.unreachable += 1,
        }
    }
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
            unreachable = t.unreachable,
            majority = q.majority,
            members = q.members,
            "quorum: a majority granted the new term"
        );
        return Ok(sent);
    }
    Err(format!(
        "{} of {} voting members granted epoch {epoch} (a majority is {}); refused: [{}]; unreachable: {}",
        t.granted.len(),
        q.members,
        q.majority,
        t.refused.join("; "),
        t.unreachable
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
                unreachable = t.unreachable,
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
}

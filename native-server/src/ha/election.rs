//! Group membership and election.
//!
//! Every member listens on its `l2-group-port`. A connection starts with a `GroupHello` both
//! ways (name, state, last GTX, was-active flag, epoch): that is also the vote. A starting
//! server asks every peer for `election-time`: if one is ACTIVE-COORDINATOR it joins it as a
//! passive; otherwise, at the end of the window, the candidates are itself and the peers heard
//! during the window that may be elected (at start: servers that are starting too; after the
//! active is lost: PASSIVE-STANDBYs only), and the winner is the one with the highest
//! (was-active, GTX), ties going to the smallest server name. The votes are logged. The winner
//! becomes ACTIVE-COORDINATOR; the others join it.

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::BytesMut;
use kiln_protocol::group::{GroupMsg, ServerRole, GROUP_PROTOCOL_VERSION};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tracing::{debug, info, warn};

use crate::locks::LockManager;
use crate::server::Shared;
use crate::store::Op;

use super::passive::{follow, FollowEnd};
use super::PeerView;

/// This server's `GroupHello` (its vote).
pub fn my_hello(shared: &Shared) -> GroupMsg {
    let st = shared.state.lock();
    GroupMsg::Hello {
        version: GROUP_PROTOCOL_VERSION,
        group: shared
            .ha
            .group
            .as_ref()
            .map(|g| g.name.clone())
            .unwrap_or_default(),
        server: shared.settings.name.clone(),
        role: shared.ha.role(),
        gtx: st.gtx,
        was_active: st.was_active,
        epoch: st.epoch,
        cluster: st.cluster,
    }
}

pub(crate) fn record(shared: &Shared, m: &GroupMsg) -> Option<String> {
    if let GroupMsg::Hello {
        server,
        role,
        gtx,
        was_active,
        epoch,
        version,
        group,
        ..
    } = m
    {
        let g = shared.ha.group.as_ref()?;
        if *version != GROUP_PROTOCOL_VERSION || *group != g.name {
            warn!(peer = %server, version, group = %group, "group Hello from a server of another group or version: ignored");
            return None;
        }
        shared.ha.peers.lock().insert(
            server.clone(),
            PeerView {
                role: *role,
                gtx: *gtx,
                was_active: *was_active,
                epoch: *epoch,
                seen: Instant::now(),
            },
        );
        return Some(server.clone());
    }
    None
}

pub(crate) async fn read_msg(
    rd: &mut tokio::net::tcp::OwnedReadHalf,
    buf: &mut BytesMut,
    within: Duration,
) -> Option<GroupMsg> {
    let deadline = Instant::now() + within;
    loop {
        match GroupMsg::decode_framed(buf, 1 << 20) {
            Ok(Some(m)) => return Some(m),
            Ok(None) => {}
            Err(_) => return None,
        }
        match tokio::time::timeout_at(deadline.into(), rd.read_buf(buf)).await {
            Ok(Ok(n)) if n > 0 => {}
            _ => return None,
        }
    }
}

/// Accepts group connections: answers Hellos (votes) and serves joining passives while active.
pub async fn serve_group(shared: Arc<Shared>, listener: TcpListener) {
    loop {
        let Ok((sock, addr)) = listener.accept().await else {
            tokio::time::sleep(Duration::from_millis(50)).await;
            continue;
        };
        let s = shared.clone();
        tokio::spawn(async move {
            let _ = sock.set_nodelay(true);
            let (mut rd, mut wr) = sock.into_split();
            let mut buf = BytesMut::with_capacity(64 * 1024);
            let Some(hello) = read_msg(&mut rd, &mut buf, Duration::from_secs(2)).await else {
                debug!(%addr, "group connection without a Hello");
                return;
            };
            // Quorum mode: a vote request needs no Hello (kiln-voters answer the same).
            if let GroupMsg::VoteRequest {
                epoch,
                candidate,
                lease_ms,
            } = &hello
            {
                let mut b = BytesMut::new();
                super::quorum::answer(&s, *epoch, candidate, *lease_ms)
                    .await
                    .encode_framed(&mut b);
                let _ = wr.write_all(&b).await;
                return;
            }
            let Some(peer) = record(&s, &hello) else {
                return;
            };
            let mut b = BytesMut::new();
            my_hello(&s).encode_framed(&mut b);
            if wr.write_all(&b).await.is_err() {
                return;
            }
            match read_msg(&mut rd, &mut buf, Duration::from_secs(2)).await {
                Some(GroupMsg::Join) if s.ha.is_active() => {
                    super::replication::serve_passive(s, peer, rd, wr, buf).await;
                }
                Some(GroupMsg::Join) => {
                    debug!(%peer, "join refused: this server is not active");
                }
                Some(m @ GroupMsg::Contest { .. }) if s.ha.is_active() => {
                    super::zap::answer_contest(s, peer, m, wr).await;
                }
                Some(GroupMsg::Deposed { epoch, active }) if s.ha.is_active() => {
                    s.ha.see_epoch(epoch);
                    let mine = s.state.lock().epoch;
                    if epoch > mine {
                        super::zap::step_down(
                            &s,
                            format!(
                                "server '{}' was deposed: passive '{peer}' refused it, '{active}' is active in the newer epoch {epoch} (this server's epoch {mine})",
                                s.settings.name
                            ),
                        );
                    }
                }
                // A standby reconnecting after a blip (l2.nha.tcgroupcomm.reconnect).
                Some(GroupMsg::Ack { seq })
                    if s.ha.is_active()
                        && !super::replication::resume_passive(&s, &peer, rd, wr, buf, seq) =>
                {
                    debug!(%peer, "reconnect refused: no link waits for it");
                }
                _ => {}
            }
        });
    }
}

/// Asks `addr` for its Hello (its vote), recording it.
async fn probe(shared: &Shared, addr: &str) -> Option<String> {
    let sock = tokio::time::timeout(Duration::from_millis(500), TcpStream::connect(addr))
        .await
        .ok()?
        .ok()?;
    let (mut rd, mut wr) = sock.into_split();
    let mut b = BytesMut::new();
    my_hello(shared).encode_framed(&mut b);
    wr.write_all(&b).await.ok()?;
    let mut buf = BytesMut::new();
    let m = read_msg(&mut rd, &mut buf, Duration::from_secs(1)).await?;
    record(shared, &m)
}

enum Outcome {
    Active,
    Join(String),
}

/// One election round: `failover` = the active was lost (only PASSIVE-STANDBYs may win).
async fn elect(shared: &Arc<Shared>, failover: bool) -> Outcome {
    let Some(g) = shared.ha.group.clone() else {
        return Outcome::Active;
    };
    let started = Instant::now();
    let deadline = started + g.election_time;
    let eligible_role = if failover {
        ServerRole::PassiveStandby
    } else {
        ServerRole::Starting
    };
    loop {
        for p in &g.peers {
            probe(shared, &p.group_addr).await;
        }
        // The newest active (epoch fence: an older one was deposed, or is about to be).
        let fence = shared.ha.fence();
        let active = shared
            .ha
            .peers
            .lock()
            .iter()
            .filter(|(_, v)| {
                v.role == ServerRole::ActiveCoordinator && v.seen >= started && v.epoch >= fence
            })
            .max_by_key(|(_, v)| v.epoch)
            .map(|(n, _)| n.clone());
        if let Some(a) = active {
            return Outcome::Join(a);
        }
        if Instant::now() >= deadline {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100).min(deadline - Instant::now())).await;
    }
    let me_eligible = shared.ha.role() == eligible_role;
    let (my_gtx, my_was_active) = {
        let st = shared.state.lock();
        (st.gtx, st.was_active)
    };
    let mut votes: Vec<(String, bool, u64)> = Vec::new();
    if me_eligible {
        votes.push((g.me.clone(), my_was_active, my_gtx));
    }
    for (n, v) in shared.ha.peers.lock().iter() {
        if v.seen >= started && v.role == eligible_role {
            votes.push((n.clone(), v.was_active, v.gtx));
        }
    }
    // Highest (was_active, gtx); ties to the smallest name.
    votes.sort_by(|a, b| (b.1, b.2).cmp(&(a.1, a.2)).then(a.0.cmp(&b.0)));
    let winner = votes.first().map(|v| v.0.clone());
    let listed: Vec<String> = votes
        .iter()
        .map(|(n, w, gtx)| format!("{n}(was_active={w}, gtx={gtx})"))
        .collect();
    info!(
        group = %g.name,
        failover,
        votes = %listed.join(", "),
        winner = winner.as_deref().unwrap_or("none"),
        election_ms = started.elapsed().as_millis() as u64,
        "election"
    );
    match winner {
        Some(w) if w == g.me && !failover && !may_start_active(shared, my_was_active, my_gtx) => {
            Outcome::Join(String::new())
        }
        Some(w) if w == g.me => Outcome::Active,
        Some(w) => Outcome::Join(w),
        None => Outcome::Join(String::new()),
    }
}

/// Restart rule (seed 001): a server whose persistent data it got as a passive (not the last
/// active) must not become active on its own: the last active may hold transactions it never
/// saw. It waits (logged once) until the last active is started, unless the operator passed
/// `--force-active-despite-possible-data-loss`.
fn may_start_active(shared: &Shared, was_active: bool, gtx: u64) -> bool {
    if shared.store.is_none() || was_active || gtx == 0 {
        return true;
    }
    if shared.settings.force_active {
        warn!(gtx, "--force-active-despite-possible-data-loss: this former PASSIVE becomes active although the last active is not running; what the last active committed after this server stopped is LOST");
        return true;
    }
    if !shared.ha.waiting_logged.swap(true, Ordering::AcqRel) {
        warn!(
            gtx,
            "this server was a PASSIVE when it stopped and the last active of the group is not running: \
             it does not become active (the last active may hold newer transactions); start the last active \
             first, or restart this server with --force-active-despite-possible-data-loss to accept losing them. \
             Clients stay blocked meanwhile"
        );
    }
    false
}

/// The epoch this server asks for in quorum mode: above every term it knows of.
fn proposal(shared: &Shared) -> u64 {
    let seen = shared
        .ha
        .peers
        .lock()
        .values()
        .map(|v| v.epoch)
        .max()
        .unwrap_or(0);
    let mine = shared.state.lock().epoch;
    mine.max(seen)
        .max(shared.ha.fence())
        .max(shared.ha.floor.load(Ordering::Acquire))
        .max(shared.ha.book.lock().epoch())
        + 1
}

/// Makes this server the group's ACTIVE-COORDINATOR: a new epoch, fresh lock tokens above the
/// old ones, and — when clients of the previous active are on record — the reconnect window.
fn promote(shared: &Arc<Shared>, failover: bool, granted: Option<(u64, Instant)>) {
    let mut st = shared.state.lock();
    let seen_epoch = shared
        .ha
        .peers
        .lock()
        .values()
        .map(|v| v.epoch)
        .max()
        .unwrap_or(0);
    let seen_epoch = seen_epoch.max(shared.ha.fence());
    if let Some((epoch, sent)) = granted {
        // Quorum mode: the term a majority granted, and its lease.
        st.epoch = epoch;
        if let Some(g) = &shared.ha.group {
            *shared.ha.lease_until.lock() = Some(sent + g.peer_timeout);
        }
        shared.ha.lease_lost.store(false, Ordering::Release);
    } else if failover || st.epoch <= seen_epoch {
        st.epoch = st.epoch.max(seen_epoch) + 1;
    }
    shared.ha.see_epoch(st.epoch);
    *shared.ha.deposed.lock() = None;
    shared.ha.suspect.store(false, Ordering::Release);
    shared.ha.alone.store(false, Ordering::Release);
    st.was_active = true;
    super::ensure_cluster(shared, &mut st);
    if failover {
        // The profiler (its switch, cap and figures) outlives the lock table it watched.
        let profiler = std::mem::take(&mut st.locks.profiler);
        st.locks = LockManager::with_token_base(st.epoch << 40);
        st.locks.profiler = profiler;
    }
    if let Some(store) = &shared.store {
        drop(store.submit(vec![
            Op::PutMeta("epoch", st.epoch),
            Op::PutMeta("was_active", 1),
        ]));
    }
    shared.ha.promoted.store(failover, Ordering::Release);
    let known = st.known.len();
    // After a failover: the previous active's clients; after a full restart of a persistent
    // group: the clients connected before it.
    if known > 0 {
        shared.open_window(&mut st);
    }
    drop(st);
    shared.ha.set_role(ServerRole::ActiveCoordinator);
    info!(
        epoch = shared.state.lock().epoch,
        failover,
        known_clients = known,
        "ACTIVE-COORDINATOR (elected)"
    );
}

/// Runs this server's part in its group until it stops: elect or join, follow the active, and
/// after losing it as a PASSIVE-STANDBY take part in the failover election.
pub async fn run(shared: Arc<Shared>, listener: TcpListener) {
    tokio::spawn(serve_group(shared.clone(), listener));
    tokio::spawn(super::quorum::probe(shared.clone()));
    let mut failover = false;
    loop {
        match elect(&shared, failover).await {
            Outcome::Active => {
                let granted = if shared.ha.is_quorum() {
                    let epoch = proposal(&shared);
                    match super::quorum::acquire(&shared, epoch).await {
                        Ok(sent) => Some((epoch, sent)),
                        Err(why) => {
                            info!(epoch, reason = %why, "elected, but the voting members did not grant the term (quorum mode): not active; electing again");
                            tokio::time::sleep(Duration::from_millis(200)).await;
                            continue;
                        }
                    }
                } else {
                    None
                };
                promote(&shared, failover, granted);
                tokio::spawn(super::zap::watch_group(shared.clone()));
                if shared.ha.is_quorum() {
                    tokio::spawn(super::quorum::hold(shared.clone()));
                }
                // Active until deposed (epoch fence, zap): then a passive again.
                shared.ha.stepped_down.notified().await;
                failover = false;
                shared
                    .ha
                    .peers
                    .lock()
                    .retain(|_, v| v.seen.elapsed() < Duration::from_millis(1));
                continue;
            }
            Outcome::Join(name) => {
                let Some(g) = shared.ha.group.clone() else {
                    return;
                };
                let Some(peer) = g.peers.iter().find(|p| p.name == name) else {
                    // No winner yet (nobody eligible): wait and look again.
                    tokio::time::sleep(Duration::from_millis(200)).await;
                    continue;
                };
                // The winner may still be finishing its own election window.
                let until = Instant::now() + g.election_time * 2 + Duration::from_secs(1);
                let end = loop {
                    match follow(&shared, &peer.name, &peer.group_addr).await {
                        FollowEnd::NotJoined(why) if Instant::now() < until => {
                            debug!(%why, "not joined yet");
                            tokio::time::sleep(Duration::from_millis(100)).await;
                        }
                        other => break other,
                    }
                };
                match end {
                    FollowEnd::Lost { standby, .. } => {
                        failover = standby;
                        if !standby {
                            shared.ha.set_role(ServerRole::Starting);
                            info!("the active was lost before this server finished its sync: it cannot be elected; looking for an active");
                        }
                    }
                    FollowEnd::NotJoined(why) => {
                        info!(%why, "could not join the elected active: electing again");
                    }
                    FollowEnd::Foreign(why) => {
                        tracing::error!("{why}");
                        *shared.ha.fatal.lock() = Some(why);
                        shared.request_shutdown(true);
                        return;
                    }
                }
                shared
                    .ha
                    .peers
                    .lock()
                    .retain(|_, v| v.seen.elapsed() < Duration::from_millis(1));
            }
        }
    }
}

//! Epoch fencing and split brain (seed 001 zap rules).
//!
//! Every active term has an epoch, higher than any term its server knew of when it was elected
//! ([`super::Ha::fence`]). The fence works three ways:
//!
//! - **Active side.** When an active loses a standby, its next acknowledgement first checks the
//!   group ([`verify_writable`]): a reachable peer that is ACTIVE-COORDINATOR in a newer epoch
//!   means this server was deposed (it was frozen or cut off long enough for a failover); it
//!   steps down ([`step_down`]): nothing more is acknowledged, its clients are told to move on,
//!   and the election loop restarts it as a passive of the new active. When no peer is
//!   reachable it carries on alone (as Terracotta does) and the zap rules decide later.
//! - **Passive side.** A passive refuses to join or follow an active whose epoch is older than
//!   one it knows of, and tells it ([`GroupMsg::Deposed`]).
//! - **Client side.** A client that has seen epoch N refuses a server at an older epoch
//!   (`client/src/client/fence.rs`).
//!
//! While active, a server keeps probing its peers ([`watch_group`]). Two actives that meet
//! exchange [`GroupMsg::Contest`] figures (the one with the smaller name asks; both decide on
//! the same two figures with [`decide`]):
//!
//! 1. a side that acknowledged writes alone (no standby) wins over one that did not — the other
//!    side holds nothing that would be lost;
//! 2. neither did: the newer epoch wins (the fence);
//! 3. both did (seed 001): more connected clients wins; a tie goes to the freshest GTX, then to
//!    the smaller server name.
//!
//! The loser logs both sides' figures, steps down and resyncs as a passive (its graph replaced
//! by the winner's); the winner takes an epoch above both and opens a reconnect window for the
//! loser's clients. What the loser acknowledged alone is lost: that is the price of running two
//! actives, which quorum mode rules out.

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use bytes::BytesMut;
use kiln_protocol::group::{GroupMsg, ServerRole};
use kiln_protocol::{ErrorCode, Message};
use tokio::io::AsyncWriteExt;
use tokio::net::tcp::OwnedWriteHalf;
use tokio::net::TcpStream;
use tracing::{error, info, warn};

use crate::server::Shared;
use crate::store::{KnownClient, Op};

use super::election::{my_hello, read_msg};

/// One side's figures in a contest between two actives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Figures {
    /// Server name.
    pub name: String,
    /// Epoch.
    pub epoch: u64,
    /// Last GTX.
    pub gtx: u64,
    /// Acknowledged writes with no standby.
    pub alone: bool,
    /// Connected clients.
    pub clients: usize,
}

impl std::fmt::Display for Figures {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}(epoch={}, clients={}, gtx={}, acked_alone={})",
            self.name, self.epoch, self.clients, self.gtx, self.alone
        )
    }
}

/// Whether `a` wins over `b` (see the module docs); the same answer on both sides. In quorum
/// mode the newer epoch wins (the older active's lease has run out: it cannot have had a
/// majority since the newer term was granted).
pub fn decide_in(quorum: bool, a: &Figures, b: &Figures) -> bool {
    if quorum {
        return (a.epoch, std::cmp::Reverse(&a.name)) > (b.epoch, std::cmp::Reverse(&b.name));
    }
    decide(a, b)
}

/// Whether `a` wins over `b` under the zap rules (see the module docs); the same answer on
/// both sides.
pub fn decide(a: &Figures, b: &Figures) -> bool {
    if a.alone != b.alone {
        return a.alone;
    }
    if !a.alone && a.epoch != b.epoch {
        return a.epoch > b.epoch;
    }
    (a.clients, a.gtx, std::cmp::Reverse(&a.name)) > (b.clients, b.gtx, std::cmp::Reverse(&b.name))
}

/// This active's contest message and figures.
fn my_contest(shared: &Shared) -> (GroupMsg, Figures) {
    let alone = shared.ha.alone.load(Ordering::Acquire) && !has_standby(shared);
    let st = shared.state.lock();
    let clients: Vec<(u64, u64, String)> = st
        .clients
        .iter()
        .map(|(id, c)| (*id, c.last_seq, c.info.name.clone()))
        .collect();
    let f = Figures {
        name: shared.settings.name.clone(),
        epoch: st.epoch,
        gtx: st.gtx,
        alone,
        clients: clients.len(),
    };
    (
        GroupMsg::Contest {
            epoch: st.epoch,
            gtx: st.gtx,
            alone,
            clients,
            next_client: st.next_client,
        },
        f,
    )
}

fn has_standby(shared: &Shared) -> bool {
    shared.ha.links.lock().iter().any(|l| l.is_standby())
}

/// Records, before an acknowledgement, that this active acknowledges with no standby.
fn note_alone(shared: &Shared) {
    if shared.ha.is_group() && !has_standby(shared) {
        shared.ha.alone.store(true, Ordering::Release);
    }
}

/// Checks, before an acknowledgement, that this server may acknowledge: not deposed, and —
/// after it lost a standby — that no reachable peer is active in a newer epoch (else it steps
/// down). Called by the commit path (`Pending::wait`) for every batch it acknowledges.
pub async fn verify_writable(shared: &Shared) -> Result<(), String> {
    if !shared.ha.is_group() {
        return Ok(());
    }
    if let Some(why) = shared.ha.deposed() {
        return Err(why);
    }
    if shared.ha.suspect.load(Ordering::Acquire) {
        let _one = shared.ha.verifying.lock().await;
        if shared.ha.suspect.load(Ordering::Acquire) {
            let newer = newer_active(shared).await;
            if let Some((peer, epoch)) = newer {
                let mine = shared.state.lock().epoch;
                step_down(
                    shared,
                    format!(
                        "server '{}' was deposed: '{peer}' is ACTIVE-COORDINATOR in the newer epoch {epoch} (this server's epoch {mine}); \
                         it acknowledges nothing more and restarts as a passive",
                        shared.settings.name
                    ),
                );
            } else {
                info!("a standby was lost and no newer active is reachable: this server stays ACTIVE-COORDINATOR and acknowledges alone");
                shared.ha.suspect.store(false, Ordering::Release);
            }
        }
    }
    if let Some(why) = shared.ha.deposed() {
        return Err(why);
    }
    if !shared.ha.lease_ok() {
        return Err(super::quorum::no_quorum(shared));
    }
    note_alone(shared);
    Ok(())
}

/// The fast path of the commit pipeline (nothing to wait for): whether it may acknowledge at
/// once. When not, the batch goes through [`verify_writable`].
pub fn may_ack_now(shared: &Shared) -> bool {
    if !shared.ha.is_group() {
        return true;
    }
    if !shared.ha.may_ack_now() {
        return false;
    }
    note_alone(shared);
    true
}

/// Opens a group connection to `addr` and exchanges Hellos (the peer's is recorded).
async fn hello_to(
    shared: &Shared,
    addr: &str,
) -> Option<(
    GroupMsg,
    tokio::net::tcp::OwnedReadHalf,
    OwnedWriteHalf,
    BytesMut,
)> {
    let sock = tokio::time::timeout(Duration::from_millis(500), TcpStream::connect(addr))
        .await
        .ok()?
        .ok()?;
    let _ = sock.set_nodelay(true);
    let (mut rd, mut wr) = sock.into_split();
    let mut b = BytesMut::new();
    my_hello(shared).encode_framed(&mut b);
    wr.write_all(&b).await.ok()?;
    let mut buf = BytesMut::new();
    let m = read_msg(&mut rd, &mut buf, Duration::from_secs(1)).await?;
    super::election::record(shared, &m)?;
    Some((m, rd, wr, buf))
}

/// The epoch of the peer at `addr` when it answers as ACTIVE-COORDINATOR in an epoch newer
/// than this server's (the epoch is seen either way: it fences this server's clients).
pub(super) async fn newer_epoch_at(shared: &Shared, addr: &str) -> Option<u64> {
    let (hello, ..) = hello_to(shared, addr).await?;
    let GroupMsg::Hello {
        role: ServerRole::ActiveCoordinator,
        epoch,
        ..
    } = hello
    else {
        return None;
    };
    shared.ha.see_epoch(epoch);
    (epoch > shared.state.lock().epoch).then_some(epoch)
}

/// A reachable peer that is ACTIVE-COORDINATOR in an epoch newer than this server's.
async fn newer_active(shared: &Shared) -> Option<(String, u64)> {
    let g = shared.ha.group.clone()?;
    for p in &g.peers {
        if let Some(epoch) = newer_epoch_at(shared, &p.group_addr).await {
            return Some((p.name.clone(), epoch));
        }
    }
    None
}

/// Deposes this active: nothing more is acknowledged (batches in flight are refused with
/// `why`), its passives are let go, its clients are told to move to the new active (they
/// fail over with their unacknowledged transactions), and the election loop restarts it as a
/// passive of the new active (which replaces its graph: see `passive::follow`).
pub fn step_down(shared: &Shared, why: String) {
    {
        let mut d = shared.ha.deposed.lock();
        if d.is_some() {
            return;
        }
        *d = Some(why.clone());
    }
    error!(reason = %why, "stepping down: this server is no longer ACTIVE-COORDINATOR");
    shared.ha.set_role(ServerRole::Starting);
    *shared.ha.lease_until.lock() = None;
    let links: Vec<_> = shared.ha.links.lock().clone();
    for l in &links {
        super::replication::drop_link(shared, l, "this server stepped down");
    }
    {
        let mut st = shared.state.lock();
        for id in st.clients.keys().copied().collect::<Vec<_>>() {
            st.send(
                id,
                Message::Error {
                    code: ErrorCode::ShuttingDown,
                    message: why.clone(),
                },
            );
        }
        st.was_active = false;
        // Clients of a reconnect window this server held go to the new active.
        st.known.clear();
        st.awaiting.clear();
    }
    if let Some(store) = &shared.store {
        drop(store.submit(vec![Op::PutMeta("was_active", 0)]));
    }
    shared.ha.stepped_down.notify_one();
}

/// Sends one message on a group connection.
async fn send(wr: &mut OwnedWriteHalf, m: &GroupMsg) -> bool {
    let mut b = BytesMut::new();
    m.encode_framed(&mut b);
    wr.write_all(&b).await.is_ok()
}

/// Applies the outcome of a contest between this active (`me`) and `peer` whose message was
/// `theirs`.
fn settle(shared: &Arc<Shared>, me: &Figures, peer: &Figures, theirs: &GroupMsg) {
    if !shared.ha.is_active() || shared.ha.deposed().is_some() {
        // This server stepped down (fenced by its old standby, or by another contest) while
        // the contest was under way: it is no side any more, and must not "win" with the
        // figures it took over from the new active.
        info!(peer = %peer.name, "split-brain contest abandoned: this server is no longer ACTIVE-COORDINATOR");
        return;
    }
    let won = decide_in(shared.ha.is_quorum(), me, peer);
    let (winner, loser) = if won { (me, peer) } else { (peer, me) };
    warn!(
        winner = %winner,
        loser = %loser,
        "split brain: two ACTIVE-COORDINATORs met (zap rules: acknowledged alone, then epoch, then connected clients, freshest GTX, server name)"
    );
    if !won {
        let by_epoch = shared.ha.is_quorum() || (!me.alone && !peer.alone);
        let why = if by_epoch {
            // The fence: the other side holds the newer term.
            format!(
                "server '{}' was deposed: '{}' is ACTIVE-COORDINATOR in the newer epoch {} ({winner} over {loser}); \
                 this server acknowledges nothing more and resyncs as a passive",
                me.name, peer.name, peer.epoch
            )
        } else {
            format!(
                "server '{}' was zapped: '{}' won the split-brain contest ({winner} over {loser}); \
                 this server resyncs as a passive and what it acknowledged alone is discarded",
                me.name, peer.name
            )
        };
        step_down(shared, why);
        return;
    }
    let GroupMsg::Contest {
        clients,
        next_client,
        ..
    } = theirs
    else {
        return;
    };
    let mut st = shared.state.lock();
    if !shared.ha.is_quorum() {
        // Above both terms, so that the loser's clients and passives fence it. (In quorum mode
        // the winner already holds the newer term, granted by a majority.)
        st.epoch = st.epoch.max(peer.epoch) + 1;
    }
    shared.ha.see_epoch(st.epoch);
    st.next_client = st.next_client.max(*next_client);
    let mut adopted = Vec::new();
    for (id, _their_seq, name) in clients {
        if st.clients.contains_key(id) {
            warn!(client = id, %name, "a client of the zapped server has the id of a connected client: it must restart");
            continue;
        }
        // The high-water mark is this server's own: what the loser applied alone is discarded
        // with its data, so its mark (higher) would make this server drop the client's re-sent
        // transactions as duplicates although it never applied them — acknowledged and lost.
        // A client this server never saw restarts from 0 here.
        let last_seq = st.known.get(id).map_or(0, |k| k.last_seq);
        st.known.insert(
            *id,
            KnownClient {
                name: name.clone(),
                last_seq,
            },
        );
        adopted.push(Op::PutClient(*id, last_seq, name.clone()));
    }
    let mut ops = vec![
        Op::PutMeta("epoch", st.epoch),
        Op::PutMeta("next_client", st.next_client),
    ];
    let adopted_n = adopted.len();
    ops.extend(adopted);
    drop(shared.record(ops));
    info!(
        epoch = st.epoch,
        adopted_clients = adopted_n,
        "won the split-brain contest: new epoch; the zapped server's clients get a reconnect window here"
    );
    if adopted_n > 0 {
        shared.open_window(&mut st);
    }
}

/// Answers a peer's `Contest` on this (active) server's group port and settles it.
pub async fn answer_contest(
    shared: Arc<Shared>,
    peer: String,
    theirs: GroupMsg,
    mut wr: OwnedWriteHalf,
) {
    let GroupMsg::Contest {
        epoch,
        gtx,
        alone,
        clients,
        ..
    } = &theirs
    else {
        return;
    };
    let other = Figures {
        name: peer,
        epoch: *epoch,
        gtx: *gtx,
        alone: *alone,
        clients: clients.len(),
    };
    let (msg, me) = my_contest(&shared);
    if !send(&mut wr, &msg).await {
        return;
    }
    settle(&shared, &me, &other, &theirs);
}

/// While this server is active: probe the peers every ping interval; a peer that is active
/// too is contested (this side asks when its name is the smaller one).
pub async fn watch_group(shared: Arc<Shared>) {
    let Some(g) = shared.ha.group.clone() else {
        return;
    };
    let every = g
        .ping_interval
        .clamp(Duration::from_millis(100), Duration::from_secs(1));
    loop {
        tokio::time::sleep(every).await;
        if !shared.ha.is_active() || shared.ha.deposed().is_some() {
            return;
        }
        for p in &g.peers {
            let Some((hello, mut rd, mut wr, mut buf)) = hello_to(&shared, &p.group_addr).await
            else {
                continue;
            };
            let GroupMsg::Hello {
                role: ServerRole::ActiveCoordinator,
                epoch,
                ..
            } = hello
            else {
                continue;
            };
            shared.ha.see_epoch(epoch);
            if !shared.ha.is_active() || shared.ha.deposed().is_some() {
                return; // stepped down meanwhile: nothing to contest
            }
            if g.me > p.name {
                // The other one asks; a newer active after a lost standby is caught by
                // verify_writable before anything more is acknowledged.
                continue;
            }
            let (msg, me) = my_contest(&shared);
            if !send(&mut wr, &msg).await {
                continue;
            }
            let Some(theirs) = read_msg(&mut rd, &mut buf, Duration::from_secs(2)).await else {
                continue;
            };
            let GroupMsg::Contest {
                epoch,
                gtx,
                alone,
                clients,
                ..
            } = &theirs
            else {
                continue;
            };
            let other = Figures {
                name: p.name.clone(),
                epoch: *epoch,
                gtx: *gtx,
                alone: *alone,
                clients: clients.len(),
            };
            settle(&shared, &me, &other, &theirs);
            if shared.ha.deposed().is_some() {
                return;
            }
        }
    }
}

/// The passive's fence: `Err` (and a `Deposed` sent to it) when the active that answered
/// with `hello` is older than a term this server knows of.
pub async fn refuse_stale_active(
    shared: &Shared,
    hello: &GroupMsg,
    wr: &mut OwnedWriteHalf,
) -> Result<(), String> {
    let GroupMsg::Hello { server, epoch, .. } = hello else {
        return Ok(());
    };
    let fence = shared.ha.fence();
    if *epoch >= fence {
        shared.ha.see_epoch(*epoch);
        return Ok(());
    }
    let active = shared.ha.active_of(fence).unwrap_or_default();
    warn!(active = %server, epoch, fence, newer_active = %active, "refusing to follow an active of an older epoch (fenced): telling it it was deposed");
    send(
        wr,
        &GroupMsg::Deposed {
            epoch: fence,
            active,
        },
    )
    .await;
    Err(format!(
        "'{server}' is active in epoch {epoch}, older than epoch {fence} this server knows of"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(name: &str, epoch: u64, clients: usize, gtx: u64, alone: bool) -> Figures {
        Figures {
            name: name.into(),
            epoch,
            gtx,
            alone,
            clients,
        }
    }

    #[test]
    fn zap_rules_are_the_same_on_both_sides() {
        let cases = [
            // Only one acknowledged alone: it wins, whatever the clients.
            (f("s1", 2, 0, 10, true), f("s2", 3, 5, 10, false), true),
            // Neither: the newer epoch wins (fence).
            (f("s1", 2, 4, 10, false), f("s2", 3, 0, 10, false), false),
            // Both: more clients.
            (f("s1", 2, 1, 99, true), f("s2", 3, 2, 10, true), false),
            // Tie: freshest GTX.
            (f("s1", 2, 2, 11, true), f("s2", 3, 2, 10, true), true),
            // Tie again: smaller name.
            (f("s2", 2, 2, 10, true), f("s1", 3, 2, 10, true), false),
        ];
        for (a, b, a_wins) in cases {
            assert_eq!(decide(&a, &b), a_wins, "{a} vs {b}");
            assert_eq!(decide(&b, &a), !a_wins, "{b} vs {a}");
        }
    }
}

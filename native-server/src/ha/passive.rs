//! The passive's side: join the active (PASSIVE-UNINITIALIZED), apply the sync (INITIALIZING,
//! progress logged), become PASSIVE-STANDBY, then apply and acknowledge every replicated batch
//! (after making it durable in a persistent group) until the active is lost.

use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::BytesMut;
use kiln_protocol::group::{GroupMsg, ServerRole};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tracing::{info, warn};

use crate::objects::Objects;
use crate::server::Shared;
use crate::store::Op;

use super::{apply_ops, to_store_op, SyncProgress};

/// How following an active ended.
#[derive(Debug)]
pub enum FollowEnd {
    /// Could not join (not reachable, not active): look again.
    NotJoined(String),
    /// The active is of another cluster than this server's data: not joined (the data is
    /// left as it is), the server stops.
    Foreign(String),
    /// Joined, then the link broke; `standby` tells whether this server had finished its sync.
    Lost {
        /// Whether this server was a PASSIVE-STANDBY when the active was lost.
        standby: bool,
        /// Why.
        why: String,
    },
}

async fn send(wr: &mut tokio::net::tcp::OwnedWriteHalf, m: &GroupMsg) -> std::io::Result<()> {
    let mut b = BytesMut::with_capacity(64);
    m.encode_framed(&mut b);
    wr.write_all(&b).await
}

/// Joins the active at `addr` (server `name`) and follows it until the link breaks.
pub async fn follow(shared: &Arc<Shared>, name: &str, addr: &str) -> FollowEnd {
    let Some(g) = shared.ha.group.clone() else {
        return FollowEnd::NotJoined("no group".into());
    };
    let sock = match tokio::time::timeout(Duration::from_secs(2), TcpStream::connect(addr)).await {
        Ok(Ok(s)) => s,
        Ok(Err(e)) => return FollowEnd::NotJoined(format!("{addr}: {e}")),
        Err(_) => return FollowEnd::NotJoined(format!("{addr}: connect timed out")),
    };
    let _ = sock.set_nodelay(true);
    let (mut rd, mut wr) = sock.into_split();
    let hello = super::election::my_hello(shared);
    if let Err(e) = send(&mut wr, &hello).await {
        return FollowEnd::NotJoined(e.to_string());
    }
    let mut buf = BytesMut::with_capacity(1 << 20);
    let max = kiln_protocol::frame::DEFAULT_MAX_FRAME * 4;
    // Its Hello.
    let deadline = Instant::now() + Duration::from_secs(2);
    let peer = loop {
        match GroupMsg::decode_framed(&mut buf, max) {
            Ok(Some(m)) => break m,
            Ok(None) => {}
            Err(e) => return FollowEnd::NotJoined(e.to_string()),
        }
        match tokio::time::timeout_at(deadline.into(), rd.read_buf(&mut buf)).await {
            Ok(Ok(n)) if n > 0 => {}
            _ => return FollowEnd::NotJoined(format!("{addr}: no group Hello")),
        }
    };
    match &peer {
        GroupMsg::Hello {
            role: ServerRole::ActiveCoordinator,
            group,
            ..
        } if *group == g.name => {}
        GroupMsg::Hello { group, .. } if *group != g.name => {
            return FollowEnd::NotJoined(format!(
                "{name} at {addr} is a server of group '{group}', not of this server's group '{}': not joining it (check <servers> in the configuration)",
                g.name
            ))
        }
        other => return FollowEnd::NotJoined(format!("{name} is not active ({other:?})")),
    }
    // Same group and server names are not enough: data of another cluster is neither joined
    // nor wiped to the backup directory (it is not this cluster's data).
    if let GroupMsg::Hello { cluster, .. } = &peer {
        let mine = shared.state.lock().cluster;
        if mine != 0 && *cluster != 0 && mine != *cluster {
            let data = shared.store.as_ref().map_or_else(
                || "(in memory)".to_owned(),
                |s| s.path().display().to_string(),
            );
            return FollowEnd::Foreign(format!(
                "server '{}' refuses to join active '{name}' at {addr}: its data (directory {data}) belongs to cluster {},                  but '{name}' is active for cluster {} of group '{}' (same group and server names, another cluster).                  The data is left untouched (not moved to {}); point <data> at this cluster's directory, or move {data}                  away to join this cluster empty",
                shared.settings.name,
                super::cluster_hex(mine),
                super::cluster_hex(*cluster),
                g.name,
                crate::store::BACKUP_DIR,
            ));
        }
    }
    if let Err(why) = super::zap::refuse_stale_active(shared, &peer, &mut wr).await {
        return FollowEnd::NotJoined(why);
    }
    // Seed 001: a server that had data (a restarted former active, or a passive with an old
    // copy) keeps it, moved aside, before it resyncs from the active.
    let mut moved = false;
    if let Some(store) = &shared.store {
        let (objects, roots, gtx, was_active) = {
            let st = shared.state.lock();
            (st.objects.len(), st.roots.len(), st.gtx, st.was_active)
        };
        if objects > 0 || roots > 0 || gtx > 0 {
            match store.move_to_backup().await {
                Ok(Ok(backup)) => {
                    moved = true;
                    warn!(
                    active = %name,
                    backup = %backup.display(),
                    objects,
                    roots,
                    gtx,
                    was_active,
                    "another server is active: this server's data was moved to {} and it resyncs from '{name}' as a passive",
                    backup.display()
                    )
                }
                Ok(Err(e)) => {
                    return FollowEnd::NotJoined(format!(
                        "cannot move this server's data to {}/{}: {e}",
                        store.path().display(),
                        crate::store::BACKUP_DIR
                    ))
                }
                Err(_) => return FollowEnd::NotJoined("the store writer stopped".into()),
            }
        }
    }
    if let Err(e) = send(&mut wr, &GroupMsg::Join).await {
        return FollowEnd::NotJoined(e.to_string());
    }
    *shared.ha.active.lock() = Some(name.to_owned());
    shared.ha.set_role(ServerRole::PassiveUninitialized);
    info!(active = %name, %addr, "joined the active: PASSIVE-UNINITIALIZED, waiting for the sync");
    // Whatever this server had is replaced by the active's graph.
    {
        let mut st = shared.state.lock();
        if let Some(store) = shared.store.as_ref().filter(|_| !moved) {
            let mut ops: Vec<Op> = st.objects.ids().into_iter().map(Op::DelObject).collect();
            ops.extend(st.roots.keys().map(|k| Op::DelRoot(k.clone())));
            ops.extend(st.known.keys().map(|c| Op::DelClient(*c)));
            // No longer the last active: a full restart must prefer the server that is.
            ops.push(Op::PutMeta("was_active", 0));
            drop(store.submit(ops));
        }
        st.objects = Objects::default();
        st.roots.clear();
        st.known.clear();
        st.gtx = 0;
        st.was_active = false;
    }
    let mut f = Follow {
        started: Instant::now(),
        progress: SyncProgress::default(),
        last_log: Instant::now(),
        standby: false,
        applied_seq: 0,
    };
    let end = 'follow: loop {
        // The read-apply-acknowledge loop runs on a thread of its own with a blocking socket:
        // a Replicate frame wakes that thread directly (no reactor → task hop), and its
        // acknowledgement is written as soon as the batch is applied in memory (in a
        // persistent group: once the store made it durable).
        let sock = match rd.reunite(wr) {
            Ok(s) => s,
            Err(e) => return lost(shared, f.standby, format!("group socket: {e}")),
        };
        let std_sock = match sock.into_std().and_then(|s| {
            s.set_nonblocking(false)?;
            s.set_read_timeout(Some(g.peer_timeout))?;
            Ok(s)
        }) {
            Ok(s) => s,
            Err(e) => return lost(shared, f.standby, format!("group socket: {e}")),
        };
        let sh = shared.clone();
        let timeout = g.peer_timeout;
        let joined = tokio::task::spawn_blocking(move || {
            let r = follow_blocking(&sh, &std_sock, &mut buf, &mut f, max, timeout);
            (r, std_sock, buf, f)
        })
        .await;
        let (r, std_sock, f2) = match joined {
            Ok((r, sock, _buf, f)) => (r, sock, f),
            Err(e) => return lost(shared, false, format!("the replication thread failed: {e}")),
        };
        f = f2;
        // The broken connection is closed; a reconnect brings a new one (and buffer).
        drop(std_sock);
        let why = match r {
            Step::Fatal(e) => return lost(shared, f.standby, e),
            Step::Broke(why) => why,
        };
        let standby = f.standby;
        let applied_seq = f.applied_seq;
        // l2.nha.tcgroupcomm.reconnect: a standby tries to get the same link back within the
        // timeout (no election, no resync) before it treats the active as lost.
        let Some(timeout) = g.reconnect.filter(|_| standby) else {
            break why;
        };
        warn!(active = %name, reason = %why, timeout_ms = timeout.as_millis() as u64, "link to the active broke: reconnecting (l2.nha.tcgroupcomm.reconnect)");
        let deadline = Instant::now() + timeout;
        while Instant::now() < deadline {
            if let Some((r, w, b)) = reconnect(shared, addr, applied_seq, deadline).await {
                info!(active = %name, applied_seq, "link to the active reconnected: replication resumes (no election, no resync)");
                (rd, wr, buf) = (r, w, b);
                continue 'follow;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        break format!(
            "{why}; not reconnected within {} ms (l2.nha.tcgroupcomm.reconnect.timeout)",
            timeout.as_millis()
        );
    };
    lost(shared, f.standby, end)
}

/// The passive's progress through one follow (kept across reconnects of the link).
#[derive(Debug)]
struct Follow {
    started: Instant,
    progress: SyncProgress,
    last_log: Instant,
    /// Whether the sync finished (PASSIVE-STANDBY).
    standby: bool,
    /// Highest replication sequence applied (a reconnected link may repeat some: skipped).
    applied_seq: u64,
}

/// How [`follow_blocking`] ended.
#[derive(Debug)]
enum Step {
    /// The link broke (it may be reconnected).
    Broke(String),
    /// Protocol, apply or storage error: the active is lost.
    Fatal(String),
}

fn write_msg(mut sock: &std::net::TcpStream, m: &GroupMsg) -> std::io::Result<()> {
    use std::io::Write as _;
    let mut b = BytesMut::with_capacity(64);
    m.encode_framed(&mut b);
    sock.write_all(&b)
}

/// Reads, applies and acknowledges on a blocking socket (read timeout = the L2→L2
/// HealthChecker time) until the link breaks.
fn follow_blocking(
    shared: &Shared,
    sock: &std::net::TcpStream,
    buf: &mut BytesMut,
    f: &mut Follow,
    max: usize,
    peer_timeout: Duration,
) -> Step {
    use std::io::Read as _;
    let mut chunk = vec![0u8; 256 * 1024];
    loop {
        if shared.shutdown.borrow().is_some() {
            return Step::Fatal("the server is stopping".into());
        }
        let mut ack = None;
        let mut durable = Vec::new();
        loop {
            let msg = match GroupMsg::decode_framed(buf, max) {
                Ok(Some(m)) => m,
                Ok(None) => break,
                Err(e) => return Step::Fatal(format!("protocol error: {e}")),
            };
            match msg {
                GroupMsg::SyncChunk { ops, sent, total } => {
                    if shared.ha.role() == ServerRole::PassiveUninitialized {
                        shared.ha.set_role(ServerRole::Initializing);
                    }
                    let p = &mut f.progress;
                    p.total = total;
                    p.objects = sent;
                    p.bytes += ops.iter().map(|o| o.encoded_len() as u64).sum::<u64>();
                    p.secs = f.started.elapsed().as_secs_f64();
                    if let Err(e) = apply(shared, &ops, &mut durable) {
                        return Step::Fatal(e);
                    }
                    *shared.ha.sync.lock() = Some(f.progress.clone());
                    if f.last_log.elapsed() >= Duration::from_secs(1) {
                        f.last_log = Instant::now();
                        log_sync(
                            &f.progress,
                            "INITIALIZING: receiving the graph from the active",
                        );
                    }
                }
                GroupMsg::SyncDone { seq, epoch } => {
                    shared.ha.see_epoch(epoch);
                    {
                        let mut st = shared.state.lock();
                        st.epoch = st.epoch.max(epoch);
                    }
                    f.progress.secs = f.started.elapsed().as_secs_f64();
                    *shared.ha.sync.lock() = Some(f.progress.clone());
                    log_sync(&f.progress, "sync complete");
                    f.standby = true;
                    shared.ha.set_role(ServerRole::PassiveStandby);
                    f.applied_seq = f.applied_seq.max(seq);
                    ack = Some(seq);
                }
                GroupMsg::Replicate { seq, .. } if f.standby && seq <= f.applied_seq => {}
                GroupMsg::Replicate { seq, ops } => {
                    if let Err(e) = apply(shared, &ops, &mut durable) {
                        return Step::Fatal(e);
                    }
                    f.applied_seq = f.applied_seq.max(seq);
                    ack = Some(seq);
                }
                GroupMsg::Ping { nonce } if write_msg(sock, &GroupMsg::Pong { nonce }).is_err() => {
                    return Step::Broke("write to the active failed".into());
                }
                _ => {}
            }
        }
        // Durable before acknowledged (persistent group).
        for rx in durable {
            match rx.blocking_recv() {
                Ok(Ok(())) => {}
                Ok(Err(e)) => {
                    warn!(error = %e, "cannot make the replicated batch durable: leaving the group");
                    return Step::Fatal(format!("storage: {e}"));
                }
                Err(_) => return Step::Fatal("the store writer stopped".into()),
            }
        }
        if let Some(seq) = ack {
            if write_msg(sock, &GroupMsg::Ack { seq }).is_err() {
                return Step::Broke("write to the active failed".into());
            }
        }
        match (&*sock).read(&mut chunk) {
            Ok(0) => return Step::Broke("the active closed the connection".into()),
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) =>
            {
                return Step::Broke(format!(
                    "no traffic from the active for {} ms (l2.healthcheck.l2 idletime + interval*probes)",
                    peer_timeout.as_millis()
                ))
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Step::Broke(format!("read from the active failed: {e}")),
        }
    }
}

/// One attempt to get the replication link back: `Hello`, the active's `Hello` (still active),
/// then `Ack{applied}` instead of `Join`; the active resends from there. `None` if the active
/// is not reachable, not active, or has no link waiting (it closes the connection: noticed at
/// the next read).
async fn reconnect(
    shared: &Arc<Shared>,
    addr: &str,
    applied: u64,
    deadline: Instant,
) -> Option<(
    tokio::net::tcp::OwnedReadHalf,
    tokio::net::tcp::OwnedWriteHalf,
    BytesMut,
)> {
    let sock = tokio::time::timeout_at(deadline.into(), TcpStream::connect(addr))
        .await
        .ok()?
        .ok()?;
    let _ = sock.set_nodelay(true);
    let (mut rd, mut wr) = sock.into_split();
    send(&mut wr, &super::election::my_hello(shared))
        .await
        .ok()?;
    let mut buf = BytesMut::with_capacity(1 << 20);
    let max = kiln_protocol::frame::DEFAULT_MAX_FRAME * 4;
    let hello = loop {
        match GroupMsg::decode_framed(&mut buf, max) {
            Ok(Some(m)) => break m,
            Ok(None) => {}
            Err(_) => return None,
        }
        match tokio::time::timeout_at(deadline.into(), rd.read_buf(&mut buf)).await {
            Ok(Ok(n)) if n > 0 => {}
            _ => return None,
        }
    };
    if !matches!(
        hello,
        GroupMsg::Hello {
            role: ServerRole::ActiveCoordinator,
            ..
        }
    ) {
        return None;
    }
    send(&mut wr, &GroupMsg::Ack { seq: applied }).await.ok()?;
    Some((rd, wr, buf))
}

fn lost(shared: &Shared, standby: bool, why: String) -> FollowEnd {
    let active = shared.ha.active.lock().take().unwrap_or_default();
    warn!(%active, reason = %why, standby, "lost the active");
    FollowEnd::Lost { standby, why }
}

fn apply(
    shared: &Shared,
    ops: &[kiln_protocol::group::GroupOp],
    durable: &mut Vec<tokio::sync::oneshot::Receiver<Result<(), String>>>,
) -> Result<(), String> {
    let mut st = shared.state.lock();
    apply_ops(&mut st, ops)?;
    if let Some(store) = &shared.store {
        let sops: Vec<Op> = ops.iter().filter_map(to_store_op).collect();
        if !sops.is_empty() {
            durable.push(store.submit(sops));
        }
    }
    Ok(())
}

fn log_sync(p: &SyncProgress, what: &str) {
    let secs = p.secs.max(1e-6);
    let mb = p.bytes as f64 / 1e6;
    info!(
        objects = p.objects,
        total = p.total,
        percent = (p.objects * 100).checked_div(p.total).unwrap_or(100),
        mb = format!("{mb:.1}"),
        mb_per_sec = format!("{:.1}", mb / secs),
        objects_per_sec = (p.objects as f64 / secs) as u64,
        secs = format!("{secs:.2}"),
        "{what}"
    );
}

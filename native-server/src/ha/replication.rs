//! The active's side of the group: one [`Link`] per passive. A joining passive gets the whole
//! graph (a sync, while the active keeps serving), then — on the same ordered connection — every
//! committed batch. Once the sync is done the passive is a PASSIVE-STANDBY and the commit
//! pipeline waits for its acknowledgement of each batch ([`ReplWait`]) before the clients are
//! acknowledged. A standby that does not acknowledge within the L2→L2 HealthChecker time, or
//! whose connection breaks, is dropped from the group (logged) and never waited for again.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::{Bytes, BytesMut};
use kiln_protocol::group::{GroupMsg, GroupOp};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::sync::{mpsc, watch, Notify};
use tracing::{info, warn};

use crate::server::Shared;
use crate::store::Op;

use super::{snapshot_head, to_group_op};

/// Objects per sync chunk.
const SYNC_CHUNK_OBJECTS: usize = 4096;
/// The sync pauses while more than this many bytes wait to be written to the passive.
const SYNC_MAX_QUEUED: usize = 16 * 1024 * 1024;
/// A passive with more than this many bytes of replication queued for it has fallen too far
/// behind: it is dropped (it rejoins and resyncs).
const MAX_BEHIND_BYTES: usize = 512 * 1024 * 1024;

/// One passive of this active.
#[derive(Debug)]
pub struct Link {
    /// Passive server name.
    pub name: String,
    tx: mpsc::UnboundedSender<Bytes>,
    standby: AtomicBool,
    acked: watch::Sender<u64>,
    dead: AtomicBool,
    kill: Notify,
    queued: AtomicUsize,
    last_ack: AtomicU64,
    /// `l2.nha.tcgroupcomm.reconnect`: the `Replicate` frames not acknowledged yet (seq, frame),
    /// sent again when the standby reconnects after a blip.
    retained: parking_lot::Mutex<VecDeque<(u64, Bytes)>>,
    /// While the standby's connection is down and it may reconnect: where its new connection
    /// is handed over.
    resume: parking_lot::Mutex<Option<tokio::sync::oneshot::Sender<Resumed>>>,
    /// Stops the writer task (handing its queue back) while the standby reconnects.
    pause: Notify,
    /// The last "is that peer a newer active?" check (one probe at a time, reused for 1 s by
    /// every waiter that times out together).
    peer_check: tokio::sync::Mutex<Option<(Instant, NewerActive)>>,
    /// The socket of the running writer task, for [`Link::send`]'s direct write: a frame sent
    /// while nothing is queued goes to the socket from the sending task (the commit's own
    /// task), without waking the writer. The mutex orders direct writes against each other;
    /// `queued` orders them against the writer (a direct write only while it is 0).
    direct: parking_lot::Mutex<Option<Arc<OwnedWriteHalf>>>,
}

/// `Some((the peer's epoch, this server's epoch))` when the peer is a newer active.
type NewerActive = Option<(u64, u64)>;

/// A standby's new group connection after a blip, with the last sequence it applied.
#[derive(Debug)]
pub struct Resumed {
    rd: OwnedReadHalf,
    wr: OwnedWriteHalf,
    buf: BytesMut,
    acked: u64,
}

impl Link {
    /// Whether the passive finished its sync (its acknowledgement is waited for).
    pub fn is_standby(&self) -> bool {
        self.standby.load(Ordering::Acquire)
    }
    /// Highest replication sequence it acknowledged.
    pub fn acked(&self) -> u64 {
        *self.acked.borrow()
    }
    /// Sends one frame: written to the socket right here when nothing is queued and the
    /// socket takes it whole (the usual case for a lone synchronous write: no task hop before
    /// it leaves), else (or for what the socket did not take) queued for the writer task.
    fn send(&self, mut b: Bytes) -> bool {
        if self.dead.load(Ordering::Acquire) {
            return false;
        }
        let direct = self.direct.lock();
        if let Some(wr) = direct.as_ref() {
            if self.queued.load(Ordering::Acquire) == 0 {
                match wr.try_write(&b) {
                    Ok(n) if n == b.len() => return true,
                    Ok(n) => {
                        let _ = b.split_to(n);
                    }
                    // Would block, or failed: the writer writes it (and reports a failure).
                    Err(_) => {}
                }
            }
        }
        self.queued.fetch_add(b.len(), Ordering::AcqRel);
        let ok = self.tx.send(b).is_ok();
        drop(direct);
        ok
    }
    fn send_msg(&self, m: &GroupMsg) -> bool {
        let mut b = BytesMut::with_capacity(64);
        m.encode_framed(&mut b);
        self.send(b.freeze())
    }
}

/// Waits for the standbys' acknowledgement of one replicated batch.
#[derive(Debug)]
pub struct ReplWait {
    seq: u64,
    links: Vec<Arc<Link>>,
    timeout: Duration,
}

impl ReplWait {
    /// Completes when every standby that was in the group at send time acknowledged the batch,
    /// left, or was dropped for not acknowledging within the L2→L2 HealthChecker time.
    pub async fn wait(self, shared: &Shared) {
        let deadline = Instant::now() + self.timeout;
        for l in self.links {
            let mut rx = l.acked.subscribe();
            let seq = self.seq;
            let done = tokio::time::timeout_at(deadline.into(), async {
                let _ = rx.wait_for(|a| *a >= seq).await;
            })
            .await;
            match done {
                Ok(()) => {}
                Err(_) => {
                    if let Some((epoch, mine)) = deposed_by_peer(shared, &l).await {
                        depose(shared, &l.name, epoch, mine);
                    }
                    drop_link(
                    shared,
                    &l,
                    &format!(
                        "it did not acknowledge replicated batch {seq} within {} ms (l2.healthcheck.l2 idletime + interval*probes)",
                        self.timeout.as_millis()
                    ),
                    )
                }
            }
        }
    }
}

/// Removes `link` from the group (logged once) and closes its connection.
pub fn drop_link(shared: &Shared, link: &Arc<Link>, why: &str) {
    if link.dead.swap(true, Ordering::AcqRel) {
        return;
    }
    shared.ha.links.lock().retain(|l| !Arc::ptr_eq(l, link));
    if link.is_standby() {
        shared.ha.standby_lost();
    }
    link.kill.notify_waiters();
    link.kill.notify_one();
    // Wake every waiter: a dropped passive is not waited for.
    link.acked.send_replace(u64::MAX);
    warn!(passive = %link.name, reason = why, "passive dropped from the group");
}

impl Shared {
    /// Sends `ops` to every passive of this active (call with the state lock held, so the
    /// stream order is the order of the changes). `None` when there is no standby to wait for.
    pub fn replicate(&self, ops: &[Op]) -> Option<ReplWait> {
        let links = self.ha.links.lock();
        if links.is_empty() {
            return None;
        }
        let seq = self.ha.repl_seq.fetch_add(1, Ordering::AcqRel) + 1;
        let msg = GroupMsg::Replicate {
            seq,
            ops: ops.iter().map(to_group_op).collect(),
        };
        let mut b = BytesMut::new();
        msg.encode_framed(&mut b);
        let b = b.freeze();
        let mut wait = Vec::new();
        let mut behind = Vec::new();
        let keep = self
            .ha
            .group
            .as_ref()
            .is_some_and(|g| g.reconnect.is_some());
        for l in links.iter() {
            if keep && l.is_standby() {
                l.retained.lock().push_back((seq, b.clone()));
            }
            if l.send(b.clone()) && l.is_standby() {
                wait.push(l.clone());
            }
            if l.queued.load(Ordering::Acquire) > MAX_BEHIND_BYTES {
                behind.push(l.clone());
            }
        }
        drop(links);
        for l in behind {
            drop_link(
                self,
                &l,
                &format!("it fell more than {} MB behind", MAX_BEHIND_BYTES >> 20),
            );
            wait.retain(|w| !Arc::ptr_eq(w, &l));
        }
        let timeout = self
            .ha
            .group
            .as_ref()
            .map_or(Duration::from_secs(8), |g| g.peer_timeout);
        (!wait.is_empty()).then_some(ReplWait {
            seq,
            links: wait,
            timeout,
        })
    }
}

/// Serves a passive that sent `Join` on this (active) server's group port: registers it, streams
/// the whole graph while serving, marks it PASSIVE-STANDBY, then keeps the link (replication,
/// acknowledgements, health checks) until it breaks.
pub async fn serve_passive(
    shared: Arc<Shared>,
    name: String,
    rd: OwnedReadHalf,
    wr: OwnedWriteHalf,
    buf: BytesMut,
) {
    let (tx, rx) = mpsc::unbounded_channel();
    let (acked, _) = watch::channel(0);
    let link = Arc::new(Link {
        name: name.clone(),
        tx,
        standby: AtomicBool::new(false),
        acked,
        dead: AtomicBool::new(false),
        kill: Notify::new(),
        queued: AtomicUsize::new(0),
        last_ack: AtomicU64::new(0),
        retained: parking_lot::Mutex::new(VecDeque::new()),
        resume: parking_lot::Mutex::new(None),
        pause: Notify::new(),
        peer_check: tokio::sync::Mutex::new(None),
        direct: parking_lot::Mutex::new(None),
    });
    let (ping_interval, peer_timeout) = shared
        .ha
        .group
        .as_ref()
        .map_or((Duration::from_secs(1), Duration::from_secs(8)), |g| {
            (g.ping_interval, g.peer_timeout)
        });
    // Register and take the snapshot's head under the state lock: every later change is
    // replicated on this link after it.
    let (ids, started) = {
        let st = shared.state.lock();
        let mut links = shared.ha.links.lock();
        links.retain(|l| l.name != name);
        links.push(link.clone());
        link.acked
            .send_replace(shared.ha.repl_seq.load(Ordering::Acquire));
        let ids = st.objects.ids();
        link.send_msg(&GroupMsg::SyncChunk {
            ops: snapshot_head(&st),
            sent: 0,
            total: ids.len() as u64,
        });
        (ids, Instant::now())
    };
    info!(passive = %name, objects = ids.len(), "passive joined: syncing the whole graph to it while serving");
    let writer = tokio::spawn(write_loop(link.clone(), wr, rx, ping_interval));
    let reader = tokio::spawn(read_loop(link.clone(), rd, buf, peer_timeout));
    let total = ids.len() as u64;
    let mut sent = 0u64;
    let mut bytes = 0u64;
    let mut last_log = Instant::now();
    for chunk in ids.chunks(SYNC_CHUNK_OBJECTS) {
        while link.queued.load(Ordering::Acquire) > SYNC_MAX_QUEUED {
            if link.dead.load(Ordering::Acquire) {
                break;
            }
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        if link.dead.load(Ordering::Acquire) {
            break;
        }
        let st = shared.state.lock();
        let ops: Vec<GroupOp> = chunk
            .iter()
            .filter_map(|oid| st.objects.encoded(oid).map(|b| GroupOp::PutObject(*oid, b)))
            .collect();
        sent += chunk.len() as u64;
        bytes += ops.iter().map(|o| o.encoded_len() as u64).sum::<u64>();
        link.send_msg(&GroupMsg::SyncChunk { ops, sent, total });
        drop(st);
        if last_log.elapsed() >= Duration::from_secs(1) {
            last_log = Instant::now();
            log_progress(&name, sent, total, bytes, started, "syncing passive");
        }
    }
    if !link.dead.load(Ordering::Acquire) {
        let st = shared.state.lock();
        let seq = shared.ha.repl_seq.load(Ordering::Acquire);
        link.send_msg(&GroupMsg::SyncDone {
            seq,
            epoch: st.epoch,
        });
        // From here on every batch waits for this passive (it applies the stream in order).
        link.standby.store(true, Ordering::Release);
        drop(st);
        log_progress(
            &name,
            sent,
            total,
            bytes,
            started,
            "passive synced: it is PASSIVE-STANDBY",
        );
    }
    let reconnect = shared.ha.group.as_ref().and_then(|g| g.reconnect);
    let (mut reader, mut writer) = (reader, writer);
    loop {
        let mut out_rx = None;
        let why = tokio::select! {
            r = &mut reader => r.unwrap_or_else(|e| format!("reader task failed: {e}")),
            w = &mut writer => match w {
                Ok((why, rx)) => {
                    out_rx = Some(rx);
                    why
                }
                Err(e) => format!("writer task failed: {e}"),
            },
            _ = link.kill.notified() => "dropped".to_owned(),
        };
        // Before the waiters are released: a standby that left because it was elected while
        // this server was frozen (SIGSTOP) or cut off means this server is deposed — nothing
        // waiting for the standby may be acknowledged.
        if why != "dropped" && link.is_standby() {
            if let Some((epoch, mine)) = deposed_by_peer(&shared, &link).await {
                depose(&shared, &name, epoch, mine);
                drop_link(&shared, &link, &why);
                return;
            }
        }
        let Some(timeout) = reconnect.filter(|_| {
            link.is_standby() && !link.dead.load(Ordering::Acquire) && why != "dropped"
        }) else {
            drop_link(&shared, &link, &why);
            return;
        };
        // l2.nha.tcgroupcomm.reconnect: hold the standby (and the acknowledgements waiting for
        // it) for at most the timeout while it reconnects.
        let (tx, rx) = tokio::sync::oneshot::channel();
        *link.resume.lock() = Some(tx);
        warn!(passive = %name, reason = %why, timeout_ms = timeout.as_millis() as u64, "standby link lost: waiting for it to reconnect (l2.nha.tcgroupcomm.reconnect)");
        reader.abort();
        let rx_out = match out_rx {
            Some(rx) => Some(rx),
            None => {
                link.pause.notify_one();
                (&mut writer).await.ok().map(|(_, rx)| rx)
            }
        };
        let resumed = tokio::select! {
            r = tokio::time::timeout(timeout, rx) => r.ok().and_then(|r| r.ok()),
            _ = link.kill.notified() => None,
        };
        link.resume.lock().take();
        let (Some(r), Some(out_rx)) = (resumed, rx_out) else {
            drop_link(&shared, &link, &format!("{why}; it did not reconnect within {} ms (l2.nha.tcgroupcomm.reconnect.timeout)", timeout.as_millis()));
            return;
        };
        // Resend what it did not apply, then carry on with the queue (it skips duplicates).
        let resend: Vec<Bytes> = {
            let mut q = link.retained.lock();
            q.retain(|(s, _)| *s > r.acked);
            q.iter().map(|(_, b)| b.clone()).collect()
        };
        info!(passive = %name, acked = r.acked, resent = resend.len(), "standby reconnected: replication resumes where it stopped (no resync, no election)");
        let mut wr = r.wr;
        let mut ok = true;
        for b in resend {
            if wr.write_all(&b).await.is_err() {
                ok = false;
                break;
            }
        }
        if !ok {
            drop_link(&shared, &link, "write to the reconnected standby failed");
            return;
        }
        link.acked.send_if_modified(|a| {
            if r.acked > *a {
                *a = r.acked;
                true
            } else {
                false
            }
        });
        writer = tokio::spawn(write_loop(link.clone(), wr, out_rx, ping_interval));
        reader = tokio::spawn(read_loop(link.clone(), r.rd, r.buf, peer_timeout));
    }
}

/// [`newer_active`] for the peer of `link`, probing at most once a second.
async fn deposed_by_peer(shared: &Shared, link: &Link) -> Option<(u64, u64)> {
    let mut last = link.peer_check.lock().await;
    if let Some((at, r)) = *last {
        if at.elapsed() < Duration::from_secs(1) {
            return r;
        }
    }
    let r = newer_active(shared, &link.name).await;
    *last = Some((Instant::now(), r));
    r
}

/// `Some((its epoch, this server's epoch))` when peer `name` answers as ACTIVE-COORDINATOR with
/// a newer epoch than this server's ([`super::zap::newer_epoch_at`]).
async fn newer_active(shared: &Shared, name: &str) -> Option<(u64, u64)> {
    let addr = shared
        .ha
        .group
        .as_ref()?
        .peers
        .iter()
        .find(|p| p.name == name)?
        .group_addr
        .clone();
    let mine = shared.state.lock().epoch;
    let epoch = super::zap::newer_epoch_at(shared, &addr).await?;
    Some((epoch, mine))
}

/// This active was deposed: `by` is active with a newer epoch. It steps down
/// ([`super::zap::step_down`]: no write it holds is acknowledged, sessions end with
/// `ShuttingDown` so clients go to the new active) and the election loop brings it back as a
/// passive of `by` (its data moved to the backup directory first).
fn depose(shared: &Shared, by: &str, epoch: u64, mine: u64) {
    if !shared.ha.is_active() {
        return;
    }
    tracing::error!(
        active = %by,
        epoch,
        this_epoch = mine,
        "DEPOSED: server '{by}' is ACTIVE-COORDINATOR with epoch {epoch}, newer than this server's {mine} \
         (this server was frozen or cut off while its standby took over): it stops accepting writes and \
         rejoins the group as a passive"
    );
    super::zap::step_down(
        shared,
        format!(
            "server '{}' was deposed: '{by}' is ACTIVE-COORDINATOR in the newer epoch {epoch} (this server's epoch {mine})",
            shared.settings.name
        ),
    );
}

/// A PASSIVE-STANDBY whose link broke reconnected (`Hello`, then `Ack{seq}` instead of
/// `Join`): hands the connection to its waiting link. False when no link waits for it (it then
/// joins again and resyncs).
pub fn resume_passive(
    shared: &Shared,
    name: &str,
    rd: OwnedReadHalf,
    wr: OwnedWriteHalf,
    buf: BytesMut,
    acked: u64,
) -> bool {
    let links = shared.ha.links.lock();
    let Some(link) = links.iter().find(|l| l.name == name) else {
        return false;
    };
    let Some(tx) = link.resume.lock().take() else {
        // It reconnected before this server saw the old connection break: end the old one
        // (its writer hands the queue back and the link waits); the standby tries again.
        if link.is_standby()
            && shared
                .ha
                .group
                .as_ref()
                .is_some_and(|g| g.reconnect.is_some())
        {
            link.pause.notify_one();
        }
        return false;
    };
    tx.send(Resumed { rd, wr, buf, acked }).is_ok()
}

fn log_progress(name: &str, sent: u64, total: u64, bytes: u64, started: Instant, what: &str) {
    let secs = started.elapsed().as_secs_f64().max(1e-6);
    let mb = bytes as f64 / 1e6;
    info!(
        passive = %name,
        objects = sent,
        total,
        percent = (sent * 100).checked_div(total).unwrap_or(100),
        mb = format!("{mb:.1}"),
        mb_per_sec = format!("{:.1}", mb / secs),
        objects_per_sec = (sent as f64 / secs) as u64,
        secs = format!("{secs:.2}"),
        "{what}"
    );
}

async fn write_loop(
    link: Arc<Link>,
    wr: OwnedWriteHalf,
    mut rx: mpsc::UnboundedReceiver<Bytes>,
    ping_interval: Duration,
) -> (String, mpsc::UnboundedReceiver<Bytes>) {
    let wr = Arc::new(wr);
    *link.direct.lock() = Some(wr.clone());
    let why = write_frames(&link, &wr, &mut rx, ping_interval).await;
    // No direct write to this socket any more: until the next writer, frames are queued.
    link.direct.lock().take();
    (why, rx)
}

/// `write_all` on a shared write half (readiness + `try_write`, which need only `&`).
async fn write_all_shared(wr: &OwnedWriteHalf, mut b: &[u8]) -> std::io::Result<()> {
    while !b.is_empty() {
        match wr.try_write(b) {
            Ok(0) => return Err(std::io::ErrorKind::WriteZero.into()),
            Ok(n) => b = &b[n..],
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => wr.writable().await?,
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

async fn write_frames(
    link: &Link,
    wr: &OwnedWriteHalf,
    rx: &mut mpsc::UnboundedReceiver<Bytes>,
    ping_interval: Duration,
) -> String {
    let mut out = BytesMut::with_capacity(1 << 20);
    let mut nonce = 0u64;
    loop {
        let first = tokio::select! {
            m = rx.recv() => m,
            _ = tokio::time::sleep(ping_interval) => {
                // Through `send`, so it is ordered with the direct writes.
                nonce += 1;
                link.send_msg(&GroupMsg::Ping { nonce });
                continue;
            }
            _ = link.kill.notified() => return "dropped".into(),
            _ = link.pause.notified() => return "paused".into(),
        };
        let Some(first) = first else {
            return "link closed".into();
        };
        let mut n = first.len();
        out.extend_from_slice(&first);
        while out.len() < (1 << 20) {
            match rx.try_recv() {
                Ok(b) => {
                    n += b.len();
                    out.extend_from_slice(&b);
                }
                Err(_) => break,
            }
        }
        if let Err(e) = write_all_shared(wr, &out).await {
            return format!("write to the passive failed: {e}");
        }
        out.clear();
        // Only now (the bytes are in the socket) may a direct write follow them.
        link.queued
            .fetch_sub(n.min(link.queued.load(Ordering::Acquire)), Ordering::AcqRel);
    }
}

async fn read_loop(
    link: Arc<Link>,
    mut rd: OwnedReadHalf,
    mut buf: BytesMut,
    peer_timeout: Duration,
) -> String {
    loop {
        loop {
            match GroupMsg::decode_framed(&mut buf, kiln_protocol::frame::DEFAULT_MAX_FRAME) {
                Ok(Some(GroupMsg::Ack { seq })) => {
                    link.last_ack.store(seq, Ordering::Release);
                    {
                        let mut q = link.retained.lock();
                        while q.front().is_some_and(|(s, _)| *s <= seq) {
                            q.pop_front();
                        }
                    }
                    link.acked.send_if_modified(|a| {
                        if seq > *a {
                            *a = seq;
                            true
                        } else {
                            false
                        }
                    });
                }
                Ok(Some(GroupMsg::Ping { nonce })) => {
                    link.send_msg(&GroupMsg::Pong { nonce });
                }
                Ok(Some(_)) => {}
                Ok(None) => break,
                Err(e) => return format!("protocol error from the passive: {e}"),
            }
        }
        match tokio::time::timeout(peer_timeout, rd.read_buf(&mut buf)).await {
            Err(_) => {
                return format!(
                    "no traffic for {} ms (l2.healthcheck.l2 idletime + interval*probes)",
                    peer_timeout.as_millis()
                )
            }
            Ok(Ok(0)) => return "connection closed".into(),
            Ok(Ok(_)) => {}
            Ok(Err(e)) => return format!("read failed: {e}"),
        }
    }
}

//! The outbound queue and the writer task.
//!
//! Everything the client sends goes through one FIFO queue, so the order in which messages are
//! queued is the order in which the server sees them (transactions made under a lock are queued
//! at their holder's release, hence before that lock's `RecallCommit`). The writer task takes
//! everything queued at once, encodes it into one buffer — consecutive transactions become one
//! `TxnBatch` frame — and writes it with a single `write_all`.
//!
//! The writer keeps every `TxnBatch` frame it sends (the encoded bytes, and the objects its
//! transactions touched) until the server acknowledged or rejected all of it: after a reconnect
//! those frames are sent again, with the transactions' original sequence numbers (protocol.md
//! §9.9), and a `TxnRejected` names the objects they touched (§9.8). While the client reconnects the queue is *paused*: producers keep queueing, nothing is
//! written until the new connection is resumed.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Weak};

use bytes::{Bytes, BytesMut};
use kiln_protocol::{frame, Message, ObjectId, Txn as WireTxn};
use parking_lot::Mutex;
use tokio::io::AsyncWriteExt;
use tokio::net::tcp::OwnedWriteHalf;
use tokio::sync::Notify;

use crate::client::Inner;
use crate::Error;

/// Most transactions put into one `TxnBatch` frame (a frame over the maximum is split anyway).
const MAX_TXNS_PER_BATCH: usize = 4096;
/// Size of the chunks retained frames are copied into.
const RETAIN_CHUNK: usize = 1024 * 1024;

#[derive(Debug)]
pub(crate) enum Out {
    Msg(Message),
    /// A transaction (its `seq` assigned), not sent yet on the current connection.
    Txn(WireTxn),
    /// A retained `TxnBatch` frame sent again after a reconnect.
    Resend(Bytes),
    /// The unsent rest of a frame a producer began to write directly.
    Raw(Bytes),
}

#[derive(Debug, Default)]
struct OutQ {
    items: Vec<Out>,
    next_seq: u64,
    closed: bool,
    /// The writer task is writing what it took (the socket is busy).
    writing: bool,
    /// Reconnecting: queue, but write nothing (no writer, no direct writes).
    paused: bool,
    /// Connection generation: bumped when a connection is lost. A writer of an older
    /// generation takes nothing any more.
    gen: u64,
    /// The socket, for producers that write a request themselves when the connection is idle.
    sock: Option<Weak<OwnedWriteHalf>>,
    /// `TxnBatch` frames sent (or being sent) whose transactions are not all acknowledged or
    /// rejected yet, in sequence order.
    retained: VecDeque<Retained>,
    /// Transactions a writer took from the queue and has not retained yet (it does so before
    /// it writes them, with no await point in between).
    unretained: usize,
}

/// A sent `TxnBatch` frame kept until all its transactions are acknowledged or rejected.
#[derive(Debug)]
pub(crate) struct Retained {
    /// Sequence numbers of its first and last transaction.
    pub(crate) first: u64,
    pub(crate) last: u64,
    /// The whole frame.
    frame: Bytes,
    /// Objects its transactions created or changed.
    pub(crate) oids: Box<[ObjectId]>,
}

/// Where the writer encoded a `TxnBatch` frame in its buffer (see [`encode_items`]).
#[derive(Debug)]
pub(crate) struct FrameMeta {
    start: usize,
    end: usize,
    first: u64,
    last: u64,
    oids: Box<[ObjectId]>,
}

impl FrameMeta {
    fn retained(self, frame: Bytes) -> Retained {
        Retained {
            first: self.first,
            last: self.last,
            frame,
            oids: self.oids,
        }
    }
}

/// The queue shared by every producer and the writer task.
#[derive(Debug, Default)]
pub(crate) struct Outbound {
    q: Mutex<OutQ>,
    notify: Notify,
    /// Last transaction sequence handed out (mirror of `OutQ::next_seq` for lock-free reads).
    pub(crate) last_seq: AtomicU64,
    /// Mirror of `OutQ::gen` for lock-free reads.
    gen: AtomicU64,
    /// Frames and bytes written directly by producers (added to the client's stats).
    pub(crate) direct_frames: AtomicU64,
    pub(crate) direct_bytes: AtomicU64,
}

/// What the writer gets from [`Outbound::take`].
#[derive(Debug, PartialEq, Eq)]
enum Take {
    /// Items (possibly none); `true`: the queue is closed.
    Items(bool),
    /// The writer's connection is gone (lost or being replaced): stop.
    Stale,
}

impl Outbound {
    /// Queues a message. Returns false when the queue is closed (the message is dropped).
    ///
    /// When nothing is queued and the writer is idle, the message is written at once by the
    /// caller with a non-blocking write (a request then costs no hand-off to the writer task);
    /// whatever the socket does not take is queued for the writer, in order. Transactions always
    /// go through the queue, so the writer can coalesce them.
    pub(crate) fn push(&self, m: Message) -> bool {
        {
            let mut q = self.q.lock();
            if q.closed {
                return false;
            }
            let sock = if q.items.is_empty() && !q.writing && !q.paused {
                q.sock.as_ref().and_then(Weak::upgrade)
            } else {
                None
            };
            match sock {
                Some(sock) => {
                    let mut buf = BytesMut::with_capacity(64);
                    frame::encode(&m, &mut buf);
                    // Would block, or failed (0): the writer retries and reports failures.
                    let written = sock.try_write(&buf).unwrap_or_default();
                    self.direct_frames.fetch_add(1, Ordering::Relaxed);
                    self.direct_bytes
                        .fetch_add(written as u64, Ordering::Relaxed);
                    if written == buf.len() {
                        return true;
                    }
                    q.items.push(Out::Raw(buf.split_off(written).freeze()));
                }
                None => q.items.push(Out::Msg(m)),
            }
        }
        self.notify.notify_one();
        true
    }

    /// Gives producers the socket for direct writes (the writer task owns the strong reference).
    pub(crate) fn attach(&self, sock: &Arc<OwnedWriteHalf>) {
        self.q.lock().sock = Some(Arc::downgrade(sock));
    }

    /// The current connection generation.
    pub(crate) fn gen(&self) -> u64 {
        self.gen.load(Ordering::Acquire)
    }

    /// The writer finished writing what it took.
    fn done_writing(&self, gen: u64) {
        let mut q = self.q.lock();
        if q.gen == gen {
            q.writing = false;
        }
    }

    /// Queues a transaction, assigning the next sequence number (sequence order = queue order).
    pub(crate) fn push_txn(&self, mut t: WireTxn) -> Option<u64> {
        let seq;
        {
            let mut q = self.q.lock();
            if q.closed {
                return None;
            }
            q.next_seq += 1;
            seq = q.next_seq;
            t.seq = seq;
            q.items.push(Out::Txn(t));
            self.last_seq.store(seq, Ordering::Release);
        }
        self.notify.notify_one();
        Some(seq)
    }

    /// Keeps the `TxnBatch` frames a writer encoded (before it writes them), until
    /// acknowledged.
    fn retain(&self, frames: &mut Vec<Retained>, taken: usize) {
        let mut q = self.q.lock();
        q.unretained = q.unretained.saturating_sub(taken);
        q.retained.extend(frames.drain(..));
    }

    /// Transactions a writer took and has not retained yet (see [`Outbound::resume`]).
    pub(crate) fn unretained(&self) -> usize {
        self.q.lock().unretained
    }

    /// Forgets the retained frames whose transactions are all acknowledged (up to `seq`) and
    /// returns them.
    pub(crate) fn release_acked(&self, seq: u64) -> Vec<Retained> {
        let mut q = self.q.lock();
        let n = q.retained.partition_point(|r| r.last <= seq);
        if n == 0 {
            return Vec::new();
        }
        q.retained.drain(..n).collect()
    }

    /// Removes the retained frames with transactions in `from..=upto` (rejected by the server)
    /// and returns them.
    pub(crate) fn take_retained(&self, from: u64, upto: u64) -> Vec<Retained> {
        let mut q = self.q.lock();
        let mut out = Vec::new();
        let mut keep = VecDeque::with_capacity(q.retained.len());
        for r in q.retained.drain(..) {
            if r.first <= upto && from <= r.last {
                out.push(r);
            } else {
                keep.push_back(r);
            }
        }
        q.retained = keep;
        out
    }

    /// The connection is lost: bumps the generation, stops all writing and drops every queued
    /// message except transactions not sent yet (everything else the new connection needs is
    /// retained or rebuilt from the client's state when it resumes). Returns the new generation.
    pub(crate) fn pause(&self) -> u64 {
        let gen;
        {
            let mut q = self.q.lock();
            q.gen += 1;
            gen = q.gen;
            self.gen.store(gen, Ordering::Release);
            q.paused = true;
            q.writing = false;
            q.sock = None;
            q.items.retain(|i| matches!(i, Out::Txn(..)));
        }
        self.notify.notify_waiters();
        gen
    }

    /// Drops queued messages matching `f` (while paused).
    pub(crate) fn remove_msgs(&self, f: impl Fn(&Message) -> bool) {
        self.q
            .lock()
            .items
            .retain(|i| !matches!(i, Out::Msg(m) if f(m)));
    }

    /// Resumes on a new connection: first every retained transaction (sent on the lost
    /// connection, not acknowledged), with its original sequence number, then `prefix`, then
    /// what was queued meanwhile (transactions not sent yet, in order). Returns the generation
    /// of the new connection. Call when [`Outbound::unretained`] is 0.
    pub(crate) fn resume(&self, prefix: Vec<Message>, sock: &Arc<OwnedWriteHalf>) -> u64 {
        let gen;
        {
            let mut q = self.q.lock();
            let mut items: Vec<Out> = q
                .retained
                .iter()
                .map(|r| Out::Resend(r.frame.clone()))
                .collect();
            items.extend(prefix.into_iter().map(Out::Msg));
            items.append(&mut q.items);
            q.items = items;
            q.paused = false;
            q.writing = false;
            q.sock = Some(Arc::downgrade(sock));
            gen = q.gen;
        }
        self.notify.notify_one();
        gen
    }

    /// Queues a last message and closes the queue: later pushes are refused, the writer exits
    /// after writing what is queued.
    pub(crate) fn close_with(&self, last: Option<Message>) {
        {
            let mut q = self.q.lock();
            if !q.closed {
                if let Some(m) = last {
                    q.items.push(Out::Msg(m));
                }
                q.closed = true;
            }
        }
        self.notify.notify_one();
    }

    /// Drops everything queued and retained and closes the queue.
    pub(crate) fn abort(&self) {
        {
            let mut q = self.q.lock();
            q.items.clear();
            q.retained.clear();
            q.closed = true;
        }
        self.notify.notify_waiters();
        self.notify.notify_one();
    }

    fn take(&self, into: &mut Vec<Out>, gen: u64) -> Take {
        let mut q = self.q.lock();
        if q.gen != gen || q.paused {
            return Take::Stale;
        }
        std::mem::swap(&mut q.items, into);
        q.writing = !into.is_empty();
        q.unretained += into.iter().filter(|i| matches!(i, Out::Txn(_))).count();
        Take::Items(q.closed)
    }
}

/// Encodes a batch of transactions as one frame, splitting it in halves if the frame would be
/// over `max_frame`; records where each frame is in `metas`. Returns the number of frames
/// written into `buf`.
fn encode_batch(
    txns: Vec<WireTxn>,
    buf: &mut BytesMut,
    max_frame: usize,
    metas: &mut Vec<FrameMeta>,
) -> Result<u64, Error> {
    let start = buf.len();
    let n = txns.len();
    let msg = Message::TxnBatch { txns };
    frame::encode(&msg, buf);
    let fits = buf.len() - start - frame::HEADER_LEN <= max_frame;
    let Message::TxnBatch { mut txns } = msg else {
        unreachable!("built as a TxnBatch above")
    };
    if fits {
        let oids: Box<[ObjectId]> = txns
            .iter()
            .flat_map(|t| {
                (t.new_objects.iter().map(|(o, _)| *o)).chain(t.deltas.iter().map(|d| d.oid))
            })
            .collect();
        metas.push(FrameMeta {
            start,
            end: buf.len(),
            first: txns.first().map_or(0, |t| t.seq),
            last: txns.last().map_or(0, |t| t.seq),
            oids,
        });
        return Ok(1);
    }
    buf.truncate(start);
    if n <= 1 {
        let seq = txns.first().map(|t| t.seq).unwrap_or(0);
        return Err(Error::lost(format!(
            "transaction {seq} does not fit in one frame (maximum {max_frame} bytes)"
        )));
    }
    let second = txns.split_off(n / 2);
    Ok(encode_batch(txns, buf, max_frame, metas)? + encode_batch(second, buf, max_frame, metas)?)
}

/// Encodes queued items into `buf`; returns (frames, txns, saw_goodbye). Where each new
/// `TxnBatch` frame lies in `buf` is added to `metas` (to retain it until acknowledged).
pub(crate) fn encode_items(
    items: &mut Vec<Out>,
    buf: &mut BytesMut,
    max_frame: usize,
    metas: &mut Vec<FrameMeta>,
) -> Result<(u64, u64, bool), Error> {
    let mut frames = 0u64;
    let mut txn_count = 0u64;
    let mut goodbye = false;
    let mut batch: Vec<WireTxn> = Vec::new();
    for item in items.drain(..) {
        match item {
            Out::Txn(t) => {
                txn_count += 1;
                batch.push(t);
                if batch.len() >= MAX_TXNS_PER_BATCH {
                    frames += encode_batch(std::mem::take(&mut batch), buf, max_frame, metas)?;
                }
            }
            Out::Raw(b) | Out::Resend(b) => {
                if !batch.is_empty() {
                    frames += encode_batch(std::mem::take(&mut batch), buf, max_frame, metas)?;
                }
                buf.extend_from_slice(&b);
            }
            Out::Msg(m) => {
                if !batch.is_empty() {
                    frames += encode_batch(std::mem::take(&mut batch), buf, max_frame, metas)?;
                }
                goodbye |= matches!(m, Message::Goodbye);
                frame::encode(&m, buf);
                frames += 1;
            }
        }
    }
    if !batch.is_empty() {
        frames += encode_batch(batch, buf, max_frame, metas)?;
    }
    Ok((frames, txn_count, goodbye))
}

/// Writes all of `buf` through a shared write half.
async fn write_all(w: &OwnedWriteHalf, mut buf: &[u8]) -> std::io::Result<()> {
    while !buf.is_empty() {
        w.writable().await?;
        match w.try_write(buf) {
            Ok(0) => return Err(std::io::ErrorKind::WriteZero.into()),
            Ok(n) => buf = &buf[n..],
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// The writer task of connection `gen`: drain, encode, one write, repeat.
pub(crate) async fn writer_loop(inner: Arc<Inner>, w: Arc<OwnedWriteHalf>, gen: u64) {
    let mut items: Vec<Out> = Vec::new();
    let mut metas: Vec<FrameMeta> = Vec::new();
    let mut frames_kept: Vec<Retained> = Vec::new();
    let mut arena = BytesMut::new();
    let mut buf = BytesMut::with_capacity(64 * 1024);
    loop {
        let notified = inner.out.notify.notified();
        let closed = match inner.out.take(&mut items, gen) {
            Take::Stale => break,
            Take::Items(closed) => closed,
        };
        if items.is_empty() {
            if closed {
                break;
            }
            notified.await;
            continue;
        }
        let taken = items.iter().filter(|i| matches!(i, Out::Txn(_))).count();
        let encoded = encode_items(&mut items, &mut buf, inner.max_frame, &mut metas);
        // Sent transactions are retained before the write: if the connection fails now, they
        // are sent again. Their frames are copied into a chunk shared by many frames (freed
        // once all of them are acknowledged, in order): no allocation per write.
        for m in metas.drain(..) {
            let len = m.end - m.start;
            if arena.capacity() < len {
                arena = BytesMut::with_capacity(len.max(RETAIN_CHUNK));
            }
            arena.extend_from_slice(&buf[m.start..m.end]);
            let frame = arena.split().freeze();
            frames_kept.push(m.retained(frame));
        }
        inner.out.retain(&mut frames_kept, taken);
        let (frames, txns, goodbye) = match encoded {
            Ok(x) => x,
            Err(e) => {
                inner.fail(e);
                break;
            }
        };
        if let Err(e) = write_all(&w, &buf).await {
            inner.connection_lost(gen, Error::lost(format!("write failed: {e}")));
            break;
        }
        inner.out.done_writing(gen);
        inner.stats.frames_sent.fetch_add(frames, Ordering::Relaxed);
        inner.stats.writes.fetch_add(1, Ordering::Relaxed);
        inner
            .stats
            .bytes_sent
            .fetch_add(buf.len() as u64, Ordering::Relaxed);
        inner.stats.txns_sent.fetch_add(txns, Ordering::Relaxed);
        buf.clear();
        if buf.capacity() > 4 * 1024 * 1024 {
            buf = BytesMut::with_capacity(64 * 1024);
        }
        if goodbye {
            break;
        }
    }
    if let Ok(mut w) = Arc::try_unwrap(w) {
        let _ = w.shutdown().await;
    }
    tracing::debug!(gen, "writer task ended");
}

#[cfg(test)]
mod tests {
    use super::*;
    use kiln_protocol::frame::FrameDecoder;

    fn txn(n: usize) -> WireTxn {
        WireTxn {
            dmis: vec![kiln_protocol::DmiCall {
                receiver: kiln_protocol::ObjectId(0),
                method: "x".repeat(n),
                args: vec![],
                all_nodes: true,
            }],
            ..WireTxn::default()
        }
    }

    fn txn_seq(seq: u64, n: usize) -> WireTxn {
        let mut t = txn(n);
        t.seq = seq;
        t
    }

    fn decode_all(mut buf: BytesMut, max: usize) -> Vec<Message> {
        let dec = FrameDecoder::new(max);
        let mut out = vec![];
        while let Some(m) = dec.next(&mut buf).expect("decodes") {
            out.push(m);
        }
        assert!(buf.is_empty());
        out
    }

    fn seqs(m: &Message) -> Vec<u64> {
        match m {
            Message::TxnBatch { txns } => txns.iter().map(|t| t.seq).collect(),
            other => panic!("expected a TxnBatch, got {other:?}"),
        }
    }

    /// What a writer of generation `gen` would send now (retaining its frames).
    fn write(q: &Outbound, gen: u64) -> Vec<Message> {
        let mut items = vec![];
        assert_eq!(q.take(&mut items, gen), Take::Items(false));
        let taken = items.iter().filter(|i| matches!(i, Out::Txn(_))).count();
        let mut buf = BytesMut::new();
        let mut metas = vec![];
        encode_items(&mut items, &mut buf, frame::DEFAULT_MAX_FRAME, &mut metas).expect("encode");
        let mut kept: Vec<Retained> = metas
            .into_iter()
            .map(|m| {
                let f = Bytes::copy_from_slice(&buf[m.start..m.end]);
                m.retained(f)
            })
            .collect();
        q.retain(&mut kept, taken);
        q.done_writing(gen);
        decode_all(buf, frame::DEFAULT_MAX_FRAME)
    }

    #[test]
    fn coalesces_txns_and_keeps_order() {
        let q = Outbound::default();
        assert_eq!(q.push_txn(txn(1)), Some(1));
        assert_eq!(q.push_txn(txn(1)), Some(2));
        q.push(Message::RecallCommit {
            lock: kiln_protocol::LockId::Named("a".into()),
        });
        assert_eq!(q.push_txn(txn(1)), Some(3));
        let mut items = vec![];
        assert_eq!(q.take(&mut items, 0), Take::Items(false));
        let mut buf = BytesMut::new();
        let mut metas = vec![];
        let (frames, txns, bye) =
            encode_items(&mut items, &mut buf, frame::DEFAULT_MAX_FRAME, &mut metas)
                .expect("encode");
        assert_eq!((frames, txns, bye), (3, 3, false));
        let ranges: Vec<(u64, u64)> = metas.iter().map(|m| (m.first, m.last)).collect();
        assert_eq!(ranges, [(1, 2), (3, 3)]);
        // the recorded frame positions are exact
        let again: Vec<Message> = metas
            .iter()
            .map(|m| {
                decode_all(
                    BytesMut::from(&buf[m.start..m.end]),
                    frame::DEFAULT_MAX_FRAME,
                )
                .remove(0)
            })
            .collect();
        assert_eq!(seqs(&again[1]), vec![3]);
        let msgs = decode_all(buf, frame::DEFAULT_MAX_FRAME);
        assert_eq!(seqs(&msgs[0]), vec![1, 2]);
        assert!(matches!(msgs[1], Message::RecallCommit { .. }));
        assert_eq!(seqs(&msgs[2]), vec![3]);
        match &msgs[0] {
            Message::TxnBatch { txns } => assert_eq!(txns[0], txn_seq(1, 1)),
            _ => unreachable!(),
        }
    }

    #[test]
    fn splits_oversize_batches() {
        let mut items: Vec<Out> = (1..=8).map(|s| Out::Txn(txn_seq(s, 100))).collect();
        let mut buf = BytesMut::new();
        let mut metas = vec![];
        let (frames, _, _) = encode_items(&mut items, &mut buf, 300, &mut metas).expect("encode");
        assert!(frames > 1);
        assert_eq!(metas.len() as u64, frames);
        let all: Vec<u64> = decode_all(buf, 300).iter().flat_map(seqs).collect();
        assert_eq!(all, (1..=8).collect::<Vec<_>>());
        let mut items = vec![Out::Txn(txn_seq(1, 1000))];
        assert!(encode_items(&mut items, &mut BytesMut::new(), 300, &mut vec![]).is_err());
    }

    #[test]
    fn many_txns_are_split_by_count() {
        let n = MAX_TXNS_PER_BATCH as u64 + 10;
        let mut items: Vec<Out> = (1..=n).map(|s| Out::Txn(txn_seq(s, 1))).collect();
        let mut buf = BytesMut::new();
        let (frames, txns, _) =
            encode_items(&mut items, &mut buf, frame::DEFAULT_MAX_FRAME, &mut vec![])
                .expect("encode");
        assert_eq!((frames, txns), (2, n));
        let msgs = decode_all(buf, frame::DEFAULT_MAX_FRAME);
        assert_eq!(seqs(&msgs[0]).len(), MAX_TXNS_PER_BATCH);
        assert_eq!(seqs(&msgs[1]).len(), 10);
    }

    #[test]
    fn closed_queue_refuses() {
        let q = Outbound::default();
        q.close_with(Some(Message::Goodbye));
        assert!(!q.push(Message::Ping { nonce: 1 }));
        assert_eq!(q.push_txn(WireTxn::default()), None);
    }

    #[test]
    fn retains_sent_frames_until_acked_and_gives_back_rejected() {
        let q = Outbound::default();
        let push = |i: u64| {
            let mut t = txn(3);
            t.new_objects
                .push((ObjectId(i), kiln_protocol::ObjectState::list()));
            q.push_txn(t);
        };
        (1..=3).for_each(push);
        assert_eq!(write(&q, 0).iter().flat_map(seqs).count(), 3);
        (4..=5).for_each(push);
        write(&q, 0);
        (6..=7).for_each(push);
        write(&q, 0);
        assert_eq!(q.unretained(), 0);
        assert!(
            q.release_acked(2).is_empty(),
            "frame 1..=3 not all acknowledged"
        );
        let r = q.release_acked(3);
        assert_eq!((r.len(), r[0].first, r[0].last), (1, 1, 3));
        assert_eq!(r[0].oids[..], [ObjectId(1), ObjectId(2), ObjectId(3)]);
        let r = q.take_retained(4, 5);
        assert_eq!(r.len(), 1);
        assert_eq!(r[0].oids[..], [ObjectId(4), ObjectId(5)]);
        assert_eq!(q.release_acked(7).len(), 1);
        assert!(q.q.lock().retained.is_empty());
    }

    #[tokio::test]
    async fn pause_keeps_txns_and_resume_resends_unacked_first() {
        let q = Outbound::default();
        // 1 and 2 were written (sent); 3 is still queued after a request.
        q.push_txn(txn(1));
        q.push_txn(txn(1));
        assert_eq!(
            write(&q, 0).iter().flat_map(seqs).collect::<Vec<_>>(),
            [1, 2]
        );
        q.push(Message::ListRoots { req_id: 9 });
        q.push_txn(txn(1));
        q.release_acked(1);
        let gen = q.pause();
        assert_eq!(gen, 1);
        let mut items = vec![];
        assert_eq!(q.take(&mut items, 0), Take::Stale, "the old writer stops");
        // queued while reconnecting
        assert!(q.push(Message::Ping { nonce: 4 }));
        q.push_txn(txn(1));
        q.remove_msgs(|m| matches!(m, Message::Ping { .. }));
        q.push(Message::Evict { oids: vec![] });
        let l = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let s = tokio::net::TcpStream::connect(l.local_addr().expect("addr"))
            .await
            .expect("connect");
        let (_r, w) = s.into_split();
        let w = Arc::new(w);
        assert_eq!(q.resume(vec![Message::ListRoots { req_id: 9 }], &w), 1);
        let msgs = write(&q, 1);
        assert_eq!(
            seqs(&msgs[0]),
            vec![1, 2],
            "the unacknowledged frame again (the server skips 1), first"
        );
        assert!(matches!(msgs[1], Message::ListRoots { req_id: 9 }));
        assert_eq!(seqs(&msgs[2]), vec![3, 4], "queued txns in place, once");
        assert!(matches!(msgs[3], Message::Evict { .. }));
        assert_eq!(msgs.len(), 4);
        // a second loss right away: everything unacknowledged once more, in order
        q.pause();
        q.resume(vec![], &w);
        let msgs = write(&q, 2);
        let all: Vec<u64> = msgs.iter().flat_map(seqs).collect();
        assert_eq!(all, [1, 2, 3, 4]);
    }
}

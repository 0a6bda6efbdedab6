//! The outbound queue and the writer task.
//!
//! Everything the client sends goes through one FIFO queue, so the order in which messages are
//! queued is the order in which the server sees them (transactions made under a lock are queued
//! at their holder's release, hence before that lock's `RecallCommit`). The writer task takes
//! everything queued at once, encodes it into one buffer — consecutive transactions become one
//! `TxnBatch` frame — and writes it with a single `write_all`.
//!
//! Transactions are encoded when they are queued and kept (as bytes) until the server
//! acknowledges or rejects them: after a reconnect they are sent again with their original
//! sequence numbers (protocol.md §9.9), and a `TxnRejected` names the objects they touched
//! (§9.8). While the client reconnects the queue is *paused*: producers keep queueing, nothing is
//! written until the new connection is resumed.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Weak};

use bytes::{Buf, BufMut, Bytes, BytesMut};
use kiln_protocol::{frame, Message, ObjectId, Txn as WireTxn};
use parking_lot::Mutex;
use tokio::io::AsyncWriteExt;
use tokio::net::tcp::OwnedWriteHalf;
use tokio::sync::Notify;

use crate::client::Inner;
use crate::Error;

/// Most transactions put into one `TxnBatch` frame (a frame over the maximum is split anyway).
const MAX_TXNS_PER_BATCH: usize = 4096;
/// Bytes of a `TxnBatch` frame before its first transaction: length, type byte, count.
const BATCH_HEADER: usize = frame::HEADER_LEN + 1 + 4;

#[derive(Debug)]
pub(crate) enum Out {
    Msg(Message),
    /// An encoded transaction (its bytes inside a `TxnBatch`), with its sequence number.
    Txn(u64, Bytes),
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
    /// Transactions queued or sent and not yet acknowledged or rejected, in sequence order.
    retained: VecDeque<Retained>,
}

/// A transaction kept until the server acknowledges or rejects it.
#[derive(Debug)]
struct Retained {
    seq: u64,
    body: Bytes,
    /// Objects it created or changed.
    oids: Box<[ObjectId]>,
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

    /// Queues an encoded transaction (see [`encode_txn`]) that created or changed `oids`,
    /// assigning the next sequence number (sequence order = queue order). It is retained until
    /// acknowledged or rejected.
    pub(crate) fn push_txn(&self, mut body: BytesMut, oids: Box<[ObjectId]>) -> Option<u64> {
        let seq;
        {
            let mut q = self.q.lock();
            if q.closed {
                return None;
            }
            q.next_seq += 1;
            seq = q.next_seq;
            body[..8].copy_from_slice(&seq.to_be_bytes());
            let body = body.freeze();
            q.retained.push_back(Retained {
                seq,
                body: body.clone(),
                oids,
            });
            q.items.push(Out::Txn(seq, body));
            self.last_seq.store(seq, Ordering::Release);
        }
        self.notify.notify_one();
        Some(seq)
    }

    /// Forgets retained transactions up to `seq` (acknowledged); returns the objects they
    /// created or changed.
    pub(crate) fn release_acked(&self, seq: u64) -> Vec<Box<[ObjectId]>> {
        let mut q = self.q.lock();
        let mut out = Vec::new();
        while q.retained.front().is_some_and(|r| r.seq <= seq) {
            if let Some(r) = q.retained.pop_front() {
                if !r.oids.is_empty() {
                    out.push(r.oids);
                }
            }
        }
        out
    }

    /// Removes the retained transactions `from..=upto` (rejected by the server); returns the
    /// objects they created or changed.
    pub(crate) fn take_retained(&self, from: u64, upto: u64) -> Vec<ObjectId> {
        let mut q = self.q.lock();
        let mut out = Vec::new();
        q.retained.retain(|r| {
            if (from..=upto).contains(&r.seq) {
                out.extend_from_slice(&r.oids);
                false
            } else {
                true
            }
        });
        out
    }

    /// Number of retained (unacknowledged) transactions.
    pub(crate) fn retained_len(&self) -> usize {
        self.q.lock().retained.len()
    }

    /// The connection is lost: bumps the generation, stops all writing and drops every queued
    /// message except transactions (everything else the new connection needs is rebuilt from
    /// the client's state when it resumes). Returns the new generation.
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

    /// Resumes on a new connection: first every retained transaction that is not queued any
    /// more (sent on the lost connection), with its original sequence number, then `prefix`,
    /// then what was queued meanwhile. Returns the generation of the new connection.
    pub(crate) fn resume(&self, prefix: Vec<Message>, sock: &Arc<OwnedWriteHalf>) -> u64 {
        let gen;
        {
            let mut q = self.q.lock();
            let first_queued = q.items.iter().find_map(|i| match i {
                Out::Txn(seq, _) => Some(*seq),
                _ => None,
            });
            let mut items: Vec<Out> = q
                .retained
                .iter()
                .filter(|r| match first_queued {
                    Some(f) => r.seq < f,
                    None => true,
                })
                .map(|r| Out::Txn(r.seq, r.body.clone()))
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
        Take::Items(q.closed)
    }
}

thread_local! {
    /// Encoding buffer of the committing thread (transactions are split off it, so one
    /// allocation serves many small transactions).
    static ENC: std::cell::RefCell<BytesMut> = std::cell::RefCell::new(BytesMut::new());
}

/// Encodes a transaction as it appears inside a `TxnBatch` (its sequence number is written by
/// [`Outbound::push_txn`]). Returns the bytes and the transaction back.
pub(crate) fn encode_txn(t: WireTxn) -> (BytesMut, WireTxn) {
    let msg = Message::TxnBatch { txns: vec![t] };
    let body = ENC.with(|b| {
        let mut b = b.borrow_mut();
        if b.capacity() < 4096 {
            b.reserve(64 * 1024);
        }
        frame::encode(&msg, &mut b);
        let mut f = b.split();
        f.advance(BATCH_HEADER);
        f
    });
    let Message::TxnBatch { mut txns } = msg else {
        unreachable!("built as a TxnBatch above")
    };
    let t = txns.pop().unwrap_or_default();
    (body, t)
}

/// Writes the length and count of the `TxnBatch` frame that starts at `start` in `buf`.
fn patch_batch(buf: &mut BytesMut, start: usize, count: u32) {
    let len = u32::try_from(buf.len() - start - frame::HEADER_LEN).unwrap_or(u32::MAX);
    buf[start..start + 4].copy_from_slice(&len.to_be_bytes());
    buf[start + 5..start + 9].copy_from_slice(&count.to_be_bytes());
}

/// Builds `TxnBatch` frames from encoded transactions: at most [`MAX_TXNS_PER_BATCH`] per frame
/// and never over `max_frame`.
#[derive(Debug, Default)]
struct BatchBuilder {
    /// Start of the open frame in the buffer and its transaction count.
    open: Option<(usize, u32)>,
    frames: u64,
}

impl BatchBuilder {
    fn add(
        &mut self,
        buf: &mut BytesMut,
        seq: u64,
        body: &[u8],
        max_frame: usize,
    ) -> Result<(), Error> {
        if body.len() + BATCH_HEADER - frame::HEADER_LEN > max_frame {
            return Err(Error::lost(format!(
                "transaction {seq} does not fit in one frame (maximum {max_frame} bytes)"
            )));
        }
        if let Some((start, count)) = self.open {
            let payload = buf.len() - start - frame::HEADER_LEN;
            if count as usize >= MAX_TXNS_PER_BATCH || payload + body.len() > max_frame {
                self.close(buf);
            }
        }
        let (start, count) = match self.open {
            Some(o) => o,
            None => {
                let start = buf.len();
                frame::encode(&Message::TxnBatch { txns: vec![] }, buf);
                (start, 0)
            }
        };
        buf.put_slice(body);
        self.open = Some((start, count + 1));
        Ok(())
    }

    fn close(&mut self, buf: &mut BytesMut) {
        if let Some((start, count)) = self.open.take() {
            patch_batch(buf, start, count);
            self.frames += 1;
        }
    }
}

/// Encodes queued items into `buf`; returns (frames, txns, saw_goodbye).
pub(crate) fn encode_items(
    items: &mut Vec<Out>,
    buf: &mut BytesMut,
    max_frame: usize,
) -> Result<(u64, u64, bool), Error> {
    let mut frames = 0u64;
    let mut txn_count = 0u64;
    let mut goodbye = false;
    let mut batch = BatchBuilder::default();
    for item in items.drain(..) {
        match item {
            Out::Txn(seq, body) => {
                txn_count += 1;
                batch.add(buf, seq, &body, max_frame)?;
            }
            Out::Raw(b) => {
                batch.close(buf);
                buf.extend_from_slice(&b);
            }
            Out::Msg(m) => {
                batch.close(buf);
                goodbye |= matches!(m, Message::Goodbye);
                frame::encode(&m, buf);
                frames += 1;
            }
        }
    }
    batch.close(buf);
    Ok((frames + batch.frames, txn_count, goodbye))
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
        let (frames, txns, goodbye) = match encode_items(&mut items, &mut buf, inner.max_frame) {
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

    fn enc(n: usize) -> BytesMut {
        encode_txn(txn(n)).0
    }

    fn body(seq: u64, n: usize) -> Bytes {
        let mut b = enc(n);
        b[..8].copy_from_slice(&seq.to_be_bytes());
        b.freeze()
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

    #[test]
    fn coalesces_txns_and_keeps_order() {
        let q = Outbound::default();
        assert_eq!(q.push_txn(enc(1), Box::default()), Some(1));
        assert_eq!(q.push_txn(enc(1), Box::default()), Some(2));
        q.push(Message::RecallCommit {
            lock: kiln_protocol::LockId::Named("a".into()),
        });
        assert_eq!(q.push_txn(enc(1), Box::default()), Some(3));
        let mut items = vec![];
        assert_eq!(q.take(&mut items, 0), Take::Items(false));
        let mut buf = BytesMut::new();
        let (frames, txns, bye) =
            encode_items(&mut items, &mut buf, frame::DEFAULT_MAX_FRAME).expect("encode");
        assert_eq!((frames, txns, bye), (3, 3, false));
        let msgs = decode_all(buf, frame::DEFAULT_MAX_FRAME);
        assert_eq!(seqs(&msgs[0]), vec![1, 2]);
        assert!(matches!(msgs[1], Message::RecallCommit { .. }));
        assert_eq!(seqs(&msgs[2]), vec![3]);
        match &msgs[0] {
            Message::TxnBatch { txns } => assert_eq!(txns[0], {
                let mut t = txn(1);
                t.seq = 1;
                t
            }),
            _ => unreachable!(),
        }
    }

    #[test]
    fn splits_oversize_batches() {
        let mut items: Vec<Out> = (1..=8).map(|s| Out::Txn(s, body(s, 100))).collect();
        let mut buf = BytesMut::new();
        let (frames, _, _) = encode_items(&mut items, &mut buf, 300).expect("encode");
        assert!(frames > 1);
        let all: Vec<u64> = decode_all(buf, 300).iter().flat_map(seqs).collect();
        assert_eq!(all, (1..=8).collect::<Vec<_>>());
        let mut items = vec![Out::Txn(1, body(1, 1000))];
        assert!(encode_items(&mut items, &mut BytesMut::new(), 300).is_err());
    }

    #[test]
    fn many_txns_are_split_by_count() {
        let n = MAX_TXNS_PER_BATCH as u64 + 10;
        let mut items: Vec<Out> = (1..=n).map(|s| Out::Txn(s, body(s, 1))).collect();
        let mut buf = BytesMut::new();
        let (frames, txns, _) =
            encode_items(&mut items, &mut buf, frame::DEFAULT_MAX_FRAME).expect("encode");
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
        assert_eq!(q.push_txn(enc(1), Box::default()), None);
    }

    #[test]
    fn retains_until_acked_and_gives_back_rejected() {
        let q = Outbound::default();
        for i in 1..=5 {
            q.push_txn(enc(3), vec![ObjectId(i)].into());
        }
        assert_eq!(q.retained_len(), 5);
        assert_eq!(
            q.release_acked(2),
            vec![Box::from([ObjectId(1)]), Box::from([ObjectId(2)])]
        );
        assert_eq!(q.retained_len(), 3);
        assert_eq!(q.take_retained(3, 4), vec![ObjectId(3), ObjectId(4)]);
        assert_eq!(q.retained_len(), 1);
        assert_eq!(q.release_acked(5).len(), 1);
        assert_eq!(q.retained_len(), 0);
    }

    #[tokio::test]
    async fn pause_keeps_txns_and_resume_resends_unacked_first() {
        let q = Outbound::default();
        // 1 and 2 were taken by a writer (sent); 3 is still queued with a request.
        q.push_txn(enc(1), Box::default());
        q.push_txn(enc(1), Box::default());
        let mut items = vec![];
        assert_eq!(q.take(&mut items, 0), Take::Items(false));
        assert_eq!(items.len(), 2);
        q.done_writing(0);
        q.push(Message::ListRoots { req_id: 9 });
        q.push_txn(enc(1), Box::default());
        q.release_acked(1);
        let gen = q.pause();
        assert_eq!(gen, 1);
        let mut items = vec![];
        assert_eq!(q.take(&mut items, 0), Take::Stale, "the old writer stops");
        // queued while reconnecting
        assert!(q.push(Message::Ping { nonce: 4 }));
        q.push_txn(enc(1), Box::default());
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
        let g = q.resume(vec![Message::ListRoots { req_id: 9 }], &w);
        assert_eq!(g, 1);
        let mut items = vec![];
        assert_eq!(q.take(&mut items, 1), Take::Items(false));
        let mut buf = BytesMut::new();
        encode_items(&mut items, &mut buf, frame::DEFAULT_MAX_FRAME).expect("encode");
        let msgs = decode_all(buf, frame::DEFAULT_MAX_FRAME);
        assert_eq!(seqs(&msgs[0]), vec![2], "unacked and sent: again, first");
        assert!(matches!(msgs[1], Message::ListRoots { req_id: 9 }));
        assert_eq!(seqs(&msgs[2]), vec![3, 4], "queued txns in place, once");
        assert!(matches!(msgs[3], Message::Evict { .. }));
        assert_eq!(msgs.len(), 4);
    }
}

//! The outbound queue and the writer task.
//!
//! Everything the client sends goes through one FIFO queue, so the order in which messages are
//! queued is the order in which the server sees them (transactions made under a lock are queued
//! at their holder's release, hence before that lock's `RecallCommit`). The writer task takes
//! everything queued at once, encodes it into one buffer — consecutive transactions become one
//! `TxnBatch` frame — and writes it with a single `write_all`.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock, Weak};

use bytes::{Bytes, BytesMut};
use kiln_protocol::{frame, Message, Txn as WireTxn};
use parking_lot::Mutex;
use tokio::io::AsyncWriteExt;
use tokio::net::tcp::OwnedWriteHalf;
use tokio::sync::Notify;

use crate::client::Inner;
use crate::Error;

/// Most transactions put into one `TxnBatch` frame (a frame over the maximum is split anyway).
const MAX_TXNS_PER_BATCH: usize = 4096;

#[derive(Debug)]
pub(crate) enum Out {
    Msg(Message),
    Txn(WireTxn),
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
}

/// The queue shared by every producer and the writer task.
#[derive(Debug, Default)]
pub(crate) struct Outbound {
    q: Mutex<OutQ>,
    notify: Notify,
    /// Last transaction sequence handed out (mirror of `OutQ::next_seq` for lock-free reads).
    pub(crate) last_seq: AtomicU64,
    /// The socket, for producers that write a request themselves when the connection is idle.
    sock: OnceLock<Weak<OwnedWriteHalf>>,
    /// Frames and bytes written directly by producers (added to the client's stats).
    pub(crate) direct_frames: AtomicU64,
    pub(crate) direct_bytes: AtomicU64,
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
            let sock = if q.items.is_empty() && !q.writing {
                self.sock.get().and_then(Weak::upgrade)
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
        let _ = self.sock.set(Arc::downgrade(sock));
    }

    /// The writer finished writing what it took.
    fn done_writing(&self) {
        self.q.lock().writing = false;
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

    /// Drops everything queued and closes the queue.
    pub(crate) fn abort(&self) {
        {
            let mut q = self.q.lock();
            q.items.clear();
            q.closed = true;
        }
        self.notify.notify_one();
    }

    fn take(&self, into: &mut Vec<Out>) -> bool {
        let mut q = self.q.lock();
        std::mem::swap(&mut q.items, into);
        q.writing = !into.is_empty();
        q.closed
    }
}

/// Encodes a batch of transactions as one frame, splitting it in halves if the frame would be
/// over `max_frame`. Returns the number of frames written into `buf`.
fn encode_batch(txns: Vec<WireTxn>, buf: &mut BytesMut, max_frame: usize) -> Result<u64, Error> {
    let start = buf.len();
    let n = txns.len();
    let msg = Message::TxnBatch { txns };
    frame::encode(&msg, buf);
    if buf.len() - start - frame::HEADER_LEN <= max_frame {
        return Ok(1);
    }
    buf.truncate(start);
    let Message::TxnBatch { mut txns } = msg else {
        return Ok(0);
    };
    if n <= 1 {
        let seq = txns.first().map(|t| t.seq).unwrap_or(0);
        return Err(Error::lost(format!(
            "transaction {seq} does not fit in one frame (maximum {max_frame} bytes)"
        )));
    }
    let second = txns.split_off(n / 2);
    Ok(encode_batch(txns, buf, max_frame)? + encode_batch(second, buf, max_frame)?)
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
    let mut batch: Vec<WireTxn> = Vec::new();
    for item in items.drain(..) {
        match item {
            Out::Txn(t) => {
                txn_count += 1;
                batch.push(t);
                if batch.len() >= MAX_TXNS_PER_BATCH {
                    frames += encode_batch(std::mem::take(&mut batch), buf, max_frame)?;
                }
            }
            Out::Raw(b) => {
                if !batch.is_empty() {
                    frames += encode_batch(std::mem::take(&mut batch), buf, max_frame)?;
                }
                buf.extend_from_slice(&b);
            }
            Out::Msg(m) => {
                if !batch.is_empty() {
                    frames += encode_batch(std::mem::take(&mut batch), buf, max_frame)?;
                }
                goodbye |= matches!(m, Message::Goodbye);
                frame::encode(&m, buf);
                frames += 1;
            }
        }
    }
    if !batch.is_empty() {
        frames += encode_batch(batch, buf, max_frame)?;
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

/// The writer task: drain, encode, one write, repeat.
pub(crate) async fn writer_loop(inner: Arc<Inner>, w: Arc<OwnedWriteHalf>) {
    let mut items: Vec<Out> = Vec::new();
    let mut buf = BytesMut::with_capacity(64 * 1024);
    loop {
        let closed = inner.out.take(&mut items);
        if items.is_empty() {
            if closed {
                break;
            }
            inner.out.notify.notified().await;
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
            inner.fail(Error::lost(format!("write failed: {e}")));
            break;
        }
        inner.out.done_writing();
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
    tracing::debug!("writer task ended");
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
        q.take(&mut items);
        let mut buf = BytesMut::new();
        let (frames, txns, bye) =
            encode_items(&mut items, &mut buf, frame::DEFAULT_MAX_FRAME).expect("encode");
        assert_eq!((frames, txns, bye), (3, 3, false));
        let dec = FrameDecoder::new(frame::DEFAULT_MAX_FRAME);
        let m1 = dec.next(&mut buf).expect("ok").expect("frame");
        assert!(
            matches!(&m1, Message::TxnBatch { txns } if txns.len() == 2 && txns[0].seq == 1 && txns[1].seq == 2)
        );
        assert!(matches!(
            dec.next(&mut buf),
            Ok(Some(Message::RecallCommit { .. }))
        ));
        assert!(
            matches!(dec.next(&mut buf), Ok(Some(Message::TxnBatch { txns })) if txns[0].seq == 3)
        );
    }

    #[test]
    fn splits_oversize_batches() {
        let mut items: Vec<Out> = (0..8).map(|_| Out::Txn(txn(100))).collect();
        let mut buf = BytesMut::new();
        let (frames, _, _) = encode_items(&mut items, &mut buf, 300).expect("encode");
        assert!(frames > 1);
        let dec = FrameDecoder::new(300);
        let mut total = 0;
        while let Some(Message::TxnBatch { txns }) = dec.next(&mut buf).expect("ok") {
            total += txns.len();
        }
        assert_eq!(total, 8);
        let mut items = vec![Out::Txn(txn(1000))];
        assert!(encode_items(&mut items, &mut BytesMut::new(), 300).is_err());
    }

    #[test]
    fn closed_queue_refuses() {
        let q = Outbound::default();
        q.close_with(Some(Message::Goodbye));
        assert!(!q.push(Message::Ping { nonce: 1 }));
        assert_eq!(q.push_txn(WireTxn::default()), None);
    }
}

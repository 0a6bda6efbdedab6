//! The reader task: incoming frames, dispatched in connection order.

use std::sync::atomic::Ordering;
use std::sync::Arc;

use bytes::BytesMut;
use kiln_protocol::frame::FrameDecoder;
use kiln_protocol::{ErrorCode, Message};
use tokio::io::AsyncReadExt;
use tokio::net::tcp::OwnedReadHalf;

use crate::Error;

use super::events::{ChangeEvent, ClusterEvent, DmiEvent};
use super::handshake::server_error;
use super::inner::{ChangeCallback, DmiCallback, Inner};

impl Inner {
    /// Handles a message received on connection `gen`.
    pub(super) fn dispatch(self: &Arc<Self>, m: Message, gen: u64) {
        tracing::trace!(msg = m.name(), "received");
        if let Message::Error { code, message } = m {
            let err = server_error(code, message);
            if code == ErrorCode::ShuttingDown {
                self.connection_lost(gen, err);
            } else {
                self.fail_conn(gen, err);
            }
            return;
        }
        // Under the gate: a message of a connection that was lost meanwhile is dropped (the
        // state it would change was snapshot for the reconnect; requests are sent again).
        let _g = self.gate();
        if self.out.gen() != gen {
            tracing::debug!(msg = m.name(), "message of a lost connection dropped");
            return;
        }
        match m {
            Message::Ping { nonce } => {
                self.out.push(Message::Pong { nonce });
            }
            Message::Pong { nonce } => {
                if let Some((tx, _)) = self.pings.lock().remove(&nonce) {
                    let _ = tx.send(());
                }
            }
            Message::FaultReply {
                req_id,
                objects,
                missing,
            } => {
                // Not a change to track: a copy replaced here by a newer one (a resident
                // object) also gets that change's `Deltas`, tracked there; a first fault has
                // no copy outside the cache yet.
                self.insert_faulted(objects);
                self.refetch_done(req_id);
                let reply = Message::FaultReply {
                    req_id,
                    objects: Vec::new(),
                    missing,
                };
                match self.pending.lock().remove(&req_id) {
                    Some(p) => {
                        let _ = p.tx.send(reply);
                    }
                    None => tracing::debug!(req_id, "fault reply nobody waits for (cached anyway)"),
                }
            }
            Message::RootValue { req_id, .. }
            | Message::RootList { req_id, .. }
            | Message::Located { req_id, .. }
            | Message::Prepared { req_id, .. }
            | Message::PrepareFailed { req_id, .. }
            | Message::Decided { req_id, .. }
            | Message::PartsDone { req_id, .. } => match self.pending.lock().remove(&req_id) {
                Some(p) => {
                    let _ = p.tx.send(m);
                }
                None => tracing::debug!(req_id, "reply to a request nobody waits for"),
            },
            Message::IdLease { start, count } => {
                let more = self.ids.lock().add(start, count);
                if let Some(count) = more {
                    self.out.push(Message::IdLeaseRequest { count });
                }
                self.ids_ready.notify_waiters();
            }
            Message::BatchAck { upto_seq, gtx } => self.on_ack(upto_seq, Some(gtx)),
            Message::CommitAck { seq, gtx } => self.on_ack(seq, Some(gtx)),
            Message::TxnRejected {
                from_seq,
                upto_seq,
                code,
                message,
            } => {
                self.on_rejected(from_seq, upto_seq, code, message);
                // Their objects left the cache (local changes undone): copies kept outside
                // must be refreshed from the server's state.
                self.stats.changes.note_all();
            }
            Message::Deltas {
                gtx,
                from_client,
                deltas,
            } => {
                self.stats.remote_txns.fetch_add(1, Ordering::Relaxed);
                let mut bad = Vec::new();
                // Objects this transaction already changed here: one transaction may carry
                // several deltas for one object (changes to other objects in between).
                let mut applied = std::collections::HashSet::new();
                {
                    let mut cache = self.cache.lock();
                    for d in &deltas {
                        let Some(c) = cache.get_mut(&d.oid) else {
                            continue;
                        };
                        // Already contains this change (faulted after it was applied).
                        if c.version >= gtx && !applied.contains(&d.oid) {
                            continue;
                        }
                        applied.insert(d.oid);
                        for op in &d.ops {
                            if let Err(e) = c.state.apply(op) {
                                tracing::warn!(oid = %d.oid, gtx, from_client, error = %e, "remote delta does not apply: dropping the object from the cache");
                                bad.push(d.oid);
                                break;
                            }
                        }
                        c.version = gtx;
                    }
                    for o in &bad {
                        cache.remove(o);
                    }
                }
                // Noted before the next message (a lock award) is dispatched: the award's
                // holder sees these changes (DESIGN.md happens-before). Dropped objects too.
                self.stats.changes.note(deltas.iter().map(|d| d.oid));
                if !bad.is_empty() {
                    self.out.push(Message::Evict { oids: bad });
                }
            }
            Message::LockAward {
                req_id,
                lock,
                level,
                token,
            } => match self.existing_entry(&lock) {
                Some(e) => self.with_core(&e, |c, ctx| c.on_award(req_id, level, token, ctx)),
                None => tracing::warn!(%lock, "award for an unknown lock"),
            },
            Message::LockRecall { lock, .. } => {
                self.stats.recalls.fetch_add(1, Ordering::Relaxed);
                match self.existing_entry(&lock) {
                    Some(e) => {
                        self.with_core(&e, |c, ctx| c.on_recall(ctx));
                        self.note_release_wanted(&e);
                        self.forget_if_idle(&e);
                    }
                    None => {
                        tracing::debug!(%lock, "recall of a lock this client no longer tracks (stale)")
                    }
                }
            }
            Message::LockTimeout { req_id, lock } => match self.existing_entry(&lock) {
                Some(e) => {
                    self.with_core(&e, |c, ctx| c.on_timeout(req_id, ctx));
                    self.forget_if_idle(&e);
                }
                None => tracing::debug!(%lock, "timeout of a lock this client no longer tracks"),
            },
            Message::WaitDone { waiter_id, reason } => match self.waits.lock().remove(&waiter_id) {
                Some(w) => {
                    let _ = w.tx.send(reason);
                }
                None => tracing::debug!(waiter_id, ?reason, "WaitDone for an abandoned waiter"),
            },
            Message::DmiDeliver {
                from_client,
                gtx,
                call,
            } => {
                let ev = DmiEvent {
                    from_client,
                    gtx,
                    call,
                };
                let handlers: Vec<DmiCallback> = self.dmi_handlers.lock().clone();
                if !handlers.is_empty() {
                    let ev2 = ev.clone();
                    self.run_callback(Box::new(move || {
                        handlers.iter().for_each(|h| h(ev2.clone()))
                    }));
                }
                let _ = self.dmi.send(ev);
            }
            Message::ChangeNotice {
                target,
                gtx,
                from_client,
            } => {
                let cbs: Vec<ChangeCallback> = self
                    .subs
                    .lock()
                    .map
                    .get(&target)
                    .map(|v| v.iter().map(|(_, c)| c.clone()).collect())
                    .unwrap_or_default();
                if !cbs.is_empty() {
                    let ev = ChangeEvent {
                        target,
                        gtx,
                        from_client,
                    };
                    self.run_callback(Box::new(move || cbs.iter().for_each(|c| c(ev.clone()))));
                }
            }
            Message::NodeJoined { node } => {
                {
                    let mut nodes = self.nodes.lock();
                    nodes.retain(|n| n.id != node.id);
                    nodes.push(node.clone());
                }
                let _ = self.events.send(ClusterEvent::NodeJoined(node));
            }
            Message::NodeLeft { node } => {
                self.nodes.lock().retain(|n| n.id != node.id);
                let _ = self.events.send(ClusterEvent::NodeLeft(node));
            }
            Message::Membership { nodes, .. } => *self.nodes.lock() = nodes,
            other => tracing::warn!(
                msg = other.name(),
                "unexpected message from the server ignored"
            ),
        }
    }
}

pub(super) async fn reader_loop(
    inner: Arc<Inner>,
    mut rd: OwnedReadHalf,
    mut buf: BytesMut,
    gen: u64,
) {
    let dec = FrameDecoder::new(inner.max_frame);
    loop {
        loop {
            match dec.next(&mut buf) {
                Ok(Some(m)) => {
                    if inner.out.gen() != gen {
                        return; // this connection was replaced
                    }
                    inner.stats.frames_received.fetch_add(1, Ordering::Relaxed);
                    // Several stripes: an award behind a fence waits for it (`twopc`).
                    let m = match inner.stripes > 1 {
                        false => m,
                        true => match inner.hold_award(m, gen) {
                            Some(m) => m,
                            None => continue,
                        },
                    };
                    inner.dispatch(m, gen);
                }
                Ok(None) => break,
                Err(e) => {
                    inner.fail_conn(gen, Error::Protocol(e));
                    return;
                }
            }
        }
        if buf.capacity() - buf.len() < 16 * 1024 {
            buf.reserve(64 * 1024);
        }
        match rd.read_buf(&mut buf).await {
            Ok(0) => {
                inner.connection_lost(gen, Error::lost("the server closed the connection"));
                return;
            }
            Ok(n) => {
                inner
                    .stats
                    .bytes_received
                    .fetch_add(n as u64, Ordering::Relaxed);
                inner
                    .last_rx_us
                    .store(inner.epoch.elapsed().as_micros() as u64, Ordering::Relaxed);
            }
            Err(e) => {
                inner.connection_lost(gen, Error::lost(format!("read failed: {e}")));
                return;
            }
        }
    }
}

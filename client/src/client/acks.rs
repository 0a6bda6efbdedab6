//! Transactions after commit: the window, acknowledgements and rejections.

use std::sync::atomic::Ordering;

use kiln_protocol::{ErrorCode, Message, ObjectId, Txn as WireTxn};

use crate::{Error, Result};

use super::inner::Inner;
use super::MAX_REJECTIONS;

/// A range of transactions the server rejected.
#[derive(Debug)]
pub(super) struct Rejection {
    pub(super) from: u64,
    pub(super) upto: u64,
    pub(super) code: ErrorCode,
    pub(super) message: String,
}

impl Rejection {
    pub(super) fn error(&self) -> Error {
        let message = format!(
            "transactions {}..={} were not applied: {}",
            self.from, self.upto, self.message
        );
        match self.code {
            ErrorCode::StorageUnavailable => Error::StorageUnavailable { message },
            code => Error::TxnRejected { code, message },
        }
    }
}

impl Inner {
    /// Waits until the window has room for one more transaction.
    pub(crate) async fn wait_window(&self) -> Result<()> {
        let last = self.out.last_seq.load(Ordering::Acquire);
        if last.saturating_sub(self.acked.load(Ordering::Acquire)) < self.window {
            return Ok(());
        }
        let mut rx = self.acks.subscribe();
        let window = self.window;
        let out = &self.out;
        let r = rx
            .wait_for(|a| {
                a.down || out.last_seq.load(Ordering::Acquire).saturating_sub(a.upto) < window
            })
            .await
            .map(|a| a.down);
        match r {
            Ok(false) => Ok(()),
            _ => Err(self.failure()),
        }
    }

    /// Queues a finished transaction; returns its sequence number.
    pub(crate) fn send_txn(&self, t: WireTxn) -> Result<u64> {
        if !t.new_objects.is_empty() {
            // Sent from now on: re-asserted as resident after a reconnect (the server knows
            // them once the transaction is applied, or reports them stale).
            let mut cache = self.cache.lock();
            for (oid, _) in &t.new_objects {
                if let Some(c) = cache.get_mut(oid) {
                    c.unsent = false;
                }
            }
        }
        match self.out.push_txn(t) {
            Some(seq) => {
                self.stats.txns_committed.fetch_add(1, Ordering::Relaxed);
                Ok(seq)
            }
            None => Err(self.failure()),
        }
    }

    /// Waits until transaction `seq` (and every earlier one) is acknowledged; the error of a
    /// rejection if `seq` was rejected.
    pub(crate) async fn wait_acked(&self, seq: u64) -> Result<()> {
        self.wait_acked_upto(seq).await?;
        match self.rejected_in(seq, seq) {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }

    /// Waits until every transaction up to `seq` is acknowledged or rejected.
    pub(crate) async fn wait_acked_upto(&self, seq: u64) -> Result<()> {
        if self.acked.load(Ordering::Acquire) >= seq {
            return Ok(());
        }
        let mut rx = self.acks.subscribe();
        match rx
            .wait_for(|a| a.down || a.upto >= seq)
            .await
            .map(|a| (a.upto, a.down))
        {
            Ok((upto, _)) if upto >= seq => Ok(()),
            _ => Err(self.failure()),
        }
    }

    /// Transactions up to `seq` are acknowledged; `gtx` is the global id of the last of them
    /// (`None`: rejected). The objects they created or changed take that version (protocol.md
    /// §9.7: the server applies one batch of a client at once, so no other client's change
    /// falls between them and `gtx`), so a later re-assert reports them up to date.
    pub(super) fn on_ack(&self, seq: u64, gtx: Option<u64>) {
        let prev = self.acked.fetch_max(seq, Ordering::AcqRel);
        if seq > prev {
            let acked = self.out.release_acked(seq);
            if let Some(gtx) = gtx {
                if acked.iter().any(|r| !r.oids.is_empty()) {
                    let mut cache = self.cache.lock();
                    for oid in acked.iter().flat_map(|r| r.oids.iter()) {
                        if let Some(c) = cache.get_mut(oid) {
                            c.version = c.version.max(gtx);
                        }
                    }
                }
            }
            drop(acked);
            self.acks.send_modify(|a| a.upto = a.upto.max(seq));
        }
    }

    /// `TxnRejected`: the transactions were not applied. Their objects leave the cache (they are
    /// faulted in again from the server), they are not kept for a resend, and whoever waits for
    /// them gets the error; the sequence numbers count as acknowledged.
    pub(super) fn on_rejected(&self, from: u64, upto: u64, code: ErrorCode, message: String) {
        let n = upto.saturating_sub(from).saturating_add(1);
        self.stats.txns_rejected.fetch_add(n, Ordering::Relaxed);
        tracing::warn!(
            client_id = self.client_id,
            from_seq = from,
            upto_seq = upto,
            ?code,
            reason = %message,
            "the server rejected transactions: their changes are dropped from the cache"
        );
        let mut oids: Vec<ObjectId> = self
            .out
            .take_retained(from, upto)
            .iter()
            .flat_map(|r| r.oids.iter().copied())
            .collect();
        oids.sort_unstable();
        oids.dedup();
        if !oids.is_empty() {
            self.evict_local(&oids);
            self.out.push(Message::Evict { oids });
        }
        {
            let mut r = self.rejections.lock();
            match r.back_mut() {
                Some(last) if last.upto.saturating_add(1) == from && last.code == code => {
                    last.upto = upto;
                    last.message = message;
                }
                _ => {
                    if r.len() >= MAX_REJECTIONS {
                        r.pop_front();
                    }
                    r.push_back(Rejection {
                        from,
                        upto,
                        code,
                        message,
                    });
                }
            }
            self.any_rejected.store(true, Ordering::Release);
        }
        self.on_ack(upto, None);
    }

    /// The error for a rejected transaction in `from..=upto`, if any.
    pub(crate) fn rejected_in(&self, from: u64, upto: u64) -> Option<Error> {
        if !self.any_rejected.load(Ordering::Acquire) || from > upto {
            return None;
        }
        self.rejections
            .lock()
            .iter()
            .rev()
            .find(|r| r.from <= upto && from <= r.upto)
            .map(Rejection::error)
    }
}

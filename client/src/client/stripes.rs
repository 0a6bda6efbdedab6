//! Several mirror groups (stripes): one connection per stripe and the routing between them
//! (docs/protocol.md "Stripes", docs/architecture.md "Mirror groups (stripes)").
//!
//! A striped [`Client`] is the stripe-0 client with a [`Stripes`] list of every stripe's
//! client (each an ordinary one-group client: its own connection, reconnect and failover over
//! its group's addresses, id pool, cache and lock table). Public calls route: roots and named
//! or class locks to `FNV-1a-64(name) % n`, faults, reads, object locks and subscriptions to
//! the stripe in the object id's top byte. A transaction lives on the stripe of its lock and is
//! committed there (with two-phase commit when it changes other stripes' objects); the objects
//! it creates go to the stripe of their referrer (`Txn::create_near` / `create_in`; plain
//! `create`: the lock's stripe). With one group there is no [`Stripes`] and nothing routes.

use std::sync::Arc;

use kiln_protocol::{stripe, LockId, ObjectId};

use super::api::Client;
use super::events::{ClientStats, ConnectionState};
use crate::{Error, Result};

/// Every stripe's client, in stripe order.
#[derive(Debug)]
pub(crate) struct Stripes {
    pub(crate) clients: Vec<Client>,
}

impl Client {
    /// A client over several stripes (`clients[i]` serves stripe `i`; at least one).
    pub(super) fn striped(clients: Vec<Client>) -> Client {
        let all: Vec<Arc<super::Inner>> = clients.iter().map(|c| c.inner.clone()).collect();
        for c in &clients {
            c.inner.twopc.set_siblings(&all);
        }
        let first = &clients[0];
        Client {
            inner: first.inner.clone(),
            _handle: first._handle.clone(),
            stripes: Some(Arc::new(Stripes {
                clients: clients.clone(),
            })),
        }
    }

    /// How many stripes (mirror groups) this client uses (1 for one group).
    pub fn stripe_count(&self) -> usize {
        self.stripes.as_ref().map_or(1, |s| s.clients.len())
    }

    /// The stripe root `name` lives on (`FNV-1a-64(name) % stripes`; 0 with one stripe): where
    /// an object assigned to that root should be created ([`crate::Txn::create_in`]).
    pub fn root_stripe(&self, name: &str) -> u8 {
        match &self.stripes {
            None => 0,
            Some(s) => stripe::name_stripe(name, s.clients.len()),
        }
    }

    /// The client of stripe `i` alone (for a one-group client, itself for `i == 0`).
    pub fn stripe_client(&self, i: usize) -> Option<Client> {
        match &self.stripes {
            None => (i == 0).then(|| self.clone()),
            Some(s) => s.clients.get(i).cloned(),
        }
    }

    /// Every stripe's client (one element for a one-group client).
    pub(crate) fn each_stripe(&self) -> Vec<&Client> {
        match &self.stripes {
            None => vec![self],
            Some(s) => s.clients.iter().collect(),
        }
    }

    fn stripe_at(&self, i: u8, what: impl FnOnce() -> String) -> Result<Option<&Client>> {
        let Some(s) = &self.stripes else {
            return Ok(None);
        };
        match s.clients.get(usize::from(i)) {
            Some(c) => Ok(Some(c)),
            None => Err(Error::WrongStripe {
                message: format!(
                    "{} belongs to stripe {i}, but this client knows {} stripe(s)",
                    what(),
                    s.clients.len()
                ),
            }),
        }
    }

    /// The stripe client owning root `name` (`None`: one group, use `self`).
    #[inline]
    pub(crate) fn route_root(&self, name: &str) -> Result<Option<&Client>> {
        match &self.stripes {
            None => Ok(None),
            Some(s) => self.stripe_at(stripe::name_stripe(name, s.clients.len()), || {
                format!("root '{name}'")
            }),
        }
    }

    /// The stripe client owning `lock` (`None`: one group).
    #[inline]
    pub(crate) fn route_lock(&self, lock: &LockId) -> Result<Option<&Client>> {
        match &self.stripes {
            None => Ok(None),
            Some(s) => self.stripe_at(stripe::lock_stripe(lock, s.clients.len()), || {
                format!("lock {lock}")
            }),
        }
    }

    /// The client whose connection owns `lock`: the stripe's, or `self` with one group.
    #[inline]
    pub(crate) fn lock_owner(&self, lock: &LockId) -> Result<&Client> {
        Ok(self.route_lock(lock)?.unwrap_or(self))
    }

    /// The stripe client owning object `oid` (`None`: one group).
    #[inline]
    pub(crate) fn route_oid(&self, oid: ObjectId) -> Result<Option<&Client>> {
        match &self.stripes {
            None => Ok(None),
            Some(_) => self.stripe_at(oid.stripe(), || format!("object {oid}")),
        }
    }

    /// `oids` grouped by stripe client, in stripe order (only for a striped client).
    pub(crate) fn split_oids(&self, oids: &[ObjectId]) -> Result<Vec<(&Client, Vec<ObjectId>)>> {
        let mut out: Vec<(&Client, Vec<ObjectId>)> = Vec::new();
        for &o in oids {
            let c = self.route_oid(o)?.unwrap_or(self);
            match out.iter_mut().find(|(k, _)| std::ptr::eq(*k, c)) {
                Some((_, v)) => v.push(o),
                None => out.push((c, vec![o])),
            }
        }
        Ok(out)
    }

    /// The least healthy stripe's state (Connected only when every stripe is).
    pub(crate) fn striped_state(&self, s: &Stripes) -> ConnectionState {
        s.clients
            .iter()
            .map(|c| c.inner.state())
            .find(|st| *st != ConnectionState::Connected)
            .unwrap_or(ConnectionState::Connected)
    }

    /// Counters summed over the stripes.
    pub(crate) fn striped_stats(s: &Stripes) -> ClientStats {
        let mut t = ClientStats::default();
        for c in &s.clients {
            let x = c.stats();
            t.frames_sent += x.frames_sent;
            t.writes += x.writes;
            t.bytes_sent += x.bytes_sent;
            t.frames_received += x.frames_received;
            t.bytes_received += x.bytes_received;
            t.lock_requests += x.lock_requests;
            t.pings_sent += x.pings_sent;
            t.recalls += x.recalls;
            t.txns_committed += x.txns_committed;
            t.txns_sent += x.txns_sent;
            t.acked_seq += x.acked_seq;
            t.faults += x.faults;
            t.remote_txns_applied += x.remote_txns_applied;
            t.cached_objects += x.cached_objects;
            t.tracked_locks += x.tracked_locks;
            t.txns_rejected += x.txns_rejected;
            t.reconnects += x.reconnects;
            t.unacked_txns += x.unacked_txns;
        }
        t
    }
}

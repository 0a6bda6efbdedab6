//! The object-id pool: leased ranges, asked for again before they run out.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use kiln_protocol::{Message, ObjectId};

use crate::{Error, Result};

use super::inner::Inner;

#[derive(Debug)]
pub(super) struct IdPool {
    pub(super) ranges: VecDeque<(u64, u64)>,
    pub(super) remaining: u64,
    pub(super) requested: bool,
    pub(super) batch: u64,
    pub(super) last_request: Option<Instant>,
}

/// Largest id lease asked for when ids are consumed quickly.
pub(super) const MAX_ID_BATCH: u64 = 1 << 20;

impl IdPool {
    pub(super) fn new(batch: u64) -> Self {
        IdPool {
            ranges: VecDeque::new(),
            remaining: 0,
            requested: false,
            batch,
            last_request: None,
        }
    }

    /// Takes one id; `Some(count)` asks the caller to request another lease of `count` ids.
    pub(super) fn alloc(&mut self) -> (Option<ObjectId>, Option<u64>) {
        let id = loop {
            let Some((next, end)) = self.ranges.front_mut() else {
                break None;
            };
            if *next >= *end {
                self.ranges.pop_front();
                continue;
            }
            let id = *next;
            *next += 1;
            self.remaining = self.remaining.saturating_sub(1);
            if id == 0 {
                continue;
            }
            break Some(ObjectId(id));
        };
        (id, self.want_more())
    }
    /// Asks for a new lease when less than half a batch is left. Ids consumed quickly (the
    /// previous lease was asked for less than a second ago) double the batch size.
    pub(super) fn want_more(&mut self) -> Option<u64> {
        if self.requested || self.remaining >= self.batch / 2 {
            return None;
        }
        let now = Instant::now();
        if self
            .last_request
            .is_some_and(|t| now.duration_since(t) < Duration::from_secs(1))
        {
            self.batch = (self.batch * 2).min(MAX_ID_BATCH.max(self.batch));
        }
        self.last_request = Some(now);
        self.requested = true;
        Some(self.batch)
    }
    pub(super) fn add(&mut self, start: u64, count: u64) -> Option<u64> {
        self.ranges.push_back((start, start.saturating_add(count)));
        self.remaining += count;
        self.requested = false;
        self.want_more()
    }
}

impl Inner {
    pub(crate) fn alloc_id(&self) -> Result<ObjectId> {
        let (id, more) = self.ids.lock().alloc();
        if let Some(count) = more {
            self.out.push(Message::IdLeaseRequest { count });
        }
        id.ok_or(Error::IdsExhausted)
    }

    /// Object ids left in the leased ranges.
    pub(crate) fn ids_remaining(&self) -> u64 {
        self.ids.lock().remaining
    }

    pub(crate) async fn reserve_ids(&self, n: u64) -> Result<()> {
        loop {
            let notified = self.ids_ready.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            {
                let mut ids = self.ids.lock();
                if ids.remaining >= n {
                    return Ok(());
                }
                if !ids.requested {
                    ids.requested = true;
                    ids.last_request = Some(Instant::now());
                    let count = ids.batch.max(n - ids.remaining);
                    drop(ids);
                    self.out.push(Message::IdLeaseRequest { count });
                }
            }
            self.check_alive()?;
            notified.await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn id_pool_requests_before_exhaustion() {
        let mut p = IdPool::new(10);
        p.requested = true;
        assert_eq!(p.add(0, 10), None, "a full batch needs no new request");
        // id 0 is skipped
        assert_eq!(p.alloc(), (Some(ObjectId(1)), None));
        let mut asked = vec![];
        let mut got = vec![];
        while let (Some(id), more) = p.alloc() {
            got.push(id.0);
            asked.extend(more);
        }
        assert_eq!(got, (2..10).collect::<Vec<_>>());
        assert_eq!(asked, vec![10], "asks once when below half");
        assert_eq!(p.add(100, 10), None);
        assert_eq!(p.alloc().0, Some(ObjectId(100)));
        // consumed fast: the next request doubles the batch
        let mut more = None;
        while more.is_none() {
            more = p.alloc().1;
        }
        assert_eq!(more, Some(20));
    }
}

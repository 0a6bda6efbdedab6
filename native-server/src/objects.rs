//! The server's object table, compact in memory.
//!
//! Most objects of a large graph are rarely touched, so they are kept *cold*: their wire
//! encoding (`docs/protocol.md` §5) in an append-only arena of 32 MiB chunks, found through a
//! `HashMap<ObjectId, u64>` (chunk, offset). An entry costs its encoded bytes plus 12 bytes
//! (length, version) plus one 16-byte hash slot: no allocation per object. That is what lets a
//! server hold 10M small objects with well under 64 bytes of overhead each, and reload a store
//! by copying bytes instead of decoding them.
//!
//! Objects being changed are *hot*: decoded (`ObjectState`) in a second map, so a transaction on
//! a big collection costs its delta, not a re-encode. After each commit, hot objects beyond
//! `hot_max` are demoted again (clock / second-chance order: one that was touched since the last
//! pass is kept once more). An object is in exactly one of the two maps. Arena space of removed
//! or promoted entries is garbage; the arena is compacted when garbage exceeds half of it.

use std::collections::VecDeque;

// Object ids are assigned by the server, never chosen by a client, so the table can use a fast
// non-keyed hash (no hash-flooding exposure); SipHash was a sixth of the restart reload time.
use rustc_hash::FxHashMap as HashMap;

use bytes::BytesMut;
use kiln_protocol::wire::Reader;
use kiln_protocol::{ObjectId, ObjectState};
use tracing::error;

use crate::state::Stored;

const CHUNK: usize = 32 << 20;
/// Default number of decoded (hot) objects kept (`KILN_HOT_OBJECTS` overrides).
pub const DEFAULT_HOT_MAX: usize = 16_384;

#[derive(Debug, Default)]
struct Arena {
    chunks: Vec<Vec<u8>>,
    /// Bytes of all entries ever pushed into the current chunks.
    total: usize,
    /// Bytes of entries no longer referenced.
    garbage: usize,
}

impl Arena {
    /// Appends `[u32 len][u64 version][bytes]`; returns its position.
    fn push(&mut self, version: u64, bytes: &[u8]) -> Option<u64> {
        let len = u32::try_from(bytes.len()).ok()?;
        let size = 12 + bytes.len();
        let need_new = self
            .chunks
            .last()
            .is_none_or(|c| c.capacity() - c.len() < size);
        if need_new {
            self.chunks.push(Vec::with_capacity(CHUNK.max(size)));
        }
        let idx = self.chunks.len() - 1;
        let chunk = self.chunks.last_mut()?;
        let off = u32::try_from(chunk.len()).ok()?;
        chunk.extend_from_slice(&len.to_le_bytes());
        chunk.extend_from_slice(&version.to_le_bytes());
        chunk.extend_from_slice(bytes);
        self.total += size;
        Some(((idx as u64) << 32) | u64::from(off))
    }

    fn get(&self, pos: u64) -> Option<(u64, &[u8])> {
        let chunk = self.chunks.get((pos >> 32) as usize)?;
        let off = (pos & 0xffff_ffff) as usize;
        let len = u32::from_le_bytes(chunk.get(off..off + 4)?.try_into().ok()?) as usize;
        let version = u64::from_le_bytes(chunk.get(off + 4..off + 12)?.try_into().ok()?);
        Some((version, chunk.get(off + 12..off + 12 + len)?))
    }

    fn release(&mut self, pos: u64) {
        if let Some((_, b)) = self.get(pos) {
            self.garbage += 12 + b.len();
        }
    }
}

#[derive(Debug)]
struct Hot {
    stored: Stored,
    touched: bool,
}

/// Memory figures for `/status`.
#[derive(Debug, Clone, Copy, Default, serde::Serialize)]
pub struct ObjectMemory {
    /// Decoded objects.
    pub hot: usize,
    /// Encoded objects.
    pub cold: usize,
    /// Arena bytes in use (live + garbage).
    pub arena_bytes: usize,
    /// Arena bytes of dead entries.
    pub arena_garbage: usize,
}

/// The object table.
#[derive(Debug)]
pub struct Objects {
    cold: HashMap<ObjectId, u64>,
    arena: Arena,
    hot: HashMap<ObjectId, Hot>,
    clock: VecDeque<ObjectId>,
    hot_max: usize,
}

impl Default for Objects {
    fn default() -> Self {
        let hot_max = std::env::var("KILN_HOT_OBJECTS")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(DEFAULT_HOT_MAX);
        Objects::with_hot_max(hot_max)
    }
}

fn decode(oid: ObjectId, bytes: &[u8]) -> Option<ObjectState> {
    let mut r = Reader::new(bytes);
    match ObjectState::decode(&mut r).and_then(|s| r.finish("stored object").map(|()| s)) {
        Ok(s) => Some(s),
        Err(e) => {
            error!(%oid, error = %e, "stored object cannot be decoded; treating it as missing");
            None
        }
    }
}

impl Objects {
    /// An empty table keeping at most `hot_max` decoded objects after each commit.
    pub fn with_hot_max(hot_max: usize) -> Self {
        Objects {
            cold: HashMap::default(),
            arena: Arena::default(),
            hot: HashMap::default(),
            clock: VecDeque::new(),
            hot_max,
        }
    }

    /// Reserves room for `n` encoded objects (before a load).
    pub fn reserve(&mut self, n: usize) {
        self.cold.reserve(n);
    }

    /// Number of objects.
    pub fn len(&self) -> usize {
        self.cold.len() + self.hot.len()
    }

    /// True when there are none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether `oid` exists.
    pub fn contains(&self, oid: &ObjectId) -> bool {
        self.hot.contains_key(oid) || self.cold.contains_key(oid)
    }

    /// The version of `oid`.
    pub fn version(&self, oid: &ObjectId) -> Option<u64> {
        if let Some(h) = self.hot.get(oid) {
            return Some(h.stored.version);
        }
        self.cold
            .get(oid)
            .and_then(|p| self.arena.get(*p))
            .map(|(v, _)| v)
    }

    /// A copy of `oid` (version, state).
    pub fn read(&self, oid: &ObjectId) -> Option<(u64, ObjectState)> {
        if let Some(h) = self.hot.get(oid) {
            return Some((h.stored.version, h.stored.state.clone()));
        }
        let (v, b) = self.cold.get(oid).and_then(|p| self.arena.get(*p))?;
        decode(*oid, b).map(|s| (v, s))
    }

    /// Calls `f` for every object id `oid` refers to.
    pub fn for_each_ref(&self, oid: &ObjectId, f: &mut impl FnMut(ObjectId)) {
        if let Some(h) = self.hot.get(oid) {
            h.stored.state.for_each_ref(f);
        } else if let Some((_, b)) = self.cold.get(oid).and_then(|p| self.arena.get(*p)) {
            if let Some(s) = decode(*oid, b) {
                s.for_each_ref(f);
            }
        }
    }

    /// `oid` for changing: decoded (made hot) if it was cold.
    pub fn get_mut(&mut self, oid: &ObjectId) -> Option<&mut Stored> {
        if !self.hot.contains_key(oid) {
            let pos = *self.cold.get(oid)?;
            let (version, bytes) = self.arena.get(pos)?;
            let state = decode(*oid, bytes)?;
            self.cold.remove(oid);
            self.arena.release(pos);
            self.hot.insert(
                *oid,
                Hot {
                    stored: Stored { version, state },
                    touched: true,
                },
            );
            self.clock.push_back(*oid);
        }
        let h = self.hot.get_mut(oid)?;
        h.touched = true;
        Some(&mut h.stored)
    }

    /// Adds (or replaces) an object, hot.
    pub fn insert(&mut self, oid: ObjectId, stored: Stored) {
        if let Some(pos) = self.cold.remove(&oid) {
            self.arena.release(pos);
        }
        if self
            .hot
            .insert(
                oid,
                Hot {
                    stored,
                    touched: true,
                },
            )
            .is_none()
        {
            self.clock.push_back(oid);
        }
    }

    /// Adds an object from its encoding (`version`, state bytes), cold. Used by the loader.
    pub fn insert_encoded(&mut self, oid: ObjectId, version: u64, state: &[u8]) {
        if let Some(pos) = self.arena.push(version, state) {
            if let Some(old) = self.cold.insert(oid, pos) {
                self.arena.release(old);
            }
            self.hot.remove(&oid);
        } else if let Some(s) = decode(oid, state) {
            self.insert(oid, Stored { version, state: s });
        }
    }

    /// Removes an object; true if it existed.
    pub fn remove(&mut self, oid: &ObjectId) -> bool {
        if self.hot.remove(oid).is_some() {
            return true;
        }
        match self.cold.remove(oid) {
            Some(pos) => {
                self.arena.release(pos);
                true
            }
            None => false,
        }
    }

    /// The stored encoding of `oid`: version (`u64` LE) + state.
    pub fn encoded(&self, oid: &ObjectId) -> Option<Vec<u8>> {
        if let Some(h) = self.hot.get(oid) {
            let mut b = BytesMut::with_capacity(8 + h.stored.state.encoded_len());
            b.extend_from_slice(&h.stored.version.to_le_bytes());
            h.stored.state.encode(&mut b);
            return Some(b.to_vec());
        }
        let (v, bytes) = self.cold.get(oid).and_then(|p| self.arena.get(*p))?;
        let mut out = Vec::with_capacity(8 + bytes.len());
        out.extend_from_slice(&v.to_le_bytes());
        out.extend_from_slice(bytes);
        Some(out)
    }

    /// Every object id (unordered).
    pub fn ids(&self) -> Vec<ObjectId> {
        self.hot.keys().chain(self.cold.keys()).copied().collect()
    }

    /// Memory figures.
    pub fn memory(&self) -> ObjectMemory {
        ObjectMemory {
            hot: self.hot.len(),
            cold: self.cold.len(),
            arena_bytes: self.arena.total,
            arena_garbage: self.arena.garbage,
        }
    }

    /// Demotes hot objects beyond `hot_max` (second chance for recently touched ones), then
    /// compacts the arena if more than half of it is garbage.
    pub fn demote_excess(&mut self) {
        let mut budget = self.clock.len() * 2;
        while self.hot.len() > self.hot_max && budget > 0 {
            budget -= 1;
            let Some(oid) = self.clock.pop_front() else {
                break;
            };
            let Some(h) = self.hot.get_mut(&oid) else {
                continue;
            };
            if h.touched {
                h.touched = false;
                self.clock.push_back(oid);
                continue;
            }
            let Some(h) = self.hot.remove(&oid) else {
                continue;
            };
            let mut b = BytesMut::with_capacity(h.stored.state.encoded_len());
            h.stored.state.encode(&mut b);
            match self.arena.push(h.stored.version, &b) {
                Some(pos) => {
                    self.cold.insert(oid, pos);
                }
                None => {
                    // Too big for an arena entry: stays decoded.
                    self.hot.insert(oid, h);
                    self.clock.push_back(oid);
                }
            }
        }
        if self.clock.len() > 4 * self.hot.len().max(1024) {
            let hot = &self.hot;
            self.clock.retain(|o| hot.contains_key(o));
        }
        if self.arena.total > 2 * CHUNK && self.arena.garbage * 2 > self.arena.total {
            self.compact();
        }
    }

    fn compact(&mut self) {
        let mut fresh = Arena::default();
        for pos in self.cold.values_mut() {
            if let Some((v, b)) = self.arena.get(*pos) {
                if let Some(p) = fresh.push(v, b) {
                    *pos = p;
                }
            }
        }
        self.arena = fresh;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kiln_protocol::{DeltaOp, Value};

    fn map_with(n: i32) -> ObjectState {
        let mut s = ObjectState::map();
        for i in 0..n {
            s.apply(&DeltaOp::Put {
                key: Value::I32(i),
                value: Value::Str(format!("v{i}")),
            })
            .expect("map put");
        }
        s
    }

    #[test]
    fn hot_objects_are_demoted_and_read_back_identically() {
        let mut t = Objects::with_hot_max(4);
        for i in 1..=100u64 {
            t.insert(
                ObjectId(i),
                Stored {
                    version: i,
                    state: map_with(i as i32 % 7),
                },
            );
            t.demote_excess();
        }
        assert_eq!(t.len(), 100);
        assert!(t.memory().hot <= 8, "{:?}", t.memory());
        for i in 1..=100u64 {
            let (v, s) = t.read(&ObjectId(i)).expect("present");
            assert_eq!(v, i);
            assert_eq!(s, map_with(i as i32 % 7));
        }
        // Change a cold one: promoted, changed, demoted again, still right.
        let o = t.get_mut(&ObjectId(3)).expect("present");
        o.state
            .apply(&DeltaOp::Put {
                key: Value::I32(99),
                value: Value::Null,
            })
            .expect("put");
        o.version = 1000;
        for _ in 0..3 {
            t.demote_excess();
        }
        assert_eq!(t.version(&ObjectId(3)), Some(1000));
        let (_, s) = t.read(&ObjectId(3)).expect("present");
        assert_eq!(s.encoded_len(), {
            let mut m = map_with(3);
            m.apply(&DeltaOp::Put {
                key: Value::I32(99),
                value: Value::Null,
            })
            .expect("put");
            m.encoded_len()
        });
        assert!(t.remove(&ObjectId(3)));
        assert!(!t.contains(&ObjectId(3)));
        assert_eq!(t.len(), 99);
        let enc = t.encoded(&ObjectId(5)).expect("present");
        assert_eq!(u64::from_le_bytes(enc[..8].try_into().expect("8")), 5);
    }

    #[test]
    fn compaction_keeps_every_live_object() {
        let mut t = Objects::with_hot_max(0);
        let big = "x".repeat(8 << 10);
        let obj = |i: u64| {
            let mut s = ObjectState::map();
            s.apply(&DeltaOp::Put {
                key: Value::I64(i as i64),
                value: Value::Str(big.clone()),
            })
            .expect("put");
            s
        };
        for i in 1..=20_000u64 {
            t.insert(
                ObjectId(i),
                Stored {
                    version: i,
                    state: obj(i),
                },
            );
            t.demote_excess();
            if i > 10 && i % 2 == 0 {
                t.remove(&ObjectId(i - 10));
            }
        }
        let m = t.memory();
        assert!(
            m.arena_garbage * 2 <= m.arena_bytes + CHUNK,
            "compaction ran: {m:?}"
        );
        for i in (1..=20_000u64).filter(|i| t.contains(&ObjectId(*i))) {
            let (v, s) = t.read(&ObjectId(i)).expect("present");
            assert_eq!((v, s), (i, obj(i)));
        }
    }
}

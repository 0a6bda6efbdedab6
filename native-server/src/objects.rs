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

/// Slots per page of the cold index.
const PAGE: usize = 4096;
/// Sequences below this are indexed directly (at most 2^22 page pointers, 32 MiB when the ids
/// get that far); anything else (another stripe's id, a huge sequence) goes to a hash map.
const DIRECT_SEQ_LIMIT: u64 = 1 << 34;
const EMPTY: u64 = u64::MAX;

/// Object id → arena position for cold objects. The server hands out object ids as dense
/// sequences (leases of consecutive ids), so the index is a paged array indexed by sequence:
/// 8 bytes per id in a touched page instead of a hash slot (16 bytes at a load factor of
/// 44–87%, 18–36 bytes per object). A page is freed when its last object goes (DGC).
#[derive(Debug, Default)]
struct ColdIndex {
    /// The stripe of the directly indexed ids (the first one seen).
    stripe: Option<u8>,
    pages: Vec<Option<Box<Page>>>,
    direct: usize,
    other: HashMap<ObjectId, u64>,
}

#[derive(Debug)]
struct Page {
    used: usize,
    slots: Box<[u64]>,
}

impl ColdIndex {
    /// (page, slot) of a directly indexed id.
    fn place(&self, oid: &ObjectId) -> Option<(usize, usize)> {
        let seq = oid.seq();
        if self.stripe == Some(oid.stripe()) && seq < DIRECT_SEQ_LIMIT {
            let seq = seq as usize;
            Some((seq / PAGE, seq % PAGE))
        } else {
            None
        }
    }

    fn len(&self) -> usize {
        self.direct + self.other.len()
    }

    fn reserve(&mut self, n: usize) {
        self.pages.reserve(n / PAGE + 1);
    }

    fn get(&self, oid: &ObjectId) -> Option<&u64> {
        match self.place(oid) {
            Some((p, i)) => {
                let v = self.pages.get(p)?.as_ref()?.slots.get(i)?;
                (*v != EMPTY).then_some(v)
            }
            None => self.other.get(oid),
        }
    }

    fn contains_key(&self, oid: &ObjectId) -> bool {
        self.get(oid).is_some()
    }

    fn insert(&mut self, oid: ObjectId, pos: u64) -> Option<u64> {
        if self.stripe.is_none() && oid.seq() < DIRECT_SEQ_LIMIT {
            self.stripe = Some(oid.stripe());
        }
        let Some((p, i)) = self.place(&oid) else {
            return self.other.insert(oid, pos);
        };
        if self.pages.len() <= p {
            self.pages.resize_with(p + 1, || None);
        }
        let page = self.pages[p].get_or_insert_with(|| {
            Box::new(Page {
                used: 0,
                slots: vec![EMPTY; PAGE].into_boxed_slice(),
            })
        });
        let old = std::mem::replace(&mut page.slots[i], pos);
        if old == EMPTY {
            page.used += 1;
            self.direct += 1;
            None
        } else {
            Some(old)
        }
    }

    fn remove(&mut self, oid: &ObjectId) -> Option<u64> {
        let Some((p, i)) = self.place(oid) else {
            return self.other.remove(oid);
        };
        let entry = self.pages.get_mut(p)?;
        let page = entry.as_mut()?;
        let old = std::mem::replace(page.slots.get_mut(i)?, EMPTY);
        if old == EMPTY {
            return None;
        }
        page.used -= 1;
        self.direct -= 1;
        if page.used == 0 {
            *entry = None;
        }
        Some(old)
    }

    fn keys(&self) -> impl Iterator<Item = ObjectId> + '_ {
        let stripe = self.stripe.unwrap_or(0);
        self.pages
            .iter()
            .enumerate()
            .filter_map(|(p, page)| page.as_ref().map(|page| (p, page)))
            .flat_map(move |(p, page)| {
                page.slots
                    .iter()
                    .enumerate()
                    .filter(|(_, v)| **v != EMPTY)
                    .map(move |(i, _)| ObjectId::new(stripe, (p * PAGE + i) as u64))
            })
            .chain(self.other.keys().copied())
    }

    fn values_mut(&mut self) -> impl Iterator<Item = &mut u64> + '_ {
        self.pages
            .iter_mut()
            .flatten()
            .flat_map(|page| page.slots.iter_mut().filter(|v| **v != EMPTY))
            .chain(self.other.values_mut())
    }

    /// Bytes the index takes (for `/status`).
    fn bytes(&self) -> usize {
        let pages = self.pages.iter().flatten().count();
        self.pages.capacity() * 8
            + pages * (PAGE * 8 + std::mem::size_of::<Page>())
            + self.other.capacity() * 17
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
    /// Bytes of the cold id index (paged array by id sequence).
    pub index_bytes: usize,
}

/// The object table.
#[derive(Debug)]
pub struct Objects {
    cold: ColdIndex,
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
            cold: ColdIndex::default(),
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
        self.hot.keys().copied().chain(self.cold.keys()).collect()
    }

    /// Memory figures.
    pub fn memory(&self) -> ObjectMemory {
        ObjectMemory {
            hot: self.hot.len(),
            cold: self.cold.len(),
            arena_bytes: self.arena.total,
            arena_garbage: self.arena.garbage,
            index_bytes: self.cold.bytes(),
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

    #[test]
    fn cold_index_pages_other_stripes_and_freeing() {
        let mut ix = ColdIndex::default();
        let a = ObjectId::new(0, 1);
        let far = ObjectId::new(0, 3 * PAGE as u64 + 7);
        let other_stripe = ObjectId::new(5, 2);
        let huge = ObjectId::new(0, DIRECT_SEQ_LIMIT + 1);
        assert_eq!(ix.insert(a, 10), None);
        assert_eq!(ix.insert(far, 11), None);
        assert_eq!(ix.insert(other_stripe, 12), None);
        assert_eq!(ix.insert(huge, 13), None);
        assert_eq!(
            ix.insert(a, 20),
            Some(10),
            "replace returns the old position"
        );
        assert_eq!(ix.len(), 4);
        assert_eq!(ix.get(&a), Some(&20));
        assert_eq!(ix.get(&far), Some(&11));
        assert_eq!(ix.get(&other_stripe), Some(&12));
        assert_eq!(ix.get(&huge), Some(&13));
        assert_eq!(ix.get(&ObjectId::new(0, 2)), None);
        assert_eq!(ix.get(&ObjectId::new(0, 100 * PAGE as u64)), None);
        let mut keys: Vec<ObjectId> = ix.keys().collect();
        keys.sort();
        let mut want = vec![a, far, other_stripe, huge];
        want.sort();
        assert_eq!(keys, want);
        for v in ix.values_mut() {
            *v += 1;
        }
        assert_eq!(ix.get(&far), Some(&12));
        assert_eq!(ix.get(&huge), Some(&14));
        assert_eq!(ix.pages.iter().flatten().count(), 2);
        assert_eq!(ix.remove(&far), Some(12));
        assert_eq!(ix.remove(&far), None);
        assert_eq!(
            ix.pages.iter().flatten().count(),
            1,
            "an empty page is freed"
        );
        assert_eq!(ix.remove(&other_stripe), Some(13));
        assert_eq!(ix.len(), 2);
        assert!(!ix.contains_key(&far));
        assert!(ix.contains_key(&a));
    }

    proptest::proptest! {
        #[test]
        fn cold_index_behaves_like_a_map(ops in proptest::collection::vec((0u8..3, 0u64..20_000, 0u64..1000), 1..400)) {
            let mut ix = ColdIndex::default();
            let mut model = std::collections::HashMap::new();
            for (op, seq, pos) in ops {
                let oid = ObjectId::new(if seq % 97 == 0 { 1 } else { 0 }, seq);
                match op {
                    0 | 1 => proptest::prop_assert_eq!(ix.insert(oid, pos), model.insert(oid, pos)),
                    _ => proptest::prop_assert_eq!(ix.remove(&oid), model.remove(&oid)),
                }
                proptest::prop_assert_eq!(ix.len(), model.len());
                proptest::prop_assert_eq!(ix.get(&oid), model.get(&oid));
            }
            let mut keys: Vec<ObjectId> = ix.keys().collect();
            keys.sort();
            let mut want: Vec<ObjectId> = model.keys().copied().collect();
            want.sort();
            proptest::prop_assert_eq!(keys, want);
        }
    }
}

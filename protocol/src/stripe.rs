//! Which stripe (mirror group) owns a root, a lock or an object (docs/protocol.md "Stripes").
//!
//! Objects belong to the stripe in their id's top byte ([`ObjectId::stripe`]); roots, named
//! locks and class locks to `FNV-1a-64(UTF-8 name) % stripes`; an object's monitor to the
//! object's stripe. With one stripe everything is stripe 0.

use crate::{LockId, ObjectId};

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

/// FNV-1a, 64 bits, over `bytes`.
pub fn fnv1a64(bytes: &[u8]) -> u64 {
    bytes.iter().fold(FNV_OFFSET, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(FNV_PRIME)
    })
}

/// The stripe owning the root or named lock `name` among `stripes` (0 when `stripes <= 1`).
pub fn name_stripe(name: &str, stripes: usize) -> u8 {
    if stripes <= 1 {
        return 0;
    }
    let n = stripes.min(256) as u64;
    // n <= 256, so the remainder fits a byte.
    u8::try_from(fnv1a64(name.as_bytes()) % n).unwrap_or(u8::MAX)
}

/// The stripe owning `lock` among `stripes`: an object's monitor lives with the object, a
/// named or class lock where its name hashes to.
pub fn lock_stripe(lock: &LockId, stripes: usize) -> u8 {
    match lock {
        LockId::Object(oid) => object_stripe(*oid, stripes),
        LockId::Named(n) | LockId::Class(n) => name_stripe(n, stripes),
    }
}

/// The stripe owning `oid` (its top byte; 0 when there is one stripe).
pub fn object_stripe(oid: ObjectId, stripes: usize) -> u8 {
    if stripes <= 1 {
        0
    } else {
        oid.stripe()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv1a64_test_vectors() {
        // The published FNV-1a 64-bit vectors (also in docs/protocol.md).
        assert_eq!(fnv1a64(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a64(b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(fnv1a64(b"foobar"), 0x8594_4171_f739_67e8);
        assert_eq!(fnv1a64(b"orders"), 0x0012_5d92_50be_8b4c);
        assert_eq!(name_stripe("orders", 2), 0);
        assert_eq!(name_stripe("orders", 3), 1);
        assert_eq!(name_stripe("", 3), 2);
    }

    #[test]
    fn names_and_locks_map_to_stripes() {
        assert_eq!(name_stripe("anything", 1), 0);
        assert_eq!(name_stripe("a", 2), (0xaf63_dc4c_8601_ec8c_u64 % 2) as u8);
        assert_eq!(
            name_stripe("foobar", 3),
            (0x8594_4171_f739_67e8_u64 % 3) as u8
        );
        // UTF-8 bytes, not chars.
        assert_eq!(name_stripe("ä", 7), (fnv1a64(&[0xc3, 0xa4]) % 7) as u8);
        let o = ObjectId::new(1, 42);
        assert_eq!(lock_stripe(&LockId::Object(o), 2), 1);
        assert_eq!(lock_stripe(&LockId::Object(o), 1), 0);
        assert_eq!(
            lock_stripe(&LockId::Named("foobar".into()), 3),
            name_stripe("foobar", 3)
        );
        assert_eq!(
            lock_stripe(&LockId::Class("a".into()), 2),
            name_stripe("a", 2)
        );
        // Both stripes get names (the spread is what the tests rely on to find names).
        let hits: std::collections::HashSet<u8> =
            (0..32).map(|i| name_stripe(&format!("r{i}"), 2)).collect();
        assert_eq!(hits.len(), 2);
    }
}

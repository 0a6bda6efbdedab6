//! Pure conversions between the Java-side representations (ints, longs, value bytes) and the
//! client's types. No JNI here, so everything is unit-tested.

use std::time::Duration;

use bytes::BytesMut;
use kiln::{LockLevel, ObjectId, Value, WakeReason};
use kiln_protocol::wire::Reader;

use crate::error::{BridgeError, Result};

/// Decodes exactly one value (docs/protocol.md §3) from `bytes`; `what` names the argument in
/// errors.
pub fn decode_value(bytes: &[u8], what: &'static str) -> Result<Value> {
    let mut r = Reader::new(bytes);
    let v = Value::decode(&mut r).map_err(|source| BridgeError::BadValue { what, source })?;
    match r.remaining() {
        0 => Ok(v),
        extra => Err(BridgeError::TrailingBytes { what, extra }),
    }
}

/// Encodes one value.
pub fn encode_value(v: &Value) -> BytesMut {
    let mut out = BytesMut::with_capacity(v.encoded_len());
    v.encode(&mut out);
    out
}

/// Encodes an optional value; `None` (absent) stays `None` (Java `null`, not the encoded null).
pub fn encode_opt(v: Option<&Value>) -> Option<BytesMut> {
    v.map(encode_value)
}

/// Concatenates the encodings of `values` ("values" results).
pub fn encode_values<'a>(values: impl IntoIterator<Item = &'a Value>) -> BytesMut {
    let mut out = BytesMut::new();
    for v in values {
        v.encode(&mut out);
    }
    out
}

/// Splits concatenated encodings back into values (the inverse of [`encode_values`]).
pub fn decode_values(bytes: &[u8]) -> Result<Vec<Value>> {
    let mut r = Reader::new(bytes);
    let mut out = Vec::new();
    while r.remaining() > 0 {
        out.push(
            Value::decode(&mut r).map_err(|source| BridgeError::BadValue {
                what: "values",
                source,
            })?,
        );
    }
    Ok(out)
}

/// Lock level from the contract's int (1 read, 2 write, 3 concurrent, 4 synchronous-write).
pub fn lock_level(level: i32) -> Result<LockLevel> {
    u8::try_from(level)
        .ok()
        .and_then(|b| LockLevel::from_u8(b).ok())
        .ok_or(BridgeError::BadLockLevel(level))
}

/// Root kinds of `Native.root`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RootKind {
    /// 0.
    Map,
    /// 1.
    List,
    /// 2.
    Set,
    /// 3.
    Queue,
    /// 4.
    SortedMap,
}

/// Root kind from the contract's int (0 map, 1 list, 2 set, 3 queue, 4 sorted map).
pub fn root_kind(kind: i32) -> Result<RootKind> {
    Ok(match kind {
        0 => RootKind::Map,
        1 => RootKind::List,
        2 => RootKind::Set,
        3 => RootKind::Queue,
        4 => RootKind::SortedMap,
        k => return Err(BridgeError::BadRootKind(k)),
    })
}

/// A Java `long` object id (the bits of the `u64`).
pub fn oid(id: i64) -> ObjectId {
    ObjectId(u64::from_ne_bytes(id.to_ne_bytes()))
}

/// An object id as a Java `long` (the bits of the `u64`).
pub fn oid_to_java(id: ObjectId) -> i64 {
    u64_to_java(id.0)
}

/// A `u64` (client id, fencing token) as a Java `long` (same bits).
pub fn u64_to_java(v: u64) -> i64 {
    i64::from_ne_bytes(v.to_ne_bytes())
}

/// A timeout in nanoseconds; negative means "wait forever" (`None`).
pub fn timeout_nanos(nanos: i64) -> Option<Duration> {
    u64::try_from(nanos).ok().map(Duration::from_nanos)
}

/// A timeout in milliseconds; negative means "not given" (`None`).
pub fn timeout_millis(millis: i64) -> Option<Duration> {
    u64::try_from(millis).ok().map(Duration::from_millis)
}

/// `Native.await`'s result: 1 notified, 2 timed out, 3 interrupted.
pub fn wake_code(r: WakeReason) -> i32 {
    match r {
        WakeReason::Notified => 1,
        WakeReason::TimedOut => 2,
        WakeReason::Interrupted => 3,
    }
}

/// A size as a Java `int`.
pub fn java_int(n: usize, what: &'static str) -> Result<i32> {
    i32::try_from(n).map_err(|_| BridgeError::TooLarge(what))
}

/// The mirror groups of a connect spec that is not a file: `host:port[,host:port]`, groups
/// (stripes) separated by `;` in the servers' `<mirror-group>` order (empty ones skipped).
pub fn spec_groups(spec: &str) -> Result<Vec<Vec<String>>> {
    let mut groups = Vec::new();
    for g in spec.split(';') {
        let addrs: Vec<String> = g
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect();
        if !addrs.is_empty() {
            groups.push(addrs);
        }
    }
    if groups.is_empty() {
        return Err(BridgeError::BadSpec(spec.to_string()));
    }
    Ok(groups)
}

/// The server addresses of a connect spec that is not a file: `host:port[,host:port]`.
pub fn spec_addrs(spec: &str) -> Result<Vec<String>> {
    let addrs: Vec<String> = spec
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect();
    if addrs.is_empty() {
        return Err(BridgeError::BadSpec(spec.to_string()));
    }
    Ok(addrs)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn samples() -> Vec<Value> {
        vec![
            Value::Null,
            Value::Bool(true),
            Value::I32(-7),
            Value::I64(i64::MIN),
            Value::Str("héllo ✓".into()),
            Value::Ref(ObjectId(0x0100_0000_0000_0042)),
            Value::from(vec![0u8, 1, 255]),
        ]
    }

    #[test]
    fn values_round_trip() {
        for v in samples() {
            let b = encode_value(&v);
            assert_eq!(b.len(), v.encoded_len());
            assert_eq!(decode_value(&b, "v").expect("decodes"), v);
        }
    }

    #[test]
    fn java_null_is_one_zero_byte_and_absent_is_none() {
        assert_eq!(&encode_value(&Value::Null)[..], &[0u8][..]);
        assert!(encode_opt(None).is_none());
        assert_eq!(encode_opt(Some(&Value::Null)).as_deref(), Some(&[0u8][..]));
    }

    #[test]
    fn concatenated_values_split_back() {
        let vs = samples();
        let b = encode_values(&vs);
        assert_eq!(decode_values(&b).expect("decodes"), vs);
        assert!(encode_values(&[]).is_empty());
        assert!(decode_values(&[]).expect("empty").is_empty());
    }

    #[test]
    fn bad_value_bytes_are_errors() {
        assert!(matches!(
            decode_value(&[], "key"),
            Err(BridgeError::BadValue { what: "key", .. })
        ));
        let mut b = encode_value(&Value::I32(1));
        b.extend_from_slice(&[0, 0]);
        assert!(matches!(
            decode_value(&b, "value"),
            Err(BridgeError::TrailingBytes {
                what: "value",
                extra: 2
            })
        ));
        // A truncated string.
        let b = encode_value(&Value::Str("abcdef".into()));
        assert!(decode_value(&b[..b.len() - 1], "key").is_err());
        // An unknown tag.
        assert!(decode_value(&[0xEE], "key").is_err());
    }

    #[test]
    fn lock_levels() {
        assert_eq!(lock_level(1).expect("read"), LockLevel::Read);
        assert_eq!(lock_level(2).expect("write"), LockLevel::Write);
        assert_eq!(lock_level(3).expect("concurrent"), LockLevel::Concurrent);
        assert_eq!(lock_level(4).expect("sync"), LockLevel::SyncWrite);
        for bad in [0, 5, -1, 256 + 2, i32::MAX] {
            match lock_level(bad) {
                Err(BridgeError::BadLockLevel(l)) => assert_eq!(l, bad),
                other => panic!("{bad}: {other:?}"),
            }
        }
    }

    #[test]
    fn root_kinds() {
        let all = [
            RootKind::Map,
            RootKind::List,
            RootKind::Set,
            RootKind::Queue,
            RootKind::SortedMap,
        ];
        for (i, k) in all.iter().enumerate() {
            assert_eq!(root_kind(i as i32).expect("kind"), *k);
        }
        assert!(matches!(root_kind(5), Err(BridgeError::BadRootKind(5))));
        assert!(matches!(root_kind(-1), Err(BridgeError::BadRootKind(-1))));
    }

    #[test]
    fn ids_keep_their_bits() {
        let big = ObjectId(u64::MAX - 1);
        assert_eq!(oid_to_java(big), -2);
        assert_eq!(oid(oid_to_java(big)), big);
        assert_eq!(oid(42), ObjectId(42));
        assert_eq!(u64_to_java(7), 7);
    }

    #[test]
    fn timeouts() {
        assert_eq!(timeout_nanos(-1), None);
        assert_eq!(timeout_nanos(0), Some(Duration::ZERO));
        assert_eq!(timeout_nanos(1_500), Some(Duration::from_nanos(1_500)));
        assert_eq!(timeout_millis(i64::MIN), None);
        assert_eq!(timeout_millis(250), Some(Duration::from_millis(250)));
    }

    #[test]
    fn wake_codes() {
        assert_eq!(wake_code(WakeReason::Notified), 1);
        assert_eq!(wake_code(WakeReason::TimedOut), 2);
        assert_eq!(wake_code(WakeReason::Interrupted), 3);
    }

    #[test]
    fn sizes() {
        assert_eq!(java_int(3, "size").expect("fits"), 3);
        assert!(matches!(
            java_int(usize::MAX, "size"),
            Err(BridgeError::TooLarge("size"))
        ));
    }

    #[test]
    fn specs() {
        assert_eq!(
            spec_addrs("127.0.0.1:9510").expect("one"),
            vec!["127.0.0.1:9510"]
        );
        assert_eq!(
            spec_addrs(" a:1 , b:2,").expect("two"),
            vec!["a:1".to_string(), "b:2".to_string()]
        );
        assert!(matches!(spec_addrs(" , "), Err(BridgeError::BadSpec(_))));
        assert_eq!(
            spec_groups("a:1,b:2; c:3 ;").expect("two groups"),
            vec![
                vec!["a:1".to_string(), "b:2".to_string()],
                vec!["c:3".to_string()]
            ]
        );
        assert!(matches!(spec_groups(" ; , "), Err(BridgeError::BadSpec(_))));
    }
}

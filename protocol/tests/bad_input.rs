//! Hostile and malformed input: every failure mode maps to the documented error.

mod common;

use common::*;
use kiln_protocol::frame::{self, FrameDecoder, DEFAULT_MAX_FRAME, HEADER_LEN};
use kiln_protocol::wire::Reader;
use kiln_protocol::{
    msg_type, type_name, ArrayData, DeltaOp, ErrorCode, LockId, LockLevel, Message, ObjectState,
    ProtocolError, Value,
};

fn frame_of(payload: &[u8]) -> Vec<u8> {
    let mut v = (payload.len() as u32).to_be_bytes().to_vec();
    v.extend_from_slice(payload);
    v
}

fn invalid_tag(e: Result<impl std::fmt::Debug, ProtocolError>, what: &str, tag: u8) {
    match e {
        Err(ProtocolError::InvalidTag { what: w, tag: t }) => {
            assert_eq!((w, t), (what, tag));
        }
        other => panic!("expected InvalidTag({what}, {tag}), got {other:?}"),
    }
}

fn truncated(e: Result<impl std::fmt::Debug, ProtocolError>) {
    assert!(
        matches!(e, Err(ProtocolError::Truncated { .. })),
        "expected Truncated, got {e:?}"
    );
}

// ------------------------------------------------------------------ framing

#[test]
fn frame_over_max_is_rejected_from_the_header_alone() {
    // Only the 4 header bytes are present: the length alone condemns the frame.
    let hdr = ((DEFAULT_MAX_FRAME + 1) as u32).to_be_bytes();
    assert_eq!(
        frame::check(&hdr, DEFAULT_MAX_FRAME),
        Err(ProtocolError::FrameTooLarge {
            len: DEFAULT_MAX_FRAME + 1,
            max: DEFAULT_MAX_FRAME
        })
    );
    assert_eq!(
        frame::check(&u32::MAX.to_be_bytes(), 100),
        Err(ProtocolError::FrameTooLarge {
            len: u32::MAX as usize,
            max: 100
        })
    );
    // Exactly the maximum is fine (needs more bytes).
    assert_eq!(
        frame::check(&(DEFAULT_MAX_FRAME as u32).to_be_bytes(), DEFAULT_MAX_FRAME),
        Ok(None)
    );
    // A real message larger than a small maximum.
    let f = frame_bytes(&Message::Error {
        code: ErrorCode::Internal,
        message: "x".repeat(100),
    });
    assert!(matches!(
        frame::check(&f, 64),
        Err(ProtocolError::FrameTooLarge { max: 64, .. })
    ));
    let dec = FrameDecoder::new(64);
    let mut buf = bytes::BytesMut::from(&f[..]);
    assert!(matches!(
        dec.next(&mut buf),
        Err(ProtocolError::FrameTooLarge { .. })
    ));
}

#[test]
fn zero_length_frame_is_empty_frame() {
    assert_eq!(
        frame::check(&[0, 0, 0, 0], DEFAULT_MAX_FRAME),
        Err(ProtocolError::EmptyFrame)
    );
    assert_eq!(
        frame::check(&[0, 0, 0, 0, 0x3e], DEFAULT_MAX_FRAME),
        Err(ProtocolError::EmptyFrame)
    );
    assert_eq!(frame::parse(&[0, 0, 0, 0]), Err(ProtocolError::EmptyFrame));
    assert_eq!(frame::parse(&[]), Err(ProtocolError::EmptyFrame));
    assert_eq!(Message::decode(&[]), Err(ProtocolError::EmptyFrame));
}

#[test]
fn short_header_needs_more() {
    for n in 0..HEADER_LEN {
        assert_eq!(
            frame::check(&[0, 0, 0, 9][..n], DEFAULT_MAX_FRAME),
            Ok(None)
        );
    }
    assert_eq!(
        frame::check(&[0, 0, 0, 2, 0x3e], DEFAULT_MAX_FRAME),
        Ok(None)
    );
}

#[test]
fn unknown_type_bytes() {
    let known: Vec<u8> = (0..=255u8).filter(|t| type_name(*t) != "unknown").collect();
    assert_eq!(known.len(), 53);
    for t in 0..=255u8 {
        if known.contains(&t) {
            continue;
        }
        assert_eq!(Message::decode(&[t]), Err(ProtocolError::UnknownMessage(t)));
        assert_eq!(
            frame::parse(&frame_of(&[t, 0, 0])),
            Err(ProtocolError::UnknownMessage(t))
        );
    }
    for t in [0x00, 0x19, 0x3d, 0x5b, 0x7f, 0x80, 0xff] {
        assert!(!known.contains(&t));
    }
}

#[test]
fn trailing_bytes_after_every_message_type() {
    let samples = [
        Message::Goodbye,
        Message::Ping { nonce: 7 },
        Message::Evict { oids: vec![] },
        Message::TxnBatch { txns: vec![] },
        Message::Reassert {
            resident: vec![],
            locks: vec![],
            waiters: vec![],
        },
        Message::Resumed {
            gtx: 1,
            stale: vec![],
        },
        Message::TxnRejected {
            from_seq: 1,
            upto_seq: 2,
            code: ErrorCode::StorageUnavailable,
            message: "disk full".into(),
        },
        Message::Error {
            code: ErrorCode::Refused,
            message: "no".into(),
        },
    ];
    for m in samples {
        let mut p = payload_bytes(&m);
        p.push(0);
        assert_eq!(
            Message::decode(&p),
            Err(ProtocolError::TrailingBytes {
                message: m.name(),
                remaining: 1
            })
        );
        // The frame header covers the extra byte, so check accepts and parse rejects.
        let f = frame_of(&p);
        assert_eq!(frame::check(&f, DEFAULT_MAX_FRAME), Ok(Some(f.len())));
        assert!(matches!(
            frame::parse(&f),
            Err(ProtocolError::TrailingBytes { remaining: 1, .. })
        ));
    }
    let mut p = payload_bytes(&Message::Goodbye);
    p.extend_from_slice(&[1, 2, 3]);
    assert_eq!(
        Message::decode(&p),
        Err(ProtocolError::TrailingBytes {
            message: "Goodbye",
            remaining: 3
        })
    );
}

#[test]
fn truncated_fixed_fields() {
    truncated(Message::decode(&[msg_type::PING, 0, 0, 0]));
    truncated(Message::decode(&[msg_type::ID_LEASE_REQUEST]));
    truncated(Value::decode(&mut Reader::new(&[])));
    truncated(Value::decode(&mut Reader::new(&[4, 0, 0])));
    truncated(Value::decode(&mut Reader::new(&[9, 0, 0, 0, 5, b'a'])));
}

// ------------------------------------------------------------------ hostile counts

fn hostile_count_payloads() -> Vec<(&'static str, Vec<u8>)> {
    let max = u32::MAX.to_be_bytes();
    let cat = |parts: &[&[u8]]| parts.concat();
    vec![
        ("Evict", cat(&[&[msg_type::EVICT], &max, &[1, 2, 3]])),
        ("Fault", cat(&[&[msg_type::FAULT], &[0; 8], &max, &[0; 12]])),
        ("TxnBatch", cat(&[&[msg_type::TXN_BATCH], &max, &[0; 30]])),
        // One txn whose new-object count is hostile.
        (
            "Txn.new_objects",
            cat(&[
                &[msg_type::TXN_BATCH],
                &[0, 0, 0, 1],
                &[0; 9],
                &max,
                &[0; 20],
            ]),
        ),
        (
            "Membership",
            cat(&[&[msg_type::MEMBERSHIP], &[0; 8], &max, &[0; 25]]),
        ),
        (
            "RootList",
            cat(&[&[msg_type::ROOT_LIST], &[0; 8], &max, &[0; 6]]),
        ),
        (
            "FaultReply",
            cat(&[&[msg_type::FAULT_REPLY], &[0; 8], &max, &[0; 30]]),
        ),
        (
            "Deltas",
            cat(&[&[msg_type::DELTAS], &[0; 16], &max, &[0; 13]]),
        ),
        // A delta with a hostile op count.
        (
            "Deltas.ops",
            cat(&[
                &[msg_type::DELTAS],
                &[0; 16],
                &[0, 0, 0, 1],
                &[0; 8],
                &max,
                &[6, 6],
            ]),
        ),
        (
            "Located",
            cat(&[&[msg_type::LOCATED], &[0; 8], &max, &[0; 6]]),
        ),
        // A located object with a hostile client id count.
        (
            "Located.ids",
            cat(&[&[msg_type::LOCATED], &[0; 8], &[0, 0, 0, 1], &max, &[0; 6]]),
        ),
        // A DMI with a hostile argument count.
        (
            "DmiDeliver.args",
            cat(&[
                &[msg_type::DMI_DELIVER],
                &[0; 24],
                &[0, 0, 0, 0],
                &max,
                &[0; 3],
            ]),
        ),
        // Hostile string / bytes lengths.
        (
            "Hello.client_name",
            cat(&[&[msg_type::HELLO], &[0, 1], &max, b"abc"]),
        ),
        ("Error.message", cat(&[&[msg_type::ERROR], &[0, 1], &max])),
        (
            "RootCreate.value",
            cat(&[
                &[msg_type::ROOT_CREATE],
                &[0; 8],
                &[0; 4],
                &[10],
                &max,
                &[0; 4],
            ]),
        ),
    ]
}

#[test]
fn hostile_counts_are_truncated_not_allocated() {
    for (what, p) in hostile_count_payloads() {
        let r = Message::decode(&p);
        assert!(
            matches!(r, Err(ProtocolError::Truncated { .. })),
            "{what}: {r:?}"
        );
        let r = frame::parse(&frame_of(&p));
        assert!(
            matches!(r, Err(ProtocolError::Truncated { .. })),
            "{what}: {r:?}"
        );
    }
    let max = u32::MAX.to_be_bytes();
    // Object states of every counted kind, and arrays of every element type.
    for kind in 1u8..=7 {
        let mut b = vec![0, 0, 0, 1, b'C', kind];
        if kind == 2 {
            b.push(4); // int[]
        }
        b.extend_from_slice(&max);
        b.extend_from_slice(&[0; 16]);
        truncated(ObjectState::decode(&mut Reader::new(&b)));
    }
    for elem in 1u8..=9 {
        let mut b = vec![elem];
        b.extend_from_slice(&max);
        b.extend_from_slice(&[0; 16]);
        truncated(ArrayData::decode(&mut Reader::new(&b)));
    }
    // Counts just above what the remaining bytes could hold.
    let mut b = vec![4]; // int[] of 3 elements but only 11 bytes
    b.extend_from_slice(&3u32.to_be_bytes());
    b.extend_from_slice(&[0; 11]);
    assert_eq!(
        ArrayData::decode(&mut Reader::new(&b)),
        Err(ProtocolError::Truncated {
            what: "array",
            needed: 1
        })
    );
    for t in [10u8, 9, 11, 12, 13] {
        let mut b = vec![t];
        b.extend_from_slice(&max);
        truncated(Value::decode(&mut Reader::new(&b)));
    }
    truncated(DeltaOp::decode(&mut Reader::new(&[
        3, 7, 0xff, 0xff, 0xff, 0xff,
    ])));
}

// ------------------------------------------------------------------ UTF-8

#[test]
fn invalid_utf8_is_rejected() {
    for bad in [&[0xff][..], &[0xc3], &[0xed, 0xa0, 0x80], &[b'a', 0x80]] {
        let mut b = vec![9];
        b.extend_from_slice(&(bad.len() as u32).to_be_bytes());
        b.extend_from_slice(bad);
        assert_eq!(
            Value::decode(&mut Reader::new(&b)),
            Err(ProtocolError::InvalidUtf8("string value"))
        );
    }
    // Bytes values are not UTF-8 checked.
    let b = [10, 0, 0, 0, 1, 0xff];
    assert_eq!(
        Value::decode(&mut Reader::new(&b)),
        Ok(Value::Bytes(vec![0xff]))
    );
    // In a message field.
    let mut p = vec![msg_type::ROOT_LOOKUP];
    p.extend_from_slice(&[0; 8]);
    p.extend_from_slice(&[0, 0, 0, 2, 0xc3, 0x28]);
    assert_eq!(
        Message::decode(&p),
        Err(ProtocolError::InvalidUtf8("root name"))
    );
    // In an object's class name.
    let b = [0, 0, 0, 1, 0xfe, 5, 0, 0, 0, 0];
    assert_eq!(
        ObjectState::decode(&mut Reader::new(&b)),
        Err(ProtocolError::InvalidUtf8("class name"))
    );
}

// ------------------------------------------------------------------ tags

#[test]
fn invalid_tags() {
    invalid_tag(Value::decode(&mut Reader::new(&[17])), "value", 17);
    invalid_tag(Value::decode(&mut Reader::new(&[0xff])), "value", 0xff);
    invalid_tag(Value::decode(&mut Reader::new(&[1, 2])), "bool", 2);
    invalid_tag(
        ArrayData::decode(&mut Reader::new(&[0, 0, 0, 0, 0])),
        "array element",
        0,
    );
    invalid_tag(
        ArrayData::decode(&mut Reader::new(&[10, 0, 0, 0, 0])),
        "array element",
        10,
    );
    invalid_tag(
        ArrayData::decode(&mut Reader::new(&[1, 0, 0, 0, 1, 7])),
        "bool",
        7,
    );
    invalid_tag(
        ObjectState::decode(&mut Reader::new(&[0, 0, 0, 0, 0, 0, 0, 0, 0])),
        "object kind",
        0,
    );
    invalid_tag(
        ObjectState::decode(&mut Reader::new(&[0, 0, 0, 0, 8, 0, 0, 0, 0])),
        "object kind",
        8,
    );
    invalid_tag(DeltaOp::decode(&mut Reader::new(&[0])), "delta op", 0);
    invalid_tag(DeltaOp::decode(&mut Reader::new(&[14])), "delta op", 14);

    let lock_req = |lock_tag: u8, level: u8| {
        let mut p = vec![msg_type::LOCK_REQUEST];
        p.extend_from_slice(&[0; 8]);
        p.push(lock_tag);
        p.extend_from_slice(&[0; 8]);
        p.push(level);
        p.extend_from_slice(&[0; 8]);
        p
    };
    assert!(Message::decode(&lock_req(1, 2)).is_ok());
    invalid_tag(Message::decode(&lock_req(0, 2)), "lock id", 0);
    invalid_tag(Message::decode(&lock_req(4, 2)), "lock id", 4);
    invalid_tag(Message::decode(&lock_req(1, 0)), "lock level", 0);
    invalid_tag(Message::decode(&lock_req(1, 5)), "lock level", 5);
    invalid_tag(LockLevel::from_u8(9), "lock level", 9);

    // Hello reconnect option byte.
    let mut p = payload_bytes(&Message::Hello {
        protocol_version: 1,
        client_name: "c".into(),
        pid: 1,
        reconnect: None,
    });
    *p.last_mut().expect("option byte") = 2;
    invalid_tag(Message::decode(&p), "option", 2);
    // RootValue option byte.
    let mut p = payload_bytes(&Message::RootValue {
        req_id: 1,
        name: "r".into(),
        value: None,
    });
    *p.last_mut().expect("option byte") = 3;
    invalid_tag(Message::decode(&p), "option", 3);
    // Bool fields.
    let mut p = payload_bytes(&Message::RootCreate {
        req_id: 1,
        name: "r".into(),
        value: Value::Null,
        replace: false,
    });
    *p.last_mut().expect("bool byte") = 2;
    invalid_tag(Message::decode(&p), "bool", 2);
    // Wake reason.
    let mut p = vec![msg_type::WAIT_DONE];
    p.extend_from_slice(&[0; 8]);
    p.push(4);
    invalid_tag(Message::decode(&p), "wake reason", 4);
    // Subscription target.
    invalid_tag(
        Message::decode(&[msg_type::SUBSCRIBE, 3]),
        "subscription target",
        3,
    );
    invalid_tag(
        Message::decode(&[msg_type::UNSUBSCRIBE, 0]),
        "subscription target",
        0,
    );
    // Notify.all in a txn.
    let m = Message::TxnBatch {
        txns: vec![kiln_protocol::Txn {
            seq: 1,
            notifies: vec![kiln_protocol::Notify {
                lock: LockId::Named("n".into()),
                all: false,
            }],
            ..Default::default()
        }],
    };
    let mut p = payload_bytes(&m);
    let n = p.len();
    p[n - 5] = 9; // the `all` byte sits just before the (empty) dmi count
    invalid_tag(Message::decode(&p), "bool", 9);
}

#[test]
fn unknown_error_codes_map_to_internal() {
    for (n, code) in [
        (0u16, ErrorCode::Internal),
        (10, ErrorCode::Internal),
        (13, ErrorCode::Internal),
        (999, ErrorCode::Internal),
    ] {
        assert_eq!(ErrorCode::from_u16(n), code);
    }
    for c in ALL_ERROR_CODES {
        assert_eq!(ErrorCode::from_u16(c as u16), c);
    }
    let mut p = vec![msg_type::ERROR, 0x12, 0x34];
    p.extend_from_slice(&[0, 0, 0, 0]);
    assert_eq!(
        Message::decode(&p),
        Ok(Message::Error {
            code: ErrorCode::Internal,
            message: String::new()
        })
    );
}

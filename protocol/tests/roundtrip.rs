//! Property tests: everything that can be encoded decodes back to the same thing, byte-exactly.

mod common;

use bytes::BytesMut;
use common::*;
use kiln_protocol::frame::{self, FrameDecoder, DEFAULT_MAX_FRAME, HEADER_LEN};
use kiln_protocol::wire::Reader;
use kiln_protocol::{Delta, DeltaOp, Message, ObjectState, Txn, Value};
use proptest::prelude::*;

fn roundtrip_message(m: &Message) {
    let bytes = frame::to_bytes(m);
    // Header says exactly the payload length.
    let len = u32::from_be_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]) as usize;
    assert_eq!(len + HEADER_LEN, bytes.len());
    assert_eq!(bytes[HEADER_LEN], m.type_byte());
    assert_eq!(
        frame::check(&bytes, DEFAULT_MAX_FRAME),
        Ok(Some(bytes.len()))
    );
    // Every strict prefix is "need more bytes".
    for cut in [0, 1, HEADER_LEN - 1, HEADER_LEN, bytes.len() - 1] {
        assert_eq!(
            frame::check(&bytes[..cut], DEFAULT_MAX_FRAME),
            Ok(None),
            "cut {cut}"
        );
    }
    let back = frame::parse(&bytes).expect("parse");
    assert_eq!(&back, m);
    assert_eq!(frame::to_bytes(&back), bytes, "re-encoding differs");
    assert_eq!(back.name(), kiln_protocol::type_name(m.type_byte()));
    assert_ne!(back.name(), "unknown");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn value_roundtrip(v in arb_value()) {
        let bytes = value_bytes(&v);
        prop_assert_eq!(bytes.len(), v.encoded_len());
        prop_assert_eq!(bytes[0], v.tag());
        let mut r = Reader::new(&bytes);
        let back = Value::decode(&mut r).expect("decode");
        prop_assert_eq!(r.remaining(), 0);
        prop_assert_eq!(&back, &v);
        // Bit-exact: floats (NaN payloads, -0.0) survive unchanged.
        prop_assert_eq!(value_bytes(&back), bytes);
        if let (Value::F64(a), Value::F64(b)) = (&v, &back) {
            prop_assert_eq!(a.to_bits(), b.to_bits());
        }
        if let (Value::F32(a), Value::F32(b)) = (&v, &back) {
            prop_assert_eq!(a.to_bits(), b.to_bits());
        }
    }

    #[test]
    fn value_order_is_total_and_consistent(a in arb_value(), b in arb_value()) {
        prop_assert_eq!(a.cmp(&b), b.cmp(&a).reverse());
        prop_assert_eq!(a == b, value_bytes(&a) == value_bytes(&b));
        prop_assert_eq!(&a, &a.clone());
    }

    #[test]
    fn object_state_roundtrip(s in arb_object_state()) {
        let bytes = state_bytes(&s);
        let mut r = Reader::new(&bytes);
        let back = ObjectState::decode(&mut r).expect("decode");
        prop_assert_eq!(r.remaining(), 0);
        prop_assert_eq!(&back, &s);
        prop_assert_eq!(back.data.kind_name(), s.data.kind_name());
        prop_assert_eq!(state_bytes(&back), bytes);
    }

    #[test]
    fn delta_roundtrip(d in arb_delta()) {
        let mut b = BytesMut::new();
        d.encode(&mut b);
        let mut r = Reader::new(&b);
        let back = Delta::decode(&mut r).expect("decode");
        prop_assert_eq!(r.remaining(), 0);
        prop_assert_eq!(&back, &d);
    }

    #[test]
    fn delta_op_roundtrip(op in arb_delta_op()) {
        let mut b = BytesMut::new();
        op.encode(&mut b);
        let mut r = Reader::new(&b);
        let back = DeltaOp::decode(&mut r).expect("decode");
        prop_assert_eq!(r.remaining(), 0);
        prop_assert_eq!(&back, &op);
    }

    #[test]
    fn message_roundtrip(m in arb_message()) {
        roundtrip_message(&m);
    }

    #[test]
    fn streamed_messages_roundtrip(ms in proptest::collection::vec(arb_message(), 1..6), chunk in 1usize..40) {
        // Several frames back to back, fed in small chunks through the streaming decoder.
        let mut all = BytesMut::new();
        for m in &ms {
            frame::encode(m, &mut all);
        }
        let dec = FrameDecoder::new(DEFAULT_MAX_FRAME);
        let mut buf = BytesMut::new();
        let mut out = Vec::new();
        for piece in all.chunks(chunk) {
            buf.extend_from_slice(piece);
            while let Some(m) = dec.next(&mut buf).expect("decode") {
                out.push(m);
            }
        }
        prop_assert!(buf.is_empty());
        prop_assert_eq!(out, ms);
    }
}

#[test]
fn every_message_type_is_generated_and_named() {
    // Sanity check on the generator: each of the 37 type bytes shows up.
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let mut runner = TestRunner::deterministic();
    let strat = arb_message();
    let mut seen = std::collections::BTreeSet::new();
    for _ in 0..20_000 {
        let m = strat.new_tree(&mut runner).expect("tree").current();
        seen.insert(m.type_byte());
        if seen.len() == 37 {
            break;
        }
    }
    assert_eq!(seen.len(), 37, "seen: {seen:x?}");
    for t in seen {
        assert_ne!(kiln_protocol::type_name(t), "unknown");
    }
}

#[test]
fn nearly_empty_items_decode() {
    // Minimal encodings of counted items: these sizes are the lower bounds the decoder's hostile
    // count check uses, so they must still decode.
    roundtrip_message(&Message::TxnBatch {
        txns: vec![Txn::default(); 3],
    });
    roundtrip_message(&Message::Membership {
        this_node: 1,
        nodes: vec![
            kiln_protocol::NodeInfo {
                id: 1,
                name: String::new(),
                pid: 0,
                addr: String::new()
            };
            3
        ],
    });
    roundtrip_message(&Message::Deltas {
        gtx: 1,
        from_client: 2,
        deltas: vec![
            Delta {
                oid: kiln_protocol::ObjectId(1),
                ops: vec![]
            };
            3
        ],
    });
    roundtrip_message(&Message::RootList {
        req_id: 1,
        roots: vec![(String::new(), Value::Null); 3],
    });
    roundtrip_message(&Message::FaultReply {
        req_id: 1,
        objects: vec![
            kiln_protocol::FaultedObject {
                oid: kiln_protocol::ObjectId(1),
                version: 1,
                state: ObjectState {
                    class: String::new(),
                    data: kiln_protocol::ObjectData::List(vec![])
                },
            };
            3
        ],
        missing: vec![],
    });
    roundtrip_message(&Message::TxnBatch {
        txns: vec![Txn {
            seq: 1,
            flags: 0,
            new_objects: vec![
                (
                    kiln_protocol::ObjectId(5),
                    ObjectState {
                        class: String::new(),
                        data: kiln_protocol::ObjectData::Physical(vec![])
                    },
                );
                2
            ],
            deltas: vec![],
            notifies: vec![
                kiln_protocol::Notify {
                    lock: kiln_protocol::LockId::Named(String::new()),
                    all: true
                };
                2
            ],
            dmis: vec![
                kiln_protocol::DmiCall {
                    receiver: kiln_protocol::ObjectId(0),
                    method: String::new(),
                    args: vec![],
                    all_nodes: false
                };
                2
            ],
        }],
    });
}

mod encoded_len {
    use super::common::*;
    use bytes::BytesMut;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn object_state_encoded_len_is_exact(st in arb_object_state()) {
            let mut b = BytesMut::new();
            st.encode(&mut b);
            prop_assert_eq!(st.encoded_len(), b.len());
        }
    }
}

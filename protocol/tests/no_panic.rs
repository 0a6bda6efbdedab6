//! Fuzz-style property tests: decoders never panic, whatever the bytes; they return Ok or Err.

mod common;

use common::*;
use kiln_protocol::frame::{self, DEFAULT_MAX_FRAME, HEADER_LEN};
use kiln_protocol::wire::Reader;
use kiln_protocol::{ArrayData, Delta, DeltaOp, Message, ObjectState, Value};
use proptest::collection::vec;
use proptest::prelude::*;

/// Runs every decoder over `bytes`; each must return (not panic).
fn decode_everything(bytes: &[u8]) {
    let _ = frame::check(bytes, DEFAULT_MAX_FRAME);
    let _ = frame::check(bytes, 16);
    let _ = frame::parse(bytes);
    let _ = Message::decode(bytes);
    let _ = Value::decode(&mut Reader::new(bytes));
    let _ = ObjectState::decode(&mut Reader::new(bytes));
    let _ = ArrayData::decode(&mut Reader::new(bytes));
    let _ = DeltaOp::decode(&mut Reader::new(bytes));
    let _ = Delta::decode(&mut Reader::new(bytes));
    // A sequence of values, as a decoder loop would read them.
    let mut r = Reader::new(bytes);
    while r.remaining() > 0 && Value::decode(&mut r).is_ok() {}
    // A stream of frames.
    let dec = frame::FrameDecoder::new(1024);
    let mut buf = bytes::BytesMut::from(bytes);
    while let Ok(Some(_)) = dec.next(&mut buf) {}
}

/// Arbitrary bytes, biased so that the first byte is often a valid type/tag and counts are
/// often small or hostile.
fn arb_bytes() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        vec(any::<u8>(), 0..64),
        (0u8..0x60, vec(any::<u8>(), 0..64)).prop_map(|(t, mut v)| {
            v.insert(0, t);
            v
        }),
        (
            0u8..0x60,
            prop_oneof![Just(u32::MAX), 0u32..4, Just(0x7fff_ffff)],
            vec(any::<u8>(), 0..48)
        )
            .prop_map(|(t, n, rest)| {
                let mut v = vec![t];
                v.extend_from_slice(&n.to_be_bytes());
                v.extend(rest);
                v
            }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2048, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in arb_bytes()) {
        decode_everything(&bytes);
        // Also as a framed payload.
        let mut framed = (bytes.len() as u32).to_be_bytes().to_vec();
        framed.extend_from_slice(&bytes);
        decode_everything(&framed);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    /// Every strict prefix of a valid payload is an error (the encoding is prefix-free), never a
    /// panic; every strict prefix of a valid frame is "need more bytes".
    #[test]
    fn truncations_of_valid_messages(m in arb_message(), cut in any::<prop::sample::Index>()) {
        let framed = frame_bytes(&m);
        let payload = &framed[HEADER_LEN..];
        let k = cut.index(payload.len());
        prop_assert!(Message::decode(&payload[..k]).is_err(), "prefix {} of {:?} decoded", k, m);
        let kf = cut.index(framed.len());
        prop_assert_eq!(frame::check(&framed[..kf], DEFAULT_MAX_FRAME), Ok(None));
        // Parsing a truncated frame directly (skipping check) must still fail cleanly.
        prop_assert!(frame::parse(&framed[..kf.max(HEADER_LEN)]).is_err() || kf == framed.len());
        decode_everything(&framed[..kf]);
    }

    #[test]
    fn all_truncations_of_values_and_states(v in arb_value(), st in arb_object_state()) {
        let vb = value_bytes(&v);
        for k in 0..vb.len() {
            prop_assert!(Value::decode(&mut Reader::new(&vb[..k])).is_err());
        }
        let sb = state_bytes(&st);
        for k in 0..sb.len() {
            prop_assert!(ObjectState::decode(&mut Reader::new(&sb[..k])).is_err());
        }
    }

    /// Single-byte mutations (and insertions/deletions) of valid encodings: Ok or Err, no panic.
    #[test]
    fn mutations_of_valid_messages(
        m in arb_message(),
        at in any::<prop::sample::Index>(),
        byte in any::<u8>(),
        xor in 1u8..=255,
        mode in 0u8..4,
    ) {
        let mut framed = frame_bytes(&m);
        let i = at.index(framed.len());
        match mode {
            0 => framed[i] = byte,
            1 => framed[i] ^= xor,
            2 => framed.insert(i, byte),
            _ => {
                framed.remove(i);
            }
        }
        decode_everything(&framed);
        decode_everything(&framed[HEADER_LEN.min(framed.len())..]);
    }

    #[test]
    fn mutations_of_valid_values_and_states(
        v in arb_value(),
        st in arb_object_state(),
        at in any::<prop::sample::Index>(),
        xor in 1u8..=255,
    ) {
        let mut vb = value_bytes(&v);
        let i = at.index(vb.len());
        vb[i] ^= xor;
        decode_everything(&vb);
        let mut sb = state_bytes(&st);
        let i = at.index(sb.len());
        sb[i] ^= xor;
        decode_everything(&sb);
    }
}

//! Arbitrary bytes through the value and object-state decoders: never a panic; what decodes
//! re-encodes to exactly the bytes consumed.
#![no_main]

use bytes::BytesMut;
use kiln_protocol::wire::Reader;
use kiln_protocol::{ObjectState, Value};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut r = Reader::new(data);
    if let Ok(v) = Value::decode(&mut r) {
        let used = data.len() - r.remaining();
        let mut out = BytesMut::new();
        v.encode(&mut out);
        assert_eq!(&out[..], &data[..used]);
        assert_eq!(v.encoded_len(), used);
    }
    let mut r = Reader::new(data);
    if let Ok(st) = ObjectState::decode(&mut r) {
        let mut out = BytesMut::new();
        st.encode(&mut out);
        assert_eq!(st.encoded_len(), out.len());
        let mut again = Reader::new(&out);
        assert_eq!(ObjectState::decode(&mut again).as_ref(), Ok(&st));
    }
});

//! Arbitrary bytes through the two-phase frame decoder, as a server reads them from a socket:
//! never a panic; every message that decodes re-encodes to the same bytes.
#![no_main]

use bytes::BytesMut;
use kiln_protocol::frame;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut buf = BytesMut::from(data);
    let dec = frame::FrameDecoder::new(64 * 1024);
    while let Ok(Some(msg)) = dec.next(&mut buf) {
        let bytes = frame::to_bytes(&msg);
        assert_eq!(frame::parse(&bytes).as_ref(), Ok(&msg));
    }
});

//! Frames: a 4-byte big-endian payload length, then the payload (message type byte + body).
//!
//! Decoding is two-phase: [`check`] looks only at the header and says whether a complete frame is
//! buffered (and rejects empty or oversize frames before anything is allocated); [`parse`] then
//! decodes the payload.

use bytes::{BufMut, BytesMut};

use crate::{Message, ProtocolError};

/// Size of the frame header.
pub const HEADER_LEN: usize = 4;
/// Default maximum payload size: 16 MiB.
pub const DEFAULT_MAX_FRAME: usize = 16 * 1024 * 1024;

/// Phase one. `Ok(None)`: more bytes needed. `Ok(Some(n))`: a complete frame of `n` total bytes
/// (header included) is at the start of `buf`. `Err`: the stream is unusable.
pub fn check(buf: &[u8], max_frame: usize) -> Result<Option<usize>, ProtocolError> {
    if buf.len() < HEADER_LEN {
        return Ok(None);
    }
    let len = u32::from_be_bytes([buf[0], buf[1], buf[2], buf[3]]) as usize;
    if len == 0 {
        return Err(ProtocolError::EmptyFrame);
    }
    if len > max_frame {
        return Err(ProtocolError::FrameTooLarge {
            len,
            max: max_frame,
        });
    }
    if buf.len() < HEADER_LEN + len {
        return Ok(None);
    }
    Ok(Some(HEADER_LEN + len))
}

/// Phase two: decodes the message of a complete frame `frame` (header included, as sized by
/// [`check`]).
pub fn parse(frame: &[u8]) -> Result<Message, ProtocolError> {
    Message::decode(frame.get(HEADER_LEN..).unwrap_or(&[]))
}

/// Appends one framed message to `out`.
pub fn encode(msg: &Message, out: &mut BytesMut) {
    let start = out.len();
    out.put_u32(0);
    msg.encode_body(out);
    let len = crate::wire::len32(out.len() - start - HEADER_LEN);
    out[start..start + HEADER_LEN].copy_from_slice(&len.to_be_bytes());
}

/// Encodes one framed message into a fresh buffer.
pub fn to_bytes(msg: &Message) -> BytesMut {
    let mut b = BytesMut::with_capacity(64);
    encode(msg, &mut b);
    b
}

/// A streaming decoder over a growing buffer: feed bytes, take messages.
#[derive(Debug)]
pub struct FrameDecoder {
    max_frame: usize,
}

impl FrameDecoder {
    /// A decoder that rejects frames larger than `max_frame` payload bytes.
    pub fn new(max_frame: usize) -> Self {
        FrameDecoder { max_frame }
    }
    /// Takes the next complete message off the front of `buf`, if any.
    pub fn next(&self, buf: &mut BytesMut) -> Result<Option<Message>, ProtocolError> {
        match check(buf, self.max_frame)? {
            None => Ok(None),
            Some(n) => {
                let frame = buf.split_to(n);
                parse(&frame).map(Some)
            }
        }
    }
}

//! Wire primitives: big-endian fixed-width integers, length-prefixed strings and byte strings,
//! counted sequences. Every read is bounds-checked and returns [`ProtocolError::Truncated`].

use bytes::{BufMut, BytesMut};

use crate::ProtocolError;

/// Bounds-checked reader over a byte slice.
#[derive(Debug)]
pub struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

macro_rules! read_int {
    ($name:ident, $t:ty, $n:expr) => {
        /// Reads a big-endian integer.
        pub fn $name(&mut self) -> Result<$t, ProtocolError> {
            let b = self.take($n, stringify!($t))?;
            let mut a = [0u8; $n];
            a.copy_from_slice(b);
            Ok(<$t>::from_be_bytes(a))
        }
    };
}

impl<'a> Reader<'a> {
    /// A reader at the start of `buf`.
    pub fn new(buf: &'a [u8]) -> Self {
        Reader { buf, pos: 0 }
    }
    /// Bytes not yet read.
    pub fn remaining(&self) -> usize {
        self.buf.len() - self.pos
    }
    /// Takes `n` raw bytes.
    pub fn take(&mut self, n: usize, what: &'static str) -> Result<&'a [u8], ProtocolError> {
        if self.remaining() < n {
            return Err(ProtocolError::Truncated {
                what,
                needed: n - self.remaining(),
            });
        }
        let s = &self.buf[self.pos..self.pos + n];
        self.pos += n;
        Ok(s)
    }
    read_int!(u8, u8, 1);
    read_int!(i8, i8, 1);
    read_int!(u16, u16, 2);
    read_int!(i16, i16, 2);
    read_int!(u32, u32, 4);
    read_int!(i32, i32, 4);
    read_int!(u64, u64, 8);
    read_int!(i64, i64, 8);
    /// Reads a `u8` boolean (0 or 1; anything else is an error).
    pub fn bool(&mut self) -> Result<bool, ProtocolError> {
        match self.u8()? {
            0 => Ok(false),
            1 => Ok(true),
            t => Err(ProtocolError::InvalidTag {
                what: "bool",
                tag: t,
            }),
        }
    }
    /// Reads a `u32` element count, checking that at least `count * min_elem` bytes remain so a
    /// hostile count cannot make us allocate.
    pub fn count(&mut self, min_elem: usize, what: &'static str) -> Result<usize, ProtocolError> {
        let n = self.u32()? as usize;
        let need = n.saturating_mul(min_elem.max(1));
        if need > self.remaining() {
            return Err(ProtocolError::Truncated {
                what,
                needed: need - self.remaining(),
            });
        }
        Ok(n)
    }
    /// Reads a `u32`-length-prefixed byte string.
    pub fn bytes(&mut self, what: &'static str) -> Result<&'a [u8], ProtocolError> {
        let n = self.u32()? as usize;
        self.take(n, what)
    }
    /// Reads a `u32`-length-prefixed UTF-8 string.
    pub fn string(&mut self, what: &'static str) -> Result<String, ProtocolError> {
        let b = self.bytes(what)?;
        std::str::from_utf8(b)
            .map(str::to_owned)
            .map_err(|_| ProtocolError::InvalidUtf8(what))
    }
    /// Errors when bytes are left.
    pub fn finish(&self, message: &'static str) -> Result<(), ProtocolError> {
        if self.remaining() != 0 {
            return Err(ProtocolError::TrailingBytes {
                message,
                remaining: self.remaining(),
            });
        }
        Ok(())
    }
}

/// Writes a `u32`-length-prefixed UTF-8 string.
pub fn put_str(out: &mut BytesMut, s: &str) {
    put_bytes(out, s.as_bytes());
}

/// Writes a `u32`-length-prefixed byte string.
pub fn put_bytes(out: &mut BytesMut, b: &[u8]) {
    out.put_u32(len32(b.len()));
    out.put_slice(b);
}

/// Writes a `u32` count.
pub fn put_count(out: &mut BytesMut, n: usize) {
    out.put_u32(len32(n));
}

/// Converts a length to the wire's `u32`. Lengths beyond `u32::MAX` cannot fit in a frame (the
/// frame maximum is far smaller), so they saturate and the frame check rejects the result.
pub fn len32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

//! The one error type of the protocol crate.

use thiserror::Error;

/// Everything that can go wrong while checking, decoding or applying protocol data.
#[non_exhaustive]
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum ProtocolError {
    /// The input ended before a complete item was read.
    #[error("truncated input: needed {needed} more byte(s) while reading {what}")]
    Truncated {
        /// What was being read.
        what: &'static str,
        /// How many bytes were missing.
        needed: usize,
    },
    /// A frame announced a length larger than the configured maximum.
    #[error("frame of {len} bytes exceeds the maximum of {max} bytes")]
    FrameTooLarge {
        /// Announced length.
        len: usize,
        /// Configured maximum.
        max: usize,
    },
    /// A frame of length zero (no message type byte).
    #[error("empty frame (length 0)")]
    EmptyFrame,
    /// The message type byte is not one this version knows.
    #[error("unknown message type {0:#04x}")]
    UnknownMessage(u8),
    /// A tag byte (value, object kind, op, lock level...) is not valid.
    #[error("invalid {what} tag {tag:#04x}")]
    InvalidTag {
        /// Which kind of tag.
        what: &'static str,
        /// The offending byte.
        tag: u8,
    },
    /// A string was not valid UTF-8.
    #[error("invalid UTF-8 in {0}")]
    InvalidUtf8(&'static str),
    /// A message had bytes left over after its last field.
    #[error("{remaining} trailing byte(s) after message {message}")]
    TrailingBytes {
        /// Message name.
        message: &'static str,
        /// Leftover byte count.
        remaining: usize,
    },
    /// A logical operation does not fit the object it is applied to.
    #[error("cannot apply {op} to {kind} object: {reason}")]
    BadOperation {
        /// The operation name.
        op: &'static str,
        /// The object kind name.
        kind: &'static str,
        /// Why.
        reason: String,
    },
}

//! # kiln-protocol
//!
//! The language-neutral core of Kiln, shared by the server and every client: the object model
//! ([`ObjectId`], [`Value`], [`ObjectState`], [`Delta`]), how a delta is applied (with an exact
//! undo, so the server can reject a transaction atomically), every wire [`Message`], and the
//! length-prefixed [`frame`] codec. No I/O happens here.
//!
//! `docs/protocol.md` in the repository is the byte-level specification; test vectors other
//! languages decode too live under `protocol/tests/vectors/`.
//!
//! ```
//! use kiln_protocol::{frame, Message, PROTOCOL_VERSION};
//! let bytes = frame::to_bytes(&Message::Ping { nonce: 7 });
//! assert_eq!(frame::check(&bytes, frame::DEFAULT_MAX_FRAME), Ok(Some(bytes.len())));
//! assert_eq!(frame::parse(&bytes), Ok(Message::Ping { nonce: 7 }));
//! # let _ = PROTOCOL_VERSION;
//! ```
#![deny(unsafe_code)]
#![warn(missing_docs)]

mod error;
pub mod frame;
pub mod group;
mod message;
mod object;
pub mod stripe;
mod value;
pub mod wire;

pub use error::ProtocolError;
pub use message::{
    msg_type, type_name, DmiCall, ErrorCode, FaultedObject, Fence, LockId, LockLevel, Message,
    NodeInfo, Notify, Reconnect, SubTarget, Txn, WakeReason, Xid, PROTOCOL_VERSION, TXN_FLAG_SYNC,
};
pub use object::{
    array_tag, kind_tag, op_tag, ArrayData, Delta, DeltaOp, Field, ObjectData, ObjectId,
    ObjectState, Undo,
};
pub use value::{tag as value_tag, Value};

pub use indexmap::{IndexMap, IndexSet};

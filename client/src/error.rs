//! The one error type of the `kiln` crate.

use kiln_protocol::{ErrorCode, LockId, ObjectId, ProtocolError};

/// Result alias used throughout the crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong in a Kiln client.
///
/// Errors that end the connection ([`Error::ConnectionLost`], [`Error::ServerError`],
/// [`Error::Protocol`], [`Error::ReconnectFailed`]) put the client into a failed state: every
/// pending and later operation then returns an error too. A lost connection is first
/// re-established if the client reconnects ([`crate::ClientBuilder::reconnect`], the default):
/// operations then wait instead of failing, and fail with [`Error::ReconnectFailed`] only when
/// reconnecting finally fails.
#[non_exhaustive]
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// No server address accepted a connection (every address of every round failed).
    #[error("could not connect to {}: {reason}", addrs.join(", "))]
    ConnectFailed {
        /// The addresses tried, in order.
        addrs: Vec<String>,
        /// The last failure.
        reason: String,
    },
    /// The connection to the server ended (EOF, I/O error, health-check timeout...).
    #[error("connection to the server lost: {reason}")]
    ConnectionLost {
        /// Why.
        reason: String,
    },
    /// The server speaks another protocol version.
    #[error("protocol version mismatch: {message}")]
    VersionMismatch {
        /// The server's explanation.
        message: String,
    },
    /// The server refused this client (`Error{Refused}`).
    #[error("refused by the server: {message}")]
    Refused {
        /// The server's explanation.
        message: String,
    },
    /// The server reported an error and closed the connection.
    #[error("server error {code:?}: {message}")]
    ServerError {
        /// The server's error code.
        code: ErrorCode,
        /// The server's message.
        message: String,
    },
    /// The connection was lost and could not be re-established: the server refused the
    /// reconnect (e.g. it restarted without persistence, or the client came back after the
    /// server's reconnect window), answered with another client id, or did not come back within
    /// [`crate::ClientBuilder::reconnect_timeout`]. The client is failed; the application must
    /// start a new one (as in Terracotta).
    #[error("reconnect failed: {reason}")]
    ReconnectFailed {
        /// What happened, with the server's message if it sent one.
        reason: String,
    },
    /// The server could not make transactions durable (disk full, read-only or failed data
    /// directory) and rejected them: nothing of them was applied (protocol.md §9.8). The objects
    /// they created or changed were dropped from the local cache (they are faulted in again from
    /// the server on next use). The client stays usable.
    #[error("transactions rejected, storage unavailable on the server: {message}")]
    StorageUnavailable {
        /// Which transactions, and the server's explanation.
        message: String,
    },
    /// The server rejected transactions for another reason (`TxnRejected` with a code other
    /// than `StorageUnavailable`); nothing of them was applied. The client stays usable.
    #[error("transactions rejected by the server ({code:?}): {message}")]
    TxnRejected {
        /// The server's code.
        code: ErrorCode,
        /// Which transactions, and the server's explanation.
        message: String,
    },
    /// A lock could not be acquired in time.
    #[error("timed out waiting for lock {lock}")]
    LockTimeout {
        /// The lock.
        lock: LockId,
    },
    /// A wait (or acquire) was interrupted through a [`crate::WaitInterrupter`].
    #[error("interrupted")]
    Interrupted,
    /// A value cannot be shared.
    #[error("non-portable value: {0}")]
    NonPortable(String),
    /// A frame or message could not be decoded, or an operation does not fit its object.
    #[error("protocol error: {0}")]
    Protocol(#[from] ProtocolError),
    /// An I/O error outside an established connection (e.g. the CLI's HTTP request).
    #[error("I/O error: {0}")]
    Io(#[from] std::io::Error),
    /// The configuration could not be loaded.
    #[error("configuration error: {0}")]
    Config(#[from] kiln_config::ConfigError),
    /// The client was closed with [`crate::Client::close`] (or all its handles were dropped).
    #[error("the client is closed")]
    Closed,
    /// An object is not of the kind an operation expects.
    #[error("object {oid} is a {actual}, expected a {expected}")]
    WrongKind {
        /// The object.
        oid: ObjectId,
        /// The kind the operation expects.
        expected: &'static str,
        /// The object's kind.
        actual: &'static str,
    },
    /// The server does not know this object.
    #[error("object {oid} does not exist on the server")]
    UnknownObject {
        /// The object.
        oid: ObjectId,
    },
    /// A transaction operation named an object that is not in the local cache. Fault it in
    /// first with [`crate::Client::object`] (objects created in the transaction are always
    /// resident).
    #[error(
        "object {oid} is not resident in the local cache (fault it in with Client::object first)"
    )]
    NotResident {
        /// The object.
        oid: ObjectId,
    },
    /// A change was attempted under a read lock.
    #[error("cannot change shared objects under a read lock on {lock}")]
    ReadOnly {
        /// The lock held.
        lock: LockId,
    },
    /// A root is bound to a literal where an object was expected.
    #[error("root '{name}' is bound to the literal {value}, not to an object")]
    RootIsLiteral {
        /// Root name.
        name: String,
        /// Its value.
        value: kiln_protocol::Value,
    },
    /// Every leased object id was used and the next lease has not arrived yet (create fewer
    /// objects per round trip, or call [`crate::Client::reserve_ids`] first).
    #[error("object ids exhausted: waiting for the next id lease from the server")]
    IdsExhausted,
    /// An operation timed out.
    #[error("timed out: {0}")]
    Timeout(String),
    /// An operation is not valid in the current state (e.g. `wait` in a Concurrent transaction).
    #[error("illegal state: {0}")]
    IllegalState(String),
    /// A transaction changed or read an object of a stripe (mirror group) this client is not
    /// connected to (an id whose stripe byte is beyond the client's groups). Transactions across
    /// the stripes it is connected to commit with two-phase commit (protocol.md §9.12). The
    /// transaction is void: nothing of it is sent or committed anywhere, the objects it had
    /// changed are dropped from the local cache (faulted in again on next use), and every later
    /// operation and its commit fail with this error (the lock is released).
    #[error(
        "transaction under lock {lock} (stripe {lock_stripe}) touches object {oid} of stripe {object_stripe}, \
         a stripe this client is not connected to; nothing of this transaction is committed"
    )]
    CrossStripe {
        /// The transaction's lock.
        lock: LockId,
        /// The stripe of the lock (where the transaction would be committed).
        lock_stripe: u8,
        /// The object of the other stripe.
        oid: ObjectId,
        /// That object's stripe.
        object_stripe: u8,
    },
    /// A root, lock or object was addressed to the wrong stripe, or a group's server serves
    /// another stripe than its place in the client's group list (the configuration's
    /// `<mirror-group>` order, or the connect string's `;`-separated groups).
    #[error("wrong stripe: {message}")]
    WrongStripe {
        /// What was wrong, naming the stripes.
        message: String,
    },
}

impl Error {
    /// A copy of this error for another waiter (I/O and config errors become
    /// [`Error::ConnectionLost`] with their message).
    pub(crate) fn duplicate(&self) -> Error {
        match self {
            Error::ConnectFailed { addrs, reason } => Error::ConnectFailed {
                addrs: addrs.clone(),
                reason: reason.clone(),
            },
            Error::ConnectionLost { reason } => Error::ConnectionLost {
                reason: reason.clone(),
            },
            Error::VersionMismatch { message } => Error::VersionMismatch {
                message: message.clone(),
            },
            Error::Refused { message } => Error::Refused {
                message: message.clone(),
            },
            Error::ServerError { code, message } => Error::ServerError {
                code: *code,
                message: message.clone(),
            },
            Error::Protocol(e) => Error::Protocol(e.clone()),
            Error::ReconnectFailed { reason } => Error::ReconnectFailed {
                reason: reason.clone(),
            },
            Error::StorageUnavailable { message } => Error::StorageUnavailable {
                message: message.clone(),
            },
            Error::TxnRejected { code, message } => Error::TxnRejected {
                code: *code,
                message: message.clone(),
            },
            Error::Closed => Error::Closed,
            Error::CrossStripe {
                lock,
                lock_stripe,
                oid,
                object_stripe,
            } => Error::CrossStripe {
                lock: lock.clone(),
                lock_stripe: *lock_stripe,
                oid: *oid,
                object_stripe: *object_stripe,
            },
            Error::WrongStripe { message } => Error::WrongStripe {
                message: message.clone(),
            },
            other => Error::ConnectionLost {
                reason: other.to_string(),
            },
        }
    }

    pub(crate) fn lost(reason: impl Into<String>) -> Error {
        Error::ConnectionLost {
            reason: reason.into(),
        }
    }

    /// True when the error means the client can no longer be used (connection gone or closed).
    pub fn is_fatal(&self) -> bool {
        matches!(
            self,
            Error::ConnectionLost { .. }
                | Error::ServerError { .. }
                | Error::Protocol(_)
                | Error::Closed
                | Error::VersionMismatch { .. }
                | Error::Refused { .. }
                | Error::ReconnectFailed { .. }
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::error::Error as _;

    #[test]
    fn source_is_exposed() {
        let e = Error::from(std::io::Error::other("boom"));
        assert!(e.source().is_some());
        let e = Error::from(ProtocolError::EmptyFrame);
        assert!(e.source().is_some());
        assert!(e.is_fatal());
    }

    #[test]
    fn rejections_are_not_fatal_reconnect_failures_are() {
        let e = Error::StorageUnavailable {
            message: "disk full".into(),
        };
        assert!(!e.is_fatal());
        assert!(matches!(e.duplicate(), Error::StorageUnavailable { .. }));
        let e = Error::ReconnectFailed {
            reason: "refused".into(),
        };
        assert!(e.is_fatal());
        assert!(e.duplicate().to_string().contains("refused"));
    }

    #[test]
    fn connect_failed_names_addresses() {
        let e = Error::ConnectFailed {
            addrs: vec!["127.0.0.1:1".into(), "h:2".into()],
            reason: "refused".into(),
        };
        let s = e.to_string();
        assert!(s.contains("127.0.0.1:1") && s.contains("h:2"), "{s}");
    }
}

//! The one error type of the bridge and its mapping to the exception classes of `dev.kiln`.

/// JNI class names (internal form) of the exceptions the bridge throws. Each has a public
/// `(String message)` constructor (see `java-client/src/main/java/dev/kiln/*.java`).
pub mod class {
    /// `dev.kiln.KilnException`: the base class, and the fallback.
    pub const KILN: &str = "dev/kiln/KilnException";
    /// `dev.kiln.ConnectionLostException`.
    pub const CONNECTION_LOST: &str = "dev/kiln/ConnectionLostException";
    /// `dev.kiln.LockTimeoutException`.
    pub const LOCK_TIMEOUT: &str = "dev/kiln/LockTimeoutException";
    /// `dev.kiln.KilnInterruptedException`.
    pub const INTERRUPTED: &str = "dev/kiln/KilnInterruptedException";
    /// `dev.kiln.NonPortableException`.
    pub const NON_PORTABLE: &str = "dev/kiln/NonPortableException";
    /// `dev.kiln.ProtocolMismatchException`.
    pub const PROTOCOL_MISMATCH: &str = "dev/kiln/ProtocolMismatchException";
    /// `dev.kiln.ServerRefusedException`.
    pub const SERVER_REFUSED: &str = "dev/kiln/ServerRefusedException";
    /// `dev.kiln.StorageUnavailableException`.
    pub const STORAGE_UNAVAILABLE: &str = "dev/kiln/StorageUnavailableException";
    /// `dev.kiln.ConfigException`.
    pub const CONFIG: &str = "dev/kiln/ConfigException";
    /// `dev.kiln.ClosedException`.
    pub const CLOSED: &str = "dev/kiln/ClosedException";
    /// Thrown only when a `dev.kiln` class cannot be found (the agent jar is not loaded).
    pub const RUNTIME: &str = "java/lang/RuntimeException";
}

/// Everything that can go wrong in a native call of `dev.kiln.internal.Native`.
#[non_exhaustive]
#[derive(Debug, thiserror::Error)]
pub enum BridgeError {
    /// The Rust client failed (its message is the exception's message).
    #[error(transparent)]
    Client(#[from] kiln::Error),
    /// A handle argument was 0.
    #[error("null handle: {0} handle is 0")]
    NullHandle(&'static str),
    /// A reference argument that must not be null was null.
    #[error("null argument: {0}")]
    NullArgument(&'static str),
    /// Value bytes from Java could not be decoded.
    #[error("undecodable value bytes for {what}")]
    BadValue {
        /// Which argument.
        what: &'static str,
        /// Why.
        #[source]
        source: kiln_protocol::ProtocolError,
    },
    /// Value bytes from Java hold more than one value.
    #[error("value bytes for {what} have {extra} trailing byte(s) after the value")]
    TrailingBytes {
        /// Which argument.
        what: &'static str,
        /// How many bytes were left.
        extra: usize,
    },
    /// A lock level outside 1..=4.
    #[error("bad lock level {0} (expected 1 read, 2 write, 3 concurrent, 4 synchronous-write)")]
    BadLockLevel(i32),
    /// A root kind outside 0..=4.
    #[error("bad root kind {0} (expected 0 map, 1 list, 2 set, 3 queue, 4 sorted map)")]
    BadRootKind(i32),
    /// A list index outside the list.
    #[error("index {index} out of bounds for {kind} {oid} of size {len}")]
    IndexOutOfBounds {
        /// The object.
        oid: kiln::ObjectId,
        /// Its kind.
        kind: &'static str,
        /// The index asked for.
        index: i64,
        /// The current size.
        len: usize,
    },
    /// A connect spec that names neither a file nor any address.
    #[error("bad connect spec '{0}': neither a tc-config.xml file nor host:port[,host:port][;host:port...]")]
    BadSpec(String),
    /// A size or id that does not fit the Java type.
    #[error("{0} does not fit a Java int")]
    TooLarge(&'static str),
    /// A call made out of the order the contract requires.
    #[error("illegal state: {0}")]
    IllegalState(&'static str),
    /// A JNI call failed (or a Java exception is already pending).
    #[error("JNI error")]
    Jni(#[from] jni::errors::Error),
    /// The bridge (or the client under it) panicked; the panic did not cross into the JVM.
    #[error("panic in the kiln JNI bridge: {0}")]
    Panic(String),
}

/// Result alias of the bridge.
pub type Result<T, E = BridgeError> = std::result::Result<T, E>;

/// The exception class (JNI internal name) for a client error, as documented in
/// `dev.kiln.internal.Native`.
pub fn client_exception_class(e: &kiln::Error) -> &'static str {
    use kiln::Error as E;
    match e {
        E::ConnectFailed { .. } | E::ConnectionLost { .. } => class::CONNECTION_LOST,
        E::LockTimeout { .. } | E::Timeout(_) => class::LOCK_TIMEOUT,
        E::Interrupted => class::INTERRUPTED,
        E::NonPortable(_) => class::NON_PORTABLE,
        E::VersionMismatch { .. } | E::Protocol(_) => class::PROTOCOL_MISMATCH,
        E::Refused { .. } | E::ReconnectFailed { .. } => class::SERVER_REFUSED,
        E::StorageUnavailable { .. } | E::TxnRejected { .. } => class::STORAGE_UNAVAILABLE,
        E::Config(_) => class::CONFIG,
        E::Closed => class::CLOSED,
        // WrongKind, UnknownObject, NotResident, ReadOnly, RootIsLiteral, IdsExhausted,
        // IllegalState, ServerError, Io, and whatever the client adds later.
        _ => class::KILN,
    }
}

/// The exception class (JNI internal name) for any bridge error.
pub fn exception_class(e: &BridgeError) -> &'static str {
    match e {
        BridgeError::Client(c) => client_exception_class(c),
        BridgeError::BadSpec(_) => class::CONFIG,
        _ => class::KILN,
    }
}

/// The exception message: the error's message followed by its `source()` chain (each cause
/// not already spelled out by the message before it).
pub fn exception_message(e: &BridgeError) -> String {
    kiln::bridge::error_chain_message(e)
}

#[cfg(test)]
mod tests {
    use super::*;
    use kiln::{Error as E, ErrorCode, LockId, ObjectId, Value};
    use kiln_protocol::ProtocolError;

    fn config_error() -> kiln::Error {
        match kiln::ClientBuilder::from_config_file("/nonexistent/kiln/tc-config.xml") {
            Err(e) => e,
            Ok(_) => panic!("a missing config file must fail"),
        }
    }

    /// Every variant of `kiln::Error` and the class the contract maps it to.
    fn table() -> Vec<(kiln::Error, &'static str)> {
        vec![
            (
                E::ConnectFailed {
                    addrs: vec!["h:1".into()],
                    reason: "refused".into(),
                },
                class::CONNECTION_LOST,
            ),
            (
                E::ConnectionLost {
                    reason: "eof".into(),
                },
                class::CONNECTION_LOST,
            ),
            (
                E::LockTimeout {
                    lock: LockId::Named("l".into()),
                },
                class::LOCK_TIMEOUT,
            ),
            (E::Timeout("flush".into()), class::LOCK_TIMEOUT),
            (E::Interrupted, class::INTERRUPTED),
            (E::NonPortable("socket".into()), class::NON_PORTABLE),
            (
                E::VersionMismatch {
                    message: "v2".into(),
                },
                class::PROTOCOL_MISMATCH,
            ),
            (
                E::Protocol(ProtocolError::EmptyFrame),
                class::PROTOCOL_MISMATCH,
            ),
            (
                E::Refused {
                    message: "no".into(),
                },
                class::SERVER_REFUSED,
            ),
            (
                E::ReconnectFailed {
                    reason: "restarted".into(),
                },
                class::SERVER_REFUSED,
            ),
            (
                E::StorageUnavailable {
                    message: "disk full".into(),
                },
                class::STORAGE_UNAVAILABLE,
            ),
            (
                E::TxnRejected {
                    code: ErrorCode::Malformed,
                    message: "bad".into(),
                },
                class::STORAGE_UNAVAILABLE,
            ),
            (config_error(), class::CONFIG),
            (E::Closed, class::CLOSED),
            (
                E::WrongKind {
                    oid: ObjectId(1),
                    expected: "map",
                    actual: "list",
                },
                class::KILN,
            ),
            (E::UnknownObject { oid: ObjectId(2) }, class::KILN),
            (E::NotResident { oid: ObjectId(3) }, class::KILN),
            (
                E::ReadOnly {
                    lock: LockId::Named("r".into()),
                },
                class::KILN,
            ),
            (
                E::RootIsLiteral {
                    name: "n".into(),
                    value: Value::I32(1),
                },
                class::KILN,
            ),
            (E::IdsExhausted, class::KILN),
            (E::IllegalState("wait".into()), class::KILN),
            (
                E::ServerError {
                    code: ErrorCode::Malformed,
                    message: "boom".into(),
                },
                class::KILN,
            ),
            (E::Io(std::io::Error::other("io")), class::KILN),
        ]
    }

    #[test]
    fn every_client_error_maps_to_its_documented_class() {
        for (e, want) in table() {
            assert_eq!(client_exception_class(&e), want, "{e:?}");
            assert_eq!(exception_class(&BridgeError::Client(e)), want);
        }
    }

    #[test]
    fn config_error_really_is_a_config_error() {
        assert!(matches!(config_error(), E::Config(_)));
    }

    #[test]
    fn bridge_errors_map_to_kiln_exception() {
        let errs = [
            BridgeError::NullHandle("client"),
            BridgeError::NullArgument("key"),
            BridgeError::BadLockLevel(9),
            BridgeError::BadRootKind(7),
            BridgeError::Panic("boom".into()),
            BridgeError::Jni(jni::errors::Error::JavaException),
            BridgeError::TooLarge("size"),
            BridgeError::BadValue {
                what: "key",
                source: ProtocolError::EmptyFrame,
            },
            BridgeError::TrailingBytes {
                what: "value",
                extra: 2,
            },
        ];
        for e in errs {
            assert_eq!(exception_class(&e), class::KILN, "{e:?}");
        }
        assert_eq!(
            exception_class(&BridgeError::BadSpec(String::new())),
            class::CONFIG
        );
    }

    #[test]
    fn messages_carry_the_client_message_and_the_source_chain() {
        let e = BridgeError::Client(E::ConnectionLost {
            reason: "eof".into(),
        });
        assert_eq!(exception_message(&e), "connection to the server lost: eof");

        // The client's Io message already spells its source out: not repeated.
        let e = BridgeError::Client(E::Io(std::io::Error::other("boom")));
        assert_eq!(exception_message(&e), "I/O error: boom");

        // A source the message does not spell out is appended.
        let e = BridgeError::BadValue {
            what: "key",
            source: ProtocolError::Truncated {
                what: "i64",
                needed: 3,
            },
        };
        let m = exception_message(&e);
        assert!(m.starts_with("undecodable value bytes for key: "), "{m}");
        assert!(m.contains("truncated input"), "{m}");

        let m = exception_message(&BridgeError::NullHandle("txn"));
        assert!(m.contains("null handle"), "{m}");
        let m = exception_message(&BridgeError::BadLockLevel(7));
        assert!(m.contains("lock level 7"), "{m}");
    }

    #[test]
    fn jni_error_message_names_the_jni_error() {
        let m = exception_message(&BridgeError::Jni(jni::errors::Error::NullPtr("x")));
        assert!(m.starts_with("JNI error: "), "{m}");
    }
}

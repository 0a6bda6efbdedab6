//! The one error policy of the C ABI: result codes, the error type, the per-thread last error
//! message and the panic boundary every exported function runs in.

use std::cell::RefCell;
use std::ffi::{c_char, CString};
use std::panic::{catch_unwind, AssertUnwindSafe};

/// Result of every fallible libkiln function.
///
/// Success is `KILN_RESULT_OK` (7000, **not 0**: compare with `KILN_RESULT_OK`). Failures are
/// grouped by kind in blocks of 100: 71xx the caller's arguments, 72xx expected outcomes (not
/// found, timed out, wrong type, interrupted), 73xx the connection, 74xx the shared data and the
/// server's verdicts, 79xx bugs inside libkiln. `kiln_last_error_message()` says what happened.
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[allow(non_camel_case_types)]
pub enum kiln_result {
    /// Success.
    Ok = 7000,
    /// A pointer argument that must not be NULL was NULL (the message names it).
    NullArgument = 7101,
    /// A string argument is not valid UTF-8.
    InvalidUtf8 = 7102,
    /// An argument is out of its domain (lock level, value type tag, negative timeout, empty
    /// connect spec...).
    InvalidArgument = 7103,
    /// A list index outside the list.
    IndexOutOfBounds = 7104,
    /// The tc-config.xml could not be loaded, or the groups of the connect spec do not match
    /// the cluster's stripes (mirror groups).
    Config = 7105,
    /// The key, field or root is absent (nothing was written to the out-parameter).
    NotFound = 7201,
    /// A try-lock was not acquired in time (or an operation timed out).
    Timeout = 7202,
    /// A value is not of the type an accessor asks for.
    WrongType = 7203,
    /// A wait or lock acquire was interrupted.
    Interrupted = 7204,
    /// No server address accepted a connection.
    ConnectFailed = 7301,
    /// The connection to the server was lost for good (reconnecting failed).
    ConnectionLost = 7302,
    /// The client was closed.
    Closed = 7303,
    /// The server refused this client (protocol version, reconnect refused).
    ServerRefused = 7304,
    /// The server sent something undecodable, or reported a protocol error.
    Protocol = 7305,
    /// An I/O error outside the connection.
    Io = 7306,
    /// The object is not of the kind the function expects (e.g. a list where a map is needed,
    /// a root bound to a literal).
    WrongKind = 7401,
    /// The server does not know the object.
    UnknownObject = 7402,
    /// A change was attempted under a read lock.
    ReadOnly = 7403,
    /// The call is not valid now (e.g. wait under a concurrent lock, closing a client from its
    /// own callback).
    IllegalState = 7404,
    /// The server could not make the transaction durable and rejected it.
    StorageUnavailable = 7405,
    /// A value cannot be shared.
    NonPortable = 7406,
    /// A panic inside libkiln was caught at the boundary (a bug: please report it).
    Panic = 7901,
    /// Any other client error (the message says which).
    Internal = 7999,
}

impl kiln_result {
    /// The C name of the code (`KILN_RESULT_...`).
    pub fn name(self) -> &'static str {
        self.c_name().to_str().unwrap_or("KILN_RESULT_UNKNOWN")
    }

    /// The C name of the code, as a C string.
    pub fn c_name(self) -> &'static std::ffi::CStr {
        match self {
            kiln_result::Ok => c"KILN_RESULT_OK",
            kiln_result::NullArgument => c"KILN_RESULT_NULL_ARGUMENT",
            kiln_result::InvalidUtf8 => c"KILN_RESULT_INVALID_UTF8",
            kiln_result::InvalidArgument => c"KILN_RESULT_INVALID_ARGUMENT",
            kiln_result::IndexOutOfBounds => c"KILN_RESULT_INDEX_OUT_OF_BOUNDS",
            kiln_result::Config => c"KILN_RESULT_CONFIG",
            kiln_result::NotFound => c"KILN_RESULT_NOT_FOUND",
            kiln_result::Timeout => c"KILN_RESULT_TIMEOUT",
            kiln_result::WrongType => c"KILN_RESULT_WRONG_TYPE",
            kiln_result::Interrupted => c"KILN_RESULT_INTERRUPTED",
            kiln_result::ConnectFailed => c"KILN_RESULT_CONNECT_FAILED",
            kiln_result::ConnectionLost => c"KILN_RESULT_CONNECTION_LOST",
            kiln_result::Closed => c"KILN_RESULT_CLOSED",
            kiln_result::ServerRefused => c"KILN_RESULT_SERVER_REFUSED",
            kiln_result::Protocol => c"KILN_RESULT_PROTOCOL",
            kiln_result::Io => c"KILN_RESULT_IO",
            kiln_result::WrongKind => c"KILN_RESULT_WRONG_KIND",
            kiln_result::UnknownObject => c"KILN_RESULT_UNKNOWN_OBJECT",
            kiln_result::ReadOnly => c"KILN_RESULT_READ_ONLY",
            kiln_result::IllegalState => c"KILN_RESULT_ILLEGAL_STATE",
            kiln_result::StorageUnavailable => c"KILN_RESULT_STORAGE_UNAVAILABLE",
            kiln_result::NonPortable => c"KILN_RESULT_NON_PORTABLE",
            kiln_result::Panic => c"KILN_RESULT_PANIC",
            kiln_result::Internal => c"KILN_RESULT_INTERNAL",
        }
    }
}

/// Everything that can go wrong in a libkiln call.
#[non_exhaustive]
#[derive(Debug, thiserror::Error)]
pub enum CError {
    /// The Rust client failed.
    #[error(transparent)]
    Client(#[from] kiln::Error),
    /// A pointer argument was NULL.
    #[error("null argument: {0}")]
    NullArgument(&'static str),
    /// A string argument is not UTF-8.
    #[error("{what} is not valid UTF-8")]
    InvalidUtf8 {
        /// Which argument.
        what: &'static str,
        /// Where the decoding failed.
        #[source]
        source: std::str::Utf8Error,
    },
    /// An argument out of its domain.
    #[error("invalid {what}: {why}")]
    InvalidArgument {
        /// Which argument.
        what: &'static str,
        /// Why.
        why: String,
    },
    /// A list index outside the list.
    #[error("index {index} out of bounds for list {oid} of length {len}")]
    IndexOutOfBounds {
        /// The list.
        oid: kiln::ObjectId,
        /// The index asked for.
        index: u64,
        /// The list's length.
        len: usize,
    },
    /// An absent key / field / root.
    #[error("not found: {0}")]
    NotFound(String),
    /// A try-lock that was not acquired in time.
    #[error("timed out: {0}")]
    Timeout(String),
    /// A value accessor of the wrong type.
    #[error("value is a {actual}, expected {expected}")]
    WrongType {
        /// What the accessor wanted.
        expected: &'static str,
        /// What the value is.
        actual: &'static str,
    },
    /// A call that is not valid now.
    #[error("illegal state: {0}")]
    IllegalState(String),
    /// A panic caught at the boundary.
    #[error("panic inside libkiln: {0}")]
    Panic(String),
}

/// Result alias of the crate.
pub type Result<T, E = CError> = std::result::Result<T, E>;

impl CError {
    /// The result code of this error.
    pub fn code(&self) -> kiln_result {
        use kiln::Error as E;
        match self {
            CError::Client(c) => match c {
                E::ConnectFailed { .. } => kiln_result::ConnectFailed,
                E::ConnectionLost { .. } | E::ReconnectFailed { .. } => kiln_result::ConnectionLost,
                E::Closed => kiln_result::Closed,
                E::Refused { .. } | E::VersionMismatch { .. } => kiln_result::ServerRefused,
                E::Protocol(_) | E::ServerError { .. } => kiln_result::Protocol,
                E::Io(_) => kiln_result::Io,
                E::LockTimeout { .. } | E::Timeout(_) => kiln_result::Timeout,
                E::Interrupted => kiln_result::Interrupted,
                E::StorageUnavailable { .. } | E::TxnRejected { .. } => {
                    kiln_result::StorageUnavailable
                }
                E::WrongKind { .. } | E::RootIsLiteral { .. } => kiln_result::WrongKind,
                E::UnknownObject { .. } => kiln_result::UnknownObject,
                E::ReadOnly { .. } => kiln_result::ReadOnly,
                E::IllegalState(_) | E::IdsExhausted | E::NotResident { .. } => {
                    kiln_result::IllegalState
                }
                E::NonPortable(_) => kiln_result::NonPortable,
                // Both mean the client's list of groups does not match the cluster's stripes.
                E::Config(_) | E::CrossStripe { .. } | E::WrongStripe { .. } => kiln_result::Config,
                _ => kiln_result::Internal,
            },
            CError::NullArgument(_) => kiln_result::NullArgument,
            CError::InvalidUtf8 { .. } => kiln_result::InvalidUtf8,
            CError::InvalidArgument { .. } => kiln_result::InvalidArgument,
            CError::IndexOutOfBounds { .. } => kiln_result::IndexOutOfBounds,
            CError::NotFound(_) => kiln_result::NotFound,
            CError::Timeout(_) => kiln_result::Timeout,
            CError::WrongType { .. } => kiln_result::WrongType,
            CError::IllegalState(_) => kiln_result::IllegalState,
            CError::Panic(_) => kiln_result::Panic,
        }
    }

    /// The message: the error followed by each `source()` not already spelled out.
    pub fn message(&self) -> String {
        kiln::bridge::error_chain_message(self)
    }

    pub(crate) fn invalid(what: &'static str, why: impl Into<String>) -> CError {
        CError::InvalidArgument {
            what,
            why: why.into(),
        }
    }
}

// ------------------------------------------------------------------------------ last error

struct LastError {
    code: kiln_result,
    message: CString,
}

thread_local! {
    static LAST: RefCell<LastError> = RefCell::new(LastError {
        code: kiln_result::Ok,
        message: CString::default(),
    });
}

/// Records `e` (raised by `func`) as this thread's last error; returns its code.
pub(crate) fn record(func: &'static str, e: &CError) -> kiln_result {
    let code = e.code();
    let text = format!("{func}: {}", e.message()).replace('\0', "\\0");
    tracing::debug!(func, code = code.name(), error = %text, "libkiln call failed");
    let message = CString::new(text).unwrap_or_default();
    // `try_with`: during thread teardown the slot may be gone; the code still reaches the caller.
    let _ = LAST.try_with(|l| *l.borrow_mut() = LastError { code, message });
    code
}

/// This thread's last error message (`""` when no call failed yet): valid until the next
/// libkiln call on this thread.
pub(crate) fn last_message() -> *const c_char {
    static EMPTY: &[u8] = b"\0";
    LAST.try_with(|l| l.borrow().message.as_ptr())
        .unwrap_or(EMPTY.as_ptr().cast())
}

/// This thread's last error code (`KILN_RESULT_OK` when no call failed yet).
pub(crate) fn last_code() -> kiln_result {
    LAST.try_with(|l| l.borrow().code)
        .unwrap_or(kiln_result::Ok)
}

// ------------------------------------------------------------------------------ boundary

/// The panic boundary of every exported function that returns a [`kiln_result`]: runs `f`
/// under `catch_unwind`; an `Err` or a panic becomes its code and this thread's last error.
pub(crate) fn boundary(func: &'static str, f: impl FnOnce() -> Result<()>) -> kiln_result {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(Ok(())) => kiln_result::Ok,
        Ok(Err(e)) => record(func, &e),
        Err(payload) => {
            let e = CError::Panic(panic_message(payload));
            tracing::error!(func, error = %e, "panic caught at the C boundary");
            record(func, &e)
        }
    }
}

/// The boundary of the few functions that return something else than a result (constructors
/// of `kiln_val`, accessors that cannot fail, `_free`): a panic yields `fallback`.
pub(crate) fn boundary_or<T>(func: &'static str, fallback: T, f: impl FnOnce() -> T) -> T {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(t) => t,
        Err(payload) => {
            let e = CError::Panic(panic_message(payload));
            tracing::error!(func, error = %e, "panic caught at the C boundary");
            record(func, &e);
            fallback
        }
    }
}

pub(crate) use kiln::bridge::panic_message;

#[cfg(test)]
mod tests {
    use super::*;
    use std::error::Error as _;
    use std::ffi::CStr;

    fn last() -> String {
        // SAFETY: `last_message` returns a NUL-terminated string owned by this thread's slot,
        // alive until the next record on this thread (none happens while it is read).
        unsafe { CStr::from_ptr(last_message()) }
            .to_string_lossy()
            .into_owned()
    }

    #[test]
    fn panics_become_the_panic_code_with_a_message() {
        let r = boundary("kiln_test_fn", || panic!("boom {}", 7));
        assert_eq!(r, kiln_result::Panic);
        assert_eq!(last_code(), kiln_result::Panic);
        assert!(
            last().contains("kiln_test_fn: panic inside libkiln: boom 7"),
            "{}",
            last()
        );
        assert_eq!(boundary_or("kiln_x", 5u32, || panic!("x")), 5);
    }

    #[test]
    fn errors_set_code_and_message_success_leaves_them() {
        let r = boundary("kiln_f", || Err(CError::NullArgument("key")));
        assert_eq!(r, kiln_result::NullArgument);
        assert_eq!(last(), "kiln_f: null argument: key");
        assert_eq!(boundary("kiln_g", || Ok(())), kiln_result::Ok);
        assert_eq!(last(), "kiln_f: null argument: key");
        let r = boundary("kiln_f", || Err(CError::NotFound("a\0b".into())));
        assert_eq!(r, kiln_result::NotFound);
        assert_eq!(last(), "kiln_f: not found: a\\0b");
    }

    #[test]
    fn client_errors_map_to_their_group() {
        use kiln::Error as E;
        let cases = [
            (E::Closed, kiln_result::Closed),
            (E::Interrupted, kiln_result::Interrupted),
            (
                E::ConnectFailed {
                    addrs: vec![],
                    reason: "r".into(),
                },
                kiln_result::ConnectFailed,
            ),
            (
                E::ReconnectFailed { reason: "r".into() },
                kiln_result::ConnectionLost,
            ),
            (E::IdsExhausted, kiln_result::IllegalState),
            (
                E::UnknownObject {
                    oid: kiln::ObjectId(1),
                },
                kiln_result::UnknownObject,
            ),
            (
                E::StorageUnavailable {
                    message: "m".into(),
                },
                kiln_result::StorageUnavailable,
            ),
        ];
        for (e, want) in cases {
            assert_eq!(CError::Client(e).code(), want);
        }
        for c in [kiln_result::Ok, kiln_result::Panic, kiln_result::Internal] {
            assert!(c.name().starts_with("KILN_RESULT_"));
        }
    }

    #[test]
    fn source_chain_is_in_the_message() {
        let bad = vec![b'a', 0xff];
        let source = match std::str::from_utf8(std::hint::black_box(&bad)) {
            Err(e) => e,
            Ok(_) => panic!("0xff is not UTF-8"),
        };
        let e = CError::InvalidUtf8 {
            what: "name",
            source,
        };
        assert!(e.source().is_some());
        assert!(
            e.message().starts_with("name is not valid UTF-8: "),
            "{}",
            e.message()
        );
    }
}

//! The client handle: connect / close, roots, locks and transactions, wait / notify.

use std::ffi::c_char;
use std::path::Path;
use std::time::Duration;

use kiln::blocking::{Client, Txn};
use kiln::{ClientBuilder, ConnectionState, LockId, LockLevel, ObjectId, ObjectState, WakeReason};

use crate::callbacks::Callbacks;
use crate::error::{boundary, kiln_result, CError, Result};
use crate::ffi::{self, Out};
use crate::value::{self, kiln_val, kiln_value};

/// A connection to a Kiln cluster. Safe to use from many threads at once. Created by
/// `kiln_client_connect`, ended by `kiln_client_close` (which must not run concurrently with
/// another call on the same client, nor from one of its callbacks).
#[derive(Debug)]
#[allow(non_camel_case_types)]
pub struct kiln_client {
    pub(crate) client: Client,
    pub(crate) callbacks: Callbacks,
}

/// A held cluster lock: the transaction. Changes made through it are sent when it is committed
/// (`kiln_txn_commit`, which also frees it). Belongs to the thread that locked it.
#[derive(Debug)]
#[allow(non_camel_case_types)]
pub struct kiln_txn {
    pub(crate) txn: Txn,
    pub(crate) client: Client,
}

/// Lock levels (the `level` argument of the lock functions, a `uint32_t`).
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(non_camel_case_types)]
pub enum kiln_lock_level {
    /// Shared with other readers; changes are refused (`KILN_RESULT_READ_ONLY`).
    Read = 1,
    /// Exclusive.
    Write = 2,
    /// No exclusion: only a transaction boundary (wait/notify are refused).
    Concurrent = 3,
    /// Exclusive; `kiln_txn_commit` returns only once the server acknowledged the transaction.
    SyncWrite = 4,
}

/// Why `kiln_txn_wait` returned.
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(non_camel_case_types)]
pub enum kiln_wake {
    /// notify / notifyAll.
    Notified = 1,
    /// The timeout expired.
    TimedOut = 2,
    /// The waiter was interrupted.
    Interrupted = 3,
}

fn level(l: u32) -> Result<LockLevel> {
    Ok(match l {
        1 => LockLevel::Read,
        2 => LockLevel::Write,
        3 => LockLevel::Concurrent,
        4 => LockLevel::SyncWrite,
        _ => {
            return Err(CError::invalid(
                "level",
                format!("{l} (expected 1 read, 2 write, 3 concurrent, 4 synchronous-write)"),
            ))
        }
    })
}

impl kiln_client {
    /// The client, unless it was closed.
    pub(crate) fn open(&self) -> Result<&Client> {
        match self.client.state() {
            ConnectionState::Closed => Err(kiln::Error::Closed.into()),
            _ => Ok(&self.client),
        }
    }

    fn lock(&self, id: LockId, lvl: u32, timeout: Option<Duration>) -> Result<kiln_txn> {
        let lvl = level(lvl)?;
        let c = self.open()?;
        let txn = match timeout {
            None => c.lock(id, lvl)?,
            Some(t) => match c.try_lock(id.clone(), lvl, t)? {
                Some(txn) => txn,
                None => {
                    return Err(CError::Timeout(format!(
                        "lock {id} not acquired within {t:?}"
                    )))
                }
            },
        };
        Ok(kiln_txn {
            txn,
            client: self.client.clone(),
        })
    }
}

impl kiln_txn {
    /// Runs a write of object `oid`; when the object is not in the local cache the client
    /// reports `NotResident` before changing anything, so it is faulted in and `f` runs again
    /// (`f` converts its C arguments itself, so nothing has to be cloned for the retry). The
    /// common case costs no residency lookup of its own.
    pub(crate) fn write<R>(
        &mut self,
        oid: ObjectId,
        mut f: impl FnMut(&mut Txn) -> Result<R>,
    ) -> Result<R> {
        match f(&mut self.txn) {
            Err(CError::Client(kiln::Error::NotResident { .. })) => {
                self.client.read(oid, |_| ())?;
                f(&mut self.txn)
            }
            r => r,
        }
    }
}

/// Connects from `spec`: the path of a tc-config.xml (when such a file exists) or a
/// comma-separated `host:port` list. `name` (may be NULL) names this client in the cluster;
/// `connect_timeout_ms > 0` bounds the whole connect (else the configuration's retries apply).
/// On success `*out` is a new client, to be closed with `kiln_client_close`.
#[no_mangle]
pub extern "C" fn kiln_client_connect(
    spec: *const c_char,
    name: *const c_char,
    connect_timeout_ms: i64,
    out: *mut *mut kiln_client,
) -> kiln_result {
    boundary("kiln_client_connect", || {
        crate::init_logging();
        let spec = ffi::name(spec, "spec")?;
        let name = ffi::opt_name(name, "name")?;
        let out = Out::new(out, "out")?;
        let mut b = if Path::new(spec).is_file() {
            ClientBuilder::from_config_file(spec)?
        } else {
            // `;` separates mirror groups (stripes), `,` the servers of one group.
            if !spec.split([',', ';']).any(|s| !s.trim().is_empty()) {
                return Err(CError::invalid(
                    "spec",
                    format!("'{spec}' is neither a tc-config.xml file nor host:port[,host:port][;host:port...]"),
                ));
            }
            ClientBuilder::from_connect_string(spec)
        };
        if let Some(n) = name {
            b = b.name(n);
        }
        if connect_timeout_ms > 0 {
            b = b.connect_deadline(Duration::from_millis(connect_timeout_ms as u64));
        }
        tracing::debug!(spec, ?name, connect_timeout_ms, "connecting");
        let client = b.connect_blocking()?;
        out.write(ffi::into_handle(kiln_client {
            client,
            callbacks: Callbacks::default(),
        }));
        Ok(())
    })
}

/// Flushes (waits until the server acknowledged every committed transaction), says goodbye,
/// stops the callbacks (none runs after this returns) and frees the client, also when the
/// result is an error. Refused (`KILN_RESULT_ILLEGAL_STATE`, nothing freed) from inside one of
/// this library's callbacks.
#[no_mangle]
pub extern "C" fn kiln_client_close(client: *mut kiln_client) -> kiln_result {
    boundary("kiln_client_close", || {
        if crate::callbacks::in_callback() {
            ffi::handle(client, "client")?;
            return Err(CError::IllegalState(
                "a client cannot be closed from one of its callbacks".into(),
            ));
        }
        let c = ffi::take(client, "client")?;
        let closed = match c.client.close() {
            Err(e) if e.is_fatal() => {
                tracing::debug!(error = %e, "close of a failed client");
                Ok(())
            }
            other => other,
        };
        c.callbacks.stop();
        Ok(closed?)
    })
}

/// `*out` gets the id the server gave this client (its node id in membership events).
#[no_mangle]
pub extern "C" fn kiln_client_id(client: *const kiln_client, out: *mut u64) -> kiln_result {
    boundary("kiln_client_id", || {
        let c = ffi::handle(client, "client")?.open()?;
        let out = Out::new(out, "out")?;
        out.write(c.client_id());
        Ok(())
    })
}

/// Waits until the server acknowledged every transaction committed so far.
#[no_mangle]
pub extern "C" fn kiln_client_flush(client: *const kiln_client) -> kiln_result {
    boundary("kiln_client_flush", || {
        Ok(ffi::handle(client, "client")?.open()?.flush()?)
    })
}

// ------------------------------------------------------------------------------ roots

/// `*out` gets (a new `kiln_value` holding) the value root `name` is bound to: a reference
/// (`KILN_TYPE_REF`) or a literal. `KILN_RESULT_NOT_FOUND` when unbound.
#[no_mangle]
pub extern "C" fn kiln_root_get(
    client: *const kiln_client,
    name: *const c_char,
    out: *mut *mut kiln_value,
) -> kiln_result {
    boundary("kiln_root_get", || {
        let c = ffi::handle(client, "client")?.open()?;
        let name = ffi::name(name, "name")?;
        let out = Out::new(out, "out")?;
        match c.root(name)? {
            Some(v) => value::out_value(out, v),
            None => return Err(CError::NotFound(format!("root '{name}' is not bound"))),
        }
        Ok(())
    })
}

/// Binds root `name` to `value` (a literal, or a reference made with `kiln_val_ref`) if it is
/// unbound, or always when `replace`. `*out` (may be NULL: not wanted) gets the value the root
/// is bound to afterwards (the existing one when it was bound and `replace` is false).
#[no_mangle]
pub extern "C" fn kiln_root_set(
    client: *const kiln_client,
    name: *const c_char,
    value: *const kiln_val,
    replace: bool,
    out: *mut *mut kiln_value,
) -> kiln_result {
    boundary("kiln_root_set", || {
        let c = ffi::handle(client, "client")?.open()?;
        let name = ffi::name(name, "name")?;
        let v = value::arg(value, "value")?;
        let bound = c.set_root_literal(name, v, replace)?;
        if !out.is_null() {
            value::out_value(Out::new(out, "out")?, bound);
        }
        Ok(())
    })
}

/// A root collection or object: `*out` gets its object id, created empty if the root is
/// unbound.
fn root_oid(
    client: *const kiln_client,
    name: *const c_char,
    out: *mut u64,
    f: impl FnOnce(&Client, &str) -> Result<ObjectId>,
) -> Result<()> {
    let c = ffi::handle(client, "client")?.open()?;
    let name = ffi::name(name, "name")?;
    let out = Out::new(out, "out")?;
    out.write(f(c, name)?.0);
    Ok(())
}

/// `*out` gets the object id of the map bound to root `name` (an empty map is created and bound
/// if the root is unbound; `KILN_RESULT_WRONG_KIND` if it is something else).
#[no_mangle]
pub extern "C" fn kiln_root_map(
    client: *const kiln_client,
    name: *const c_char,
    out: *mut u64,
) -> kiln_result {
    boundary("kiln_root_map", || {
        root_oid(client, name, out, |c, n| Ok(c.map(n)?.id()))
    })
}

/// `*out` gets the object id of the list bound to root `name` (created empty if unbound).
#[no_mangle]
pub extern "C" fn kiln_root_list(
    client: *const kiln_client,
    name: *const c_char,
    out: *mut u64,
) -> kiln_result {
    boundary("kiln_root_list", || {
        root_oid(client, name, out, |c, n| Ok(c.list(n)?.id()))
    })
}

/// `*out` gets the object id of the physical object bound to root `name` (a new object of
/// `class` with no fields is created and bound if the root is unbound).
#[no_mangle]
pub extern "C" fn kiln_root_object(
    client: *const kiln_client,
    name: *const c_char,
    class: *const c_char,
    out: *mut u64,
) -> kiln_result {
    boundary("kiln_root_object", || {
        let class = ffi::name(class, "class")?;
        root_oid(client, name, out, |c, n| {
            Ok(c.root_or_create(n, ObjectState::physical(class))?)
        })
    })
}

// ------------------------------------------------------------------------------ locks

/// Acquires the named lock `name` at `level` (a `kiln_lock_level`), waiting as long as it
/// takes. `*out` gets the transaction (commit it with `kiln_txn_commit`).
#[no_mangle]
pub extern "C" fn kiln_lock_named(
    client: *const kiln_client,
    name: *const c_char,
    level: u32,
    out: *mut *mut kiln_txn,
) -> kiln_result {
    boundary("kiln_lock_named", || {
        let c = ffi::handle(client, "client")?;
        let name = ffi::name(name, "name")?;
        let out = Out::new(out, "out")?;
        let t = c.lock(LockId::Named(name.to_string()), level, None)?;
        out.write(ffi::into_handle(t));
        Ok(())
    })
}

/// Like `kiln_lock_named`, giving up after `timeout_ms` (>= 0): `KILN_RESULT_TIMEOUT` and
/// `*out` untouched when not acquired in time.
#[no_mangle]
pub extern "C" fn kiln_try_lock_named(
    client: *const kiln_client,
    name: *const c_char,
    level: u32,
    timeout_ms: i64,
    out: *mut *mut kiln_txn,
) -> kiln_result {
    boundary("kiln_try_lock_named", || {
        let c = ffi::handle(client, "client")?;
        let name = ffi::name(name, "name")?;
        let timeout = ffi::millis(timeout_ms, "timeout_ms")?;
        let out = Out::new(out, "out")?;
        let t = c.lock(LockId::Named(name.to_string()), level, Some(timeout))?;
        out.write(ffi::into_handle(t));
        Ok(())
    })
}

/// Acquires the lock of the shared object `oid` (its monitor) at `level`.
#[no_mangle]
pub extern "C" fn kiln_lock_object(
    client: *const kiln_client,
    oid: u64,
    level: u32,
    out: *mut *mut kiln_txn,
) -> kiln_result {
    boundary("kiln_lock_object", || {
        let c = ffi::handle(client, "client")?;
        let out = Out::new(out, "out")?;
        let t = c.lock(LockId::Object(ObjectId(oid)), level, None)?;
        out.write(ffi::into_handle(t));
        Ok(())
    })
}

/// Like `kiln_lock_object`, giving up after `timeout_ms` (>= 0) with `KILN_RESULT_TIMEOUT`.
#[no_mangle]
pub extern "C" fn kiln_try_lock_object(
    client: *const kiln_client,
    oid: u64,
    level: u32,
    timeout_ms: i64,
    out: *mut *mut kiln_txn,
) -> kiln_result {
    boundary("kiln_try_lock_object", || {
        let c = ffi::handle(client, "client")?;
        let timeout = ffi::millis(timeout_ms, "timeout_ms")?;
        let out = Out::new(out, "out")?;
        let t = c.lock(LockId::Object(ObjectId(oid)), level, Some(timeout))?;
        out.write(ffi::into_handle(t));
        Ok(())
    })
}

/// Commits the transaction and releases its lock (a synchronous-write lock waits for the
/// server's acknowledgement), then frees `txn` — also when the result is an error.
#[no_mangle]
pub extern "C" fn kiln_txn_commit(txn: *mut kiln_txn) -> kiln_result {
    boundary("kiln_txn_commit", || {
        let t = ffi::take(txn, "txn")?;
        Ok(t.txn.commit()?)
    })
}

/// `*out` gets the lock's fencing token (increases with every award of the lock).
#[no_mangle]
pub extern "C" fn kiln_txn_token(txn: *const kiln_txn, out: *mut u64) -> kiln_result {
    boundary("kiln_txn_token", || {
        let t = ffi::handle(txn, "txn")?;
        let out = Out::new(out, "out")?;
        out.write(t.txn.token());
        Ok(())
    })
}

/// Cluster wait on the transaction's lock: releases it, parks until notified (or `timeout_ms`
/// when >= 0; < 0 waits forever), then re-acquires it. `*out` (may be NULL) gets a `kiln_wake`.
/// Refused under a concurrent lock (`KILN_RESULT_ILLEGAL_STATE`).
#[no_mangle]
pub extern "C" fn kiln_txn_wait(txn: *mut kiln_txn, timeout_ms: i64, out: *mut u32) -> kiln_result {
    boundary("kiln_txn_wait", || {
        let t = ffi::handle_mut(txn, "txn")?;
        let reason = match t.txn.wait(ffi::opt_millis(timeout_ms)) {
            Ok(r) => r,
            Err(kiln::Error::Interrupted) => WakeReason::Interrupted,
            Err(e) => return Err(e.into()),
        };
        if !out.is_null() {
            Out::new(out, "out")?.write(match reason {
                WakeReason::Notified => kiln_wake::Notified,
                WakeReason::TimedOut => kiln_wake::TimedOut,
                WakeReason::Interrupted => kiln_wake::Interrupted,
            } as u32);
        }
        Ok(())
    })
}

/// Wakes one cluster waiter of the lock when the transaction commits.
#[no_mangle]
pub extern "C" fn kiln_txn_notify(txn: *mut kiln_txn) -> kiln_result {
    boundary("kiln_txn_notify", || {
        ffi::handle_mut(txn, "txn")?.txn.notify();
        Ok(())
    })
}

/// Wakes every cluster waiter of the lock when the transaction commits.
#[no_mangle]
pub extern "C" fn kiln_txn_notify_all(txn: *mut kiln_txn) -> kiln_result {
    boundary("kiln_txn_notify_all", || {
        ffi::handle_mut(txn, "txn")?.txn.notify_all();
        Ok(())
    })
}

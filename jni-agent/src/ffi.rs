//! The JNI side of the bridge: the error policy every entry point goes through, handle
//! ownership, and argument / result conversion between JNI references and Rust values.

use std::any::Any;
use std::panic::{catch_unwind, AssertUnwindSafe};

use jni::errors::ErrorPolicy;
use jni::objects::{JByteArray, JString};
use jni::strings::JNIString;
use jni::sys::jlong;
use jni::{Env, EnvUnowned};
use kiln::{LockHandle, Value};

use crate::convert;
use crate::error::{self, BridgeError, Result};
use crate::handle::{ClientHandle, SubHandle, TxnHandle};

// ------------------------------------------------------------------------------ error policy

/// Runs the body of a native method: `with_env` runs `f` under `catch_unwind` (no panic crosses
/// into the JVM); an `Err` or a panic is thrown as the mapped `dev.kiln` exception
/// ([`ThrowMapped`]) and the method returns `T::default()` (0, null, false).
pub fn bridge<'local, T, F>(env: &mut EnvUnowned<'local>, f: F) -> T
where
    T: Default,
    F: FnOnce(&mut Env<'local>) -> Result<T>,
{
    env.with_env(f).resolve::<ThrowMapped>()
}

/// [`bridge`] for native methods whose arguments and result are primitives (no JNI call is
/// needed to convert them): `f` runs under `catch_unwind` without entering the `jni` crate, and
/// only an error or a panic goes through `with_env` and [`ThrowMapped`] (same exceptions as
/// [`bridge`]). Saves the two attach-guard set-ups of `with_env` + `resolve` on the fast path
/// (`noop`, `lockObject`, `commit`, `token`...).
pub fn bridge_prim<T, F>(env: &mut EnvUnowned<'_>, f: F) -> T
where
    T: Default,
    F: FnOnce() -> Result<T>,
{
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(Ok(t)) => t,
        Ok(Err(e)) => env.with_env(|_| Err::<T, _>(e)).resolve::<ThrowMapped>(),
        // Re-raised inside `with_env`, whose `catch_unwind` hands it to `ThrowMapped::on_panic`
        // (`resume_unwind` does not run the panic hook a second time).
        Err(payload) => env
            .with_env(|_| -> Result<T> { std::panic::resume_unwind(payload) })
            .resolve::<ThrowMapped>(),
    }
}

/// The [`ErrorPolicy`] of every entry point: throws the exception class the contract maps the
/// error to, with [`error::exception_message`] as its message, unless a Java exception is
/// already pending (it then propagates as is).
#[derive(Debug)]
pub struct ThrowMapped;

impl<T: Default> ErrorPolicy<T, BridgeError> for ThrowMapped {
    type Captures<'unowned_env_local: 'native_method, 'native_method> = ();

    fn on_error<'unowned_env_local: 'native_method, 'native_method>(
        env: &mut Env<'unowned_env_local>,
        _cap: &mut (),
        err: BridgeError,
    ) -> jni::errors::Result<T> {
        throw(env, &err);
        Ok(T::default())
    }

    fn on_panic<'unowned_env_local: 'native_method, 'native_method>(
        env: &mut Env<'unowned_env_local>,
        _cap: &mut (),
        payload: Box<dyn Any + Send + 'static>,
    ) -> jni::errors::Result<T> {
        let err = BridgeError::Panic(kiln::bridge::panic_message(payload));
        tracing::error!(error = %err, "panic in a native method");
        throw(env, &err);
        Ok(T::default())
    }
}

/// Throws `err` as its mapped exception (`java.lang.RuntimeException` if the `dev.kiln` class
/// cannot be found).
fn throw(env: &mut Env<'_>, err: &BridgeError) {
    if env.exception_check() {
        // A JNI call failed because Java threw: let that exception propagate.
        tracing::debug!(error = %err, "Java exception already pending");
        return;
    }
    let class = error::exception_class(err);
    let msg = JNIString::new(error::exception_message(err));
    tracing::debug!(class, error = %err, "throwing");
    // `find_class` from a native method resolves with the class loader of `Native`, the loader
    // of the `dev.kiln` exceptions.
    let thrown = match env.find_class(JNIString::new(class)) {
        Ok(cls) => env.throw_new(&cls, &msg),
        Err(e) => {
            tracing::warn!(class, error = %e, "exception class not found");
            env.exception_clear();
            env.throw_new(JNIString::new(error::class::RUNTIME), &msg)
        }
    };
    // `throw_new` reports success as `Err(JavaException)`: anything else means nothing is
    // pending, which the caller cannot fix (the JVM is out of memory or similar).
    match thrown {
        Err(jni::errors::Error::JavaException) => {}
        other => tracing::error!(?other, class, "could not throw"),
    }
}

// ------------------------------------------------------------------------------ handles

/// Moves a client into a new client handle. The handle owns the box until
/// [`take_client`] is called with it (by `Native.close`, exactly once).
pub fn new_client_handle(h: ClientHandle) -> jlong {
    Box::into_raw(Box::new(h)) as jlong
}

/// Moves a transaction into a new transaction handle, owned until [`take_txn`].
pub fn new_txn_handle(h: TxnHandle) -> jlong {
    Box::into_raw(Box::new(h)) as jlong
}

/// Moves a wait interrupter into a new handle, owned until [`take_waiter`].
pub fn new_waiter_handle(w: kiln::WaitInterrupter) -> jlong {
    Box::into_raw(Box::new(w)) as jlong
}

/// Borrows a wait interrupter.
///
/// # Safety
/// `h` is 0 or a value returned by [`new_waiter_handle`] that was not yet passed to
/// [`take_waiter`]. Shared use from several threads is fine: the interrupter is `Sync`.
pub unsafe fn waiter<'a>(h: jlong) -> Result<&'a kiln::WaitInterrupter> {
    let p = h as *const kiln::WaitInterrupter;
    // SAFETY: by the contract above, a non-null `p` comes from `Box::into_raw` and the box is
    // alive; `as_ref` maps 0 to `None`.
    unsafe { p.as_ref() }.ok_or(BridgeError::NullHandle("waiter"))
}

/// Takes back ownership of a wait interrupter handle (it must not be used again).
///
/// # Safety
/// As for [`waiter`], no other call uses it concurrently, and `h` is not used after this call.
pub unsafe fn take_waiter(h: jlong) -> Result<Box<kiln::WaitInterrupter>> {
    if h == 0 {
        return Err(BridgeError::NullHandle("waiter"));
    }
    // SAFETY: `h` is the pointer of a live `Box<WaitInterrupter>` (contract above), reclaimed
    // here exactly once (`Native.freeWaiter`).
    Ok(unsafe { Box::from_raw(h as *mut kiln::WaitInterrupter) })
}

/// Borrows the client of a handle.
///
/// # Safety
/// `h` is 0 or a value returned by [`new_client_handle`] that was not yet passed to
/// [`take_client`], and it is not taken while the returned reference is alive (the Java owner
/// closes a client only once no call on it is running). Shared use from several threads is fine:
/// [`ClientHandle`] is `Sync`.
pub unsafe fn client<'a>(h: jlong) -> Result<&'a ClientHandle> {
    let p = h as *const ClientHandle;
    // SAFETY: by the contract above, a non-null `p` comes from `Box::into_raw` and the box is
    // still alive and not mutably aliased; `as_ref` maps 0 to `None`.
    unsafe { p.as_ref() }.ok_or(BridgeError::NullHandle("client"))
}

/// Takes back ownership of a client handle (it must not be used again).
///
/// # Safety
/// `h` is 0 or a value returned by [`new_client_handle`] that was not yet taken, and no other
/// call uses it concurrently.
pub unsafe fn take_client(h: jlong) -> Result<Box<ClientHandle>> {
    if h == 0 {
        return Err(BridgeError::NullHandle("client"));
    }
    // SAFETY: `h` is the pointer of a live `Box<ClientHandle>` (contract above), and this is the
    // one place that reclaims it, called once per handle.
    Ok(unsafe { Box::from_raw(h as *mut ClientHandle) })
}

/// Borrows the transaction of a handle mutably.
///
/// # Safety
/// `h` is 0 or a value returned by [`new_txn_handle`] that was not yet passed to [`take_txn`],
/// and only one call uses it at a time (a transaction handle belongs to the thread that locked;
/// the Java side guarantees it).
pub unsafe fn txn<'a>(h: jlong) -> Result<&'a mut TxnHandle> {
    let p = h as *mut TxnHandle;
    // SAFETY: by the contract above, a non-null `p` comes from `Box::into_raw`, the box is alive
    // and no other reference to it exists during this call; `as_mut` maps 0 to `None`.
    unsafe { p.as_mut() }.ok_or(BridgeError::NullHandle("transaction"))
}

/// Takes back ownership of a transaction handle (it must not be used again).
///
/// # Safety
/// As for [`txn`], and `h` is not used after this call.
pub unsafe fn take_txn(h: jlong) -> Result<Box<TxnHandle>> {
    if h == 0 {
        return Err(BridgeError::NullHandle("transaction"));
    }
    // SAFETY: `h` is the pointer of a live `Box<TxnHandle>` (contract above), reclaimed here
    // exactly once (commit / abandon).
    Ok(unsafe { Box::from_raw(h as *mut TxnHandle) })
}

/// A lock-name handle: the lock resolved once for one client (see `Native.lockName`).
pub fn new_lock_name_handle(h: LockHandle) -> jlong {
    Box::into_raw(Box::new(h)) as jlong
}

/// Borrows the lock handle of a lock-name handle.
///
/// # Safety
/// `h` is 0 or a value returned by [`new_lock_name_handle`] not yet passed to
/// [`take_lock_name`], and it is not taken while the returned reference is alive (the Java
/// owner frees it only when no thread can use it any more).
pub unsafe fn lock_name<'a>(h: jlong) -> Result<&'a LockHandle> {
    let p = h as *const LockHandle;
    // SAFETY: by the contract above, a non-null `p` comes from `Box::into_raw` of a live box
    // that nobody mutates (it is only read); `as_ref` maps 0 to `None`.
    unsafe { p.as_ref() }.ok_or(BridgeError::NullHandle("lock name"))
}

/// Takes back ownership of a lock-name handle (it must not be used again).
///
/// # Safety
/// `h` is 0 or a value returned by [`new_lock_name_handle`] that was not yet taken, and no
/// other call uses it concurrently.
pub unsafe fn take_lock_name(h: jlong) -> Result<Box<LockHandle>> {
    if h == 0 {
        return Err(BridgeError::NullHandle("lock name"));
    }
    // SAFETY: `h` is the pointer of a live `Box<LockHandle>` (contract above), reclaimed here
    // once.
    Ok(unsafe { Box::from_raw(h as *mut LockHandle) })
}

/// Moves a subscription into a new subscription handle, owned until [`take_sub`].
pub fn new_sub_handle(h: SubHandle) -> jlong {
    Box::into_raw(Box::new(h)) as jlong
}

/// Takes back ownership of a subscription handle (it must not be used again).
///
/// # Safety
/// `h` is 0 or a value returned by [`new_sub_handle`] that was not yet taken, and no other call
/// uses it concurrently.
pub unsafe fn take_sub(h: jlong) -> Result<Box<SubHandle>> {
    if h == 0 {
        return Err(BridgeError::NullHandle("subscription"));
    }
    // SAFETY: `h` is the pointer of a live `Box<SubHandle>` (contract above), reclaimed here
    // exactly once (`Native.unsubscribe`).
    Ok(unsafe { Box::from_raw(h as *mut SubHandle) })
}

// ------------------------------------------------------------------------------ arguments

/// A `String` argument that must not be null.
pub fn string(env: &Env<'_>, s: &JString<'_>, what: &'static str) -> Result<String> {
    if s.is_null() {
        return Err(BridgeError::NullArgument(what));
    }
    Ok(s.try_to_string(env)?)
}

/// A `String` argument that may be null.
pub fn opt_string(env: &Env<'_>, s: &JString<'_>) -> Result<Option<String>> {
    if s.is_null() {
        return Ok(None);
    }
    Ok(Some(s.try_to_string(env)?))
}

/// A `byte[]` argument holding one encoded value.
pub fn value(env: &Env<'_>, b: &JByteArray<'_>, what: &'static str) -> Result<Value> {
    if b.is_null() {
        return Err(BridgeError::NullArgument(what));
    }
    let bytes = env.convert_byte_array(b)?;
    convert::decode_value(&bytes, what)
}

/// A `byte[]` argument holding zero or more concatenated encoded values.
pub fn values(env: &Env<'_>, b: &JByteArray<'_>, what: &'static str) -> Result<Vec<Value>> {
    if b.is_null() {
        return Err(BridgeError::NullArgument(what));
    }
    let bytes = env.convert_byte_array(b)?;
    convert::decode_values(&bytes)
}

/// A `byte[]` result (`None`: Java `null`).
pub fn bytes_result<'local>(
    env: &mut Env<'local>,
    bytes: Option<&[u8]>,
) -> Result<JByteArray<'local>> {
    match bytes {
        None => Ok(JByteArray::default()),
        Some(b) => Ok(env.byte_array_from_slice(b)?),
    }
}

/// A `byte[]` result holding one encoded value (`None`: Java `null`, "absent").
pub fn value_result<'local>(
    env: &mut Env<'local>,
    v: Option<&Value>,
) -> Result<JByteArray<'local>> {
    let enc = convert::encode_opt(v);
    bytes_result(env, enc.as_deref())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn null_handles_are_errors() {
        // Null handles are errors, never dereferenced.
        // SAFETY: 0 is the documented null handle.
        unsafe {
            assert!(matches!(
                client_ref_err(0),
                BridgeError::NullHandle("client")
            ));
            assert!(matches!(
                take_client(0),
                Err(BridgeError::NullHandle("client"))
            ));
            assert!(matches!(
                txn(0),
                Err(BridgeError::NullHandle("transaction"))
            ));
            assert!(matches!(
                take_txn(0),
                Err(BridgeError::NullHandle("transaction"))
            ));
        }
    }

    /// # Safety
    /// As [`client`].
    unsafe fn client_ref_err(h: jlong) -> BridgeError {
        // SAFETY: forwarded contract.
        match unsafe { client(h) } {
            Err(e) => e,
            Ok(_) => panic!("handle {h} is not null"),
        }
    }
}

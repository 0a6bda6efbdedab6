//! # kiln_jni — the native side of `dev.kiln.internal.Native`
//!
//! A cdylib loaded by the Java agent. Each `Java_dev_kiln_internal_Native_*` function converts
//! its arguments, calls the `kiln` client's blocking facade and converts the result back; it
//! holds no protocol or lock logic. The contract (signatures, handles, value encoding, the
//! error → exception mapping) is the javadoc of
//! `java-client/src/main/java/dev/kiln/internal/Native.java`.
//!
//! - Every entry point runs through [`ffi::bridge`] (or [`ffi::bridge_prim`], the same policy
//!   for primitive-only methods): panics are caught, a [`BridgeError`] is
//!   thrown as the mapped `dev.kiln` exception ([`error::exception_class`]) and the method
//!   returns 0 / null / false.
//! - Handles are `Box::into_raw` pointers as `long`s ([`ffi`]): a client handle owns a
//!   [`handle::ClientHandle`] until `close`, a transaction handle a [`handle::TxnHandle`] until
//!   `commit` / `abandon`.
//! - Logging goes through `tracing`; the library installs no subscriber unless the environment
//!   variable `KILN_JNI_LOG` is set (an `EnvFilter` directive such as `debug` or
//!   `kiln=trace`): then a stderr subscriber is installed at the first `connect`.
// JNI needs exported unmangled functions and raw handle pointers: this crate is the one place
// of the workspace allowed unsafe code. Every unsafe block carries a SAFETY note.
#![allow(unsafe_code)]
#![deny(unsafe_op_in_unsafe_fn)]
#![warn(missing_docs)]

pub mod clientside;
pub mod convert;
pub mod error;
pub mod ffi;
pub mod handle;
pub mod transparent;

use std::sync::Once;

// mimalloc for the bridge's own allocations (transaction handles, the client's buffers): its
// thread-local free lists make the box-per-lock of a greedy cluster lock cheaper than glibc's
// malloc. It does not replace the JVM's malloc.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use jni::objects::{JByteArray, JClass, JString};
use jni::sys::{jboolean, jint, jlong};
use jni::EnvUnowned;
use kiln::LockId;

pub use error::BridgeError;
use ffi::{bridge, bridge_prim};

/// The bridge version string returned by `Native.version()`.
pub fn version_string() -> String {
    format!(
        "kiln_jni {}, protocol {}",
        env!("CARGO_PKG_VERSION"),
        kiln_protocol::PROTOCOL_VERSION
    )
}

/// Installs the stderr `tracing` subscriber if `KILN_JNI_LOG` is set (once; a subscriber the
/// process already installed wins).
pub fn init_logging() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let Ok(filter) = std::env::var("KILN_JNI_LOG") else {
            return;
        };
        let filter = tracing_subscriber::EnvFilter::try_new(&filter).unwrap_or_else(|e| {
            eprintln!("kiln_jni: bad KILN_JNI_LOG '{filter}' ({e}), using 'info'");
            tracing_subscriber::EnvFilter::new("info")
        });
        let installed = tracing_subscriber::fmt()
            .with_writer(std::io::stderr)
            .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
            .with_env_filter(filter)
            .try_init();
        if let Err(e) = installed {
            eprintln!("kiln_jni: KILN_JNI_LOG ignored, a tracing subscriber is already set: {e}");
        }
    });
}

// ------------------------------------------------------------------------------ misc

/// `static native String version()`.
#[unsafe(no_mangle)]
pub extern "system" fn Java_dev_kiln_internal_Native_version<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
) -> JString<'local> {
    bridge(&mut env, |env| {
        Ok(JString::from_str(env, version_string())?)
    })
}

/// `static native long noop(long x)`.
#[unsafe(no_mangle)]
pub extern "system" fn Java_dev_kiln_internal_Native_noop<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    x: jlong,
) -> jlong {
    bridge_prim(&mut env, || Ok(x))
}

// ------------------------------------------------------------------------------ client

/// `static native long connect(String spec, String name, long connectTimeoutMillis)`.
#[unsafe(no_mangle)]
pub extern "system" fn Java_dev_kiln_internal_Native_connect<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    spec: JString<'local>,
    name: JString<'local>,
    connect_timeout_millis: jlong,
) -> jlong {
    bridge(&mut env, |env| {
        init_logging();
        let spec = ffi::string(env, &spec, "spec")?;
        let name = ffi::opt_string(env, &name)?;
        let h = handle::connect(
            &spec,
            name.as_deref(),
            convert::timeout_millis(connect_timeout_millis),
        )?;
        Ok(ffi::new_client_handle(h))
    })
}

/// `static native void shutdown(long client)`.
#[unsafe(no_mangle)]
pub extern "system" fn Java_dev_kiln_internal_Native_shutdown<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    client: jlong,
) {
    bridge_prim(&mut env, || {
        // SAFETY: a live client handle (from `connect`, not yet freed by `close`: Native
        // contract); shutdown only borrows it and may race with other calls on it.
        let c = unsafe { ffi::client(client) }?;
        c.shutdown()
    })
}

/// `static native void close(long client)`.
#[unsafe(no_mangle)]
pub extern "system" fn Java_dev_kiln_internal_Native_close<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    client: jlong,
) {
    bridge_prim(&mut env, || {
        // SAFETY: `client` comes from `connect` and Java closes it exactly once, after its last
        // use (Native contract); ownership returns to Rust here and the box is dropped below.
        let h = unsafe { ffi::take_client(client) }?;
        h.close()
    })
}

/// `static native long clientId(long client)`.
#[unsafe(no_mangle)]
pub extern "system" fn Java_dev_kiln_internal_Native_clientId<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    client: jlong,
) -> jlong {
    bridge_prim(&mut env, || {
        // SAFETY: a live client handle (from `connect`, not closed: Native contract).
        let c = unsafe { ffi::client(client) }?;
        Ok(convert::u64_to_java(c.open()?.client_id()))
    })
}

/// `static native void flush(long client)`.
#[unsafe(no_mangle)]
pub extern "system" fn Java_dev_kiln_internal_Native_flush<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    client: jlong,
) {
    bridge_prim(&mut env, || {
        // SAFETY: a live client handle (from `connect`, not closed: Native contract).
        let c = unsafe { ffi::client(client) }?;
        Ok(c.open()?.flush()?)
    })
}

/// `static native long root(long client, String name, int kind)`.
#[unsafe(no_mangle)]
pub extern "system" fn Java_dev_kiln_internal_Native_root<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    client: jlong,
    name: JString<'local>,
    kind: jint,
) -> jlong {
    bridge(&mut env, |env| {
        // SAFETY: a live client handle (from `connect`, not closed: Native contract).
        let c = unsafe { ffi::client(client) }?;
        let kind = convert::root_kind(kind)?;
        let name = ffi::string(env, &name, "name")?;
        Ok(convert::oid_to_java(c.root(&name, kind)?))
    })
}

// ------------------------------------------------------------------------------ locks

fn lock(client: jlong, lock: LockId, level: jint, timeout_nanos: jlong) -> error::Result<jlong> {
    // SAFETY: a live client handle (from `connect`, not closed: Native contract).
    let c = unsafe { ffi::client(client) }?;
    let level = convert::lock_level(level)?;
    Ok(c.lock(lock, level, convert::timeout_nanos(timeout_nanos))?
        .map_or(0, ffi::new_txn_handle))
}

/// `static native long lockNamed(long client, String name, int level, long timeoutNanos)`.
#[unsafe(no_mangle)]
pub extern "system" fn Java_dev_kiln_internal_Native_lockNamed<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    client: jlong,
    name: JString<'local>,
    level: jint,
    timeout_nanos: jlong,
) -> jlong {
    bridge(&mut env, |env| {
        let name = ffi::string(env, &name, "name")?;
        lock(client, LockId::Named(name), level, timeout_nanos)
    })
}

/// `static native long lockName(long client, String name)`.
#[unsafe(no_mangle)]
pub extern "system" fn Java_dev_kiln_internal_Native_lockName<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    client: jlong,
    name: JString<'local>,
) -> jlong {
    bridge(&mut env, |env| {
        let name = ffi::string(env, &name, "name")?;
        // SAFETY: a live client handle (from `connect`, not closed: Native contract).
        let c = unsafe { ffi::client(client) }?;
        Ok(ffi::new_lock_name_handle(
            c.lock_handle(LockId::Named(name))?,
        ))
    })
}

/// `static native void freeLockName(long lockName)`.
#[unsafe(no_mangle)]
pub extern "system" fn Java_dev_kiln_internal_Native_freeLockName<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    lock_name: jlong,
) {
    bridge_prim(&mut env, || {
        // SAFETY: `lock_name` comes from `lockName` and its Java owner frees it exactly once,
        // when no thread can use it any more.
        drop(unsafe { ffi::take_lock_name(lock_name) }?);
        Ok(())
    })
}

/// `static native long lockNamedFast(long client, long lockName, int level, long timeoutNanos)`.
#[unsafe(no_mangle)]
pub extern "system" fn Java_dev_kiln_internal_Native_lockNamedFast<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    client: jlong,
    lock_name: jlong,
    level: jint,
    timeout_nanos: jlong,
) -> jlong {
    bridge_prim(&mut env, || {
        // SAFETY: a live client handle (from `connect`, not closed: Native contract).
        let c = unsafe { ffi::client(client) }?;
        // SAFETY: a live lock-name handle (from `lockName` with this client, not freed: Native
        // contract).
        let handle = unsafe { ffi::lock_name(lock_name) }?;
        let level = convert::lock_level(level)?;
        Ok(
            c.lock_via(handle, level, convert::timeout_nanos(timeout_nanos))?
                .map_or(0, ffi::new_txn_handle),
        )
    })
}

/// `static native long lockFast(long client, long lockName, int level, long timeoutNanos, long
/// appliedSeq)`: [`Java_dev_kiln_internal_Native_lockNamedFast`] and the agent's remote-change
/// check in one crossing. 0 when not acquired in time; else the transaction handle with its low
/// bit set when the client's change counter, read after the award, differs from `appliedSeq`
/// (the caller then applies the remote changes before it runs under the lock). A transaction
/// handle is a `Box` pointer, aligned to at least 8, so its low bit is free.
#[unsafe(no_mangle)]
pub extern "system" fn Java_dev_kiln_internal_Native_lockFast<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    client: jlong,
    lock_name: jlong,
    level: jint,
    timeout_nanos: jlong,
    applied_seq: jlong,
) -> jlong {
    bridge_prim(&mut env, || {
        // SAFETY: a live client handle (from `connect`, not closed: Native contract).
        let c = unsafe { ffi::client(client) }?;
        // SAFETY: a live lock-name handle (from `lockName`/`lockObjectHandle` with this client,
        // not freed: Native contract).
        let handle = unsafe { ffi::lock_name(lock_name) }?;
        let level = convert::lock_level(level)?;
        let Some(t) = c.lock_via(handle, level, convert::timeout_nanos(timeout_nanos))? else {
            return Ok(0);
        };
        // After the award: the changes recorded before it are counted (same connection, in
        // order), so a counter equal to what Java applied means nothing is left to apply.
        c.client.track_changes();
        let stale = convert::u64_to_java(c.client.changes_seq()) != applied_seq;
        Ok(ffi::new_txn_handle(t) | jlong::from(stale))
    })
}

/// `static native boolean lockReleaseWanted(long lockName)`: whether the server recalled the
/// lease of this lock or a local acquirer waits for it ([`kiln::LockHandle::release_wanted`]):
/// the agent's parked read leases give their hold back then.
#[unsafe(no_mangle)]
pub extern "system" fn Java_dev_kiln_internal_Native_lockReleaseWanted<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    lock_name: jlong,
) -> jboolean {
    bridge_prim(&mut env, || {
        // SAFETY: a live lock-name handle (from `lockName`/`lockObjectHandle`, not freed: Native
        // contract).
        let handle = unsafe { ffi::lock_name(lock_name) }?;
        Ok(handle.release_wanted())
    })
}

/// `static native boolean lockParked(long lockName, boolean parked)`: marks this lock's read hold
/// as parked (kept for others) or not ([`kiln::LockHandle::set_parked`]); returns whether the
/// lock is wanted back already (a recall or a local waiter came first).
#[unsafe(no_mangle)]
pub extern "system" fn Java_dev_kiln_internal_Native_lockParked<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    lock_name: jlong,
    parked: jboolean,
) -> jboolean {
    bridge_prim(&mut env, || {
        // SAFETY: a live lock-name handle (from `lockName`/`lockObjectHandle`, not freed: Native
        // contract).
        let handle = unsafe { ffi::lock_name(lock_name) }?;
        Ok(handle.set_parked(parked))
    })
}

/// `static native long awaitReleaseWanted(long client, long seen, long timeoutMillis)`: blocks
/// until a parked lock is wanted back since counter `seen` (a recall or a queued local acquirer
/// of a lock marked by `lockParked`), or the timeout; the counter now
/// ([`kiln::Client::await_release_wanted`]).
#[unsafe(no_mangle)]
pub extern "system" fn Java_dev_kiln_internal_Native_awaitReleaseWanted<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    client: jlong,
    seen: jlong,
    timeout_millis: jlong,
) -> jlong {
    bridge_prim(&mut env, || {
        // SAFETY: a live client handle (from `connect`, not closed: Native contract).
        let c = unsafe { ffi::client(client) }?;
        let timeout = std::time::Duration::from_millis(u64::try_from(timeout_millis).unwrap_or(0));
        let seen = u64::from_ne_bytes(seen.to_ne_bytes());
        Ok(convert::u64_to_java(
            c.client.await_release_wanted(seen, timeout),
        ))
    })
}

// `lockFast` packs a flag in the low bit of a transaction handle.
const _: () = assert!(std::mem::align_of::<handle::TxnHandle>() >= 2);

/// `static native long lockObjectHandle(long client, long oid)`: the lock of object `oid`
/// resolved once, for `lockNamedFast` (freed by `freeLockName`).
#[unsafe(no_mangle)]
pub extern "system" fn Java_dev_kiln_internal_Native_lockObjectHandle<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    client: jlong,
    oid: jlong,
) -> jlong {
    bridge_prim(&mut env, || {
        // SAFETY: a live client handle (from `connect`, not closed: Native contract).
        let c = unsafe { ffi::client(client) }?;
        Ok(ffi::new_lock_name_handle(
            c.lock_handle(LockId::Object(convert::oid(oid)))?,
        ))
    })
}

/// `static native long lockObject(long client, long oid, int level, long timeoutNanos)`.
#[unsafe(no_mangle)]
pub extern "system" fn Java_dev_kiln_internal_Native_lockObject<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    client: jlong,
    oid: jlong,
    level: jint,
    timeout_nanos: jlong,
) -> jlong {
    bridge_prim(&mut env, || {
        lock(
            client,
            LockId::Object(convert::oid(oid)),
            level,
            timeout_nanos,
        )
    })
}

/// `static native void commit(long txn)`.
#[unsafe(no_mangle)]
pub extern "system" fn Java_dev_kiln_internal_Native_commit<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    txn: jlong,
) {
    bridge_prim(&mut env, || {
        // SAFETY: `txn` comes from `lockNamed`/`lockObject`/`lockFast` and Java ends it exactly
        // once (on the locking thread, or for a parked read lease on the one revoking it, never
        // concurrently with another use); ownership returns to Rust and the box is freed, also
        // on error.
        let t = unsafe { ffi::take_txn(txn) }?;
        t.commit()
    })
}

/// `static native void abandon(long txn)`.
#[unsafe(no_mangle)]
pub extern "system" fn Java_dev_kiln_internal_Native_abandon<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    txn: jlong,
) {
    bridge_prim(&mut env, || {
        // SAFETY: as in `commit`: the one call that ends this transaction handle.
        let t = unsafe { ffi::take_txn(txn) }?;
        t.abandon();
        Ok(())
    })
}

/// `static native long token(long txn)`.
#[unsafe(no_mangle)]
pub extern "system" fn Java_dev_kiln_internal_Native_token<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    txn: jlong,
) -> jlong {
    bridge_prim(&mut env, || {
        // SAFETY: a live transaction handle, used only by its locking thread (Native contract).
        let t = unsafe { ffi::txn(txn) }?;
        Ok(convert::u64_to_java(t.token()))
    })
}

/// `static native int await(long txn, long timeoutNanos)`.
#[unsafe(no_mangle)]
pub extern "system" fn Java_dev_kiln_internal_Native_await<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    txn: jlong,
    timeout_nanos: jlong,
) -> jint {
    bridge_prim(&mut env, || {
        // SAFETY: a live transaction handle, used only by its locking thread (Native contract).
        let t = unsafe { ffi::txn(txn) }?;
        Ok(convert::wake_code(
            t.wait(convert::timeout_nanos(timeout_nanos))?,
        ))
    })
}

/// `static native long waiter(long txn)`: a handle that interrupts the transaction's current
/// or next `await` from another thread; freed by `freeWaiter`.
#[unsafe(no_mangle)]
pub extern "system" fn Java_dev_kiln_internal_Native_waiter<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    txn: jlong,
) -> jlong {
    bridge_prim(&mut env, || {
        // SAFETY: a live transaction handle, used by one call at a time (Native contract).
        let t = unsafe { ffi::txn(txn) }?;
        Ok(ffi::new_waiter_handle(t.waiter()))
    })
}

/// `static native void interruptWaiter(long waiter)`: interrupts the wait (any thread).
#[unsafe(no_mangle)]
pub extern "system" fn Java_dev_kiln_internal_Native_interruptWaiter<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    waiter: jlong,
) {
    bridge_prim(&mut env, || {
        // SAFETY: a live waiter handle from `waiter` (Native contract); shared use is fine.
        let w = unsafe { ffi::waiter(waiter) }?;
        w.interrupt();
        Ok(())
    })
}

/// `static native void freeWaiter(long waiter)`.
#[unsafe(no_mangle)]
pub extern "system" fn Java_dev_kiln_internal_Native_freeWaiter<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    waiter: jlong,
) {
    bridge_prim(&mut env, || {
        // SAFETY: the one call that ends this waiter handle (Native contract).
        drop(unsafe { ffi::take_waiter(waiter) }?);
        Ok(())
    })
}

/// `static native void notify(long txn, boolean all)`.
#[unsafe(no_mangle)]
pub extern "system" fn Java_dev_kiln_internal_Native_notify<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    txn: jlong,
    all: jboolean,
) {
    bridge_prim(&mut env, || {
        // SAFETY: a live transaction handle, used only by its locking thread (Native contract).
        let t = unsafe { ffi::txn(txn) }?;
        t.notify(all);
        Ok(())
    })
}

// ------------------------------------------------------------------------------ reads

/// `static native byte[] mapGet(long client, long oid, byte[] key)`.
#[unsafe(no_mangle)]
pub extern "system" fn Java_dev_kiln_internal_Native_mapGet<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    client: jlong,
    oid: jlong,
    key: JByteArray<'local>,
) -> JByteArray<'local> {
    bridge(&mut env, |env| {
        // SAFETY: a live client handle (from `connect`, not closed: Native contract).
        let c = unsafe { ffi::client(client) }?;
        let key = ffi::value(env, &key, "key")?;
        let v = c.map_get(convert::oid(oid), &key)?;
        ffi::value_result(env, v.as_ref())
    })
}

/// `static native byte[] nodes(long client)`.
#[unsafe(no_mangle)]
pub extern "system" fn Java_dev_kiln_internal_Native_nodes<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    client: jlong,
) -> JByteArray<'local> {
    bridge(&mut env, |env| {
        // SAFETY: a live client handle (from `connect`, not closed: Native contract).
        let c = unsafe { ffi::client(client) }?;
        let b = c.nodes()?;
        ffi::bytes_result(env, Some(&b))
    })
}

/// `static native byte[] nextEvent(long client, long timeoutNanos)`.
#[unsafe(no_mangle)]
pub extern "system" fn Java_dev_kiln_internal_Native_nextEvent<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    client: jlong,
    timeout_nanos: jlong,
) -> JByteArray<'local> {
    bridge(&mut env, |env| {
        // SAFETY: a live client handle (from `connect`, not closed: Native contract).
        let c = unsafe { ffi::client(client) }?;
        let timeout =
            convert::timeout_nanos(timeout_nanos).unwrap_or(std::time::Duration::from_secs(3600));
        let b = c.next_event(timeout)?;
        ffi::bytes_result(env, b.as_deref())
    })
}

/// `static native byte[] values(long client, long oid)`.
#[unsafe(no_mangle)]
pub extern "system" fn Java_dev_kiln_internal_Native_values<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    client: jlong,
    oid: jlong,
) -> JByteArray<'local> {
    bridge(&mut env, |env| {
        // SAFETY: a live client handle (from `connect`, not closed: Native contract).
        let c = unsafe { ffi::client(client) }?;
        let b = c.values(convert::oid(oid))?;
        ffi::bytes_result(env, Some(&b))
    })
}

/// `static native int size(long client, long oid)`.
#[unsafe(no_mangle)]
pub extern "system" fn Java_dev_kiln_internal_Native_size<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    client: jlong,
    oid: jlong,
) -> jint {
    bridge_prim(&mut env, || {
        // SAFETY: a live client handle (from `connect`, not closed: Native contract).
        let c = unsafe { ffi::client(client) }?;
        convert::java_int(c.size(convert::oid(oid))?, "size")
    })
}

/// `static native byte[] listGet(long client, long oid, int index)`.
#[unsafe(no_mangle)]
pub extern "system" fn Java_dev_kiln_internal_Native_listGet<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    client: jlong,
    oid: jlong,
    index: jint,
) -> JByteArray<'local> {
    bridge(&mut env, |env| {
        // SAFETY: a live client handle (from `connect`, not closed: Native contract).
        let c = unsafe { ffi::client(client) }?;
        let v = c.list_get(convert::oid(oid), index)?;
        ffi::value_result(env, v.as_ref())
    })
}

// ------------------------------------------------------------------------------ writes

/// `static native byte[] mapPut(long txn, long oid, byte[] key, byte[] value)`.
#[unsafe(no_mangle)]
pub extern "system" fn Java_dev_kiln_internal_Native_mapPut<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    txn: jlong,
    oid: jlong,
    key: JByteArray<'local>,
    value: JByteArray<'local>,
) -> JByteArray<'local> {
    bridge(&mut env, |env| {
        // SAFETY: a live transaction handle, used only by its locking thread (Native contract).
        let t = unsafe { ffi::txn(txn) }?;
        let key = ffi::value(env, &key, "key")?;
        let value = ffi::value(env, &value, "value")?;
        let prev = t.map_put(convert::oid(oid), key, value)?;
        ffi::value_result(env, prev.as_ref())
    })
}

/// `static native byte[] mapRemove(long txn, long oid, byte[] key)`.
#[unsafe(no_mangle)]
pub extern "system" fn Java_dev_kiln_internal_Native_mapRemove<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    txn: jlong,
    oid: jlong,
    key: JByteArray<'local>,
) -> JByteArray<'local> {
    bridge(&mut env, |env| {
        // SAFETY: a live transaction handle, used only by its locking thread (Native contract).
        let t = unsafe { ffi::txn(txn) }?;
        let key = ffi::value(env, &key, "key")?;
        let prev = t.map_remove(convert::oid(oid), key)?;
        ffi::value_result(env, prev.as_ref())
    })
}

/// `static native void clear(long txn, long oid)`.
#[unsafe(no_mangle)]
pub extern "system" fn Java_dev_kiln_internal_Native_clear<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    txn: jlong,
    oid: jlong,
) {
    bridge_prim(&mut env, || {
        // SAFETY: a live transaction handle, used only by its locking thread (Native contract).
        let t = unsafe { ffi::txn(txn) }?;
        t.clear(convert::oid(oid))
    })
}

/// `static native boolean add(long txn, long oid, byte[] value)`.
#[unsafe(no_mangle)]
pub extern "system" fn Java_dev_kiln_internal_Native_add<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    txn: jlong,
    oid: jlong,
    value: JByteArray<'local>,
) -> jboolean {
    bridge(&mut env, |env| {
        // SAFETY: a live transaction handle, used only by its locking thread (Native contract).
        let t = unsafe { ffi::txn(txn) }?;
        let value = ffi::value(env, &value, "value")?;
        t.add(convert::oid(oid), value)
    })
}

/// `static native void addAt(long txn, long oid, int index, byte[] value)`.
#[unsafe(no_mangle)]
pub extern "system" fn Java_dev_kiln_internal_Native_addAt<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    txn: jlong,
    oid: jlong,
    index: jint,
    value: JByteArray<'local>,
) {
    bridge(&mut env, |env| {
        // SAFETY: a live transaction handle, used only by its locking thread (Native contract).
        let t = unsafe { ffi::txn(txn) }?;
        let value = ffi::value(env, &value, "value")?;
        t.add_at(convert::oid(oid), index, value)
    })
}

/// `static native byte[] listSet(long txn, long oid, int index, byte[] value)`.
#[unsafe(no_mangle)]
pub extern "system" fn Java_dev_kiln_internal_Native_listSet<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    txn: jlong,
    oid: jlong,
    index: jint,
    value: JByteArray<'local>,
) -> JByteArray<'local> {
    bridge(&mut env, |env| {
        // SAFETY: a live transaction handle, used only by its locking thread (Native contract).
        let t = unsafe { ffi::txn(txn) }?;
        let value = ffi::value(env, &value, "value")?;
        let prev = t.list_set(convert::oid(oid), index, value)?;
        ffi::value_result(env, Some(&prev))
    })
}

/// `static native byte[] removeAt(long txn, long oid, int index)`.
#[unsafe(no_mangle)]
pub extern "system" fn Java_dev_kiln_internal_Native_removeAt<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    txn: jlong,
    oid: jlong,
    index: jint,
) -> JByteArray<'local> {
    bridge(&mut env, |env| {
        // SAFETY: a live transaction handle, used only by its locking thread (Native contract).
        let t = unsafe { ffi::txn(txn) }?;
        let removed = t.remove_at(convert::oid(oid), index)?;
        ffi::value_result(env, Some(&removed))
    })
}

/// `static native boolean removeValue(long txn, long oid, byte[] value)`.
#[unsafe(no_mangle)]
pub extern "system" fn Java_dev_kiln_internal_Native_removeValue<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    txn: jlong,
    oid: jlong,
    value: JByteArray<'local>,
) -> jboolean {
    bridge(&mut env, |env| {
        // SAFETY: a live transaction handle, used only by its locking thread (Native contract).
        let t = unsafe { ffi::txn(txn) }?;
        let value = ffi::value(env, &value, "value")?;
        t.remove_value(convert::oid(oid), value)
    })
}

/// `static native byte[] poll(long txn, long oid)`.
#[unsafe(no_mangle)]
pub extern "system" fn Java_dev_kiln_internal_Native_poll<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    txn: jlong,
    oid: jlong,
) -> JByteArray<'local> {
    bridge(&mut env, |env| {
        // SAFETY: a live transaction handle, used only by its locking thread (Native contract).
        let t = unsafe { ffi::txn(txn) }?;
        let v = t.poll(convert::oid(oid))?;
        ffi::value_result(env, v.as_ref())
    })
}

/// `static native int kind(long client, long oid)`.
#[unsafe(no_mangle)]
pub extern "system" fn Java_dev_kiln_internal_Native_kind<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    client: jlong,
    oid: jlong,
) -> jint {
    bridge_prim(&mut env, || {
        // SAFETY: a live client handle (from `connect`, not closed: Native contract).
        let c = unsafe { ffi::client(client) }?;
        c.kind(convert::oid(oid))
    })
}

// ------------------------------------------------------------------------------ distributed calls

/// `static native void invoke(long txn, long receiver, String method, byte[] args, boolean allNodes)`.
#[unsafe(no_mangle)]
pub extern "system" fn Java_dev_kiln_internal_Native_invoke<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    txn: jlong,
    receiver: jlong,
    method: JString<'local>,
    args: JByteArray<'local>,
    all_nodes: jboolean,
) {
    bridge(&mut env, |env| {
        let method = ffi::string(env, &method, "method")?;
        let args = ffi::values(env, &args, "args")?;
        // SAFETY: a live transaction handle, used only by its locking thread (Native contract).
        let t = unsafe { ffi::txn(txn) }?;
        t.invoke(convert::oid(receiver), method, args, all_nodes);
        Ok(())
    })
}

/// `static native void dmiListen(long client)`.
#[unsafe(no_mangle)]
pub extern "system" fn Java_dev_kiln_internal_Native_dmiListen<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    client: jlong,
) {
    bridge_prim(&mut env, || {
        // SAFETY: a live client handle (from `connect`, not closed: Native contract).
        let c = unsafe { ffi::client(client) }?;
        c.dmi_listen()
    })
}

/// `static native byte[] nextDmi(long client, long timeoutNanos)`.
#[unsafe(no_mangle)]
pub extern "system" fn Java_dev_kiln_internal_Native_nextDmi<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    client: jlong,
    timeout_nanos: jlong,
) -> JByteArray<'local> {
    bridge(&mut env, |env| {
        // SAFETY: a live client handle (from `connect`, not closed: Native contract).
        let c = unsafe { ffi::client(client) }?;
        let timeout =
            convert::timeout_nanos(timeout_nanos).unwrap_or(std::time::Duration::from_secs(3600));
        let b = c.next_dmi(timeout)?;
        ffi::bytes_result(env, b.as_deref())
    })
}

// ------------------------------------------------------------------------------ change notices

/// `static native long subscribe(long client, long oid)`.
#[unsafe(no_mangle)]
pub extern "system" fn Java_dev_kiln_internal_Native_subscribe<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    client: jlong,
    oid: jlong,
) -> jlong {
    bridge_prim(&mut env, || {
        // SAFETY: a live client handle (from `connect`, not closed: Native contract).
        let c = unsafe { ffi::client(client) }?;
        Ok(ffi::new_sub_handle(c.subscribe(convert::oid(oid))?))
    })
}

/// `static native void unsubscribe(long subscription)`.
#[unsafe(no_mangle)]
pub extern "system" fn Java_dev_kiln_internal_Native_unsubscribe<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    subscription: jlong,
) {
    bridge_prim(&mut env, || {
        // SAFETY: `subscription` comes from `subscribe` and its Java owner frees it exactly
        // once.
        drop(unsafe { ffi::take_sub(subscription) }?);
        Ok(())
    })
}

/// `static native byte[] nextChange(long client, long timeoutNanos)`.
#[unsafe(no_mangle)]
pub extern "system" fn Java_dev_kiln_internal_Native_nextChange<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    client: jlong,
    timeout_nanos: jlong,
) -> JByteArray<'local> {
    bridge(&mut env, |env| {
        // SAFETY: a live client handle (from `connect`, not closed: Native contract).
        let c = unsafe { ffi::client(client) }?;
        let timeout =
            convert::timeout_nanos(timeout_nanos).unwrap_or(std::time::Duration::from_secs(3600));
        let b = c.next_change(timeout)?;
        ffi::bytes_result(env, b.as_deref())
    })
}

/// `static native long create(long txn, int kind, int stripe)`: `stripe` negative for the
/// lock's stripe (see `transparent::create_placed`).
#[unsafe(no_mangle)]
pub extern "system" fn Java_dev_kiln_internal_Native_create<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    txn: jlong,
    kind: jint,
    stripe: jint,
) -> jlong {
    bridge_prim(&mut env, || {
        let kind = convert::root_kind(kind)?;
        // SAFETY: a live transaction handle, used only by its locking thread (Native contract).
        let t = unsafe { ffi::txn(txn) }?;
        Ok(convert::oid_to_java(t.create(kind, stripe)?))
    })
}

/// `static native byte[] locate(long client, byte[] oids)`.
#[unsafe(no_mangle)]
pub extern "system" fn Java_dev_kiln_internal_Native_locate<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    client: jlong,
    oids: JByteArray<'local>,
) -> JByteArray<'local> {
    bridge(&mut env, |env| {
        let oids = ffi::values(env, &oids, "oids")?
            .into_iter()
            .map(|v| match v {
                kiln::Value::I64(id) => Ok(convert::oid(id)),
                _ => Err(BridgeError::IllegalState("locate: oids must be i64 values")),
            })
            .collect::<Result<Vec<_>, _>>()?;
        // SAFETY: a live client handle (from `connect`, not closed: Native contract).
        let c = unsafe { ffi::client(client) }?;
        let b = c.locate(&oids)?;
        ffi::bytes_result(env, Some(&b))
    })
}

//! Callbacks into C: distributed calls, change subscriptions, membership events.
//!
//! Distributed calls and change notices run on the client's callback thread
//! (`kiln-callbacks-<client id>`), one at a time, in order. Membership events run on one thread
//! per registration (`kiln-c-membership`). Every registration has a gate: freeing the
//! registration (or closing the client) waits until a callback running on another thread has
//! returned, and no callback of it starts afterwards.

use std::cell::Cell;
use std::ffi::{c_char, c_void, CString};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;

use kiln::{ChangeEvent, ClusterEvent, DmiEvent, NodeInfo, ObjectId, SubTarget};
use parking_lot::{Mutex, RwLock};
use tokio::sync::{broadcast, Notify};

use crate::client::kiln_client;
use crate::error::{boundary, boundary_or, kiln_result, panic_message, CError, Result};
use crate::ffi::{self, Out};
use crate::value::kiln_value;

/// The caller's `void *userdata`, handed back to its callback.
#[derive(Debug, Clone, Copy)]
struct UserData(*mut c_void);

impl UserData {
    /// The pointer (a method, so that closures capture the whole `Send` wrapper).
    fn ptr(self) -> *mut c_void {
        self.0
    }
}

// SAFETY: libkiln never dereferences the pointer; it only passes it back to the C callback it
// was registered with. The header documents that callbacks run on other threads, so the C
// program vouches that its userdata may be used there (and outlives the registration).
unsafe impl Send for UserData {}
// SAFETY: as above: shared references only copy the pointer value.
unsafe impl Sync for UserData {}

thread_local! {
    /// The gate of the callback running on this thread (0: none).
    static CURRENT: Cell<usize> = const { Cell::new(0) };
}

/// True on a thread that is running one of libkiln's callbacks.
pub(crate) fn in_callback() -> bool {
    CURRENT.try_with(|c| c.get() != 0).unwrap_or(false)
}

/// Stops a registration's callbacks (see the module documentation).
#[derive(Debug, Default)]
pub(crate) struct Gate {
    active: AtomicBool,
    running: RwLock<()>,
}

impl Gate {
    fn new() -> Arc<Gate> {
        Arc::new(Gate {
            active: AtomicBool::new(true),
            running: RwLock::new(()),
        })
    }
    fn key(self: &Arc<Gate>) -> usize {
        Arc::as_ptr(self) as usize
    }
    /// Runs `f` (which calls into C) unless the gate is closed; a panic of the Rust code around
    /// the C call is logged, never unwound into the client.
    fn run(self: &Arc<Gate>, what: &'static str, f: impl FnOnce()) {
        let _r = self.running.read();
        if !self.active.load(Ordering::Acquire) {
            return;
        }
        let prev = CURRENT.with(|c| c.replace(self.key()));
        if let Err(p) = catch_unwind(AssertUnwindSafe(f)) {
            tracing::error!(what, panic = %panic_message(p), "panic around a C callback");
        }
        CURRENT.with(|c| c.set(prev));
    }
    /// Closes the gate: no callback starts afterwards, and one running on another thread has
    /// returned when this returns (from inside this gate's own callback it cannot wait).
    fn close(self: &Arc<Gate>) {
        self.active.store(false, Ordering::Release);
        if CURRENT.with(Cell::get) != self.key() {
            drop(self.running.write());
        }
    }
}

/// A C string for an event field (NUL bytes, impossible in names, become `\0` text).
fn c_text(s: &str) -> CString {
    CString::new(s.replace('\0', "\\0")).unwrap_or_default()
}

// ------------------------------------------------------------------------------ types

/// A distributed call delivered to this client (borrowed: valid only during the callback).
#[repr(C)]
#[derive(Debug)]
#[allow(non_camel_case_types)]
pub struct kiln_dmi_event {
    /// The method name the sender passed to `kiln_txn_invoke`.
    pub method: *const c_char,
    /// The receiver object (0: none).
    pub receiver: u64,
    /// `nargs` arguments (borrowed `kiln_value`s: read them with the `kiln_value_*` accessors,
    /// do not free them).
    pub args: *const *const kiln_value,
    /// Number of arguments.
    pub nargs: usize,
    /// The client that sent the call.
    pub from_client: u64,
    /// The global transaction id of the transaction that carried it.
    pub gtx: u64,
}

/// A change of a subscribed object or root (borrowed: valid only during the callback).
#[repr(C)]
#[derive(Debug)]
#[allow(non_camel_case_types)]
pub struct kiln_change_event {
    /// The changed object (0 for a root subscription).
    pub oid: u64,
    /// The re-bound root's name (NULL for an object subscription).
    pub root: *const c_char,
    /// The global transaction id of the change.
    pub gtx: u64,
    /// The client that committed it.
    pub from_client: u64,
}

/// Kinds of membership events.
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(non_camel_case_types)]
pub enum kiln_member_kind {
    /// Another client joined the cluster.
    Joined = 1,
    /// Another client left (cleanly or not).
    Left = 2,
    /// This client's connection is gone for good.
    Disconnected = 3,
    /// This client lost its connection and is reconnecting.
    Reconnecting = 4,
    /// This client reconnected.
    Reconnected = 5,
}

/// A membership event (borrowed: valid only during the callback). The node fields are set for
/// `KILN_MEMBER_KIND_JOINED` / `KILN_MEMBER_KIND_LEFT` (else 0 and NULL).
#[repr(C)]
#[derive(Debug)]
#[allow(non_camel_case_types)]
pub struct kiln_member_event {
    /// What happened.
    pub kind: kiln_member_kind,
    /// The node's client id.
    pub node_id: u64,
    /// The node's name (NULL when none).
    pub name: *const c_char,
    /// The node's process id.
    pub pid: u32,
    /// The node's address as the server sees it (NULL when none).
    pub addr: *const c_char,
}

/// Called for each distributed call of a registered method. Runs on the client's callback
/// thread; see "Callbacks" in the conventions.
#[allow(non_camel_case_types)]
pub type kiln_dmi_callback =
    Option<unsafe extern "C" fn(userdata: *mut c_void, event: *const kiln_dmi_event)>;

/// Called after each change of a subscribed object or root by another client. Runs on the
/// client's callback thread.
#[allow(non_camel_case_types)]
pub type kiln_change_callback =
    Option<unsafe extern "C" fn(userdata: *mut c_void, event: *const kiln_change_event)>;

/// Called for each membership event. Runs on a thread of its own (`kiln-c-membership`).
#[allow(non_camel_case_types)]
pub type kiln_member_callback =
    Option<unsafe extern "C" fn(userdata: *mut c_void, event: *const kiln_member_event)>;

// ------------------------------------------------------------------------------ registry

type DmiFn = unsafe extern "C" fn(*mut c_void, *const kiln_dmi_event);
type MemberFn = unsafe extern "C" fn(*mut c_void, *const kiln_member_event);

#[derive(Debug)]
struct Listener {
    stop: Arc<Notify>,
    thread: Option<JoinHandle<()>>,
}

/// The client-level callbacks (DMI and membership); closed by `kiln_client_close`.
#[derive(Debug)]
pub(crate) struct Callbacks {
    gate: Arc<Gate>,
    dmi: Arc<Mutex<DmiTable>>,
    listeners: Mutex<Vec<Listener>>,
}

#[derive(Debug, Default)]
struct DmiTable {
    installed: bool,
    by_method: std::collections::HashMap<String, Vec<(DmiFn, UserData)>>,
}

impl Default for Callbacks {
    fn default() -> Self {
        Callbacks {
            gate: Gate::new(),
            dmi: Arc::default(),
            listeners: Mutex::default(),
        }
    }
}

impl Callbacks {
    /// Closes the gate (waits for a running callback), stops and joins the membership threads.
    pub(crate) fn stop(&self) {
        self.gate.close();
        for mut l in self.listeners.lock().drain(..) {
            l.stop.notify_one();
            if let Some(t) = l.thread.take() {
                if t.join().is_err() {
                    tracing::warn!("membership thread panicked");
                }
            }
        }
    }
}

fn deliver_dmi(gate: &Arc<Gate>, table: &Mutex<DmiTable>, ev: DmiEvent) {
    let cbs = match table.lock().by_method.get(&ev.call.method) {
        Some(v) => v.clone(),
        None => return,
    };
    gate.run("dmi", || {
        let method = c_text(&ev.call.method);
        let args: Vec<kiln_value> = ev.call.args.into_iter().map(kiln_value::new).collect();
        let ptrs: Vec<*const kiln_value> = args.iter().map(|a| a as *const kiln_value).collect();
        let event = kiln_dmi_event {
            method: method.as_ptr(),
            receiver: ev.call.receiver.0,
            args: ptrs.as_ptr(),
            nargs: ptrs.len(),
            from_client: ev.from_client,
            gtx: ev.gtx,
        };
        for (cb, ud) in cbs {
            // SAFETY: `cb` is the non-NULL function the C program registered for this method;
            // `event` and everything it points to live until after the call returns.
            unsafe { cb(ud.ptr(), &event) };
        }
    });
}

/// Registers `callback` for distributed calls of `method` delivered to this client, until the
/// client is closed. Several callbacks may be registered for one method; they run in
/// registration order.
#[no_mangle]
pub extern "C" fn kiln_on_dmi(
    client: *const kiln_client,
    method: *const c_char,
    callback: kiln_dmi_callback,
    userdata: *mut c_void,
) -> kiln_result {
    boundary("kiln_on_dmi", || {
        let c = ffi::handle(client, "client")?;
        let method = ffi::name(method, "method")?;
        let Some(cb) = callback else {
            return Err(CError::NullArgument("callback"));
        };
        let open = c.open()?;
        let cbs = &c.callbacks;
        let mut table = cbs.dmi.lock();
        table
            .by_method
            .entry(method.to_string())
            .or_default()
            .push((cb, UserData(userdata)));
        if !table.installed {
            table.installed = true;
            let gate = cbs.gate.clone();
            let dmi = cbs.dmi.clone();
            open.on_dmi(move |ev| deliver_dmi(&gate, &dmi, ev));
        }
        Ok(())
    })
}

fn node_event(kind: kiln_member_kind, n: Option<&NodeInfo>, f: impl FnOnce(&kiln_member_event)) {
    let name = n.map(|n| c_text(&n.name));
    let addr = n.map(|n| c_text(&n.addr));
    let ev = kiln_member_event {
        kind,
        node_id: n.map_or(0, |n| n.id),
        name: name.as_ref().map_or(std::ptr::null(), |s| s.as_ptr()),
        pid: n.map_or(0, |n| n.pid),
        addr: addr.as_ref().map_or(std::ptr::null(), |s| s.as_ptr()),
    };
    f(&ev);
}

fn member_loop(
    mut rx: broadcast::Receiver<ClusterEvent>,
    stop: Arc<Notify>,
    gate: Arc<Gate>,
    cb: MemberFn,
    ud: UserData,
) {
    let rt = match kiln::blocking::runtime() {
        Ok(rt) => rt,
        Err(e) => {
            tracing::error!(error = %e, "no runtime for the membership thread");
            return;
        }
    };
    loop {
        let got = rt.block_on(async {
            tokio::select! {
                _ = stop.notified() => None,
                r = rx.recv() => Some(r),
            }
        });
        let ev = match got {
            None | Some(Err(broadcast::error::RecvError::Closed)) => return,
            Some(Err(broadcast::error::RecvError::Lagged(n))) => {
                tracing::warn!(missed = n, "membership events lagged: some were dropped");
                continue;
            }
            Some(Ok(ev)) => ev,
        };
        let (kind, node) = match &ev {
            ClusterEvent::NodeJoined(n) => (kiln_member_kind::Joined, Some(n)),
            ClusterEvent::NodeLeft(n) => (kiln_member_kind::Left, Some(n)),
            ClusterEvent::Disconnected => (kiln_member_kind::Disconnected, None),
            ClusterEvent::Reconnecting => (kiln_member_kind::Reconnecting, None),
            ClusterEvent::Reconnected => (kiln_member_kind::Reconnected, None),
            _ => continue,
        };
        gate.run("membership", || {
            node_event(kind, node, |e| {
                // SAFETY: `cb` is the non-NULL function the C program registered; `e` and the
                // strings it points to live until the call returns.
                unsafe { cb(ud.ptr(), e) }
            })
        });
    }
}

/// Registers `callback` for membership events of the cluster (other clients joining and
/// leaving, this client's connection state) from now on, until the client is closed. Each
/// registration has its own thread (`kiln-c-membership`), which calls it in event order.
#[no_mangle]
pub extern "C" fn kiln_on_membership(
    client: *const kiln_client,
    callback: kiln_member_callback,
    userdata: *mut c_void,
) -> kiln_result {
    boundary("kiln_on_membership", || {
        let c = ffi::handle(client, "client")?;
        let Some(cb) = callback else {
            return Err(CError::NullArgument("callback"));
        };
        let rx = c.open()?.events();
        let stop = Arc::new(Notify::new());
        let gate = c.callbacks.gate.clone();
        let ud = UserData(userdata);
        let s = stop.clone();
        let thread = std::thread::Builder::new()
            .name("kiln-c-membership".into())
            .spawn(move || member_loop(rx, s, gate, cb, ud))
            .map_err(|e| CError::Client(kiln::Error::Io(e)))?;
        c.callbacks.listeners.lock().push(Listener {
            stop,
            thread: Some(thread),
        });
        Ok(())
    })
}

// ------------------------------------------------------------------------------ subscriptions

/// A change subscription, ended by `kiln_subscription_free`.
#[derive(Debug)]
#[allow(non_camel_case_types)]
pub struct kiln_subscription {
    sub: Option<kiln::Subscription>,
    gate: Arc<Gate>,
}

fn subscribe(
    c: &kiln_client,
    target: SubTarget,
    cb: unsafe extern "C" fn(*mut c_void, *const kiln_change_event),
    ud: UserData,
) -> Result<kiln_subscription> {
    let gate = Gate::new();
    let g = gate.clone();
    let sub = c.open()?.subscribe(target, move |ev: ChangeEvent| {
        g.run("change", || {
            let root = match &ev.target {
                SubTarget::Root(name) => Some(c_text(name)),
                _ => None,
            };
            let e = kiln_change_event {
                oid: match ev.target {
                    SubTarget::Object(ObjectId(o)) => o,
                    _ => 0,
                },
                root: root.as_ref().map_or(std::ptr::null(), |s| s.as_ptr()),
                gtx: ev.gtx,
                from_client: ev.from_client,
            };
            // SAFETY: `cb` is the non-NULL function the C program registered; `e` and the root
            // name live until the call returns.
            unsafe { cb(ud.ptr(), &e) }
        })
    })?;
    Ok(kiln_subscription {
        sub: Some(sub),
        gate,
    })
}

/// Subscribes to changes other clients make to object `oid` (faulted in first): `callback`
/// runs after each such transaction was applied locally. `*out` gets the subscription.
#[no_mangle]
pub extern "C" fn kiln_subscribe(
    client: *const kiln_client,
    oid: u64,
    callback: kiln_change_callback,
    userdata: *mut c_void,
    out: *mut *mut kiln_subscription,
) -> kiln_result {
    boundary("kiln_subscribe", || {
        let c = ffi::handle(client, "client")?;
        let Some(cb) = callback else {
            return Err(CError::NullArgument("callback"));
        };
        let out = Out::new(out, "out")?;
        let s = subscribe(c, SubTarget::Object(ObjectId(oid)), cb, UserData(userdata))?;
        out.write(ffi::into_handle(s));
        Ok(())
    })
}

/// Subscribes to re-bindings of root `name` by other clients.
#[no_mangle]
pub extern "C" fn kiln_subscribe_root(
    client: *const kiln_client,
    name: *const c_char,
    callback: kiln_change_callback,
    userdata: *mut c_void,
    out: *mut *mut kiln_subscription,
) -> kiln_result {
    boundary("kiln_subscribe_root", || {
        let c = ffi::handle(client, "client")?;
        let name = ffi::name(name, "name")?;
        let Some(cb) = callback else {
            return Err(CError::NullArgument("callback"));
        };
        let out = Out::new(out, "out")?;
        let s = subscribe(c, SubTarget::Root(name.to_string()), cb, UserData(userdata))?;
        out.write(ffi::into_handle(s));
        Ok(())
    })
}

/// Unsubscribes and frees `sub` (NULL: nothing happens). When it returns, its callback is not
/// running on another thread and will not run again. May be called after the client was closed.
#[no_mangle]
pub extern "C" fn kiln_subscription_free(sub: *mut kiln_subscription) {
    boundary_or("kiln_subscription_free", (), || {
        if let Ok(mut s) = ffi::take(sub, "sub") {
            s.gate.close();
            if let Some(sub) = s.sub.take() {
                sub.unsubscribe();
            }
        }
    })
}

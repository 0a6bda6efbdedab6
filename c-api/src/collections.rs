//! Maps, lists, counters and physical objects, and distributed calls. Reads take the client
//! (the object is faulted in on a miss); writes take the transaction they belong to.

use std::ffi::c_char;

use kiln::{DmiCall, ObjectData, ObjectId, Value};

use crate::client::{kiln_client, kiln_txn};
use crate::error::{boundary, kiln_result, CError, Result};
use crate::ffi::{self, Out};
use crate::value::{self, kiln_val, kiln_value};

/// The class of counter objects (shared with other clients: a physical object whose field
/// `value` of this class holds the count as an i64).
pub const COUNTER_CLASS: &str = "kiln.Counter";
const COUNTER_FIELD: &str = "value";

fn wrong_kind(oid: ObjectId, expected: &'static str, d: &ObjectData) -> CError {
    CError::Client(kiln::Error::WrongKind {
        oid,
        expected,
        actual: d.kind_name(),
    })
}

// ------------------------------------------------------------------------------ maps

/// The shared part of the map lookups: the checked arguments, then the value of `key` in map
/// `map` (`NotFound` when absent) and the checked out-parameter to write it to.
fn map_lookup<T>(
    client: *const kiln_client,
    map: u64,
    key: *const kiln_val,
    out: *mut T,
) -> Result<(Value, Out<T>)> {
    let c = ffi::handle(client, "client")?.open()?;
    let key = value::arg(key, "key")?;
    let out = Out::new(out, "out")?;
    let oid = ObjectId(map);
    let key_type = key.type_name();
    match c.map_get(&kiln::Map::from_id(oid), key)? {
        Some(v) => Ok((v, out)),
        None => Err(CError::NotFound(format!("key {key_type} not in map {oid}"))),
    }
}

/// `*out` gets a new `kiln_value` holding the value of `key` in map `map`;
/// `KILN_RESULT_NOT_FOUND` when the key is absent.
#[no_mangle]
pub extern "C" fn kiln_map_get(
    client: *const kiln_client,
    map: u64,
    key: *const kiln_val,
    out: *mut *mut kiln_value,
) -> kiln_result {
    boundary("kiln_map_get", || {
        let (v, out) = map_lookup(client, map, key, out)?;
        value::out_value(out, v);
        Ok(())
    })
}

/// `*out` gets the integer value (i8, i16, i32 or i64, widened) of `key` in map `map`, with no
/// `kiln_value` to free; `KILN_RESULT_NOT_FOUND` when absent, `KILN_RESULT_WRONG_TYPE` when the
/// value is not an integer.
#[no_mangle]
pub extern "C" fn kiln_map_get_i64(
    client: *const kiln_client,
    map: u64,
    key: *const kiln_val,
    out: *mut i64,
) -> kiln_result {
    boundary("kiln_map_get_i64", || {
        let (v, out) = map_lookup(client, map, key, out)?;
        out.write(value::integer(&v)?);
        Ok(())
    })
}

/// Puts `key` → `value` into map `map` in transaction `txn`.
#[no_mangle]
pub extern "C" fn kiln_map_put(
    txn: *mut kiln_txn,
    map: u64,
    key: *const kiln_val,
    value: *const kiln_val,
) -> kiln_result {
    boundary("kiln_map_put", || {
        let t = ffi::handle_mut(txn, "txn")?;
        let oid = ObjectId(map);
        t.write(oid, |tx| {
            let key = value::arg(key, "key")?;
            let value = value::arg(value, "value")?;
            Ok(kiln::Map::from_id(oid).put(tx, key, value)?)
        })?;
        Ok(())
    })
}

/// Removes `key` from map `map` in `txn`; `*out_removed` (may be NULL) tells whether it was
/// present.
#[no_mangle]
pub extern "C" fn kiln_map_remove(
    txn: *mut kiln_txn,
    map: u64,
    key: *const kiln_val,
    out_removed: *mut bool,
) -> kiln_result {
    boundary("kiln_map_remove", || {
        let t = ffi::handle_mut(txn, "txn")?;
        let oid = ObjectId(map);
        let prev = t.write(oid, |tx| {
            let key = value::arg(key, "key")?;
            Ok(kiln::Map::from_id(oid).remove(tx, key)?)
        })?;
        if !out_removed.is_null() {
            Out::new(out_removed, "out_removed")?.write(prev.is_some());
        }
        Ok(())
    })
}

/// `*out` gets the number of entries of a map (elements of a list, fields of an object).
#[no_mangle]
pub extern "C" fn kiln_map_len(
    client: *const kiln_client,
    map: u64,
    out: *mut usize,
) -> kiln_result {
    boundary("kiln_map_len", || len(client, map, out))
}

fn len(client: *const kiln_client, oid: u64, out: *mut usize) -> Result<()> {
    let c = ffi::handle(client, "client")?.open()?;
    let out = Out::new(out, "out")?;
    out.write(c.read(ObjectId(oid), |s| s.data.len())?);
    Ok(())
}

// ------------------------------------------------------------------------------ lists

fn list_len(tx: &kiln::blocking::Txn, oid: ObjectId) -> Result<usize> {
    tx.read(oid, |s| match &s.data {
        ObjectData::List(l) => Ok(l.len()),
        d => Err(wrong_kind(oid, "list", d)),
    })?
}

fn check_index(oid: ObjectId, index: usize, len: usize, inclusive_end: bool) -> Result<()> {
    if index > len || (index == len && !inclusive_end) {
        return Err(CError::IndexOutOfBounds {
            oid,
            index: index as u64,
            len,
        });
    }
    Ok(())
}

/// Appends `value` to list `list` in `txn`.
#[no_mangle]
pub extern "C" fn kiln_list_add(
    txn: *mut kiln_txn,
    list: u64,
    value: *const kiln_val,
) -> kiln_result {
    boundary("kiln_list_add", || {
        let t = ffi::handle_mut(txn, "txn")?;
        let oid = ObjectId(list);
        t.write(oid, |tx| {
            let value = value::arg(value, "value")?;
            list_len(tx, oid)?;
            Ok(kiln::List::from_id(oid).add(tx, value)?)
        })
    })
}

/// Replaces element `index` of list `list` in `txn` (`KILN_RESULT_INDEX_OUT_OF_BOUNDS` past
/// the end).
#[no_mangle]
pub extern "C" fn kiln_list_set(
    txn: *mut kiln_txn,
    list: u64,
    index: usize,
    value: *const kiln_val,
) -> kiln_result {
    boundary("kiln_list_set", || {
        let t = ffi::handle_mut(txn, "txn")?;
        let oid = ObjectId(list);
        t.write(oid, |tx| {
            let value = value::arg(value, "value")?;
            check_index(oid, index, list_len(tx, oid)?, false)?;
            kiln::List::from_id(oid).set(tx, index, value)?;
            Ok(())
        })
    })
}

/// Removes element `index` of list `list` in `txn`.
#[no_mangle]
pub extern "C" fn kiln_list_remove_at(txn: *mut kiln_txn, list: u64, index: usize) -> kiln_result {
    boundary("kiln_list_remove_at", || {
        let t = ffi::handle_mut(txn, "txn")?;
        let oid = ObjectId(list);
        t.write(oid, |tx| {
            check_index(oid, index, list_len(tx, oid)?, false)?;
            kiln::List::from_id(oid).remove_at(tx, index)?;
            Ok(())
        })
    })
}

/// `*out` gets a new `kiln_value` holding element `index` of list `list`.
#[no_mangle]
pub extern "C" fn kiln_list_get(
    client: *const kiln_client,
    list: u64,
    index: usize,
    out: *mut *mut kiln_value,
) -> kiln_result {
    boundary("kiln_list_get", || {
        let c = ffi::handle(client, "client")?.open()?;
        let out = Out::new(out, "out")?;
        let oid = ObjectId(list);
        let got = c.read(oid, |s| match &s.data {
            ObjectData::List(l) => match l.get(index) {
                Some(v) => Ok(v.clone()),
                None => Err(CError::IndexOutOfBounds {
                    oid,
                    index: index as u64,
                    len: l.len(),
                }),
            },
            d => Err(wrong_kind(oid, "list", d)),
        })??;
        value::out_value(out, got);
        Ok(())
    })
}

/// `*out` gets the number of elements of list `list`.
#[no_mangle]
pub extern "C" fn kiln_list_len(
    client: *const kiln_client,
    list: u64,
    out: *mut usize,
) -> kiln_result {
    boundary("kiln_list_len", || len(client, list, out))
}

// ------------------------------------------------------------------------------ counters

/// `*out` gets the object id of the counter bound to root `name` (created at 0 if unbound). A
/// counter is a physical object of class `kiln.Counter` whose i64 field `value` holds the count.
#[no_mangle]
pub extern "C" fn kiln_root_counter(
    client: *const kiln_client,
    name: *const c_char,
    out: *mut u64,
) -> kiln_result {
    boundary("kiln_root_counter", || {
        let c = ffi::handle(client, "client")?.open()?;
        let name = ffi::name(name, "name")?;
        let out = Out::new(out, "out")?;
        let oid = c.root_or_create(name, kiln::ObjectState::physical(COUNTER_CLASS))?;
        out.write(oid.0);
        Ok(())
    })
}

fn counter_value(oid: ObjectId, s: &kiln::ObjectState) -> Result<i64> {
    match &s.data {
        ObjectData::Physical(_) => match s.field(COUNTER_CLASS, COUNTER_FIELD) {
            None | Some(Value::Null) => Ok(0),
            Some(v) => v.as_i64().ok_or(CError::WrongType {
                expected: "i64 counter value",
                actual: v.type_name(),
            }),
        },
        d => Err(wrong_kind(oid, "counter (physical object)", d)),
    }
}

/// Adds `delta` to counter `counter` in `txn` (hold a write lock covering it, e.g.
/// `kiln_lock_object(client, counter, ...)`); `*out` (may be NULL) gets the new count.
#[no_mangle]
pub extern "C" fn kiln_counter_add(
    txn: *mut kiln_txn,
    counter: u64,
    delta: i64,
    out: *mut i64,
) -> kiln_result {
    boundary("kiln_counter_add", || {
        let t = ffi::handle_mut(txn, "txn")?;
        let oid = ObjectId(counter);
        let next = t.write(oid, |tx| {
            let next = tx
                .read(oid, |s| counter_value(oid, s))??
                .wrapping_add(delta);
            tx.set_field(oid, COUNTER_CLASS, COUNTER_FIELD, Value::I64(next))?;
            Ok(next)
        })?;
        if !out.is_null() {
            Out::new(out, "out")?.write(next);
        }
        Ok(())
    })
}

/// `*out` gets the current count of counter `counter`.
#[no_mangle]
pub extern "C" fn kiln_counter_get(
    client: *const kiln_client,
    counter: u64,
    out: *mut i64,
) -> kiln_result {
    boundary("kiln_counter_get", || {
        let c = ffi::handle(client, "client")?.open()?;
        let out = Out::new(out, "out")?;
        let oid = ObjectId(counter);
        out.write(c.read(oid, |s| counter_value(oid, s))??);
        Ok(())
    })
}

// ------------------------------------------------------------------------------ objects

/// Creates a new physical object of `class` (no fields) in `txn`; `*out` gets its id. Make it
/// reachable (a field or collection element referring to it, or a root) before the commit.
#[no_mangle]
pub extern "C" fn kiln_object_create(
    txn: *mut kiln_txn,
    class: *const c_char,
    out: *mut u64,
) -> kiln_result {
    boundary("kiln_object_create", || {
        let t = ffi::handle_mut(txn, "txn")?;
        let class = ffi::name(class, "class")?;
        let out = Out::new(out, "out")?;
        let oid = t.txn.create(kiln::ObjectState::physical(class))?;
        out.write(oid.0);
        Ok(())
    })
}

/// Creates a new physical object of `class` (no fields) in `txn` on the stripe of `near`, the
/// object (existing, or new in `txn`) that will reference it; `*out` gets its id. Over several
/// stripes this keeps a graph on the stripe of what it hangs off (`kiln_object_create` uses the
/// stripe of the transaction's lock); with one stripe both are the same.
#[no_mangle]
pub extern "C" fn kiln_object_create_near(
    txn: *mut kiln_txn,
    near: u64,
    class: *const c_char,
    out: *mut u64,
) -> kiln_result {
    boundary("kiln_object_create_near", || {
        let t = ffi::handle_mut(txn, "txn")?;
        let class = ffi::name(class, "class")?;
        let out = Out::new(out, "out")?;
        let oid = t
            .txn
            .create_near(ObjectId(near), kiln::ObjectState::physical(class))?;
        out.write(oid.0);
        Ok(())
    })
}

/// `*out` gets the stripe root `name` lives on (0 with one stripe): an object to be bound to
/// that root belongs there.
#[no_mangle]
pub extern "C" fn kiln_root_stripe(
    client: *const kiln_client,
    name: *const c_char,
    out: *mut u8,
) -> kiln_result {
    boundary("kiln_root_stripe", || {
        let c = ffi::handle(client, "client")?.open()?;
        let name = ffi::name(name, "name")?;
        let out = Out::new(out, "out")?;
        out.write(c.root_stripe(name));
        Ok(())
    })
}

/// Sets field `field` declared by `class` of physical object `object` to `value` in `txn`.
#[no_mangle]
pub extern "C" fn kiln_object_set(
    txn: *mut kiln_txn,
    object: u64,
    class: *const c_char,
    field: *const c_char,
    value: *const kiln_val,
) -> kiln_result {
    boundary("kiln_object_set", || {
        let t = ffi::handle_mut(txn, "txn")?;
        let class = ffi::name(class, "class")?;
        let field = ffi::name(field, "field")?;
        let oid = ObjectId(object);
        t.write(oid, |tx| {
            let value = value::arg(value, "value")?;
            Ok(tx.set_field(oid, class, field, value)?)
        })
    })
}

/// `*out` gets a new `kiln_value` holding field `field` declared by `class` (`""`: any
/// declaring class) of physical object `object`; `KILN_RESULT_NOT_FOUND` when it has no such
/// field.
#[no_mangle]
pub extern "C" fn kiln_object_get(
    client: *const kiln_client,
    object: u64,
    class: *const c_char,
    field: *const c_char,
    out: *mut *mut kiln_value,
) -> kiln_result {
    boundary("kiln_object_get", || {
        let c = ffi::handle(client, "client")?.open()?;
        let class = ffi::name(class, "class")?;
        let field = ffi::name(field, "field")?;
        let out = Out::new(out, "out")?;
        let oid = ObjectId(object);
        match c.block_on(kiln::Object::from_id(oid).get(c.as_async(), class, field))? {
            Some(v) => value::out_value(out, v),
            None => {
                return Err(CError::NotFound(format!(
                    "object {oid} has no field '{field}' of class '{class}'"
                )))
            }
        }
        Ok(())
    })
}

// ------------------------------------------------------------------------------ DMI

/// Records a distributed call of `method` on `receiver` (0: none) with `nargs` arguments at
/// `args` (may be NULL when `nargs` is 0), delivered after `txn` commits to every other client
/// (`all_nodes`) or only to those where `receiver` is resident. Receivers run the callbacks
/// they registered for `method` with `kiln_on_dmi`; the sender does not.
#[no_mangle]
pub extern "C" fn kiln_txn_invoke(
    txn: *mut kiln_txn,
    receiver: u64,
    method: *const c_char,
    args: *const kiln_val,
    nargs: usize,
    all_nodes: bool,
) -> kiln_result {
    boundary("kiln_txn_invoke", || {
        let t = ffi::handle_mut(txn, "txn")?;
        let method = ffi::name(method, "method")?;
        let mut values = Vec::with_capacity(nargs);
        if nargs > 0 {
            if args.is_null() {
                return Err(CError::NullArgument("args"));
            }
            for i in 0..nargs {
                // SAFETY: `args` is non-NULL and by this function's contract points to `nargs`
                // consecutive `kiln_val`s, so `args + i` (i < nargs) is in bounds.
                let a = unsafe { args.add(i) };
                values.push(value::arg(a, "args[i]")?);
            }
        }
        t.txn.invoke(DmiCall {
            receiver: ObjectId(receiver),
            method: method.to_string(),
            args: values,
            all_nodes,
        });
        Ok(())
    })
}

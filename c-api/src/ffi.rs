//! Pointer arguments: NULL checks, borrowed strings, out-parameters written only on success.

use std::ffi::{c_char, CStr};

use crate::error::{CError, Result};

/// A checked out-parameter: NULL is refused up front (before any side effect), the value is
/// written only by [`Out::write`], at the end of a successful call.
#[derive(Debug)]
pub(crate) struct Out<T>(*mut T);

impl<T> Out<T> {
    /// Checks `p` for NULL.
    pub(crate) fn new(p: *mut T, what: &'static str) -> Result<Out<T>> {
        if p.is_null() {
            return Err(CError::NullArgument(what));
        }
        Ok(Out(p))
    }
    /// Writes the result (the previous content is overwritten, never dropped: it is C data).
    pub(crate) fn write(self, v: T) {
        // SAFETY: `self.0` is non-NULL (checked in `new`) and, by the header's conventions,
        // points to writable storage for a `T` owned by the caller for the whole call.
        unsafe { self.0.write(v) }
    }
}

/// A NUL-terminated UTF-8 name argument (root, lock, class, field, method names).
pub(crate) fn name<'a>(p: *const c_char, what: &'static str) -> Result<&'a str> {
    if p.is_null() {
        return Err(CError::NullArgument(what));
    }
    // SAFETY: non-NULL, and by the header's conventions a NUL-terminated string that stays
    // valid and unchanged for the duration of the call.
    let c = unsafe { CStr::from_ptr(p) };
    c.to_str()
        .map_err(|source| CError::InvalidUtf8 { what, source })
}

/// An optional NUL-terminated UTF-8 name argument (NULL: absent).
pub(crate) fn opt_name<'a>(p: *const c_char, what: &'static str) -> Result<Option<&'a str>> {
    if p.is_null() {
        return Ok(None);
    }
    name(p, what).map(Some)
}

/// `len` bytes at `p` (NULL refused even for `len == 0`: pass `""` for empty data).
pub(crate) fn bytes<'a>(p: *const u8, len: usize, what: &'static str) -> Result<&'a [u8]> {
    if p.is_null() {
        return Err(CError::NullArgument(what));
    }
    if len > isize::MAX as usize {
        return Err(CError::invalid(what, format!("length {len} is too large")));
    }
    // SAFETY: non-NULL, `len` fits `isize`, and by the header's conventions `p` points to `len`
    // readable bytes that stay valid and unchanged for the duration of the call.
    Ok(unsafe { std::slice::from_raw_parts(p, len) })
}

/// Borrows a handle (`*const T` from a `Box::into_raw` of this library).
pub(crate) fn handle<'a, T>(p: *const T, what: &'static str) -> Result<&'a T> {
    // SAFETY: by the header's conventions a non-NULL handle was returned by this library and
    // not yet freed, and nobody frees it while this call runs; `as_ref` maps NULL to `None`.
    unsafe { p.as_ref() }.ok_or(CError::NullArgument(what))
}

/// Borrows a handle mutably (transactions: one thread at a time).
pub(crate) fn handle_mut<'a, T>(p: *mut T, what: &'static str) -> Result<&'a mut T> {
    // SAFETY: as in `handle`, and the handle is used by one thread at a time (the header says
    // so for transactions), so no other reference to it exists during this call.
    unsafe { p.as_mut() }.ok_or(CError::NullArgument(what))
}

/// Takes ownership of a handle back (`_close` / `_free` / `_commit`).
pub(crate) fn take<T>(p: *mut T, what: &'static str) -> Result<Box<T>> {
    if p.is_null() {
        return Err(CError::NullArgument(what));
    }
    // SAFETY: non-NULL, returned by `Box::into_raw` of this library and, by the header's
    // conventions, given back exactly once and not used afterwards or concurrently.
    Ok(unsafe { Box::from_raw(p) })
}

/// A new handle owned by the caller until given back with [`take`].
pub(crate) fn into_handle<T>(v: T) -> *mut T {
    Box::into_raw(Box::new(v))
}

/// A timeout in milliseconds (`< 0` refused).
pub(crate) fn millis(ms: i64, what: &'static str) -> Result<std::time::Duration> {
    u64::try_from(ms)
        .map(std::time::Duration::from_millis)
        .map_err(|_| CError::invalid(what, format!("{ms} ms is negative")))
}

/// An optional timeout in milliseconds (`< 0`: none / forever).
pub(crate) fn opt_millis(ms: i64) -> Option<std::time::Duration> {
    u64::try_from(ms).ok().map(std::time::Duration::from_millis)
}

//! Values: `kiln_val` (a borrowed argument the caller builds) and `kiln_value` (an owned result
//! the library returns, freed with `kiln_value_free`).

use std::ffi::c_char;

use kiln::{ObjectId, Value};

use crate::error::{boundary, boundary_or, kiln_result, CError, Result};
use crate::ffi::{self, Out};

/// Type tags of values (the `kind` of a `kiln_val`, the result of `kiln_value_type`).
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(non_camel_case_types)]
pub enum kiln_type {
    /// No value (Java `null`).
    Null = 0,
    /// A boolean (`num` is 0 or 1).
    Bool = 1,
    /// A 32-bit integer (Java `int`; `num`).
    I32 = 2,
    /// A 64-bit integer (Java `long`; `num`).
    I64 = 3,
    /// A double (`real`).
    F64 = 4,
    /// A UTF-8 string (`ptr`, `len`; may hold NUL bytes).
    Str = 5,
    /// A byte array (`ptr`, `len`).
    Bytes = 6,
    /// A reference to a shared object (`num` holds the object id).
    Ref = 7,
    /// A value of another type written by another client (char, float, date, big number,
    /// enum...): `kiln_value_type_name` names it. Not accepted in a `kiln_val`.
    Other = 99,
}

/// A value argument, borrowed for the duration of one call: build it with `kiln_val_str`,
/// `kiln_val_bytes`, `kiln_val_i64`... or fill the fields yourself.
///
/// `kind` is a `kiln_type` tag (kept as `uint32_t` so that any number a C program writes is
/// checked, never undefined behaviour). `ptr` must not be NULL for `KILN_TYPE_STR` and
/// `KILN_TYPE_BYTES`, even when `len` is 0.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
#[allow(non_camel_case_types)]
pub struct kiln_val {
    /// A `kiln_type` tag.
    pub kind: u32,
    /// Integer payload: bool (0/1), i32, i64, or the object id of a reference.
    pub num: i64,
    /// Double payload.
    pub real: f64,
    /// String / bytes payload.
    pub ptr: *const u8,
    /// Length in bytes of the string / bytes payload.
    pub len: usize,
}

impl kiln_val {
    fn of(kind: kiln_type) -> kiln_val {
        kiln_val {
            kind: kind as u32,
            num: 0,
            real: 0.0,
            ptr: std::ptr::null(),
            len: 0,
        }
    }
}

/// Converts a value argument (a pointer to a `kiln_val`).
pub(crate) fn arg(p: *const kiln_val, what: &'static str) -> Result<Value> {
    let v = ffi::handle(p, what)?;
    Ok(match v.kind {
        k if k == kiln_type::Null as u32 => Value::Null,
        k if k == kiln_type::Bool as u32 => Value::Bool(v.num != 0),
        k if k == kiln_type::I32 as u32 => {
            Value::I32(i32::try_from(v.num).map_err(|_| {
                CError::invalid(what, format!("{} does not fit KILN_TYPE_I32", v.num))
            })?)
        }
        k if k == kiln_type::I64 as u32 => Value::I64(v.num),
        k if k == kiln_type::F64 as u32 => Value::F64(v.real),
        k if k == kiln_type::Str as u32 => {
            let b = ffi::bytes(v.ptr, v.len, what)?;
            let s =
                std::str::from_utf8(b).map_err(|source| CError::InvalidUtf8 { what, source })?;
            Value::Str(s.to_string())
        }
        k if k == kiln_type::Bytes as u32 => Value::Bytes(ffi::bytes(v.ptr, v.len, what)?.to_vec()),
        k if k == kiln_type::Ref as u32 => Value::Ref(ObjectId(v.num as u64)),
        k => return Err(CError::invalid(what, format!("unknown kiln_type tag {k}"))),
    })
}

/// A value the library returns (map lookups, fields, roots, DMI arguments). Owned by the caller
/// (free it with `kiln_value_free`) unless a callback documents it as borrowed.
#[derive(Debug)]
#[allow(non_camel_case_types)]
pub struct kiln_value {
    value: Value,
    /// For strings: the UTF-8 bytes followed by one NUL (so `kiln_value_str` also yields a C
    /// string).
    text: Option<Box<[u8]>>,
}

impl kiln_value {
    /// Wraps a value.
    pub fn new(value: Value) -> kiln_value {
        let text = match &value {
            Value::Str(s) => {
                let mut b = Vec::with_capacity(s.len() + 1);
                b.extend_from_slice(s.as_bytes());
                b.push(0);
                Some(b.into_boxed_slice())
            }
            _ => None,
        };
        kiln_value { value, text }
    }
    /// The value.
    pub fn value(&self) -> &Value {
        &self.value
    }
    fn kind(&self) -> kiln_type {
        match self.value {
            Value::Null => kiln_type::Null,
            Value::Bool(_) => kiln_type::Bool,
            Value::I32(_) => kiln_type::I32,
            Value::I64(_) => kiln_type::I64,
            Value::F64(_) => kiln_type::F64,
            Value::Str(_) => kiln_type::Str,
            Value::Bytes(_) => kiln_type::Bytes,
            Value::Ref(_) => kiln_type::Ref,
            _ => kiln_type::Other,
        }
    }
    fn wrong(&self, expected: &'static str) -> CError {
        CError::WrongType {
            expected,
            actual: self.value.type_name(),
        }
    }
}

/// An integer value (i8, i16, i32 or i64), widened.
pub(crate) fn integer(v: &Value) -> Result<i64> {
    Ok(match *v {
        Value::I8(n) => i64::from(n),
        Value::I16(n) => i64::from(n),
        Value::I32(n) => i64::from(n),
        Value::I64(n) => n,
        _ => {
            return Err(CError::WrongType {
                expected: "integer",
                actual: v.type_name(),
            })
        }
    })
}

/// Writes an owned `kiln_value` to an out-parameter.
pub(crate) fn out_value(out: Out<*mut kiln_value>, v: Value) {
    out.write(ffi::into_handle(kiln_value::new(v)));
}

// ------------------------------------------------------------------------------ constructors

/// A null `kiln_val`.
#[no_mangle]
pub extern "C" fn kiln_val_null() -> kiln_val {
    kiln_val::of(kiln_type::Null)
}

/// A boolean `kiln_val`.
#[no_mangle]
pub extern "C" fn kiln_val_bool(b: bool) -> kiln_val {
    kiln_val {
        num: i64::from(b),
        ..kiln_val::of(kiln_type::Bool)
    }
}

/// A 32-bit integer `kiln_val` (Java `int`).
#[no_mangle]
pub extern "C" fn kiln_val_i32(n: i32) -> kiln_val {
    kiln_val {
        num: i64::from(n),
        ..kiln_val::of(kiln_type::I32)
    }
}

/// A 64-bit integer `kiln_val` (Java `long`).
#[no_mangle]
pub extern "C" fn kiln_val_i64(n: i64) -> kiln_val {
    kiln_val {
        num: n,
        ..kiln_val::of(kiln_type::I64)
    }
}

/// A double `kiln_val`.
#[no_mangle]
pub extern "C" fn kiln_val_f64(x: f64) -> kiln_val {
    kiln_val {
        real: x,
        ..kiln_val::of(kiln_type::F64)
    }
}

/// A string `kiln_val` over the NUL-terminated UTF-8 string `s` (borrowed, not copied: `s` must
/// outlive the calls the `kiln_val` is passed to). `s == NULL` gives a value that every call
/// refuses with `KILN_RESULT_NULL_ARGUMENT`.
#[no_mangle]
pub extern "C" fn kiln_val_str(s: *const c_char) -> kiln_val {
    boundary_or("kiln_val_str", kiln_val::of(kiln_type::Str), || {
        let len = if s.is_null() {
            0
        } else {
            // SAFETY: non-NULL and, by this function's contract, a NUL-terminated string.
            // (UTF-8 is checked where the value is used.)
            unsafe { std::ffi::CStr::from_ptr(s) }.to_bytes().len()
        };
        kiln_val {
            ptr: s.cast(),
            len,
            ..kiln_val::of(kiln_type::Str)
        }
    })
}

/// A string `kiln_val` over `len` bytes of UTF-8 at `s` (may hold NUL bytes; borrowed).
#[no_mangle]
pub extern "C" fn kiln_val_strn(s: *const c_char, len: usize) -> kiln_val {
    kiln_val {
        ptr: s.cast(),
        len,
        ..kiln_val::of(kiln_type::Str)
    }
}

/// A bytes `kiln_val` over `len` bytes at `data` (borrowed).
#[no_mangle]
pub extern "C" fn kiln_val_bytes(data: *const u8, len: usize) -> kiln_val {
    kiln_val {
        ptr: data,
        len,
        ..kiln_val::of(kiln_type::Bytes)
    }
}

/// A reference `kiln_val` to the shared object `oid`.
#[no_mangle]
pub extern "C" fn kiln_val_ref(oid: u64) -> kiln_val {
    kiln_val {
        num: oid as i64,
        ..kiln_val::of(kiln_type::Ref)
    }
}

// ------------------------------------------------------------------------------ accessors

/// The type of `value` (`KILN_TYPE_NULL` for a NULL pointer).
#[no_mangle]
pub extern "C" fn kiln_value_type(value: *const kiln_value) -> kiln_type {
    boundary_or("kiln_value_type", kiln_type::Null, || {
        ffi::handle(value, "value").map_or(kiln_type::Null, kiln_value::kind)
    })
}

/// The exact type name of `value`: `"null"`, `"bool"`, `"i8"`, `"i16"`, `"i32"`, `"i64"`,
/// `"f32"`, `"f64"`, `"char"`, `"string"`, `"bytes"`, `"big-integer"`, `"big-decimal"`,
/// `"class"`, `"enum"`, `"date"` or `"ref"` (a static string; `""` for NULL).
#[no_mangle]
pub extern "C" fn kiln_value_type_name(value: *const kiln_value) -> *const c_char {
    boundary_or("kiln_value_type_name", c"".as_ptr(), || {
        let Ok(v) = ffi::handle(value, "value") else {
            return c"".as_ptr();
        };
        match v.value {
            Value::Null => c"null",
            Value::Bool(_) => c"bool",
            Value::I8(_) => c"i8",
            Value::I16(_) => c"i16",
            Value::I32(_) => c"i32",
            Value::I64(_) => c"i64",
            Value::F32(_) => c"f32",
            Value::F64(_) => c"f64",
            Value::Char(_) => c"char",
            Value::Str(_) => c"string",
            Value::Bytes(_) => c"bytes",
            Value::BigInteger(_) => c"big-integer",
            Value::BigDecimal(_) => c"big-decimal",
            Value::ClassName(_) => c"class",
            Value::Enum { .. } => c"enum",
            Value::Date(_) => c"date",
            Value::Ref(_) => c"ref",
        }
        .as_ptr()
    })
}

/// Reads an integer (i8, i16, i32 or i64, widened) into `*out`.
#[no_mangle]
pub extern "C" fn kiln_value_i64(value: *const kiln_value, out: *mut i64) -> kiln_result {
    boundary("kiln_value_i64", || {
        let v = ffi::handle(value, "value")?;
        let out = Out::new(out, "out")?;
        out.write(integer(&v.value)?);
        Ok(())
    })
}

/// Reads a floating-point number (f32 or f64) into `*out`.
#[no_mangle]
pub extern "C" fn kiln_value_f64(value: *const kiln_value, out: *mut f64) -> kiln_result {
    boundary("kiln_value_f64", || {
        let v = ffi::handle(value, "value")?;
        let out = Out::new(out, "out")?;
        let x = match v.value {
            Value::F32(x) => f64::from(x),
            Value::F64(x) => x,
            _ => return Err(v.wrong("floating-point number")),
        };
        out.write(x);
        Ok(())
    })
}

/// Reads a boolean into `*out`.
#[no_mangle]
pub extern "C" fn kiln_value_bool(value: *const kiln_value, out: *mut bool) -> kiln_result {
    boundary("kiln_value_bool", || {
        let v = ffi::handle(value, "value")?;
        let out = Out::new(out, "out")?;
        match v.value {
            Value::Bool(b) => out.write(b),
            _ => return Err(v.wrong("bool")),
        }
        Ok(())
    })
}

/// Borrows a string: `*out_ptr` gets its UTF-8 bytes, NUL-terminated (the string itself may
/// hold NUL bytes: `*out_len` is its length without the terminator). Valid until
/// `kiln_value_free(value)`.
#[no_mangle]
pub extern "C" fn kiln_value_str(
    value: *const kiln_value,
    out_ptr: *mut *const c_char,
    out_len: *mut usize,
) -> kiln_result {
    boundary("kiln_value_str", || {
        let v = ffi::handle(value, "value")?;
        let out_ptr = Out::new(out_ptr, "out_ptr")?;
        let out_len = Out::new(out_len, "out_len")?;
        match &v.text {
            Some(t) => {
                out_ptr.write(t.as_ptr().cast());
                out_len.write(t.len() - 1);
            }
            None => return Err(v.wrong("string")),
        }
        Ok(())
    })
}

/// Borrows a byte array: `*out_ptr`, `*out_len` (a non-NULL pointer even when empty). Valid
/// until `kiln_value_free(value)`.
#[no_mangle]
pub extern "C" fn kiln_value_bytes(
    value: *const kiln_value,
    out_ptr: *mut *const u8,
    out_len: *mut usize,
) -> kiln_result {
    boundary("kiln_value_bytes", || {
        let v = ffi::handle(value, "value")?;
        let out_ptr = Out::new(out_ptr, "out_ptr")?;
        let out_len = Out::new(out_len, "out_len")?;
        match &v.value {
            Value::Bytes(b) => {
                out_ptr.write(if b.is_empty() {
                    std::ptr::NonNull::<u8>::dangling().as_ptr()
                } else {
                    b.as_ptr()
                });
                out_len.write(b.len());
            }
            _ => return Err(v.wrong("bytes")),
        }
        Ok(())
    })
}

/// Reads a reference: `*out` gets the object id.
#[no_mangle]
pub extern "C" fn kiln_value_ref(value: *const kiln_value, out: *mut u64) -> kiln_result {
    boundary("kiln_value_ref", || {
        let v = ffi::handle(value, "value")?;
        let out = Out::new(out, "out")?;
        match v.value {
            Value::Ref(oid) => out.write(oid.0),
            _ => return Err(v.wrong("reference")),
        }
        Ok(())
    })
}

/// Frees a value returned by the library (NULL: nothing happens).
#[no_mangle]
pub extern "C" fn kiln_value_free(value: *mut kiln_value) {
    boundary_or("kiln_value_free", (), || {
        if let Ok(v) = ffi::take(value, "value") {
            drop(v);
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn args_convert_and_are_checked() {
        let s = "héllo\0x";
        let v = kiln_val_strn(s.as_ptr().cast(), s.len());
        assert_eq!(arg(&v, "v").expect("str"), Value::Str(s.into()));
        let v = kiln_val_str(c"abc".as_ptr());
        assert_eq!(arg(&v, "v").expect("str"), Value::Str("abc".into()));
        let v = kiln_val_str(std::ptr::null());
        assert!(matches!(arg(&v, "key"), Err(CError::NullArgument("key"))));
        let bad = [0xffu8, 0xfe];
        let v = kiln_val_strn(bad.as_ptr().cast(), 2);
        assert!(matches!(arg(&v, "key"), Err(CError::InvalidUtf8 { .. })));
        let v = kiln_val_bytes(bad.as_ptr(), 2);
        assert_eq!(arg(&v, "v").expect("bytes"), Value::Bytes(bad.to_vec()));
        assert_eq!(arg(&kiln_val_i64(-3), "v").expect("i64"), Value::I64(-3));
        assert_eq!(arg(&kiln_val_i32(7), "v").expect("i32"), Value::I32(7));
        assert_eq!(
            arg(&kiln_val_ref(9), "v").expect("ref"),
            Value::Ref(ObjectId(9))
        );
        assert_eq!(arg(&kiln_val_null(), "v").expect("null"), Value::Null);
        let mut v = kiln_val_i64(1 << 40);
        v.kind = kiln_type::I32 as u32;
        assert!(matches!(arg(&v, "v"), Err(CError::InvalidArgument { .. })));
        v.kind = 1234;
        assert!(matches!(arg(&v, "v"), Err(CError::InvalidArgument { .. })));
        assert!(matches!(
            arg(std::ptr::null(), "v"),
            Err(CError::NullArgument("v"))
        ));
    }

    #[test]
    fn accessors_check_types_and_write_only_on_success() {
        let v = ffi::into_handle(kiln_value::new(Value::Str("a\0b".into())));
        let mut p: *const c_char = std::ptr::null();
        let mut n = 99usize;
        assert_eq!(kiln_value_str(v, &mut p, &mut n), kiln_result::Ok);
        assert_eq!(n, 3);
        let mut i = 5i64;
        assert_eq!(kiln_value_i64(v, &mut i), kiln_result::WrongType);
        assert_eq!(i, 5);
        assert_eq!(kiln_value_type(v), kiln_type::Str);
        assert_eq!(
            kiln_value_i64(v, std::ptr::null_mut()),
            kiln_result::NullArgument
        );
        kiln_value_free(v);
        kiln_value_free(std::ptr::null_mut());
    }
}

//! Values: the language-neutral literals of the object model and references to shared objects.

use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};

use bytes::{BufMut, BytesMut};

use crate::wire::{put_bytes, put_str, Reader};
use crate::{ObjectId, ProtocolError};

/// A field value, collection element, map key, root value or DMI argument.
///
/// Literals are copied by value; [`Value::Ref`] shares another object by reference.
/// Equality, hashing and ordering are total (floats compare by bit pattern / `total_cmp`), so any
/// value can be a map key or set element.
#[derive(Debug, Clone)]
pub enum Value {
    /// Java `null`, C `NULL`, Rust `None`.
    Null,
    /// boolean.
    Bool(bool),
    /// byte.
    I8(i8),
    /// short.
    I16(i16),
    /// int.
    I32(i32),
    /// long.
    I64(i64),
    /// float.
    F32(f32),
    /// double.
    F64(f64),
    /// char (one UTF-16 code unit).
    Char(u16),
    /// String.
    Str(String),
    /// byte[] literal.
    Bytes(Vec<u8>),
    /// BigInteger, as decimal text.
    BigInteger(String),
    /// BigDecimal, as text.
    BigDecimal(String),
    /// A class name (java.lang.Class literal).
    ClassName(String),
    /// An enum constant.
    Enum {
        /// Enum class name.
        class: String,
        /// Constant name.
        name: String,
    },
    /// A date, milliseconds since the Unix epoch.
    Date(i64),
    /// A reference to a shared object.
    Ref(ObjectId),
}

/// Wire tags of [`Value`] (one byte before the payload).
pub mod tag {
    #![allow(missing_docs)]
    pub const NULL: u8 = 0;
    pub const BOOL: u8 = 1;
    pub const I8: u8 = 2;
    pub const I16: u8 = 3;
    pub const I32: u8 = 4;
    pub const I64: u8 = 5;
    pub const F32: u8 = 6;
    pub const F64: u8 = 7;
    pub const CHAR: u8 = 8;
    pub const STR: u8 = 9;
    pub const BYTES: u8 = 10;
    pub const BIG_INTEGER: u8 = 11;
    pub const BIG_DECIMAL: u8 = 12;
    pub const CLASS_NAME: u8 = 13;
    pub const ENUM: u8 = 14;
    pub const DATE: u8 = 15;
    pub const REF: u8 = 16;
}

impl Value {
    /// The wire tag of this value.
    pub fn tag(&self) -> u8 {
        match self {
            Value::Null => tag::NULL,
            Value::Bool(_) => tag::BOOL,
            Value::I8(_) => tag::I8,
            Value::I16(_) => tag::I16,
            Value::I32(_) => tag::I32,
            Value::I64(_) => tag::I64,
            Value::F32(_) => tag::F32,
            Value::F64(_) => tag::F64,
            Value::Char(_) => tag::CHAR,
            Value::Str(_) => tag::STR,
            Value::Bytes(_) => tag::BYTES,
            Value::BigInteger(_) => tag::BIG_INTEGER,
            Value::BigDecimal(_) => tag::BIG_DECIMAL,
            Value::ClassName(_) => tag::CLASS_NAME,
            Value::Enum { .. } => tag::ENUM,
            Value::Date(_) => tag::DATE,
            Value::Ref(_) => tag::REF,
        }
    }

    /// A short name of the value's type, for messages.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "bool",
            Value::I8(_) => "i8",
            Value::I16(_) => "i16",
            Value::I32(_) => "i32",
            Value::I64(_) => "i64",
            Value::F32(_) => "f32",
            Value::F64(_) => "f64",
            Value::Char(_) => "char",
            Value::Str(_) => "string",
            Value::Bytes(_) => "bytes",
            Value::BigInteger(_) => "big-integer",
            Value::BigDecimal(_) => "big-decimal",
            Value::ClassName(_) => "class",
            Value::Enum { .. } => "enum",
            Value::Date(_) => "date",
            Value::Ref(_) => "ref",
        }
    }

    /// The referenced object, if this is a reference.
    pub fn as_ref_id(&self) -> Option<ObjectId> {
        match self {
            Value::Ref(id) => Some(*id),
            _ => None,
        }
    }

    /// The string, if this is a string.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    /// The value as an `i64` if it is any integer type.
    pub fn as_i64(&self) -> Option<i64> {
        match *self {
            Value::I8(v) => Some(v.into()),
            Value::I16(v) => Some(v.into()),
            Value::I32(v) => Some(v.into()),
            Value::I64(v) => Some(v),
            _ => None,
        }
    }

    /// Appends the wire encoding (tag + payload).
    pub fn encode(&self, out: &mut BytesMut) {
        out.put_u8(self.tag());
        match self {
            Value::Null => {}
            Value::Bool(b) => out.put_u8(u8::from(*b)),
            Value::I8(v) => out.put_i8(*v),
            Value::I16(v) => out.put_i16(*v),
            Value::I32(v) => out.put_i32(*v),
            Value::I64(v) => out.put_i64(*v),
            Value::F32(v) => out.put_u32(v.to_bits()),
            Value::F64(v) => out.put_u64(v.to_bits()),
            Value::Char(v) => out.put_u16(*v),
            Value::Str(s) | Value::BigInteger(s) | Value::BigDecimal(s) | Value::ClassName(s) => {
                put_str(out, s)
            }
            Value::Bytes(b) => put_bytes(out, b),
            Value::Enum { class, name } => {
                put_str(out, class);
                put_str(out, name);
            }
            Value::Date(v) => out.put_i64(*v),
            Value::Ref(id) => out.put_u64(id.0),
        }
    }

    /// Decodes one value (tag + payload).
    pub fn decode(r: &mut Reader<'_>) -> Result<Value, ProtocolError> {
        let t = r.u8()?;
        Ok(match t {
            tag::NULL => Value::Null,
            tag::BOOL => Value::Bool(r.bool()?),
            tag::I8 => Value::I8(r.i8()?),
            tag::I16 => Value::I16(r.i16()?),
            tag::I32 => Value::I32(r.i32()?),
            tag::I64 => Value::I64(r.i64()?),
            tag::F32 => Value::F32(f32::from_bits(r.u32()?)),
            tag::F64 => Value::F64(f64::from_bits(r.u64()?)),
            tag::CHAR => Value::Char(r.u16()?),
            tag::STR => Value::Str(r.string("string value")?),
            tag::BYTES => Value::Bytes(r.bytes("bytes value")?.to_vec()),
            tag::BIG_INTEGER => Value::BigInteger(r.string("big integer")?),
            tag::BIG_DECIMAL => Value::BigDecimal(r.string("big decimal")?),
            tag::CLASS_NAME => Value::ClassName(r.string("class name")?),
            tag::ENUM => Value::Enum {
                class: r.string("enum class")?,
                name: r.string("enum constant")?,
            },
            tag::DATE => Value::Date(r.i64()?),
            tag::REF => Value::Ref(ObjectId(r.u64()?)),
            t => {
                return Err(ProtocolError::InvalidTag {
                    what: "value",
                    tag: t,
                })
            }
        })
    }

    /// Size in bytes of the encoding.
    pub fn encoded_len(&self) -> usize {
        1 + match self {
            Value::Null => 0,
            Value::Bool(_) | Value::I8(_) => 1,
            Value::I16(_) | Value::Char(_) => 2,
            Value::I32(_) | Value::F32(_) => 4,
            Value::I64(_) | Value::F64(_) | Value::Date(_) | Value::Ref(_) => 8,
            Value::Str(s) | Value::BigInteger(s) | Value::BigDecimal(s) | Value::ClassName(s) => {
                4 + s.len()
            }
            Value::Bytes(b) => 4 + b.len(),
            Value::Enum { class, name } => 8 + class.len() + name.len(),
        }
    }

    fn cmp_payload(&self, other: &Value) -> Ordering {
        use Value::*;
        match (self, other) {
            (Bool(a), Bool(b)) => a.cmp(b),
            (I8(a), I8(b)) => a.cmp(b),
            (I16(a), I16(b)) => a.cmp(b),
            (I32(a), I32(b)) => a.cmp(b),
            (I64(a), I64(b)) => a.cmp(b),
            (F32(a), F32(b)) => a.total_cmp(b),
            (F64(a), F64(b)) => a.total_cmp(b),
            (Char(a), Char(b)) => a.cmp(b),
            (Str(a), Str(b))
            | (BigInteger(a), BigInteger(b))
            | (BigDecimal(a), BigDecimal(b))
            | (ClassName(a), ClassName(b)) => a.cmp(b),
            (Bytes(a), Bytes(b)) => a.cmp(b),
            (
                Enum {
                    class: c1,
                    name: n1,
                },
                Enum {
                    class: c2,
                    name: n2,
                },
            ) => c1.cmp(c2).then_with(|| n1.cmp(n2)),
            (Date(a), Date(b)) => a.cmp(b),
            (Ref(a), Ref(b)) => a.cmp(b),
            _ => Ordering::Equal,
        }
    }
}

impl PartialEq for Value {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for Value {}
impl PartialOrd for Value {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Value {
    /// Total order: first by type tag, then by payload (numbers numerically, floats by
    /// `total_cmp`, strings by UTF-8 bytes). Sorted maps order their keys by this.
    fn cmp(&self, other: &Self) -> Ordering {
        self.tag()
            .cmp(&other.tag())
            .then_with(|| self.cmp_payload(other))
    }
}
impl Hash for Value {
    fn hash<H: Hasher>(&self, state: &mut H) {
        state.write_u8(self.tag());
        match self {
            Value::Null => {}
            Value::Bool(b) => b.hash(state),
            Value::I8(v) => v.hash(state),
            Value::I16(v) => v.hash(state),
            Value::I32(v) => v.hash(state),
            Value::I64(v) | Value::Date(v) => v.hash(state),
            Value::F32(v) => v.to_bits().hash(state),
            Value::F64(v) => v.to_bits().hash(state),
            Value::Char(v) => v.hash(state),
            Value::Str(s) | Value::BigInteger(s) | Value::BigDecimal(s) | Value::ClassName(s) => {
                s.hash(state)
            }
            Value::Bytes(b) => b.hash(state),
            Value::Enum { class, name } => {
                class.hash(state);
                name.hash(state);
            }
            Value::Ref(id) => id.hash(state),
        }
    }
}

impl fmt::Display for Value {
    /// Human form used by the `kiln` CLI: strings bare, other literals in Java-like notation.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Null => f.write_str("null"),
            Value::Bool(b) => write!(f, "{b}"),
            Value::I8(v) => write!(f, "{v}"),
            Value::I16(v) => write!(f, "{v}"),
            Value::I32(v) => write!(f, "{v}"),
            Value::I64(v) => write!(f, "{v}"),
            Value::F32(v) => write!(f, "{v}"),
            Value::F64(v) => write!(f, "{v}"),
            Value::Char(c) => match char::from_u32(u32::from(*c)) {
                Some(ch) => write!(f, "{ch}"),
                None => write!(f, "\\u{c:04x}"),
            },
            Value::Str(s) => f.write_str(s),
            Value::Bytes(b) => {
                f.write_str("0x")?;
                for x in b {
                    write!(f, "{x:02x}")?;
                }
                Ok(())
            }
            Value::BigInteger(s) | Value::BigDecimal(s) => f.write_str(s),
            Value::ClassName(s) => write!(f, "class {s}"),
            Value::Enum { class, name } => write!(f, "{class}.{name}"),
            Value::Date(ms) => write!(f, "date({ms})"),
            Value::Ref(id) => write!(f, "@{id}"),
        }
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Value::Str(s.to_owned())
    }
}
impl From<String> for Value {
    fn from(s: String) -> Self {
        Value::Str(s)
    }
}
impl From<i64> for Value {
    fn from(v: i64) -> Self {
        Value::I64(v)
    }
}
impl From<i32> for Value {
    fn from(v: i32) -> Self {
        Value::I32(v)
    }
}
impl From<bool> for Value {
    fn from(v: bool) -> Self {
        Value::Bool(v)
    }
}
impl From<f64> for Value {
    fn from(v: f64) -> Self {
        Value::F64(v)
    }
}
impl From<ObjectId> for Value {
    fn from(v: ObjectId) -> Self {
        Value::Ref(v)
    }
}
impl From<Vec<u8>> for Value {
    fn from(v: Vec<u8>) -> Self {
        Value::Bytes(v)
    }
}

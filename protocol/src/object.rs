//! Object model: ids, object states ("DNA"), deltas, and how a delta is applied (shared by the
//! server and every client so both sides apply changes identically).

use std::collections::{BTreeMap, VecDeque};
use std::fmt;

use bytes::{BufMut, BytesMut};
use indexmap::{IndexMap, IndexSet};

use crate::wire::{put_count, put_str, Reader};
use crate::{ProtocolError, Value};

/// Object id: top byte = stripe (mirror group) id, low 56 bits = sequence. `0` is never a valid id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct ObjectId(pub u64);

impl ObjectId {
    /// Mask of the sequence part.
    pub const SEQ_MASK: u64 = (1 << 56) - 1;
    /// Builds an id from a stripe and a sequence.
    pub fn new(stripe: u8, seq: u64) -> Self {
        ObjectId((u64::from(stripe) << 56) | (seq & Self::SEQ_MASK))
    }
    /// The stripe (mirror group) this object lives in.
    pub fn stripe(self) -> u8 {
        (self.0 >> 56) as u8
    }
    /// The sequence within the stripe.
    pub fn seq(self) -> u64 {
        self.0 & Self::SEQ_MASK
    }
}

impl fmt::Display for ObjectId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.stripe() == 0 {
            write!(f, "{}", self.0)
        } else {
            write!(f, "{}:{}", self.stripe(), self.seq())
        }
    }
}

/// One field of a physical object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    /// Declaring class (a field name may repeat across a class hierarchy).
    pub class: String,
    /// Field name.
    pub name: String,
    /// Value.
    pub value: Value,
}

/// Array contents. Primitive arrays are packed.
///
/// Equality is element-wise with floats compared by bit pattern (like [`Value`]), so an array
/// holding NaN equals itself and `0.0 != -0.0`.
#[derive(Debug, Clone)]
pub enum ArrayData {
    /// boolean[]
    Bool(Vec<bool>),
    /// byte[]
    I8(Vec<i8>),
    /// short[]
    I16(Vec<i16>),
    /// int[]
    I32(Vec<i32>),
    /// long[]
    I64(Vec<i64>),
    /// float[]
    F32(Vec<f32>),
    /// double[]
    F64(Vec<f64>),
    /// char[]
    Char(Vec<u16>),
    /// Object[] (any values, including references)
    Values(Vec<Value>),
}

/// Wire tags of [`ArrayData`].
pub mod array_tag {
    #![allow(missing_docs)]
    pub const BOOL: u8 = 1;
    pub const I8: u8 = 2;
    pub const I16: u8 = 3;
    pub const I32: u8 = 4;
    pub const I64: u8 = 5;
    pub const F32: u8 = 6;
    pub const F64: u8 = 7;
    pub const CHAR: u8 = 8;
    pub const VALUES: u8 = 9;
}

impl PartialEq for ArrayData {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (ArrayData::Bool(a), ArrayData::Bool(b)) => a == b,
            (ArrayData::I8(a), ArrayData::I8(b)) => a == b,
            (ArrayData::I16(a), ArrayData::I16(b)) => a == b,
            (ArrayData::I32(a), ArrayData::I32(b)) => a == b,
            (ArrayData::I64(a), ArrayData::I64(b)) => a == b,
            (ArrayData::F32(a), ArrayData::F32(b)) => {
                a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.to_bits() == y.to_bits())
            }
            (ArrayData::F64(a), ArrayData::F64(b)) => {
                a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.to_bits() == y.to_bits())
            }
            (ArrayData::Char(a), ArrayData::Char(b)) => a == b,
            (ArrayData::Values(a), ArrayData::Values(b)) => a == b,
            _ => false,
        }
    }
}

impl ArrayData {
    /// Number of elements.
    pub fn len(&self) -> usize {
        match self {
            ArrayData::Bool(v) => v.len(),
            ArrayData::I8(v) => v.len(),
            ArrayData::I16(v) => v.len(),
            ArrayData::I32(v) => v.len(),
            ArrayData::I64(v) => v.len(),
            ArrayData::F32(v) => v.len(),
            ArrayData::F64(v) => v.len(),
            ArrayData::Char(v) => v.len(),
            ArrayData::Values(v) => v.len(),
        }
    }
    /// True when there are no elements.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// Element `i` as a [`Value`].
    pub fn get(&self, i: usize) -> Option<Value> {
        Some(match self {
            ArrayData::Bool(v) => Value::Bool(*v.get(i)?),
            ArrayData::I8(v) => Value::I8(*v.get(i)?),
            ArrayData::I16(v) => Value::I16(*v.get(i)?),
            ArrayData::I32(v) => Value::I32(*v.get(i)?),
            ArrayData::I64(v) => Value::I64(*v.get(i)?),
            ArrayData::F32(v) => Value::F32(*v.get(i)?),
            ArrayData::F64(v) => Value::F64(*v.get(i)?),
            ArrayData::Char(v) => Value::Char(*v.get(i)?),
            ArrayData::Values(v) => v.get(i)?.clone(),
        })
    }
    /// Sets element `i`, returning the previous value. The value must match the element type.
    pub fn set(&mut self, i: usize, value: &Value) -> Result<Value, ProtocolError> {
        let len = self.len();
        let bad = |reason: String| ProtocolError::BadOperation {
            op: "set-element",
            kind: "array",
            reason,
        };
        if i >= len {
            return Err(bad(format!("index {i} out of bounds for length {len}")));
        }
        macro_rules! prim {
            ($v:expr, $variant:ident) => {
                match value {
                    Value::$variant(x) => Value::$variant(std::mem::replace(&mut $v[i], *x)),
                    other => {
                        return Err(bad(format!(
                            "element type {} does not match value type {}",
                            stringify!($variant),
                            other.type_name()
                        )))
                    }
                }
            };
        }
        Ok(match self {
            ArrayData::Bool(v) => prim!(v, Bool),
            ArrayData::I8(v) => prim!(v, I8),
            ArrayData::I16(v) => prim!(v, I16),
            ArrayData::I32(v) => prim!(v, I32),
            ArrayData::I64(v) => prim!(v, I64),
            ArrayData::F32(v) => prim!(v, F32),
            ArrayData::F64(v) => prim!(v, F64),
            ArrayData::Char(v) => prim!(v, Char),
            ArrayData::Values(v) => std::mem::replace(&mut v[i], value.clone()),
        })
    }

    fn tag(&self) -> u8 {
        match self {
            ArrayData::Bool(_) => array_tag::BOOL,
            ArrayData::I8(_) => array_tag::I8,
            ArrayData::I16(_) => array_tag::I16,
            ArrayData::I32(_) => array_tag::I32,
            ArrayData::I64(_) => array_tag::I64,
            ArrayData::F32(_) => array_tag::F32,
            ArrayData::F64(_) => array_tag::F64,
            ArrayData::Char(_) => array_tag::CHAR,
            ArrayData::Values(_) => array_tag::VALUES,
        }
    }

    /// Encodes: element tag, `u32` count, packed elements.
    pub fn encode(&self, out: &mut BytesMut) {
        out.put_u8(self.tag());
        put_count(out, self.len());
        match self {
            ArrayData::Bool(v) => v.iter().for_each(|x| out.put_u8(u8::from(*x))),
            ArrayData::I8(v) => v.iter().for_each(|x| out.put_i8(*x)),
            ArrayData::I16(v) => v.iter().for_each(|x| out.put_i16(*x)),
            ArrayData::I32(v) => v.iter().for_each(|x| out.put_i32(*x)),
            ArrayData::I64(v) => v.iter().for_each(|x| out.put_i64(*x)),
            ArrayData::F32(v) => v.iter().for_each(|x| out.put_u32(x.to_bits())),
            ArrayData::F64(v) => v.iter().for_each(|x| out.put_u64(x.to_bits())),
            ArrayData::Char(v) => v.iter().for_each(|x| out.put_u16(*x)),
            ArrayData::Values(v) => v.iter().for_each(|x| x.encode(out)),
        }
    }

    /// Decodes what [`ArrayData::encode`] wrote.
    pub fn decode(r: &mut Reader<'_>) -> Result<Self, ProtocolError> {
        let t = r.u8()?;
        macro_rules! prim {
            ($size:expr, $variant:ident, $read:expr) => {{
                let n = r.count($size, "array")?;
                let mut v = Vec::with_capacity(n);
                for _ in 0..n {
                    v.push($read(&mut *r)?);
                }
                ArrayData::$variant(v)
            }};
        }
        Ok(match t {
            array_tag::BOOL => prim!(1, Bool, |r: &mut Reader<'_>| r.bool()),
            array_tag::I8 => prim!(1, I8, |r: &mut Reader<'_>| r.i8()),
            array_tag::I16 => prim!(2, I16, |r: &mut Reader<'_>| r.i16()),
            array_tag::I32 => prim!(4, I32, |r: &mut Reader<'_>| r.i32()),
            array_tag::I64 => prim!(8, I64, |r: &mut Reader<'_>| r.i64()),
            array_tag::F32 => prim!(4, F32, |r: &mut Reader<'_>| r.u32().map(f32::from_bits)),
            array_tag::F64 => prim!(8, F64, |r: &mut Reader<'_>| r.u64().map(f64::from_bits)),
            array_tag::CHAR => prim!(2, Char, |r: &mut Reader<'_>| r.u16()),
            array_tag::VALUES => prim!(1, Values, Value::decode),
            t => {
                return Err(ProtocolError::InvalidTag {
                    what: "array element",
                    tag: t,
                })
            }
        })
    }

    fn refs(&self, f: &mut dyn FnMut(ObjectId)) {
        if let ArrayData::Values(v) = self {
            v.iter().filter_map(Value::as_ref_id).for_each(f);
        }
    }
}

/// The content of an object, by kind.
#[derive(Debug, Clone, PartialEq)]
pub enum ObjectData {
    /// Ordered fields (declaring class, name) → value.
    Physical(Vec<Field>),
    /// An array.
    Array(ArrayData),
    /// A hash map (iteration in insertion order).
    Map(IndexMap<Value, Value>),
    /// A sorted map (ordered by [`Value`]'s total order).
    SortedMap(BTreeMap<Value, Value>),
    /// A list.
    List(Vec<Value>),
    /// A set (iteration in insertion order).
    Set(IndexSet<Value>),
    /// A FIFO queue.
    Queue(VecDeque<Value>),
}

/// Wire tags of [`ObjectData`].
pub mod kind_tag {
    #![allow(missing_docs)]
    pub const PHYSICAL: u8 = 1;
    pub const ARRAY: u8 = 2;
    pub const MAP: u8 = 3;
    pub const SORTED_MAP: u8 = 4;
    pub const LIST: u8 = 5;
    pub const SET: u8 = 6;
    pub const QUEUE: u8 = 7;
}

impl ObjectData {
    /// The kind's name, for messages.
    pub fn kind_name(&self) -> &'static str {
        match self {
            ObjectData::Physical(_) => "physical",
            ObjectData::Array(_) => "array",
            ObjectData::Map(_) => "map",
            ObjectData::SortedMap(_) => "sorted-map",
            ObjectData::List(_) => "list",
            ObjectData::Set(_) => "set",
            ObjectData::Queue(_) => "queue",
        }
    }
    fn tag(&self) -> u8 {
        match self {
            ObjectData::Physical(_) => kind_tag::PHYSICAL,
            ObjectData::Array(_) => kind_tag::ARRAY,
            ObjectData::Map(_) => kind_tag::MAP,
            ObjectData::SortedMap(_) => kind_tag::SORTED_MAP,
            ObjectData::List(_) => kind_tag::LIST,
            ObjectData::Set(_) => kind_tag::SET,
            ObjectData::Queue(_) => kind_tag::QUEUE,
        }
    }
    /// Number of fields, elements or entries.
    pub fn len(&self) -> usize {
        match self {
            ObjectData::Physical(v) => v.len(),
            ObjectData::Array(a) => a.len(),
            ObjectData::Map(m) => m.len(),
            ObjectData::SortedMap(m) => m.len(),
            ObjectData::List(v) => v.len(),
            ObjectData::Set(s) => s.len(),
            ObjectData::Queue(q) => q.len(),
        }
    }
    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Full object state ("DNA"): class name + content.
#[derive(Debug, Clone, PartialEq)]
pub struct ObjectState {
    /// Class name (e.g. `java.util.HashMap`, `com.acme.Order`, or a language-neutral name).
    pub class: String,
    /// The content.
    pub data: ObjectData,
}

impl ObjectState {
    /// A physical object with no fields.
    pub fn physical(class: impl Into<String>) -> Self {
        ObjectState {
            class: class.into(),
            data: ObjectData::Physical(Vec::new()),
        }
    }
    /// An empty hash map.
    pub fn map() -> Self {
        ObjectState {
            class: "java.util.HashMap".into(),
            data: ObjectData::Map(IndexMap::new()),
        }
    }
    /// An empty sorted map.
    pub fn sorted_map() -> Self {
        ObjectState {
            class: "java.util.TreeMap".into(),
            data: ObjectData::SortedMap(BTreeMap::new()),
        }
    }
    /// An empty list.
    pub fn list() -> Self {
        ObjectState {
            class: "java.util.ArrayList".into(),
            data: ObjectData::List(Vec::new()),
        }
    }
    /// An empty set.
    pub fn set() -> Self {
        ObjectState {
            class: "java.util.HashSet".into(),
            data: ObjectData::Set(IndexSet::new()),
        }
    }
    /// An empty queue.
    pub fn queue() -> Self {
        ObjectState {
            class: "java.util.concurrent.LinkedBlockingQueue".into(),
            data: ObjectData::Queue(VecDeque::new()),
        }
    }
    /// An array.
    pub fn array(class: impl Into<String>, data: ArrayData) -> Self {
        ObjectState {
            class: class.into(),
            data: ObjectData::Array(data),
        }
    }

    /// Size in bytes of [`ObjectState::encode`]'s output.
    pub fn encoded_len(&self) -> usize {
        let pairs = |it: &mut dyn Iterator<Item = (&Value, &Value)>| -> usize {
            it.map(|(k, v)| k.encoded_len() + v.encoded_len()).sum()
        };
        4 + self.class.len()
            + 1
            + match &self.data {
                ObjectData::Physical(fs) => {
                    4 + fs
                        .iter()
                        .map(|f| 8 + f.class.len() + f.name.len() + f.value.encoded_len())
                        .sum::<usize>()
                }
                ObjectData::Array(a) => {
                    5 + match a {
                        ArrayData::Bool(v) => v.len(),
                        ArrayData::I8(v) => v.len(),
                        ArrayData::I16(v) => 2 * v.len(),
                        ArrayData::Char(v) => 2 * v.len(),
                        ArrayData::I32(v) => 4 * v.len(),
                        ArrayData::F32(v) => 4 * v.len(),
                        ArrayData::I64(v) => 8 * v.len(),
                        ArrayData::F64(v) => 8 * v.len(),
                        ArrayData::Values(v) => v.iter().map(Value::encoded_len).sum(),
                    }
                }
                ObjectData::Map(m) => 4 + pairs(&mut m.iter()),
                ObjectData::SortedMap(m) => 4 + pairs(&mut m.iter()),
                ObjectData::List(l) => 4 + l.iter().map(Value::encoded_len).sum::<usize>(),
                ObjectData::Set(s) => 4 + s.iter().map(Value::encoded_len).sum::<usize>(),
                ObjectData::Queue(q) => 4 + q.iter().map(Value::encoded_len).sum::<usize>(),
            }
    }

    /// The value of a physical field.
    pub fn field(&self, class: &str, name: &str) -> Option<&Value> {
        match &self.data {
            ObjectData::Physical(fs) => fs
                .iter()
                .find(|f| f.name == name && (class.is_empty() || f.class == class))
                .map(|f| &f.value),
            _ => None,
        }
    }

    /// Calls `f` for every object this state references.
    pub fn for_each_ref(&self, f: &mut dyn FnMut(ObjectId)) {
        let mut v = |x: &Value| {
            if let Some(id) = x.as_ref_id() {
                f(id)
            }
        };
        match &self.data {
            ObjectData::Physical(fs) => fs.iter().for_each(|x| v(&x.value)),
            ObjectData::Array(a) => a.refs(f),
            ObjectData::Map(m) => m.iter().for_each(|(k, x)| {
                v(k);
                v(x)
            }),
            ObjectData::SortedMap(m) => m.iter().for_each(|(k, x)| {
                v(k);
                v(x)
            }),
            ObjectData::List(l) => l.iter().for_each(v),
            ObjectData::Set(s) => s.iter().for_each(v),
            ObjectData::Queue(q) => q.iter().for_each(v),
        }
    }

    /// Appends the encoding: class name, kind tag, content.
    pub fn encode(&self, out: &mut BytesMut) {
        put_str(out, &self.class);
        out.put_u8(self.data.tag());
        match &self.data {
            ObjectData::Physical(fs) => {
                put_count(out, fs.len());
                for f in fs {
                    put_str(out, &f.class);
                    put_str(out, &f.name);
                    f.value.encode(out);
                }
            }
            ObjectData::Array(a) => a.encode(out),
            ObjectData::Map(m) => {
                put_count(out, m.len());
                for (k, v) in m {
                    k.encode(out);
                    v.encode(out);
                }
            }
            ObjectData::SortedMap(m) => {
                put_count(out, m.len());
                for (k, v) in m {
                    k.encode(out);
                    v.encode(out);
                }
            }
            ObjectData::List(l) => {
                put_count(out, l.len());
                l.iter().for_each(|x| x.encode(out));
            }
            ObjectData::Set(s) => {
                put_count(out, s.len());
                s.iter().for_each(|x| x.encode(out));
            }
            ObjectData::Queue(q) => {
                put_count(out, q.len());
                q.iter().for_each(|x| x.encode(out));
            }
        }
    }

    /// Decodes what [`ObjectState::encode`] wrote.
    pub fn decode(r: &mut Reader<'_>) -> Result<Self, ProtocolError> {
        let class = r.string("class name")?;
        let t = r.u8()?;
        let data = match t {
            kind_tag::PHYSICAL => {
                let n = r.count(9, "fields")?;
                let mut fs = Vec::with_capacity(n);
                for _ in 0..n {
                    fs.push(Field {
                        class: r.string("field class")?,
                        name: r.string("field name")?,
                        value: Value::decode(r)?,
                    });
                }
                ObjectData::Physical(fs)
            }
            kind_tag::ARRAY => ObjectData::Array(ArrayData::decode(r)?),
            kind_tag::MAP => {
                let n = r.count(2, "map entries")?;
                let mut m = IndexMap::with_capacity(n);
                for _ in 0..n {
                    let k = Value::decode(r)?;
                    m.insert(k, Value::decode(r)?);
                }
                ObjectData::Map(m)
            }
            kind_tag::SORTED_MAP => {
                let n = r.count(2, "map entries")?;
                let mut m = BTreeMap::new();
                for _ in 0..n {
                    let k = Value::decode(r)?;
                    m.insert(k, Value::decode(r)?);
                }
                ObjectData::SortedMap(m)
            }
            kind_tag::LIST => {
                let n = r.count(1, "list")?;
                let mut l = Vec::with_capacity(n);
                for _ in 0..n {
                    l.push(Value::decode(r)?);
                }
                ObjectData::List(l)
            }
            kind_tag::SET => {
                let n = r.count(1, "set")?;
                let mut s = IndexSet::with_capacity(n);
                for _ in 0..n {
                    s.insert(Value::decode(r)?);
                }
                ObjectData::Set(s)
            }
            kind_tag::QUEUE => {
                let n = r.count(1, "queue")?;
                let mut q = VecDeque::with_capacity(n);
                for _ in 0..n {
                    q.push_back(Value::decode(r)?);
                }
                ObjectData::Queue(q)
            }
            t => {
                return Err(ProtocolError::InvalidTag {
                    what: "object kind",
                    tag: t,
                })
            }
        };
        Ok(ObjectState { class, data })
    }

    /// Applies one operation. On success returns the [`Undo`] that reverts it exactly; on error
    /// the state is unchanged.
    pub fn apply(&mut self, op: &DeltaOp) -> Result<Undo, ProtocolError> {
        let kind = self.data.kind_name();
        let bad = |op: &DeltaOp, reason: String| ProtocolError::BadOperation {
            op: op.name(),
            kind,
            reason,
        };
        match (&mut self.data, op) {
            (ObjectData::Physical(fs), DeltaOp::SetField { class, name, value }) => {
                match fs.iter().position(|f| f.name == *name && f.class == *class) {
                    Some(i) => Ok(Undo::Field {
                        index: i,
                        old: Some(std::mem::replace(&mut fs[i].value, value.clone())),
                    }),
                    None => {
                        fs.push(Field {
                            class: class.clone(),
                            name: name.clone(),
                            value: value.clone(),
                        });
                        Ok(Undo::Field {
                            index: fs.len() - 1,
                            old: None,
                        })
                    }
                }
            }
            (ObjectData::Array(a), DeltaOp::SetElement { index, value }) => {
                let old = a.set(*index as usize, value)?;
                Ok(Undo::Element { index: *index, old })
            }
            (ObjectData::Array(a), DeltaOp::SetArray(new)) => {
                if std::mem::discriminant(a) != std::mem::discriminant(new) {
                    return Err(bad(op, "element type differs from the array's".into()));
                }
                Ok(Undo::Replace(ObjectData::Array(std::mem::replace(
                    a,
                    new.clone(),
                ))))
            }
            (ObjectData::Map(m), DeltaOp::Put { key, value }) => {
                let (idx, old) = m.insert_full(key.clone(), value.clone());
                Ok(match old {
                    Some(old) => Undo::MapRestore {
                        index: idx,
                        key: key.clone(),
                        old,
                    },
                    None => Undo::MapRemove { key: key.clone() },
                })
            }
            (ObjectData::Map(m), DeltaOp::Remove { key }) => Ok(match m.shift_remove_full(key) {
                Some((idx, k, old)) => Undo::MapInsertAt {
                    index: idx,
                    key: k,
                    value: old,
                },
                None => Undo::Nothing,
            }),
            (ObjectData::SortedMap(m), DeltaOp::Put { key, value }) => {
                Ok(match m.insert(key.clone(), value.clone()) {
                    Some(old) => Undo::SortedPut {
                        key: key.clone(),
                        value: Some(old),
                    },
                    None => Undo::SortedPut {
                        key: key.clone(),
                        value: None,
                    },
                })
            }
            (ObjectData::SortedMap(m), DeltaOp::Remove { key }) => Ok(match m.remove(key) {
                Some(old) => Undo::SortedPut {
                    key: key.clone(),
                    value: Some(old),
                },
                None => Undo::Nothing,
            }),
            (ObjectData::List(l), DeltaOp::Add { value }) => {
                l.push(value.clone());
                Ok(Undo::ListRemoveAt(l.len() - 1))
            }
            (ObjectData::List(l), DeltaOp::AddAt { index, value }) => {
                let i = *index as usize;
                if i > l.len() {
                    return Err(bad(
                        op,
                        format!("index {i} out of bounds for size {}", l.len()),
                    ));
                }
                l.insert(i, value.clone());
                Ok(Undo::ListRemoveAt(i))
            }
            (ObjectData::List(l), DeltaOp::Set { index, value }) => {
                let i = *index as usize;
                match l.get_mut(i) {
                    Some(slot) => Ok(Undo::ListSet(i, std::mem::replace(slot, value.clone()))),
                    None => Err(bad(
                        op,
                        format!("index {i} out of bounds for size {}", l.len()),
                    )),
                }
            }
            (ObjectData::List(l), DeltaOp::RemoveAt { index }) => {
                let i = *index as usize;
                if i >= l.len() {
                    return Err(bad(
                        op,
                        format!("index {i} out of bounds for size {}", l.len()),
                    ));
                }
                Ok(Undo::ListInsert(i, l.remove(i)))
            }
            (ObjectData::List(l), DeltaOp::RemoveValue { value }) => {
                Ok(match l.iter().position(|x| x == value) {
                    Some(i) => Undo::ListInsert(i, l.remove(i)),
                    None => Undo::Nothing,
                })
            }
            (ObjectData::Set(s), DeltaOp::Add { value }) => Ok(if s.insert(value.clone()) {
                Undo::SetRemove(value.clone())
            } else {
                Undo::Nothing
            }),
            (ObjectData::Set(s), DeltaOp::RemoveValue { value }) => {
                Ok(match s.shift_remove_full(value) {
                    Some((i, v)) => Undo::SetInsertAt(i, v),
                    None => Undo::Nothing,
                })
            }
            (ObjectData::Queue(q), DeltaOp::Add { value } | DeltaOp::Offer { value }) => {
                q.push_back(value.clone());
                Ok(Undo::QueuePopBack)
            }
            (ObjectData::Queue(q), DeltaOp::Poll) => Ok(match q.pop_front() {
                Some(v) => Undo::QueuePushFront(v),
                None => Undo::Nothing,
            }),
            (ObjectData::Queue(q), DeltaOp::RemoveValue { value }) => {
                Ok(match q.iter().position(|x| x == value) {
                    Some(i) => match q.remove(i) {
                        Some(v) => Undo::QueueInsert(i, v),
                        None => Undo::Nothing,
                    },
                    None => Undo::Nothing,
                })
            }
            (data, DeltaOp::Clear) => {
                let empty = match data {
                    ObjectData::Physical(_) | ObjectData::Array(_) => {
                        return Err(bad(op, "only collections can be cleared".into()))
                    }
                    ObjectData::Map(_) => ObjectData::Map(IndexMap::new()),
                    ObjectData::SortedMap(_) => ObjectData::SortedMap(BTreeMap::new()),
                    ObjectData::List(_) => ObjectData::List(Vec::new()),
                    ObjectData::Set(_) => ObjectData::Set(IndexSet::new()),
                    ObjectData::Queue(_) => ObjectData::Queue(VecDeque::new()),
                };
                Ok(Undo::Replace(std::mem::replace(data, empty)))
            }
            _ => Err(bad(
                op,
                "operation does not apply to this kind of object".into(),
            )),
        }
    }

    /// Reverts an operation applied by [`ObjectState::apply`]. Undos must be applied in reverse
    /// order of the applies.
    pub fn undo(&mut self, undo: Undo) {
        match (&mut self.data, undo) {
            (_, Undo::Nothing) => {}
            (ObjectData::Physical(fs), Undo::Field { index, old }) => match old {
                Some(v) => {
                    if let Some(f) = fs.get_mut(index) {
                        f.value = v;
                    }
                }
                // The field was appended by the apply being undone, so it is the last one.
                None => {
                    if index < fs.len() {
                        fs.remove(index);
                    }
                }
            },
            (ObjectData::Array(a), Undo::Element { index, old }) => {
                // The old value came out of this very slot, so the type matches.
                let _ = a.set(index as usize, &old);
            }
            (data, Undo::Replace(old)) => *data = old,
            (ObjectData::Map(m), Undo::MapRemove { key }) => {
                m.shift_remove(&key);
            }
            (ObjectData::Map(m), Undo::MapRestore { index, key, old }) => {
                if let Some(slot) = m.get_index_mut(index) {
                    *slot.1 = old;
                } else {
                    m.insert(key, old);
                }
            }
            (ObjectData::Map(m), Undo::MapInsertAt { index, key, value }) => {
                let i = index.min(m.len());
                m.shift_insert(i, key, value);
            }
            (ObjectData::SortedMap(m), Undo::SortedPut { key, value }) => match value {
                Some(v) => {
                    m.insert(key, v);
                }
                None => {
                    m.remove(&key);
                }
            },
            (ObjectData::List(l), Undo::ListRemoveAt(i)) if i < l.len() => {
                l.remove(i);
            }
            (ObjectData::List(l), Undo::ListInsert(i, v)) => l.insert(i.min(l.len()), v),
            (ObjectData::List(l), Undo::ListSet(i, v)) => {
                if let Some(slot) = l.get_mut(i) {
                    *slot = v;
                }
            }
            (ObjectData::Set(s), Undo::SetRemove(v)) => {
                s.shift_remove(&v);
            }
            (ObjectData::Set(s), Undo::SetInsertAt(i, v)) => {
                let i = i.min(s.len());
                s.shift_insert(i, v);
            }
            (ObjectData::Queue(q), Undo::QueuePopBack) => {
                q.pop_back();
            }
            (ObjectData::Queue(q), Undo::QueuePushFront(v)) => q.push_front(v),
            (ObjectData::Queue(q), Undo::QueueInsert(i, v)) => q.insert(i.min(q.len()), v),
            _ => {}
        }
    }
}

/// The exact inverse of one applied [`DeltaOp`]; see [`ObjectState::apply`].
#[derive(Debug, Clone)]
#[allow(missing_docs)]
pub enum Undo {
    Nothing,
    /// Field at `index` had `old` (`None`: it was appended).
    Field {
        index: usize,
        old: Option<Value>,
    },
    Element {
        index: u32,
        old: Value,
    },
    Replace(ObjectData),
    MapRemove {
        key: Value,
    },
    MapRestore {
        index: usize,
        key: Value,
        old: Value,
    },
    MapInsertAt {
        index: usize,
        key: Value,
        value: Value,
    },
    SortedPut {
        key: Value,
        value: Option<Value>,
    },
    ListRemoveAt(usize),
    ListInsert(usize, Value),
    ListSet(usize, Value),
    SetRemove(Value),
    SetInsertAt(usize, Value),
    QueuePopBack,
    QueuePushFront(Value),
    QueueInsert(usize, Value),
}

/// One change to one object.
#[derive(Debug, Clone, PartialEq)]
pub enum DeltaOp {
    /// Physical: set field (declaring class, name) to a value (adds the field if new).
    SetField {
        /// Declaring class.
        class: String,
        /// Field name.
        name: String,
        /// New value.
        value: Value,
    },
    /// Array: set one element.
    SetElement {
        /// Index.
        index: u32,
        /// New value (must match the element type).
        value: Value,
    },
    /// Array: replace the whole content (same element type), e.g. after `System.arraycopy`.
    SetArray(ArrayData),
    /// Map / sorted map: put.
    Put {
        /// Key.
        key: Value,
        /// Value.
        value: Value,
    },
    /// Map / sorted map: remove a key (no-op if absent).
    Remove {
        /// Key.
        key: Value,
    },
    /// Any collection: remove everything.
    Clear,
    /// List: append; set: insert; queue: offer.
    Add {
        /// Element.
        value: Value,
    },
    /// List: insert at index (0..=size).
    AddAt {
        /// Index.
        index: u32,
        /// Element.
        value: Value,
    },
    /// List: replace element at index.
    Set {
        /// Index.
        index: u32,
        /// Element.
        value: Value,
    },
    /// List: remove element at index.
    RemoveAt {
        /// Index.
        index: u32,
    },
    /// List / queue: remove first equal element; set: remove element (no-op if absent).
    RemoveValue {
        /// Element.
        value: Value,
    },
    /// Queue: append at tail.
    Offer {
        /// Element.
        value: Value,
    },
    /// Queue: remove head (no-op if empty).
    Poll,
}

/// Wire tags of [`DeltaOp`].
pub mod op_tag {
    #![allow(missing_docs)]
    pub const SET_FIELD: u8 = 1;
    pub const SET_ELEMENT: u8 = 2;
    pub const SET_ARRAY: u8 = 3;
    pub const PUT: u8 = 4;
    pub const REMOVE: u8 = 5;
    pub const CLEAR: u8 = 6;
    pub const ADD: u8 = 7;
    pub const ADD_AT: u8 = 8;
    pub const SET: u8 = 9;
    pub const REMOVE_AT: u8 = 10;
    pub const REMOVE_VALUE: u8 = 11;
    pub const OFFER: u8 = 12;
    pub const POLL: u8 = 13;
}

impl DeltaOp {
    /// The operation's name, for messages.
    pub fn name(&self) -> &'static str {
        match self {
            DeltaOp::SetField { .. } => "set-field",
            DeltaOp::SetElement { .. } => "set-element",
            DeltaOp::SetArray(_) => "set-array",
            DeltaOp::Put { .. } => "put",
            DeltaOp::Remove { .. } => "remove",
            DeltaOp::Clear => "clear",
            DeltaOp::Add { .. } => "add",
            DeltaOp::AddAt { .. } => "add-at",
            DeltaOp::Set { .. } => "set",
            DeltaOp::RemoveAt { .. } => "remove-at",
            DeltaOp::RemoveValue { .. } => "remove-value",
            DeltaOp::Offer { .. } => "offer",
            DeltaOp::Poll => "poll",
        }
    }

    /// Calls `f` for every object this operation makes reachable.
    pub fn for_each_ref(&self, f: &mut dyn FnMut(ObjectId)) {
        let mut v = |x: &Value| {
            if let Some(id) = x.as_ref_id() {
                f(id)
            }
        };
        match self {
            DeltaOp::SetField { value, .. }
            | DeltaOp::SetElement { value, .. }
            | DeltaOp::Add { value }
            | DeltaOp::AddAt { value, .. }
            | DeltaOp::Set { value, .. }
            | DeltaOp::Offer { value } => v(value),
            DeltaOp::Put { key, value } => {
                v(key);
                v(value)
            }
            DeltaOp::SetArray(a) => a.refs(f),
            DeltaOp::Remove { .. }
            | DeltaOp::Clear
            | DeltaOp::RemoveAt { .. }
            | DeltaOp::RemoveValue { .. }
            | DeltaOp::Poll => {}
        }
    }

    /// Appends the encoding.
    pub fn encode(&self, out: &mut BytesMut) {
        match self {
            DeltaOp::SetField { class, name, value } => {
                out.put_u8(op_tag::SET_FIELD);
                put_str(out, class);
                put_str(out, name);
                value.encode(out);
            }
            DeltaOp::SetElement { index, value } => {
                out.put_u8(op_tag::SET_ELEMENT);
                out.put_u32(*index);
                value.encode(out);
            }
            DeltaOp::SetArray(a) => {
                out.put_u8(op_tag::SET_ARRAY);
                a.encode(out);
            }
            DeltaOp::Put { key, value } => {
                out.put_u8(op_tag::PUT);
                key.encode(out);
                value.encode(out);
            }
            DeltaOp::Remove { key } => {
                out.put_u8(op_tag::REMOVE);
                key.encode(out);
            }
            DeltaOp::Clear => out.put_u8(op_tag::CLEAR),
            DeltaOp::Add { value } => {
                out.put_u8(op_tag::ADD);
                value.encode(out);
            }
            DeltaOp::AddAt { index, value } => {
                out.put_u8(op_tag::ADD_AT);
                out.put_u32(*index);
                value.encode(out);
            }
            DeltaOp::Set { index, value } => {
                out.put_u8(op_tag::SET);
                out.put_u32(*index);
                value.encode(out);
            }
            DeltaOp::RemoveAt { index } => {
                out.put_u8(op_tag::REMOVE_AT);
                out.put_u32(*index);
            }
            DeltaOp::RemoveValue { value } => {
                out.put_u8(op_tag::REMOVE_VALUE);
                value.encode(out);
            }
            DeltaOp::Offer { value } => {
                out.put_u8(op_tag::OFFER);
                value.encode(out);
            }
            DeltaOp::Poll => out.put_u8(op_tag::POLL),
        }
    }

    /// Decodes what [`DeltaOp::encode`] wrote.
    pub fn decode(r: &mut Reader<'_>) -> Result<Self, ProtocolError> {
        let t = r.u8()?;
        Ok(match t {
            op_tag::SET_FIELD => DeltaOp::SetField {
                class: r.string("field class")?,
                name: r.string("field name")?,
                value: Value::decode(r)?,
            },
            op_tag::SET_ELEMENT => DeltaOp::SetElement {
                index: r.u32()?,
                value: Value::decode(r)?,
            },
            op_tag::SET_ARRAY => DeltaOp::SetArray(ArrayData::decode(r)?),
            op_tag::PUT => DeltaOp::Put {
                key: Value::decode(r)?,
                value: Value::decode(r)?,
            },
            op_tag::REMOVE => DeltaOp::Remove {
                key: Value::decode(r)?,
            },
            op_tag::CLEAR => DeltaOp::Clear,
            op_tag::ADD => DeltaOp::Add {
                value: Value::decode(r)?,
            },
            op_tag::ADD_AT => DeltaOp::AddAt {
                index: r.u32()?,
                value: Value::decode(r)?,
            },
            op_tag::SET => DeltaOp::Set {
                index: r.u32()?,
                value: Value::decode(r)?,
            },
            op_tag::REMOVE_AT => DeltaOp::RemoveAt { index: r.u32()? },
            op_tag::REMOVE_VALUE => DeltaOp::RemoveValue {
                value: Value::decode(r)?,
            },
            op_tag::OFFER => DeltaOp::Offer {
                value: Value::decode(r)?,
            },
            op_tag::POLL => DeltaOp::Poll,
            t => {
                return Err(ProtocolError::InvalidTag {
                    what: "delta op",
                    tag: t,
                })
            }
        })
    }
}

/// All changes to one object within one transaction.
#[derive(Debug, Clone, PartialEq)]
pub struct Delta {
    /// The object changed.
    pub oid: ObjectId,
    /// The operations, in order.
    pub ops: Vec<DeltaOp>,
}

impl Delta {
    /// Appends the encoding: oid, `u32` count, ops.
    pub fn encode(&self, out: &mut BytesMut) {
        out.put_u64(self.oid.0);
        put_count(out, self.ops.len());
        self.ops.iter().for_each(|o| o.encode(out));
    }
    /// Decodes what [`Delta::encode`] wrote.
    pub fn decode(r: &mut Reader<'_>) -> Result<Self, ProtocolError> {
        let oid = ObjectId(r.u64()?);
        let n = r.count(1, "delta ops")?;
        let mut ops = Vec::with_capacity(n);
        for _ in 0..n {
            ops.push(DeltaOp::decode(r)?);
        }
        Ok(Delta { oid, ops })
    }
}

//! Typed handles over shared objects: [`Map`], [`List`], [`Set`], [`Queue`], physical
//! [`Object`]s and [`Array`]s.
//!
//! A handle is just an [`ObjectId`] (`Copy`). Reads take a [`Client`] (async: the object is
//! faulted in on a miss); writes take the [`Txn`] they belong to (synchronous: applied to the
//! local cache at once, recorded as logical operations, sent at commit). Writes need the object
//! resident — handles from [`Client::map`] & co. are.

use std::borrow::Cow;

use kiln_protocol::{ArrayData, DeltaOp, Field, ObjectData, ObjectId, ObjectState, Value};

use crate::{Client, Error, Result, Txn};

/// Anything usable as a key / element in a lookup without giving it away: `&Value`, `&str`,
/// `&String`, `&i64`, `&i32`, `&bool`, `&ObjectId`.
pub trait ToValue {
    /// The value (borrowed when possible).
    fn to_value(&self) -> Cow<'_, Value>;
}

impl ToValue for Value {
    fn to_value(&self) -> Cow<'_, Value> {
        Cow::Borrowed(self)
    }
}
impl ToValue for str {
    fn to_value(&self) -> Cow<'_, Value> {
        Cow::Owned(Value::Str(self.to_string()))
    }
}
impl ToValue for String {
    fn to_value(&self) -> Cow<'_, Value> {
        Cow::Owned(Value::Str(self.clone()))
    }
}
impl ToValue for i64 {
    fn to_value(&self) -> Cow<'_, Value> {
        Cow::Owned(Value::I64(*self))
    }
}
impl ToValue for i32 {
    fn to_value(&self) -> Cow<'_, Value> {
        Cow::Owned(Value::I32(*self))
    }
}
impl ToValue for bool {
    fn to_value(&self) -> Cow<'_, Value> {
        Cow::Owned(Value::Bool(*self))
    }
}
impl ToValue for ObjectId {
    fn to_value(&self) -> Cow<'_, Value> {
        Cow::Owned(Value::Ref(*self))
    }
}
impl<T: ToValue + ?Sized> ToValue for &T {
    fn to_value(&self) -> Cow<'_, Value> {
        (**self).to_value()
    }
}

fn wrong(oid: ObjectId, expected: &'static str, s: &ObjectState) -> Error {
    Error::WrongKind {
        oid,
        expected,
        actual: s.data.kind_name(),
    }
}

pub(crate) fn map_get(oid: ObjectId, s: &ObjectState, key: &Value) -> Result<Option<Value>> {
    match &s.data {
        ObjectData::Map(m) => Ok(m.get(key).cloned()),
        ObjectData::SortedMap(m) => Ok(m.get(key).cloned()),
        _ => Err(wrong(oid, "map", s)),
    }
}

macro_rules! handle {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name {
            oid: ObjectId,
        }
        impl $name {
            /// A handle over an existing object (its kind is checked by each operation).
            pub fn from_id(oid: ObjectId) -> Self {
                $name { oid }
            }
            /// The object id.
            pub fn id(&self) -> ObjectId {
                self.oid
            }
            /// Number of elements.
            pub async fn len(&self, client: &Client) -> Result<usize> {
                client.read(self.oid, |s| s.data.len()).await
            }
            /// True when empty.
            pub async fn is_empty(&self, client: &Client) -> Result<bool> {
                Ok(self.len(client).await? == 0)
            }
            /// Removes every element.
            pub fn clear(&self, tx: &mut Txn) -> Result<()> {
                tx.apply(self.oid, DeltaOp::Clear)
            }
        }
        impl From<$name> for Value {
            fn from(h: $name) -> Value {
                Value::Ref(h.oid)
            }
        }
    };
}

handle!(
    /// A shared map (hash map or sorted map).
    ///
    /// ```no_run
    /// # async fn demo(client: kiln::Client) -> kiln::Result<()> {
    /// use kiln::{LockId, LockLevel};
    /// let m = client.map("sessions").await?;
    /// let mut tx = client.lock(LockId::Object(m.id()), LockLevel::Write).await?;
    /// let previous = m.put(&mut tx, "alice", 42i64)?;
    /// tx.commit().await?;
    /// println!("{previous:?} {:?}", m.get(&client, "alice").await?);
    /// # Ok(()) }
    /// ```
    Map
);
handle!(
    /// A shared list.
    List
);
handle!(
    /// A shared set.
    Set
);
handle!(
    /// A shared FIFO queue.
    Queue
);

impl Map {
    /// Puts an entry; returns the previous value.
    pub fn put(
        &self,
        tx: &mut Txn,
        key: impl Into<Value>,
        value: impl Into<Value>,
    ) -> Result<Option<Value>> {
        let oid = self.oid;
        tx.apply_observe(
            oid,
            DeltaOp::Put {
                key: key.into(),
                value: value.into(),
            },
            |s, op| match op {
                DeltaOp::Put { key, .. } => map_get(oid, s, key),
                _ => Ok(None),
            },
        )
    }
    /// Removes a key; returns its value.
    pub fn remove(&self, tx: &mut Txn, key: impl Into<Value>) -> Result<Option<Value>> {
        let oid = self.oid;
        tx.apply_observe(oid, DeltaOp::Remove { key: key.into() }, |s, op| match op {
            DeltaOp::Remove { key } => map_get(oid, s, key),
            _ => Ok(None),
        })
    }
    /// The value of a key.
    pub async fn get(&self, client: &Client, key: impl ToValue) -> Result<Option<Value>> {
        let oid = self.oid;
        let key = key.to_value();
        client.read(oid, |s| map_get(oid, s, &key)).await?
    }
    /// True when the key is present.
    pub async fn contains_key(&self, client: &Client, key: impl ToValue) -> Result<bool> {
        Ok(self.get(client, key).await?.is_some())
    }
    /// Every entry (insertion order for hash maps, key order for sorted maps).
    pub async fn entries(&self, client: &Client) -> Result<Vec<(Value, Value)>> {
        let oid = self.oid;
        client
            .read(oid, |s| match &s.data {
                ObjectData::Map(m) => Ok(m.iter().map(|(k, v)| (k.clone(), v.clone())).collect()),
                ObjectData::SortedMap(m) => {
                    Ok(m.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
                }
                _ => Err(wrong(oid, "map", s)),
            })
            .await?
    }
}

fn list_of(oid: ObjectId, s: &ObjectState) -> Result<&Vec<Value>> {
    match &s.data {
        ObjectData::List(l) => Ok(l),
        _ => Err(wrong(oid, "list", s)),
    }
}

fn u32_index(i: usize) -> Result<u32> {
    u32::try_from(i).map_err(|_| Error::IllegalState(format!("index {i} too large")))
}

impl List {
    /// Appends an element.
    pub fn add(&self, tx: &mut Txn, value: impl Into<Value>) -> Result<()> {
        tx.apply(
            self.oid,
            DeltaOp::Add {
                value: value.into(),
            },
        )
    }
    /// Inserts at `index` (0..=len).
    pub fn add_at(&self, tx: &mut Txn, index: usize, value: impl Into<Value>) -> Result<()> {
        tx.apply(
            self.oid,
            DeltaOp::AddAt {
                index: u32_index(index)?,
                value: value.into(),
            },
        )
    }
    /// Replaces the element at `index`; returns the previous one.
    pub fn set(&self, tx: &mut Txn, index: usize, value: impl Into<Value>) -> Result<Value> {
        let oid = self.oid;
        tx.apply_observe(
            oid,
            DeltaOp::Set {
                index: u32_index(index)?,
                value: value.into(),
            },
            |s, _| Ok(list_of(oid, s)?.get(index).cloned().unwrap_or(Value::Null)),
        )
    }
    /// Removes the element at `index`; returns it.
    pub fn remove_at(&self, tx: &mut Txn, index: usize) -> Result<Value> {
        let oid = self.oid;
        tx.apply_observe(
            oid,
            DeltaOp::RemoveAt {
                index: u32_index(index)?,
            },
            |s, _| Ok(list_of(oid, s)?.get(index).cloned().unwrap_or(Value::Null)),
        )
    }
    /// Removes the first element equal to `value`; true if one was removed.
    pub fn remove(&self, tx: &mut Txn, value: impl Into<Value>) -> Result<bool> {
        let oid = self.oid;
        tx.apply_observe(
            oid,
            DeltaOp::RemoveValue {
                value: value.into(),
            },
            |s, op| match op {
                DeltaOp::RemoveValue { value } => Ok(list_of(oid, s)?.contains(value)),
                _ => Ok(false),
            },
        )
    }
    /// The element at `index`.
    pub async fn get(&self, client: &Client, index: usize) -> Result<Option<Value>> {
        let oid = self.oid;
        client
            .read(oid, |s| Ok(list_of(oid, s)?.get(index).cloned()))
            .await?
    }
    /// Every element.
    pub async fn to_vec(&self, client: &Client) -> Result<Vec<Value>> {
        let oid = self.oid;
        client.read(oid, |s| Ok(list_of(oid, s)?.clone())).await?
    }
}

impl Set {
    /// Adds an element; true if it was not present.
    pub fn add(&self, tx: &mut Txn, value: impl Into<Value>) -> Result<bool> {
        let oid = self.oid;
        tx.apply_observe(
            oid,
            DeltaOp::Add {
                value: value.into(),
            },
            |s, op| match (&s.data, op) {
                (ObjectData::Set(set), DeltaOp::Add { value }) => Ok(!set.contains(value)),
                _ => Err(wrong(oid, "set", s)),
            },
        )
    }
    /// Removes an element; true if it was present.
    pub fn remove(&self, tx: &mut Txn, value: impl Into<Value>) -> Result<bool> {
        let oid = self.oid;
        tx.apply_observe(
            oid,
            DeltaOp::RemoveValue {
                value: value.into(),
            },
            |s, op| match (&s.data, op) {
                (ObjectData::Set(set), DeltaOp::RemoveValue { value }) => Ok(set.contains(value)),
                _ => Err(wrong(oid, "set", s)),
            },
        )
    }
    /// True when the element is present.
    pub async fn contains(&self, client: &Client, value: impl ToValue) -> Result<bool> {
        let oid = self.oid;
        let v = value.to_value();
        client
            .read(oid, |s| match &s.data {
                ObjectData::Set(set) => Ok(set.contains(v.as_ref())),
                _ => Err(wrong(oid, "set", s)),
            })
            .await?
    }
    /// Every element (insertion order).
    pub async fn to_vec(&self, client: &Client) -> Result<Vec<Value>> {
        let oid = self.oid;
        client
            .read(oid, |s| match &s.data {
                ObjectData::Set(set) => Ok(set.iter().cloned().collect()),
                _ => Err(wrong(oid, "set", s)),
            })
            .await?
    }
}

impl Queue {
    /// Appends at the tail.
    pub fn offer(&self, tx: &mut Txn, value: impl Into<Value>) -> Result<()> {
        tx.apply(
            self.oid,
            DeltaOp::Offer {
                value: value.into(),
            },
        )
    }
    /// Removes and returns the head (`None` when empty).
    pub fn poll(&self, tx: &mut Txn) -> Result<Option<Value>> {
        let oid = self.oid;
        tx.apply_observe(oid, DeltaOp::Poll, |s, _| match &s.data {
            ObjectData::Queue(q) => Ok(q.front().cloned()),
            _ => Err(wrong(oid, "queue", s)),
        })
    }
    /// The head, without removing it.
    pub async fn peek(&self, client: &Client) -> Result<Option<Value>> {
        let oid = self.oid;
        client
            .read(oid, |s| match &s.data {
                ObjectData::Queue(q) => Ok(q.front().cloned()),
                _ => Err(wrong(oid, "queue", s)),
            })
            .await?
    }
    /// Every element, head first.
    pub async fn to_vec(&self, client: &Client) -> Result<Vec<Value>> {
        let oid = self.oid;
        client
            .read(oid, |s| match &s.data {
                ObjectData::Queue(q) => Ok(q.iter().cloned().collect()),
                _ => Err(wrong(oid, "queue", s)),
            })
            .await?
    }
}

/// A shared physical object: ordered fields `(declaring class, name) → value`.
///
/// ```no_run
/// # async fn demo(client: kiln::Client) -> kiln::Result<()> {
/// use kiln::{LockId, LockLevel, Object, Value};
/// let mut tx = client.lock(LockId::Named("orders".into()), LockLevel::Write).await?;
/// let order = Object::create(&mut tx, "com.acme.Order")?;
/// order.set(&mut tx, "com.acme.Order", "qty", 3i32)?;
/// tx.commit().await?;
/// assert_eq!(order.get(&client, "com.acme.Order", "qty").await?, Some(Value::I32(3)));
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Object {
    oid: ObjectId,
}

impl Object {
    /// A handle over an existing object (its kind is checked by each operation).
    pub fn from_id(oid: ObjectId) -> Self {
        Object { oid }
    }
    /// Creates a new physical object of `class` with no fields in `tx`.
    pub fn create(tx: &mut Txn, class: &str) -> Result<Object> {
        Ok(Object {
            oid: tx.create(ObjectState::physical(class))?,
        })
    }
    /// Creates a new physical object of `class` in `tx` on the stripe of `near`, the object
    /// that will reference it ([`Txn::create_near`]).
    pub fn create_near(tx: &mut Txn, near: ObjectId, class: &str) -> Result<Object> {
        Ok(Object {
            oid: tx.create_near(near, ObjectState::physical(class))?,
        })
    }
    /// The object id.
    pub fn id(&self) -> ObjectId {
        self.oid
    }
    /// The class name.
    pub async fn class(&self, client: &Client) -> Result<String> {
        client.read(self.oid, |s| s.class.clone()).await
    }
    /// The value of field `name` declared by `class` (`""`: any declaring class).
    pub async fn get(&self, client: &Client, class: &str, name: &str) -> Result<Option<Value>> {
        let oid = self.oid;
        client
            .read(oid, |s| match &s.data {
                ObjectData::Physical(_) => Ok(s.field(class, name).cloned()),
                _ => Err(wrong(oid, "physical", s)),
            })
            .await?
    }
    /// All fields, in order.
    pub async fn fields(&self, client: &Client) -> Result<Vec<Field>> {
        let oid = self.oid;
        client
            .read(oid, |s| match &s.data {
                ObjectData::Physical(fs) => Ok(fs.clone()),
                _ => Err(wrong(oid, "physical", s)),
            })
            .await?
    }
    /// Sets field `name` declared by `class`.
    pub fn set(
        &self,
        tx: &mut Txn,
        class: &str,
        name: &str,
        value: impl Into<Value>,
    ) -> Result<()> {
        tx.set_field(self.oid, class, name, value.into())
    }
}

impl From<Object> for Value {
    fn from(h: Object) -> Value {
        Value::Ref(h.oid)
    }
}

/// A shared array (primitive arrays are packed; `Values` arrays hold any value or reference).
///
/// ```no_run
/// # async fn demo(client: kiln::Client) -> kiln::Result<()> {
/// use kiln::{Array, ArrayData, LockId, LockLevel, Value};
/// let mut tx = client.lock(LockId::Named("grid".into()), LockLevel::Write).await?;
/// let a = Array::create(&mut tx, "[I", ArrayData::I32(vec![0; 16]))?;
/// a.set(&mut tx, 3, Value::I32(7))?;
/// tx.commit().await?;
/// assert_eq!(a.get(&client, 3).await?, Some(Value::I32(7)));
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Array {
    oid: ObjectId,
}

impl Array {
    /// A handle over an existing object (its kind is checked by each operation).
    pub fn from_id(oid: ObjectId) -> Self {
        Array { oid }
    }
    /// Creates a new array of `class` (e.g. `[I`, `[Ljava.lang.String;`) in `tx`.
    pub fn create(tx: &mut Txn, class: &str, data: ArrayData) -> Result<Array> {
        Ok(Array {
            oid: tx.create(ObjectState::array(class, data))?,
        })
    }
    /// Creates a new array in `tx` on the stripe of `near`, the object that will reference it
    /// ([`Txn::create_near`]).
    pub fn create_near(
        tx: &mut Txn,
        near: ObjectId,
        class: &str,
        data: ArrayData,
    ) -> Result<Array> {
        Ok(Array {
            oid: tx.create_near(near, ObjectState::array(class, data))?,
        })
    }
    /// The object id.
    pub fn id(&self) -> ObjectId {
        self.oid
    }
    /// Number of elements.
    pub async fn len(&self, client: &Client) -> Result<usize> {
        client.read(self.oid, |s| s.data.len()).await
    }
    /// True when empty.
    pub async fn is_empty(&self, client: &Client) -> Result<bool> {
        Ok(self.len(client).await? == 0)
    }
    /// Element `index` (`None` past the end).
    pub async fn get(&self, client: &Client, index: usize) -> Result<Option<Value>> {
        let oid = self.oid;
        client
            .read(oid, |s| match &s.data {
                ObjectData::Array(a) => Ok(a.get(index)),
                _ => Err(wrong(oid, "array", s)),
            })
            .await?
    }
    /// The whole content.
    pub async fn data(&self, client: &Client) -> Result<ArrayData> {
        let oid = self.oid;
        client
            .read(oid, |s| match &s.data {
                ObjectData::Array(a) => Ok(a.clone()),
                _ => Err(wrong(oid, "array", s)),
            })
            .await?
    }
    /// Sets element `index` (the value must match the element type).
    pub fn set(&self, tx: &mut Txn, index: usize, value: impl Into<Value>) -> Result<()> {
        let index = u32::try_from(index)
            .map_err(|_| Error::IllegalState(format!("array index {index} too large")))?;
        tx.apply(
            self.oid,
            DeltaOp::SetElement {
                index,
                value: value.into(),
            },
        )
    }
    /// Replaces the whole content (same element type), e.g. after a bulk copy.
    pub fn replace(&self, tx: &mut Txn, data: ArrayData) -> Result<()> {
        tx.apply(self.oid, DeltaOp::SetArray(data))
    }
}

impl From<Array> for Value {
    fn from(h: Array) -> Value {
        Value::Ref(h.oid)
    }
}

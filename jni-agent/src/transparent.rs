//! The native side of the transparent agent (`dev.kiln.agent`): the `<application><dso>` part
//! of `tc-config.xml`, parsed by the one configuration parser (`kiln_config`), with its
//! AspectWerkz expressions compiled once ([`kiln_config::aw`]) and matched here for every class
//! and method the agent's class transformer sees.
//!
//! A config handle (`long`) is a leaked [`AgentConfig`]: the agent holds it for the life of
//! the process (it is never freed).

use kiln::Value;
use kiln_config::aw::{ClassPattern, MethodPattern};
use kiln_config::{Application, LockKind, LockLevel, TcConfig};

use crate::error::{BridgeError, Result};

use jni::objects::{JByteArray, JByteBuffer, JClass, JString};
use jni::sys::{jint, jlong};
use jni::EnvUnowned;

use crate::convert;
use crate::ffi::{self, bridge};

/// One compiled `<include>` / `<exclude>` rule.
#[derive(Debug)]
struct ClassRule {
    include: bool,
    pattern: ClassPattern,
    honor_transient: bool,
    on_load: Option<String>,
    on_load_execute: bool,
}

/// One compiled `<autolock>` / `<named-lock>`.
#[derive(Debug)]
struct LockRule {
    named: Option<String>,
    pattern: MethodPattern,
    level: LockLevel,
    auto_synchronized: bool,
}

/// What a config handle points to.
#[derive(Debug)]
pub struct AgentConfig {
    app: Application,
    classes: Vec<ClassRule>,
    locks: Vec<LockRule>,
    dmis: Vec<(MethodPattern, bool)>,
}

fn level_code(l: LockLevel) -> i32 {
    match l {
        LockLevel::Read => 1,
        LockLevel::Write => 2,
        LockLevel::Concurrent => 3,
        LockLevel::SynchronousWrite => 4,
    }
}

impl AgentConfig {
    /// Reads `tc-config.xml` at `path` (a bad expression is a config error with its position).
    pub fn load(path: &str) -> Result<AgentConfig> {
        let cfg = TcConfig::from_file(path).map_err(kiln::Error::Config)?;
        Self::from_app(cfg.application)
    }

    /// Compiles the expressions of an already validated `<application>`.
    pub fn from_app(app: Application) -> Result<AgentConfig> {
        let bad = |_| BridgeError::IllegalState("expression refused after the config accepted it");
        let classes = app
            .instrumented_classes
            .iter()
            .map(|c| {
                Ok(ClassRule {
                    include: c.include,
                    pattern: ClassPattern::parse(&c.class_expression).map_err(bad)?,
                    honor_transient: c.honor_transient,
                    on_load: c.on_load.clone(),
                    on_load_execute: c.on_load_kind == Some(kiln_config::OnLoadKind::Execute),
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let locks = app
            .locks
            .iter()
            .map(|l| {
                Ok(LockRule {
                    named: match l.kind {
                        LockKind::NamedLock => Some(l.lock_name.clone().unwrap_or_default()),
                        _ => None,
                    },
                    pattern: MethodPattern::parse(&l.method_expression).map_err(bad)?,
                    level: l.level,
                    auto_synchronized: l.auto_synchronized,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let dmis = app
            .distributed_methods
            .iter()
            .map(|d| {
                Ok((
                    MethodPattern::parse(&d.method_expression).map_err(bad)?,
                    d.run_on_all_nodes,
                ))
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(AgentConfig {
            app,
            classes,
            locks,
            dmis,
        })
    }

    /// `Native.agentClass`: `None` when `class` (dotted) is not instrumented (no rule, or the
    /// last matching rule is an `<exclude>`); else bool honor-transient (any matching include),
    /// string on-load (or null), bool on-load is `<execute>`, then the class's
    /// `<transient-fields>` names.
    pub fn class_info(&self, class: &str) -> Option<Vec<Value>> {
        let mut included = false;
        let mut honor = false;
        let mut on_load = None;
        let mut execute = false;
        for r in &self.classes {
            if r.pattern.matches(class) {
                included = r.include;
                if r.include {
                    honor |= r.honor_transient;
                    if r.on_load.is_some() {
                        on_load = r.on_load.clone();
                        execute = r.on_load_execute;
                    }
                }
            }
        }
        if !included {
            return None;
        }
        let mut out = vec![
            Value::Bool(honor),
            on_load.map_or(Value::Null, Value::Str),
            Value::Bool(execute),
        ];
        for f in &self.app.transient_fields {
            if let Some((c, name)) = f.rsplit_once('.') {
                if c == class {
                    out.push(Value::Str(name.to_string()));
                }
            }
        }
        Some(out)
    }

    /// `Native.agentMethod`: `None` when no lock or distributed-method rule matches; else
    /// i32 autolock level (0: none), bool auto-synchronized, string autolock expression (or
    /// null), string named lock (or null), i32 named-lock level, i32 DMI (0 none, 1 all
    /// nodes, 2 where resident). The first matching rule of each kind wins.
    pub fn method_info(
        &self,
        class: &str,
        name: &str,
        desc: &str,
        access: u32,
    ) -> Option<Vec<Value>> {
        let mut auto: Option<&LockRule> = None;
        let mut named: Option<&LockRule> = None;
        for l in &self.locks {
            if l.pattern.matches_descriptor(access, class, name, desc) {
                match l.named {
                    None if auto.is_none() => auto = Some(l),
                    Some(_) if named.is_none() => named = Some(l),
                    _ => {}
                }
            }
        }
        let dmi = self
            .dmis
            .iter()
            .find(|(p, _)| p.matches_descriptor(access, class, name, desc))
            .map_or(0, |(_, all)| if *all { 1 } else { 2 });
        if auto.is_none() && named.is_none() && dmi == 0 {
            return None;
        }
        Some(vec![
            Value::I32(auto.map_or(0, |l| level_code(l.level))),
            Value::Bool(auto.is_some_and(|l| l.auto_synchronized)),
            auto.map_or(Value::Null, |l| Value::Str(l.pattern.text().to_string())),
            named
                .and_then(|l| l.named.clone())
                .map_or(Value::Null, Value::Str),
            Value::I32(named.map_or(0, |l| level_code(l.level))),
            Value::I32(dmi),
        ])
    }

    /// `Native.agentRoots`: per root three strings: declaring class, field, root name
    /// (defaults to `class.field`).
    pub fn roots(&self) -> Vec<Value> {
        let mut out = Vec::new();
        for r in &self.app.roots {
            let (class, field) = r
                .field_name
                .rsplit_once('.')
                .unwrap_or(("", r.field_name.as_str()));
            out.push(Value::Str(class.to_string()));
            out.push(Value::Str(field.to_string()));
            out.push(Value::Str(
                r.root_name.clone().unwrap_or_else(|| r.field_name.clone()),
            ));
        }
        out
    }
}

// ------------------------------------------------------------------------------ JNI

/// # Safety
/// `h` is 0 or a handle returned by `agentConfig` (never freed).
unsafe fn config<'a>(h: jlong) -> Result<&'a AgentConfig> {
    if h == 0 {
        return Err(BridgeError::NullHandle("agent config"));
    }
    // SAFETY: per the function's contract `h` is a leaked `Box<AgentConfig>` that lives for
    // the rest of the process and is only read.
    Ok(unsafe { &*(h as *const AgentConfig) })
}

fn values_result<'local>(
    env: &mut jni::Env<'local>,
    v: Option<Vec<Value>>,
) -> Result<JByteArray<'local>> {
    match v {
        None => ffi::bytes_result(env, None),
        Some(v) => {
            let b = convert::encode_values(&v);
            ffi::bytes_result(env, Some(&b))
        }
    }
}

/// `static native long agentConfig(String path)`.
#[unsafe(no_mangle)]
pub extern "system" fn Java_dev_kiln_internal_Native_agentConfig<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    path: JString<'local>,
) -> jlong {
    bridge(&mut env, |env| {
        crate::init_logging();
        let path = ffi::string(env, &path, "path")?;
        let cfg = AgentConfig::load(&path)?;
        Ok(Box::into_raw(Box::new(cfg)) as jlong)
    })
}

/// `static native byte[] agentClass(long cfg, String className)`.
#[unsafe(no_mangle)]
pub extern "system" fn Java_dev_kiln_internal_Native_agentClass<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    cfg: jlong,
    class_name: JString<'local>,
) -> JByteArray<'local> {
    bridge(&mut env, |env| {
        // SAFETY: a handle from `agentConfig` (Native contract).
        let c = unsafe { config(cfg) }?;
        let name = ffi::string(env, &class_name, "className")?;
        values_result(env, c.class_info(&name))
    })
}

/// `static native byte[] agentMethod(long cfg, String className, String name, String desc, int access)`.
#[unsafe(no_mangle)]
pub extern "system" fn Java_dev_kiln_internal_Native_agentMethod<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    cfg: jlong,
    class_name: JString<'local>,
    name: JString<'local>,
    desc: JString<'local>,
    access: jint,
) -> JByteArray<'local> {
    bridge(&mut env, |env| {
        // SAFETY: a handle from `agentConfig` (Native contract).
        let c = unsafe { config(cfg) }?;
        let class = ffi::string(env, &class_name, "className")?;
        let name = ffi::string(env, &name, "name")?;
        let desc = ffi::string(env, &desc, "desc")?;
        values_result(env, c.method_info(&class, &name, &desc, access as u32))
    })
}

/// `static native byte[] agentRoots(long cfg)`.
#[unsafe(no_mangle)]
pub extern "system" fn Java_dev_kiln_internal_Native_agentRoots<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    cfg: jlong,
) -> JByteArray<'local> {
    bridge(&mut env, |env| {
        // SAFETY: a handle from `agentConfig` (Native contract).
        let c = unsafe { config(cfg) }?;
        values_result(env, Some(c.roots()))
    })
}

/// `static native byte[] agentCounts(long cfg)`: i32 instrumented-class rules, i32 lock and
/// distributed-method rules.
#[unsafe(no_mangle)]
pub extern "system" fn Java_dev_kiln_internal_Native_agentCounts<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    cfg: jlong,
) -> JByteArray<'local> {
    bridge(&mut env, |env| {
        // SAFETY: a handle from `agentConfig` (Native contract).
        let c = unsafe { config(cfg) }?;
        let n = |x: usize| Value::I32(i32::try_from(x).unwrap_or(i32::MAX));
        values_result(
            env,
            Some(vec![n(c.classes.len()), n(c.locks.len() + c.dmis.len())]),
        )
    })
}

// ------------------------------------------------------------------------------ objects and roots

/// Creates `state` in `t` on stripe `stripe` (the stripe of the object that links it, or of
/// the root it is assigned to: docs/architecture.md "Placement of new objects"); a negative
/// `stripe` (no referrer known) is the transaction's lock's stripe.
pub fn create_placed(
    t: &mut kiln::blocking::Txn,
    stripe: jint,
    state: kiln::ObjectState,
) -> Result<kiln::ObjectId> {
    Ok(match u8::try_from(stripe) {
        Ok(s) => t.create_in(s, state)?,
        Err(_) => t.create(state)?,
    })
}

/// `static native long objCreate(long txn, String className, int stripe)`: a new physical
/// object with no fields (they are set by `objSetFields`, once every object of the walk has its
/// id), on `stripe` (see [`create_placed`]).
#[unsafe(no_mangle)]
pub extern "system" fn Java_dev_kiln_internal_Native_objCreate<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    txn: jlong,
    class_name: JString<'local>,
    stripe: jint,
) -> jlong {
    bridge(&mut env, |env| {
        let class = ffi::string(env, &class_name, "className")?;
        // SAFETY: a live transaction handle, used only by its locking thread (Native contract).
        let t = unsafe { ffi::txn(txn) }?;
        Ok(convert::oid_to_java(create_placed(
            &mut t.txn,
            stripe,
            kiln::ObjectState::physical(class),
        )?))
    })
}

/// `static native int rootStripe(long client, String name)`: the stripe root `name` lives on
/// (0 with one stripe), where an object assigned to it is created.
#[unsafe(no_mangle)]
pub extern "system" fn Java_dev_kiln_internal_Native_rootStripe<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    client: jlong,
    name: JString<'local>,
) -> jint {
    bridge(&mut env, |env| {
        let name = ffi::string(env, &name, "name")?;
        // SAFETY: a live client handle (from `connect`, not closed: Native contract).
        let c = unsafe { ffi::client(client) }?;
        Ok(jint::from(c.open()?.root_stripe(&name)))
    })
}

/// `static native void objSetFields(long txn, long oid, byte[] fields)`: `fields` is
/// (string declaring class, string name, value) triples.
#[unsafe(no_mangle)]
pub extern "system" fn Java_dev_kiln_internal_Native_objSetFields<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    txn: jlong,
    oid: jlong,
    fields: JByteArray<'local>,
) {
    bridge(&mut env, |env| {
        let vals = ffi::values(env, &fields, "fields")?;
        // SAFETY: a live transaction handle, used only by its locking thread (Native contract).
        let t = unsafe { ffi::txn(txn) }?;
        let oid = convert::oid(oid);
        let mut it = vals.into_iter();
        while let (Some(Value::Str(class)), Some(Value::Str(name)), Some(value)) =
            (it.next(), it.next(), it.next())
        {
            t.txn.set_field(oid, &class, &name, value)?;
        }
        Ok(())
    })
}

/// The values `objState` returns for `st`: a physical object is its class name then its
/// (declaring class, name, value) triples; a logical collection is i32 kind (0 map, 1 list,
/// 2 set, 3 queue, 4 sorted map), its class name, then its elements (a map's keys and values
/// alternating, in the collection's order); an array is i32 5, its class, its elements.
pub fn state_values(st: &kiln::ObjectState) -> Result<Vec<Value>> {
    let mut out = Vec::new();
    let head = |kind: i32, out: &mut Vec<Value>| {
        out.push(Value::I32(kind));
        out.push(Value::Str(st.class.clone()));
    };
    match &st.data {
        kiln::ObjectData::Physical(fields) => {
            out.push(Value::Str(st.class.clone()));
            for f in fields {
                out.push(Value::Str(f.class.clone()));
                out.push(Value::Str(f.name.clone()));
                out.push(f.value.clone());
            }
        }
        kiln::ObjectData::Map(m) => {
            head(0, &mut out);
            for (k, v) in m {
                out.push(k.clone());
                out.push(v.clone());
            }
        }
        kiln::ObjectData::SortedMap(m) => {
            head(4, &mut out);
            for (k, v) in m {
                out.push(k.clone());
                out.push(v.clone());
            }
        }
        kiln::ObjectData::List(l) => {
            head(1, &mut out);
            out.extend(l.iter().cloned());
        }
        kiln::ObjectData::Set(set) => {
            head(2, &mut out);
            out.extend(set.iter().cloned());
        }
        kiln::ObjectData::Queue(q) => {
            head(3, &mut out);
            out.extend(q.iter().cloned());
        }
        kiln::ObjectData::Array(a) => {
            head(5, &mut out);
            out.extend((0..a.len()).filter_map(|i| a.get(i)));
        }
    }
    Ok(out)
}

/// The array content of Java array class `class` (`[I`, `[Ldemo.Product;`...) from `values`
/// (one per element, of the element type; anything for an object array).
pub fn array_data(class: &str, values: Vec<Value>) -> Result<kiln::ArrayData> {
    use kiln::ArrayData as A;
    let bad = || BridgeError::IllegalState("arrCreate: an element does not match the array type");
    macro_rules! prim {
        ($variant:ident, $vt:ident) => {
            A::$variant(
                values
                    .into_iter()
                    .map(|v| match v {
                        Value::$vt(x) => Ok(x),
                        _ => Err(bad()),
                    })
                    .collect::<Result<Vec<_>>>()?,
            )
        };
    }
    Ok(match class.as_bytes().get(1) {
        Some(b'Z') => prim!(Bool, Bool),
        Some(b'B') => prim!(I8, I8),
        Some(b'S') => prim!(I16, I16),
        Some(b'I') => prim!(I32, I32),
        Some(b'J') => prim!(I64, I64),
        Some(b'F') => prim!(F32, F32),
        Some(b'D') => prim!(F64, F64),
        Some(b'C') => prim!(Char, Char),
        Some(b'L') | Some(b'[') => A::Values(values),
        _ => {
            return Err(BridgeError::IllegalState(
                "arrCreate: not a Java array class name",
            ))
        }
    })
}

/// `static native long arrCreate(long txn, String className, byte[] values, int stripe)`: a new
/// array object of Java array class `className` with elements `values` (see [`array_data`]), on
/// `stripe` (see [`create_placed`]).
#[unsafe(no_mangle)]
pub extern "system" fn Java_dev_kiln_internal_Native_arrCreate<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    txn: jlong,
    class_name: JString<'local>,
    values: JByteArray<'local>,
    stripe: jint,
) -> jlong {
    bridge(&mut env, |env| {
        let class = ffi::string(env, &class_name, "className")?;
        let vals = ffi::values(env, &values, "values")?;
        let data = array_data(&class, vals)?;
        // SAFETY: a live transaction handle, used only by its locking thread (Native contract).
        let t = unsafe { ffi::txn(txn) }?;
        Ok(convert::oid_to_java(create_placed(
            &mut t.txn,
            stripe,
            kiln::ObjectState::array(class, data),
        )?))
    })
}

/// `static native void arrSet(long txn, long oid, int index, byte[] value)`: one element of a
/// shared array (`SetElement`).
#[unsafe(no_mangle)]
pub extern "system" fn Java_dev_kiln_internal_Native_arrSet<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    txn: jlong,
    oid: jlong,
    index: jint,
    value: JByteArray<'local>,
) {
    bridge(&mut env, |env| {
        let value = ffi::value(env, &value, "value")?;
        let index = u32::try_from(index)
            .map_err(|_| BridgeError::IllegalState("arrSet: negative index"))?;
        // SAFETY: a live transaction handle, used only by its locking thread (Native contract).
        let t = unsafe { ffi::txn(txn) }?;
        t.txn.apply(
            convert::oid(oid),
            kiln::DeltaOp::SetElement { index, value },
        )?;
        Ok(())
    })
}

/// `static native void arrSetAll(long txn, long oid, byte[] values)`: the whole content of a
/// shared object array (`SetArray`), e.g. once the references of a new graph have their ids.
#[unsafe(no_mangle)]
pub extern "system" fn Java_dev_kiln_internal_Native_arrSetAll<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    txn: jlong,
    oid: jlong,
    values: JByteArray<'local>,
) {
    bridge(&mut env, |env| {
        let vals = ffi::values(env, &values, "values")?;
        // SAFETY: a live transaction handle, used only by its locking thread (Native contract).
        let t = unsafe { ffi::txn(txn) }?;
        t.txn.apply(
            convert::oid(oid),
            kiln::DeltaOp::SetArray(kiln::ArrayData::Values(vals)),
        )?;
        Ok(())
    })
}

/// `static native long collCreate(long txn, String className, int kind, int stripe)`: a new
/// empty logical collection (kind as `Native.create`: 0 map, 1 list, 2 set, 3 queue, 4 sorted
/// map) whose class name is `className` (the JDK type, plus what materialising it needs, e.g.
/// `java.util.TreeMap|comparator=demo.ByName`), on `stripe` (see [`create_placed`]).
#[unsafe(no_mangle)]
pub extern "system" fn Java_dev_kiln_internal_Native_collCreate<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    txn: jlong,
    class_name: JString<'local>,
    kind: jint,
    stripe: jint,
) -> jlong {
    bridge(&mut env, |env| {
        let class = ffi::string(env, &class_name, "className")?;
        let mut state = match convert::root_kind(kind)? {
            convert::RootKind::Map => kiln::ObjectState::map(),
            convert::RootKind::List => kiln::ObjectState::list(),
            convert::RootKind::Set => kiln::ObjectState::set(),
            convert::RootKind::Queue => kiln::ObjectState::queue(),
            convert::RootKind::SortedMap => kiln::ObjectState::sorted_map(),
        };
        state.class = class;
        // SAFETY: a live transaction handle, used only by its locking thread (Native contract).
        let t = unsafe { ffi::txn(txn) }?;
        Ok(convert::oid_to_java(create_placed(
            &mut t.txn, stripe, state,
        )?))
    })
}

/// `static native byte[] objState(long client, long oid)`: see [`state_values`] (the object is
/// faulted in with the client's prefetch when not resident).
#[unsafe(no_mangle)]
pub extern "system" fn Java_dev_kiln_internal_Native_objState<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    client: jlong,
    oid: jlong,
) -> JByteArray<'local> {
    bridge(&mut env, |env| {
        // SAFETY: a live client handle (from `connect`, not closed: Native contract).
        let c = unsafe { ffi::client(client) }?;
        let st = c.open()?.object(convert::oid(oid))?;
        let out = state_values(&st)?;
        values_result(env, Some(out))
    })
}

/// `static native byte[] rootValue(long client, String name)`: the value bound to the root, or
/// null when unbound.
#[unsafe(no_mangle)]
pub extern "system" fn Java_dev_kiln_internal_Native_rootValue<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    client: jlong,
    name: JString<'local>,
) -> JByteArray<'local> {
    bridge(&mut env, |env| {
        let name = ffi::string(env, &name, "name")?;
        // SAFETY: a live client handle (from `connect`, not closed: Native contract).
        let c = unsafe { ffi::client(client) }?;
        let v = c.open()?.root(&name)?;
        ffi::value_result(env, v.as_ref())
    })
}

/// `static native byte[] rootBind(long client, String name, byte[] value, boolean replace)`:
/// binds the root (first writer wins; `replace` re-binds a literal root); the value bound after.
#[unsafe(no_mangle)]
pub extern "system" fn Java_dev_kiln_internal_Native_rootBind<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    client: jlong,
    name: JString<'local>,
    value: JByteArray<'local>,
    replace: jni::sys::jboolean,
) -> JByteArray<'local> {
    bridge(&mut env, |env| {
        let name = ffi::string(env, &name, "name")?;
        let value = ffi::value(env, &value, "value")?;
        // SAFETY: a live client handle (from `connect`, not closed: Native contract).
        let c = unsafe { ffi::client(client) }?;
        let v = c.open()?.set_root_literal(&name, value, replace)?;
        ffi::value_result(env, Some(&v))
    })
}

/// `static native long remoteTxns(long client)`.
#[unsafe(no_mangle)]
pub extern "system" fn Java_dev_kiln_internal_Native_remoteTxns<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    client: jlong,
) -> jlong {
    crate::ffi::bridge_prim(&mut env, || {
        // SAFETY: a live client handle (from `connect`, not closed: Native contract).
        let c = unsafe { ffi::client(client) }?;
        Ok(convert::u64_to_java(c.client.remote_txns_applied()))
    })
}

/// `static native long changesSeq(long client)`: a counter that moves whenever the client
/// records a remote change (starts the client's change tracking on first use: see
/// `kiln::Client::track_changes`). One atomic load: `Runtime.drain`'s test at every lock award.
#[unsafe(no_mangle)]
pub extern "system" fn Java_dev_kiln_internal_Native_changesSeq<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    client: jlong,
) -> jlong {
    crate::ffi::bridge_prim(&mut env, || {
        // SAFETY: a live client handle (from `connect`, not closed: Native contract).
        let c = unsafe { ffi::client(client) }?;
        c.client.track_changes();
        Ok(convert::u64_to_java(c.client.changes_seq()))
    })
}

/// `static native java.nio.ByteBuffer changesSeqBuffer(long client)`: `changesSeq`'s counter
/// itself as an 8-byte direct buffer (native byte order), so Java compares it with what it
/// applied without a crossing (the agent's parked read leases). Starts change tracking. The
/// memory stays valid for the rest of the process (`kiln::Client::changes_seq_cell`).
#[unsafe(no_mangle)]
pub extern "system" fn Java_dev_kiln_internal_Native_changesSeqBuffer<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    client: jlong,
) -> JByteBuffer<'local> {
    bridge(&mut env, |env| {
        // SAFETY: a live client handle (from `connect`, not closed: Native contract).
        let c = unsafe { ffi::client(client) }?;
        c.client.track_changes();
        let cell = c.client.changes_seq_cell();
        // SAFETY: `cell` points at an AtomicU64 (8 bytes, 8-aligned) that lives for the rest of
        // the process (one leaked reference, see `changes_seq_cell`); Java only reads it.
        Ok(unsafe { env.new_direct_byte_buffer(cell as *mut u8, 8) }?)
    })
}

/// The `long[]` of `takeChanged`: the oids, or `None` for "all" (Java `null`).
fn changed_oids(ch: kiln::Changed) -> Option<Vec<jlong>> {
    match ch {
        kiln::Changed::Oids(v) => Some(v.into_iter().map(|o| convert::u64_to_java(o.0)).collect()),
        _ => None,
    }
}

/// `static native long[] takeChanged(long client)`: the oids of cached objects the server
/// changed since the last call (an empty array: none), or null when anything may have changed
/// (tracking just started, too many, a resync after reconnect/failover): refresh all.
#[unsafe(no_mangle)]
pub extern "system" fn Java_dev_kiln_internal_Native_takeChanged<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    client: jlong,
) -> jni::objects::JLongArray<'local> {
    bridge(&mut env, |env| {
        // SAFETY: a live client handle (from `connect`, not closed: Native contract).
        let c = unsafe { ffi::client(client) }?;
        c.client.track_changes();
        match changed_oids(c.client.take_changed()) {
            None => Ok(jni::objects::JLongArray::default()),
            Some(v) => {
                let a = env.new_long_array(v.len())?;
                a.set_region(env, 0, &v)?;
                Ok(a)
            }
        }
    })
}

/// `static native boolean awaitChanged(long client, long timeoutMs)`: blocks until a recorded
/// change waits to be taken or the timeout passes (the agent's `kiln-applier` thread).
#[unsafe(no_mangle)]
pub extern "system" fn Java_dev_kiln_internal_Native_awaitChanged<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    client: jlong,
    timeout_ms: jlong,
) -> jni::sys::jboolean {
    crate::ffi::bridge_prim(&mut env, || {
        // SAFETY: a live client handle (from `connect`, not closed: Native contract).
        let c = unsafe { ffi::client(client) }?;
        c.client.track_changes();
        let ms = u64::try_from(timeout_ms).unwrap_or(0);
        Ok(c.client.wait_changed(std::time::Duration::from_millis(ms)))
    })
}

/// `static native int evictReleased(long client, long[] oids)`: drops objects the agent released
/// (collected here) from the client's cache and tells the server; an object an open
/// transaction changed is kept until that transaction is sent (see
/// `kiln::Client::evict_released`). Returns how many were dropped.
#[unsafe(no_mangle)]
pub extern "system" fn Java_dev_kiln_internal_Native_evictReleased<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    client: jlong,
    oids: jni::objects::JLongArray<'local>,
) -> jint {
    bridge(&mut env, |env| {
        // SAFETY: a live client handle (from `connect`, not closed: Native contract).
        let c = unsafe { ffi::client(client) }?;
        let n = oids.len(env)?;
        let mut raw = vec![0i64; n];
        oids.get_region(env, 0, &mut raw)?;
        let ids: Vec<_> = raw.into_iter().map(convert::oid).collect();
        let gone = c.open()?.evict_released(&ids)?;
        Ok(jint::try_from(gone).unwrap_or(jint::MAX))
    })
}

/// `static native long cachedCount(long client)`: objects in the client's cache (diagnostics).
#[unsafe(no_mangle)]
pub extern "system" fn Java_dev_kiln_internal_Native_cachedCount<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    client: jlong,
) -> jlong {
    crate::ffi::bridge_prim(&mut env, || {
        // SAFETY: a live client handle (from `connect`, not closed: Native contract).
        let c = unsafe { ffi::client(client) }?;
        Ok(i64::try_from(c.open()?.stats().cached_objects).unwrap_or(i64::MAX))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(dso: &str) -> AgentConfig {
        let xml = format!("<tc-config><application><dso>{dso}</dso></application></tc-config>");
        let c = TcConfig::from_str_with_origin(&xml, "t.xml").expect("valid config");
        AgentConfig::from_app(c.application).expect("compiles")
    }

    #[test]
    fn includes_excludes_last_rule_wins() {
        let c = cfg("<instrumented-classes><include><class-expression>demo..*</class-expression><honor-transient>true</honor-transient></include>\
                     <exclude>demo.internal.*</exclude></instrumented-classes>\
                     <transient-fields><field-name>demo.A.cache</field-name></transient-fields>");
        let a = c.class_info("demo.A").expect("included");
        assert_eq!(a[0], Value::Bool(true));
        assert_eq!(a[3], Value::Str("cache".into()));
        assert!(c.class_info("demo.sub.B").is_some());
        assert!(c.class_info("demo.internal.X").is_none());
        assert!(c.class_info("other.A").is_none());
    }

    #[test]
    fn methods_and_roots() {
        let c = cfg("<roots><root><field-name>demo.Main.state</field-name></root><root><field-name>demo.Main.n</field-name><root-name>count</root-name></root></roots>\
                     <locks><autolock auto-synchronized=\"true\"><method-expression>* demo.*.*(..)</method-expression><lock-level>read</lock-level></autolock>\
                     <named-lock><lock-name>L</lock-name><method-expression>void demo.A.m(int)</method-expression></named-lock></locks>\
                     <distributed-methods><method-expression run-on-all-nodes=\"false\">* demo.A.fire()</method-expression></distributed-methods>");
        let m = c.method_info("demo.A", "m", "(I)V", 1).expect("matched");
        assert_eq!(m[0], Value::I32(1));
        assert_eq!(m[1], Value::Bool(true));
        assert_eq!(m[3], Value::Str("L".into()));
        assert_eq!(m[4], Value::I32(2));
        assert_eq!(m[5], Value::I32(0));
        let f = c.method_info("demo.A", "fire", "()V", 1).expect("matched");
        assert_eq!(f[5], Value::I32(2));
        assert!(c.method_info("other.A", "m", "(I)V", 1).is_none());
        let r = c.roots();
        assert_eq!(r.len(), 6);
        assert_eq!(r[2], Value::Str("demo.Main.state".into()));
        assert_eq!(r[5], Value::Str("count".into()));
    }

    #[test]
    fn changed_oids_or_null_for_all() {
        assert_eq!(changed_oids(kiln::Changed::All), None);
        assert_eq!(
            changed_oids(kiln::Changed::Oids(vec![
                kiln::ObjectId(7),
                kiln::ObjectId(3)
            ])),
            Some(vec![7, 3])
        );
    }

    #[test]
    fn array_content_by_java_class_name() {
        let a = array_data("[I", vec![Value::I32(1), Value::I32(2)]).expect("int[]");
        assert_eq!(a, kiln::ArrayData::I32(vec![1, 2]));
        let o = array_data("[Ldemo.P;", vec![Value::Null, Value::Str("x".into())]).expect("P[]");
        assert_eq!(o.len(), 2);
        assert!(array_data("[I", vec![Value::Str("x".into())]).is_err());
        assert!(array_data("demo.P", vec![]).is_err());
        let st = kiln::ObjectState::array("[J", kiln::ArrayData::I64(vec![7]));
        let v = state_values(&st).expect("values");
        assert_eq!(
            v,
            vec![Value::I32(5), Value::Str("[J".into()), Value::I64(7)]
        );
    }
}

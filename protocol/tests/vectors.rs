//! Shared test vectors (`protocol/tests/vectors/`): exact bytes plus a language-neutral JSON
//! description of what they decode to, so the Java and C ports test against the same files.
//!
//! `KILN_REGEN_VECTORS=1 cargo test -p kiln-protocol --test vectors` rewrites the files.
//! Otherwise the test asserts that encoding the Rust values below gives exactly the checked-in
//! bytes, that decoding the files gives the same values, and that `manifest.json` matches.

use std::collections::{BTreeMap, VecDeque};
use std::path::{Path, PathBuf};

use bytes::BytesMut;
use kiln_protocol::wire::Reader;
use kiln_protocol::{
    frame, ArrayData, Delta, DeltaOp, DmiCall, ErrorCode, FaultedObject, Field, IndexMap, IndexSet,
    LockId, LockLevel, Message, NodeInfo, Notify, ObjectData, ObjectId, ObjectState, Reconnect,
    SubTarget, Txn, Value, WakeReason, PROTOCOL_VERSION, TXN_FLAG_SYNC,
};
use serde_json::{json, Value as Json};

// ------------------------------------------------------------------ the vectors

enum Item {
    Value(Value),
    Object(ObjectState),
    Frame(Message),
}

impl Item {
    fn kind(&self) -> &'static str {
        match self {
            Item::Value(_) => "value",
            Item::Object(_) => "object",
            Item::Frame(_) => "frame",
        }
    }
    fn encode(&self) -> Vec<u8> {
        let mut b = BytesMut::new();
        match self {
            Item::Value(v) => v.encode(&mut b),
            Item::Object(o) => o.encode(&mut b),
            Item::Frame(m) => frame::encode(m, &mut b),
        }
        b.to_vec()
    }
    fn expected(&self) -> Json {
        match self {
            Item::Value(v) => value_json(v),
            Item::Object(o) => object_json(o),
            Item::Frame(m) => message_json(m),
        }
    }
    /// Decodes `bytes` as this item's kind and checks it equals the item.
    fn check_decode(&self, name: &str, bytes: &[u8]) {
        match self {
            Item::Value(v) => {
                let mut r = Reader::new(bytes);
                let got = Value::decode(&mut r).unwrap_or_else(|e| panic!("{name}: {e}"));
                assert_eq!(r.remaining(), 0, "{name}: trailing bytes");
                assert_eq!(&got, v, "{name}");
                assert_eq!(value_json(&got), self.expected(), "{name}");
            }
            Item::Object(o) => {
                let mut r = Reader::new(bytes);
                let got = ObjectState::decode(&mut r).unwrap_or_else(|e| panic!("{name}: {e}"));
                assert_eq!(r.remaining(), 0, "{name}: trailing bytes");
                assert_eq!(&got, o, "{name}");
                assert_eq!(object_json(&got), self.expected(), "{name}");
            }
            Item::Frame(m) => {
                assert_eq!(
                    frame::check(bytes, frame::DEFAULT_MAX_FRAME),
                    Ok(Some(bytes.len())),
                    "{name}"
                );
                let got = frame::parse(bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
                assert_eq!(&got, m, "{name}");
                assert_eq!(message_json(&got), self.expected(), "{name}");
            }
        }
    }
}

fn s(x: &str) -> String {
    x.to_owned()
}

fn vectors() -> Vec<(&'static str, Item)> {
    use Item::{Frame as F, Object as O, Value as V};
    let oid = ObjectId::new(0, 42);
    let striped = ObjectId::new(1, 1);
    let order = ObjectState {
        class: s("com.acme.Order"),
        data: ObjectData::Physical(vec![
            Field {
                class: s("com.acme.Order"),
                name: s("id"),
                value: Value::I64(1001),
            },
            Field {
                class: s("com.acme.Order"),
                name: s("customer"),
                value: Value::Ref(ObjectId(7)),
            },
            Field {
                class: s("com.acme.Base"),
                name: s("note"),
                value: Value::Null,
            },
        ]),
    };
    let mut map = IndexMap::new();
    map.insert(Value::Str(s("b")), Value::I32(2));
    map.insert(Value::Str(s("a")), Value::I32(1));
    map.insert(Value::I32(3), Value::Ref(ObjectId(9)));
    let mut sorted = BTreeMap::new();
    sorted.insert(Value::Str(s("b")), Value::Bool(true));
    sorted.insert(Value::Str(s("a")), Value::Bool(false));
    sorted.insert(Value::I32(-1), Value::Null);
    let node_a = NodeInfo {
        id: 1,
        name: s("app-1"),
        pid: 4242,
        addr: s("127.0.0.1:50001"),
    };
    let node_b = NodeInfo {
        id: 2,
        name: s("app-2"),
        pid: 4343,
        addr: s("10.0.0.2:50002"),
    };
    let dmi = DmiCall {
        receiver: ObjectId(7),
        method: s("void com.acme.Cache.refresh(java.lang.String)"),
        args: vec![Value::Str(s("k"))],
        all_nodes: true,
    };
    let full_txn = Txn {
        seq: 2,
        flags: TXN_FLAG_SYNC,
        new_objects: vec![(
            ObjectId(100),
            ObjectState {
                class: s("java.util.ArrayList"),
                data: ObjectData::List(vec![Value::I32(1)]),
            },
        )],
        deltas: vec![Delta {
            oid: ObjectId(9),
            ops: vec![DeltaOp::Put {
                key: Value::Str(s("k")),
                value: Value::Ref(ObjectId(100)),
            }],
        }],
        notifies: vec![Notify {
            lock: LockId::Object(ObjectId(9)),
            all: true,
        }],
        dmis: vec![dmi.clone()],
    };

    vec![
        // ---- values: every variant
        ("value_null", V(Value::Null)),
        ("value_bool_true", V(Value::Bool(true))),
        ("value_bool_false", V(Value::Bool(false))),
        ("value_i8", V(Value::I8(-5))),
        ("value_i16", V(Value::I16(-300))),
        ("value_i32", V(Value::I32(-5))),
        ("value_i32_max", V(Value::I32(i32::MAX))),
        ("value_i64", V(Value::I64(-1_234_567_890_123))),
        ("value_i64_min", V(Value::I64(i64::MIN))),
        ("value_f32", V(Value::F32(1.5))),
        ("value_f32_nan", V(Value::F32(f32::NAN))),
        ("value_f32_neg_zero", V(Value::F32(-0.0))),
        ("value_f64", V(Value::F64(-2.25))),
        (
            "value_f64_nan_payload",
            V(Value::F64(f64::from_bits(0x7ff8_0000_dead_beef))),
        ),
        ("value_f64_neg_infinity", V(Value::F64(f64::NEG_INFINITY))),
        ("value_char", V(Value::Char(0x00e9))),
        ("value_char_surrogate", V(Value::Char(0xd83d))),
        ("value_str", V(Value::Str(s("héllo")))),
        ("value_str_empty", V(Value::Str(String::new()))),
        ("value_str_astral", V(Value::Str(s("𝄞")))),
        ("value_bytes", V(Value::Bytes(vec![0x00, 0x01, 0xfe, 0xff]))),
        (
            "value_big_integer",
            V(Value::BigInteger(s("-123456789012345678901234567890"))),
        ),
        (
            "value_big_decimal",
            V(Value::BigDecimal(s("3.14159265358979323846"))),
        ),
        (
            "value_class_name",
            V(Value::ClassName(s("java.lang.String"))),
        ),
        (
            "value_enum",
            V(Value::Enum {
                class: s("java.util.concurrent.TimeUnit"),
                name: s("SECONDS"),
            }),
        ),
        ("value_date", V(Value::Date(1_700_000_000_000))),
        ("value_ref", V(Value::Ref(oid))),
        ("value_ref_striped", V(Value::Ref(striped))),
        // ---- object states: every kind, every array element type
        ("object_physical", O(order)),
        (
            "object_physical_empty",
            O(ObjectState::physical("com.acme.Empty")),
        ),
        (
            "object_array_bool",
            O(ObjectState::array(
                "[Z",
                ArrayData::Bool(vec![true, false, true]),
            )),
        ),
        (
            "object_array_i8",
            O(ObjectState::array("[B", ArrayData::I8(vec![-1, 0, 127]))),
        ),
        (
            "object_array_i16",
            O(ObjectState::array("[S", ArrayData::I16(vec![-2, 0x1234]))),
        ),
        (
            "object_array_i32",
            O(ObjectState::array("[I", ArrayData::I32(vec![1, -1, 65536]))),
        ),
        (
            "object_array_i64",
            O(ObjectState::array("[J", ArrayData::I64(vec![1, i64::MAX]))),
        ),
        (
            "object_array_f32",
            O(ObjectState::array(
                "[F",
                ArrayData::F32(vec![0.5, f32::INFINITY, f32::NAN]),
            )),
        ),
        (
            "object_array_f64",
            O(ObjectState::array("[D", ArrayData::F64(vec![0.1, -0.0]))),
        ),
        (
            "object_array_char",
            O(ObjectState::array(
                "[C",
                ArrayData::Char(vec![0x41, 0x20ac]),
            )),
        ),
        (
            "object_array_values",
            O(ObjectState::array(
                "[Ljava.lang.Object;",
                ArrayData::Values(vec![
                    Value::Null,
                    Value::Str(s("x")),
                    Value::Ref(ObjectId(7)),
                ]),
            )),
        ),
        (
            "object_map",
            O(ObjectState {
                class: s("java.util.HashMap"),
                data: ObjectData::Map(map),
            }),
        ),
        (
            "object_sorted_map",
            O(ObjectState {
                class: s("java.util.TreeMap"),
                data: ObjectData::SortedMap(sorted),
            }),
        ),
        (
            "object_list",
            O(ObjectState {
                class: s("java.util.ArrayList"),
                data: ObjectData::List(vec![Value::I32(1), Value::Str(s("two")), Value::I32(1)]),
            }),
        ),
        (
            "object_set",
            O(ObjectState {
                class: s("java.util.HashSet"),
                data: ObjectData::Set(
                    [Value::Str(s("x")), Value::Str(s("y"))]
                        .into_iter()
                        .collect::<IndexSet<_>>(),
                ),
            }),
        ),
        (
            "object_queue",
            O(ObjectState {
                class: s("java.util.concurrent.LinkedBlockingQueue"),
                data: ObjectData::Queue(
                    [Value::I64(1), Value::I64(2)]
                        .into_iter()
                        .collect::<VecDeque<_>>(),
                ),
            }),
        ),
        // ---- frames: every message type
        (
            "frame_hello",
            F(Message::Hello {
                protocol_version: PROTOCOL_VERSION,
                client_name: s("app-1"),
                pid: 4242,
                reconnect: None,
            }),
        ),
        (
            "frame_hello_reconnect",
            F(Message::Hello {
                protocol_version: PROTOCOL_VERSION,
                client_name: s("app-1"),
                pid: 4242,
                reconnect: Some(Reconnect {
                    client_id: 3,
                    last_acked_seq: 17,
                }),
            }),
        ),
        (
            "frame_id_lease_request",
            F(Message::IdLeaseRequest { count: 10_000 }),
        ),
        (
            "frame_root_lookup",
            F(Message::RootLookup {
                req_id: 1,
                name: s("cache"),
            }),
        ),
        (
            "frame_root_create",
            F(Message::RootCreate {
                req_id: 2,
                name: s("cache"),
                value: Value::Ref(ObjectId(7)),
                replace: false,
            }),
        ),
        ("frame_list_roots", F(Message::ListRoots { req_id: 3 })),
        (
            "frame_fault",
            F(Message::Fault {
                req_id: 4,
                oids: vec![ObjectId(7), ObjectId(9)],
                budget: 500,
            }),
        ),
        (
            "frame_evict",
            F(Message::Evict {
                oids: vec![ObjectId(7)],
            }),
        ),
        (
            "frame_txn_batch",
            F(Message::TxnBatch {
                txns: vec![Txn {
                    seq: 1,
                    flags: 0,
                    new_objects: vec![],
                    deltas: vec![Delta {
                        oid: ObjectId(7),
                        ops: vec![DeltaOp::SetField {
                            class: s("Counter"),
                            name: s("n"),
                            value: Value::I32(5),
                        }],
                    }],
                    notifies: vec![],
                    dmis: vec![],
                }],
            }),
        ),
        (
            "frame_txn_batch_full",
            F(Message::TxnBatch {
                txns: vec![full_txn],
            }),
        ),
        (
            "frame_lock_request",
            F(Message::LockRequest {
                req_id: 5,
                lock: LockId::Named(s("x")),
                level: LockLevel::Write,
                timeout_ms: -1,
            }),
        ),
        ("frame_lock_cancel", F(Message::LockCancel { req_id: 5 })),
        (
            "frame_recall_commit",
            F(Message::RecallCommit {
                lock: LockId::Object(ObjectId(7)),
            }),
        ),
        (
            "frame_lock_release",
            F(Message::LockRelease {
                lock: LockId::Class(s("com.acme.Registry")),
            }),
        ),
        (
            "frame_wait",
            F(Message::Wait {
                waiter_id: 11,
                lock: LockId::Object(ObjectId(7)),
                timeout_ms: 0,
            }),
        ),
        ("frame_interrupt", F(Message::Interrupt { waiter_id: 11 })),
        (
            "frame_subscribe",
            F(Message::Subscribe {
                target: SubTarget::Object(ObjectId(7)),
            }),
        ),
        (
            "frame_unsubscribe",
            F(Message::Unsubscribe {
                target: SubTarget::Root(s("cache")),
            }),
        ),
        ("frame_goodbye", F(Message::Goodbye)),
        ("frame_ping", F(Message::Ping { nonce: 7 })),
        ("frame_pong", F(Message::Pong { nonce: 7 })),
        (
            "frame_welcome",
            F(Message::Welcome {
                protocol_version: PROTOCOL_VERSION,
                client_id: 1,
                server_name: s("kiln-server"),
                max_frame: 16 * 1024 * 1024,
                fault_count: 500,
                epoch: 1,
                cluster_id: 0,
                stripe: 0,
                stripes: 1,
            }),
        ),
        (
            "frame_membership",
            F(Message::Membership {
                this_node: 1,
                nodes: vec![node_a.clone(), node_b.clone()],
            }),
        ),
        (
            "frame_node_joined",
            F(Message::NodeJoined {
                node: node_b.clone(),
            }),
        ),
        ("frame_node_left", F(Message::NodeLeft { node: node_b })),
        (
            "frame_id_lease",
            F(Message::IdLease {
                start: 1,
                count: 10_000,
            }),
        ),
        (
            "frame_root_value",
            F(Message::RootValue {
                req_id: 2,
                name: s("cache"),
                value: Some(Value::Ref(ObjectId(7))),
            }),
        ),
        (
            "frame_root_value_unbound",
            F(Message::RootValue {
                req_id: 1,
                name: s("cache"),
                value: None,
            }),
        ),
        (
            "frame_root_list",
            F(Message::RootList {
                req_id: 3,
                roots: vec![
                    (s("cache"), Value::Ref(ObjectId(7))),
                    (s("limit"), Value::I32(10)),
                ],
            }),
        ),
        (
            "frame_fault_reply",
            F(Message::FaultReply {
                req_id: 4,
                objects: vec![FaultedObject {
                    oid: ObjectId(7),
                    version: 3,
                    state: ObjectState {
                        class: s("java.util.ArrayList"),
                        data: ObjectData::List(vec![Value::Str(s("a"))]),
                    },
                }],
                missing: vec![ObjectId(9)],
            }),
        ),
        (
            "frame_batch_ack",
            F(Message::BatchAck {
                upto_seq: 2,
                gtx: 17,
            }),
        ),
        (
            "frame_commit_ack",
            F(Message::CommitAck { seq: 2, gtx: 17 }),
        ),
        (
            "frame_deltas",
            F(Message::Deltas {
                gtx: 17,
                from_client: 2,
                deltas: vec![
                    Delta {
                        oid: ObjectId(7),
                        ops: vec![DeltaOp::SetElement {
                            index: 1,
                            value: Value::I32(9),
                        }],
                    },
                    Delta {
                        oid: ObjectId(8),
                        ops: vec![
                            DeltaOp::SetArray(ArrayData::I8(vec![1, 2])),
                            DeltaOp::Remove {
                                key: Value::Str(s("k")),
                            },
                            DeltaOp::Clear,
                            DeltaOp::Add {
                                value: Value::I32(1),
                            },
                            DeltaOp::AddAt {
                                index: 0,
                                value: Value::I32(0),
                            },
                            DeltaOp::Set {
                                index: 1,
                                value: Value::Null,
                            },
                            DeltaOp::RemoveAt { index: 0 },
                            DeltaOp::RemoveValue {
                                value: Value::I32(1),
                            },
                            DeltaOp::Offer {
                                value: Value::Bool(true),
                            },
                            DeltaOp::Poll,
                        ],
                    },
                ],
            }),
        ),
        (
            "frame_lock_award",
            F(Message::LockAward {
                req_id: 5,
                lock: LockId::Named(s("x")),
                level: LockLevel::Write,
                token: 12,
            }),
        ),
        (
            "frame_lock_recall",
            F(Message::LockRecall {
                lock: LockId::Named(s("x")),
                level: LockLevel::Read,
            }),
        ),
        (
            "frame_lock_recall_sync_write",
            F(Message::LockRecall {
                lock: LockId::Named(s("x")),
                level: LockLevel::SyncWrite,
            }),
        ),
        (
            "frame_lock_timeout",
            F(Message::LockTimeout {
                req_id: 5,
                lock: LockId::Named(s("x")),
            }),
        ),
        (
            "frame_wait_done",
            F(Message::WaitDone {
                waiter_id: 11,
                reason: WakeReason::Notified,
            }),
        ),
        (
            "frame_wait_done_timed_out",
            F(Message::WaitDone {
                waiter_id: 12,
                reason: WakeReason::TimedOut,
            }),
        ),
        (
            "frame_dmi_deliver",
            F(Message::DmiDeliver {
                from_client: 2,
                gtx: 17,
                call: dmi,
            }),
        ),
        (
            "frame_change_notice",
            F(Message::ChangeNotice {
                target: SubTarget::Object(ObjectId(7)),
                gtx: 17,
                from_client: 2,
            }),
        ),
        (
            "frame_error",
            F(Message::Error {
                code: ErrorCode::VersionMismatch,
                message: s("server speaks protocol 1, client sent 2"),
            }),
        ),
        (
            "frame_reassert",
            F(Message::Reassert {
                resident: vec![(ObjectId(7), 12)],
                locks: vec![(LockId::Named(s("accounts")), LockLevel::Write)],
                waiters: vec![(3, LockId::Object(ObjectId(7)), 0)],
            }),
        ),
        (
            "frame_resumed",
            F(Message::Resumed {
                gtx: 17,
                stale: vec![ObjectId(7)],
            }),
        ),
        (
            "frame_txn_rejected",
            F(Message::TxnRejected {
                from_seq: 4,
                upto_seq: 6,
                code: ErrorCode::StorageUnavailable,
                message: s("no space left on device"),
            }),
        ),
        (
            "frame_locate",
            F(Message::Locate {
                req_id: 9,
                oids: vec![ObjectId(7), ObjectId(0x1_0000_0002)],
            }),
        ),
        (
            "frame_located",
            F(Message::Located {
                req_id: 9,
                nodes: vec![vec![1, 4], vec![]],
            }),
        ),
    ]
}

// ------------------------------------------------------------------ JSON descriptions

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn float_json(bits: String, v: f64) -> Json {
    let value = if v.is_nan() {
        json!("NaN")
    } else if v.is_infinite() {
        json!(if v > 0.0 { "Infinity" } else { "-Infinity" })
    } else {
        json!(v)
    };
    json!({ "bits": bits, "value": value })
}

fn f32_json(x: f32) -> Json {
    float_json(format!("{:08x}", x.to_bits()), f64::from(x))
}

fn f64_json(x: f64) -> Json {
    float_json(format!("{:016x}", x.to_bits()), x)
}

fn oid_json(id: ObjectId) -> Json {
    json!(id.0)
}

fn value_json(v: &Value) -> Json {
    let t = v.type_name();
    match v {
        Value::Null => json!({ "type": t }),
        Value::Bool(b) => json!({ "type": t, "value": b }),
        Value::I8(x) => json!({ "type": t, "value": x }),
        Value::I16(x) => json!({ "type": t, "value": x }),
        Value::I32(x) => json!({ "type": t, "value": x }),
        Value::I64(x) | Value::Date(x) => json!({ "type": t, "value": x }),
        Value::F32(x) => {
            let mut j = f32_json(*x);
            j["type"] = json!(t);
            j
        }
        Value::F64(x) => {
            let mut j = f64_json(*x);
            j["type"] = json!(t);
            j
        }
        Value::Char(c) => json!({ "type": t, "value": c }),
        Value::Str(x) | Value::BigInteger(x) | Value::BigDecimal(x) | Value::ClassName(x) => {
            json!({ "type": t, "value": x })
        }
        Value::Bytes(b) => json!({ "type": t, "hex": hex(b) }),
        Value::Enum { class, name } => json!({ "type": t, "class": class, "name": name }),
        Value::Ref(id) => {
            json!({ "type": t, "value": id.0, "stripe": id.stripe(), "seq": id.seq() })
        }
    }
}

fn array_json(a: &ArrayData) -> (&'static str, Vec<Json>) {
    match a {
        ArrayData::Bool(v) => ("bool", v.iter().map(|x| json!(x)).collect()),
        ArrayData::I8(v) => ("i8", v.iter().map(|x| json!(x)).collect()),
        ArrayData::I16(v) => ("i16", v.iter().map(|x| json!(x)).collect()),
        ArrayData::I32(v) => ("i32", v.iter().map(|x| json!(x)).collect()),
        ArrayData::I64(v) => ("i64", v.iter().map(|x| json!(x)).collect()),
        ArrayData::F32(v) => ("f32", v.iter().map(|x| f32_json(*x)).collect()),
        ArrayData::F64(v) => ("f64", v.iter().map(|x| f64_json(*x)).collect()),
        ArrayData::Char(v) => ("char", v.iter().map(|x| json!(x)).collect()),
        ArrayData::Values(v) => ("values", v.iter().map(value_json).collect()),
    }
}

fn entries_json<'a>(it: impl Iterator<Item = (&'a Value, &'a Value)>) -> Json {
    Json::Array(
        it.map(|(k, v)| json!({ "key": value_json(k), "value": value_json(v) }))
            .collect(),
    )
}

fn object_json(o: &ObjectState) -> Json {
    let kind = o.data.kind_name();
    match &o.data {
        ObjectData::Physical(fs) => json!({
            "class": o.class,
            "kind": kind,
            "fields": fs.iter().map(|f| json!({
                "class": f.class, "name": f.name, "value": value_json(&f.value)
            })).collect::<Vec<_>>(),
        }),
        ObjectData::Array(a) => {
            let (elem, elements) = array_json(a);
            json!({ "class": o.class, "kind": kind, "element": elem, "elements": elements })
        }
        ObjectData::Map(m) => {
            json!({ "class": o.class, "kind": kind, "entries": entries_json(m.iter()) })
        }
        ObjectData::SortedMap(m) => {
            json!({ "class": o.class, "kind": kind, "entries": entries_json(m.iter()) })
        }
        ObjectData::List(l) => {
            json!({ "class": o.class, "kind": kind, "elements": l.iter().map(value_json).collect::<Vec<_>>() })
        }
        ObjectData::Set(x) => {
            json!({ "class": o.class, "kind": kind, "elements": x.iter().map(value_json).collect::<Vec<_>>() })
        }
        ObjectData::Queue(q) => {
            json!({ "class": o.class, "kind": kind, "elements": q.iter().map(value_json).collect::<Vec<_>>() })
        }
    }
}

fn op_json(op: &DeltaOp) -> Json {
    let mut j = match op {
        DeltaOp::SetField { class, name, value } => {
            json!({ "class": class, "name": name, "value": value_json(value) })
        }
        DeltaOp::SetElement { index, value }
        | DeltaOp::AddAt { index, value }
        | DeltaOp::Set { index, value } => json!({ "index": index, "value": value_json(value) }),
        DeltaOp::SetArray(a) => {
            let (elem, elements) = array_json(a);
            json!({ "element": elem, "elements": elements })
        }
        DeltaOp::Put { key, value } => {
            json!({ "key": value_json(key), "value": value_json(value) })
        }
        DeltaOp::Remove { key } => json!({ "key": value_json(key) }),
        DeltaOp::Add { value } | DeltaOp::RemoveValue { value } | DeltaOp::Offer { value } => {
            json!({ "value": value_json(value) })
        }
        DeltaOp::RemoveAt { index } => json!({ "index": index }),
        DeltaOp::Clear | DeltaOp::Poll => json!({}),
    };
    j["op"] = json!(op.name());
    j
}

fn delta_json(d: &Delta) -> Json {
    json!({ "oid": oid_json(d.oid), "ops": d.ops.iter().map(op_json).collect::<Vec<_>>() })
}

fn xid_json(x: &kiln_protocol::Xid) -> Json {
    json!({ "stripe": x.stripe, "client": x.client, "seq": x.seq })
}

fn fence_json(f: &[(u8, kiln_protocol::Xid)]) -> Json {
    Json::Array(
        f.iter()
            .map(|(s, x)| json!({ "stripe": s, "xid": xid_json(x) }))
            .collect(),
    )
}

fn lock_json(l: &LockId) -> Json {
    match l {
        LockId::Object(o) => json!({ "object": o.0 }),
        LockId::Named(n) => json!({ "named": n }),
        LockId::Class(c) => json!({ "class": c }),
    }
}

fn level_json(l: LockLevel) -> Json {
    json!(match l {
        LockLevel::Read => "read",
        LockLevel::Write => "write",
        LockLevel::Concurrent => "concurrent",
        LockLevel::SyncWrite => "sync-write",
    })
}

fn target_json(t: &SubTarget) -> Json {
    match t {
        SubTarget::Object(o) => json!({ "object": o.0 }),
        SubTarget::Root(n) => json!({ "root": n }),
    }
}

fn node_json(n: &NodeInfo) -> Json {
    json!({ "id": n.id, "name": n.name, "pid": n.pid, "addr": n.addr })
}

fn dmi_json(d: &DmiCall) -> Json {
    json!({
        "receiver": oid_json(d.receiver),
        "method": d.method,
        "args": d.args.iter().map(value_json).collect::<Vec<_>>(),
        "all_nodes": d.all_nodes,
    })
}

fn oids_json(v: &[ObjectId]) -> Json {
    Json::Array(v.iter().map(|o| oid_json(*o)).collect())
}

fn txn_json(t: &Txn) -> Json {
    json!({
        "seq": t.seq,
        "flags": t.flags,
        "new_objects": t.new_objects.iter().map(|(id, st)| json!({ "oid": oid_json(*id), "state": object_json(st) })).collect::<Vec<_>>(),
        "deltas": t.deltas.iter().map(delta_json).collect::<Vec<_>>(),
        "notifies": t.notifies.iter().map(|n| json!({ "lock": lock_json(&n.lock), "all": n.all })).collect::<Vec<_>>(),
        "dmis": t.dmis.iter().map(dmi_json).collect::<Vec<_>>(),
    })
}

fn error_code_name(c: ErrorCode) -> &'static str {
    match c {
        ErrorCode::Malformed => "Malformed",
        ErrorCode::FrameTooLarge => "FrameTooLarge",
        ErrorCode::UnknownMessage => "UnknownMessage",
        ErrorCode::VersionMismatch => "VersionMismatch",
        ErrorCode::OutOfOrder => "OutOfOrder",
        ErrorCode::UnknownObject => "UnknownObject",
        ErrorCode::BadOperation => "BadOperation",
        ErrorCode::Refused => "Refused",
        ErrorCode::ShuttingDown => "ShuttingDown",
        ErrorCode::StorageUnavailable => "StorageUnavailable",
        _ => "Internal",
    }
}

fn message_json(m: &Message) -> Json {
    let mut j = match m {
        Message::Hello {
            protocol_version,
            client_name,
            pid,
            reconnect,
        } => json!({
            "protocol_version": protocol_version,
            "client_name": client_name,
            "pid": pid,
            "reconnect": reconnect.as_ref().map(|r| json!({ "client_id": r.client_id, "last_acked_seq": r.last_acked_seq })),
        }),
        Message::IdLeaseRequest { count } => json!({ "count": count }),
        Message::RootLookup { req_id, name } => json!({ "req_id": req_id, "name": name }),
        Message::RootCreate {
            req_id,
            name,
            value,
            replace,
        } => {
            json!({ "req_id": req_id, "name": name, "value": value_json(value), "replace": replace })
        }
        Message::ListRoots { req_id } => json!({ "req_id": req_id }),
        Message::Fault {
            req_id,
            oids,
            budget,
        } => {
            json!({ "req_id": req_id, "oids": oids_json(oids), "budget": budget })
        }
        Message::Evict { oids } => json!({ "oids": oids_json(oids) }),
        Message::TxnBatch { txns } => {
            json!({ "txns": txns.iter().map(txn_json).collect::<Vec<_>>() })
        }
        Message::LockRequest {
            req_id,
            lock,
            level,
            timeout_ms,
        } => json!({
            "req_id": req_id, "lock": lock_json(lock), "level": level_json(*level), "timeout_ms": timeout_ms
        }),
        Message::LockCancel { req_id } => json!({ "req_id": req_id }),
        Message::RecallCommit { lock } | Message::LockRelease { lock } => {
            json!({ "lock": lock_json(lock) })
        }
        Message::Wait {
            waiter_id,
            lock,
            timeout_ms,
        } => {
            json!({ "waiter_id": waiter_id, "lock": lock_json(lock), "timeout_ms": timeout_ms })
        }
        Message::Interrupt { waiter_id } => json!({ "waiter_id": waiter_id }),
        Message::Subscribe { target } | Message::Unsubscribe { target } => {
            json!({ "target": target_json(target) })
        }
        Message::Goodbye => json!({}),
        Message::Ping { nonce } | Message::Pong { nonce } => json!({ "nonce": nonce }),
        Message::Welcome {
            protocol_version,
            client_id,
            server_name,
            max_frame,
            fault_count,
            epoch,
            cluster_id: _,
            stripe,
            stripes,
        } => json!({
            "protocol_version": protocol_version,
            "client_id": client_id,
            "server_name": server_name,
            "max_frame": max_frame,
            "fault_count": fault_count,
            "epoch": epoch,
            "stripe": stripe,
            "stripes": stripes,
        }),
        Message::Membership { this_node, nodes } => {
            json!({ "this_node": this_node, "nodes": nodes.iter().map(node_json).collect::<Vec<_>>() })
        }
        Message::NodeJoined { node } | Message::NodeLeft { node } => {
            json!({ "node": node_json(node) })
        }
        Message::IdLease { start, count } => json!({ "start": start, "count": count }),
        Message::RootValue {
            req_id,
            name,
            value,
        } => {
            json!({ "req_id": req_id, "name": name, "value": value.as_ref().map(value_json) })
        }
        Message::RootList { req_id, roots } => json!({
            "req_id": req_id,
            "roots": roots.iter().map(|(n, v)| json!({ "name": n, "value": value_json(v) })).collect::<Vec<_>>(),
        }),
        Message::FaultReply {
            req_id,
            objects,
            missing,
        } => json!({
            "req_id": req_id,
            "objects": objects.iter().map(|o| json!({
                "oid": oid_json(o.oid), "version": o.version, "state": object_json(&o.state)
            })).collect::<Vec<_>>(),
            "missing": oids_json(missing),
        }),
        Message::BatchAck { upto_seq, gtx } => json!({ "upto_seq": upto_seq, "gtx": gtx }),
        Message::CommitAck { seq, gtx } => json!({ "seq": seq, "gtx": gtx }),
        Message::Deltas {
            gtx,
            from_client,
            deltas,
        } => json!({
            "gtx": gtx, "from_client": from_client, "deltas": deltas.iter().map(delta_json).collect::<Vec<_>>()
        }),
        Message::LockAward {
            req_id,
            lock,
            level,
            token,
        } => json!({
            "req_id": req_id, "lock": lock_json(lock), "level": level_json(*level), "token": token
        }),
        Message::LockRecall { lock, level } => {
            json!({ "lock": lock_json(lock), "level": level_json(*level) })
        }
        Message::LockTimeout { req_id, lock } => {
            json!({ "req_id": req_id, "lock": lock_json(lock) })
        }
        Message::WaitDone { waiter_id, reason } => json!({
            "waiter_id": waiter_id,
            "reason": match reason {
                WakeReason::Notified => "notified",
                WakeReason::TimedOut => "timed-out",
                WakeReason::Interrupted => "interrupted",
            },
        }),
        Message::DmiDeliver {
            from_client,
            gtx,
            call,
        } => {
            json!({ "from_client": from_client, "gtx": gtx, "call": dmi_json(call) })
        }
        Message::ChangeNotice {
            target,
            gtx,
            from_client,
        } => {
            json!({ "target": target_json(target), "gtx": gtx, "from_client": from_client })
        }
        Message::Error { code, message } => json!({
            "code": *code as u16, "code_name": error_code_name(*code), "text": message
        }),
        Message::Reassert {
            resident,
            locks,
            waiters,
        } => json!({
            "resident": resident.iter().map(|(o, v)| json!({ "oid": o.0, "version": v })).collect::<Vec<_>>(),
            "locks": locks.iter().map(|(l, lv)| json!({ "lock": lock_json(l), "level": level_json(*lv) })).collect::<Vec<_>>(),
            "waiters": waiters.iter().map(|(w, l, t)| json!({ "waiter_id": w, "lock": lock_json(l), "timeout_ms": t })).collect::<Vec<_>>(),
        }),
        Message::Resumed { gtx, stale } => json!({ "gtx": gtx, "stale": oids_json(stale) }),
        Message::Locate { req_id, oids } => json!({ "req_id": req_id, "oids": oids_json(oids) }),
        Message::Located { req_id, nodes } => json!({ "req_id": req_id, "nodes": nodes }),
        Message::TxnRejected {
            from_seq,
            upto_seq,
            code,
            message,
        } => json!({
            "from_seq": from_seq, "upto_seq": upto_seq, "code": *code as u16,
            "code_name": error_code_name(*code), "text": message
        }),
        Message::Prepare { req_id, xid, part } => {
            json!({ "req_id": req_id, "xid": xid_json(xid), "part": txn_json(part) })
        }
        Message::Decide {
            req_id,
            xid,
            commit,
        } => json!({ "req_id": req_id, "xid": xid_json(xid), "commit": commit }),
        Message::Commit {
            req_id,
            xid,
            lock,
            participants,
            fence,
        } => json!({
            "req_id": req_id, "xid": xid_json(xid), "lock": lock_json(lock),
            "participants": participants, "fence": fence
        }),
        Message::AwaitParts { req_id, xid } | Message::PartsDone { req_id, xid } => {
            json!({ "req_id": req_id, "xid": xid_json(xid) })
        }
        Message::Prepared { req_id, xid } => json!({ "req_id": req_id, "xid": xid_json(xid) }),
        Message::PrepareFailed {
            req_id,
            xid,
            code,
            message,
        } => json!({
            "req_id": req_id, "xid": xid_json(xid), "code": *code as u16,
            "code_name": error_code_name(*code), "text": message
        }),
        Message::Decided {
            req_id,
            xid,
            commit,
            gtx,
        } => json!({ "req_id": req_id, "xid": xid_json(xid), "commit": commit, "gtx": gtx }),
        Message::AwardFence {
            req_id,
            lock,
            fence,
        } => json!({ "req_id": req_id, "lock": lock_json(lock), "fence": fence_json(fence) }),
        Message::Outcome { req_id, xid, from } => {
            json!({ "req_id": req_id, "xid": xid_json(xid), "from": from })
        }
        Message::OutcomeIs {
            req_id,
            xid,
            state,
            gtx,
        } => json!({ "req_id": req_id, "xid": xid_json(xid), "state": state, "gtx": gtx }),
    };
    j["message"] = json!(m.name());
    j["type_byte"] = json!(m.type_byte());
    j
}

// ------------------------------------------------------------------ the test

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("vectors")
}

fn manifest(items: &[(&'static str, Item)]) -> Json {
    let entries: Vec<Json> = items
        .iter()
        .map(|(name, item)| {
            let bytes = item.encode();
            json!({
                "name": name,
                "kind": item.kind(),
                "file": format!("{name}.bin"),
                "hex": hex(&bytes),
                "expected": item.expected(),
            })
        })
        .collect();
    json!({
        "description": "Kiln protocol test vectors. kind=value: one Value (tag + payload); \
            kind=object: one ObjectState (class, kind tag, content); kind=frame: one complete \
            frame (4-byte big-endian length + type byte + body). See docs/protocol.md.",
        "protocol_version": PROTOCOL_VERSION,
        "vectors": entries,
    })
}

#[test]
fn vectors_match_checked_in_files() {
    let items = vectors();
    let dir = dir();
    let expected_manifest = manifest(&items);
    let manifest_text = serde_json::to_string_pretty(&expected_manifest).expect("json") + "\n";

    if std::env::var("KILN_REGEN_VECTORS").as_deref() == Ok("1") {
        std::fs::create_dir_all(&dir).expect("mkdir");
        // Remove stale .bin files first so renamed vectors do not linger.
        for e in std::fs::read_dir(&dir).expect("read dir").flatten() {
            if e.path().extension().is_some_and(|x| x == "bin") {
                std::fs::remove_file(e.path()).expect("rm");
            }
        }
        for (name, item) in &items {
            std::fs::write(dir.join(format!("{name}.bin")), item.encode()).expect("write");
        }
        std::fs::write(dir.join("manifest.json"), &manifest_text).expect("write manifest");
        eprintln!("regenerated {} vectors in {}", items.len(), dir.display());
    }

    // Names are unique.
    let mut names: Vec<&str> = items.iter().map(|(n, _)| *n).collect();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), items.len(), "duplicate vector names");

    // The manifest on disk is exactly what the code describes.
    let on_disk: Json = serde_json::from_str(
        &std::fs::read_to_string(dir.join("manifest.json"))
            .expect("tests/vectors/manifest.json missing; run with KILN_REGEN_VECTORS=1"),
    )
    .expect("manifest parses");
    assert_eq!(
        on_disk, expected_manifest,
        "manifest.json is stale; run with KILN_REGEN_VECTORS=1"
    );

    // Every file: encoding gives exactly its bytes, decoding it gives the value back.
    for (name, item) in &items {
        let file = std::fs::read(dir.join(format!("{name}.bin")))
            .unwrap_or_else(|e| panic!("{name}.bin: {e}"));
        assert_eq!(
            hex(&item.encode()),
            hex(&file),
            "{name}: encoding differs from checked-in bytes"
        );
        item.check_decode(name, &file);
    }

    // The manifest's hex equals the file contents, and there are no orphan files.
    let listed: Vec<&Json> = on_disk["vectors"]
        .as_array()
        .expect("vectors array")
        .iter()
        .collect();
    for v in &listed {
        let file = v["file"].as_str().expect("file");
        let bytes = std::fs::read(dir.join(file)).expect("read");
        assert_eq!(v["hex"].as_str(), Some(hex(&bytes).as_str()), "{file}");
    }
    let bins = std::fs::read_dir(&dir)
        .expect("read dir")
        .flatten()
        .filter(|e| e.path().extension().is_some_and(|x| x == "bin"))
        .count();
    assert_eq!(bins, listed.len(), "orphan .bin files in tests/vectors");
}

#[test]
fn vectors_cover_every_message_type_and_value_tag_and_kind() {
    let items = vectors();
    let mut types = std::collections::BTreeSet::new();
    let mut tags = std::collections::BTreeSet::new();
    let mut kinds = std::collections::BTreeSet::new();
    let mut elems = std::collections::BTreeSet::new();
    let mut ops = std::collections::BTreeSet::new();
    for (_, item) in &items {
        match item {
            Item::Frame(m) => {
                types.insert(m.type_byte());
                for d in deltas_of(m) {
                    d.ops.iter().for_each(|o| {
                        ops.insert(o.name());
                    });
                }
            }
            Item::Value(v) => {
                tags.insert(v.tag());
            }
            Item::Object(o) => {
                kinds.insert(o.data.kind_name());
                if let ObjectData::Array(a) = &o.data {
                    elems.insert(array_json(a).0);
                }
            }
        }
    }
    assert_eq!(types.len(), 42, "every message type has a frame vector");
    assert_eq!(tags.len(), 17, "every value tag has a vector");
    assert_eq!(kinds.len(), 7, "every object kind has a vector");
    assert_eq!(elems.len(), 9, "every array element type has a vector");
    assert_eq!(
        ops.len(),
        13,
        "every delta op appears in some frame: {ops:?}"
    );
}

fn deltas_of(m: &Message) -> Vec<&Delta> {
    match m {
        Message::TxnBatch { txns } => txns.iter().flat_map(|t| t.deltas.iter()).collect(),
        Message::Deltas { deltas, .. } => deltas.iter().collect(),
        _ => Vec::new(),
    }
}

//! Shared proptest strategies and helpers for the protocol integration tests.
#![allow(dead_code)]

use std::collections::{BTreeMap, VecDeque};

use bytes::BytesMut;
use kiln_protocol::{
    ArrayData, Delta, DeltaOp, DmiCall, ErrorCode, FaultedObject, Field, IndexMap, IndexSet,
    LockId, LockLevel, Message, NodeInfo, Notify, ObjectData, ObjectId, ObjectState, Reconnect,
    SubTarget, Txn, Value, WakeReason, Xid,
};
use proptest::collection::vec;
use proptest::prelude::*;

/// Floats drawn from arbitrary bit patterns (NaNs with payloads, infinities, subnormals, -0.0)
/// as well as ordinary values.
pub fn arb_f32() -> impl Strategy<Value = f32> {
    prop_oneof![
        any::<u32>().prop_map(f32::from_bits),
        any::<f32>(),
        Just(f32::NAN),
        Just(-0.0f32)
    ]
}

pub fn arb_f64() -> impl Strategy<Value = f64> {
    prop_oneof![
        any::<u64>().prop_map(f64::from_bits),
        any::<f64>(),
        Just(f64::NAN),
        Just(-0.0f64)
    ]
}

pub fn arb_string() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-zA-Z0-9_.$]{0,12}",
        any::<String>(),
        Just(String::new()),
        Just("héllo wörld ✓ 𝄞".to_owned())
    ]
}

pub fn arb_oid() -> impl Strategy<Value = ObjectId> {
    prop_oneof![
        any::<u64>().prop_map(ObjectId),
        (any::<u8>(), 1u64..1000).prop_map(|(s, q)| ObjectId::new(s, q)),
    ]
}

/// Any value, every variant.
pub fn arb_value() -> BoxedStrategy<Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i8>().prop_map(Value::I8),
        any::<i16>().prop_map(Value::I16),
        any::<i32>().prop_map(Value::I32),
        any::<i64>().prop_map(Value::I64),
        arb_f32().prop_map(Value::F32),
        arb_f64().prop_map(Value::F64),
        any::<u16>().prop_map(Value::Char),
        arb_string().prop_map(Value::Str),
        vec(any::<u8>(), 0..16).prop_map(Value::Bytes),
        "-?[0-9]{1,40}".prop_map(Value::BigInteger),
        "-?[0-9]{1,20}\\.[0-9]{0,10}".prop_map(Value::BigDecimal),
        arb_string().prop_map(Value::ClassName),
        (arb_string(), arb_string()).prop_map(|(class, name)| Value::Enum { class, name }),
        any::<i64>().prop_map(Value::Date),
        arb_oid().prop_map(Value::Ref),
    ]
    .boxed()
}

/// Array data of every element type.
pub fn arb_array() -> BoxedStrategy<ArrayData> {
    const N: usize = 8;
    prop_oneof![
        vec(any::<bool>(), 0..N).prop_map(ArrayData::Bool),
        vec(any::<i8>(), 0..N).prop_map(ArrayData::I8),
        vec(any::<i16>(), 0..N).prop_map(ArrayData::I16),
        vec(any::<i32>(), 0..N).prop_map(ArrayData::I32),
        vec(any::<i64>(), 0..N).prop_map(ArrayData::I64),
        vec(arb_f32(), 0..N).prop_map(ArrayData::F32),
        vec(arb_f64(), 0..N).prop_map(ArrayData::F64),
        vec(any::<u16>(), 0..N).prop_map(ArrayData::Char),
        vec(arb_value(), 0..N).prop_map(ArrayData::Values),
    ]
    .boxed()
}

pub fn arb_field() -> BoxedStrategy<Field> {
    (arb_string(), arb_string(), arb_value())
        .prop_map(|(class, name, value)| Field { class, name, value })
        .boxed()
}

/// Object data of every kind.
pub fn arb_object_data() -> BoxedStrategy<ObjectData> {
    const N: usize = 6;
    prop_oneof![
        vec(arb_field(), 0..N).prop_map(ObjectData::Physical),
        arb_array().prop_map(ObjectData::Array),
        vec((arb_value(), arb_value()), 0..N)
            .prop_map(|v| ObjectData::Map(v.into_iter().collect::<IndexMap<_, _>>())),
        vec((arb_value(), arb_value()), 0..N)
            .prop_map(|v| ObjectData::SortedMap(v.into_iter().collect::<BTreeMap<_, _>>())),
        vec(arb_value(), 0..N).prop_map(ObjectData::List),
        vec(arb_value(), 0..N)
            .prop_map(|v| ObjectData::Set(v.into_iter().collect::<IndexSet<_>>())),
        vec(arb_value(), 0..N)
            .prop_map(|v| ObjectData::Queue(v.into_iter().collect::<VecDeque<_>>())),
    ]
    .boxed()
}

pub fn arb_object_state() -> BoxedStrategy<ObjectState> {
    (arb_string(), arb_object_data())
        .prop_map(|(class, data)| ObjectState { class, data })
        .boxed()
}

/// Any delta op, every variant (not necessarily applicable to anything).
pub fn arb_delta_op() -> BoxedStrategy<DeltaOp> {
    prop_oneof![
        (arb_string(), arb_string(), arb_value())
            .prop_map(|(class, name, value)| DeltaOp::SetField { class, name, value }),
        (any::<u32>(), arb_value()).prop_map(|(index, value)| DeltaOp::SetElement { index, value }),
        arb_array().prop_map(DeltaOp::SetArray),
        (arb_value(), arb_value()).prop_map(|(key, value)| DeltaOp::Put { key, value }),
        arb_value().prop_map(|key| DeltaOp::Remove { key }),
        Just(DeltaOp::Clear),
        arb_value().prop_map(|value| DeltaOp::Add { value }),
        (any::<u32>(), arb_value()).prop_map(|(index, value)| DeltaOp::AddAt { index, value }),
        (any::<u32>(), arb_value()).prop_map(|(index, value)| DeltaOp::Set { index, value }),
        any::<u32>().prop_map(|index| DeltaOp::RemoveAt { index }),
        arb_value().prop_map(|value| DeltaOp::RemoveValue { value }),
        arb_value().prop_map(|value| DeltaOp::Offer { value }),
        Just(DeltaOp::Poll),
    ]
    .boxed()
}

pub fn arb_delta() -> BoxedStrategy<Delta> {
    (arb_oid(), vec(arb_delta_op(), 0..4))
        .prop_map(|(oid, ops)| Delta { oid, ops })
        .boxed()
}

pub fn arb_lock_id() -> BoxedStrategy<LockId> {
    prop_oneof![
        arb_oid().prop_map(LockId::Object),
        arb_string().prop_map(LockId::Named),
        arb_string().prop_map(LockId::Class),
    ]
    .boxed()
}

pub fn arb_lock_level() -> impl Strategy<Value = LockLevel> {
    prop_oneof![
        Just(LockLevel::Read),
        Just(LockLevel::Write),
        Just(LockLevel::Concurrent),
        Just(LockLevel::SyncWrite),
    ]
}

pub fn arb_sub_target() -> BoxedStrategy<SubTarget> {
    prop_oneof![
        arb_oid().prop_map(SubTarget::Object),
        arb_string().prop_map(SubTarget::Root)
    ]
    .boxed()
}

pub fn arb_dmi() -> BoxedStrategy<DmiCall> {
    (
        arb_oid(),
        arb_string(),
        vec(arb_value(), 0..4),
        any::<bool>(),
    )
        .prop_map(|(receiver, method, args, all_nodes)| DmiCall {
            receiver,
            method,
            args,
            all_nodes,
        })
        .boxed()
}

pub fn arb_txn() -> BoxedStrategy<Txn> {
    (
        any::<u64>(),
        any::<u8>(),
        vec((arb_oid(), arb_object_state()), 0..3),
        vec(arb_delta(), 0..3),
        vec(
            (arb_lock_id(), any::<bool>()).prop_map(|(lock, all)| Notify { lock, all }),
            0..3,
        ),
        vec(arb_dmi(), 0..3),
    )
        .prop_map(|(seq, flags, new_objects, deltas, notifies, dmis)| Txn {
            seq,
            flags,
            new_objects,
            deltas,
            notifies,
            dmis,
        })
        .boxed()
}

pub fn arb_node() -> BoxedStrategy<NodeInfo> {
    (any::<u64>(), arb_string(), any::<u32>(), arb_string())
        .prop_map(|(id, name, pid, addr)| NodeInfo {
            id,
            name,
            pid,
            addr,
        })
        .boxed()
}

pub fn arb_error_code() -> impl Strategy<Value = ErrorCode> {
    prop::sample::select(ALL_ERROR_CODES.to_vec())
}

pub const ALL_ERROR_CODES: [ErrorCode; 12] = [
    ErrorCode::Malformed,
    ErrorCode::FrameTooLarge,
    ErrorCode::UnknownMessage,
    ErrorCode::VersionMismatch,
    ErrorCode::OutOfOrder,
    ErrorCode::UnknownObject,
    ErrorCode::BadOperation,
    ErrorCode::Refused,
    ErrorCode::ShuttingDown,
    ErrorCode::Internal,
    ErrorCode::StorageUnavailable,
    ErrorCode::WrongStripe,
];

fn arb_client_message() -> BoxedStrategy<Message> {
    let a = prop_oneof![
        (
            any::<u16>(),
            arb_string(),
            any::<u32>(),
            proptest::option::of((any::<u64>(), any::<u64>()).prop_map(
                |(client_id, last_acked_seq)| Reconnect {
                    client_id,
                    last_acked_seq
                }
            ))
        )
            .prop_map(
                |(protocol_version, client_name, pid, reconnect)| Message::Hello {
                    protocol_version,
                    client_name,
                    pid,
                    reconnect
                }
            ),
        any::<u64>().prop_map(|count| Message::IdLeaseRequest { count }),
        (any::<u64>(), arb_string())
            .prop_map(|(req_id, name)| Message::RootLookup { req_id, name }),
        (any::<u64>(), arb_string(), arb_value(), any::<bool>()).prop_map(
            |(req_id, name, value, replace)| Message::RootCreate {
                req_id,
                name,
                value,
                replace
            }
        ),
        any::<u64>().prop_map(|req_id| Message::ListRoots { req_id }),
        (any::<u64>(), vec(arb_oid(), 0..5), any::<u32>()).prop_map(|(req_id, oids, budget)| {
            Message::Fault {
                req_id,
                oids,
                budget,
            }
        }),
        vec(arb_oid(), 0..5).prop_map(|oids| Message::Evict { oids }),
        vec(arb_txn(), 0..3).prop_map(|txns| Message::TxnBatch { txns }),
        (any::<u64>(), arb_lock_id(), arb_lock_level(), any::<i64>()).prop_map(
            |(req_id, lock, level, timeout_ms)| Message::LockRequest {
                req_id,
                lock,
                level,
                timeout_ms
            }
        ),
    ];
    let b = prop_oneof![
        any::<u64>().prop_map(|req_id| Message::LockCancel { req_id }),
        arb_lock_id().prop_map(|lock| Message::RecallCommit { lock }),
        arb_lock_id().prop_map(|lock| Message::LockRelease { lock }),
        (any::<u64>(), arb_lock_id(), any::<u64>()).prop_map(|(waiter_id, lock, timeout_ms)| {
            Message::Wait {
                waiter_id,
                lock,
                timeout_ms,
            }
        }),
        any::<u64>().prop_map(|waiter_id| Message::Interrupt { waiter_id }),
        arb_sub_target().prop_map(|target| Message::Subscribe { target }),
        arb_sub_target().prop_map(|target| Message::Unsubscribe { target }),
        Just(Message::Goodbye),
        any::<u64>().prop_map(|nonce| Message::Ping { nonce }),
        any::<u64>().prop_map(|nonce| Message::Pong { nonce }),
        (any::<u64>(), vec(arb_oid(), 0..5))
            .prop_map(|(req_id, oids)| Message::Locate { req_id, oids }),
    ];
    prop_oneof![a, b].boxed()
}

fn arb_server_message() -> BoxedStrategy<Message> {
    let a = prop_oneof![
        (
            any::<u16>(),
            any::<u64>(),
            arb_string(),
            any::<u32>(),
            any::<u32>(),
            any::<u64>(),
            any::<u128>(),
            any::<u8>(),
            any::<u8>()
        )
            .prop_map(
                |(
                    protocol_version,
                    client_id,
                    server_name,
                    max_frame,
                    fault_count,
                    epoch,
                    cluster_id,
                    stripe,
                    stripes,
                )| {
                    Message::Welcome {
                        protocol_version,
                        client_id,
                        server_name,
                        max_frame,
                        fault_count,
                        epoch,
                        cluster_id,
                        stripe,
                        stripes,
                    }
                }
            ),
        (any::<u64>(), vec(arb_node(), 0..4))
            .prop_map(|(this_node, nodes)| Message::Membership { this_node, nodes }),
        arb_node().prop_map(|node| Message::NodeJoined { node }),
        arb_node().prop_map(|node| Message::NodeLeft { node }),
        (any::<u64>(), any::<u64>()).prop_map(|(start, count)| Message::IdLease { start, count }),
        (
            any::<u64>(),
            arb_string(),
            proptest::option::of(arb_value())
        )
            .prop_map(|(req_id, name, value)| Message::RootValue {
                req_id,
                name,
                value
            }),
        (any::<u64>(), vec((arb_string(), arb_value()), 0..4))
            .prop_map(|(req_id, roots)| Message::RootList { req_id, roots }),
        (any::<u64>(), vec(vec(any::<u64>(), 0..4), 0..4))
            .prop_map(|(req_id, nodes)| Message::Located { req_id, nodes }),
        (
            any::<u64>(),
            vec(
                (arb_oid(), any::<u64>(), arb_object_state()).prop_map(|(oid, version, state)| {
                    FaultedObject {
                        oid,
                        version,
                        state,
                    }
                }),
                0..3
            ),
            vec(arb_oid(), 0..4)
        )
            .prop_map(|(req_id, objects, missing)| Message::FaultReply {
                req_id,
                objects,
                missing
            }),
        (any::<u64>(), any::<u64>())
            .prop_map(|(upto_seq, gtx)| Message::BatchAck { upto_seq, gtx }),
    ];
    let b = prop_oneof![
        (any::<u64>(), any::<u64>()).prop_map(|(seq, gtx)| Message::CommitAck { seq, gtx }),
        (any::<u64>(), any::<u64>(), vec(arb_delta(), 0..4)).prop_map(
            |(gtx, from_client, deltas)| Message::Deltas {
                gtx,
                from_client,
                deltas
            }
        ),
        (any::<u64>(), arb_lock_id(), arb_lock_level(), any::<u64>()).prop_map(
            |(req_id, lock, level, token)| Message::LockAward {
                req_id,
                lock,
                level,
                token
            }
        ),
        (arb_lock_id(), arb_lock_level())
            .prop_map(|(lock, level)| Message::LockRecall { lock, level }),
        (any::<u64>(), arb_lock_id())
            .prop_map(|(req_id, lock)| Message::LockTimeout { req_id, lock }),
        (
            any::<u64>(),
            prop_oneof![
                Just(WakeReason::Notified),
                Just(WakeReason::TimedOut),
                Just(WakeReason::Interrupted)
            ]
        )
            .prop_map(|(waiter_id, reason)| Message::WaitDone { waiter_id, reason }),
        (any::<u64>(), any::<u64>(), arb_dmi()).prop_map(|(from_client, gtx, call)| {
            Message::DmiDeliver {
                from_client,
                gtx,
                call,
            }
        }),
        (arb_sub_target(), any::<u64>(), any::<u64>()).prop_map(|(target, gtx, from_client)| {
            Message::ChangeNotice {
                target,
                gtx,
                from_client,
            }
        }),
        (arb_error_code(), arb_string())
            .prop_map(|(code, message)| Message::Error { code, message }),
    ];
    prop_oneof![a, b].boxed()
}

pub fn arb_xid() -> impl Strategy<Value = Xid> {
    (any::<u8>(), any::<u64>(), any::<u64>()).prop_map(|(stripe, client, seq)| Xid {
        stripe,
        client,
        seq,
    })
}

fn arb_fence() -> impl Strategy<Value = Vec<(u8, Xid)>> {
    vec((any::<u8>(), arb_xid()), 0..4)
}

/// The two-phase commit messages (protocol.md §9.12), both directions.
fn arb_twopc_message() -> BoxedStrategy<Message> {
    prop_oneof![
        (any::<u64>(), arb_xid(), arb_txn()).prop_map(|(req_id, xid, part)| Message::Prepare {
            req_id,
            xid,
            part
        }),
        (any::<u64>(), arb_xid(), any::<bool>()).prop_map(|(req_id, xid, commit)| {
            Message::Decide {
                req_id,
                xid,
                commit,
            }
        }),
        (
            any::<u64>(),
            arb_xid(),
            arb_lock_id(),
            vec(any::<u8>(), 0..4),
            any::<bool>()
        )
            .prop_map(|(req_id, xid, lock, participants, fence)| Message::Commit {
                req_id,
                xid,
                lock,
                participants,
                fence
            }),
        (any::<u64>(), arb_xid()).prop_map(|(req_id, xid)| Message::AwaitParts { req_id, xid }),
        (any::<u64>(), arb_xid()).prop_map(|(req_id, xid)| Message::PartsDone { req_id, xid }),
        (any::<u64>(), arb_xid()).prop_map(|(req_id, xid)| Message::Prepared { req_id, xid }),
        (any::<u64>(), arb_xid(), arb_error_code(), arb_string()).prop_map(
            |(req_id, xid, code, message)| Message::PrepareFailed {
                req_id,
                xid,
                code,
                message
            }
        ),
        (any::<u64>(), arb_xid(), any::<bool>(), any::<u64>()).prop_map(
            |(req_id, xid, commit, gtx)| Message::Decided {
                req_id,
                xid,
                commit,
                gtx
            }
        ),
        (any::<u64>(), arb_lock_id(), arb_fence()).prop_map(|(req_id, lock, fence)| {
            Message::AwardFence {
                req_id,
                lock,
                fence,
            }
        }),
        (any::<u64>(), arb_xid(), any::<u8>()).prop_map(|(req_id, xid, from)| Message::Outcome {
            req_id,
            xid,
            from
        }),
        (any::<u64>(), arb_xid(), 0u8..=2, any::<u64>()).prop_map(|(req_id, xid, state, gtx)| {
            Message::OutcomeIs {
                req_id,
                xid,
                state,
                gtx,
            }
        }),
    ]
    .boxed()
}

/// Any message, every variant.
pub fn arb_message() -> BoxedStrategy<Message> {
    prop_oneof![
        arb_client_message(),
        arb_server_message(),
        arb_twopc_message()
    ]
    .boxed()
}

// ------------------------------------------------------------------ helpers

pub fn value_bytes(v: &Value) -> Vec<u8> {
    let mut b = BytesMut::new();
    v.encode(&mut b);
    b.to_vec()
}

pub fn state_bytes(s: &ObjectState) -> Vec<u8> {
    let mut b = BytesMut::new();
    s.encode(&mut b);
    b.to_vec()
}

pub fn frame_bytes(m: &Message) -> Vec<u8> {
    kiln_protocol::frame::to_bytes(m).to_vec()
}

pub fn payload_bytes(m: &Message) -> Vec<u8> {
    let mut b = BytesMut::new();
    m.encode_body(&mut b);
    b.to_vec()
}

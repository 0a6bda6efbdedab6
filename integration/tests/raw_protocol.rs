//! The real server, driven with raw protocol frames: bad input gets a clear error frame and a
//! closed connection, other clients carry on, and nothing partial is ever visible.
#![allow(clippy::unwrap_used)]

use std::time::Duration;

use kiln_integration::{RawConn, ServerProcess};
use kiln_protocol::{
    frame, Delta, DeltaOp, ErrorCode, LockId, LockLevel, Message, ObjectId, ObjectState, Txn, Value,
};

fn error_code(m: &Message) -> Option<ErrorCode> {
    match m {
        Message::Error { code, .. } => Some(*code),
        _ => None,
    }
}

/// The bad client gets `Error{code}` and is closed; the bystander sees `NodeLeft` and still works.
fn assert_kicked(bad: &mut RawConn, bystander: &mut RawConn, code: ErrorCode) -> String {
    let m = bad.expect("an Error frame", |m| error_code(m).is_some());
    assert_eq!(error_code(&m), Some(code), "{m:?}");
    assert!(bad.closed(), "connection must be closed after the error");
    if bad.client_id != 0 {
        bystander.expect(
            "NodeLeft",
            |m| matches!(m, Message::NodeLeft { node } if node.id == bad.client_id),
        );
    }
    assert!(bystander.ping_ok(), "other clients carry on");
    match m {
        Message::Error { message, .. } => message,
        _ => unreachable!(),
    }
}

/// `LockRequest` for a write lock (`timeout_ms`: -1 block, 0 try, >0 wait up to).
fn write_lock(req_id: u64, lock: &LockId, timeout_ms: i64) -> Message {
    Message::LockRequest {
        req_id,
        lock: lock.clone(),
        level: LockLevel::Write,
        timeout_ms,
    }
}

fn oid(n: u64) -> ObjectId {
    ObjectId(n)
}

fn lease(c: &mut RawConn) -> u64 {
    c.send(&Message::IdLeaseRequest { count: 100 });
    match c.expect("IdLease", |m| matches!(m, Message::IdLease { .. })) {
        Message::IdLease { start, .. } => start,
        _ => unreachable!(),
    }
}

#[test]
fn garbage_bytes_are_refused_and_others_carry_on() {
    let server = ServerProcess::start();
    let mut by = RawConn::hello(server.port, "bystander");
    // An HTTP request is not a frame: its first 4 bytes announce a ~1.2 GB frame.
    let mut bad = RawConn::connect(server.port);
    bad.send_raw(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    let msg = assert_kicked(&mut bad, &mut by, ErrorCode::FrameTooLarge);
    assert!(msg.contains("exceeds the maximum"), "{msg}");
    // A well-sized frame with nonsense inside.
    let mut bad = RawConn::connect(server.port);
    bad.send_raw(&[0, 0, 0, 3, 0x01, 0xff, 0xff]);
    assert_kicked(&mut bad, &mut by, ErrorCode::Malformed);
    // An empty frame.
    let mut bad = RawConn::connect(server.port);
    bad.send_raw(&[0, 0, 0, 0]);
    assert_kicked(&mut bad, &mut by, ErrorCode::Malformed);
    assert!(server
        .log()
        .contains("closing connection after protocol error"));
}

#[test]
fn frame_over_maximum_is_refused() {
    let server = ServerProcess::start();
    let mut by = RawConn::hello(server.port, "bystander");
    let mut bad = RawConn::hello(server.port, "big");
    let len: u32 = 16 * 1024 * 1024 + 1;
    bad.send_raw(&len.to_be_bytes());
    bad.send_raw(&[0x08; 1024]);
    let msg = assert_kicked(&mut bad, &mut by, ErrorCode::FrameTooLarge);
    assert!(msg.contains("16777217"), "{msg}");
}

#[test]
fn unknown_message_type_is_refused() {
    let server = ServerProcess::start();
    let mut by = RawConn::hello(server.port, "bystander");
    let mut bad = RawConn::hello(server.port, "unknown");
    bad.send_raw(&[0, 0, 0, 1, 0x3a]);
    let msg = assert_kicked(&mut bad, &mut by, ErrorCode::UnknownMessage);
    assert!(msg.contains("0x3a"), "{msg}");
}

#[test]
fn wrong_protocol_version_is_refused() {
    let server = ServerProcess::start();
    let mut by = RawConn::hello(server.port, "bystander");
    let mut bad = RawConn::connect(server.port);
    bad.send(&Message::Hello {
        protocol_version: 99,
        client_name: "old".into(),
        pid: 1,
        reconnect: None,
    });
    let msg = assert_kicked(&mut bad, &mut by, ErrorCode::VersionMismatch);
    assert!(msg.contains("99") && msg.contains("version 1"), "{msg}");
}

#[test]
fn message_before_hello_is_out_of_order() {
    let server = ServerProcess::start();
    let mut by = RawConn::hello(server.port, "bystander");
    let mut bad = RawConn::connect(server.port);
    bad.send(&Message::ListRoots { req_id: 1 });
    let msg = assert_kicked(&mut bad, &mut by, ErrorCode::OutOfOrder);
    assert!(msg.contains("Hello"), "{msg}");
}

#[test]
fn release_of_lock_not_held_is_out_of_order() {
    let server = ServerProcess::start();
    let mut by = RawConn::hello(server.port, "bystander");
    let mut bad = RawConn::hello(server.port, "releaser");
    bad.send(&Message::LockRelease {
        lock: LockId::Named("never-taken".into()),
    });
    let msg = assert_kicked(&mut bad, &mut by, ErrorCode::OutOfOrder);
    assert!(msg.contains("does not hold"), "{msg}");
}

#[test]
fn server_to_client_message_from_client_is_out_of_order() {
    let server = ServerProcess::start();
    let mut by = RawConn::hello(server.port, "bystander");
    let mut bad = RawConn::hello(server.port, "confused");
    bad.send(&Message::BatchAck {
        upto_seq: 1,
        gtx: 1,
    });
    assert_kicked(&mut bad, &mut by, ErrorCode::OutOfOrder);
}

#[test]
fn delta_for_unknown_object_rejects_the_whole_transaction() {
    let server = ServerProcess::start();
    let mut by = RawConn::hello(server.port, "bystander");
    let mut bad = RawConn::hello(server.port, "bad-txn");
    let base = lease(&mut bad);
    // Txn 1 is fine and commits. Txn 2 creates an object and changes an unknown one: all of txn 2
    // must vanish.
    let good = Txn {
        seq: 1,
        new_objects: vec![(oid(base), ObjectState::map())],
        ..Default::default()
    };
    let partial = Txn {
        seq: 2,
        new_objects: vec![(oid(base + 1), ObjectState::list())],
        deltas: vec![
            Delta {
                oid: oid(base),
                ops: vec![DeltaOp::Put {
                    key: "k".into(),
                    value: "v".into(),
                }],
            },
            Delta {
                oid: oid(999_999),
                ops: vec![DeltaOp::Clear],
            },
        ],
        ..Default::default()
    };
    bad.send(&Message::TxnBatch {
        txns: vec![good, partial],
    });
    bad.expect("BatchAck for txn 1", |m| {
        matches!(m, Message::BatchAck { upto_seq: 1, .. })
    });
    let msg = assert_kicked(&mut bad, &mut by, ErrorCode::UnknownObject);
    assert!(msg.contains("999999"), "{msg}");
    // The bystander sees the map of txn 1, empty (the put of txn 2 was undone), and no list.
    by.send(&Message::Fault {
        req_id: 7,
        oids: vec![oid(base), oid(base + 1)],
        budget: 10,
    });
    match by.expect("FaultReply", |m| matches!(m, Message::FaultReply { .. })) {
        Message::FaultReply {
            objects, missing, ..
        } => {
            assert_eq!(objects.len(), 1);
            assert!(
                objects[0].state.data.is_empty(),
                "partial transaction visible: {:?}",
                objects[0]
            );
            assert_eq!(missing, vec![oid(base + 1)]);
        }
        _ => unreachable!(),
    }
    assert_eq!(server.status()["objects"], 1);
}

#[test]
fn bad_operation_rejects_the_whole_transaction() {
    let server = ServerProcess::start();
    let mut by = RawConn::hello(server.port, "bystander");
    let mut bad = RawConn::hello(server.port, "bad-op");
    let base = lease(&mut bad);
    let t = Txn {
        seq: 1,
        new_objects: vec![(oid(base), ObjectState::list())],
        deltas: vec![],
        ..Default::default()
    };
    bad.send(&Message::TxnBatch { txns: vec![t] });
    bad.expect("BatchAck", |m| matches!(m, Message::BatchAck { .. }));
    let t = Txn {
        seq: 2,
        deltas: vec![Delta {
            oid: oid(base),
            ops: vec![
                DeltaOp::Add {
                    value: Value::I32(1),
                },
                DeltaOp::RemoveAt { index: 5 },
            ],
        }],
        ..Default::default()
    };
    bad.send(&Message::TxnBatch { txns: vec![t] });
    let msg = assert_kicked(&mut bad, &mut by, ErrorCode::BadOperation);
    assert!(msg.contains("out of bounds"), "{msg}");
    by.send(&Message::Fault {
        req_id: 1,
        oids: vec![oid(base)],
        budget: 1,
    });
    match by.expect("FaultReply", |m| matches!(m, Message::FaultReply { .. })) {
        Message::FaultReply { objects, .. } => {
            assert!(objects[0].state.data.is_empty(), "add was not undone")
        }
        _ => unreachable!(),
    }
}

#[test]
fn client_vanishing_mid_transaction_leaves_nothing_partial_and_frees_its_lock() {
    let server = ServerProcess::start();
    let mut by = RawConn::hello(server.port, "bystander");
    let mut bad = RawConn::hello(server.port, "vanisher");
    let lock = LockId::Named("L".into());
    bad.send(&write_lock(1, &lock, -1));
    bad.expect("award", |m| matches!(m, Message::LockAward { .. }));
    let base = lease(&mut bad);
    let t = Txn {
        seq: 1,
        new_objects: vec![(oid(base), ObjectState::map())],
        ..Default::default()
    };
    let bytes = frame::to_bytes(&Message::TxnBatch { txns: vec![t] });
    bad.send_raw(&bytes[..bytes.len() / 2]);
    by.send(&write_lock(1, &lock, -1));
    std::thread::sleep(Duration::from_millis(100));
    drop(bad);
    by.expect("the vanished client's lock", |m| {
        matches!(m, Message::LockAward { .. })
    });
    assert_eq!(
        server.status()["objects"],
        0,
        "half a transaction was applied"
    );
}

#[test]
fn lock_handoff_delivers_deltas_before_the_award() {
    let server = ServerProcess::start();
    let mut a = RawConn::hello(server.port, "a");
    let mut b = RawConn::hello(server.port, "b");
    a.expect("NodeJoined of b", |m| {
        matches!(m, Message::NodeJoined { .. })
    });
    let lock = LockId::Named("counter".into());
    a.send(&write_lock(1, &lock, -1));
    a.expect("award", |m| matches!(m, Message::LockAward { .. }));
    let base = lease(&mut a);
    let mut st = ObjectState::physical("kiln.Counter");
    let _ = st.apply(&DeltaOp::SetField {
        class: "kiln.Counter".into(),
        name: "value".into(),
        value: Value::I64(0),
    });
    a.send(&Message::TxnBatch {
        txns: vec![Txn {
            seq: 1,
            new_objects: vec![(oid(base), st)],
            ..Default::default()
        }],
    });
    a.send(&Message::RootCreate {
        req_id: 2,
        name: "counter".into(),
        value: Value::Ref(oid(base)),
        replace: false,
    });
    a.expect("RootValue", |m| matches!(m, Message::RootValue { .. }));
    // b faults the counter in (resident), then asks for the lock: a is recalled.
    b.send(&Message::Fault {
        req_id: 1,
        oids: vec![oid(base)],
        budget: 5,
    });
    b.expect("FaultReply", |m| matches!(m, Message::FaultReply { .. }));
    b.send(&write_lock(9, &lock, -1));
    a.expect("recall", |m| matches!(m, Message::LockRecall { .. }));
    let set = DeltaOp::SetField {
        class: "kiln.Counter".into(),
        name: "value".into(),
        value: Value::I64(1),
    };
    a.send(&Message::TxnBatch {
        txns: vec![Txn {
            seq: 2,
            deltas: vec![Delta {
                oid: oid(base),
                ops: vec![set],
            }],
            ..Default::default()
        }],
    });
    a.send(&Message::RecallCommit { lock: lock.clone() });
    let first = b.expect("deltas or award", |m| {
        matches!(m, Message::Deltas { .. } | Message::LockAward { .. })
    });
    assert!(
        matches!(first, Message::Deltas { .. }),
        "award overtook the deltas: {first:?}"
    );
    let award = b.expect("award", |m| matches!(m, Message::LockAward { .. }));
    let Message::LockAward { token, .. } = award else {
        unreachable!()
    };
    assert!(token >= 2, "fencing tokens increase");
    a.expect("BatchAck 2", |m| {
        matches!(m, Message::BatchAck { upto_seq: 2, .. })
    });
}

#[test]
fn try_lock_times_out_and_timed_wait_expires() {
    let server = ServerProcess::start();
    let mut a = RawConn::hello(server.port, "a");
    let mut b = RawConn::hello(server.port, "b");
    let lock = LockId::Named("t".into());
    a.send(&write_lock(1, &lock, -1));
    a.expect("award", |m| matches!(m, Message::LockAward { .. }));
    b.send(&write_lock(2, &lock, 0));
    b.expect("try failed", |m| {
        matches!(m, Message::LockTimeout { req_id: 2, .. })
    });
    let t0 = std::time::Instant::now();
    b.send(&write_lock(3, &lock, 150));
    b.expect("timed try failed", |m| {
        matches!(m, Message::LockTimeout { req_id: 3, .. })
    });
    assert!(t0.elapsed() >= Duration::from_millis(140));
    a.send(&Message::Wait {
        waiter_id: 5,
        lock: lock.clone(),
        timeout_ms: 100,
    });
    a.expect("timed out", |m| {
        matches!(
            m,
            Message::WaitDone {
                waiter_id: 5,
                reason: kiln_protocol::WakeReason::TimedOut
            }
        )
    });
}

#[test]
fn membership_events_on_connect_and_disconnect() {
    let server = ServerProcess::start();
    let mut a = RawConn::hello(server.port, "a");
    let b = RawConn::hello(server.port, "b");
    let joined = a.expect("NodeJoined", |m| matches!(m, Message::NodeJoined { .. }));
    let Message::NodeJoined { node } = joined else {
        unreachable!()
    };
    assert_eq!(node.name, "b");
    assert_eq!(node.id, b.client_id);
    drop(b);
    a.expect(
        "NodeLeft",
        |m| matches!(m, Message::NodeLeft { node } if node.name == "b"),
    );
    server.wait_status("one client", |s| s["clients"] == 1);
}

#[test]
fn metrics_and_status_report_work() {
    let server = ServerProcess::start();
    let mut a = RawConn::hello(server.port, "a");
    let base = lease(&mut a);
    a.send(&Message::TxnBatch {
        txns: vec![Txn {
            seq: 1,
            new_objects: vec![(oid(base), ObjectState::map())],
            ..Default::default()
        }],
    });
    a.expect("ack", |m| matches!(m, Message::BatchAck { .. }));
    let s = server.status();
    assert_eq!(s["state"], "ACTIVE-COORDINATOR");
    assert_eq!(s["server"], "test");
    assert_eq!(s["txns_committed"], 1);
    let m = server.metrics();
    assert!(m.contains("kiln_transactions_committed_total 1"), "{m}");
    assert!(m.contains("kiln_clients_connected 1"), "{m}");
}

#[test]
fn huge_fault_budget_never_produces_an_oversize_frame() {
    let server = ServerProcess::start();
    let mut w = RawConn::hello(server.port, "writer");
    w.send(&Message::IdLeaseRequest { count: 1000 });
    let base = match w.expect("IdLease", |m| matches!(m, Message::IdLease { .. })) {
        Message::IdLease { start, .. } => start,
        _ => unreachable!(),
    };
    // A chain of 400 objects of 64 KiB each (25 MiB), sent in batches under the frame maximum,
    // back to front so that every `next` reference resolves when its batch arrives.
    let n = 400u64;
    for chunk in (0..4u64).rev() {
        let mut new_objects = Vec::new();
        for i in chunk * 100..(chunk + 1) * 100 {
            let mut st = ObjectState::physical("Blob");
            let next = if i + 1 < n {
                Value::Ref(oid(base + i + 1))
            } else {
                Value::Null
            };
            for (name, value) in [("data", Value::Bytes(vec![7; 64 * 1024])), ("next", next)] {
                let _ = st.apply(&DeltaOp::SetField {
                    class: "Blob".into(),
                    name: name.into(),
                    value,
                });
            }
            new_objects.push((oid(base + i), st));
        }
        let seq = 4 - chunk;
        w.send(&Message::TxnBatch {
            txns: vec![Txn {
                seq,
                new_objects,
                ..Default::default()
            }],
        });
        w.expect(
            "ack",
            |m| matches!(m, Message::BatchAck { upto_seq, .. } if *upto_seq == seq),
        );
    }
    let mut r = RawConn::hello(server.port, "reader");
    r.send(&Message::Fault {
        req_id: 1,
        oids: vec![oid(base)],
        budget: u32::MAX,
    });
    match r.expect("FaultReply", |m| matches!(m, Message::FaultReply { .. })) {
        Message::FaultReply {
            objects, missing, ..
        } => {
            assert!(missing.is_empty());
            assert_eq!(
                objects[0].oid,
                oid(base),
                "the requested object comes first"
            );
            assert!(
                objects.len() > 1 && objects.len() < 400,
                "prefetch capped by size: {}",
                objects.len()
            );
        }
        _ => unreachable!(),
    }
}

#[test]
fn client_that_stops_reading_is_dropped_and_its_lock_freed() {
    let props = r#"<property name="l2.healthcheck.l1.ping.idletime" value="300"/>
    <property name="l2.healthcheck.l1.ping.interval" value="100"/>
    <property name="l2.healthcheck.l1.ping.probes" value="3"/>"#;
    let server = ServerProcess::start_with(props);
    let mut w = RawConn::hello(server.port, "writer");
    let base = lease(&mut w);
    let x = oid(base);
    w.send(&Message::TxnBatch {
        txns: vec![Txn {
            seq: 1,
            new_objects: vec![(x, ObjectState::physical("Blob"))],
            ..Default::default()
        }],
    });
    w.expect("ack", |m| matches!(m, Message::BatchAck { .. }));
    // The frozen client: holds lock L, has X resident, then never reads again.
    let mut frozen = RawConn::hello(server.port, "frozen");
    let lock = LockId::Named("L".into());
    frozen.send(&write_lock(1, &lock, -1));
    frozen.expect("award", |m| matches!(m, Message::LockAward { .. }));
    frozen.send(&Message::Fault {
        req_id: 2,
        oids: vec![x],
        budget: 1,
    });
    frozen.expect("fault reply", |m| matches!(m, Message::FaultReply { .. }));
    // Flood it with ~25 MB of deltas for X: its socket buffers fill and the server's writes block.
    let mut seq = 1;
    for _ in 0..8 {
        let txns = (0..50)
            .map(|_| {
                seq += 1;
                let op = DeltaOp::SetField {
                    class: "Blob".into(),
                    name: "data".into(),
                    value: Value::Bytes(vec![1; 64 * 1024]),
                };
                Txn {
                    seq,
                    deltas: vec![Delta {
                        oid: x,
                        ops: vec![op],
                    }],
                    ..Default::default()
                }
            })
            .collect();
        w.send(&Message::TxnBatch { txns });
    }
    // Another client wants L: it must get it once the frozen client is declared dead.
    let mut b = RawConn::hello(server.port, "b");
    let t0 = std::time::Instant::now();
    b.send(&write_lock(1, &lock, -1));
    // b answers the server's health-check pings while it waits, as a real client does.
    loop {
        match b.recv_timeout(Duration::from_secs(5)) {
            Some(Message::Ping { nonce }) => b.send(&Message::Pong { nonce }),
            Some(Message::LockAward { .. }) => break,
            Some(_) => {}
            None => panic!("no award within 5 s; server log:\n{}", server.log()),
        }
    }
    assert!(
        t0.elapsed() < Duration::from_secs(5),
        "took {:?}",
        t0.elapsed()
    );
    let log = server.log();
    assert!(
        log.contains("client did not read for"),
        "dropped for another reason:\n{log}"
    );
    drop(frozen);
}

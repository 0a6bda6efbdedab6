//! Epoch fencing (issue #11, item 5): an active frozen (SIGSTOP) past the L2→L2 HealthChecker
//! time is replaced by its standby in a newer epoch; after SIGCONT it learns of the newer term
//! before acknowledging anything more: a transaction it received while frozen is neither
//! acknowledged nor visible anywhere, its client is told it was deposed, and it comes back as a
//! passive of the new active with the new active's graph.
#![allow(clippy::unwrap_used)]

mod common_ha;

use std::time::{Duration, Instant};

use common_ha::Group;
use kiln_integration::RawConn;
use kiln_protocol::{DeltaOp, ErrorCode, Message, ObjectId, ObjectState, Txn, Value};

const T: Duration = Duration::from_secs(20);

const FAST_HC: &str = r#"<property name="l2.healthcheck.l2.ping.idletime" value="500"/>
<property name="l2.healthcheck.l2.ping.interval" value="100"/>
<property name="l2.healthcheck.l2.ping.probes" value="3"/>"#;

fn wait_standby_synced(g: &Group, passive: usize, active: usize) {
    g.wait_state(passive, "PASSIVE-STANDBY", T);
    let deadline = Instant::now() + T;
    loop {
        let s = g.status(active).expect("active status");
        if s["ha"]["passives"]
            .as_array()
            .is_some_and(|p| p.iter().any(|x| x["state"] == "PASSIVE-STANDBY"))
        {
            return;
        }
        assert!(Instant::now() < deadline, "no standby: {s}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn counter(v: i64) -> ObjectState {
    let mut st = ObjectState::physical("kiln.Counter");
    let _ = st.apply(&DeltaOp::SetField {
        class: "kiln.Counter".into(),
        name: "value".into(),
        value: Value::I64(v),
    });
    st
}

fn create(c: &mut RawConn, seq: u64, oid: u64) {
    c.send(&Message::TxnBatch {
        txns: vec![Txn {
            seq,
            new_objects: vec![(ObjectId(oid), counter(seq as i64))],
            ..Default::default()
        }],
    });
}

fn is_ack_of(m: &Message, seq: u64) -> bool {
    match m {
        Message::BatchAck { upto_seq, .. } => *upto_seq >= seq,
        Message::CommitAck { seq: s, .. } => *s >= seq,
        _ => false,
    }
}

#[test]
fn a_deposed_active_acknowledges_nothing_and_rejoins_as_passive() {
    deposed_active(false);
}

#[test]
fn a_deposed_persistent_active_acknowledges_nothing_and_rejoins_as_passive() {
    deposed_active(true);
}

fn deposed_active(persistent: bool) {
    let mut g = Group::with_props(2, persistent, 1, 30, FAST_HC);
    g.start(0);
    g.wait_state(0, "ACTIVE-COORDINATOR", T);
    g.start(1);
    wait_standby_synced(&g, 1, 0);
    let old_epoch = g.status(0).unwrap()["epoch"].as_u64().unwrap();

    let mut c = RawConn::hello(g.members[0].dso_port, "late-writer");
    c.send(&Message::IdLeaseRequest { count: 100 });
    let base = match c.expect("IdLease", |m| matches!(m, Message::IdLease { .. })) {
        Message::IdLease { start, .. } => start,
        _ => unreachable!(),
    };
    create(&mut c, 1, base);
    c.expect("ack of txn 1", |m| is_ack_of(m, 1));

    // Freeze the active past the health-check time: the standby takes over in a newer epoch.
    g.signal(0, "-STOP");
    g.wait_state(1, "ACTIVE-COORDINATOR", T);
    let new_epoch = g.status(1).unwrap()["epoch"].as_u64().unwrap();
    assert!(new_epoch > old_epoch, "{new_epoch} > {old_epoch}");
    // A transaction reaches the frozen (deposed) active.
    create(&mut c, 2, base + 1);
    g.signal(0, "-CONT");

    let deadline = Instant::now() + Duration::from_secs(10);
    let mut told = None;
    while Instant::now() < deadline {
        match c.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
            Some(m) if is_ack_of(&m, 2) => panic!("the deposed active acknowledged txn 2: {m:?}"),
            Some(Message::Error {
                code: ErrorCode::ShuttingDown,
                message,
            }) => told = Some(message),
            Some(_) => {}
            None => break,
        }
        if told.is_some() {
            // Anything after the Error must not be an acknowledgement either.
            while let Some(m) = c.recv_timeout(Duration::from_millis(500)) {
                assert!(!is_ack_of(&m, 2), "acknowledged after the Error: {m:?}");
            }
            break;
        }
    }
    let told = told.expect("the deposed active tells its client");
    assert!(told.contains("deposed"), "{told}");
    assert!(g.log(0).contains("stepping down"), "{}", g.log(0));

    // The old active rejoins as a passive of the new one, with its graph.
    g.wait_state(0, "PASSIVE-STANDBY", T);
    assert_eq!(g.state(1).as_deref(), Some("ACTIVE-COORDINATOR"));
    let d1 = g.digest(1);
    assert_eq!(d1["objects"], 1, "txn 1 only (txn 2 is not visible): {d1}");
    assert_eq!(g.digest(0)["digest"], d1["digest"]);
}

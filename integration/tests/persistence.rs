//! Persistence (`permanent-store`) of the real `kiln-server` binary on a real disk, driven with
//! raw protocol clients: `kill -9` under load loses no acknowledged transaction and applies none
//! by half; a clean restart reloads a million objects bit for bit; the reconnect window restores
//! locks and holds new clients back; a data directory is never shared; a full disk rejects
//! transactions (`TxnRejected`) without hanging or disconnecting and recovers; the distributed GC
//! removes only unreachable, non-resident objects, durably; a foreign or somebody else's data
//! directory is never written into.
//!
//! `KILN_SOAK_ROUNDS` sets the rounds of the `kill -9` test (default 20); `KILN_SOAK_SEED` fixes
//! its random kill moments. `scripts/soak-persistence.sh` runs it with many rounds.
#![allow(clippy::unwrap_used)]

use std::collections::{BTreeSet, HashMap};
use std::io::Write as _;
use std::path::Path;
use std::process::Command;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use kiln_integration::{binary, http, RawConn, ServerOptions, ServerProcess, TempDir};
use kiln_protocol::{
    frame, Delta, DeltaOp, ErrorCode, FaultedObject, Field, LockId, LockLevel, Message, ObjectData,
    ObjectId, ObjectState, Reconnect, Txn, Value, PROTOCOL_VERSION, TXN_FLAG_SYNC,
};

// ------------------------------------------------------------------------------------ helpers

/// Options of a persistent server with a reconnect window of `window` seconds.
fn persistent(window: u64) -> ServerOptions {
    ServerOptions {
        persistent: true,
        reconnect_window_secs: Some(window),
        ..ServerOptions::default()
    }
}

/// Leases `count` object ids; returns the first.
fn lease(c: &mut RawConn, count: u64) -> u64 {
    c.send(&Message::IdLeaseRequest { count });
    match c.expect("IdLease", |m| matches!(m, Message::IdLease { .. })) {
        Message::IdLease { start, count: got } => {
            assert_eq!(got, count, "lease of {count} ids");
            start
        }
        _ => unreachable!(),
    }
}

/// Sends `txns` and waits for the `BatchAck` of the last one; panics on a refusal. Returns the gtx.
fn commit(c: &mut RawConn, txns: Vec<Txn>) -> u64 {
    let last = txns.last().expect("at least one txn").seq;
    c.send(&Message::TxnBatch { txns });
    match c.expect(&format!("BatchAck of txn {last}"), |m| {
        matches!(m, Message::BatchAck { upto_seq, .. } if *upto_seq >= last)
            || matches!(m, Message::TxnRejected { .. } | Message::Error { .. })
    }) {
        Message::BatchAck { gtx, .. } => gtx,
        other => panic!("txn {last} was not committed: {other:?}"),
    }
}

/// Sends `txns` and expects them to be rejected with `StorageUnavailable`; returns the message.
fn rejected(c: &mut RawConn, txns: Vec<Txn>) -> String {
    let (first, last) = (txns[0].seq, txns.last().unwrap().seq);
    c.send(&Message::TxnBatch { txns });
    match c.expect(&format!("TxnRejected of txns {first}..={last}"), |m| {
        matches!(
            m,
            Message::TxnRejected { .. } | Message::BatchAck { .. } | Message::Error { .. }
        )
    }) {
        Message::TxnRejected {
            from_seq,
            upto_seq,
            code,
            message,
        } => {
            assert_eq!((from_seq, upto_seq), (first, last), "{message}");
            assert_eq!(code, ErrorCode::StorageUnavailable, "{message}");
            message
        }
        other => panic!("txns {first}..={last} were expected to be rejected, got {other:?}"),
    }
}

static REQ: AtomicU64 = AtomicU64::new(1_000);

/// Faults `oids` (no prefetch beyond them); returns the objects by id and the missing ids.
fn fault(c: &mut RawConn, oids: &[ObjectId]) -> (HashMap<ObjectId, FaultedObject>, Vec<ObjectId>) {
    let req = REQ.fetch_add(1, Ordering::Relaxed);
    c.send(&Message::Fault {
        req_id: req,
        oids: oids.to_vec(),
        budget: u32::try_from(oids.len()).unwrap(),
    });
    match c.expect(
        "FaultReply",
        |m| matches!(m, Message::FaultReply { req_id, .. } if *req_id == req),
    ) {
        Message::FaultReply {
            objects, missing, ..
        } => (objects.into_iter().map(|o| (o.oid, o)).collect(), missing),
        _ => unreachable!(),
    }
}

/// The single object `oid` (panics when missing).
fn fault_one(c: &mut RawConn, oid: ObjectId) -> FaultedObject {
    let (mut objs, missing) = fault(c, &[oid]);
    assert!(missing.is_empty(), "object {oid} is missing");
    objs.remove(&oid).unwrap()
}

fn root(c: &mut RawConn, name: &str, oid: ObjectId) {
    let req = REQ.fetch_add(1, Ordering::Relaxed);
    c.send(&Message::RootCreate {
        req_id: req,
        name: name.into(),
        value: Value::Ref(oid),
        replace: false,
    });
    match c.expect("RootValue", |m| {
        matches!(m, Message::RootValue { req_id, .. } if *req_id == req)
            || matches!(m, Message::Error { .. })
    }) {
        Message::RootValue { value, .. } => assert_eq!(value, Some(Value::Ref(oid))),
        other => panic!("root '{name}' not bound: {other:?}"),
    }
}

fn root_value(c: &mut RawConn, name: &str) -> Option<Value> {
    let req = REQ.fetch_add(1, Ordering::Relaxed);
    c.send(&Message::RootLookup {
        req_id: req,
        name: name.into(),
    });
    match c.expect(
        "RootValue",
        |m| matches!(m, Message::RootValue { req_id, .. } if *req_id == req),
    ) {
        Message::RootValue { value, .. } => value,
        _ => unreachable!(),
    }
}

fn map_keys(o: &FaultedObject) -> Vec<Value> {
    match &o.state.data {
        ObjectData::Map(m) => m.keys().cloned().collect(),
        other => panic!("object {} is not a map: {other:?}", o.oid),
    }
}

fn list_elems(o: &FaultedObject) -> Vec<Value> {
    match &o.state.data {
        ObjectData::List(l) => l.clone(),
        other => panic!("object {} is not a list: {other:?}", o.oid),
    }
}

fn put(oid: ObjectId, key: impl Into<Value>, value: impl Into<Value>) -> Delta {
    Delta {
        oid,
        ops: vec![DeltaOp::Put {
            key: key.into(),
            value: value.into(),
        }],
    }
}

fn add(oid: ObjectId, value: impl Into<Value>) -> Delta {
    Delta {
        oid,
        ops: vec![DeltaOp::Add {
            value: value.into(),
        }],
    }
}

fn str_list(items: &[&str]) -> ObjectState {
    let mut s = ObjectState::list();
    s.data = ObjectData::List(items.iter().map(|i| Value::from(*i)).collect());
    s
}

fn write_lock(req_id: u64, lock: &LockId) -> Message {
    Message::LockRequest {
        req_id,
        lock: lock.clone(),
        level: LockLevel::Write,
        timeout_ms: -1,
    }
}

/// Sends `Hello` with `reconnect` on a fresh connection; returns the connection and the first
/// answer (`Welcome` or `Error`).
fn hello_reconnect(
    port: u16,
    name: &str,
    client_id: u64,
    last_acked_seq: u64,
) -> (RawConn, Message) {
    let mut c = RawConn::connect(port);
    c.send(&Message::Hello {
        protocol_version: PROTOCOL_VERSION,
        client_name: name.into(),
        pid: std::process::id(),
        reconnect: Some(Reconnect {
            client_id,
            last_acked_seq,
        }),
    });
    let m = c.recv().expect("an answer to the reconnect Hello");
    if let Message::Welcome { client_id, .. } = &m {
        c.client_id = *client_id;
        c.expect("Membership", |m| matches!(m, Message::Membership { .. }));
    }
    (c, m)
}

/// Reconnects as `client_id`, re-asserts nothing but `resident`/`locks`, returns the connection
/// and `Resumed.stale`.
fn reconnect_and_reassert(
    port: u16,
    client_id: u64,
    last_acked_seq: u64,
    resident: Vec<(ObjectId, u64)>,
    locks: Vec<(LockId, LockLevel)>,
) -> (RawConn, u64, Vec<ObjectId>) {
    let (mut c, m) = hello_reconnect(port, "returning", client_id, last_acked_seq);
    let Message::Welcome { client_id: id, .. } = m else {
        panic!("reconnect of client {client_id} refused: {m:?}");
    };
    assert_eq!(id, client_id, "a returning client keeps its id");
    c.send(&Message::Reassert {
        resident,
        locks,
        waiters: vec![],
    });
    match c.expect("Resumed", |m| {
        matches!(m, Message::Resumed { .. } | Message::Error { .. })
    }) {
        Message::Resumed { gtx, stale } => (c, gtx, stale),
        other => panic!("Reassert refused: {other:?}"),
    }
}

/// True while the server process runs.
fn running(s: &mut ServerProcess) -> bool {
    s.wait_exit(Duration::ZERO);
    s.pid().is_some()
}

/// Waits (bounded) until the server log contains `needle`; returns the last line holding it.
fn wait_log_line(s: &ServerProcess, needle: &str, timeout: Duration) -> String {
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(l) = s.log().lines().rev().find(|l| l.contains(needle)) {
            return l.to_owned();
        }
        assert!(
            Instant::now() < deadline,
            "no log line with '{needle}' within {timeout:?}; log:\n{}",
            s.log()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The value of `key=...` in a tracing log line (quotes stripped).
fn log_field<'a>(line: &'a str, key: &str) -> Option<&'a str> {
    let pat = format!(" {key}=");
    let at = line.find(&pat)? + pat.len();
    line[at..]
        .split_whitespace()
        .next()
        .map(|v| v.trim_matches('"'))
}

fn digest(s: &ServerProcess) -> serde_json::Value {
    serde_json::from_str(&http(s.jmx_port, "GET", "/digest")).expect("digest JSON")
}

/// Replaces the text between `<tag>` and `</tag>` in a config file.
fn set_config_element(config: &Path, tag: &str, value: &str) {
    let xml = std::fs::read_to_string(config).unwrap();
    let open = format!("<{tag}>");
    let close = format!("</{tag}>");
    let a = xml.find(&open).unwrap() + open.len();
    let b = xml[a..].find(&close).unwrap() + a;
    let new = format!("{}{value}{}", &xml[..a], &xml[b..]);
    std::fs::write(config, new).unwrap();
}

/// A small xorshift generator (the workspace has no `rand`); the seed is printed.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n.max(1)
    }
}

fn seed() -> u64 {
    std::env::var("KILN_SOAK_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos() as u64)
                .unwrap_or(42)
        })
        | 1
}

// ------------------------------------------------------------------- 1. kill -9 under load

const COUNTER: &str = "Counter";

fn counter_state() -> ObjectState {
    ObjectState {
        class: COUNTER.into(),
        data: ObjectData::Physical(vec![Field {
            class: COUNTER.into(),
            name: "n".into(),
            value: Value::I64(0),
        }]),
    }
}

/// Txn `seq` of a writer: map[i] = i and counter = i, atomically, acknowledged with `CommitAck`.
fn step(seq: u64, i: i64, map: ObjectId, ctr: ObjectId) -> Txn {
    Txn {
        seq,
        flags: TXN_FLAG_SYNC,
        deltas: vec![
            put(map, i, i),
            Delta {
                oid: ctr,
                ops: vec![DeltaOp::SetField {
                    class: COUNTER.into(),
                    name: "n".into(),
                    value: Value::I64(i),
                }],
            },
        ],
        ..Txn::default()
    }
}

/// What a writer saw before the server died.
#[derive(Debug)]
struct WriterEnd {
    client_id: u64,
    /// Highest seq acknowledged (`CommitAck` / `BatchAck`).
    acked: u64,
    /// Highest seq sent.
    sent: u64,
    /// Anything that must not happen (rejections, errors).
    problems: Vec<String>,
}

/// Writes `step` txns (seq 1.. carrying i = `first_i` + seq - 1) with up to 24 in flight, in
/// batches of 1-4, until the connection dies.
fn writer(
    port: u16,
    map: ObjectId,
    ctr: ObjectId,
    first_i: i64,
    seed: u64,
    ready: mpsc::Sender<()>,
) -> WriterEnd {
    let mut c = RawConn::hello(port, "writer");
    let _ = ready.send(());
    let mut rng = Rng(seed);
    let mut end = WriterEnd {
        client_id: c.client_id,
        acked: 0,
        sent: 0,
        problems: Vec::new(),
    };
    let give_up = Instant::now() + Duration::from_secs(20);
    loop {
        while end.sent - end.acked < 24 {
            let n = 1 + rng.below(4);
            let txns = (end.sent + 1..=end.sent + n)
                .map(|s| step(s, first_i + s as i64 - 1, map, ctr))
                .collect();
            if c.stream
                .write_all(&frame::to_bytes(&Message::TxnBatch { txns }))
                .is_err()
            {
                return end;
            }
            end.sent += n;
        }
        match c.recv_timeout(Duration::from_secs(5)) {
            None => return end,
            Some(Message::CommitAck { seq, .. }) => end.acked = end.acked.max(seq),
            Some(Message::BatchAck { upto_seq, .. }) => end.acked = end.acked.max(upto_seq),
            Some(m @ (Message::TxnRejected { .. } | Message::Error { .. })) => {
                end.problems.push(format!("{m:?}"));
                return end;
            }
            Some(_) => {}
        }
        if Instant::now() > give_up {
            end.problems
                .push("the writer ran for 20 s: the server was never killed".into());
            return end;
        }
    }
}

/// Checks map = {1..=n} (values = keys) and counter = n; returns n.
fn check_consistent(c: &mut RawConn, map: ObjectId, ctr: ObjectId, round: u32) -> i64 {
    let (objs, missing) = fault(c, &[map, ctr]);
    assert!(missing.is_empty(), "round {round}: lost {missing:?}");
    let m = &objs[&map];
    let ObjectData::Map(entries) = &m.state.data else {
        panic!("map is {:?}", m.state.data)
    };
    let n = i64::try_from(entries.len()).unwrap();
    let keys: BTreeSet<i64> = entries
        .iter()
        .map(|(k, v)| {
            assert_eq!(k, v, "round {round}: map value differs from key");
            k.as_i64().expect("i64 key")
        })
        .collect();
    let expected: BTreeSet<i64> = (1..=n).collect();
    if keys != expected {
        let gaps: Vec<i64> = expected.difference(&keys).take(10).copied().collect();
        panic!("round {round}: map keys are not 1..={n}: missing e.g. {gaps:?}");
    }
    let counter = objs[&ctr]
        .state
        .field(COUNTER, "n")
        .and_then(Value::as_i64)
        .expect("counter field");
    assert_eq!(
        counter, n,
        "round {round}: half-applied transaction: counter {counter} but the map holds 1..={n}"
    );
    n
}

/// `kill -9` at a random moment while a writer has transactions in flight, for
/// `KILN_SOAK_ROUNDS` rounds (default 20): every acknowledged transaction survives, no
/// transaction is half applied, nothing not sent appears. Even rounds check with a new client
/// (which must wait for the reconnect window, as the killed writer is a known client); odd rounds
/// reconnect as the killed writer, re-assert, check, then resend its unacknowledged transactions
/// (exactly once: the durable ones are skipped).
#[test]
fn kill9_under_load_keeps_every_acknowledged_txn() {
    let rounds: u32 = std::env::var("KILN_SOAK_ROUNDS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(20);
    let seed = seed();
    eprintln!("kill -9 test: {rounds} rounds, KILN_SOAK_SEED={seed}");
    let mut rng = Rng(seed);
    let window = 1;
    let mut server = ServerProcess::start_opts(persistent(window));
    let started = Instant::now();
    let (map, ctr) = {
        let mut c = RawConn::hello(server.port, "setup");
        let base = lease(&mut c, 2);
        let (map, ctr) = (ObjectId(base), ObjectId(base + 1));
        commit(
            &mut c,
            vec![Txn {
                seq: 1,
                new_objects: vec![(map, ObjectState::map()), (ctr, counter_state())],
                ..Txn::default()
            }],
        );
        root(&mut c, "kill9-map", map);
        root(&mut c, "kill9-counter", ctr);
        c.send(&Message::Goodbye);
        (map, ctr)
    };
    let mut n: i64 = 0;
    let (mut total_acked, mut total_lost_unacked) = (0u64, 0u64);
    for round in 0..rounds {
        let first_i = n + 1;
        let (tx, rx) = mpsc::channel();
        let port = server.port;
        let wseed = rng.below(u64::MAX) | 1;
        let w = std::thread::spawn(move || writer(port, map, ctr, first_i, wseed, tx));
        rx.recv_timeout(Duration::from_secs(10))
            .expect("the writer connects");
        let delay = Duration::from_millis(rng.below(250));
        std::thread::sleep(delay);
        server.kill();
        let end = w.join().expect("writer thread");
        assert!(end.problems.is_empty(), "round {round}: {:?}", end.problems);
        let last_acked_i = first_i + end.acked as i64 - 1;
        let last_sent_i = first_i + end.sent as i64 - 1;
        let t_restart = Instant::now();
        server.restart();
        let restarted = t_restart.elapsed();
        let variant;
        if round % 2 == 0 {
            variant = String::from("new client after the window");
            let t = Instant::now();
            let mut v = RawConn::hello(server.port, "verifier");
            let waited = t.elapsed();
            assert!(
                waited >= Duration::from_millis(700),
                "round {round}: a new client was welcomed after {waited:?}, inside the {window} s reconnect window"
            );
            n = check_consistent(&mut v, map, ctr, round);
            assert!(
                n >= last_acked_i,
                "round {round}: acknowledged i={last_acked_i} lost, recovered only 1..={n}"
            );
            assert!(n <= last_sent_i, "round {round}: n={n} was never sent");
        } else {
            let mut resent = 0;
            let (mut a, _gtx, stale) = reconnect_and_reassert(
                server.port,
                end.client_id,
                end.acked,
                vec![(map, 0), (ctr, 0)],
                vec![],
            );
            let stale: BTreeSet<ObjectId> = stale.into_iter().collect();
            assert_eq!(stale, BTreeSet::from([map, ctr]), "round {round}");
            let before = check_consistent(&mut a, map, ctr, round);
            assert!(
                before >= last_acked_i && before <= last_sent_i,
                "round {round}: recovered 1..={before}, acked up to {last_acked_i}, sent up to {last_sent_i}"
            );
            if end.sent > end.acked {
                let txns: Vec<Txn> = (end.acked + 1..=end.sent)
                    .map(|s| step(s, first_i + s as i64 - 1, map, ctr))
                    .collect();
                resent = txns.len();
                commit(&mut a, txns);
            }
            n = check_consistent(&mut a, map, ctr, round);
            variant =
                format!("writer reconnected: 1..={before} durable, resent {resent} unacked txns");
            assert_eq!(
                n, last_sent_i,
                "round {round}: after the resend every sent txn is applied exactly once"
            );
            a.send(&Message::Goodbye);
        }
        total_acked += end.acked;
        total_lost_unacked += end.sent - end.acked;
        eprintln!(
            "round {round}: kill -9 after {delay:?}: seq acked {}/{} sent, recovered map 1..={n} ({variant}); listening again {restarted:?} after the kill",
            end.acked, end.sent
        );
    }
    assert!(total_acked > 0, "no transaction was ever acknowledged");
    eprintln!(
        "kill -9 test: {rounds} rounds in {:?}; {total_acked} txns acknowledged, {total_lost_unacked} in flight at kills; final n={n}",
        started.elapsed()
    );
}

// --------------------------------------------------------- 2. clean restart, 1,000,000 objects

/// One small object (~100 bytes encoded).
fn item(k: u64) -> ObjectState {
    const CLASS: &str = "com.acme.Item";
    ObjectState {
        class: CLASS.into(),
        data: ObjectData::Physical(vec![
            Field {
                class: CLASS.into(),
                name: "id".into(),
                value: Value::I64(k as i64),
            },
            Field {
                class: CLASS.into(),
                name: "name".into(),
                value: Value::Str(format!("item-{k:010}-abcdefghijklmn")),
            },
        ]),
    }
}

/// Objects of the clean-restart test: `KILN_PERSIST_OBJECTS`, else 1,000,000 in release builds
/// and 200,000 in debug builds (1M takes ~110 s there: 43 s to create, 56 s to reload).
fn bulk_objects() -> u64 {
    std::env::var("KILN_PERSIST_OBJECTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(if cfg!(debug_assertions) {
            200_000
        } else {
            1_000_000
        })
}

/// A million small objects (in lists of 10,000 under one root; fewer in debug builds, see
/// [`bulk_objects`]) survive a clean stop and restart: same digest, object count and gtx; prints
/// the reload time from the server log.
#[test]
fn clean_restart_reloads_a_million_objects() {
    const PER_TXN: u64 = 10_000;
    const TXNS_PER_BATCH: u64 = 2;
    let total = bulk_objects().div_ceil(PER_TXN).max(1) * PER_TXN;
    let mut server = ServerProcess::start_opts(persistent(1));
    let mut c = RawConn::hello(server.port, "bulk");
    eprintln!("bulk test: {total} objects (KILN_PERSIST_OBJECTS)");
    let base = lease(&mut c, total.min(1_000_000));
    let mut next = base + total.min(1_000_000);
    while next < base + total {
        // Leases are at most 1,000,000 ids; with one client they are contiguous.
        let more = (base + total - next).min(1_000_000);
        assert_eq!(lease(&mut c, more), next, "contiguous leases");
        next += more;
    }
    let extra = lease(&mut c, total / PER_TXN + 1);
    let t0 = Instant::now();
    let lists = total / PER_TXN;
    let mut seq = 0u64;
    let mut batch = Vec::new();
    for l in 0..lists {
        seq += 1;
        let first = base + l * PER_TXN;
        let mut new_objects: Vec<(ObjectId, ObjectState)> = (first..first + PER_TXN)
            .map(|o| (ObjectId(o), item(o - base)))
            .collect();
        let mut list = ObjectState::list();
        list.data = ObjectData::List(
            (first..first + PER_TXN)
                .map(|o| Value::Ref(ObjectId(o)))
                .collect(),
        );
        new_objects.push((ObjectId(extra + l), list));
        batch.push(Txn {
            seq,
            new_objects,
            ..Txn::default()
        });
        if batch.len() as u64 == TXNS_PER_BATCH {
            c.send(&Message::TxnBatch {
                txns: std::mem::take(&mut batch),
            });
        }
    }
    // The top list refers to every list; one root holds it.
    seq += 1;
    let top = ObjectId(extra + lists);
    let mut top_state = ObjectState::list();
    top_state.data = ObjectData::List(
        (0..lists)
            .map(|l| Value::Ref(ObjectId(extra + l)))
            .collect(),
    );
    batch.push(Txn {
        seq,
        new_objects: vec![(top, top_state)],
        ..Txn::default()
    });
    c.send(&Message::TxnBatch { txns: batch });
    // The server may be several batches behind: wait longer than `expect` would.
    let deadline = Instant::now() + Duration::from_secs(300);
    loop {
        match c.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
            Some(Message::BatchAck { upto_seq, .. }) if upto_seq == seq => break,
            Some(m @ (Message::TxnRejected { .. } | Message::Error { .. })) => {
                panic!("bulk load refused: {m:?}")
            }
            Some(_) => {}
            None => panic!("no BatchAck of the bulk load; log:\n{}", server.log()),
        }
    }
    let created = t0.elapsed();
    root(&mut c, "bulk", top);
    c.send(&Message::Goodbye);
    server.wait_status("the bulk client left", |s| s["clients"] == 0);
    let t1 = Instant::now();
    let before = digest(&server);
    let digest_time = t1.elapsed();
    assert_eq!(before["objects"], total + lists + 1, "{before}");
    eprintln!(
        "bulk test: created {} objects in {created:?} ({:.0} objects/s, {} build); /digest took {digest_time:?}: {before}",
        before["objects"],
        before["objects"].as_f64().unwrap() / created.as_secs_f64(),
        if cfg!(debug_assertions) {
            "debug"
        } else {
            "release"
        }
    );
    let t2 = Instant::now();
    let code = server.stop();
    assert_eq!(code, Some(0), "clean stop; log:\n{}", server.log());
    let stopped = t2.elapsed();
    let t3 = Instant::now();
    server.restart();
    let line = wait_log_line(
        &server,
        "store loaded (permanent-store)",
        Duration::from_secs(300),
    );
    let loaded_wall = t3.elapsed();
    let after = digest(&server);
    assert_eq!(
        after["digest"], before["digest"],
        "before {before}, after {after}"
    );
    assert_eq!(after["objects"], before["objects"]);
    assert_eq!(after["gtx"], before["gtx"]);
    assert_eq!(after["roots"], before["roots"]);
    assert_eq!(after["bytes"], before["bytes"]);
    let field = |k: &str| log_field(&line, k).unwrap_or("?").to_owned();
    assert_eq!(field("objects"), (total + lists + 1).to_string(), "{line}");
    eprintln!(
        "bulk test: stop took {stopped:?}; reload: objects={} mb={} secs={} mb_per_sec={} (restart to loaded, wall: {loaded_wall:?})",
        field("objects"),
        field("mb"),
        field("secs"),
        field("mb_per_sec")
    );
    // The graph is usable after the reload.
    let mut v = RawConn::hello(server.port, "after");
    let t = fault_one(&mut v, top);
    assert_eq!(list_elems(&t).len() as u64, lists);
    let one = fault_one(&mut v, ObjectId(base + total - 1));
    assert_eq!(one.state, item(total - 1));
}

// ------------------------------------------------------------------ 3. the reconnect window

/// A client that held a lock and committed before a `kill -9` reconnects with its id, re-asserts
/// the lock and its cache, and resends a transaction it never saw acknowledged (skipped, acked);
/// a new client is welcomed only after that, and its lock request waits for the re-asserted hold.
#[test]
fn reconnect_window_restores_locks_and_holds_back_new_clients() {
    let mut server = ServerProcess::start_opts(persistent(5));
    let lock = LockId::Named("persist-lock".into());
    let mut a = RawConn::hello(server.port, "A");
    let a_id = a.client_id;
    let x = ObjectId(lease(&mut a, 10));
    a.send(&write_lock(1, &lock));
    let Message::LockAward { token: token1, .. } =
        a.expect("LockAward", |m| matches!(m, Message::LockAward { .. }))
    else {
        unreachable!()
    };
    let g1 = commit(
        &mut a,
        vec![Txn {
            seq: 1,
            new_objects: vec![(x, str_list(&["one"]))],
            ..Txn::default()
        }],
    );
    root(&mut a, "x", x);
    let seq2 = Txn {
        seq: 2,
        deltas: vec![add(x, "two")],
        ..Txn::default()
    };
    let g2 = commit(&mut a, vec![seq2.clone()]);
    assert!(g2 > g1);

    server.kill();
    server.restart();
    assert!(a.closed(), "the old connection died with the server");

    // A new client is not welcomed while the window is open.
    let mut b = RawConn::connect(server.port);
    b.send(&Message::Hello {
        protocol_version: PROTOCOL_VERSION,
        client_name: "B".into(),
        pid: std::process::id(),
        reconnect: None,
    });
    let early = b.recv_timeout(Duration::from_millis(800));
    assert!(early.is_none(), "B answered during the window: {early:?}");
    let st = server.status();
    assert!(
        st["reconnect_window"]["waiting_for"]
            .as_array()
            .is_some_and(|w| w.contains(&serde_json::json!(a_id))),
        "{st}"
    );

    // A returns, pretending it never saw the ack of txn 2: its copy of x is at g1.
    let (mut a, m) = hello_reconnect(server.port, "A", a_id, 1);
    let Message::Welcome {
        client_id, epoch, ..
    } = m
    else {
        panic!("reconnect refused: {m:?}")
    };
    assert_eq!(client_id, a_id);
    assert_eq!(epoch, 2, "epoch increments on every start");
    let early = b.recv_timeout(Duration::from_millis(300));
    assert!(early.is_none(), "B welcomed before A's Reassert: {early:?}");
    a.send(&Message::Reassert {
        resident: vec![(x, g1)],
        locks: vec![(lock.clone(), LockLevel::Write)],
        waiters: vec![],
    });
    match a.expect("Resumed", |m| {
        matches!(m, Message::Resumed { .. } | Message::Error { .. })
    }) {
        Message::Resumed { gtx, stale } => {
            assert_eq!(gtx, g2);
            assert_eq!(stale, vec![x], "x changed by the unacknowledged txn 2");
        }
        other => panic!("Reassert refused: {other:?}"),
    }
    assert_eq!(server.status()["locks_held"], 1, "the re-asserted hold");
    // Now B is welcomed.
    match b.expect("Welcome of B", |m| {
        matches!(m, Message::Welcome { .. } | Message::Error { .. })
    }) {
        Message::Welcome { client_id, .. } => {
            assert_ne!(client_id, a_id);
            b.client_id = client_id;
        }
        other => panic!("{other:?}"),
    }
    assert!(server.status()["reconnect_window"].is_null());

    // A resends txn 2: already applied, so acknowledged and skipped.
    a.send(&Message::TxnBatch { txns: vec![seq2] });
    match a.expect("BatchAck of the resent txn", |m| {
        matches!(
            m,
            Message::BatchAck { .. } | Message::TxnRejected { .. } | Message::Error { .. }
        )
    }) {
        Message::BatchAck { upto_seq, gtx } => assert_eq!((upto_seq, gtx), (2, g2)),
        other => panic!("{other:?}"),
    }
    assert_eq!(
        list_elems(&fault_one(&mut b, x)),
        vec![Value::from("one"), Value::from("two")],
        "txn 2 applied exactly once"
    );

    // B asks for the lock A re-asserted: A is recalled, B waits.
    b.send(&write_lock(7, &lock));
    a.expect(
        "LockRecall",
        |m| matches!(m, Message::LockRecall { lock: l, .. } if *l == lock),
    );
    let early = b.recv_timeout(Duration::from_millis(300));
    assert!(
        !matches!(early, Some(Message::LockAward { .. })),
        "B was awarded a lock A holds"
    );
    // A commits under the lock, then gives it back: B gets the change first, then the lock.
    let g3 = commit(
        &mut a,
        vec![Txn {
            seq: 3,
            deltas: vec![add(x, "three")],
            ..Txn::default()
        }],
    );
    a.send(&Message::RecallCommit { lock: lock.clone() });
    let mut saw_delta = false;
    loop {
        match b.recv().expect("Deltas then LockAward") {
            Message::Deltas { gtx, .. } => {
                assert_eq!(gtx, g3);
                saw_delta = true;
            }
            Message::LockAward { req_id, token, .. } => {
                assert_eq!(req_id, 7);
                assert!(saw_delta, "B's LockAward overtook the Deltas of txn 3");
                assert!(token > token1, "fencing tokens increase across restarts");
                assert!(token > 2 << 40, "token {token} not above epoch 2 << 40");
                break;
            }
            _ => {}
        }
    }
    assert!(a.ping_ok() && b.ping_ok());
}

/// A known client that comes back after the window closed is refused (the message names the
/// window); an id the server never knew is refused during the window; the client that did
/// return works normally.
#[test]
fn reconnect_after_the_window_is_refused() {
    let mut server = ServerProcess::start_opts(persistent(3));
    let p = RawConn::hello(server.port, "P");
    let q = RawConn::hello(server.port, "Q");
    let (p_id, q_id) = (p.client_id, q.client_id);
    server.kill();
    server.restart();
    let (mut p, _, stale) = reconnect_and_reassert(server.port, p_id, 0, vec![], vec![]);
    assert!(stale.is_empty());
    // Q has not returned: the window is still open.
    let st = server.status();
    assert!(
        st["reconnect_window"]["waiting_for"] == serde_json::json!([q_id]),
        "{st}"
    );
    let (mut stranger, m) = hello_reconnect(server.port, "stranger", 999, 0);
    match m {
        Message::Error { code, message } => {
            assert_eq!(code, ErrorCode::Refused, "{message}");
            assert!(message.contains("999"), "{message}");
        }
        other => panic!("unknown client reconnected: {other:?}"),
    }
    assert!(stranger.closed());
    server.wait_status("the reconnect window closed", |s| {
        s["reconnect_window"].is_null()
    });
    let (mut late, m) = hello_reconnect(server.port, "Q", q_id, 0);
    match m {
        Message::Error { code, message } => {
            assert_eq!(code, ErrorCode::Refused, "{message}");
            assert!(message.contains("reconnect window"), "{message}");
        }
        other => panic!("Q reconnected after the window: {other:?}"),
    }
    assert!(late.closed(), "connection closed after the refusal");
    // P works normally.
    let base = lease(&mut p, 1);
    commit(
        &mut p,
        vec![Txn {
            seq: 1,
            new_objects: vec![(ObjectId(base), ObjectState::map())],
            ..Txn::default()
        }],
    );
    assert!(server
        .log()
        .contains("did not reconnect within the reconnect window"));
}

/// An in-memory server keeps no clients across restarts: a reconnect `Hello` is refused.
#[test]
fn in_memory_server_refuses_reconnect() {
    let server = ServerProcess::start();
    let (mut c, m) = hello_reconnect(server.port, "old", 1, 5);
    match m {
        Message::Error { code, message } => {
            assert_eq!(code, ErrorCode::Refused, "{message}");
            assert!(message.contains("temporary-swap-only"), "{message}");
        }
        other => panic!("in-memory server accepted a reconnect: {other:?}"),
    }
    assert!(c.closed());
}

// ------------------------------------------------------------ 4. one data directory, two servers

/// A second server on a data directory in use exits with failure and names the path; once the
/// first is gone (even by kill -9) the second starts on it.
#[test]
fn second_server_on_the_same_data_dir_refuses_to_start() {
    let shared = TempDir::new("shared-data");
    let data = shared.path().join("data");
    let mut first = ServerProcess::start_opts(ServerOptions {
        data_dir: Some(data.clone()),
        ..persistent(1)
    });
    {
        let mut c = RawConn::hello(first.port, "w");
        let base = lease(&mut c, 1);
        commit(
            &mut c,
            vec![Txn {
                seq: 1,
                new_objects: vec![(ObjectId(base), str_list(&["kept"]))],
                ..Txn::default()
            }],
        );
        root(&mut c, "kept", ObjectId(base));
        c.send(&Message::Goodbye);
    }
    // The second server starts once on its own directory, then is pointed at the first's.
    let mut second = ServerProcess::start_opts(persistent(1));
    second.kill();
    set_config_element(&second.config, "data", &data.display().to_string());
    second.spawn();
    let code = second.wait_exit(Duration::from_secs(20));
    assert!(
        matches!(code, Some(c) if c != 0),
        "second server exit code {code:?}; log:\n{}",
        second.log()
    );
    let log = second.log();
    assert!(log.contains("is in use by another Kiln server"), "{log}");
    assert!(log.contains(&data.display().to_string()), "{log}");
    assert!(running(&mut first), "the first server is unaffected");
    assert_eq!(first.status()["storage"]["healthy"], true);
    // kill -9 releases the OS lock: the second server takes over the directory and its data.
    first.kill();
    second.restart();
    wait_log_line(
        &second,
        "store loaded (permanent-store)",
        Duration::from_secs(20),
    );
    assert_eq!(second.status()["storage"]["healthy"], true);
    let mut c = RawConn::hello(second.port, "r");
    match root_value(&mut c, "kept") {
        Some(Value::Ref(o)) => {
            assert_eq!(list_elems(&fault_one(&mut c, o)), vec![Value::from("kept")]);
        }
        other => panic!("root 'kept' after the takeover: {other:?}"),
    }
}

// -------------------------------------------------------------------------- 5. disk full

/// The disk-full scenario on `server`: `break_disk` makes the data directory refuse writes,
/// `fix_disk` undoes that. Expects `ENOSPC` in the messages.
fn disk_full_scenario(
    server: &mut ServerProcess,
    variant: &str,
    break_disk: &mut dyn FnMut(),
    fix_disk: &mut dyn FnMut(),
) {
    let mut c = RawConn::hello(server.port, "disk");
    let base = lease(&mut c, 10);
    let (m, n) = (ObjectId(base), ObjectId(base + 1));
    commit(
        &mut c,
        vec![Txn {
            seq: 1,
            new_objects: vec![(m, ObjectState::map())],
            deltas: vec![put(m, "a", 1i64)],
            ..Txn::default()
        }],
    );
    root(&mut c, "disk", m);
    break_disk();
    // Big enough (64 KiB) and incompressible (the journal may compress), so it needs new space
    // on any file system.
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let big = Value::Bytes((0..64 * 1024).map(|_| rng.below(256) as u8).collect());
    let t = Instant::now();
    let msg = rejected(
        &mut c,
        vec![Txn {
            seq: 2,
            deltas: vec![put(m, "b", big.clone())],
            ..Txn::default()
        }],
    );
    eprintln!(
        "disk full ({variant}): txn 2 rejected after {:?}: {msg}",
        t.elapsed()
    );
    assert!(msg.contains("No space left on device"), "{msg}");
    // The connection still works: ping, faults, roots.
    assert!(c.ping_ok(), "connection must stay open after TxnRejected");
    assert_eq!(map_keys(&fault_one(&mut c, m)), vec![Value::from("a")]);
    let st = server.status();
    assert_eq!(st["storage"]["healthy"], false, "{st}");
    let problem = st["storage"]["problem"].as_str().unwrap_or_default();
    assert!(problem.contains("No space left on device"), "{st}");
    assert!(
        running(server),
        "the server must keep running on a full disk"
    );
    // While the disk is full every write is rejected without being applied; new objects too.
    let msg = rejected(
        &mut c,
        vec![Txn {
            seq: 3,
            new_objects: vec![(n, ObjectState::list())],
            deltas: vec![put(m, "c", big)],
            ..Txn::default()
        }],
    );
    assert!(!msg.is_empty());
    let (_, missing) = fault(&mut c, &[n]);
    assert_eq!(missing, vec![n], "object of a rejected txn exists");
    assert!(server.metrics().contains("kiln_storage_healthy 0"));
    // A root cannot be bound either: that client gets Error{StorageUnavailable} and is closed.
    let mut r = RawConn::hello(server.port, "rooter");
    r.send(&Message::RootCreate {
        req_id: 1,
        name: "while-full".into(),
        value: Value::I64(1),
        replace: false,
    });
    match r.expect("Error", |m| {
        matches!(m, Message::Error { .. } | Message::RootValue { .. })
    }) {
        Message::Error { code, message } => {
            assert_eq!(code, ErrorCode::StorageUnavailable, "{message}");
            assert!(message.contains("while-full"), "{message}");
        }
        other => panic!("root bound on a full disk: {other:?}"),
    }
    assert!(r.closed());
    assert_eq!(
        root_value(&mut c, "while-full"),
        None,
        "the binding is undone"
    );
    fix_disk();
    let t = Instant::now();
    server.wait_status("storage healthy again", |s| s["storage"]["healthy"] == true);
    eprintln!(
        "disk full ({variant}): storage healthy again {:?} after the disk was fixed",
        t.elapsed()
    );
    commit(
        &mut c,
        vec![Txn {
            seq: 4,
            deltas: vec![put(m, "d", 4i64)],
            ..Txn::default()
        }],
    );
    let metrics = server.metrics();
    assert!(
        metrics.contains("kiln_transactions_rejected_total 2"),
        "{metrics}"
    );
    assert!(metrics.contains("kiln_storage_healthy 1"), "{metrics}");
    // After kill -9 the rejected txns are absent, the committed ones present.
    server.kill();
    server.restart();
    let mut v = RawConn::hello(server.port, "verifier");
    assert_eq!(
        map_keys(&fault_one(&mut v, m)),
        vec![Value::from("a"), Value::from("d")],
        "after restart: rejected txns must be absent"
    );
    let (_, missing) = fault(&mut v, &[n]);
    assert_eq!(missing, vec![n]);
    assert_eq!(root_value(&mut v, "while-full"), None);
    assert_eq!(root_value(&mut v, "disk"), Some(Value::Ref(m)));
    assert_eq!(server.status()["storage"]["healthy"], true);
}

/// Disk full simulated with `KILN_STORE_FAIL_IF_EXISTS` (always runs).
#[test]
fn disk_full_injected_rejects_and_recovers() {
    let flag_dir = TempDir::new("fail-flag");
    let flag = flag_dir.path().join("disk-full");
    let mut server = ServerProcess::start_opts(ServerOptions {
        env: vec![(
            "KILN_STORE_FAIL_IF_EXISTS".into(),
            flag.display().to_string(),
        )],
        ..persistent(1)
    });
    eprintln!("disk full: variant KILN_STORE_FAIL_IF_EXISTS (fault injection)");
    let f1 = flag.clone();
    disk_full_scenario(
        &mut server,
        "injected",
        &mut || std::fs::write(&f1, b"full").unwrap(),
        &mut || std::fs::remove_file(&flag).unwrap(),
    );
}

/// A 16 MiB tmpfs mounted on a fresh temp directory; unmounted (then the directory removed) on
/// drop.
struct Tmpfs {
    dir: TempDir,
}

impl Tmpfs {
    /// Mounts one, or says why it cannot (not root, no CAP_SYS_ADMIN, no `mount`).
    fn mount(prefix: &str) -> Result<Tmpfs, String> {
        let dir = TempDir::new(prefix);
        let out = Command::new("mount")
            .args(["-t", "tmpfs", "-o", "size=16m", "tmpfs"])
            .arg(dir.path())
            .output()
            .map_err(|e| format!("cannot run mount: {e}"))?;
        if out.status.success() {
            Ok(Tmpfs { dir })
        } else {
            Err(format!(
                "mount -t tmpfs failed ({}): {}",
                out.status,
                String::from_utf8_lossy(&out.stderr).trim()
            ))
        }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let ok = Command::new("umount")
            .arg(self.dir.path())
            .status()
            .is_ok_and(|s| s.success());
        if !ok {
            let _ = Command::new("umount")
                .arg("-l")
                .arg(self.dir.path())
                .status();
        }
    }
}

/// Fills the file system of `dir` with `path` until `ENOSPC`; returns the bytes written.
fn fill(path: &Path) -> u64 {
    let mut f = std::fs::File::create(path).unwrap();
    let mut total = 0u64;
    for chunk in [1 << 20, 64 << 10, 4 << 10, 512] {
        let buf = vec![0xffu8; chunk];
        loop {
            match f.write(&buf) {
                Ok(n) if n > 0 => total += n as u64,
                _ => break,
            }
        }
    }
    let _ = f.sync_all();
    total
}

/// A persistent server whose data directory is on a fresh tmpfs, or `None` (with a note) where
/// mounting is not permitted. Drop the server before the mount (declare the mount first).
fn server_on_tmpfs(what: &str) -> Option<(Tmpfs, ServerProcess)> {
    let mnt = match Tmpfs::mount("tmpfs-data") {
        Ok(m) => m,
        Err(why) => {
            eprintln!("{what}: SKIPPED the tmpfs variant: {why} (the injected variant still runs)");
            return None;
        }
    };
    let server = ServerProcess::start_opts(ServerOptions {
        data_dir: Some(mnt.path().join("data")),
        ..persistent(1)
    });
    Some((mnt, server))
}

/// A real full disk: the data directory on a 16 MiB tmpfs filled up (skipped where mounting is
/// not permitted).
#[test]
fn disk_full_tmpfs_rejects_and_recovers() {
    let Some((mnt, mut server)) = server_on_tmpfs("disk full") else {
        return;
    };
    eprintln!("disk full: variant tmpfs (16 MiB, filled up)");
    let filler = mnt.path().join("filler");
    let f1 = filler.clone();
    disk_full_scenario(
        &mut server,
        "tmpfs",
        &mut || {
            let n = fill(&f1);
            eprintln!("disk full (tmpfs): filler of {n} bytes");
        },
        &mut || std::fs::remove_file(&filler).unwrap(),
    );
    drop(server);
}

/// kill -9 while the disk is still full (the failed write may have left part of its batch in the
/// journal, and the repairs are not written yet): after space is freed and the server restarted,
/// the rejected transactions are absent and writes work.
#[test]
fn disk_full_tmpfs_kill9_before_recovery() {
    let Some((mnt, mut server)) = server_on_tmpfs("disk full, kill -9") else {
        return;
    };
    let mut c = RawConn::hello(server.port, "disk");
    let base = lease(&mut c, 10);
    let (m, n) = (ObjectId(base), ObjectId(base + 1));
    commit(
        &mut c,
        vec![Txn {
            seq: 1,
            new_objects: vec![(m, ObjectState::map())],
            deltas: vec![put(m, "a", 1i64)],
            ..Txn::default()
        }],
    );
    root(&mut c, "disk", m);
    let filler = mnt.path().join("filler");
    fill(&filler);
    let mut rng = Rng(0x2545_f491_4f6c_dd1d);
    let mut noise =
        |len: usize| -> Value { Value::Bytes((0..len).map(|_| rng.below(256) as u8).collect()) };
    rejected(
        &mut c,
        vec![Txn {
            seq: 2,
            new_objects: vec![(n, ObjectState::list())],
            deltas: vec![put(m, "b", noise(256 * 1024)), add(n, "x")],
            ..Txn::default()
        }],
    );
    rejected(
        &mut c,
        vec![Txn {
            seq: 3,
            deltas: vec![put(m, "c", 3i64)],
            ..Txn::default()
        }],
    );
    server.kill();
    std::fs::remove_file(&filler).unwrap();
    server.restart();
    let mut v = RawConn::hello(server.port, "verifier");
    assert_eq!(
        map_keys(&fault_one(&mut v, m)),
        vec![Value::from("a")],
        "rejected txns must stay absent after kill -9 on a full disk"
    );
    let (_, missing) = fault(&mut v, &[n]);
    assert_eq!(missing, vec![n]);
    let st = server.status();
    assert_eq!(st["storage"]["healthy"], true, "{st}");
    commit(
        &mut v,
        vec![Txn {
            seq: 1,
            deltas: vec![put(m, "d", noise(256 * 1024))],
            ..Txn::default()
        }],
    );
    server.kill();
    server.restart();
    let mut v = RawConn::hello(server.port, "verifier2");
    assert_eq!(
        map_keys(&fault_one(&mut v, m)),
        vec![Value::from("a"), Value::from("d")]
    );
    drop(server);
}

// ----------------------------------------------------------------------------------- 6. DGC

/// POST /dgc removes exactly the objects neither reachable from a root nor resident at a
/// connected client; removals survive kill -9; `/metrics` and `kiln-server dgc` report it.
#[test]
fn dgc_removes_only_unreachable_objects_durably() {
    let mut server = ServerProcess::start_opts(ServerOptions {
        gc: Some((true, 3600)),
        ..persistent(3)
    });
    // G creates: L (root "live") -> A1; G1 -> G2 (unreachable); G3 (to be faulted by F).
    let mut g = RawConn::hello(server.port, "G");
    let b = lease(&mut g, 10);
    let (l, a1, g1, g2, g3) = (
        ObjectId(b),
        ObjectId(b + 1),
        ObjectId(b + 2),
        ObjectId(b + 3),
        ObjectId(b + 4),
    );
    let mut ls = ObjectState::list();
    ls.data = ObjectData::List(vec![Value::Ref(a1)]);
    let mut g1s = ObjectState::list();
    g1s.data = ObjectData::List(vec![Value::Ref(g2)]);
    commit(
        &mut g,
        vec![Txn {
            seq: 1,
            new_objects: vec![
                (a1, str_list(&["a1"])),
                (l, ls),
                (g2, str_list(&["g2"])),
                (g1, g1s),
                (g3, str_list(&["g3"])),
            ],
            ..Txn::default()
        }],
    );
    root(&mut g, "live", l);
    // K creates K1 -> K2 and stays connected.
    let mut k = RawConn::hello(server.port, "K");
    let kb = lease(&mut k, 10);
    let (k1, k2) = (ObjectId(kb), ObjectId(kb + 1));
    let mut k1s = ObjectState::list();
    k1s.data = ObjectData::List(vec![Value::Ref(k2)]);
    commit(
        &mut k,
        vec![Txn {
            seq: 1,
            new_objects: vec![(k2, str_list(&["k2"])), (k1, k1s)],
            ..Txn::default()
        }],
    );
    // F faults G3 and stays connected.
    let mut f = RawConn::hello(server.port, "F");
    fault_one(&mut f, g3);
    g.send(&Message::Goodbye);
    server.wait_status("G left", |s| s["clients"] == 2);

    let report: serde_json::Value =
        serde_json::from_str(&http(server.jmx_port, "POST", "/dgc")).expect("DGC JSON");
    eprintln!("DGC report: {report}");
    assert_eq!(report["objects_before"], 7, "{report}");
    assert_eq!(report["marked"], 5, "{report}");
    assert_eq!(report["removed"], 2, "{report}");
    assert_eq!(report["clients"], 2, "{report}");
    assert!(report["mark_micros"].is_u64() && report["sweep_micros"].is_u64());
    let (objs, mut missing) = fault(&mut k, &[g1, g2, l, a1, k1, k2, g3]);
    missing.sort_unstable();
    assert_eq!(missing, vec![g1, g2], "unreachable objects removed");
    assert_eq!(objs.len(), 5);
    assert_eq!(server.status()["objects"], 5);
    let metrics = server.metrics();
    assert!(metrics.contains("kiln_dgc_runs_total 1"), "{metrics}");
    assert!(
        metrics.contains("kiln_dgc_objects_removed_total 2"),
        "{metrics}"
    );
    assert!(
        server.log().contains("DGC: mark phase done"),
        "verbose GC logs its phases"
    );

    // `kiln-server -f CFG dgc` runs one more and prints the report.
    let out = Command::new(binary("kiln-server"))
        .arg("-f")
        .arg(&server.config)
        .arg("dgc")
        .output()
        .expect("run kiln-server dgc");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "kiln-server dgc failed: {stdout} {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let cli: serde_json::Value = serde_json::from_str(stdout.trim()).expect("CLI prints JSON");
    assert_eq!(cli["removed"], 0, "{cli}");
    assert_eq!(cli["objects_before"], 5, "{cli}");
    assert!(server.metrics().contains("kiln_dgc_runs_total 2"));

    // The removal is durable.
    server.kill();
    drop((k, f));
    server.restart();
    // During the reconnect window (K and F were connected) the DGC refuses to run.
    let body = http(server.jmx_port, "POST", "/dgc");
    assert!(body.contains("reconnect window"), "{body}");
    assert_eq!(digest(&server)["objects"], 5);
    let mut v = RawConn::hello(server.port, "verifier");
    let (objs, mut missing) = fault(&mut v, &[g1, g2, l]);
    missing.sort_unstable();
    assert_eq!(
        missing,
        vec![g1, g2],
        "removed objects came back after a restart"
    );
    assert!(objs.contains_key(&l));
    // K and F did not return: their objects are garbage now (L and A1 are rooted and resident).
    let report: serde_json::Value =
        serde_json::from_str(&http(server.jmx_port, "POST", "/dgc")).expect("DGC JSON");
    assert_eq!(report["removed"], 3, "K1, K2, G3 collected: {report}");
    let (_, missing) = fault(&mut v, &[k1, k2, g3, a1]);
    assert_eq!(
        missing.into_iter().collect::<BTreeSet<_>>(),
        BTreeSet::from([k1, k2, g3])
    );
}

// ------------------------------------------------------------- 7. foreign or corrupt data dir

/// The server exits non-zero by itself and names `why` (a store that cannot be opened at
/// start is fatal: it must not run ACTIVE refusing every write).
fn assert_exits_refusing(server: &mut ServerProcess, why: &str) {
    let code = server.wait_exit(Duration::from_secs(20));
    assert!(
        matches!(code, Some(c) if c != 0),
        "server should exit non-zero, got {code:?}; log:\n{}",
        server.log()
    );
    assert!(
        server.log().contains(why),
        "exit message should mention '{why}'; log:\n{}",
        server.log()
    );
}

/// A data directory holding somebody else's files: the server says so, exits non-zero and
/// leaves the files alone.
#[test]
fn foreign_data_dir_is_not_written_into() {
    let dir = TempDir::new("foreign");
    let data = dir.path().join("data");
    let mut server = ServerProcess::start_opts(ServerOptions {
        data_dir: Some(data.clone()),
        ..persistent(1)
    });
    server.kill();
    std::fs::remove_dir_all(&data).unwrap();
    std::fs::create_dir_all(&data).unwrap();
    std::fs::write(data.join("notes.txt"), b"my notes").unwrap();
    server.spawn();
    let line = wait_log_line(
        &server,
        "is not this server's Kiln store",
        Duration::from_secs(10),
    );
    assert!(line.contains("notes.txt"), "{line}");
    assert_exits_refusing(&mut server, "notes.txt");
    assert_eq!(std::fs::read(data.join("notes.txt")).unwrap(), b"my notes");
    assert!(
        !data.join("kiln-store").exists(),
        "a store was created in a foreign directory"
    );
}

/// A store written by server "test" is refused by a server of another name (and is intact for
/// its owner afterwards).
#[test]
fn store_of_another_server_is_refused() {
    let mut server = ServerProcess::start_opts(persistent(1));
    let mut c = RawConn::hello(server.port, "w");
    let base = lease(&mut c, 1);
    commit(
        &mut c,
        vec![Txn {
            seq: 1,
            new_objects: vec![(ObjectId(base), str_list(&["mine"]))],
            ..Txn::default()
        }],
    );
    root(&mut c, "mine", ObjectId(base));
    c.send(&Message::Goodbye);
    server.wait_status("client left", |s| s["clients"] == 0);
    assert_eq!(server.stop(), Some(0));
    let xml = std::fs::read_to_string(&server.config).unwrap();
    std::fs::write(
        &server.config,
        xml.replace(r#"name="test""#, r#"name="other""#),
    )
    .unwrap();
    server.spawn();
    let line = wait_log_line(&server, "belongs to server", Duration::from_secs(10));
    assert!(
        line.contains("'test'") && line.contains("'other'"),
        "{line}"
    );
    assert_exits_refusing(&mut server, "belongs to server 'test'");
    // Back under its own name, the store is intact.
    let xml = std::fs::read_to_string(&server.config).unwrap();
    std::fs::write(
        &server.config,
        xml.replace(r#"name="other""#, r#"name="test""#),
    )
    .unwrap();
    server.restart();
    wait_log_line(
        &server,
        "store loaded (permanent-store)",
        Duration::from_secs(10),
    );
    let mut c = RawConn::hello(server.port, "r");
    assert_eq!(
        list_elems(&fault_one(&mut c, ObjectId(base))),
        vec![Value::from("mine")]
    );
    assert_eq!(server.status()["storage"]["healthy"], true);
}

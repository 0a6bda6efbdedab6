//! The real Rust client (`kiln::Client`) against the real `kiln-server` binary: shared object
//! graphs across lock handoffs, lock levels, greedy leases, fairness, wait/notify, synchronous
//! writes, distributed method calls, change callbacks, membership, dead lock holders (kill -9 and
//! SIGSTOP) and a dying server.
//!
//! Every test starts its own server on free loopback ports; every wait is bounded; every spawned
//! process is owned by a guard that kills it on drop.

use std::collections::{BTreeSet, HashSet};
use std::future::Future;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use kiln::{
    ChangeEvent, Client, ClientBuilder, ClusterEvent, DmiCall, DmiEvent, Error, Field, List,
    LockId, LockLevel, ObjectData, ObjectId, ObjectState, SubTarget, Txn, Value, WakeReason,
};
use kiln_integration::{http, ServerProcess};
use tokio::sync::{broadcast, mpsc, Barrier};

/// Upper bound of every "this must happen" wait.
const T: Duration = Duration::from_secs(10);

/// Class and field of the counter objects used below.
const COUNTER: &str = "kiln.test.Counter";

// ------------------------------------------------------------------------------------ helpers

/// Awaits `f`, failing the test after `d`.
async fn within<F: Future>(what: &str, d: Duration, f: F) -> F::Output {
    match tokio::time::timeout(d, f).await {
        Ok(v) => v,
        Err(_) => panic!("timed out after {d:?} waiting for {what}"),
    }
}

async fn connect(server: &ServerProcess, name: &str) -> Client {
    let b = ClientBuilder::new([server.addr()])
        .name(name)
        .connect_deadline(Duration::from_secs(5));
    within("connect", T, b.connect())
        .await
        .unwrap_or_else(|e| panic!("{name} cannot connect: {e}"))
}

/// A client that fails at once when its connection is lost (no reconnect: the in-memory test
/// server never comes back).
async fn connect_no_reconnect(server: &ServerProcess, name: &str) -> Client {
    let b = ClientBuilder::new([server.addr()])
        .name(name)
        .reconnect(false)
        .connect_deadline(Duration::from_secs(5));
    within("connect", T, b.connect())
        .await
        .unwrap_or_else(|e| panic!("{name} cannot connect: {e}"))
}

fn named(s: &str) -> LockId {
    LockId::Named(s.to_string())
}

fn counter_state(v: i64) -> ObjectState {
    ObjectState {
        class: COUNTER.into(),
        data: ObjectData::Physical(vec![Field {
            class: COUNTER.into(),
            name: "value".into(),
            value: Value::I64(v),
        }]),
    }
}

fn counter_in(tx: &Txn, oid: ObjectId) -> i64 {
    tx.read(oid, |s| s.field(COUNTER, "value").and_then(Value::as_i64))
        .expect("counter resident")
        .expect("counter has an i64 value field")
}

fn set_counter(tx: &mut Txn, oid: ObjectId, v: i64) {
    tx.set_field(oid, COUNTER, "value", Value::I64(v))
        .expect("set counter field");
}

/// `GET /status` of the server (off the async worker).
async fn status(jmx_port: u16) -> serde_json::Value {
    tokio::task::spawn_blocking(move || {
        let body = http(jmx_port, "GET", "/status");
        serde_json::from_str::<serde_json::Value>(&body)
            .unwrap_or_else(|e| panic!("status is not JSON ({e}): {body}"))
    })
    .await
    .expect("status task")
}

/// Polls `/status` (bounded) until `f` holds.
async fn wait_status(jmx_port: u16, what: &str, f: impl Fn(&serde_json::Value) -> bool) {
    let deadline = Instant::now() + T;
    loop {
        let s = status(jmx_port).await;
        if f(&s) {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "timed out waiting for {what}; status: {s}"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// Waits until every frame this (only) client queued has reached the server and been counted
/// by the client (its writer counts a frame just after writing it): a ping round trip, then a
/// bounded poll until the client's `frames_sent` matches the server's received-frame counter
/// (which also counts the uncounted `Hello`). Returns the client's stats and the server count.
async fn settled(c: &Client, jmx_port: u16) -> (kiln::ClientStats, u64) {
    within("ping", T, c.ping()).await.expect("ping");
    let server_frames = metric(jmx_port, "kiln_frames_received_total").await;
    let deadline = Instant::now() + T;
    loop {
        let s = c.stats();
        if s.frames_sent + 1 == server_frames {
            return (s, server_frames);
        }
        assert!(
            Instant::now() < deadline,
            "client counted {} frames, server received {server_frames} (incl. Hello)",
            s.frames_sent
        );
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
}

/// One counter of the server's `/metrics`.
async fn metric(jmx_port: u16, name: &'static str) -> u64 {
    tokio::task::spawn_blocking(move || {
        let text = http(jmx_port, "GET", "/metrics");
        text.lines()
            .find_map(|l| l.strip_prefix(name)?.strip_prefix(' '))
            .and_then(|v| v.trim().parse::<f64>().ok())
            .map(|v| v as u64)
            .unwrap_or_else(|| panic!("no metric {name} in:\n{text}"))
    })
    .await
    .expect("metrics task")
}

fn stat(s: &serde_json::Value, key: &str) -> u64 {
    s[key]
        .as_u64()
        .unwrap_or_else(|| panic!("status has no numeric '{key}': {s}"))
}

/// Next membership event (bounded), skipping nothing.
async fn next_event(rx: &mut broadcast::Receiver<ClusterEvent>) -> ClusterEvent {
    within("a membership event", T, rx.recv())
        .await
        .expect("event channel")
}

/// Next distributed method call delivered (bounded).
async fn next_dmi(who: &str, rx: &mut broadcast::Receiver<DmiEvent>) -> DmiEvent {
    within(&format!("a DMI delivery at {who}"), T, rx.recv())
        .await
        .unwrap_or_else(|e| panic!("DMI channel of {who}: {e}"))
}

// ------------------------------------------------------------------- 1. shared graph handoff

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_clients_share_a_root_graph_across_lock_handoffs() {
    let server = ServerProcess::start();
    let a = connect(&server, "graph-a").await;
    let b = connect(&server, "graph-b").await;
    let lock = named("graph");

    let graph = a.map("graph").await.expect("A creates the root map");
    // B faults the (still empty) map in now: from here on its cached copy can only be brought up
    // to date by the deltas of A's transaction.
    let graph_b = b.map("graph").await.expect("B finds the root");
    assert_eq!(graph_b.id(), graph.id(), "one root, one object");
    assert_eq!(graph_b.len(&b).await.expect("len"), 0);

    // A: a nested list object referenced from the root map, plus literals.
    let mut tx = a
        .lock(lock.clone(), LockLevel::Write)
        .await
        .expect("A locks");
    let token_a = tx.token();
    let items_oid = tx.create(ObjectState::list()).expect("create list");
    let items = List::from_id(items_oid);
    items.add(&mut tx, "x").expect("add");
    items.add(&mut tx, 2i64).expect("add");
    graph.put(&mut tx, "name", "kiln").expect("put");
    graph.put(&mut tx, "count", 1i64).expect("put");
    graph.put(&mut tx, "items", items_oid).expect("put");
    tx.commit().await.expect("A commits");

    // B takes the lock: A's lease is recalled, its transaction reaches B before the award.
    let mut tx = within("B's lock", T, b.lock(lock.clone(), LockLevel::Write))
        .await
        .expect("B locks");
    let token_b = tx.token();
    assert!(
        token_b > token_a,
        "fencing tokens increase: {token_a} then {token_b}"
    );
    assert_eq!(
        graph_b.get(&b, "name").await.expect("get"),
        Some(Value::from("kiln"))
    );
    assert_eq!(
        graph_b.get(&b, "count").await.expect("get"),
        Some(Value::I64(1))
    );
    assert_eq!(
        graph_b.get(&b, "items").await.expect("get"),
        Some(Value::Ref(items_oid))
    );
    assert!(
        b.cached(items_oid).is_none(),
        "the nested list is new: not resident at B before it is faulted"
    );
    let faults = b.stats().faults;
    assert_eq!(
        items.to_vec(&b).await.expect("B faults the nested list"),
        vec![Value::from("x"), Value::I64(2)]
    );
    assert_eq!(b.stats().faults, faults + 1, "exactly one fault");

    // B writes under the lock.
    items.add(&mut tx, "y").expect("add");
    assert_eq!(
        graph_b.put(&mut tx, "count", 2i64).expect("put"),
        Some(Value::I64(1)),
        "put returns the previous value"
    );
    assert_eq!(
        graph_b.remove(&mut tx, "name").expect("remove"),
        Some(Value::from("kiln"))
    );
    tx.commit().await.expect("B commits");

    // A re-acquires (its lease was recalled: through the server) and sees B's changes in its
    // cache: the root map and the nested list it created are both resident at A.
    let tx = within("A's re-lock", T, a.lock(lock.clone(), LockLevel::Read))
        .await
        .expect("A locks again");
    assert!(tx.token() > token_b, "fencing tokens increase");
    assert_eq!(
        graph.get(&a, "count").await.expect("get"),
        Some(Value::I64(2))
    );
    assert_eq!(graph.get(&a, "name").await.expect("get"), None);
    assert_eq!(
        items.to_vec(&a).await.expect("list"),
        vec![Value::from("x"), Value::I64(2), Value::from("y")]
    );
    assert_eq!(graph.len(&a).await.expect("len"), 2);
    tx.commit().await.expect("release");
    assert!(a.stats().recalls >= 1, "A's lease was recalled");
    assert!(b.stats().recalls >= 1, "B's lease was recalled");
}

// --------------------------------------------------------------- 2. read shared, write exclusive

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn read_locks_are_shared_and_write_locks_exclusive() {
    let server = ServerProcess::start();
    let a = connect(&server, "rw-a").await;
    let b = connect(&server, "rw-b").await;
    let lock = named("rw");
    let oid = a
        .root_or_create("rw-counter", counter_state(0))
        .await
        .expect("counter");
    b.root_or_create("rw-counter", counter_state(0))
        .await
        .expect("B faults the counter");

    // Two readers inside at once: each waits at a 2-party barrier while holding Read. If reads
    // excluded each other the barrier could never complete (bounded: the task panics).
    let barrier = Arc::new(Barrier::new(2));
    let mut readers = Vec::new();
    for c in [a.clone(), b.clone()] {
        let (barrier, lock) = (barrier.clone(), lock.clone());
        readers.push(tokio::spawn(async move {
            let tx = c.lock(lock, LockLevel::Read).await.expect("read lock");
            within("the other reader to be inside", T, barrier.wait()).await;
            tx.commit().await.expect("release read");
        }));
    }
    for r in readers {
        within("reader task", T, r)
            .await
            .expect("reader task panicked");
    }

    // A reader excludes a writer.
    let read = a
        .lock(lock.clone(), LockLevel::Read)
        .await
        .expect("A reads");
    let got = within(
        "try_lock",
        T,
        b.try_lock(lock.clone(), LockLevel::Write, Duration::from_millis(200)),
    )
    .await
    .expect("try_lock");
    assert!(got.is_none(), "B got Write while A holds Read");
    read.commit().await.expect("A releases Read");

    // A writer excludes writers (and readers) until it releases.
    let mut w = within("A's write lock", T, a.lock(lock.clone(), LockLevel::Write))
        .await
        .expect("A writes");
    set_counter(&mut w, oid, 41);
    let t0 = Instant::now();
    let got = within(
        "try_lock",
        T,
        b.try_lock(lock.clone(), LockLevel::Write, Duration::from_millis(300)),
    )
    .await
    .expect("try_lock");
    let waited = t0.elapsed();
    assert!(got.is_none(), "B got Write while A holds Write");
    assert!(
        waited >= Duration::from_millis(250) && waited < Duration::from_secs(5),
        "try_lock gave up after {waited:?}, expected ≈ 300 ms"
    );
    let got = within(
        "try_lock",
        T,
        b.try_lock(lock.clone(), LockLevel::Read, Duration::from_millis(100)),
    )
    .await
    .expect("try_lock");
    assert!(got.is_none(), "B got Read while A holds Write");
    set_counter(&mut w, oid, 42);
    w.commit().await.expect("A releases Write");

    // After the release B gets in, and sees A's last value.
    let tx = within(
        "try_lock after release",
        T,
        b.try_lock(lock.clone(), LockLevel::Write, Duration::from_secs(5)),
    )
    .await
    .expect("try_lock")
    .expect("B gets the lock once A released it");
    assert_eq!(counter_in(&tx, oid), 42);
    tx.commit().await.expect("release");
}

// ---------------------------------------------------------------------------- 3. greedy leases

/// Current-thread runtime: the client's writer task runs only when the committing task yields,
/// so the coalescing of queued transactions into frames is deterministic.
#[tokio::test(flavor = "current_thread")]
async fn greedy_reacquire_sends_nothing_and_transactions_are_batched() {
    const N: u64 = 10_000;
    let server = ServerProcess::start();
    let a = connect(&server, "greedy").await;
    let lock = named("greedy");
    let m = a.map("greedy-map").await.expect("map");
    a.flush().await.expect("flush");

    // The first acquire asks the server.
    let before_first = a.stats();
    a.lock(lock.clone(), LockLevel::Write)
        .await
        .expect("first lock")
        .commit()
        .await
        .expect("commit");
    assert_eq!(a.stats().lock_requests, before_first.lock_requests + 1);

    // Re-acquiring under the lease: no frame at all, counted on both sides.
    let (before, server_before) = settled(&a, server.jmx_port).await;
    for _ in 0..N {
        let tx = a.lock(lock.clone(), LockLevel::Write).await.expect("lock");
        tx.commit().await.expect("commit");
    }
    let after = a.stats();
    assert_eq!(
        after.frames_sent, before.frames_sent,
        "empty greedy cycles sent frames"
    );
    assert_eq!(after.lock_requests, before.lock_requests);
    assert_eq!(
        after.txns_committed, before.txns_committed,
        "empty txns are not sent"
    );
    let (after, server_after) = settled(&a, server.jmx_port).await;
    assert_eq!(
        server_after,
        server_before + 1,
        "the server received frames during the greedy cycles (only the settling ping expected)"
    );
    assert_eq!(after.frames_sent, before.frames_sent + 1);

    // One change per cycle: transactions travel many per frame.
    let before = a.stats();
    for i in 0..N {
        let mut tx = a.lock(lock.clone(), LockLevel::Write).await.expect("lock");
        m.put(&mut tx, "n", i as i64).expect("put");
        tx.commit().await.expect("commit");
    }
    within("flush", T, a.flush()).await.expect("flush");
    let after = a.stats();
    let txns = after.txns_sent - before.txns_sent;
    let frames = after.frames_sent - before.frames_sent;
    assert_eq!(txns, N, "every transaction sent once");
    assert_eq!(after.txns_committed - before.txns_committed, N);
    assert_eq!(
        after.lock_requests, before.lock_requests,
        "still no lock traffic"
    );
    assert!(
        frames * 100 <= txns,
        "transactions are not batched: {frames} frames for {txns} transactions"
    );
    assert!(after.acked_seq >= after.txns_committed, "{after:?}");
    let st = status(server.jmx_port).await;
    assert!(stat(&st, "txns_committed") >= N, "{st}");

    // Another client sees the last value.
    let b = connect(&server, "greedy-reader").await;
    let tx = within("B's read lock", T, b.lock(lock.clone(), LockLevel::Read))
        .await
        .expect("B reads");
    let mb = b.map("greedy-map").await.expect("map");
    assert_eq!(
        mb.get(&b, "n").await.expect("get"),
        Some(Value::I64(N as i64 - 1))
    );
    tx.commit().await.expect("release");
}

// ------------------------------------------------------------ 1a. racing root creation

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clients_racing_to_create_a_root_agree_on_one_object() {
    const CLIENTS: usize = 4;
    let server = ServerProcess::start();
    let mut clients = Vec::new();
    for i in 0..CLIENTS {
        clients.push(connect(&server, &format!("root-race-{i}")).await);
    }
    let barrier = Arc::new(Barrier::new(CLIENTS));
    let mut tasks = Vec::new();
    for c in &clients {
        let (c, barrier) = (c.clone(), barrier.clone());
        tasks.push(tokio::spawn(async move {
            barrier.wait().await;
            c.map("contested").await.expect("map").id()
        }));
    }
    let mut ids = BTreeSet::new();
    for t in tasks {
        ids.insert(within("root creation", T, t).await.expect("task"));
    }
    assert_eq!(
        ids.len(),
        1,
        "first writer wins: one object for everyone, got {ids:?}"
    );
    let id = *ids.first().expect("an id");
    let roots = clients[0].roots().await.expect("roots");
    assert_eq!(roots, vec![("contested".to_string(), Value::Ref(id))]);

    // Everyone really shares it.
    let m = kiln::Map::from_id(id);
    let mut tx = clients[1]
        .lock(named("contested"), LockLevel::Write)
        .await
        .expect("lock");
    m.put(&mut tx, "winner", id).expect("put");
    tx.commit().await.expect("commit");
    for c in &clients {
        let tx = within("read lock", T, c.lock(named("contested"), LockLevel::Read))
            .await
            .expect("read lock");
        assert_eq!(m.get(c, "winner").await.expect("get"), Some(Value::Ref(id)));
        tx.commit().await.expect("release");
    }
}

// ---------------------------------------------------------- 1b. faulting during remote commits

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn faulting_while_another_client_commits_keeps_the_cache_coherent() {
    // Protocol §9.7: a fault reply must enter the cache before any later message of the
    // connection is processed, so that a `Deltas` right behind the `FaultReply` finds the object.
    // B (re-)faults a map while A keeps adding one key per transaction; after A stops, B takes
    // the lock and its cached copy (never re-faulted) must hold every key.
    const ROUNDS: usize = 15;
    const BURST: i64 = 300;
    let server = ServerProcess::start();
    let a = connect(&server, "race-a").await;
    let b = connect(&server, "race-b").await;
    let lock = named("race");
    let m = a.map("race").await.expect("map");
    let oid = m.id();
    let mut total = 0i64;
    for round in 0..ROUNDS {
        let (half_tx, half_rx) = tokio::sync::oneshot::channel();
        let (a2, lock2) = (a.clone(), lock.clone());
        let base = total;
        let burst = tokio::spawn(async move {
            let mut half_tx = Some(half_tx);
            for i in 0..BURST {
                let mut tx = a2
                    .lock(lock2.clone(), LockLevel::Write)
                    .await
                    .expect("lock");
                m.put(&mut tx, format!("k{}", base + i), base + i)
                    .expect("put");
                tx.commit().await.expect("commit");
                if i == BURST / 3 {
                    if let Some(h) = half_tx.take() {
                        let _ = h.send(());
                    }
                }
                tokio::task::yield_now().await;
            }
            a2.flush().await.expect("flush");
        });
        within("A's burst to start", T, half_rx)
            .await
            .expect("burst");
        b.evict(&[oid]).await.expect("evict");
        b.object(oid).await.expect("fault while A commits");
        within("A's burst", T, burst).await.expect("burst task");
        total += BURST;
        let tx = within("B's read lock", T, b.lock(lock.clone(), LockLevel::Read))
            .await
            .expect("B locks");
        let cached = b.cached(oid).map(|s| s.data.len());
        let version = b.cached_version(oid);
        tx.commit().await.expect("release");
        assert_eq!(
            cached,
            Some(total as usize),
            "round {round}: B's cached map (version {version:?}) lost remote changes"
        );
    }
}

// ------------------------------------------------------------------------------- 4. fairness

/// Fields of the shared object the contenders update.
const FAIR: &str = "kiln.test.Fair";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn contended_write_lock_is_fair_and_loses_no_update() {
    // The lock changes hands HANDOFFS times among CLIENTS clients, each looping
    // lock / read-modify-write / commit. A handoff is an increment by another client than the
    // previous one; the shared object counts increments, handoffs and the last incrementer.
    const HANDOFFS: i64 = 1000;
    const CLIENTS: usize = 3;
    let server = ServerProcess::start();
    let mut clients = Vec::new();
    for i in 0..CLIENTS {
        clients.push(connect(&server, &format!("fair-{i}")).await);
    }
    let field = |name: &str, v: i64| Field {
        class: FAIR.into(),
        name: name.into(),
        value: Value::I64(v),
    };
    let init = ObjectState {
        class: FAIR.into(),
        data: ObjectData::Physical(vec![
            field("value", 0),
            field("handoffs", 0),
            field("last", 0),
        ]),
    };
    let oid = clients[0]
        .root_or_create("fair-counter", init.clone())
        .await
        .expect("counter");
    let start = Arc::new(Barrier::new(CLIENTS));
    let mut tasks = Vec::new();
    for c in clients {
        let (start, init) = (start.clone(), init.clone());
        tasks.push(tokio::spawn(async move {
            let mine_oid = c
                .root_or_create("fair-counter", init)
                .await
                .expect("counter");
            assert_eq!(mine_oid, oid);
            let me = c.client_id() as i64;
            start.wait().await;
            let (mut increments, mut takeovers) = (0i64, 0i64);
            loop {
                let mut tx = c.lock(named("fair"), LockLevel::Write).await.expect("lock");
                let get = |tx: &Txn, name: &str| {
                    tx.read(oid, |s| s.field(FAIR, name).and_then(Value::as_i64))
                        .expect("resident")
                        .expect("field")
                };
                let (value, handoffs, last) =
                    (get(&tx, "value"), get(&tx, "handoffs"), get(&tx, "last"));
                if handoffs >= HANDOFFS {
                    tx.commit().await.expect("commit");
                    break;
                }
                tx.set_field(oid, FAIR, "value", Value::I64(value + 1))
                    .expect("set");
                increments += 1;
                if last != me {
                    if last != 0 {
                        tx.set_field(oid, FAIR, "handoffs", Value::I64(handoffs + 1))
                            .expect("set");
                        takeovers += 1;
                    }
                    tx.set_field(oid, FAIR, "last", Value::I64(me))
                        .expect("set");
                }
                tx.commit().await.expect("commit");
            }
            c.flush().await.expect("flush");
            (increments, takeovers)
        }));
    }
    let mut increments = 0;
    let mut takeovers = Vec::new();
    for t in tasks {
        let (inc, took) = within("a contending client", Duration::from_secs(40), t)
            .await
            .expect("contender panicked");
        increments += inc;
        takeovers.push(took);
    }
    assert_eq!(
        takeovers.iter().sum::<i64>(),
        HANDOFFS,
        "handoffs per client {takeovers:?}"
    );
    for (i, &n) in takeovers.iter().enumerate() {
        assert!(
            n * 100 >= HANDOFFS * 25,
            "client {i} starved: it got the lock from another client {n} of {HANDOFFS} times \
             ({takeovers:?})"
        );
    }

    // A fresh client reads the final state from the server: no lost update.
    let check = connect(&server, "fair-check").await;
    let tx = within("read lock", T, check.lock(named("fair"), LockLevel::Read))
        .await
        .expect("read lock");
    check.fault(vec![oid]).await.expect("fault");
    let get = |name: &str| {
        tx.read(oid, |s| s.field(FAIR, name).and_then(Value::as_i64))
            .expect("resident")
    };
    assert_eq!(get("value"), Some(increments), "lost updates");
    assert_eq!(get("handoffs"), Some(HANDOFFS));
    tx.commit().await.expect("release");
}

// --------------------------------------------------------------------------- 5. wait / notify

/// Spawns a task on `c` that takes `lock` (Write), reports it holds it on `locked`, waits with
/// `timeout`, and returns the wake result — with the lock still held when `keep`, else after
/// releasing it.
fn spawn_waiter(
    c: &Client,
    lock: &LockId,
    keep: bool,
    locked: mpsc::UnboundedSender<usize>,
    tag: usize,
) -> tokio::task::JoinHandle<(kiln::Result<WakeReason>, Option<Txn>)> {
    let (c, lock) = (c.clone(), lock.clone());
    tokio::spawn(async move {
        let mut tx = c.lock(lock, LockLevel::Write).await.expect("waiter locks");
        let _ = locked.send(tag);
        let r = tx.wait(None).await;
        if keep {
            return (r, Some(tx));
        }
        tx.commit().await.expect("woken waiter releases");
        (r, None)
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn notify_wakes_a_waiter_on_another_client_which_then_holds_the_lock() {
    let server = ServerProcess::start();
    let a = connect(&server, "notify-a").await;
    let b = connect(&server, "notify-b").await;
    let lock = named("cond");
    let flag = a
        .root_or_create("cond-flag", counter_state(0))
        .await
        .expect("flag");
    b.root_or_create("cond-flag", counter_state(0))
        .await
        .expect("B faults the flag");

    let (locked_tx, mut locked_rx) = mpsc::unbounded_channel();
    let waiter = spawn_waiter(&b, &lock, true, locked_tx, 0);
    within("B to hold the lock", T, locked_rx.recv()).await;

    // B's Wait reaches the server before B gives its lease back, so A's award means B waits.
    let mut tx = within("A's lock", T, a.lock(lock.clone(), LockLevel::Write))
        .await
        .expect("A locks");
    assert_eq!(stat(&status(server.jmx_port).await, "waiters"), 1);
    set_counter(&mut tx, flag, 1);
    tx.notify();
    tx.commit().await.expect("A commits the notify");

    let (r, tx) = within("B to wake", T, waiter).await.expect("waiter task");
    assert_eq!(r.expect("wait"), WakeReason::Notified);
    let tx = tx.expect("kept");
    assert_eq!(
        counter_in(&tx, flag),
        1,
        "B sees what A wrote before notifying"
    );
    // B holds the lock again: A cannot get it until B releases.
    let got = a
        .try_lock(lock.clone(), LockLevel::Write, Duration::from_millis(200))
        .await
        .expect("try_lock");
    assert!(got.is_none(), "A got the lock while the woken B holds it");
    tx.commit().await.expect("B releases");
    let tx = within(
        "A's lock after B",
        T,
        a.lock(lock.clone(), LockLevel::Write),
    )
    .await
    .expect("A locks");
    tx.commit().await.expect("release");
    assert_eq!(stat(&status(server.jmx_port).await, "waiters"), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn notify_wakes_the_oldest_waiter_and_notify_all_wakes_every_waiter() {
    let server = ServerProcess::start();
    let a = connect(&server, "all-a").await;
    let b = connect(&server, "all-b").await;
    let c = connect(&server, "all-c").await;
    let lock = named("cond-all");
    let (locked_tx, mut locked_rx) = mpsc::unbounded_channel();

    // notify: FIFO, one at a time. W0 (on B) waits first, then W1 (on C).
    let w0 = spawn_waiter(&b, &lock, false, locked_tx.clone(), 0);
    assert_eq!(within("W0 locked", T, locked_rx.recv()).await, Some(0));
    let w1 = spawn_waiter(&c, &lock, false, locked_tx.clone(), 1);
    assert_eq!(within("W1 locked", T, locked_rx.recv()).await, Some(1));
    let mut tx = within("A's lock", T, a.lock(lock.clone(), LockLevel::Write))
        .await
        .expect("A locks");
    assert_eq!(stat(&status(server.jmx_port).await, "waiters"), 2);
    tx.notify();
    tx.commit().await.expect("commit");
    let (r, _) = within("the oldest waiter to wake", T, w0)
        .await
        .expect("W0");
    assert_eq!(r.expect("wait"), WakeReason::Notified);
    assert!(!w1.is_finished(), "notify woke more than one waiter");
    assert_eq!(
        stat(&status(server.jmx_port).await, "waiters"),
        1,
        "one waiter left after one notify"
    );
    let mut tx = within("A's lock", T, a.lock(lock.clone(), LockLevel::Write))
        .await
        .expect("A locks");
    tx.notify();
    tx.commit().await.expect("commit");
    let (r, _) = within("W1 to wake", T, w1).await.expect("W1");
    assert_eq!(r.expect("wait"), WakeReason::Notified);

    // notifyAll: 2 clients × 2 waiters.
    let mut waiters = Vec::new();
    for (i, cl) in [&b, &b, &c, &c].into_iter().enumerate() {
        waiters.push(spawn_waiter(cl, &lock, false, locked_tx.clone(), 10 + i));
    }
    let mut seen = BTreeSet::new();
    for _ in 0..4 {
        seen.insert(
            within("a waiter to lock", T, locked_rx.recv())
                .await
                .expect("waiter"),
        );
    }
    assert_eq!(seen, BTreeSet::from([10, 11, 12, 13]));
    let mut tx = within("A's lock", T, a.lock(lock.clone(), LockLevel::Write))
        .await
        .expect("A locks");
    assert_eq!(stat(&status(server.jmx_port).await, "waiters"), 4);
    tx.notify_all();
    tx.commit().await.expect("commit");
    for w in waiters {
        let (r, _) = within("every waiter to wake", T, w).await.expect("waiter");
        assert_eq!(r.expect("wait"), WakeReason::Notified);
    }
    assert_eq!(stat(&status(server.jmx_port).await, "waiters"), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn timed_wait_times_out_and_interrupt_ends_a_wait() {
    let server = ServerProcess::start();
    let a = connect(&server, "timed-a").await;
    let b = connect(&server, "timed-b").await;
    let lock = named("cond-timed");

    // Timed wait: nobody notifies.
    let mut tx = b.lock(lock.clone(), LockLevel::Write).await.expect("lock");
    let t0 = Instant::now();
    let r = within(
        "the timed wait",
        T,
        tx.wait(Some(Duration::from_millis(300))),
    )
    .await
    .expect("wait");
    let took = t0.elapsed();
    assert_eq!(r, WakeReason::TimedOut);
    assert!(
        took >= Duration::from_millis(290) && took < Duration::from_secs(3),
        "a 300 ms wait took {took:?}"
    );
    tx.commit().await.expect("release");
    assert_eq!(stat(&status(server.jmx_port).await, "waiters"), 0);

    // Interrupt from another task while the waiter is registered at the server.
    let mut tx = b.lock(lock.clone(), LockLevel::Write).await.expect("lock");
    let interrupter = tx.waiter();
    let waiter = tokio::spawn(async move {
        let r = tx.wait(None).await;
        (r, tx)
    });
    wait_status(server.jmx_port, "the waiter to be registered", |s| {
        s["waiters"] == 1
    })
    .await;
    assert!(interrupter.is_waiting());
    let t0 = Instant::now();
    let other = tokio::spawn(async move { interrupter.interrupt() });
    other.await.expect("interrupt task");
    let (r, tx) = within("the interrupted wait", T, waiter)
        .await
        .expect("waiter task");
    assert!(
        matches!(r, Err(Error::Interrupted)),
        "expected Interrupted, got {r:?}"
    );
    assert!(t0.elapsed() < Duration::from_secs(3));
    // Interrupted with the lock held again.
    let got = a
        .try_lock(lock.clone(), LockLevel::Write, Duration::from_millis(100))
        .await
        .expect("try_lock");
    assert!(got.is_none(), "A got the lock the interrupted waiter holds");
    assert_eq!(stat(&status(server.jmx_port).await, "waiters"), 0);

    // An interrupt before the wait makes the next wait fail at once.
    let mut tx = tx;
    tx.waiter().interrupt();
    let r = within("a pre-interrupted wait", T, tx.wait(None)).await;
    assert!(matches!(r, Err(Error::Interrupted)), "got {r:?}");
    tx.commit().await.expect("release");
}

// --------------------------------------------------------------------------- 6. synchronous write

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sync_write_commit_returns_after_the_ack_write_does_not_wait() {
    let server = ServerProcess::start();
    let a = connect(&server, "sync-a").await;
    let lock = named("sync");
    let m = a.map("sync-map").await.expect("map");
    a.flush().await.expect("flush");

    for i in 0..50i64 {
        let mut tx = a
            .lock(lock.clone(), LockLevel::SyncWrite)
            .await
            .expect("lock");
        m.put(&mut tx, "k", i).expect("put");
        tx.commit().await.expect("commit");
        // Sequences count from 1 per client: this transaction's seq is `txns_committed`.
        let s = a.stats();
        assert!(
            s.acked_seq >= s.txns_committed,
            "SyncWrite commit returned before its ack: {s:?}"
        );
    }
    // The server has it: a brand-new client faults the map and sees the last value.
    let b = connect(&server, "sync-b").await;
    let mb = b.map("sync-map").await.expect("map");
    assert_eq!(mb.get(&b, "k").await.expect("get"), Some(Value::I64(49)));
    drop(b);

    // Under Write, commit only queues: right after it returns the ack is (at least sometimes)
    // still outstanding.
    let mut unacked = 0;
    for i in 0..50i64 {
        let mut tx = a.lock(lock.clone(), LockLevel::Write).await.expect("lock");
        m.put(&mut tx, "k", 100 + i).expect("put");
        tx.commit().await.expect("commit");
        let s = a.stats();
        if s.acked_seq < s.txns_committed {
            unacked += 1;
        }
    }
    assert!(unacked > 0, "every Write commit waited for its ack");
    within("flush", T, a.flush()).await.expect("flush");
    let s = a.stats();
    assert_eq!(s.acked_seq, s.txns_committed);
}

// ---------------------------------------------------------------------------- 7. concurrent

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_level_gives_no_exclusion() {
    let server = ServerProcess::start();
    let a = connect(&server, "conc-a").await;
    let b = connect(&server, "conc-b").await;
    let c = connect(&server, "conc-c").await;
    let lock = named("conc");
    let ma = a.map("conc-map").await.expect("map");
    let mb = b.map("conc-map").await.expect("map");
    assert_eq!(ma, mb);

    // A third client even holds Write on the same lock id: Concurrent ignores it.
    let held = c
        .lock(lock.clone(), LockLevel::Write)
        .await
        .expect("C writes");
    let barrier = Arc::new(Barrier::new(2));
    let mut tasks = Vec::new();
    for (cl, key) in [(a.clone(), "from-a"), (b.clone(), "from-b")] {
        let (barrier, lock) = (barrier.clone(), lock.clone());
        tasks.push(tokio::spawn(async move {
            let mut tx = within("a Concurrent lock", T, cl.lock(lock, LockLevel::Concurrent))
                .await
                .expect("concurrent");
            assert_eq!(tx.level(), LockLevel::Concurrent);
            within("the other client to be inside", T, barrier.wait()).await;
            ma.put(&mut tx, key, cl.client_id() as i64).expect("put");
            tx.commit().await.expect("commit");
            within("flush", T, cl.flush()).await.expect("flush");
            cl.stats().lock_requests
        }));
    }
    for t in tasks {
        let requests = within("a Concurrent client", T, t)
            .await
            .expect("task panicked");
        assert_eq!(requests, 0, "Concurrent must not be sent to the server");
    }
    held.commit().await.expect("C releases");

    // Both changes committed.
    let d = connect(&server, "conc-d").await;
    let md = d.map("conc-map").await.expect("map");
    let entries: HashSet<(Value, Value)> =
        md.entries(&d).await.expect("entries").into_iter().collect();
    assert_eq!(
        entries,
        HashSet::from([
            (Value::from("from-a"), Value::I64(a.client_id() as i64)),
            (Value::from("from-b"), Value::I64(b.client_id() as i64)),
        ])
    );
}

// ----------------------------------------------------------------------------------- 8. DMI

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dmi_reaches_all_nodes_or_only_nodes_where_the_receiver_is_resident() {
    let server = ServerProcess::start();
    let a = connect(&server, "dmi-a").await;
    let b = connect(&server, "dmi-b").await;
    let c = connect(&server, "dmi-c").await;
    let target = a.map("dmi-target").await.expect("receiver").id();
    // B has the receiver resident, C never touches it.
    assert_eq!(b.map("dmi-target").await.expect("B faults").id(), target);
    assert!(c.cached(target).is_none());

    let (mut ra, mut rb, mut rc) = (a.dmi_events(), b.dmi_events(), c.dmi_events());
    let call = |method: &str, args: Vec<Value>, all_nodes: bool| DmiCall {
        receiver: target,
        method: method.to_string(),
        args,
        all_nodes,
    };
    let invoke = |cl: &Client, dc: DmiCall| {
        let cl = cl.clone();
        async move {
            let mut tx = cl.lock(named("dmi"), LockLevel::Write).await.expect("lock");
            tx.invoke(dc);
            tx.commit().await.expect("commit");
        }
    };
    let everywhere = call(
        "void com.acme.Cache.evict(java.lang.String, long)",
        vec![Value::from("user:42"), Value::I64(7)],
        true,
    );
    let resident_only = call("void com.acme.Cache.refresh()", vec![], false);
    let marker_a = call("void com.acme.Marker.a()", vec![], true);
    invoke(&a, everywhere.clone()).await;
    invoke(&a, resident_only.clone()).await;
    invoke(&a, marker_a.clone()).await;

    // B (resident): all three, in order, from A.
    let mut last_gtx = 0;
    for want in [&everywhere, &resident_only, &marker_a] {
        let ev = next_dmi("B", &mut rb).await;
        assert_eq!(&ev.call, want);
        assert_eq!(ev.from_client, a.client_id());
        assert!(ev.gtx > last_gtx, "deliveries in commit order");
        last_gtx = ev.gtx;
    }
    // C (not resident): the all-nodes calls only — the marker proves the other one was skipped.
    assert_eq!(next_dmi("C", &mut rc).await.call, everywhere);
    assert_eq!(next_dmi("C", &mut rc).await.call, marker_a);

    // The sender gets none of its own: the first thing A receives is B's marker.
    let marker_b = call("void com.acme.Marker.b()", vec![Value::Bool(true)], true);
    invoke(&b, marker_b.clone()).await;
    let ev = next_dmi("A", &mut ra).await;
    assert_eq!(ev.call, marker_b);
    assert_eq!(ev.from_client, b.client_id());
    assert_eq!(next_dmi("C", &mut rc).await.call, marker_b);
    // ...and B does not get its own either: its next delivery is C's marker.
    let marker_c = call("void com.acme.Marker.c()", vec![], true);
    invoke(&c, marker_c.clone()).await;
    assert_eq!(next_dmi("B", &mut rb).await.call, marker_c);
    assert_eq!(next_dmi("A", &mut ra).await.call, marker_c);
    assert!(rc.try_recv().is_err(), "C received a call it sent");
}

// ----------------------------------------------------------------------- 9. change callbacks

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn change_callbacks_fire_once_per_remote_transaction() {
    let server = ServerProcess::start();
    let a = connect(&server, "cb-a").await;
    let b = connect(&server, "cb-b").await;
    let lock = named("watched");
    let m = a.map("watched").await.expect("map");
    let mb = b.map("watched").await.expect("map");
    let oid = m.id();

    // The callback records the event together with what B's cache holds at that moment.
    type Seen = (ChangeEvent, Option<Value>, Option<u64>);
    let (seen_tx, mut seen_rx) = mpsc::unbounded_channel::<Seen>();
    let b_cache = b.clone();
    let sub = b
        .subscribe(SubTarget::Object(oid), move |ev| {
            let k = match b_cache.cached(oid).map(|s| s.data) {
                Some(ObjectData::Map(map)) => map.get(&Value::from("k")).cloned(),
                _ => None,
            };
            let _ = seen_tx.send((ev, k, b_cache.cached_version(oid)));
        })
        .await
        .expect("subscribe");
    b.ping().await.expect("ping: the Subscribe is processed");

    let mut last_gtx = 0;
    for i in 1..=5i64 {
        let mut tx = a.lock(lock.clone(), LockLevel::Write).await.expect("lock");
        m.put(&mut tx, "k", i).expect("put");
        if i % 2 == 0 {
            // several ops on the object in one transaction: still one callback
            m.put(&mut tx, "extra", i).expect("put");
            m.put(&mut tx, "tmp", "x").expect("put");
            m.remove(&mut tx, "tmp").expect("remove");
        }
        tx.commit().await.expect("commit");
        let (ev, k, version) = within("the change callback", T, seen_rx.recv())
            .await
            .expect("callback channel");
        assert_eq!(ev.target, SubTarget::Object(oid));
        assert_eq!(ev.from_client, a.client_id());
        assert!(ev.gtx > last_gtx, "one callback per transaction: {ev:?}");
        last_gtx = ev.gtx;
        assert_eq!(
            k,
            Some(Value::I64(i)),
            "the cache is updated before the callback"
        );
        assert_eq!(version, Some(ev.gtx), "cached version is the notified txn");
    }

    // B's own change fires no callback at B.
    let mut tx = b
        .lock(lock.clone(), LockLevel::Write)
        .await
        .expect("B locks");
    mb.put(&mut tx, "k", 100i64).expect("put");
    tx.commit().await.expect("B commits");
    // Marker from A: the next callback B gets is A's (B's own was skipped).
    let mut tx = a.lock(lock.clone(), LockLevel::Write).await.expect("lock");
    assert_eq!(m.get(&a, "k").await.expect("get"), Some(Value::I64(100)));
    m.put(&mut tx, "k", 6i64).expect("put");
    tx.commit().await.expect("commit");
    let (ev, k, _) = within("the marker callback", T, seen_rx.recv())
        .await
        .expect("callback channel");
    assert_eq!(
        ev.from_client,
        a.client_id(),
        "B was called for its own change"
    );
    assert_eq!(k, Some(Value::I64(6)));
    assert!(seen_rx.try_recv().is_err(), "a spurious extra callback");
    drop(sub);

    // Root subscription: a literal root re-bound by another client.
    assert_eq!(
        a.set_root_literal("mode", Value::from("on"), false)
            .await
            .expect("bind"),
        Value::from("on")
    );
    let (root_tx, mut root_rx) = mpsc::unbounded_channel::<ChangeEvent>();
    let _root_sub = b
        .subscribe(SubTarget::Root("mode".into()), move |ev| {
            let _ = root_tx.send(ev);
        })
        .await
        .expect("subscribe root");
    b.ping().await.expect("ping");
    assert_eq!(
        a.set_root_literal("mode", Value::from("off"), true)
            .await
            .expect("replace"),
        Value::from("off")
    );
    let ev = within("the root callback", T, root_rx.recv())
        .await
        .expect("channel");
    assert_eq!(ev.target, SubTarget::Root("mode".into()));
    assert_eq!(ev.from_client, a.client_id());
    assert_eq!(
        b.root("mode").await.expect("root"),
        Some(Value::from("off"))
    );
    // Not re-bound (first writer wins without `replace`): no callback. B's own re-bind: none.
    assert_eq!(
        a.set_root_literal("mode", Value::from("ignored"), false)
            .await
            .expect("bind"),
        Value::from("off")
    );
    assert_eq!(
        b.set_root_literal("mode", Value::from("by-b"), true)
            .await
            .expect("replace"),
        Value::from("by-b")
    );
    assert_eq!(
        a.set_root_literal("mode", Value::from("final"), true)
            .await
            .expect("replace"),
        Value::from("final")
    );
    let ev = within("the second root callback", T, root_rx.recv())
        .await
        .expect("channel");
    assert_eq!(
        ev.from_client,
        a.client_id(),
        "unexpected root callback {ev:?}"
    );
    assert_eq!(
        b.root("mode").await.expect("root"),
        Some(Value::from("final"))
    );
    assert!(
        root_rx.try_recv().is_err(),
        "a spurious extra root callback"
    );
}

// ------------------------------------------------------------------------------ 10. membership

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn membership_events_and_node_list() {
    let server = ServerProcess::start();
    let b = connect(&server, "member-b").await;
    let mut events = b.events();
    assert_eq!(
        b.nodes().iter().map(|n| n.id).collect::<Vec<_>>(),
        vec![b.client_id()]
    );

    let a = connect(&server, "member-a").await;
    match next_event(&mut events).await {
        ClusterEvent::NodeJoined(n) => {
            assert_eq!(n.id, a.client_id());
            assert_eq!(n.name, "member-a");
            assert_eq!(n.pid, std::process::id());
        }
        other => panic!("expected NodeJoined, got {other:?}"),
    }
    let ids = |c: &Client| c.nodes().iter().map(|n| n.id).collect::<BTreeSet<_>>();
    let both = BTreeSet::from([a.client_id(), b.client_id()]);
    assert_eq!(ids(&b), both);
    assert_eq!(ids(&a), both);
    assert!(a.nodes().iter().any(|n| n.name == "member-b"));

    a.close().await.expect("A closes");
    match next_event(&mut events).await {
        ClusterEvent::NodeLeft(n) => assert_eq!(n.id, a.client_id()),
        other => panic!("expected NodeLeft, got {other:?}"),
    }
    assert_eq!(ids(&b), BTreeSet::from([b.client_id()]));
    assert!(matches!(a.root("x").await, Err(Error::Closed)));
}

// ---------------------------------------------------------------------- 11. dead lock holders

/// A `kiln-lock-holder` process holding a write lock; killed on drop.
struct Holder {
    child: Child,
    client_id: u64,
}

impl Holder {
    fn spawn(addr: &str, lock: &str) -> Holder {
        let mut child = Command::new(env!("CARGO_BIN_EXE_kiln-lock-holder"))
            .args([addr, lock])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("spawn kiln-lock-holder");
        let stdout = child.stdout.take().expect("holder stdout");
        let mut holder = Holder {
            child,
            client_id: 0,
        };
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let _ = BufReader::new(stdout).read_line(&mut line);
            let _ = tx.send(line);
        });
        let line = rx
            .recv_timeout(T)
            .expect("kiln-lock-holder did not report LOCKED");
        holder.client_id = line
            .trim()
            .strip_prefix("LOCKED ")
            .and_then(|id| id.parse().ok())
            .unwrap_or_else(|| panic!("unexpected holder output {line:?}"));
        holder
    }

    fn signal(&self, sig: &str) {
        let st = Command::new("kill")
            .args([sig, &self.child.id().to_string()])
            .status()
            .expect("run kill");
        assert!(st.success(), "kill {sig} failed");
    }
}

impl Drop for Holder {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts a client task blocked in `lock(name, Write)`; returns when the server has queued it.
async fn blocked_acquirer(
    server: &ServerProcess,
    c: &Client,
    name: &str,
) -> tokio::task::JoinHandle<Instant> {
    let (c2, lock) = (c.clone(), named(name));
    let task = tokio::spawn(async move {
        let tx = c2.lock(lock, LockLevel::Write).await.expect("lock");
        let at = Instant::now();
        tx.commit().await.expect("release");
        at
    });
    wait_status(server.jmx_port, "the waiting request to be queued", |s| {
        s["lock_requests_queued"] == 1
    })
    .await;
    assert!(!task.is_finished(), "acquired a lock another process holds");
    task
}

async fn wait_node_left(events: &mut broadcast::Receiver<ClusterEvent>, id: u64) {
    loop {
        if let ClusterEvent::NodeLeft(n) = next_event(events).await {
            if n.id == id {
                return;
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_lock_holder_frees_its_lock() {
    let server = ServerProcess::start();
    let b = connect(&server, "kill9-waiter").await;
    let mut events = b.events();
    let mut holder = Holder::spawn(&server.addr(), "kill9");
    let waiter = blocked_acquirer(&server, &b, "kill9").await;

    let t0 = Instant::now();
    holder.child.kill().expect("SIGKILL the holder");
    let _ = holder.child.wait();
    let got = within("the lock after kill -9", Duration::from_secs(5), waiter)
        .await
        .expect("waiter task");
    let took = got.duration_since(t0);
    assert!(took < Duration::from_secs(5), "lock freed after {took:?}");
    within(
        "NodeLeft of the killed holder",
        T,
        wait_node_left(&mut events, holder.client_id),
    )
    .await;
    let st = status(server.jmx_port).await;
    assert_eq!(stat(&st, "clients"), 1, "{st}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stopped_lock_holder_is_dropped_by_the_health_check() {
    let server = ServerProcess::start_with(
        r#"<property name="l2.healthcheck.l1.ping.idletime" value="300"/>
<property name="l2.healthcheck.l1.ping.interval" value="100"/>
<property name="l2.healthcheck.l1.ping.probes" value="3"/>"#,
    );
    let b = connect(&server, "sigstop-waiter").await;
    let mut events = b.events();
    let mut holder = Holder::spawn(&server.addr(), "sigstop");
    let waiter = blocked_acquirer(&server, &b, "sigstop").await;

    let t0 = Instant::now();
    holder.signal("-STOP");
    let got = within("the lock after SIGSTOP", Duration::from_secs(5), waiter)
        .await
        .expect("waiter task");
    let took = got.duration_since(t0);
    assert!(
        took < Duration::from_millis(4000),
        "health check freed the lock after {took:?} (expected ≈ 0.3 s idle + 3 × 0.1 s probes)"
    );
    assert!(
        matches!(holder.child.try_wait(), Ok(None)),
        "the holder process must still exist (stopped, connection open)"
    );
    within(
        "NodeLeft of the stopped holder",
        T,
        wait_node_left(&mut events, holder.client_id),
    )
    .await;
    // The waiter itself answers the server's pings and stays connected.
    assert!(b.is_connected());
    b.ping().await.expect("the waiter is still served");
    holder.signal("-CONT");
}

// ------------------------------------------------------------------------ 12. server dies

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn client_gets_a_clear_error_when_the_server_dies() {
    let mut server = ServerProcess::start();
    let a = connect_no_reconnect(&server, "doomed-a").await;
    let b = connect_no_reconnect(&server, "doomed-b").await;
    let m = a.map("doomed").await.expect("map");
    let mut tx = a
        .lock(named("doomed"), LockLevel::Write)
        .await
        .expect("A locks");
    let mut events_b = b.events();
    let b2 = b.clone();
    let blocked = tokio::spawn(async move {
        b2.lock(named("doomed"), LockLevel::Write)
            .await
            .map(|tx| tx.lock_id().clone())
    });
    wait_status(server.jmx_port, "B's request to be queued", |s| {
        s["lock_requests_queued"] == 1
    })
    .await;

    tokio::task::block_in_place(|| server.kill());

    // B, blocked in lock(), gets an error instead of hanging.
    let r = within("B's blocked lock to fail", Duration::from_secs(5), blocked)
        .await
        .expect("task");
    match r {
        Err(e @ Error::ConnectionLost { .. }) => {
            assert!(e.is_fatal());
            assert!(e.to_string().contains("connection"), "{e}");
        }
        other => panic!("expected ConnectionLost, got {other:?}"),
    }
    loop {
        if next_event(&mut events_b).await == ClusterEvent::Disconnected {
            break;
        }
    }
    // A's next operations fail quickly too.
    let r = within(
        "A's root lookup to fail",
        Duration::from_secs(5),
        a.root("doomed"),
    )
    .await;
    assert!(
        matches!(r, Err(Error::ConnectionLost { .. })),
        "expected ConnectionLost, got {r:?}"
    );
    assert!(!a.is_connected());
    m.put(&mut tx, "k", "v").expect("local change is recorded");
    let r = within("A's commit to fail", Duration::from_secs(5), tx.commit()).await;
    assert!(
        matches!(r, Err(ref e) if e.is_fatal()),
        "commit on a dead connection: {r:?}"
    );
    let r = within(
        "a new lock to fail",
        Duration::from_secs(5),
        a.lock(named("other"), LockLevel::Write),
    )
    .await;
    assert!(matches!(r, Err(Error::ConnectionLost { .. })), "{r:?}");
}

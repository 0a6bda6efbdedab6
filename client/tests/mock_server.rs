//! The client against a scripted in-process server: exact protocol behaviour of rejected
//! transactions (protocol.md §9.8) and of a reconnect (§9.9): what the client re-asserts, what it
//! sends again and in which order, and how it fails when the server will not take it back.

use std::time::Duration;

use bytes::BytesMut;
use kiln::{
    Changed, Client, ClientBuilder, ClusterEvent, ConnectionState, Delta, DeltaOp, Error,
    ErrorCode, LockId, LockLevel, NodeInfo, ObjectId, ObjectState, SubTarget, Value,
};
use kiln_protocol::frame::{self, FrameDecoder};
use kiln_protocol::{FaultedObject, Message, PROTOCOL_VERSION};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::broadcast;

const T: Duration = Duration::from_secs(10);

async fn within<F: std::future::Future>(what: &str, f: F) -> F::Output {
    match tokio::time::timeout(T, f).await {
        Ok(v) => v,
        Err(_) => panic!("timed out waiting for {what}"),
    }
}

/// One accepted client connection of the scripted server.
struct Peer {
    s: TcpStream,
    buf: BytesMut,
    /// Next id lease start.
    next_ids: u64,
    /// `IdLeaseRequest`s answered so far.
    leases: Vec<u64>,
}

impl Peer {
    /// Accepts a connection, reads its `Hello`, answers `Welcome` + `Membership` for `id`.
    async fn accept(l: &TcpListener, id: u64, ids_from: u64) -> (Peer, Message) {
        let (s, _) = within("a connection", l.accept()).await.expect("accept");
        let mut p = Peer {
            s,
            buf: BytesMut::new(),
            next_ids: ids_from,
            leases: vec![],
        };
        let hello = p.recv().await.expect("Hello");
        assert!(matches!(hello, Message::Hello { .. }), "{hello:?}");
        p.send(&Message::Welcome {
            cluster_id: 0,
            protocol_version: PROTOCOL_VERSION,
            client_id: id,
            server_name: "mock".into(),
            max_frame: frame::DEFAULT_MAX_FRAME as u32,
            fault_count: 100,
            epoch: 1,
            stripe: 0,
            stripes: 1,
        })
        .await;
        p.send(&Message::Membership {
            this_node: id,
            nodes: vec![node(id)],
        })
        .await;
        (p, hello)
    }

    async fn send(&mut self, m: &Message) {
        self.s.write_all(&frame::to_bytes(m)).await.expect("send");
    }

    /// The next message (`None` at EOF).
    async fn recv(&mut self) -> Option<Message> {
        let dec = FrameDecoder::new(frame::DEFAULT_MAX_FRAME);
        loop {
            if let Some(m) = dec.next(&mut self.buf).expect("decodes") {
                return Some(m);
            }
            let n = within("a message", self.s.read_buf(&mut self.buf))
                .await
                .expect("read");
            if n == 0 {
                return None;
            }
        }
    }

    /// The next message that is not an id lease request or a ping (those are answered).
    async fn next(&mut self) -> Message {
        loop {
            match self.recv().await.expect("a message, not EOF") {
                Message::IdLeaseRequest { count } => {
                    self.leases.push(count);
                    let start = self.next_ids;
                    self.next_ids += count;
                    self.send(&Message::IdLease { start, count }).await;
                }
                Message::Ping { nonce } => self.send(&Message::Pong { nonce }).await,
                m => return m,
            }
        }
    }
}

fn node(id: u64) -> NodeInfo {
    NodeInfo {
        id,
        name: format!("c{id}"),
        pid: 1,
        addr: "127.0.0.1:1".into(),
    }
}

fn named(s: &str) -> LockId {
    LockId::Named(s.into())
}

async fn start() -> (TcpListener, ClientBuilder) {
    let l = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = l.local_addr().expect("addr").to_string();
    let b = ClientBuilder::new([addr])
        .health_check(None)
        .id_batch(100)
        .connect_deadline(T)
        .reconnect_interval(Duration::from_millis(20))
        .reconnect_timeout(Duration::from_secs(5));
    (l, b)
}

/// Connects `b` against the scripted server (answering the first id lease).
async fn connect(l: &TcpListener, b: ClientBuilder, id: u64) -> (Client, Peer) {
    let c = tokio::spawn(b.connect());
    let (mut p, _) = Peer::accept(l, id, 1000).await;
    // the first id lease
    match p.recv().await.expect("IdLeaseRequest") {
        Message::IdLeaseRequest { count } => {
            p.leases.push(count);
            p.send(&Message::IdLease { start: 1000, count }).await;
            p.next_ids = 1000 + count;
        }
        other => panic!("expected IdLeaseRequest, got {other:?}"),
    }
    let c = within("connect", c).await.expect("task").expect("connect");
    (c, p)
}

async fn wait_event(rx: &mut broadcast::Receiver<ClusterEvent>, want: ClusterEvent) {
    loop {
        if within("an event", rx.recv()).await.expect("events") == want {
            return;
        }
    }
}

fn txn_seqs(m: &Message) -> Vec<u64> {
    match m {
        Message::TxnBatch { txns } => txns.iter().map(|t| t.seq).collect(),
        other => panic!("expected a TxnBatch, got {other:?}"),
    }
}

// ------------------------------------------------------------------------------ rejections

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn txn_rejected_drops_objects_reports_to_flush_and_keeps_the_connection() {
    let (l, b) = start().await;
    let (c, mut p) = connect(&l, b, 3).await;
    let mut tx = c
        .lock(named("x"), LockLevel::Concurrent)
        .await
        .expect("txn");
    let o = tx.create(ObjectState::physical("P")).expect("create");
    tx.set_field(o, "P", "f", Value::I32(1)).expect("set");
    tx.commit().await.expect("commit");
    let m = p.next().await;
    assert_eq!(txn_seqs(&m), vec![1]);
    assert!(c.cached(o).is_some());
    p.send(&Message::TxnRejected {
        from_seq: 1,
        upto_seq: 1,
        code: ErrorCode::StorageUnavailable,
        message: "disk full".into(),
    })
    .await;
    let e = within("flush", c.flush()).await.expect_err("rejected");
    match &e {
        Error::StorageUnavailable { message } => {
            assert!(
                message.contains("disk full") && message.contains("1..=1"),
                "{message}"
            )
        }
        other => panic!("expected StorageUnavailable, got {other:?}"),
    }
    // the object it created left the cache and the server is told
    assert!(c.cached(o).is_none());
    match p.next().await {
        Message::Evict { oids } => assert_eq!(oids, vec![o]),
        other => panic!("expected Evict, got {other:?}"),
    }
    let st = c.stats();
    assert_eq!((st.txns_rejected, st.acked_seq, st.unacked_txns), (1, 1, 0));
    assert!(c.is_connected());
    // the next transaction continues the sequence; a later flush does not report again
    let mut tx = c
        .lock(named("x"), LockLevel::Concurrent)
        .await
        .expect("txn");
    tx.create(ObjectState::physical("P")).expect("create");
    tx.commit().await.expect("commit");
    assert_eq!(txn_seqs(&p.next().await), vec![2]);
    p.send(&Message::BatchAck {
        upto_seq: 2,
        gtx: 9,
    })
    .await;
    within("flush", c.flush())
        .await
        .expect("flush after the rejection");
}

// ------------------------------------------------------------------------------- reconnect

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reconnect_reasserts_then_resends_in_order() {
    let (l, b) = start().await;
    let (c, mut p) = connect(&l, b, 7).await;
    let mut events = c.events();

    // X: created by txn 1, acknowledged at gtx 10.
    let mut tx = c
        .lock(named("c"), LockLevel::Concurrent)
        .await
        .expect("txn");
    let x = tx.create(ObjectState::map()).expect("create");
    tx.commit().await.expect("commit");
    assert_eq!(txn_seqs(&p.next().await), vec![1]);
    p.send(&Message::BatchAck {
        upto_seq: 1,
        gtx: 10,
    })
    .await;
    within("flush", c.flush()).await.expect("flush");
    assert_eq!(
        c.cached_version(x),
        Some(10),
        "own changes take the ack's gtx"
    );

    // Y: faulted in at version 3.
    let y = ObjectId(42);
    let c2 = c.clone();
    let fault = tokio::spawn(async move { c2.object(y).await });
    let req = match p.next().await {
        Message::Fault { req_id, .. } => req_id,
        other => panic!("expected Fault, got {other:?}"),
    };
    p.send(&Message::FaultReply {
        req_id: req,
        objects: vec![FaultedObject {
            oid: y,
            version: 3,
            state: ObjectState::list(),
        }],
        missing: vec![],
    })
    .await;
    within("fault", fault).await.expect("task").expect("fault");

    // L: awarded and held (open transaction) across the reconnect.
    let c2 = c.clone();
    let lock_l = tokio::spawn(async move { c2.lock(named("L"), LockLevel::Write).await });
    let r_l = match p.next().await {
        Message::LockRequest { req_id, lock, .. } if lock == named("L") => req_id,
        other => panic!("expected LockRequest L, got {other:?}"),
    };
    p.send(&Message::LockAward {
        req_id: r_l,
        lock: named("L"),
        level: LockLevel::Write,
        token: 1,
    })
    .await;
    let held = within("lock L", lock_l).await.expect("task").expect("L");

    // N: awarded, then a thread waits on it (cluster waiter, 60 s).
    let c2 = c.clone();
    let waiter = tokio::spawn(async move {
        let mut tx = c2.lock(named("N"), LockLevel::Write).await?;
        let r = tx.wait(Some(Duration::from_secs(60))).await;
        drop(tx);
        r
    });
    let r_n = match p.next().await {
        Message::LockRequest { req_id, lock, .. } if lock == named("N") => req_id,
        other => panic!("expected LockRequest N, got {other:?}"),
    };
    p.send(&Message::LockAward {
        req_id: r_n,
        lock: named("N"),
        level: LockLevel::Write,
        token: 2,
    })
    .await;
    let waiter_id = match p.next().await {
        Message::Wait {
            waiter_id, lock, ..
        } if lock == named("N") => waiter_id,
        other => panic!("expected Wait, got {other:?}"),
    };

    // M: requested, never answered before the connection breaks.
    let c2 = c.clone();
    let lock_m = tokio::spawn(async move { c2.lock(named("M"), LockLevel::Read).await });
    let r_m = match p.next().await {
        Message::LockRequest {
            req_id,
            lock,
            level,
            ..
        } if lock == named("M") => {
            assert_eq!(level, LockLevel::Read);
            req_id
        }
        other => panic!("expected LockRequest M, got {other:?}"),
    };
    // A subscription (registered: the client pings after Subscribe).
    let c2 = c.clone();
    let sub = tokio::spawn(async move {
        c2.subscribe(SubTarget::Root("s".into()), |_| {})
            .await
            .map(|s| {
                std::mem::forget(s);
            })
    });
    match p.next().await {
        Message::Subscribe { target } => assert_eq!(target, SubTarget::Root("s".into())),
        other => panic!("expected Subscribe, got {other:?}"),
    }
    match p.recv().await {
        Some(Message::Ping { nonce }) => p.send(&Message::Pong { nonce }).await,
        other => panic!("expected the Ping after Subscribe, got {other:?}"),
    }
    within("subscribe", sub).await.expect("task").expect("sub");
    // A root lookup never answered.
    let c2 = c.clone();
    let lookup = tokio::spawn(async move { c2.root("r").await });
    let r_root = match p.next().await {
        Message::RootLookup { req_id, name } if name == "r" => req_id,
        other => panic!("expected RootLookup, got {other:?}"),
    };
    // Txn 2 (changes X) sent, never acknowledged.
    let mut tx = c
        .lock(named("c"), LockLevel::Concurrent)
        .await
        .expect("txn");
    tx.apply(
        x,
        kiln::DeltaOp::Put {
            key: Value::from("k"),
            value: Value::I32(1),
        },
    )
    .expect("put");
    tx.commit().await.expect("commit");
    assert_eq!(txn_seqs(&p.next().await), vec![2]);

    // The connection breaks.
    drop(p);
    wait_event(&mut events, ClusterEvent::Reconnecting).await;
    assert_eq!(c.state(), ConnectionState::Reconnecting);
    // Created during the outage: no ids until a new lease (the rest of the old one is gone).
    let mut tx = c
        .lock(named("c"), LockLevel::Concurrent)
        .await
        .expect("txn");
    assert!(matches!(
        tx.create(ObjectState::list()),
        Err(Error::IdsExhausted)
    ));
    drop(tx);

    let (mut p, hello) = Peer::accept(&l, 7, 5000).await;
    match hello {
        Message::Hello {
            reconnect: Some(rc),
            ..
        } => {
            assert_eq!((rc.client_id, rc.last_acked_seq), (7, 1));
        }
        other => panic!("expected a reconnect Hello, got {other:?}"),
    }
    match p.recv().await.expect("Reassert") {
        Message::Reassert {
            mut resident,
            mut locks,
            waiters,
        } => {
            resident.sort();
            assert_eq!(resident, vec![(y, 3), (x, 10)]);
            locks.sort_by_key(|l| l.0.clone());
            assert_eq!(
                locks,
                vec![
                    (named("L"), LockLevel::Write),
                    (named("N"), LockLevel::Write)
                ]
            );
            assert_eq!(waiters.len(), 1);
            let (id, lock, ms) = &waiters[0];
            assert_eq!((*id, lock), (waiter_id, &named("N")));
            assert!(*ms > 50_000 && *ms <= 60_000, "remaining {ms}");
        }
        other => panic!("expected Reassert first, got {other:?}"),
    }
    p.send(&Message::Resumed {
        gtx: 20,
        stale: vec![y],
    })
    .await;
    // Then, in order: txn 2 again, M's request (same req_id), the subscription, the lookup
    // (same req_id); and a new id lease.
    let mut order = vec![];
    while order.len() < 4 {
        match p.next().await {
            m @ Message::TxnBatch { .. } => {
                assert_eq!(txn_seqs(&m), vec![2], "original sequence number");
                order.push("txn");
            }
            Message::LockRequest {
                req_id,
                lock,
                level,
                timeout_ms,
            } => {
                assert_eq!(
                    (req_id, lock, level, timeout_ms),
                    (r_m, named("M"), LockLevel::Read, -1)
                );
                order.push("lock");
            }
            Message::Subscribe { target } => {
                assert_eq!(target, SubTarget::Root("s".into()));
                order.push("sub");
            }
            Message::RootLookup { req_id, .. } => {
                assert_eq!(req_id, r_root);
                order.push("root");
            }
            other => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!(order, vec!["txn", "lock", "sub", "root"]);
    wait_event(&mut events, ClusterEvent::Reconnected).await;
    assert_eq!(c.state(), ConnectionState::Connected);
    assert!(
        c.cached(y).is_none(),
        "stale objects are dropped (until the re-fault's reply)"
    );
    assert!(c.cached(x).is_some());

    // Answers on the new connection complete what waited.
    p.send(&Message::RootValue {
        req_id: r_root,
        name: "r".into(),
        value: Some(Value::I32(5)),
    })
    .await;
    assert_eq!(
        within("lookup", lookup).await.expect("task").expect("root"),
        Some(Value::I32(5))
    );
    p.send(&Message::LockAward {
        req_id: r_m,
        lock: named("M"),
        level: LockLevel::Read,
        token: 3,
    })
    .await;
    within("lock M", lock_m).await.expect("task").expect("M");
    p.send(&Message::BatchAck {
        upto_seq: 2,
        gtx: 21,
    })
    .await;
    within("flush", c.flush()).await.expect("flush");
    p.send(&Message::WaitDone {
        waiter_id,
        reason: kiln::WakeReason::Notified,
    })
    .await;
    assert_eq!(
        within("waiter", waiter).await.expect("task").expect("wait"),
        kiln::WakeReason::Notified
    );
    // A new lease was asked for: new objects take ids from it.
    let c2 = c.clone();
    let reserve = tokio::spawn(async move { c2.reserve_ids(1).await });
    // The re-fault of the stale object comes last of what the reconnect sends.
    let mut m = p.recv().await;
    let mut refaults = vec![];
    while let Some(Message::Fault { oids, req_id, .. }) = &m {
        assert_eq!(oids, &vec![y]);
        refaults.push(*req_id);
        m = p.recv().await;
    }
    assert_eq!(refaults.len(), 1, "the stale object was fetched again");
    match m {
        Some(Message::IdLeaseRequest { count }) => {
            p.leases.push(count);
            p.send(&Message::IdLease { start: 5000, count }).await;
        }
        other => panic!("expected IdLeaseRequest, got {other:?}"),
    }
    within("ids", reserve).await.expect("task").expect("ids");
    // Until the re-fault's reply is cached, a transaction would meet the dropped object: lock
    // acquires wait (the application sees a pause, not NotResident), also the greedy local
    // ones and concurrent ones.
    assert!(c
        .try_lock_local(named("L2"), LockLevel::Concurrent)
        .is_none());
    let c2 = c.clone();
    let after = tokio::spawn(async move {
        let tx = c2.lock(named("c"), LockLevel::Concurrent).await?;
        let n = tx.read(y, |st| format!("{st:?}"));
        drop(tx);
        n
    });
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(
        !after.is_finished(),
        "a lock was granted before the re-fault's reply"
    );
    p.send(&Message::FaultReply {
        req_id: refaults[0],
        objects: vec![FaultedObject {
            oid: y,
            version: 20,
            state: ObjectState::list(),
        }],
        missing: vec![],
    })
    .await;
    within("lock after the re-fault", after)
        .await
        .expect("task")
        .expect("y is resident again inside the transaction");
    assert_eq!(c.cached_version(y), Some(20));
    let mut tx = c
        .lock(named("c"), LockLevel::Concurrent)
        .await
        .expect("txn");
    let z = tx.create(ObjectState::list()).expect("create");
    assert!(z.0 >= 5000, "id {z} from the old lease");
    tx.commit().await.expect("commit");
    assert_eq!(txn_seqs(&p.next().await), vec![3], "the sequence continues");
    assert!(!p.leases.is_empty());
    // L is still held locally, re-acquire after release is local (no request).
    drop(held);
    assert!(c.try_lock_local(named("L"), LockLevel::Write).is_some());
    assert_eq!(c.stats().reconnects, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutting_down_reconnects_other_errors_fail() {
    // Error{ShuttingDown} on a live connection: reconnect; a refusal then fails for good.
    let (l, b) = start().await;
    let (c, mut p) = connect(&l, b, 4).await;
    let mut events = c.events();
    p.send(&Message::Error {
        code: ErrorCode::ShuttingDown,
        message: "bye".into(),
    })
    .await;
    drop(p);
    wait_event(&mut events, ClusterEvent::Reconnecting).await;
    let (s, _) = within("reconnect", l.accept()).await.expect("accept");
    let mut p = Peer {
        s,
        buf: BytesMut::new(),
        next_ids: 0,
        leases: vec![],
    };
    assert!(matches!(
        p.recv().await,
        Some(Message::Hello {
            reconnect: Some(_),
            ..
        })
    ));
    p.send(&Message::Error {
        code: ErrorCode::Refused,
        message: "client 4 missed the reconnect window; the client must restart".into(),
    })
    .await;
    wait_event(&mut events, ClusterEvent::Disconnected).await;
    match c.ping().await {
        Err(Error::ReconnectFailed { reason }) => {
            assert!(reason.contains("missed the reconnect window"), "{reason}")
        }
        other => panic!("expected ReconnectFailed, got {other:?}"),
    }
    assert_eq!(c.state(), ConnectionState::Failed);

    // Any other server error on a live connection is fatal at once, as before.
    let (l, b) = start().await;
    let (c, mut p) = connect(&l, b, 5).await;
    p.send(&Message::Error {
        code: ErrorCode::BadOperation,
        message: "no".into(),
    })
    .await;
    let e = within("failure", async {
        loop {
            if let Err(e) = c.ping().await {
                return e;
            }
        }
    })
    .await;
    assert!(
        matches!(
            e,
            Error::ServerError {
                code: ErrorCode::BadOperation,
                ..
            }
        ),
        "{e:?}"
    );
    assert_eq!(c.state(), ConnectionState::Failed);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_different_client_id_or_no_resumed_fails_the_reconnect() {
    // Welcome with another id.
    let (l, b) = start().await;
    let (c, p) = connect(&l, b, 8).await;
    drop(p);
    let (_p, _) = Peer::accept(&l, 9, 0).await;
    let e = within("failure", c.root("x")).await.expect_err("fails");
    assert!(
        matches!(&e, Error::ReconnectFailed { reason } if reason.contains("client id 9")),
        "{e:?}"
    );

    // Resumed never comes.
    let (l, b) = start().await;
    let (c, p) = connect(&l, b.reconnect_timeout(Duration::from_millis(700)), 8).await;
    drop(p);
    let (mut p, _) = Peer::accept(&l, 8, 0).await;
    assert!(matches!(p.recv().await, Some(Message::Reassert { .. })));
    let e = within("failure", c.root("x")).await.expect_err("fails");
    assert!(
        matches!(&e, Error::ReconnectFailed { reason } if reason.contains("Reassert")),
        "{e:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_reconnect_a_lost_connection_fails_at_once() {
    let (l, b) = start().await;
    let (c, p) = connect(&l, b.reconnect(false), 2).await;
    let mut events = c.events();
    drop(p);
    wait_event(&mut events, ClusterEvent::Disconnected).await;
    assert!(matches!(
        c.root("x").await,
        Err(Error::ConnectionLost { .. })
    ));
    assert_eq!(c.state(), ConnectionState::Failed);
}

// ------------------------------------------------------------------ changed-object tracking

/// Waits (bounded) until the reader dispatched what makes `cond` true.
async fn until(what: &str, cond: impl Fn() -> bool) {
    within(what, async {
        while !cond() {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    })
    .await
}

fn field_f(c: &Client, oid: ObjectId) -> Option<Value> {
    c.cached(oid).and_then(|s| s.field("P", "f").cloned())
}

fn changed(c: &Client) -> Vec<ObjectId> {
    match c.take_changed() {
        Changed::Oids(mut v) => {
            v.sort_unstable();
            v
        }
        other => panic!("expected oids, got {other:?}"),
    }
}

/// `track_changes` / `take_changed`: the oids of remote `Deltas` are recorded before the lock
/// award that follows them on the connection is dispatched (DESIGN.md happens-before), local
/// changes are not remote changes, and a rejected transaction (its objects dropped from the
/// cache) says "all".
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn changed_oids_are_recorded_before_the_award_that_follows_them() {
    let (l, b) = start().await;
    let (c, mut p) = connect(&l, b, 3).await;
    // X and Y faulted in at version 1.
    let (x, y) = (ObjectId(40), ObjectId(41));
    let c2 = c.clone();
    let fault = tokio::spawn(async move { c2.object(x).await });
    let req = match p.next().await {
        Message::Fault { req_id, .. } => req_id,
        other => panic!("expected Fault, got {other:?}"),
    };
    let mut st = ObjectState::physical("P");
    st.apply(&DeltaOp::SetField {
        class: "P".into(),
        name: "f".into(),
        value: Value::I32(0),
    })
    .expect("set");
    p.send(&Message::FaultReply {
        req_id: req,
        objects: [x, y]
            .iter()
            .map(|&oid| FaultedObject {
                oid,
                version: 1,
                state: st.clone(),
            })
            .collect(),
        missing: vec![],
    })
    .await;
    within("fault", fault).await.expect("task").expect("fault");
    let set = |oid, v| Delta {
        oid,
        ops: vec![DeltaOp::SetField {
            class: "P".into(),
            name: "f".into(),
            value: Value::I32(v),
        }],
    };
    // Off by default: nothing is kept.
    let seq0 = c.changes_seq();
    p.send(&Message::Deltas {
        gtx: 2,
        from_client: 9,
        deltas: vec![set(y, 1)],
    })
    .await;
    until("the first Deltas", || field_f(&c, y) == Some(Value::I32(1))).await;
    assert_eq!(c.changes_seq(), seq0, "not tracked before track_changes");
    c.track_changes();
    assert_eq!(
        c.take_changed(),
        Changed::All,
        "what came before is unknown"
    );
    assert_eq!(changed(&c), vec![], "taken");

    // Deltas for X, then the award of L: the holder of L finds X among the changes.
    let c2 = c.clone();
    let lock_l = tokio::spawn(async move { c2.lock(named("L"), LockLevel::Write).await });
    let r_l = match p.next().await {
        Message::LockRequest { req_id, lock, .. } if lock == named("L") => req_id,
        other => panic!("expected LockRequest L, got {other:?}"),
    };
    let seq1 = c.changes_seq();
    p.send(&Message::Deltas {
        gtx: 5,
        from_client: 9,
        deltas: vec![set(x, 7), set(x, 8)],
    })
    .await;
    p.send(&Message::LockAward {
        req_id: r_l,
        lock: named("L"),
        level: LockLevel::Write,
        token: 1,
    })
    .await;
    let mut held = within("lock L", lock_l).await.expect("task").expect("L");
    assert!(c.changes_seq() > seq1, "the counter moved");
    assert_eq!(changed(&c), vec![x], "one oid per object, before the award");
    assert_eq!(field_f(&c, x), Some(Value::I32(8)));
    // A local change is not a remote one.
    held.set_field(y, "P", "f", Value::I32(3)).expect("set");
    held.commit().await.expect("commit");
    assert_eq!(txn_seqs(&p.next().await), vec![1]);
    assert_eq!(changed(&c), vec![]);

    // Two transactions' changes accumulate until taken.
    p.send(&Message::Deltas {
        gtx: 6,
        from_client: 9,
        deltas: vec![set(y, 4)],
    })
    .await;
    p.send(&Message::Deltas {
        gtx: 7,
        from_client: 9,
        deltas: vec![set(x, 9)],
    })
    .await;
    until("two Deltas", || field_f(&c, x) == Some(Value::I32(9))).await;
    assert_eq!(changed(&c), vec![x, y]);

    // The rejected transaction dropped Y (changed locally) from the cache: "all".
    p.send(&Message::TxnRejected {
        from_seq: 1,
        upto_seq: 1,
        code: ErrorCode::StorageUnavailable,
        message: "disk full".into(),
    })
    .await;
    until("the rejection", || c.cached(y).is_none()).await;
    assert_eq!(c.take_changed(), Changed::All);
    assert_eq!(changed(&c), vec![]);

    // The blocking facade's wait: times out with nothing recorded, wakes at a record.
    let bc = kiln::blocking::Client::from_async(c.clone()).expect("blocking");
    let bc2 = bc.clone();
    let idle = tokio::task::spawn_blocking(move || bc2.wait_changed(Duration::from_millis(60)));
    assert!(!within("an idle wait", idle).await.expect("task"));
    let waiter = tokio::task::spawn_blocking(move || bc.wait_changed(T));
    tokio::time::sleep(Duration::from_millis(30)).await;
    p.send(&Message::Deltas {
        gtx: 8,
        from_client: 9,
        deltas: vec![set(x, 10)],
    })
    .await;
    assert!(within("a woken wait", waiter).await.expect("task"));
    assert_eq!(changed(&c), vec![x]);
}

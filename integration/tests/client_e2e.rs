//! End-to-end tests of the `kiln` client crate against the real `kiln-server` binary
//! (started on free loopback ports by the shared harness).
#![allow(clippy::unwrap_used)]

use std::process::Command;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use kiln::{
    Client, ClientBuilder, ClusterEvent, DmiCall, LockId, LockLevel, ObjectId, SubTarget, Value,
    WakeReason,
};
use kiln_integration::{free_port, ServerProcess};

type Server = ServerProcess;

async fn client(s: &Server, name: &str) -> Client {
    ClientBuilder::new([s.addr()])
        .name(name)
        .retry_wait(Duration::from_millis(50))
        .connect_deadline(Duration::from_secs(20))
        .connect()
        .await
        .unwrap()
}

/// A client that fails at once when its connection is lost (no reconnect: the in-memory test
/// server never comes back).
async fn client_no_reconnect(s: &Server, name: &str) -> Client {
    ClientBuilder::new([s.addr()])
        .name(name)
        .reconnect(false)
        .retry_wait(Duration::from_millis(50))
        .connect_deadline(Duration::from_secs(20))
        .connect()
        .await
        .unwrap()
}

fn named(s: &str) -> LockId {
    LockId::Named(s.to_string())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn map_shared_with_lock_handoff() {
    let s = ServerProcess::start();
    let a = client(&s, "a").await;
    let b = client(&s, "b").await;
    let ma = a.map("shared").await.unwrap();
    let mb = b.map("shared").await.unwrap();
    assert_eq!(ma.id(), mb.id());
    let lock = LockId::Object(ma.id());

    let mut tx = a.lock(lock.clone(), LockLevel::Write).await.unwrap();
    assert_eq!(ma.put(&mut tx, "k", "from-a").unwrap(), None);
    tx.commit().await.unwrap();

    // b asks for the lock: a's lease is recalled, a's txn reaches the server first.
    let mut tx = b.lock(lock.clone(), LockLevel::Write).await.unwrap();
    assert_eq!(mb.get(&b, "k").await.unwrap(), Some(Value::from("from-a")));
    assert_eq!(
        mb.put(&mut tx, "k", "from-b").unwrap(),
        Some(Value::from("from-a"))
    );
    tx.commit().await.unwrap();

    let tx = a.lock(lock.clone(), LockLevel::Read).await.unwrap();
    assert_eq!(ma.get(&a, "k").await.unwrap(), Some(Value::from("from-b")));
    assert!(a.stats().recalls >= 1);
    tx.commit().await.unwrap();
    a.close().await.unwrap();
    b.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn greedy_reacquire_makes_no_round_trip() {
    let s = ServerProcess::start();
    let a = client(&s, "a").await;
    let l = named("greedy");
    a.lock(l.clone(), LockLevel::Write)
        .await
        .unwrap()
        .commit()
        .await
        .unwrap();
    a.flush().await.unwrap();
    let before = a.stats();
    for _ in 0..10_000 {
        let tx = a.lock(l.clone(), LockLevel::Write).await.unwrap();
        tx.commit().await.unwrap();
    }
    let h = a.lock_handle(l.clone());
    for _ in 0..10_000 {
        h.lock(LockLevel::Read)
            .await
            .unwrap()
            .commit()
            .await
            .unwrap();
    }
    let after = a.stats();
    assert_eq!(before.lock_requests, after.lock_requests);
    assert!(
        after.frames_sent - before.frames_sent <= 2,
        "{before:?} {after:?}"
    );
    a.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn counter_under_contention_is_exact() {
    let s = ServerProcess::start();
    let clients = [
        client(&s, "a").await,
        client(&s, "b").await,
        client(&s, "c").await,
    ];
    let oid = clients[0]
        .root_or_create("ctr", kiln::ObjectState::physical("kiln.Counter"))
        .await
        .unwrap();
    let mut tasks = vec![];
    for c in clients.iter() {
        for _ in 0..2 {
            let c = c.clone();
            tasks.push(tokio::spawn(async move {
                c.object(oid).await.unwrap();
                for _ in 0..200 {
                    let mut tx = c.lock(named("ctr"), LockLevel::Write).await.unwrap();
                    let v = tx
                        .read(oid, |s| {
                            s.field("kiln.Counter", "value")
                                .and_then(Value::as_i64)
                                .unwrap_or(0)
                        })
                        .unwrap();
                    tx.set_field(oid, "kiln.Counter", "value", Value::I64(v + 1))
                        .unwrap();
                    tx.commit().await.unwrap();
                }
            }));
        }
    }
    for t in tasks {
        t.await.unwrap();
    }
    for c in &clients {
        c.flush().await.unwrap();
    }
    let d = client(&s, "d").await;
    let st = d.object(oid).await.unwrap();
    assert_eq!(st.field("kiln.Counter", "value"), Some(&Value::I64(1200)));
    let tx = clients[1]
        .lock(named("ctr"), LockLevel::Read)
        .await
        .unwrap();
    assert_eq!(
        tx.read(oid, |s| s.field("kiln.Counter", "value").cloned())
            .unwrap(),
        Some(Value::I64(1200))
    );
    drop(tx);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wait_notify_timeout_interrupt() {
    let s = ServerProcess::start();
    let a = client(&s, "a").await;
    let b = client(&s, "b").await;
    let l = named("cond");

    // timed wait
    let mut tx = a.lock(l.clone(), LockLevel::Write).await.unwrap();
    assert_eq!(
        tx.wait(Some(Duration::from_millis(100))).await.unwrap(),
        WakeReason::TimedOut
    );
    tx.commit().await.unwrap();

    // notify from another client
    let a2 = a.clone();
    let l2 = l.clone();
    let waiter = tokio::spawn(async move {
        let mut tx = a2.lock(l2, LockLevel::Write).await.unwrap();
        let r = tx.wait(None).await.unwrap();
        tx.commit().await.unwrap();
        r
    });
    tokio::time::sleep(Duration::from_millis(200)).await;
    let mut tx = b.lock(l.clone(), LockLevel::Write).await.unwrap();
    tx.notify_all();
    tx.commit().await.unwrap();
    assert_eq!(
        tokio::time::timeout(Duration::from_secs(5), waiter)
            .await
            .unwrap()
            .unwrap(),
        WakeReason::Notified
    );

    // notify from the same client (another task)
    let a2 = a.clone();
    let l2 = l.clone();
    let waiter = tokio::spawn(async move {
        let mut tx = a2.lock(l2, LockLevel::Write).await.unwrap();
        let r = tx.wait(None).await.unwrap();
        tx.commit().await.unwrap();
        r
    });
    tokio::time::sleep(Duration::from_millis(200)).await;
    let mut tx = a.lock(l.clone(), LockLevel::Write).await.unwrap();
    tx.notify();
    tx.commit().await.unwrap();
    assert_eq!(
        tokio::time::timeout(Duration::from_secs(5), waiter)
            .await
            .unwrap()
            .unwrap(),
        WakeReason::Notified
    );

    // interrupt
    let mut tx = a.lock(l.clone(), LockLevel::Write).await.unwrap();
    let int = tx.waiter();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(200)).await;
        int.interrupt();
    });
    assert!(matches!(tx.wait(None).await, Err(kiln::Error::Interrupted)));
    tx.commit().await.unwrap();
    // interrupt before wait: immediate
    let mut tx = a.lock(l.clone(), LockLevel::Write).await.unwrap();
    tx.waiter().interrupt();
    assert!(matches!(tx.wait(None).await, Err(kiln::Error::Interrupted)));
    tx.commit().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn try_lock_times_out_while_held_elsewhere() {
    let s = ServerProcess::start();
    let a = client(&s, "a").await;
    let b = client(&s, "b").await;
    let l = named("busy");
    let held = a.lock(l.clone(), LockLevel::Write).await.unwrap();
    assert!(b
        .try_lock(l.clone(), LockLevel::Write, Duration::ZERO)
        .await
        .unwrap()
        .is_none());
    let t = std::time::Instant::now();
    assert!(b
        .try_lock(l.clone(), LockLevel::Write, Duration::from_millis(300))
        .await
        .unwrap()
        .is_none());
    assert!(t.elapsed() >= Duration::from_millis(250));
    drop(held);
    let tx = b
        .try_lock(l.clone(), LockLevel::Write, Duration::from_secs(5))
        .await
        .unwrap();
    assert!(tx.is_some());
    drop(tx);
    // tokens are fencing: a new award has a larger token
    let t1 = b.lock(l.clone(), LockLevel::Write).await.unwrap().token();
    let t2 = a.lock(l.clone(), LockLevel::Write).await.unwrap().token();
    assert!(t2 > t1, "{t1} {t2}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dmi_subscription_membership() {
    let s = ServerProcess::start();
    let a = client(&s, "a").await;
    let mut events = a.events();
    let b = client(&s, "b").await;
    match tokio::time::timeout(Duration::from_secs(5), events.recv())
        .await
        .unwrap()
        .unwrap()
    {
        ClusterEvent::NodeJoined(n) => assert_eq!(n.id, b.client_id()),
        other => panic!("{other:?}"),
    }
    assert_eq!(a.nodes().len(), 2);

    let mut dmis = b.dmi_events();
    let seen = Arc::new(AtomicU64::new(0));
    let seen2 = seen.clone();
    let m = b.map("watched").await.unwrap();
    let _sub = b
        .subscribe(SubTarget::Object(m.id()), move |_ev| {
            seen2.fetch_add(1, Ordering::SeqCst);
        })
        .await
        .unwrap();
    let ma = a.map("watched").await.unwrap();
    let mut tx = a
        .lock(LockId::Object(ma.id()), LockLevel::Write)
        .await
        .unwrap();
    ma.put(&mut tx, "x", 1i64).unwrap();
    tx.invoke(DmiCall {
        receiver: ObjectId(0),
        method: "void hello()".into(),
        args: vec![Value::from("hi")],
        all_nodes: true,
    });
    tx.commit().await.unwrap();
    let ev = tokio::time::timeout(Duration::from_secs(5), dmis.recv())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(ev.from_client, a.client_id());
    assert_eq!(ev.call.method, "void hello()");
    for _ in 0..100 {
        if seen.load(Ordering::SeqCst) > 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(seen.load(Ordering::SeqCst), 1);
    // the change was applied to b's cache before the callback
    assert_eq!(b.cached(m.id()).map(|s| s.data.len()), Some(1));

    b.close().await.unwrap();
    loop {
        match tokio::time::timeout(Duration::from_secs(5), events.recv())
            .await
            .unwrap()
            .unwrap()
        {
            ClusterEvent::NodeLeft(n) => {
                assert_eq!(n.id, b.client_id());
                break;
            }
            _ => continue,
        }
    }
    assert!(matches!(b.root("x").await, Err(kiln::Error::Closed)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn roots_race_and_sync_write() {
    let s = ServerProcess::start();
    let a = client(&s, "a").await;
    let b = client(&s, "b").await;
    let (ra, rb) = tokio::join!(
        a.root_or_create("race", kiln::ObjectState::list()),
        b.root_or_create("race", kiln::ObjectState::list())
    );
    assert_eq!(ra.unwrap(), rb.unwrap());
    assert_eq!(
        a.set_root_literal("lit", Value::I64(1), false)
            .await
            .unwrap(),
        Value::I64(1)
    );
    assert_eq!(
        b.set_root_literal("lit", Value::I64(2), false)
            .await
            .unwrap(),
        Value::I64(1)
    );
    assert_eq!(
        b.set_root_literal("lit", Value::I64(2), true)
            .await
            .unwrap(),
        Value::I64(2)
    );
    let roots = a.roots().await.unwrap();
    assert_eq!(
        roots.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>(),
        vec!["lit", "race"]
    );
    assert!(matches!(
        a.map("lit").await,
        Err(kiln::Error::RootIsLiteral { .. })
    ));

    let q = a.queue("q").await.unwrap();
    let mut tx = a.lock(named("q"), LockLevel::SyncWrite).await.unwrap();
    q.offer(&mut tx, "job-1").unwrap();
    tx.commit().await.unwrap();
    let st = a.stats();
    assert!(st.acked_seq >= st.txns_committed, "{st:?}");
    let qb = b.queue("q").await.unwrap();
    let mut tx = b.lock(named("q"), LockLevel::Write).await.unwrap();
    assert_eq!(qb.poll(&mut tx).unwrap(), Some(Value::from("job-1")));
    tx.commit().await.unwrap();
    b.flush().await.unwrap();
    let c = client(&s, "c").await;
    assert_eq!(c.queue("q").await.unwrap().len(&c).await.unwrap(), 0);
}

#[test]
fn blocking_facade() {
    let s = ServerProcess::start();
    let c = ClientBuilder::new([s.addr()])
        .retry_wait(Duration::from_millis(50))
        .connect_deadline(Duration::from_secs(20))
        .connect_blocking()
        .unwrap();
    let l = c.list("items").unwrap();
    let threads: Vec<_> = (0..4)
        .map(|i| {
            let c = c.clone();
            std::thread::spawn(move || {
                for j in 0..50 {
                    let mut tx = c.lock(named("items"), LockLevel::Write).unwrap();
                    l.add(&mut tx, format!("{i}-{j}")).unwrap();
                    tx.commit().unwrap();
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    c.flush().unwrap();
    assert_eq!(c.block_on(l.len(c.as_async())).unwrap(), 200);
    let mut tx = c.lock(named("items"), LockLevel::Write).unwrap();
    assert_eq!(
        tx.wait(Some(Duration::from_millis(50))).unwrap(),
        WakeReason::TimedOut
    );
    tx.commit().unwrap();
    assert!(c.ping().unwrap() < Duration::from_secs(1));
    c.close().unwrap();
}

/// Threads of one client taking turns on one write lock (the transparent agent's
/// `synchronized (map) { map.put(..) }` from several threads): a release lets a running writer
/// of the client take the lock again rather than handing it to a parked one (`FAIR_AFTER`,
/// client/src/locks.rs). Every increment still counts exactly, every thread keeps making
/// progress (none starves), and a second client still gets the lock recalled to it in turn.
#[test]
fn local_writers_taking_turns_all_progress_and_count_exactly() {
    let s = ServerProcess::start();
    let connect = || {
        ClientBuilder::new([s.addr()])
            .retry_wait(Duration::from_millis(50))
            .connect_deadline(Duration::from_secs(20))
            .connect_blocking()
            .unwrap()
    };
    let a = connect();
    let b = connect();
    let oid = a
        .root_or_create("turns", kiln::ObjectState::physical("kiln.Counter"))
        .unwrap();
    b.object(oid).unwrap();
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let bump = |c: &kiln::blocking::Client| {
        let mut tx = c.lock(named("turns"), LockLevel::Write).unwrap();
        let v = tx
            .read(oid, |st| {
                st.field("kiln.Counter", "value")
                    .and_then(Value::as_i64)
                    .unwrap_or(0)
            })
            .unwrap();
        tx.set_field(oid, "kiln.Counter", "value", Value::I64(v + 1))
            .unwrap();
        tx.commit().unwrap();
    };
    let counts: Vec<u64> = std::thread::scope(|sc| {
        let mut hs = vec![];
        for i in 0..5 {
            let c = if i < 4 { a.clone() } else { b.clone() };
            let stop = stop.clone();
            hs.push(sc.spawn(move || {
                let mut n = 0u64;
                while !stop.load(Ordering::Relaxed) {
                    bump(&c);
                    n += 1;
                    if i == 4 {
                        std::thread::sleep(Duration::from_millis(5)); // the other client: now and then
                    }
                }
                n
            }));
        }
        std::thread::sleep(Duration::from_millis(1500));
        stop.store(true, Ordering::Relaxed);
        hs.into_iter().map(|h| h.join().unwrap()).collect()
    });
    a.flush().unwrap();
    b.flush().unwrap();
    let total: u64 = counts.iter().sum();
    eprintln!("increments per thread (a: 4 threads, then b): {counts:?}");
    let fresh = connect();
    let st = fresh.object(oid).unwrap();
    assert_eq!(
        st.field("kiln.Counter", "value"),
        Some(&Value::I64(i64::try_from(total).unwrap())),
        "{counts:?}"
    );
    for (i, n) in counts[..4].iter().enumerate() {
        assert!(*n >= 20, "thread {i} of client a starved: {counts:?}");
    }
    assert!(counts[4] >= 5, "client b starved: {counts:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connect_failure_names_address() {
    let port = free_port();
    let addr = format!("127.0.0.1:{port}");
    let e = ClientBuilder::new([addr.clone()])
        .connect_deadline(Duration::from_millis(300))
        .retry_wait(Duration::from_millis(50))
        .connect()
        .await
        .unwrap_err();
    assert!(matches!(e, kiln::Error::ConnectFailed { .. }));
    assert!(e.to_string().contains(&addr), "{e}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_connection_survives_health_check() {
    let s = ServerProcess::start();
    let hc = kiln::HealthCheck {
        idle: Duration::from_millis(100),
        interval: Duration::from_millis(100),
        probes: 2,
    };
    let a = ClientBuilder::new([s.addr()])
        .health_check(Some(hc))
        .connect_deadline(Duration::from_secs(20))
        .retry_wait(Duration::from_millis(50))
        .connect()
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert!(a.is_connected(), "{:?}", a.flush().await);
    assert!(
        a.stats().frames_sent >= 3,
        "pings were sent: {:?}",
        a.stats()
    );
    assert!(a.ping().await.unwrap() < Duration::from_secs(1));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_error_fails_the_client_only() {
    let s = ServerProcess::start();
    let a = client(&s, "a").await;
    let b = client(&s, "b").await;
    let mut events = a.events();
    let m = a.map("m").await.unwrap();
    let mut tx = a.lock(named("m"), LockLevel::Write).await.unwrap();
    // a reference to an object that exists nowhere: the server rejects the transaction
    m.put(&mut tx, "bad", Value::Ref(ObjectId(999_999_999)))
        .unwrap();
    tx.commit().await.unwrap();
    let e = a.flush().await.unwrap_err();
    assert!(matches!(e, kiln::Error::ServerError { .. }), "{e}");
    assert!(!a.is_connected());
    assert!(a.lock(named("m"), LockLevel::Write).await.is_err());
    loop {
        if let ClusterEvent::Disconnected = events.recv().await.unwrap() {
            break;
        }
    }
    // the other client is unaffected and the bad txn was not applied
    let mb = b.map("m").await.unwrap();
    assert_eq!(mb.len(&b).await.unwrap(), 0);
    let tx = b.lock(named("m"), LockLevel::Write).await.unwrap();
    tx.commit().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn small_window_back_pressure() {
    let s = ServerProcess::start();
    let a = ClientBuilder::new([s.addr()])
        .window(4)
        .connect_deadline(Duration::from_secs(20))
        .retry_wait(Duration::from_millis(50))
        .connect()
        .await
        .unwrap();
    let l = a.list("l").await.unwrap();
    for i in 0..2000i64 {
        let mut tx = a.lock(named("l"), LockLevel::Write).await.unwrap();
        l.add(&mut tx, i).unwrap();
        tx.commit().await.unwrap();
        let st = a.stats();
        assert!(st.txns_committed - st.acked_seq <= 5, "{st:?}");
    }
    a.flush().await.unwrap();
    let b = client(&s, "b").await;
    assert_eq!(b.list("l").await.unwrap().len(&b).await.unwrap(), 2000);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bulk_create_and_fault_graph() {
    let s = ServerProcess::start();
    let a = client(&s, "a").await;
    let l = a.list("people").await.unwrap();
    a.reserve_ids(50_000).await.unwrap();
    let mut tx = a.lock(named("people"), LockLevel::Write).await.unwrap();
    for i in 0..50_000i64 {
        let p = tx.create(kiln::ObjectState::physical("Person")).unwrap();
        tx.set_field(p, "Person", "n", Value::I64(i)).unwrap();
        l.add(&mut tx, p).unwrap();
    }
    tx.commit().await.unwrap();
    a.flush().await.unwrap();
    let b = ClientBuilder::new([s.addr()])
        .fault_count(100)
        .connect_deadline(Duration::from_secs(20))
        .connect()
        .await
        .unwrap();
    let lb = b.list("people").await.unwrap();
    assert_eq!(lb.len(&b).await.unwrap(), 50_000);
    let Some(Value::Ref(p)) = lb.get(&b, 49_999).await.unwrap() else {
        panic!()
    };
    assert_eq!(
        b.object(p).await.unwrap().field("Person", "n"),
        Some(&Value::I64(49_999))
    );
    assert!(
        b.stats().cached_objects < 1000,
        "prefetch bounded by the fault count"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_death_fails_pending_operations() {
    let mut s = ServerProcess::start();
    let a = client_no_reconnect(&s, "a").await;
    let b = client_no_reconnect(&s, "b").await;
    let held = a.lock(named("x"), LockLevel::Write).await.unwrap();
    let b2 = b.clone();
    let pending =
        tokio::spawn(async move { b2.lock(named("x"), LockLevel::Write).await.map(|_| ()) });
    tokio::time::sleep(Duration::from_millis(200)).await;
    s.kill();
    let r = tokio::time::timeout(Duration::from_secs(5), pending)
        .await
        .unwrap()
        .unwrap();
    assert!(
        matches!(r, Err(kiln::Error::ConnectionLost { .. })),
        "{r:?}"
    );
    drop(held);
    // `a` had nothing in flight: it learns of the death from its reader (EOF), which may come a
    // moment after `b`'s. Until then a flush has nothing to wait for and succeeds.
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    while a.is_connected() && std::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(
        !a.is_connected(),
        "client a did not notice the server's death within 5 s"
    );
    assert!(a.flush().await.is_err());
    assert!(matches!(
        b.root("r").await,
        Err(kiln::Error::ConnectionLost { .. })
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_check_detects_a_frozen_server() {
    let s = ServerProcess::start();
    let hc = kiln::HealthCheck {
        idle: Duration::from_millis(100),
        interval: Duration::from_millis(100),
        probes: 2,
    };
    let a = ClientBuilder::new([s.addr()])
        .health_check(Some(hc))
        .reconnect(false)
        .connect_deadline(Duration::from_secs(20))
        .retry_wait(Duration::from_millis(50))
        .connect()
        .await
        .unwrap();
    let pid = s.pid().unwrap().to_string();
    Command::new("kill").args(["-STOP", &pid]).status().unwrap();
    tokio::time::sleep(Duration::from_millis(1000)).await;
    let alive = a.is_connected();
    Command::new("kill").args(["-CONT", &pid]).status().unwrap();
    assert!(!alive);
    assert!(matches!(
        a.ping().await,
        Err(kiln::Error::ConnectionLost { .. })
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn read_leases_shared_then_upgrade() {
    let s = ServerProcess::start();
    let a = client(&s, "a").await;
    let b = client(&s, "b").await;
    let l = named("rw");
    // both clients hold read leases at once
    let ra = a.lock(l.clone(), LockLevel::Read).await.unwrap();
    let rb = b.lock(l.clone(), LockLevel::Read).await.unwrap();
    let m = a.map("rwmap").await.unwrap();
    let mut ra = ra;
    assert!(matches!(
        m.put(&mut ra, "k", "v"),
        Err(kiln::Error::ReadOnly { .. })
    ));
    drop(ra);
    drop(rb);
    // a upgrades: its read hold is dropped, b's read lease is recalled
    let requests = a.stats().lock_requests;
    let mut w = a.lock(l.clone(), LockLevel::Write).await.unwrap();
    assert_eq!(a.stats().lock_requests, requests + 1);
    m.put(&mut w, "k", "v").unwrap();
    w.commit().await.unwrap();
    // b reads again (recall of a's write lease) and sees the change
    let rb = b.lock(l.clone(), LockLevel::Read).await.unwrap();
    let mb = b.map("rwmap").await.unwrap();
    assert_eq!(mb.get(&b, "k").await.unwrap(), Some(Value::from("v")));
    drop(rb);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn root_subscription_and_resident_only_dmi() {
    let s = ServerProcess::start();
    let a = client(&s, "a").await;
    let b = client(&s, "b").await;
    let c = client(&s, "c").await;
    let fired = Arc::new(AtomicU64::new(0));
    let f2 = fired.clone();
    let _sub = b
        .subscribe(SubTarget::Root("flag".into()), move |ev| {
            assert_eq!(ev.target, SubTarget::Root("flag".into()));
            f2.fetch_add(1, Ordering::SeqCst);
        })
        .await
        .unwrap();
    a.set_root_literal("flag", Value::Bool(true), false)
        .await
        .unwrap();
    a.set_root_literal("flag", Value::Bool(false), true)
        .await
        .unwrap();
    for _ in 0..100 {
        if fired.load(Ordering::SeqCst) >= 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(fired.load(Ordering::SeqCst), 2);

    // a DMI with all_nodes = false reaches only clients where the receiver is resident
    let recv = a.map("recv").await.unwrap();
    b.map("recv").await.unwrap();
    let mut db = b.dmi_events();
    let mut dc = c.dmi_events();
    let mut tx = a.lock(named("recv"), LockLevel::Write).await.unwrap();
    tx.invoke(DmiCall {
        receiver: recv.id(),
        method: "void ping()".into(),
        args: vec![],
        all_nodes: false,
    });
    tx.commit().await.unwrap();
    let ev = tokio::time::timeout(Duration::from_secs(5), db.recv())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(ev.call.receiver, recv.id());
    a.flush().await.unwrap();
    c.ping().await.unwrap();
    assert!(
        dc.try_recv().is_err(),
        "c does not have the receiver resident"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn physical_objects_and_arrays_shared_through_typed_handles() {
    use kiln::{Array, ArrayData, Object};
    let s = ServerProcess::start();
    let a = client(&s, "a").await;
    let b = client(&s, "b").await;
    let lock = named("shapes");
    let mut tx = a.lock(lock.clone(), LockLevel::Write).await.unwrap();
    let order = Object::create(&mut tx, "com.acme.Order").unwrap();
    order.set(&mut tx, "com.acme.Order", "qty", 3i32).unwrap();
    order.set(&mut tx, "com.acme.Base", "qty", 1i32).unwrap();
    let grid = Array::create(&mut tx, "[I", ArrayData::I32(vec![0; 8])).unwrap();
    grid.set(&mut tx, 3, Value::I32(7)).unwrap();
    assert!(
        grid.set(&mut tx, 2, Value::from("not an int")).is_err(),
        "type-checked locally"
    );
    order.set(&mut tx, "com.acme.Order", "grid", grid).unwrap();
    tx.commit().await.unwrap();
    a.set_root_literal("order-id", Value::I64(order.id().0 as i64), false)
        .await
        .unwrap();

    let tx = b.lock(lock.clone(), LockLevel::Read).await.unwrap();
    let id = b
        .root("order-id")
        .await
        .unwrap()
        .and_then(|v| v.as_i64())
        .unwrap();
    let ob = Object::from_id(ObjectId(id as u64));
    assert_eq!(ob.class(&b).await.unwrap(), "com.acme.Order");
    assert_eq!(
        ob.get(&b, "com.acme.Order", "qty").await.unwrap(),
        Some(Value::I32(3))
    );
    assert_eq!(
        ob.get(&b, "com.acme.Base", "qty").await.unwrap(),
        Some(Value::I32(1))
    );
    assert_eq!(ob.fields(&b).await.unwrap().len(), 3);
    let gid = ob
        .get(&b, "", "grid")
        .await
        .unwrap()
        .and_then(|v| v.as_ref_id())
        .unwrap();
    let gb = Array::from_id(gid);
    assert_eq!(gb.len(&b).await.unwrap(), 8);
    assert_eq!(gb.get(&b, 3).await.unwrap(), Some(Value::I32(7)));
    assert_eq!(gb.get(&b, 8).await.unwrap(), None);
    drop(tx);

    let mut tx = b.lock(lock.clone(), LockLevel::Write).await.unwrap();
    gb.replace(&mut tx, ArrayData::I32((0..8).collect()))
        .unwrap();
    tx.commit().await.unwrap();
    let tx = a.lock(lock, LockLevel::Read).await.unwrap();
    assert_eq!(
        grid.data(&a).await.unwrap(),
        ArrayData::I32((0..8).collect())
    );
    assert!(matches!(
        Array::from_id(order.id()).get(&a, 0).await,
        Err(kiln::Error::WrongKind { .. })
    ));
    drop(tx);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lock_table_forgets_locks_given_back() {
    let s = ServerProcess::start();
    let a = client(&s, "a").await;
    let b = client(&s, "b").await;
    for i in 0..500 {
        a.lock(LockId::Object(ObjectId(1_000 + i)), LockLevel::Write)
            .await
            .unwrap()
            .commit()
            .await
            .unwrap();
    }
    assert_eq!(a.stats().tracked_locks, 500, "greedy: every lease is kept");
    // b takes every lock: a's leases are recalled and a forgets them.
    for i in 0..500 {
        b.lock(LockId::Object(ObjectId(1_000 + i)), LockLevel::Write)
            .await
            .unwrap()
            .commit()
            .await
            .unwrap();
    }
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while a.stats().tracked_locks > 0 && std::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(a.stats().tracked_locks, 0);
    // A forgotten lock works as before: a gets it back (b is recalled) and b forgets it.
    let tx = a
        .lock(LockId::Object(ObjectId(1_000)), LockLevel::Write)
        .await
        .unwrap();
    assert!(tx.token() > 0);
    tx.commit().await.unwrap();
    assert_eq!(a.stats().tracked_locks, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn locate_names_the_clients_where_objects_are_resident() {
    let s = ServerProcess::start();
    let a = client(&s, "a").await;
    let b = client(&s, "b").await;
    let c = client(&s, "c").await;
    let ma = a.map("located").await.unwrap();
    let only_a = a.list("located-only-a").await.unwrap();
    let mb = b.map("located").await.unwrap();
    assert_eq!(ma.id(), mb.id());

    let mut want_both = vec![a.client_id(), b.client_id()];
    want_both.sort_unstable();
    let got = c
        .locate(&[ma.id(), only_a.id(), ObjectId(0x7fff_0000_0000)])
        .await
        .unwrap();
    assert_eq!(
        got,
        vec![want_both, vec![a.client_id()], vec![]],
        "c asked: resident on a and b, on a only, nowhere (unknown id)"
    );
    assert_eq!(a.locate(&[]).await.unwrap(), Vec::<Vec<u64>>::new());

    // b evicts the map: only a keeps it resident.
    b.evict(&[mb.id()]).await.unwrap();
    assert_eq!(
        b.locate(&[ma.id()]).await.unwrap(),
        vec![vec![a.client_id()]]
    );
    // a client that leaves takes its resident set with it.
    a.close().await.unwrap();
    for _ in 0..100 {
        if c.locate(&[ma.id()]).await.unwrap() == vec![Vec::<u64>::new()] {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(c.locate(&[ma.id()]).await.unwrap(), vec![Vec::<u64>::new()]);
}

/// One transaction changing object X, then Y, then X again: a client with X resident applies
/// both of X's deltas (the second was once skipped as "already applied": same transaction id).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_deltas_for_one_object_in_one_transaction_both_apply() {
    use kiln::Object;
    let s = ServerProcess::start();
    let a = client(&s, "a").await;
    let b = client(&s, "b").await;
    let lock = named("twice");
    let mut tx = a.lock(lock.clone(), LockLevel::Write).await.unwrap();
    let x = Object::create(&mut tx, "X").unwrap();
    let y = Object::create(&mut tx, "Y").unwrap();
    x.set(&mut tx, "X", "first", 0i32).unwrap();
    x.set(&mut tx, "X", "second", 0i32).unwrap();
    y.set(&mut tx, "Y", "v", 0i32).unwrap();
    tx.commit().await.unwrap();
    for (name, o) in [("twice-x", &x), ("twice-y", &y)] {
        a.set_root_literal(name, Value::I64(o.id().0 as i64), false)
            .await
            .unwrap();
    }
    let tx = b.lock(lock.clone(), LockLevel::Read).await.unwrap();
    let mut resident = Vec::new();
    for name in ["twice-x", "twice-y"] {
        let id = b
            .root(name)
            .await
            .unwrap()
            .and_then(|v| v.as_i64())
            .unwrap();
        resident.push(Object::from_id(ObjectId(id as u64)));
    }
    let (xb, yb) = (&resident[0], &resident[1]);
    assert_eq!(xb.get(&b, "X", "first").await.unwrap(), Some(Value::I32(0)));
    assert_eq!(yb.get(&b, "Y", "v").await.unwrap(), Some(Value::I32(0)));
    drop(tx);

    let mut tx = a.lock(lock.clone(), LockLevel::Write).await.unwrap();
    x.set(&mut tx, "X", "first", 1i32).unwrap();
    y.set(&mut tx, "Y", "v", 1i32).unwrap();
    x.set(&mut tx, "X", "second", 1i32).unwrap();
    tx.commit().await.unwrap();
    let tx = b.lock(lock, LockLevel::Read).await.unwrap();
    assert_eq!(xb.get(&b, "X", "first").await.unwrap(), Some(Value::I32(1)));
    assert_eq!(yb.get(&b, "Y", "v").await.unwrap(), Some(Value::I32(1)));
    assert_eq!(
        xb.get(&b, "X", "second").await.unwrap(),
        Some(Value::I32(1)),
        "the second delta of X in one transaction"
    );
    drop(tx);
    a.close().await.unwrap();
    b.close().await.unwrap();
}

/// `evict_released` (the Java agent's release of collected objects) keeps an object an open
/// transaction changed or created until that transaction is sent, then drops it; a later read
/// faults it again with the committed state, and the server no longer counts it resident.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn evict_released_waits_for_the_open_transaction_that_changed_the_object() {
    use kiln::Object;
    let s = ServerProcess::start();
    let a = client(&s, "a").await;
    let b = client(&s, "b").await;
    let lock = named("evict-released");
    let mut tx = a.lock(lock.clone(), LockLevel::Write).await.unwrap();
    let x = Object::create(&mut tx, "X").unwrap();
    x.set(&mut tx, "X", "v", 1i32).unwrap();
    // Created by the open transaction (unsent): kept.
    assert_eq!(a.evict_released(&[x.id()]).unwrap(), 0);
    assert!(a.cached(x.id()).is_some());
    tx.commit().await.unwrap();
    a.flush().await.unwrap();
    // Kept back by the call above, retried now that it is sent.
    assert_eq!(a.evict_released(&[]).unwrap(), 1);
    assert!(a.cached(x.id()).is_none());
    assert_eq!(x.get(&a, "X", "v").await.unwrap(), Some(Value::I32(1)));
    assert!(a.cached(x.id()).is_some(), "faulted back");

    // Changed (not created) by an open transaction: kept until it commits, then dropped.
    let mut tx = a.lock(lock.clone(), LockLevel::Write).await.unwrap();
    x.set(&mut tx, "X", "v", 2i32).unwrap();
    assert_eq!(a.evict_released(&[x.id()]).unwrap(), 0);
    assert_eq!(
        x.get(&a, "X", "v").await.unwrap(),
        Some(Value::I32(2)),
        "the open transaction's own change is still what this client reads"
    );
    tx.commit().await.unwrap();
    a.flush().await.unwrap();
    assert_eq!(a.evict_released(&[x.id()]).unwrap(), 1);
    // The server stopped counting it resident on a: b's locate sees nobody.
    let mut located = Vec::new();
    for _ in 0..100 {
        located = b.locate(&[x.id()]).await.unwrap();
        if located == vec![Vec::<u64>::new()] {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(located, vec![Vec::<u64>::new()]);
    // b changes it; a, faulting it again, reads b's value (no stale copy anywhere).
    let mut tx = b.lock(lock.clone(), LockLevel::Write).await.unwrap();
    let xb = Object::from_id(x.id());
    assert_eq!(xb.get(&b, "X", "v").await.unwrap(), Some(Value::I32(2)));
    xb.set(&mut tx, "X", "v", 3i32).unwrap();
    tx.commit().await.unwrap();
    let tx = a.lock(lock, LockLevel::Read).await.unwrap();
    assert_eq!(x.get(&a, "X", "v").await.unwrap(), Some(Value::I32(3)));
    drop(tx);
    // Unknown or already dropped ids are ignored.
    assert_eq!(a.evict_released(&[ObjectId(0x7fff_0000_0001)]).unwrap(), 0);
}

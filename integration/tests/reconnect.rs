//! The real Rust client against the real `kiln-server` across server restarts and storage
//! failures (protocol.md §9.8, §9.9): a client keeps its lock, its unacknowledged transactions,
//! its waiters and its pending requests across a `kill -9` + restart of a persistent server;
//! comes back too late and is refused with a clear error; is refused by an in-memory server;
//! gives up after its reconnect timeout when no server comes back; and gets rejected
//! transactions reported (and dropped from its cache) while the server's storage fails.
//!
//! Every test starts its own server on free loopback ports; every wait is bounded.

use std::future::Future;
use std::time::{Duration, Instant};

use kiln::{
    Client, ClientBuilder, ClusterEvent, ConnectionState, Error, HealthCheck, LockId, LockLevel,
    Value, WakeReason,
};
use kiln_integration::{RawConn, ServerOptions, ServerProcess, TempDir};
use tokio::sync::broadcast;

/// Upper bound of every "this must happen" wait.
const T: Duration = Duration::from_secs(20);

/// Awaits `f`, failing the test after `d`.
async fn within<F: Future>(what: &str, d: Duration, f: F) -> F::Output {
    match tokio::time::timeout(d, f).await {
        Ok(v) => v,
        Err(_) => panic!("timed out after {d:?} waiting for {what}"),
    }
}

fn named(s: &str) -> LockId {
    LockId::Named(s.to_string())
}

fn persistent(window_secs: u64) -> ServerOptions {
    ServerOptions {
        persistent: true,
        reconnect_window_secs: Some(window_secs),
        ..ServerOptions::default()
    }
}

fn builder(server: &ServerProcess, name: &str) -> ClientBuilder {
    ClientBuilder::new([server.addr()])
        .name(name)
        .connect_deadline(T)
        .retry_wait(Duration::from_millis(50))
        .reconnect_interval(Duration::from_millis(100))
        .reconnect_timeout(Duration::from_secs(60))
}

async fn connect(server: &ServerProcess, name: &str) -> Client {
    within("connect", T, builder(server, name).connect())
        .await
        .unwrap_or_else(|e| panic!("{name} cannot connect: {e}"))
}

/// Waits for a given membership/connection event.
async fn wait_event(rx: &mut broadcast::Receiver<ClusterEvent>, want: ClusterEvent) {
    loop {
        let ev = within("a client event", T, rx.recv())
            .await
            .expect("event channel");
        if ev == want {
            return;
        }
    }
}

fn signal(server: &ServerProcess, sig: &str) {
    let pid = server.pid().expect("server pid").to_string();
    let st = std::process::Command::new("kill")
        .args([sig, &pid])
        .status()
        .expect("run kill");
    assert!(st.success(), "kill {sig} {pid} failed");
}

async fn get_i64(c: &Client, m: &kiln::Map, key: &str) -> Option<i64> {
    m.get(c, key)
        .await
        .expect("map get")
        .and_then(|v| v.as_i64())
}

// ------------------------------------------------------------ lock + unacked txns survive

/// A client holds a lock (with an open transaction) and has unacknowledged transactions, a
/// blocked SyncWrite commit and a cluster waiter when the persistent server is killed with
/// `kill -9` and restarted. It reconnects with the same id: the lock is still its own (another
/// client cannot take it until it is released), nothing it committed is lost, requests issued
/// during the outage complete, and the waiter is woken by a notify after the restart.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lock_and_unacknowledged_transactions_survive_a_server_restart() {
    let mut server = ServerProcess::start_opts(persistent(5));
    let a = connect(&server, "survivor").await;
    let id = a.client_id();
    let epoch = a.server_epoch();
    let mut events = a.events();

    // Acknowledged before the crash.
    let m = a.map("m").await.expect("map");
    let mut tx = a.lock(named("L"), LockLevel::Write).await.expect("lock L");
    m.put(&mut tx, "acked", 1).expect("put");
    tx.commit().await.expect("commit");
    a.flush().await.expect("flush before the crash");

    // A cluster waiter on another lock, parked across the restart.
    let a2 = a.clone();
    let waiter = tokio::spawn(async move {
        let mut tx = a2.lock(named("W"), LockLevel::Write).await?;
        let r = tx.wait(None).await?;
        tx.commit().await?;
        Ok::<_, Error>(r)
    });
    let deadline = Instant::now() + T;
    while server.status()["waiters"] != 1 {
        assert!(
            Instant::now() < deadline,
            "the waiter never reached the server: {}",
            server.status()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }

    // Freeze the server: what is committed from now on stays unacknowledged.
    signal(&server, "-STOP");
    for (k, v) in [("unacked-1", 2), ("unacked-2", 3)] {
        let mut tx = a
            .lock(named("L"), LockLevel::Write)
            .await
            .expect("relock L");
        m.put(&mut tx, k, v).expect("put");
        within("a non-sync commit", T, tx.commit())
            .await
            .expect("commit");
    }
    // A SyncWrite commit blocks until the server acknowledges it (after the restart).
    let a3 = a.clone();
    let m3 = m;
    let sync = tokio::spawn(async move {
        let mut tx = a3.lock(named("L"), LockLevel::SyncWrite).await?;
        m3.put(&mut tx, "sync", 4)?;
        tx.commit().await
    });
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(
        !sync.is_finished(),
        "a SyncWrite commit returned unacknowledged"
    );
    // Hold the lock across the restart, with an open transaction.
    let mut held = a.lock(named("L"), LockLevel::Write).await.expect("hold L");
    m.put(&mut held, "open", 5)
        .expect("put in the open transaction");
    let st = a.stats();
    assert!(
        st.acked_seq + 3 <= st.txns_committed && st.unacked_txns >= 3,
        "transactions should be unacknowledged: {st:?}"
    );

    // kill -9 (the stopped process dies all the same).
    tokio::task::block_in_place(|| server.kill());
    wait_event(&mut events, ClusterEvent::Reconnecting).await;
    assert_eq!(a.state(), ConnectionState::Reconnecting);
    assert!(!a.is_connected());
    // Requests made during the outage wait for the reconnect instead of failing.
    let a4 = a.clone();
    let lookup = tokio::spawn(async move { a4.root("m").await });
    let a5 = a.clone();
    let ping = tokio::spawn(async move { a5.ping().await });
    // Greedy re-acquire of a lease the client holds still works locally.
    let local = a.try_lock_local(named("W"), LockLevel::Write);
    assert!(local.is_some(), "the lease on W is still this client's");
    drop(local);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(!lookup.is_finished() && !ping.is_finished());

    tokio::task::block_in_place(|| server.restart());
    wait_event(&mut events, ClusterEvent::Reconnected).await;
    assert_eq!(a.state(), ConnectionState::Connected);
    assert_eq!(a.client_id(), id, "same client id after the reconnect");
    assert!(
        a.server_epoch() > epoch,
        "a new server epoch after a restart"
    );
    assert!(matches!(
        within("the lookup made during the outage", T, lookup).await,
        Ok(Ok(Some(Value::Ref(_))))
    ));
    within("the ping made during the outage", T, ping)
        .await
        .expect("task")
        .expect("ping");
    within("the SyncWrite commit", T, sync)
        .await
        .expect("task")
        .expect("SyncWrite commit acknowledged after the restart");
    within("flush after the reconnect", T, a.flush())
        .await
        .expect("every transaction acknowledged after the reconnect");
    let st = a.stats();
    assert_eq!(st.reconnects, 1, "{st:?}");
    assert_eq!(st.txns_rejected, 0, "{st:?}");
    assert_eq!(st.acked_seq, st.txns_committed, "{st:?}");

    // The lock is still A's: another client cannot take it while A holds it.
    let b = connect(&server, "other").await;
    let got = within(
        "B's try_lock",
        T,
        b.try_lock(named("L"), LockLevel::Write, Duration::from_millis(500)),
    )
    .await
    .expect("try_lock");
    assert!(got.is_none(), "B got L while A holds it across the restart");

    // B notifies A's waiter (re-asserted after the restart).
    let mut tb = within("B locks W", T, b.lock(named("W"), LockLevel::Write))
        .await
        .expect("lock W");
    tb.notify();
    tb.commit().await.expect("notify commit");
    let woke = within("the waiter to wake", T, waiter)
        .await
        .expect("task")
        .expect("wait");
    assert_eq!(woke, WakeReason::Notified);

    // A releases; B takes L and sees everything A committed, before and after the crash.
    within("A's release", T, held.commit())
        .await
        .expect("commit the open transaction");
    let tb = within("B locks L", T, b.lock(named("L"), LockLevel::Write))
        .await
        .expect("B locks L");
    let mb = b.map("m").await.expect("B's map");
    for (k, v) in [
        ("acked", 1),
        ("unacked-1", 2),
        ("unacked-2", 3),
        ("sync", 4),
        ("open", 5),
    ] {
        assert_eq!(
            get_i64(&b, &mb, k).await,
            Some(v),
            "key {k} after the restart"
        );
    }
    assert_eq!(mb.len(&b).await.expect("len"), 5, "nothing applied twice");
    tb.commit().await.expect("B commit");
    // A still reads its map (re-faulted or kept, but current).
    assert_eq!(get_i64(&a, &m, "open").await, Some(5));
    a.close().await.expect("close A");
    b.close().await.expect("close B");
}

// ------------------------------------------------- waiting for the window stays alive

/// A client that came back after a restart and then waits for the reconnect window (another
/// known client never returns) is kept alive by the server while it waits: its health check,
/// much shorter than the window here, must not declare the server dead. Before, the waiting
/// session neither wrote nor read: the client dropped the connection, and since the server
/// still had its old session, its next reconnect was refused and the client failed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_returning_client_waiting_for_the_window_is_kept_alive() {
    let window = 4;
    // The server's own check of its clients is shorter than the window too: what the client
    // sends while it waits must count as traffic.
    let mut server = ServerProcess::start_opts(ServerOptions {
        tc_properties: r#"<property name="l2.healthcheck.l1.ping.idletime" value="500"/>
<property name="l2.healthcheck.l1.ping.interval" value="200"/>
<property name="l2.healthcheck.l1.ping.probes" value="2"/>"#
            .into(),
        ..persistent(window)
    });
    let a = within(
        "connect",
        T,
        builder(&server, "patient")
            .health_check(Some(HealthCheck {
                idle: Duration::from_millis(400),
                interval: Duration::from_millis(200),
                probes: 2,
            }))
            .connect(),
    )
    .await
    .expect("connect");
    let m = a.map("m").await.expect("map");
    let mut tx = a.lock(named("L"), LockLevel::Write).await.expect("lock");
    m.put(&mut tx, "before", 1).expect("put");
    tx.commit().await.expect("commit");
    a.flush().await.expect("flush");
    // A second known client that will never come back: the window stays open its full length.
    let gone = tokio::task::block_in_place(|| RawConn::hello(server.port, "gone"));
    let mut events = a.events();

    tokio::task::block_in_place(|| server.kill());
    wait_event(&mut events, ClusterEvent::Reconnecting).await;
    tokio::task::block_in_place(|| server.restart());
    drop(gone);
    wait_event(&mut events, ClusterEvent::Reconnected).await;
    let back = Instant::now();

    // A lock it never held: the request waits until the window closes (several health-check
    // periods).
    let mut tx = within(
        "the lock after the window",
        T,
        a.lock(named("L2"), LockLevel::Write),
    )
    .await
    .expect("lock after the window");
    let waited = back.elapsed();
    m.put(&mut tx, "after", 2).expect("put");
    within("commit", T, tx.commit())
        .await
        .expect("commit after the window");
    assert!(
        waited >= Duration::from_secs(window) / 2,
        "the lock should have waited for the window, waited {waited:?}"
    );
    assert_eq!(a.state(), ConnectionState::Connected);
    assert_eq!(
        a.stats().reconnects,
        1,
        "one reconnect (the restart), no drop while waiting"
    );
    assert!(
        server
            .log()
            .contains("did not reconnect within the reconnect window"),
        "the window closed on its timer"
    );
    let b = connect(&server, "reader").await;
    let mb = b.map("m").await.expect("map");
    assert_eq!(get_i64(&b, &mb, "before").await, Some(1));
    assert_eq!(get_i64(&b, &mb, "after").await, Some(2));
    b.close().await.expect("close reader");
    a.close().await.expect("close");
}

// ------------------------------------------------------------------- refused reconnects

/// A client that comes back after the server's reconnect window is refused: it fails with an
/// error that carries the server's reason, and so does every operation that was waiting.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_back_after_the_window_is_refused_with_a_clear_error() {
    let mut server = ServerProcess::start_opts(persistent(1));
    let a = within(
        "connect",
        T,
        builder(&server, "late")
            // first attempt right away (server down), the next one long after the window
            .reconnect_interval(Duration::from_secs(6))
            .connect(),
    )
    .await
    .expect("connect");
    let m = a.map("m").await.expect("map");
    let mut tx = a.lock(named("L"), LockLevel::Write).await.expect("lock");
    m.put(&mut tx, "k", 1).expect("put");
    tx.commit().await.expect("commit");
    a.flush().await.expect("flush");
    let mut events = a.events();

    tokio::task::block_in_place(|| server.kill());
    wait_event(&mut events, ClusterEvent::Reconnecting).await;
    let a2 = a.clone();
    let pending = tokio::spawn(async move { a2.root("m").await });
    tokio::time::sleep(Duration::from_millis(200)).await;
    tokio::task::block_in_place(|| server.restart());

    let r = within("the pending lookup to fail", T, pending)
        .await
        .expect("task");
    let e = match r {
        Err(e @ Error::ReconnectFailed { .. }) => e,
        other => panic!("expected ReconnectFailed, got {other:?}"),
    };
    let text = e.to_string();
    assert!(e.is_fatal());
    assert!(
        text.contains("refused") && text.contains("reconnect window") && text.contains("restart"),
        "the error should carry the server's reason: {text}"
    );
    wait_event(&mut events, ClusterEvent::Disconnected).await;
    assert_eq!(a.state(), ConnectionState::Failed);
    assert!(!a.is_connected());
    let again = a.lock(named("other"), LockLevel::Write).await;
    assert!(
        matches!(&again, Err(Error::ReconnectFailed { reason }) if reason.contains("reconnect window")),
        "{again:?}"
    );
    assert_eq!(a.stats().reconnects, 0);
    // The server is fine: a new client sees the data.
    let b = connect(&server, "fresh").await;
    let mb = b.map("m").await.expect("map");
    assert_eq!(get_i64(&b, &mb, "k").await, Some(1));
}

/// An in-memory server keeps no state across restarts: it refuses the reconnect.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_in_memory_server_refuses_the_reconnect() {
    let mut server = ServerProcess::start();
    let a = connect(&server, "forgotten").await;
    let mut events = a.events();
    tokio::task::block_in_place(|| server.restart());
    wait_event(&mut events, ClusterEvent::Disconnected).await;
    let r = a.root("x").await;
    match r {
        Err(Error::ReconnectFailed { reason }) => assert!(
            reason.contains("temporary-swap-only") && reason.contains("must restart"),
            "{reason}"
        ),
        other => panic!("expected ReconnectFailed, got {other:?}"),
    }
    assert_eq!(a.state(), ConnectionState::Failed);
}

/// With no server coming back, operations wait until the reconnect timeout, then fail.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn operations_wait_then_fail_after_the_reconnect_timeout() {
    let mut server = ServerProcess::start();
    let a = within(
        "connect",
        T,
        builder(&server, "abandoned")
            .reconnect_timeout(Duration::from_millis(1500))
            .connect(),
    )
    .await
    .expect("connect");
    let mut events = a.events();
    let started = Instant::now();
    tokio::task::block_in_place(|| server.kill());
    wait_event(&mut events, ClusterEvent::Reconnecting).await;
    let a2 = a.clone();
    let pending = tokio::spawn(async move { a2.root("x").await });
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(
        !pending.is_finished(),
        "an operation failed while reconnecting"
    );
    let r = within("the reconnect timeout", T, pending)
        .await
        .expect("task");
    let waited = started.elapsed();
    match r {
        Err(Error::ReconnectFailed { reason }) => {
            assert!(reason.contains(&server.addr()), "{reason}")
        }
        other => panic!("expected ReconnectFailed, got {other:?}"),
    }
    assert!(
        waited >= Duration::from_millis(1400),
        "gave up after {waited:?}"
    );
    assert_eq!(a.state(), ConnectionState::Failed);
}

// --------------------------------------------------------------- rejected transactions

/// While the server's storage fails, its transactions are rejected: `flush` and SyncWrite
/// commits report `StorageUnavailable`, the objects those transactions touched leave the cache
/// (the server's state is faulted back), the connection stays up and writes work again once
/// the storage recovers.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rejected_transactions_are_reported_and_dropped_from_the_cache() {
    let flag_dir = TempDir::new("fail-flag");
    let flag = flag_dir.path().join("disk-full");
    let server = ServerProcess::start_opts(ServerOptions {
        env: vec![(
            "KILN_STORE_FAIL_IF_EXISTS".into(),
            flag.display().to_string(),
        )],
        ..persistent(1)
    });
    let a = connect(&server, "writer").await;
    let m = a.map("m").await.expect("map");
    let mut tx = a.lock(named("L"), LockLevel::Write).await.expect("lock");
    m.put(&mut tx, "k", 1).expect("put");
    tx.commit().await.expect("commit");
    a.flush().await.expect("flush");

    std::fs::write(&flag, b"full").expect("fail the storage");
    let mut tx = a.lock(named("L"), LockLevel::Write).await.expect("lock");
    m.put(&mut tx, "k", 2).expect("put");
    let created = tx
        .create(kiln::ObjectState::physical("Lost"))
        .expect("create");
    tx.commit()
        .await
        .expect("a non-sync commit returns at once");
    assert_eq!(a.cached(created).map(|_| ()), Some(()));
    let e = within("flush", T, a.flush()).await.expect_err("rejected");
    assert!(
        matches!(&e, Error::StorageUnavailable { message } if !message.is_empty()),
        "{e:?}"
    );
    assert!(!e.is_fatal());
    assert!(a.is_connected(), "the connection stays up");
    assert!(a.cached(m.id()).is_none(), "the changed map left the cache");
    assert!(
        a.cached(created).is_none(),
        "the created object left the cache"
    );
    // The server state comes back: the rejected change was not applied.
    assert_eq!(get_i64(&a, &m, "k").await, Some(1));
    // A SyncWrite commit gets the error itself.
    let mut tx = a
        .lock(named("L"), LockLevel::SyncWrite)
        .await
        .expect("lock");
    m.put(&mut tx, "k", 3).expect("put");
    let e = within("sync commit", T, tx.commit())
        .await
        .expect_err("rejected");
    assert!(matches!(e, Error::StorageUnavailable { .. }), "{e:?}");
    let st = a.stats();
    assert_eq!(st.txns_rejected, 2, "{st:?}");
    assert_eq!(
        st.acked_seq, st.txns_committed,
        "rejected count as acknowledged"
    );
    assert_eq!(st.unacked_txns, 0, "rejected are not kept for a resend");

    // Storage back: writes work again on the same connection.
    std::fs::remove_file(&flag).expect("storage back");
    let deadline = Instant::now() + T;
    loop {
        // (re-faulted: a rejection drops the map from the cache again)
        a.object(m.id()).await.expect("fault the map");
        let mut tx = a.lock(named("L"), LockLevel::Write).await.expect("lock");
        m.put(&mut tx, "k", 4).expect("put");
        tx.commit().await.expect("commit");
        match a.flush().await {
            Ok(()) => break,
            Err(Error::StorageUnavailable { .. }) if Instant::now() < deadline => {
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            Err(e) => panic!("writes did not recover: {e}"),
        }
    }
    let b = connect(&server, "reader").await;
    let mb = b.map("m").await.expect("map");
    assert_eq!(get_i64(&b, &mb, "k").await, Some(4));
    assert_eq!(a.stats().reconnects, 0);
}

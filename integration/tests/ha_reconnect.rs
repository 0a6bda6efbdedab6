//! `l2.l1reconnect.enabled` / `l2.l1reconnect.timeout.millis` (issue #11 item 6): a client
//! whose connection to the SAME running server drops keeps its session (locks, waiters,
//! resident set, sequence mark) on the server for the timeout, reconnects and carries on;
//! past the timeout it is refused with a message saying it must restart. The client talks to
//! one in-memory server through the fault proxy; a second client talks to it directly.

use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::{Duration, Instant};

use kiln::{Client, ClientBuilder, LockId, LockLevel, Value};
use kiln_integration::fault::{start_writers, stop_writers, Checker, Fault, Proxy};
use kiln_integration::{ServerOptions, ServerProcess};

const WRITERS: u64 = 3;

fn server(timeout_ms: u64) -> ServerProcess {
    ServerProcess::start_opts(ServerOptions {
        tc_properties: format!(
            r#"<property name="l2.l1reconnect.enabled" value="true"/>
<property name="l2.l1reconnect.timeout.millis" value="{timeout_ms}"/>"#
        ),
        env: vec![("KILN_LOG".into(), "info,kiln_server::server=debug".into())],
        ..ServerOptions::default()
    })
}

async fn connect(addr: &str) -> Client {
    ClientBuilder::new([addr])
        .reconnect(true)
        .reconnect_timeout(Duration::from_secs(20))
        .reconnect_interval(Duration::from_millis(50))
        .connect()
        .await
        .expect("connect")
}

async fn wait_acks(checker: &Checker, more_than: usize, server: &ServerProcess) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while checker.acked_count() <= more_than {
        assert!(
            Instant::now() < deadline,
            "no progress: {} acked; server log:\n{}",
            checker.acked_count(),
            server.log()
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

async fn present(c: &Client) -> Vec<(u64, u64)> {
    let log = c.list("log").await.expect("log list");
    let items = log.to_vec(c).await.expect("read log");
    items
        .iter()
        .map(|v: &Value| {
            v.as_str()
                .and_then(Checker::parse)
                .unwrap_or_else(|| panic!("unexpected element {v:?}"))
        })
        .collect()
}

async fn wait_reconnects(c: &Client, n: u64, server: &ServerProcess) {
    let deadline = Instant::now() + Duration::from_secs(15);
    while c.stats().reconnects < n {
        if c.state() == kiln::ConnectionState::Failed {
            panic!(
                "the client failed instead of reconnecting: {:?}\nserver log:\n{}",
                c.flush().await,
                server.log()
            );
        }
        assert!(Instant::now() < deadline, "no reconnect");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

/// Brief drops under a counter workload: the client resumes its kept session (same id),
/// nothing acknowledged is lost, nothing is applied twice.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn brief_drops_resume_the_session_and_lose_nothing() {
    let server = server(5000);
    let proxy = Proxy::start(&server.addr());
    let a = connect(proxy.addr()).await;
    let id = a.client_id();
    let checker = Checker::new();
    let stop = Arc::new(AtomicBool::new(false));
    // b, connected directly, competes for the same lock: recalls cross the drops.
    let b = connect(&server.addr()).await;
    let mut writers = start_writers(0..WRITERS, &a, &checker, &stop);
    writers.extend(start_writers(WRITERS..2 * WRITERS, &b, &checker, &stop));
    wait_acks(&checker, 20, &server).await;
    for round in 1..=5u64 {
        proxy.cut();
        wait_reconnects(&a, round, &server).await;
        let n = checker.acked_count();
        wait_acks(&checker, n + 20, &server).await;
    }
    let errors = stop_writers(&stop, writers, Duration::from_secs(30)).await;
    assert!(
        errors.is_empty(),
        "writers failed: {errors:?}\nserver log:\n{}",
        server.log()
    );
    let (mut by_a, mut by_b) = (0, 0);
    for w in 0..WRITERS * 2 {
        let n = checker.acked_count_of(w);
        if w < WRITERS {
            by_a += n
        } else {
            by_b += n
        }
    }
    assert!(
        by_a > 0 && by_b > 0,
        "both clients wrote: a {by_a}, b {by_b}"
    );
    assert_eq!(a.client_id(), id, "the client kept its id");
    let log = server.log();
    assert!(
        log.contains("client reconnected to its kept session"),
        "server log:\n{log}"
    );
    let found = present(&b).await;
    checker.verify(&found).expect("checker");
    eprintln!(
        "l1reconnect: {} acked, {} present, {} reconnects",
        checker.acked_count(),
        found.len(),
        a.stats().reconnects
    );
    a.close().await.expect("close a");
    b.close().await.expect("close b");
}

/// While the holder's connection is down its lock stays its own: another client's request
/// waits (here: times out) instead of taking it; after the holder resumes and lets go, the
/// other client gets it and sees the holder's change.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lock_of_a_dropped_client_is_not_stolen() {
    let server = server(8000);
    let proxy = Proxy::start(&server.addr());
    let a = connect(proxy.addr()).await;
    let b = connect(&server.addr()).await;
    let m = a.map("m").await.expect("map");
    let lock = LockId::Named("job".into());
    let mut tx = a.lock(lock.clone(), LockLevel::Write).await.expect("lock");
    m.put(&mut tx, "k", "held-by-a").expect("put");
    // The connection goes silent while `a` holds the lock (in a transaction).
    proxy.set(Fault::Partition);
    let t0 = Instant::now();
    let got = b
        .try_lock(lock.clone(), LockLevel::Write, Duration::from_millis(1500))
        .await
        .expect("try_lock");
    assert!(
        got.is_none(),
        "b took the lock of the disconnected client a after {:?}",
        t0.elapsed()
    );
    proxy.set(Fault::None);
    wait_reconnects(&a, 1, &server).await;
    // b asks again (blocking); a finishes its transaction: the recall reaches a on its new
    // connection, and b gets the lock with a's change visible.
    let b2 = b.clone();
    let waiter = tokio::spawn(async move {
        let tx = b2
            .lock(LockId::Named("job".into()), LockLevel::Write)
            .await
            .expect("b lock");
        let mb = b2.map("m").await.expect("b map");
        let v = mb.get(&b2, "k").await.expect("b get");
        drop(tx);
        v
    });
    tokio::time::sleep(Duration::from_millis(200)).await;
    tx.commit().await.expect("commit after the reconnect");
    let v = tokio::time::timeout(Duration::from_secs(10), waiter)
        .await
        .expect("b got the lock in time")
        .expect("b task");
    assert_eq!(v, Some(Value::from("held-by-a")));
    assert!(server
        .log()
        .contains("client reconnected to its kept session"));
    a.close().await.expect("close a");
    b.close().await.expect("close b");
}

/// A drop longer than `l2.l1reconnect.timeout.millis`: the session is removed (its lock goes
/// to the other client) and the late reconnect is refused with the "must restart" message.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn drop_longer_than_the_timeout_is_refused() {
    let server = server(800);
    let proxy = Proxy::start(&server.addr());
    let a = connect(proxy.addr()).await;
    let b = connect(&server.addr()).await;
    let lock = LockId::Named("job".into());
    let tx = a.lock(lock.clone(), LockLevel::Write).await.expect("lock");
    proxy.set(Fault::Partition);
    // Past the timeout the lock is released to b.
    let got = b
        .try_lock(lock.clone(), LockLevel::Write, Duration::from_secs(10))
        .await
        .expect("try_lock");
    assert!(got.is_some(), "the expired session's lock was not released");
    drop(got);
    proxy.set(Fault::None);
    let deadline = Instant::now() + Duration::from_secs(15);
    while a.state() != kiln::ConnectionState::Failed {
        assert!(
            Instant::now() < deadline,
            "the late reconnect was not refused"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    drop(tx);
    let err = a.flush().await.expect_err("flush on a refused client");
    let text = err.to_string();
    assert!(
        text.contains("must restart") && text.contains("l2.l1reconnect.timeout.millis"),
        "{text}"
    );
    let log = server.log();
    assert!(
        log.contains("did not reconnect within l2.l1reconnect.timeout.millis"),
        "{log}"
    );
    b.close().await.expect("close b");
}

/// Disabled (default): today's behaviour — the session is removed at once and the
/// reconnect of an in-memory server's client is refused.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn disabled_removes_the_session_at_once() {
    let server = ServerProcess::start();
    let proxy = Proxy::start(&server.addr());
    let a = connect(proxy.addr()).await;
    proxy.cut();
    let deadline = Instant::now() + Duration::from_secs(15);
    while a.state() != kiln::ConnectionState::Failed {
        assert!(Instant::now() < deadline, "the reconnect was not refused");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let err = a.flush().await.expect_err("flush on a refused client");
    assert!(err.to_string().contains("must restart"), "{err}");
}

/// A silent connection (bytes dropped both ways): the client's health check gives up on it
/// and reconnects (its first attempts, also silent, time out); the server keeps the session
/// and takes the client back.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn silent_connection_is_resumed_after_the_health_check() {
    let server = server(5000);
    let proxy = Proxy::start(&server.addr());
    let a = ClientBuilder::new([proxy.addr()])
        .reconnect(true)
        .reconnect_timeout(Duration::from_secs(20))
        .reconnect_interval(Duration::from_millis(50))
        .connect_timeout(Duration::from_millis(500))
        .health_check(Some(kiln::HealthCheck {
            idle: Duration::from_millis(200),
            interval: Duration::from_millis(100),
            probes: 2,
        }))
        .connect()
        .await
        .expect("connect");
    let checker = Checker::new();
    let stop = Arc::new(AtomicBool::new(false));
    let writers = start_writers(0..WRITERS, &a, &checker, &stop);
    wait_acks(&checker, 10, &server).await;
    proxy.set(Fault::Drop);
    let deadline = Instant::now() + Duration::from_secs(10);
    while a.state() != kiln::ConnectionState::Reconnecting {
        assert!(Instant::now() < deadline, "the client did not notice");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    proxy.set(Fault::None);
    wait_reconnects(&a, 1, &server).await;
    let n = checker.acked_count();
    wait_acks(&checker, n + 10, &server).await;
    let errors = stop_writers(&stop, writers, Duration::from_secs(30)).await;
    assert!(errors.is_empty(), "writers failed: {errors:?}");
    let log = server.log();
    assert!(
        log.contains("client reconnected to its kept session"),
        "{log}"
    );
    let found = present(&a).await;
    checker.verify(&found).expect("checker");
    a.close().await.expect("close");
}

//! SIGSTOP of the active beyond the L2→L2 HealthChecker time (issue #11 item 5): the standby
//! takes over, the client moves to it by itself and nothing acknowledged is lost; after SIGCONT
//! the old active must not acknowledge a write.

mod common_ha;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use common_ha::Group;
use kiln::{Client, ClientBuilder, HealthCheck, LockId, LockLevel, Value};
use kiln_integration::fault::{wait_acks, Checker};

const T: Duration = Duration::from_secs(30);

const PROPS: &str = r#"<property name="l2.healthcheck.l2.ping.idletime" value="500"/>
<property name="l2.healthcheck.l2.ping.interval" value="100"/>
<property name="l2.healthcheck.l2.ping.probes" value="3"/>"#;

async fn connect(addrs: Vec<String>, reconnect: bool) -> kiln::Result<Client> {
    ClientBuilder::new(addrs)
        .name("sigstop")
        .connect_deadline(Duration::from_secs(5))
        .retry_wait(Duration::from_millis(50))
        .reconnect(reconnect)
        .reconnect_timeout(T)
        .reconnect_interval(Duration::from_millis(50))
        .connect_timeout(Duration::from_millis(500))
        .health_check(Some(HealthCheck {
            idle: Duration::from_millis(300),
            interval: Duration::from_millis(100),
            probes: 3,
        }))
        .connect()
        .await
}

fn writer(c: &Client, checker: &Checker, stop: &Arc<AtomicBool>) -> tokio::task::JoinHandle<()> {
    let (c, checker, stop) = (c.clone(), checker.clone(), stop.clone());
    tokio::spawn(async move {
        let log = c.list("log").await.expect("log");
        let mut seq = 0;
        while !stop.load(Ordering::Relaxed) {
            seq += 1;
            checker.attempt(0, seq);
            let mut tx = c
                .lock(LockId::Named("log".into()), LockLevel::SyncWrite)
                .await
                .expect("lock");
            match log.add(&mut tx, Checker::element(0, seq)) {
                Ok(()) => {}
                Err(kiln::Error::NotResident { .. }) => {
                    drop(tx);
                    log.len(&c).await.expect("fault the log again");
                    seq -= 1;
                    continue;
                }
                Err(e) => panic!("add: {e}"),
            }
            tx.commit().await.expect("commit");
            checker.acked(0, seq);
        }
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stopped_active_is_replaced_and_clients_move() {
    let mut g = Group::with_props(2, false, 1, 30, PROPS);
    g.start(0);
    g.wait_state(0, "ACTIVE-COORDINATOR", T);
    g.start(1);
    g.wait_state(1, "PASSIVE-STANDBY", T);
    let c = connect(g.addrs(), true).await.expect("connect");
    let checker = Checker::new();
    let stop = Arc::new(AtomicBool::new(false));
    let w = writer(&c, &checker, &stop);
    wait_acks(&checker, 20, T).await;
    g.signal(0, "-STOP");
    let stopped = Instant::now();
    g.wait_state(1, "ACTIVE-COORDINATOR", T);
    let took_over = stopped.elapsed();
    let n = checker.acked_count();
    wait_acks(&checker, n + 20, T).await;
    eprintln!(
        "SIGSTOP: s2 active after {took_over:?}; client moved ({} reconnects)",
        c.stats().reconnects
    );
    g.signal(0, "-CONT");
    stop.store(true, Ordering::Relaxed);
    tokio::time::timeout(T, w)
        .await
        .expect("writer stops")
        .expect("writer");
    let found: Vec<(u64, u64)> = c
        .list("log")
        .await
        .expect("log")
        .to_vec(&c)
        .await
        .expect("read")
        .iter()
        .map(|v: &Value| v.as_str().and_then(Checker::parse).expect("element"))
        .collect();
    checker.verify(&found).expect("checker");
    c.close().await.expect("close");
}

/// After SIGCONT the deposed active must not acknowledge a write of a client that reaches only
/// it: it learns from its former standby that a newer epoch is active, stops being active
/// (logged `DEPOSED`) and rejoins the group as a passive.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resumed_old_active_acknowledges_no_write() {
    let mut g = Group::with_props(2, false, 1, 30, PROPS);
    g.start(0);
    g.wait_state(0, "ACTIVE-COORDINATOR", T);
    g.start(1);
    g.wait_state(1, "PASSIVE-STANDBY", T);
    g.signal(0, "-STOP");
    g.wait_state(1, "ACTIVE-COORDINATOR", T);
    g.signal(0, "-CONT");
    tokio::time::sleep(Duration::from_secs(2)).await;
    let only_s1 = vec![format!("127.0.0.1:{}", g.members[0].dso_port)];
    if let Ok(c) = connect(only_s1, false).await {
        let m = c.map("m").await;
        if let Ok(m) = m {
            let acked = async {
                let mut tx = c
                    .lock(LockId::Named("m".into()), LockLevel::SyncWrite)
                    .await?;
                m.put(&mut tx, "split", 1)?;
                tx.commit().await
            };
            let r = tokio::time::timeout(Duration::from_secs(5), acked).await;
            assert!(
                !matches!(r, Ok(Ok(()))),
                "the deposed active acknowledged a write after SIGCONT\n{}",
                g.log(0)
            );
        }
    }
    assert_ne!(g.state(0).as_deref(), Some("ACTIVE-COORDINATOR"));
    let deadline = Instant::now() + T;
    while !(g.log(0).contains("DEPOSED") || g.log(0).contains("stepping down")) {
        assert!(Instant::now() < deadline, "not deposed:\n{}", g.log(0));
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(g.state(1).as_deref(), Some("ACTIVE-COORDINATOR"));
}

/// A client writing through the SIGSTOP and SIGCONT of the active: every write it had
/// acknowledged is on the new active exactly once, including any it made while the old active
/// was resuming (the old one acknowledges none of them).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn writes_across_sigstop_and_sigcont_are_all_on_the_new_active() {
    let mut g = Group::with_props(2, false, 1, 30, PROPS);
    g.start(0);
    g.wait_state(0, "ACTIVE-COORDINATOR", T);
    g.start(1);
    g.wait_state(1, "PASSIVE-STANDBY", T);
    let c = connect(g.addrs(), true).await.expect("connect");
    let checker = Checker::new();
    let stop = Arc::new(AtomicBool::new(false));
    let w = writer(&c, &checker, &stop);
    wait_acks(&checker, 20, T).await;
    g.signal(0, "-STOP");
    g.wait_state(1, "ACTIVE-COORDINATOR", T);
    g.signal(0, "-CONT");
    let n = checker.acked_count();
    wait_acks(&checker, n + 50, T).await;
    stop.store(true, Ordering::Relaxed);
    tokio::time::timeout(T, w)
        .await
        .expect("writer stops")
        .expect("writer");
    let fresh = connect(vec![format!("127.0.0.1:{}", g.members[1].dso_port)], false)
        .await
        .expect("connect to the new active");
    let found: Vec<(u64, u64)> = fresh
        .list("log")
        .await
        .expect("log")
        .to_vec(&fresh)
        .await
        .expect("read")
        .iter()
        .map(|v: &Value| v.as_str().and_then(Checker::parse).expect("element"))
        .collect();
    if let Err(e) = checker.verify(&found) {
        panic!("checker: {e}\n--- s1:\n{}\n--- s2:\n{}", g.log(0), g.log(1));
    }
    c.close().await.expect("close");
    fresh.close().await.expect("close");
}

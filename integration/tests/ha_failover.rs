//! HA end to end (issue #11 items 1–3): two real `kiln-server`s in one group elect one
//! ACTIVE-COORDINATOR (the other is PASSIVE-STANDBY, serves no client); a passive started while
//! the active serves syncs the graph and becomes PASSIVE-STANDBY; every acknowledged write is on
//! the standby; after `kill -9` of the active the standby is elected, opens the reconnect window
//! and the client (both addresses) carries on with its session: every acknowledged write is
//! present exactly once. In-memory and persistent groups; bounded rounds.

mod common_ha;

use std::time::{Duration, Instant};

use common_ha::Group;
use kiln::{Client, ClientBuilder, LockId, LockLevel};

const T: Duration = Duration::from_secs(30);

async fn connect(g: &Group, name: &str) -> Client {
    tokio::time::timeout(
        T,
        ClientBuilder::new(g.addrs())
            .name(name)
            .connect_deadline(T)
            .retry_wait(Duration::from_millis(50))
            .reconnect(true)
            .reconnect_interval(Duration::from_millis(50))
            .reconnect_timeout(Duration::from_secs(60))
            .connect(),
    )
    .await
    .expect("connect in time")
    .expect("connect")
}

/// Writes `from..to` into list root "log" (one transaction each), flushing every 10 (every
/// flushed write is acknowledged).
async fn write_range(c: &Client, from: i64, to: i64) -> i64 {
    let l = c.list("log").await.expect("list root");
    let mut acked = from;
    for i in from..to {
        let tx = loop {
            let mut tx = c
                .lock(LockId::Named("log".into()), LockLevel::Write)
                .await
                .expect("lock");
            match l.add(&mut tx, i) {
                Ok(()) => break tx,
                // Reported stale by the new active and not fetched back yet: fault it in.
                Err(kiln::Error::NotResident { .. }) => {
                    drop(tx);
                    l.len(c).await.expect("fault the list again");
                }
                Err(e) => panic!("add: {e}"),
            }
        };
        tx.commit().await.expect("commit");
        if i % 10 == 9 {
            c.flush().await.expect("flush");
            acked = i + 1;
        }
    }
    c.flush().await.expect("flush");
    acked.max(to)
}

/// Every value of "log" exactly once and in order 0..n.
async fn check_exactly_once(c: &Client, n: i64) {
    let l = c.list("log").await.expect("list root");
    let len = l.len(c).await.expect("len");
    let mut got = Vec::with_capacity(len);
    for i in 0..len {
        got.push(l.get(c, i).await.expect("get").and_then(|v| v.as_i64()));
    }
    let want: Vec<Option<i64>> = (0..n).map(Some).collect();
    assert_eq!(
        got, want,
        "every acknowledged write present exactly once, in order"
    );
}

fn active_of(g: &Group) -> Option<usize> {
    (0..g.members.len()).find(|i| g.state(*i).as_deref() == Some("ACTIVE-COORDINATOR"))
}

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
        assert!(
            Instant::now() < deadline,
            "active never saw its standby: {s}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

async fn failover_rounds(persistent: bool, rounds: usize) {
    let mut g = Group::new(2, persistent, 1, 30);
    g.start(0);
    g.start(1);
    let deadline = Instant::now() + T;
    let mut active = loop {
        if let Some(a) = active_of(&g) {
            break a;
        }
        assert!(
            Instant::now() < deadline,
            "no active elected:\n{}\n{}",
            g.log(0),
            g.log(1)
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    let passive = 1 - active;
    wait_standby_synced(&g, passive, active);
    assert!(g.log(active).contains("election"), "{}", g.log(active));
    // Seed 003 startup check with the default properties (109 s vs 85 s: 24 s apart).
    assert!(
        g.log(active)
            .contains("should be 8-12 s longer than the L2->L2 max time (85000 ms"),
        "{}",
        g.log(active)
    );
    assert!(
        std::net::TcpStream::connect(("127.0.0.1", g.members[passive].dso_port)).is_err(),
        "a passive does not serve clients"
    );
    let c = connect(&g, "writer").await;
    let id = c.client_id();
    let mut n = 0i64;
    for round in 0..rounds {
        n = write_range(&c, n, n + 50).await;
        // The standby has exactly the active's graph (synchronous replication).
        let da = g.digest(active);
        let dp = g.digest(1 - active);
        assert_eq!(
            da["digest"], dp["digest"],
            "round {round}: active {da} vs standby {dp}"
        );
        // Writes in flight while the active dies.
        let c2 = c.clone();
        let inflight = tokio::spawn(async move { write_range(&c2, n, n + 30).await });
        tokio::time::sleep(Duration::from_millis(20)).await;
        g.kill(active);
        let t0 = Instant::now();
        n = tokio::time::timeout(T, inflight)
            .await
            .expect("writes resume after the failover")
            .expect("writer task");
        let new_active = 1 - active;
        g.wait_state(new_active, "ACTIVE-COORDINATOR", T);
        assert_eq!(c.client_id(), id, "same session after the failover");
        eprintln!("round {round}: failover done in {:?}", t0.elapsed());
        check_exactly_once(&c, n).await;
        // The old active comes back as a passive and syncs.
        g.start(active);
        wait_standby_synced(&g, active, new_active);
        active = new_active;
    }
    check_exactly_once(&c, n).await;
    c.close().await.expect("close");
}

/// kill -9 rounds: `KILN_HA_ROUNDS` (default 20, as in CI; `scripts/soak-ha.sh` runs 200).
fn rounds() -> usize {
    std::env::var("KILN_HA_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn in_memory_group_fails_over_with_nothing_lost() {
    failover_rounds(false, rounds()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn persistent_group_fails_over_with_nothing_lost() {
    failover_rounds(true, rounds()).await;
}

/// A passive started while the active serves under load syncs (logged with objects, MB,
/// percent, rate), becomes PASSIVE-STANDBY, and a failover to it loses nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn passive_joins_under_load_then_takes_over() {
    let mut g = Group::new(2, false, 1, 30);
    g.start(0);
    g.wait_state(0, "ACTIVE-COORDINATOR", T);
    let c = connect(&g, "loader").await;
    let n = write_range(&c, 0, 300).await;
    let c2 = c.clone();
    let load = tokio::spawn(async move { write_range(&c2, n, n + 300).await });
    g.start(1);
    wait_standby_synced(&g, 1, 0);
    let n = load.await.expect("load task");
    let log = g.log(1);
    assert!(
        log.contains("sync complete") && log.contains("percent"),
        "{log}"
    );
    assert_eq!(g.digest(0)["digest"], g.digest(1)["digest"]);
    g.kill(0);
    let n = write_range(&c, n, n + 20).await;
    g.wait_state(1, "ACTIVE-COORDINATOR", T);
    check_exactly_once(&c, n).await;
    c.close().await.expect("close");
}

fn cli(g: &Group, args: &[&str]) -> (bool, String) {
    let out = std::process::Command::new(kiln_integration::binary("kiln-server"))
        .arg("-f")
        .arg(&g.config)
        .args(args)
        .output()
        .expect("run kiln-server");
    (
        out.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

/// `kiln-server status --group` (what `bin/server-stat.sh` runs) shows every server with its
/// state; `/status` and `/metrics` carry the role; stopping the active with no standby needs
/// `--force` (seed 001).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tools_show_the_group_and_stop_refuses_to_strand_the_cluster() {
    let mut g = Group::new(2, false, 1, 30);
    g.start(0);
    g.wait_state(0, "ACTIVE-COORDINATOR", T);
    g.start(1);
    wait_standby_synced(&g, 1, 0);
    let (ok, out) = cli(&g, &["-n", "s2", "status", "--group"]);
    assert!(ok, "{out}");
    let line = |name: &str| {
        out.lines()
            .find(|l| l.starts_with(name))
            .unwrap_or_else(|| panic!("no line for {name}: {out}"))
            .to_owned()
    };
    assert!(line("s1").contains("ACTIVE-COORDINATOR"), "{out}");
    assert!(line("s2").contains("PASSIVE-STANDBY"), "{out}");
    let st = g.status(0).expect("status");
    assert_eq!(st["ha"]["passives"][0]["name"], "s2", "{st}");
    let metrics = kiln_integration::http(g.members[0].jmx_port, "GET", "/metrics");
    assert!(metrics.contains("kiln_ha_role 4"), "{metrics}");
    assert!(metrics.contains("kiln_ha_standbys 1"), "{metrics}");
    // No standby left: a plain stop of the active is refused, --force stops it.
    g.kill(1);
    let deadline = Instant::now() + T;
    while g.status(0).expect("status")["ha"]["passives"]
        .as_array()
        .is_some_and(|p| !p.is_empty())
    {
        assert!(
            Instant::now() < deadline,
            "the dead passive was never dropped"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let (ok, out) = cli(&g, &["-n", "s1", "stop"]);
    assert!(!ok, "{out}");
    assert!(out.contains("no PASSIVE-STANDBY"), "{out}");
    assert_eq!(g.state(0).as_deref(), Some("ACTIVE-COORDINATOR"));
    let (ok, out) = cli(&g, &["-n", "s1", "stop", "--force"]);
    assert!(ok, "{out}");
}

/// Three servers: one active, two PASSIVE-STANDBYs; kill -9 of the active twice. Each time the
/// standbys elect exactly one new active among themselves, the other follows it, and every
/// acknowledged write is present exactly once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_servers_two_passives_fail_over_twice() {
    let mut g = Group::new(3, false, 1, 30);
    for i in 0..3 {
        g.start(i);
    }
    let deadline = Instant::now() + T;
    let mut active = loop {
        if let Some(a) = active_of(&g) {
            break a;
        }
        assert!(Instant::now() < deadline, "no active elected");
        std::thread::sleep(Duration::from_millis(50));
    };
    for i in (0..3).filter(|i| *i != active) {
        g.wait_state(i, "PASSIVE-STANDBY", T);
    }
    let c = connect(&g, "writer3").await;
    let mut n = write_range(&c, 0, 100).await;
    let mut alive: Vec<usize> = (0..3).collect();
    for _ in 0..2 {
        g.kill(active);
        alive.retain(|i| *i != active);
        n = write_range(&c, n, n + 50).await;
        let deadline = Instant::now() + T;
        let new_active = loop {
            let actives: Vec<usize> = alive
                .iter()
                .copied()
                .filter(|i| g.state(*i).as_deref() == Some("ACTIVE-COORDINATOR"))
                .collect();
            assert!(actives.len() <= 1, "two actives: {actives:?}");
            if let [a] = actives[..] {
                break a;
            }
            assert!(Instant::now() < deadline, "no new active");
            std::thread::sleep(Duration::from_millis(20));
        };
        check_exactly_once(&c, n).await;
        for i in alive.iter().copied().filter(|i| *i != new_active) {
            g.wait_state(i, "PASSIVE-STANDBY", T);
            let deadline = Instant::now() + T;
            while g.digest(i)["digest"] != g.digest(new_active)["digest"] {
                assert!(
                    Instant::now() < deadline,
                    "standby {i} never matched the new active"
                );
                std::thread::sleep(Duration::from_millis(20));
            }
        }
        active = new_active;
    }
    c.close().await.expect("close");
}

/// A frozen passive (SIGSTOP) blocks the active's acknowledgements at most for the L2→L2
/// HealthChecker time (here 500 + 100 × 3 ms), is dropped from the group (logged), and after
/// SIGCONT rejoins, resyncs and is a PASSIVE-STANDBY again with the active's graph.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn frozen_passive_is_dropped_and_rejoins() {
    let props = r#"<property name="l2.healthcheck.l2.ping.idletime" value="500"/>
<property name="l2.healthcheck.l2.ping.interval" value="100"/>
<property name="l2.healthcheck.l2.ping.probes" value="3"/>"#;
    let mut g = Group::with_props(2, false, 1, 30, props);
    g.start(0);
    g.wait_state(0, "ACTIVE-COORDINATOR", T);
    g.start(1);
    wait_standby_synced(&g, 1, 0);
    let c = connect(&g, "frozen").await;
    let n = write_range(&c, 0, 20).await;
    g.signal(1, "-STOP");
    let t0 = Instant::now();
    let n = write_range(&c, n, n + 20).await;
    let blocked = t0.elapsed();
    assert!(
        blocked < Duration::from_secs(5),
        "the active was blocked {blocked:?} by a frozen passive"
    );
    assert!(
        g.log(0).contains("passive dropped from the group"),
        "{}",
        g.log(0)
    );
    g.signal(1, "-CONT");
    let deadline = Instant::now() + T;
    loop {
        let s = g.status(0).expect("status");
        if s["ha"]["passives"]
            .as_array()
            .is_some_and(|p| p.iter().any(|x| x["state"] == "PASSIVE-STANDBY"))
        {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the passive never rejoined: {s}\n{}",
            g.log(1)
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(
        g.state(0).as_deref(),
        Some("ACTIVE-COORDINATOR"),
        "still one active"
    );
    assert_eq!(g.digest(0)["digest"], g.digest(1)["digest"]);
    check_exactly_once(&c, n).await;
    c.close().await.expect("close");
}

//! Split brain (issue #11, item 5; seed 001 zap rules). Two servers whose group ports are
//! reached through fault proxies ([`Proxy::start_on`]: each server binds its group port on
//! 127.0.0.2, its peer reaches it at 127.0.0.1 through the proxy). A partition between them makes
//! the passive side elect itself; when the partition heals the two actives meet and the zap
//! rules decide which one resyncs as a passive:
//! - no clients on the passive side: the original active wins (it acknowledged writes alone,
//!   the other did not), every acknowledged write survives;
//! - a majority of clients moved to the passive side and both sides acknowledged writes: the
//!   new active wins (more connected clients); the original active's writes made alone are
//!   discarded, its client gets a reconnect window on the winner.
#![allow(clippy::unwrap_used)]

mod common_ha;

use std::time::{Duration, Instant};

use common_ha::Group;
use kiln::{Client, ClientBuilder, LockId, LockLevel};
use kiln_integration::fault::{Fault, Proxy};

const T: Duration = Duration::from_secs(30);

const FAST_HC: &str = r#"<property name="l2.healthcheck.l2.ping.idletime" value="500"/>
<property name="l2.healthcheck.l2.ping.interval" value="100"/>
<property name="l2.healthcheck.l2.ping.probes" value="3"/>"#;

/// A 2-server group whose group links go through one proxy per server.
fn partitionable_group(window_secs: u64) -> (Group, Vec<Proxy>) {
    let g = Group::with_props(2, false, 1, window_secs, FAST_HC);
    let xml = std::fs::read_to_string(&g.config).unwrap();
    let mut proxies = Vec::new();
    let mut xml2 = xml.clone();
    for m in &g.members {
        let from = format!("<l2-group-port>{}</l2-group-port>", m.group_port);
        let to = format!(
            "<l2-group-port bind=\"127.0.0.2\">{}</l2-group-port>",
            m.group_port
        );
        assert!(xml2.contains(&from), "{xml}");
        xml2 = xml2.replace(&from, &to);
        proxies.push(Proxy::start_on(
            &format!("127.0.0.1:{}", m.group_port),
            &format!("127.0.0.2:{}", m.group_port),
        ));
    }
    std::fs::write(&g.config, xml2).unwrap();
    (g, proxies)
}

fn set_all(proxies: &[Proxy], f: Fault) {
    for p in proxies {
        p.set(f);
    }
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
        assert!(Instant::now() < deadline, "no standby: {s}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

async fn connect(addrs: Vec<String>, name: &str) -> Client {
    tokio::time::timeout(
        T,
        ClientBuilder::new(addrs)
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

/// Appends `from..to` to list root `root`, one transaction each; returns when all are
/// acknowledged.
async fn write_range(c: &Client, root: &str, from: i64, to: i64) {
    let l = c.list(root).await.expect("list root");
    for i in from..to {
        let mut tx = c
            .lock(LockId::Named(root.into()), LockLevel::Write)
            .await
            .expect("lock");
        l.add(&mut tx, i).expect("add");
        tx.commit().await.expect("commit");
    }
    c.flush().await.expect("flush");
}

async fn values(c: &Client, root: &str) -> Vec<i64> {
    let l = c.list(root).await.expect("list root");
    let len = l.len(c).await.expect("len");
    let mut got = Vec::with_capacity(len);
    for i in 0..len {
        got.push(
            l.get(c, i)
                .await
                .expect("get")
                .and_then(|v| v.as_i64())
                .unwrap(),
        );
    }
    got
}

fn wait_digests_equal(g: &Group) {
    let deadline = Instant::now() + T;
    loop {
        if g.digest(0)["digest"] == g.digest(1)["digest"] {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "{} vs {}",
            g.digest(0),
            g.digest(1)
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_clients_on_the_passive_side_the_new_active_is_zapped() {
    let (mut g, proxies) = partitionable_group(5);
    g.start(0);
    g.wait_state(0, "ACTIVE-COORDINATOR", T);
    g.start(1);
    wait_standby_synced(&g, 1, 0);
    let c = connect(g.addrs(), "w").await;
    write_range(&c, "log", 0, 10).await;

    set_all(&proxies, Fault::Partition);
    // The passive side elects itself; the active side carries on alone.
    g.wait_state(1, "ACTIVE-COORDINATOR", T);
    write_range(&c, "log", 10, 20).await;
    assert_eq!(g.state(0).as_deref(), Some("ACTIVE-COORDINATOR"));

    set_all(&proxies, Fault::None);
    g.wait_state(1, "PASSIVE-STANDBY", T);
    assert_eq!(g.state(0).as_deref(), Some("ACTIVE-COORDINATOR"));
    let zapped = g.log(1);
    assert!(zapped.contains("was zapped"), "{zapped}");
    assert!(
        zapped.contains("s1(epoch="),
        "both sides' figures logged: {zapped}"
    );
    assert!(g.log(0).contains("won the split-brain contest"));
    wait_digests_equal(&g);
    write_range(&c, "log", 20, 25).await;
    assert_eq!(values(&c, "log").await, (0..25).collect::<Vec<_>>());
    c.close().await.expect("close");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_majority_of_clients_on_the_passive_side_zaps_the_original_active() {
    let (mut g, proxies) = partitionable_group(3);
    g.start(0);
    g.wait_state(0, "ACTIVE-COORDINATOR", T);
    g.start(1);
    wait_standby_synced(&g, 1, 0);
    let addrs = g.addrs();
    // Two clients reach s1 through a proxy (to move them), one directly.
    let to_s1 = Proxy::start(&addrs[0]);
    let moved = vec![to_s1.addr().to_owned(), addrs[1].clone()];
    let a = connect(moved.clone(), "a").await;
    let b = connect(moved, "b").await;
    let stay = connect(addrs.clone(), "stay").await;
    for (c, r) in [(&a, "log-a"), (&b, "log-b"), (&stay, "log-stay")] {
        write_range(c, r, 0, 10).await;
    }

    set_all(&proxies, Fault::Partition);
    g.wait_state(1, "ACTIVE-COORDINATOR", T);
    // a and b lose s1 and fail over to s2; "stay" keeps writing on s1.
    to_s1.set(Fault::Partition);
    write_range(&stay, "log-stay", 10, 20).await;
    write_range(&a, "log-a", 10, 20).await;
    write_range(&b, "log-b", 10, 20).await;
    assert_eq!(g.state(0).as_deref(), Some("ACTIVE-COORDINATOR"));
    assert_eq!(
        g.status(1).unwrap()["clients"],
        2,
        "{}",
        g.status(1).unwrap()
    );

    set_all(&proxies, Fault::None);
    g.wait_state(0, "PASSIVE-STANDBY", T);
    assert_eq!(g.state(1).as_deref(), Some("ACTIVE-COORDINATOR"));
    let zapped = g.log(0);
    assert!(zapped.contains("was zapped"), "{zapped}");
    assert!(
        zapped.contains("clients=2"),
        "both sides' figures: {zapped}"
    );
    wait_digests_equal(&g);
    // The winner's writes are all there; what s1 acknowledged alone is discarded.
    assert_eq!(values(&a, "log-a").await, (0..20).collect::<Vec<_>>());
    assert_eq!(values(&a, "log-b").await, (0..20).collect::<Vec<_>>());
    assert_eq!(values(&a, "log-stay").await, (0..10).collect::<Vec<_>>());
    // The zapped side's client got its reconnect window on the winner.
    let deadline = Instant::now() + T;
    while g.status(1).unwrap()["clients"] != 3 {
        assert!(
            Instant::now() < deadline,
            "the zapped server's client did not reconnect to the winner: {}\n{}",
            g.status(1).unwrap(),
            g.log(1)
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    for c in [a, b, stay] {
        let _ = c.close().await;
    }
}

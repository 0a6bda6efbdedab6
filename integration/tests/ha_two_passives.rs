//! kill -9 of the active under load with two PASSIVE-STANDBYs (issue #11, tests): three
//! servers; two clients (every address of the group) with two writers each append
//! `w<writer>-<seq>` under SyncWrite locks; the active is killed -9 while they write. Exactly
//! one standby is elected, the other follows it (PASSIVE-STANDBY with the new active's graph),
//! the writers see a pause and no error, and the checker finds every acknowledged write present
//! exactly once (nothing unacknowledged half-visible, nothing out of order).
#![allow(clippy::unwrap_used)]

mod common_ha;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use common_ha::Group;
use kiln::{Client, ClientBuilder, LockId, LockLevel, Value};
use kiln_integration::fault::Checker;

const T: Duration = Duration::from_secs(30);
const WRITERS_PER_CLIENT: u64 = 2;

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

fn start_writers(
    client: &Client,
    first: u64,
    checker: &Checker,
    stop: &Arc<AtomicBool>,
) -> Vec<tokio::task::JoinHandle<Option<String>>> {
    (first..first + WRITERS_PER_CLIENT)
        .map(|w| {
            let (client, checker, stop) = (client.clone(), checker.clone(), stop.clone());
            tokio::spawn(async move {
                let log = match client.list("log").await {
                    Ok(l) => l,
                    Err(e) => return Some(format!("w{w}: list: {e}")),
                };
                let mut seq = 0u64;
                while !stop.load(Ordering::Relaxed) {
                    seq += 1;
                    checker.attempt(w, seq);
                    loop {
                        let mut tx = match client
                            .lock(LockId::Named("log".into()), LockLevel::SyncWrite)
                            .await
                        {
                            Ok(tx) => tx,
                            Err(e) => return Some(format!("w{w}-{seq}: lock: {e}")),
                        };
                        match log.add(&mut tx, Checker::element(w, seq)) {
                            Ok(()) => {}
                            // The Rust API's contract: a list dropped from the cache (its
                            // copy is stale after the failover) is faulted in again first.
                            Err(kiln::Error::NotResident { .. }) => {
                                drop(tx);
                                if let Err(e) = log.len(&client).await {
                                    return Some(format!("w{w}-{seq}: fault in: {e}"));
                                }
                                continue;
                            }
                            Err(e) => return Some(format!("w{w}-{seq}: add: {e}")),
                        }
                        match tx.commit().await {
                            Ok(()) => checker.acked(w, seq),
                            Err(e) => return Some(format!("w{w}-{seq}: commit: {e}")),
                        }
                        break;
                    }
                }
                None
            })
        })
        .collect()
}

async fn wait_acks(checker: &Checker, more_than: usize, g: &Group) {
    let deadline = Instant::now() + T;
    while checker.acked_count() <= more_than {
        assert!(
            Instant::now() < deadline,
            "no progress past {more_than} acknowledged writes: {}; logs in {}",
            checker.acked_count(),
            g.dir.path().display()
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

fn active_among(g: &Group, alive: &[usize]) -> Vec<usize> {
    alive
        .iter()
        .copied()
        .filter(|i| g.state(*i).as_deref() == Some("ACTIVE-COORDINATOR"))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_of_the_active_under_load_with_two_standbys() {
    two_standbys(false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_of_the_persistent_active_under_load_with_two_standbys() {
    two_standbys(true).await;
}

async fn two_standbys(persistent: bool) {
    let mut g = Group::new(3, persistent, 1, 30);
    for i in 0..3 {
        g.start(i);
    }
    let deadline = Instant::now() + T;
    let active = loop {
        if let [a] = active_among(&g, &[0, 1, 2])[..] {
            break a;
        }
        assert!(Instant::now() < deadline, "no active elected");
        std::thread::sleep(Duration::from_millis(50));
    };
    let standbys: Vec<usize> = (0..3).filter(|i| *i != active).collect();
    for &i in &standbys {
        g.wait_state(i, "PASSIVE-STANDBY", T);
    }
    let deadline = Instant::now() + T;
    while g.status(active).unwrap()["ha"]["passives"]
        .as_array()
        .map_or(0, |p| {
            p.iter().filter(|x| x["state"] == "PASSIVE-STANDBY").count()
        })
        < 2
    {
        assert!(
            Instant::now() < deadline,
            "the active never had two standbys"
        );
        std::thread::sleep(Duration::from_millis(50));
    }

    let checker = Checker::new();
    let stop = Arc::new(AtomicBool::new(false));
    let c1 = connect(&g, "load-1").await;
    let c2 = connect(&g, "load-2").await;
    let mut writers = start_writers(&c1, 1, &checker, &stop);
    writers.extend(start_writers(&c2, 1 + WRITERS_PER_CLIENT, &checker, &stop));
    wait_acks(&checker, 100, &g).await;

    // kill -9 of the active while all four writers are mid-transaction.
    g.kill(active);
    let at_kill = checker.acked_count();
    let killed = Instant::now();
    wait_acks(&checker, at_kill + 50, &g).await;
    let pause = killed.elapsed();
    let actives = active_among(&g, &standbys);
    assert_eq!(actives.len(), 1, "exactly one new active: {actives:?}");
    let new_active = actives[0];
    let follower = standbys.iter().copied().find(|i| *i != new_active).unwrap();

    stop.store(true, Ordering::Relaxed);
    let mut errors = Vec::new();
    for w in writers {
        let r = tokio::time::timeout(T, w)
            .await
            .expect("writer finished in time")
            .expect("writer did not panic");
        errors.extend(r);
    }
    assert!(
        errors.is_empty(),
        "the failover reached the application as errors: {errors:?}"
    );

    // The other standby follows the new active and holds the same graph.
    g.wait_state(follower, "PASSIVE-STANDBY", T);
    let deadline = Instant::now() + T;
    while g.digest(follower)["digest"] != g.digest(new_active)["digest"] {
        assert!(
            Instant::now() < deadline,
            "the other standby never matched the new active"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let s = g.status(new_active).unwrap();
    assert!(
        s["ha"]["passives"]
            .as_array()
            .is_some_and(|p| p.len() == 1 && p[0]["state"] == "PASSIVE-STANDBY"),
        "{s}"
    );

    // Every acknowledged write exactly once, read by a fresh client on the new active.
    let reader = connect(&g, "reader").await;
    let log = reader.list("log").await.expect("log list");
    let items = log.to_vec(&reader).await.expect("read log");
    let present: Vec<(u64, u64)> = items
        .iter()
        .map(|v: &Value| {
            v.as_str()
                .and_then(Checker::parse)
                .unwrap_or_else(|| panic!("unexpected element {v:?}"))
        })
        .collect();
    checker.verify(&present).expect("checker");
    assert!(
        checker.acked_count() > at_kill,
        "writes were acknowledged after the failover"
    );
    eprintln!(
        "two standbys (persistent={persistent}): {} acknowledged ({at_kill} before the kill), 50 more {:?} after it",
        checker.acked_count(),
        pause
    );
    for c in [c1, c2, reader] {
        c.close().await.expect("close");
    }
}

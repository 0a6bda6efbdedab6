//! Cluster identity beyond the group name (issue #11): two clusters with the same group and
//! server names are told apart by their cluster id (random 128-bit, created by the first active
//! of a fresh group, kept in the store, replicated to the passives).
//! - a server whose data carries another cluster id refuses to join the active: it exits
//!   non-zero with a message naming its data directory and both ids, and its data is left where
//!   it is (not moved to `dirty-objectdb-backup`);
//! - a client that reconnects to a server of another cluster refuses it with a clear error
//!   instead of replaying its transactions into the foreign graph;
//! - a passive takes its active's id in the sync and keeps it (shown in `/status`).
#![allow(clippy::unwrap_used)]

mod common_ha;

use std::time::Duration;

use common_ha::Group;
use kiln::{ClientBuilder, LockId, LockLevel};

const T: Duration = Duration::from_secs(30);

fn cluster_of(g: &Group, i: usize) -> String {
    g.status(i).expect("status")["cluster_id"]
        .as_str()
        .expect("a cluster id in /status")
        .to_owned()
}

fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), target).unwrap();
        }
    }
}

#[test]
fn data_of_another_cluster_refuses_to_join_and_is_kept() {
    // Cluster B: its s2 alone becomes active (fresh data) and creates B's id.
    let mut b = Group::new(2, true, 1, 5);
    b.start(1);
    b.wait_state(1, "ACTIVE-COORDINATOR", T);
    let id_b = cluster_of(&b, 1);
    assert_eq!(id_b.len(), 32, "a 128-bit id in hex: {id_b}");
    b.signal(1, "-TERM");
    assert!(b.wait_exit(1, T).is_some(), "B's s2 stops");

    // Cluster A, same group and server names: s1 active, a standby joins and takes A's id.
    let mut a = Group::new(2, true, 1, 5);
    a.start(0);
    a.wait_state(0, "ACTIVE-COORDINATOR", T);
    let id_a = cluster_of(&a, 0);
    assert_ne!(id_a, id_b, "two fresh clusters get different ids");
    a.start(1);
    a.wait_state(1, "PASSIVE-STANDBY", T);
    assert_eq!(cluster_of(&a, 1), id_a, "the standby keeps its active's id");
    a.kill(1);

    // A's s2 restarted on B's data: refused, data untouched.
    let data = a.dir.path().join("s2/data");
    std::fs::remove_dir_all(&data).unwrap();
    copy_dir(&b.dir.path().join("s2/data"), &data);
    a.start(1);
    let st = a.wait_exit(1, T).expect("s2 exits on its own");
    assert!(!st.success(), "non-zero exit: {st:?}");
    let log = a.log(1);
    assert!(log.contains("refuses to join"), "{log}");
    assert!(
        log.contains(&id_a) && log.contains(&id_b),
        "both ids named: {log}"
    );
    assert!(
        log.contains(&data.display().to_string()),
        "the data directory named: {log}"
    );
    assert!(
        !data.join("dirty-objectdb-backup").exists(),
        "another cluster's data is not moved to the backup directory"
    );
    assert!(data.join("kiln-store").exists(), "the data is where it was");
    let passives = a.status(0).expect("s1 status")["ha"]["passives"].clone();
    assert_eq!(passives, serde_json::json!([]), "not joined: {passives}");
}

async fn client(addrs: Vec<String>, name: &str, reconnect: bool) -> kiln::Client {
    tokio::time::timeout(
        T,
        ClientBuilder::new(addrs)
            .name(name)
            .connect_deadline(T)
            .retry_wait(Duration::from_millis(50))
            .reconnect(reconnect)
            .reconnect_interval(Duration::from_millis(50))
            .reconnect_timeout(Duration::from_secs(5))
            .connect(),
    )
    .await
    .expect("connect in time")
    .expect("connect")
}

async fn append(c: &kiln::Client, v: i64) -> kiln::Result<()> {
    let l = c.list("log").await?;
    let mut tx = c
        .lock(LockId::Named("log".into()), LockLevel::Write)
        .await?;
    l.add(&mut tx, v)?;
    tx.commit().await?;
    c.flush().await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn client_refuses_to_reconnect_to_another_cluster() {
    let mut a = Group::new(2, false, 1, 5);
    // Cluster B's s2 listens on A's s2 client port (a wrong address list, or a server moved):
    // a persistent server that knows a client with the same id as A's client, in its
    // reconnect window — it would take that client's session back.
    let mut b = Group::new(2, true, 1, 60);
    let xml = std::fs::read_to_string(&b.config).unwrap().replace(
        &format!("<dso-port>{}</dso-port>", b.members[1].dso_port),
        &format!("<dso-port>{}</dso-port>", a.members[1].dso_port),
    );
    std::fs::write(&b.config, xml).unwrap();
    let b_addr = format!("127.0.0.1:{}", a.members[1].dso_port);
    b.start(1);
    b.wait_state(1, "ACTIVE-COORDINATOR", T);
    let id_b = cluster_of(&b, 1);
    {
        let cb = client(vec![b_addr.clone()], "cluster-b", false).await;
        append(&cb, 100).await.expect("B's write");
        assert_eq!(cb.client_id(), 1);
        // kill -9 while it is connected (no reconnect: B keeps it on record for its window).
        b.kill(1);
    }

    a.start(0);
    a.wait_state(0, "ACTIVE-COORDINATOR", T);
    let id_a = cluster_of(&a, 0);
    assert_ne!(id_a, id_b, "two fresh clusters get different ids");
    let c = client(a.addrs(), "cluster-a", true).await;
    assert_eq!(c.client_id(), 1, "the same client id as B's client");
    append(&c, 1).await.expect("A's write");

    // B's s2 again (the last active of B: active at once, waiting for its client 1).
    b.start(1);
    b.wait_state(1, "ACTIVE-COORDINATOR", T);
    // A's active goes; the only server answering at A's addresses is B's.
    a.kill(0);
    let err = tokio::time::timeout(T, async {
        loop {
            match append(&c, 2).await {
                Err(kiln::Error::ReconnectFailed { reason }) => break reason,
                Err(e) if e.to_string().contains("cluster") => break e.to_string(),
                _ => tokio::time::sleep(Duration::from_millis(50)).await,
            }
        }
    })
    .await
    .expect("the client gives up with an error in time");
    assert!(
        err.contains("belongs to cluster"),
        "{err}\nB log:\n{}",
        b.log(1)
    );
    assert!(err.contains(&id_a) && err.contains(&id_b), "{err}");
    // Nothing was replayed into B's graph: only B's own write, no transaction in this run.
    let st = b.status(1).expect("B status");
    assert_eq!(st["txns_committed"], 0, "{st}");
    let cb = client(vec![b_addr], "cluster-b-check", false).await;
    let l = cb.list("log").await.expect("list");
    assert_eq!(l.len(&cb).await.expect("len"), 1, "only B's own write");
    assert_eq!(
        l.get(&cb, 0).await.expect("get").and_then(|v| v.as_i64()),
        Some(100)
    );
}

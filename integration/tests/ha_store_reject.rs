//! The replicated-then-store-rejected batch (issue #11): a batch is replicated to the standby
//! before the active's store rejects it (disk full, injected with `KILN_STORE_FAIL_IF_EXISTS`);
//! the active rolls it back and the standby gets the same repair before the client is told of
//! the rejection: both servers hold the same graph, and after a failover the rejected write is
//! not there.
#![allow(clippy::unwrap_used)]

mod common_ha;

use std::time::{Duration, Instant};

use common_ha::Group;
use kiln::{ClientBuilder, LockId, LockLevel};
use kiln_integration::TempDir;

const T: Duration = Duration::from_secs(30);

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
async fn a_batch_the_store_rejected_is_undone_on_the_standby() {
    let flag_dir = TempDir::new("ha-disk-full");
    let flag = flag_dir.path().join("disk-full");
    let flag_s = flag.display().to_string();
    let mut g = Group::new(2, true, 1, 5);
    g.start_env(0, &[], &[("KILN_STORE_FAIL_IF_EXISTS", &flag_s)]);
    g.wait_state(0, "ACTIVE-COORDINATOR", T);
    g.start(1);
    g.wait_state(1, "PASSIVE-STANDBY", T);
    let c = tokio::time::timeout(
        T,
        ClientBuilder::new(g.addrs())
            .name("reject")
            .connect_deadline(T)
            .retry_wait(Duration::from_millis(50))
            .connect(),
    )
    .await
    .expect("connect in time")
    .expect("connect");
    append(&c, 1)
        .await
        .expect("a write before the disk is full");
    std::fs::write(&flag, b"full").unwrap();
    let err = append(&c, 2)
        .await
        .expect_err("the full disk rejects the write");
    assert!(
        err.to_string().to_lowercase().contains("stor"),
        "a storage rejection: {err}"
    );
    std::fs::remove_file(&flag).unwrap();
    // Same graph on both (the standby applied the repair before the rejection was told).
    assert_eq!(g.digest(0), g.digest(1), "active and standby agree");
    // Wait for the store to be healthy again, then fail over: the rejected write is not there.
    let deadline = Instant::now() + T;
    while g.status(0).expect("status")["storage"]["healthy"] != true {
        assert!(Instant::now() < deadline, "the store heals");
        std::thread::sleep(Duration::from_millis(50));
    }
    drop(c);
    g.kill(0);
    g.wait_state(1, "ACTIVE-COORDINATOR", T);
    let addr = format!("127.0.0.1:{}", g.members[1].dso_port);
    let c2 = tokio::time::timeout(
        T,
        ClientBuilder::new(vec![addr])
            .name("check")
            .connect_deadline(T)
            .retry_wait(Duration::from_millis(50))
            .connect(),
    )
    .await
    .expect("connect in time")
    .expect("connect");
    let l = c2.list("log").await.expect("list");
    let n = l.len(&c2).await.expect("len");
    let mut got = Vec::new();
    for i in 0..n {
        got.push(l.get(&c2, i).await.expect("get").and_then(|v| v.as_i64()));
    }
    assert_eq!(
        got,
        vec![Some(1)],
        "only the acknowledged write survives the failover"
    );
}

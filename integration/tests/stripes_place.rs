//! Mirror groups as stripes (#12): placement of new objects across stripes and agreement on
//! the number of stripes. A new object goes to the stripe of the object that will reference it
//! (`Txn::create_near` / `create_in`), whatever the stripe of the transaction's lock, so a graph
//! hung off a root lives with the root and the stripes share the objects as they share the
//! roots; a client given another number of groups than the servers' cluster has is refused at
//! connect. Real `kiln-server` binaries on free loopback ports (one server per stripe).
#![allow(clippy::unwrap_used)]

use std::time::{Duration, Instant};

use kiln::{Client, ClientBuilder, Error, LockId, LockLevel, ObjectId, ObjectState, Value};
use kiln_integration::ServerProcess;
use kiln_protocol::stripe::name_stripe;

const NODE: &str = "t.Node";

/// A name with `prefix` that hashes to `stripe` of `n`, the `k`-th such name.
fn name_on(prefix: &str, stripe: u8, n: usize, k: usize) -> String {
    (0..10_000)
        .map(|i| format!("{prefix}-{i}"))
        .filter(|x| name_stripe(x, n) == stripe)
        .nth(k)
        .unwrap()
}

async fn connect(spec: &str, name: &str) -> Client {
    ClientBuilder::from_connect_string(spec)
        .name(name)
        .connect_deadline(Duration::from_secs(20))
        .connect()
        .await
        .unwrap()
}

/// Each server's `/status` object count.
fn objects(servers: &[ServerProcess]) -> Vec<u64> {
    servers
        .iter()
        .map(|s| s.status()["objects"].as_u64().unwrap())
        .collect()
}

/// Waits (bounded) until the servers' object counts are `want`.
fn wait_objects(servers: &[ServerProcess], want: &[u64]) {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let got = objects(servers);
        if got == want {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "objects per stripe {got:?}, expected {want:?}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Under `lock`, a chain of `depth` new nodes hung off the map root `root` at `key`: the first
/// created near the map, every next one near its parent. Returns the ids in chain order.
async fn hang_chain(c: &Client, lock: &str, root: &str, key: &str, depth: usize) -> Vec<ObjectId> {
    let map = c.map(root).await.unwrap();
    let mut tx = c
        .lock(LockId::Named(lock.into()), LockLevel::Write)
        .await
        .unwrap();
    let mut ids = Vec::with_capacity(depth);
    let mut near = map.id();
    for i in 0..depth {
        let n = tx.create_near(near, ObjectState::physical(NODE)).unwrap();
        tx.set_field(n, NODE, "depth", Value::I64(i as i64))
            .unwrap();
        if i == 0 {
            map.put(&mut tx, Value::from(key), Value::Ref(n)).unwrap();
        } else {
            tx.set_field(near, NODE, "next", Value::Ref(n)).unwrap();
        }
        ids.push(n);
        near = n;
    }
    tx.commit().await.unwrap();
    ids
}

/// Walks the chain from root `root`'s `key` (faulting every node in) and returns the ids.
async fn walk_chain(c: &Client, root: &str, key: &str) -> Vec<ObjectId> {
    let map = c.map(root).await.unwrap();
    let mut out = Vec::new();
    let mut at = match map.get(c, key).await.unwrap() {
        Some(Value::Ref(o)) => Some(o),
        other => panic!("{root}[{key}] = {other:?}"),
    };
    while let Some(o) = at {
        let (depth, next) = c
            .read(o, |s| {
                (
                    s.field(NODE, "depth").and_then(Value::as_i64),
                    match s.field(NODE, "next") {
                        Some(Value::Ref(n)) => Some(*n),
                        _ => None,
                    },
                )
            })
            .await
            .unwrap();
        assert_eq!(depth, Some(out.len() as i64), "node {o}");
        out.push(o);
        at = next;
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_graph_hung_off_a_root_of_stripe_1_lands_on_stripe_1_whatever_the_lock() {
    let servers = ServerProcess::start_stripes(2);
    let spec = ServerProcess::connect_string(&servers);
    let a = connect(&spec, "builder").await;
    let root = name_on("orders", 1, 2, 0);
    let lock = name_on("hot", 0, 2, 0);
    assert_eq!(a.root_stripe(&root), 1);
    a.map(&root).await.unwrap();
    a.flush().await.unwrap();
    let before = objects(&servers);

    // A deep graph (a chain of 200) built under a lock of stripe 0, linked from the root of
    // stripe 1: every node gets a stripe-1 id; stripe 0 stores nothing of it.
    let chain = hang_chain(&a, &lock, &root, "deep", 200).await;
    assert!(chain.iter().all(|o| o.stripe() == 1), "{chain:?}");
    a.flush().await.unwrap();
    wait_objects(&servers, &[before[0], before[1] + 200]);

    // A second client reads the whole graph from the root (faults go to stripe 1).
    let b = connect(&spec, "reader").await;
    assert_eq!(walk_chain(&b, &root, "deep").await, chain);

    // The creator holds the nodes of stripe 1 in its cache, and stripe 1 knows it: a change by
    // the second client under the same lock reaches it.
    let mut tx = b
        .lock(LockId::Named(lock.clone()), LockLevel::Write)
        .await
        .unwrap();
    tx.set_field(chain[7], NODE, "mark", Value::I64(1000))
        .unwrap();
    tx.commit().await.unwrap();
    let tx = a
        .lock(LockId::Named(lock.clone()), LockLevel::Read)
        .await
        .unwrap();
    let mark = tx
        .read(chain[7], |s| s.field(NODE, "mark").and_then(Value::as_i64))
        .unwrap();
    assert_eq!(
        mark,
        Some(1000),
        "the creator sees the change of its stripe-1 node"
    );
    tx.commit().await.unwrap();

    // Plain `create` knows no referrer: the lock's stripe, as documented; `create_in` names a
    // stripe; a stripe this client does not know is refused and records nothing.
    let mut tx = a
        .lock(LockId::Named(lock.clone()), LockLevel::Write)
        .await
        .unwrap();
    let plain = tx.create(ObjectState::physical(NODE)).unwrap();
    assert_eq!(plain.stripe(), 0);
    let there = tx.create_in(1, ObjectState::physical(NODE)).unwrap();
    assert_eq!(there.stripe(), 1);
    tx.set_field(there, NODE, "next", Value::Ref(plain))
        .unwrap();
    let map = a.map(&root).await.unwrap();
    map.put(&mut tx, Value::from("pair"), Value::Ref(there))
        .unwrap();
    match tx.create_in(2, ObjectState::physical(NODE)) {
        Err(Error::WrongStripe { message }) => {
            assert!(
                message.contains("stripe 2") && message.contains("2 stripe(s)"),
                "{message}"
            )
        }
        other => panic!("a third stripe of two: {other:?}"),
    }
    tx.commit().await.unwrap();
    a.flush().await.unwrap();
    wait_objects(&servers, &[before[0] + 1, before[1] + 201]);
    let far = b
        .read(there, |s| s.field(NODE, "next").cloned())
        .await
        .unwrap();
    assert_eq!(far, Some(Value::Ref(plain)));
    assert!(b.read(plain, |_| ()).await.is_ok());

    // A new object's changes after its creation travel in its stripe's part: the reader sees
    // the last value (a new object of stripe 1 changed twice under a lock of stripe 0).
    let mut tx = a
        .lock(LockId::Named(lock.clone()), LockLevel::Write)
        .await
        .unwrap();
    let n = tx
        .create_near(map.id(), ObjectState::physical(NODE))
        .unwrap();
    tx.set_field(n, NODE, "depth", Value::I64(1)).unwrap();
    tx.set_field(n, NODE, "depth", Value::I64(2)).unwrap();
    map.put(&mut tx, Value::from("twice"), Value::Ref(n))
        .unwrap();
    tx.commit().await.unwrap();
    a.flush().await.unwrap();
    let got = b
        .read(n, |s| s.field(NODE, "depth").and_then(Value::as_i64))
        .await
        .unwrap();
    assert_eq!(got, Some(2));
    a.close().await.unwrap();
    b.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn graphs_spread_over_both_stripes_with_their_roots_under_one_hot_lock() {
    let servers = ServerProcess::start_stripes(2);
    let spec = ServerProcess::connect_string(&servers);
    let c = connect(&spec, "spreader").await;
    // 8 roots: the first 8 names of "catalog-<i>", wherever they hash (both stripes get some).
    let roots: Vec<String> = (0..8).map(|i| format!("catalog-{i}")).collect();
    let per_stripe = |s: u8| roots.iter().filter(|r| name_stripe(r, 2) == s).count() as u64;
    assert!(per_stripe(0) > 0 && per_stripe(1) > 0, "{roots:?}");
    for r in &roots {
        c.map(r).await.unwrap();
    }
    c.flush().await.unwrap();
    let before = objects(&servers);
    // Every graph (25 nodes) is built under the same lock, of stripe 0.
    let hot = name_on("hot", 0, 2, 0);
    const DEPTH: usize = 25;
    for r in &roots {
        let ids = hang_chain(&c, &hot, r, "items", DEPTH).await;
        let s = c.root_stripe(r);
        assert!(ids.iter().all(|o| o.stripe() == s), "{r}: {ids:?}");
    }
    c.flush().await.unwrap();
    let want = [
        before[0] + per_stripe(0) * DEPTH as u64,
        before[1] + per_stripe(1) * DEPTH as u64,
    ];
    wait_objects(&servers, &want);
    // Another client walks every graph.
    let d = connect(&spec, "walker").await;
    for r in &roots {
        assert_eq!(walk_chain(&d, r, "items").await.len(), DEPTH, "{r}");
    }
    c.close().await.unwrap();
    d.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_given_two_groups_of_a_three_stripe_cluster_is_refused() {
    let servers = ServerProcess::start_stripes(3);
    let two = format!("{};{}", servers[0].addr(), servers[1].addr());
    let e = ClientBuilder::from_connect_string(&two)
        .connect_deadline(Duration::from_secs(20))
        .connect()
        .await
        .unwrap_err();
    let Error::WrongStripe { message } = &e else {
        panic!("not refused as a stripe mismatch: {e:?}");
    };
    assert!(
        message.contains(&format!("server 's0' at {}", servers[0].addr()))
            && message.contains("serves stripe 0 of 3")
            && message.contains("group 1 of 2 (stripe 0 of 2)"),
        "{message}"
    );
    // The right number of groups connects.
    let all = ServerProcess::connect_string(&servers);
    let c = connect(&all, "three").await;
    assert_eq!(c.stripe_count(), 3);
    c.close().await.unwrap();
}

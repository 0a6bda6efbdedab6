//! Mirror groups as stripes (#12): the distributed GC across stripes. Two one-server stripes,
//! Rust clients over both; `kiln-server dgc` (the coordinator) marks every stripe, follows
//! references between stripes and sweeps: objects referenced only from another stripe survive,
//! garbage on both stripes (incl. a cycle across stripes) goes, objects resident only in a
//! client stay; a mutator moving references between the stripes while DGC runs loses nothing;
//! with a stripe down the run fails naming it and removes nothing. Real `kiln-server` binaries
//! on free loopback ports.
#![allow(clippy::unwrap_used)]

mod common_ha;

use std::path::Path;
use std::process::{Command, Output};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use common_ha::{name_on, Group};
use kiln::{Client, ClientBuilder, LockId, LockLevel, ObjectId, ObjectState, Value};
use kiln_integration::{binary, http};

const CLASS: &str = "t.Node";

/// Two stripes of one server each, both active.
fn two_stripes() -> Group {
    let mut g = Group::new(2, true, 1, 1);
    g.as_groups(&[&[0], &[1]]);
    g.start(0);
    g.start(1);
    g.wait_state(0, "ACTIVE-COORDINATOR", Duration::from_secs(30));
    g.wait_state(1, "ACTIVE-COORDINATOR", Duration::from_secs(30));
    g
}

async fn client(g: &Group, name: &str) -> Client {
    ClientBuilder::from_config_file(&g.config)
        .unwrap()
        .name(name)
        .connect_deadline(Duration::from_secs(20))
        .connect()
        .await
        .unwrap()
}

/// `kiln-server -f CONFIG dgc` (the cluster coordinator).
fn run_dgc(config: &Path) -> Output {
    Command::new(binary("kiln-server"))
        .arg("-f")
        .arg(config)
        .arg("dgc")
        .output()
        .unwrap()
}

fn objects(g: &Group, i: usize) -> u64 {
    g.status(i).unwrap()["objects"].as_u64().unwrap()
}

/// Whether stripe `i`'s server has object `oid` (console object API: 404 when it does not).
fn has(g: &Group, i: usize, oid: ObjectId) -> bool {
    let body = http(
        g.members[i].jmx_port,
        "GET",
        &format!("/api/objects/{}", oid.0),
    );
    !body.contains("the server has no object")
}

/// Creates a node on `lock`'s stripe with `next` (if any) and commits.
async fn node(c: &Client, lock: &str, next: Option<ObjectId>) -> ObjectId {
    let mut tx = c
        .lock(LockId::Named(lock.to_owned()), LockLevel::Write)
        .await
        .unwrap();
    let n = tx.create(ObjectState::physical(CLASS)).unwrap();
    if let Some(x) = next {
        tx.set_field(n, CLASS, "next", Value::Ref(x)).unwrap();
    }
    tx.commit().await.unwrap();
    n
}

async fn set_next(c: &Client, lock: &str, on: ObjectId, to: Option<ObjectId>) {
    c.object(on).await.unwrap();
    let mut tx = c
        .lock(LockId::Named(lock.to_owned()), LockLevel::Write)
        .await
        .unwrap();
    tx.set_field(on, CLASS, "next", to.map_or(Value::Null, Value::Ref))
        .unwrap();
    tx.commit().await.unwrap();
}

async fn next_of(c: &Client, oid: ObjectId) -> Option<ObjectId> {
    c.read(oid, |st| st.field(CLASS, "next").and_then(Value::as_ref_id))
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dgc_follows_references_between_stripes() {
    let g = two_stripes();
    let locks = [name_on("lock", 0), name_on("lock", 1)];
    let roots = [name_on("root", 0), name_on("root", 1)];

    // Without an open epoch, a stripe refuses marks (clear error, nothing done).
    let refused =
        kiln_integration::http(g.members[0].jmx_port, "POST", "/dgc/cluster/mark?epoch=7");
    assert!(
        refused.contains("no cluster DGC epoch is open"),
        "{refused}"
    );

    let a = client(&g, "builder").await;
    let keeper = client(&g, "keeper").await;
    // Live: stripe 1's chain X1 -> Y1 referenced only from stripe 0's A0 (in root map 0).
    let y1 = node(&a, &locks[1], None).await;
    let x1 = node(&a, &locks[1], Some(y1)).await;
    let a0 = node(&a, &locks[0], Some(x1)).await;
    let m0 = a.map(&roots[0]).await.unwrap();
    let mut tx = a
        .lock(LockId::Named(locks[0].clone()), LockLevel::Write)
        .await
        .unwrap();
    m0.put(&mut tx, "a", a0).unwrap();
    tx.commit().await.unwrap();
    // Live: stripe 0's B0 referenced only from stripe 1's C1 (in root map 1).
    let b0 = node(&a, &locks[0], None).await;
    let c1 = node(&a, &locks[1], Some(b0)).await;
    let m1 = a.map(&roots[1]).await.unwrap();
    let mut tx = a
        .lock(LockId::Named(locks[1].clone()), LockLevel::Write)
        .await
        .unwrap();
    m1.put(&mut tx, "c", c1).unwrap();
    tx.commit().await.unwrap();
    // Live: a chain of 40 nodes alternating between the stripes (one mark round per link),
    // its head in root map 0.
    let mut chain = Vec::new();
    let mut next = None;
    for i in 0..40 {
        let n = node(&a, &locks[i % 2], next).await;
        chain.push((i % 2, n));
        next = Some(n);
    }
    let mut tx = a
        .lock(LockId::Named(locks[0].clone()), LockLevel::Write)
        .await
        .unwrap();
    m0.put(&mut tx, "chain", next.unwrap()).unwrap();
    tx.commit().await.unwrap();
    // Garbage: a cycle across the stripes (G0 <-> G1), and a chain on each stripe.
    let g0 = node(&a, &locks[0], None).await;
    let g1 = node(&a, &locks[1], Some(g0)).await;
    set_next(&a, &locks[0], g0, Some(g1)).await;
    let mut chains = Vec::new();
    for lock in &locks {
        let t = node(&a, lock, None).await;
        let m = node(&a, lock, Some(t)).await;
        let h = node(&a, lock, Some(m)).await;
        chains.push([h, m, t]);
    }
    // Resident only at the keeper client (linked from nothing), on stripe 1 and referring to
    // stripe 0's K0 (which nothing else refers to).
    let k0 = node(&keeper, &locks[0], None).await;
    let k1 = node(&keeper, &locks[1], Some(k0)).await;
    keeper.evict(&[k0]).await.unwrap();
    a.flush().await.unwrap();
    keeper.flush().await.unwrap();
    a.close().await.unwrap();
    drop(a);

    let before = [objects(&g, 0), objects(&g, 1)];
    let t0 = std::time::Instant::now();
    let out = run_dgc(&g.config);
    let took = t0.elapsed();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "dgc failed: {stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("stripe 0 (group stripe-0, server s1)")
            && stdout.contains("stripe 1 (group stripe-1, server s2)"),
        "{stdout}"
    );
    assert!(stdout.contains("removed=4"), "{stdout}");
    println!("{stdout}");
    let report: serde_json::Value = serde_json::from_str(stdout.lines().last().unwrap()).unwrap();
    let rounds = report["rounds"].as_u64().unwrap();
    assert!(
        rounds >= 39,
        "one round per link of the alternating chain: {rounds}"
    );
    println!("kiln-server dgc: {rounds} rounds in {took:?}");
    let after = [objects(&g, 0), objects(&g, 1)];
    assert_eq!(
        after,
        [before[0] - 4, before[1] - 4],
        "4 garbage objects removed on each stripe: {stdout}"
    );
    for (i, o) in [(0, g0), (1, g1)]
        .into_iter()
        .chain(chains[0].iter().map(|o| (0, *o)))
        .chain(chains[1].iter().map(|o| (1, *o)))
    {
        assert!(!has(&g, i, o), "garbage {o} still on stripe {i}");
    }
    for (i, o) in [
        (0, a0),
        (1, x1),
        (1, y1),
        (0, b0),
        (1, c1),
        (0, k0),
        (1, k1),
    ]
    .into_iter()
    .chain(chain.iter().copied())
    {
        assert!(has(&g, i, o), "live {o} removed from stripe {i}");
    }
    // /status shows the stripe's part of the cluster run.
    for i in 0..2 {
        let st = g.status(i).unwrap();
        assert_eq!(st["cluster_dgc"]["outcome"], "swept", "{st}");
        assert_eq!(st["last_dgc"]["removed"], 4, "{st}");
    }
    assert!(g.status(0).unwrap()["cluster_dgc"]["foreign_reported"].as_u64() >= Some(1));

    // A fresh client faults the whole live graph over both stripes.
    let fresh = client(&g, "fresh").await;
    let m0 = fresh.map(&roots[0]).await.unwrap();
    assert_eq!(m0.get(&fresh, "a").await.unwrap(), Some(Value::Ref(a0)));
    assert_eq!(next_of(&fresh, a0).await, Some(x1));
    assert_eq!(next_of(&fresh, x1).await, Some(y1));
    assert_eq!(next_of(&fresh, y1).await, None);
    assert_eq!(next_of(&fresh, c1).await, Some(b0));
    assert_eq!(next_of(&fresh, k1).await, Some(k0));
    fresh.object(k0).await.unwrap();

    // The keeper leaves: its objects are garbage at the next run.
    keeper.close().await.unwrap();
    drop(keeper);
    // The Terracotta script runs the same cluster DGC.
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../bin/run-dgc.sh");
    let out = Command::new("bash")
        .arg(script)
        .arg("-f")
        .arg(&g.config)
        .env("KILN_SERVER", binary("kiln-server"))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && stdout.contains("stripe 1 (group stripe-1, server s2)"),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        has(&g, 1, k1) && has(&g, 0, k0),
        "fresh still has them resident"
    );
    fresh.evict(&[k0, k1]).await.unwrap();
    fresh.flush().await.unwrap();
    let out = run_dgc(&g.config);
    assert!(out.status.success());
    assert!(!has(&g, 1, k1) && !has(&g, 0, k0), "k0/k1 collected");
    assert!(has(&g, 1, y1) && has(&g, 0, b0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dgc_with_a_mutator_moving_references_between_stripes_loses_nothing() {
    let g = two_stripes();
    let locks = [name_on("lock", 0), name_on("lock", 1)];
    let roots = [name_on("root", 0), name_on("root", 1)];
    let m = client(&g, "mutator").await;
    // Holders: 6 per stripe, each in its stripe's root map. Payloads: 8, on both stripes, each
    // with a child on its own stripe, each held by exactly one holder.
    let maps = [
        m.map(&roots[0]).await.unwrap(),
        m.map(&roots[1]).await.unwrap(),
    ];
    let mut holders: Vec<(usize, ObjectId)> = Vec::new();
    let mut payloads: Vec<(ObjectId, ObjectId)> = Vec::new();
    for i in 0..8usize {
        let s = i % 2;
        let child = node(&m, &locks[s], None).await;
        let p = node(&m, &locks[s], Some(child)).await;
        payloads.push((p, child));
        // Holder on the other stripe: a cross-stripe reference from the start.
        let h = node(&m, &locks[1 - s], Some(p)).await;
        let mut tx = m
            .lock(LockId::Named(locks[1 - s].clone()), LockLevel::Write)
            .await
            .unwrap();
        maps[1 - s].put(&mut tx, format!("h{i}"), h).unwrap();
        tx.commit().await.unwrap();
        holders.push((1 - s, h));
    }
    // Four empty holders (two per stripe) to move payloads to.
    for i in 8..12usize {
        let s = i % 2;
        let h = node(&m, &locks[s], None).await;
        let mut tx = m
            .lock(LockId::Named(locks[s].clone()), LockLevel::Write)
            .await
            .unwrap();
        maps[s].put(&mut tx, format!("h{i}"), h).unwrap();
        tx.commit().await.unwrap();
        holders.push((s, h));
    }
    // Garbage made before the loop: cross-stripe pairs.
    let mut garbage = Vec::new();
    for _ in 0..3 {
        let x = node(&m, &locks[0], None).await;
        let y = node(&m, &locks[1], Some(x)).await;
        garbage.push((0, x));
        garbage.push((1, y));
    }
    m.flush().await.unwrap();
    let all: Vec<ObjectId> = holders
        .iter()
        .map(|h| h.1)
        .chain(payloads.iter().flat_map(|p| [p.0, p.1]))
        .chain(garbage.iter().map(|x| x.1))
        .collect();
    m.evict(&all).await.unwrap();
    m.flush().await.unwrap();

    // `kiln-server dgc` in a bounded loop while the mutator moves payloads between holders.
    let stop = Arc::new(AtomicBool::new(false));
    let config = g.config.clone();
    let stop2 = stop.clone();
    let dgc = std::thread::spawn(move || {
        let mut runs = 0;
        let mut failures = Vec::new();
        while runs < 12 && !stop2.load(Ordering::Relaxed) {
            let out = run_dgc(&config);
            if out.status.success() {
                // The coordinator's check of ids reached after their stripe swept.
                let text = String::from_utf8_lossy(&out.stdout);
                let report: serde_json::Value =
                    serde_json::from_str(text.lines().last().unwrap()).unwrap();
                assert_eq!(report["late_missing"], serde_json::json!([]), "{text}");
            } else {
                failures.push(String::from_utf8_lossy(&out.stderr).into_owned());
            }
            runs += 1;
        }
        (runs, failures)
    });
    // where[i]: index of the holder of payload i.
    let mut at: Vec<usize> = (0..8).collect();
    let mut moves = 0u32;
    for round in 0..60usize {
        let i = (round * 3) % 8;
        let from = at[i];
        // A free holder, on the other stripe when one is free.
        let Some(to) = (0..12)
            .filter(|k| !at.contains(k))
            .max_by_key(|k| (holders[*k].0 != holders[from].0, (k + round) % 12))
        else {
            continue;
        };
        let (p, _) = payloads[i];
        let (fs, fh) = holders[from];
        let (ts, th) = holders[to];
        // The payload is never faulted: only the holders are resident while it moves (link
        // first, then unlink, then forget them), so only the graph and the barrier keep it.
        // Every other move is one transaction over both holders: across stripes when they are
        // on different ones (two-phase commit: the unlink and the link become visible at once,
        // each on its own stripe).
        if round % 2 == 1 {
            m.object(th).await.unwrap();
            m.object(fh).await.unwrap();
            let mut tx = m
                .lock(LockId::Named(locks[ts].clone()), LockLevel::Write)
                .await
                .unwrap();
            tx.set_field(th, CLASS, "next", Value::Ref(p)).unwrap();
            tx.set_field(fh, CLASS, "next", Value::Null).unwrap();
            tx.commit().await.unwrap();
        } else {
            set_next(&m, &locks[ts], th, Some(p)).await;
            set_next(&m, &locks[fs], fh, None).await;
        }
        m.flush().await.unwrap();
        m.evict(&[p, fh, th]).await.unwrap();
        at[i] = to;
        moves += 1;
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    stop.store(true, Ordering::Relaxed);
    let (runs, failures) = tokio::task::spawn_blocking(move || dgc.join().unwrap())
        .await
        .unwrap();
    assert!(moves >= 10, "moves: {moves}");
    assert!(runs >= 1, "DGC ran");
    // A run may abort (a mutator kept moving references); none may remove anything live.
    for f in &failures {
        assert!(f.contains("cluster DGC"), "{f}");
    }
    // One more run with the mutator idle must succeed and collect the old garbage.
    let out = run_dgc(&g.config);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    m.close().await.unwrap();
    drop(m);
    let out = run_dgc(&g.config);
    assert!(out.status.success());
    for (s, o) in &garbage {
        assert!(!has(&g, *s, *o), "garbage {o} still on stripe {s}");
    }
    // Everything reachable from the roots is there and faults for a fresh client.
    let fresh = client(&g, "fresh").await;
    for (i, &(p, child)) in payloads.iter().enumerate() {
        let (hs, h) = holders[at[i]];
        let map = fresh.map(&roots[hs]).await.unwrap();
        assert_eq!(
            map.get(&fresh, format!("h{}", at[i])).await.unwrap(),
            Some(Value::Ref(h))
        );
        assert_eq!(next_of(&fresh, h).await, Some(p), "holder {h} holds {p}");
        assert_eq!(next_of(&fresh, p).await, Some(child));
        fresh.object(child).await.unwrap();
    }
    for (k, &(_, h)) in holders.iter().enumerate() {
        if !at.contains(&k) {
            assert_eq!(next_of(&fresh, h).await, None);
        }
    }
    println!("moves={moves} dgc_runs={runs} aborted={}", failures.len());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dgc_with_a_stripe_down_names_it_and_removes_nothing() {
    let mut g = two_stripes();
    let locks = [name_on("lock", 0), name_on("lock", 1)];
    let a = client(&g, "builder").await;
    let junk = node(&a, &locks[0], None).await;
    a.flush().await.unwrap();
    a.close().await.unwrap();
    drop(a);
    let before = objects(&g, 0);
    g.kill(1);
    let out = run_dgc(&g.config);
    let stderr = String::from_utf8_lossy(&out.stderr);
    println!("{stderr}");
    assert!(!out.status.success());
    assert!(
        stderr.contains("stripe 1 (group 'stripe-1')")
            && stderr.contains("no reachable ACTIVE-COORDINATOR")
            && stderr.contains("s2")
            && stderr.contains("nothing was removed"),
        "{stderr}"
    );
    assert_eq!(objects(&g, 0), before, "nothing removed on stripe 0");
    assert!(has(&g, 0, junk));
    let st = g.status(0).unwrap();
    assert!(st["cluster_dgc"].is_null(), "no epoch was begun: {st}");
    // `POST /dgc` (the console's action) coordinates the same run: the same refusal.
    let one = http(g.members[0].jmx_port, "POST", "/dgc");
    assert!(
        one.contains("stripe 1 (group 'stripe-1')") && one.contains("nothing was removed"),
        "{one}"
    );
    assert_eq!(objects(&g, 0), before);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn periodic_dgc_of_a_striped_cluster_is_started_by_stripe_0_only() {
    let mut g = Group::new(2, true, 1, 1);
    let xml = std::fs::read_to_string(&g.config).unwrap();
    std::fs::write(
        &g.config,
        xml.replace(
            "<dso>",
            "<dso><garbage-collection><enabled>true</enabled><interval>1</interval></garbage-collection>",
        ),
    )
    .unwrap();
    g.as_groups(&[&[0], &[1]]);
    g.start(0);
    g.start(1);
    g.wait_state(0, "ACTIVE-COORDINATOR", Duration::from_secs(30));
    g.wait_state(1, "ACTIVE-COORDINATOR", Duration::from_secs(30));
    let locks = [name_on("lock", 0), name_on("lock", 1)];
    let a = client(&g, "builder").await;
    // Live: stripe 1's X1 referenced only from stripe 0's root map; garbage: Y1 -> Z0.
    let x1 = node(&a, &locks[1], None).await;
    let map = a.map(&name_on("root", 0)).await.unwrap();
    let mut tx = a
        .lock(LockId::Named(locks[0].clone()), LockLevel::Write)
        .await
        .unwrap();
    map.put(&mut tx, "x", x1).unwrap();
    tx.commit().await.unwrap();
    let z0 = node(&a, &locks[0], None).await;
    let y1 = node(&a, &locks[1], Some(z0)).await;
    a.flush().await.unwrap();
    a.close().await.unwrap();
    drop(a);
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while has(&g, 1, y1) || has(&g, 0, z0) {
        assert!(
            std::time::Instant::now() < deadline,
            "periodic cluster DGC did not collect within 20 s; logs:\n{}\n{}",
            g.log(0),
            g.log(1)
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(has(&g, 1, x1), "live object kept");
    assert!(g.log(0).contains("cluster DGC: coordinating"));
    assert!(
        !g.log(1).contains("cluster DGC: coordinating"),
        "stripe 1 takes part but does not start runs:\n{}",
        g.log(1)
    );
    assert_eq!(g.status(1).unwrap()["cluster_dgc"]["outcome"], "swept");
    // Stripe 0's /status has the runs it coordinated; stripe 1 coordinated none.
    let st0 = g.status(0).unwrap();
    assert!(
        st0["cluster_dgc_coordinated"]["stripes"]
            .as_array()
            .map(Vec::len)
            == Some(2),
        "{st0}"
    );
    assert!(g.status(1).unwrap()["cluster_dgc_coordinated"].is_null());
}

/// A stand-in for stripe 1's active on its management port: `/status` says ACTIVE-COORDINATOR
/// of stripe 1, `begin` and `abort` succeed, `mark` fails (a stripe breaking mid-run). Returns the
/// paths it was asked for.
fn fake_stripe_1(port: u16) -> std::sync::mpsc::Receiver<String> {
    use std::io::{BufRead, BufReader, Read, Write};
    let listener = std::net::TcpListener::bind(("127.0.0.1", port)).unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for conn in listener.incoming().take(16) {
            let Ok(mut conn) = conn else { return };
            let mut reader = BufReader::new(conn.try_clone().unwrap());
            let mut line = String::new();
            reader.read_line(&mut line).unwrap();
            let path = line.split_whitespace().nth(1).unwrap_or("").to_owned();
            let mut len = 0usize;
            loop {
                let mut h = String::new();
                reader.read_line(&mut h).unwrap();
                if h.trim().is_empty() {
                    break;
                }
                if let Some(v) = h.to_ascii_lowercase().strip_prefix("content-length:") {
                    len = v.trim().parse().unwrap_or(0);
                }
            }
            let mut body = vec![0; len];
            reader.read_exact(&mut body).unwrap();
            let (code, answer) = if path.starts_with("/status") {
                (
                    "200 OK",
                    r#"{"state":"ACTIVE-COORDINATOR","stripe":{"id":1}}"#.to_owned(),
                )
            } else if path.starts_with("/dgc/cluster/mark") {
                (
                    "500 Internal Server Error",
                    r#"{"error":"stand-in fails"}"#.to_owned(),
                )
            } else {
                ("200 OK", r#"{"aborted":true}"#.to_owned())
            };
            let _ = write!(
                conn,
                "HTTP/1.1 {code}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{answer}",
                answer.len()
            );
            let _ = tx.send(path);
        }
    });
    rx
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stripe_failing_mid_run_aborts_it_everywhere_with_nothing_removed() {
    let mut g = two_stripes();
    let locks = [name_on("lock", 0), name_on("lock", 1)];
    let a = client(&g, "builder").await;
    let junk = node(&a, &locks[0], None).await;
    a.flush().await.unwrap();
    a.close().await.unwrap();
    drop(a);
    let before = objects(&g, 0);
    g.kill(1);
    let asked = fake_stripe_1(g.members[1].jmx_port);
    let out = run_dgc(&g.config);
    let stderr = String::from_utf8_lossy(&out.stderr);
    println!("{stderr}");
    assert!(!out.status.success());
    assert!(
        stderr.contains("stripe 1 (group 'stripe-1', server 's2'")
            && stderr.contains("failed in mark round 1")
            && stderr.contains("stand-in fails")
            && stderr.contains("aborted on every stripe"),
        "{stderr}"
    );
    // Stripe 0 began, marked, and was told to abort: nothing removed, its epoch closed.
    assert_eq!(objects(&g, 0), before);
    assert!(has(&g, 0, junk));
    let st = g.status(0).unwrap();
    assert_eq!(st["cluster_dgc"]["outcome"], "aborted", "{st}");
    assert!(st["last_dgc"].is_null(), "{st}");
    let paths: Vec<String> = asked.try_iter().collect();
    assert!(
        paths.iter().any(|p| p.starts_with("/dgc/cluster/abort")),
        "{paths:?}"
    );
    // The stand-in is gone; with stripe 0's epoch closed, a mark for it is refused.
    let refused = http(
        g.members[0].jmx_port,
        "POST",
        &format!("/dgc/cluster/mark?epoch={}", st["cluster_dgc"]["epoch"]),
    );
    assert!(
        refused.contains("no cluster DGC epoch is open"),
        "{refused}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_a_management_token_the_run_sends_it_and_the_steps_need_it() {
    let mut g = Group::with_props(
        2,
        true,
        1,
        1,
        r#"<property name="l2.management.token" value="dgc-t"/>"#,
    );
    g.as_groups(&[&[0], &[1]]);
    g.start(0);
    g.start(1);
    g.wait_state(0, "ACTIVE-COORDINATOR", Duration::from_secs(30));
    g.wait_state(1, "ACTIVE-COORDINATOR", Duration::from_secs(30));
    // A step without the token is refused (401), like every action.
    let refused = http(g.members[1].jmx_port, "POST", "/dgc/cluster/begin?epoch=3");
    assert!(refused.contains("\"status\":401"), "{refused}");
    assert!(g.status(1).unwrap()["cluster_dgc"].is_null());
    // The command sends the configuration's token to every stripe.
    let out = run_dgc(&g.config);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // A wrong token: refused (403), and the error says which setting supplies it.
    let xml = std::fs::read_to_string(&g.config).unwrap();
    let other = g.dir.path().join("no-token.xml");
    std::fs::write(&other, xml.replace("dgc-t", "wrong")).unwrap();
    let out = run_dgc(&other);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        stderr.contains("HTTP 403") && stderr.contains("l2.management.token"),
        "{stderr}"
    );
    assert_eq!(g.status(0).unwrap()["cluster_dgc"]["outcome"], "swept");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dgc_runs_across_a_failover_of_one_stripe_and_loses_nothing() {
    // Seed 001's four servers: two mirror groups of two.
    let mut g = Group::new(4, true, 1, 1);
    g.as_groups(&[&[0, 1], &[2, 3]]);
    for i in 0..4 {
        g.start(i);
    }
    let active = [
        g.active_of(&[0, 1], Duration::from_secs(30)),
        g.active_of(&[2, 3], Duration::from_secs(30)),
    ];
    let passive1 = if active[1] == 2 { 3 } else { 2 };
    g.wait_state(passive1, "PASSIVE-STANDBY", Duration::from_secs(30));
    let locks = [name_on("lock", 0), name_on("lock", 1)];
    let roots = [name_on("root", 0), name_on("root", 1)];
    let a = client(&g, "builder").await;
    // Live: stripe 1's X1 -> Y1, referenced only from stripe 0's A0 in root map 0.
    let y1 = node(&a, &locks[1], None).await;
    let x1 = node(&a, &locks[1], Some(y1)).await;
    let a0 = node(&a, &locks[0], Some(x1)).await;
    let m0 = a.map(&roots[0]).await.unwrap();
    let mut tx = a
        .lock(LockId::Named(locks[0].clone()), LockLevel::Write)
        .await
        .unwrap();
    m0.put(&mut tx, "a", a0).unwrap();
    tx.commit().await.unwrap();
    // Garbage: a cycle across the stripes.
    let g0 = node(&a, &locks[0], None).await;
    let g1 = node(&a, &locks[1], Some(g0)).await;
    set_next(&a, &locks[0], g0, Some(g1)).await;
    a.flush().await.unwrap();
    a.close().await.unwrap();
    drop(a);

    // `kiln-server dgc` in a loop while stripe 1's active is killed and its passive takes over.
    let stop = Arc::new(AtomicBool::new(false));
    let after_failover = Arc::new(AtomicBool::new(false));
    let (config, stop2, after2) = (g.config.clone(), stop.clone(), after_failover.clone());
    let runs = std::thread::spawn(move || {
        let mut out = Vec::new();
        let deadline = std::time::Instant::now() + Duration::from_secs(45);
        while !stop2.load(Ordering::Relaxed) && std::time::Instant::now() < deadline {
            let after = after2.load(Ordering::Relaxed);
            let o = run_dgc(&config);
            out.push((
                after,
                o.status.success(),
                String::from_utf8_lossy(&o.stderr).into_owned(),
            ));
            if after && o.status.success() {
                break;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        out
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    g.kill(active[1]);
    g.wait_state(passive1, "ACTIVE-COORDINATOR", Duration::from_secs(30));
    after_failover.store(true, Ordering::Relaxed);
    let results = tokio::task::spawn_blocking(move || runs.join().unwrap())
        .await
        .unwrap();
    stop.store(true, Ordering::Relaxed);
    // Runs while stripe 1 had no active failed naming it; one after the failover succeeded.
    for (_, ok, stderr) in &results {
        assert!(*ok || stderr.contains("stripe 1"), "{stderr}");
    }
    assert!(
        results.iter().any(|(after, ok, _)| *after && *ok),
        "no run succeeded after the failover: {results:?}"
    );
    println!(
        "runs={} failed={}",
        results.len(),
        results.iter().filter(|r| !r.1).count()
    );
    // The garbage is gone on both stripes (on stripe 1's new active too: the removals were
    // replicated, or it collected them itself); the live graph is all there.
    assert!(!has(&g, active[0], g0) && !has(&g, passive1, g1));
    assert!(has(&g, active[0], a0) && has(&g, passive1, x1) && has(&g, passive1, y1));
    let fresh = client(&g, "fresh").await;
    let m0 = fresh.map(&roots[0]).await.unwrap();
    assert_eq!(m0.get(&fresh, "a").await.unwrap(), Some(Value::Ref(a0)));
    assert_eq!(next_of(&fresh, a0).await, Some(x1));
    assert_eq!(next_of(&fresh, x1).await, Some(y1));
    fresh.close().await.unwrap();
}

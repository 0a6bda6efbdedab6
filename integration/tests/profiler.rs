//! The lock profiler and the statistics history on the management port (#13): a contended
//! lock with its holder and queue, recalls, waits and holds; the runtime switch and the start
//! switch (`l2.lockprofiler.enabled`); a refused try-lock and a timed-out request counted as
//! contended; `/api/stats` samples and DGC runs; `/metrics` aggregates; bad parameters refused.
//! Real `kiln-server` binaries on free loopback ports, real Rust clients; every wait is bounded.
#![allow(clippy::unwrap_used)]

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use kiln::{Client, ClientBuilder, LockId, LockLevel, ObjectState, Value};
use kiln_integration::ServerProcess;

/// `method path` to the management port: (status code, body).
fn req(port: u16, method: &str, path: &str) -> (u16, String) {
    let mut s = TcpStream::connect(("127.0.0.1", port)).expect("connect management port");
    s.set_read_timeout(Some(Duration::from_secs(10))).ok();
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"
    )
    .expect("send request");
    let mut out = String::new();
    s.read_to_string(&mut out).expect("read response");
    let (head, body) = out.split_once("\r\n\r\n").expect("HTTP response");
    let code = head
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .expect("status code");
    (code, body.to_owned())
}

fn json(port: u16, method: &str, path: &str) -> serde_json::Value {
    let (code, body) = req(port, method, path);
    assert_eq!(code, 200, "{method} {path}: {body}");
    serde_json::from_str(&body).unwrap_or_else(|e| panic!("{path}: not JSON ({e}): {body}"))
}

/// The profiler's entry for the lock whose name contains `name`, if tracked.
fn lock_entry(port: u16, name: &str) -> Option<serde_json::Value> {
    let doc = json(port, "GET", "/api/locks?top=100&sort=contention");
    doc["locks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["lock"].as_str().unwrap().contains(name))
        .cloned()
}

fn until<T>(what: &str, within: Duration, mut f: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + within;
    loop {
        if let Some(v) = f() {
            return v;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

async fn client(server: &ServerProcess, name: &str) -> Client {
    ClientBuilder::new([server.addr()])
        .name(name)
        .connect()
        .await
        .unwrap()
}

const START_ENABLED: &str = r#"<property name="l2.lockprofiler.enabled" value="true"/>"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn contended_lock_shows_holder_queue_recalls_waits_and_holds() {
    let server = ServerProcess::start_with(START_ENABLED);
    let port = server.jmx_port;
    assert_eq!(
        json(port, "GET", "/api/locks")["enabled"],
        true,
        "started enabled"
    );
    let a = client(&server, "prof-a").await;
    let b = client(&server, "prof-b").await;
    let hot = LockId::Named("profiled-hot".into());
    // a holds the lock; b queues behind it.
    let tx = a.lock(hot.clone(), LockLevel::Write).await.unwrap();
    let b2 = b.clone();
    let hot2 = hot.clone();
    let waiter = tokio::spawn(async move {
        let t = Instant::now();
        let tx = b2.lock(hot2, LockLevel::Write).await.unwrap();
        let waited = t.elapsed();
        tx.commit().await.unwrap();
        waited
    });
    let (a_id, b_id) = (
        format!("client{}", a.client_id()),
        format!("client{}", b.client_id()),
    );
    let held = until("a holding and b queued", Duration::from_secs(10), || {
        lock_entry(port, "profiled-hot").filter(|l| !l["queue"].as_array().unwrap().is_empty())
    });
    assert_eq!(held["kind"], "name");
    assert_eq!(held["holders"], serde_json::json!([a_id]), "{held}");
    assert_eq!(held["queue"], serde_json::json!([b_id]), "{held}");
    assert!(held["contended"].as_u64().unwrap() >= 1, "{held}");
    assert!(
        held["recalls"].as_u64().unwrap() >= 1,
        "a's lease is recalled for b: {held}"
    );
    tokio::time::sleep(Duration::from_millis(150)).await;
    tx.commit().await.unwrap();
    let waited = tokio::time::timeout(Duration::from_secs(10), waiter)
        .await
        .unwrap()
        .unwrap();
    assert!(waited >= Duration::from_millis(150), "{waited:?}");
    // a takes it back: another recall, of b's lease this time.
    for _ in 0..3 {
        let tx = a.lock(hot.clone(), LockLevel::Write).await.unwrap();
        tx.commit().await.unwrap();
        let tx = b.lock(hot.clone(), LockLevel::Write).await.unwrap();
        tx.commit().await.unwrap();
    }
    let l = until("the hand-offs counted", Duration::from_secs(10), || {
        lock_entry(port, "profiled-hot").filter(|l| l["recalls"].as_u64().unwrap() >= 7)
    });
    let n = |k: &str| l[k].as_u64().unwrap_or_else(|| panic!("{k} in {l}"));
    assert!(n("requests") >= 8 && n("awards") >= 8, "{l}");
    assert!(n("contended") >= 1, "{l}");
    // b waited at least the 150 ms a held it on purpose; a held it at least as long.
    assert!(n("wait_max_us") >= 150_000, "{l}");
    assert!(n("hold_max_us") >= 150_000, "{l}");
    assert!(l["wait_mean_us"].as_f64().unwrap() > 0.0, "{l}");
    assert!(
        n("wait_max_us") < 10_000_000 && n("hold_max_us") < 10_000_000,
        "{l}"
    );
    // The top-N by wait time lists it first (it is the only contended lock).
    let top = json(port, "GET", "/api/locks?top=1&sort=wait");
    assert_eq!(top["locks"].as_array().unwrap().len(), 1, "{top}");
    assert!(
        top["locks"][0]["lock"]
            .as_str()
            .unwrap()
            .contains("profiled-hot"),
        "{top}"
    );
    let m = server.metrics();
    assert!(m.contains("kiln_lock_profiler_enabled 1"), "{m}");
    let contended = m
        .lines()
        .find_map(|l| l.strip_prefix("kiln_lock_profiler_contended "))
        .and_then(|v| v.trim().parse::<f64>().ok())
        .unwrap_or_else(|| panic!("kiln_lock_profiler_contended in {m}"));
    assert!(contended >= 1.0, "{m}");
    a.close().await.unwrap();
    b.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn switch_refused_and_timed_out_requests_and_bad_parameters() {
    let server = ServerProcess::start();
    let port = server.jmx_port;
    let a = client(&server, "sw-a").await;
    let b = client(&server, "sw-b").await;
    let lk = LockId::Named("switched".into());
    // Off by default: nothing is counted.
    assert_eq!(json(port, "GET", "/api/locks")["enabled"], false);
    a.lock(lk.clone(), LockLevel::Write)
        .await
        .unwrap()
        .commit()
        .await
        .unwrap();
    assert!(lock_entry(port, "switched").is_none());
    assert_eq!(
        json(port, "POST", "/api/profiler?enabled=true"),
        serde_json::json!({"enabled": true})
    );
    // a holds; b's try-lock (timeout 0) is refused at once and b's timed request times out:
    // both are contended requests; neither leaves a pending wait behind.
    let held = a.lock(lk.clone(), LockLevel::Write).await.unwrap();
    assert!(b
        .try_lock(lk.clone(), LockLevel::Write, Duration::ZERO)
        .await
        .unwrap()
        .is_none());
    assert!(b
        .try_lock(lk.clone(), LockLevel::Write, Duration::from_millis(200))
        .await
        .unwrap()
        .is_none());
    // (The server drops the timed-out request from the queue at its own deadline.)
    let l = until(
        "two contended requests, none queued",
        Duration::from_secs(10),
        || {
            lock_entry(port, "switched").filter(|l| {
                l["contended"].as_u64().unwrap() >= 2 && l["queue"] == serde_json::json!([])
            })
        },
    );
    assert_eq!(l["awards"], 0, "the hold began before the switch: {l}");
    held.commit().await.unwrap();
    // b gets it now (recall of a's lease); the wait was short.
    b.lock(lk.clone(), LockLevel::Write)
        .await
        .unwrap()
        .commit()
        .await
        .unwrap();
    let l = until("b's award", Duration::from_secs(10), || {
        lock_entry(port, "switched").filter(|l| l["awards"].as_u64().unwrap() >= 1)
    });
    let requests = l["requests"].as_u64().unwrap();
    // Off again: the figures stay as they were while a and b keep trading the lock.
    assert_eq!(
        json(port, "POST", "/api/profiler?enabled=false"),
        serde_json::json!({"enabled": false})
    );
    for _ in 0..3 {
        a.lock(lk.clone(), LockLevel::Write)
            .await
            .unwrap()
            .commit()
            .await
            .unwrap();
        b.lock(lk.clone(), LockLevel::Write)
            .await
            .unwrap()
            .commit()
            .await
            .unwrap();
    }
    let doc = json(port, "GET", "/api/locks");
    assert_eq!(doc["enabled"], false);
    let after = doc["locks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["lock"].as_str().unwrap().contains("switched"))
        .cloned()
        .unwrap();
    assert_eq!(after["requests"].as_u64().unwrap(), requests, "{after}");
    // Bad parameters: 400 with a message naming the parameter; nothing changes.
    for (method, path, word) in [
        ("GET", "/api/locks?top=many", "top"),
        ("GET", "/api/locks?sort=slowest", "sort"),
        ("POST", "/api/profiler?enabled=maybe", "enabled"),
        ("POST", "/api/profiler", "enabled"),
    ] {
        let (code, body) = req(port, method, path);
        assert_eq!(code, 400, "{method} {path}: {body}");
        assert!(body.contains(word), "{method} {path}: {body}");
    }
    assert_eq!(json(port, "GET", "/api/locks")["enabled"], false);
    a.close().await.unwrap();
    b.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stats_history_samples_commits_and_records_dgc_runs() {
    let server = ServerProcess::start();
    let port = server.jmx_port;
    let c = client(&server, "stats").await;
    let lk = LockId::Named("stats-own".into());
    let mut tx = c.lock(lk.clone(), LockLevel::Write).await.unwrap();
    let oid = tx.create(ObjectState::physical("t.Counter")).unwrap();
    tx.commit().await.unwrap();
    // Garbage for the DGC: objects created and never referenced from a root.
    let mut tx = c.lock(lk.clone(), LockLevel::Write).await.unwrap();
    for _ in 0..20 {
        tx.create(ObjectState::physical("t.Garbage")).unwrap();
    }
    tx.commit().await.unwrap();
    c.flush().await.unwrap();
    // Commit for ~2.5 s: the samples taken meanwhile show txn/s > 0.
    let t = Instant::now();
    let mut n = 0i64;
    while t.elapsed() < Duration::from_millis(2500) {
        let mut tx = c.lock(lk.clone(), LockLevel::Write).await.unwrap();
        n += 1;
        tx.set_field(oid, "t.Counter", "n", Value::I64(n)).unwrap();
        tx.commit().await.unwrap();
        if n % 64 == 0 {
            c.flush().await.unwrap();
        }
    }
    c.flush().await.unwrap();
    let doc = until("two samples with commits", Duration::from_secs(10), || {
        let d = json(port, "GET", "/api/stats");
        let busy = d["samples"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|s| s["txn_per_s"].as_f64().unwrap() > 0.0)
            .count();
        (busy >= 2).then_some(d)
    });
    assert_eq!(doc["interval_ms"], 1000);
    let samples = doc["samples"].as_array().unwrap();
    let ts: Vec<u64> = samples.iter().map(|s| s["t"].as_u64().unwrap()).collect();
    assert!(
        ts.windows(2).all(|w| w[0] < w[1]),
        "samples in time order: {ts:?}"
    );
    let peak = samples
        .iter()
        .map(|s| s["txn_per_s"].as_f64().unwrap())
        .fold(0.0, f64::max);
    assert!(
        peak <= n as f64 * 2.0,
        "peak {peak}/s from {n} commits in 2.5 s"
    );
    assert!(samples.last().unwrap()["objects"].as_u64().unwrap() >= 1);
    assert!(samples
        .iter()
        .all(|s| s["commits_per_sync"].as_f64().is_some() && s["faults_per_s"].as_f64().is_some()));
    // A DGC run appears in the history with what it collected.
    assert_eq!(doc["dgc"], serde_json::json!([]));
    let (code, body) = req(port, "POST", "/dgc");
    assert_eq!(code, 200, "{body}");
    let runs = until("the DGC run in /api/stats", Duration::from_secs(10), || {
        let d = json(port, "GET", "/api/stats");
        let runs = d["dgc"].as_array().unwrap().clone();
        (!runs.is_empty()).then_some(runs)
    });
    assert_eq!(runs.len(), 1, "{runs:?}");
    assert!(
        runs[0]["t"].as_u64().unwrap() >= *ts.first().unwrap(),
        "{runs:?}"
    );
    assert!(runs[0]["duration_ms"].as_u64().is_some(), "{runs:?}");
    let m = server.metrics();
    assert!(m.contains("kiln_commits_per_sync"), "{m}");
    assert!(m.contains("kiln_lock_profiler_enabled 0"), "{m}");
    c.close().await.unwrap();
}

//! Mirror groups as stripes (#12), second step: roots and named locks owned by
//! `FNV-1a-64(name) % stripes`, object locks with their object; servers refuse requests for
//! another stripe's roots, locks and objects (`ErrorCode::WrongStripe`, nothing stored); Rust
//! clients over several groups route every request to its stripe and share one graph spread
//! over both stripes (transactions across stripes: `stripes_2pc.rs`); one stripe's failover
//! does not pause the other. Real `kiln-server` binaries on free loopback ports.
#![allow(clippy::unwrap_used)]

mod common_ha;

use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use common_ha::{name_on, Group};
use kiln::{ClientBuilder, Error, LockId, LockLevel, ObjectState, Value};
use kiln_integration::{binary, RawConn};
use kiln_protocol::{Delta, DeltaOp, ErrorCode, Message, Txn};

fn addr(g: &Group, i: usize) -> String {
    format!("127.0.0.1:{}", g.members[i].dso_port)
}

/// The next `Error` the server sends (panics on anything that acknowledges).
fn refusal(raw: &mut RawConn) -> (ErrorCode, String) {
    match raw.expect("a refusal", |m| {
        matches!(
            m,
            Message::Error { .. }
                | Message::RootValue { .. }
                | Message::FaultReply { .. }
                | Message::LockAward { .. }
                | Message::BatchAck { .. }
                | Message::CommitAck { .. }
        )
    }) {
        Message::Error { code, message } => (code, message),
        other => panic!("not refused: {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_stripes_share_one_graph_and_refuse_what_they_do_not_own() {
    let mut g = Group::new(2, true, 1, 1);
    g.as_groups(&[&[0], &[1]]);
    g.start(0);
    g.start(1);
    g.wait_state(0, "ACTIVE-COORDINATOR", Duration::from_secs(30));
    g.wait_state(1, "ACTIVE-COORDINATOR", Duration::from_secs(30));

    let roots = [name_on("root", 0), name_on("root", 1)];
    let locks = [name_on("lock", 0), name_on("lock", 1)];

    // A client from the configuration: one connection per mirror group.
    let a = ClientBuilder::from_config_file(&g.config)
        .unwrap()
        .name("writer")
        .connect_deadline(Duration::from_secs(20))
        .connect()
        .await
        .unwrap();
    assert_eq!(a.stripe_count(), 2);
    let mut maps = Vec::new();
    let mut cells = Vec::new();
    for s in 0..2u8 {
        let m = a.map(&roots[s as usize]).await.unwrap();
        assert_eq!(
            m.id().stripe(),
            s,
            "root {} on its stripe",
            roots[s as usize]
        );
        let mut tx = a
            .lock(LockId::Named(locks[s as usize].clone()), LockLevel::Write)
            .await
            .unwrap();
        let cell = tx.create(ObjectState::physical("t.Cell")).unwrap();
        assert_eq!(cell.stripe(), s, "a new object gets its lock's stripe");
        tx.set_field(cell, "t.Cell", "v", Value::I64(100 + i64::from(s)))
            .unwrap();
        if s == 1 {
            // A reference between stripes is allowed (stripe 1's cell names stripe 0's).
            tx.set_field(cell, "t.Cell", "other", Value::Ref(cells[0]))
                .unwrap();
        }
        m.put(&mut tx, "cell", cell).unwrap();
        tx.commit().await.unwrap();
        maps.push(m);
        cells.push(cell);
    }
    a.flush().await.unwrap();

    // A second client from a connect string sees the whole graph, over both stripes.
    let b = ClientBuilder::from_connect_string(&format!("{};{}", addr(&g, 0), addr(&g, 1)))
        .name("reader")
        .connect()
        .await
        .unwrap();
    assert_eq!(b.stripe_count(), 2);
    for s in 0..2usize {
        let m = b.map(&roots[s]).await.unwrap();
        assert_eq!(m.id(), maps[s].id());
        assert_eq!(m.get(&b, "cell").await.unwrap(), Some(Value::Ref(cells[s])));
        let v = b
            .read(cells[s], |st| {
                st.field("t.Cell", "v").and_then(Value::as_i64)
            })
            .await
            .unwrap();
        assert_eq!(v, Some(100 + s as i64));
    }
    let other = b
        .read(cells[1], |st| st.field("t.Cell", "other").cloned())
        .await
        .unwrap();
    assert_eq!(other, Some(Value::Ref(cells[0])));
    let names: Vec<String> = b.roots().await.unwrap().into_iter().map(|r| r.0).collect();
    assert!(
        names.contains(&roots[0]) && names.contains(&roots[1]),
        "{names:?}"
    );

    // A transaction under one stripe's lock that also changes another stripe's object commits
    // on both with two-phase commit: integration/tests/stripes_2pc.rs.
    // The lock was released: the other client takes it and commits on stripe 0.
    let mut tx = b
        .lock(LockId::Named(locks[0].clone()), LockLevel::Write)
        .await
        .unwrap();
    tx.set_field(cells[0], "t.Cell", "v", Value::I64(101))
        .unwrap();
    tx.commit().await.unwrap();
    b.flush().await.unwrap();

    // Change tracking covers every stripe.
    b.track_changes();
    assert_eq!(b.take_changed(), kiln::Changed::All);
    let seq0 = b.changes_seq();
    // The blocking facade routes the same way: stripe 1's lock, stripe 1's object.
    let spec = format!("{};{}", addr(&g, 0), addr(&g, 1));
    let (lock1, cell1) = (locks[1].clone(), cells[1]);
    tokio::task::spawn_blocking(move || {
        let c = ClientBuilder::from_connect_string(&spec)
            .connect_blocking()
            .unwrap();
        c.object(cell1).unwrap();
        let mut tx = c.lock(LockId::Named(lock1), LockLevel::Write).unwrap();
        tx.set_field(cell1, "t.Cell", "v", Value::I64(202)).unwrap();
        let made = tx.create(ObjectState::physical("t.Cell")).unwrap();
        assert_eq!(made.stripe(), 1);
        tx.commit().unwrap();
        c.close().unwrap();
    })
    .await
    .unwrap();
    let r = ClientBuilder::from_connect_string(&format!("{};{}", addr(&g, 0), addr(&g, 1)))
        .connect()
        .await
        .unwrap();
    assert_eq!(
        r.read(cells[1], |st| st
            .field("t.Cell", "v")
            .and_then(Value::as_i64))
            .await
            .unwrap(),
        Some(202)
    );
    r.close().await.unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    while b.changes_seq() == seq0 {
        assert!(
            Instant::now() < deadline,
            "the change of stripe 1 never reached the reader"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    match b.take_changed() {
        kiln::Changed::Oids(o) => assert!(o.contains(&cells[1]), "{o:?}"),
        other => panic!("{other:?}"),
    }

    // The `kiln` CLI takes the same connect string: every root of both stripes.
    let out = Command::new(binary("kiln"))
        .args(["-s", &format!("{};{}", addr(&g, 0), addr(&g, 1)), "roots"])
        .output()
        .unwrap();
    let listed = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{listed}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        listed.contains(&roots[0]) && listed.contains(&roots[1]),
        "{listed}"
    );

    // Raw protocol: stripe 1's server refuses stripe 0's root, named lock, object fault,
    // object lock and delta with WrongStripe, naming the thing and both stripes.
    let port1 = g.members[1].dso_port;
    let before = g.digest(1);
    let cases: Vec<(Message, String)> = vec![
        (
            Message::RootLookup {
                req_id: 1,
                name: roots[0].clone(),
            },
            format!("root '{}'", roots[0]),
        ),
        (
            Message::RootCreate {
                req_id: 1,
                name: roots[0].clone(),
                value: Value::I64(1),
                replace: true,
            },
            format!("root '{}'", roots[0]),
        ),
        (
            Message::LockRequest {
                req_id: 1,
                lock: LockId::Named(locks[0].clone()),
                level: LockLevel::Write,
                timeout_ms: -1,
            },
            locks[0].clone(),
        ),
        (
            Message::LockRequest {
                req_id: 1,
                lock: LockId::Object(cells[0]),
                level: LockLevel::Write,
                timeout_ms: -1,
            },
            cells[0].to_string(),
        ),
        (
            Message::Fault {
                req_id: 1,
                oids: vec![cells[0]],
                budget: 1,
            },
            format!("fault of object {}", cells[0]),
        ),
        (
            Message::TxnBatch {
                txns: vec![Txn {
                    seq: 1,
                    deltas: vec![Delta {
                        oid: cells[0],
                        ops: vec![DeltaOp::SetField {
                            class: "t.Cell".into(),
                            name: "v".into(),
                            value: Value::I64(7),
                        }],
                    }],
                    ..Txn::default()
                }],
            },
            format!("changes object {}", cells[0]),
        ),
    ];
    for (msg, names) in cases {
        let mut raw = RawConn::hello(port1, "foreign");
        raw.send(&msg);
        let (code, message) = refusal(&mut raw);
        assert_eq!(code, ErrorCode::WrongStripe, "{message}");
        assert!(
            message.contains(&names)
                && message.contains("belongs to stripe 0")
                && message.contains("serves stripe 1 of 2"),
            "{message}"
        );
    }
    // Stripe 1's own root is served there (the refusals are about ownership, not the server).
    let mut raw = RawConn::hello(port1, "owner");
    raw.send(&Message::RootLookup {
        req_id: 9,
        name: roots[1].clone(),
    });
    match raw.expect("the root", |m| matches!(m, Message::RootValue { .. })) {
        Message::RootValue { value, .. } => assert_eq!(value, Some(Value::Ref(maps[1].id()))),
        other => panic!("{other:?}"),
    }
    assert_eq!(g.digest(1), before, "a refused request stores nothing");

    // Groups given in the wrong order: the client names the server's stripe and its place.
    let e = ClientBuilder::from_connect_string(&format!("{};{}", addr(&g, 1), addr(&g, 0)))
        .connect()
        .await
        .unwrap_err();
    assert!(
        matches!(e, Error::WrongStripe { .. })
            && e.to_string().contains(
                "serves stripe 1 of 2, but this client lists it in group 1 of 2 (stripe 0 of 2)"
            ),
        "{e}"
    );
    // /metrics carries each stripe's labels.
    for s in 0..2 {
        let m = kiln_integration::http(g.members[s].jmx_port, "GET", "/metrics");
        let line = m
            .lines()
            .find(|l| l.starts_with("kiln_clients_connected{"))
            .unwrap_or_else(|| panic!("{m}"));
        assert!(
            line.contains(&format!("stripe=\"{s}\""))
                && line.contains(&format!("group=\"stripe-{s}\"")),
            "{line}"
        );
    }
    // `kiln-server dgc` runs one DGC over both stripes (integration/tests/stripes_dgc.rs), and
    // so does `POST /dgc` on an active (it coordinates the run).
    let out = Command::new(binary("kiln-server"))
        .arg("-f")
        .arg(&g.config)
        .args(["-n", "s1", "dgc"])
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{text}");
    assert!(text.contains("stripe 1 (group stripe-1"), "{text}");
    let one = kiln_integration::http(g.members[1].jmx_port, "POST", "/dgc");
    assert!(
        one.contains("\"stripes\"") && one.contains("\"epoch\""),
        "{one}"
    );
    a.close().await.unwrap();
    b.close().await.unwrap();
}

/// Servers started with `bin/start-tc-server.sh -f <config> -n <name>`, kill -9 on drop.
struct Scripted {
    procs: Vec<Option<Child>>,
}

impl Scripted {
    fn start(g: &Group) -> Scripted {
        let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("..")
            .join("bin")
            .join("start-tc-server.sh");
        let procs = g
            .members
            .iter()
            .map(|m| {
                let log =
                    std::fs::File::create(g.dir.path().join(format!("{}.out", m.name))).unwrap();
                Some(
                    Command::new(&script)
                        .arg("-f")
                        .arg(&g.config)
                        .arg("-n")
                        .arg(&m.name)
                        .env("KILN_SERVER", binary("kiln-server"))
                        .env("KILN_LOG", "info")
                        .stdout(Stdio::null())
                        .stderr(Stdio::from(log))
                        .spawn()
                        .unwrap(),
                )
            })
            .collect();
        Scripted { procs }
    }
    fn kill(&mut self, i: usize) {
        if let Some(mut c) = self.procs[i].take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

impl Drop for Scripted {
    fn drop(&mut self) {
        for i in 0..self.procs.len() {
            self.kill(i);
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_stripe_fails_over_while_the_other_keeps_committing() {
    // Seed 001's four servers: two mirror groups of two.
    let g = Group::new(4, true, 1, 10);
    g.as_groups(&[&[0, 1], &[2, 3]]);
    let mut servers = Scripted::start(&g);
    let active = [
        g.active_of(&[0, 1], Duration::from_secs(30)),
        g.active_of(&[2, 3], Duration::from_secs(30)),
    ];
    for (s, members) in [[0usize, 1], [2, 3]].iter().enumerate() {
        let passive = members.iter().copied().find(|&m| m != active[s]).unwrap();
        g.wait_state(passive, "PASSIVE-STANDBY", Duration::from_secs(30));
    }

    let locks = [name_on("work", 0), name_on("work", 1)];
    let acked = Arc::new([AtomicU64::new(0), AtomicU64::new(0)]);
    let stop = Arc::new(AtomicBool::new(false));
    let mut workers = Vec::new();
    let mut cells = Vec::new();
    for s in 0..2usize {
        let c = ClientBuilder::from_config_file(&g.config)
            .unwrap()
            .name(format!("worker-{s}"))
            .connect_deadline(Duration::from_secs(20))
            .connect()
            .await
            .unwrap();
        let lock = LockId::Named(locks[s].clone());
        let mut tx = c.lock(lock.clone(), LockLevel::SyncWrite).await.unwrap();
        let cell = tx.create(ObjectState::physical("t.Counter")).unwrap();
        tx.set_field(cell, "t.Counter", "n", Value::I64(0)).unwrap();
        tx.commit().await.unwrap();
        assert_eq!(cell.stripe(), s as u8);
        cells.push(cell);
        let (acked, stop) = (acked.clone(), stop.clone());
        workers.push(tokio::spawn(async move {
            while !stop.load(Ordering::Acquire) {
                // SyncWrite: the commit returns once the stripe's active (and its passive)
                // acknowledged it; only then is it counted.
                let mut tx = c.lock(lock.clone(), LockLevel::SyncWrite).await?;
                let n = tx.read(cell, |st| {
                    st.field("t.Counter", "n").and_then(Value::as_i64)
                })?;
                tx.set_field(cell, "t.Counter", "n", Value::I64(n.unwrap_or(0) + 1))?;
                tx.commit().await?;
                acked[s].fetch_add(1, Ordering::AcqRel);
            }
            c.close().await?;
            Ok::<(), Error>(())
        }));
    }
    // Both stripes make progress.
    let wait_for = |s: usize, at_least: u64, within: Duration| {
        let deadline = Instant::now() + within;
        while acked[s].load(Ordering::Acquire) < at_least {
            assert!(Instant::now() < deadline, "stripe {s} made no progress");
            std::thread::sleep(Duration::from_millis(10));
        }
    };
    wait_for(0, 20, Duration::from_secs(20));
    wait_for(1, 20, Duration::from_secs(20));

    // kill -9 of stripe 1's active; stripe 0's client keeps committing during the failover.
    let at_kill = [
        acked[0].load(Ordering::Acquire),
        acked[1].load(Ordering::Acquire),
    ];
    let killed = Instant::now();
    servers.kill(active[1]);
    let survivor = if active[1] == 2 { 3 } else { 2 };
    // Stripe 1 resumes: its passive was elected and the worker reconnected and committed.
    let resumed_at = {
        let deadline = Instant::now() + Duration::from_secs(40);
        loop {
            if acked[1].load(Ordering::Acquire) > at_kill[1] + 1 {
                break Instant::now();
            }
            assert!(
                Instant::now() < deadline,
                "stripe 1 did not resume; survivor state {:?}\n{}",
                g.state(survivor),
                g.log(survivor)
            );
            std::thread::sleep(Duration::from_millis(10));
        }
    };
    let during = acked[0].load(Ordering::Acquire) - at_kill[0];
    let pause = resumed_at - killed;
    assert_eq!(g.state(survivor).as_deref(), Some("ACTIVE-COORDINATOR"));
    eprintln!("stripe 1 paused {pause:?}; stripe 0 committed {during} transactions meanwhile");
    assert!(
        during >= 10,
        "stripe 0 committed only {during} transactions during stripe 1's {pause:?} failover"
    );
    wait_for(1, at_kill[1] + 10, Duration::from_secs(20));
    stop.store(true, Ordering::Release);
    for w in workers {
        w.await.unwrap().unwrap();
    }

    // Nothing acknowledged was lost on either stripe: a fresh client reads every increment.
    let r = ClientBuilder::from_config_file(&g.config)
        .unwrap()
        .name("reader")
        .connect_deadline(Duration::from_secs(20))
        .connect()
        .await
        .unwrap();
    for s in 0..2 {
        let n = r
            .read(cells[s], |st| {
                st.field("t.Counter", "n").and_then(Value::as_i64)
            })
            .await
            .unwrap();
        assert_eq!(
            n,
            Some(acked[s].load(Ordering::Acquire) as i64),
            "stripe {s}: acknowledged increments lost"
        );
    }
    r.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lost_stripe_fails_its_work_by_name_and_the_other_keeps_serving() {
    let mut g = Group::new(2, false, 1, 1);
    g.as_groups(&[&[0], &[1]]);
    g.start(0);
    g.start(1);
    g.wait_state(0, "ACTIVE-COORDINATOR", Duration::from_secs(30));
    g.wait_state(1, "ACTIVE-COORDINATOR", Duration::from_secs(30));
    let spec = format!("{};{}", addr(&g, 0), addr(&g, 1));
    let locks = [name_on("lost", 0), name_on("lost", 1)];
    let c = ClientBuilder::from_connect_string(&spec)
        .name("survivor")
        .reconnect_timeout(Duration::from_secs(2))
        .reconnect_interval(Duration::from_millis(100))
        .connect()
        .await
        .unwrap();
    let mut cells = Vec::new();
    for l in &locks {
        let mut tx = c
            .lock(LockId::Named(l.clone()), LockLevel::Write)
            .await
            .unwrap();
        let o = tx.create(ObjectState::physical("t.Cell")).unwrap();
        tx.set_field(o, "t.Cell", "v", Value::I64(1)).unwrap();
        tx.commit().await.unwrap();
        cells.push(o);
    }
    c.flush().await.unwrap();

    // Stripe 1 is lost entirely (its only server, in memory).
    g.kill(1);
    let c1 = c.clone();
    let lost = tokio::spawn(async move {
        // Waits while the stripe's connection tries to come back, then fails naming it.
        // (A lock never taken here: the lease of `locks[1]` would be re-acquired locally.)
        c1.lock(LockId::Named(name_on("fresh", 1)), LockLevel::Write)
            .await
            .map(|_| ())
    });
    // Meanwhile stripe 0 keeps committing.
    let s0 = c.stripe_client(0).unwrap();
    for i in 2..=30 {
        let mut tx = c
            .lock(LockId::Named(locks[0].clone()), LockLevel::Write)
            .await
            .unwrap();
        tx.set_field(cells[0], "t.Cell", "v", Value::I64(i))
            .unwrap();
        tx.commit().await.unwrap();
        s0.flush().await.unwrap();
    }
    let e = tokio::time::timeout(Duration::from_secs(20), lost)
        .await
        .unwrap()
        .unwrap()
        .unwrap_err();
    let text = e.to_string();
    assert!(
        text.contains("stripe 1 of 2") && text.contains("a stripe without an active"),
        "{text}"
    );
    assert_eq!(c.state(), kiln::ConnectionState::Failed);
    assert_eq!(s0.state(), kiln::ConnectionState::Connected);
    // Stripe 0 still serves, after the failure too.
    let mut tx = c
        .lock(LockId::Named(locks[0].clone()), LockLevel::Write)
        .await
        .unwrap();
    tx.set_field(cells[0], "t.Cell", "v", Value::I64(31))
        .unwrap();
    tx.commit().await.unwrap();
    s0.flush().await.unwrap();
    assert_eq!(
        c.read(cells[0], |st| st
            .field("t.Cell", "v")
            .and_then(Value::as_i64))
            .await
            .unwrap(),
        Some(31)
    );
    // A new client cannot start without every stripe, and says which one is missing.
    let e = ClientBuilder::from_connect_string(&spec)
        .connect_deadline(Duration::from_secs(1))
        .connect()
        .await
        .unwrap_err();
    assert!(
        matches!(e, Error::ConnectFailed { .. }) && e.to_string().contains("stripe 1 of 2"),
        "{e}"
    );
    c.close().await.ok();
}

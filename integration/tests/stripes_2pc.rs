//! Mirror groups as stripes (#12), third step: transactions across stripes commit on every
//! stripe or on none (two-phase commit, docs/protocol.md §9.12), and a reader under the same
//! lock never sees part of one (the lock's fence). Real `kiln-server` binaries on free
//! loopback ports: two one-server stripes.
#![allow(clippy::unwrap_used)]

mod common_ha;

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use common_ha::{name_on, Group};
use kiln::{Client, ClientBuilder, Error, LockId, LockLevel, ObjectId, ObjectState, Value};

async fn two_stripes() -> (Group, String) {
    stripes_of_one(false, 1).await
}

/// Two one-server stripes (`persistent`: `permanent-store`; `window`: reconnect window, s),
/// both active; with their connect string.
async fn stripes_of_one(persistent: bool, window: u64) -> (Group, String) {
    let mut g = Group::new(2, persistent, 1, window);
    g.as_groups(&[&[0], &[1]]);
    g.start(0);
    g.start(1);
    g.wait_state(0, "ACTIVE-COORDINATOR", Duration::from_secs(30));
    g.wait_state(1, "ACTIVE-COORDINATOR", Duration::from_secs(30));
    let spec = format!(
        "127.0.0.1:{};127.0.0.1:{}",
        g.members[0].dso_port, g.members[1].dso_port
    );
    (g, spec)
}

async fn connect(spec: &str, name: &str) -> Client {
    ClientBuilder::from_connect_string(spec)
        .name(name)
        .connect()
        .await
        .unwrap()
}

const ACCT: &str = "t.Account";

fn balance(st: &ObjectState) -> i64 {
    st.field(ACCT, "balance")
        .and_then(Value::as_i64)
        .unwrap_or(i64::MIN)
}

/// `n` accounts on each stripe (created under a lock of that stripe), each holding `each`.
async fn open_accounts(c: &Client, n: usize, each: i64) -> Vec<ObjectId> {
    let mut out = Vec::new();
    for s in 0..2u8 {
        let mut tx = c
            .lock(LockId::Named(name_on("open", s)), LockLevel::Write)
            .await
            .unwrap();
        for _ in 0..n {
            let a = tx.create(ObjectState::physical(ACCT)).unwrap();
            assert_eq!(a.stripe(), s);
            tx.set_field(a, ACCT, "balance", Value::I64(each)).unwrap();
            out.push(a);
        }
        tx.commit().await.unwrap();
    }
    c.flush().await.unwrap();
    out
}

async fn read_balance(c: &Client, a: ObjectId) -> i64 {
    c.read(a, balance).await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_transfer_across_stripes_commits_on_both_or_on_neither() {
    let (g, spec) = two_stripes().await;
    let a = connect(&spec, "teller").await;
    let accts = open_accounts(&a, 1, 100).await;
    let (x, y) = (accts[0], accts[1]);
    assert_eq!((x.stripe(), y.stripe()), (0, 1));
    for o in [x, y] {
        a.object(o).await.unwrap();
    }
    // A reader on another client holds both accounts in its cache before the transfer.
    let b = connect(&spec, "auditor").await;
    for o in [x, y] {
        assert_eq!(read_balance(&b, o).await, 100);
    }
    // Under a lock of stripe 0 (the coordinator): stripe 0's account and stripe 1's.
    let bank = LockId::Named(name_on("bank", 0));
    let before = [g.digest(0), g.digest(1)];
    let mut tx = a.lock(bank.clone(), LockLevel::Write).await.unwrap();
    let (bx, by) = (tx.read(x, balance).unwrap(), tx.read(y, balance).unwrap());
    tx.set_field(x, ACCT, "balance", Value::I64(bx - 30))
        .unwrap();
    tx.set_field(y, ACCT, "balance", Value::I64(by + 30))
        .unwrap();
    // A new object of the lock's stripe, referenced from stripe 1's account.
    let note = tx.create(ObjectState::physical("t.Note")).unwrap();
    assert_eq!(note.stripe(), 0);
    tx.set_field(note, "t.Note", "amount", Value::I64(30))
        .unwrap();
    tx.set_field(y, ACCT, "last", Value::Ref(note)).unwrap();
    tx.commit().await.unwrap();
    // The other client, under the same lock, sees both changes (its cached copies got them).
    let tx = b.lock(bank.clone(), LockLevel::Read).await.unwrap();
    assert_eq!(
        (tx.read(x, balance).unwrap(), tx.read(y, balance).unwrap()),
        (70, 130)
    );
    tx.commit().await.unwrap();
    let after = [g.digest(0), g.digest(1)];
    assert_ne!(after[0], before[0], "stripe 0 committed its part");
    assert_ne!(after[1], before[1], "stripe 1 committed its part");
    assert_eq!(
        b.read(y, |st| st.field(ACCT, "last").cloned())
            .await
            .unwrap(),
        Some(Value::Ref(note))
    );
    let fresh = connect(&spec, "fresh").await;
    assert_eq!(
        (read_balance(&fresh, x).await, read_balance(&fresh, y).await),
        (70, 130)
    );
    assert_eq!(
        fresh
            .read(note, |st| st.field("t.Note", "amount").cloned())
            .await
            .unwrap(),
        Some(Value::I64(30))
    );

    // A part that cannot be prepared (stripe 1's account refers to an object stripe 1 does
    // not have): the commit fails naming the stripe, and nothing changes anywhere — not even
    // stripe 0's part, which was fine.
    let dangling = ObjectId::new(1, 9_999_999);
    for (bad_stripe, bad_acct, ok_acct) in [(1u8, y, x), (0u8, x, y)] {
        let before = [g.digest(0), g.digest(1)];
        let mut tx = a.lock(bank.clone(), LockLevel::Write).await.unwrap();
        tx.set_field(ok_acct, ACCT, "balance", Value::I64(0))
            .unwrap();
        tx.set_field(
            bad_acct,
            ACCT,
            "last",
            Value::Ref(ObjectId::new(bad_stripe, dangling.seq())),
        )
        .unwrap();
        let e = tx.commit().await.unwrap_err();
        let text = e.to_string();
        assert!(
            matches!(e, Error::TxnRejected { .. })
                && text.contains(&format!("stripe {bad_stripe} refused its part"))
                && text.contains("nothing of the transaction is committed"),
            "{text}"
        );
        assert_eq!(
            [g.digest(0), g.digest(1)],
            before,
            "nothing changed anywhere"
        );
        // The teller's own cache forgot the failed change.
        assert_eq!(
            (read_balance(&a, x).await, read_balance(&a, y).await),
            (70, 130)
        );
        // The lock was released: the other client takes it and sees the committed state.
        let tx = b.lock(bank.clone(), LockLevel::Write).await.unwrap();
        assert_eq!(
            (tx.read(x, balance).unwrap(), tx.read(y, balance).unwrap()),
            (70, 130)
        );
        tx.commit().await.unwrap();
    }
    // An object of a stripe this client does not know (stripe 5 of 2): the transaction is
    // void, nothing of it is sent, and its change of stripe 0's account is forgotten.
    let before = [g.digest(0), g.digest(1)];
    let mut tx = a.lock(bank.clone(), LockLevel::Write).await.unwrap();
    tx.set_field(x, ACCT, "balance", Value::I64(1)).unwrap();
    match tx.set_field(ObjectId::new(5, 1), ACCT, "balance", Value::I64(1)) {
        Err(Error::CrossStripe {
            object_stripe: 5, ..
        }) => {}
        other => panic!("expected CrossStripe, got {other:?}"),
    }
    let e = tx.commit().await.unwrap_err();
    assert!(e.to_string().contains("not connected to"), "{e}");
    a.flush().await.unwrap();
    assert_eq!([g.digest(0), g.digest(1)], before);
    assert_eq!(read_balance(&a, x).await, 70);
    for c in [a, b, fresh] {
        c.close().await.unwrap();
    }
}

/// A small deterministic generator (no extra dependency).
struct Lcg(u64);
impl Lcg {
    fn next(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((self.0 >> 33) % n as u64) as usize
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_bank_total_never_changes_for_readers_under_the_lock() {
    let (_g, spec) = two_stripes().await;
    const N: usize = 4; // per stripe
    const EACH: i64 = 1_000;
    const TRANSFERS: usize = 120; // per writer
    let setup = connect(&spec, "setup").await;
    let accts = Arc::new(open_accounts(&setup, N, EACH).await);
    let total = EACH * (2 * N) as i64;
    let bank = LockId::Named("bank".into());
    let done = Arc::new(AtomicBool::new(false));
    let committed = Arc::new(AtomicU64::new(0));

    let mut writers = Vec::new();
    for w in 0..2u64 {
        let c = connect(&spec, &format!("writer-{w}")).await;
        for &o in accts.iter() {
            c.object(o).await.unwrap();
        }
        let (accts, bank, committed) = (accts.clone(), bank.clone(), committed.clone());
        writers.push(tokio::spawn(async move {
            let mut rng = Lcg(w + 7);
            for _ in 0..TRANSFERS {
                // One account of each stripe: always a transaction across stripes.
                let from = accts[rng.next(N)];
                let to = accts[N + rng.next(N)];
                let (from, to) = if rng.next(2) == 0 {
                    (from, to)
                } else {
                    (to, from)
                };
                let amount = 1 + rng.next(50) as i64;
                let mut tx = c.lock(bank.clone(), LockLevel::Write).await?;
                let (bf, bt) = (tx.read(from, balance)?, tx.read(to, balance)?);
                tx.set_field(from, ACCT, "balance", Value::I64(bf - amount))?;
                tx.set_field(to, ACCT, "balance", Value::I64(bt + amount))?;
                tx.commit().await?;
                committed.fetch_add(1, Ordering::Relaxed);
            }
            c.close().await?;
            Ok::<(), Error>(())
        }));
    }
    let mut readers = Vec::new();
    for (r, level) in [(0, LockLevel::Write), (1, LockLevel::Read)] {
        let c = connect(&spec, &format!("reader-{r}")).await;
        for &o in accts.iter() {
            c.object(o).await.unwrap();
        }
        let (accts, bank, done) = (accts.clone(), bank.clone(), done.clone());
        readers.push(tokio::spawn(async move {
            let mut sums = 0u64;
            let deadline = Instant::now() + Duration::from_secs(40);
            while !done.load(Ordering::Acquire) && Instant::now() < deadline {
                let tx = c.lock(bank.clone(), level).await?;
                let mut sum = 0;
                for &o in accts.iter() {
                    sum += tx.read(o, balance)?;
                }
                tx.commit().await?;
                assert_eq!(sum, total, "reader {r} ({level:?}) saw part of a transfer");
                sums += 1;
                tokio::time::sleep(Duration::from_millis(2)).await;
            }
            c.close().await?;
            Ok::<u64, Error>(sums)
        }));
    }
    for w in writers {
        tokio::time::timeout(Duration::from_secs(45), w)
            .await
            .expect("writers finish")
            .unwrap()
            .unwrap();
    }
    done.store(true, Ordering::Release);
    for r in readers {
        let sums = r.await.unwrap().unwrap();
        assert!(sums >= 5, "a reader summed only {sums} times");
        eprintln!("reader summed {sums} times, always {total}");
    }
    assert_eq!(committed.load(Ordering::Relaxed), 2 * TRANSFERS as u64);
    // A fresh client reads the final state: the same total.
    let check = connect(&spec, "check").await;
    let mut sum = 0;
    for &o in accts.iter() {
        sum += read_balance(&check, o).await;
    }
    assert_eq!(sum, total);
    check.close().await.unwrap();
    setup.close().await.unwrap();
}

// ------------------------------------------------------------------ failover (seed 001)

const STRIPES: [[usize; 2]; 2] = [[0, 1], [2, 3]];

/// Seed 001's four servers, two mirror groups of two (persistent, reconnect window 10 s);
/// `env` for stripe 0's servers. Returns the group once both stripes have an active and a
/// standby, and the actives.
fn four_servers(env: &[(&str, &str)]) -> (Group, [usize; 2]) {
    let mut g = Group::new(4, true, 1, 10);
    g.as_groups(&[&STRIPES[0], &STRIPES[1]]);
    for i in 0..4 {
        g.start_env(i, &[], if i < 2 { env } else { &[] });
    }
    let active = [
        g.active_of(&STRIPES[0], Duration::from_secs(30)),
        g.active_of(&STRIPES[1], Duration::from_secs(30)),
    ];
    for s in 0..2 {
        let passive = STRIPES[s].into_iter().find(|&m| m != active[s]).unwrap();
        g.wait_state(passive, "PASSIVE-STANDBY", Duration::from_secs(30));
    }
    (g, active)
}

/// A writer task: its ledger of acknowledged changes per account.
type Writer = tokio::task::JoinHandle<Result<Vec<(ObjectId, i64)>, Error>>;

/// Writers doing cross-stripe transfers under `bank` (a lock of stripe 0, the coordinator),
/// each keeping a ledger of the transfers acknowledged to it, and a reader summing under the
/// same lock (read level).
struct Bank {
    accts: Arc<Vec<ObjectId>>,
    total: i64,
    each: i64,
    acked: Arc<AtomicU64>,
    stop: Arc<AtomicBool>,
    writers: Vec<Writer>,
    reader: tokio::task::JoinHandle<Result<u64, Error>>,
}

impl Bank {
    async fn start(g: &Group) -> Bank {
        const N: usize = 3;
        const EACH: i64 = 1_000;
        let client = |name: &str| {
            ClientBuilder::from_config_file(&g.config)
                .unwrap()
                .name(name)
                .connect_deadline(Duration::from_secs(20))
        };
        let setup = client("setup").connect().await.unwrap();
        let accts = Arc::new(open_accounts(&setup, N, EACH).await);
        setup.close().await.unwrap();
        let total = EACH * (2 * N) as i64;
        let bank = LockId::Named(name_on("bank", 0));
        let acked = Arc::new(AtomicU64::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let mut writers = Vec::new();
        for w in 0..2u64 {
            let c = client(&format!("writer-{w}")).connect().await.unwrap();
            for &o in accts.iter() {
                c.object(o).await.unwrap();
            }
            let (accts, bank, acked, stop) =
                (accts.clone(), bank.clone(), acked.clone(), stop.clone());
            writers.push(tokio::spawn(async move {
                let mut rng = Lcg(w + 11);
                let mut ledger: Vec<(ObjectId, i64)> = accts.iter().map(|&o| (o, 0)).collect();
                while !stop.load(Ordering::Acquire) {
                    let (i, j) = (rng.next(N), N + rng.next(N));
                    let amount = 1 + rng.next(20) as i64;
                    let mut tx = c.lock(bank.clone(), LockLevel::Write).await?;
                    let (bi, bj) = (tx.read(accts[i], balance)?, tx.read(accts[j], balance)?);
                    tx.set_field(accts[i], ACCT, "balance", Value::I64(bi - amount))?;
                    tx.set_field(accts[j], ACCT, "balance", Value::I64(bj + amount))?;
                    tx.commit().await?;
                    ledger[i].1 -= amount;
                    ledger[j].1 += amount;
                    acked.fetch_add(1, Ordering::AcqRel);
                }
                c.close().await?;
                Ok::<_, Error>(ledger)
            }));
        }
        let c = client("reader").connect().await.unwrap();
        for &o in accts.iter() {
            c.object(o).await.unwrap();
        }
        let (accts2, stop2) = (accts.clone(), stop.clone());
        let reader = tokio::spawn(async move {
            let mut sums = 0u64;
            while !stop2.load(Ordering::Acquire) {
                let tx = c.lock(bank.clone(), LockLevel::Read).await?;
                let mut sum = 0;
                for &o in accts2.iter() {
                    sum += tx.read(o, balance)?;
                }
                tx.commit().await?;
                assert_eq!(sum, total, "the reader saw part of a transfer");
                sums += 1;
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
            c.close().await?;
            Ok::<_, Error>(sums)
        });
        Bank {
            accts,
            total,
            each: EACH,
            acked,
            stop,
            writers,
            reader,
        }
    }

    /// Waits until `more` transfers beyond the current count were acknowledged.
    async fn progress(&self, more: u64, within: Duration, what: &str, g: &Group) {
        let target = self.acked.load(Ordering::Acquire) + more;
        let deadline = Instant::now() + within;
        while self.acked.load(Ordering::Acquire) < target {
            assert!(
                Instant::now() < deadline,
                "no progress {what}: {} acknowledged\n{}\n{}",
                self.acked.load(Ordering::Acquire),
                g.log(0),
                g.log(2)
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Stops the load; checks every acknowledged transfer is there and the total holds.
    async fn finish(self, g: &Group) {
        self.stop.store(true, Ordering::Release);
        let mut expected: Vec<i64> = vec![self.each; self.accts.len()];
        for w in self.writers {
            let ledger = tokio::time::timeout(Duration::from_secs(30), w)
                .await
                .expect("the writers stop")
                .unwrap()
                .unwrap();
            for (k, (_, d)) in ledger.into_iter().enumerate() {
                expected[k] += d;
            }
        }
        let sums = self.reader.await.unwrap().unwrap();
        assert!(sums >= 3, "the reader summed only {sums} times");
        let check = ClientBuilder::from_config_file(&g.config)
            .unwrap()
            .name("check")
            .connect_deadline(Duration::from_secs(20))
            .connect()
            .await
            .unwrap();
        let mut got = Vec::new();
        for &o in self.accts.iter() {
            got.push(read_balance(&check, o).await);
        }
        assert_eq!(
            got, expected,
            "acknowledged transfers lost (or extra ones applied)"
        );
        assert_eq!(got.iter().sum::<i64>(), self.total);
        // Nothing stays pinned: one transaction over every account, from a new client,
        // commits at once (a pinned object would hold its prepare for 10 s).
        for &o in self.accts.iter() {
            check.object(o).await.unwrap();
        }
        let t = Instant::now();
        let mut tx = check
            .lock(LockId::Named(name_on("audit", 1)), LockLevel::Write)
            .await
            .unwrap();
        for &o in self.accts.iter() {
            tx.set_field(o, ACCT, "audited", Value::Bool(true)).unwrap();
        }
        tx.commit().await.unwrap();
        assert!(
            t.elapsed() < Duration::from_secs(5),
            "a prepared part stayed pinned: {:?}",
            t.elapsed()
        );
        eprintln!(
            "{} transfers acknowledged, the reader summed {sums} times",
            self.acked.load(Ordering::Acquire)
        );
        check.close().await.unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_bank_survives_kill_9_of_either_stripes_active() {
    let (mut g, active) = four_servers(&[]);
    let bank = Bank::start(&g).await;
    bank.progress(20, Duration::from_secs(20), "before the kills", &g)
        .await;
    // kill -9 of stripe 0's active (the coordinator of every transfer), then of stripe 1's.
    for s in 0..2 {
        g.kill(active[s]);
        let survivor = STRIPES[s].into_iter().find(|&m| m != active[s]).unwrap();
        bank.progress(
            20,
            Duration::from_secs(40),
            &format!("after stripe {s}'s active was killed"),
            &g,
        )
        .await;
        assert_eq!(
            g.state(survivor).as_deref(),
            Some("ACTIVE-COORDINATOR"),
            "stripe {s}"
        );
    }
    bank.finish(&g).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_bank_survives_the_coordinator_dying_between_decision_and_completion() {
    let trigger = kiln_integration::TempDir::new("twopc-hook");
    let file = trigger.path().join("exit-now");
    let file_s = file.to_string_lossy().into_owned();
    let (g, active) = four_servers(&[("KILN_TEST_EXIT_AFTER_DECIDED", file_s.as_str())]);
    let bank = Bank::start(&g).await;
    bank.progress(20, Duration::from_secs(20), "before the crash", &g)
        .await;
    // Stripe 0's active (the coordinator) exits right after it replicated its next commit
    // decision: neither the client nor the participant heard of it.
    std::fs::write(&file, b"").unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    while file.exists() {
        assert!(Instant::now() < deadline, "the hook never fired");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let survivor = STRIPES[0].into_iter().find(|&m| m != active[0]).unwrap();
    bank.progress(
        20,
        Duration::from_secs(40),
        "after the coordinator died",
        &g,
    )
    .await;
    assert_eq!(g.state(survivor).as_deref(), Some("ACTIVE-COORDINATOR"));
    assert!(
        g.log(active[0])
            .contains("KILN_TEST_EXIT_AFTER_DECIDED: exiting"),
        "{}",
        g.log(active[0])
    );
    bank.finish(&g).await;
}

// ------------------------------------------------------------------ a client dying mid-commit

fn set_balance(oid: ObjectId, v: i64) -> kiln_protocol::Txn {
    kiln_protocol::Txn {
        deltas: vec![kiln_protocol::Delta {
            oid,
            ops: vec![kiln_protocol::DeltaOp::SetField {
                class: ACCT.into(),
                name: "balance".into(),
                value: Value::I64(v),
            }],
        }],
        ..kiln_protocol::Txn::default()
    }
}

/// A raw client `name` on both stripes prepares its transaction `seq` — stripe `k` setting
/// `parts[k]` (an account and its new balance) — and, with `decide`, commits it at the
/// coordinator (stripe 0); returns its two connections and the xid.
fn raw_prepare(
    ports: [u16; 2],
    name: &str,
    seq: u64,
    parts: [(ObjectId, i64); 2],
    decide: bool,
) -> ([kiln_integration::RawConn; 2], kiln_protocol::Xid) {
    use kiln_integration::RawConn;
    let mut raw = [
        RawConn::hello(ports[0], name),
        RawConn::hello(ports[1], name),
    ];
    // The client's id on its coordinator stripe: the coordinator answers a participant's
    // `Outcome` by it (a transaction of a client it does not know is aborted).
    let xid = kiln_protocol::Xid {
        stripe: 0,
        client: raw[0].client_id,
        seq,
    };
    for (k, (oid, v)) in parts.into_iter().enumerate() {
        raw[k].send(&M::Prepare {
            req_id: 1,
            xid,
            part: set_balance(oid, v),
        });
        assert!(
            matches!(answer(&mut raw[k], "prepared"), M::Prepared { .. }),
            "stripe {k}"
        );
    }
    if decide {
        raw_commit(&mut raw[0], xid);
    }
    (raw, xid)
}

/// `Commit` of `xid` (stripe 1 its participant, under `bank`) on the coordinator's connection,
/// and its answer (the coordinator decides once stripe 1 voted).
fn raw_commit(raw: &mut kiln_integration::RawConn, xid: kiln_protocol::Xid) {
    send_commit(raw, xid);
    let a = answer(raw, "decided");
    assert!(matches!(a, M::Decided { commit: true, .. }), "{a:?}");
}

use kiln_protocol::Message as M;

fn send_commit(raw: &mut kiln_integration::RawConn, xid: kiln_protocol::Xid) {
    raw.send(&M::Commit {
        req_id: 2,
        xid,
        lock: LockId::Named(name_on("bank", 0)),
        participants: vec![1],
        fence: true,
    });
}

fn answer(raw: &mut kiln_integration::RawConn, what: &str) -> kiln_protocol::Message {
    raw.expect(what, |m| {
        matches!(
            m,
            M::Prepared { .. } | M::PrepareFailed { .. } | M::Decided { .. } | M::Error { .. }
        )
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_participant_learns_the_outcome_from_the_coordinator_when_the_client_dies() {
    let (g, spec) = two_stripes().await;
    let setup = connect(&spec, "setup").await;
    let accts = open_accounts(&setup, 1, 100).await;
    let (x, y) = (accts[0], accts[1]);
    setup.close().await.unwrap();
    let ports = [g.members[0].dso_port, g.members[1].dso_port];
    let read_both = |c: Client| async move {
        let v = (read_balance(&c, x).await, read_balance(&c, y).await);
        c.close().await.unwrap();
        v
    };
    // The raw client's transaction: prepared on both stripes, committed at the coordinator
    // (`Commit`), and the client dies at once: it never tells the participant anything.
    let (raw, _) = raw_prepare(ports, "dying", 1, [(x, 50), (y, 150)], true);
    drop(raw);
    // The participant asked the coordinator stripe (Outcome) right after preparing and
    // commits its part.
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let got = read_both(connect(&spec, "check").await).await;
        if got == (50, 150) {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the participant never learnt the commit: {got:?}\n{}",
            g.log(1)
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }

    // Prepared on both, never decided, the client dies: both stripes drop their parts (the
    // coordinator at once, the participant once the coordinator says so), nothing changes
    // and nothing stays pinned.
    let (raw, _) = raw_prepare(ports, "dying-2", 1, [(x, 0), (y, 200)], false);
    let before = [g.digest(0), g.digest(1)];
    drop(raw);
    let deadline = Instant::now() + Duration::from_secs(10);
    while !g.log(1).contains("the coordinator stripe aborted it") {
        assert!(Instant::now() < deadline, "{}", g.log(1));
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!([g.digest(0), g.digest(1)], before);
    let c = connect(&spec, "after").await;
    for o in [x, y] {
        c.object(o).await.unwrap();
    }
    let t = Instant::now();
    let mut tx = c
        .lock(LockId::Named(name_on("bank", 0)), LockLevel::Write)
        .await
        .unwrap();
    tx.set_field(x, ACCT, "balance", Value::I64(49)).unwrap();
    tx.set_field(y, ACCT, "balance", Value::I64(151)).unwrap();
    tx.commit().await.unwrap();
    assert!(t.elapsed() < Duration::from_secs(5), "still pinned");
    assert_eq!(read_both(c).await, (49, 151));
}

/// A participant stripe restarted as a whole (kill -9 of its only server, persistent store)
/// after its `Prepared` and before the coordinator's decision: its prepared part comes back
/// from its store (still pinned), it asks the coordinator stripe for the outcome and commits
/// its part — both halves of the transfer are there. Without the store's `twopc` records the restarted stripe had forgotten its part and
/// only the coordinator's half was committed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_participant_restarted_whole_keeps_its_prepared_part() {
    let (mut g, spec) = stripes_of_one(true, 2).await;
    let setup = connect(&spec, "setup").await;
    let accts = open_accounts(&setup, 1, 100).await;
    let (x, y) = (accts[0], accts[1]);
    setup.close().await.unwrap();
    let ports = [g.members[0].dso_port, g.members[1].dso_port];
    let (mut raw, xid) = raw_prepare(ports, "restarted", 1, [(x, 30), (y, 170)], false);
    // The participant stripe goes down as a whole before the decision (its vote — its first
    // `Outcome` question — may or may not have reached the coordinator); then the client
    // commits at the coordinator, which decides once it has stripe 1's vote, from before the
    // kill or from the restarted server.
    g.kill(1);
    send_commit(&mut raw[0], xid);
    g.start(1);
    g.wait_state(1, "ACTIVE-COORDINATOR", Duration::from_secs(30));
    assert!(
        g.log(1)
            .contains("restored the records of transactions across stripes"),
        "{}",
        g.log(1)
    );
    let a = answer(&mut raw[0], "decided");
    assert!(matches!(a, M::Decided { commit: true, .. }), "{a:?}");
    drop(raw);
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let c = connect(&spec, "check").await;
        let got = (read_balance(&c, x).await, read_balance(&c, y).await);
        c.close().await.unwrap();
        if got == (30, 170) {
            break;
        }
        assert_ne!(got, (30, 100), "half of the transfer\n{}", g.log(1));
        assert!(
            Instant::now() < deadline,
            "the restarted participant never committed its part: {got:?}\n{}",
            g.log(1)
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// The coordinator's own part cannot be prepared while the participant's can (and votes at
/// once): the held `Commit` is answered aborted — never committed on the participant's vote
/// alone, and the client's session stays open — and the participant drops its part.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_commit_whose_coordinator_part_failed_is_aborted_despite_the_votes() {
    use kiln_integration::RawConn;
    let (g, spec) = two_stripes().await;
    let setup = connect(&spec, "setup").await;
    let accts = open_accounts(&setup, 1, 100).await;
    let (x, y) = (accts[0], accts[1]);
    setup.close().await.unwrap();
    let ports = [g.members[0].dso_port, g.members[1].dso_port];
    let before = [g.digest(0), g.digest(1)];
    let mut raw = [
        RawConn::hello(ports[0], "half-bad"),
        RawConn::hello(ports[1], "half-bad"),
    ];
    let xid = kiln_protocol::Xid {
        stripe: 0,
        client: raw[0].client_id,
        seq: 1,
    };
    // Stripe 0's part refers to an object stripe 0 does not have: refused; the client's
    // `Commit` follows it, as a real client's does.
    let mut bad = set_balance(x, 50);
    bad.deltas[0].ops.push(kiln_protocol::DeltaOp::SetField {
        class: ACCT.into(),
        name: "last".into(),
        value: Value::Ref(ObjectId::new(0, 9_999_999)),
    });
    raw[0].send(&M::Prepare {
        req_id: 1,
        xid,
        part: bad,
    });
    send_commit(&mut raw[0], xid);
    // Stripe 1's part is fine: prepared, and its vote reaches the coordinator (before or
    // after the held `Commit` was looked at).
    raw[1].send(&M::Prepare {
        req_id: 1,
        xid,
        part: set_balance(y, 150),
    });
    assert!(matches!(
        answer(&mut raw[1], "prepared"),
        M::Prepared { .. }
    ));
    assert!(matches!(
        answer(&mut raw[0], "prepare failed"),
        M::PrepareFailed { .. }
    ));
    let a = answer(&mut raw[0], "decided");
    assert!(matches!(a, M::Decided { commit: false, .. }), "{a:?}");
    assert!(
        raw[0].ping_ok(),
        "the coordinator closed the client's session"
    );
    // The participant learns the abort from the coordinator and drops its part.
    let deadline = Instant::now() + Duration::from_secs(10);
    while !g.log(1).contains("the coordinator stripe aborted it") {
        assert!(Instant::now() < deadline, "{}", g.log(1));
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(
        [g.digest(0), g.digest(1)],
        before,
        "nothing changed anywhere"
    );
    let c = connect(&spec, "after").await;
    assert_eq!(
        (read_balance(&c, x).await, read_balance(&c, y).await),
        (100, 100)
    );
    c.close().await.unwrap();
    drop(raw);
}

/// A participant follows its coordinator stripe, never the client: once the coordinator
/// committed on the participant's vote, a late `Decide{abort}` from the client (as one whose
/// answer from the participant was lost would send) is answered `committed`, and both halves
/// are there.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_participant_answers_a_late_abort_with_the_coordinators_commit() {
    let (g, spec) = two_stripes().await;
    let setup = connect(&spec, "setup").await;
    let accts = open_accounts(&setup, 1, 100).await;
    let (x, y) = (accts[0], accts[1]);
    setup.close().await.unwrap();
    let ports = [g.members[0].dso_port, g.members[1].dso_port];
    let (mut raw, xid) = raw_prepare(ports, "late-abort", 1, [(x, 60), (y, 140)], true);
    raw[1].send(&M::Decide {
        req_id: 3,
        xid,
        commit: false,
    });
    let a = answer(&mut raw[1], "decided");
    assert!(matches!(a, M::Decided { commit: true, .. }), "{a:?}");
    drop(raw);
    let c = connect(&spec, "check").await;
    assert_eq!(
        (read_balance(&c, x).await, read_balance(&c, y).await),
        (60, 140)
    );
    c.close().await.unwrap();
}

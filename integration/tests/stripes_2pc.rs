//! Mirror groups as stripes (#12), third step: transactions across stripes commit on every
//! stripe or on none (two-phase commit, docs/protocol.md §9.12), and a reader under the same
//! lock never sees part of one (the lock's fence). Real `kiln-server` binaries on free
//! loopback ports: two one-server stripes.
#![allow(clippy::unwrap_used)]

mod common_ha;

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use common_ha::Group;
use kiln::{Client, ClientBuilder, Error, LockId, LockLevel, ObjectId, ObjectState, Value};
use kiln_protocol::stripe::name_stripe;

/// Rewrites the group's config into one `<mirror-group>` per member (stripe `i` = member `i`).
fn one_server_stripes(g: &Group) {
    let xml = std::fs::read_to_string(&g.config).unwrap();
    let mut blocks = Vec::new();
    let mut rest = xml.as_str();
    while let Some(a) = rest.find("    <server ") {
        let b = rest[a..].find("</server>").unwrap() + a + "</server>".len();
        blocks.push(rest[a..b].to_owned());
        rest = &rest[b..];
    }
    let first = xml.find("    <server ").unwrap();
    let last = xml.rfind("</server>").unwrap() + "</server>".len();
    let body: String = blocks
        .iter()
        .enumerate()
        .map(|(i, b)| {
            format!("  <mirror-group group-name=\"stripe-{i}\" election-time=\"1\">\n{b}\n  </mirror-group>\n")
        })
        .collect();
    std::fs::write(
        &g.config,
        format!("{}{}{}", &xml[..first], body, &xml[last..]),
    )
    .unwrap();
}

/// A name with `prefix` whose FNV-1a-64 hash lands on `stripe` of 2.
fn name_on(prefix: &str, stripe: u8) -> String {
    (0..1000)
        .map(|i| format!("{prefix}-{i}"))
        .find(|n| name_stripe(n, 2) == stripe)
        .unwrap()
}

async fn two_stripes() -> (Group, String) {
    let mut g = Group::new(2, false, 1, 1);
    one_server_stripes(&g);
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
    let after = [g.digest(0), g.digest(1)];
    assert_ne!(after[0], before[0], "stripe 0 committed its part");
    assert_ne!(after[1], before[1], "stripe 1 committed its part");
    // The other client, under the same lock, sees both changes (its cached copies got them).
    let tx = b.lock(bank.clone(), LockLevel::Read).await.unwrap();
    assert_eq!(
        (tx.read(x, balance).unwrap(), tx.read(y, balance).unwrap()),
        (70, 130)
    );
    tx.commit().await.unwrap();
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

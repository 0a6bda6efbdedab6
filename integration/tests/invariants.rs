//! A bank under concurrent transfers: 3 clients × 2 tasks move money between 8 accounts, each
//! account guarded by its own lock (two locks nested in a fixed order per transfer), while
//! auditors take every account's Read lock at once and check the total. Exercises greedy
//! leases, recall with nested locks, read/write exclusion, happens-before across clients and
//! faulting — any lost update, torn read or stale cache breaks the invariant.
#![allow(clippy::unwrap_used)]

use std::time::Duration;

use kiln::{Client, ClientBuilder, LockId, LockLevel, Object, ObjectId, Value};
use kiln_integration::ServerProcess;

const ACCOUNTS: usize = 8;
const START: i64 = 1_000;
const CLASS: &str = "bank.Account";

fn lock_of(i: usize) -> LockId {
    LockId::Named(format!("account-{i}"))
}

async fn connect(s: &ServerProcess, name: &str) -> Client {
    ClientBuilder::new([s.addr()])
        .name(name)
        .connect()
        .await
        .unwrap()
}

async fn balance(c: &Client, a: Object) -> i64 {
    a.get(c, CLASS, "balance")
        .await
        .unwrap()
        .and_then(|v| v.as_i64())
        .unwrap()
}

/// Sums all balances holding every account's Read lock at once (in index order).
async fn audit(c: &Client, accounts: &[Object]) -> i64 {
    let mut held = Vec::new();
    for i in 0..ACCOUNTS {
        held.push(c.lock(lock_of(i), LockLevel::Read).await.unwrap());
    }
    let mut total = 0;
    for a in accounts {
        total += balance(c, *a).await;
    }
    for tx in held.into_iter().rev() {
        tx.commit().await.unwrap();
    }
    total
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn transfers_conserve_the_total_and_audits_never_see_a_torn_state() {
    let s = ServerProcess::start();
    let setup = connect(&s, "setup").await;
    let mut ids = Vec::new();
    {
        let mut tx = setup
            .lock(LockId::Named("bank-setup".into()), LockLevel::Write)
            .await
            .unwrap();
        for _ in 0..ACCOUNTS {
            let a = Object::create(&mut tx, CLASS).unwrap();
            a.set(&mut tx, CLASS, "balance", Value::I64(START)).unwrap();
            ids.push(a.id().0 as i64);
        }
        tx.commit().await.unwrap();
    }
    let list = setup.list("bank").await.unwrap();
    {
        let mut tx = setup
            .lock(LockId::Named("bank-setup".into()), LockLevel::Write)
            .await
            .unwrap();
        for id in &ids {
            list.add(&mut tx, Value::Ref(ObjectId(*id as u64))).unwrap();
        }
        tx.commit().await.unwrap();
    }
    setup.flush().await.unwrap();

    let mut tasks = Vec::new();
    for ci in 0..3u64 {
        let c = connect(&s, &format!("teller-{ci}")).await;
        let list = c.list("bank").await.unwrap();
        let accounts: Vec<Object> = list
            .to_vec(&c)
            .await
            .unwrap()
            .into_iter()
            .map(|v| Object::from_id(v.as_ref_id().unwrap()))
            .collect();
        assert_eq!(accounts.len(), ACCOUNTS);
        for ti in 0..2u64 {
            let c = c.clone();
            let accounts = accounts.clone();
            tasks.push(tokio::spawn(async move {
                let mut seed = 0x9E37_79B9_7F4A_7C15u64 ^ (ci * 31 + ti);
                let mut next = move || {
                    seed ^= seed << 13;
                    seed ^= seed >> 7;
                    seed ^= seed << 17;
                    seed
                };
                let mut audits = 0;
                for round in 0..150 {
                    if round % 25 == 0 {
                        assert_eq!(
                            audit(&c, &accounts).await,
                            START * ACCOUNTS as i64,
                            "torn audit"
                        );
                        audits += 1;
                        continue;
                    }
                    let from = (next() % ACCOUNTS as u64) as usize;
                    let to = (next() % ACCOUNTS as u64) as usize;
                    if from == to {
                        continue;
                    }
                    let (lo, hi) = (from.min(to), from.max(to));
                    let outer = c.lock(lock_of(lo), LockLevel::Write).await.unwrap();
                    let mut inner = c.lock(lock_of(hi), LockLevel::Write).await.unwrap();
                    let have = balance(&c, accounts[from]).await;
                    let amount = (next() % 50) as i64;
                    if have >= amount {
                        let dest = balance(&c, accounts[to]).await;
                        accounts[from]
                            .set(&mut inner, CLASS, "balance", Value::I64(have - amount))
                            .unwrap();
                        accounts[to]
                            .set(&mut inner, CLASS, "balance", Value::I64(dest + amount))
                            .unwrap();
                    }
                    inner.commit().await.unwrap();
                    outer.commit().await.unwrap();
                }
                audits
            }));
        }
    }
    let mut audits = 0;
    for t in tasks {
        audits += tokio::time::timeout(Duration::from_secs(60), t)
            .await
            .expect("tellers finished")
            .unwrap();
    }
    assert!(audits >= 6 * 6);
    // A fresh client, never involved, faults everything from the server: same invariant, and
    // no negative balance.
    let fresh = connect(&s, "auditor").await;
    let list = fresh.list("bank").await.unwrap();
    let accounts: Vec<Object> = list
        .to_vec(&fresh)
        .await
        .unwrap()
        .into_iter()
        .map(|v| Object::from_id(v.as_ref_id().unwrap()))
        .collect();
    assert_eq!(audit(&fresh, &accounts).await, START * ACCOUNTS as i64);
    for a in &accounts {
        assert!(balance(&fresh, *a).await >= 0);
    }
    let st = s.status();
    assert!(st["txns_committed"].as_u64().unwrap() > 100, "{st}");
}

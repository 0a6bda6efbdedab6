//! The lock manager as pure logic: exclusion, FIFO fairness, recall once per holder, try-lock
//! and timeouts, wait/notify/interrupt, disconnect cleanup, fencing tokens, upgrade.
#![allow(clippy::unwrap_used)]

use std::time::{Duration, Instant};

use kiln_protocol::{LockId, LockLevel, WakeReason};
use kiln_server::locks::{ClientId, LockEffect, LockManager};

fn l(n: &str) -> LockId {
    LockId::Named(n.into())
}

fn award_of(e: &[LockEffect], client: ClientId) -> bool {
    e.iter()
        .any(|x| matches!(x, LockEffect::Award { client: c, .. } if *c == client))
}

#[test]
fn write_is_exclusive_and_recalls_holder() {
    let now = Instant::now();
    let mut m = LockManager::new();
    assert!(award_of(
        &m.request(1, 1, l("a"), LockLevel::Write, -1, now).unwrap(),
        1
    ));
    let e = m.request(2, 1, l("a"), LockLevel::Write, -1, now).unwrap();
    assert_eq!(
        e,
        vec![LockEffect::Recall {
            client: 1,
            lock: l("a"),
            level: LockLevel::Write
        }]
    );
    // No second recall while one is outstanding.
    let e = m.request(3, 1, l("a"), LockLevel::Write, -1, now).unwrap();
    assert!(e.is_empty());
    let e = m.release(1, &l("a")).unwrap();
    assert!(award_of(&e, 2));
    // Client 3 is queued behind 2, so 2 is recalled at once.
    assert!(e
        .iter()
        .any(|x| matches!(x, LockEffect::Recall { client: 2, .. })));
}

#[test]
fn readers_share_and_writer_waits_fifo() {
    let now = Instant::now();
    let mut m = LockManager::new();
    assert!(award_of(
        &m.request(1, 1, l("a"), LockLevel::Read, -1, now).unwrap(),
        1
    ));
    assert!(award_of(
        &m.request(2, 1, l("a"), LockLevel::Read, -1, now).unwrap(),
        2
    ));
    let e = m.request(3, 1, l("a"), LockLevel::Write, -1, now).unwrap();
    assert_eq!(e.len(), 2, "both readers recalled: {e:?}");
    // A new reader does not barge past the queued writer.
    let e = m.request(4, 1, l("a"), LockLevel::Read, -1, now).unwrap();
    assert!(!award_of(&e, 4));
    assert!(m.release(1, &l("a")).unwrap().is_empty());
    let e = m.release(2, &l("a")).unwrap();
    assert!(award_of(&e, 3));
    let e = m.release(3, &l("a")).unwrap();
    assert!(award_of(&e, 4));
}

#[test]
fn try_lock_and_timeout() {
    let now = Instant::now();
    let mut m = LockManager::new();
    m.request(1, 1, l("a"), LockLevel::Write, -1, now).unwrap();
    let e = m.request(2, 7, l("a"), LockLevel::Write, 0, now).unwrap();
    assert!(e.contains(&LockEffect::Timeout {
        client: 2,
        req_id: 7,
        lock: l("a")
    }));
    let e = m.request(2, 8, l("a"), LockLevel::Write, 50, now).unwrap();
    assert!(e.iter().any(|x| matches!(x, LockEffect::Recall { .. })));
    assert!(m.tick(now + Duration::from_millis(10)).is_empty());
    let e = m.tick(now + Duration::from_millis(60));
    assert_eq!(
        e,
        vec![LockEffect::Timeout {
            client: 2,
            req_id: 8,
            lock: l("a")
        }]
    );
    assert!(!m.has_deadlines());
}

#[test]
fn wait_notify_and_interrupt() {
    let now = Instant::now();
    let mut m = LockManager::new();
    m.request(1, 1, l("a"), LockLevel::Write, -1, now).unwrap();
    m.wait(1, 10, l("a"), 0, now).unwrap();
    m.wait(1, 11, l("a"), 0, now).unwrap();
    let e = m.notify(&l("a"), false);
    assert_eq!(
        e,
        vec![LockEffect::WaitDone {
            client: 1,
            waiter_id: 10,
            reason: WakeReason::Notified
        }]
    );
    let e = m.interrupt(1, 11);
    assert_eq!(
        e,
        vec![LockEffect::WaitDone {
            client: 1,
            waiter_id: 11,
            reason: WakeReason::Interrupted
        }]
    );
    assert!(m.interrupt(1, 11).is_empty());
    assert!(
        m.wait(2, 1, l("a"), 0, now).is_err(),
        "waiting without holding is a violation"
    );
}

#[test]
fn release_not_held_is_violation() {
    let mut m = LockManager::new();
    assert!(m.release(1, &l("x")).is_err());
}

#[test]
fn disconnect_frees_locks_and_waiters() {
    let now = Instant::now();
    let mut m = LockManager::new();
    m.request(1, 1, l("a"), LockLevel::Write, -1, now).unwrap();
    m.wait(1, 5, l("a"), 1000, now).unwrap();
    m.request(2, 1, l("a"), LockLevel::Write, -1, now).unwrap();
    let e = m.client_gone(1);
    assert!(award_of(&e, 2));
    assert_eq!(m.waiter_count(), 0);
    assert!(!m.has_deadlines());
}

#[test]
fn tokens_increase() {
    let now = Instant::now();
    let mut m = LockManager::new();
    let mut last = 0;
    for i in 0..10 {
        let e = m
            .request(i % 2 + 1, i, l("a"), LockLevel::Write, -1, now)
            .unwrap();
        for x in e {
            if let LockEffect::Award { token, client, .. } = x {
                assert!(token > last);
                last = token;
                m.release(client, &l("a")).unwrap();
            }
        }
    }
    assert!(last >= 1);
}

#[test]
fn upgrade_read_to_write() {
    let now = Instant::now();
    let mut m = LockManager::new();
    m.request(1, 1, l("a"), LockLevel::Read, -1, now).unwrap();
    let e = m.request(1, 2, l("a"), LockLevel::Write, -1, now).unwrap();
    assert!(award_of(&e, 1));
    assert_eq!(m.held_level(1, &l("a")), Some(LockLevel::Write));
}

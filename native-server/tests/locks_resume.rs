//! `LockManager::resume_client` (`l2.l1reconnect`): a client whose session the server kept
//! re-asserts its locks and waiters; lost messages either way are reconciled.
#![allow(clippy::unwrap_used)]

use std::time::Instant;

use kiln_protocol::{LockId, LockLevel, WakeReason};
use kiln_server::locks::{LockEffect, LockManager};

fn l(n: &str) -> LockId {
    LockId::Named(n.into())
}

#[test]
fn a_lost_recall_is_sent_again_and_others_keep_waiting() {
    let now = Instant::now();
    let mut m = LockManager::new();
    m.request(1, 1, l("a"), LockLevel::Write, -1, now).unwrap();
    // Client 2 asks while 1 is away: the recall to 1 is lost.
    let e = m.request(2, 1, l("a"), LockLevel::Write, -1, now).unwrap();
    assert!(matches!(&e[..], [LockEffect::Recall { client: 1, .. }]));
    let r = m
        .resume_client(1, vec![(l("a"), LockLevel::Write)], vec![], 0, now)
        .unwrap();
    assert!(r.deferred.is_empty() && r.woken.is_empty());
    assert_eq!(
        r.effects,
        vec![LockEffect::Recall {
            client: 1,
            lock: l("a"),
            level: LockLevel::Write
        }],
        "the recall goes out again; 2 is not awarded"
    );
    assert_eq!(m.held_level(1, &l("a")), Some(LockLevel::Write));
    let e = m.release(1, &l("a")).unwrap();
    assert!(matches!(&e[..], [LockEffect::Award { client: 2, .. }]));
}

#[test]
fn an_unclaimed_hold_is_released_only_when_the_caller_says() {
    let now = Instant::now();
    let mut m = LockManager::new();
    m.request(1, 1, l("a"), LockLevel::Write, -1, now).unwrap();
    m.request(2, 1, l("a"), LockLevel::Write, -1, now).unwrap();
    // 1 sent RecallCommit, lost with the connection: it claims nothing.
    let r = m.resume_client(1, vec![], vec![], 0, now).unwrap();
    assert_eq!(r.deferred, vec![l("a")]);
    assert!(
        r.effects.is_empty(),
        "nothing moves before the resent txns: {r:?}"
    );
    assert_eq!(m.held_level(1, &l("a")), Some(LockLevel::Write));
    let e = m.release_deferred(1, &r.deferred);
    assert!(matches!(&e[..], [LockEffect::Award { client: 2, .. }]));
    assert!(m.release_deferred(1, &r.deferred).is_empty(), "once");
}

#[test]
fn queued_requests_are_dropped_for_the_resend_and_waiters_reconciled() {
    let now = Instant::now();
    let mut m = LockManager::new();
    m.request(2, 1, l("a"), LockLevel::Write, -1, now).unwrap();
    m.request(1, 7, l("a"), LockLevel::Write, -1, now).unwrap();
    m.request(1, 8, l("b"), LockLevel::Write, -1, now).unwrap();
    m.wait(1, 5, l("b"), 0, now).unwrap();
    m.wait(1, 6, l("b"), 0, now).unwrap();
    // Waiter 5 is notified while 1 is away (its WaitDone lost); 6 still waits; 9 was sent
    // but never arrived.
    m.request(2, 2, l("b"), LockLevel::Write, -1, now).unwrap();
    let e = m.notify(&l("b"), false);
    assert!(matches!(
        &e[..],
        [LockEffect::WaitDone {
            client: 1,
            waiter_id: 5,
            reason: WakeReason::Notified
        }]
    ));
    let r = m
        .resume_client(
            1,
            vec![(l("b"), LockLevel::Write)],
            vec![(5, l("b"), 0), (6, l("b"), 0), (9, l("b"), 0)],
            6,
            now,
        )
        .unwrap();
    assert_eq!(r.woken, vec![5]);
    assert_eq!(m.waiter_count(), 2, "6 kept, 9 added");
    // The queued request 7 is gone: the client sends it again with the same id.
    assert_eq!(m.queued(), 1, "only client 2's request on b remains");
    assert!(m.request(1, 7, l("a"), LockLevel::Write, -1, now).is_ok());
}

#[test]
fn a_conflicting_claim_is_a_violation() {
    let now = Instant::now();
    let mut m = LockManager::new();
    m.request(2, 1, l("a"), LockLevel::Write, -1, now).unwrap();
    assert!(m
        .resume_client(1, vec![(l("a"), LockLevel::Write)], vec![], 0, now)
        .is_err());
}

//! The operations behind the native methods, against a real `kiln-server` (the JNI layer on
//! top is conversion only; the Java tests exercise it end to end).

use std::time::Duration;

use kiln::{LockId, LockLevel, Value, WakeReason};
use kiln_integration::ServerProcess;
use kiln_jni::convert::{decode_values, RootKind};
use kiln_jni::error::{class, exception_class};
use kiln_jni::handle::{connect, ClientHandle};
use kiln_jni::BridgeError;

fn client(s: &ServerProcess, name: &str) -> ClientHandle {
    connect(&s.addr(), Some(name), Some(Duration::from_secs(10))).expect("connect")
}

fn s(v: &str) -> Value {
    Value::Str(v.into())
}

#[test]
fn map_put_commit_get_values() {
    let server = ServerProcess::start();
    let c = client(&server, "maps");
    let m = c.root("m", RootKind::Map).expect("root");
    assert_eq!(c.root("m", RootKind::Map).expect("same root"), m);

    let mut tx = c
        .lock(LockId::Named("m".into()), LockLevel::Write, None)
        .expect("lock")
        .expect("no timeout");
    assert!(tx.token() > 0);
    assert_eq!(tx.map_put(m, s("k"), s("v1")).expect("put"), None);
    assert_eq!(tx.map_put(m, s("k"), s("v2")).expect("put"), Some(s("v1")));
    assert_eq!(tx.map_put(m, s("j"), Value::Null).expect("put"), None);
    assert_eq!(tx.map_remove(m, s("j")).expect("remove"), Some(Value::Null));
    tx.commit().expect("commit");

    // Another client sees it.
    let c2 = client(&server, "maps-2");
    let m2 = c2.root("m", RootKind::Map).expect("root");
    assert_eq!(m2, m);
    assert_eq!(c2.map_get(m, &s("k")).expect("get"), Some(s("v2")));
    assert_eq!(c2.map_get(m, &s("nope")).expect("get"), None);
    assert_eq!(c2.size(m).expect("size"), 1);
    let vals = decode_values(&c2.values(m).expect("values")).expect("decode");
    assert_eq!(vals, vec![s("k"), s("v2")]);
    c2.close().expect("close");
    c.close().expect("close");
}

#[test]
fn lists_queues_sets() {
    let server = ServerProcess::start();
    let c = client(&server, "colls");
    let l = c.root("l", RootKind::List).expect("list");
    let q = c.root("q", RootKind::Queue).expect("queue");
    let st = c.root("s", RootKind::Set).expect("set");
    let sm = c.root("sm", RootKind::SortedMap).expect("sorted map");

    let mut tx = c
        .lock(
            LockId::Object(l),
            LockLevel::Write,
            Some(Duration::from_secs(5)),
        )
        .expect("lock")
        .expect("acquired");
    assert!(tx.add(l, Value::I32(1)).expect("add"));
    assert!(tx.add(l, Value::I32(3)).expect("add"));
    tx.add_at(l, 1, Value::I32(2)).expect("add_at");
    tx.add_at(l, 3, Value::I32(4)).expect("add_at end");
    assert_eq!(
        tx.list_set(l, 0, Value::I32(10)).expect("set"),
        Value::I32(1)
    );
    assert_eq!(tx.remove_at(l, 3).expect("remove_at"), Value::I32(4));
    assert!(tx.remove_value(l, Value::I32(2)).expect("remove value"));
    assert!(!tx.remove_value(l, Value::I32(99)).expect("absent"));
    for bad in [-1, 2, 100] {
        let e = tx.remove_at(l, bad).expect_err("out of range");
        assert!(
            matches!(e, BridgeError::IndexOutOfBounds { .. }),
            "{bad}: {e:?}"
        );
        assert_eq!(exception_class(&e), class::KILN);
    }
    assert!(tx.add_at(l, 3, Value::I32(0)).is_err());

    assert!(tx.add(q, s("a")).expect("offer"));
    assert!(tx.add(q, s("b")).expect("offer"));
    assert!(tx.add(q, s("c")).expect("offer"));
    assert!(tx.remove_value(q, s("b")).expect("queue remove"));
    assert!(!tx.remove_value(q, s("zz")).expect("queue remove absent"));
    assert_eq!(tx.poll(q).expect("poll"), Some(s("a")));

    assert!(tx.add(st, s("x")).expect("set add"));
    assert!(!tx.add(st, s("x")).expect("set add again"));
    assert!(tx.remove_value(st, s("x")).expect("set remove"));
    assert!(tx.add(st, s("y")).expect("set add"));

    tx.map_put(sm, Value::I32(2), s("two")).expect("sorted put");
    tx.map_put(sm, Value::I32(1), s("one")).expect("sorted put");

    // Wrong kinds are the client's WrongKind (KilnException).
    let e = tx.map_put(l, s("k"), s("v")).expect_err("list is no map");
    assert!(
        matches!(e, BridgeError::Client(kiln::Error::WrongKind { .. })),
        "{e:?}"
    );
    assert_eq!(exception_class(&e), class::KILN);
    assert!(tx.add(m_of(&c), s("v")).is_err());
    tx.commit().expect("commit");

    let v = |oid| decode_values(&c.values(oid).expect("values")).expect("decode");
    assert_eq!(v(l), vec![Value::I32(10), Value::I32(3)]);
    assert_eq!(v(q), vec![s("c")]);
    assert_eq!(v(st), vec![s("y")]);
    assert_eq!(
        v(sm),
        vec![Value::I32(1), s("one"), Value::I32(2), s("two")]
    );
    assert_eq!(c.list_get(l, 1).expect("get"), Some(Value::I32(3)));
    assert_eq!(c.list_get(l, 2).expect("get"), None);
    assert_eq!(c.list_get(l, -1).expect("get"), None);
    assert_eq!(c.list_get(q, 0).expect("queue get"), Some(s("c")));

    // clear
    let mut tx = c
        .lock(LockId::Object(l), LockLevel::Write, None)
        .expect("lock")
        .expect("acquired");
    tx.clear(l).expect("clear");
    tx.clear(st).expect("clear");
    tx.commit().expect("commit");
    assert_eq!(c.size(l).expect("size"), 0);
    assert_eq!(c.size(st).expect("size"), 0);
    c.close().expect("close");
}

fn m_of(c: &ClientHandle) -> kiln::ObjectId {
    c.root("a-map", RootKind::Map).expect("map root")
}

#[test]
fn read_locks_timeouts_wait_notify() {
    let server = ServerProcess::start();
    let a = client(&server, "a");
    let b = client(&server, "b");
    let m = a.root("m", RootKind::Map).expect("root");

    // Writes under a read lock are refused by the client.
    let mut tx = a
        .lock(LockId::Named("r".into()), LockLevel::Read, None)
        .expect("lock")
        .expect("acquired");
    let e = tx.map_put(m, s("k"), s("v")).expect_err("read lock");
    assert!(
        matches!(e, BridgeError::Client(kiln::Error::ReadOnly { .. })),
        "{e:?}"
    );
    tx.commit().expect("commit");

    // try_lock times out while another client holds the lock.
    let held = a
        .lock(LockId::Named("busy".into()), LockLevel::Write, None)
        .expect("lock")
        .expect("acquired");
    let t = b
        .lock(
            LockId::Named("busy".into()),
            LockLevel::Write,
            Some(Duration::from_millis(100)),
        )
        .expect("try_lock");
    assert!(t.is_none());
    held.abandon();

    // Timed wait without a notify.
    let mut tx = a
        .lock(LockId::Named("cond".into()), LockLevel::Write, None)
        .expect("lock")
        .expect("acquired");
    assert_eq!(
        tx.wait(Some(Duration::from_millis(50))).expect("wait"),
        WakeReason::TimedOut
    );
    tx.commit().expect("commit");

    // Wait in a thread, notify from the other client.
    let waiter = std::thread::spawn(move || {
        let mut tx = a
            .lock(LockId::Named("cond".into()), LockLevel::Write, None)
            .expect("lock")
            .expect("acquired");
        let r = tx.wait(Some(Duration::from_secs(10))).expect("wait");
        tx.commit().expect("commit");
        a.close().expect("close");
        r
    });
    std::thread::sleep(Duration::from_millis(300));
    let mut tx = b
        .lock(LockId::Named("cond".into()), LockLevel::Write, None)
        .expect("lock")
        .expect("acquired");
    tx.notify(false);
    tx.commit().expect("commit");
    assert_eq!(waiter.join().expect("waiter"), WakeReason::Notified);
    b.close().expect("close");
}

#[test]
fn shutdown_makes_every_later_call_fail_with_closed() {
    let server = ServerProcess::start();
    let c = client(&server, "closing");
    let m = c.root("m", RootKind::Map).expect("root");
    c.shutdown().expect("shutdown");
    c.shutdown().expect("idempotent");
    let closed = |e: BridgeError| {
        assert!(
            matches!(e, BridgeError::Client(kiln::Error::Closed)),
            "{e:?}"
        );
        assert_eq!(exception_class(&e), class::CLOSED);
    };
    closed(c.size(m).expect_err("cache hit after shutdown"));
    closed(c.map_get(m, &s("k")).expect_err("get"));
    closed(c.root("m", RootKind::Map).expect_err("root"));
    closed(
        c.lock(LockId::Named("x".into()), LockLevel::Write, None)
            .map(|_| ())
            .expect_err("lock"),
    );
    c.close().expect("close after shutdown");
}

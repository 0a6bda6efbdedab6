//! Restart rules of seed 001 (issue #11 item 4, the part that exists): after both servers of a
//! persistent group stopped, a former PASSIVE started alone does not become active (it logs why
//! and waits; clients find no active); once the last active is started it wins the election (the
//! was-active vote), the former passive resyncs from it, and nothing the last active committed
//! while the passive was down is lost. With the loudly named override the former passive does
//! become active alone.

mod common_ha;

use std::time::{Duration, Instant};

use common_ha::Group;
use kiln::{Client, ClientBuilder, LockId, LockLevel};

const T: Duration = Duration::from_secs(30);

async fn connect(g: &Group) -> Client {
    tokio::time::timeout(
        T,
        ClientBuilder::new(g.addrs())
            .name("restart")
            .connect_deadline(T)
            .retry_wait(Duration::from_millis(50))
            .connect(),
    )
    .await
    .expect("connect in time")
    .expect("connect")
}

async fn put(c: &Client, k: &str, v: i64) {
    let m = c.map("m").await.expect("map");
    let mut tx = c
        .lock(LockId::Named("m".into()), LockLevel::Write)
        .await
        .expect("lock");
    m.put(&mut tx, k, v).expect("put");
    tx.commit().await.expect("commit");
    c.flush().await.expect("flush");
}

async fn get(c: &Client, k: &str) -> Option<i64> {
    let m = c.map("m").await.expect("map");
    m.get(c, k).await.expect("get").and_then(|v| v.as_i64())
}

/// s1 active, s2 standby; s2 dies, s1 commits more, s1 dies. Returns the group, both down.
async fn both_down_with_s1_freshest() -> Group {
    let mut g = Group::new(2, true, 1, 5);
    g.start(0);
    g.wait_state(0, "ACTIVE-COORDINATOR", T);
    g.start(1);
    g.wait_state(1, "PASSIVE-STANDBY", T);
    let c = connect(&g).await;
    put(&c, "both", 1).await;
    g.kill(1);
    put(&c, "only-s1", 2).await;
    c.close().await.expect("close");
    g.kill(0);
    g
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn former_passive_alone_waits_for_the_last_active() {
    let mut g = both_down_with_s1_freshest().await;
    g.start(1);
    let deadline = Instant::now() + T;
    while !g.log(1).contains("does not become active") {
        assert!(Instant::now() < deadline, "no wait message:\n{}", g.log(1));
        std::thread::sleep(Duration::from_millis(50));
    }
    std::thread::sleep(Duration::from_millis(2500));
    assert_eq!(g.state(1).as_deref(), Some("STARTING"), "{}", g.log(1));
    assert!(
        std::net::TcpStream::connect(("127.0.0.1", g.members[1].dso_port)).is_err(),
        "no client is served"
    );
    g.start(0);
    g.wait_state(0, "ACTIVE-COORDINATOR", T);
    g.wait_state(1, "PASSIVE-STANDBY", T);
    let log = g.log(0);
    assert!(
        log.contains("was_active=true"),
        "the vote is logged:\n{log}"
    );
    let c = connect(&g).await;
    assert_eq!(get(&c, "both").await, Some(1));
    assert_eq!(
        get(&c, "only-s1").await,
        Some(2),
        "nothing of the last active lost"
    );
    let deadline = Instant::now() + T;
    while g.digest(0)["digest"] != g.digest(1)["digest"] {
        assert!(
            Instant::now() < deadline,
            "the passive never matched the active"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    c.close().await.expect("close");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn override_lets_the_former_passive_become_active_alone() {
    let mut g = both_down_with_s1_freshest().await;
    g.start_with(1, &["--force-active-despite-possible-data-loss"]);
    g.wait_state(1, "ACTIVE-COORDINATOR", T);
    assert!(g.log(1).contains("LOST"), "{}", g.log(1));
    let c = connect(&g).await;
    assert_eq!(get(&c, "both").await, Some(1));
    assert_eq!(
        get(&c, "only-s1").await,
        None,
        "what only s1 had is lost, as the override says"
    );
    c.close().await.expect("close");
}

/// A client of the old active that comes to the elected standby after its
/// `<client-reconnect-window>` closed is refused with a message saying it must restart; a client
/// that is in time is taken back with its id.
#[test]
fn client_after_the_failover_window_must_restart() {
    use kiln_integration::RawConn;
    use kiln_protocol::{ErrorCode, Message, Reconnect, PROTOCOL_VERSION};
    let mut g = Group::new(2, false, 1, 2);
    g.start(0);
    g.wait_state(0, "ACTIVE-COORDINATOR", T);
    g.start(1);
    g.wait_state(1, "PASSIVE-STANDBY", T);
    let late = RawConn::hello(g.members[0].dso_port, "late");
    let prompt = RawConn::hello(g.members[0].dso_port, "prompt");
    let standby_port = g.members[1].dso_port;
    let reconnect = |id: u64, name: &str| {
        let mut c = RawConn::connect(standby_port);
        c.send(&Message::Hello {
            protocol_version: PROTOCOL_VERSION,
            client_name: name.into(),
            pid: std::process::id(),
            reconnect: Some(Reconnect {
                client_id: id,
                last_acked_seq: 0,
            }),
        });
        c.recv()
    };
    g.kill(0);
    g.wait_state(1, "ACTIVE-COORDINATOR", T);
    match reconnect(prompt.client_id, "prompt") {
        Some(Message::Welcome { client_id, .. }) => assert_eq!(client_id, prompt.client_id),
        other => panic!("the prompt client was not taken back: {other:?}"),
    }
    // The window (2 s) closes without the late client.
    let deadline = Instant::now() + T;
    while !g.log(1).contains("reconnect window closed") {
        assert!(
            Instant::now() < deadline,
            "window never closed:\n{}",
            g.log(1)
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    match reconnect(late.client_id, "late") {
        Some(Message::Error { code, message }) => {
            assert_eq!(code, ErrorCode::Refused);
            assert!(message.contains("must restart"), "{message}");
        }
        other => panic!("the late client was not refused: {other:?}"),
    }
}

/// A PASSIVE-STANDBY stopped with SIGTERM exits promptly (its replication thread, blocked in a
/// socket read, ends at the next frame or is not waited for) and rejoins when started again.
#[test]
fn a_standby_stops_promptly_and_rejoins() {
    let mut g = Group::new(2, false, 1, 5);
    g.start(0);
    g.wait_state(0, "ACTIVE-COORDINATOR", T);
    g.start(1);
    g.wait_state(1, "PASSIVE-STANDBY", T);
    let t = Instant::now();
    g.signal(1, "-TERM");
    let st = g
        .wait_exit(1, Duration::from_secs(10))
        .expect("the standby exits within 10 s of SIGTERM");
    assert!(st.success(), "clean exit: {st:?}\n{}", g.log(1));
    assert!(t.elapsed() < Duration::from_secs(10));
    g.start(1);
    g.wait_state(1, "PASSIVE-STANDBY", T);
}

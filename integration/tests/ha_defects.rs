//! Defects of issue #11 item 8, found by starting the server as a new user would:
//! - `<logs>` inside `<data>` (`<data>/x/data</data><logs>/x/data/logs</logs>`) must not make a
//!   fresh persistent server judge its own data directory foreign;
//! - a server whose store cannot be opened at start exits non-zero with the reason instead of
//!   running ACTIVE and refusing every write.
//!
//! Real `kiln-server` binary on free loopback ports, real `kiln` client; bounded waits.

use std::time::Duration;

use kiln::{ClientBuilder, LockId, LockLevel};
use kiln_integration::ServerProcess;

const T: Duration = Duration::from_secs(20);

/// Rewrites the generated config of `server`: persistent, with `<data>` and `<logs>` as given.
fn relayout(server: &ServerProcess, data: &str, logs: &str) {
    let xml = std::fs::read_to_string(&server.config).expect("read config");
    let start = xml.find("<data>").expect("<data> in config");
    let end = xml.find("</logs>").expect("</logs> in config") + "</logs>".len();
    let xml = format!(
        "{}<data>{data}</data><logs>{logs}</logs>{}",
        &xml[..start],
        &xml[end..]
    )
    .replace(
        "<dso>",
        "<dso><persistence><mode>permanent-store</mode></persistence>",
    );
    std::fs::write(&server.config, xml).expect("write config");
}

async fn put_and_read(server: &ServerProcess, key: &str, value: i64) -> Vec<Option<i64>> {
    let c = tokio::time::timeout(
        T,
        ClientBuilder::new([server.addr()])
            .name("defects")
            .connect_deadline(T)
            .reconnect(false)
            .connect(),
    )
    .await
    .expect("connect in time")
    .expect("connect");
    let m = c.map("m").await.expect("map root");
    let mut tx = c
        .lock(LockId::Named("L".into()), LockLevel::Write)
        .await
        .expect("lock");
    m.put(&mut tx, key, value).expect("put");
    tx.commit().await.expect("commit");
    c.flush().await.expect("flush: the write is acknowledged");
    let mut out = Vec::new();
    for k in ["first", "second"] {
        out.push(m.get(&c, k).await.expect("get").and_then(|v| v.as_i64()));
    }
    c.close().await.expect("close");
    out
}

/// `<logs>` inside `<data>`: the fresh persistent server creates its logs directory, then its
/// store next to it, accepts writes, and after a restart still has them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logs_inside_data_is_not_a_foreign_data_directory() {
    let mut server = ServerProcess::start();
    server.kill();
    let data = server.dir.path().join("x").join("data");
    let logs = data.join("logs");
    relayout(
        &server,
        &data.display().to_string(),
        &logs.display().to_string(),
    );
    server.restart();
    let st = server.status();
    assert_eq!(st["storage"]["healthy"], true, "{st}");
    assert!(
        logs.join("kiln-server.log").exists(),
        "logs written inside <data>"
    );
    assert!(
        data.join("kiln-store").exists(),
        "store created inside <data>"
    );
    assert_eq!(put_and_read(&server, "first", 1).await, vec![Some(1), None]);
    // The client left for good (not one the restarted server waits for), then a clean stop.
    server.wait_status("client left", |s| s["clients"] == 0);
    assert_eq!(server.stop(), Some(0));
    server.restart();
    let st = server.status();
    assert_eq!(st["storage"]["healthy"], true, "{st}");
    assert_eq!(
        put_and_read(&server, "second", 2).await,
        vec![Some(1), Some(2)],
        "the first write survived the restart"
    );
    assert_eq!(server.stop(), Some(0));
}

/// A relative `<data>` with `<logs>` under it (the same layout written the short way).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn relative_logs_inside_relative_data_is_accepted() {
    let mut server = ServerProcess::start();
    server.kill();
    relayout(&server, "srv/data", "srv/data/logs");
    server.restart();
    let st = server.status();
    assert_eq!(st["storage"]["healthy"], true, "{st}");
    assert_eq!(put_and_read(&server, "first", 7).await, vec![Some(7), None]);
    assert_eq!(server.stop(), Some(0));
}

/// A store that cannot be opened at start (here: `kiln-store` is a file, not a directory) makes
/// the server exit non-zero with the path and the reason; it never serves clients.
#[test]
fn unopenable_store_exits_non_zero_with_the_reason() {
    let mut server = ServerProcess::start();
    server.kill();
    let data = server.dir.path().join("bad");
    std::fs::create_dir_all(&data).expect("data dir");
    std::fs::write(data.join("kiln-store"), b"not a store").expect("write file");
    relayout(
        &server,
        &data.display().to_string(),
        &server.dir.path().join("logs").display().to_string(),
    );
    server.spawn();
    let code = server.wait_exit(T);
    let log = server.log();
    assert!(
        matches!(code, Some(c) if c != 0),
        "expected a non-zero exit, got {code:?}; log:\n{log}"
    );
    assert!(log.contains("cannot open the store"), "{log}");
    assert!(log.contains(&data.display().to_string()), "{log}");
    assert!(log.contains("does not start"), "{log}");
    assert!(
        std::net::TcpStream::connect(server.addr()).is_err(),
        "nothing listens on the dso-port"
    );
}

//! Restart rules of seed 001 (issue #11 item 4): a restarted former active, while another
//! server of its group is active, moves its data into `<data>/dirty-objectdb-backup/<timestamp>/`
//! (logged, named) and resyncs as a passive; the backup is a complete store of the old data.
//! A server whose data belongs to another group refuses to start, naming the data directory and
//! both identities.

mod common_ha;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common_ha::Group;
use kiln::{Client, ClientBuilder, LockId, LockLevel};
use kiln_integration::{binary, free_ports, TempDir};

const T: Duration = Duration::from_secs(30);

async fn connect(addrs: Vec<String>) -> Client {
    tokio::time::timeout(
        T,
        ClientBuilder::new(addrs)
            .name("dirty")
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

/// A single persistent server named `name` on `data`, killed on drop.
struct Single {
    child: Child,
    port: u16,
    _dir: TempDir,
    out: PathBuf,
}

impl Single {
    fn start(name: &str, data: &Path, group: Option<&str>) -> (Single, Option<i32>) {
        let dir = TempDir::new("single");
        let [port, jmx, grp] = free_ports(3)[..] else {
            unreachable!("three ports")
        };
        let server = format!(
            r#"<server host="127.0.0.1" name="{name}" bind="127.0.0.1">
      <data>{data}</data><logs>{logs}</logs>
      <dso-port>{port}</dso-port><jmx-port>{jmx}</jmx-port><l2-group-port>{grp}</l2-group-port>
      <dso><client-reconnect-window>1</client-reconnect-window><persistence><mode>permanent-store</mode></persistence></dso>
    </server>"#,
            data = data.display(),
            logs = dir.path().join("logs").display()
        );
        let servers = match group {
            Some(g) => format!(
                r#"{server}<mirror-groups><mirror-group group-name="{g}"><members><member>{name}</member></members></mirror-group></mirror-groups>"#
            ),
            None => server,
        };
        let cfg = dir.path().join("tc-config.xml");
        std::fs::write(
            &cfg,
            format!(
                r#"<?xml version="1.0" encoding="UTF-8"?>
<tc:tc-config xmlns:tc="http://www.terracotta.org/config"><servers>{servers}</servers></tc:tc-config>"#
            ),
        )
        .expect("write config");
        let out = dir.path().join("out.log");
        let log = std::fs::File::create(&out).expect("log file");
        let mut child = Command::new(binary("kiln-server"))
            .arg("-f")
            .arg(&cfg)
            .arg("-n")
            .arg(name)
            .stdout(Stdio::null())
            .stderr(Stdio::from(log))
            .spawn()
            .expect("spawn kiln-server");
        // Either it serves or it exits.
        let deadline = Instant::now() + T;
        let code = loop {
            let log = std::fs::read_to_string(&out).unwrap_or_default();
            if log.contains("accepting clients") {
                break None;
            }
            if let Ok(Some(st)) = child.try_wait() {
                break Some(st.code().unwrap_or(-1));
            }
            assert!(
                Instant::now() < deadline,
                "server neither listens nor exits"
            );
            std::thread::sleep(Duration::from_millis(20));
        };
        (
            Single {
                child,
                port,
                _dir: dir,
                out,
            },
            code,
        )
    }

    fn log(&self) -> String {
        std::fs::read_to_string(&self.out).unwrap_or_default()
    }
}

impl Drop for Single {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn restarted_former_active_backs_up_its_data_and_resyncs_as_passive() {
    let mut g = Group::new(2, true, 1, 5);
    g.start(0);
    g.wait_state(0, "ACTIVE-COORDINATOR", T);
    g.start(1);
    g.wait_state(1, "PASSIVE-STANDBY", T);
    let c = connect(g.addrs()).await;
    put(&c, "before", 1).await;
    c.close().await.expect("close");
    // s1 dies; s2 takes over and commits what s1 never saw.
    g.kill(0);
    g.wait_state(1, "ACTIVE-COORDINATOR", T);
    let c = connect(g.addrs()).await;
    put(&c, "after", 2).await;
    // The former active comes back while s2 is active.
    g.start(0);
    g.wait_state(0, "PASSIVE-STANDBY", T);
    let log = g.log(0);
    assert!(
        log.contains("this server's data was moved to") && log.contains("dirty-objectdb-backup"),
        "the move is logged and named:\n{log}"
    );
    let backups = g.dir.path().join("s1/data/dirty-objectdb-backup");
    let entries: Vec<PathBuf> = std::fs::read_dir(&backups)
        .unwrap_or_else(|e| panic!("{}: {e}", backups.display()))
        .map(|e| e.expect("entry").path())
        .collect();
    assert_eq!(entries.len(), 1, "one backup: {entries:?}");
    let backup = &entries[0];
    assert!(backup.join("kiln-store").is_dir(), "{}", backup.display());
    // It now holds the new active's graph.
    let deadline = Instant::now() + T;
    while g.digest(0)["digest"] != g.digest(1)["digest"] {
        assert!(Instant::now() < deadline, "s1 never matched the active");
        std::thread::sleep(Duration::from_millis(50));
    }
    c.close().await.expect("close");
    g.kill(0);
    // The backup is a complete store of what s1 had: opened by a server of the same name it
    // has "before" and not "after".
    let (single, code) = Single::start("s1", backup, None);
    assert_eq!(code, None, "the backup opens:\n{}", single.log());
    let c = connect(vec![format!("127.0.0.1:{}", single.port)]).await;
    assert_eq!(get(&c, "before").await, Some(1));
    assert_eq!(get(&c, "after").await, None);
    c.close().await.expect("close");
}

#[test]
fn data_of_another_group_is_refused_at_start() {
    let dir = TempDir::new("identity");
    let data = dir.path().join("data");
    {
        let (s, code) = Single::start("s1", &data, Some("alpha"));
        assert_eq!(code, None, "first start:\n{}", s.log());
    }
    // Same group again: fine.
    {
        let (s, code) = Single::start("s1", &data, Some("alpha"));
        assert_eq!(code, None, "restart in the same group:\n{}", s.log());
    }
    let (s, code) = Single::start("s1", &data, Some("beta"));
    assert_eq!(
        code,
        Some(1),
        "started on another group's data:\n{}",
        s.log()
    );
    let log = s.log();
    assert!(
        log.contains(&data.display().to_string())
            && log.contains("'alpha'")
            && log.contains("'beta'"),
        "the message names the directory and both identities:\n{log}"
    );
}

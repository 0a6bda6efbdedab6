//! `l2.nha.tcgroupcomm.reconnect.enabled` / `.timeout` (issue #11 item 6): a short blip of the
//! replication link between the active and its PASSIVE-STANDBY (through the fault proxy on the
//! group port) reconnects and resumes the stream where it stopped — no election, the standby is
//! not dropped and not resynced, nothing acknowledged is lost; a break longer than the timeout
//! drops the standby as before.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use kiln::{Client, ClientBuilder, LockId, LockLevel, Value};
use kiln_integration::fault::{wait_acks, Checker, Fault, Proxy};
use kiln_integration::{binary, free_ports, http, TempDir};

const T: Duration = Duration::from_secs(30);

struct Server {
    child: Child,
    dso: u16,
    jmx: u16,
    out: PathBuf,
}

impl Server {
    fn log(&self) -> String {
        std::fs::read_to_string(&self.out).unwrap_or_default()
    }
    fn status(&self) -> Option<serde_json::Value> {
        std::net::TcpStream::connect(("127.0.0.1", self.jmx)).ok()?;
        let body = std::panic::catch_unwind(|| http(self.jmx, "GET", "/status")).ok()?;
        serde_json::from_str(&body).ok()
    }
    fn state(&self) -> Option<String> {
        self.status()
            .and_then(|s| s["state"].as_str().map(str::to_owned))
    }
    fn wait_state(&self, state: &str) {
        let deadline = Instant::now() + T;
        while self.state().as_deref() != Some(state) {
            assert!(
                Instant::now() < deadline,
                "not {state}: {:?}\n{}",
                self.state(),
                self.log()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
    fn digest(&self) -> serde_json::Value {
        serde_json::from_str(&http(self.jmx, "GET", "/digest")).expect("digest")
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// s1 active, s2 its standby; s2 reaches s1's group port only through the returned proxy
/// (each server has its own config file: the same group, but s2's entry for s1 names the
/// proxy's port).
fn pair(timeout_ms: u64) -> (TempDir, Server, Server, Proxy) {
    let dir = TempDir::new("grp");
    let p = free_ports(6);
    let proxy = Proxy::start(&format!("127.0.0.1:{}", p[2]));
    let proxy_port: u16 = proxy
        .addr()
        .rsplit(':')
        .next()
        .and_then(|s| s.parse().ok())
        .expect("proxy port");
    let config = |s1_group: u16, file: &str| {
        let server = |name: &str, dso: u16, jmx: u16, grp: u16| {
            format!(
                r#"<server host="127.0.0.1" name="{name}" bind="127.0.0.1">
  <data>{d}/{name}/data</data><logs>{d}/{name}/logs</logs>
  <dso-port>{dso}</dso-port><jmx-port>{jmx}</jmx-port><l2-group-port>{grp}</l2-group-port>
</server>"#,
                d = dir.path().display()
            )
        };
        let xml = format!(
            r#"<?xml version="1.0" encoding="UTF-8"?>
<tc:tc-config xmlns:tc="http://www.terracotta.org/config">
<tc-properties>
<property name="l2.nha.tcgroupcomm.reconnect.enabled" value="true"/>
<property name="l2.nha.tcgroupcomm.reconnect.timeout" value="{timeout_ms}"/>
</tc-properties>
<servers>{}{}
<ha><mode>networked-active-passive</mode><networked-active-passive><election-time>1</election-time></networked-active-passive></ha>
</servers></tc:tc-config>"#,
            server("s1", p[0], p[1], s1_group),
            server("s2", p[3], p[4], p[5])
        );
        let path = dir.path().join(file);
        std::fs::write(&path, xml).expect("config");
        path
    };
    let start = |cfg: PathBuf, name: &str, dso: u16, jmx: u16| {
        let out = dir.path().join(format!("{name}.out"));
        let log = std::fs::File::create(&out).expect("log");
        let child = Command::new(binary("kiln-server"))
            .arg("-f")
            .arg(cfg)
            .args(["-n", name])
            .stdout(Stdio::null())
            .stderr(Stdio::from(log))
            .spawn()
            .expect("spawn");
        Server {
            child,
            dso,
            jmx,
            out,
        }
    };
    let s1 = start(config(p[2], "s1.xml"), "s1", p[0], p[1]);
    s1.wait_state("ACTIVE-COORDINATOR");
    let s2 = start(config(proxy_port, "s2.xml"), "s2", p[3], p[4]);
    s2.wait_state("PASSIVE-STANDBY");
    (dir, s1, s2, proxy)
}

async fn connect(s1: &Server, s2: &Server) -> Client {
    ClientBuilder::new([
        format!("127.0.0.1:{}", s1.dso),
        format!("127.0.0.1:{}", s2.dso),
    ])
    .reconnect(true)
    .reconnect_interval(Duration::from_millis(50))
    .connect()
    .await
    .expect("connect")
}

fn writer(c: &Client, checker: &Checker, stop: &Arc<AtomicBool>) -> tokio::task::JoinHandle<()> {
    let (c, checker, stop) = (c.clone(), checker.clone(), stop.clone());
    tokio::spawn(async move {
        let log = c.list("log").await.expect("log");
        let mut seq = 0;
        while !stop.load(Ordering::Relaxed) {
            seq += 1;
            checker.attempt(0, seq);
            let mut tx = c
                .lock(LockId::Named("log".into()), LockLevel::SyncWrite)
                .await
                .expect("lock");
            log.add(&mut tx, Checker::element(0, seq)).expect("add");
            tx.commit().await.expect("commit");
            checker.acked(0, seq);
        }
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn short_group_link_blip_resumes_without_election_or_resync() {
    let (_dir, s1, s2, proxy) = pair(3000);
    let c = connect(&s1, &s2).await;
    let checker = Checker::new();
    let stop = Arc::new(AtomicBool::new(false));
    let w = writer(&c, &checker, &stop);
    wait_acks(&checker, 20, T).await;
    for _ in 0..3 {
        proxy.cut();
        // The standby stays a standby all along; writes keep being acknowledged.
        let t0 = Instant::now();
        while t0.elapsed() < Duration::from_millis(600) {
            let st = s2.state();
            assert!(
                st.is_none() || st.as_deref() == Some("PASSIVE-STANDBY"),
                "s2 became {st:?} after a blip\n{}",
                s2.log()
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let n = checker.acked_count();
        wait_acks(&checker, n + 10, T).await;
    }
    stop.store(true, Ordering::Relaxed);
    tokio::time::timeout(T, w)
        .await
        .expect("writer stops")
        .expect("writer");
    let (l1, l2) = (s1.log(), s2.log());
    assert!(l1.matches("standby reconnected").count() >= 3, "s1:\n{l1}");
    assert!(!l1.contains("passive dropped from the group"), "s1:\n{l1}");
    assert_eq!(l1.matches("passive joined").count(), 1, "no resync:\n{l1}");
    assert_eq!(
        l2.matches("sync complete").count(),
        1,
        "s2 synced once:\n{l2}"
    );
    assert!(!l2.contains("failover=true"), "no election on s2:\n{l2}");
    assert_eq!(s1.state().as_deref(), Some("ACTIVE-COORDINATOR"));
    assert_eq!(s2.state().as_deref(), Some("PASSIVE-STANDBY"));
    let deadline = Instant::now() + T;
    while s1.digest()["digest"] != s2.digest()["digest"] {
        assert!(Instant::now() < deadline, "the standby never matched");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let found: Vec<(u64, u64)> = c
        .list("log")
        .await
        .expect("log")
        .to_vec(&c)
        .await
        .expect("read")
        .iter()
        .map(|v: &Value| v.as_str().and_then(Checker::parse).expect("element"))
        .collect();
    checker.verify(&found).expect("checker");
    c.close().await.expect("close");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn group_link_down_longer_than_the_timeout_drops_the_standby() {
    let (_dir, s1, s2, proxy) = pair(800);
    let c = connect(&s1, &s2).await;
    let checker = Checker::new();
    let stop = Arc::new(AtomicBool::new(false));
    let w = writer(&c, &checker, &stop);
    wait_acks(&checker, 10, T).await;
    proxy.set(Fault::Partition);
    let deadline = Instant::now() + T;
    while !s1.log().contains("passive dropped from the group") {
        assert!(Instant::now() < deadline, "not dropped:\n{}", s1.log());
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(
        s1.log().contains("l2.nha.tcgroupcomm.reconnect.timeout"),
        "{}",
        s1.log()
    );
    // The active keeps acknowledging without the dropped standby.
    let n = checker.acked_count();
    wait_acks(&checker, n + 10, T).await;
    stop.store(true, Ordering::Relaxed);
    tokio::time::timeout(T, w)
        .await
        .expect("writer stops")
        .expect("writer");
    c.close().await.expect("close");
    drop(s2);
}

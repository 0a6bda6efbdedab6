//! Two-server configurations taken from seeds 000, 001 and 003 (issue #11), with only hosts,
//! ports and directories rewritten to loopback / temporary values (every other element and
//! tc-property kept), started as real processes with `bin/start-tc-server.sh -n <name> -f
//! <config>`: one ACTIVE-COORDINATOR and one PASSIVE-STANDBY (`kiln-server status --group`, what
//! `bin/server-stat.sh` runs), a client from the same config writes, kill -9 of the active, the
//! standby takes over and the client's data is all there.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use kiln::{Client, ClientBuilder, LockId, LockLevel};
use kiln_integration::{binary, free_ports, TempDir};

const T: Duration = Duration::from_secs(40);

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace root")
        .to_path_buf()
}

/// A server started by `bin/start-tc-server.sh`; killed (-9) on drop.
struct Script {
    child: Option<Child>,
}

impl Drop for Script {
    fn drop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

struct Seed {
    dir: TempDir,
    config: PathBuf,
    names: [&'static str; 2],
    servers: Vec<Script>,
}

impl Seed {
    fn new(xml: &str, names: [&'static str; 2], dir: TempDir) -> Seed {
        let config = dir.path().join("tc-config.xml");
        std::fs::write(&config, xml).expect("write config");
        Seed {
            dir,
            config,
            names,
            servers: Vec::new(),
        }
    }

    fn start(&mut self, i: usize) {
        let name = self.names[i];
        let out = self.dir.path().join(format!("{name}.out"));
        let log = std::fs::File::create(out).expect("log");
        let child = Command::new(repo().join("bin/start-tc-server.sh"))
            .args(["-n", name, "-f"])
            .arg(&self.config)
            .env("KILN_SERVER", binary("kiln-server"))
            .stdout(Stdio::null())
            .stderr(Stdio::from(log))
            .spawn()
            .expect("start-tc-server.sh");
        if self.servers.len() <= i {
            self.servers.resize_with(i + 1, || Script { child: None });
        }
        self.servers[i] = Script { child: Some(child) };
    }

    fn kill(&mut self, i: usize) {
        self.servers[i] = Script { child: None };
    }

    fn log(&self, i: usize) -> String {
        std::fs::read_to_string(self.dir.path().join(format!("{}.out", self.names[i])))
            .unwrap_or_default()
    }

    /// `kiln-server -f CONFIG -n <asked> status --group`: (name, state) per server, or `None`
    /// when it cannot tell.
    fn group_status(&self, ask: usize) -> Option<Vec<(String, String)>> {
        let out = Command::new(binary("kiln-server"))
            .arg("-f")
            .arg(&self.config)
            .args(["-n", self.names[ask], "status", "--group"])
            .output()
            .ok()?;
        let text = String::from_utf8_lossy(&out.stdout);
        let rows: Vec<(String, String)> = self
            .names
            .iter()
            .filter_map(|n| {
                let line = text.lines().find(|l| l.starts_with(n))?;
                let state = [
                    "ACTIVE-COORDINATOR",
                    "PASSIVE-STANDBY",
                    "PASSIVE-UNINITIALIZED",
                    "INITIALIZING",
                    "STARTING",
                ]
                .into_iter()
                .find(|s| line.contains(s))
                .unwrap_or("unreachable");
                Some(((*n).to_owned(), state.to_owned()))
            })
            .collect();
        (rows.len() == 2).then_some(rows)
    }

    /// Waits until `status --group`, asked of server `ask`, shows the server `active` as
    /// ACTIVE-COORDINATOR and (if given) `standby` as PASSIVE-STANDBY.
    fn wait_group(&self, ask: usize, active: Option<usize>, standby: Option<usize>) -> usize {
        let deadline = Instant::now() + T;
        loop {
            if let Some(rows) = self.group_status(ask) {
                let state = |i: usize| rows[i].1.as_str();
                let actives: Vec<usize> = (0..2)
                    .filter(|i| state(*i) == "ACTIVE-COORDINATOR")
                    .collect();
                assert!(actives.len() <= 1, "two actives: {rows:?}");
                if let [a] = actives[..] {
                    let other = 1 - a;
                    if active.is_none_or(|x| x == a)
                        && standby.is_none_or(|s| s == other && state(other) == "PASSIVE-STANDBY")
                    {
                        return a;
                    }
                }
            }
            assert!(
                Instant::now() < deadline,
                "group not as expected: {:?}\n--- {}:\n{}\n--- {}:\n{}",
                self.group_status(ask),
                self.names[0],
                self.log(0),
                self.names[1],
                self.log(1)
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

async fn client(cfg: &Path) -> Client {
    tokio::time::timeout(
        T,
        ClientBuilder::from_config_file(cfg)
            .expect("client config")
            .name("seed")
            .connect(),
    )
    .await
    .expect("connect in time")
    .expect("connect")
}

async fn write(c: &Client, from: i64, to: i64) {
    let m = c.map("seed").await.expect("map");
    for i in from..to {
        let mut tx = c
            .lock(LockId::Named("seed".into()), LockLevel::SyncWrite)
            .await
            .expect("lock");
        m.put(&mut tx, format!("k{i}"), i).expect("put");
        tx.commit().await.expect("commit");
    }
}

async fn check(c: &Client, n: i64) {
    let m = c.map("seed").await.expect("map");
    for i in 0..n {
        assert_eq!(
            m.get(c, &format!("k{i}"))
                .await
                .expect("get")
                .and_then(|v| v.as_i64()),
            Some(i),
            "k{i} after the failover"
        );
    }
}

/// Starts both servers, writes, kills the active, checks the failover and the data.
async fn run(mut s: Seed) {
    s.start(0);
    s.start(1);
    let active = s.wait_group(0, None, None);
    let standby = 1 - active;
    s.wait_group(standby, Some(active), Some(standby));
    let c = client(&s.config).await;
    write(&c, 0, 50).await;
    s.kill(active);
    // The same client carries on at the new active.
    write(&c, 50, 80).await;
    s.wait_group(standby, Some(standby), None);
    c.close().await.expect("close");
    let fresh = client(&s.config).await;
    check(&fresh, 80).await;
    fresh.close().await.expect("close");
    let log = s.log(standby);
    assert!(log.contains("ACTIVE-COORDINATOR"), "{log}");
}

/// Seed 000: `m1` / `m2` with `permanent-store` (hosts were 192.168.1.106 / .132, data under
/// `%(user.home)/terracotta{1,2}`; no ports given).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn seed_000_two_servers_permanent_store() {
    let dir = TempDir::new("seed000");
    let p = free_ports(6);
    let d = dir.path().display();
    let xml = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<tc:tc-config xmlns:tc="http://www.terracotta.org/config">
<servers>
  <server host="127.0.0.1" name="m1">
    <data>{d}/terracotta1/server-data</data>
    <logs>{d}/terracotta1/server-logs</logs>
    <dso-port>{}</dso-port><jmx-port>{}</jmx-port><l2-group-port>{}</l2-group-port>
    <dso>
      <persistence>
        <mode>permanent-store</mode>
      </persistence>
    </dso>
  </server>
  <server host="127.0.0.1" name="m2">
    <data>{d}/terracotta2/server-data</data>
    <logs>{d}/terracotta2/server-logs</logs>
    <dso-port>{}</dso-port><jmx-port>{}</jmx-port><l2-group-port>{}</l2-group-port>
    <dso>
      <persistence>
        <mode>permanent-store</mode>
      </persistence>
    </dso>
  </server>
</servers>
</tc:tc-config>
"#,
        p[0], p[1], p[2], p[3], p[4], p[5]
    );
    run(Seed::new(&xml, ["m1", "m2"], dir)).await;
}

/// Seed 001: "Two-server Terracotta cluster with persistence and failover" (Server1/Server2,
/// `tsa-port` / `tsa-group-port`, `offheap`, `<restartable enabled="true"/>`,
/// `<client-reconnect-window>120`); only the data directories, ports and the loopback host
/// changed (the seed's two servers share ports, so they run on two hosts).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn seed_001_two_server_array_restartable() {
    let dir = TempDir::new("seed001");
    let p = free_ports(6);
    let d = dir.path().display();
    let xml = format!(
        r#"<?xml version="1.0" encoding="UTF-8" ?>
<tc:tc-config xmlns:tc="http://www.terracotta.org/config"
 xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
xsi:schemaLocation="http://www.terracotta.org/schema/terracotta-8.xsd">
 <servers>
   <server name="Server1" host="127.0.0.1">
     <data>{d}/server1-data</data>
     <tsa-port>{}</tsa-port>
     <jmx-port>{}</jmx-port>
     <tsa-group-port>{}</tsa-group-port>
     <offheap>
       <enabled>true</enabled>
       <maxDataSize>2g</maxDataSize>
     </offheap>
   </server>
   <server name="Server2" host="127.0.0.1">
     <data>{d}/server2-data</data>
     <tsa-port>{}</tsa-port>
     <jmx-port>{}</jmx-port>
     <tsa-group-port>{}</tsa-group-port>
     <offheap>
       <enabled>true</enabled>
       <maxDataSize>2g</maxDataSize>
     </offheap>
   </server>
   <restartable enabled="true"/>
   <client-reconnect-window>120</client-reconnect-window>
 </servers>
</tc:tc-config>
"#,
        p[0], p[1], p[2], p[3], p[4], p[5]
    );
    run(Seed::new(&xml, ["Server1", "Server2"], dir)).await;
}

/// Seed 003: the `<ha>` networked-active-passive block with `<election-time>5`, the
/// "Aggressive" L1->L2 HealthChecker example, the server-server and server-client reconnect
/// properties it recommends, and `<client-reconnect-window>120` in `<dso>`, on two servers.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn seed_003_ha_block_healthcheck_and_reconnect_properties() {
    let dir = TempDir::new("seed003");
    let p = free_ports(6);
    let d = dir.path().display();
    let server = |name: &str, i: usize| {
        format!(
            r#"  <server host="127.0.0.1" name="{name}">
    <data>{d}/{name}/data</data>
    <logs>{d}/{name}/logs</logs>
    <dso-port>{}</dso-port><jmx-port>{}</jmx-port><l2-group-port>{}</l2-group-port>
     <dso>
        <client-reconnect-window>120</client-reconnect-window>
     </dso>
  </server>
"#,
            p[3 * i],
            p[3 * i + 1],
            p[3 * i + 2]
        )
    };
    let xml = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<tc:tc-config xmlns:tc="http://www.terracotta.org/config"  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"  xsi:schemaLocation="http://www.terracotta.org/schema/terracotta-5.xsd">
 <tc-properties>
<property name="l1.healthcheck.l2.ping.enabled" value="true" />
<property name="l1.healthcheck.l2.ping.idletime" value="2000" />
<property name="l1.healthcheck.l2.ping.interval" value="1000" />
<property name="l1.healthcheck.l2.ping.probes" value="3" />
<property name="l1.healthcheck.l2.socketConnect" value="true" />
<property name="l1.healthcheck.l2.socketConnectTimeout" value="2" />
<property name="l1.healthcheck.l2.socketConnectCount" value="5" />
<property name="l2.nha.tcgroupcomm.reconnect.enabled" value="true" />
<property name="l2.nha.tcgroupcomm.reconnect.timeout" value="2000" />
<property name="l2.l1reconnect.enabled" value="true" />
<property name="l2.l1reconnect.timeout.millis" value="2000" />
 </tc-properties>
 <servers>
{}{}   <ha>
     <mode>networked-active-passive</mode>
     <networked-active-passive>
       <election-time>5</election-time>
     </networked-active-passive>
   </ha>
 </servers>
</tc:tc-config>
"#,
        server("server1", 0),
        server("server2", 1)
    );
    run(Seed::new(&xml, ["server1", "server2"], dir)).await;
}

//! Mirror-group figure (issue #12): committed txn/s of 8 clients doing stripe-local
//! transactions over 2 stripes against 1 stripe, measured in the same run (goal ≥ 1.6×).
//!
//! Method on a 2-core machine: each stripe is a one-server `<mirror-group>` of a real in-memory
//! `kiln-server`, pinned with `taskset -c 0` / `taskset -c 1`; the 1-stripe baseline is one
//! server (one group) pinned to both cores (`taskset -c 0,1`). The 8 clients run in this process
//! (unpinned) in both cases: each has its own named lock and counter object, chosen so that 4
//! locks hash to each stripe (`FNV-1a-64(name) % 2`), and commits `Write` transactions setting
//! its counter as fast as the window allows (the same loop as the `txn` figure). Without
//! `taskset` on the PATH the servers run unpinned (stated in the figure).

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use kiln::{Client, ClientBuilder, LockId, LockLevel, ObjectState, Value};
use kiln_protocol::stripe::name_stripe;

use crate::{fmt_rate, free_port, http, txn_run, Report, Res};

/// Servers of one cluster (one per mirror group), killed and removed on drop.
struct Cluster {
    dir: PathBuf,
    dso: Vec<u16>,
    jmx: Vec<u16>,
    children: Vec<Child>,
}

impl Cluster {
    /// `pins[i]`: the `taskset -c` list of stripe `i`'s server; `groups`: mirror groups or not.
    fn start(bin: &Path, pins: &[&str], striped: bool) -> Res<Cluster> {
        let n = pins.len();
        let mut ports = Vec::new();
        for _ in 0..3 * n {
            ports.push(free_port()?);
        }
        let dir = std::env::temp_dir().join(format!(
            "kiln-bench-stripes-{}-{}",
            std::process::id(),
            ports[0]
        ));
        std::fs::create_dir_all(&dir)?;
        let mut servers = String::new();
        for i in 0..n {
            let server = format!(
                "<server host=\"127.0.0.1\" name=\"s{i}\" bind=\"127.0.0.1\"><data>{d}/s{i}/data</data>\
                 <logs>{d}/s{i}/logs</logs><dso-port>{}</dso-port><jmx-port>{}</jmx-port>\
                 <l2-group-port>{}</l2-group-port><dso><garbage-collection><enabled>false</enabled>\
                 </garbage-collection></dso></server>",
                ports[3 * i],
                ports[3 * i + 1],
                ports[3 * i + 2],
                d = dir.display()
            );
            if striped {
                servers.push_str(&format!(
                    "<mirror-group group-name=\"stripe-{i}\" election-time=\"1\">{server}</mirror-group>"
                ));
            } else {
                servers.push_str(&server);
            }
        }
        let cfg = dir.join("tc-config.xml");
        std::fs::write(
            &cfg,
            format!(
                "<tc-config><servers>{servers}{}</servers></tc-config>",
                if striped {
                    ""
                } else {
                    "<ha><mode>networked-active-passive</mode><networked-active-passive>\
                     <election-time>1</election-time></networked-active-passive></ha>"
                }
            ),
        )?;
        let taskset = crate::which("taskset").ok();
        let mut children = Vec::new();
        for (i, pin) in pins.iter().enumerate() {
            let log = std::fs::File::create(dir.join(format!("s{i}.out")))?;
            let mut cmd = match &taskset {
                Some(t) => {
                    let mut c = Command::new(t);
                    c.args(["-c", pin]).arg(bin);
                    c
                }
                None => Command::new(bin),
            };
            cmd.arg("-f")
                .arg(&cfg)
                .arg("-n")
                .arg(format!("s{i}"))
                .stdout(Stdio::null())
                .stderr(Stdio::from(log));
            children.push(cmd.spawn()?);
        }
        let c = Cluster {
            dir,
            dso: (0..n).map(|i| ports[3 * i]).collect(),
            jmx: (0..n).map(|i| ports[3 * i + 1]).collect(),
            children,
        };
        for i in 0..n {
            c.wait_active(i, Duration::from_secs(30))?;
        }
        Ok(c)
    }

    fn wait_active(&self, i: usize, within: Duration) -> Res<()> {
        let t = Instant::now();
        loop {
            if http(self.jmx[i], "GET", "/status")
                .is_ok_and(|b| b.contains("\"state\":\"ACTIVE-COORDINATOR\""))
            {
                return Ok(());
            }
            if t.elapsed() > within {
                return Err(format!("server s{i} not ACTIVE-COORDINATOR within {within:?}").into());
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// The connect string: one group per server.
    fn connect_string(&self) -> String {
        self.dso
            .iter()
            .map(|p| format!("127.0.0.1:{p}"))
            .collect::<Vec<_>>()
            .join(";")
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        for c in &mut self.children {
            let _ = c.kill();
            let _ = c.wait();
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// `clients` clients on `cluster`, each with a lock of its own (spread evenly over the stripes)
/// and a counter created under it (so on the lock's stripe).
async fn clients_on(
    cluster: &Cluster,
    clients: usize,
    stripes: usize,
) -> Res<Vec<(Client, LockId, kiln::ObjectId)>> {
    let mut out = Vec::new();
    let mut names = (0..).map(|i| format!("stripe-bench-{i}"));
    for k in 0..clients {
        let want = u8::try_from(k % stripes).unwrap_or(0);
        let name = names
            .by_ref()
            .find(|n| name_stripe(n, stripes) == want)
            .ok_or("no lock name for a stripe")?;
        let c = ClientBuilder::from_connect_string(&cluster.connect_string())
            .name(format!("stripe-bench-{k}"))
            .connect()
            .await?;
        let lock = LockId::Named(name);
        let mut tx = c.lock(lock.clone(), LockLevel::Write).await?;
        let oid = tx.create(ObjectState::physical("bench.Counter"))?;
        tx.set_field(oid, "bench.Counter", "n", Value::I64(0))?;
        tx.commit().await?;
        c.flush().await?;
        out.push((c, lock, oid));
    }
    Ok(out)
}

/// The figure: 8 clients, 2 stripes vs 1 stripe, same run.
pub(crate) async fn stripes(bin: &Path, secs: f64, rep: &mut Report) -> Res<()> {
    const CLIENTS: usize = 8;
    let pinned = crate::which("taskset").is_ok();
    // Baseline first, then the striped cluster, then the baseline again (averaged): machine
    // noise over the run hits both alike.
    let mut one = Vec::new();
    let mut two = Vec::new();
    for round in 0..3 {
        if round % 2 == 0 {
            let c = Cluster::start(bin, &["0,1"], false)?;
            let cl = clients_on(&c, CLIENTS, 1).await?;
            let (rate, keep) = txn_run(cl, secs).await?;
            for k in keep {
                k.close().await?;
            }
            one.push(rate);
        } else {
            let c = Cluster::start(bin, &["0", "1"], true)?;
            let cl = clients_on(&c, CLIENTS, 2).await?;
            let (rate, keep) = txn_run(cl, secs).await?;
            for k in keep {
                k.close().await?;
            }
            two.push(rate);
        }
    }
    let one = one.iter().sum::<f64>() / one.len() as f64;
    let two = two.iter().sum::<f64>() / two.len() as f64;
    let method = if pinned {
        "servers taskset -c 0 / -c 1 vs one server -c 0,1"
    } else {
        "taskset not found: servers unpinned"
    };
    rep.add(
        &format!("committed txn/s, 8 clients, stripe-local, 2 stripes ({method})"),
        fmt_rate(two),
        format!("1 stripe {}", fmt_rate(one)),
        format!("{:.2}x", two / one),
        ">= 1.6x",
    );
    Ok(())
}

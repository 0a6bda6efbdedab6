//! Mirror-group figures (issue #12): committed txn/s of 8 clients doing stripe-local
//! transactions over 2 stripes against 1 stripe, measured in the same run (goal ≥ 1.6×); and
//! the failover of one stripe seen from the other stripe's client (goal: no pause).
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
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use parking_lot::Mutex;

use kiln::{Client, ClientBuilder, LockId, LockLevel, ObjectState, Value};
use kiln_protocol::stripe::name_stripe;

use crate::cpushare::CpuShare;
use crate::{fmt_dur, fmt_rate, free_port, http, txn_run, Report, Res};

/// Servers of one cluster, killed and removed on drop.
struct Cluster {
    dir: PathBuf,
    cfg: PathBuf,
    /// Server indexes of each group (stripe), in order.
    groups: Vec<Vec<usize>>,
    dso: Vec<u16>,
    jmx: Vec<u16>,
    children: Vec<Option<Child>>,
    /// The servers' fixed CPU shares, if any (removed after the servers are killed).
    _shares: Vec<CpuShare>,
}

impl Cluster {
    /// `groups[g][k]`: the `taskset -c` list of group `g`'s `k`-th server. Several groups are
    /// `<mirror-group>`s (stripes); one group is plain `<server>`s.
    fn start(bin: &Path, groups: &[&[&str]], persistent: bool) -> Res<Cluster> {
        Cluster::start_shared(bin, groups, persistent, None)
    }

    /// As [`Cluster::start`]; with `share = Some(cores)` every server runs unpinned in a
    /// cgroup of its own limited to `cores` cores (`cpushare`) instead of under `taskset`.
    fn start_shared(
        bin: &Path,
        groups: &[&[&str]],
        persistent: bool,
        share: Option<f64>,
    ) -> Res<Cluster> {
        let persistence = if persistent {
            "<persistence><mode>permanent-store</mode></persistence>"
        } else {
            ""
        };
        let n: usize = groups.iter().map(|g| g.len()).sum();
        let striped = groups.len() > 1;
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
        let server = |i: usize| {
            format!(
                "<server host=\"127.0.0.1\" name=\"s{i}\" bind=\"127.0.0.1\"><data>{d}/s{i}/data</data>\
                 <logs>{d}/s{i}/logs</logs><dso-port>{}</dso-port><jmx-port>{}</jmx-port>\
                 <l2-group-port>{}</l2-group-port><dso>{persistence}<garbage-collection><enabled>false</enabled>\
                 </garbage-collection></dso></server>",
                ports[3 * i],
                ports[3 * i + 1],
                ports[3 * i + 2],
                d = dir.display()
            )
        };
        let mut members = Vec::new();
        let mut pins = Vec::new();
        let mut servers = String::new();
        for (g, list) in groups.iter().enumerate() {
            let ids: Vec<usize> = (pins.len()..pins.len() + list.len()).collect();
            pins.extend(list.iter().copied());
            let body: String = ids.iter().map(|&i| server(i)).collect();
            if striped {
                servers.push_str(&format!(
                    "<mirror-group group-name=\"stripe-{g}\" election-time=\"1\">{body}</mirror-group>"
                ));
            } else {
                servers.push_str(&body);
            }
            members.push(ids);
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
        let taskset = crate::which("taskset").ok().filter(|_| share.is_none());
        let mut children: Vec<Option<Child>> = Vec::new();
        let mut shares = Vec::new();
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
            let mut child = cmd.spawn()?;
            if let Some(cores) = share {
                let placed = CpuShare::new(
                    &format!("kiln-bench-{}-{}-s{i}", std::process::id(), ports[0]),
                    cores,
                )
                .and_then(|g| g.add(child.id()).map(|()| g));
                match placed {
                    Ok(g) => shares.push(g),
                    Err(e) => {
                        let _ = child.kill();
                        let _ = child.wait();
                        for c in children.iter_mut().flatten() {
                            let _ = c.kill();
                            let _ = c.wait();
                        }
                        let _ = std::fs::remove_dir_all(&dir);
                        return Err(e);
                    }
                }
            }
            children.push(Some(child));
        }
        let c = Cluster {
            dir,
            cfg,
            groups: members,
            dso: (0..n).map(|i| ports[3 * i]).collect(),
            jmx: (0..n).map(|i| ports[3 * i + 1]).collect(),
            children,
            _shares: shares,
        };
        for g in 0..c.groups.len() {
            c.wait_group(g, Duration::from_secs(60))?;
        }
        Ok(c)
    }

    fn state(&self, i: usize) -> Option<String> {
        let body = http(self.jmx[i], "GET", "/status").ok()?;
        let key = "\"state\":\"";
        let at = body.find(key)? + key.len();
        Some(body[at..].split('"').next()?.to_owned())
    }

    /// Waits until group `g` has its active and every other member is PASSIVE-STANDBY; the
    /// active's index.
    fn wait_group(&self, g: usize, within: Duration) -> Res<usize> {
        let t = Instant::now();
        loop {
            let states: Vec<Option<String>> =
                self.groups[g].iter().map(|&i| self.state(i)).collect();
            let active = states
                .iter()
                .position(|s| s.as_deref() == Some("ACTIVE-COORDINATOR"));
            if let Some(a) = active {
                if states
                    .iter()
                    .enumerate()
                    .all(|(k, s)| k == a || s.as_deref() == Some("PASSIVE-STANDBY"))
                {
                    return Ok(self.groups[g][a]);
                }
            }
            if t.elapsed() > within {
                return Err(format!("group {g} not ready within {within:?}: {states:?}").into());
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn kill(&mut self, i: usize) {
        if let Some(mut c) = self.children[i].take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// The connect string: `,` between a group's servers, `;` between groups.
    fn connect_string(&self) -> String {
        self.groups
            .iter()
            .map(|g| {
                g.iter()
                    .map(|&i| format!("127.0.0.1:{}", self.dso[i]))
                    .collect::<Vec<_>>()
                    .join(",")
            })
            .collect::<Vec<_>>()
            .join(";")
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        for i in 0..self.children.len() {
            self.kill(i);
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

/// Committed txn/s of 8 clients on 1 stripe and on 2 stripes, interleaved (1, 2, 1: machine
/// noise over the run hits both alike; the two 1-stripe rounds are averaged). `share`: each
/// server's fixed CPU share in cores (else the `taskset` pinning of the module comment).
async fn one_vs_two(bin: &Path, secs: f64, share: Option<f64>) -> Res<(f64, f64)> {
    const CLIENTS: usize = 8;
    let mut one = Vec::new();
    let mut two = Vec::new();
    for round in 0..3 {
        let (groups, stripes): (&[&[&str]], usize) = if round % 2 == 0 {
            (&[&["0,1"]], 1)
        } else {
            (&[&["0"], &["1"]], 2)
        };
        let c = Cluster::start_shared(bin, groups, false, share)?;
        let cl = clients_on(&c, CLIENTS, stripes).await?;
        let (rate, keep) = txn_run(cl, secs).await?;
        for k in keep {
            k.close().await?;
        }
        if stripes == 1 {
            one.push(rate);
        } else {
            two.push(rate);
        }
    }
    let one = one.iter().sum::<f64>() / one.len() as f64;
    let two = two.iter().sum::<f64>() / two.len() as f64;
    Ok((one, two))
}

/// Each server's fixed CPU share in the second figure, in cores.
const SERVER_SHARE: f64 = 0.5;

/// The figures: 8 clients, 2 stripes vs 1 stripe, same run — once with the servers pinned
/// (`taskset`: the baseline's server gets both cores, each stripe's server one), once with
/// every server given the same fixed CPU share (`SERVER_SHARE` cores, a cgroup CPU quota: the
/// method the issue names for a 2-core machine; the 8 clients keep the rest of the machine in
/// both cases).
pub(crate) async fn stripes(bin: &Path, secs: f64, rep: &mut Report) -> Res<()> {
    let pinned = crate::which("taskset").is_ok();
    let (one, two) = one_vs_two(bin, secs, None).await?;
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
    let name = format!(
        "committed txn/s, 8 clients, stripe-local, 2 stripes (every server a fixed {SERVER_SHARE}-core share: cgroup CPU quota)"
    );
    match one_vs_two(bin, secs, Some(SERVER_SHARE)).await {
        Ok((one, two)) => rep.add(
            &name,
            fmt_rate(two),
            format!("1 stripe {}", fmt_rate(one)),
            format!("{:.2}x", two / one),
            ">= 1.6x",
        ),
        Err(e) => rep.add(
            &name,
            format!("not measured: {e}"),
            "-".into(),
            "-".into(),
            ">= 1.6x",
        ),
    }
    Ok(())
}

/// The longest gap between consecutive instants of `acks` inside `[from, to]` (the instants
/// just outside count as the window's ends).
fn longest_gap(acks: &[Instant], from: Instant, to: Instant) -> Duration {
    let mut prev = from;
    let mut worst = Duration::ZERO;
    for &t in acks.iter().filter(|&&t| t > from) {
        worst = worst.max(t - prev);
        prev = t;
        if t > to {
            break;
        }
    }
    worst
}

/// One transaction of the failover figure: when it began, when its commit was acknowledged.
type Span = (Instant, Instant);

/// The failover figure: two mirror groups of two servers; a `SyncWrite` client per stripe
/// commits stripe-local transactions; kill -9 of stripe 1's active. Reported: stripe 0's commit
/// rate (and longest gap between acknowledgements) from the kill to stripe 1's first commit
/// after it, against the same in a window of the same length right before the kill (same run),
/// and stripe 1's pause. A failure is
/// reported as the figure (the other figures still run).
pub(crate) async fn failover(bin: &Path, quick: bool, rep: &mut Report) -> Res<()> {
    if let Err(e) = failover_run(bin, quick, rep).await {
        rep.add(
            "kill -9 of one stripe's active: the other stripe's SyncWrite commits/s during the failover",
            format!("FAILED: {e}"),
            "-".into(),
            "-".into(),
            "no pause: ~1x, gap << stripe 1's pause",
        );
    }
    Ok(())
}

async fn failover_run(bin: &Path, quick: bool, rep: &mut Report) -> Res<()> {
    // Persistent groups (permanent-store), as the failover test: the new active takes the
    // clients back from its replicated state.
    let mut cluster = Cluster::start(bin, &[&["0,1", "0,1"], &["0,1", "0,1"]], true)?;
    let active1 = cluster.wait_group(1, Duration::from_secs(60))?;
    let mut names = (0..).map(|i| format!("stripe-failover-{i}"));
    let acks: Arc<[Mutex<Vec<Span>>; 2]> = Arc::new([Mutex::default(), Mutex::default()]);
    let stop = Arc::new(AtomicBool::new(false));
    let mut tasks = Vec::new();
    for s in 0..2u8 {
        let lock = LockId::Named(
            names
                .by_ref()
                .find(|n| name_stripe(n, 2) == s)
                .ok_or("no lock name for a stripe")?,
        );
        let c = ClientBuilder::from_config_file(&cluster.cfg)?
            .name(format!("stripe-failover-{s}"))
            .connect()
            .await?;
        let mut tx = c.lock(lock.clone(), LockLevel::SyncWrite).await?;
        let oid = tx.create(ObjectState::physical("bench.Counter"))?;
        tx.set_field(oid, "bench.Counter", "n", Value::I64(0))?;
        tx.commit().await?;
        let (acks, stop) = (acks.clone(), stop.clone());
        tasks.push(tokio::spawn(async move {
            let mut n = 0i64;
            while !stop.load(Ordering::Relaxed) {
                let began = Instant::now();
                let mut tx = c.lock(lock.clone(), LockLevel::SyncWrite).await?;
                n += 1;
                tx.set_field(oid, "bench.Counter", "n", Value::I64(n))?;
                tx.commit().await?;
                acks[usize::from(s)].lock().push((began, Instant::now()));
            }
            c.close().await?;
            Ok::<(), kiln::Error>(())
        }));
    }
    tokio::time::sleep(Duration::from_secs_f64(if quick { 0.5 } else { 2.0 })).await;
    let killed = Instant::now();
    cluster.kill(active1);
    // Stripe 1 has resumed with the first transaction that began after the server was dead
    // (one begun before may be acknowledged just after the kill: its answer was on its way).
    let dead = Instant::now();
    let resumed = loop {
        if let Some(&(_, t)) = acks[1].lock().iter().rev().find(|&&(b, _)| b > dead) {
            break t;
        }
        if killed.elapsed() > Duration::from_secs(60) {
            return Err("stripe 1 did not resume within 60 s of the kill".into());
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    };
    tokio::time::sleep(Duration::from_millis(300)).await;
    stop.store(true, Ordering::Relaxed);
    for t in tasks {
        t.await??;
    }
    let a0: Vec<Instant> = acks[0].lock().iter().map(|&(_, t)| t).collect();
    let a1 = acks[1].lock().clone();
    let last1 = a1
        .iter()
        .rev()
        .map(|&(_, t)| t)
        .find(|&t| t <= dead)
        .unwrap_or(killed);
    let first1 = a1
        .iter()
        .find(|&&(b, _)| b > dead)
        .map_or(resumed, |&(_, t)| t);
    let pause = first1 - last1;
    let window = first1 - killed;
    let during = longest_gap(&a0, killed, first1);
    // The same length before the kill, but not before stripe 0's first acknowledgement.
    let start = killed.checked_sub(window).unwrap_or(killed);
    let start = a0.first().map_or(start, |&f| start.max(f));
    let before = longest_gap(&a0, start, killed);
    let commits_during = a0.iter().filter(|&&t| t > killed && t <= first1).count();
    let commits_before = a0.iter().filter(|&&t| t > start && t <= killed).count();
    let rate = |n: usize, d: Duration| n as f64 / d.as_secs_f64().max(1e-9);
    let during_rate = rate(commits_during, first1 - killed);
    let before_rate = rate(commits_before, killed - start);
    rep.add(
        "kill -9 of one stripe's active: the other stripe's SyncWrite commits/s during the failover",
        format!(
            "{} (longest gap {}; stripe 1 paused {})",
            fmt_rate(during_rate),
            fmt_dur(during),
            fmt_dur(pause)
        ),
        format!(
            "as long a window right before the kill {} (longest gap {})",
            fmt_rate(before_rate),
            fmt_dur(before)
        ),
        format!("{:.2}x", during_rate / before_rate.max(1e-9)),
        "no pause: ~1x, gap << stripe 1's pause",
    );
    Ok(())
}

/// Cross-stripe transaction latency (issue #12, step 3): one client, two one-server stripes
/// (pinned as in [`stripes`]); each sample is one `Write` transaction under a lock of stripe 0
/// changing an object of each stripe (two-phase commit, protocol.md §9.12: `Prepare` on
/// both and `Commit` at the coordinator at once; the coordinator decides on the participant's
/// vote and answers), timed from `lock` to the end of `commit`; the baseline is the `Ping` round trip of the same connection (stripe 0), in
/// the same run, interleaved with the samples. Goal: p50 ≤ 2 RTT.
pub(crate) async fn cross_latency(bin: &Path, quick: bool, rep: &mut Report) -> Res<()> {
    let cluster = Cluster::start(bin, &[&["0"], &["1"]], false)?;
    let c = ClientBuilder::from_connect_string(&cluster.connect_string())
        .name("stripe-cross-bench")
        .connect()
        .await?;
    let mut names = (0..).map(|i| format!("stripe-cross-{i}"));
    let mut lock_on = |s: u8| {
        names
            .by_ref()
            .find(|n| name_stripe(n, 2) == s)
            .map(LockId::Named)
            .ok_or("no lock name for a stripe")
    };
    let (bank, other) = (lock_on(0)?, lock_on(1)?);
    let mut cells = Vec::new();
    for lock in [&bank, &other] {
        let mut tx = c.lock(lock.clone(), LockLevel::Write).await?;
        let oid = tx.create(ObjectState::physical("bench.Account"))?;
        tx.set_field(oid, "bench.Account", "n", Value::I64(0))?;
        tx.commit().await?;
        cells.push(oid);
    }
    c.flush().await?;
    let n = if quick { 200 } else { 2_000 };
    let mut lat = Vec::with_capacity(n);
    let mut rtt = Vec::with_capacity(n);
    let s0 = c.stripe_client(0).ok_or("no stripe 0")?;
    for i in 0..n {
        rtt.push(s0.ping().await?);
        let t = Instant::now();
        let mut tx = c.lock(bank.clone(), LockLevel::Write).await?;
        tx.set_field(cells[0], "bench.Account", "n", Value::I64(i as i64))?;
        tx.set_field(cells[1], "bench.Account", "n", Value::I64(-(i as i64)))?;
        tx.commit().await?;
        lat.push(t.elapsed());
    }
    c.close().await?;
    lat.sort_unstable();
    rtt.sort_unstable();
    let p = |v: &[Duration], q: f64| v[((v.len() - 1) as f64 * q) as usize];
    let (p50, p99, r50) = (p(&lat, 0.5), p(&lat, 0.99), p(&rtt, 0.5));
    rep.add(
        "cross-stripe transaction latency p50 (2 stripes, two-phase commit; p99 in value)",
        format!("{} (p99 {})", fmt_dur(p50), fmt_dur(p99)),
        format!("ping RTT p50 {}", fmt_dur(r50)),
        format!("{:.2} RTT", p50.as_secs_f64() / r50.as_secs_f64().max(1e-9)),
        "<= 2 RTT",
    );
    Ok(())
}

/// The `dgc` figure: the distributed GC of one heap — `objects` objects, half of them garbage,
/// every 10th referring to a live chain of another stripe — in one stripe, and spread over two
/// (the cluster DGC: epochs, mark rounds between the stripes, one sweep each). Reported: the
/// wall time of `POST /dgc` (on stripe 0's active, which coordinates) and the longest pause a
/// stripe's state lock took (its marks and its sweep, `/status` `last_dgc`), against the same
/// for one stripe, same run. Context figure (the issue names no goal): each stripe pauses for
/// its own part of the heap, and the rounds between the stripes cost wall time.
pub(crate) async fn dgc(bin: &Path, quick: bool, rep: &mut Report) -> Res<()> {
    let objects = if quick { 10_000 } else { 100_000 };
    let mut runs = Vec::new();
    for stripes in [1usize, 2] {
        let groups: &[&[&str]] = if stripes == 1 {
            &[&["0,1"]]
        } else {
            &[&["0"], &["1"]]
        };
        let c = Cluster::start(bin, groups, false)?;
        load_garbage(&c, stripes, objects).await?;
        let t = Instant::now();
        let body = http(c.jmx[c.groups[0][0]], "POST", "/dgc")?;
        let wall = t.elapsed();
        let mut pause = Duration::ZERO;
        let mut removed = 0u64;
        for g in &c.groups {
            let status = http(c.jmx[g[0]], "GET", "/status")?;
            let field = |name: &str| -> u64 {
                let key = format!("\"{name}\":");
                status
                    .find("\"last_dgc\":")
                    .and_then(|at| status[at..].find(&key).map(|k| at + k + key.len()))
                    .and_then(|v| {
                        status[v..]
                            .split(|ch: char| !ch.is_ascii_digit())
                            .next()
                            .and_then(|d| d.parse().ok())
                    })
                    .unwrap_or(0)
            };
            pause = pause.max(Duration::from_micros(
                field("mark_micros") + field("sweep_micros"),
            ));
            removed += field("removed");
        }
        if removed != (objects / 2) as u64 {
            return Err(format!(
                "DGC over {stripes} stripe(s) removed {removed} objects, expected {} ({body})",
                objects / 2
            )
            .into());
        }
        runs.push((wall, pause));
    }
    let (w1, p1) = runs[0];
    let (w2, p2) = runs[1];
    rep.add(
        &format!(
            "DGC of {objects} objects (half garbage) over 2 stripes: wall time (longest stripe pause)"
        ),
        format!("{} ({})", fmt_dur(w2), fmt_dur(p2)),
        format!("1 stripe {} ({})", fmt_dur(w1), fmt_dur(p1)),
        format!(
            "{:.2}x wall, {:.2}x pause",
            w2.as_secs_f64() / w1.as_secs_f64().max(1e-9),
            p2.as_secs_f64() / p1.as_secs_f64().max(1e-9)
        ),
        "context: pause per stripe ~ its share",
    );
    Ok(())
}

/// `objects` objects in chains of 250 created under a lock of each stripe in turn; every other
/// chain is hung from a root map of its stripe (live), the rest is garbage; every 10th object
/// refers to the head of the last live chain (of the other stripe when there are two).
async fn load_garbage(c: &Cluster, stripes: usize, objects: usize) -> Res<()> {
    const CLASS: &str = "bench.Node";
    let client = ClientBuilder::from_connect_string(&c.connect_string())
        .name("dgc-load")
        .connect()
        .await?;
    let on = |prefix: &str, s: usize| {
        (0..1000)
            .map(|i| format!("{prefix}-{i}"))
            .find(|n| usize::from(name_stripe(n, stripes)) == s)
            .ok_or("no name for a stripe")
    };
    let mut maps = Vec::new();
    let mut locks = Vec::new();
    for s in 0..stripes {
        maps.push(client.map(&on("dgc-root", s)?).await?);
        locks.push(LockId::Named(on("dgc-lock", s)?));
    }
    let mut other: Option<kiln::ObjectId> = None;
    for batch in 0..objects / 250 / stripes {
        for s in 0..stripes {
            client.reserve_ids(300).await?;
            let mut tx = client.lock(locks[s].clone(), LockLevel::Write).await?;
            let mut next: Option<kiln::ObjectId> = None;
            for k in 0..250 {
                let n = tx.create(ObjectState::physical(CLASS))?;
                if let Some(x) = next {
                    tx.set_field(n, CLASS, "next", Value::Ref(x))?;
                }
                if let (0, Some(o)) = (k % 10, other) {
                    tx.set_field(n, CLASS, "other", Value::Ref(o))?;
                }
                next = Some(n);
            }
            let head = next.ok_or("empty chain")?;
            if batch % 2 == 0 {
                maps[s].put(&mut tx, format!("b{batch}"), head)?;
            }
            tx.commit().await?;
            if batch % 2 == 0 {
                other = Some(head);
            }
        }
    }
    client.flush().await?;
    client.close().await?;
    Ok(())
}

//! HA figures (issue #11): a two-server group (`networked-active-passive`, election time 1 s)
//! of real `kiln-server` processes on loopback.
//! - replicated committed txn/s, 4 clients, one PASSIVE-STANDBY, against the single in-memory
//!   server's rate measured in the same run (goal ≥ 0.5×);
//! - synchronous-write latency (commit + acknowledgement) with one standby minus the same without
//!   one, against the loopback RTT of the same run (goal ≤ 1 RTT). The RTT baseline is a ping
//!   over the same kind of connection the added hop takes: loopback TCP (`TCP_NODELAY`) from this
//!   process to the bench's echo server in a *separate process*, both ends on tokio, one 8-byte
//!   request per round trip, sampled interleaved with the sync writes (one echo round trip before
//!   each write, alone and with the standby), so machine noise hits both alike;
//! - passive sync of N small objects while the active serves: MB/s and time to
//!   PASSIVE-STANDBY (goals ≥ 200 MB/s, 1M objects in < 3 s);
//! - failover pause after `kill -9` of the active: last acknowledgement before to the first
//!   after, at the client (goal ≤ 1.5 s), and the acknowledged writes lost (goal 0).

use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use kiln::{Client, ClientBuilder, Field, LockId, LockLevel, ObjectData, ObjectState, Value};
use parking_lot::Mutex;

use crate::{fmt_dur, fmt_rate, free_port, http, percentile, txn_run, Report, Res};

/// A two-server group; every process killed and the directory removed on drop.
struct Pair {
    bin: PathBuf,
    dir: PathBuf,
    cfg: PathBuf,
    dso: [u16; 2],
    jmx: [u16; 2],
    child: [Option<Child>; 2],
}

impl Pair {
    fn new(bin: &Path, persistent: bool) -> Res<Pair> {
        let persistence = if persistent {
            "<persistence><mode>permanent-store</mode></persistence>"
        } else {
            ""
        };
        let mut p = [0u16; 6];
        for x in &mut p {
            *x = free_port()?;
        }
        let dir =
            std::env::temp_dir().join(format!("kiln-bench-ha-{}-{}", std::process::id(), p[0]));
        std::fs::create_dir_all(&dir)?;
        let mut servers = String::new();
        for i in 0..2 {
            servers.push_str(&format!(
                "<server host=\"127.0.0.1\" name=\"s{n}\" bind=\"127.0.0.1\"><data>{d}/s{n}/data</data>\
                 <logs>{d}/s{n}/logs</logs><dso-port>{}</dso-port><jmx-port>{}</jmx-port>\
                 <l2-group-port>{}</l2-group-port><dso>{persistence}<garbage-collection><enabled>false</enabled>\
                 </garbage-collection></dso></server>",
                p[3 * i],
                p[3 * i + 1],
                p[3 * i + 2],
                n = i + 1,
                d = dir.display()
            ));
        }
        let cfg = dir.join("tc-config.xml");
        std::fs::write(
            &cfg,
            format!(
                "<tc-config><servers>{servers}<ha><mode>networked-active-passive</mode>\
                 <networked-active-passive><election-time>1</election-time></networked-active-passive>\
                 </ha></servers></tc-config>"
            ),
        )?;
        Ok(Pair {
            bin: bin.to_path_buf(),
            dir,
            cfg,
            dso: [p[0], p[3]],
            jmx: [p[1], p[4]],
            child: [None, None],
        })
    }
    fn start(&mut self, i: usize) -> Res<()> {
        let log = std::fs::File::create(self.dir.join(format!("s{}.out", i + 1)))?;
        let c = Command::new(&self.bin)
            .arg("-f")
            .arg(&self.cfg)
            .arg("-n")
            .arg(format!("s{}", i + 1))
            .stdout(Stdio::null())
            .stderr(Stdio::from(log))
            .spawn()?;
        self.child[i] = Some(c);
        Ok(())
    }
    fn kill(&mut self, i: usize) {
        if let Some(mut c) = self.child[i].take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
    fn state(&self, i: usize) -> Option<String> {
        TcpStream::connect(("127.0.0.1", self.jmx[i])).ok()?;
        let body = http(self.jmx[i], "GET", "/status").ok()?;
        let key = "\"state\":\"";
        let at = body.find(key)? + key.len();
        Some(body[at..].split('"').next()?.to_owned())
    }
    fn status(&self, i: usize) -> Res<String> {
        http(self.jmx[i], "GET", "/status")
    }
    async fn wait_state(&self, i: usize, want: &str, within: Duration) -> Res<Duration> {
        let t = Instant::now();
        while self.state(i).as_deref() != Some(want) {
            if t.elapsed() > within {
                return Err(format!("s{} not {want} within {within:?}", i + 1).into());
            }
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        Ok(t.elapsed())
    }
    /// Waits until the active `a` reports a PASSIVE-STANDBY.
    async fn wait_standby(&self, a: usize, within: Duration) -> Res<Duration> {
        let t = Instant::now();
        while !self
            .status(a)?
            .contains("\"passives\":[{\"name\":\"s2\",\"state\":\"PASSIVE-STANDBY\"")
        {
            if t.elapsed() > within {
                return Err("no PASSIVE-STANDBY".into());
            }
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        Ok(t.elapsed())
    }
    fn addrs(&self) -> Vec<String> {
        self.dso.iter().map(|p| format!("127.0.0.1:{p}")).collect()
    }
    async fn client(&self, name: &str) -> Res<Client> {
        Ok(ClientBuilder::new(self.addrs())
            .name(name)
            .connect_deadline(Duration::from_secs(20))
            .retry_wait(Duration::from_millis(5))
            .reconnect(true)
            .reconnect_interval(Duration::from_millis(5))
            .reconnect_timeout(Duration::from_secs(60))
            .id_batch(100_000)
            .connect()
            .await?)
    }
}

impl Drop for Pair {
    fn drop(&mut self) {
        self.kill(0);
        self.kill(1);
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

async fn own_clients(p: &Pair, k: usize) -> Res<Vec<(Client, LockId, kiln::ObjectId)>> {
    let mut v = Vec::new();
    for i in 0..k {
        let c = p.client(&format!("ha-txn-{i}")).await?;
        let lock = LockId::Named(format!("ha-own-{i}"));
        let mut tx = c.lock(lock.clone(), LockLevel::Write).await?;
        let oid = tx.create(ObjectState::physical("bench.Counter"))?;
        tx.commit().await?;
        c.flush().await?;
        v.push((c, lock, oid));
    }
    Ok(v)
}

/// p50 of a synchronous write (commit + wait for its acknowledgement); one echo round trip is
/// taken before each write and pushed to `rtts`.
async fn sync_write_p50(
    c: &Client,
    n: usize,
    echo: &mut crate::Echo,
    rtts: &mut Vec<Duration>,
) -> Res<Duration> {
    let lock = LockId::Named("ha-sync".into());
    let mut tx = c.lock(lock.clone(), LockLevel::Write).await?;
    let oid = tx.create(ObjectState::physical("bench.Counter"))?;
    tx.commit().await?;
    c.flush().await?;
    let mut d = Vec::with_capacity(n);
    for i in 0..n {
        rtts.push(echo.rtt().await?);
        let t = Instant::now();
        let mut tx = c.lock(lock.clone(), LockLevel::SyncWrite).await?;
        tx.set_field(oid, "bench.Counter", "n", Value::I64(i as i64))?;
        tx.commit().await?;
        d.push(t.elapsed());
    }
    d.sort();
    Ok(percentile(&d, 0.5))
}

fn small(i: u64) -> ObjectState {
    let mut data = vec![0u8; 55];
    let mut x = i.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
    for b in &mut data {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        *b = x as u8;
    }
    ObjectState {
        class: "bench.Small".into(),
        data: ObjectData::Physical(vec![Field {
            class: "bench.Small".into(),
            name: "v".into(),
            value: Value::Bytes(data),
        }]),
    }
}

/// The HA figures; `single_4` is the single-server in-memory 4-client txn/s of this run.
pub(crate) async fn ha(
    bin: &Path,
    secs: f64,
    quick: bool,
    single_4: Option<f64>,
    rep: &mut Report,
) -> Res<()> {
    let mut echo = crate::Echo::subprocess().await?;
    let mut rtts = Vec::new();
    let mut p = Pair::new(bin, false)?;
    p.start(0)?;
    p.wait_state(0, "ACTIVE-COORDINATOR", Duration::from_secs(20))
        .await?;
    let samples = if quick { 200 } else { 3000 };
    let c = p.client("ha-sync").await?;
    // Passive sync of N objects while the active serves.
    let n: u64 = if quick { 50_000 } else { 1_000_000 };
    let loader = p.client("ha-populate").await?;
    let lock = LockId::Named("ha-populate".into());
    let mut done = 0;
    while done < n {
        let k = (n - done).min(1000);
        loader.reserve_ids(k).await?;
        let mut tx = loader.lock(lock.clone(), LockLevel::Concurrent).await?;
        for i in 0..k {
            tx.create(small(done + i))?;
        }
        tx.commit().await?;
        done += k;
    }
    loader.flush().await?;
    // Synchronous write without, then (below) with, a standby: same active, same client, same
    // graph, right before the standby joins.
    let alone = sync_write_p50(&c, samples, &mut echo, &mut rtts).await?;
    p.start(1)?;
    p.wait_state(1, "INITIALIZING", Duration::from_secs(20))
        .await
        .ok();
    let t0 = Instant::now();
    p.wait_state(1, "PASSIVE-STANDBY", Duration::from_secs(120))
        .await?;
    let to_standby = t0.elapsed();
    let st = p.status(1)?;
    let num = |key: &str| -> Option<f64> {
        let k = format!("\"{key}\":");
        let at = st.rfind(&k)? + k.len();
        st[at..].split([',', '}']).next()?.parse().ok()
    };
    let (bytes, sync_secs) = (num("bytes").unwrap_or(0.0), num("secs").unwrap_or(0.0));
    let mbps = bytes / 1e6 / sync_secs.max(1e-6);
    rep.add(
        &format!("passive sync while serving: {n} objects, MB/s (INITIALIZING)"),
        format!("{mbps:.0} MB/s ({:.1} MB in {sync_secs:.2} s)", bytes / 1e6),
        "goal 200 MB/s".into(),
        format!("{:.2}x goal", mbps / 200.0),
        ">= 200 MB/s",
    );
    rep.add(
        &format!("passive sync: {n} objects to PASSIVE-STANDBY"),
        fmt_dur(to_standby),
        "goal 3 s for 1M objects".into(),
        format!(
            "{:.2}x goal",
            to_standby.as_secs_f64() / (3.0 * n as f64 / 1e6)
        ),
        "< 3 s per 1M",
    );
    p.wait_standby(0, Duration::from_secs(20)).await?;
    let with = sync_write_p50(&c, samples, &mut echo, &mut rtts).await?;
    let added = with.saturating_sub(alone);
    rtts.sort();
    let rtt = percentile(&rtts, 0.5);
    rep.add(
        "synchronous write p50 added by one standby",
        format!(
            "{} ({} vs {} alone)",
            fmt_dur(added),
            fmt_dur(with),
            fmt_dur(alone)
        ),
        format!(
            "cross-process loopback RTT p50 {} (interleaved)",
            fmt_dur(rtt)
        ),
        format!("{:.2}x RTT", added.as_secs_f64() / rtt.as_secs_f64()),
        "<= 1 RTT",
    );
    // Replicated txn/s, 4 clients.
    let clients = own_clients(&p, 4).await?;
    let (rate, clients) = txn_run(clients, secs).await?;
    for c in clients {
        let _ = c.close().await;
    }
    let (base, ratio) = match single_4 {
        Some(s) => (
            format!("single in-memory server {}", fmt_rate(s)),
            format!("{:.2}x", rate / s),
        ),
        None => ("(run with txn for the baseline)".into(), "-".into()),
    };
    rep.add(
        "replicated committed txn/s, 4 clients, one PASSIVE-STANDBY",
        fmt_rate(rate),
        base,
        ratio,
        ">= 0.5x single",
    );
    // Durable and replicated: a persistent group, 4 clients.
    {
        let mut d = Pair::new(bin, true)?;
        d.start(0)?;
        d.wait_state(0, "ACTIVE-COORDINATOR", Duration::from_secs(20))
            .await?;
        d.start(1)?;
        d.wait_standby(0, Duration::from_secs(30)).await?;
        let clients = own_clients(&d, 4).await?;
        let (rate, clients) = txn_run(clients, secs).await?;
        for c in clients {
            let _ = c.close().await;
        }
        rep.add(
            "durable + replicated committed txn/s, 4 clients (permanent-store group, one standby)",
            fmt_rate(rate),
            "goal 250,000/s".into(),
            format!("{:.2}x goal", rate / 250_000.0),
            ">= 250,000/s",
        );
    }
    // Failover pause: a writer acknowledging continuously; kill -9 of the active.
    let acks: Arc<Mutex<Vec<Instant>>> = Arc::new(Mutex::new(Vec::new()));
    let w = p.client("ha-failover").await?;
    let list = w.list("ha-log").await?;
    let (acks2, w2) = (acks.clone(), w.clone());
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let stop2 = stop.clone();
    let writer = tokio::spawn(async move {
        let mut i = 0i64;
        let lock = LockId::Named("ha-log".into());
        let mut list = list;
        while !stop2.load(std::sync::atomic::Ordering::Relaxed) {
            let mut tx = w2.lock(lock.clone(), LockLevel::SyncWrite).await?;
            match list.add(&mut tx, i) {
                Ok(()) => {}
                // After the failover the cached list may be stale (a batch the old active
                // never acknowledged reached the standby): fault it in again.
                Err(kiln::Error::NotResident { .. }) => {
                    tx.commit().await?;
                    list = w2.list("ha-log").await?;
                    continue;
                }
                Err(e) => return Err(e),
            }
            tx.commit().await?;
            acks2.lock().push(Instant::now());
            i += 1;
        }
        Ok::<i64, kiln::Error>(i)
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    let killed = Instant::now();
    p.kill(0);
    p.wait_state(1, "ACTIVE-COORDINATOR", Duration::from_secs(20))
        .await?;
    tokio::time::sleep(Duration::from_millis(300)).await;
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let written = writer.await??;
    let a = acks.lock().clone();
    // The kill takes effect a little after `killed` (acks may still arrive until the process
    // is gone): the pause is the longest gap between consecutive acks ending after `killed`.
    let pause = a
        .windows(2)
        .filter(|w| w[1] > killed)
        .map(|w| w[1] - w[0])
        .max()
        .ok_or("no acknowledgement around the failover")?;
    let l = w.list("ha-log").await?;
    let len = l.len(&w).await? as i64;
    let lost = written - len;
    rep.add(
        "failover pause after kill -9 (election-time 1 s), longest gap between acks",
        format!(
            "{} ({lost} acknowledged writes lost of {written})",
            fmt_dur(pause)
        ),
        "election time 1 s".into(),
        format!("{:.2}x election time", pause.as_secs_f64()),
        "<= 1.5 s, 0 lost",
    );
    let _ = w.close().await;
    let _ = c.close().await;
    Ok(())
}

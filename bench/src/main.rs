//! `kiln-bench`: Kiln's benchmarks. Every figure is printed beside the baseline it is judged
//! against, measured in the same run (loopback RTT of a tiny tokio echo, a plain mutex, Redis;
//! for the durable store the fsync rate and a sequential read of the same disk).
//!
//! Run in release mode: `cargo build --release -p kiln-server -p kiln-bench && target/release/kiln-bench`.
//! `--quick` runs every benchmark briefly (a smoke test for CI; its numbers are not meaningful).
#![deny(unsafe_code)]

mod console;
mod cpushare;
mod ha;
mod storage;
mod stripes;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::BytesMut;
use clap::Parser;
use kiln::{Client, ClientBuilder, DmiCall, LockId, LockLevel, ObjectId, ObjectState, Value};
use kiln_protocol::{frame, Message, PROTOCOL_VERSION};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

type BoxError = Box<dyn std::error::Error + Send + Sync>;
type Res<T> = Result<T, BoxError>;

/// Kiln benchmarks.
#[derive(Debug, Parser)]
#[command(name = "kiln-bench", version, about)]
struct Args {
    /// Short runs (CI smoke test; numbers not meaningful).
    #[arg(long)]
    quick: bool,
    /// Run only the named benchmarks: rtt, txn, greedy, handoff, fault, dmi, capi, redis,
    /// durable, reload, memory, ha, console, stripes, dgc (repeat the flag or separate names with commas).
    #[arg(long, value_delimiter = ',')]
    only: Vec<String>,
    /// Seconds per throughput run (default 3, quick 0.3).
    #[arg(long)]
    secs: Option<f64>,
    /// Run the whole suite this many times and report, per figure, the run with the median
    /// ratio (loopback latency on a VM varies a lot from minute to minute).
    #[arg(long, default_value_t = 1)]
    repeat: usize,
    /// Path of the kiln-server binary (default: next to this binary).
    #[arg(long)]
    server_bin: Option<PathBuf>,
    /// `durable` also runs with these numbers of clients (context rows, e.g. `1,2,8,16,32`):
    /// how the rate and the grouping of syncs change with the number of connections.
    #[arg(long, value_delimiter = ',')]
    durable_clients: Vec<usize>,
    /// Directory under which servers keep their config, logs and data (persistent figures:
    /// the disk measured). Default: the system temp directory.
    #[arg(long)]
    work_dir: Option<PathBuf>,
    /// Internal: run as the out-of-process echo server (prints its port, echoes one connection).
    #[arg(long, hide = true)]
    echo_server: bool,
    /// Internal: run the Rust side of `capi` (ADDR OPS) in this process and print its rates.
    #[arg(long, hide = true, num_args = 2)]
    capi_rust_side: Vec<String>,
}

struct Row {
    name: String,
    value: String,
    baseline: String,
    ratio: String,
    goal: String,
}

#[derive(Default)]
struct Report {
    rows: Vec<Row>,
}

/// The first number in `s` (e.g. `1.62` of `"1.62x / 3.48x"`), for picking medians.
fn first_number(s: &str) -> Option<f64> {
    let start = s.find(|c: char| c.is_ascii_digit())?;
    let rest = &s[start..];
    let end = rest
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == ','))
        .unwrap_or(rest.len());
    rest[..end].replace(',', "").parse().ok()
}

impl Report {
    fn add(&mut self, name: &str, value: String, baseline: String, ratio: String, goal: &str) {
        println!("  {name}: {value}   (baseline: {baseline}; ratio {ratio}; goal {goal})");
        self.rows.push(Row {
            name: name.into(),
            value,
            baseline,
            ratio,
            goal: goal.into(),
        });
    }
    /// A latency figure (p50, p99) judged against the interleaved echo RTT p50 (goal: p50 ≤ 2×).
    fn add_latency(&mut self, name: &str, (p50, p99, rtt): (Duration, Duration, Duration)) {
        let x = |d: Duration| d.as_secs_f64() / rtt.as_secs_f64();
        self.add(
            name,
            format!("{} / {}", fmt_dur(p50), fmt_dur(p99)),
            format!("echo RTT p50 {} (interleaved)", fmt_dur(rtt)),
            format!("{:.2}x / {:.2}x", x(p50), x(p99)),
            "p50 <= 2x RTT",
        );
    }

    /// Keeps, for every figure, the row of the run with the median ratio.
    fn medians(self) -> Report {
        let mut names: Vec<String> = Vec::new();
        for r in &self.rows {
            if !names.contains(&r.name) {
                names.push(r.name.clone());
            }
        }
        let mut rows = self.rows;
        let mut out = Vec::new();
        for n in names {
            let (mut group, rest): (Vec<Row>, Vec<Row>) =
                rows.into_iter().partition(|r| r.name == n);
            rows = rest;
            group.sort_by(|a, b| {
                let key = |r: &Row| {
                    first_number(&r.ratio)
                        .or_else(|| first_number(&r.value))
                        .unwrap_or(0.0)
                };
                key(a).total_cmp(&key(b))
            });
            let mid = group.len() / 2;
            if let Some(r) = group.into_iter().nth(mid) {
                out.push(r);
            }
        }
        Report { rows: out }
    }

    fn print(&self) {
        println!();
        println!("| figure | value | baseline (same run) | ratio | goal |");
        println!("|---|---|---|---|---|");
        for r in &self.rows {
            println!(
                "| {} | {} | {} | {} | {} |",
                r.name, r.value, r.baseline, r.ratio, r.goal
            );
        }
    }
}

fn fmt_dur(d: Duration) -> String {
    let ns = d.as_nanos();
    if ns < 10_000 {
        format!("{ns} ns")
    } else if ns < 10_000_000 {
        format!("{:.1} µs", ns as f64 / 1e3)
    } else {
        format!("{:.2} ms", ns as f64 / 1e6)
    }
}

fn fmt_rate(r: f64) -> String {
    let s = format!("{:.0}", r);
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    format!("{out}/s")
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn free_port() -> Res<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

/// How the bench configures a server.
#[derive(Debug, Clone, Default)]
struct ServerOpts {
    /// `permanent-store` persistence (data in `<dir>/data`), distributed GC off (the figures
    /// create objects no root reaches), info-level log captured in `<dir>/server.log`.
    persistent: bool,
    /// Parent of the server's directory (default: the system temp directory).
    base: Option<PathBuf>,
}

/// A kiln-server child process on free loopback ports; killed on drop (its directory removed).
struct Server {
    child: Option<Child>,
    bin: PathBuf,
    port: u16,
    jmx: u16,
    dir: PathBuf,
    cfg: PathBuf,
    opts: ServerOpts,
}

impl Server {
    /// An in-memory server in the system temp directory.
    fn start(bin: &Path) -> Res<Server> {
        Server::start_opts(bin, ServerOpts::default())
    }

    fn start_opts(bin: &Path, opts: ServerOpts) -> Res<Server> {
        // Both listeners held at once: two distinct ports.
        let (a, b) = (
            std::net::TcpListener::bind("127.0.0.1:0")?,
            std::net::TcpListener::bind("127.0.0.1:0")?,
        );
        let (port, jmx) = (a.local_addr()?.port(), b.local_addr()?.port());
        drop((a, b));
        let base = opts.base.clone().unwrap_or_else(std::env::temp_dir);
        let dir = base.join(format!("kiln-bench-{}-{port}", std::process::id()));
        std::fs::create_dir_all(&dir)?;
        let cfg = dir.join("tc-config.xml");
        let dso = if opts.persistent {
            "<dso><persistence><mode>permanent-store</mode></persistence>\
             <garbage-collection><enabled>false</enabled></garbage-collection></dso>"
        } else {
            ""
        };
        std::fs::write(
            &cfg,
            format!(
                "<tc-config><servers><server host=\"127.0.0.1\" name=\"bench\" bind=\"127.0.0.1\">\
                 <data>{d}/data</data><logs>{d}/logs</logs><dso-port>{port}</dso-port><jmx-port>{jmx}</jmx-port>\
                 {dso}</server></servers></tc-config>",
                d = dir.display()
            ),
        )?;
        let mut s = Server {
            child: None,
            bin: bin.to_path_buf(),
            port,
            jmx,
            dir,
            cfg,
            opts,
        };
        s.spawn()?;
        if s.opts.persistent {
            s.wait_welcome(Instant::now())?;
        } else {
            let deadline = Instant::now() + Duration::from_secs(15);
            while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
                if Instant::now() > deadline {
                    return Err("kiln-server did not start within 15 s".into());
                }
                std::thread::sleep(Duration::from_millis(20));
            }
        }
        Ok(s)
    }

    /// Starts the process (same config, ports and directory); does not wait for it.
    fn spawn(&mut self) -> Res<()> {
        let mut cmd = Command::new(&self.bin);
        cmd.arg("-f").arg(&self.cfg).stdout(Stdio::null());
        if self.opts.persistent {
            let log = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(self.log_path())?;
            cmd.env("KILN_LOG", "info").stderr(Stdio::from(log));
        } else {
            cmd.env("KILN_LOG", "warn").stderr(Stdio::null());
        }
        let child = cmd.spawn().map_err(|e| {
            format!(
                "cannot start {}: {e} (build it: cargo build --release -p kiln-server)",
                self.bin.display()
            )
        })?;
        self.child = Some(child);
        Ok(())
    }

    /// Waits until the server answers a `Hello` with `Welcome` (a persistent server binds its
    /// ports *before* it loads the store, so a TCP connect alone says nothing). Returns the times
    /// since `since` of the first successful TCP connect and of the `Welcome`.
    fn wait_welcome(&mut self, since: Instant) -> Res<(Duration, Duration)> {
        use std::io::{Read, Write};
        let deadline = Instant::now() + Duration::from_secs(300);
        let mut sock = loop {
            match std::net::TcpStream::connect(("127.0.0.1", self.port)) {
                Ok(s) => break s,
                Err(e) => {
                    if let Some(Ok(Some(st))) = self.child.as_mut().map(Child::try_wait) {
                        return Err(format!(
                            "kiln-server exited ({st}) during start; log: {}",
                            self.log_path().display()
                        )
                        .into());
                    }
                    if Instant::now() > deadline {
                        return Err(format!("kiln-server did not listen within 300 s: {e}").into());
                    }
                    std::thread::sleep(Duration::from_millis(2));
                }
            }
        };
        let connected = since.elapsed();
        sock.set_nodelay(true)?;
        sock.write_all(&frame::to_bytes(&Message::Hello {
            protocol_version: PROTOCOL_VERSION,
            client_name: "kiln-bench-ready".into(),
            pid: std::process::id(),
            reconnect: None,
        }))?;
        sock.set_read_timeout(Some(Duration::from_millis(200)))?;
        let mut buf = BytesMut::new();
        let mut chunk = vec![0u8; 64 * 1024];
        loop {
            if let Some(n) = frame::check(&buf, frame::DEFAULT_MAX_FRAME)? {
                let f = buf.split_to(n);
                match frame::parse(&f)? {
                    Message::Welcome { .. } => break,
                    Message::Error { code, message } => {
                        return Err(format!("server refused Hello: {code:?} {message}").into())
                    }
                    _ => continue,
                }
            }
            match sock.read(&mut chunk) {
                Ok(0) => return Err("server closed the connection before Welcome".into()),
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
                Err(e)
                    if matches!(
                        e.kind(),
                        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                    ) =>
                {
                    if Instant::now() > deadline {
                        return Err("no Welcome within 300 s".into());
                    }
                    if let Some(Ok(Some(st))) = self.child.as_mut().map(Child::try_wait) {
                        return Err(format!("kiln-server exited ({st}) during start").into());
                    }
                }
                Err(e) => return Err(e.into()),
            }
        }
        let welcome = since.elapsed();
        let _ = sock.write_all(&frame::to_bytes(&Message::Goodbye));
        Ok((connected, welcome))
    }

    /// Graceful stop through the management port (`POST /stop`); returns how long the process
    /// took to exit.
    fn stop(&mut self) -> Res<Duration> {
        let t = Instant::now();
        http(self.jmx, "POST", "/stop")?;
        let deadline = t + Duration::from_secs(300);
        let Some(child) = self.child.as_mut() else {
            return Ok(t.elapsed());
        };
        loop {
            if let Some(st) = child.try_wait()? {
                self.child = None;
                if !st.success() {
                    return Err(format!("kiln-server stopped with {st}").into());
                }
                return Ok(t.elapsed());
            }
            if Instant::now() > deadline {
                return Err("kiln-server did not stop within 300 s of POST /stop".into());
            }
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }
    fn data_dir(&self) -> PathBuf {
        self.dir.join("data")
    }
    fn log_path(&self) -> PathBuf {
        self.dir.join("server.log")
    }
    fn metrics(&self) -> Res<String> {
        http(self.jmx, "GET", "/metrics")
    }
    fn status(&self) -> Res<String> {
        http(self.jmx, "GET", "/status")
    }
    fn addr(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }
    async fn client(&self, name: &str) -> Res<Client> {
        Ok(ClientBuilder::new([self.addr()])
            .name(name)
            .connect()
            .await?)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
        // KILN_BENCH_KEEP_DIRS=1: keep config, logs and data for a look afterwards.
        if std::env::var_os("KILN_BENCH_KEEP_DIRS").is_some() {
            println!("  (kept {})", self.dir.display());
        } else {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

/// A minimal blocking HTTP/1.1 request to the management port; returns the body.
fn http(port: u16, method: &str, path: &str) -> Res<String> {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port))?;
    s.set_read_timeout(Some(Duration::from_secs(120)))?;
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"
    )?;
    let mut out = String::new();
    s.read_to_string(&mut out)?;
    let (head, body) = out
        .split_once("\r\n\r\n")
        .ok_or_else(|| format!("{method} {path}: malformed HTTP response"))?;
    if !head.starts_with("HTTP/1.1 2") {
        return Err(format!(
            "{method} {path}: {}",
            head.lines().next().unwrap_or_default()
        )
        .into());
    }
    Ok(body.to_owned())
}

/// A tiny tokio echo server and a connection to it: the physical baseline (loopback TCP
/// ping-pong). Latency figures interleave one echo round trip with each measured operation, so
/// both see the same machine conditions (on a VM, idle-wakeup latency varies a lot over time).
struct Echo {
    conn: TcpStream,
    server: EchoServer,
    n: u64,
}

enum EchoServer {
    Task(tokio::task::JoinHandle<()>),
    Process(Child),
}

/// Echoes one connection, 8 bytes at a time, until it closes.
async fn serve_echo(l: TcpListener) {
    if let Ok((mut s, _)) = l.accept().await {
        let _ = s.set_nodelay(true);
        let mut b = [0u8; 8];
        while s.read_exact(&mut b).await.is_ok() {
            if s.write_all(&b).await.is_err() {
                break;
            }
        }
    }
}

impl Echo {
    /// The echo server as a task of this process (the baseline the issue names).
    async fn new() -> Res<Echo> {
        let l = TcpListener::bind("127.0.0.1:0").await?;
        let addr = l.local_addr()?;
        let server = EchoServer::Task(tokio::spawn(serve_echo(l)));
        Echo::connect(addr.port(), server).await
    }

    /// The same echo server in a child process: the round trip between two processes, which is
    /// the path every Kiln request takes (context for the ratios; not the judged baseline).
    async fn subprocess() -> Res<Echo> {
        let mut child = Command::new(std::env::current_exe()?)
            .arg("--echo-server")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()?;
        let mut line = String::new();
        if let Some(out) = child.stdout.take() {
            std::io::BufRead::read_line(&mut std::io::BufReader::new(out), &mut line)?;
        }
        let port: u16 = line
            .trim()
            .parse()
            .map_err(|_| format!("echo subprocess printed {line:?}"))?;
        Echo::connect(port, EchoServer::Process(child)).await
    }

    async fn connect(port: u16, server: EchoServer) -> Res<Echo> {
        let conn = TcpStream::connect(("127.0.0.1", port)).await?;
        conn.set_nodelay(true)?;
        Ok(Echo { conn, server, n: 0 })
    }

    async fn rtt(&mut self) -> Res<Duration> {
        let mut b = [0u8; 8];
        self.n += 1;
        let t = Instant::now();
        self.conn.write_all(&self.n.to_be_bytes()).await?;
        self.conn.read_exact(&mut b).await?;
        Ok(t.elapsed())
    }

    /// p50 and p99 of `samples` round trips (after a 10% warm-up).
    async fn percentiles(&mut self, samples: usize) -> Res<(Duration, Duration)> {
        let mut v = Vec::with_capacity(samples);
        for i in 0..samples + samples / 10 {
            let d = self.rtt().await?;
            if i >= samples / 10 {
                v.push(d);
            }
        }
        v.sort();
        Ok((percentile(&v, 0.5), percentile(&v, 0.99)))
    }
}

impl Drop for Echo {
    fn drop(&mut self) {
        match &mut self.server {
            EchoServer::Task(t) => t.abort(),
            EchoServer::Process(c) => {
                let _ = c.kill();
                let _ = c.wait();
            }
        }
    }
}

/// Interleaved samples of a measured operation and of the echo RTT.
#[derive(Default)]
struct Paired {
    op: Vec<Duration>,
    rtt: Vec<Duration>,
}

impl Paired {
    fn summary(mut self) -> (Duration, Duration, Duration) {
        self.op.sort();
        self.rtt.sort();
        (
            percentile(&self.op, 0.5),
            percentile(&self.op, 0.99),
            percentile(&self.rtt, 0.5),
        )
    }
}

/// Committed transactions per second: `k` clients, each updating its own object under its own lock.
async fn txn_rate(server: &Server, k: usize, secs: f64) -> Res<f64> {
    let clients = txn_clients(server, k).await?;
    let (rate, clients) = txn_run(clients, secs).await?;
    for c in clients {
        let _ = c.close().await;
    }
    Ok(rate)
}

/// The clients of [`txn_run`]: each has created its own object under its own lock.
async fn txn_clients(server: &Server, k: usize) -> Res<Vec<(Client, LockId, ObjectId)>> {
    let mut clients = Vec::new();
    for i in 0..k {
        let c = server.client(&format!("txn-{i}")).await?;
        let lock = LockId::Named(format!("bench-own-{i}-{}", server.port));
        let mut tx = c.lock(lock.clone(), LockLevel::Write).await?;
        let oid = tx.create(ObjectState::physical("bench.Counter"))?;
        tx.commit().await?;
        c.flush().await?;
        clients.push((c, lock, oid));
    }
    Ok(clients)
}

/// Runs the clients for `secs`, then waits until everything they committed is acknowledged
/// (included in the time). Returns the rate and the clients (still connected).
async fn txn_run(clients: Vec<(Client, LockId, ObjectId)>, secs: f64) -> Res<(f64, Vec<Client>)> {
    let stop = Arc::new(AtomicBool::new(false));
    let start = Instant::now();
    let mut tasks = Vec::new();
    for (c, lock, oid) in clients {
        let stop = stop.clone();
        tasks.push(tokio::spawn(async move {
            let mut n: i64 = 0;
            while !stop.load(Ordering::Relaxed) {
                for _ in 0..256 {
                    let mut tx = c.lock(lock.clone(), LockLevel::Write).await?;
                    n += 1;
                    tx.set_field(oid, "bench.Counter", "n", Value::I64(n))?;
                    tx.commit().await?;
                }
                tokio::task::yield_now().await;
            }
            c.flush().await?;
            Ok::<(i64, Client), kiln::Error>((n, c))
        }));
    }
    tokio::time::sleep(Duration::from_secs_f64(secs)).await;
    stop.store(true, Ordering::Relaxed);
    let mut total = 0i64;
    let mut keep = Vec::new();
    for t in tasks {
        let (n, c) = t.await??;
        total += n;
        keep.push(c);
    }
    let el = start.elapsed().as_secs_f64();
    Ok((total as f64 / el, keep))
}

/// Greedy re-acquire + release of an empty transaction, same client, no contention. Returns
/// (through a pre-resolved `LockHandle`, by `LockId` through the lock table, mutex baseline).
async fn greedy(server: &Server, iters: u64) -> Res<(Duration, Duration, Duration)> {
    let c = server.client("greedy").await?;
    let lock = LockId::Named("greedy".into());
    c.lock(lock.clone(), LockLevel::Write)
        .await?
        .commit()
        .await?;
    let sent_before = c.stats().frames_sent - c.stats().pings_sent;
    let handle = c.lock_handle(lock.clone());
    let t = Instant::now();
    for _ in 0..iters {
        let tx = handle.lock(LockLevel::Write).await?;
        tx.commit().await?;
    }
    let by_handle = t.elapsed() / iters as u32;
    let oid_lock = LockId::Object(ObjectId(1));
    c.lock(oid_lock.clone(), LockLevel::Write)
        .await?
        .commit()
        .await?;
    let t = Instant::now();
    for _ in 0..iters {
        let tx = c.lock(oid_lock.clone(), LockLevel::Write).await?;
        tx.commit().await?;
    }
    let by_id = t.elapsed() / iters as u32;
    let sent = c.stats().frames_sent - c.stats().pings_sent - sent_before;
    if sent > 1 {
        println!("  note: {sent} frames sent during the greedy loops (expected 1: the first request of the second lock)");
    }
    // Baseline: an uncontended mutex lock + unlock, the cost of a local monitor.
    let m = parking_lot::Mutex::new(0u64);
    let t = Instant::now();
    for _ in 0..iters {
        let mut g = m.lock();
        *g = std::hint::black_box(*g + 1);
    }
    let base = t.elapsed() / iters as u32;
    c.close().await?;
    Ok((by_handle, by_id, base))
}

/// Contended handoff between two clients: lock awards per second.
async fn handoff(server: &Server, secs: f64) -> Res<f64> {
    let a = server.client("handoff-a").await?;
    let b = server.client("handoff-b").await?;
    let lock = LockId::Named("hot".into());
    let oid = {
        let mut tx = a.lock(lock.clone(), LockLevel::Write).await?;
        let oid = tx.create(ObjectState::physical("bench.Counter"))?;
        tx.commit().await?;
        a.flush().await?;
        oid
    };
    b.object(oid).await?;
    let stop = Arc::new(AtomicBool::new(false));
    let before = a.stats().lock_requests + b.stats().lock_requests;
    let start = Instant::now();
    let mut tasks = Vec::new();
    for c in [a.clone(), b.clone()] {
        let stop = stop.clone();
        let lock = lock.clone();
        tasks.push(tokio::spawn(async move {
            while !stop.load(Ordering::Relaxed) {
                let mut tx = c.lock(lock.clone(), LockLevel::Write).await?;
                let n = tx.read(oid, |s| {
                    s.field("bench.Counter", "n")
                        .and_then(Value::as_i64)
                        .unwrap_or(0)
                })?;
                tx.set_field(oid, "bench.Counter", "n", Value::I64(n + 1))?;
                tx.commit().await?;
            }
            Ok::<(), kiln::Error>(())
        }));
    }
    tokio::time::sleep(Duration::from_secs_f64(secs)).await;
    stop.store(true, Ordering::Relaxed);
    for t in tasks {
        t.await??;
    }
    let el = start.elapsed().as_secs_f64();
    let awards = (a.stats().lock_requests + b.stats().lock_requests - before) as f64;
    a.close().await?;
    b.close().await?;
    Ok(awards / el)
}

/// Fault latency of 1 KB objects (one object per fault, nothing prefetched).
async fn fault_latency(server: &Server, n: usize) -> Res<(Duration, Duration, Duration)> {
    let a = server.client("fault-writer").await?;
    let b = server.client("fault-reader").await?;
    let mut ids: Vec<ObjectId> = Vec::with_capacity(n);
    for chunk in 0..n.div_ceil(100) {
        let mut tx = a
            .lock(LockId::Named("fault-setup".into()), LockLevel::Write)
            .await?;
        for i in 0..100.min(n - chunk * 100) {
            let oid = tx.create(ObjectState::physical("bench.Blob"))?;
            tx.set_field(
                oid,
                "bench.Blob",
                "data",
                Value::Bytes(vec![(i % 251) as u8; 1024]),
            )?;
            ids.push(oid);
        }
        tx.commit().await?;
    }
    a.flush().await?;
    let mut echo = Echo::new().await?;
    let mut p = Paired::default();
    for oid in ids {
        p.rtt.push(echo.rtt().await?);
        let t = Instant::now();
        b.object(oid).await?;
        p.op.push(t.elapsed());
    }
    a.close().await?;
    b.close().await?;
    Ok(p.summary())
}

/// DMI delivery latency: commit of a call on one client to its arrival on another.
async fn dmi_latency(server: &Server, n: usize) -> Res<(Duration, Duration, Duration)> {
    let a = server.client("dmi-sender").await?;
    let b = server.client("dmi-receiver").await?;
    let mut rx = b.dmi_events();
    let epoch = Instant::now();
    let mut echo = Echo::new().await?;
    let mut p = Paired::default();
    for i in 0..n + n / 10 {
        let rtt = echo.rtt().await?;
        let mut tx = a
            .lock(LockId::Named("dmi".into()), LockLevel::Concurrent)
            .await?;
        let sent = epoch.elapsed().as_nanos() as i64;
        tx.invoke(DmiCall {
            receiver: ObjectId(0),
            method: "void bench.Receiver.ping(long)".into(),
            args: vec![Value::I64(sent)],
            all_nodes: true,
        });
        tx.commit().await?;
        let ev = tokio::time::timeout(Duration::from_secs(5), rx.recv()).await??;
        let got = epoch.elapsed().as_nanos() as i64;
        let sent = ev.call.args.first().and_then(Value::as_i64).unwrap_or(got);
        if i >= n / 10 {
            p.op.push(Duration::from_nanos((got - sent).max(0) as u64));
            p.rtt.push(rtt);
        }
    }
    a.close().await?;
    b.close().await?;
    Ok(p.summary())
}

/// `redis-benchmark -t set -P 16 -c 4 -q` against a redis-server started here.
fn redis_set_rate(requests: u64) -> Res<Option<f64>> {
    let (Ok(_), Ok(_)) = (which("redis-server"), which("redis-benchmark")) else {
        return Ok(None);
    };
    let port = free_port()?;
    let mut child = Command::new("redis-server")
        .args([
            "--port",
            &port.to_string(),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()?;
    let deadline = Instant::now() + Duration::from_secs(10);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    let out = Command::new("redis-benchmark")
        .args([
            "-h",
            "127.0.0.1",
            "-p",
            &port.to_string(),
            "-t",
            "set",
            "-P",
            "16",
            "-c",
            "4",
            "-q",
        ])
        .args(["-n", &requests.to_string()])
        .output();
    let _ = child.kill();
    let _ = child.wait();
    let text = String::from_utf8_lossy(&out?.stdout).into_owned();
    // "SET: 1234567.88 requests per second, p50=0.031 msec" (possibly after \r progress lines)
    let rate = text
        .rsplit("SET:")
        .next()
        .and_then(|s| s.split_whitespace().next())
        .and_then(|s| s.parse::<f64>().ok());
    Ok(rate)
}

/// Issue #5: map put / get through libkiln from C (`c-api/bench/map_bench.c`, compiled here
/// against the `libkiln.so` beside this binary) against the Rust blocking client doing the same
/// operations on the same server; each side runs `rounds` times, alternating, and keeps its best
/// run (this VM's noise is larger than the difference measured).
async fn capi(server: &Server, ops: u64, rounds: usize, rep: &mut Report) -> Res<()> {
    let dir = std::env::current_exe()?.with_file_name("");
    let c_api = Path::new(env!("CARGO_MANIFEST_DIR")).join("../c-api");
    if !dir.join("libkiln.so").exists() || which("cc").is_err() {
        println!(
            "  capi: {} or cc missing (cargo build --release -p kiln-c-api); comparison skipped",
            dir.join("libkiln.so").display()
        );
        return Ok(());
    }
    let bin = dir.join("kiln-capi-map-bench");
    let st = Command::new("cc")
        .args(["-std=c11", "-O2", "-Wall", "-Werror", "-I"])
        .arg(c_api.join("include"))
        .arg(c_api.join("bench/map_bench.c"))
        .arg("-o")
        .arg(&bin)
        .arg("-L")
        .arg(&dir)
        .arg("-lkiln")
        .arg(format!("-Wl,-rpath,{}", dir.display()))
        .status()?;
    if !st.success() {
        return Err("compiling c-api/bench/map_bench.c failed".into());
    }
    let addr = server.addr();
    let max = |a: (f64, f64, f64), b: (f64, f64, f64)| (a.0.max(b.0), a.1.max(b.1), a.2.max(b.2));
    let (mut c_best, mut rs_best) = ((0.0, 0.0, 0.0), (0.0, 0.0, 0.0));
    // Both sides are fresh processes of their own (same allocator, same cold start).
    let rates = |cmd: &mut Command| -> Res<(f64, f64, f64)> {
        let out = cmd.stderr(Stdio::inherit()).output()?;
        if !out.status.success() {
            return Err(format!("{cmd:?} failed ({})", out.status).into());
        }
        let text = String::from_utf8_lossy(&out.stdout);
        let mut nums = text.split_whitespace().map(str::parse::<f64>);
        match (nums.next(), nums.next(), nums.next()) {
            (Some(Ok(put)), Some(Ok(get)), Some(Ok(get_i64))) => Ok((put, get, get_i64)),
            // The Rust side has one get (its `Map::get` already yields the value).
            (Some(Ok(put)), Some(Ok(get)), None) => Ok((put, get, get)),
            _ => Err(format!("{cmd:?} printed {text:?}").into()),
        }
    };
    let me = std::env::current_exe()?;
    for _ in 0..rounds {
        let c = rates(Command::new(&bin).arg(&addr).arg(ops.to_string()))?;
        c_best = max(c_best, c);
        let rs = rates(
            Command::new(&me)
                .arg("--capi-rust-side")
                .arg(&addr)
                .arg(ops.to_string()),
        )?;
        rs_best = max(rs_best, rs);
    }
    for (name, c, r) in [
        (
            "C map put (lock + put + commit, greedy) ops/s",
            c_best.0,
            rs_best.0,
        ),
        (
            "C map get (cache hit; kiln_map_get + kiln_value_i64 + kiln_value_free) ops/s",
            c_best.1,
            rs_best.1,
        ),
        (
            "C map get (cache hit; kiln_map_get_i64) ops/s",
            c_best.2,
            rs_best.2,
        ),
    ] {
        rep.add(
            name,
            fmt_rate(c),
            format!("Rust blocking client {}", fmt_rate(r)),
            format!(
                "C/Rust {:.2} (overhead {:+.1}%)",
                c / r,
                (r / c - 1.0) * 100.0
            ),
            "overhead <= 10%",
        );
    }
    Ok(())
}

/// The Rust side of [`capi`]: the same operations as `map_bench.c`, through `kiln::blocking`.
fn rust_map_rates(addr: &str, ops: u64) -> Res<(f64, f64)> {
    let c = ClientBuilder::new([addr])
        .name("rust-bench")
        .connect_blocking()?;
    let m = c.map("bench-rs")?;
    let keys: Vec<String> = (0..1000).map(|i| format!("k{i}")).collect();
    let t = Instant::now();
    for i in 0..ops {
        let mut tx = c.lock(LockId::Named("bench-rs".to_string()), LockLevel::Write)?;
        m.put(
            &mut tx,
            keys[(i % 1000) as usize].clone(),
            Value::I64(i as i64),
        )?;
        tx.commit()?;
    }
    let put = ops as f64 / t.elapsed().as_secs_f64();
    c.flush()?;
    let mut sum = 0i64;
    let t = Instant::now();
    for i in 0..ops {
        let v = c.map_get(&m, keys[(i % 1000) as usize].as_str())?;
        sum = sum.wrapping_add(v.and_then(|v| v.as_i64()).unwrap_or(0));
    }
    let get = ops as f64 / t.elapsed().as_secs_f64();
    std::hint::black_box(sum);
    c.close()?;
    Ok((put, get))
}

fn which(cmd: &str) -> Res<PathBuf> {
    let path = std::env::var_os("PATH").ok_or("no PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join(cmd))
        .find(|p| p.is_file())
        .ok_or_else(|| format!("{cmd} not found").into())
}

fn main() -> std::process::ExitCode {
    let args = Args::parse();
    if args.echo_server {
        return echo_server_main();
    }
    if let [addr, ops] = &args.capi_rust_side[..] {
        let rates = ops
            .parse::<u64>()
            .map_err(|e| -> BoxError { e.into() })
            .and_then(|ops| rust_map_rates(addr, ops));
        return match rates {
            Ok((put, get)) => {
                println!("{put:.0} {get:.0}");
                std::process::ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("kiln-bench --capi-rust-side: {e}");
                std::process::ExitCode::FAILURE
            }
        };
    }
    // KILN_BENCH_THREADS=1: run the bench's clients on a current-thread runtime.
    let mut builder = match std::env::var("KILN_BENCH_THREADS").ok().as_deref() {
        Some("1") => tokio::runtime::Builder::new_current_thread(),
        _ => tokio::runtime::Builder::new_multi_thread(),
    };
    let rt = match builder.enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("kiln-bench: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    match rt.block_on(run(args)) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("kiln-bench: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

/// `--echo-server`: bind, print the port, echo one connection.
fn echo_server_main() -> std::process::ExitCode {
    let rt = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(_) => return std::process::ExitCode::FAILURE,
    };
    rt.block_on(async {
        let Ok(l) = TcpListener::bind("127.0.0.1:0").await else {
            return std::process::ExitCode::FAILURE;
        };
        let Ok(addr) = l.local_addr() else {
            return std::process::ExitCode::FAILURE;
        };
        println!("{}", addr.port());
        serve_echo(l).await;
        std::process::ExitCode::SUCCESS
    })
}

async fn run(args: Args) -> Res<()> {
    let mut all = Report::default();
    let n = args.repeat.max(1);
    for i in 0..n {
        if n > 1 {
            println!("== run {} of {n}", i + 1);
        }
        run_once(&args, &mut all).await?;
    }
    let report = all.medians();
    if n > 1 {
        println!("\nper figure, the run with the median ratio of {n} runs:");
    }
    report.print();
    Ok(())
}

async fn run_once(args: &Args, rep: &mut Report) -> Res<()> {
    let want = |n: &str| args.only.is_empty() || args.only.iter().any(|o| o == n);
    let secs = args.secs.unwrap_or(if args.quick { 0.3 } else { 3.0 });
    let samples = if args.quick { 500 } else { 20_000 };
    let bin = match &args.server_bin {
        Some(p) => p.clone(),
        None => std::env::current_exe()?.with_file_name("kiln-server"),
    };
    if cfg!(debug_assertions) && !args.quick {
        println!(
            "WARNING: kiln-bench was built without optimisations; use --release for real numbers"
        );
    }
    println!(
        "kiln-bench ({} mode, {secs} s per throughput run)",
        if args.quick { "quick" } else { "full" }
    );
    let mut echo = Echo::new().await?;
    let (rtt, rtt99) = echo.percentiles(samples).await?;
    rep.add(
        "loopback TCP RTT (tokio echo) p50 / p99",
        format!("{} / {}", fmt_dur(rtt), fmt_dur(rtt99)),
        "-".into(),
        "-".into(),
        "physical baseline",
    );
    let mut cross = Echo::subprocess().await?;
    let mut p = Paired::default();
    for _ in 0..samples.min(5000) {
        p.rtt.push(echo.rtt().await?);
        p.op.push(cross.rtt().await?);
    }
    drop(cross);
    let (x50, x99, in50) = p.summary();
    rep.add(
        "loopback TCP RTT, echo in a separate process p50 / p99",
        format!("{} / {}", fmt_dur(x50), fmt_dur(x99)),
        format!("in-process echo RTT {} (interleaved)", fmt_dur(in50)),
        format!("{:.2}x", x50.as_secs_f64() / in50.as_secs_f64()),
        "context: the cross-process floor",
    );
    let server = Server::start(&bin)?;
    if want("rtt") {
        let c = server.client("ping").await?;
        let mut p = Paired::default();
        for _ in 0..samples.min(5000) {
            p.rtt.push(echo.rtt().await?);
            p.op.push(c.ping().await?);
        }
        let (p50, _, rtt) = p.summary();
        rep.add(
            "kiln ping RTT p50 (Ping/Pong through client and server)",
            fmt_dur(p50),
            format!("echo RTT {}", fmt_dur(rtt)),
            format!("{:.2}x", p50.as_secs_f64() / rtt.as_secs_f64()),
            "-",
        );
        c.close().await?;
    }
    let mut four = None;
    if want("txn") {
        let one = txn_rate(&server, 1, secs).await?;
        let rtt_bound = 1.0 / rtt.as_secs_f64();
        rep.add(
            "committed txn/s, 1 client (own object, own lock)",
            fmt_rate(one),
            format!("1/RTT = {}", fmt_rate(rtt_bound)),
            format!("{:.1}x", one / rtt_bound),
            "-",
        );
        let r4 = txn_rate(&server, 4, secs).await?;
        rep.add(
            "committed txn/s, 4 clients (own object, own lock)",
            fmt_rate(r4),
            format!("1 client {}", fmt_rate(one)),
            format!("{:.2}x", r4 / one),
            ">= 1,000,000/s",
        );
        four = Some(r4);
    }
    if want("greedy") {
        let iters = if args.quick { 100_000 } else { 5_000_000 };
        let (per, by_id, base) = greedy(&server, iters).await?;
        let ratio =
            |d: Duration| format!("{:.1}x", d.as_secs_f64() / base.as_secs_f64().max(1e-12));
        rep.add(
            "greedy re-acquire + release, LockHandle (no contention)",
            fmt_dur(per),
            format!("mutex lock+unlock {}", fmt_dur(base)),
            ratio(per),
            "<= 100 ns",
        );
        rep.add(
            "greedy re-acquire + release, Client::lock(LockId::Object)",
            fmt_dur(by_id),
            format!("mutex lock+unlock {}", fmt_dur(base)),
            ratio(by_id),
            "<= 100 ns",
        );
    }
    // Latency figures are judged against echo round trips interleaved with their samples (or,
    // for the handoff rate, measured right before and after), so machine noise hits both alike.
    let near = samples.min(3000);
    if want("handoff") {
        let (before, _) = echo.percentiles(near).await?;
        let h = handoff(&server, secs).await?;
        let (after, _) = echo.percentiles(near).await?;
        let rtt = (before + after) / 2;
        let bound = 1.0 / (2.0 * rtt.as_secs_f64());
        rep.add(
            "contended handoff, 2 clients",
            fmt_rate(h),
            format!("1/(2·RTT) = {}", fmt_rate(bound)),
            format!("{:.2}", h / bound),
            ">= 0.5",
        );
    }
    if want("fault") {
        let n = if args.quick { 200 } else { 5000 };
        let figures = fault_latency(&server, n).await?;
        rep.add_latency("fault latency 1 KB object p50 / p99", figures);
    }
    if want("dmi") {
        let n = if args.quick { 200 } else { 5000 };
        let figures = dmi_latency(&server, n).await?;
        rep.add_latency("DMI delivery latency p50 / p99", figures);
    }
    if want("capi") {
        let (ops, rounds) = if args.quick {
            (20_000, 1)
        } else {
            (1_000_000, 3)
        };
        capi(&server, ops, rounds, rep).await?;
    }
    drop(server);
    if want("redis") {
        let n = if args.quick { 100_000 } else { 2_000_000 };
        match redis_set_rate(n)? {
            Some(r) => {
                let ours = match four {
                    Some(f) => f,
                    None => {
                        let s = Server::start(&bin)?;
                        txn_rate(&s, 4, secs).await?
                    }
                };
                rep.add(
                    "redis-benchmark -t set -P 16 -c 4 (SET/s)",
                    fmt_rate(r),
                    format!("kiln 4-client txn/s {}", fmt_rate(ours)),
                    format!("kiln/redis {:.2}x", ours / r),
                    "kiln >= 1.0x",
                );
            }
            None => println!(
                "  redis: redis-server / redis-benchmark not installed; comparison skipped"
            ),
        }
    }
    // Console and lock profiler (issue #13): servers of their own.
    if want("console") {
        console::console(&bin, secs, args.quick, rep).await?;
    }
    // HA (issue #11): a two-server group of its own.
    if want("ha") {
        ha::ha(&bin, secs, args.quick, four, rep).await?;
    }
    // Mirror groups (issue #12): clusters of their own.
    if want("stripes") {
        stripes::stripes(&bin, secs, rep).await?;
        stripes::failover(&bin, args.quick, rep).await?;
        stripes::cross_latency(&bin, args.quick, rep).await?;
    }
    // Distributed GC over stripes (issue #12): clusters of their own.
    if want("dgc") {
        stripes::dgc(&bin, args.quick, rep).await?;
    }
    // Durable store (issue #3): each figure starts its own server(s).
    if want("durable") {
        storage::durable(
            &bin,
            args.work_dir.clone(),
            secs,
            &args.durable_clients,
            rep,
        )
        .await?;
    }
    if want("reload") {
        let n = if args.quick { 100_000 } else { 1_000_000 };
        storage::reload(&bin, args.work_dir.clone(), n, rep).await?;
    }
    if want("memory") {
        let counts: &[u64] = if args.quick {
            &[100_000]
        } else {
            &[1_000_000, 10_000_000]
        };
        storage::memory(&bin, args.work_dir.clone(), counts, rep).await?;
    }
    Ok(())
}

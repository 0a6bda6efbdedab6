//! Figures of the durable store (issue #3): committed transactions per second against a
//! `permanent-store` server (judged against the raw fsync rate of the same disk), restart reload
//! of a large store (judged against a sequential read of as many bytes from the same disk), and
//! the server's resident memory per object (judged against the encoded size of the objects).

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use kiln::{ClientBuilder, Field, LockId, LockLevel, ObjectData, ObjectState, Value};

use crate::{fmt_rate, txn_clients, txn_run, Report, Res, Server, ServerOpts};

/// Goal of the durable commit rate (4 clients).
const DURABLE_GOAL: f64 = 250_000.0;
/// Goals of the reload: throughput and time from process start to accepting clients.
const RELOAD_GOAL_MBPS: f64 = 500.0;
const RELOAD_GOAL_SECS: f64 = 2.0;
/// Goal of the memory overhead per object (RSS per object minus its encoded size).
const MEMORY_GOAL_OVERHEAD: f64 = 64.0;

/// Objects created per transaction when populating a server.
const POPULATE_PER_TXN: u64 = 1000;
/// Objects created per client connection when populating (the creating client holds them in
/// its cache and the server in that client's resident set until the client leaves).
const POPULATE_PER_CLIENT: u64 = 1_000_000;
/// Bytes of the `byte[]` field of a small object: class `bench.Small`, one field
/// `bench.Small.v`; 100 bytes encoded (`docs/protocol.md` §5).
const SMALL_BYTES: usize = 55;

// ------------------------------------------------------------------------------------ durable

/// `durable`: committed txn/s of 4 clients (the `txn` figure's shape: own object, own lock)
/// against a `permanent-store` server, beside the raw fsync rate of the disk its data is on
/// (measured right before and right after, as the rate of a VM disk drifts). The server's
/// `/metrics` before and after the run give its journal syncs: txns per sync is group commit.
pub(crate) async fn durable(
    bin: &Path,
    base: Option<PathBuf>,
    secs: f64,
    extra_clients: &[usize],
    rep: &mut Report,
) -> Res<()> {
    let server = Server::start_opts(
        bin,
        ServerOpts {
            persistent: true,
            base,
        },
    )?;
    let data = server.data_dir();
    println!(
        "  durable: data directory {} on {}",
        data.display(),
        filesystem_of(&data)
    );
    let probe_secs = (secs / 2.0).clamp(0.1, 1.0);
    let before = fsync_rates(&data, probe_secs).await?;
    let four = durable_run(&server, 4, secs).await?;
    let after = fsync_rates(&data, probe_secs).await?;
    let one = durable_run(&server, 1, secs).await?;
    let append = (before.0 + after.0) / 2.0;
    let overwrite = (before.1 + after.1) / 2.0;
    // Judged against the faster of the two probes (the conservative ratio).
    let fsync = append.max(overwrite);
    rep.add(
        "durable committed txn/s, 4 clients (permanent-store; own object, own lock)",
        fmt_rate(four.rate),
        format!(
            "fsync rate of the same disk {} (128-byte write + sync_data, the faster probe: \
             overwrite {} [before {} / after {}], append {} [{} / {}])",
            fmt_rate(fsync),
            fmt_rate(overwrite),
            fmt_rate(before.1),
            fmt_rate(after.1),
            fmt_rate(append),
            fmt_rate(before.0),
            fmt_rate(after.0),
        ),
        format!(
            "txn/s ÷ fsync/s = {:.0}; {:.2}x goal",
            four.rate / fsync,
            four.rate / DURABLE_GOAL
        ),
        ">= 250,000/s",
    );
    rep.add(
        "durable: server journal syncs during the 4-client run",
        four.describe(),
        format!("disk fsync alone {:.2} ms", 1e3 / fsync),
        format!("{:.0} txns/sync", four.per_sync(four.txns)),
        "context: txns per sync = group commit",
    );
    rep.add(
        "durable committed txn/s, 1 client (permanent-store)",
        fmt_rate(one.rate),
        format!("fsync rate {}", fmt_rate(fsync)),
        format!(
            "txn/s ÷ fsync/s = {:.0}; {:.0} txns/sync; {}",
            one.rate / fsync,
            one.per_sync(one.txns),
            one.describe()
        ),
        "context",
    );
    // `--durable-clients`: how the rate and the grouping change with the number of clients.
    for &k in extra_clients {
        let r = durable_run(&server, k, secs).await?;
        rep.add(
            &format!("durable committed txn/s, {k} clients (--durable-clients)"),
            fmt_rate(r.rate),
            format!("fsync rate {}", fmt_rate(fsync)),
            format!("{:.0} txns/sync; {}", r.per_sync(r.txns), r.describe()),
            "context",
        );
    }
    Ok(())
}

/// One durable run and what the server's `/metrics` say about it.
#[derive(Debug, Default)]
struct DurableRun {
    rate: f64,
    secs: f64,
    syncs: f64,
    txns: f64,
    batches: f64,
    sync_ms: f64,
}

impl DurableRun {
    fn per_sync(&self, x: f64) -> f64 {
        if self.syncs > 0.0 {
            x / self.syncs
        } else {
            0.0
        }
    }
    fn describe(&self) -> String {
        format!(
            "{:.0} syncs ({}; writer busy {:.0}%), {:.2} batches/sync x {:.0} txns/batch, write+sync {:.2} ms/sync",
            self.syncs,
            fmt_rate(self.syncs / self.secs.max(1e-9)),
            100.0 * self.sync_ms / 1e3 / self.secs.max(1e-9),
            self.per_sync(self.batches),
            if self.batches > 0.0 {
                self.txns / self.batches
            } else {
                0.0
            },
            self.per_sync(self.sync_ms),
        )
    }
}

/// [`txn_run`] with `k` clients against a persistent server, with the server's counters of
/// the run (from connect to the last acknowledgement; the clients close afterwards).
async fn durable_run(server: &Server, k: usize, secs: f64) -> Res<DurableRun> {
    let clients = txn_clients(server, k).await?;
    let m0 = server.metrics()?;
    let t = Instant::now();
    let (rate, clients) = txn_run(clients, secs).await?;
    let elapsed = t.elapsed().as_secs_f64();
    let m1 = server.metrics()?;
    for c in clients {
        let _ = c.close().await;
    }
    let d = |name: &str| metric(&m1, name).unwrap_or(0.0) - metric(&m0, name).unwrap_or(0.0);
    Ok(DurableRun {
        rate,
        secs: elapsed,
        syncs: d("kiln_storage_syncs_total"),
        txns: d("kiln_transactions_committed_total"),
        batches: d("kiln_batches_committed_total"),
        sync_ms: d("kiln_storage_sync_micros_total") / 1e3,
    })
}

/// Syncs per second of the disk under `dir`: a loop of a 128-byte write and `sync_data` on a
/// file in `dir`, for `secs`. `append`: each write extends the file (the file size changes, so
/// the filesystem journals metadata on every sync, like a journal that is not preallocated);
/// otherwise the same 128 bytes are overwritten (a data-only sync, the cheapest there is).
async fn fsync_rate(dir: &Path, secs: f64, append: bool) -> Res<f64> {
    let path = dir.join("kiln-bench-fsync-probe");
    let rate = tokio::task::spawn_blocking(move || -> Res<f64> {
        use std::io::{Seek, SeekFrom};
        let mut f = std::fs::OpenOptions::new()
            .create(true)
            .write(true)
            .truncate(true)
            .open(&path)?;
        let buf = [0x5au8; 128];
        f.write_all(&buf)?;
        f.sync_all()?;
        let start = Instant::now();
        let mut n = 0u64;
        while start.elapsed().as_secs_f64() < secs || n < 10 {
            if !append {
                f.seek(SeekFrom::Start(0))?;
            }
            f.write_all(&buf)?;
            f.sync_data()?;
            n += 1;
        }
        let rate = n as f64 / start.elapsed().as_secs_f64();
        drop(f);
        std::fs::remove_file(&path)?;
        Ok(rate)
    })
    .await??;
    Ok(rate)
}

/// Both probes of [`fsync_rate`], `secs` each: (append, overwrite).
async fn fsync_rates(dir: &Path, secs: f64) -> Res<(f64, f64)> {
    Ok((
        fsync_rate(dir, secs, true).await?,
        fsync_rate(dir, secs, false).await?,
    ))
}

// ------------------------------------------------------------------------------------- reload

/// `reload`: populate a persistent server with `n` small objects, stop it gracefully, start it
/// again and time it until it answers `Hello` with `Welcome`; the server's "store loaded" line
/// gives the load time and MB/s. Baseline: reading as many bytes sequentially from a file in
/// the same directory (page cache warm, like the store's own files right after they were
/// written; and with `O_DIRECT`, i.e. from the device).
pub(crate) async fn reload(bin: &Path, base: Option<PathBuf>, n: u64, rep: &mut Report) -> Res<()> {
    let mut server = Server::start_opts(
        bin,
        ServerOpts {
            persistent: true,
            base,
        },
    )?;
    let data = server.data_dir();
    let (pop, payload) = populate(&server, n, "reload").await?;
    let objects = json_u64(&server.status()?, "objects").unwrap_or(0);
    if objects < n {
        return Err(format!("reload: the server holds {objects} objects, expected {n}").into());
    }
    let m = server.metrics()?;
    let syncs = metric(&m, "kiln_storage_syncs_total").unwrap_or(0.0);
    println!(
        "  reload: populated {n} objects of {payload} B in {:.2} s ({}, {syncs:.0} journal syncs); data in {} on {}",
        pop.as_secs_f64(),
        fmt_rate(n as f64 / pop.as_secs_f64()),
        data.display(),
        filesystem_of(&data)
    );
    let stopped = server.stop()?;
    let (on_disk, journal, journals) = store_size(&data.join("kiln-store"));
    println!(
        "  reload: graceful stop {:.2} s; store on disk {:.1} MB, of it {:.1} MB in {journals} \
         journal file(s) (*.jnl, the newest preallocated)",
        stopped.as_secs_f64(),
        on_disk as f64 / 1e6,
        journal as f64 / 1e6
    );
    if std::env::var_os("KILN_BENCH_KEEP_DIRS").is_some() {
        // A copy of the store as the stopped server left it (the restart changes the original).
        copy_dir(&data, &server.dir.join("data-at-stop"))?;
    }
    let log_before = std::fs::read_to_string(server.log_path())?.len();
    // The server logs this when its clean stop flushed every memtable: no journal to replay.
    let flushed =
        std::fs::read_to_string(server.log_path())?.contains("store flushed to disk tables");
    let t0 = Instant::now();
    server.spawn()?;
    let (connected, welcome) = server.wait_welcome(t0)?;
    let log = std::fs::read_to_string(server.log_path())?;
    let line = log
        .get(log_before..)
        .and_then(parse_store_loaded)
        .ok_or("reload: no \"store loaded\" line in the server log after the restart")?;
    if line.objects != n {
        return Err(format!(
            "reload: the server loaded {} objects, expected {n}",
            line.objects
        )
        .into());
    }
    let bytes = (line.mb * 1e6) as u64;
    let base_dir = server.dir.clone();
    let (warm, direct) =
        tokio::task::spawn_blocking(move || read_baselines(&base_dir, bytes)).await??;
    let mbps = line.mb / line.secs.max(1e-9);
    let direct_text = match direct {
        Some(d) => format!("O_DIRECT {:.0} MB/s ({:.2} s)", d.0, d.1),
        None => "O_DIRECT not measured on this platform".into(),
    };
    rep.add(
        &format!("restart reload of {n} objects ({:.1} MB): store load throughput", line.mb),
        format!("{mbps:.0} MB/s ({:.2} s, server log)", line.secs),
        format!(
            "sequential read of {:.1} MB, same disk: page cache {:.0} MB/s ({:.3} s); {direct_text}",
            line.mb, warm.0, warm.1
        ),
        format!(
            "{:.3}x goal; {:.4}x page-cache read{}",
            mbps / RELOAD_GOAL_MBPS,
            mbps / warm.0,
            direct
                .map(|d| format!(", {:.3}x O_DIRECT read", mbps / d.0))
                .unwrap_or_default()
        ),
        ">= 500 MB/s",
    );
    rep.add(
        &format!("restart reload of {n} objects: process start -> Welcome"),
        format!(
            "{:.2} s (TCP connect accepted after {:.3} s: ports are bound before the load)",
            welcome.as_secs_f64(),
            connected.as_secs_f64()
        ),
        format!(
            "store load {:.2} s (server log); page-cache read of the same bytes {:.3} s",
            line.secs, warm.1
        ),
        format!("{:.2}x goal", welcome.as_secs_f64() / RELOAD_GOAL_SECS),
        "< 2 s",
    );
    if mbps < RELOAD_GOAL_MBPS {
        println!(
            "  reload: {mbps:.0} MB/s is under the {RELOAD_GOAL_MBPS:.0} MB/s goal ({} objects; {})",
            fmt_rate(n as f64 / line.secs.max(1e-9)),
            if flushed {
                "the stop flushed the store to tables: the load is table iteration + copy, no journal replay".to_string()
            } else {
                format!(
                    "the stop did not log a flush: the load includes fjall's recovery of {journals} journal file(s), {:.1} MB",
                    journal as f64 / 1e6
                )
            }
        );
    }
    Ok(())
}

/// The fields of the server's "store loaded" log line.
#[derive(Debug, Default)]
struct LoadLine {
    objects: u64,
    mb: f64,
    secs: f64,
}

fn parse_store_loaded(log: &str) -> Option<LoadLine> {
    let line = log.lines().rev().find(|l| l.contains("store loaded"))?;
    let mut out = LoadLine::default();
    let (mut got_mb, mut got_secs) = (false, false);
    for tok in line.split_whitespace() {
        let Some((k, v)) = tok.split_once('=') else {
            continue;
        };
        let v = v.trim_matches('"');
        match k {
            "objects" => out.objects = v.parse().ok()?,
            "mb" => {
                out.mb = v.parse().ok()?;
                got_mb = true;
            }
            "secs" => {
                out.secs = v.parse().ok()?;
                got_secs = true;
            }
            _ => {}
        }
    }
    (got_mb && got_secs).then_some(out)
}

/// A sequential read: (MB/s, seconds).
type ReadRate = (f64, f64);

/// Writes `bytes` (rounded up to 1 MiB) to a file in `dir`, syncs it, and reads it back
/// sequentially in 1 MiB reads: once through the page cache (the pages are still cached after
/// the write) and once with `O_DIRECT` (from the device). Returns (MB/s, s) of each.
fn read_baselines(dir: &Path, bytes: u64) -> Res<(ReadRate, Option<ReadRate>)> {
    const CHUNK: usize = 1 << 20;
    let path = dir.join("kiln-bench-read-probe");
    let chunks = bytes.div_ceil(CHUNK as u64).max(1);
    {
        let mut f = std::fs::File::create(&path)?;
        let mut buf = vec![0u8; CHUNK];
        let mut rng = 0x2545_f491_4f6c_dd1du64;
        for _ in 0..chunks {
            fill(&mut buf, &mut rng);
            f.write_all(&buf)?;
        }
        f.sync_all()?;
    }
    let size = chunks * CHUNK as u64;
    let mb = size as f64 / 1e6;
    let mut buf = vec![0u8; CHUNK];
    let t = Instant::now();
    let mut f = std::fs::File::open(&path)?;
    let mut total = 0u64;
    loop {
        let k = f.read(&mut buf)?;
        if k == 0 {
            break;
        }
        total += k as u64;
    }
    let warm_secs = t.elapsed().as_secs_f64();
    std::hint::black_box(&buf);
    if total != size {
        return Err(format!("read baseline: read {total} of {size} bytes").into());
    }
    let direct = read_direct(&path, size)?.map(|s| (mb / s, s));
    std::fs::remove_file(&path)?;
    Ok(((mb / warm_secs, warm_secs), direct))
}

/// `O_DIRECT` flag of `open(2)` (Linux; differs per architecture).
#[cfg(all(target_os = "linux", target_arch = "x86_64"))]
const O_DIRECT: Option<i32> = Some(0o40000);
#[cfg(all(target_os = "linux", target_arch = "aarch64"))]
const O_DIRECT: Option<i32> = Some(0o200000);
#[cfg(not(all(
    target_os = "linux",
    any(target_arch = "x86_64", target_arch = "aarch64")
)))]
const O_DIRECT: Option<i32> = None;

/// Seconds to read `size` bytes of `path` with `O_DIRECT` (page cache bypassed).
fn read_direct(path: &Path, size: u64) -> Res<Option<f64>> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        const CHUNK: usize = 1 << 20;
        const ALIGN: usize = 4096;
        let Some(flag) = O_DIRECT else {
            return Ok(None);
        };
        let Ok(mut f) = std::fs::OpenOptions::new()
            .read(true)
            .custom_flags(flag)
            .open(path)
        else {
            return Ok(None); // e.g. tmpfs does not support O_DIRECT
        };
        let mut raw = vec![0u8; CHUNK + ALIGN];
        let off = (ALIGN - raw.as_ptr() as usize % ALIGN) % ALIGN;
        let buf = &mut raw[off..off + CHUNK];
        let t = Instant::now();
        let mut total = 0u64;
        loop {
            match f.read(buf) {
                Ok(0) => break,
                Ok(k) => total += k as u64,
                Err(_) => return Ok(None),
            }
        }
        let secs = t.elapsed().as_secs_f64();
        Ok((total == size).then_some(secs))
    }
    #[cfg(not(unix))]
    {
        let _ = (path, size);
        Ok(None)
    }
}

/// Bytes of the files under the store directory, and bytes and number of fjall's journal
/// files (`*.jnl`).
fn store_size(dir: &Path) -> (u64, u64, usize) {
    fn walk(d: &Path, acc: &mut (u64, u64, usize)) {
        let Ok(rd) = std::fs::read_dir(d) else {
            return;
        };
        for e in rd.flatten() {
            let Ok(md) = e.metadata() else { continue };
            if md.is_dir() {
                walk(&e.path(), acc);
            } else {
                acc.0 += md.len();
                if e.file_name().to_string_lossy().ends_with(".jnl") {
                    acc.1 += md.len();
                    acc.2 += 1;
                }
            }
        }
    }
    let mut acc = (0, 0, 0);
    walk(dir, &mut acc);
    acc
}

fn copy_dir(from: &Path, to: &Path) -> Res<()> {
    std::fs::create_dir_all(to)?;
    for e in std::fs::read_dir(from)? {
        let e = e?;
        let target = to.join(e.file_name());
        if e.file_type()?.is_dir() {
            copy_dir(&e.path(), &target)?;
        } else {
            std::fs::copy(e.path(), target)?;
        }
    }
    Ok(())
}

// ------------------------------------------------------------------------------------- memory

/// `memory`: resident memory of an in-memory server per object, for each of `counts` small
/// objects (a fresh server per count): VmRSS after populating (all clients gone) minus VmRSS
/// before, divided by the count, beside the encoded size of an object.
pub(crate) async fn memory(
    bin: &Path,
    base: Option<PathBuf>,
    counts: &[u64],
    rep: &mut Report,
) -> Res<()> {
    let payload = small_object(&mut 1).encoded_len();
    println!(
        "  memory: in-memory server (temporary-swap-only; permanent-store keeps the same object \
         table), fresh per count; objects created {POPULATE_PER_TXN} per transaction, \
         {POPULATE_PER_CLIENT} per client connection"
    );
    for &n in counts {
        let server = Server::start_opts(
            bin,
            ServerOpts {
                persistent: false,
                base: base.clone(),
            },
        )?;
        let pid = server.pid().ok_or("memory: no server process")?;
        let _ = server.status()?;
        let Ok(before) = rss_bytes(pid) else {
            println!("  memory: /proc/{pid}/status (VmRSS) not available here; figure skipped");
            return Ok(());
        };
        let (pop, _) = populate(&server, n, "memory").await?;
        // The populating clients are gone (their resident sets freed) once /status says so.
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let st = server.status()?;
            if json_u64(&st, "clients") == Some(0) {
                let objects = json_u64(&st, "objects").unwrap_or(0);
                if objects != n {
                    return Err(format!(
                        "memory: the server holds {objects} objects, expected {n}"
                    )
                    .into());
                }
                break;
            }
            if Instant::now() > deadline {
                return Err("memory: populating clients still connected after 30 s".into());
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let after = rss_bytes(pid)?;
        let peak = hwm_bytes(pid).unwrap_or(0);
        let st = server.status()?;
        if let (Some(hot), Some(cold), Some(arena), Some(index)) = (
            json_u64(&st, "hot"),
            json_u64(&st, "cold"),
            json_u64(&st, "arena_bytes"),
            json_u64(&st, "index_bytes"),
        ) {
            let map = index as f64 / n as f64;
            let arena_per = arena as f64 / n as f64;
            let per = after.saturating_sub(before) as f64 / n as f64;
            println!(
                "  memory: {n} objects: {cold} cold (encoded) + {hot} hot (decoded); arena {arena_per:.1} B/object \
                 (12 B header + {payload} B); cold id index {map:.1} B/object (server's figure); \
                 rest {:.1} B/object (hot set, buffers, allocator)",
                per - arena_per - map
            );
        }
        let per = after.saturating_sub(before) as f64 / n as f64;
        let overhead = per - payload as f64;
        rep.add(
            &format!("server RSS per object, {n} objects of {payload} B"),
            format!(
                "{per:.0} B/object, overhead {overhead:.0} B (RSS {:.1} -> {:.1} MB, peak {:.1} MB; populated at {})",
                before as f64 / 1e6,
                after as f64 / 1e6,
                peak as f64 / 1e6,
                fmt_rate(n as f64 / pop.as_secs_f64()),
            ),
            format!("payload {payload} B/object (encoded state)"),
            format!(
                "{overhead:.0} B overhead = {:.2}x goal; RSS {:.2}x payload",
                overhead / MEMORY_GOAL_OVERHEAD,
                per / payload as f64
            ),
            "overhead <= 64 B",
        );
    }
    Ok(())
}

fn proc_status_kb(pid: u32, key: &str) -> Res<u64> {
    let s = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    s.lines()
        .find_map(|l| l.strip_prefix(key))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .ok_or_else(|| format!("no {key} in /proc/{pid}/status").into())
}

fn rss_bytes(pid: u32) -> Res<u64> {
    Ok(proc_status_kb(pid, "VmRSS:")? * 1024)
}

fn hwm_bytes(pid: u32) -> Res<u64> {
    Ok(proc_status_kb(pid, "VmHWM:")? * 1024)
}

// ------------------------------------------------------------------------------------ helpers

/// Creates `n` small objects on `server`, [`POPULATE_PER_TXN`] per transaction, one client per
/// [`POPULATE_PER_CLIENT`] objects (each closed when done, after all its transactions were
/// acknowledged). Returns the time and the encoded size of one object.
async fn populate(server: &Server, n: u64, tag: &str) -> Res<(Duration, usize)> {
    let t = Instant::now();
    let mut rng = 0x9e37_79b9_7f4a_7c15u64;
    let mut done = 0;
    let mut size = 0;
    while done < n {
        let chunk = (n - done).min(POPULATE_PER_CLIENT);
        let c = ClientBuilder::new([server.addr()])
            .name(format!("{tag}-populate-{done}"))
            .id_batch(chunk.max(POPULATE_PER_TXN))
            .connect()
            .await?;
        let lock = LockId::Named(format!("{tag}-populate"));
        let mut left = chunk;
        while left > 0 {
            let k = left.min(POPULATE_PER_TXN);
            c.reserve_ids(k).await?;
            let mut tx = c.lock(lock.clone(), LockLevel::Concurrent).await?;
            for _ in 0..k {
                let o = small_object(&mut rng);
                size = o.encoded_len();
                tx.create(o)?;
            }
            tx.commit().await?;
            left -= k;
        }
        c.flush().await?;
        c.close().await?;
        done += chunk;
    }
    Ok((t.elapsed(), size))
}

/// A small physical object: class `bench.Small`, one `byte[]` field of pseudo-random bytes.
fn small_object(rng: &mut u64) -> ObjectState {
    let mut data = vec![0u8; SMALL_BYTES];
    fill(&mut data, rng);
    ObjectState {
        class: "bench.Small".into(),
        data: ObjectData::Physical(vec![Field {
            class: "bench.Small".into(),
            name: "v".into(),
            value: Value::Bytes(data),
        }]),
    }
}

/// xorshift64 bytes (incompressible enough that the store cannot shrink them).
fn fill(buf: &mut [u8], rng: &mut u64) {
    for c in buf.chunks_mut(8) {
        *rng ^= *rng << 13;
        *rng ^= *rng >> 7;
        *rng ^= *rng << 17;
        c.copy_from_slice(&rng.to_le_bytes()[..c.len()]);
    }
}

/// A sample of a Prometheus text exposition (`name value`).
fn metric(text: &str, name: &str) -> Option<f64> {
    text.lines().filter(|l| !l.starts_with('#')).find_map(|l| {
        let (k, v) = l.split_once(' ')?;
        (k == name).then(|| v.trim().parse().ok()).flatten()
    })
}

/// A top-level unsigned number of a JSON object (`"key":123`), without a JSON parser.
fn json_u64(json: &str, key: &str) -> Option<u64> {
    let pat = format!("\"{key}\":");
    let rest = json[json.find(&pat)? + pat.len()..].trim_start();
    let end = rest
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(rest.len());
    rest[..end].parse().ok()
}

/// "ext4 on /dev/vda (mounted at /)": the mount that holds `path` (Linux `/proc/self/mountinfo`).
fn filesystem_of(path: &Path) -> String {
    let path = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    let Ok(info) = std::fs::read_to_string("/proc/self/mountinfo") else {
        return "an unknown filesystem".into();
    };
    let mut best: Option<(usize, String)> = None;
    for line in info.lines() {
        let f: Vec<&str> = line.split_whitespace().collect();
        let Some(sep) = f.iter().position(|x| *x == "-") else {
            continue;
        };
        let (Some(mnt), Some(fstype), Some(src)) = (f.get(4), f.get(sep + 1), f.get(sep + 2))
        else {
            continue;
        };
        let longer = match &best {
            Some((len, _)) => mnt.len() >= *len,
            None => true,
        };
        if path.starts_with(mnt) && longer {
            best = Some((mnt.len(), format!("{fstype} on {src} (mounted at {mnt})")));
        }
    }
    best.map(|b| b.1)
        .unwrap_or_else(|| "an unknown filesystem".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_object_is_100_bytes() {
        assert_eq!(small_object(&mut 7).encoded_len(), 100);
    }

    #[test]
    fn parses_the_store_loaded_line() {
        let log = "2026-01-01T00:00:00Z  INFO kiln_server: store loaded (permanent-store) data=/tmp/x \
                   objects=1000000 roots=0 known_clients=0 epoch=2 gtx=1001 mb=\"116.0\" secs=\"1.52\" mb_per_sec=\"76\"";
        let l = parse_store_loaded(log).expect("parsed");
        assert_eq!(l.objects, 1_000_000);
        assert!((l.mb - 116.0).abs() < 1e-9 && (l.secs - 1.52).abs() < 1e-9);
    }

    #[test]
    fn reads_metrics_and_status() {
        let m = "# HELP kiln_storage_syncs_total x\nkiln_storage_syncs_total 42\nkiln_gtx 7\n";
        assert_eq!(metric(m, "kiln_storage_syncs_total"), Some(42.0));
        assert_eq!(metric(m, "kiln_storage_syncs"), None);
        let s = r#"{"server":"bench","clients":0,"objects":1234,"roots":0}"#;
        assert_eq!(json_u64(s, "objects"), Some(1234));
        assert_eq!(json_u64(s, "clients"), Some(0));
    }
}

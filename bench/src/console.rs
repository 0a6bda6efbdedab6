//! Console figures (issue #13): what the lock profiler and the management port cost.
//! - committed txn/s, 4 clients (own object, own lock), profiler on vs off: the same server and
//!   the same clients, rounds interleaved off/on so machine drift hits both alike (goal ≥ 0.9×);
//! - contended handoff, 2 clients on one lock, profiler on vs off (every award passes the
//!   profiler's hooks: the worst case for it), interleaved the same way;
//! - `GET /metrics` with 10,000 locks held by 100 clients, all tracked by the profiler: median and
//!   max of repeated scrapes (goal ≤ 50 ms), beside the same scrape with the profiler off.

use std::path::Path;
use std::time::{Duration, Instant};

use kiln::{Client, LockId, LockLevel};

use crate::{
    fmt_dur, fmt_rate, handoff, http, percentile, txn_clients, txn_run, Report, Res, Server,
};

fn set_profiler(server: &Server, on: bool) -> Res<()> {
    http(server.jmx, "POST", &format!("/api/profiler?enabled={on}"))?;
    Ok(())
}

/// Runs all three figures on servers of their own.
pub async fn console(bin: &Path, secs: f64, quick: bool, rep: &mut Report) -> Res<()> {
    let rounds = if quick { 1 } else { 3 };
    // 1. txn/s on vs off.
    {
        let server = Server::start(bin)?;
        let mut clients = txn_clients(&server, 4).await?;
        let keys: Vec<(LockId, kiln::ObjectId)> =
            clients.iter().map(|(_, l, o)| (l.clone(), *o)).collect();
        let (mut off, mut on) = (0.0, 0.0);
        for _ in 0..rounds {
            for enabled in [false, true] {
                set_profiler(&server, enabled)?;
                let (rate, back) = txn_run(clients, secs).await?;
                if enabled {
                    on += rate;
                } else {
                    off += rate;
                }
                clients = back
                    .into_iter()
                    .zip(keys.iter().cloned())
                    .map(|(c, (l, o))| (c, l, o))
                    .collect();
            }
        }
        for (c, _, _) in clients {
            let _ = c.close().await;
        }
        let (off, on) = (off / rounds as f64, on / rounds as f64);
        rep.add(
            "committed txn/s, 4 clients, lock profiler on",
            fmt_rate(on),
            format!("profiler off {} (interleaved rounds)", fmt_rate(off)),
            format!("{:.2}x", on / off),
            ">= 0.9x",
        );
    }
    // 2. contended handoff on vs off.
    {
        let server = Server::start(bin)?;
        let (mut off, mut on) = (0.0, 0.0);
        for _ in 0..rounds {
            for enabled in [false, true] {
                set_profiler(&server, enabled)?;
                let rate = handoff(&server, secs).await?;
                if enabled {
                    on += rate;
                } else {
                    off += rate;
                }
            }
        }
        let (off, on) = (off / rounds as f64, on / rounds as f64);
        rep.add(
            "contended handoff, 2 clients, lock profiler on",
            fmt_rate(on),
            format!("profiler off {} (interleaved rounds)", fmt_rate(off)),
            format!("{:.2}x", on / off),
            "context (every award is profiled)",
        );
    }
    // 3. /metrics scrape with 10,000 locks and 100 clients.
    {
        let (n_clients, per) = if quick { (10, 100) } else { (100, 100) };
        let server = Server::start(bin)?;
        set_profiler(&server, true)?;
        let mut clients: Vec<Client> = Vec::with_capacity(n_clients);
        for i in 0..n_clients {
            clients.push(server.client(&format!("scrape-{i}")).await?);
        }
        let mut tasks = Vec::new();
        for (i, c) in clients.iter().enumerate() {
            let c = c.clone();
            tasks.push(tokio::spawn(async move {
                for j in 0..per {
                    let tx = c
                        .lock(LockId::Named(format!("scrape-{i}-{j}")), LockLevel::Write)
                        .await?;
                    tx.commit().await?;
                }
                Ok::<(), kiln::Error>(())
            }));
        }
        for t in tasks {
            t.await??;
        }
        let locks = n_clients * per;
        let body = http(server.jmx, "GET", "/api/locks?top=1")?;
        if !body.contains("scrape-") {
            return Err(format!("the profiler tracks none of the {locks} locks: {body}").into());
        }
        let scrapes = if quick { 5 } else { 50 };
        let time = |n: usize| -> Res<Vec<Duration>> {
            let mut v = Vec::with_capacity(n);
            for _ in 0..n {
                let t = Instant::now();
                let m = http(server.jmx, "GET", "/metrics")?;
                v.push(t.elapsed());
                if !m.contains("kiln_lock_profiler_enabled") {
                    return Err("/metrics lacks kiln_lock_profiler_enabled".into());
                }
            }
            v.sort();
            Ok(v)
        };
        let on = time(scrapes)?;
        set_profiler(&server, false)?;
        let off = time(scrapes)?;
        let (p50, max, base) = (
            percentile(&on, 0.5),
            percentile(&on, 1.0),
            percentile(&off, 0.5),
        );
        rep.add(
            &format!(
                "GET /metrics, {locks} locks held by {n_clients} clients, profiler on, p50 / max"
            ),
            format!("{} / {}", fmt_dur(p50), fmt_dur(max)),
            format!("profiler off p50 {}", fmt_dur(base)),
            format!("{:.2}x", p50.as_secs_f64() / base.as_secs_f64().max(1e-9)),
            "<= 50 ms",
        );
        for c in clients {
            let _ = c.close().await;
        }
    }
    Ok(())
}

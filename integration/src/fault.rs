//! Fault injection for end-to-end tests (issue #11): a TCP proxy between a client and a server
//! (or between two servers) whose behaviour is switched at runtime, and a checker of
//! acknowledged writes.
//!
//! # API
//! - [`Proxy::start`]`(upstream)` listens on a free loopback port ([`Proxy::addr`]) and forwards
//!   every accepted connection to `upstream`. [`Proxy::set`] switches the [`Fault`] of every
//!   current and future connection: [`Fault::None`], [`Fault::Delay`] (each chunk held for a
//!   time, both directions), [`Fault::Drop`] (bytes read and discarded, both directions: a
//!   silent peer, for health checks), [`Fault::CutToServer`] / [`Fault::CutToClient`] (one
//!   direction discarded), [`Fault::Partition`] (existing connections closed, new ones accepted
//!   and closed at once). [`Proxy::cut`] closes the current connections once (new ones pass).
//!   The proxy runs on its own thread and runtime; dropping it stops it and closes everything.
//!   [`Proxy::start_on`] listens on a given address instead (a server's advertised group
//!   address, the server binding another loopback address: a partition between two servers).
//! - Servers as child processes: [`crate::ServerProcess`] (`kill` = kill -9, `restart`),
//!   [`crate::ServerProcess::pid`] with [`signal`] for `SIGSTOP` / `SIGCONT` (the `kill`
//!   command: no new dependency).
//! - [`Checker`]: workers record each write as they make it ([`Checker::attempt`]) and when it
//!   is acknowledged ([`Checker::acked`]: the commit future resolved `Ok`); [`Checker::verify`]
//!   then takes what the cluster holds (writer, sequence pairs, e.g. list elements
//!   `"w<writer>-<seq>"` parsed with [`Checker::parse`]) and checks that every acknowledged
//!   write is present exactly once, that nothing is present that was never attempted or twice,
//!   and that each writer's writes appear in its own order (an unacknowledged write may be
//!   present or absent, never duplicated).

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

/// What the proxy does to the traffic.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Fault {
    /// Forward everything.
    #[default]
    None,
    /// Hold every chunk for this long before forwarding it (both directions).
    Delay(Duration),
    /// Read and discard everything (both directions); connections stay open.
    Drop,
    /// Discard client → server bytes only.
    CutToServer,
    /// Discard server → client bytes only.
    CutToClient,
    /// Close every connection; accept new ones and close them at once.
    Partition,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
struct Ctl {
    fault: Fault,
    /// Incremented by [`Proxy::cut`]: connections opened before close.
    cut_gen: u64,
}

/// A runtime-switchable TCP proxy (see the module docs).
#[derive(Debug)]
pub struct Proxy {
    addr: String,
    ctl: watch::Sender<Ctl>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Proxy {
    /// Starts a proxy in front of `upstream` (`host:port`) on a free loopback port.
    pub fn start(upstream: &str) -> Proxy {
        Self::start_on("127.0.0.1:0", upstream)
    }

    /// Starts a proxy listening on `listen` (e.g. the `host:l2-group-port` peers reach a server
    /// at, while the server itself binds another loopback address) in front of `upstream`.
    pub fn start_on(listen: &str, upstream: &str) -> Proxy {
        let std_listener = std::net::TcpListener::bind(listen).expect("bind a proxy port");
        std_listener
            .set_nonblocking(true)
            .expect("non-blocking listener");
        let addr = std_listener.local_addr().expect("proxy addr").to_string();
        let (ctl, ctl_rx) = watch::channel(Ctl::default());
        let (stop, stop_rx) = tokio::sync::oneshot::channel();
        let upstream = upstream.to_string();
        let thread = std::thread::Builder::new()
            .name("kiln-fault-proxy".into())
            .spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .expect("proxy runtime");
                rt.block_on(async move {
                    let listener = TcpListener::from_std(std_listener).expect("tokio listener");
                    tokio::select! {
                        _ = accept_loop(listener, upstream, ctl_rx) => {}
                        _ = stop_rx => {}
                    }
                });
            })
            .expect("spawn the proxy thread");
        Proxy {
            addr,
            ctl,
            stop: Some(stop),
            thread: Some(thread),
        }
    }

    /// `127.0.0.1:port` to connect to instead of the upstream.
    pub fn addr(&self) -> &str {
        &self.addr
    }

    /// Switches the fault of every current and future connection.
    pub fn set(&self, fault: Fault) {
        self.ctl.send_modify(|c| c.fault = fault);
    }

    /// The current fault.
    pub fn fault(&self) -> Fault {
        self.ctl.borrow().fault
    }

    /// Closes every current connection once (later ones are forwarded as set).
    pub fn cut(&self) {
        self.ctl.send_modify(|c| c.cut_gen += 1);
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

async fn accept_loop(listener: TcpListener, upstream: String, ctl: watch::Receiver<Ctl>) {
    loop {
        let Ok((client, _)) = listener.accept().await else {
            continue;
        };
        if ctl.borrow().fault == Fault::Partition {
            drop(client);
            continue;
        }
        let up = upstream.clone();
        let ctl = ctl.clone();
        tokio::spawn(async move {
            let Ok(server) = TcpStream::connect(&up).await else {
                return;
            };
            let _ = client.set_nodelay(true);
            let _ = server.set_nodelay(true);
            let gen = ctl.borrow().cut_gen;
            let (cr, cw) = client.into_split();
            let (sr, sw) = server.into_split();
            let mut a = ctl.clone();
            let mut b = ctl.clone();
            let mut c = ctl.clone();
            tokio::select! {
                _ = pump(cr, sw, true, &mut a) => {}
                _ = pump(sr, cw, false, &mut b) => {}
                _ = closed(&mut c, gen) => {}
            }
        });
    }
}

/// Resolves when the connection must close: partitioned, or cut after it was opened.
async fn closed(ctl: &mut watch::Receiver<Ctl>, gen: u64) {
    loop {
        {
            let c = *ctl.borrow_and_update();
            if c.fault == Fault::Partition || c.cut_gen != gen {
                return;
            }
        }
        if ctl.changed().await.is_err() {
            return;
        }
    }
}

/// Copies one direction, applying the current fault to each chunk.
async fn pump(
    mut rd: tokio::net::tcp::OwnedReadHalf,
    mut wr: tokio::net::tcp::OwnedWriteHalf,
    to_server: bool,
    ctl: &mut watch::Receiver<Ctl>,
) {
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = match rd.read(&mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(n) => n,
        };
        let fault = ctl.borrow().fault;
        match fault {
            Fault::Drop => continue,
            Fault::CutToServer if to_server => continue,
            Fault::CutToClient if !to_server => continue,
            Fault::Delay(d) => tokio::time::sleep(d).await,
            _ => {}
        }
        if wr.write_all(&buf[..n]).await.is_err() {
            return;
        }
    }
}

/// Sends `signal` (`STOP`, `CONT`, `KILL`...) to process `pid` with the `kill` command.
pub fn signal(pid: u32, signal: &str) {
    let st = std::process::Command::new("kill")
        .arg(format!("-{signal}"))
        .arg(pid.to_string())
        .status()
        .expect("run kill");
    assert!(st.success(), "kill -{signal} {pid} failed");
}

/// Records attempted and acknowledged writes of many writers and verifies what the cluster
/// holds against them (see the module docs).
#[derive(Debug, Default, Clone)]
pub struct Checker {
    inner: Arc<Mutex<CheckerState>>,
}

#[derive(Debug, Default)]
struct CheckerState {
    attempted: BTreeMap<u64, BTreeSet<u64>>,
    acked: BTreeMap<u64, BTreeSet<u64>>,
}

impl Checker {
    /// A checker with nothing recorded.
    pub fn new() -> Self {
        Self::default()
    }

    /// The element a writer stores for write `seq`: `"w<writer>-<seq>"`.
    pub fn element(writer: u64, seq: u64) -> String {
        format!("w{writer}-{seq}")
    }

    /// Parses an element made by [`Checker::element`].
    pub fn parse(s: &str) -> Option<(u64, u64)> {
        let (w, q) = s.strip_prefix('w')?.split_once('-')?;
        Some((w.parse().ok()?, q.parse().ok()?))
    }

    /// Writer `writer` is about to make write `seq`.
    pub fn attempt(&self, writer: u64, seq: u64) {
        let mut s = self.inner.lock().expect("checker lock");
        s.attempted.entry(writer).or_default().insert(seq);
    }

    /// Write `seq` of `writer` was acknowledged (its commit resolved `Ok`).
    pub fn acked(&self, writer: u64, seq: u64) {
        let mut s = self.inner.lock().expect("checker lock");
        s.acked.entry(writer).or_default().insert(seq);
    }

    /// Number of acknowledged writes.
    pub fn acked_count(&self) -> usize {
        let s = self.inner.lock().expect("checker lock");
        s.acked.values().map(BTreeSet::len).sum()
    }

    /// Number of acknowledged writes of `writer`.
    pub fn acked_count_of(&self, writer: u64) -> usize {
        let s = self.inner.lock().expect("checker lock");
        s.acked.get(&writer).map_or(0, BTreeSet::len)
    }

    /// Checks `present` (the (writer, seq) pairs found, in storage order); `Err` lists every
    /// violation.
    pub fn verify(&self, present: &[(u64, u64)]) -> Result<(), String> {
        let s = self.inner.lock().expect("checker lock");
        let mut errors = Vec::new();
        let mut seen: BTreeMap<(u64, u64), usize> = BTreeMap::new();
        let mut last: BTreeMap<u64, u64> = BTreeMap::new();
        for &(w, q) in present {
            *seen.entry((w, q)).or_default() += 1;
            if !s.attempted.get(&w).is_some_and(|a| a.contains(&q)) {
                errors.push(format!("w{w}-{q} is present but was never attempted"));
            }
            if let Some(&prev) = last.get(&w) {
                if q <= prev {
                    errors.push(format!("w{w}-{q} appears after w{w}-{prev} (out of order)"));
                }
            }
            last.insert(w, q);
        }
        for (&(w, q), &n) in &seen {
            if n > 1 {
                errors.push(format!("w{w}-{q} is present {n} times"));
            }
        }
        for (&w, acked) in &s.acked {
            for &q in acked {
                if !seen.contains_key(&(w, q)) {
                    errors.push(format!("acknowledged w{w}-{q} is missing"));
                }
            }
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors.join("\n"))
        }
    }
}

/// Writers `ids` appending `w<writer>-<seq>` (see [`Checker::element`]) to the root list `log`,
/// each write in its own SyncWrite transaction under lock `log`, until `stop` or until the client
/// fails (the failed write then counts as unacknowledged). A list dropped from the cache as stale
/// (after a restart, a resume or a failover) is faulted in again and the write retried, as the
/// Rust API asks. Returns, per writer, the error that stopped it.
pub fn start_writers(
    ids: std::ops::Range<u64>,
    client: &kiln::Client,
    checker: &Checker,
    stop: &Arc<std::sync::atomic::AtomicBool>,
) -> Vec<tokio::task::JoinHandle<Option<kiln::Error>>> {
    use std::sync::atomic::Ordering;
    ids.map(|w| {
        let (client, checker, stop) = (client.clone(), checker.clone(), stop.clone());
        tokio::spawn(async move {
            let log = match client.list("log").await {
                Ok(l) => l,
                Err(e) => return Some(e),
            };
            let mut seq = 0u64;
            while !stop.load(Ordering::Relaxed) {
                seq += 1;
                checker.attempt(w, seq);
                loop {
                    let mut tx = match client
                        .lock(
                            kiln::LockId::Named("log".into()),
                            kiln::LockLevel::SyncWrite,
                        )
                        .await
                    {
                        Ok(tx) => tx,
                        Err(e) => return Some(e),
                    };
                    match log.add(&mut tx, Checker::element(w, seq)) {
                        Ok(()) => {}
                        Err(kiln::Error::NotResident { .. }) => {
                            drop(tx);
                            if let Err(e) = log.len(&client).await {
                                return Some(e);
                            }
                            continue;
                        }
                        Err(e) => return Some(e),
                    }
                    match tx.commit().await {
                        Ok(()) => checker.acked(w, seq),
                        Err(e) => return Some(e),
                    }
                    break;
                }
            }
            None
        })
    })
    .collect()
}

/// Stops the writers of [`start_writers`] and waits for them (each within `timeout`); the errors
/// that stopped some of them.
pub async fn stop_writers(
    stop: &Arc<std::sync::atomic::AtomicBool>,
    writers: Vec<tokio::task::JoinHandle<Option<kiln::Error>>>,
    timeout: Duration,
) -> Vec<kiln::Error> {
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let mut errors = Vec::new();
    for w in writers {
        let r = tokio::time::timeout(timeout, w)
            .await
            .expect("writer finished in time")
            .expect("writer did not panic");
        errors.extend(r);
    }
    errors
}

/// Waits (at most `within`) until `checker` has more than `more_than` acknowledged writes.
pub async fn wait_acks(checker: &Checker, more_than: usize, within: Duration) {
    let deadline = std::time::Instant::now() + within;
    while checker.acked_count() <= more_than {
        assert!(
            std::time::Instant::now() < deadline,
            "no progress past {more_than} acknowledged writes within {within:?}"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checker_finds_missing_duplicate_unknown_and_reordered_writes() {
        let c = Checker::new();
        for q in 1..=3 {
            c.attempt(0, q);
        }
        c.acked(0, 1);
        c.acked(0, 2);
        // Unacknowledged 3 may be present or absent.
        assert_eq!(c.verify(&[(0, 1), (0, 2)]), Ok(()));
        assert_eq!(c.verify(&[(0, 1), (0, 2), (0, 3)]), Ok(()));
        let e = c.verify(&[(0, 1)]).expect_err("missing");
        assert!(e.contains("acknowledged w0-2 is missing"), "{e}");
        let e = c.verify(&[(0, 1), (0, 2), (0, 2)]).expect_err("duplicate");
        assert!(e.contains("w0-2 is present 2 times"), "{e}");
        let e = c.verify(&[(0, 1), (0, 2), (1, 9)]).expect_err("unknown");
        assert!(e.contains("w1-9 is present but was never attempted"), "{e}");
        let e = c.verify(&[(0, 2), (0, 1)]).expect_err("reordered");
        assert!(e.contains("out of order"), "{e}");
        assert_eq!(Checker::parse(&Checker::element(7, 42)), Some((7, 42)));
    }
}

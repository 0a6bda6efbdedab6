//! [`ClientBuilder`]: addresses, settings (also from a `tc-config.xml`), and the first connect.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicBool, AtomicU64};
use std::sync::Arc;
use std::time::{Duration, Instant};

use parking_lot::{Mutex, RwLock};
use tokio::sync::{broadcast, watch, Notify};

use crate::outbound::Outbound;
use crate::{Error, Result};
use rustc_hash::FxHashMap;

use super::api::{Client, Handle};
use super::events::Stats;
use super::handshake::{handshake, Handshake};
use super::ids::IdPool;
use super::inner::{callback_thread, AckState, Callback, Inner, Subs, Tasks};
use super::reconnect::ReconnectCfg;
use super::{
    DEFAULT_ID_BATCH, DEFAULT_RECONNECT_INTERVAL, DEFAULT_RECONNECT_TIMEOUT, DEFAULT_WINDOW,
};

/// Client-side health check of the server connection (`l1.healthcheck.l2.*`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HealthCheck {
    /// Silence before the first probe.
    pub idle: Duration,
    /// Time between unanswered probes.
    pub interval: Duration,
    /// Unanswered probes before the connection is declared lost.
    pub probes: u32,
}

impl Default for HealthCheck {
    fn default() -> Self {
        HealthCheck {
            idle: Duration::from_millis(5000),
            interval: Duration::from_millis(1000),
            probes: 3,
        }
    }
}

/// Configures and opens a [`Client`].
///
/// ```no_run
/// # async fn demo() -> kiln::Result<()> {
/// use std::time::Duration;
/// let client = kiln::ClientBuilder::new(["127.0.0.1:9510", "127.0.0.1:9511"])
///     .name("order-service")
///     .connect_deadline(Duration::from_secs(5))
///     .connect()
///     .await?;
/// # drop(client); Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct ClientBuilder {
    addrs: Vec<String>,
    name: String,
    fault_count: Option<u32>,
    window: usize,
    connect_timeout: Duration,
    connect_deadline: Option<Duration>,
    max_retries: i64,
    retry_wait: Duration,
    health: Option<HealthCheck>,
    id_batch: u64,
    reconnect: bool,
    reconnect_timeout: Duration,
    reconnect_interval: Duration,
    /// Several mirror groups (stripes): each group's addresses, in stripe order (empty: one
    /// group, `addrs`).
    groups: Vec<Vec<String>>,
    /// The stripe this builder's connection serves, and how many there are (set per group by
    /// the striped connect).
    stripe: u8,
    stripes: u8,
}

impl ClientBuilder {
    /// A builder for the given server addresses (`host:port`), tried in order.
    ///
    /// Defaults: connect timeout 10 s per attempt, retry rounds forever (`-1`) every second but
    /// at most 10 s overall, window of 20 000 unacknowledged transactions, fault count from the
    /// server's `Welcome`, health check 5 s idle / 1 s interval / 3 probes, reconnect after a
    /// lost connection for up to 150 s, every 250 ms.
    pub fn new<S: Into<String>>(addrs: impl IntoIterator<Item = S>) -> Self {
        ClientBuilder {
            addrs: addrs.into_iter().map(Into::into).collect(),
            name: format!("kiln-rust-{}", std::process::id()),
            fault_count: None,
            window: DEFAULT_WINDOW,
            connect_timeout: Duration::from_secs(10),
            connect_deadline: Some(Duration::from_secs(10)),
            max_retries: -1,
            retry_wait: Duration::from_secs(1),
            health: Some(HealthCheck::default()),
            id_batch: DEFAULT_ID_BATCH,
            reconnect: true,
            reconnect_timeout: DEFAULT_RECONNECT_TIMEOUT,
            reconnect_interval: DEFAULT_RECONNECT_INTERVAL,
            groups: Vec::new(),
            stripe: 0,
            stripes: 1,
        }
    }

    /// A builder from a connect string: addresses separated by `,` (one group, tried in order,
    /// as [`ClientBuilder::new`]), and groups (stripes) separated by `;`, in the order of the
    /// servers' `<mirror-group>`s: `h1:p1,h2:p2;h3:p3,h4:p4` is two stripes of two servers.
    /// Empty addresses are skipped.
    pub fn from_connect_string(spec: &str) -> Self {
        let groups = parse_connect_string(spec);
        match groups.len() {
            0 => ClientBuilder::new(Vec::<String>::new()),
            1 => ClientBuilder::new(groups.into_iter().flatten()),
            _ => ClientBuilder::new(Vec::<String>::new()).groups(groups),
        }
    }

    /// Several mirror groups (stripes), each given by its servers' addresses, in the order of
    /// the `<mirror-group>`s in the servers' configuration (group `i` is stripe `i`). The client
    /// connects to each group's active (each with its own reconnect / failover over its
    /// addresses) and routes: roots and named locks by `FNV-1a-64(name) % groups`, objects and
    /// their locks by the id's stripe (docs/protocol.md "Stripes"). One group is the same as
    /// [`ClientBuilder::servers`].
    pub fn groups<S: Into<String>>(
        mut self,
        groups: impl IntoIterator<Item = impl IntoIterator<Item = S>>,
    ) -> Self {
        let groups: Vec<Vec<String>> = groups
            .into_iter()
            .map(|g| g.into_iter().map(Into::into).collect())
            .collect();
        if groups.len() <= 1 {
            self.addrs = groups.into_iter().flatten().collect();
            self.groups = Vec::new();
        } else {
            self.addrs = groups.iter().flatten().cloned().collect();
            self.groups = groups;
        }
        self
    }

    /// A builder from a parsed `tc-config.xml`: every server of the configuration,
    /// `l1.max.connect.retries`, `l1.socket.connect.timeout`, `l1.socket.reconnect.waitInterval`,
    /// `l1.healthcheck.l2.*` and `<clients><dso><fault-count>`. No overall deadline (set one with
    /// [`ClientBuilder::connect_deadline`]). `l1.socket.reconnect.waitInterval` is also the
    /// pause between reconnect attempts. Reconnect after a lost connection is on only if some
    /// server of the configuration is persistent (`permanent-store` / `<restartable>`), with a
    /// timeout of the longest `<client-reconnect-window>` plus 30 s; or if
    /// `l2.l1reconnect.enabled` is true (a brief drop from the same running server), then for at
    /// least `l2.l1reconnect.timeout.millis`.
    pub fn from_config(cfg: &kiln_config::TcConfig) -> Self {
        let mut b = ClientBuilder::new(cfg.client_addresses());
        if cfg.servers.groups.len() > 1 {
            // Several mirror groups: one stripe each, in configuration order.
            b = b.groups(cfg.servers.groups.iter().map(|g| {
                g.servers
                    .iter()
                    .map(|s| cfg_addr(&s.host, s.dso_port))
                    .collect::<Vec<_>>()
            }));
        }
        let c = cfg.tc_properties.l1_connect();
        b.max_retries = c.max_connect_retries;
        b.connect_timeout = Duration::from_millis(c.socket_connect_timeout_ms.max(1));
        b.retry_wait = Duration::from_millis(c.reconnect_wait_interval_ms.max(10));
        b.reconnect_interval = b.retry_wait;
        b.connect_deadline = None;
        let hc = cfg
            .tc_properties
            .healthcheck(kiln_config::HealthCheckTarget::L1ToL2);
        b.health = hc.ping_enabled.then(|| HealthCheck {
            idle: Duration::from_millis(hc.ping_idletime_ms.max(1)),
            interval: Duration::from_millis(hc.ping_interval_ms.max(1)),
            probes: hc.ping_probes.max(1),
        });
        b.fault_count = Some(cfg.clients.fault_count);
        // Reconnecting only helps when a server keeps the graph across a restart: an in-memory
        // server that comes back refuses old clients, so with none persistent a lost connection
        // fails at once. Otherwise keep trying a little longer than the longest reconnect window.
        let persistent: Vec<&kiln_config::ServerConfig> = cfg
            .all_servers()
            .filter(|s| s.persistence == kiln_config::PersistenceMode::PermanentStore)
            .collect();
        b.reconnect = !persistent.is_empty();
        if let Some(window) = persistent
            .iter()
            .map(|s| s.client_reconnect_window_secs)
            .max()
        {
            b.reconnect_timeout = Duration::from_secs(window.saturating_add(30));
        }
        // A group of two or more servers (networked-active-passive) keeps the graph on its
        // standbys: when the active dies, a standby is elected within election-time and opens its
        // reconnect window, so a client keeps trying the other addresses for at least that long.
        if let Some(g) = cfg.servers.groups.iter().find(|g| g.servers.len() >= 2) {
            let window = g
                .servers
                .iter()
                .map(|s| s.client_reconnect_window_secs)
                .max()
                .unwrap_or(cfg.servers.client_reconnect_window_secs);
            let t = Duration::from_secs(
                window
                    .saturating_add(g.election_time_secs)
                    .saturating_add(30),
            );
            b.reconnect_timeout = if b.reconnect {
                b.reconnect_timeout.max(t)
            } else {
                t
            };
            b.reconnect = true;
        }
        // `l2.l1reconnect.*`: a client whose connection to the same running server drops
        // briefly comes back within `timeout.millis` (the server keeps its session that long).
        let l1r = cfg.tc_properties.l1_reconnect();
        if l1r.enabled {
            let t = Duration::from_millis(l1r.timeout_ms.max(1));
            b.reconnect_timeout = if b.reconnect {
                b.reconnect_timeout.max(t)
            } else {
                t
            };
            b.reconnect = true;
        }
        b
    }

    /// [`ClientBuilder::from_config`] over a configuration file.
    pub fn from_config_file(path: impl AsRef<std::path::Path>) -> Result<Self> {
        Ok(Self::from_config(&kiln_config::TcConfig::from_file(path)?))
    }

    /// Replaces the server addresses (`host:port`, tried in order) and keeps every other
    /// setting: Terracotta's `-Dtc.server=host:port[,host:port]` over a `tc-config.xml`.
    pub fn servers<S: Into<String>>(mut self, addrs: impl IntoIterator<Item = S>) -> Self {
        self.addrs = addrs.into_iter().map(Into::into).collect();
        self.groups = Vec::new();
        self
    }

    /// The client name sent in `Hello` (shown in membership events and server logs).
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = name.into();
        self
    }
    /// Prefetch budget of faults (objects per `Fault`); default: the server's `fault_count`.
    pub fn fault_count(mut self, n: u32) -> Self {
        self.fault_count = Some(n.max(1));
        self
    }
    /// Maximum unacknowledged transactions before committers block (default 20 000).
    pub fn window(mut self, n: usize) -> Self {
        self.window = n.max(1);
        self
    }
    /// Timeout of one TCP connect attempt.
    pub fn connect_timeout(mut self, d: Duration) -> Self {
        self.connect_timeout = d;
        self
    }
    /// Overall time limit of [`ClientBuilder::connect`] across all retries.
    pub fn connect_deadline(mut self, d: Duration) -> Self {
        self.connect_deadline = Some(d);
        self
    }
    /// No overall connect deadline (only `max_retries` bounds the attempts).
    pub fn no_connect_deadline(mut self) -> Self {
        self.connect_deadline = None;
        self
    }
    /// Rounds over the address list after the first one; `-1` = forever.
    pub fn max_retries(mut self, n: i64) -> Self {
        self.max_retries = n;
        self
    }
    /// Pause between two rounds over the address list.
    pub fn retry_wait(mut self, d: Duration) -> Self {
        self.retry_wait = d;
        self
    }
    /// Health check settings; `None` disables client-side probing.
    pub fn health_check(mut self, hc: Option<HealthCheck>) -> Self {
        self.health = hc;
        self
    }
    /// Object ids leased per request (default 10 000).
    pub fn id_batch(mut self, n: u64) -> Self {
        self.id_batch = n.max(2);
        self
    }
    /// Whether a lost connection is re-established (default `true`; protocol.md §9.9).
    ///
    /// When the connection ends (EOF, I/O error, health check, or the server shutting down),
    /// the client keeps trying to reconnect to its server addresses for
    /// [`ClientBuilder::reconnect_timeout`]. Meanwhile operations that need the server wait
    /// (they do not fail); re-acquiring a lock whose lease the client holds keeps working
    /// locally. A server that restarted with persistence (`permanent-store`) takes the client
    /// back with the same id: the client re-asserts its cache, locks and waiters, then sends its
    /// unacknowledged transactions and pending requests again. A server without that state
    /// (in-memory, or the client came back after its reconnect window) refuses: the client
    /// fails with [`Error::ReconnectFailed`] carrying the server's reason.
    ///
    /// The rest of the object-id lease is given up when the connection is lost (the restarted
    /// server may lease those ids again): until the new lease arrives, [`Txn::create`](crate::Txn::create) fails
    /// with [`Error::IdsExhausted`] (call [`Client::reserve_ids`] first to wait for it; the
    /// blocking `create` waits by itself).
    ///
    /// With `false`, a lost connection fails the client at once with
    /// [`Error::ConnectionLost`].
    pub fn reconnect(mut self, on: bool) -> Self {
        self.reconnect = on;
        self
    }
    /// How long the client keeps trying to reconnect after losing its connection (default
    /// 150 s: longer than the server's default reconnect window of 120 s).
    pub fn reconnect_timeout(mut self, d: Duration) -> Self {
        self.reconnect_timeout = d;
        self
    }
    /// Pause between two reconnect attempts (rounds over the address list); default 250 ms, or
    /// `l1.socket.reconnect.waitInterval` for a client built from a configuration.
    pub fn reconnect_interval(mut self, d: Duration) -> Self {
        self.reconnect_interval = d.max(Duration::from_millis(1));
        self
    }

    /// Connects: tries every address in order, in rounds, until one accepts and the handshake
    /// (`Hello` / `Welcome` / `Membership`) succeeds; then leases a first range of object ids.
    ///
    /// Must be called inside a tokio runtime (the client spawns its reader, writer and
    /// health-check tasks on it).
    pub async fn connect(self) -> Result<Client> {
        if self.groups.len() > 1 {
            return self.connect_stripes().await;
        }
        if self.addrs.is_empty() {
            return Err(Error::ConnectFailed {
                addrs: vec![],
                reason: "no server address given".into(),
            });
        }
        let start = Instant::now();
        let deadline = self.connect_deadline.map(|d| start + d);
        let mut round: i64 = 0;
        let mut last_err = String::new();
        loop {
            for addr in &self.addrs {
                let mut attempt = self.connect_timeout;
                if let Some(d) = deadline {
                    attempt = attempt.min(d.saturating_duration_since(Instant::now()));
                    if attempt.is_zero() {
                        break;
                    }
                }
                tracing::debug!(%addr, round, "connecting");
                match tokio::time::timeout(attempt, self.try_addr(addr)).await {
                    Ok(Ok(c)) => return Ok(c),
                    // A peer that answers with something other than Kiln frames is not a Kiln
                    // server (wrong port?): retrying will not change that.
                    Ok(Err(
                        e @ (Error::VersionMismatch { .. }
                        | Error::Refused { .. }
                        | Error::ServerError { .. }
                        | Error::WrongStripe { .. }
                        | Error::Protocol(_)),
                    )) => return Err(e),
                    Ok(Err(e)) => {
                        tracing::debug!(%addr, error = %e, "connect attempt failed");
                        let reason = match e {
                            Error::Io(io) => io.to_string(),
                            other => other.to_string(),
                        };
                        last_err = if self.addrs.len() > 1 {
                            format!("{addr}: {reason}")
                        } else {
                            reason
                        };
                    }
                    Err(_) => {
                        last_err = if self.addrs.len() > 1 {
                            format!("{addr}: timed out after {attempt:.1?}")
                        } else {
                            format!("timed out after {attempt:.1?}")
                        }
                    }
                }
            }
            round += 1;
            let out_of_rounds = self.max_retries >= 0 && round > self.max_retries;
            let mut wait = self.retry_wait;
            if let Some(d) = deadline {
                let left = d.saturating_duration_since(Instant::now());
                if left.is_zero() {
                    last_err = format!("{last_err} (gave up after {:.1?})", start.elapsed());
                }
                wait = wait.min(left);
                if left.is_zero() || out_of_rounds {
                    return Err(Error::ConnectFailed {
                        addrs: self.addrs.clone(),
                        reason: last_err,
                    });
                }
            }
            if out_of_rounds {
                return Err(Error::ConnectFailed {
                    addrs: self.addrs.clone(),
                    reason: last_err,
                });
            }
            tokio::time::sleep(wait).await;
        }
    }

    async fn try_addr(&self, addr: &str) -> Result<Client> {
        let hs = handshake(addr, &self.name, None).await?;
        let Handshake {
            rd,
            wr,
            buf,
            welcome,
            membership,
            backlog,
        } = hs;
        if let Err(e) = super::fence::check_stripe(&welcome, addr, self.stripe, self.stripes) {
            let mut wr = wr;
            let _ = tokio::io::AsyncWriteExt::write_all(
                &mut wr,
                &kiln_protocol::frame::to_bytes(&kiln_protocol::Message::Goodbye),
            )
            .await;
            return Err(e);
        }
        let client_id = welcome.client_id;
        tracing::info!(%addr, client_id, server = %welcome.server_name, epoch = welcome.epoch, "connected");
        let (cb_tx, cb_rx) = std::sync::mpsc::channel::<Callback>();
        std::thread::Builder::new()
            .name(format!("kiln-callbacks-{client_id}"))
            .spawn(move || callback_thread(cb_rx))
            .map_err(|e| Error::lost(format!("cannot start the callback thread: {e}")))?;
        let (acks, _) = watch::channel(AckState::default());
        let reconnect = self.reconnect.then(|| ReconnectCfg {
            addrs: self.addrs.clone(),
            name: self.name.clone(),
            connect_timeout: self.connect_timeout,
            interval: self.reconnect_interval,
            timeout: self.reconnect_timeout,
        });
        let inner = Arc::new(Inner {
            client_id: membership.0,
            stripe: self.stripe,
            stripes: self.stripes,
            server_name: welcome.server_name,
            server_addr: addr.to_string(),
            max_frame: (welcome.max_frame as usize).max(1024),
            fault_count: self.fault_count.unwrap_or(welcome.fault_count).max(1),
            window: self.window as u64,
            out: Outbound::default(),
            cache: Mutex::new(FxHashMap::default()),
            locks: RwLock::new(FxHashMap::default()),
            pending: Mutex::new(HashMap::new()),
            pings: Mutex::new(HashMap::new()),
            next_req: AtomicU64::new(1),
            next_waiter: AtomicU64::new(1),
            waits: Mutex::new(HashMap::new()),
            acked: AtomicU64::new(0),
            acks,
            ids: Mutex::new(IdPool::new(self.id_batch)),
            ids_ready: Notify::new(),
            nodes: Mutex::new(membership.1),
            events: broadcast::channel(1024).0,
            dmi: broadcast::channel(4096).0,
            dmi_handlers: Mutex::new(Vec::new()),
            subs: Mutex::new(Subs::default()),
            callbacks: Mutex::new(Some(cb_tx)),
            failure: Mutex::new(None),
            failed: AtomicBool::new(false),
            closed: AtomicBool::new(false),
            stats: Stats::default(),
            epoch: Instant::now(),
            last_rx_us: AtomicU64::new(0),
            tasks: Mutex::new(Tasks::default()),
            gate: RwLock::new(()),
            reconnecting: AtomicBool::new(false),
            reconnect,
            health: self.health,
            server_epoch: AtomicU64::new(welcome.epoch),
            cluster_id: Mutex::new(welcome.cluster_id),
            rejections: Mutex::new(VecDeque::new()),
            any_rejected: AtomicBool::new(false),
            flushed_upto: AtomicU64::new(0),
            resubscribe: Mutex::new(Vec::new()),
            wake: Notify::new(),
            evict_later: Mutex::new(Vec::new()),
            refetch: AtomicU64::new(0),
            refetched: Notify::new(),
            twopc: Default::default(),
        });
        if client_id != inner.client_id {
            tracing::warn!(
                client_id,
                this_node = inner.client_id,
                "Welcome and Membership disagree on the client id"
            );
        }
        for m in backlog {
            inner.dispatch(m, 0);
        }
        inner.start_tasks(rd, wr, buf, 0);
        let client = Client {
            inner: inner.clone(),
            _handle: Arc::new(Handle { inner }),
            stripes: None,
        };
        client.reserve_ids(1).await?;
        Ok(client)
    }

    /// Connects to every group (stripe) in turn; the returned client routes to each.
    async fn connect_stripes(self) -> Result<Client> {
        let n = self.groups.len();
        let stripes = u8::try_from(n).map_err(|_| Error::WrongStripe {
            message: format!("{n} groups given; at most 255 stripes are supported"),
        })?;
        let mut clients = Vec::with_capacity(n);
        for (i, addrs) in self.groups.iter().enumerate() {
            let mut b = self.clone();
            b.groups = Vec::new();
            b.addrs = addrs.clone();
            b.stripe = u8::try_from(i).unwrap_or(u8::MAX);
            b.stripes = stripes;
            tracing::debug!(stripe = i, addrs = ?addrs, "connecting to a stripe");
            match Box::pin(b.connect()).await {
                Ok(c) => clients.push(c),
                Err(Error::ConnectFailed { addrs, reason }) => {
                    return Err(Error::ConnectFailed {
                        addrs,
                        reason: format!(
                            "stripe {i} of {n} (mirror group {}): {reason} — every stripe needs an active",
                            i + 1
                        ),
                    })
                }
                Err(e) => return Err(e),
            }
        }
        Ok(Client::striped(clients))
    }
}

/// `host:port` of a configured server (IPv6 hosts bracketed), as `TcConfig::client_addresses`.
fn cfg_addr(host: &str, port: u16) -> String {
    if host.contains(':') && !host.starts_with('[') {
        format!("[{host}]:{port}")
    } else {
        format!("{host}:{port}")
    }
}

/// Splits a connect string into groups (`;`) of addresses (`,`), skipping empty entries.
pub(crate) fn parse_connect_string(spec: &str) -> Vec<Vec<String>> {
    spec.split(';')
        .map(|g| {
            g.split(',')
                .map(str::trim)
                .filter(|a| !a.is_empty())
                .map(str::to_owned)
                .collect::<Vec<_>>()
        })
        .filter(|g| !g.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connect_strings_and_mirror_groups_give_stripes() {
        assert_eq!(
            parse_connect_string("a:1, b:2;c:3,;; d:4"),
            vec![
                vec!["a:1".to_string(), "b:2".to_string()],
                vec!["c:3".to_string()],
                vec!["d:4".to_string()]
            ]
        );
        let one = ClientBuilder::from_connect_string("a:1,b:2");
        assert!(one.groups.is_empty());
        assert_eq!(one.addrs, vec!["a:1".to_string(), "b:2".to_string()]);
        let two = ClientBuilder::from_connect_string("a:1,b:2;c:3,d:4");
        assert_eq!(two.groups.len(), 2);
        assert_eq!(two.groups[1], vec!["c:3".to_string(), "d:4".to_string()]);
        // -Dtc.server style override: one group again.
        assert!(two.servers(["x:1"]).groups.is_empty());
        let xml = r#"<tc-config><servers>
            <mirror-group group-name="g1"><server host="127.0.0.1" name="a"><dso-port>9510</dso-port></server><server host="127.0.0.1" name="b"><dso-port>9511</dso-port></server></mirror-group>
            <mirror-group group-name="g2"><server host="::1" name="c"><dso-port>9512</dso-port></server></mirror-group>
            </servers></tc-config>"#;
        let b = ClientBuilder::from_config(
            &kiln_config::TcConfig::from_str_with_origin(xml, "test").expect("valid config"),
        );
        assert_eq!(
            b.groups,
            vec![
                vec!["127.0.0.1:9510".to_string(), "127.0.0.1:9511".to_string()],
                vec!["[::1]:9512".to_string()]
            ]
        );
    }

    #[test]
    fn servers_replace_the_addresses_and_keep_the_other_settings() {
        let xml = r#"<tc-config><tc-properties><property name="l1.max.connect.retries" value="3"/></tc-properties><servers><server host="127.0.0.1" name="a"><dso-port>9510</dso-port></server></servers><clients><dso><fault-count>77</fault-count></dso></clients></tc-config>"#;
        let b = ClientBuilder::from_config(
            &kiln_config::TcConfig::from_str_with_origin(xml, "test").expect("valid config"),
        )
        .servers(["127.0.0.2:1", "127.0.0.3:2"]);
        assert_eq!(
            b.addrs,
            vec!["127.0.0.2:1".to_string(), "127.0.0.3:2".to_string()]
        );
        assert_eq!(b.fault_count, Some(77));
        assert_eq!(b.max_retries, 3);
    }

    #[test]
    fn reconnect_follows_the_servers_persistence() {
        let cfg = |dso: &str| {
            let xml = format!(
                r#"<tc-config><servers><server host="127.0.0.1" name="a"><dso-port>9510</dso-port><dso>{dso}</dso></server></servers></tc-config>"#
            );
            ClientBuilder::from_config(
                &kiln_config::TcConfig::from_str_with_origin(&xml, "test").expect("valid config"),
            )
        };
        let memory = cfg("");
        assert!(
            !memory.reconnect,
            "an in-memory server refuses old clients: fail fast"
        );
        let durable = cfg("<client-reconnect-window>40</client-reconnect-window><persistence><mode>permanent-store</mode></persistence>");
        assert!(durable.reconnect);
        assert_eq!(durable.reconnect_timeout, Duration::from_secs(70));
    }

    #[test]
    fn l1reconnect_enables_reconnect_for_its_timeout() {
        let cfg = |props: &str, dso: &str| {
            let xml = format!(
                r#"<tc-config><tc-properties>{props}</tc-properties><servers><server host="127.0.0.1" name="a"><dso-port>9510</dso-port><dso>{dso}</dso></server></servers></tc-config>"#
            );
            ClientBuilder::from_config(
                &kiln_config::TcConfig::from_str_with_origin(&xml, "test").expect("valid config"),
            )
        };
        let on = r#"<property name="l2.l1reconnect.enabled" value="true"/><property name="l2.l1reconnect.timeout.millis" value="5000"/>"#;
        let memory = cfg(on, "");
        assert!(memory.reconnect);
        assert_eq!(memory.reconnect_timeout, Duration::from_millis(5000));
        let durable = cfg(on, "<client-reconnect-window>40</client-reconnect-window><persistence><mode>permanent-store</mode></persistence>");
        assert_eq!(
            durable.reconnect_timeout,
            Duration::from_secs(70),
            "the longer one wins"
        );
        assert!(!cfg("", "").reconnect, "off by default");
    }

    #[test]
    fn a_group_of_two_servers_enables_reconnect_for_failover() {
        let xml = r#"<tc-config><servers>
            <server host="127.0.0.1" name="a"><dso-port>9510</dso-port><l2-group-port>9530</l2-group-port></server>
            <server host="127.0.0.1" name="b"><dso-port>9511</dso-port><l2-group-port>9531</l2-group-port></server>
            <ha><mode>networked-active-passive</mode><networked-active-passive><election-time>7</election-time></networked-active-passive></ha>
            </servers></tc-config>"#;
        let cfg = kiln_config::TcConfig::from_str_with_origin(xml, "test").expect("valid config");
        let b = ClientBuilder::from_config(&cfg);
        assert!(
            b.reconnect,
            "an in-memory group keeps the graph on its standby"
        );
        let window = cfg.servers.client_reconnect_window_secs;
        assert_eq!(b.reconnect_timeout, Duration::from_secs(window + 7 + 30));
        assert_eq!(b.addrs.len(), 2);
    }
}

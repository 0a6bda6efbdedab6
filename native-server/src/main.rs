//! `kiln-server`: start, query, stop a Kiln server, or check a `tc-config.xml`.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, Subcommand};
use kiln_config::{PersistenceMode, ServerConfig, TcConfig};
use kiln_server::pipeline::Pipeline;
use kiln_server::{Settings, Shared};
use tokio::net::TcpListener;
use tracing::{info, warn};

/// The Kiln L2 server (Terracotta-compatible command line).
#[derive(Debug, Parser)]
#[command(name = "kiln-server", version, about)]
struct Cli {
    /// tc-config.xml to use (default: ./tc-config.xml if present, else the embedded default).
    #[arg(short = 'f', long = "config", global = true)]
    config: Option<PathBuf>,
    /// Name of the <server> in the config this process is.
    #[arg(short = 'n', long = "name", global = true)]
    name: Option<String>,
    /// Restart rule override (seed 001): let a former PASSIVE with persistent data become
    /// active although the last active of its group is not running — transactions the last
    /// active committed after this server stopped are lost.
    #[arg(long = "force-active-despite-possible-data-loss", global = true)]
    force_active: bool,
    #[command(subcommand)]
    cmd: Option<Cmd>,
}

#[derive(Debug, Subcommand)]
enum Cmd {
    /// Start the server (the default).
    Start,
    /// Print the server's status (through its management port); with --group, one line per
    /// server of its group with its state.
    Status {
        /// Every server of the group (name, state, address, gtx), not just this one.
        #[arg(long)]
        group: bool,
    },
    /// Stop the server (through its management port); drains clients unless --force.
    Stop {
        /// Stop at once without draining.
        #[arg(long)]
        force: bool,
    },
    /// Check a configuration file and print a summary.
    CheckConfig,
    /// Run one distributed garbage collection now on the running server (through its
    /// management port) and print the report.
    Dgc,
}

fn load_config(path: Option<&Path>) -> Result<TcConfig, kiln_config::ConfigError> {
    match path {
        Some(p) => TcConfig::from_file(p),
        None if Path::new("tc-config.xml").exists() => TcConfig::from_file("tc-config.xml"),
        None => Ok(TcConfig::embedded_default()),
    }
}

// mimalloc returns freed memory to the OS (glibc kept ~50-90 B/object of heap after a bulk load).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let cfg = match load_config(cli.config.as_deref()) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("kiln-server: configuration error: {e}");
            return ExitCode::from(2);
        }
    };
    let cmd = cli.cmd.unwrap_or(Cmd::Start);
    if let Cmd::CheckConfig = cmd {
        if let Some(name) = cli.name.as_deref() {
            if let Err(e) = cfg.select_server(Some(name)) {
                eprintln!("kiln-server: {e}");
                return ExitCode::from(2);
            }
        }
        print!("{}", cfg.summary());
        for w in &cfg.warnings {
            eprintln!(
                "{}:{}:{}: warning: {}",
                cfg.source, w.line, w.column, w.message
            );
        }
        if let Some(w) = kiln_config::healthcheck_window_warning(&cfg) {
            eprintln!("warning: {w}");
        }
        println!("configuration OK: {}", cfg.source);
        return ExitCode::SUCCESS;
    }
    let server = match cfg.select_server(cli.name.as_deref()) {
        Ok(s) => s.clone(),
        Err(e) => {
            eprintln!("kiln-server: {e}");
            return ExitCode::from(2);
        }
    };
    // KILN_SERVER_THREADS: worker threads of the server runtime (default: one per core).
    let mut builder = match std::env::var("KILN_SERVER_THREADS")
        .ok()
        .and_then(|v| v.parse::<usize>().ok())
    {
        Some(1) => tokio::runtime::Builder::new_current_thread(),
        Some(n) => {
            let mut b = tokio::runtime::Builder::new_multi_thread();
            b.worker_threads(n.max(1));
            b
        }
        None => tokio::runtime::Builder::new_multi_thread(),
    };
    let rt = match builder.enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("kiln-server: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let force_active = cli.force_active;
    let code = match cmd {
        Cmd::Start => rt.block_on(start(cfg, server, force_active)),
        Cmd::Status { group: false } => rt.block_on(status(&cfg, &server)),
        Cmd::Status { group: true } => rt.block_on(group_status(&cfg, &server)),
        Cmd::Stop { force } => rt.block_on(stop(&cfg, &server, force)),
        Cmd::Dgc => rt.block_on(dgc(&cfg, &server)),
        Cmd::CheckConfig => ExitCode::SUCCESS,
    };
    // A passive's replication thread blocks in a socket read (up to the L2→L2 HealthChecker
    // time): do not wait for it once the server has stopped.
    rt.shutdown_timeout(std::time::Duration::from_millis(500));
    code
}

/// Where to reach the management port of `s` from this machine: its specific bind address if
/// it has one, else its host (a wildcard host means loopback).
fn mgmt_addr(s: &ServerConfig) -> String {
    let wildcard = |h: &str| h == "0.0.0.0" || h == "::" || h == "[::]";
    let host = if !wildcard(&s.jmx_bind) {
        s.jmx_bind.as_str()
    } else if wildcard(&s.host) {
        "127.0.0.1"
    } else {
        s.host.as_str()
    };
    format!("{host}:{}", s.jmx_port)
}

/// The management token this command sends (`KILN_MANAGEMENT_TOKEN`, else the tc-property
/// `l2.management.token` of the configuration it read), as the server reads it.
fn token(cfg: &TcConfig) -> Option<String> {
    kiln_server::console::token_from(cfg).map(|t| t.0)
}

/// What to tell the user when the management port refuses the request (401/403): which
/// setting supplies the token, and whether this command sent one.
fn token_hint(cfg: &TcConfig, code: u16) -> String {
    if code != 401 && code != 403 {
        return String::new();
    }
    let sent = match kiln_server::console::token_from(cfg) {
        Some((_, source)) => format!("this command sent the token from {source}"),
        None => "this command found no token".to_owned(),
    };
    format!(
        " ({sent}; the server's token is set by the environment variable KILN_MANAGEMENT_TOKEN or the tc-property l2.management.token in {}: set the same one here)",
        cfg.source
    )
}

async fn status(cfg: &TcConfig, s: &ServerConfig) -> ExitCode {
    let addr = mgmt_addr(s);
    let token = token(cfg);
    match kiln_server::mgmt::request_with_token(&addr, "GET", "/status", token.as_deref()).await {
        Ok((200, body)) => {
            let text = match serde_json::from_str::<serde_json::Value>(&body) {
                Ok(v) => serde_json::to_string_pretty(&v).unwrap_or(body),
                Err(_) => body,
            };
            // A closed pipe (`| head`) is not an error worth a panic.
            let _ = writeln!(std::io::stdout(), "{text}");
            ExitCode::SUCCESS
        }
        Ok((code, body)) => {
            eprintln!(
                "kiln-server: server '{}' at {addr} answered HTTP {code}: {body}{}",
                s.name,
                token_hint(cfg, code)
            );
            ExitCode::FAILURE
        }
        Err(e) => {
            eprintln!("kiln-server: server '{}' is not reachable: {e}", s.name);
            ExitCode::FAILURE
        }
    }
}

/// One line per server of `s`'s group: name, state (or why it is not reachable), clients
/// address, gtx, epoch. Exit status 0 when exactly one server is ACTIVE-COORDINATOR.
async fn group_status(cfg: &TcConfig, s: &ServerConfig) -> ExitCode {
    // One group: its members. Several mirror groups (stripes): every group, in stripe order
    // (seed 001: the cluster serves only while every stripe has its active).
    let stripes = cfg.servers.groups.len().max(1);
    let groups: Vec<(String, Vec<&ServerConfig>)> = if stripes > 1 {
        cfg.servers
            .groups
            .iter()
            .map(|g| (g.name.clone(), g.servers.iter().collect()))
            .collect()
    } else {
        vec![(
            s.group.clone(),
            cfg.group(&s.group)
                .map(|g| g.servers.iter().collect())
                .unwrap_or_else(|| vec![s]),
        )]
    };
    let token = token(cfg);
    let mut out = String::new();
    let mut wrong: Vec<(String, usize)> = Vec::new();
    for (i, (group, members)) in groups.iter().enumerate() {
        if stripes > 1 {
            out.push_str(&format!("group {group} (stripe {i} of {stripes})\n"));
        } else {
            out.push_str(&format!("group {group}\n"));
        }
        let mut actives = 0;
        for m in members {
            let (line, active) = member_line(cfg, m, token.as_deref()).await;
            actives += usize::from(active);
            out.push_str(&line);
            out.push('\n');
        }
        if actives != 1 {
            wrong.push((group.clone(), actives));
        }
    }
    let _ = write!(std::io::stdout(), "{out}");
    if wrong.is_empty() {
        return ExitCode::SUCCESS;
    }
    for (group, actives) in &wrong {
        if stripes > 1 && *actives == 0 {
            eprintln!(
                "kiln-server: 0 ACTIVE-COORDINATOR server(s) in group {group}: a stripe without an active stops the whole cluster until one of its servers is active again"
            );
        } else {
            eprintln!("kiln-server: {actives} ACTIVE-COORDINATOR server(s) in group {group}");
        }
    }
    ExitCode::FAILURE
}

/// One `status --group` line for server `m`, and whether it is the active.
async fn member_line(cfg: &TcConfig, m: &ServerConfig, token: Option<&str>) -> (String, bool) {
    let addr = mgmt_addr(m);
    let answer = kiln_server::mgmt::request_with_token(&addr, "GET", "/status", token).await;
    match answer {
        Ok((200, body)) => match serde_json::from_str::<serde_json::Value>(&body) {
            Ok(v) => {
                let state = v["state"].as_str().unwrap_or("?").to_owned();
                let mut line = format!(
                    "{:<16} {:<22} {}:{} gtx={} epoch={} clients={} cluster={}",
                    m.name,
                    state,
                    m.host,
                    m.dso_port,
                    v["gtx"],
                    v["epoch"],
                    v["clients"],
                    v["cluster_id"].as_str().unwrap_or("-")
                );
                line.push_str(&quorum_summary(&v["ha"]["quorum"]));
                (line, state == "ACTIVE-COORDINATOR")
            }
            Err(e) => (format!("{:<16} {:<22} bad status: {e}", m.name, "?"), false),
        },
        Ok((code, _)) => (
            format!(
                "{:<16} {:<22} HTTP {code}{}",
                m.name,
                "?",
                token_hint(cfg, code)
            ),
            false,
        ),
        Err(e) => (format!("{:<16} {:<22} {e}", m.name, "NOT-REACHABLE"), false),
    }
}

/// Quorum mode: ` quorum: may_write=… lease_ms=… reachable=s1,s2 unreachable=voter` for a
/// `kiln-server status --group` line (empty outside quorum mode).
fn quorum_summary(q: &serde_json::Value) -> String {
    let Some(members) = q["voting_members"].as_array() else {
        return String::new();
    };
    let names = |want: Option<bool>| -> String {
        let v: Vec<&str> = members
            .iter()
            .filter(|m| m["reachable"].as_bool() == want)
            .filter_map(|m| m["name"].as_str())
            .collect();
        if v.is_empty() {
            "-".into()
        } else {
            v.join(",")
        }
    };
    format!(
        " quorum: may_write={} lease_ms={} vote={}@{} reachable={} unreachable={} unknown={}",
        q["may_write"],
        q["lease_remaining_ms"],
        q["vote_holder"].as_str().unwrap_or(""),
        q["vote_epoch"],
        names(Some(true)),
        names(Some(false)),
        names(None)
    )
}

async fn dgc(cfg: &TcConfig, s: &ServerConfig) -> ExitCode {
    if cfg.servers.groups.len() > 1 {
        return cluster_dgc(cfg).await;
    }
    let addr = mgmt_addr(s);
    let token = token(cfg);
    match kiln_server::mgmt::request_with_token(&addr, "POST", "/dgc", token.as_deref()).await {
        Ok((200, body)) => {
            let _ = writeln!(std::io::stdout(), "{body}");
            ExitCode::SUCCESS
        }
        Ok((code, body)) => {
            eprintln!(
                "kiln-server: server '{}' at {addr} did not run the DGC: HTTP {code}: {body}{}",
                s.name,
                token_hint(cfg, code)
            );
            ExitCode::FAILURE
        }
        Err(e) => {
            eprintln!("kiln-server: server '{}' is not reachable: {e}", s.name);
            ExitCode::FAILURE
        }
    }
}

/// Several mirror groups (stripes): this command coordinates one DGC over every stripe's active
/// (`kiln_server::dgc::run_cluster`) and prints one line per stripe, then the JSON report.
async fn cluster_dgc(cfg: &TcConfig) -> ExitCode {
    let targets: Vec<kiln_server::dgc::StripeTarget> = cfg
        .servers
        .groups
        .iter()
        .enumerate()
        .map(|(i, g)| kiln_server::dgc::StripeTarget {
            index: u8::try_from(i).unwrap_or(u8::MAX),
            group: g.name.clone(),
            servers: g
                .servers
                .iter()
                .map(|m| (m.name.clone(), mgmt_addr(m)))
                .collect(),
        })
        .collect();
    let token = token(cfg);
    match kiln_server::dgc::run_cluster(&targets, token.as_deref()).await {
        Ok(report) => {
            let mut out = std::io::stdout();
            for st in &report.stripes {
                let r = &st.sweep["report"];
                let run = &st.sweep["run"];
                let _ = writeln!(
                    out,
                    "stripe {} (group {}, server {}): before={} marked={} removed={} rounds={} foreign_reported={} received={}",
                    st.stripe,
                    st.group,
                    st.server,
                    r["objects_before"],
                    r["marked"],
                    r["removed"],
                    run["rounds"],
                    run["foreign_reported"],
                    run["received"]
                );
            }
            let _ = writeln!(
                out,
                "{}",
                serde_json::to_string(&report).unwrap_or_default()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            // A stripe refusing the token: say which setting supplies it.
            let text = e.to_string();
            let code = [401u16, 403]
                .into_iter()
                .find(|c| text.contains(&format!("HTTP {c}")))
                .unwrap_or(0);
            eprintln!("kiln-server: {text}{}", token_hint(cfg, code));
            ExitCode::FAILURE
        }
    }
}

async fn stop(cfg: &TcConfig, s: &ServerConfig, force: bool) -> ExitCode {
    let addr = mgmt_addr(s);
    let path = if force { "/stop?force=true" } else { "/stop" };
    let token = token(cfg);
    match kiln_server::mgmt::request_with_token(&addr, "POST", path, token.as_deref()).await {
        Ok((202, _)) => {}
        Ok((code, body)) => {
            eprintln!(
                "kiln-server: server '{}' at {addr} refused to stop: HTTP {code}: {body}{}",
                s.name,
                token_hint(cfg, code)
            );
            return ExitCode::FAILURE;
        }
        Err(e) => {
            eprintln!("kiln-server: server '{}' is not reachable: {e}", s.name);
            return ExitCode::FAILURE;
        }
    }
    // Wait until the management port is closed.
    for _ in 0..300 {
        if tokio::net::TcpStream::connect(&addr).await.is_err() {
            println!("server '{}' stopped", s.name);
            return ExitCode::SUCCESS;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    eprintln!(
        "kiln-server: server '{}' accepted the stop request but is still running after 30 s",
        s.name
    );
    ExitCode::FAILURE
}

fn init_logging(logs: &Path) -> Option<tracing_appender::non_blocking::WorkerGuard> {
    use tracing_subscriber::prelude::*;
    let filter = || {
        tracing_subscriber::EnvFilter::try_from_env("KILN_LOG")
            .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"))
    };
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let stderr = tracing_subscriber::fmt::layer()
        .with_ansi(ansi)
        .with_writer(std::io::stderr)
        .with_filter(filter());
    match std::fs::create_dir_all(logs) {
        Ok(()) => {
            let appender = tracing_appender::rolling::never(logs, "kiln-server.log");
            let (nb, guard) = tracing_appender::non_blocking(appender);
            let file = tracing_subscriber::fmt::layer()
                .with_ansi(false)
                .with_writer(nb)
                .with_filter(filter());
            tracing_subscriber::registry()
                .with(stderr)
                .with(file)
                .init();
            Some(guard)
        }
        Err(e) => {
            tracing_subscriber::registry().with(stderr).init();
            warn!(logs = %logs.display(), error = %e, "cannot create the <logs> directory; logging to stderr only");
            None
        }
    }
}

async fn bind(
    addr: String,
    setting: &'static str,
    server: &str,
) -> Result<TcpListener, kiln_server::ServerError> {
    TcpListener::bind(&addr)
        .await
        .map_err(|source| kiln_server::ServerError::Bind {
            addr,
            setting,
            server: server.to_owned(),
            source,
        })
}

async fn start(cfg: TcConfig, s: ServerConfig, force_active: bool) -> ExitCode {
    let _guard = init_logging(&s.logs);
    for w in &cfg.warnings {
        warn!("{}:{}:{}: {}", cfg.source, w.line, w.column, w.message);
    }
    if let Some(w) = kiln_config::healthcheck_window_warning(&cfg) {
        warn!("{w}");
    }
    // The data directory is locked before any port is bound: a second server on the same
    // directory stops here with the path in the message.
    let mut _dir_lock = None;
    let mut store_open = None;
    if s.persistence == PersistenceMode::PermanentStore {
        match kiln_server::store::lock_data_dir(&s.data, &s.name) {
            Ok(l) => {
                _dir_lock = Some(l);
                store_open = Some(Ok(()));
            }
            Err(e @ kiln_server::ServerError::DataDirInUse { .. }) => {
                eprintln!("kiln-server: {e}");
                tracing::error!("{e}");
                return ExitCode::FAILURE;
            }
            Err(e) => store_open = Some(Err(e.to_string())),
        }
    }
    let mut settings = Settings::from_config(&cfg, &s);
    settings.force_active = force_active;
    if settings.group.is_some() {
        // Seed 003: in an HA group the L1->L2 detection should be about 8-12 s slower than the
        // L2->L2 one, so clients do not leave an active the passives still consider alive.
        let l1l2 = cfg
            .tc_properties
            .healthcheck(kiln_config::HealthCheckTarget::L1ToL2)
            .max_time_ms();
        let l2l2 = cfg
            .tc_properties
            .healthcheck(kiln_config::HealthCheckTarget::L2ToL2)
            .max_time_ms();
        let gap = i128::from(l1l2) - i128::from(l2l2);
        if !(8_000..=12_000).contains(&gap) {
            warn!(
                l1_l2_max_ms = l1l2,
                l2_l2_max_ms = l2l2,
                "HealthChecker: the L1->L2 max time ({l1l2} ms, l1.healthcheck.l2.*) should be 8-12 s longer than the L2->L2 max time ({l2l2} ms, l2.healthcheck.l2.*); it is {} s {}",
                gap.abs() / 1000,
                if gap >= 0 { "longer" } else { "shorter" }
            );
        }
    }
    let in_group = settings.group.is_some();
    let dso_addr = format!("{}:{}", s.dso_bind, s.dso_port);
    let listeners = async {
        // A group member binds its dso-port only once elected active (clients of a passive
        // get "connection refused" and try the next address); its group port at once.
        let dso = if in_group {
            kiln_server::Listen::WhenActive {
                addr: dso_addr.clone(),
                group: bind(
                    format!("{}:{}", s.group_bind, s.group_port),
                    "l2-group-port",
                    &s.name,
                )
                .await?,
            }
        } else {
            kiln_server::Listen::Bound(bind(dso_addr.clone(), "dso-port", &s.name).await?)
        };
        let jmx = bind(
            format!("{}:{}", s.jmx_bind, s.jmx_port),
            "jmx-port",
            &s.name,
        )
        .await?;
        Ok::<_, kiln_server::ServerError>((dso, jmx))
    };
    let (listener, admin) = match listeners.await {
        Ok(l) => l,
        Err(e) => {
            eprintln!("kiln-server: {e}");
            return ExitCode::FAILURE;
        }
    };
    info!(
        server = %s.name, config = %cfg.source, dso_port = s.dso_port, jmx_port = s.jmx_port,
        data = %s.data.display(), logs = %s.logs.display(), "starting Kiln server"
    );
    let shared = match store_open {
        None => Shared::new(settings, Pipeline::in_memory()),
        Some(opened) => {
            let data = s.data.clone();
            let name = s.name.clone();
            let logs = s.logs.clone();
            let group = s.group.clone();
            let stripe = kiln_server::server::stripe_of(&cfg, &s);
            let loaded = match opened {
                Ok(()) => tokio::task::spawn_blocking(move || {
                    kiln_server::store::Store::open_member(
                        &data,
                        &name,
                        &logs,
                        Some((&group, stripe)),
                    )
                })
                .await
                .map_err(|e| e.to_string())
                .and_then(|r| r.map_err(|e| e.to_string())),
                Err(e) => Err(e),
            };
            match loaded {
                Ok((store, loaded)) => {
                    let mb = loaded.bytes as f64 / 1e6;
                    let secs = loaded.elapsed.as_secs_f64();
                    info!(
                        data = %s.data.display(),
                        objects = loaded.objects.len(),
                        roots = loaded.roots.len(),
                        known_clients = loaded.clients.len(),
                        epoch = loaded.epoch,
                        gtx = loaded.gtx,
                        mb = format!("{mb:.1}"),
                        secs = format!("{secs:.2}"),
                        mb_per_sec = format!("{:.0}", if secs > 0.0 { mb / secs } else { 0.0 }),
                        "{}",
                        if loaded.created { "created a new store (permanent-store)" } else { "store loaded (permanent-store)" }
                    );
                    let vote = loaded.vote;
                    let state = kiln_server::state::State::from_loaded(loaded);
                    let shared = Shared::with_state(
                        settings,
                        Pipeline::in_memory(),
                        state,
                        Some(std::sync::Arc::new(store)),
                    );
                    shared.ha.restore_vote(vote);
                    shared
                }
                Err(reason) => {
                    // A store that cannot be opened at start is fatal: running ACTIVE without
                    // the stored graph would refuse every write and serve an empty graph.
                    tracing::error!(data = %s.data.display(), "{reason}; the server does not start");
                    eprintln!(
                        "kiln-server: server '{}': {reason}; the server does not start (fix the <data> directory {} and start it again)",
                        s.name,
                        s.data.display()
                    );
                    return ExitCode::FAILURE;
                }
            }
        }
    };
    let shutdown = async {
        #[cfg(unix)]
        {
            let mut term =
                match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                    Ok(t) => t,
                    Err(_) => {
                        let _ = tokio::signal::ctrl_c().await;
                        return;
                    }
                };
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
        }
        #[cfg(not(unix))]
        {
            let _ = tokio::signal::ctrl_c().await;
        }
    };
    let keep = shared.clone();
    match kiln_server::serve(shared, listener, Some(admin), shutdown).await {
        Ok(()) => match keep.ha.fatal.lock().take() {
            Some(why) => {
                eprintln!("kiln-server: {why}");
                ExitCode::FAILURE
            }
            None => ExitCode::SUCCESS,
        },
        Err(e) => {
            eprintln!("kiln-server: {e}");
            ExitCode::FAILURE
        }
    }
}

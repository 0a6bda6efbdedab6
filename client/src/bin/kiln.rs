//! `kiln` — a command-line client for poking at a Kiln cluster (like `redis-cli`).
//!
//! ```text
//! kiln [-f CONFIG] [-s HOST:PORT] roots
//! kiln inspect ROOT|OID [--depth N]
//! kiln map put|get|remove|size ROOT [KEY [VALUE]]
//! kiln counter incr ROOT
//! kiln status [--jmx-port N]
//! ```
//! Without `-f`/`-s` the client reads `./tc-config.xml` if present, else the embedded default
//! configuration (server at 127.0.0.1:9510).
#![deny(unsafe_code)]

use std::collections::HashSet;
use std::future::Future;
use std::path::PathBuf;
use std::pin::Pin;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, Subcommand};
use kiln::{
    ArrayData, Client, ClientBuilder, Field, LockId, LockLevel, ObjectData, ObjectId, ObjectState,
    Value,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

#[derive(Parser, Debug)]
#[command(name = "kiln", version, about = "Kiln command-line client")]
struct Cli {
    /// Configuration file (tc-config.xml); default: ./tc-config.xml if present, else built-in defaults.
    #[arg(short = 'f', long = "config", global = true)]
    config: Option<PathBuf>,
    /// Server address HOST:PORT (overrides the configuration); several: HOST:PORT,HOST:PORT (one
    /// group) and groups (stripes) separated by `;` (HOST:PORT,HOST:PORT;HOST:PORT).
    #[arg(short = 's', long = "server", global = true)]
    server: Option<String>,
    /// Give up connecting (and reconnecting after a lost connection) after this many seconds.
    #[arg(long, default_value_t = 3.0, global = true)]
    connect_timeout: f64,
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand, Debug)]
enum Cmd {
    /// List every root: `name = value`, one per line.
    Roots,
    /// Print the object graph under a root or an object id, indented.
    Inspect {
        /// Root name, or object id (`123` or `@123`).
        target: String,
        /// How many levels of references to follow.
        #[arg(long, default_value_t = 3)]
        depth: usize,
    },
    /// Operate on a map bound to a root.
    Map {
        #[command(subcommand)]
        op: MapOp,
    },
    /// A shared counter (a root holding a `kiln.Counter` object).
    Counter {
        #[command(subcommand)]
        op: CounterOp,
    },
    /// Print the server's /status (JSON) from its admin HTTP port.
    Status {
        /// Admin (jmx) port; default from the configuration, else 9520.
        #[arg(long)]
        jmx_port: Option<u16>,
    },
}

#[derive(Subcommand, Debug)]
enum MapOp {
    /// Put KEY=VALUE (creates the map on first use); prints the previous value, if any.
    Put {
        root: String,
        key: String,
        value: String,
    },
    /// Print the value of KEY (exit status 1 if absent).
    Get { root: String, key: String },
    /// Remove KEY; prints the removed value, if any.
    Remove { root: String, key: String },
    /// Print the number of entries.
    Size { root: String },
}

#[derive(Subcommand, Debug)]
enum CounterOp {
    /// Increment and print the new value.
    Incr { root: String },
}

/// A failure with the message to print.
struct Fail(String);

impl<E: std::fmt::Display> From<E> for Fail {
    fn from(e: E) -> Self {
        Fail(e.to_string())
    }
}

type R<T> = Result<T, Fail>;

fn main() -> ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("error")),
        )
        .init();
    let rt = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("kiln: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match rt.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(Fail(msg)) => {
            eprintln!("kiln: {msg}");
            ExitCode::FAILURE
        }
    }
}

fn load_config(cli: &Cli) -> R<kiln_config::TcConfig> {
    if let Some(p) = &cli.config {
        return Ok(kiln_config::TcConfig::from_file(p)?);
    }
    let local = PathBuf::from("tc-config.xml");
    if local.is_file() {
        return Ok(kiln_config::TcConfig::from_file(local)?);
    }
    Ok(kiln_config::TcConfig::embedded_default())
}

async fn connect(cli: &Cli) -> R<Client> {
    let builder = match &cli.server {
        Some(s) => ClientBuilder::from_connect_string(s),
        None => ClientBuilder::from_config(&load_config(cli)?),
    };
    let deadline = Duration::from_secs_f64(cli.connect_timeout.max(0.1));
    let client = builder
        .name("kiln-cli")
        .connect_timeout(deadline)
        .connect_deadline(deadline)
        .retry_wait(Duration::from_millis(200))
        .reconnect_timeout(deadline)
        .health_check(None)
        .connect()
        .await?;
    Ok(client)
}

async fn run(cli: Cli) -> R<()> {
    if let Cmd::Status { jmx_port } = &cli.cmd {
        return status(&cli, *jmx_port).await;
    }
    let client = connect(&cli).await?;
    let result = command(&client, &cli.cmd).await;
    let closed = client.close().await;
    result?;
    closed?;
    Ok(())
}

async fn command(client: &Client, cmd: &Cmd) -> R<()> {
    match cmd {
        Cmd::Roots => {
            for (name, value) in client.roots().await? {
                println!("{name} = {}", show(&value));
            }
        }
        Cmd::Inspect { target, depth } => inspect(client, target, *depth).await?,
        Cmd::Map { op } => map_op(client, op).await?,
        Cmd::Counter {
            op: CounterOp::Incr { root },
        } => {
            let mut tx = client
                .lock(LockId::Named(root.clone()), LockLevel::SyncWrite)
                .await?;
            let init = ObjectState {
                class: "kiln.Counter".into(),
                data: ObjectData::Physical(vec![Field {
                    class: "kiln.Counter".into(),
                    name: "value".into(),
                    value: Value::I64(0),
                }]),
            };
            let oid = client.root_or_create(root, init).await?;
            let current = tx.read(oid, |s| s.field("kiln.Counter", "value").cloned())?;
            let n = match current {
                None | Some(Value::Null) => 0,
                Some(v) => v
                    .as_i64()
                    .ok_or_else(|| Fail(format!("root '{root}' is not a counter (value = {v})")))?,
            };
            let next = n
                .checked_add(1)
                .ok_or_else(|| Fail("counter overflow".into()))?;
            tx.set_field(oid, "kiln.Counter", "value", Value::I64(next))?;
            tx.commit().await?;
            println!("{next}");
        }
        Cmd::Status { .. } => {}
    }
    Ok(())
}

async fn existing_map(client: &Client, root: &str) -> R<Option<kiln::Map>> {
    match client.root(root).await? {
        None => Ok(None),
        Some(Value::Ref(_)) => Ok(Some(client.map(root).await?)),
        Some(v) => Err(Fail(format!(
            "root '{root}' is bound to the literal {}, not a map",
            show(&v)
        ))),
    }
}

async fn map_op(client: &Client, op: &MapOp) -> R<()> {
    match op {
        MapOp::Put { root, key, value } => {
            let m = client.map(root).await?;
            let mut tx = client
                .lock(LockId::Object(m.id()), LockLevel::Write)
                .await?;
            let prev = m.put(&mut tx, key.as_str(), value.as_str())?;
            tx.commit().await?;
            if let Some(p) = prev {
                println!("{p}");
            }
        }
        MapOp::Get { root, key } => {
            let m = existing_map(client, root)
                .await?
                .ok_or_else(|| Fail(format!("no root named '{root}'")))?;
            match m.get(client, key.as_str()).await? {
                Some(v) => println!("{v}"),
                None => return Err(Fail(format!("key '{key}' not found in map '{root}'"))),
            }
        }
        MapOp::Remove { root, key } => {
            let Some(m) = existing_map(client, root).await? else {
                return Ok(());
            };
            let mut tx = client
                .lock(LockId::Object(m.id()), LockLevel::Write)
                .await?;
            let prev = m.remove(&mut tx, key.as_str())?;
            tx.commit().await?;
            if let Some(p) = prev {
                println!("{p}");
            }
        }
        MapOp::Size { root } => {
            let n = match existing_map(client, root).await? {
                Some(m) => m.len(client).await?,
                None => 0,
            };
            println!("{n}");
        }
    }
    Ok(())
}

/// Literals for display: strings quoted, references as `@id`.
fn show(v: &Value) -> String {
    match v {
        Value::Str(s) => format!("{s:?}"),
        other => other.to_string(),
    }
}

fn parse_oid(s: &str) -> Option<ObjectId> {
    s.strip_prefix('@')
        .unwrap_or(s)
        .parse::<u64>()
        .ok()
        .map(ObjectId)
}

async fn inspect(client: &Client, target: &str, depth: usize) -> R<()> {
    let mut out = String::new();
    let mut seen = HashSet::new();
    if let Some(oid) = parse_oid(target)
        .filter(|_| target.starts_with('@') || target.chars().all(|c| c.is_ascii_digit()))
    {
        out.push_str(&format!("@{oid}"));
        describe(client, oid, 0, depth, &mut seen, &mut out).await?;
    } else {
        match client.root(target).await? {
            None => return Err(Fail(format!("no root named '{target}'"))),
            Some(Value::Ref(oid)) => {
                out.push_str(&format!("{target} = @{oid}"));
                describe(client, oid, 0, depth, &mut seen, &mut out).await?;
            }
            Some(v) => out.push_str(&format!("{target} = {}\n", show(&v))),
        }
    }
    print!("{out}");
    Ok(())
}

/// Appends ` class (kind, n)` + newline for `oid`, then its children indented at `level + 1`.
fn describe<'a>(
    client: &'a Client,
    oid: ObjectId,
    level: usize,
    depth: usize,
    seen: &'a mut HashSet<ObjectId>,
    out: &'a mut String,
) -> Pin<Box<dyn Future<Output = R<()>> + 'a>> {
    Box::pin(async move {
        if !seen.insert(oid) {
            out.push_str(" (see above)\n");
            return Ok(());
        }
        let state = client.object(oid).await?;
        let n = state.data.len();
        let unit = match &state.data {
            ObjectData::Physical(_) => "fields",
            ObjectData::Map(_) | ObjectData::SortedMap(_) => "entries",
            _ => "elements",
        };
        out.push_str(&format!(
            " {} ({}, {n} {unit})\n",
            state.class,
            state.data.kind_name()
        ));
        if level >= depth {
            if n > 0 {
                out.push_str(&format!("{}…\n", "  ".repeat(level + 1)));
            }
            return Ok(());
        }
        let pad = "  ".repeat(level + 1);
        let mut children: Vec<(String, Value)> = Vec::new();
        match &state.data {
            ObjectData::Physical(fs) => children.extend(
                fs.iter()
                    .map(|f| (format!("{}.{} = ", f.class, f.name), f.value.clone())),
            ),
            ObjectData::Array(a) => match a {
                ArrayData::Values(v) => children.extend(
                    v.iter()
                        .enumerate()
                        .map(|(i, x)| (format!("[{i}] "), x.clone())),
                ),
                other => {
                    let items: Vec<String> = (0..other.len())
                        .filter_map(|i| other.get(i))
                        .map(|v| v.to_string())
                        .collect();
                    out.push_str(&format!("{pad}[{}]\n", items.join(", ")));
                }
            },
            ObjectData::Map(m) => children.extend(
                m.iter()
                    .map(|(k, v)| (format!("{} => ", show(k)), v.clone())),
            ),
            ObjectData::SortedMap(m) => children.extend(
                m.iter()
                    .map(|(k, v)| (format!("{} => ", show(k)), v.clone())),
            ),
            ObjectData::List(l) => children.extend(
                l.iter()
                    .enumerate()
                    .map(|(i, x)| (format!("[{i}] "), x.clone())),
            ),
            ObjectData::Set(s) => children.extend(s.iter().map(|x| ("- ".to_string(), x.clone()))),
            ObjectData::Queue(q) => children.extend(
                q.iter()
                    .enumerate()
                    .map(|(i, x)| (format!("[{i}] "), x.clone())),
            ),
        }
        for (label, v) in children {
            match v {
                Value::Ref(child) => {
                    out.push_str(&format!("{pad}{label}@{child}"));
                    describe(client, child, level + 1, depth, seen, out).await?;
                }
                lit => out.push_str(&format!("{pad}{label}{}\n", show(&lit))),
            }
        }
        Ok(())
    })
}

async fn status(cli: &Cli, jmx_port: Option<u16>) -> R<()> {
    let (mut host, mut port) = ("127.0.0.1".to_string(), kiln_config::DEFAULT_JMX_PORT);
    if cli.server.is_none() || cli.config.is_some() {
        if let Ok(cfg) = load_config(cli) {
            if let Some(s) = cfg.all_servers().next() {
                host = s.host.clone();
                port = s.jmx_port;
            }
        }
    }
    if let Some(s) = &cli.server {
        host = match s.rsplit_once(':') {
            Some((h, _)) => h.to_string(),
            None => s.clone(),
        };
    }
    if let Some(p) = jmx_port {
        port = p;
    }
    let addr = format!("{host}:{port}");
    let wait = Duration::from_secs_f64(cli.connect_timeout.max(0.1));
    let body = tokio::time::timeout(wait, http_get(&addr, "/status"))
        .await
        .map_err(|_| Fail(format!("{addr}: no answer within {wait:?}")))??;
    match serde_json::from_str::<serde_json::Value>(&body) {
        Ok(v) => println!("{}", serde_json::to_string_pretty(&v)?),
        Err(_) => println!("{body}"),
    }
    Ok(())
}

/// A minimal HTTP/1.1 GET (Connection: close); returns the body of a 200 response.
async fn http_get(addr: &str, path: &str) -> R<String> {
    let mut s = tokio::net::TcpStream::connect(addr)
        .await
        .map_err(|e| Fail(format!("cannot connect to {addr}: {e}")))?;
    let req = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nAccept: application/json\r\nConnection: close\r\n\r\n");
    s.write_all(req.as_bytes()).await?;
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).await?;
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or_else(|| Fail(format!("{addr}: malformed HTTP response")))?;
    let head = String::from_utf8_lossy(&raw[..split]).to_string();
    let mut body = raw[split + 4..].to_vec();
    let status_line = head.lines().next().unwrap_or("");
    let code = status_line.split_whitespace().nth(1).unwrap_or("");
    let chunked = head.lines().any(|l| {
        let l = l.to_ascii_lowercase();
        l.starts_with("transfer-encoding:") && l.contains("chunked")
    });
    if chunked {
        body = dechunk(&body).ok_or_else(|| Fail(format!("{addr}: malformed chunked body")))?;
    }
    let body = String::from_utf8_lossy(&body).to_string();
    if code != "200" {
        return Err(Fail(format!(
            "{addr}{path}: {status_line}: {}",
            body.trim()
        )));
    }
    Ok(body)
}

fn dechunk(mut b: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    loop {
        let eol = b.windows(2).position(|w| w == b"\r\n")?;
        let size_txt = std::str::from_utf8(&b[..eol]).ok()?;
        let size = usize::from_str_radix(size_txt.split(';').next()?.trim(), 16).ok()?;
        b = &b[eol + 2..];
        if size == 0 {
            return Some(out);
        }
        out.extend_from_slice(b.get(..size)?);
        b = b.get(size + 2..)?;
    }
}

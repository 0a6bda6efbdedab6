//! `kiln-voter`: a small voting member for quorum mode (`<ha><quorum>majority</quorum>`), so
//! that two servers plus one voter make three voting members.
//!
//! It listens on `--port`, answers each `VoteRequest` (the L2↔L2 framing, `docs/protocol.md`
//! §9.10) for one epoch at a time with the same rules as a server ([`VoteBook`]), persists its
//! newest granted epoch and holder in `--state` (written to a temporary file, fsynced and renamed
//! before it answers), and logs every grant. After a restart it honours the lease of the holder
//! it loaded for `--lease-ms` (default 60 s, at least the group's L2→L2 HealthChecker time)
//! before granting a new term to anyone else.

#![deny(unsafe_code)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::BytesMut;
use clap::Parser;
use kiln_protocol::group::GroupMsg;
use kiln_server::ha::quorum::{reply, Vote, VoteBook};
use kiln_server::ServerError;
use parking_lot::Mutex;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tracing::{debug, error, info, warn};

/// Command line.
#[derive(Debug, Parser)]
#[command(
    name = "kiln-voter",
    about = "Kiln quorum voter: votes with the servers of a group in quorum mode"
)]
struct Args {
    /// Address to listen on.
    #[arg(long, default_value = "0.0.0.0")]
    bind: String,
    /// Port to listen on (the `port` of this voter's `<voter>` in the configuration).
    #[arg(long)]
    port: u16,
    /// File holding the newest granted epoch and its holder.
    #[arg(long)]
    state: PathBuf,
    /// After a restart, how long the loaded holder's lease is honoured (milliseconds).
    #[arg(long, default_value_t = 60_000)]
    lease_ms: u64,
}

fn load(path: &Path, lease: Duration) -> Result<VoteBook, ServerError> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Ok(VoteBook::new(0, String::new(), None))
        }
        Err(e) => {
            return Err(ServerError::Storage {
                path: path.to_owned(),
                message: format!("cannot read the voter state (--state): {e}"),
            })
        }
    };
    let line = text.lines().next().unwrap_or_default();
    let mut it = line.splitn(2, ' ');
    let epoch = it.next().and_then(|e| e.parse::<u64>().ok());
    let holder = it.next().map(str::to_owned);
    match (epoch, holder) {
        (Some(epoch), Some(holder)) => Ok(VoteBook::new(epoch, holder, Some(lease))),
        _ => Err(ServerError::Storage {
            path: path.to_owned(),
            message: format!(
                "the voter state (--state) is not '<epoch> <holder>': {line:?}; refusing to start \
                 (it may have granted a term it no longer knows of; restore the file, or remove it \
                 only when every server of the group is stopped)"
            ),
        }),
    }
}

fn persist(path: &Path, epoch: u64, holder: &str) -> std::io::Result<()> {
    let tmp = path.with_extension("tmp");
    {
        let mut f = std::fs::File::create(&tmp)?;
        writeln!(f, "{epoch} {holder}")?;
        f.sync_all()?;
    }
    std::fs::rename(&tmp, path)?;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::File::open(dir)?.sync_all()?;
    }
    Ok(())
}

struct Voter {
    name: String,
    state: PathBuf,
    book: Mutex<VoteBook>,
}

async fn serve(v: Arc<Voter>, sock: TcpStream) {
    let _ = sock.set_nodelay(true);
    let (mut rd, mut wr) = sock.into_split();
    let mut buf = BytesMut::with_capacity(256);
    loop {
        let msg = loop {
            match GroupMsg::decode_framed(&mut buf, 1 << 16) {
                Ok(Some(m)) => break m,
                Ok(None) => {}
                Err(e) => {
                    debug!(error = %e, "undecodable request: closing");
                    return;
                }
            }
            match tokio::time::timeout(Duration::from_secs(10), rd.read_buf(&mut buf)).await {
                Ok(Ok(n)) if n > 0 => {}
                _ => return,
            }
        };
        let GroupMsg::VoteRequest {
            epoch,
            candidate,
            lease_ms,
        } = msg
        else {
            debug!(msg = msg.name(), "not a VoteRequest: ignored");
            continue;
        };
        let answer = {
            let mut book = v.book.lock();
            let vote = book.request(
                epoch,
                &candidate,
                Duration::from_millis(lease_ms),
                Instant::now(),
            );
            if let Vote::Granted { new_term: true } = vote {
                // Durable before it is answered: a restarted voter must not grant it again.
                if let Err(e) = persist(&v.state, epoch, &candidate) {
                    error!(path = %v.state.display(), error = %e, "cannot persist the granted epoch: refusing");
                    let refused = Vote::Refused(format!("the voter cannot persist its vote: {e}"));
                    reply(&v.name, &book, &refused)
                } else {
                    info!(%candidate, epoch, lease_ms, "vote granted");
                    reply(&v.name, &book, &vote)
                }
            } else {
                if let Vote::Refused(why) = &vote {
                    info!(%candidate, epoch, reason = %why, "vote refused");
                }
                reply(&v.name, &book, &vote)
            }
        };
        let mut out = BytesMut::new();
        answer.encode_framed(&mut out);
        if wr.write_all(&out).await.is_err() {
            return;
        }
    }
}

async fn run(args: Args) -> Result<(), ServerError> {
    let book = load(&args.state, Duration::from_millis(args.lease_ms))?;
    let addr = format!("{}:{}", args.bind, args.port);
    let listener = TcpListener::bind(&addr)
        .await
        .map_err(|source| ServerError::Bind {
            addr: addr.clone(),
            setting: "kiln-voter --port",
            server: "kiln-voter".into(),
            source,
        })?;
    info!(%addr, state = %args.state.display(), epoch = book.epoch(), holder = book.holder(), "kiln-voter listening");
    let v = Arc::new(Voter {
        name: format!("voter@{addr}"),
        state: args.state,
        book: Mutex::new(book),
    });
    loop {
        match listener.accept().await {
            Ok((sock, _)) => {
                tokio::spawn(serve(v.clone(), sock));
            }
            Err(e) => {
                warn!(error = %e, "accept failed");
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
    }
}

fn main() -> std::process::ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("KILN_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_writer(std::io::stderr)
        .init();
    let args = Args::parse();
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            error!("cannot start the runtime: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    match rt.block_on(run(args)) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            error!("{e}");
            eprintln!("kiln-voter: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

//! The handshake of a new connection: `Hello` / `Welcome` / `Membership`.

use bytes::BytesMut;
use kiln_protocol::frame::{self, FrameDecoder};
use kiln_protocol::{ErrorCode, Message, NodeInfo, Reconnect, PROTOCOL_VERSION};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::TcpStream;

use crate::{Error, Result};

/// What a server said in `Welcome`.
#[derive(Debug)]
pub(super) struct WelcomeInfo {
    pub(super) client_id: u64,
    pub(super) server_name: String,
    pub(super) max_frame: u32,
    pub(super) fault_count: u32,
    pub(super) epoch: u64,
    /// The server's cluster id (0: it sent none).
    pub(super) cluster_id: u128,
    /// The stripe the server serves and how many stripes its cluster has.
    pub(super) stripe: u8,
    pub(super) stripes: u8,
}

/// An opened connection after `Hello` / `Welcome` / `Membership`.
#[derive(Debug)]
pub(super) struct Handshake {
    pub(super) rd: OwnedReadHalf,
    pub(super) wr: OwnedWriteHalf,
    /// Bytes received after `Membership`.
    pub(super) buf: BytesMut,
    pub(super) welcome: WelcomeInfo,
    pub(super) membership: (u64, Vec<NodeInfo>),
    /// Messages received between `Welcome` and `Membership`.
    pub(super) backlog: Vec<Message>,
}

/// Connects to `addr` and says `Hello` (with `reconnect` after a lost connection); returns once
/// `Welcome` and `Membership` arrived.
pub(super) async fn handshake(
    addr: &str,
    name: &str,
    reconnect: Option<Reconnect>,
) -> Result<Handshake> {
    let stream = TcpStream::connect(addr).await?;
    stream.set_nodelay(true)?;
    let (mut rd, mut wr) = stream.into_split();
    let hello = Message::Hello {
        protocol_version: PROTOCOL_VERSION,
        client_name: name.to_string(),
        pid: std::process::id(),
        reconnect,
    };
    wr.write_all(&frame::to_bytes(&hello))
        .await
        .map_err(|e| Error::lost(e.to_string()))?;
    let dec = FrameDecoder::new(frame::DEFAULT_MAX_FRAME);
    let mut buf = BytesMut::with_capacity(16 * 1024);
    let mut welcome = None;
    let mut backlog = Vec::new();
    let membership = loop {
        let msg = match dec.next(&mut buf)? {
            Some(m) => m,
            None => {
                let n = rd
                    .read_buf(&mut buf)
                    .await
                    .map_err(|e| Error::lost(e.to_string()))?;
                if n == 0 {
                    return Err(Error::lost(
                        "server closed the connection during the handshake",
                    ));
                }
                continue;
            }
        };
        match msg {
            Message::Welcome {
                protocol_version,
                client_id,
                server_name,
                max_frame,
                fault_count,
                epoch,
                cluster_id,
                stripe,
                stripes,
            } => {
                if protocol_version != PROTOCOL_VERSION {
                    return Err(Error::VersionMismatch {
                        message: format!(
                            "server speaks protocol {protocol_version}, client {PROTOCOL_VERSION}"
                        ),
                    });
                }
                welcome = Some(WelcomeInfo {
                    client_id,
                    server_name,
                    max_frame,
                    fault_count,
                    epoch,
                    cluster_id,
                    stripe,
                    stripes,
                });
            }
            Message::Membership { this_node, nodes } if welcome.is_some() => {
                break (this_node, nodes)
            }
            Message::Error { code, message } => return Err(server_error(code, message)),
            other if welcome.is_some() => backlog.push(other),
            other => {
                return Err(Error::lost(format!(
                    "unexpected {} before Welcome",
                    other.name()
                )));
            }
        }
    };
    let Some(welcome) = welcome else {
        return Err(Error::lost("no Welcome"));
    };
    Ok(Handshake {
        rd,
        wr,
        buf,
        welcome,
        membership,
        backlog,
    })
}

pub(super) fn server_error(code: ErrorCode, message: String) -> Error {
    match code {
        ErrorCode::VersionMismatch => Error::VersionMismatch { message },
        ErrorCode::Refused => Error::Refused { message },
        code => Error::ServerError { code, message },
    }
}

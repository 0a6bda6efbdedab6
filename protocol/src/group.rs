//! L2↔L2 group messages (server to server on `l2-group-port` / `tsa-group-port`): the election
//! exchange, passive sync and synchronous replication. Framed like client messages (a 4-byte
//! big-endian payload length, then a type byte and the body; see `docs/protocol.md` §10), but a
//! separate message space: a client connecting to a group port (or a server to a dso-port) fails
//! at the first frame.
//!
//! The replicated unit is a [`GroupOp`]: the new *state* of what a batch changed (an object's
//! encoding, a root binding, a client's high-water mark, a counter), the same changes a
//! persistent server writes to its store. Applying ops is idempotent, so a sync that overlaps
//! with the live stream converges.
//!
//! ```
//! use kiln_protocol::group::{GroupMsg, GroupOp, ServerRole};
//! let m = GroupMsg::Replicate { seq: 3, ops: vec![GroupOp::PutMeta("gtx".into(), 9)] };
//! let mut b = bytes::BytesMut::new();
//! m.encode_framed(&mut b);
//! assert_eq!(GroupMsg::decode_framed(&mut b, 1 << 20), Ok(Some(m)));
//! assert_eq!(ServerRole::from_u8(ServerRole::PassiveStandby as u8), ServerRole::PassiveStandby);
//! ```

use bytes::{BufMut, BytesMut};

use crate::frame::{check, HEADER_LEN};
use crate::wire::{put_bytes, put_count, put_str, Reader};
use crate::{LockId, ObjectId, ProtocolError, Xid};

/// Version of the group protocol; servers of different versions do not form a group.
pub const GROUP_PROTOCOL_VERSION: u16 = 1;

/// The state of a server in its group (seed 001).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(u8)]
pub enum ServerRole {
    /// Started, looking for the group's active or electing one.
    Starting = 0,
    /// Joined an active, nothing synced yet.
    PassiveUninitialized = 1,
    /// Receiving the whole graph from the active.
    Initializing = 2,
    /// Has the whole graph and every acknowledged change; may be elected.
    PassiveStandby = 3,
    /// The group's active: serves clients.
    ActiveCoordinator = 4,
}

impl ServerRole {
    /// Decodes a role byte (unknown values read as `Starting`).
    pub fn from_u8(v: u8) -> ServerRole {
        match v {
            1 => ServerRole::PassiveUninitialized,
            2 => ServerRole::Initializing,
            3 => ServerRole::PassiveStandby,
            4 => ServerRole::ActiveCoordinator,
            _ => ServerRole::Starting,
        }
    }
    /// The Terracotta name of the state (`ACTIVE-COORDINATOR`, `PASSIVE-STANDBY`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            ServerRole::Starting => "STARTING",
            ServerRole::PassiveUninitialized => "PASSIVE-UNINITIALIZED",
            ServerRole::Initializing => "INITIALIZING",
            ServerRole::PassiveStandby => "PASSIVE-STANDBY",
            ServerRole::ActiveCoordinator => "ACTIVE-COORDINATOR",
        }
    }
}

impl std::fmt::Display for ServerRole {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One replicated change (the state after it, not the operation).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GroupOp {
    /// Object `oid` now has this encoding: version (`u64` LE) + object state (protocol.md §5).
    PutObject(ObjectId, Vec<u8>),
    /// Object removed (distributed GC, rollback).
    DelObject(ObjectId),
    /// Root bound to an encoded Value.
    PutRoot(String, Vec<u8>),
    /// Root unbound.
    DelRoot(String),
    /// Client on record: id, transaction sequence high-water mark, name.
    PutClient(u64, u64, String),
    /// Client left for good.
    DelClient(u64),
    /// Counter (`gtx`, `next_oid`, `next_client`).
    PutMeta(String, u64),
    /// A prepared part of a transaction across stripes (protocol.md §9.12): xid, the client
    /// (on this stripe) that prepared it, the part (a `Txn`, §7, seq 0).
    PutPrepared(Xid, u64, Vec<u8>),
    /// The decision of a transaction across stripes: its prepared part (if any) is gone,
    /// committed as GTX `gtx` or aborted (`false`, 0).
    Decided(Xid, bool, u64),
    /// A lock's fence (protocol.md §9.12): per participant stripe, the last transaction
    /// across stripes committed under the lock that changed it.
    LockFence(LockId, crate::message::Fence),
}

/// One L2↔L2 message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GroupMsg {
    /// First message of both sides of a group connection: who I am and my vote.
    Hello {
        /// [`GROUP_PROTOCOL_VERSION`].
        version: u16,
        /// Mirror group name.
        group: String,
        /// Server name.
        server: String,
        /// Current state.
        role: ServerRole,
        /// Last global transaction id this server has.
        gtx: u64,
        /// Whether this server was the active when it last stopped (persistent data).
        was_active: bool,
        /// Epoch (active term) this server has seen.
        epoch: u64,
        /// The cluster id of this server's data (random 128-bit, created by the first active
        /// of a fresh group; 0: none yet).
        cluster: u128,
    },
    /// A passive asks the active to sync it and then replicate to it.
    Join,
    /// Part of the passive sync: ops plus progress (objects sent so far / in the snapshot).
    SyncChunk {
        /// State to apply.
        ops: Vec<GroupOp>,
        /// Objects sent so far, this chunk included.
        sent: u64,
        /// Objects in the snapshot.
        total: u64,
    },
    /// The sync is complete: from now on the passive is a PASSIVE-STANDBY and every later
    /// `Replicate` must be acknowledged.
    SyncDone {
        /// Replication sequence already covered by the sync.
        seq: u64,
        /// The active's epoch.
        epoch: u64,
    },
    /// A batch to apply (and make durable, in a persistent group) before acknowledging.
    Replicate {
        /// Replication sequence (per link, from 1).
        seq: u64,
        /// The batch's changes.
        ops: Vec<GroupOp>,
    },
    /// Everything up to `seq` is applied (and durable).
    Ack {
        /// Highest sequence applied.
        seq: u64,
    },
    /// Health probe.
    Ping {
        /// Echoed.
        nonce: u64,
    },
    /// Health answer.
    Pong {
        /// From the ping.
        nonce: u64,
    },
    /// Epoch fence: the receiver (an active, or a server that believes it is one) is told
    /// that a newer active term exists; it must stop acknowledging and step down.
    Deposed {
        /// The newer epoch.
        epoch: u64,
        /// The server that is active in it.
        active: String,
    },
    /// Split brain (seed 001 zap rules): two actives that meet exchange their figures, each
    /// answering the other's `Contest` with its own; both decide on the same two figures.
    Contest {
        /// The sender's epoch.
        epoch: u64,
        /// The sender's last GTX.
        gtx: u64,
        /// Whether the sender acknowledged writes with no standby since it lost (or never had)
        /// one: it holds transactions the other side may lack.
        alone: bool,
        /// Its connected clients (id, transaction high-water mark, name): their number decides,
        /// and the winner gives these clients a reconnect window.
        clients: Vec<(u64, u64, String)>,
        /// Its next client id (the winner allocates above it).
        next_client: u64,
    },
    /// Quorum mode: `candidate` asks a voting member (a server of the group or a `kiln-voter`)
    /// for `epoch` — a new term, or the renewal of the one it holds — with a lease of
    /// `lease_ms`. May be the first message of a connection (no `Hello`).
    VoteRequest {
        /// The term asked for.
        epoch: u64,
        /// The server asking.
        candidate: String,
        /// How long the grant holds (the L2→L2 HealthChecker time).
        lease_ms: u64,
    },
    /// The member's answer.
    VoteReply {
        /// The answering member (server name, or `voter@host:port`).
        voter: String,
        /// Granted (or renewed).
        granted: bool,
        /// The member's newest granted epoch after this request.
        epoch: u64,
        /// Who holds that epoch.
        holder: String,
        /// Why not, when refused.
        reason: String,
    },
}

mod ty {
    pub const HELLO: u8 = 0x81;
    pub const JOIN: u8 = 0x82;
    pub const SYNC_CHUNK: u8 = 0x83;
    pub const SYNC_DONE: u8 = 0x84;
    pub const REPLICATE: u8 = 0x85;
    pub const ACK: u8 = 0x86;
    pub const PING: u8 = 0x87;
    pub const PONG: u8 = 0x88;
    pub const DEPOSED: u8 = 0x89;
    pub const CONTEST: u8 = 0x8A;
    pub const VOTE_REQUEST: u8 = 0x8B;
    pub const VOTE_REPLY: u8 = 0x8C;
}

mod op {
    pub const PUT_OBJECT: u8 = 1;
    pub const DEL_OBJECT: u8 = 2;
    pub const PUT_ROOT: u8 = 3;
    pub const DEL_ROOT: u8 = 4;
    pub const PUT_CLIENT: u8 = 5;
    pub const DEL_CLIENT: u8 = 6;
    pub const PUT_META: u8 = 7;
    pub const PUT_PREPARED: u8 = 8;
    pub const DECIDED: u8 = 9;
    pub const LOCK_FENCE: u8 = 10;
}

impl GroupOp {
    /// The op alone, in its replication encoding (a server's store keeps the records of
    /// transactions across stripes this way).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut b = BytesMut::with_capacity(self.encoded_len());
        self.encode(&mut b);
        b.to_vec()
    }

    /// Decodes [`GroupOp::to_bytes`]; the whole input must be one op.
    pub fn from_bytes(bytes: &[u8]) -> Result<GroupOp, ProtocolError> {
        let mut r = Reader::new(bytes);
        let op = GroupOp::decode(&mut r)?;
        r.finish("group op")?;
        Ok(op)
    }

    /// Encoded size, approximately (for batching and progress).
    pub fn encoded_len(&self) -> usize {
        match self {
            GroupOp::PutObject(_, b) => 13 + b.len(),
            GroupOp::PutRoot(k, b) => 9 + k.len() + b.len(),
            GroupOp::DelRoot(k) => 5 + k.len(),
            GroupOp::PutClient(_, _, n) => 21 + n.len(),
            GroupOp::PutMeta(k, _) => 13 + k.len(),
            GroupOp::PutPrepared(_, _, b) => 30 + b.len(),
            GroupOp::Decided(..) => 27,
            GroupOp::LockFence(_, f) => 16 + 18 * f.len(),
            _ => 9,
        }
    }

    fn encode(&self, out: &mut BytesMut) {
        match self {
            GroupOp::PutObject(oid, b) => {
                out.put_u8(op::PUT_OBJECT);
                out.put_u64(oid.0);
                put_bytes(out, b);
            }
            GroupOp::DelObject(oid) => {
                out.put_u8(op::DEL_OBJECT);
                out.put_u64(oid.0);
            }
            GroupOp::PutRoot(k, b) => {
                out.put_u8(op::PUT_ROOT);
                put_str(out, k);
                put_bytes(out, b);
            }
            GroupOp::DelRoot(k) => {
                out.put_u8(op::DEL_ROOT);
                put_str(out, k);
            }
            GroupOp::PutClient(id, seq, name) => {
                out.put_u8(op::PUT_CLIENT);
                out.put_u64(*id);
                out.put_u64(*seq);
                put_str(out, name);
            }
            GroupOp::DelClient(id) => {
                out.put_u8(op::DEL_CLIENT);
                out.put_u64(*id);
            }
            GroupOp::PutMeta(k, v) => {
                out.put_u8(op::PUT_META);
                put_str(out, k);
                out.put_u64(*v);
            }
            GroupOp::PutPrepared(xid, client, part) => {
                out.put_u8(op::PUT_PREPARED);
                xid.encode(out);
                out.put_u64(*client);
                put_bytes(out, part);
            }
            GroupOp::Decided(xid, commit, gtx) => {
                out.put_u8(op::DECIDED);
                xid.encode(out);
                out.put_u8(u8::from(*commit));
                out.put_u64(*gtx);
            }
            GroupOp::LockFence(lock, fence) => {
                out.put_u8(op::LOCK_FENCE);
                lock.encode(out);
                crate::message::put_fence(out, fence);
            }
        }
    }

    fn decode(r: &mut Reader<'_>) -> Result<GroupOp, ProtocolError> {
        Ok(match r.u8()? {
            op::PUT_OBJECT => {
                let oid = ObjectId(r.u64()?);
                GroupOp::PutObject(oid, r.bytes("object state")?.to_vec())
            }
            op::DEL_OBJECT => GroupOp::DelObject(ObjectId(r.u64()?)),
            op::PUT_ROOT => {
                let k = r.string("root name")?;
                GroupOp::PutRoot(k, r.bytes("root value")?.to_vec())
            }
            op::DEL_ROOT => GroupOp::DelRoot(r.string("root name")?),
            op::PUT_CLIENT => {
                let id = r.u64()?;
                let seq = r.u64()?;
                GroupOp::PutClient(id, seq, r.string("client name")?)
            }
            op::DEL_CLIENT => GroupOp::DelClient(r.u64()?),
            op::PUT_META => {
                let k = r.string("counter name")?;
                GroupOp::PutMeta(k, r.u64()?)
            }
            op::PUT_PREPARED => {
                let xid = Xid::decode(r)?;
                let client = r.u64()?;
                GroupOp::PutPrepared(xid, client, r.bytes("prepared part")?.to_vec())
            }
            op::DECIDED => GroupOp::Decided(Xid::decode(r)?, r.bool()?, r.u64()?),
            op::LOCK_FENCE => {
                let lock = LockId::decode(r)?;
                GroupOp::LockFence(lock, crate::message::get_fence(r)?)
            }
            t => {
                return Err(ProtocolError::InvalidTag {
                    what: "group op",
                    tag: t,
                })
            }
        })
    }
}

fn put_ops(out: &mut BytesMut, ops: &[GroupOp]) {
    put_count(out, ops.len());
    for o in ops {
        o.encode(out);
    }
}

fn read_ops(r: &mut Reader<'_>) -> Result<Vec<GroupOp>, ProtocolError> {
    let n = r.count(9, "group ops")?;
    let mut ops = Vec::with_capacity(n);
    for _ in 0..n {
        ops.push(GroupOp::decode(r)?);
    }
    Ok(ops)
}

impl GroupMsg {
    /// Message name for logs.
    pub fn name(&self) -> &'static str {
        match self {
            GroupMsg::Hello { .. } => "GroupHello",
            GroupMsg::Join => "Join",
            GroupMsg::SyncChunk { .. } => "SyncChunk",
            GroupMsg::SyncDone { .. } => "SyncDone",
            GroupMsg::Replicate { .. } => "Replicate",
            GroupMsg::Ack { .. } => "Ack",
            GroupMsg::Ping { .. } => "GroupPing",
            GroupMsg::Pong { .. } => "GroupPong",
            GroupMsg::Deposed { .. } => "Deposed",
            GroupMsg::Contest { .. } => "Contest",
            GroupMsg::VoteRequest { .. } => "VoteRequest",
            GroupMsg::VoteReply { .. } => "VoteReply",
        }
    }

    /// Appends the message as one frame.
    pub fn encode_framed(&self, out: &mut BytesMut) {
        let start = out.len();
        out.put_u32(0);
        match self {
            GroupMsg::Hello {
                version,
                group,
                server,
                role,
                gtx,
                was_active,
                epoch,
                cluster,
            } => {
                out.put_u8(ty::HELLO);
                out.put_u16(*version);
                put_str(out, group);
                put_str(out, server);
                out.put_u8(*role as u8);
                out.put_u64(*gtx);
                out.put_u8(u8::from(*was_active));
                out.put_u64(*epoch);
                out.put_u128(*cluster);
            }
            GroupMsg::Join => out.put_u8(ty::JOIN),
            GroupMsg::SyncChunk { ops, sent, total } => {
                out.put_u8(ty::SYNC_CHUNK);
                out.put_u64(*sent);
                out.put_u64(*total);
                put_ops(out, ops);
            }
            GroupMsg::SyncDone { seq, epoch } => {
                out.put_u8(ty::SYNC_DONE);
                out.put_u64(*seq);
                out.put_u64(*epoch);
            }
            GroupMsg::Replicate { seq, ops } => {
                out.put_u8(ty::REPLICATE);
                out.put_u64(*seq);
                put_ops(out, ops);
            }
            GroupMsg::Ack { seq } => {
                out.put_u8(ty::ACK);
                out.put_u64(*seq);
            }
            GroupMsg::Ping { nonce } => {
                out.put_u8(ty::PING);
                out.put_u64(*nonce);
            }
            GroupMsg::Pong { nonce } => {
                out.put_u8(ty::PONG);
                out.put_u64(*nonce);
            }
            GroupMsg::Deposed { epoch, active } => {
                out.put_u8(ty::DEPOSED);
                out.put_u64(*epoch);
                put_str(out, active);
            }
            GroupMsg::Contest {
                epoch,
                gtx,
                alone,
                clients,
                next_client,
            } => {
                out.put_u8(ty::CONTEST);
                out.put_u64(*epoch);
                out.put_u64(*gtx);
                out.put_u8(u8::from(*alone));
                out.put_u64(*next_client);
                put_count(out, clients.len());
                for (id, seq, name) in clients {
                    out.put_u64(*id);
                    out.put_u64(*seq);
                    put_str(out, name);
                }
            }
            GroupMsg::VoteRequest {
                epoch,
                candidate,
                lease_ms,
            } => {
                out.put_u8(ty::VOTE_REQUEST);
                out.put_u64(*epoch);
                put_str(out, candidate);
                out.put_u64(*lease_ms);
            }
            GroupMsg::VoteReply {
                voter,
                granted,
                epoch,
                holder,
                reason,
            } => {
                out.put_u8(ty::VOTE_REPLY);
                put_str(out, voter);
                out.put_u8(u8::from(*granted));
                out.put_u64(*epoch);
                put_str(out, holder);
                put_str(out, reason);
            }
        }
        let len = crate::wire::len32(out.len() - start - HEADER_LEN);
        out[start..start + HEADER_LEN].copy_from_slice(&len.to_be_bytes());
    }

    /// Decodes one payload (type byte + body).
    pub fn decode(payload: &[u8]) -> Result<GroupMsg, ProtocolError> {
        let mut r = Reader::new(payload);
        let t = r.u8()?;
        let m = match t {
            ty::HELLO => GroupMsg::Hello {
                version: r.u16()?,
                group: r.string("group name")?,
                server: r.string("server name")?,
                role: ServerRole::from_u8(r.u8()?),
                gtx: r.u64()?,
                was_active: r.bool()?,
                epoch: r.u64()?,
                cluster: u128::from_be_bytes(
                    r.take(16, "cluster id")?
                        .try_into()
                        .expect("16 bytes were taken"),
                ),
            },
            ty::JOIN => GroupMsg::Join,
            ty::SYNC_CHUNK => {
                let sent = r.u64()?;
                let total = r.u64()?;
                GroupMsg::SyncChunk {
                    ops: read_ops(&mut r)?,
                    sent,
                    total,
                }
            }
            ty::SYNC_DONE => GroupMsg::SyncDone {
                seq: r.u64()?,
                epoch: r.u64()?,
            },
            ty::REPLICATE => {
                let seq = r.u64()?;
                GroupMsg::Replicate {
                    seq,
                    ops: read_ops(&mut r)?,
                }
            }
            ty::ACK => GroupMsg::Ack { seq: r.u64()? },
            ty::PING => GroupMsg::Ping { nonce: r.u64()? },
            ty::PONG => GroupMsg::Pong { nonce: r.u64()? },
            ty::DEPOSED => GroupMsg::Deposed {
                epoch: r.u64()?,
                active: r.string("server name")?,
            },
            ty::CONTEST => {
                let epoch = r.u64()?;
                let gtx = r.u64()?;
                let alone = r.bool()?;
                let next_client = r.u64()?;
                let n = r.count(20, "contest clients")?;
                let mut clients = Vec::with_capacity(n);
                for _ in 0..n {
                    let id = r.u64()?;
                    let seq = r.u64()?;
                    clients.push((id, seq, r.string("client name")?));
                }
                GroupMsg::Contest {
                    epoch,
                    gtx,
                    alone,
                    clients,
                    next_client,
                }
            }
            ty::VOTE_REQUEST => GroupMsg::VoteRequest {
                epoch: r.u64()?,
                candidate: r.string("candidate")?,
                lease_ms: r.u64()?,
            },
            ty::VOTE_REPLY => GroupMsg::VoteReply {
                voter: r.string("voter")?,
                granted: r.bool()?,
                epoch: r.u64()?,
                holder: r.string("holder")?,
                reason: r.string("reason")?,
            },
            other => return Err(ProtocolError::UnknownMessage(other)),
        };
        let name = m.name();
        r.finish(name)?;
        Ok(m)
    }

    /// Takes the next complete message off the front of `buf`, if any.
    pub fn decode_framed(
        buf: &mut BytesMut,
        max: usize,
    ) -> Result<Option<GroupMsg>, ProtocolError> {
        match check(buf, max)? {
            None => Ok(None),
            Some(n) => {
                let f = buf.split_to(n);
                GroupMsg::decode(&f[HEADER_LEN..]).map(Some)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_message_round_trips() {
        let ops = vec![
            GroupOp::PutObject(ObjectId(7), vec![1, 2, 3]),
            GroupOp::DelObject(ObjectId(8)),
            GroupOp::PutRoot("r".into(), vec![0]),
            GroupOp::DelRoot("q".into()),
            GroupOp::PutClient(1, 42, "c".into()),
            GroupOp::DelClient(2),
            GroupOp::PutMeta("gtx".into(), 99),
            GroupOp::PutPrepared(
                Xid {
                    stripe: 1,
                    client: 2,
                    seq: 3,
                },
                4,
                vec![0; 25],
            ),
            GroupOp::Decided(
                Xid {
                    stripe: 0,
                    client: 5,
                    seq: 6,
                },
                true,
                77,
            ),
            GroupOp::LockFence(
                LockId::Named("bank".into()),
                vec![
                    (
                        1,
                        Xid {
                            stripe: 0,
                            client: 5,
                            seq: 2,
                        },
                    ),
                    (
                        2,
                        Xid {
                            stripe: 0,
                            client: 9,
                            seq: 7,
                        },
                    ),
                ],
            ),
        ];
        let msgs = vec![
            GroupMsg::Hello {
                version: GROUP_PROTOCOL_VERSION,
                group: "g".into(),
                server: "s1".into(),
                role: ServerRole::PassiveStandby,
                gtx: 5,
                was_active: true,
                epoch: 3,
                cluster: 0x0123_4567_89ab_cdef_0011_2233_4455_6677,
            },
            GroupMsg::Join,
            GroupMsg::SyncChunk {
                ops: ops.clone(),
                sent: 7,
                total: 9,
            },
            GroupMsg::SyncDone { seq: 4, epoch: 2 },
            GroupMsg::Replicate { seq: 5, ops },
            GroupMsg::Ack { seq: 5 },
            GroupMsg::Ping { nonce: 1 },
            GroupMsg::Pong { nonce: 1 },
            GroupMsg::Deposed {
                epoch: 7,
                active: "s2".into(),
            },
            GroupMsg::Contest {
                epoch: 3,
                gtx: 40,
                alone: true,
                clients: vec![(1, 9, "a".into()), (4, 0, "b".into())],
                next_client: 5,
            },
            GroupMsg::VoteRequest {
                epoch: 4,
                candidate: "s1".into(),
                lease_ms: 800,
            },
            GroupMsg::VoteReply {
                voter: "voter@h:1".into(),
                granted: false,
                epoch: 5,
                holder: "s2".into(),
                reason: "epoch 5 is held by s2".into(),
            },
        ];
        let mut b = BytesMut::new();
        for m in &msgs {
            m.encode_framed(&mut b);
        }
        for m in &msgs {
            assert_eq!(
                GroupMsg::decode_framed(&mut b, 1 << 20).as_ref(),
                Ok(&Some(m.clone()))
            );
        }
        assert!(b.is_empty());
    }

    #[test]
    fn bad_input_is_an_error() {
        assert_eq!(
            GroupMsg::decode(&[0x01]),
            Err(ProtocolError::UnknownMessage(0x01))
        );
        assert!(GroupMsg::decode(&[ty::REPLICATE, 0, 0]).is_err());
        assert!(GroupMsg::decode(&[ty::ACK, 0, 0, 0, 0, 0, 0, 0, 1, 9]).is_err());
        // A Contest claiming more clients than its bytes can hold.
        let mut b = vec![ty::CONTEST];
        b.extend_from_slice(&[0; 25]);
        b.extend_from_slice(&[0xFF, 0xFF, 0xFF, 0x7F]);
        assert!(GroupMsg::decode(&b).is_err());
    }
}

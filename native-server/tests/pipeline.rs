//! The commit pipeline's plug point (where durability and replication go): acknowledgement and
//! broadcast wait for every stage, and a failing stage fails the client cleanly.

#![allow(clippy::unwrap_used)]
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::BytesMut;
use kiln_protocol::{frame, ErrorCode, Message, ObjectId, ObjectState, Txn, PROTOCOL_VERSION};
use kiln_server::pipeline::{CommitStage, Pipeline, StageFuture};
use kiln_server::state::AppliedTxn;
use kiln_server::{ServerError, Settings, Shared};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

#[derive(Debug)]
struct Delay {
    batches: Arc<AtomicUsize>,
    delay: Duration,
    fail: bool,
}

impl CommitStage for Delay {
    fn name(&self) -> &'static str {
        "test-delay"
    }
    fn commit<'a>(&'a self, _client: u64, batch: &'a [AppliedTxn]) -> StageFuture<'a> {
        Box::pin(async move {
            assert!(!batch.is_empty());
            tokio::time::sleep(self.delay).await;
            self.batches.fetch_add(1, Ordering::SeqCst);
            if self.fail {
                Err(ServerError::Commit {
                    stage: "test-delay",
                    message: "disk on fire".into(),
                })
            } else {
                Ok(())
            }
        })
    }
}

struct Conn {
    s: TcpStream,
    buf: BytesMut,
}

impl Conn {
    async fn hello(addr: std::net::SocketAddr, name: &str) -> Conn {
        let s = TcpStream::connect(addr).await.unwrap();
        let mut c = Conn {
            s,
            buf: BytesMut::new(),
        };
        c.send(&Message::Hello {
            protocol_version: PROTOCOL_VERSION,
            client_name: name.into(),
            pid: 1,
            reconnect: None,
        })
        .await;
        assert!(matches!(c.recv().await, Some(Message::Welcome { .. })));
        assert!(matches!(c.recv().await, Some(Message::Membership { .. })));
        c
    }
    async fn send(&mut self, m: &Message) {
        self.s.write_all(&frame::to_bytes(m)).await.unwrap();
    }
    async fn recv(&mut self) -> Option<Message> {
        loop {
            if let Ok(Some(n)) = frame::check(&self.buf, frame::DEFAULT_MAX_FRAME) {
                let f = self.buf.split_to(n);
                return Some(frame::parse(&f).unwrap());
            }
            match tokio::time::timeout(Duration::from_secs(5), self.s.read_buf(&mut self.buf)).await
            {
                Ok(Ok(n)) if n > 0 => {}
                _ => return None,
            }
        }
    }
    async fn until(&mut self, pred: impl Fn(&Message) -> bool) -> Message {
        loop {
            let m = self.recv().await.expect("connection ended");
            if pred(&m) {
                return m;
            }
        }
    }
}

async fn start(stage: Delay) -> (std::net::SocketAddr, tokio::task::JoinHandle<()>) {
    let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = l.local_addr().unwrap();
    let shared = Shared::new(
        Settings::default(),
        Pipeline::in_memory().with_stage(Box::new(stage)),
    );
    let h = tokio::spawn(async move {
        let _ = kiln_server::run(shared, l, None, std::future::pending()).await;
    });
    (addr, h)
}

#[tokio::test]
async fn ack_and_broadcast_wait_for_every_stage() {
    let batches = Arc::new(AtomicUsize::new(0));
    let (addr, h) = start(Delay {
        batches: batches.clone(),
        delay: Duration::from_millis(150),
        fail: false,
    })
    .await;
    let mut a = Conn::hello(addr, "a").await;
    let mut b = Conn::hello(addr, "b").await;
    a.send(&Message::IdLeaseRequest { count: 10 }).await;
    let Message::IdLease { start, .. } = a.until(|m| matches!(m, Message::IdLease { .. })).await
    else {
        unreachable!()
    };
    let oid = ObjectId(start);
    a.send(&Message::TxnBatch {
        txns: vec![Txn {
            seq: 1,
            new_objects: vec![(oid, ObjectState::list())],
            ..Default::default()
        }],
    })
    .await;
    a.until(|m| matches!(m, Message::BatchAck { upto_seq: 1, .. }))
        .await;
    assert_eq!(batches.load(Ordering::SeqCst), 1);
    b.send(&Message::Fault {
        req_id: 1,
        oids: vec![oid],
        budget: 1,
    })
    .await;
    b.until(|m| matches!(m, Message::FaultReply { .. })).await;
    let t0 = Instant::now();
    let add = kiln_protocol::DeltaOp::Add {
        value: kiln_protocol::Value::I32(1),
    };
    a.send(&Message::TxnBatch {
        txns: vec![Txn {
            seq: 2,
            deltas: vec![kiln_protocol::Delta {
                oid,
                ops: vec![add],
            }],
            ..Default::default()
        }],
    })
    .await;
    b.until(|m| matches!(m, Message::Deltas { .. })).await;
    assert!(
        t0.elapsed() >= Duration::from_millis(140),
        "broadcast before the stage finished: {:?}",
        t0.elapsed()
    );
    a.until(|m| matches!(m, Message::BatchAck { upto_seq: 2, .. }))
        .await;
    assert!(
        t0.elapsed() >= Duration::from_millis(140),
        "ack before the stage finished"
    );
    assert_eq!(batches.load(Ordering::SeqCst), 2);
    h.abort();
}

#[tokio::test]
async fn failing_stage_refuses_the_transaction_with_an_error() {
    let batches = Arc::new(AtomicUsize::new(0));
    let (addr, h) = start(Delay {
        batches,
        delay: Duration::ZERO,
        fail: true,
    })
    .await;
    let mut a = Conn::hello(addr, "a").await;
    let oid = ObjectId(1);
    a.send(&Message::TxnBatch {
        txns: vec![Txn {
            seq: 1,
            new_objects: vec![(oid, ObjectState::map())],
            ..Default::default()
        }],
    })
    .await;
    match a
        .until(|m| {
            matches!(
                m,
                Message::Error { .. } | Message::BatchAck { .. } | Message::TxnRejected { .. }
            )
        })
        .await
    {
        Message::TxnRejected {
            from_seq,
            upto_seq,
            code,
            message,
        } => {
            assert_eq!((from_seq, upto_seq), (1, 1));
            assert_eq!(code, ErrorCode::StorageUnavailable);
            assert!(message.contains("disk on fire"), "{message}");
        }
        other => panic!("not rejected despite the failing stage: {other:?}"),
    }
    // The connection stays open and nothing of the transaction is visible.
    a.send(&Message::Fault {
        req_id: 9,
        oids: vec![oid],
        budget: 10,
    })
    .await;
    match a.until(|m| matches!(m, Message::FaultReply { .. })).await {
        Message::FaultReply {
            objects, missing, ..
        } => {
            assert!(objects.is_empty(), "rolled-back object is visible");
            assert_eq!(missing, vec![oid]);
        }
        _ => unreachable!(),
    }
    h.abort();
}

//! Mirror groups as stripes (#12), first step: a server's stripe is the index of its
//! `<mirror-group>` in the configuration; the object ids it leases carry it in their top byte;
//! a transaction creating an object of another stripe is refused (and changes nothing); the
//! stripe is recorded in the store at the first start, and reordering the mirror groups later is
//! refused naming the data directory and both stripes. `/status` and `kiln-server status
//! --group` show the stripe. Real `kiln-server` binaries on free loopback ports.
#![allow(clippy::unwrap_used)]

mod common_ha;

use std::process::Command;
use std::time::Duration;

use common_ha::Group;
use kiln::{ClientBuilder, LockId, LockLevel, ObjectState, Value};
use kiln_integration::{binary, RawConn};
use kiln_protocol::{ErrorCode, Message, ObjectId, Txn};

/// Rewrites the group's config so that each server is a `<mirror-group>` of its own, in
/// `order` (indexes into the members), named `stripe-<member name>`.
fn as_stripes(g: &Group, original: &str, order: &[usize]) {
    let xml = original;
    let mut blocks = Vec::new();
    let mut rest = xml;
    while let Some(a) = rest.find("    <server ") {
        let b = rest[a..].find("</server>").unwrap() + a + "</server>".len();
        blocks.push(rest[a..b].to_owned());
        rest = &rest[b..];
    }
    assert_eq!(blocks.len(), g.members.len());
    let first = xml.find("    <server ").unwrap();
    let last = xml.rfind("</server>").unwrap() + "</server>".len();
    let groups: String = order
        .iter()
        .map(|&i| {
            format!(
                "  <mirror-group group-name=\"stripe-{}\" election-time=\"1\">\n{}\n  </mirror-group>\n",
                g.members[i].name, blocks[i]
            )
        })
        .collect();
    let out = format!("{}{}{}", &xml[..first], groups, &xml[last..]);
    std::fs::write(&g.config, out).unwrap();
}

/// A lock name owned by `stripe` of 2 (named locks live where FNV-1a-64 of the name lands).
fn lock_on(stripe: u8) -> String {
    (0..100)
        .map(|i| format!("l{i}"))
        .find(|n| kiln_protocol::stripe::name_stripe(n, 2) == stripe)
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_mirror_group_is_a_stripe_with_its_own_ids() {
    let mut g = Group::new(2, true, 1, 1);
    let original = std::fs::read_to_string(&g.config).unwrap();
    as_stripes(&g, &original, &[0, 1]);
    g.start(0);
    g.start(1);
    // Each one-server group elects itself.
    g.wait_state(0, "ACTIVE-COORDINATOR", Duration::from_secs(30));
    g.wait_state(1, "ACTIVE-COORDINATOR", Duration::from_secs(30));
    let s = |g: &Group, i: usize| g.status(i).unwrap()["stripe"].clone();
    assert_eq!(
        s(&g, 0),
        serde_json::json!({"id": 0, "group": "stripe-s1", "of": 2})
    );
    assert_eq!(
        s(&g, 1),
        serde_json::json!({"id": 1, "group": "stripe-s2", "of": 2})
    );

    // Objects created through each stripe's server carry its stripe; another client reads them.
    let over_both = |name: &'static str| {
        ClientBuilder::from_config_file(&g.config)
            .unwrap()
            .name(name)
            .connect()
    };
    for (i, stripe) in [(0usize, 0u8), (1, 1)] {
        let c = over_both("writer").await.unwrap();
        let mut tx = c
            .lock(LockId::Named(lock_on(stripe)), LockLevel::Write)
            .await
            .unwrap();
        let oid = tx.create(ObjectState::physical("t.Cell")).unwrap();
        tx.set_field(oid, "t.Cell", "v", Value::I64(40 + i as i64))
            .unwrap();
        tx.commit().await.unwrap();
        c.flush().await.unwrap();
        assert_eq!(oid.stripe(), stripe, "{oid}");
        let r = over_both("reader").await.unwrap();
        let v = r
            .read(oid, |s| s.field("t.Cell", "v").and_then(Value::as_i64))
            .await
            .unwrap();
        assert_eq!(v, Some(40 + i as i64));
        c.close().await.unwrap();
        r.close().await.unwrap();
        // A client given only this stripe's server (one group) is refused at connect: it
        // would hash roots and named locks as if the cluster had one stripe.
        let addr = format!("127.0.0.1:{}", g.members[i].dso_port);
        match ClientBuilder::new([addr.clone()]).connect().await {
            Err(kiln::Error::WrongStripe { message }) => assert!(
                message.contains(&addr)
                    && message.contains(&format!("serves stripe {stripe} of 2"))
                    && message.contains("one group (stripe 0 of 1)"),
                "{message}"
            ),
            other => panic!("a one-group client of a two-stripe cluster: {other:?}"),
        }
    }

    // A transaction that creates an object of stripe 0 on stripe 1's server is refused with the
    // reason; nothing of it is stored.
    let before = g.status(1).unwrap()["objects"].as_u64().unwrap();
    let mut raw = RawConn::hello(g.members[1].dso_port, "foreign");
    raw.send(&Message::TxnBatch {
        txns: vec![Txn {
            seq: 1,
            new_objects: vec![(ObjectId::new(0, 7), ObjectState::physical("t.Cell"))],
            ..Txn::default()
        }],
    });
    match raw.expect("the refusal", |m| {
        matches!(
            m,
            Message::Error { .. } | Message::BatchAck { .. } | Message::TxnRejected { .. }
        )
    }) {
        Message::Error { code, message } => {
            assert_eq!(code, ErrorCode::WrongStripe, "{message}");
            assert!(
                message.contains("of stripe 0") && message.contains("serves stripe 1"),
                "{message}"
            );
        }
        other => panic!("a foreign-stripe object was not refused: {other:?}"),
    }
    assert_eq!(g.status(1).unwrap()["objects"].as_u64().unwrap(), before);

    // kiln-server status --group names the stripe.
    let out = Command::new(binary("kiln-server"))
        .arg("-f")
        .arg(&g.config)
        .args(["-n", "s2", "status", "--group"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    // Every stripe, in order, with its servers.
    let a = text
        .find("group stripe-s1 (stripe 0 of 2)")
        .unwrap_or_else(|| panic!("{text}"));
    let b = text
        .find("group stripe-s2 (stripe 1 of 2)")
        .unwrap_or_else(|| panic!("{text}"));
    assert!(a < b, "{text}");
    assert!(
        text[a..b].contains("s1 ") && text[a..b].contains("ACTIVE-COORDINATOR"),
        "{text}"
    );
    assert!(
        text[b..].contains("s2 ") && text[b..].contains("ACTIVE-COORDINATOR"),
        "{text}"
    );

    // The mirror groups reordered: s2's group would become stripe 0, but its store's ids carry
    // stripe 1; the server refuses to start and names the directory and both stripes.
    // A stripe without an active: the status says the cluster is stopped, naming the stripe.
    g.kill(0);
    let out = Command::new(binary("kiln-server"))
        .arg("-f")
        .arg(&g.config)
        .args(["-n", "s2", "status", "--group"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        err.contains("0 ACTIVE-COORDINATOR server(s) in group stripe-s1")
            && err.contains("stops the whole cluster"),
        "{err}"
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("NOT-REACHABLE"));
    g.kill(1);
    as_stripes(&g, &original, &[1, 0]);
    g.start(1);
    let st = g.wait_exit(1, Duration::from_secs(30));
    assert!(st.is_some_and(|s| !s.success()), "{st:?}");
    let log = g.log(1);
    assert!(
        log.contains("as stripe 1")
            && log.contains("stripe 0")
            && log.contains("keep the <mirror-group>s in the order"),
        "{log}"
    );
    // Back in the original order, it starts again with its data.
    as_stripes(&g, &original, &[0, 1]);
    g.start(1);
    g.wait_state(1, "ACTIVE-COORDINATOR", Duration::from_secs(30));
    assert_eq!(s(&g, 1)["id"], 1);
    assert!(g.status(1).unwrap()["objects"].as_u64().unwrap() >= 1);
}

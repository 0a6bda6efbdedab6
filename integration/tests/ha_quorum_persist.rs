//! Quorum mode (issue #11, item 5): a server's vote survives its restart. A server grants
//! epoch N to one candidate, is killed -9 and restarted, and is asked for the same epoch by
//! another candidate: it refuses (in a temporary-swap group from `<data>/kiln-vote`, in a
//! persistent group from its store metadata). Its `/status` and `/metrics` carry the quorum
//! state; a malformed vote file makes it refuse to vote, naming the file.
#![allow(clippy::unwrap_used)]

mod common_ha;

use std::io::{Read, Write};
use std::time::{Duration, Instant};

use common_ha::Group;
use kiln_integration::http;
use kiln_protocol::group::GroupMsg;

const T: Duration = Duration::from_secs(20);

/// A three-server group in quorum mode; only `s2` is started by the tests (it can never win a
/// majority alone, but it answers vote requests on its group port).
fn quorum_group(persistent: bool) -> Group {
    let g = Group::new(3, persistent, 1, 1);
    let xml = std::fs::read_to_string(&g.config).unwrap();
    std::fs::write(
        &g.config,
        xml.replace("</ha>", "<quorum>majority</quorum></ha>"),
    )
    .unwrap();
    g
}

/// One `VoteRequest` to the server group port `port`; its `VoteReply`.
fn vote(port: u16, epoch: u64, candidate: &str, lease_ms: u64) -> GroupMsg {
    let deadline = Instant::now() + T;
    let mut s = loop {
        match std::net::TcpStream::connect(("127.0.0.1", port)) {
            Ok(s) => break s,
            Err(e) => {
                assert!(Instant::now() < deadline, "group port {port}: {e}");
                std::thread::sleep(Duration::from_millis(50));
            }
        }
    };
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let mut b = bytes::BytesMut::new();
    GroupMsg::VoteRequest {
        epoch,
        candidate: candidate.into(),
        lease_ms,
    }
    .encode_framed(&mut b);
    s.write_all(&b).unwrap();
    let mut buf = bytes::BytesMut::new();
    loop {
        if let Some(m) = GroupMsg::decode_framed(&mut buf, 1 << 16).unwrap() {
            return m;
        }
        let mut tmp = [0u8; 4096];
        let n = s.read(&mut tmp).unwrap();
        assert!(n > 0, "closed without a VoteReply");
        buf.extend_from_slice(&tmp[..n]);
    }
}

fn granted(m: &GroupMsg) -> (bool, u64, String, String) {
    match m {
        GroupMsg::VoteReply {
            granted,
            epoch,
            holder,
            reason,
            ..
        } => (*granted, *epoch, holder.clone(), reason.clone()),
        other => panic!("not a VoteReply: {other:?}"),
    }
}

fn wait_up(g: &Group, i: usize) {
    let deadline = Instant::now() + T;
    while g.status(i).is_none() {
        assert!(Instant::now() < deadline, "no status; log:\n{}", g.log(i));
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn restart_refuses_a_second_candidate(persistent: bool) {
    let mut g = quorum_group(persistent);
    let port = g.members[1].group_port;
    g.start(1);
    wait_up(&g, 1);
    // A long lease: the restarted server honours it, so it cannot grant itself a newer term
    // in between (its own candidacy is refused too).
    let (ok, epoch, holder, reason) = granted(&vote(port, 1000, "s1", 60_000));
    assert!(ok, "first grant refused: {reason}");
    assert_eq!((epoch, holder.as_str()), (1000, "s1"));
    // The same epoch for another candidate, before the restart: refused (in memory).
    let (ok, _, _, reason) = granted(&vote(port, 1000, "s3", 60_000));
    assert!(
        !ok && reason.contains("already granted to 's1'"),
        "{reason}"
    );

    g.kill(1);
    g.start(1);
    wait_up(&g, 1);
    let (ok, epoch, holder, reason) = granted(&vote(port, 1000, "s3", 60_000));
    assert!(
        !ok,
        "the restarted server granted epoch 1000 a second time; log:\n{}",
        g.log(1)
    );
    assert!(
        reason.contains("epoch 1000 is already granted to 's1'"),
        "{reason}"
    );
    assert_eq!((epoch, holder.as_str()), (1000, "s1"));
    // A newer epoch for someone else during s1's (restored) lease: refused too.
    let (ok, _, _, reason) = granted(&vote(port, 1001, "s3", 60_000));
    assert!(!ok && reason.contains("holds a lease"), "{reason}");
    // The holder's renewal is still granted.
    let (ok, _, _, reason) = granted(&vote(port, 1000, "s1", 60_000));
    assert!(ok, "renewal refused: {reason}");
    assert!(
        g.log(1).contains("restored this server's vote"),
        "{}",
        g.log(1)
    );

    // /status and /metrics carry the quorum state.
    let s = g.status(1).unwrap();
    let q = &s["ha"]["quorum"];
    assert_eq!(q["mode"], "majority", "{s}");
    assert_eq!(q["members"], 3);
    assert_eq!(q["majority"], 2);
    assert_eq!(q["vote_epoch"], 1000);
    assert_eq!(q["vote_holder"], "s1");
    assert_eq!(q["may_write"], false);
    assert!(q["lease_remaining_ms"].is_null(), "not active: {q}");
    let names: Vec<&str> = q["voting_members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["s2", "s1", "s3"]);
    // s2 keeps trying to win a term: after a round, s1 and s3 are reported unreachable.
    let deadline = Instant::now() + T;
    loop {
        let q = g.status(1).unwrap()["ha"]["quorum"].clone();
        let m = q["voting_members"].as_array().unwrap().clone();
        if m[1]["reachable"] == false && m[2]["reachable"] == false {
            assert_eq!(m[0]["reachable"], true, "{q}");
            assert_eq!(m[1]["answer"], "unreachable", "{q}");
            assert!(q["last_round_ms"].as_u64().is_some(), "{q}");
            break;
        }
        assert!(Instant::now() < deadline, "no round reported: {q}");
        std::thread::sleep(Duration::from_millis(100));
    }
    let metrics = http(g.members[1].jmx_port, "GET", "/metrics");
    for line in [
        "kiln_ha_quorum_members 3",
        "kiln_ha_quorum_majority 2",
        "kiln_ha_quorum_reachable 1",
        "kiln_ha_quorum_may_write 0",
        "kiln_ha_quorum_lease_remaining_ms 0",
        "kiln_ha_quorum_vote_epoch 1000",
    ] {
        assert!(
            metrics.lines().any(|l| l == line),
            "no '{line}' in:\n{metrics}"
        );
    }
    // The group status line of the CLI.
    let out = std::process::Command::new(kiln_integration::binary("kiln-server"))
        .arg("-f")
        .arg(&g.config)
        .arg("-n")
        .arg("s2")
        .arg("status")
        .arg("--group")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    let s2 = text
        .lines()
        .find(|l| l.starts_with("s2 "))
        .unwrap_or_default();
    assert!(
        s2.contains("quorum: may_write=false")
            && s2.contains("vote=s1@1000")
            && s2.contains("reachable=s2")
            && s2.contains("unreachable=s1,s3"),
        "{text}"
    );
}

#[test]
fn a_restarted_temporary_swap_server_keeps_its_vote() {
    restart_refuses_a_second_candidate(false);
}

#[test]
fn a_restarted_persistent_server_keeps_its_vote() {
    restart_refuses_a_second_candidate(true);
}

#[test]
fn a_malformed_vote_file_makes_the_server_refuse_to_vote() {
    let mut g = quorum_group(false);
    let file = g.dir.path().join("s2/data/kiln-vote");
    std::fs::create_dir_all(file.parent().unwrap()).unwrap();
    std::fs::write(&file, "garbage\n").unwrap();
    g.start(1);
    wait_up(&g, 1);
    let (ok, _, _, reason) = granted(&vote(g.members[1].group_port, 7, "s1", 1000));
    assert!(!ok, "a server with a malformed vote file voted");
    assert!(
        reason.contains("kiln-vote") && reason.contains("refuses to vote"),
        "{reason}"
    );
    let s = g.status(1).unwrap();
    assert!(
        s["ha"]["quorum"]["vote_error"]
            .as_str()
            .is_some_and(|e| e.contains("kiln-vote")),
        "{s}"
    );
    // The file is left as it was (nothing overwritten).
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "garbage\n");
}

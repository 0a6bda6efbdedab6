//! Quorum mode (issue #11, item 5): two servers + one `kiln-voter`. The active is partitioned
//! from both the passive and the voter (its group links and its voter link go through fault
//! proxies); the passive side (passive + voter: a majority) elects the passive, and the old
//! active, without a majority for longer than its lease, refuses writes before the new one
//! accepts any: a client on each side records when its writes are acknowledged, and the two
//! periods never overlap. After the partition heals the old active learns of the newer epoch,
//! steps down and resyncs as a passive: one active.
#![allow(clippy::unwrap_used)]

mod common_ha;

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common_ha::Group;
use kiln::{Client, ClientBuilder, LockId, LockLevel};
use kiln_integration::fault::{Fault, Proxy};
use kiln_integration::{binary, free_ports, http};
use kiln_protocol::group::GroupMsg;

const T: Duration = Duration::from_secs(30);

const FAST_HC: &str = r#"<property name="l2.healthcheck.l2.ping.idletime" value="500"/>
<property name="l2.healthcheck.l2.ping.interval" value="100"/>
<property name="l2.healthcheck.l2.ping.probes" value="3"/>"#;

struct VoterProcess(Child);

impl Drop for VoterProcess {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn wait_standby_synced(g: &Group, passive: usize, active: usize) {
    g.wait_state(passive, "PASSIVE-STANDBY", T);
    let deadline = Instant::now() + T;
    loop {
        let s = g.status(active).expect("active status");
        if s["ha"]["passives"]
            .as_array()
            .is_some_and(|p| p.iter().any(|x| x["state"] == "PASSIVE-STANDBY"))
        {
            return;
        }
        assert!(Instant::now() < deadline, "no standby: {s}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

async fn connect(addr: String, name: &str) -> Client {
    tokio::time::timeout(
        T,
        ClientBuilder::new(vec![addr])
            .name(name)
            .connect_deadline(T)
            .retry_wait(Duration::from_millis(50))
            .connect(),
    )
    .await
    .expect("connect in time")
    .expect("connect")
}

/// One write (lock, append, commit, flush): `Ok` once acknowledged.
async fn write_one(c: &Client, root: &str, i: i64) -> Result<(), String> {
    let l = c.list(root).await.map_err(|e| e.to_string())?;
    let mut tx = c
        .lock(LockId::Named(root.into()), LockLevel::Write)
        .await
        .map_err(|e| e.to_string())?;
    l.add(&mut tx, i).map_err(|e| e.to_string())?;
    tx.commit().await.map_err(|e| e.to_string())?;
    c.flush().await.map_err(|e| e.to_string())
}

/// Writes until `until`; returns (acknowledgement times, errors).
async fn write_until(c: Client, root: &'static str, until: Instant) -> (Vec<Instant>, Vec<String>) {
    let mut acks = Vec::new();
    let mut errors = Vec::new();
    let mut i = 0;
    while Instant::now() < until {
        match tokio::time::timeout(Duration::from_secs(3), write_one(&c, root, i)).await {
            Ok(Ok(())) => acks.push(Instant::now()),
            Ok(Err(e)) => {
                errors.push(e);
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            Err(_) => errors.push("timed out".into()),
        }
        i += 1;
    }
    let _ = c.close().await;
    (acks, errors)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn never_two_writable_actives_and_one_active_after_healing() {
    let mut g = Group::with_props(2, false, 1, 1, FAST_HC);
    let voter_port = free_ports(1)[0];
    let state = g.dir.path().join("voter.state");
    let voter = VoterProcess(
        Command::new(binary("kiln-voter"))
            .args(["--bind", "127.0.0.1", "--port", &voter_port.to_string()])
            .arg("--state")
            .arg(&state)
            .stdout(Stdio::null())
            .stderr(Stdio::from(
                std::fs::File::create(g.dir.path().join("voter.out")).unwrap(),
            ))
            .spawn()
            .unwrap(),
    );
    let voter_addr = format!("127.0.0.1:{voter_port}");
    // s1's links to s2 and to the voter go through proxies; s2 reaches the voter directly.
    let xml = std::fs::read_to_string(&g.config).unwrap();
    let mut group_proxies = Vec::new();
    let mut xml = xml;
    for m in &g.members {
        let from = format!("<l2-group-port>{}</l2-group-port>", m.group_port);
        let to = format!(
            "<l2-group-port bind=\"127.0.0.2\">{}</l2-group-port>",
            m.group_port
        );
        xml = xml.replace(&from, &to);
        group_proxies.push(Proxy::start_on(
            &format!("127.0.0.1:{}", m.group_port),
            &format!("127.0.0.2:{}", m.group_port),
        ));
    }
    let to_voter = Proxy::start(&voter_addr);
    let with_voter = |addr: &str| {
        xml.replace(
            "</ha>",
            &format!(
                "<quorum>majority</quorum><voters><voter host=\"{}\" port=\"{}\"/></voters></ha>",
                addr.split(':').next().unwrap(),
                addr.split(':').nth(1).unwrap()
            ),
        )
    };
    let cfg_s1 = g.dir.path().join("tc-config-s1.xml");
    let cfg_s2 = g.dir.path().join("tc-config-s2.xml");
    std::fs::write(&cfg_s1, with_voter(to_voter.addr())).unwrap();
    std::fs::write(&cfg_s2, with_voter(&voter_addr)).unwrap();
    g.config = cfg_s1;
    g.start(0);
    g.wait_state(0, "ACTIVE-COORDINATOR", T);
    g.config = cfg_s2;
    g.start(1);
    wait_standby_synced(&g, 1, 0);
    let addrs = g.addrs();

    let a = connect(addrs[0].clone(), "side-a").await;
    write_one(&a, "side-a", -1)
        .await
        .expect("a write before the partition");
    let t_cut = Instant::now();
    let a_side = tokio::spawn(write_until(a, "side-a", t_cut + Duration::from_secs(6)));
    tokio::time::sleep(Duration::from_millis(200)).await;
    for p in &group_proxies {
        p.set(Fault::Partition);
    }
    to_voter.set(Fault::Partition);

    let deadline = Instant::now() + T;
    while g.state(1).as_deref() != Some("ACTIVE-COORDINATOR") {
        assert!(
            Instant::now() < deadline,
            "s2 never became active:\n{}",
            g.log(1)
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let p = connect(addrs[1].clone(), "side-p").await;
    let p_side = tokio::spawn(write_until(p, "side-p", t_cut + Duration::from_secs(6)));
    let (a_acks, a_errors) = a_side.await.unwrap();
    let (p_acks, p_errors) = p_side.await.unwrap();
    assert!(
        !p_acks.is_empty(),
        "the new active acknowledged nothing: {p_errors:?}"
    );
    let last_a = a_acks.iter().max().copied();
    let first_p = p_acks.iter().min().copied().unwrap();
    if let Some(last_a) = last_a {
        assert!(
            last_a < first_p,
            "two sides acknowledged writes in the same period: the old active until {:?}, the new one from {:?} (after the cut)",
            last_a - t_cut,
            first_p - t_cut
        );
    }
    assert!(
        a_errors.iter().any(|e| e.contains("no quorum")),
        "the old active refuses writes with a clear error: {a_errors:?}"
    );
    assert!(g.log(0).contains("lost the majority"), "{}", g.log(0));
    assert_eq!(
        g.state(0).as_deref(),
        Some("ACTIVE-COORDINATOR"),
        "still active, but read-only"
    );

    // Heal: the old active learns of the newer epoch, steps down, resyncs as a passive.
    for p in &group_proxies {
        p.set(Fault::None);
    }
    to_voter.set(Fault::None);
    g.wait_state(0, "PASSIVE-STANDBY", T);
    assert_eq!(g.state(1).as_deref(), Some("ACTIVE-COORDINATOR"));
    assert!(g.log(0).contains("stepping down"), "{}", g.log(0));
    let deadline = Instant::now() + T;
    while g.digest(0)["digest"] != g.digest(1)["digest"] {
        assert!(Instant::now() < deadline, "passive never caught up");
        std::thread::sleep(Duration::from_millis(50));
    }
    // The voter persisted its newest grant: s2's epoch.
    let epoch = g.status(1).unwrap()["epoch"].as_u64().unwrap();
    let saved = std::fs::read_to_string(&state).unwrap();
    assert_eq!(saved.trim(), format!("{epoch} s2"), "voter state");
    let vlog = std::fs::read_to_string(g.dir.path().join("voter.out")).unwrap();
    assert!(vlog.contains("vote granted"), "{vlog}");
    drop(voter);
}

/// One `VoteRequest` to the voter at `port` on `s`; its `VoteReply`.
fn vote(s: &mut std::net::TcpStream, epoch: u64, candidate: &str) -> GroupMsg {
    use std::io::{Read, Write};
    let mut b = bytes::BytesMut::new();
    GroupMsg::VoteRequest {
        epoch,
        candidate: candidate.into(),
        lease_ms: 800,
    }
    .encode_framed(&mut b);
    s.write_all(&b).unwrap();
    let mut buf = bytes::BytesMut::new();
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        if let Some(m) = GroupMsg::decode_framed(&mut buf, 1 << 16).unwrap() {
            return m;
        }
        assert!(Instant::now() < deadline, "no VoteReply");
        let mut tmp = [0u8; 4096];
        let n = s.read(&mut tmp).unwrap();
        assert!(n > 0, "voter closed the connection");
        buf.extend_from_slice(&tmp[..n]);
    }
}

fn granted(m: &GroupMsg) -> bool {
    matches!(m, GroupMsg::VoteReply { granted: true, .. })
}

fn start_voter(port: u16, state: &std::path::Path, log: &std::path::Path) -> VoterProcess {
    VoterProcess(
        Command::new(binary("kiln-voter"))
            .args(["--bind", "127.0.0.1", "--port", &port.to_string()])
            .arg("--state")
            .arg(state)
            .stdout(Stdio::null())
            .stderr(Stdio::from(std::fs::File::create(log).unwrap()))
            .spawn()
            .unwrap(),
    )
}

fn connect_voter(port: u16) -> std::net::TcpStream {
    let deadline = Instant::now() + T;
    loop {
        if let Ok(s) = std::net::TcpStream::connect(("127.0.0.1", port)) {
            s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
            return s;
        }
        assert!(Instant::now() < deadline, "voter not listening");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// The voter grants one candidate per epoch, persists each grant before answering, and after
/// a restart honours the holder it loaded; garbage on a connection closes only that connection;
/// a malformed state file stops it with a message naming the file (and the file is left as is).
#[test]
fn the_voter_keeps_its_vote_across_restarts_and_refuses_bad_state() {
    let dir = kiln_integration::TempDir::new("voter");
    let state = dir.path().join("voter.state");
    let log = dir.path().join("voter.out");
    let port = free_ports(1)[0];
    let v = start_voter(port, &state, &log);
    let mut s = connect_voter(port);
    assert!(granted(&vote(&mut s, 3, "s1")));
    assert!(granted(&vote(&mut s, 3, "s1")), "renewal");
    match vote(&mut s, 3, "s2") {
        GroupMsg::VoteReply {
            granted: false,
            epoch: 3,
            holder,
            reason,
            ..
        } => {
            assert_eq!(holder, "s1");
            assert!(reason.contains("already granted"), "{reason}");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(std::fs::read_to_string(&state).unwrap().trim(), "3 s1");
    // Garbage closes that connection only.
    {
        use std::io::{Read, Write};
        let mut bad = connect_voter(port);
        bad.write_all(&[0, 0, 0, 3, 0x01, 0x02, 0x03]).unwrap();
        let mut tmp = [0u8; 16];
        assert_eq!(bad.read(&mut tmp).unwrap_or(0), 0, "closed");
    }
    assert!(granted(&vote(&mut s, 3, "s1")));
    drop(s);
    drop(v);

    // Restarted: s1's lease is honoured (another candidate waits), its renewal is granted.
    let v = start_voter(port, &state, &log);
    let mut s = connect_voter(port);
    match vote(&mut s, 4, "s2") {
        GroupMsg::VoteReply {
            granted: false,
            reason,
            ..
        } => assert!(reason.contains("holds a lease"), "{reason}"),
        other => panic!("{other:?}"),
    }
    assert!(granted(&vote(&mut s, 3, "s1")));
    assert!(
        std::fs::read_to_string(&log).unwrap().contains("epoch=3"),
        "loaded state logged"
    );
    drop(s);
    drop(v);

    // A malformed state file: a clear error naming it, exit non-zero, file untouched.
    std::fs::write(&state, "three s1\n").unwrap();
    let out = Command::new(binary("kiln-voter"))
        .args(["--bind", "127.0.0.1", "--port", &port.to_string()])
        .arg("--state")
        .arg(&state)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&state.display().to_string()) && err.contains("refusing to start"),
        "{err}"
    );
    assert_eq!(std::fs::read_to_string(&state).unwrap(), "three s1\n");
}

/// Three servers in quorum mode (no voter): one alone does not become active; with the others
/// it does; after kill -9 of the active the two standbys (a majority) elect one, which is
/// granted the newer term and takes the client back with nothing lost.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_servers_fail_over_in_quorum_mode() {
    let mut g = Group::with_props(3, false, 1, 5, FAST_HC);
    let xml = std::fs::read_to_string(&g.config).unwrap();
    std::fs::write(
        &g.config,
        xml.replace("</ha>", "<quorum>majority</quorum></ha>"),
    )
    .unwrap();
    // Alone, one server of three has no majority: it does not become active.
    g.start(0);
    std::thread::sleep(Duration::from_millis(2500));
    assert_eq!(g.state(0).as_deref(), Some("STARTING"));
    assert!(g.log(0).contains("did not grant the term"), "{}", g.log(0));
    g.start(1);
    g.start(2);
    g.wait_state(0, "ACTIVE-COORDINATOR", T);
    g.wait_state(1, "PASSIVE-STANDBY", T);
    g.wait_state(2, "PASSIVE-STANDBY", T);
    let c = tokio::time::timeout(
        T,
        ClientBuilder::new(g.addrs())
            .name("q3")
            .connect_deadline(T)
            .retry_wait(Duration::from_millis(50))
            .reconnect(true)
            .reconnect_interval(Duration::from_millis(50))
            .reconnect_timeout(Duration::from_secs(60))
            .connect(),
    )
    .await
    .unwrap()
    .unwrap();
    for i in 0..10 {
        write_one(&c, "q", i).await.unwrap();
    }
    let old_epoch = g.status(0).unwrap()["epoch"].as_u64().unwrap();
    g.kill(0);
    for i in 10..20 {
        tokio::time::timeout(T, write_one(&c, "q", i))
            .await
            .expect("write after the failover in time")
            .expect("write after the failover");
    }
    let active = (1..3)
        .find(|i| g.state(*i).as_deref() == Some("ACTIVE-COORDINATOR"))
        .expect("one of the standbys is active");
    let log = g.log(active);
    assert!(log.contains("a majority granted the new term"), "{log}");
    assert!(g.status(active).unwrap()["epoch"].as_u64().unwrap() > old_epoch);
    let l = c.list("q").await.unwrap();
    let n = l.len(&c).await.unwrap();
    let mut got = Vec::new();
    for i in 0..n {
        got.push(
            l.get(&c, i)
                .await
                .unwrap()
                .and_then(|v| v.as_i64())
                .unwrap(),
        );
    }
    assert_eq!(got, (0..20).collect::<Vec<_>>());
    let _ = c.close().await;
}

/// A passive reports the voting members' reachability itself (its probes grant nothing):
/// `/status` `ha.quorum`, `kiln_ha_quorum_reachable` and `status --group` on the passive show
/// the voter reachable, then unreachable once the voter is stopped.
#[test]
fn a_passive_reports_voter_reachability() {
    let mut g = Group::with_props(2, false, 1, 1, FAST_HC);
    let voter_port = free_ports(1)[0];
    let state = g.dir.path().join("voter.state");
    let voter = start_voter(voter_port, &state, &g.dir.path().join("voter.out"));
    let xml = std::fs::read_to_string(&g.config).unwrap().replace(
        "</ha>",
        &format!(
            "<quorum>majority</quorum><voters><voter host=\"127.0.0.1\" port=\"{voter_port}\"/></voters></ha>"
        ),
    );
    std::fs::write(&g.config, xml).unwrap();
    g.start(0);
    g.wait_state(0, "ACTIVE-COORDINATOR", T);
    g.start(1);
    wait_standby_synced(&g, 1, 0);
    let voter_name = format!("127.0.0.1:{voter_port}");
    let reachable = |g: &Group, want: bool| {
        let deadline = Instant::now() + T;
        loop {
            let s = g.status(1).expect("passive status");
            let q = &s["ha"]["quorum"];
            let ok = q["voting_members"].as_array().is_some_and(|m| {
                m.iter()
                    .any(|v| v["name"] == voter_name.as_str() && v["reachable"] == want)
                    && m.iter()
                        .any(|v| v["name"] == "s1" && v["reachable"] == true)
            });
            if ok {
                return q.clone();
            }
            assert!(Instant::now() < deadline, "passive's quorum view: {q}");
            std::thread::sleep(Duration::from_millis(50));
        }
    };
    let q = reachable(&g, true);
    assert_eq!(q["may_write"], false, "a passive does not write: {q}");
    let metrics = http(g.members[1].jmx_port, "GET", "/metrics");
    assert!(
        metrics.contains("kiln_ha_quorum_reachable 3"),
        "both servers and the voter reachable from the passive:\n{metrics}"
    );
    let out = Command::new(binary("kiln-server"))
        .arg("-f")
        .arg(&g.config)
        .arg("-n")
        .arg("s2")
        .arg("status")
        .arg("--group")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    let s2 = text.lines().find(|l| l.starts_with("s2")).unwrap_or("");
    assert!(
        s2.contains(&format!("reachable=s2,s1,{voter_name}"))
            || s2.contains(&format!("reachable=s2,{voter_name},s1")),
        "{text}"
    );
    // Probes grant nothing: the voter's vote is still the active's.
    assert_eq!(
        g.status(0).unwrap()["ha"]["quorum"]["vote_holder"],
        "s1",
        "the active's own vote"
    );
    drop(voter);
    let q = reachable(&g, false);
    let metrics = http(g.members[1].jmx_port, "GET", "/metrics");
    assert!(
        metrics.contains("kiln_ha_quorum_reachable 2"),
        "{q}\n{metrics}"
    );
}

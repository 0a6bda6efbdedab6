//! The operations console on the management port (#13): the page and JSON API, the access layer
//! (token from a tc-property or the environment, `l2.management.token.all`), `kiln-server stop`
//! with and without the token, the topology of an active + passive group with real clients, the
//! root/object browser with paging, and the event stream. Real `kiln-server` binaries on free
//! loopback ports, real Rust clients; every wait is bounded.
#![allow(clippy::unwrap_used)]

mod common_ha;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::Command;
use std::time::{Duration, Instant};

use common_ha::Group;
use kiln::{Client, ClientBuilder, LockId, LockLevel};
use kiln_integration::{binary, ServerOptions, ServerProcess};

/// One HTTP exchange: status code, body.
#[derive(Debug)]
struct Resp {
    code: u16,
    body: String,
}

impl Resp {
    fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): HTTP {} {}", self.code, self.body))
    }
}

/// `method path` to the management port, with `Authorization: Bearer <bearer>` if given.
fn req(port: u16, method: &str, path: &str, bearer: Option<&str>) -> Resp {
    let mut s = TcpStream::connect(("127.0.0.1", port)).expect("connect management port");
    s.set_read_timeout(Some(Duration::from_secs(10))).ok();
    let auth = bearer
        .map(|t| format!("Authorization: Bearer {t}\r\n"))
        .unwrap_or_default();
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: localhost\r\n{auth}Connection: close\r\nContent-Length: 0\r\n\r\n"
    )
    .expect("send request");
    let mut out = Vec::new();
    s.read_to_end(&mut out).expect("read response");
    let text = String::from_utf8_lossy(&out).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").expect("HTTP response");
    let code = head
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .expect("status code");
    let body = if head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        dechunk(body)
    } else {
        body.to_owned()
    };
    Resp { code, body }
}

fn dechunk(mut s: &str) -> String {
    let mut out = String::new();
    while let Some((len, rest)) = s.split_once("\r\n") {
        let n = usize::from_str_radix(len.trim(), 16).unwrap_or(0);
        if n == 0 || rest.len() < n {
            break;
        }
        out.push_str(&rest[..n]);
        s = rest[n..].trim_start_matches("\r\n");
    }
    out
}

fn get(port: u16, path: &str) -> Resp {
    req(port, "GET", path, None)
}

/// Polls `f` every 100 ms until it returns `Some`, at most `within`.
fn until<T>(what: &str, within: Duration, mut f: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + within;
    loop {
        if let Some(v) = f() {
            return v;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

async fn client(addrs: Vec<String>, name: &str) -> Client {
    ClientBuilder::new(addrs)
        .name(name)
        .retry_wait(Duration::from_millis(50))
        .connect_deadline(Duration::from_secs(20))
        .connect()
        .await
        .unwrap()
}

fn kiln_server(config: &std::path::Path, args: &[&str], env: &[(&str, &str)]) -> (bool, String) {
    let mut cmd = Command::new(binary("kiln-server"));
    cmd.arg("-f").arg(config).args(args);
    cmd.env_remove("KILN_MANAGEMENT_TOKEN");
    cmd.envs(env.iter().copied());
    let out = cmd.output().expect("run kiln-server");
    (
        out.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

#[test]
fn no_token_reads_open_and_loopback_actions_work() {
    let s = ServerProcess::start();
    let page = get(s.jmx_port, "/");
    assert_eq!(page.code, 200);
    for tab in ["Topology", "Roots", "Locks", "Stats", "Actions"] {
        assert!(page.body.contains(tab), "tab {tab} missing from the page");
    }
    assert!(
        page.body.contains("EventSource"),
        "the page's script is inlined"
    );
    let topo = get(s.jmx_port, "/api/topology");
    assert_eq!(topo.code, 200, "{}", topo.body);
    let t = topo.json();
    assert_eq!(t["server"], "test");
    assert_eq!(t["auth"]["token_required_for_actions"], false);
    assert_eq!(t["groups"][0]["servers"][0]["state"], "ACTIVE-COORDINATOR");
    let roots = get(s.jmx_port, "/api/roots");
    assert_eq!(roots.code, 200, "{}", roots.body);
    assert_eq!(roots.json()["total"], 0);
    let dgc = req(s.jmx_port, "POST", "/dgc", None);
    assert_eq!(
        dgc.code, 200,
        "POST /dgc from loopback without a token: {}",
        dgc.body
    );
    assert_eq!(get(s.jmx_port, "/favicon.svg").code, 200);
}

/// The token checks every action route makes; `client` is a connected client's id.
fn check_actions(port: u16, token: &str, client: u64, source: &str) {
    let dump = format!("/api/clients/{client}/dump-locks");
    for path in ["/dgc", "/api/profiler?enabled=true", dump.as_str()] {
        let r = req(port, "POST", path, None);
        assert_eq!(r.code, 401, "POST {path} without token: {}", r.body);
        let msg = r.json()["error"].as_str().unwrap_or_default().to_owned();
        assert!(msg.contains(source), "401 names {source}: {msg}");
        let r = req(port, "POST", path, Some("wrong-token"));
        assert_eq!(r.code, 403, "POST {path} with a wrong token: {}", r.body);
        let r = req(port, "POST", path, Some(token));
        assert_eq!(r.code, 200, "POST {path} with Bearer: {}", r.body);
        let sep = if path.contains('?') { '&' } else { '?' };
        let r = req(port, "POST", &format!("{path}{sep}token={token}"), None);
        assert_eq!(r.code, 200, "POST {path} with ?token=: {}", r.body);
    }
    // Reads stay open.
    for path in ["/", "/api/topology", "/api/roots", "/status", "/api/locks"] {
        assert_eq!(get(port, path).code, 200, "GET {path} without token");
    }
}

async fn one_client_id(s: &ServerProcess) -> (Client, u64) {
    let c = client(vec![s.addr()], "console-test").await;
    let id = until(
        "the client in /api/topology",
        Duration::from_secs(10),
        || get(s.jmx_port, "/api/topology").json()["clients"][0]["id"].as_u64(),
    );
    (c, id)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn token_from_tc_property_guards_actions_and_stop() {
    let s =
        ServerProcess::start_with(r#"<property name="l2.management.token" value="s3cret-tc"/>"#);
    let (c, id) = one_client_id(&s).await;
    // The dump shows what the client holds.
    let tx = c
        .lock(LockId::Named("held".into()), LockLevel::Write)
        .await
        .unwrap();
    let dump = req(
        s.jmx_port,
        "POST",
        &format!("/api/clients/{id}/dump-locks"),
        Some("s3cret-tc"),
    );
    assert_eq!(dump.code, 200, "{}", dump.body);
    let d = dump.json();
    assert_eq!(d["name"], "console-test");
    assert!(
        d["held"]
            .as_array()
            .unwrap()
            .iter()
            .any(|l| l["kind"] == "name" && l["level"] == "write"),
        "the held named lock is in the dump: {d}"
    );
    tx.commit().await.unwrap();
    let missing = req(
        s.jmx_port,
        "POST",
        "/api/clients/999999/dump-locks",
        Some("s3cret-tc"),
    );
    assert_eq!(missing.code, 404, "{}", missing.body);
    assert!(missing.json()["error"].as_str().unwrap().contains("999999"));
    check_actions(s.jmx_port, "s3cret-tc", id, "l2.management.token");
    c.close().await.unwrap();
    let (ok, out) = kiln_server(&s.config, &["dgc"], &[]);
    assert!(ok, "kiln-server dgc with the token in the config: {out}");
    // A wrong token in the environment wins over the config's, and is refused with the hint.
    let (ok, out) = kiln_server(&s.config, &["dgc"], &[("KILN_MANAGEMENT_TOKEN", "bad")]);
    assert!(!ok && out.contains("403"), "{out}");
    assert!(
        out.contains("sent the token from KILN_MANAGEMENT_TOKEN"),
        "{out}"
    );
    // `kiln-server stop` reads the token from the same config.
    let (ok, out) = kiln_server(&s.config, &["stop", "--force"], &[]);
    assert!(ok, "kiln-server stop with the token in the config: {out}");
    assert!(out.contains("stopped"), "{out}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn token_from_env_guards_actions_and_stop_needs_it() {
    let mut s = ServerProcess::start_opts(ServerOptions {
        env: vec![("KILN_MANAGEMENT_TOKEN".into(), "env-t0ken".into())],
        ..ServerOptions::default()
    });
    let (c, id) = one_client_id(&s).await;
    check_actions(s.jmx_port, "env-t0ken", id, "KILN_MANAGEMENT_TOKEN");
    c.close().await.unwrap();
    // Without the token: a clear error naming the settings, and the server keeps running.
    let (ok, out) = kiln_server(&s.config, &["stop", "--force"], &[]);
    assert!(!ok, "stop without the token must fail: {out}");
    assert!(out.contains("401"), "{out}");
    assert!(
        out.contains("KILN_MANAGEMENT_TOKEN") && out.contains("l2.management.token"),
        "the error names the settings: {out}"
    );
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(s.status()["state"], "ACTIVE-COORDINATOR", "still running");
    // A wrong token: 403, still running.
    let (ok, out) = kiln_server(
        &s.config,
        &["stop", "--force"],
        &[("KILN_MANAGEMENT_TOKEN", "nope")],
    );
    assert!(!ok && out.contains("403"), "{out}");
    assert!(s.status()["state"] == "ACTIVE-COORDINATOR");
    // bin/stop-tc-server.sh passes the environment's token through.
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../bin/stop-tc-server.sh");
    let out = Command::new("bash")
        .arg(script)
        .arg("-f")
        .arg(&s.config)
        .arg("--force")
        .env("KILN_SERVER", binary("kiln-server"))
        .env("KILN_MANAGEMENT_TOKEN", "env-t0ken")
        .output()
        .expect("run stop-tc-server.sh");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.status.success(),
        "stop-tc-server.sh with the token in env: {text}"
    );
    assert!(
        s.wait_exit(Duration::from_secs(10)).is_some(),
        "the server exited"
    );
}

#[test]
fn token_all_guards_reads_too() {
    let s = ServerProcess::start_with(
        r#"<property name="l2.management.token" value="all-t"/>
<property name="l2.management.token.all" value="true"/>"#,
    );
    for path in [
        "/api/roots",
        "/api/topology",
        "/status",
        "/metrics",
        "/api/stats",
    ] {
        let r = get(s.jmx_port, path);
        assert_eq!(r.code, 401, "GET {path} without token: {}", r.body);
        assert_eq!(req(s.jmx_port, "GET", path, Some("x")).code, 403);
        assert_eq!(
            req(s.jmx_port, "GET", path, Some("all-t")).code,
            200,
            "GET {path}"
        );
    }
    assert_eq!(get(s.jmx_port, "/api/roots?token=all-t").code, 200);
    assert_eq!(
        get(s.jmx_port, "/api/events").code,
        401,
        "the event stream too"
    );
    // A browser asking for the page gets a form asking for the token.
    let mut sock = TcpStream::connect(("127.0.0.1", s.jmx_port)).unwrap();
    sock.set_read_timeout(Some(Duration::from_secs(5))).ok();
    write!(
        sock,
        "GET / HTTP/1.1\r\nHost: x\r\nAccept: text/html\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut page = String::new();
    sock.read_to_string(&mut page).unwrap();
    assert!(page.starts_with("HTTP/1.1 401"), "{page}");
    assert!(
        page.contains("name=\"token\"") && page.contains("l2.management.token"),
        "{page}"
    );
    let ok = get(s.jmx_port, "/?token=all-t");
    assert_eq!(ok.code, 200);
    assert!(
        ok.body.contains("EventSource"),
        "the console itself with the token"
    );
    // `kiln-server status` sends the token from the config.
    let (ok, out) = kiln_server(&s.config, &["status"], &[]);
    assert!(ok, "kiln-server status with token.all: {out}");
    assert!(out.contains("ACTIVE-COORDINATOR"), "{out}");
    let (ok, out) = kiln_server(&s.config, &["status", "--group"], &[]);
    assert!(
        ok && out.contains("ACTIVE-COORDINATOR"),
        "status --group: {out}"
    );
    let (ok, out) = kiln_server(&s.config, &["status"], &[("KILN_MANAGEMENT_TOKEN", "bad")]);
    assert!(
        !ok && out.contains("403") && out.contains("l2.management.token"),
        "{out}"
    );
}

fn server_states(t: &serde_json::Value) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = t["groups"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|g| g["servers"].as_array().cloned().unwrap_or_default())
        .map(|s| {
            (
                s["name"].as_str().unwrap_or("").to_owned(),
                s["state"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect();
    v.sort();
    v
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn topology_of_an_active_passive_group_with_clients() {
    let mut g = Group::new(2, false, 1, 5);
    g.start(0);
    g.wait_state(0, "ACTIVE-COORDINATOR", Duration::from_secs(15));
    g.start(1);
    g.wait_state(1, "PASSIVE-STANDBY", Duration::from_secs(15));
    let want = vec![
        ("s1".to_owned(), "ACTIVE-COORDINATOR".to_owned()),
        ("s2".to_owned(), "PASSIVE-STANDBY".to_owned()),
    ];
    for m in 0..2 {
        let port = g.members[m].jmx_port;
        until(
            &format!("both servers' states on {}'s console", g.members[m].name),
            Duration::from_secs(8),
            || {
                let t = get(port, "/api/topology").json();
                (server_states(&t) == want).then_some(())
            },
        );
    }
    let a = client(g.addrs(), "writer").await;
    let m = a.map("counters").await.unwrap();
    let lock = LockId::Object(m.id());
    // Commits across more than one sample interval.
    let writer = {
        let a = a.clone();
        let lock = lock.clone();
        tokio::spawn(async move {
            for i in 0..40 {
                let mut tx = a.lock(lock.clone(), LockLevel::Write).await.unwrap();
                m.put(&mut tx, "n", i64::from(i)).unwrap();
                tx.commit().await.unwrap();
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        })
    };
    let active = g.members[0].jmx_port;
    let row = tokio::task::spawn_blocking(move || {
        until("txn/s > 0 for the writer", Duration::from_secs(8), || {
            let t = get(active, "/api/topology").json();
            let c = t["clients"]
                .as_array()?
                .iter()
                .find(|c| c["name"] == "writer")?
                .clone();
            (c["txn_per_s"].as_f64()? > 0.0).then_some(c)
        })
    })
    .await
    .unwrap();
    assert!(row["resident"].as_u64().unwrap() >= 1, "{row}");
    assert_eq!(row["reconnecting"], false, "{row}");
    assert!(row["pid"].as_u64().is_some(), "{row}");
    writer.await.unwrap();
    // Locks held while the client holds one.
    let tx = a
        .lock(LockId::Named("console-held".into()), LockLevel::Write)
        .await
        .unwrap();
    let held = tokio::task::spawn_blocking(move || {
        until("locks_held >= 1", Duration::from_secs(5), || {
            let t = get(active, "/api/topology").json();
            let n = t["clients"][0]["locks_held"].as_u64()?;
            (n >= 1).then_some(n)
        })
    })
    .await
    .unwrap();
    assert!(held >= 1);
    tx.commit().await.unwrap();
    // The passive's console shows the active's clients (from the active's console).
    let passive = g.members[1].jmx_port;
    tokio::task::spawn_blocking(move || {
        until(
            "the clients on the passive's console",
            Duration::from_secs(8),
            || {
                let t = get(passive, "/api/topology").json();
                t["clients"]
                    .as_array()?
                    .iter()
                    .any(|c| c["name"] == "writer")
                    .then_some(())
            },
        )
    })
    .await
    .unwrap();
    a.close().await.unwrap();
    // The active dies: the other server's console shows it DOWN and itself active.
    g.kill(0);
    g.wait_state(1, "ACTIVE-COORDINATOR", Duration::from_secs(20));
    let t = tokio::task::spawn_blocking(move || {
        until("s1 DOWN on s2's console", Duration::from_secs(10), || {
            let t = get(passive, "/api/topology").json();
            (server_states(&t)
                == vec![
                    ("s1".to_owned(), "DOWN".to_owned()),
                    ("s2".to_owned(), "ACTIVE-COORDINATOR".to_owned()),
                ])
            .then_some(t)
        })
    })
    .await
    .unwrap();
    let s1 = &t["groups"][0]["servers"][0];
    assert_eq!(s1["reachable"], false, "{t}");
    assert_eq!(s1["role"], "down", "{t}");
    assert!(s1["error"].is_string(), "why it is not reachable: {t}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn root_browser_pages_a_big_map() {
    let s = ServerProcess::start();
    let c = client(vec![s.addr()], "browser").await;
    let m = c.map("big").await.unwrap();
    // SyncWrite: the commit returns once the server applied the transaction.
    let mut tx = c
        .lock(LockId::Object(m.id()), LockLevel::SyncWrite)
        .await
        .unwrap();
    for i in 0..300 {
        m.put(&mut tx, format!("k{i:03}"), i64::from(i)).unwrap();
    }
    tx.commit().await.unwrap();
    let roots = until("the root on the console", Duration::from_secs(5), || {
        let r = get(s.jmx_port, "/api/roots").json();
        (r["total"].as_u64()? >= 1).then_some(r)
    });
    let root = roots["roots"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "big")
        .unwrap_or_else(|| panic!("root 'big' listed: {roots}"))
        .clone();
    let id = root["value"]["id"].as_str().unwrap().to_owned();
    let o = get(s.jmx_port, &format!("/api/objects/{id}?offset=0&limit=50"));
    assert_eq!(o.code, 200, "{}", o.body);
    let o = o.json();
    assert_eq!(o["kind"], "map", "{o}");
    assert_eq!(o["size"], 300);
    assert!(o["version"].as_u64().unwrap() >= 1, "{o}");
    assert!(o["class"].is_string(), "{o}");
    assert_eq!(o["roots"][0], "big");
    assert_eq!(o["entries"].as_array().unwrap().len(), 50, "limit honoured");
    assert!(
        o["resident_at"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["name"] == "browser"),
        "{o}"
    );
    // Every page together is every entry once; the last page is short.
    let mut keys = std::collections::BTreeSet::new();
    let mut offset = 0;
    let mut last_len = 0;
    while offset < 300 {
        let p = get(
            s.jmx_port,
            &format!("/api/objects/{id}?offset={offset}&limit=128"),
        )
        .json();
        let e = p["entries"].as_array().unwrap();
        for x in e {
            keys.insert(x["key"]["text"].as_str().unwrap().to_owned());
        }
        last_len = e.len();
        offset += 128;
    }
    assert_eq!(keys.len(), 300);
    assert_eq!(last_len, 300 - 256, "last page short");
    let past = get(s.jmx_port, &format!("/api/objects/{id}?offset=1000")).json();
    assert_eq!(past["entries"].as_array().unwrap().len(), 0);
    // Bad input: clear JSON errors.
    let unknown = get(s.jmx_port, "/api/objects/123456789");
    assert_eq!(unknown.code, 404, "{}", unknown.body);
    assert!(unknown.json()["error"]
        .as_str()
        .unwrap()
        .contains("no object"));
    let bad = get(s.jmx_port, &format!("/api/objects/{id}?offset=-3"));
    assert_eq!(bad.code, 400, "{}", bad.body);
    assert!(bad.json()["error"].as_str().unwrap().contains("offset"));
    let bad = get(s.jmx_port, "/api/roots?limit=many");
    assert_eq!(bad.code, 400, "{}", bad.body);
    let bad = get(s.jmx_port, "/api/objects/not-an-id");
    assert_eq!(bad.code, 400, "{}", bad.body);
    assert!(bad.json()["error"]
        .as_str()
        .unwrap()
        .contains("not an object id"));
    // Nothing was lost by the bad requests.
    let again = get(s.jmx_port, &format!("/api/objects/{id}")).json();
    assert_eq!(again["size"], 300);
    c.close().await.unwrap();
}

#[test]
fn events_stream_topology_snapshots() {
    let s = ServerProcess::start();
    let mut sock = TcpStream::connect(("127.0.0.1", s.jmx_port)).unwrap();
    sock.set_read_timeout(Some(Duration::from_millis(500))).ok();
    write!(
        sock,
        "GET /api/events HTTP/1.1\r\nHost: localhost\r\nAccept: text/event-stream\r\n\r\n"
    )
    .unwrap();
    let start = Instant::now();
    let mut seen = String::new();
    let mut buf = [0u8; 8192];
    while seen.matches("data:").count() < 2 && start.elapsed() < Duration::from_millis(3500) {
        match sock.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => seen.push_str(&String::from_utf8_lossy(&buf[..n])),
            Err(_) => {}
        }
    }
    assert!(seen.contains("text/event-stream"), "{seen}");
    assert!(
        seen.matches("data:").count() >= 2,
        "two events within 3.5 s, got: {seen}"
    );
    assert!(seen.contains("event: topology"), "{seen}");
    assert!(seen.contains("ACTIVE-COORDINATOR"), "{seen}");
}

/// A non-loopback address of this machine (the source address of a route to a public address;
/// UDP `connect` sends nothing), if it has one.
fn non_loopback_ip() -> Option<std::net::IpAddr> {
    let u = std::net::UdpSocket::bind("0.0.0.0:0").ok()?;
    u.connect("192.0.2.1:9")
        .or_else(|_| u.connect("8.8.8.8:53"))
        .ok()?;
    let ip = u.local_addr().ok()?.ip();
    (!ip.is_loopback() && !ip.is_unspecified()).then_some(ip)
}

fn req_at(ip: std::net::IpAddr, port: u16, method: &str, path: &str, bearer: Option<&str>) -> u16 {
    let mut s = TcpStream::connect((ip, port)).expect("connect management port");
    s.set_read_timeout(Some(Duration::from_secs(10))).ok();
    let auth = bearer
        .map(|t| format!("Authorization: Bearer {t}\r\n"))
        .unwrap_or_default();
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: x\r\n{auth}Connection: close\r\nContent-Length: 0\r\n\r\n"
    )
    .unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    out.split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap()
}

#[test]
fn without_a_token_actions_come_from_loopback_only() {
    let Some(ip) = non_loopback_ip() else {
        eprintln!(
            "SKIPPED: this machine has no non-loopback address to send a remote request from"
        );
        return;
    };
    let mut s = ServerProcess::start();
    s.kill();
    let xml = std::fs::read_to_string(&s.config).unwrap();
    std::fs::write(
        &s.config,
        xml.replace(r#"bind="127.0.0.1""#, r#"bind="0.0.0.0""#),
    )
    .unwrap();
    s.restart();
    assert_eq!(req_at(ip, s.jmx_port, "GET", "/api/topology", None), 200);
    assert_eq!(
        req_at(ip, s.jmx_port, "POST", "/dgc", None),
        403,
        "remote action without a token"
    );
    assert_eq!(req_at(ip, s.jmx_port, "POST", "/stop", None), 403);
    assert_eq!(s.status()["state"], "ACTIVE-COORDINATOR", "still running");
    assert_eq!(
        req(s.jmx_port, "POST", "/dgc", None).code,
        200,
        "loopback action"
    );
    // With a token, a remote action with it is accepted.
    s.kill();
    let xml = std::fs::read_to_string(&s.config).unwrap();
    std::fs::write(
        &s.config,
        xml.replace(
            "<tc-properties>",
            r#"<tc-properties><property name="l2.management.token" value="remote-ok"/>"#,
        ),
    )
    .unwrap();
    s.restart();
    assert_eq!(req_at(ip, s.jmx_port, "POST", "/dgc", None), 401);
    assert_eq!(
        req_at(ip, s.jmx_port, "POST", "/dgc", Some("remote-ok")),
        200
    );
}

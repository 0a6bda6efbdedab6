//! The `kiln` command-line client (the real binary, one process per command) against the real
//! server: maps and counters shared between processes, `roots`, `inspect`, `status`, and the
//! errors a user sees (missing key, missing root, nothing listening).
//!
//! Every spawned process is owned by a guard that kills it on drop, and every wait is bounded.

use std::io::Read;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use kiln::{LockId, LockLevel, Value};
use kiln_integration::{binary, free_port, ServerProcess, TempDir};

/// How long one `kiln` command may take.
const COMMAND_TIMEOUT: Duration = Duration::from_secs(30);

/// The outcome of one finished `kiln` process.
#[derive(Debug)]
struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
    took: Duration,
}

impl Run {
    fn ok(self) -> Run {
        assert_eq!(self.code, Some(0), "kiln failed: {self:?}");
        self
    }
}

/// A running `kiln` process; killed on drop.
struct Running {
    child: Child,
    out: Option<JoinHandle<String>>,
    err: Option<JoinHandle<String>>,
    started: Instant,
    what: String,
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn drain(mut r: impl Read + Send + 'static) -> JoinHandle<String> {
    std::thread::spawn(move || {
        let mut s = String::new();
        let _ = r.read_to_string(&mut s);
        s
    })
}

/// Starts `kiln ARGS` in `cwd` (a directory without a `tc-config.xml` unless the test put one).
fn spawn(cwd: &Path, args: &[&str]) -> Running {
    let mut child = Command::new(binary("kiln"))
        .args(args)
        .current_dir(cwd)
        .env_remove("RUST_LOG")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn kiln");
    let out = drain(child.stdout.take().expect("stdout"));
    let err = drain(child.stderr.take().expect("stderr"));
    Running {
        child,
        out: Some(out),
        err: Some(err),
        started: Instant::now(),
        what: format!("kiln {}", args.join(" ")),
    }
}

impl Running {
    /// Waits (bounded) for the process to exit.
    fn finish(mut self) -> Run {
        let deadline = self.started + COMMAND_TIMEOUT;
        let status = loop {
            if let Some(st) = self.child.try_wait().expect("try_wait") {
                break st;
            }
            assert!(
                Instant::now() < deadline,
                "`{}` did not finish within {COMMAND_TIMEOUT:?}",
                self.what
            );
            std::thread::sleep(Duration::from_millis(5));
        };
        let took = self.started.elapsed();
        let join = |h: Option<JoinHandle<String>>| {
            h.map(|h| h.join().expect("reader thread"))
                .unwrap_or_default()
        };
        Run {
            code: status.code(),
            stdout: join(self.out.take()),
            stderr: join(self.err.take()),
            took,
        }
    }
}

fn kiln(cwd: &Path, args: &[&str]) -> Run {
    spawn(cwd, args).finish()
}

/// `kiln -s ADDR ARGS...`
fn kiln_s(server: &ServerProcess, cwd: &Path, args: &[&str]) -> Run {
    let addr = server.addr();
    let mut all = vec!["-s", addr.as_str()];
    all.extend_from_slice(args);
    kiln(cwd, &all)
}

#[test]
fn two_processes_share_a_map() {
    let server = ServerProcess::start();
    let cwd = TempDir::new("cli-map");
    let dir = cwd.path();

    let put = kiln_s(&server, dir, &["map", "put", "users", "alice", "admin"]).ok();
    assert_eq!(put.stdout, "", "no previous value to print");
    // Another process reads it.
    let get = kiln_s(&server, dir, &["map", "get", "users", "alice"]).ok();
    assert_eq!(get.stdout, "admin\n");

    kiln_s(&server, dir, &["map", "put", "users", "bob", "user"]).ok();
    let put = kiln_s(&server, dir, &["map", "put", "users", "alice", "root"]).ok();
    assert_eq!(put.stdout, "admin\n", "put prints the previous value");
    assert_eq!(
        kiln_s(&server, dir, &["map", "size", "users"]).ok().stdout,
        "2\n"
    );
    let removed = kiln_s(&server, dir, &["map", "remove", "users", "bob"]).ok();
    assert_eq!(removed.stdout, "user\n");
    assert_eq!(
        kiln_s(&server, dir, &["map", "size", "users"]).ok().stdout,
        "1\n"
    );
    let again = kiln_s(&server, dir, &["map", "remove", "users", "bob"]).ok();
    assert_eq!(again.stdout, "", "removing a missing key prints nothing");

    // A missing key: exit status 1 and a message naming it.
    let missing = kiln_s(&server, dir, &["map", "get", "users", "bob"]);
    assert_eq!(missing.code, Some(1), "{missing:?}");
    assert_eq!(missing.stdout, "");
    assert!(
        missing.stderr.contains("'bob'") && missing.stderr.contains("not found"),
        "{missing:?}"
    );
    // A missing root.
    let no_root = kiln_s(&server, dir, &["map", "get", "nosuch", "alice"]);
    assert_eq!(no_root.code, Some(1), "{no_root:?}");
    assert!(no_root.stderr.contains("'nosuch'"), "{no_root:?}");
    assert_eq!(
        kiln_s(&server, dir, &["map", "size", "nosuch"]).ok().stdout,
        "0\n"
    );

    // The Rust client sees what the CLI wrote.
    let client = kiln::blocking::Client::connect(&server.addr()).expect("connect");
    let users = client.map("users").expect("users map");
    let tx = client
        .lock(LockId::Object(users.id()), LockLevel::Read)
        .expect("read lock");
    let entries = client
        .block_on(users.entries(client.as_async()))
        .expect("entries");
    tx.commit().expect("release");
    assert_eq!(entries, vec![(Value::from("alice"), Value::from("root"))]);
    client.close().expect("close");

    // roots and inspect.
    let roots = kiln_s(&server, dir, &["roots"]).ok();
    let lines: Vec<&str> = roots.stdout.lines().collect();
    assert_eq!(lines.len(), 1, "{roots:?}");
    assert_eq!(lines[0], format!("users = @{}", users.id()), "{roots:?}");
    let inspect = kiln_s(&server, dir, &["inspect", "users"]).ok();
    let first = inspect.stdout.lines().next().unwrap_or_default();
    assert_eq!(
        first,
        format!("users = @{} java.util.HashMap (map, 1 entries)", users.id()),
        "{inspect:?}"
    );
    assert!(
        inspect.stdout.contains(r#""alice" => "root""#),
        "{inspect:?}"
    );
    let by_id = kiln_s(&server, dir, &["inspect", &format!("@{}", users.id())]).ok();
    assert!(by_id.stdout.contains(r#""alice" => "root""#), "{by_id:?}");
}

#[test]
fn counter_increments_are_never_lost() {
    const PROCS: usize = 20;
    let server = ServerProcess::start();
    let cwd = TempDir::new("cli-counter");
    let dir = cwd.path();

    assert_eq!(
        kiln_s(&server, dir, &["counter", "incr", "hits"])
            .ok()
            .stdout,
        "1\n"
    );
    assert_eq!(
        kiln_s(&server, dir, &["counter", "incr", "hits"])
            .ok()
            .stdout,
        "2\n"
    );

    // 20 processes at once: each prints the value it wrote; all distinct, 1..=20.
    let addr = server.addr();
    let running: Vec<Running> = (0..PROCS)
        .map(|_| spawn(dir, &["-s", &addr, "counter", "incr", "c20"]))
        .collect();
    let mut values: Vec<i64> = running
        .into_iter()
        .map(|r| {
            let run = r.finish().ok();
            run.stdout
                .trim()
                .parse()
                .unwrap_or_else(|_| panic!("not a number: {run:?}"))
        })
        .collect();
    values.sort_unstable();
    assert_eq!(
        values,
        (1..=PROCS as i64).collect::<Vec<_>>(),
        "lost or duplicated updates"
    );
    assert_eq!(
        kiln_s(&server, dir, &["counter", "incr", "c20"])
            .ok()
            .stdout,
        format!("{}\n", PROCS + 1)
    );

    let roots = kiln_s(&server, dir, &["roots"]).ok();
    let names: Vec<&str> = roots
        .stdout
        .lines()
        .map(|l| l.split(" = @").next().unwrap_or_default())
        .collect();
    assert_eq!(names, vec!["c20", "hits"], "{roots:?}");
    let inspect = kiln_s(&server, dir, &["inspect", "hits"]).ok();
    assert!(
        inspect.stdout.contains("kiln.Counter.value = 2"),
        "{inspect:?}"
    );
}

#[test]
fn status_prints_the_server_json() {
    let server = ServerProcess::start();
    let cwd = TempDir::new("cli-status");
    let dir = cwd.path();
    let check = |run: Run| {
        let run = run.ok();
        let v: serde_json::Value = serde_json::from_str(&run.stdout)
            .unwrap_or_else(|e| panic!("status output is not JSON ({e}): {run:?}"));
        assert_eq!(v["state"], "ACTIVE-COORDINATOR", "{v}");
        assert_eq!(v["server"], server.status()["server"], "{v}");
        assert!(v["clients"].is_u64() && v["txns_committed"].is_u64(), "{v}");
    };
    let jmx = server.jmx_port.to_string();
    check(kiln_s(&server, dir, &["status", "--jmx-port", &jmx]));
    // With the configuration file: its jmx port, and its dso port for data commands.
    let config = server.config.to_str().expect("utf-8 path");
    check(kiln(dir, &["-f", config, "status"]));
    kiln(dir, &["-f", config, "map", "put", "cfg", "k", "v"]).ok();
    assert_eq!(
        kiln(dir, &["-f", config, "map", "get", "cfg", "k"])
            .ok()
            .stdout,
        "v\n"
    );
    // ./tc-config.xml is the default configuration.
    std::fs::copy(&server.config, dir.join("tc-config.xml")).expect("copy config");
    assert_eq!(kiln(dir, &["map", "get", "cfg", "k"]).ok().stdout, "v\n");
    check(kiln(dir, &["status"]));
}

#[test]
fn nothing_listening_fails_fast_naming_the_address() {
    let cwd = TempDir::new("cli-closed");
    let dir = cwd.path();
    let port = free_port();
    let addr = format!("127.0.0.1:{port}");

    let run = kiln(dir, &["-s", &addr, "--connect-timeout", "1", "roots"]);
    assert_ne!(run.code, Some(0), "{run:?}");
    assert!(
        run.stderr.contains(&addr),
        "the error must name {addr}: {run:?}"
    );
    assert!(run.took < Duration::from_secs(5), "took {:?}", run.took);

    // Default connect timeout: still bounded.
    let run = kiln(dir, &["-s", &addr, "map", "get", "users", "alice"]);
    assert_ne!(run.code, Some(0), "{run:?}");
    assert!(run.stderr.contains(&addr), "{run:?}");
    assert!(run.took < Duration::from_secs(10), "took {:?}", run.took);

    let run = kiln(
        dir,
        &[
            "-s",
            &addr,
            "--connect-timeout",
            "1",
            "status",
            "--jmx-port",
            &port.to_string(),
        ],
    );
    assert_ne!(run.code, Some(0), "{run:?}");
    assert!(run.stderr.contains(&addr), "{run:?}");
    assert!(run.took < Duration::from_secs(5), "took {:?}", run.took);
}

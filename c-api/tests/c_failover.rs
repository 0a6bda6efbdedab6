//! A compiled C program against a two-server group (issue #11, item 3): it connects with the
//! group's `tc-config.xml` (both servers), writes synchronous-write transactions, the active is
//! killed -9 while it writes, and it carries on through the failover with no error reaching it
//! (a pause), then checks the list itself; a Rust client on the new active finds every
//! acknowledged write exactly once. Under valgrind memcheck when installed (as
//! `c_programs.rs`).
#![allow(clippy::unwrap_used)]

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use kiln::blocking::Client;
use kiln::{ClientBuilder, Value};
use kiln_integration::{binary, free_ports, http, TempDir};

const T: Duration = Duration::from_secs(30);
const COUNT: i64 = 300;

fn crate_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// `target/<profile>/deps`, after `cargo build -p kiln-c-api` (see `c_programs.rs`).
fn lib_dir() -> PathBuf {
    if let Some(d) = std::env::var_os("KILN_C_API_LIB_DIR") {
        return PathBuf::from(d);
    }
    let exe = std::env::current_exe().unwrap();
    let dir = exe.parent().unwrap().to_path_buf();
    let mut cmd = Command::new(env!("CARGO"));
    cmd.args(["build", "-q", "-p", "kiln-c-api"]);
    if dir
        .parent()
        .and_then(Path::file_name)
        .is_some_and(|n| n == "release")
    {
        cmd.arg("--release");
    }
    assert!(cmd.status().unwrap().success(), "cargo build -p kiln-c-api");
    dir
}

fn compile(name: &str) -> PathBuf {
    let lib = lib_dir();
    let out_dir = kiln_integration::target_dir().join("c-api-tests");
    std::fs::create_dir_all(&out_dir).unwrap();
    let out = out_dir.join(name);
    let o = Command::new("cc")
        .args([
            "-std=c11", "-Wall", "-Wextra", "-Werror", "-g", "-O1", "-pthread",
        ])
        .arg("-I")
        .arg(crate_dir().join("include"))
        .arg("-I")
        .arg(crate_dir().join("tests/c"))
        .arg(crate_dir().join("tests/c").join(format!("{name}.c")))
        .arg("-o")
        .arg(&out)
        .arg("-L")
        .arg(&lib)
        .arg("-lkiln")
        .arg(format!("-Wl,-rpath,{}", lib.display()))
        .output()
        .unwrap();
    assert!(
        o.status.success(),
        "compiling {name}.c failed:\n{}",
        String::from_utf8_lossy(&o.stderr)
    );
    out
}

fn valgrind() -> bool {
    std::env::var_os("KILN_C_TESTS_NO_VALGRIND").is_none()
        && Command::new("valgrind")
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
}

/// Two servers `s1`, `s2` (in memory) in one group, killed on drop.
struct Pair {
    dir: TempDir,
    config: PathBuf,
    /// Client ports (`s2`'s is read after the failover).
    dso: [u16; 2],
    jmx: [u16; 2],
    children: [Option<Child>; 2],
}

impl Pair {
    fn new() -> Pair {
        let dir = TempDir::new("c-failover");
        let p = free_ports(6);
        let mut servers = String::new();
        for i in 0..2 {
            servers.push_str(&format!(
                r#"<server host="127.0.0.1" name="s{n}" bind="127.0.0.1">
  <data>{d}/s{n}/data</data><logs>{d}/s{n}/logs</logs>
  <dso-port>{dso}</dso-port><jmx-port>{jmx}</jmx-port><l2-group-port>{grp}</l2-group-port>
  <dso><client-reconnect-window>30</client-reconnect-window></dso>
</server>
"#,
                n = i + 1,
                d = dir.path().display(),
                dso = p[3 * i],
                jmx = p[3 * i + 1],
                grp = p[3 * i + 2]
            ));
        }
        let xml = format!(
            r#"<?xml version="1.0" encoding="UTF-8"?>
<tc:tc-config xmlns:tc="http://www.terracotta.org/config">
  <servers>
{servers}<ha><mode>networked-active-passive</mode><networked-active-passive><election-time>1</election-time></networked-active-passive></ha>
  </servers>
  <tc-properties><property name="l1.socket.reconnect.waitInterval" value="50"/></tc-properties>
</tc:tc-config>
"#
        );
        let config = dir.path().join("tc-config.xml");
        std::fs::write(&config, xml).unwrap();
        Pair {
            dir,
            config,
            dso: [p[0], p[3]],
            jmx: [p[1], p[4]],
            children: [None, None],
        }
    }

    fn start(&mut self, i: usize) {
        let log = std::fs::File::create(self.dir.path().join(format!("s{}.out", i + 1))).unwrap();
        self.children[i] = Some(
            Command::new(binary("kiln-server"))
                .arg("-f")
                .arg(&self.config)
                .arg("-n")
                .arg(format!("s{}", i + 1))
                .stdout(Stdio::null())
                .stderr(Stdio::from(log))
                .spawn()
                .unwrap(),
        );
    }

    fn kill(&mut self, i: usize) {
        if let Some(mut c) = self.children[i].take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    fn status(&self, i: usize) -> String {
        if std::net::TcpStream::connect(("127.0.0.1", self.jmx[i])).is_err() {
            return String::new();
        }
        std::panic::catch_unwind(|| http(self.jmx[i], "GET", "/status")).unwrap_or_default()
    }

    fn log(&self, i: usize) -> String {
        std::fs::read_to_string(self.dir.path().join(format!("s{}.out", i + 1))).unwrap_or_default()
    }

    fn wait(&self, i: usize, what: &str, pred: impl Fn(&str) -> bool) {
        let deadline = Instant::now() + T;
        while !pred(&self.status(i)) {
            assert!(
                Instant::now() < deadline,
                "s{}: not {what}: {}\n{}",
                i + 1,
                self.status(i),
                self.log(i)
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Pair {
    fn drop(&mut self) {
        self.kill(0);
        self.kill(1);
    }
}

fn state_is(state: &'static str) -> impl Fn(&str) -> bool {
    move |s| s.contains(&format!("\"state\":\"{state}\""))
}

#[test]
fn a_c_program_writes_through_a_kill_9_of_the_active() {
    let bin = compile("failover_writer");
    let mut g = Pair::new();
    g.start(0);
    g.wait(0, "ACTIVE-COORDINATOR", state_is("ACTIVE-COORDINATOR"));
    g.start(1);
    g.wait(1, "PASSIVE-STANDBY", state_is("PASSIVE-STANDBY"));
    g.wait(0, "serving a standby", |s| {
        s.contains("\"passives\":[{\"name\":\"s2\",\"state\":\"PASSIVE-STANDBY\"}")
    });

    let mut cmd = if valgrind() {
        let mut c = Command::new("valgrind");
        c.args([
            "-q",
            "--error-exitcode=99",
            "--leak-check=full",
            "--errors-for-leak-kinds=definite,indirect",
            "--show-leak-kinds=definite,indirect",
        ])
        .arg(&bin);
        c
    } else {
        Command::new(&bin)
    };
    let mut child = cmd
        .arg(&g.config)
        .arg(COUNT.to_string())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let (tx, rx) = mpsc::channel::<String>();
    let out = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        for line in BufReader::new(out).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let mut err = child.stderr.take().unwrap();
    let err_reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = err.read_to_string(&mut s);
        s
    });
    let mut lines = Vec::new();
    // kill -9 of the active once a third of the writes are acknowledged.
    let deadline = Instant::now() + Duration::from_secs(120);
    while !lines
        .iter()
        .any(|l: &String| l == &format!("acked {}", COUNT / 3))
    {
        let left = deadline.saturating_duration_since(Instant::now());
        match rx.recv_timeout(left) {
            Ok(l) => lines.push(l),
            Err(_) => panic!("the C program stalled before the kill: {lines:?}"),
        }
    }
    g.kill(0);
    let killed_after = COUNT / 3;
    loop {
        match rx.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
            Ok(l) => lines.push(l),
            Err(mpsc::RecvTimeoutError::Disconnected) => break,
            Err(mpsc::RecvTimeoutError::Timeout) => {
                let _ = child.kill();
                panic!("the C program timed out: {:?}", lines.last());
            }
        }
    }
    reader.join().unwrap();
    let status = child.wait().unwrap();
    let stderr = err_reader.join().unwrap();
    assert!(
        status.success(),
        "the C program failed ({status}; 99 = valgrind found errors or leaks) after {:?}:\n{stderr}\ns2:\n{}",
        lines.last(),
        g.log(1)
    );
    assert!(lines.iter().any(|l| l == "failover_writer ok"), "{lines:?}");
    let acked = lines.iter().filter(|l| l.starts_with("acked ")).count();
    assert_eq!(acked as i64, COUNT, "every write acknowledged");
    assert!(acked as i64 > killed_after + 1, "writes after the kill");
    let pause = lines
        .iter()
        .find_map(|l| l.strip_prefix("max pause ms "))
        .and_then(|p| p.parse::<f64>().ok())
        .unwrap();
    eprintln!("C client failover: longest pause between two acknowledgements {pause} ms");
    assert!(
        pause < 20_000.0,
        "the failover paused the program for {pause} ms"
    );

    // s2 is the active now and holds every acknowledged value exactly once, in order.
    assert!(
        state_is("ACTIVE-COORDINATOR")(&g.status(1)),
        "{}",
        g.status(1)
    );
    let r: Client = ClientBuilder::new([format!("127.0.0.1:{}", g.dso[1])])
        .name("rust-checker")
        .connect_blocking()
        .unwrap();
    let l = r.list("log").unwrap();
    let got = r.block_on(l.to_vec(r.as_async())).unwrap();
    let want: Vec<Value> = (0..COUNT).map(Value::I64).collect();
    assert_eq!(got, want, "every acknowledged write exactly once, in order");
    r.close().unwrap();
}

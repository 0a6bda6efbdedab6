//! The `kiln-server` command line against the real binary: `check-config` over every seed
//! configuration, configuration errors and warnings, start / status / stop (graceful and forced),
//! port conflicts, and the Terracotta-compatible `bin/*.sh` scripts.
//!
//! Every spawned server is owned by a [`Spawned`] guard that kills it on drop, and every wait is
//! bounded.

use std::io::Read;
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use kiln_integration::{binary, free_port, RawConn, TempDir};

/// How long a server may take to start listening.
const START_TIMEOUT: Duration = Duration::from_secs(30);
/// How long a stopped server may take to exit.
const EXIT_TIMEOUT: Duration = Duration::from_secs(30);
/// How long a one-shot command (`check-config`, `status`, `stop`) may take.
const COMMAND_TIMEOUT: Duration = Duration::from_secs(60);

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace root")
        .to_path_buf()
}

fn fixtures_dir() -> PathBuf {
    workspace_root()
        .join("config")
        .join("tests")
        .join("fixtures")
}

/// The output of a finished command, as text.
#[derive(Debug)]
struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

impl Run {
    fn from_output(o: Output) -> Self {
        Run {
            code: o.status.code(),
            stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
        }
    }
}

impl std::fmt::Display for Run {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "exit {:?}\n--- stdout ---\n{}--- stderr ---\n{}",
            self.code, self.stdout, self.stderr
        )
    }
}

/// Runs `cmd` to completion (killed after [`COMMAND_TIMEOUT`]), collecting stdout and stderr.
fn run_cmd(mut cmd: Command) -> Run {
    cmd.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("spawn command");
    // Drain both pipes on threads so a chatty child cannot block on a full pipe.
    let mut out_pipe = child.stdout.take().expect("stdout pipe");
    let mut err_pipe = child.stderr.take().expect("stderr pipe");
    let out_t = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = out_pipe.read_to_end(&mut v);
        v
    });
    let err_t = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = err_pipe.read_to_end(&mut v);
        v
    });
    let deadline = Instant::now() + COMMAND_TIMEOUT;
    let status = loop {
        if let Some(st) = child.try_wait().expect("try_wait") {
            break st;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("command {cmd:?} did not finish within {COMMAND_TIMEOUT:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let stdout = out_t.join().expect("stdout reader");
    let stderr = err_t.join().expect("stderr reader");
    Run::from_output(Output {
        status,
        stdout,
        stderr,
    })
}

/// `kiln-server ARGS…` run to completion in `dir`.
fn kiln(dir: &Path, args: &[&str]) -> Run {
    let mut cmd = Command::new(binary("kiln-server"));
    cmd.args(args).current_dir(dir).env("KILN_LOG", "info");
    run_cmd(cmd)
}

/// A Terracotta-compatible script from `bin/`, run to completion, using the built binary.
fn script(dir: &Path, name: &str, args: &[&str]) -> Run {
    let mut cmd = Command::new("bash");
    cmd.arg(workspace_root().join("bin").join(name))
        .args(args)
        .current_dir(dir)
        .env("KILN_SERVER", binary("kiln-server"))
        .env("KILN_LOG", "info");
    run_cmd(cmd)
}

/// A long-running process (a server); killed on drop.
#[derive(Debug)]
struct Spawned {
    child: Option<Child>,
    /// Where its stderr goes.
    stderr_path: PathBuf,
    /// Where its stdout goes.
    stdout_path: PathBuf,
}

impl Spawned {
    /// Spawns `cmd` with stdout/stderr to files `<dir>/<tag>.out` / `<tag>.err`.
    fn spawn(mut cmd: Command, dir: &Path, tag: &str) -> Self {
        let stdout_path = dir.join(format!("{tag}.out"));
        let stderr_path = dir.join(format!("{tag}.err"));
        let out = std::fs::File::create(&stdout_path).expect("stdout file");
        let err = std::fs::File::create(&stderr_path).expect("stderr file");
        cmd.stdin(Stdio::null())
            .stdout(Stdio::from(out))
            .stderr(Stdio::from(err));
        let child = cmd.spawn().expect("spawn server");
        Spawned {
            child: Some(child),
            stderr_path,
            stdout_path,
        }
    }

    /// `kiln-server ARGS…` in `dir`.
    fn kiln(dir: &Path, args: &[&str], tag: &str) -> Self {
        let mut cmd = Command::new(binary("kiln-server"));
        cmd.args(args).current_dir(dir).env("KILN_LOG", "info");
        Self::spawn(cmd, dir, tag)
    }

    fn stderr(&self) -> String {
        std::fs::read_to_string(&self.stderr_path).unwrap_or_default()
    }

    fn output(&self) -> String {
        format!(
            "--- stdout ---\n{}--- stderr ---\n{}",
            std::fs::read_to_string(&self.stdout_path).unwrap_or_default(),
            self.stderr()
        )
    }

    /// The exit code if the process has exited (reaping it), `None` while it runs.
    fn try_exit(&mut self) -> Option<Option<i32>> {
        let c = self.child.as_mut()?;
        match c.try_wait() {
            Ok(Some(st)) => {
                self.child = None;
                Some(st.code())
            }
            _ => None,
        }
    }

    /// Waits (bounded) for the process to exit by itself; its exit code, or `None` on timeout.
    fn wait_exit(&mut self, timeout: Duration) -> Option<Option<i32>> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(code) = self.try_exit() {
                return Some(code);
            }
            if self.child.is_none() || Instant::now() > deadline {
                return None;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Waits (bounded) until `port` accepts connections; panics with the output if the process
    /// exits first or the time runs out.
    fn wait_listening(&mut self, ports: &[u16]) {
        let deadline = Instant::now() + START_TIMEOUT;
        loop {
            if ports
                .iter()
                .all(|p| TcpStream::connect(("127.0.0.1", *p)).is_ok())
            {
                return;
            }
            if let Some(code) = self.try_exit() {
                panic!(
                    "server exited ({code:?}) before listening on {ports:?}\n{}",
                    self.output()
                );
            }
            assert!(
                Instant::now() < deadline,
                "server not listening on {ports:?} within {START_TIMEOUT:?}\n{}",
                self.output()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Spawned {
    fn drop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

/// A configuration for one server on free loopback ports, in its own directory.
#[derive(Debug)]
struct Cfg {
    dir: TempDir,
    path: PathBuf,
    name: String,
    dso_port: u16,
    jmx_port: u16,
    group_port: u16,
}

impl Cfg {
    fn new(name: &str) -> Self {
        let dso_port = free_port();
        let mut jmx_port = free_port();
        while jmx_port == dso_port {
            jmx_port = free_port();
        }
        Self::with_ports(name, dso_port, jmx_port)
    }

    fn with_ports(name: &str, dso_port: u16, jmx_port: u16) -> Self {
        let dir = TempDir::new("cli");
        let mut group_port = free_port();
        while group_port == dso_port || group_port == jmx_port {
            group_port = free_port();
        }
        let path = dir.path().join("tc-config.xml");
        let d = dir.path().display();
        let xml = format!(
            r#"<?xml version="1.0" encoding="UTF-8"?>
<tc:tc-config xmlns:tc="http://www.terracotta.org/config">
  <servers>
    <server host="127.0.0.1" name="{name}" bind="127.0.0.1">
      <data>{d}/data</data>
      <logs>{d}/logs</logs>
      <dso-port>{dso_port}</dso-port>
      <jmx-port>{jmx_port}</jmx-port>
      <l2-group-port>{group_port}</l2-group-port>
    </server>
  </servers>
</tc:tc-config>
"#
        );
        std::fs::write(&path, xml).expect("write config");
        Cfg {
            dir,
            path,
            name: name.to_string(),
            dso_port,
            jmx_port,
            group_port,
        }
    }

    fn dir(&self) -> &Path {
        self.dir.path()
    }

    fn file(&self) -> &str {
        self.path.to_str().expect("utf-8 temp path")
    }

    fn logs(&self) -> PathBuf {
        self.dir.path().join("logs")
    }

    /// Starts the server (`kiln-server -f CFG`) and waits until both ports listen.
    fn start(&self, tag: &str) -> Spawned {
        let mut s = Spawned::kiln(self.dir(), &["-f", self.file()], tag);
        s.wait_listening(&[self.dso_port, self.jmx_port]);
        s
    }
}

/// Writes `xml` to `<dir>/<name>` and returns the path.
fn write(dir: &TempDir, name: &str, xml: &str) -> PathBuf {
    let p = dir.path().join(name);
    std::fs::write(&p, xml).expect("write file");
    p
}

fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

/// Waits (bounded) until `f` holds for the text of `path`; returns the text.
fn wait_file(path: &Path, what: &str, f: impl Fn(&str) -> bool) -> String {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let text = std::fs::read_to_string(path).unwrap_or_default();
        if f(&text) {
            return text;
        }
        assert!(
            Instant::now() < deadline,
            "{what} not in {} within 10 s:\n{text}",
            path.display()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Asserts `status` output is the server's status JSON: ACTIVE-COORDINATOR and the name.
fn assert_status_json(r: &Run, name: &str) {
    assert_eq!(r.code, Some(0), "status failed:\n{r}");
    assert!(r.stdout.contains(r#""state": "ACTIVE-COORDINATOR""#), "{r}");
    let v: serde_json::Value =
        serde_json::from_str(r.stdout.trim()).expect("status prints one JSON document");
    assert_eq!(v["server"], name, "{r}");
    assert_eq!(v["state"], "ACTIVE-COORDINATOR", "{r}");
}

// ---------------------------------------------------------------------------------------------
// check-config
// ---------------------------------------------------------------------------------------------

#[test]
fn every_seed_fixture_passes_check_config() {
    let mut fixtures: Vec<PathBuf> = std::fs::read_dir(fixtures_dir())
        .expect("fixtures directory")
        .map(|e| e.expect("directory entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "xml"))
        .collect();
    fixtures.sort();
    assert!(
        fixtures.len() >= 14,
        "expected the seed fixtures, found {fixtures:?}"
    );
    let cwd = TempDir::new("cli-fixtures");
    for f in &fixtures {
        let r = kiln(cwd.path(), &["check-config", "-f", s(f)]);
        assert_eq!(r.code, Some(0), "{}:\n{r}", f.display());
        assert!(
            r.stdout
                .contains(&format!("configuration: {}", f.display())),
            "{}:\n{r}",
            f.display()
        );
        assert!(r.stdout.contains("servers: "), "{}:\n{r}", f.display());
        assert!(
            r.stdout.contains("client addresses: "),
            "{}:\n{r}",
            f.display()
        );
        assert!(
            r.stdout.contains("configuration OK"),
            "{}:\n{r}",
            f.display()
        );
        assert!(
            !r.stderr.contains("configuration error"),
            "{}:\n{r}",
            f.display()
        );
    }
}

#[test]
fn check_config_summary_shows_the_servers_ports() {
    let cfg = Cfg::new("summary-srv");
    let r = kiln(cfg.dir(), &["check-config", "-f", cfg.file()]);
    assert_eq!(r.code, Some(0), "{r}");
    assert!(r.stdout.contains("server summary-srv:"), "{r}");
    assert!(
        r.stdout.contains(&format!(
            "dso port {}, jmx port {}, group port {}",
            cfg.dso_port, cfg.jmx_port, cfg.group_port
        )),
        "{r}"
    );
    assert!(
        r.stdout
            .contains(&format!("client addresses: 127.0.0.1:{}", cfg.dso_port)),
        "{r}"
    );
}

#[test]
fn malformed_xml_is_exit_2_with_file_line_and_column() {
    let dir = TempDir::new("cli-malformed");
    let p = write(
        &dir,
        "broken.xml",
        "<tc:tc-config xmlns:tc=\"http://www.terracotta.org/config\">\n  <servers>\n    <server host=\"localhost\">\n  </servers>\n</tc:tc-config>\n",
    );
    let r = kiln(dir.path(), &["check-config", "-f", s(&p)]);
    assert_eq!(r.code, Some(2), "{r}");
    assert!(
        r.stdout.trim().is_empty(),
        "no summary for a broken file:\n{r}"
    );
    let prefix = format!("{}:", p.display());
    let line = r
        .stderr
        .lines()
        .find(|l| l.contains(&prefix))
        .unwrap_or_else(|| panic!("file not named:\n{r}"));
    // `FILE:LINE:COLUMN: malformed XML: …`
    let rest = &line[line.find(&prefix).expect("prefix") + prefix.len()..];
    let mut parts = rest.splitn(3, ':');
    let l: u32 = parts
        .next()
        .and_then(|x| x.parse().ok())
        .unwrap_or_else(|| panic!("no line in {line}"));
    let c: u32 = parts
        .next()
        .and_then(|x| x.parse().ok())
        .unwrap_or_else(|| panic!("no column in {line}"));
    assert!(l >= 2 && c >= 1, "{line}");
    assert!(line.contains("malformed XML"), "{line}");
}

#[test]
fn bad_port_value_is_exit_2_naming_setting_and_value() {
    let dir = TempDir::new("cli-badvalue");
    let p = write(
        &dir,
        "tc-config.xml",
        r#"<tc:tc-config xmlns:tc="http://www.terracotta.org/config">
  <servers>
    <server host="localhost" name="s1">
      <dso-port>99999</dso-port>
    </server>
  </servers>
</tc:tc-config>
"#,
    );
    let r = kiln(dir.path(), &["check-config", "-f", s(&p)]);
    assert_eq!(r.code, Some(2), "{r}");
    assert!(
        r.stderr.contains(&format!("{}:4:17:", p.display())),
        "file:line:column expected:\n{r}"
    );
    assert!(r.stderr.contains("dso-port"), "setting expected:\n{r}");
    assert!(r.stderr.contains("'99999'"), "value expected:\n{r}");
    assert!(
        r.stderr.contains("65535"),
        "the accepted range expected:\n{r}"
    );

    // The same file refuses to start, with the same message.
    let r = kiln(dir.path(), &["-f", s(&p)]);
    assert_eq!(r.code, Some(2), "{r}");
    assert!(
        r.stderr.contains("dso-port") && r.stderr.contains("'99999'"),
        "{r}"
    );
}

#[test]
fn unknown_element_is_a_warning_naming_its_line() {
    let dir = TempDir::new("cli-unknown");
    let p = write(
        &dir,
        "tc-config.xml",
        r#"<tc:tc-config xmlns:tc="http://www.terracotta.org/config">
  <servers>
    <server host="localhost" name="s1">
      <dso-port>9510</dso-port>
      <frobnicate>yes</frobnicate>
    </server>
  </servers>
</tc:tc-config>
"#,
    );
    let r = kiln(dir.path(), &["check-config", "-f", s(&p)]);
    assert_eq!(r.code, Some(0), "{r}");
    let warning = r
        .stderr
        .lines()
        .find(|l| l.contains("warning") && l.contains("frobnicate"))
        .unwrap_or_else(|| panic!("no warning about <frobnicate> on stderr:\n{r}"));
    assert!(
        warning.contains(&format!("{}:5:", p.display())),
        "line 5 expected: {warning}"
    );
    assert!(r.stdout.contains("warnings: 1"), "{r}");
}

#[test]
fn missing_file_is_exit_2_naming_the_path() {
    let dir = TempDir::new("cli-missing");
    let p = dir.path().join("no-such-dir").join("tc-config.xml");
    for args in [
        vec!["check-config", "-f", s(&p)],
        vec!["-f", s(&p)],
        vec!["-f", s(&p), "status"],
    ] {
        let r = kiln(dir.path(), &args);
        assert_eq!(r.code, Some(2), "{args:?}:\n{r}");
        assert!(
            r.stderr.contains(&p.display().to_string()),
            "{args:?}: path not named:\n{r}"
        );
        assert!(
            r.stderr.contains("cannot read configuration file"),
            "{args:?}:\n{r}"
        );
    }
}

#[test]
fn unknown_server_name_is_exit_2_listing_the_names() {
    let dir = TempDir::new("cli-name");
    let p = write(
        &dir,
        "tc-config.xml",
        r#"<tc:tc-config xmlns:tc="http://www.terracotta.org/config">
  <servers>
    <server host="127.0.0.1" name="alpha" bind="127.0.0.1"><dso-port>9510</dso-port></server>
    <server host="127.0.0.1" name="beta" bind="127.0.0.1"><dso-port>9610</dso-port></server>
  </servers>
</tc:tc-config>
"#,
    );
    let r = kiln(dir.path(), &["-f", s(&p), "-n", "nosuch"]);
    assert_eq!(r.code, Some(2), "{r}");
    assert!(r.stderr.contains("'nosuch'"), "{r}");
    assert!(
        r.stderr.contains("alpha") && r.stderr.contains("beta"),
        "available names expected:\n{r}"
    );
    // Same for the explicit `start` subcommand.
    let r = kiln(dir.path(), &["-f", s(&p), "-n", "nosuch", "start"]);
    assert_eq!(r.code, Some(2), "{r}");
    assert!(r.stderr.contains("alpha, beta"), "{r}");
}

#[test]
fn config_is_found_from_f_then_cwd_then_embedded_default() {
    // No -f and no ./tc-config.xml: the embedded default.
    let cwd = TempDir::new("cli-discovery");
    let r = kiln(cwd.path(), &["check-config"]);
    assert_eq!(r.code, Some(0), "{r}");
    assert!(
        r.stdout.contains("configuration: <embedded default>"),
        "{r}"
    );
    assert!(
        r.stdout.contains("server localhost: host localhost bind 0.0.0.0; dso port 9510, jmx port 9520, group port 9530"),
        "{r}"
    );
    assert!(
        r.stdout
            .contains("persistence temporary-swap-only, client reconnect window 120 s"),
        "{r}"
    );

    // ./tc-config.xml in the current directory wins over the embedded default; its relative
    // <data>/<logs> resolve against the file's directory.
    write(
        &cwd,
        "tc-config.xml",
        r#"<tc:tc-config xmlns:tc="http://www.terracotta.org/config">
  <servers><server host="localhost" name="from-cwd"><data>d1</data><logs>l1</logs></server></servers>
</tc:tc-config>
"#,
    );
    let r = kiln(cwd.path(), &["check-config"]);
    assert_eq!(r.code, Some(0), "{r}");
    assert!(r.stdout.contains("configuration: tc-config.xml"), "{r}");
    assert!(r.stdout.contains("server from-cwd:"), "{r}");

    // -f wins over ./tc-config.xml; relative paths follow the file, not the current directory.
    let other = TempDir::new("cli-discovery-f");
    let f = write(
        &other,
        "my-config.xml",
        r#"<tc:tc-config xmlns:tc="http://www.terracotta.org/config">
  <servers><server host="localhost" name="from-f"><data>d2</data><logs>l2</logs></server></servers>
</tc:tc-config>
"#,
    );
    let r = kiln(cwd.path(), &["check-config", "-f", s(&f)]);
    assert_eq!(r.code, Some(0), "{r}");
    assert!(r.stdout.contains("server from-f:"), "{r}");
    assert!(!r.stdout.contains("from-cwd"), "{r}");
    let data = other.path().join("d2");
    let logs = other.path().join("l2");
    assert!(
        r.stdout
            .contains(&format!("data {}, logs {}", data.display(), logs.display())),
        "{r}"
    );
}

#[test]
fn substitution_uses_the_environment_and_reports_unknown_properties() {
    let dir = TempDir::new("cli-subst");
    let p = write(
        &dir,
        "tc-config.xml",
        r#"<tc:tc-config xmlns:tc="http://www.terracotta.org/config">
  <servers>
    <server host="localhost" name="subst">
      <data>%(kiln.cli.test.base)/data</data>
      <logs>%(user.home)/kiln-logs</logs>
    </server>
  </servers>
</tc:tc-config>
"#,
    );
    // `kiln.cli.test.base` falls back to the environment variable KILN_CLI_TEST_BASE.
    let mut cmd = Command::new(binary("kiln-server"));
    cmd.args(["check-config", "-f", s(&p)])
        .current_dir(dir.path())
        .env("KILN_CLI_TEST_BASE", "/srv/kiln-test")
        .env("HOME", "/home/kiln-test");
    let r = run_cmd(cmd);
    assert_eq!(r.code, Some(0), "{r}");
    assert!(
        r.stdout
            .contains("data /srv/kiln-test/data, logs /home/kiln-test/kiln-logs"),
        "{r}"
    );

    // Without it the value is an error naming the token, the setting and both variable names.
    let mut cmd = Command::new(binary("kiln-server"));
    cmd.args(["check-config", "-f", s(&p)])
        .current_dir(dir.path())
        .env_remove("KILN_CLI_TEST_BASE");
    let r = run_cmd(cmd);
    assert_eq!(r.code, Some(2), "{r}");
    assert!(r.stderr.contains(&format!("{}:4:13:", p.display())), "{r}");
    assert!(r.stderr.contains("servers/server/data"), "{r}");
    assert!(r.stderr.contains("%(kiln.cli.test.base)"), "{r}");
    assert!(r.stderr.contains("KILN_CLI_TEST_BASE"), "{r}");
}

#[test]
fn healthcheck_window_outside_seed_003_range_is_a_warning() {
    let dir = TempDir::new("cli-hc");
    let p = write(
        &dir,
        "tc-config.xml",
        r#"<tc:tc-config xmlns:tc="http://www.terracotta.org/config">
  <tc-properties>
    <property name="l1.healthcheck.l2.ping.idletime" value="2000"/>
    <property name="l1.healthcheck.l2.socketConnectTimeout" value="2"/>
    <property name="l1.healthcheck.l2.socketConnectCount" value="5"/>
  </tc-properties>
  <servers><server host="localhost" name="hc"/></servers>
</tc:tc-config>
"#,
    );
    let r = kiln(dir.path(), &["check-config", "-f", s(&p)]);
    assert_eq!(r.code, Some(0), "{r}");
    // 2000 + 5 × (3 × 1000 + 2 × 1000) = 27000 ms, below 85000 + 5000.
    assert!(r.stdout.contains("L1->L2 27000 ms"), "{r}");
    let w = r
        .stderr
        .lines()
        .find(|l| l.contains("HA not configured properly"))
        .unwrap_or_else(|| panic!("no HealthCheck warning:\n{r}"));
    assert!(w.contains("27000 ms") && w.contains("90000 ms"), "{w}");
    assert!(w.contains("l1.healthcheck.l2.socketConnectCount"), "{w}");

    // A bad typed property value is an error naming the property and value.
    let p = write(
        &dir,
        "bad-prop.xml",
        r#"<tc:tc-config xmlns:tc="http://www.terracotta.org/config">
  <tc-properties>
    <property name="l2.healthcheck.l1.ping.probes" value="many"/>
  </tc-properties>
</tc:tc-config>
"#,
    );
    let r = kiln(dir.path(), &["check-config", "-f", s(&p)]);
    assert_eq!(r.code, Some(2), "{r}");
    assert!(
        r.stderr.contains("l2.healthcheck.l1.ping.probes") && r.stderr.contains("'many'"),
        "{r}"
    );
}

// ---------------------------------------------------------------------------------------------
// start / status / stop
// ---------------------------------------------------------------------------------------------

#[test]
fn start_status_stop_and_log_file() {
    let cfg = Cfg::new("cli-one");
    let mut server = cfg.start("server");

    let r = kiln(cfg.dir(), &["-f", cfg.file(), "status"]);
    assert_status_json(&r, &cfg.name);

    // Explicit name works too.
    let r = kiln(cfg.dir(), &["-f", cfg.file(), "-n", &cfg.name, "status"]);
    assert_status_json(&r, &cfg.name);

    let r = kiln(cfg.dir(), &["-f", cfg.file(), "stop"]);
    assert_eq!(
        r.code,
        Some(0),
        "stop failed:\n{r}\nserver:\n{}",
        server.output()
    );
    assert!(r.stdout.contains("cli-one"), "{r}");
    let code = server.wait_exit(EXIT_TIMEOUT);
    assert_eq!(
        code,
        Some(Some(0)),
        "server did not exit cleanly by itself:\n{}",
        server.output()
    );
    assert!(
        TcpStream::connect(("127.0.0.1", cfg.dso_port)).is_err(),
        "dso port still open"
    );

    let log = cfg.logs().join("kiln-server.log");
    assert!(
        log.exists(),
        "{} missing; logs dir holds {:?}",
        log.display(),
        std::fs::read_dir(cfg.logs()).map(|d| d.count())
    );
    let text = wait_file(&log, "the startup line", |t| {
        t.contains("starting Kiln server")
    });
    assert!(
        text.contains("cli-one"),
        "server name expected in the log:\n{text}"
    );
    assert!(
        text.contains(&cfg.dso_port.to_string()),
        "dso port expected in the log:\n{text}"
    );
}

#[test]
fn stop_with_a_connected_client_disconnects_it_and_exits() {
    let cfg = Cfg::new("cli-drain");
    let mut server = cfg.start("server");
    let mut client = RawConn::hello(cfg.dso_port, "cli-test-client");
    assert!(client.ping_ok());
    let r = kiln(cfg.dir(), &["-f", cfg.file(), "status"]);
    assert_status_json(&r, &cfg.name);
    let v: serde_json::Value = serde_json::from_str(r.stdout.trim()).expect("JSON");
    assert_eq!(v["clients"], 1, "{r}");

    let r = kiln(cfg.dir(), &["-f", cfg.file(), "stop"]);
    assert_eq!(r.code, Some(0), "{r}\nserver:\n{}", server.output());
    assert!(
        client.closed(),
        "the server should close the client's connection on stop"
    );
    let code = server.wait_exit(EXIT_TIMEOUT);
    assert_eq!(code, Some(Some(0)), "{}", server.output());
}

#[test]
fn stop_force_stops_the_server() {
    let cfg = Cfg::new("cli-force");
    let mut server = cfg.start("server");
    let r = kiln(cfg.dir(), &["-f", cfg.file(), "stop", "--force"]);
    assert_eq!(
        r.code,
        Some(0),
        "stop --force failed:\n{r}\nserver:\n{}",
        server.output()
    );
    let code = server.wait_exit(EXIT_TIMEOUT);
    assert_eq!(
        code,
        Some(Some(0)),
        "server did not exit by itself:\n{}",
        server.output()
    );
}

#[test]
fn status_and_stop_of_a_stopped_server_fail_naming_the_address() {
    let cfg = Cfg::new("cli-down");
    let addr = format!("127.0.0.1:{}", cfg.jmx_port);
    let r = kiln(cfg.dir(), &["-f", cfg.file(), "status"]);
    assert_ne!(r.code, Some(0), "{r}");
    assert!(r.code.is_some(), "killed by a signal?\n{r}");
    assert!(
        r.stderr.contains(&addr),
        "the management address expected:\n{r}"
    );
    assert!(
        r.stderr.contains("cli-down"),
        "the server name expected:\n{r}"
    );
    assert!(r.stdout.trim().is_empty(), "{r}");

    let r = kiln(cfg.dir(), &["-f", cfg.file(), "stop"]);
    assert_ne!(r.code, Some(0), "{r}");
    assert!(r.stderr.contains(&addr), "{r}");
}

#[test]
fn second_server_on_the_same_dso_port_fails_naming_port_and_setting() {
    let first = Cfg::new("cli-first");
    let _server = first.start("server");
    let second = Cfg::with_ports("cli-second", first.dso_port, free_port());
    let r = kiln(second.dir(), &["-f", second.file()]);
    assert_ne!(r.code, Some(0), "{r}");
    assert!(r.code.is_some(), "{r}");
    assert!(
        r.stderr.contains(&format!("127.0.0.1:{}", first.dso_port)),
        "port expected:\n{r}"
    );
    assert!(r.stderr.contains("dso-port"), "setting expected:\n{r}");
    assert!(
        r.stderr.contains("cli-second"),
        "server name expected:\n{r}"
    );
    // The first server is unaffected.
    let r = kiln(first.dir(), &["-f", first.file(), "status"]);
    assert_status_json(&r, "cli-first");
}

#[test]
fn second_server_on_the_same_jmx_port_fails_naming_the_setting() {
    let first = Cfg::new("cli-jmx1");
    let _server = first.start("server");
    let second = Cfg::with_ports("cli-jmx2", free_port(), first.jmx_port);
    let r = kiln(second.dir(), &["-f", second.file()]);
    assert_ne!(r.code, Some(0), "{r}");
    assert!(
        r.stderr.contains(&format!("127.0.0.1:{}", first.jmx_port)),
        "{r}"
    );
    assert!(r.stderr.contains("jmx-port"), "{r}");
}

// ---------------------------------------------------------------------------------------------
// Terracotta-compatible scripts
// ---------------------------------------------------------------------------------------------

#[test]
fn terracotta_scripts_start_stat_stop() {
    let cfg = Cfg::new("cli-scripts");
    let mut cmd = Command::new("bash");
    cmd.arg(workspace_root().join("bin").join("start-tc-server.sh"))
        .args(["-f", cfg.file()])
        .current_dir(cfg.dir())
        .env("KILN_SERVER", binary("kiln-server"))
        .env("KILN_LOG", "info");
    // The script execs the binary, so the guard's kill reaches the server itself.
    let mut server = Spawned::spawn(cmd, cfg.dir(), "start-tc-server");
    server.wait_listening(&[cfg.dso_port, cfg.jmx_port]);

    let r = script(cfg.dir(), "server-stat.sh", &["-f", cfg.file()]);
    assert_status_json(&r, "cli-scripts");

    let r = script(cfg.dir(), "stop-tc-server.sh", &["-f", cfg.file()]);
    assert_eq!(
        r.code,
        Some(0),
        "stop-tc-server.sh failed:\n{r}\nserver:\n{}",
        server.output()
    );
    let code = server.wait_exit(EXIT_TIMEOUT);
    assert_eq!(
        code,
        Some(Some(0)),
        "start-tc-server.sh did not exit cleanly:\n{}",
        server.output()
    );

    // After the stop, server-stat.sh reports the server as unreachable.
    let r = script(cfg.dir(), "server-stat.sh", &["-f", cfg.file()]);
    assert_ne!(r.code, Some(0), "{r}");
    assert!(
        r.stderr.contains(&format!("127.0.0.1:{}", cfg.jmx_port)),
        "{r}"
    );
}

#[test]
fn terracotta_stop_script_accepts_force() {
    let cfg = Cfg::new("cli-script-force");
    let mut server = cfg.start("server");
    let r = script(
        cfg.dir(),
        "stop-tc-server.sh",
        &["-f", cfg.file(), "-force"],
    );
    assert_eq!(r.code, Some(0), "{r}\nserver:\n{}", server.output());
    let code = server.wait_exit(EXIT_TIMEOUT);
    assert_eq!(code, Some(Some(0)), "{}", server.output());
}

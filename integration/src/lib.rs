//! Test support for Kiln's end-to-end tests: start the real `kiln-server` binary on free loopback
//! ports with a generated `tc-config.xml`, and speak the raw protocol to it.
#![deny(unsafe_code)]
#![allow(clippy::unwrap_used, clippy::missing_panics_doc)]

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use bytes::BytesMut;
use kiln_protocol::{frame, Message, PROTOCOL_VERSION};

pub mod fault;

/// Root of the cargo target directory this test binary lives in (`target/<profile>`).
pub fn target_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("test executable path");
    // target/<profile>/deps/<test> -> target/<profile>
    exe.parent()
        .and_then(Path::parent)
        .expect("target dir")
        .to_path_buf()
}

/// Path of a workspace binary (`kiln-server`, `kiln`), building it once if missing.
pub fn binary(name: &str) -> PathBuf {
    static BUILT: OnceLock<()> = OnceLock::new();
    if let Ok(p) = std::env::var(format!(
        "KILN_BIN_{}",
        name.replace('-', "_").to_uppercase()
    )) {
        return PathBuf::from(p);
    }
    let path = target_dir().join(name);
    if !path.exists() {
        BUILT.get_or_init(|| {
            let release = target_dir().file_name().is_some_and(|n| n == "release");
            let mut cmd = Command::new(env!("CARGO"));
            cmd.args(["build", "-p", "kiln-server", "-p", "kiln"]);
            if release {
                cmd.arg("--release");
            }
            let st = cmd.status().expect("run cargo build");
            assert!(st.success(), "cargo build of the binaries failed");
        });
    }
    assert!(path.exists(), "binary {} not found", path.display());
    path
}

/// `n` distinct free loopback TCP ports, chosen below the kernel's ephemeral range.
///
/// A port from `bind(0)` is an *ephemeral* port: once the probe listener is closed, any outbound
/// connection of this machine (a client, a server dialing its peer on the group port, an HTTP
/// status poll) may get the same number as its source port before the server meant to listen on
/// it starts, and the server then fails with "Address already in use". So ports come from
/// 20000..32000 (below Linux's default 32768..60999), probed by binding, in a sequence that
/// starts at an offset derived from the process id and never repeats within the process.
pub fn free_ports(n: usize) -> Vec<u16> {
    const LOW: u32 = 20_000;
    const SPAN: u32 = 12_000;
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let offset = (std::process::id() % 240) * 50;
    let mut out = Vec::with_capacity(n);
    let mut held = Vec::with_capacity(n);
    let mut tries = 0u32;
    while out.len() < n {
        tries += 1;
        assert!(
            tries < SPAN,
            "no free loopback port in {LOW}..{}",
            LOW + SPAN
        );
        let k = NEXT.fetch_add(1, Ordering::Relaxed) as u32;
        let port = (LOW + (offset + k) % SPAN) as u16;
        if let Ok(l) = TcpListener::bind(("127.0.0.1", port)) {
            held.push(l);
            out.push(port);
        }
    }
    out
}

/// A free loopback TCP port (see [`free_ports`]).
pub fn free_port() -> u16 {
    free_ports(1)[0]
}

/// A temporary directory removed on drop.
#[derive(Debug)]
pub struct TempDir(pub PathBuf);

impl TempDir {
    /// A fresh directory under the system temp dir.
    pub fn new(prefix: &str) -> Self {
        static N: AtomicU64 = AtomicU64::new(0);
        let p = std::env::temp_dir().join(format!(
            "kiln-{prefix}-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&p).expect("create temp dir");
        TempDir(p)
    }
    /// The path.
    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A running `kiln-server` process; killed on drop.
#[derive(Debug)]
pub struct ServerProcess {
    child: Option<Child>,
    /// DSO port.
    pub port: u16,
    /// Management port.
    pub jmx_port: u16,
    /// The config file.
    pub config: PathBuf,
    /// Working directory (data, logs, config).
    pub dir: TempDir,
    /// Extra environment of the server process.
    env: Vec<(String, String)>,
    /// `-n <name>`: which server of the config this process is (None: the only one).
    server_name: Option<String>,
}

/// How [`ServerProcess::start_opts`] configures a server.
#[derive(Debug, Clone, Default)]
pub struct ServerOptions {
    /// `<property>` lines for `<tc-properties>`.
    pub tc_properties: String,
    /// `permanent-store` persistence (else `temporary-swap-only`).
    pub persistent: bool,
    /// `<client-reconnect-window>` seconds.
    pub reconnect_window_secs: Option<u64>,
    /// `<garbage-collection>`: (enabled, interval seconds).
    pub gc: Option<(bool, u64)>,
    /// `<data>` directory (default: `data` in the server's temp dir).
    pub data_dir: Option<PathBuf>,
    /// Extra environment variables for the server process.
    pub env: Vec<(String, String)>,
}

impl ServerProcess {
    /// Starts a server with default settings.
    pub fn start() -> Self {
        Self::start_with("")
    }

    /// Starts a server; `tc_properties` is inserted as `<property>` lines in `<tc-properties>`.
    pub fn start_with(tc_properties: &str) -> Self {
        Self::start_opts(ServerOptions {
            tc_properties: tc_properties.into(),
            ..ServerOptions::default()
        })
    }

    /// Starts a server with `opts`.
    pub fn start_opts(opts: ServerOptions) -> Self {
        let dir = TempDir::new("server");
        let [port, jmx_port, group_port] = free_ports(3)[..] else {
            unreachable!("free_ports(3) returns 3 ports")
        };
        let config = dir.path().join("tc-config.xml");
        let data = opts
            .data_dir
            .clone()
            .unwrap_or_else(|| dir.path().join("data"));
        let persistence = if opts.persistent {
            "<persistence><mode>permanent-store</mode></persistence>"
        } else {
            ""
        };
        let window = opts
            .reconnect_window_secs
            .map(|w| format!("<client-reconnect-window>{w}</client-reconnect-window>"))
            .unwrap_or_default();
        let gc = opts
            .gc
            .map(|(enabled, interval)| {
                format!(
                    "<garbage-collection><enabled>{enabled}</enabled><verbose>true</verbose><interval>{interval}</interval></garbage-collection>"
                )
            })
            .unwrap_or_default();
        let xml = format!(
            r#"<?xml version="1.0" encoding="UTF-8"?>
<tc:tc-config xmlns:tc="http://www.terracotta.org/config">
  <tc-properties>
{tc_properties}
  </tc-properties>
  <servers>
    <server host="127.0.0.1" name="test" bind="127.0.0.1">
      <data>{data}</data>
      <logs>{dir}/logs</logs>
      <dso-port>{port}</dso-port>
      <jmx-port>{jmx_port}</jmx-port>
      <l2-group-port>{group_port}</l2-group-port>
      <dso>{window}{persistence}{gc}</dso>
    </server>
  </servers>
</tc:tc-config>
"#,
            tc_properties = opts.tc_properties,
            data = data.display(),
            dir = dir.path().display()
        );
        std::fs::write(&config, xml).expect("write config");
        let mut s = ServerProcess {
            child: None,
            port,
            jmx_port,
            config,
            dir,
            env: opts.env.clone(),
            server_name: None,
        };
        s.spawn();
        s.wait_ready();
        s
    }

    /// Starts a cluster of `n` stripes: one config with `n` `<mirror-group>`s (`stripe-<i>`) of
    /// one in-memory server each (`s<i>`); returns the servers in stripe order, each listening.
    /// Clients connect with [`ServerProcess::connect_string`].
    pub fn start_stripes(n: usize) -> Vec<ServerProcess> {
        let dirs: Vec<TempDir> = (0..n).map(|_| TempDir::new("stripe")).collect();
        let ports = free_ports(3 * n);
        let groups: String = (0..n)
            .map(|i| {
                format!(
                    r#"    <mirror-group group-name="stripe-{i}" election-time="1">
      <server host="127.0.0.1" name="s{i}" bind="127.0.0.1">
        <data>{dir}/data</data>
        <logs>{dir}/logs</logs>
        <dso-port>{}</dso-port>
        <jmx-port>{}</jmx-port>
        <l2-group-port>{}</l2-group-port>
      </server>
    </mirror-group>
"#,
                    ports[3 * i],
                    ports[3 * i + 1],
                    ports[3 * i + 2],
                    dir = dirs[i].path().display()
                )
            })
            .collect();
        let xml = format!(
            r#"<?xml version="1.0" encoding="UTF-8"?>
<tc:tc-config xmlns:tc="http://www.terracotta.org/config">
  <servers>
{groups}  </servers>
</tc:tc-config>
"#
        );
        let mut servers: Vec<ServerProcess> = dirs
            .into_iter()
            .enumerate()
            .map(|(i, dir)| {
                let config = dir.path().join("tc-config.xml");
                std::fs::write(&config, &xml).expect("write config");
                ServerProcess {
                    child: None,
                    port: ports[3 * i],
                    jmx_port: ports[3 * i + 1],
                    config,
                    dir,
                    env: Vec::new(),
                    server_name: Some(format!("s{i}")),
                }
            })
            .collect();
        for s in &mut servers {
            s.spawn();
        }
        for s in &servers {
            s.wait_ready();
        }
        servers
    }

    /// The connect string of a cluster of stripes: `h:p;h:p` (protocol.md §9.11).
    pub fn connect_string(servers: &[ServerProcess]) -> String {
        servers
            .iter()
            .map(ServerProcess::addr)
            .collect::<Vec<_>>()
            .join(";")
    }

    /// Starts the server process again with the same config, ports and directory (after `kill`
    /// or `stop`); waits until it listens.
    pub fn restart(&mut self) {
        self.kill();
        self.spawn();
        self.wait_ready();
    }

    /// Starts the process without waiting for it to listen (to test refusals to start).
    pub fn spawn(&mut self) {
        let out = self.dir.path().join("server.out");
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(out)
            .expect("server log file");
        let mut cmd = Command::new(binary("kiln-server"));
        cmd.arg("-f").arg(&self.config);
        if let Some(name) = &self.server_name {
            cmd.arg("-n").arg(name);
        }
        cmd.current_dir(self.dir.path())
            .env(
                "KILN_LOG",
                std::env::var("KILN_LOG").unwrap_or_else(|_| "info".into()),
            )
            .stdout(Stdio::null())
            .stderr(Stdio::from(log));
        for (k, v) in &self.env {
            cmd.env(k, v);
        }
        self.child = Some(cmd.spawn().expect("spawn kiln-server"));
    }

    /// Graceful stop through `/stop`; waits (bounded) for the process to exit.
    pub fn stop(&mut self) -> Option<i32> {
        let _ = std::panic::catch_unwind(|| http(self.jmx_port, "POST", "/stop"));
        let code = self.wait_exit(Duration::from_secs(20));
        self.kill();
        code
    }

    fn wait_ready(&self) {
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if TcpStream::connect(("127.0.0.1", self.port)).is_ok()
                && TcpStream::connect(("127.0.0.1", self.jmx_port)).is_ok()
            {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        panic!(
            "kiln-server did not start within 20 s; log:\n{}",
            self.log()
        );
    }

    /// `127.0.0.1:port`.
    pub fn addr(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// The server's stderr so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("server.out")).unwrap_or_default()
    }

    /// `GET /status` as JSON.
    pub fn status(&self) -> serde_json::Value {
        let body = http(self.jmx_port, "GET", "/status");
        serde_json::from_str(&body).expect("status JSON")
    }

    /// `GET /metrics` text.
    pub fn metrics(&self) -> String {
        http(self.jmx_port, "GET", "/metrics")
    }

    /// Waits (bounded) until `f(status)` holds.
    pub fn wait_status(&self, what: &str, f: impl Fn(&serde_json::Value) -> bool) {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let s = self.status();
            if f(&s) {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {what}; status: {s}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// The process id, while running.
    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }

    /// kill -9.
    pub fn kill(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// Waits for the process to exit by itself (bounded); returns its exit code.
    pub fn wait_exit(&mut self, timeout: Duration) -> Option<i32> {
        let deadline = Instant::now() + timeout;
        let c = self.child.as_mut()?;
        loop {
            if let Ok(Some(st)) = c.try_wait() {
                self.child = None;
                return st.code();
            }
            if Instant::now() > deadline {
                return None;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        self.kill();
    }
}

/// A minimal HTTP/1.1 request; returns the body.
pub fn http(port: u16, method: &str, path: &str) -> String {
    let mut s = TcpStream::connect(("127.0.0.1", port)).expect("connect management port");
    s.set_read_timeout(Some(Duration::from_secs(10))).ok();
    write!(s, "{method} {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nContent-Length: 0\r\n\r\n")
        .expect("send request");
    let mut out = String::new();
    s.read_to_string(&mut out).expect("read response");
    out.split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default()
}

/// A raw protocol connection (blocking), for tests that speak bytes to the server.
#[derive(Debug)]
pub struct RawConn {
    /// The socket.
    pub stream: TcpStream,
    buf: BytesMut,
    /// Client id after [`RawConn::hello`].
    pub client_id: u64,
}

impl RawConn {
    /// Connects.
    pub fn connect(port: u16) -> Self {
        let stream = TcpStream::connect(("127.0.0.1", port)).expect("connect");
        stream.set_nodelay(true).ok();
        RawConn {
            stream,
            buf: BytesMut::new(),
            client_id: 0,
        }
    }

    /// Connects and completes the handshake.
    pub fn hello(port: u16, name: &str) -> Self {
        let mut c = Self::connect(port);
        c.send(&Message::Hello {
            protocol_version: PROTOCOL_VERSION,
            client_name: name.into(),
            pid: std::process::id(),
            reconnect: None,
        });
        // A server in its reconnect window welcomes a new client only when the window closes;
        // on a loaded CI machine that (plus a restart) can take longer than `recv`'s 5 s.
        match c.recv_timeout(Duration::from_secs(20)) {
            Some(Message::Welcome { client_id, .. }) => c.client_id = client_id,
            other => panic!("expected Welcome, got {other:?}"),
        }
        match c.recv() {
            Some(Message::Membership { .. }) => {}
            other => panic!("expected Membership, got {other:?}"),
        }
        c
    }

    /// Sends one message.
    pub fn send(&mut self, m: &Message) {
        self.stream.write_all(&frame::to_bytes(m)).expect("send");
    }

    /// Sends raw bytes.
    pub fn send_raw(&mut self, b: &[u8]) {
        let _ = self.stream.write_all(b);
    }

    /// Next message within 5 s; `None` on EOF / timeout.
    pub fn recv(&mut self) -> Option<Message> {
        self.recv_timeout(Duration::from_secs(5))
    }

    /// Next message within `t`; `None` on EOF / timeout.
    pub fn recv_timeout(&mut self, t: Duration) -> Option<Message> {
        let deadline = Instant::now() + t;
        loop {
            if let Ok(Some(n)) = frame::check(&self.buf, frame::DEFAULT_MAX_FRAME) {
                let f = self.buf.split_to(n);
                return Some(frame::parse(&f).expect("server sent an undecodable frame"));
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return None;
            }
            self.stream.set_read_timeout(Some(left)).ok();
            let mut tmp = [0u8; 65536];
            match self.stream.read(&mut tmp) {
                Ok(0) | Err(_) => return None,
                Ok(n) => self.buf.extend_from_slice(&tmp[..n]),
            }
        }
    }

    /// Receives until a message matching `pred` arrives (skipping others); panics after 5 s.
    pub fn expect(&mut self, what: &str, pred: impl Fn(&Message) -> bool) -> Message {
        let deadline = Instant::now() + Duration::from_secs(5);
        let mut skipped = Vec::new();
        while Instant::now() < deadline {
            match self.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
                Some(m) if pred(&m) => return m,
                Some(m) => skipped.push(m),
                None => break,
            }
        }
        panic!("did not receive {what}; got instead: {skipped:?}");
    }

    /// True when the server closed the connection (EOF) within 5 s, skipping other messages.
    pub fn closed(&mut self) -> bool {
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if self
                .recv_timeout(deadline.saturating_duration_since(Instant::now()))
                .is_none()
            {
                return Instant::now() < deadline;
            }
        }
        false
    }

    /// Ping round trip succeeds.
    pub fn ping_ok(&mut self) -> bool {
        self.send(&Message::Ping { nonce: 4242 });
        let deadline = Instant::now() + Duration::from_secs(5);
        while let Some(m) = self.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
            if m == (Message::Pong { nonce: 4242 }) {
                return true;
            }
        }
        false
    }
}

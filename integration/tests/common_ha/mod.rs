//! Helpers for the HA tests: a group of real `kiln-server` processes sharing one generated
//! `tc-config.xml` (every `<server>` directly under `<servers>`: one group), started with
//! `-n <name>`, killed on drop.
#![allow(dead_code, clippy::unwrap_used, clippy::missing_panics_doc)]

use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use kiln_integration::{binary, free_ports, http, TempDir};

/// One member.
#[derive(Debug)]
pub struct Member {
    pub name: String,
    pub dso_port: u16,
    pub jmx_port: u16,
    pub group_port: u16,
    child: Option<Child>,
}

/// A server group on loopback.
#[derive(Debug)]
pub struct Group {
    pub dir: TempDir,
    pub config: PathBuf,
    pub members: Vec<Member>,
}

impl Group {
    /// Writes the config for `n` servers (`s1`..`sn`); nothing is started.
    pub fn new(n: usize, persistent: bool, election_secs: u64, window_secs: u64) -> Group {
        Self::with_props(n, persistent, election_secs, window_secs, "")
    }

    /// As [`Group::new`], with `<property>` lines for `<tc-properties>`.
    pub fn with_props(
        n: usize,
        persistent: bool,
        election_secs: u64,
        window_secs: u64,
        props: &str,
    ) -> Group {
        let dir = TempDir::new("ha");
        let ports = free_ports(3 * n);
        let mut members = Vec::new();
        let mut servers = String::new();
        let persistence = if persistent {
            "<persistence><mode>permanent-store</mode></persistence>"
        } else {
            ""
        };
        for i in 0..n {
            let name = format!("s{}", i + 1);
            let (dso, jmx, grp) = (ports[3 * i], ports[3 * i + 1], ports[3 * i + 2]);
            servers.push_str(&format!(
                r#"    <server host="127.0.0.1" name="{name}" bind="127.0.0.1">
      <data>{d}/{name}/data</data>
      <logs>{d}/{name}/logs</logs>
      <dso-port>{dso}</dso-port>
      <jmx-port>{jmx}</jmx-port>
      <l2-group-port>{grp}</l2-group-port>
      <dso><client-reconnect-window>{window_secs}</client-reconnect-window>{persistence}</dso>
    </server>
"#,
                d = dir.path().display()
            ));
            members.push(Member {
                name,
                dso_port: dso,
                jmx_port: jmx,
                group_port: grp,
                child: None,
            });
        }
        let xml = format!(
            r#"<?xml version="1.0" encoding="UTF-8"?>
<tc:tc-config xmlns:tc="http://www.terracotta.org/config">
  <tc-properties>{props}</tc-properties>
  <servers>
{servers}    <ha><mode>networked-active-passive</mode><networked-active-passive><election-time>{election_secs}</election-time></networked-active-passive></ha>
  </servers>
</tc:tc-config>
"#
        );
        let config = dir.path().join("tc-config.xml");
        std::fs::write(&config, xml).unwrap();
        Group {
            dir,
            config,
            members,
        }
    }

    /// Starts member `i` (`-n sI`) without waiting.
    pub fn start(&mut self, i: usize) {
        self.start_with(i, &[]);
    }

    /// Starts member `i` with extra command-line arguments.
    pub fn start_with(&mut self, i: usize, extra: &[&str]) {
        self.start_env(i, extra, &[]);
    }

    /// Starts member `i` with extra command-line arguments and environment variables.
    pub fn start_env(&mut self, i: usize, extra: &[&str], env: &[(&str, &str)]) {
        let m = &mut self.members[i];
        let out = self.dir.path().join(format!("{}.out", m.name));
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(out)
            .unwrap();
        let child = Command::new(binary("kiln-server"))
            .arg("-f")
            .arg(&self.config)
            .arg("-n")
            .arg(&m.name)
            .args(extra)
            .envs(env.iter().copied())
            .env(
                "KILN_LOG",
                std::env::var("KILN_LOG").unwrap_or_else(|_| "info".into()),
            )
            .stdout(Stdio::null())
            .stderr(Stdio::from(log))
            .spawn()
            .unwrap();
        m.child = Some(child);
    }

    /// Sends `sig` (e.g. `-STOP`, `-CONT`) to member `i`.
    pub fn signal(&self, i: usize, sig: &str) {
        let pid = self.members[i]
            .child
            .as_ref()
            .expect("running")
            .id()
            .to_string();
        let st = Command::new("kill").args([sig, &pid]).status().unwrap();
        assert!(st.success(), "kill {sig} {pid}");
    }

    /// kill -9 of member `i`.
    pub fn kill(&mut self, i: usize) {
        if let Some(mut c) = self.members[i].child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// Waits (bounded) for member `i` to exit on its own; its exit status, `None` if it still
    /// runs after `within`.
    pub fn wait_exit(&mut self, i: usize, within: Duration) -> Option<std::process::ExitStatus> {
        let deadline = Instant::now() + within;
        while Instant::now() < deadline {
            let c = self.members[i].child.as_mut()?;
            if let Ok(Some(st)) = c.try_wait() {
                self.members[i].child = None;
                return Some(st);
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        None
    }

    /// The client addresses of every member.
    pub fn addrs(&self) -> Vec<String> {
        self.members
            .iter()
            .map(|m| format!("127.0.0.1:{}", m.dso_port))
            .collect()
    }

    /// Member `i`'s log so far.
    pub fn log(&self, i: usize) -> String {
        std::fs::read_to_string(
            self.dir
                .path()
                .join(format!("{}.out", self.members[i].name)),
        )
        .unwrap_or_default()
    }

    /// `GET /status` of member `i`, if it answers.
    pub fn status(&self, i: usize) -> Option<serde_json::Value> {
        TcpStream::connect(("127.0.0.1", self.members[i].jmx_port)).ok()?;
        let body =
            std::panic::catch_unwind(|| http(self.members[i].jmx_port, "GET", "/status")).ok()?;
        serde_json::from_str(&body).ok()
    }

    /// The state of member `i` (`/status` `state`), if it answers.
    pub fn state(&self, i: usize) -> Option<String> {
        self.status(i)
            .and_then(|s| s["state"].as_str().map(str::to_owned))
    }

    /// Waits (bounded) until member `i` is in `state`.
    pub fn wait_state(&self, i: usize, state: &str, within: Duration) {
        let deadline = Instant::now() + within;
        loop {
            if self.state(i).as_deref() == Some(state) {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "{} not {state} within {within:?} (is {:?}); log:\n{}",
                self.members[i].name,
                self.state(i),
                self.log(i)
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// `GET /digest` of member `i`.
    pub fn digest(&self, i: usize) -> serde_json::Value {
        serde_json::from_str(&http(self.members[i].jmx_port, "GET", "/digest")).unwrap()
    }
}

impl Drop for Group {
    fn drop(&mut self) {
        for i in 0..self.members.len() {
            self.kill(i);
        }
    }
}

/// Striped clusters (mirror groups), shared by the stripes tests.
impl Group {
    /// Rewrites the group's config into `<mirror-group>`s: `groups[i]` lists the members of
    /// stripe `i` (named `stripe-<i>`).
    pub fn as_groups(&self, groups: &[&[usize]]) {
        let xml = std::fs::read_to_string(&self.config).unwrap();
        let mut blocks = Vec::new();
        let mut rest = xml.as_str();
        while let Some(a) = rest.find("    <server ") {
            let b = rest[a..].find("</server>").unwrap() + a + "</server>".len();
            blocks.push(rest[a..b].to_owned());
            rest = &rest[b..];
        }
        assert_eq!(blocks.len(), self.members.len());
        let first = xml.find("    <server ").unwrap();
        let last = xml.rfind("</server>").unwrap() + "</server>".len();
        let body: String = groups
            .iter()
            .enumerate()
            .map(|(i, members)| {
                let servers: Vec<&str> = members.iter().map(|&m| blocks[m].as_str()).collect();
                format!(
                    "  <mirror-group group-name=\"stripe-{i}\" election-time=\"1\">\n{}\n  </mirror-group>\n",
                    servers.join("\n")
                )
            })
            .collect();
        std::fs::write(
            &self.config,
            format!("{}{}{}", &xml[..first], body, &xml[last..]),
        )
        .unwrap();
    }

    /// The member of `members` that is ACTIVE-COORDINATOR, once one is.
    pub fn active_of(&self, members: &[usize], within: Duration) -> usize {
        let deadline = Instant::now() + within;
        loop {
            if let Some(&i) = members
                .iter()
                .find(|&&i| self.state(i).as_deref() == Some("ACTIVE-COORDINATOR"))
            {
                return i;
            }
            assert!(Instant::now() < deadline, "no active among {members:?}");
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

/// A name with `prefix` whose FNV-1a-64 hash lands on `stripe` of 2.
pub fn name_on(prefix: &str, stripe: u8) -> String {
    (0..1000)
        .map(|i| format!("{prefix}-{i}"))
        .find(|n| kiln_protocol::stripe::name_stripe(n, 2) == stripe)
        .unwrap()
}

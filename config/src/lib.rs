//! Parser for Terracotta-style `tc-config.xml` files, the configuration format Kiln keeps.
//!
//! One parser serves every part of Kiln: the server (`kiln-server`), the Rust client, and —
//! through the native library — the Java agent and the C API.
//!
//! ```
//! let cfg = kiln_config::TcConfig::from_str_with_origin(
//!     r#"<tc:tc-config xmlns:tc="http://www.terracotta.org/config">
//!          <servers>
//!            <server host="localhost" name="m1"><dso-port>9510</dso-port></server>
//!          </servers>
//!        </tc:tc-config>"#,
//!     "<string>",
//! )?;
//! assert_eq!(cfg.client_addresses(), vec!["localhost:9510".to_string()]);
//! assert_eq!(cfg.select_server(Some("m1"))?.jmx_port, 9520);
//! # Ok::<(), kiln_config::ConfigError>(())
//! ```
//!
//! # What is accepted
//!
//! * The root is `<tc-config>` with any namespace prefix (`tc:tc-config`), or — with a warning — a
//!   bare `<servers>`, `<clients>`, `<application>` or `<tc-properties>` fragment, treated as if
//!   wrapped in `<tc-config>`. Element names match whatever their prefix.
//! * Values are trimmed, so `<lock-level>\n  write\n</lock-level>` is `write`.
//! * Unknown elements and attributes, and stray text inside containers (the `...` lines of
//!   documentation snippets), are **warnings** ([`TcConfig::warnings`]), never errors.
//!   Terracotta elements Kiln knows but does not use (`<index>`, `<statistics>`,
//!   `<authentication>`, `<modules>`, `<web-applications>`, …) are ignored silently.
//! * Malformed XML is a [`ConfigError::Xml`]; an unusable value is a [`ConfigError::Invalid`];
//!   both name the file, line and column (and the setting and value for the latter).
//!
//! # Substitutions
//!
//! Applied to every text value and attribute value:
//!
//! | pattern | replaced by |
//! |---|---|
//! | `%(user.home)` | `$HOME` |
//! | `%(user.name)` | `$USER` (or `$LOGNAME`) |
//! | `%(user.dir)` | the current directory |
//! | `%(java.io.tmpdir)` | `/tmp` |
//! | `%(os.name)`, `%(os.arch)`, `%(file.separator)` | as in Java |
//! | `%(any.other.name)` | environment variable `any.other.name`, else `ANY_OTHER_NAME`; else the value is [`ConfigError::Invalid`] |
//! | `%h` | this machine's host name |
//! | `%i` | an IPv4 address of this machine (first non-loopback local address, else `127.0.0.1`) |
//! | `%D` | a time stamp `yyyyMMddHHmmssSSS`, in **UTC** |
//! | `%n`, `%H`, `%t`, `%o`, `%a` | user name, home, temp dir, OS name, architecture |
//!
//! Any other `%` is kept literally.
//!
//! # Defaults
//!
//! Every default is documented on the field it applies to. In short: one server `localhost` on
//! `localhost` with ports 9510/9520/9530, data in `data`, logs in `logs`, in memory only
//! (`temporary-swap-only`), client reconnect window 120 s, election time 5 s, distributed GC
//! every 3600 s, fault count 500.

#![deny(unsafe_code)]
#![warn(missing_docs)]

pub mod aw;
mod error;
mod parse;
mod props;
mod subst;
mod xml;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

pub use error::{ConfigError, ConfigWarning};
pub use props::{HealthCheck, HealthCheckTarget, L1ConnectProps, ReconnectProps, TcProperties};

/// Default client (DSO / TSA) port of a server: 9510.
pub const DEFAULT_DSO_PORT: u16 = 9510;
/// Default JMX / management port of a server: 9520 (Terracotta: DSO port + 10).
pub const DEFAULT_JMX_PORT: u16 = 9520;
/// Default server-to-server (L2 group) port: 9530 (Terracotta: DSO port + 20).
pub const DEFAULT_GROUP_PORT: u16 = 9530;
/// Default client reconnect window in seconds: 120.
pub const DEFAULT_CLIENT_RECONNECT_WINDOW_SECS: u64 = 120;
/// Default election time in seconds: 5.
pub const DEFAULT_ELECTION_TIME_SECS: u64 = 5;
/// Default number of objects a client prefetches per fault: 500.
pub const DEFAULT_FAULT_COUNT: u32 = 500;
/// Name of the mirror group formed by `<server>` elements directly under `<servers>`.
pub const DEFAULT_GROUP_NAME: &str = "default-group";
/// Origin name used for [`EMBEDDED_DEFAULT`].
pub const EMBEDDED_ORIGIN: &str = "<embedded default>";

/// The built-in `tc-config.xml`, used when no configuration is given: one server named
/// `localhost` on `localhost`, ports 9510/9520/9530, data in `data` and logs in `logs` (relative
/// to the current directory), in memory only (`temporary-swap-only`).
pub const EMBEDDED_DEFAULT: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<!-- Kiln's built-in configuration: one server on this machine, in memory only. -->
<tc:tc-config xmlns:tc="http://www.terracotta.org/config">
  <servers>
    <server host="localhost" name="localhost">
      <data>data</data>
      <logs>logs</logs>
      <dso-port>9510</dso-port>
      <jmx-port>9520</jmx-port>
      <l2-group-port>9530</l2-group-port>
      <dso>
        <client-reconnect-window>120</client-reconnect-window>
        <persistence>
          <mode>temporary-swap-only</mode>
        </persistence>
      </dso>
    </server>
  </servers>
</tc:tc-config>
"#;

/// A parsed `tc-config.xml`.
#[derive(Debug, Clone, serde::Serialize)]
pub struct TcConfig {
    /// Where the configuration came from: the file path, `<embedded default>` or the origin given
    /// to [`TcConfig::from_str_with_origin`] (e.g. `<string>`).
    pub source: String,
    /// `<tc-properties>`.
    pub tc_properties: TcProperties,
    /// `<servers>`. Without any `<server>`, one default server (`localhost:9510`) is configured.
    pub servers: Servers,
    /// `<clients>`.
    pub clients: Clients,
    /// `<application><dso>`.
    pub application: Application,
    /// Everything accepted but worth attention (unknown elements, stray text, …), in document order.
    pub warnings: Vec<ConfigWarning>,
}

/// The `<servers>` section.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Servers {
    /// Mirror groups (stripes), in configuration order. `<server>` elements directly under
    /// `<servers>` form one group named `default-group`.
    pub groups: Vec<MirrorGroup>,
    /// `<ha>`.
    pub ha: Ha,
    /// `<restartable enabled="…"/>`: when `true` every server is durable
    /// ([`PersistenceMode::PermanentStore`]). Default `false` (also when the attribute is missing).
    pub restartable: bool,
    /// `<servers><client-reconnect-window>` in seconds; a server's own
    /// `<dso><client-reconnect-window>` overrides it. Default 120.
    pub client_reconnect_window_secs: u64,
    /// `<servers><garbage-collection>`; a server's own `<dso><garbage-collection>` overrides it.
    pub garbage_collection: GarbageCollection,
}

/// One mirror group (stripe): the servers that elect one active among themselves.
#[derive(Debug, Clone, serde::Serialize)]
pub struct MirrorGroup {
    /// `group-name` attribute; `default-group` for servers directly under `<servers>` and for the
    /// first mirror group without a `group-name` (`default-group-2`, `-3`, … for later ones).
    pub name: String,
    /// `election-time` attribute in seconds, else `<ha>`'s election time, else 5.
    pub election_time_secs: u64,
    /// The group's servers, in configuration order (at least one).
    pub servers: Vec<ServerConfig>,
}

/// The `<ha>` section.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Ha {
    /// `<mode>`: `networked-active-passive` (default) or `disk-based-active-passive`
    /// (accepted for compatibility; Kiln always replicates over the network).
    pub mode: String,
    /// `<networked-active-passive><election-time>` in seconds. Default 5.
    pub election_time_secs: u64,
    /// `<quorum>` (a Kiln element): `off` (default, Terracotta behaviour: split brains are
    /// resolved by the zap rules when they heal) or `majority` (a server becomes or stays
    /// active only with a majority of the voting members: servers of its group + `<voters>`).
    pub quorum: Quorum,
    /// `<voters><voter host=".." port=".."/></voters>`: `kiln-voter` processes that vote with
    /// the servers in quorum mode (e.g. two servers + one voter).
    pub voters: Vec<Voter>,
}

impl Default for Ha {
    fn default() -> Self {
        Ha {
            mode: "networked-active-passive".to_string(),
            election_time_secs: DEFAULT_ELECTION_TIME_SECS,
            quorum: Quorum::Off,
            voters: Vec::new(),
        }
    }
}

/// `<ha><quorum>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Quorum {
    /// No quorum: any elected server is active (two actives are possible in a partition).
    #[default]
    Off,
    /// Majority of the voting members (servers + voters).
    Majority,
}

/// One `<ha><voters><voter host=".." port=".."/>`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Voter {
    /// `host`.
    pub host: String,
    /// `port`.
    pub port: u16,
}

/// Distributed garbage collection settings (`<garbage-collection>`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct GarbageCollection {
    /// `<enabled>`: run the distributed GC periodically. Default `true`.
    pub enabled: bool,
    /// `<verbose>`: log every phase of every collection. Default `false`.
    pub verbose: bool,
    /// `<interval>` in seconds between collections (at least 1). Default 3600.
    pub interval_secs: u64,
}

impl Default for GarbageCollection {
    fn default() -> Self {
        GarbageCollection {
            enabled: true,
            verbose: false,
            interval_secs: 3600,
        }
    }
}

/// One `<server>`.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ServerConfig {
    /// `name` attribute, else `"host:dso_port"`. Unique in the configuration.
    pub name: String,
    /// `host` attribute (after substitution, so `%i` becomes an address). Default `localhost`.
    pub host: String,
    /// `bind` attribute: the address the server listens on. Default `0.0.0.0`.
    pub bind: String,
    /// `<dso-port>` or `<tsa-port>`: the port clients connect to. Default 9510.
    pub dso_port: u16,
    /// `bind` attribute of `<dso-port>`/`<tsa-port>`. Default: [`ServerConfig::bind`].
    pub dso_bind: String,
    /// `<jmx-port>` or `<management-port>`: the admin HTTP port. Default `dso_port + 10`
    /// (9520), or 9520 if that would not be a valid port.
    pub jmx_port: u16,
    /// `bind` attribute of `<jmx-port>`/`<management-port>`. Default: [`ServerConfig::bind`].
    pub jmx_bind: String,
    /// `<l2-group-port>` or `<tsa-group-port>`: the server-to-server port. Default
    /// `dso_port + 20` (9530), or 9530 if that would not be a valid port.
    pub group_port: u16,
    /// `bind` attribute of `<l2-group-port>`/`<tsa-group-port>`. Default: [`ServerConfig::bind`].
    pub group_bind: String,
    /// `<data>`: the persistence directory. Default `data`. A relative path is relative to the
    /// configuration file's directory (made absolute), or left relative — i.e. to the current
    /// directory — for the embedded default and configurations read from a string.
    pub data: PathBuf,
    /// `<logs>`: the log directory. Default `logs`; relative paths as for `data`.
    pub logs: PathBuf,
    /// `<dso><persistence><mode>`; [`PersistenceMode::PermanentStore`] whenever
    /// `<servers><restartable enabled="true"/>`. Default [`PersistenceMode::TemporarySwapOnly`].
    pub persistence: PersistenceMode,
    /// `<dso><client-reconnect-window>` in seconds, else `<servers><client-reconnect-window>`,
    /// else 120.
    pub client_reconnect_window_secs: u64,
    /// `<dso><garbage-collection>`, else `<servers><garbage-collection>`, else the defaults of
    /// [`GarbageCollection`].
    pub garbage_collection: GarbageCollection,
    /// `<offheap>` (or `<dso><persistence><offheap>`), if present.
    pub offheap: Option<Offheap>,
    /// Name of the mirror group this server belongs to.
    pub group: String,
}

/// Durability of a server's object store.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum PersistenceMode {
    /// `temporary-swap-only` (default): objects live in memory (and may spill); nothing survives a restart.
    TemporarySwapOnly,
    /// `permanent-store`: every acknowledged transaction is on disk; the server restarts with its data.
    PermanentStore,
}

impl PersistenceMode {
    /// The configuration spelling: `temporary-swap-only` or `permanent-store`.
    pub fn as_str(self) -> &'static str {
        match self {
            PersistenceMode::TemporarySwapOnly => "temporary-swap-only",
            PersistenceMode::PermanentStore => "permanent-store",
        }
    }
}

/// `<offheap>`: memory outside the heap for the object store.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Offheap {
    /// `<enabled>`. Default `false`, as in Terracotta's schema.
    pub enabled: bool,
    /// `<maxDataSize>` (or `<maxOffHeapSize>`) as written, e.g. `2g`. Empty when absent (allowed
    /// only when off-heap is disabled).
    pub max_data_size: String,
    /// `max_data_size` in bytes: suffixes `k`, `m`, `g`, `t` (optionally followed by `b`),
    /// case-insensitive, powers of 1024; no suffix means bytes. 0 when absent.
    pub max_data_size_bytes: u64,
}

/// The `<clients>` section.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Clients {
    /// `<logs>`: client log directory; `None` (default) lets the client choose.
    pub logs: Option<PathBuf>,
    /// `<dso><fault-count>`: objects prefetched per fault. Default 500.
    pub fault_count: u32,
}

impl Default for Clients {
    fn default() -> Self {
        Clients {
            logs: None,
            fault_count: DEFAULT_FAULT_COUNT,
        }
    }
}

/// `<application><dso>`: what the Java agent shares, instruments and locks.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Application {
    /// `<roots><root>`.
    pub roots: Vec<RootDecl>,
    /// `<instrumented-classes>`: `<include>` and `<exclude>` in order (later rules win).
    pub instrumented_classes: Vec<InstrumentedClass>,
    /// `<transient-fields><field-name>`.
    pub transient_fields: Vec<String>,
    /// `<locks>`: `<autolock>` and `<named-lock>` in order.
    pub locks: Vec<LockDecl>,
    /// `<distributed-methods><method-expression>`.
    pub distributed_methods: Vec<DistributedMethod>,
    /// `<injected-instances><injected-field>`.
    pub injected_instances: Vec<InjectedInstance>,
    /// `<additional-boot-jar-classes><include>`.
    pub additional_boot_jar_classes: Vec<String>,
}

/// A shared root: a static or instance field whose value is the same object everywhere.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RootDecl {
    /// `<field-name>` (or `<field-expression>`), e.g. `org.mortbay.cometd.CometdServlet._bayeux`.
    pub field_name: String,
    /// `<root-name>`: roots with the same name share one object. Default: none (the field name is the name).
    pub root_name: Option<String>,
}

/// What `<on-load>` does when an instrumented class loads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum OnLoadKind {
    /// `<execute>`: run a script.
    Execute,
    /// `<method>`: call a method of the class.
    Method,
}

/// An `<include>` or `<exclude>` rule of `<instrumented-classes>`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct InstrumentedClass {
    /// `true` for `<include>`, `false` for `<exclude>`.
    pub include: bool,
    /// `<class-expression>` (AspectWerkz syntax, e.g. `org.mortbay.cometd..*`).
    pub class_expression: String,
    /// `<honor-transient>`: do not share `transient` fields. Default `false`.
    pub honor_transient: bool,
    /// `<on-load>`: the script (`<execute>`) or method name (`<method>`). Default none.
    pub on_load: Option<String>,
    /// Which of the two `on_load` is. `None` when `on_load` is.
    pub on_load_kind: Option<OnLoadKind>,
}

/// Kind of a lock declaration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum LockKind {
    /// `<autolock>`: `synchronized` blocks and methods matching the expression become cluster locks.
    Autolock,
    /// `<named-lock>`: calls to matching methods hold the cluster lock `lock_name`.
    NamedLock,
}

/// Level of a cluster lock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum LockLevel {
    /// `write` (default): exclusive.
    #[default]
    Write,
    /// `read`: shared among readers.
    Read,
    /// `concurrent`: no exclusion, only a transaction boundary.
    Concurrent,
    /// `synchronous-write`: exclusive, and release waits until the transaction is acknowledged.
    SynchronousWrite,
}

impl LockLevel {
    /// The configuration spelling (`write`, `read`, `concurrent`, `synchronous-write`).
    pub fn as_str(self) -> &'static str {
        match self {
            LockLevel::Write => "write",
            LockLevel::Read => "read",
            LockLevel::Concurrent => "concurrent",
            LockLevel::SynchronousWrite => "synchronous-write",
        }
    }

    /// Parse a configuration spelling, case-insensitive.
    pub fn parse(s: &str) -> Option<LockLevel> {
        [
            LockLevel::Write,
            LockLevel::Read,
            LockLevel::Concurrent,
            LockLevel::SynchronousWrite,
        ]
        .into_iter()
        .find(|l| l.as_str().eq_ignore_ascii_case(s))
    }
}

/// One `<autolock>` or `<named-lock>`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct LockDecl {
    /// Which element declared it.
    pub kind: LockKind,
    /// `<method-expression>`, e.g. `* org.mortbay.cometd.*.*(..)`.
    pub method_expression: String,
    /// `<lock-level>`. Default [`LockLevel::Write`].
    pub level: LockLevel,
    /// `<lock-name>` of a named lock; `None` for autolocks.
    pub lock_name: Option<String>,
    /// `auto-synchronized` attribute of `<autolock>`: treat matching methods as `synchronized`.
    /// Default `false`.
    pub auto_synchronized: bool,
}

/// A distributed method: after the transaction commits, the call runs on other clients too.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct DistributedMethod {
    /// The `<method-expression>` text.
    pub method_expression: String,
    /// `run-on-all-nodes` attribute: every client (default `true`), or only those where the
    /// receiver is resident (`false`).
    pub run_on_all_nodes: bool,
}

/// An `<injected-field>`: a field the agent fills with a cluster object (e.g. `DsoCluster`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct InjectedInstance {
    /// `<field-name>`.
    pub field_name: String,
    /// `<instance-type>` (or `<type>`); `None` lets the field's declared type decide.
    pub type_name: Option<String>,
}

impl TcConfig {
    /// Read and parse a configuration file. Relative `<data>`/`<logs>` paths become relative to
    /// the file's directory.
    pub fn from_file(path: impl AsRef<Path>) -> Result<TcConfig, ConfigError> {
        let path = path.as_ref();
        let bytes = std::fs::read(path).map_err(|source| ConfigError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        let origin = path.display().to_string();
        let text = match String::from_utf8(bytes) {
            Ok(t) => t,
            Err(e) => {
                let good = e.utf8_error().valid_up_to();
                let lossy = String::from_utf8_lossy(e.as_bytes()).into_owned();
                let prefix = String::from_utf8_lossy(&e.as_bytes()[..good]).into_owned();
                let (line, column) = xml::LineMap::new(&lossy).position(prefix.len());
                return Err(ConfigError::Xml {
                    file: origin,
                    line,
                    column,
                    message: "the file is not valid UTF-8".to_string(),
                });
            }
        };
        let dir = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let dir = std::path::absolute(&dir).unwrap_or(dir);
        tracing::debug!(file = %origin, "parsing configuration");
        parse::parse_config(&text, &origin, Some(dir))
    }

    /// Parse configuration text. `origin` names it in warnings and errors (e.g. `<string>`);
    /// relative paths stay relative (to the current directory).
    pub fn from_str_with_origin(xml: &str, origin: &str) -> Result<TcConfig, ConfigError> {
        parse::parse_config(xml, origin, None)
    }

    /// The parsed [`EMBEDDED_DEFAULT`], with source `<embedded default>`.
    pub fn embedded_default() -> TcConfig {
        TcConfig::from_str_with_origin(EMBEDDED_DEFAULT, EMBEDDED_ORIGIN)
            .expect("the embedded default configuration is valid (covered by tests)")
    }

    /// Select the server this process is: by name if given (error naming the available names if
    /// absent); otherwise the only server, or else the first whose host is this machine
    /// (`localhost`, a loopback address, this host's name, or an address of one of its
    /// interfaces), else [`ConfigError::NoLocalServer`].
    pub fn select_server(&self, name: Option<&str>) -> Result<&ServerConfig, ConfigError> {
        let names = || self.all_servers().map(|s| s.name.clone()).collect();
        match name {
            Some(n) => {
                self.all_servers()
                    .find(|s| s.name == n)
                    .ok_or_else(|| ConfigError::NoSuchServer {
                        file: self.source.clone(),
                        name: n.to_string(),
                        available: names(),
                    })
            }
            None => {
                let mut all = self.all_servers();
                if let (Some(only), None) = (all.next(), all.next()) {
                    return Ok(only);
                }
                self.all_servers()
                    .find(|s| subst::is_local_host(&s.host))
                    .ok_or_else(|| ConfigError::NoLocalServer {
                        file: self.source.clone(),
                        available: names(),
                    })
            }
        }
    }

    /// Every server of every mirror group, in configuration order.
    pub fn all_servers(&self) -> impl Iterator<Item = &ServerConfig> {
        self.servers.groups.iter().flat_map(|g| g.servers.iter())
    }

    /// `"host:dso_port"` of every server, in configuration order (for clients to try). IPv6
    /// addresses are bracketed (`[::1]:9510`).
    pub fn client_addresses(&self) -> Vec<String> {
        self.all_servers()
            .map(|s| host_port(&s.host, s.dso_port))
            .collect()
    }

    /// The mirror group named `name`.
    pub fn group(&self, name: &str) -> Option<&MirrorGroup> {
        self.servers.groups.iter().find(|g| g.name == name)
    }

    /// Human summary for `kiln-server check-config`: servers with ports, directories and
    /// persistence, groups, HA, reconnect window, application counts, warnings.
    pub fn summary(&self) -> String {
        let mut s = String::new();
        let _ = writeln!(s, "configuration: {}", self.source);
        let total = self.all_servers().count();
        let _ = writeln!(
            s,
            "servers: {total} in {} mirror group(s); ha mode {}, election time {} s; restartable {}; client reconnect window {} s",
            self.servers.groups.len(),
            self.servers.ha.mode,
            self.servers.ha.election_time_secs,
            self.servers.restartable,
            self.servers.client_reconnect_window_secs,
        );
        for g in &self.servers.groups {
            let _ = writeln!(
                s,
                "  group {} (election time {} s, {} server(s))",
                g.name,
                g.election_time_secs,
                g.servers.len()
            );
            for sv in &g.servers {
                let _ = writeln!(
                    s,
                    "    server {}: host {} bind {}; dso port {}, jmx port {}, group port {}",
                    sv.name, sv.host, sv.bind, sv.dso_port, sv.jmx_port, sv.group_port
                );
                let _ = writeln!(
                    s,
                    "      data {}, logs {}, persistence {}, client reconnect window {} s",
                    sv.data.display(),
                    sv.logs.display(),
                    sv.persistence.as_str(),
                    sv.client_reconnect_window_secs
                );
                let gc = &sv.garbage_collection;
                let _ = writeln!(
                    s,
                    "      distributed GC {} every {} s{}",
                    if gc.enabled { "enabled" } else { "disabled" },
                    gc.interval_secs,
                    if gc.verbose { " (verbose)" } else { "" }
                );
                if let Some(o) = &sv.offheap {
                    let _ = writeln!(
                        s,
                        "      offheap {}, max data size {} ({} bytes)",
                        if o.enabled { "enabled" } else { "disabled" },
                        if o.max_data_size.is_empty() {
                            "unset"
                        } else {
                            &o.max_data_size
                        },
                        o.max_data_size_bytes
                    );
                }
            }
        }
        let _ = writeln!(
            s,
            "client addresses: {}",
            self.client_addresses().join(", ")
        );
        let _ = writeln!(
            s,
            "clients: fault count {}, logs {}",
            self.clients.fault_count,
            self.clients
                .logs
                .as_ref()
                .map_or_else(|| "(default)".to_string(), |p| p.display().to_string())
        );
        let a = &self.application;
        let _ = writeln!(
            s,
            "application dso: {} root(s), {} instrumented-class rule(s), {} transient field(s), {} lock(s), {} distributed method(s), {} injected instance(s), {} additional boot-jar class(es)",
            a.roots.len(),
            a.instrumented_classes.len(),
            a.transient_fields.len(),
            a.locks.len(),
            a.distributed_methods.len(),
            a.injected_instances.len(),
            a.additional_boot_jar_classes.len()
        );
        let _ = writeln!(s, "tc-properties: {} set", self.tc_properties.entries.len());
        for (k, v) in &self.tc_properties.entries {
            let _ = writeln!(s, "  {k} = {v}");
        }
        let hc = |t| self.tc_properties.healthcheck(t).max_time_ms();
        let _ = writeln!(
            s,
            "healthcheck max time: L2->L1 {} ms, L2->L2 {} ms, L1->L2 {} ms",
            hc(HealthCheckTarget::L2ToL1),
            hc(HealthCheckTarget::L2ToL2),
            hc(HealthCheckTarget::L1ToL2)
        );
        if let Some(w) = healthcheck_window_warning(self) {
            let _ = writeln!(s, "warning: {w}");
        }
        let _ = writeln!(s, "warnings: {}", self.warnings.len());
        for w in &self.warnings {
            let _ = writeln!(s, "  {w}");
        }
        s
    }
}

fn host_port(host: &str, port: u16) -> String {
    if host.contains(':') && !host.starts_with('[') {
        format!("[{host}]:{port}")
    } else {
        format!("{host}:{port}")
    }
}

/// Seed 003's check of the client HealthChecker against the servers' own:
/// `L2-L2 max time + election time < L1-L2 max time < L2-L2 max time + election time + client reconnect window`.
///
/// Election time is the longest of the mirror groups', the reconnect window the shortest of the
/// servers'. Returns a message with the numbers and a suggested
/// `l1.healthcheck.l2.socketConnectCount` (aiming about 10 s above the lower bound, as the seed's
/// "8–12 s longer" advice) when the L1-L2 time is outside; `None` when it is inside, or when
/// either HealthChecker has pings disabled. With all defaults (85 s, 5 s, 120 s, 109 s) it is inside.
pub fn healthcheck_window_warning(cfg: &TcConfig) -> Option<String> {
    let l2 = cfg.tc_properties.healthcheck(HealthCheckTarget::L2ToL2);
    let l1 = cfg.tc_properties.healthcheck(HealthCheckTarget::L1ToL2);
    if !l2.ping_enabled || !l1.ping_enabled {
        return None;
    }
    let l2l2 = l2.max_time_ms();
    let l1l2 = l1.max_time_ms();
    let election_ms = cfg
        .servers
        .groups
        .iter()
        .map(|g| g.election_time_secs)
        .max()
        .unwrap_or(cfg.servers.ha.election_time_secs)
        .saturating_mul(1000);
    let window_ms = cfg
        .all_servers()
        .map(|s| s.client_reconnect_window_secs)
        .min()
        .unwrap_or(cfg.servers.client_reconnect_window_secs)
        .saturating_mul(1000);
    let low = l2l2.saturating_add(election_ms);
    let high = low.saturating_add(window_ms);
    let suggestion = || {
        let per_round = l1
            .ping_interval_ms
            .saturating_mul(u64::from(l1.ping_probes))
            .saturating_add(
                u64::from(l1.socket_connect_timeout).saturating_mul(l1.ping_interval_ms),
            );
        if !l1.socket_connect || per_round == 0 {
            return String::new();
        }
        let target = low
            .saturating_add(10_000)
            .saturating_sub(l1.ping_idletime_ms);
        let count = target.div_ceil(per_round);
        format!(" Suggested: l1.healthcheck.l2.socketConnectCount = {count}.")
    };
    if l1l2 <= low {
        Some(format!(
            "HA not configured properly: L1->L2 HealthCheck max time ({l1l2} ms) should be more than L2->L2 HealthCheck max time ({l2l2} ms) + election time ({election_ms} ms) = {low} ms, ideally by 8-12 s; otherwise clients may leave an active server that is still alive.{}",
            suggestion()
        ))
    } else if l1l2 >= high {
        Some(format!(
            "HA not configured properly: L1->L2 HealthCheck max time ({l1l2} ms) should be less than L2->L2 HealthCheck max time ({l2l2} ms) + election time ({election_ms} ms) + client reconnect window ({window_ms} ms) = {high} ms; otherwise clients may notice a failover only after the reconnect window has closed.{}",
            suggestion()
        ))
    } else {
        None
    }
}

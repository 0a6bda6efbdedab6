//! `<tc-properties>`: raw entries plus typed accessors with Terracotta's defaults.

use std::collections::BTreeMap;

/// The `<tc-properties>` section: `<property name="…" value="…"/>` entries.
///
/// Entries are kept verbatim (after trimming and substitution). The typed accessors return
/// Terracotta's defaults for absent keys. Values of the keys the accessors read are validated
/// when the configuration is parsed, so a bad value is reported with its line and column; should
/// one slip through (a hand-built `TcProperties`), the accessor logs a warning and uses the default.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct TcProperties {
    /// Property name → value, sorted by name.
    pub entries: BTreeMap<String, String>,
}

/// Which HealthChecker a set of `*.healthcheck.*` properties configures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
pub enum HealthCheckTarget {
    /// Server checking its clients: prefix `l2.healthcheck.l1`.
    L2ToL1,
    /// Server checking its peer servers (HA only): prefix `l2.healthcheck.l2`.
    L2ToL2,
    /// Client checking its server: prefix `l1.healthcheck.l2`.
    L1ToL2,
}

impl HealthCheckTarget {
    /// The property prefix, e.g. `l2.healthcheck.l1`.
    pub fn prefix(self) -> &'static str {
        match self {
            HealthCheckTarget::L2ToL1 => "l2.healthcheck.l1",
            HealthCheckTarget::L2ToL2 => "l2.healthcheck.l2",
            HealthCheckTarget::L1ToL2 => "l1.healthcheck.l2",
        }
    }

    /// Terracotta's built-in HealthChecker settings for this direction.
    ///
    /// All three: ping enabled, idle time 5000 ms, interval 1000 ms, 3 probes, socket connect
    /// enabled, socket connect timeout 5 (× interval), socket connect count 10 — except
    /// `l1.healthcheck.l2.socketConnectCount`, which is **13** as in Terracotta's shipped
    /// `tc.properties`: with 10 the client would give up (85 s) before the servers' own
    /// detection plus election (85 s + 5 s), which seed 003 warns against.
    pub fn defaults(self) -> HealthCheck {
        HealthCheck {
            ping_enabled: true,
            ping_idletime_ms: 5000,
            ping_interval_ms: 1000,
            ping_probes: 3,
            socket_connect: true,
            socket_connect_timeout: 5,
            socket_connect_count: match self {
                HealthCheckTarget::L1ToL2 => 13,
                _ => 10,
            },
        }
    }
}

/// Typed HealthChecker settings for one direction (see [`TcProperties::healthcheck`]).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct HealthCheck {
    /// `<prefix>.ping.enabled`: send ping probes at all. Default `true`.
    pub ping_enabled: bool,
    /// `<prefix>.ping.idletime`: silence (ms) before probing starts. Default 5000.
    pub ping_idletime_ms: u64,
    /// `<prefix>.ping.interval`: time (ms) between unanswered probes. Default 1000.
    pub ping_interval_ms: u64,
    /// `<prefix>.ping.probes`: unanswered probes per round. Default 3.
    pub ping_probes: u32,
    /// `<prefix>.socketConnect`: try a plain socket connect when probes go unanswered. Default `true`.
    pub socket_connect: bool,
    /// `<prefix>.socketConnectTimeout`: socket connect timeout as a multiple of the ping interval. Default 5.
    pub socket_connect_timeout: u32,
    /// `<prefix>.socketConnectCount`: successful socket connects tolerated without an answered
    /// ping before the peer is declared dead. Default 10 (13 for `l1.healthcheck.l2`).
    pub socket_connect_count: u32,
}

impl HealthCheck {
    /// Longest time (ms) before a silent peer is declared dead — seed 003's formula:
    /// `idletime + socketConnectCount × (interval × probes + socketConnectTimeout × interval)`.
    ///
    /// When `socket_connect` is off a single round of probes decides:
    /// `idletime + interval × probes`. Arithmetic saturates instead of overflowing.
    pub fn max_time_ms(&self) -> u64 {
        let probes = self
            .ping_interval_ms
            .saturating_mul(u64::from(self.ping_probes));
        if !self.socket_connect {
            return self.ping_idletime_ms.saturating_add(probes);
        }
        let connect = u64::from(self.socket_connect_timeout).saturating_mul(self.ping_interval_ms);
        self.ping_idletime_ms.saturating_add(
            u64::from(self.socket_connect_count).saturating_mul(probes.saturating_add(connect)),
        )
    }
}

/// Automatic reconnect settings (see [`TcProperties::l1_reconnect`], [`TcProperties::l2_group_reconnect`]).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ReconnectProps {
    /// Whether reconnect is attempted after a disconnection. Default `false`.
    pub enabled: bool,
    /// How long (ms) a reconnect may take. Default 2000.
    pub timeout_ms: u64,
}

/// First-time client connection settings (see [`TcProperties::l1_connect`]).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct L1ConnectProps {
    /// `l1.max.connect.retries`: attempts over the server list; `-1` (default) retries forever.
    pub max_connect_retries: i64,
    /// `l1.socket.connect.timeout`: one connect attempt's timeout in ms. Default 10000.
    pub socket_connect_timeout_ms: u64,
    /// `l1.socket.reconnect.waitInterval`: pause between attempts in ms (minimum 10). Default 1000.
    pub reconnect_wait_interval_ms: u64,
}

/// The type a known property must have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PropKind {
    Bool,
    U32,
    U64,
    I64,
}

/// The type of the known properties the typed accessors read (validated at parse time).
pub(crate) fn known_kind(key: &str) -> Option<PropKind> {
    for t in [
        HealthCheckTarget::L2ToL1,
        HealthCheckTarget::L2ToL2,
        HealthCheckTarget::L1ToL2,
    ] {
        if let Some(suffix) = key
            .strip_prefix(t.prefix())
            .and_then(|s| s.strip_prefix('.'))
        {
            return match suffix {
                "ping.enabled" | "socketConnect" => Some(PropKind::Bool),
                "ping.idletime" | "ping.interval" => Some(PropKind::U64),
                "ping.probes" | "socketConnectTimeout" | "socketConnectCount" => {
                    Some(PropKind::U32)
                }
                _ => None,
            };
        }
    }
    match key {
        "l2.l1reconnect.enabled"
        | "l2.nha.tcgroupcomm.reconnect.enabled"
        | "l2.management.token.all"
        | "l2.lockprofiler.enabled" => Some(PropKind::Bool),
        "l2.l1reconnect.timeout.millis"
        | "l2.nha.tcgroupcomm.reconnect.timeout"
        | "l1.socket.connect.timeout"
        | "l1.socket.reconnect.waitInterval"
        | "l2.lockprofiler.maxLocks" => Some(PropKind::U64),
        "l1.max.connect.retries" => Some(PropKind::I64),
        _ => None,
    }
}

/// Check `value` against `kind`; `Err(reason)` when it does not fit.
pub(crate) fn check_kind(kind: PropKind, value: &str) -> Result<(), String> {
    match kind {
        PropKind::Bool => parse_bool(value)
            .map(|_| ())
            .ok_or_else(|| "expected 'true' or 'false'".to_string()),
        PropKind::U32 => value
            .parse::<u32>()
            .map(|_| ())
            .map_err(|_| "expected a whole number from 0 to 4294967295".to_string()),
        PropKind::U64 => value
            .parse::<u64>()
            .map(|_| ())
            .map_err(|_| "expected a non-negative whole number".to_string()),
        PropKind::I64 => value
            .parse::<i64>()
            .map(|_| ())
            .map_err(|_| "expected a whole number (-1 means forever)".to_string()),
    }
}

/// `true`/`false`, case-insensitive (Java's `Boolean.valueOf` accepts only those).
pub(crate) fn parse_bool(v: &str) -> Option<bool> {
    if v.eq_ignore_ascii_case("true") {
        Some(true)
    } else if v.eq_ignore_ascii_case("false") {
        Some(false)
    } else {
        None
    }
}

impl TcProperties {
    /// The raw value of a property, if set.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.entries.get(key).map(String::as_str)
    }

    fn typed<T: std::str::FromStr>(
        &self,
        key: &str,
        default: T,
        parse: fn(&str) -> Option<T>,
    ) -> T {
        match self.get(key) {
            None => default,
            Some(v) => parse(v).unwrap_or_else(|| {
                tracing::warn!(
                    property = key,
                    value = v,
                    "bad tc-property value; using the default"
                );
                default
            }),
        }
    }

    fn bool_or(&self, key: &str, default: bool) -> bool {
        self.typed(key, default, parse_bool)
    }

    fn u64_or(&self, key: &str, default: u64) -> u64 {
        self.typed(key, default, |v| v.parse().ok())
    }

    fn u32_or(&self, key: &str, default: u32) -> u32 {
        self.typed(key, default, |v| v.parse().ok())
    }

    /// The lock profiler at start: `l2.lockprofiler.enabled` (default false) and
    /// `l2.lockprofiler.maxLocks`, how many locks it tracks (default 10,000; at least 1).
    pub fn lock_profiler(&self) -> (bool, u64) {
        (
            self.bool_or("l2.lockprofiler.enabled", false),
            self.u64_or("l2.lockprofiler.maxLocks", 10_000).max(1),
        )
    }

    /// HealthChecker settings for one direction, `<prefix>.ping.enabled`, `.ping.idletime`,
    /// `.ping.interval`, `.ping.probes`, `.socketConnect`, `.socketConnectTimeout`,
    /// `.socketConnectCount`, each defaulting to [`HealthCheckTarget::defaults`].
    pub fn healthcheck(&self, prefix: HealthCheckTarget) -> HealthCheck {
        let d = prefix.defaults();
        let p = prefix.prefix();
        HealthCheck {
            ping_enabled: self.bool_or(&format!("{p}.ping.enabled"), d.ping_enabled),
            ping_idletime_ms: self.u64_or(&format!("{p}.ping.idletime"), d.ping_idletime_ms),
            ping_interval_ms: self.u64_or(&format!("{p}.ping.interval"), d.ping_interval_ms),
            ping_probes: self.u32_or(&format!("{p}.ping.probes"), d.ping_probes),
            socket_connect: self.bool_or(&format!("{p}.socketConnect"), d.socket_connect),
            socket_connect_timeout: self.u32_or(
                &format!("{p}.socketConnectTimeout"),
                d.socket_connect_timeout,
            ),
            socket_connect_count: self
                .u32_or(&format!("{p}.socketConnectCount"), d.socket_connect_count),
        }
    }

    /// Client reconnect: `l2.l1reconnect.enabled` (default `false`) and
    /// `l2.l1reconnect.timeout.millis` (default 2000).
    pub fn l1_reconnect(&self) -> ReconnectProps {
        ReconnectProps {
            enabled: self.bool_or("l2.l1reconnect.enabled", false),
            timeout_ms: self.u64_or("l2.l1reconnect.timeout.millis", 2000),
        }
    }

    /// Server-to-server reconnect: `l2.nha.tcgroupcomm.reconnect.enabled` (default `false`) and
    /// `l2.nha.tcgroupcomm.reconnect.timeout` (default 2000).
    pub fn l2_group_reconnect(&self) -> ReconnectProps {
        ReconnectProps {
            enabled: self.bool_or("l2.nha.tcgroupcomm.reconnect.enabled", false),
            timeout_ms: self.u64_or("l2.nha.tcgroupcomm.reconnect.timeout", 2000),
        }
    }

    /// First-time connection: `l1.max.connect.retries` (default -1 = forever),
    /// `l1.socket.connect.timeout` (default 10000 ms), `l1.socket.reconnect.waitInterval`
    /// (default 1000 ms, raised to the minimum of 10 ms).
    pub fn l1_connect(&self) -> L1ConnectProps {
        L1ConnectProps {
            max_connect_retries: self.typed("l1.max.connect.retries", -1, |v| v.parse().ok()),
            socket_connect_timeout_ms: self.u64_or("l1.socket.connect.timeout", 10_000),
            reconnect_wait_interval_ms: self
                .u64_or("l1.socket.reconnect.waitInterval", 1000)
                .max(10),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn props(pairs: &[(&str, &str)]) -> TcProperties {
        TcProperties {
            entries: pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        }
    }

    #[test]
    fn defaults() {
        let p = TcProperties::default();
        assert_eq!(
            p.healthcheck(HealthCheckTarget::L2ToL2).max_time_ms(),
            85_000
        );
        assert_eq!(
            p.healthcheck(HealthCheckTarget::L2ToL1).max_time_ms(),
            85_000
        );
        assert_eq!(
            p.healthcheck(HealthCheckTarget::L1ToL2).max_time_ms(),
            109_000
        );
        assert_eq!(
            p.l1_reconnect(),
            ReconnectProps {
                enabled: false,
                timeout_ms: 2000
            }
        );
        assert!(!p.l2_group_reconnect().enabled);
        let c = p.l1_connect();
        assert_eq!(c.max_connect_retries, -1);
        assert_eq!(c.socket_connect_timeout_ms, 10_000);
        assert_eq!(c.reconnect_wait_interval_ms, 1000);
    }

    #[test]
    fn bad_values_fall_back() {
        let p = props(&[
            ("l2.l1reconnect.enabled", "yes"),
            ("l1.max.connect.retries", "3"),
        ]);
        assert!(!p.l1_reconnect().enabled);
        assert_eq!(p.l1_connect().max_connect_retries, 3);
    }

    #[test]
    fn socket_connect_off() {
        let mut h = HealthCheckTarget::L1ToL2.defaults();
        h.socket_connect = false;
        assert_eq!(h.max_time_ms(), 8000);
    }

    #[test]
    fn kinds() {
        assert_eq!(
            known_kind("l1.healthcheck.l2.ping.probes"),
            Some(PropKind::U32)
        );
        assert_eq!(known_kind("l1.healthcheck.l2.bindPort"), None);
        assert_eq!(known_kind("l1.max.connect.retries"), Some(PropKind::I64));
        assert!(check_kind(PropKind::U64, "-1").is_err());
        assert!(check_kind(PropKind::Bool, "TRUE").is_ok());
        assert_eq!(known_kind("l2.lockprofiler.enabled"), Some(PropKind::Bool));
        assert_eq!(known_kind("l2.lockprofiler.maxLocks"), Some(PropKind::U64));
        assert_eq!(props(&[]).lock_profiler(), (false, 10_000));
        assert_eq!(
            props(&[
                ("l2.lockprofiler.enabled", "true"),
                ("l2.lockprofiler.maxLocks", "0")
            ])
            .lock_profiler(),
            (true, 1)
        );
    }
}

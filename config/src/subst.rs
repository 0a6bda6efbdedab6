//! Terracotta parameter substitution (`%(prop)`, `%h`, `%i`, `%D`, …) and local host facts.

use std::net::{IpAddr, Ipv4Addr, ToSocketAddrs, UdpSocket};
use std::sync::OnceLock;
use std::time::{SystemTime, UNIX_EPOCH};

/// Why a substitution failed: the offending `%(…)` text and its byte offset in the value.
#[derive(Debug)]
pub(crate) struct SubstError {
    pub(crate) offset: usize,
    pub(crate) token: String,
    pub(crate) reason: String,
}

/// Apply every substitution to `value`. See the crate documentation for the table.
pub(crate) fn substitute(value: &str) -> Result<String, SubstError> {
    if !value.contains('%') {
        return Ok(value.to_string());
    }
    let mut out = String::with_capacity(value.len());
    let mut rest = value;
    let mut consumed = 0usize;
    while let Some(idx) = rest.find('%') {
        out.push_str(&rest[..idx]);
        let after = &rest[idx + 1..];
        let mut chars = after.chars();
        let (replacement, used) = match chars.next() {
            Some('(') => match after.find(')') {
                Some(close) => {
                    let prop = &after[1..close];
                    let token = format!("%({prop})");
                    let v = property(prop).ok_or_else(|| SubstError {
                        offset: consumed + idx,
                        token: token.clone(),
                        reason: format!(
                            "property '{prop}' is not known: set the environment variable '{prop}' or '{}'",
                            env_name(prop)
                        ),
                    })?;
                    (v, close + 1)
                }
                None => {
                    return Err(SubstError {
                        offset: consumed + idx,
                        token: after.chars().take(20).collect::<String>(),
                        reason: "unterminated '%(' substitution (missing ')')".to_string(),
                    })
                }
            },
            Some('h') => (hostname().to_string(), 1),
            Some('i') => (local_ip().to_string(), 1),
            Some('D') => (timestamp(SystemTime::now()), 1),
            Some('n') => (user_name().unwrap_or_default(), 1),
            Some('H') => (std::env::var("HOME").unwrap_or_default(), 1),
            Some('t') => (tmpdir(), 1),
            Some('o') => (std::env::consts::OS.to_string(), 1),
            Some('a') => (std::env::consts::ARCH.to_string(), 1),
            // Anything else (including a trailing '%') is kept literally.
            _ => ("%".to_string(), 0),
        };
        out.push_str(&replacement);
        let advance = idx + 1 + used;
        consumed += advance;
        rest = &rest[advance..];
    }
    out.push_str(rest);
    Ok(out)
}

/// Environment variable name tried for a property after its exact name: dots become
/// underscores, upper-cased (`kiln.data` → `KILN_DATA`).
pub(crate) fn env_name(prop: &str) -> String {
    prop.chars()
        .map(|c| {
            if c == '.' || c == '-' {
                '_'
            } else {
                c.to_ascii_uppercase()
            }
        })
        .collect()
}

fn property(prop: &str) -> Option<String> {
    let builtin = match prop {
        "user.home" => std::env::var("HOME").ok(),
        "user.name" => user_name(),
        "user.dir" => std::env::current_dir()
            .ok()
            .map(|p| p.display().to_string()),
        "java.io.tmpdir" => Some(tmpdir()),
        "os.name" => Some(std::env::consts::OS.to_string()),
        "os.arch" => Some(std::env::consts::ARCH.to_string()),
        "file.separator" => Some(std::path::MAIN_SEPARATOR.to_string()),
        _ => None,
    };
    builtin
        .or_else(|| std::env::var(prop).ok())
        .or_else(|| std::env::var(env_name(prop)).ok())
}

/// `$USER`, `$LOGNAME`, `$USERNAME`, else the `/etc/passwd` entry of this process's user.
pub(crate) fn user_name() -> Option<String> {
    std::env::var("USER")
        .or_else(|_| std::env::var("LOGNAME"))
        .or_else(|_| std::env::var("USERNAME"))
        .ok()
        .filter(|s| !s.is_empty())
        .or_else(passwd_name)
}

#[cfg(unix)]
fn passwd_name() -> Option<String> {
    use std::os::unix::fs::MetadataExt;
    let uid = std::fs::metadata("/proc/self").ok()?.uid().to_string();
    let passwd = std::fs::read_to_string("/etc/passwd").ok()?;
    passwd.lines().find_map(|l| {
        let mut f = l.split(':');
        let name = f.next()?;
        let _pw = f.next()?;
        (f.next()? == uid).then(|| name.to_string())
    })
}

#[cfg(not(unix))]
fn passwd_name() -> Option<String> {
    None
}

fn tmpdir() -> String {
    // Java's java.io.tmpdir is /tmp on Unix regardless of TMPDIR.
    if cfg!(unix) {
        "/tmp".to_string()
    } else {
        std::env::temp_dir().display().to_string()
    }
}

/// This machine's host name: `/proc/sys/kernel/hostname`, `/etc/hostname`, `$HOSTNAME`, the
/// `hostname` command, else `localhost`. Computed once.
pub(crate) fn hostname() -> &'static str {
    static NAME: OnceLock<String> = OnceLock::new();
    NAME.get_or_init(|| {
        let from_file = |p: &str| {
            std::fs::read_to_string(p)
                .ok()
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
        };
        from_file("/proc/sys/kernel/hostname")
            .or_else(|| from_file("/etc/hostname"))
            .or_else(|| {
                std::env::var("HOSTNAME")
                    .ok()
                    .filter(|s| !s.trim().is_empty())
            })
            .or_else(|| {
                std::process::Command::new("hostname")
                    .output()
                    .ok()
                    .filter(|o| o.status.success())
                    .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
                    .filter(|s| !s.is_empty())
            })
            .unwrap_or_else(|| "localhost".to_string())
    })
}

/// An IPv4 address of this machine for `%i`: the first non-loopback local address listed in
/// `/proc/net/fib_trie` (what `hostname -I` shows first), else the first non-loopback IPv4
/// address the host name resolves to, else `127.0.0.1`. Computed once; sends no traffic.
pub(crate) fn local_ip() -> IpAddr {
    static IP: OnceLock<IpAddr> = OnceLock::new();
    *IP.get_or_init(|| {
        fib_trie_local()
            .or_else(|| {
                (hostname(), 0)
                    .to_socket_addrs()
                    .ok()?
                    .map(|a| a.ip())
                    .find(|ip| ip.is_ipv4() && !ip.is_loopback())
            })
            .unwrap_or(IpAddr::V4(Ipv4Addr::LOCALHOST))
    })
}

fn fib_trie_local() -> Option<IpAddr> {
    fib_trie_addrs()?.into_iter().find(|ip| !ip.is_loopback())
}

/// Local IPv4 addresses listed in `/proc/net/fib_trie` (`/32 host LOCAL` entries), in order.
fn fib_trie_addrs() -> Option<Vec<IpAddr>> {
    let text = std::fs::read_to_string("/proc/net/fib_trie").ok()?;
    let mut last_ip: Option<Ipv4Addr> = None;
    let mut out = Vec::new();
    for line in text.lines() {
        let t = line.trim_start();
        if let Some(rest) = t.strip_prefix("|-- ").or_else(|| t.strip_prefix("+-- ")) {
            last_ip = rest
                .split(|c: char| c == '/' || c.is_whitespace())
                .next()
                .and_then(|s| s.parse().ok());
        } else if t.starts_with("/32 host LOCAL") {
            if let Some(ip) = last_ip {
                if !out.contains(&IpAddr::V4(ip)) {
                    out.push(IpAddr::V4(ip));
                }
            }
        }
    }
    Some(out)
}

/// Local IPv6 addresses listed in `/proc/net/if_inet6`.
fn inet6_addrs() -> Vec<IpAddr> {
    let Ok(text) = std::fs::read_to_string("/proc/net/if_inet6") else {
        return Vec::new();
    };
    text.lines()
        .filter_map(|l| {
            let hex = l.split_whitespace().next()?;
            let n = u128::from_str_radix(hex, 16).ok()?;
            Some(IpAddr::V6(std::net::Ipv6Addr::from(n)))
        })
        .collect()
}

/// Addresses of this machine's interfaces, when the OS lists them (Linux `/proc`).
fn local_addrs() -> Option<&'static [IpAddr]> {
    static ADDRS: OnceLock<Option<Vec<IpAddr>>> = OnceLock::new();
    ADDRS
        .get_or_init(|| {
            fib_trie_addrs().map(|mut v| {
                v.extend(inet6_addrs());
                v
            })
        })
        .as_deref()
}

/// Whether `host` names this machine: `localhost`, a loopback address, this machine's host name,
/// an address assigned to one of its interfaces, or a name resolving to one of those.
pub(crate) fn is_local_host(host: &str) -> bool {
    let host = host.trim().trim_start_matches('[').trim_end_matches(']');
    if host.eq_ignore_ascii_case("localhost") {
        return true;
    }
    if let Ok(ip) = host.parse::<IpAddr>() {
        return is_local_ip(ip);
    }
    let me = hostname();
    let short = me.split('.').next().unwrap_or(me);
    if host.eq_ignore_ascii_case(me) || host.eq_ignore_ascii_case(short) {
        return true;
    }
    match (host, 0).to_socket_addrs() {
        Ok(mut addrs) => addrs.any(|a| is_local_ip(a.ip())),
        Err(_) => false,
    }
}

fn is_local_ip(ip: IpAddr) -> bool {
    if ip.is_loopback() || ip == local_ip() {
        return true;
    }
    match local_addrs() {
        Some(addrs) => addrs.contains(&ip),
        // Elsewhere: binding succeeds only for addresses assigned to this machine.
        None => UdpSocket::bind((ip, 0)).is_ok(),
    }
}

/// `yyyyMMddHHmmssSSS` in UTC (the `%D` substitution).
pub(crate) fn timestamp(t: SystemTime) -> String {
    let d = t.duration_since(UNIX_EPOCH).unwrap_or_default();
    let secs = d.as_secs();
    let millis = d.subsec_millis();
    let days = i64::try_from(secs / 86_400).unwrap_or(0);
    let rem = secs % 86_400;
    let (y, m, day) = civil_from_days(days);
    format!(
        "{y:04}{m:02}{day:02}{:02}{:02}{:02}{millis:03}",
        rem / 3600,
        (rem % 3600) / 60,
        rem % 60
    )
}

/// Days since 1970-01-01 → (year, month, day), proleptic Gregorian (H. Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = if m <= 2 { y + 1 } else { y };
    (
        y,
        u32::try_from(m).unwrap_or(1),
        u32::try_from(d).unwrap_or(1),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn timestamp_format() {
        let t = UNIX_EPOCH + Duration::from_millis(1_700_000_000_123);
        assert_eq!(timestamp(t), "20231114221320123");
        assert_eq!(timestamp(UNIX_EPOCH), "19700101000000000");
        let leap = UNIX_EPOCH + Duration::from_secs(951_782_400); // 2000-02-29
        assert_eq!(&timestamp(leap)[..8], "20000229");
    }

    #[test]
    fn plain_and_literal_percent() {
        assert_eq!(substitute("abc").expect("plain"), "abc");
        assert_eq!(substitute("50%").expect("trailing"), "50%");
        assert_eq!(substitute("a%zb").expect("unknown"), "a%zb");
        assert!(!substitute("%h").expect("host").is_empty());
        assert!(substitute("%i").expect("ip").parse::<IpAddr>().is_ok());
    }

    #[test]
    fn unknown_property_names_offset() {
        let e = substitute("x/%(no.such.prop.kiln.test)/y").expect_err("unknown");
        assert_eq!(e.offset, 2);
        assert_eq!(e.token, "%(no.such.prop.kiln.test)");
        assert!(e.reason.contains("NO_SUCH_PROP_KILN_TEST"));
        assert!(substitute("%(open").is_err());
    }

    #[test]
    fn env_names() {
        assert_eq!(env_name("kiln.data"), "KILN_DATA");
    }

    #[test]
    fn local_hosts() {
        assert!(is_local_host("localhost"));
        assert!(is_local_host("127.0.0.1"));
        assert!(is_local_host(hostname()));
        assert!(!is_local_host("203.0.113.77")); // TEST-NET-3, not assigned here
        assert!(is_local_host(&local_ip().to_string()));
    }
}

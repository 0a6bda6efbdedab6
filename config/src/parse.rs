//! From the element tree to [`TcConfig`]: validation, defaults, warnings.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::error::{ConfigError, ConfigWarning};
use crate::props::{self, TcProperties};
use crate::subst;
use crate::xml::{parse_tree, Elem, LineMap};
use crate::{
    Application, Clients, DistributedMethod, GarbageCollection, Ha, InjectedInstance,
    InstrumentedClass, LockDecl, LockKind, LockLevel, MirrorGroup, Offheap, OnLoadKind,
    PersistenceMode, Quorum, RootDecl, ServerConfig, Servers, TcConfig, Voter,
    DEFAULT_CLIENT_RECONNECT_WINDOW_SECS, DEFAULT_DSO_PORT, DEFAULT_GROUP_NAME, DEFAULT_GROUP_PORT,
    DEFAULT_JMX_PORT,
};

type Result<T> = std::result::Result<T, ConfigError>;

/// Terracotta elements Kiln recognises but does not use; ignored without a warning.
const IGNORED: &[&str] = &[
    "system",
    "index",
    "statistics",
    "data-backup",
    "authentication",
    "http-authentication",
    "security",
    "secure",
    "update-check",
    "modules",
    "debugging",
    "web-applications",
    "app-groups",
    "dso-reflection-enabled",
    "spring",
    "honor-volatile",
];

struct Ctx<'a> {
    file: String,
    lines: LineMap<'a>,
    base_dir: Option<PathBuf>,
    warnings: Vec<ConfigWarning>,
    /// Mirror groups named so far without a `group-name`.
    unnamed_groups: usize,
}

/// A value read from the document: trimmed, substituted, with the offset of its first character.
struct Val {
    text: String,
    pos: usize,
}

impl Ctx<'_> {
    fn warn(&mut self, pos: usize, message: String) {
        let (line, column) = self.lines.position(pos);
        tracing::warn!(file = %self.file, line, column, "{message}");
        self.warnings.push(ConfigWarning {
            file: self.file.clone(),
            line,
            column,
            message,
        });
    }

    fn invalid(
        &self,
        pos: usize,
        setting: &str,
        value: &str,
        reason: impl Into<String>,
    ) -> ConfigError {
        let (line, column) = self.lines.position(pos);
        ConfigError::Invalid {
            file: self.file.clone(),
            line,
            column,
            setting: setting.to_string(),
            value: value.to_string(),
            reason: reason.into(),
        }
    }

    fn subst(&self, raw: &str, pos: usize, setting: &str) -> Result<String> {
        subst::substitute(raw)
            .map_err(|e| self.invalid(pos + e.offset, setting, &e.token, e.reason))
    }

    /// Warn about text directly inside a container element (e.g. the `...` of doc snippets).
    fn container(&mut self, e: &Elem, path: &str) {
        for (pos, t) in &e.chunks {
            let shown: String = t.split_whitespace().collect::<Vec<_>>().join(" ");
            let shown = if shown.chars().count() > 40 {
                format!("{}…", shown.chars().take(40).collect::<String>())
            } else {
                shown
            };
            self.warn(
                *pos,
                format!("unexpected text '{shown}' inside <{path}> ignored"),
            );
        }
    }

    fn unknown(&mut self, e: &Elem, parent: &str) {
        let path = join(parent, &e.name);
        if IGNORED.contains(&e.name.as_str()) {
            tracing::debug!(file = %self.file, element = %path, "Terracotta setting not used by Kiln; ignored");
        } else {
            self.warn(
                e.pos,
                format!("unknown element <{}> at {path} ignored", e.name),
            );
        }
    }

    /// Warn about attributes other than `allowed` (namespace-prefixed ones are always fine).
    fn check_attrs(&mut self, e: &Elem, path: &str, allowed: &[&str]) {
        let unknown: Vec<(usize, String)> = e
            .attrs
            .iter()
            .filter(|a| !a.name.contains(':') && !allowed.contains(&a.name.as_str()))
            .map(|a| (a.pos, a.name.clone()))
            .collect();
        for (pos, name) in unknown {
            self.warn(
                pos,
                format!("unknown attribute '{name}' of <{path}> ignored"),
            );
        }
    }

    /// The text of a leaf element: trimmed and substituted. Child elements are warned about.
    fn text(&mut self, e: &Elem, path: &str) -> Result<Val> {
        for c in &e.children {
            self.warn(
                c.pos,
                format!(
                    "unexpected element <{}> inside <{path}> (a value) ignored",
                    c.name
                ),
            );
        }
        let raw = e.text.trim();
        let pos = if raw.is_empty() { e.pos } else { e.text_pos };
        Ok(Val {
            text: self.subst(raw, pos, path)?,
            pos,
        })
    }

    /// Refuses a bad AspectWerkz class expression, pointing into it (see [`crate::aw`]).
    fn aw_class(&self, v: &Val, path: &str) -> Result<()> {
        crate::aw::ClassPattern::parse(&v.text)
            .map(|_| ())
            .map_err(|e| self.invalid(v.pos + e.offset, path, &v.text, e.reason))
    }

    /// Refuses a bad AspectWerkz method expression, pointing into it (see [`crate::aw`]).
    fn aw_method(&self, v: &Val, path: &str) -> Result<()> {
        crate::aw::MethodPattern::parse(&v.text)
            .map(|_| ())
            .map_err(|e| self.invalid(v.pos + e.offset, path, &v.text, e.reason))
    }

    fn nonempty(&mut self, e: &Elem, path: &str) -> Result<Val> {
        let v = self.text(e, path)?;
        if v.text.is_empty() {
            return Err(self.invalid(v.pos, path, "", "a value is required"));
        }
        Ok(v)
    }

    fn attr(&self, e: &Elem, name: &str, path: &str) -> Result<Option<Val>> {
        match e.attr(name) {
            None => Ok(None),
            Some(a) => {
                let setting = format!("{path}@{name}");
                let raw = a.value.trim();
                let lead = a.value.len() - a.value.trim_start().len();
                Ok(Some(Val {
                    text: self.subst(raw, a.pos + lead, &setting)?,
                    pos: a.pos + lead,
                }))
            }
        }
    }

    fn bool_of(&self, v: &Val, setting: &str) -> Result<bool> {
        props::parse_bool(&v.text)
            .ok_or_else(|| self.invalid(v.pos, setting, &v.text, "expected 'true' or 'false'"))
    }

    fn bool_text(&mut self, e: &Elem, path: &str) -> Result<bool> {
        let v = self.text(e, path)?;
        self.bool_of(&v, path)
    }

    fn bool_attr(&self, e: &Elem, name: &str, path: &str, default: bool) -> Result<bool> {
        match self.attr(e, name, path)? {
            None => Ok(default),
            Some(v) => self.bool_of(&v, &format!("{path}@{name}")),
        }
    }

    fn u64_of(&self, v: &Val, setting: &str, unit: &str) -> Result<u64> {
        parse_u64(&v.text).map_err(|r| self.invalid(v.pos, setting, &v.text, format!("{r} {unit}")))
    }

    fn u64_text(&mut self, e: &Elem, path: &str, unit: &str) -> Result<u64> {
        let v = self.text(e, path)?;
        self.u64_of(&v, path, unit)
    }

    fn port(&mut self, e: &Elem, path: &str) -> Result<(u16, Option<String>)> {
        self.check_attrs(e, path, &["bind"]);
        let v = self.text(e, path)?;
        let port = parse_port(&v.text).map_err(|r| self.invalid(v.pos, path, &v.text, r))?;
        let bind = self.attr(e, "bind", path)?.map(|b| b.text);
        Ok((port, bind))
    }

    fn path(&mut self, e: &Elem, path: &str) -> Result<PathBuf> {
        let v = self.nonempty(e, path)?;
        Ok(self.resolve(&v.text))
    }

    fn resolve(&self, p: &str) -> PathBuf {
        let p = Path::new(p);
        match &self.base_dir {
            Some(dir) if p.is_relative() => dir.join(p),
            _ => p.to_path_buf(),
        }
    }
}

fn join(parent: &str, name: &str) -> String {
    if parent.is_empty() {
        name.to_string()
    } else {
        format!("{parent}/{name}")
    }
}

fn parse_u64(s: &str) -> std::result::Result<u64, &'static str> {
    if s.is_empty() {
        return Err("a value is required: expected a whole number of");
    }
    if s.starts_with('-') && s[1..].chars().all(|c| c.is_ascii_digit()) && s.len() > 1 {
        return Err("must not be negative: expected a whole number of");
    }
    s.parse::<u64>()
        .map_err(|_| "not a number: expected a whole number of")
}

fn parse_port(s: &str) -> std::result::Result<u16, String> {
    if s.is_empty() {
        return Err("a port number from 1 to 65535 is required".to_string());
    }
    if !s.chars().all(|c| c.is_ascii_digit()) {
        return Err("not a number: expected a port number from 1 to 65535".to_string());
    }
    match s.parse::<u32>() {
        Ok(n) if (1..=65535).contains(&n) => Ok(u16::try_from(n).unwrap_or(DEFAULT_DSO_PORT)),
        _ => Err("out of range: a port must be from 1 to 65535".to_string()),
    }
}

/// Parse a size like `512m`, `2g`, `1024k`, `4096` (bytes); case-insensitive, powers of 1024.
pub(crate) fn parse_size(s: &str) -> std::result::Result<u64, String> {
    let lower = s.trim().to_ascii_lowercase();
    let digits_end = lower
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(lower.len());
    let (num, unit) = lower.split_at(digits_end);
    if num.is_empty() {
        return Err("expected a size such as 512m, 2g, 1024k or 4096 (bytes)".to_string());
    }
    let mult: u64 = match unit.trim() {
        "" | "b" => 1,
        "k" | "kb" => 1 << 10,
        "m" | "mb" => 1 << 20,
        "g" | "gb" => 1 << 30,
        "t" | "tb" => 1 << 40,
        other => {
            return Err(format!(
                "unknown size unit '{other}': use k, m, g or t (or none for bytes)"
            ))
        }
    };
    num.parse::<u64>()
        .ok()
        .and_then(|n| n.checked_mul(mult))
        .ok_or_else(|| "size too large".to_string())
}

/// Parse `src` (named `origin`) into a configuration; `base_dir` anchors relative paths.
pub(crate) fn parse_config(src: &str, origin: &str, base_dir: Option<PathBuf>) -> Result<TcConfig> {
    let lines = LineMap::new(src);
    let root = parse_tree(src, origin, &lines)?;
    let mut ctx = Ctx {
        file: origin.to_string(),
        lines,
        base_dir,
        warnings: Vec::new(),
        unnamed_groups: 0,
    };
    let sections: Vec<&Elem> = match root.name.as_str() {
        "tc-config" => {
            ctx.check_attrs(&root, "tc-config", &[]);
            ctx.container(&root, "tc-config");
            root.children.iter().collect()
        }
        "servers" | "clients" | "application" | "tc-properties" => {
            ctx.warn(
                root.pos,
                format!(
                    "root element is <{}>, not <tc-config>; read as if wrapped in <tc-config>",
                    root.name
                ),
            );
            vec![&root]
        }
        other => {
            return Err(ctx.invalid(
                root.pos,
                "root element",
                other,
                "expected <tc-config> (or a <servers>, <clients>, <application> or <tc-properties> fragment)",
            ))
        }
    };

    let mut seen: HashMap<&str, usize> = HashMap::new();
    let mut tc_properties = TcProperties::default();
    let mut servers_elem: Option<&Elem> = None;
    let mut clients = Clients::default();
    let mut application = Application::default();
    for s in sections {
        let name = s.name.as_str();
        if matches!(
            name,
            "tc-properties" | "servers" | "clients" | "application"
        ) {
            if let Some(first) = seen.get(name) {
                let (l, c) = ctx.lines.position(*first);
                return Err(ctx.invalid(
                    s.pos,
                    name,
                    "",
                    format!("<{name}> appears twice (first at line {l}, column {c}); merge them"),
                ));
            }
            seen.insert(name, s.pos);
        }
        match name {
            "tc-properties" => tc_properties = parse_properties(&mut ctx, s)?,
            "servers" => servers_elem = Some(s),
            "clients" => clients = parse_clients(&mut ctx, s)?,
            "application" => application = parse_application(&mut ctx, s)?,
            _ => ctx.unknown(s, ""),
        }
    }
    let servers = parse_servers(&mut ctx, servers_elem)?;
    ctx.warnings.sort_by_key(|w| (w.line, w.column));
    Ok(TcConfig {
        source: origin.to_string(),
        tc_properties,
        servers,
        clients,
        application,
        warnings: ctx.warnings,
    })
}

fn parse_properties(ctx: &mut Ctx<'_>, e: &Elem) -> Result<TcProperties> {
    let path = "tc-properties";
    ctx.check_attrs(e, path, &[]);
    ctx.container(e, path);
    let mut props = TcProperties::default();
    for p in &e.children {
        if p.name != "property" {
            ctx.unknown(p, path);
            continue;
        }
        let ppath = "tc-properties/property";
        ctx.check_attrs(p, ppath, &["name", "value"]);
        ctx.container(p, ppath);
        let name = ctx
            .attr(p, "name", ppath)?
            .filter(|v| !v.text.is_empty())
            .ok_or_else(|| {
                ctx.invalid(
                    p.pos,
                    &format!("{ppath}@name"),
                    "",
                    "every <property> needs a name",
                )
            })?;
        let value = ctx.attr(p, "value", ppath)?.ok_or_else(|| {
            ctx.invalid(
                p.pos,
                &name.text,
                "",
                "every <property> needs a value attribute",
            )
        })?;
        if let Some(kind) = props::known_kind(&name.text) {
            props::check_kind(kind, &value.text)
                .map_err(|r| ctx.invalid(value.pos, &name.text, &value.text, r))?;
        }
        if props
            .entries
            .insert(name.text.clone(), value.text)
            .is_some()
        {
            ctx.warn(
                name.pos,
                format!(
                    "tc-property '{}' set twice; the last value is used",
                    name.text
                ),
            );
        }
    }
    Ok(props)
}

/// A `<server>` as written, before defaults from `<servers>` are applied.
struct RawServer {
    pos: usize,
    name: Option<Val>,
    host: String,
    bind: String,
    dso_port: Option<(u16, Option<String>, usize)>,
    jmx_port: Option<(u16, Option<String>, usize)>,
    group_port: Option<(u16, Option<String>, usize)>,
    data: Option<PathBuf>,
    logs: Option<PathBuf>,
    persistence: Option<(PersistenceMode, usize)>,
    reconnect: Option<u64>,
    gc: Option<GarbageCollection>,
    offheap: Option<Offheap>,
}

fn parse_server(ctx: &mut Ctx<'_>, e: &Elem, path: &str) -> Result<RawServer> {
    ctx.check_attrs(e, path, &["name", "host", "bind", "jmx-enabled"]);
    ctx.container(e, path);
    let name = ctx.attr(e, "name", path)?;
    if let Some(n) = &name {
        if n.text.is_empty() {
            return Err(ctx.invalid(
                n.pos,
                &format!("{path}@name"),
                "",
                "a server name must not be empty",
            ));
        }
    }
    let host = match ctx.attr(e, "host", path)? {
        Some(h) if h.text.is_empty() => {
            return Err(ctx.invalid(
                h.pos,
                &format!("{path}@host"),
                "",
                "a host must not be empty",
            ))
        }
        Some(h) => h.text,
        None => "localhost".to_string(),
    };
    let bind = match ctx.attr(e, "bind", path)? {
        Some(b) if b.text.is_empty() => {
            return Err(ctx.invalid(
                b.pos,
                &format!("{path}@bind"),
                "",
                "a bind address must not be empty",
            ))
        }
        Some(b) => b.text,
        None => "0.0.0.0".to_string(),
    };
    let mut raw = RawServer {
        pos: e.pos,
        name,
        host,
        bind,
        dso_port: None,
        jmx_port: None,
        group_port: None,
        data: None,
        logs: None,
        persistence: None,
        reconnect: None,
        gc: None,
        offheap: None,
    };
    for c in &e.children {
        let cpath = join(path, &c.name);
        match c.name.as_str() {
            "data" => raw.data = Some(ctx.path(c, &cpath)?),
            "logs" => raw.logs = Some(ctx.path(c, &cpath)?),
            "dso-port" | "tsa-port" => {
                let (p, b) = ctx.port(c, &cpath)?;
                raw.dso_port = Some((p, b, c.pos));
            }
            "jmx-port" | "management-port" => {
                let (p, b) = ctx.port(c, &cpath)?;
                raw.jmx_port = Some((p, b, c.pos));
            }
            "l2-group-port" | "tsa-group-port" => {
                let (p, b) = ctx.port(c, &cpath)?;
                raw.group_port = Some((p, b, c.pos));
            }
            "offheap" => raw.offheap = Some(parse_offheap(ctx, c, &cpath)?),
            "dso" => parse_server_dso(ctx, c, &cpath, &mut raw)?,
            _ => ctx.unknown(c, path),
        }
    }
    Ok(raw)
}

fn parse_server_dso(ctx: &mut Ctx<'_>, e: &Elem, path: &str, raw: &mut RawServer) -> Result<()> {
    ctx.check_attrs(e, path, &[]);
    ctx.container(e, path);
    for c in &e.children {
        let cpath = join(path, &c.name);
        match c.name.as_str() {
            "client-reconnect-window" => raw.reconnect = Some(ctx.u64_text(c, &cpath, "seconds")?),
            "persistence" => {
                ctx.check_attrs(c, &cpath, &[]);
                ctx.container(c, &cpath);
                for p in &c.children {
                    let ppath = join(&cpath, &p.name);
                    match p.name.as_str() {
                        "mode" => {
                            let v = ctx.text(p, &ppath)?;
                            let mode = match v.text.to_ascii_lowercase().as_str() {
                                "temporary-swap-only" => PersistenceMode::TemporarySwapOnly,
                                "permanent-store" => PersistenceMode::PermanentStore,
                                _ => {
                                    return Err(ctx.invalid(
                                        v.pos,
                                        &ppath,
                                        &v.text,
                                        "expected 'temporary-swap-only' or 'permanent-store'",
                                    ))
                                }
                            };
                            raw.persistence = Some((mode, v.pos));
                        }
                        "offheap" => raw.offheap = Some(parse_offheap(ctx, p, &ppath)?),
                        _ => ctx.unknown(p, &cpath),
                    }
                }
            }
            "garbage-collection" => raw.gc = Some(parse_gc(ctx, c, &cpath)?),
            _ => ctx.unknown(c, path),
        }
    }
    Ok(())
}

fn parse_gc(ctx: &mut Ctx<'_>, e: &Elem, path: &str) -> Result<GarbageCollection> {
    ctx.check_attrs(e, path, &[]);
    ctx.container(e, path);
    let mut gc = GarbageCollection::default();
    for c in &e.children {
        let cpath = join(path, &c.name);
        match c.name.as_str() {
            "enabled" => gc.enabled = ctx.bool_text(c, &cpath)?,
            "verbose" => gc.verbose = ctx.bool_text(c, &cpath)?,
            "interval" => {
                let v = ctx.text(c, &cpath)?;
                let n = ctx.u64_of(&v, &cpath, "seconds")?;
                if n == 0 {
                    return Err(ctx.invalid(
                        v.pos,
                        &cpath,
                        &v.text,
                        "the interval must be at least 1 second",
                    ));
                }
                gc.interval_secs = n;
            }
            _ => ctx.unknown(c, path),
        }
    }
    Ok(gc)
}

fn parse_offheap(ctx: &mut Ctx<'_>, e: &Elem, path: &str) -> Result<Offheap> {
    ctx.check_attrs(e, path, &[]);
    ctx.container(e, path);
    let mut o = Offheap {
        enabled: false,
        max_data_size: String::new(),
        max_data_size_bytes: 0,
    };
    let mut size_seen = false;
    for c in &e.children {
        let cpath = join(path, &c.name);
        match c.name.as_str() {
            "enabled" => o.enabled = ctx.bool_text(c, &cpath)?,
            "maxDataSize" | "maxOffHeapSize" | "max-data-size" => {
                let v = ctx.text(c, &cpath)?;
                o.max_data_size_bytes =
                    parse_size(&v.text).map_err(|r| ctx.invalid(v.pos, &cpath, &v.text, r))?;
                o.max_data_size = v.text;
                size_seen = true;
            }
            _ => ctx.unknown(c, path),
        }
    }
    if o.enabled && !size_seen {
        return Err(ctx.invalid(
            e.pos,
            &format!("{path}/maxDataSize"),
            "",
            "required when off-heap is enabled (e.g. <maxDataSize>2g</maxDataSize>)",
        ));
    }
    Ok(o)
}

fn parse_ha(ctx: &mut Ctx<'_>, e: &Elem, path: &str) -> Result<(Ha, bool)> {
    ctx.check_attrs(e, path, &[]);
    ctx.container(e, path);
    let mut ha = Ha::default();
    let mut election_set = false;
    let mut quorum_pos: Option<(usize, String)> = None;
    for c in &e.children {
        let cpath = join(path, &c.name);
        match c.name.as_str() {
            "mode" => {
                let v = ctx.text(c, &cpath)?;
                let lower = v.text.to_ascii_lowercase();
                match lower.as_str() {
                    "networked-active-passive" => {}
                    "disk-based-active-passive" => ctx.warn(
                        v.pos,
                        "HA mode 'disk-based-active-passive' is not supported by Kiln; servers replicate over the network (networked-active-passive)".to_string(),
                    ),
                    _ => {
                        return Err(ctx.invalid(
                            v.pos,
                            &cpath,
                            &v.text,
                            "expected 'networked-active-passive' or 'disk-based-active-passive'",
                        ))
                    }
                }
                ha.mode = lower;
            }
            "networked-active-passive" => {
                ctx.check_attrs(c, &cpath, &[]);
                ctx.container(c, &cpath);
                for n in &c.children {
                    let npath = join(&cpath, &n.name);
                    match n.name.as_str() {
                        "election-time" => {
                            ha.election_time_secs = election(ctx, n, &npath)?;
                            election_set = true;
                        }
                        _ => ctx.unknown(n, &cpath),
                    }
                }
            }
            "quorum" => {
                let v = ctx.text(c, &cpath)?;
                ha.quorum = match v.text.to_ascii_lowercase().as_str() {
                    "off" | "none" => Quorum::Off,
                    "majority" => Quorum::Majority,
                    _ => {
                        return Err(ctx.invalid(
                            v.pos,
                            &cpath,
                            &v.text,
                            "expected 'off' or 'majority'",
                        ))
                    }
                };
                quorum_pos = Some((v.pos, v.text));
            }
            "voters" => {
                ctx.check_attrs(c, &cpath, &[]);
                ctx.container(c, &cpath);
                for n in &c.children {
                    let npath = join(&cpath, &n.name);
                    if n.name != "voter" {
                        ctx.unknown(n, &cpath);
                        continue;
                    }
                    ctx.check_attrs(n, &npath, &["host", "port"]);
                    let host = match ctx.attr(n, "host", &npath)? {
                        Some(h) if !h.text.is_empty() => h.text,
                        Some(h) => {
                            return Err(ctx.invalid(
                                h.pos,
                                &format!("{npath}@host"),
                                "",
                                "a voter host must not be empty",
                            ))
                        }
                        None => {
                            return Err(ctx.invalid(
                                n.pos,
                                &format!("{npath}@host"),
                                "",
                                "required: the host the kiln-voter runs on",
                            ))
                        }
                    };
                    let port =
                        match ctx.attr(n, "port", &npath)? {
                            Some(p) => parse_port(&p.text).map_err(|r| {
                                ctx.invalid(p.pos, &format!("{npath}@port"), &p.text, r)
                            })?,
                            None => return Err(ctx.invalid(
                                n.pos,
                                &format!("{npath}@port"),
                                "",
                                "required: the port the kiln-voter listens on (kiln-voter --port)",
                            )),
                        };
                    ha.voters.push(Voter { host, port });
                }
            }
            _ => ctx.unknown(c, path),
        }
    }
    if let Some((pos, text)) = quorum_pos {
        if ha.quorum == Quorum::Off && !ha.voters.is_empty() {
            ctx.warn(
                pos,
                format!("<voters> are listed but <quorum> is '{text}': the voters are not used"),
            );
        }
    }
    Ok((ha, election_set))
}

fn election(ctx: &mut Ctx<'_>, e: &Elem, path: &str) -> Result<u64> {
    let v = ctx.text(e, path)?;
    election_of(ctx, &v, path)
}

fn election_of(ctx: &Ctx<'_>, v: &Val, setting: &str) -> Result<u64> {
    let n = ctx.u64_of(v, setting, "seconds")?;
    if n == 0 {
        return Err(ctx.invalid(
            v.pos,
            setting,
            &v.text,
            "the election time must be at least 1 second",
        ));
    }
    Ok(n)
}

/// A mirror group as written.
struct RawGroup {
    name: String,
    pos: usize,
    election: Option<u64>,
    servers: Vec<RawServer>,
}

fn parse_servers(ctx: &mut Ctx<'_>, e: Option<&Elem>) -> Result<Servers> {
    let path = "servers";
    let mut direct: Vec<RawServer> = Vec::new();
    let mut groups: Vec<RawGroup> = Vec::new();
    let mut legacy: Option<&Elem> = None;
    let mut ha = Ha::default();
    let mut ha_pos = e.map_or(0, |e| e.pos);
    let mut restartable = false;
    let mut window = DEFAULT_CLIENT_RECONNECT_WINDOW_SECS;
    let mut gc = GarbageCollection::default();
    if let Some(e) = e {
        ctx.check_attrs(e, path, &["secure"]);
        ctx.container(e, path);
        for c in &e.children {
            let cpath = join(path, &c.name);
            match c.name.as_str() {
                "server" => direct.push(parse_server(ctx, c, &cpath)?),
                "mirror-group" => groups.push(parse_group(ctx, c, &cpath)?),
                "mirror-groups" => legacy = Some(c),
                "ha" => {
                    ha = parse_ha(ctx, c, &cpath)?.0;
                    ha_pos = c.pos;
                }
                "restartable" => {
                    ctx.check_attrs(c, &cpath, &["enabled"]);
                    ctx.container(c, &cpath);
                    restartable = ctx.bool_attr(c, "enabled", &cpath, false)?;
                }
                "client-reconnect-window" => window = ctx.u64_text(c, &cpath, "seconds")?,
                "garbage-collection" => gc = parse_gc(ctx, c, &cpath)?,
                _ => ctx.unknown(c, path),
            }
        }
        if let (Some(s), Some(g)) = (direct.first(), groups.first()) {
            let (l, c) = ctx.lines.position(s.pos);
            return Err(ctx.invalid(
                g.pos,
                "servers/mirror-group",
                &g.name,
                format!(
                    "<server> (line {l}, column {c}) and <mirror-group> cannot both appear directly under <servers>: \
                     put every server inside a <mirror-group>, or use no mirror groups"
                ),
            ));
        }
        if let Some(l) = legacy {
            if !groups.is_empty() {
                return Err(ctx.invalid(
                    l.pos,
                    "servers/mirror-groups",
                    "",
                    "<mirror-groups> and <mirror-group> cannot be combined",
                ));
            }
            groups = parse_legacy_groups(ctx, l, std::mem::take(&mut direct))?;
        }
    }
    if direct.is_empty() && groups.is_empty() {
        if let Some(e) = e {
            ctx.warn(
                e.pos,
                "no <server> configured; using one default server on localhost:9510".to_string(),
            );
        }
        direct.push(RawServer {
            pos: e.map_or(0, |e| e.pos),
            name: None,
            host: "localhost".to_string(),
            bind: "0.0.0.0".to_string(),
            dso_port: None,
            jmx_port: None,
            group_port: None,
            data: None,
            logs: None,
            persistence: None,
            reconnect: None,
            gc: None,
            offheap: None,
        });
    }
    if !direct.is_empty() {
        groups.push(RawGroup {
            name: DEFAULT_GROUP_NAME.to_string(),
            pos: e.map_or(0, |e| e.pos),
            election: None,
            servers: direct,
        });
    }

    let mut out = Servers {
        groups: Vec::new(),
        ha,
        restartable,
        client_reconnect_window_secs: window,
        garbage_collection: gc,
    };
    let mut names: HashMap<String, usize> = HashMap::new();
    let mut endpoints: HashMap<(String, u16), String> = HashMap::new();
    let mut data_dirs: HashMap<(String, PathBuf), String> = HashMap::new();
    let mut group_names: HashMap<String, usize> = HashMap::new();
    for g in groups {
        if let Some(first) = group_names.insert(g.name.clone(), g.pos) {
            let (l, c) = ctx.lines.position(first);
            return Err(ctx.invalid(
                g.pos,
                "servers/mirror-group@group-name",
                &g.name,
                format!("a mirror group of that name is already defined at line {l}, column {c}"),
            ));
        }
        let mut group = MirrorGroup {
            name: g.name.clone(),
            election_time_secs: g.election.unwrap_or(out.ha.election_time_secs),
            servers: Vec::new(),
        };
        for raw in g.servers {
            let s = finish_server(ctx, raw, &out, &g.name, &mut names)?;
            if let Some(other) = first_use(&mut endpoints, (s.host.clone(), s.dso_port), &s.name) {
                ctx.warn(
                    names.get(&s.name).copied().unwrap_or(0),
                    format!(
                        "servers '{other}' and '{}' both listen on {}:{}; they must run on different machines (set host=\"…\") or use different ports",
                        s.name, s.host, s.dso_port
                    ),
                );
            }
            if let Some(other) =
                first_use(&mut data_dirs, (s.host.clone(), s.data.clone()), &s.name)
            {
                ctx.warn(
                    names.get(&s.name).copied().unwrap_or(0),
                    format!(
                        "servers '{other}' and '{}' on host {} share the data directory {}; servers must not share data directories",
                        s.name,
                        s.host,
                        s.data.display()
                    ),
                );
            }
            group.servers.push(s);
        }
        let members = group.servers.len() + out.ha.voters.len();
        if out.ha.quorum == Quorum::Majority && group.servers.len() >= 2 && members < 3 {
            return Err(ctx.invalid(
                ha_pos,
                "servers/ha/quorum",
                "majority",
                format!(
                    "quorum mode needs at least 3 voting members; group '{}' has {} servers and {} voters                      (a majority of 2 is both: no failover would ever be possible): add a                      <voters><voter host=\"..\" port=\"..\"/></voters> running kiln-voter, or a third server",
                    group.name,
                    group.servers.len(),
                    out.ha.voters.len()
                ),
            ));
        }
        out.groups.push(group);
    }
    Ok(out)
}

/// Record `name` as the user of `key`; return the earlier user if there was one.
fn first_use<K: std::hash::Hash + Eq>(
    map: &mut HashMap<K, String>,
    key: K,
    name: &str,
) -> Option<String> {
    match map.get(&key) {
        Some(first) => Some(first.clone()),
        None => {
            map.insert(key, name.to_string());
            None
        }
    }
}

/// `default-group` for the first mirror group without a `group-name`, `default-group-N` after.
fn unnamed_group_name(n: usize) -> String {
    if n <= 1 {
        DEFAULT_GROUP_NAME.to_string()
    } else {
        format!("{DEFAULT_GROUP_NAME}-{n}")
    }
}

fn parse_group(ctx: &mut Ctx<'_>, e: &Elem, path: &str) -> Result<RawGroup> {
    ctx.check_attrs(e, path, &["group-name", "election-time"]);
    ctx.container(e, path);
    let name = match ctx.attr(e, "group-name", path)? {
        Some(v) if v.text.is_empty() => {
            return Err(ctx.invalid(
                v.pos,
                &format!("{path}@group-name"),
                "",
                "a group name must not be empty",
            ))
        }
        Some(v) => v.text,
        None => {
            ctx.unnamed_groups += 1;
            unnamed_group_name(ctx.unnamed_groups)
        }
    };
    let election = match ctx.attr(e, "election-time", path)? {
        Some(v) => Some(election_of(ctx, &v, &format!("{path}@election-time"))?),
        None => None,
    };
    let mut g = RawGroup {
        name,
        pos: e.pos,
        election,
        servers: Vec::new(),
    };
    for c in &e.children {
        let cpath = join(path, &c.name);
        match c.name.as_str() {
            "server" => g.servers.push(parse_server(ctx, c, &cpath)?),
            _ => ctx.unknown(c, path),
        }
    }
    if g.servers.is_empty() {
        return Err(ctx.invalid(
            e.pos,
            path,
            &g.name,
            "a mirror group needs at least one <server>",
        ));
    }
    Ok(g)
}

/// Terracotta 3.x: `<mirror-groups><mirror-group group-name="g"><members><member>NAME</member>…`
/// naming servers declared directly under `<servers>`.
fn parse_legacy_groups(
    ctx: &mut Ctx<'_>,
    e: &Elem,
    servers: Vec<RawServer>,
) -> Result<Vec<RawGroup>> {
    let path = "servers/mirror-groups";
    ctx.check_attrs(e, path, &[]);
    ctx.container(e, path);
    let mut pool: Vec<Option<RawServer>> = servers.into_iter().map(Some).collect();
    let mut out = Vec::new();
    for g in &e.children {
        if g.name != "mirror-group" {
            ctx.unknown(g, path);
            continue;
        }
        let gpath = format!("{path}/mirror-group");
        ctx.check_attrs(g, &gpath, &["group-name", "election-time"]);
        ctx.container(g, &gpath);
        let name = ctx
            .attr(g, "group-name", &gpath)?
            .map(|v| v.text)
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| {
                ctx.unnamed_groups += 1;
                unnamed_group_name(ctx.unnamed_groups)
            });
        let mut election = match ctx.attr(g, "election-time", &gpath)? {
            Some(v) => Some(election_of(ctx, &v, &format!("{gpath}@election-time"))?),
            None => None,
        };
        let mut members = Vec::new();
        for c in &g.children {
            let cpath = join(&gpath, &c.name);
            match c.name.as_str() {
                "members" => {
                    ctx.container(c, &cpath);
                    for m in &c.children {
                        if m.name != "member" {
                            ctx.unknown(m, &cpath);
                            continue;
                        }
                        let mpath = join(&cpath, "member");
                        let v = ctx.nonempty(m, &mpath)?;
                        let idx = pool
                            .iter()
                            .position(|s| {
                                s.as_ref()
                                    .and_then(|s| s.name.as_ref())
                                    .is_some_and(|n| n.text == v.text)
                            })
                            .ok_or_else(|| {
                                ctx.invalid(
                                    v.pos,
                                    &mpath,
                                    &v.text,
                                    "no <server> of that name under <servers>, or it is already in a group",
                                )
                            })?;
                        if let Some(s) = pool[idx].take() {
                            members.push(s);
                        }
                    }
                }
                "ha" => {
                    let (ha, set) = parse_ha(ctx, c, &cpath)?;
                    if set && election.is_none() {
                        election = Some(ha.election_time_secs);
                    }
                }
                _ => ctx.unknown(c, &gpath),
            }
        }
        if members.is_empty() {
            return Err(ctx.invalid(
                g.pos,
                &gpath,
                &name,
                "a mirror group needs at least one <member>",
            ));
        }
        out.push(RawGroup {
            name,
            pos: g.pos,
            election,
            servers: members,
        });
    }
    if let Some(left) = pool.into_iter().flatten().next() {
        let shown = left
            .name
            .as_ref()
            .map_or_else(|| left.host.clone(), |n| n.text.clone());
        return Err(ctx.invalid(
            left.pos,
            "servers/server",
            &shown,
            "this server is in no <mirror-groups> group; list it as a <member>",
        ));
    }
    Ok(out)
}

fn finish_server(
    ctx: &mut Ctx<'_>,
    raw: RawServer,
    servers: &Servers,
    group: &str,
    names: &mut HashMap<String, usize>,
) -> Result<ServerConfig> {
    let dso_port = raw.dso_port.as_ref().map_or(DEFAULT_DSO_PORT, |p| p.0);
    let jmx_port = raw.jmx_port.as_ref().map_or_else(
        || dso_port.checked_add(10).unwrap_or(DEFAULT_JMX_PORT),
        |p| p.0,
    );
    let group_port = raw.group_port.as_ref().map_or_else(
        || dso_port.checked_add(20).unwrap_or(DEFAULT_GROUP_PORT),
        |p| p.0,
    );
    let (name, name_pos) = match &raw.name {
        Some(v) => (v.text.clone(), v.pos),
        None => (format!("{}:{dso_port}", raw.host), raw.pos),
    };
    if let Some(first) = names.get(&name) {
        let (l, c) = ctx.lines.position(*first);
        return Err(ctx.invalid(
            name_pos,
            "servers/server@name",
            &name,
            format!("a server of that name is already defined at line {l}, column {c}; server names must be unique"),
        ));
    }
    names.insert(name.clone(), name_pos);
    // Ports of one server must differ from each other.
    let ports = [
        ("dso-port", dso_port, raw.dso_port.as_ref().map(|p| p.2)),
        ("jmx-port", jmx_port, raw.jmx_port.as_ref().map(|p| p.2)),
        (
            "l2-group-port",
            group_port,
            raw.group_port.as_ref().map(|p| p.2),
        ),
    ];
    for (i, a) in ports.iter().enumerate() {
        for b in &ports[i + 1..] {
            if a.1 == b.1 {
                let pos = b.2.or(a.2).unwrap_or(raw.pos);
                return Err(ctx.invalid(
                    pos,
                    &format!("servers/server/{}", b.0),
                    &b.1.to_string(),
                    format!(
                        "server '{name}' uses port {} for both {} and {}",
                        a.1, a.0, b.0
                    ),
                ));
            }
        }
    }
    let persistence = match raw.persistence {
        Some((PersistenceMode::TemporarySwapOnly, pos)) if servers.restartable => {
            ctx.warn(
                pos,
                format!("server '{name}': <restartable enabled=\"true\"/> overrides persistence mode temporary-swap-only; the server is durable"),
            );
            PersistenceMode::PermanentStore
        }
        _ if servers.restartable => PersistenceMode::PermanentStore,
        Some((mode, _)) => mode,
        None => PersistenceMode::TemporarySwapOnly,
    };
    Ok(ServerConfig {
        dso_bind: raw
            .dso_port
            .as_ref()
            .and_then(|p| p.1.clone())
            .unwrap_or_else(|| raw.bind.clone()),
        jmx_bind: raw
            .jmx_port
            .as_ref()
            .and_then(|p| p.1.clone())
            .unwrap_or_else(|| raw.bind.clone()),
        group_bind: raw
            .group_port
            .as_ref()
            .and_then(|p| p.1.clone())
            .unwrap_or_else(|| raw.bind.clone()),
        name,
        host: raw.host,
        bind: raw.bind,
        dso_port,
        jmx_port,
        group_port,
        data: raw.data.unwrap_or_else(|| ctx.resolve("data")),
        logs: raw.logs.unwrap_or_else(|| ctx.resolve("logs")),
        persistence,
        client_reconnect_window_secs: raw
            .reconnect
            .unwrap_or(servers.client_reconnect_window_secs),
        garbage_collection: raw.gc.unwrap_or_else(|| servers.garbage_collection.clone()),
        offheap: raw.offheap,
        group: group.to_string(),
    })
}

fn parse_clients(ctx: &mut Ctx<'_>, e: &Elem) -> Result<Clients> {
    let path = "clients";
    ctx.check_attrs(e, path, &[]);
    ctx.container(e, path);
    let mut clients = Clients::default();
    for c in &e.children {
        let cpath = join(path, &c.name);
        match c.name.as_str() {
            "logs" => clients.logs = Some(ctx.path(c, &cpath)?),
            "dso" => {
                ctx.check_attrs(c, &cpath, &[]);
                ctx.container(c, &cpath);
                for d in &c.children {
                    let dpath = join(&cpath, &d.name);
                    match d.name.as_str() {
                        "fault-count" => {
                            let v = ctx.text(d, &dpath)?;
                            let n = ctx.u64_of(&v, &dpath, "objects")?;
                            clients.fault_count = u32::try_from(n).map_err(|_| {
                                ctx.invalid(
                                    v.pos,
                                    &dpath,
                                    &v.text,
                                    "too large: at most 4294967295 objects",
                                )
                            })?;
                        }
                        _ => ctx.unknown(d, &cpath),
                    }
                }
            }
            _ => ctx.unknown(c, path),
        }
    }
    Ok(clients)
}

fn parse_application(ctx: &mut Ctx<'_>, e: &Elem) -> Result<Application> {
    let path = "application";
    ctx.check_attrs(e, path, &[]);
    ctx.container(e, path);
    let mut app = Application::default();
    for c in &e.children {
        match c.name.as_str() {
            "dso" => parse_app_dso(ctx, c, "application/dso", &mut app)?,
            _ => ctx.unknown(c, path),
        }
    }
    Ok(app)
}

fn parse_app_dso(ctx: &mut Ctx<'_>, e: &Elem, path: &str, app: &mut Application) -> Result<()> {
    ctx.check_attrs(e, path, &[]);
    ctx.container(e, path);
    for c in &e.children {
        let cpath = join(path, &c.name);
        if !matches!(
            c.name.as_str(),
            "roots"
                | "instrumented-classes"
                | "transient-fields"
                | "locks"
                | "distributed-methods"
                | "injected-instances"
                | "additional-boot-jar-classes"
        ) {
            ctx.unknown(c, path);
            continue;
        }
        ctx.check_attrs(c, &cpath, &[]);
        ctx.container(c, &cpath);
        for item in &c.children {
            let ipath = join(&cpath, &item.name);
            match (c.name.as_str(), item.name.as_str()) {
                ("roots", "root") => app.roots.push(parse_root(ctx, item, &ipath)?),
                ("instrumented-classes", "include") => app
                    .instrumented_classes
                    .push(parse_include(ctx, item, &ipath)?),
                ("instrumented-classes", "exclude") => {
                    let v = ctx.nonempty(item, &ipath)?;
                    ctx.aw_class(&v, &ipath)?;
                    app.instrumented_classes.push(InstrumentedClass {
                        include: false,
                        class_expression: v.text,
                        honor_transient: false,
                        on_load: None,
                        on_load_kind: None,
                    });
                }
                ("transient-fields", "field-name") => {
                    app.transient_fields.push(ctx.nonempty(item, &ipath)?.text)
                }
                ("locks", "autolock") => {
                    app.locks
                        .push(parse_lock(ctx, item, &ipath, LockKind::Autolock)?)
                }
                ("locks", "named-lock") => {
                    app.locks
                        .push(parse_lock(ctx, item, &ipath, LockKind::NamedLock)?)
                }
                ("distributed-methods", "method-expression") => {
                    ctx.check_attrs(item, &ipath, &["run-on-all-nodes"]);
                    let run_on_all_nodes = ctx.bool_attr(item, "run-on-all-nodes", &ipath, true)?;
                    let v = ctx.nonempty(item, &ipath)?;
                    ctx.aw_method(&v, &ipath)?;
                    app.distributed_methods.push(DistributedMethod {
                        method_expression: v.text,
                        run_on_all_nodes,
                    });
                }
                ("injected-instances", "injected-field") => app
                    .injected_instances
                    .push(parse_injected(ctx, item, &ipath)?),
                ("additional-boot-jar-classes", "include") => app
                    .additional_boot_jar_classes
                    .push(ctx.nonempty(item, &ipath)?.text),
                _ => ctx.unknown(item, &cpath),
            }
        }
    }
    Ok(())
}

fn parse_root(ctx: &mut Ctx<'_>, e: &Elem, path: &str) -> Result<RootDecl> {
    ctx.check_attrs(e, path, &[]);
    ctx.container(e, path);
    let mut field = None;
    let mut root_name = None;
    for c in &e.children {
        let cpath = join(path, &c.name);
        match c.name.as_str() {
            "field-name" | "field-expression" => field = Some(ctx.nonempty(c, &cpath)?.text),
            "root-name" => root_name = Some(ctx.nonempty(c, &cpath)?.text),
            _ => ctx.unknown(c, path),
        }
    }
    let field_name = field.ok_or_else(|| {
        ctx.invalid(
            e.pos,
            &format!("{path}/field-name"),
            "",
            "every <root> needs a <field-name>",
        )
    })?;
    Ok(RootDecl {
        field_name,
        root_name,
    })
}

fn parse_include(ctx: &mut Ctx<'_>, e: &Elem, path: &str) -> Result<InstrumentedClass> {
    ctx.check_attrs(e, path, &[]);
    ctx.container(e, path);
    let mut ic = InstrumentedClass {
        include: true,
        class_expression: String::new(),
        honor_transient: false,
        on_load: None,
        on_load_kind: None,
    };
    let mut expr_seen = false;
    for c in &e.children {
        let cpath = join(path, &c.name);
        match c.name.as_str() {
            "class-expression" => {
                let v = ctx.nonempty(c, &cpath)?;
                ctx.aw_class(&v, &cpath)?;
                ic.class_expression = v.text;
                expr_seen = true;
            }
            "honor-transient" => ic.honor_transient = ctx.bool_text(c, &cpath)?,
            "on-load" => {
                ctx.check_attrs(c, &cpath, &[]);
                ctx.container(c, &cpath);
                for o in &c.children {
                    let opath = join(&cpath, &o.name);
                    let kind = match o.name.as_str() {
                        "execute" => OnLoadKind::Execute,
                        "method" => OnLoadKind::Method,
                        _ => {
                            ctx.unknown(o, &cpath);
                            continue;
                        }
                    };
                    ic.on_load = Some(ctx.nonempty(o, &opath)?.text);
                    ic.on_load_kind = Some(kind);
                }
            }
            _ => ctx.unknown(c, path),
        }
    }
    if !expr_seen {
        return Err(ctx.invalid(
            e.pos,
            &format!("{path}/class-expression"),
            "",
            "every <include> needs a <class-expression>",
        ));
    }
    Ok(ic)
}

fn parse_lock(ctx: &mut Ctx<'_>, e: &Elem, path: &str, kind: LockKind) -> Result<LockDecl> {
    let allowed: &[&str] = match kind {
        LockKind::Autolock => &["auto-synchronized"],
        LockKind::NamedLock => &[],
    };
    ctx.check_attrs(e, path, allowed);
    ctx.container(e, path);
    let auto_synchronized = match kind {
        LockKind::Autolock => ctx.bool_attr(e, "auto-synchronized", path, false)?,
        LockKind::NamedLock => false,
    };
    let mut lock = LockDecl {
        kind,
        method_expression: String::new(),
        level: LockLevel::Write,
        lock_name: None,
        auto_synchronized,
    };
    let mut expr_seen = false;
    for c in &e.children {
        let cpath = join(path, &c.name);
        match c.name.as_str() {
            "method-expression" => {
                let v = ctx.nonempty(c, &cpath)?;
                ctx.aw_method(&v, &cpath)?;
                lock.method_expression = v.text;
                expr_seen = true;
            }
            "lock-level" => {
                let v = ctx.text(c, &cpath)?;
                lock.level = LockLevel::parse(&v.text).ok_or_else(|| {
                    ctx.invalid(
                        v.pos,
                        &cpath,
                        &v.text,
                        "expected 'write', 'read', 'concurrent' or 'synchronous-write'",
                    )
                })?;
            }
            "lock-name" if kind == LockKind::NamedLock => {
                lock.lock_name = Some(ctx.nonempty(c, &cpath)?.text)
            }
            _ => ctx.unknown(c, path),
        }
    }
    if !expr_seen {
        return Err(ctx.invalid(
            e.pos,
            &format!("{path}/method-expression"),
            "",
            "every lock needs a <method-expression>",
        ));
    }
    if kind == LockKind::NamedLock && lock.lock_name.is_none() {
        return Err(ctx.invalid(
            e.pos,
            &format!("{path}/lock-name"),
            "",
            "every <named-lock> needs a <lock-name>",
        ));
    }
    Ok(lock)
}

fn parse_injected(ctx: &mut Ctx<'_>, e: &Elem, path: &str) -> Result<InjectedInstance> {
    ctx.check_attrs(e, path, &[]);
    ctx.container(e, path);
    let mut field = None;
    let mut type_name = None;
    for c in &e.children {
        let cpath = join(path, &c.name);
        match c.name.as_str() {
            "field-name" => field = Some(ctx.nonempty(c, &cpath)?.text),
            "instance-type" | "type" => type_name = Some(ctx.nonempty(c, &cpath)?.text),
            _ => ctx.unknown(c, path),
        }
    }
    let field_name = field.ok_or_else(|| {
        ctx.invalid(
            e.pos,
            &format!("{path}/field-name"),
            "",
            "every <injected-field> needs a <field-name>",
        )
    })?;
    Ok(InjectedInstance {
        field_name,
        type_name,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes() {
        assert_eq!(parse_size("512m"), Ok(512 << 20));
        assert_eq!(parse_size("2g"), Ok(2 << 30));
        assert_eq!(parse_size("2G"), Ok(2 << 30));
        assert_eq!(parse_size("1024k"), Ok(1 << 20));
        assert_eq!(parse_size("4096"), Ok(4096));
        assert_eq!(parse_size("1TB"), Ok(1 << 40));
        assert!(parse_size("2x").is_err());
        assert!(parse_size("g").is_err());
        assert!(parse_size("").is_err());
        assert!(parse_size("99999999999999999999t").is_err());
    }

    #[test]
    fn ports() {
        assert_eq!(parse_port("9510"), Ok(9510));
        assert_eq!(parse_port("65535"), Ok(65535));
        assert!(parse_port("0").is_err());
        assert!(parse_port("65536").is_err());
        assert!(parse_port("-1").is_err());
        assert!(parse_port("95x0").is_err());
        assert!(parse_port("").is_err());
    }

    #[test]
    fn numbers() {
        assert_eq!(parse_u64("120"), Ok(120));
        assert!(parse_u64("-5").expect_err("negative").contains("negative"));
        assert!(parse_u64("abc").expect_err("nan").contains("not a number"));
    }
}

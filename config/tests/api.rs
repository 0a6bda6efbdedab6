//! Public API behaviour: namespaces, the embedded default, substitutions, server selection.

mod common;

use std::path::PathBuf;

use kiln_config::{
    healthcheck_window_warning, ConfigError, PersistenceMode, TcConfig, DEFAULT_DSO_PORT,
    DEFAULT_GROUP_PORT, DEFAULT_JMX_PORT, EMBEDDED_DEFAULT,
};

fn parse(xml: &str) -> TcConfig {
    match TcConfig::from_str_with_origin(xml, "<string>") {
        Ok(c) => c,
        Err(e) => panic!("should parse: {e}"),
    }
}

const BODY: &str = r#"<servers>
    <server name="a" host="localhost"><dso-port>9610</dso-port></server>
    <server name="b" host="192.0.2.10"><tsa-port>9710</tsa-port><management-port>9999</management-port><tsa-group-port>9998</tsa-group-port></server>
  </servers>"#;

#[test]
fn namespace_prefix_is_optional() {
    let with = parse(&format!(
        r#"<tc:tc-config xmlns:tc="http://www.terracotta.org/config">{BODY}</tc:tc-config>"#
    ));
    let without = parse(&format!("<tc-config>{BODY}</tc-config>"));
    let other = parse(
        r#"<x:tc-config xmlns:x="http://www.terracotta.org/config"><x:servers><x:server name="a"/></x:servers></x:tc-config>"#,
    );
    for cfg in [&with, &without] {
        assert!(cfg.warnings.is_empty(), "{:?}", cfg.warnings);
        assert_eq!(
            cfg.client_addresses(),
            vec!["localhost:9610", "192.0.2.10:9710"]
        );
        let b = cfg.select_server(Some("b")).expect("b");
        assert_eq!((b.dso_port, b.jmx_port, b.group_port), (9710, 9999, 9998));
        let a = cfg.select_server(Some("a")).expect("a");
        assert_eq!((a.jmx_port, a.group_port), (9620, 9630)); // dso + 10, dso + 20
    }
    assert_eq!(other.select_server(None).expect("one").name, "a");
}

#[test]
fn embedded_default() {
    let cfg = TcConfig::embedded_default();
    assert_eq!(cfg.source, "<embedded default>");
    assert!(cfg.warnings.is_empty(), "{:?}", cfg.warnings);
    let s = cfg.select_server(None).expect("one server");
    assert_eq!(s.name, "localhost");
    assert_eq!(s.host, "localhost");
    assert_eq!(
        (s.dso_port, s.jmx_port, s.group_port),
        (DEFAULT_DSO_PORT, DEFAULT_JMX_PORT, DEFAULT_GROUP_PORT)
    );
    assert_eq!(s.persistence, PersistenceMode::TemporarySwapOnly);
    assert_eq!(s.data, PathBuf::from("data"));
    assert_eq!(s.logs, PathBuf::from("logs"));
    assert_eq!(s.client_reconnect_window_secs, 120);
    assert_eq!(cfg.client_addresses(), vec!["localhost:9510"]);
    assert_eq!(cfg.clients.fault_count, 500);
    assert_eq!(cfg.servers.ha.mode, "networked-active-passive");
    assert!(EMBEDDED_DEFAULT.contains("temporary-swap-only"));
    // Terracotta's defaults are consistent with seed 003's inequality.
    assert_eq!(healthcheck_window_warning(&cfg), None);
}

#[test]
fn empty_config_gets_defaults() {
    let cfg = parse("<tc-config/>");
    let s = cfg.select_server(None).expect("default server");
    assert_eq!(s.name, "localhost:9510");
    assert!(!cfg.servers.restartable);
    assert_eq!(cfg.servers.client_reconnect_window_secs, 120);
    assert!(cfg.servers.garbage_collection.enabled);
    assert_eq!(cfg.servers.garbage_collection.interval_secs, 3600);
    assert!(!cfg.servers.garbage_collection.verbose);
    assert_eq!(cfg.servers.groups[0].name, "default-group");
    assert_eq!(cfg.servers.groups[0].election_time_secs, 5);
}

#[test]
fn substitutions() {
    std::env::set_var("kiln.test.exact", "/exact");
    std::env::set_var("KILN_TEST_UPPER", "/upper");
    let cfg = parse(
        r#"<tc-config><servers><server name="s" host="%h">
             <data>%(kiln.test.exact)/d</data>
             <logs>%(kiln.test.upper)/%(user.name)/%D</logs>
           </server>
           <server name="t" host="%i"><data>%(java.io.tmpdir)/x</data><logs>%(user.dir)/l</logs></server>
           <server name="u" host="h%%"><data>%(user.home)/kiln</data></server></servers></tc-config>"#,
    );
    let s = cfg.select_server(Some("s")).expect("s");
    assert!(!s.host.is_empty() && !s.host.contains('%'));
    assert_eq!(s.data, PathBuf::from("/exact/d"));
    let logs = s.logs.display().to_string();
    assert!(logs.starts_with("/upper/"), "{logs}");
    let user = logs.split('/').nth(2).expect("user segment");
    assert!(!user.is_empty() && !user.contains('%'), "{logs}");
    let stamp = logs.rsplit('/').next().expect("stamp");
    assert_eq!(stamp.len(), 17, "{stamp}");
    assert!(stamp.chars().all(|c| c.is_ascii_digit()));
    let t = cfg.select_server(Some("t")).expect("t");
    assert!(t.host.parse::<std::net::IpAddr>().is_ok(), "{}", t.host);
    assert_eq!(t.data, PathBuf::from("/tmp/x"));
    let cwd = std::env::current_dir().expect("cwd");
    assert_eq!(t.logs, cwd.join("l"));
    let u = cfg.select_server(Some("u")).expect("u");
    assert_eq!(u.host, "h%%");
    let home = std::env::var("HOME").expect("HOME");
    assert_eq!(u.data, PathBuf::from(format!("{home}/kiln")));
}

#[test]
fn unknown_substitution_is_invalid_with_position() {
    let err = TcConfig::from_str_with_origin(
        "<tc-config>\n<servers>\n<server>\n  <data>/x/%(kiln.surely.unset.prop)</data>\n</server></servers></tc-config>",
        "<string>",
    )
    .expect_err("unset property");
    match &err {
        ConfigError::Invalid {
            file,
            line,
            column,
            setting,
            value,
            reason,
        } => {
            assert_eq!(file, "<string>");
            assert_eq!((*line, *column), (4, 12));
            assert_eq!(setting, "servers/server/data");
            assert_eq!(value, "%(kiln.surely.unset.prop)");
            assert!(reason.contains("KILN_SURELY_UNSET_PROP"), "{reason}");
        }
        other => panic!("unexpected {other:?}"),
    }
}

#[test]
fn select_server_by_name_and_errors() {
    let cfg = parse(
        r#"<tc-config><servers>
             <server name="remote1" host="203.0.113.1"/>
             <server name="remote2" host="203.0.113.2"/>
           </servers></tc-config>"#,
    );
    assert_eq!(
        cfg.select_server(Some("remote2")).expect("by name").host,
        "203.0.113.2"
    );
    let err = cfg.select_server(Some("nope")).expect_err("unknown");
    let msg = err.to_string();
    assert!(matches!(err, ConfigError::NoSuchServer { .. }));
    assert!(
        msg.contains("'nope'") && msg.contains("remote1, remote2"),
        "{msg}"
    );
    let err = cfg.select_server(None).expect_err("none local");
    assert!(matches!(err, ConfigError::NoLocalServer { .. }), "{err}");

    // With a local server among remote ones, it is chosen.
    let cfg = parse(
        r#"<tc-config><servers>
             <server name="remote" host="203.0.113.1"/>
             <server name="here" host="127.0.0.1"/>
           </servers></tc-config>"#,
    );
    assert_eq!(cfg.select_server(None).expect("local").name, "here");
}

#[test]
fn client_addresses_in_order_and_ipv6() {
    let cfg = parse(
        r#"<tc-config><servers>
             <mirror-group group-name="g1"><server host="h1"><dso-port>1111</dso-port></server></mirror-group>
             <mirror-group group-name="g2"><server host="::1"/><server host="h3" name="x"/></mirror-group>
           </servers></tc-config>"#,
    );
    assert_eq!(
        cfg.client_addresses(),
        vec!["h1:1111", "[::1]:9510", "h3:9510"]
    );
    assert_eq!(cfg.all_servers().count(), 3);
    assert_eq!(cfg.servers.groups[1].election_time_secs, 5);

    let cfg = parse(
        r#"<tc-config><servers>
             <mirror-group><server name="a"/></mirror-group>
             <mirror-group election-time="9"><server name="b"/></mirror-group>
           </servers></tc-config>"#,
    );
    let g: Vec<(&str, u64)> = cfg
        .servers
        .groups
        .iter()
        .map(|g| (g.name.as_str(), g.election_time_secs))
        .collect();
    assert_eq!(g, vec![("default-group", 5), ("default-group-2", 9)]);
    assert_eq!(
        cfg.select_server(Some("b")).expect("b").group,
        "default-group-2"
    );
}

#[test]
fn restartable_forces_permanent_store() {
    let cfg = parse(
        r#"<tc-config><servers>
             <server name="a"><dso><persistence><mode>temporary-swap-only</mode></persistence></dso></server>
             <restartable enabled="true"/>
           </servers></tc-config>"#,
    );
    assert_eq!(
        cfg.select_server(None).expect("a").persistence,
        PersistenceMode::PermanentStore
    );
    assert!(cfg.warnings.iter().any(|w| w.message.contains("overrides")));
}

#[test]
fn warning_display_format() {
    let cfg = parse("<tc-config>\n  <servers>\n    <server name=\"a\">\n      <foo/>\n    </server>\n  </servers>\n</tc-config>");
    assert_eq!(cfg.warnings.len(), 1);
    assert_eq!(
        cfg.warnings[0].to_string(),
        "<string>:4:7: warning: unknown element <foo> at servers/server/foo ignored"
    );
}

#[test]
fn known_terracotta_elements_are_ignored_quietly() {
    let cfg = parse(
        r#"<tc-config><system><configuration-model>production</configuration-model></system>
           <servers><server name="a"><index>/i</index><statistics>/s</statistics></server>
           <update-check><enabled>false</enabled></update-check></servers>
           <clients><modules/><dso><debugging/></dso></clients></tc-config>"#,
    );
    assert!(cfg.warnings.is_empty(), "{:?}", cfg.warnings);
}

#[test]
fn summary_mentions_everything() {
    let cfg = common::load("seed001_mirror_groups.xml");
    let s = cfg.summary();
    for needle in [
        "group groupA (election time 10 s",
        "server server3",
        "persistence permanent-store",
        "client reconnect window 120 s",
        "restartable true",
        "warnings:",
    ] {
        assert!(s.contains(needle), "missing {needle:?} in\n{s}");
    }
}

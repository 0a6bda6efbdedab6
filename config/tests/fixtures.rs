//! Every configuration from the seeds parses, with the expected values.

mod common;

use std::path::PathBuf;

use common::{all_fixtures, fixtures_dir, load};
use kiln_config::{
    healthcheck_window_warning, HealthCheckTarget, LockKind, LockLevel, OnLoadKind,
    PersistenceMode, TcConfig,
};

fn home() -> String {
    std::env::var("HOME").expect("HOME is set for the tests")
}

fn names(cfg: &TcConfig) -> Vec<&str> {
    cfg.all_servers().map(|s| s.name.as_str()).collect()
}

fn has_warning(cfg: &TcConfig, needle: &str) -> bool {
    cfg.warnings.iter().any(|w| w.message.contains(needle))
}

#[test]
fn every_fixture_parses() {
    let all = all_fixtures();
    assert!(all.len() >= 14, "fixtures: {all:?}");
    for f in all {
        let cfg = load(&f);
        assert!(cfg.all_servers().count() >= 1, "{f}");
        assert!(!cfg.summary().is_empty());
        assert_eq!(cfg.source, common::fixture_path(&f).display().to_string());
    }
}

#[test]
fn seed000_single_server() {
    let cfg = load("seed000_single_server.xml");
    assert!(
        has_warning(&cfg, "root element is <servers>"),
        "{:?}",
        cfg.warnings
    );
    let s = cfg.select_server(None).expect("only server");
    assert_eq!(s.host, "localhost");
    assert_eq!(s.name, "localhost:9510");
    assert_eq!(
        s.data,
        PathBuf::from(format!("{}/terracotta/server-data", home()))
    );
    assert_eq!(
        s.logs,
        PathBuf::from(format!("{}/terracotta/server-logs", home()))
    );
    assert_eq!((s.dso_port, s.jmx_port, s.group_port), (9510, 9520, 9530));
    assert_eq!(s.persistence, PersistenceMode::TemporarySwapOnly);
    assert_eq!(s.bind, "0.0.0.0");
    assert_eq!(s.group, "default-group");
    assert_eq!(cfg.client_addresses(), vec!["localhost:9510"]);
}

#[test]
fn seed000_two_servers() {
    let cfg = load("seed000_two_servers.xml");
    assert_eq!(names(&cfg), vec!["m1", "m2"]);
    let m1 = cfg.select_server(Some("m1")).expect("m1");
    let m2 = cfg.select_server(Some("m2")).expect("m2");
    assert_eq!(m1.host, "192.168.1.106");
    assert_eq!(m2.host, "192.168.1.132");
    assert_eq!(
        m1.data,
        PathBuf::from(format!("{}/terracotta1/server-data", home()))
    );
    assert_eq!(
        m2.logs,
        PathBuf::from(format!("{}/terracotta2/server-logs", home()))
    );
    assert_eq!(m1.persistence, PersistenceMode::PermanentStore);
    assert_eq!(m2.persistence, PersistenceMode::PermanentStore);
    assert!(!cfg.servers.restartable);
    assert_eq!(cfg.servers.groups.len(), 1);
    assert_eq!(cfg.servers.groups[0].election_time_secs, 5);
    assert_eq!(
        cfg.client_addresses(),
        vec!["192.168.1.106:9510", "192.168.1.132:9510"]
    );
}

#[test]
fn seed001_single_offheap() {
    let cfg = load("seed001_single_offheap.xml");
    let s = cfg.select_server(None).expect("one server");
    assert_eq!(s.name, "Server1");
    assert_eq!(s.host, "localhost");
    assert_eq!(s.data, PathBuf::from("/opt/terracotta/server1-data"));
    assert_eq!(s.logs, fixtures_dir().join("logs"));
    assert_eq!(s.dso_port, 9510);
    let o = s.offheap.as_ref().expect("offheap");
    assert!(o.enabled);
    assert_eq!(o.max_data_size, "2g");
    assert_eq!(o.max_data_size_bytes, 2 * 1024 * 1024 * 1024);
    assert_eq!(s.persistence, PersistenceMode::TemporarySwapOnly);
    assert!(!cfg.servers.restartable);
    // The "..." line after </servers> is stray text: a warning naming its line.
    let w = cfg
        .warnings
        .iter()
        .find(|w| w.message.contains("unexpected text '...'"))
        .expect("stray text warning");
    assert_eq!(w.line, 15);
}

#[test]
fn seed001_restartable() {
    let cfg = load("seed001_restartable.xml");
    assert!(cfg.servers.restartable);
    assert_eq!(cfg.servers.client_reconnect_window_secs, 120);
    let s = cfg.select_server(Some("Server1")).expect("Server1");
    assert_eq!(s.persistence, PersistenceMode::PermanentStore);
    assert_eq!(s.client_reconnect_window_secs, 120);
    assert_eq!(
        s.offheap.as_ref().map(|o| o.max_data_size_bytes),
        Some(2 << 30)
    );
}

#[test]
fn seed001_two_servers() {
    let cfg = load("seed001_two_servers.xml");
    assert_eq!(names(&cfg), vec!["Server1", "Server2"]);
    for s in cfg.all_servers() {
        assert_eq!(s.dso_port, 9510);
        assert_eq!(s.group_port, 9530);
        assert_eq!(s.jmx_port, 9520);
        assert_eq!(s.persistence, PersistenceMode::PermanentStore);
        assert!(s.offheap.as_ref().is_some_and(|o| o.enabled));
    }
    assert_eq!(
        cfg.select_server(Some("Server2")).expect("Server2").data,
        PathBuf::from("/opt/terracotta/server2-data")
    );
    // Both default to localhost:9510: accepted, with a warning.
    assert!(has_warning(&cfg, "both listen on localhost:9510"));
    // Both are on this machine: the first is chosen without a name.
    assert_eq!(cfg.select_server(None).expect("local").name, "Server1");
}

#[test]
fn seed001_mirror_groups() {
    let cfg = load("seed001_mirror_groups.xml");
    let g = &cfg.servers.groups;
    assert_eq!(g.len(), 2);
    assert_eq!(g[0].name, "groupA");
    assert_eq!(g[0].election_time_secs, 10);
    assert_eq!(g[1].name, "groupB");
    assert_eq!(g[1].election_time_secs, 15);
    let in_group = |i: usize| {
        g[i].servers
            .iter()
            .map(|s| s.name.as_str())
            .collect::<Vec<_>>()
    };
    assert_eq!(in_group(0), vec!["server1", "server2"]);
    assert_eq!(in_group(1), vec!["server3", "server4"]);
    assert!(cfg.servers.restartable);
    for s in cfg.all_servers() {
        assert_eq!(s.persistence, PersistenceMode::PermanentStore);
    }
    assert_eq!(
        cfg.select_server(Some("server3")).expect("s3").group,
        "groupB"
    );
    assert_eq!(cfg.group("groupA").map(|g| g.servers.len()), Some(2));
    // Stray "..." text: before <servers> (line 2), inside each <server>, after </servers>.
    let stray: Vec<u32> = cfg
        .warnings
        .iter()
        .filter(|w| w.message.contains("unexpected text '...'"))
        .map(|w| w.line)
        .collect();
    assert!(
        stray.windows(2).all(|w| w[0] <= w[1]),
        "warnings are in document order"
    );
    assert_eq!(stray, vec![2, 6, 9, 14, 17, 22], "{:?}", cfg.warnings);
    // Four servers all defaulting to localhost:9510 and ./data: accepted, with warnings.
    assert!(has_warning(
        &cfg,
        "'server1' and 'server4' both listen on localhost:9510"
    ));
    assert!(has_warning(&cfg, "share the data directory"));
}

#[test]
fn seed003_ha() {
    let cfg = load("seed003_ha.xml");
    assert_eq!(cfg.servers.ha.mode, "networked-active-passive");
    assert_eq!(cfg.servers.ha.election_time_secs, 5);
    assert_eq!(cfg.servers.groups[0].election_time_secs, 5);
    assert!(has_warning(&cfg, "no <server> configured"));
    assert_eq!(cfg.client_addresses(), vec!["localhost:9510"]);
}

#[test]
fn seed003_tc_properties() {
    let cfg = load("seed003_tc_properties.xml");
    let p = &cfg.tc_properties;
    assert_eq!(p.entries.len(), 3);
    assert_eq!(p.get("some.property.name"), Some("true"));
    assert_eq!(p.get("some.other.property.name"), Some("true"));
    assert_eq!(p.get("still.another.property.name"), Some("1024"));
    assert_eq!(p.get("missing"), None);
    assert!(cfg.warnings.is_empty(), "{:?}", cfg.warnings);
}

#[test]
fn seed003_aggressive() {
    let cfg = load("seed003_aggressive.xml");
    let h = cfg.tc_properties.healthcheck(HealthCheckTarget::L1ToL2);
    assert!(h.ping_enabled && h.socket_connect);
    assert_eq!(h.ping_idletime_ms, 2000);
    assert_eq!(h.ping_interval_ms, 1000);
    assert_eq!(h.ping_probes, 3);
    assert_eq!(h.socket_connect_timeout, 2);
    assert_eq!(h.socket_connect_count, 5);
    assert_eq!(h.max_time_ms(), 27_000);
    // Untouched directions keep Terracotta's defaults.
    assert_eq!(
        cfg.tc_properties
            .healthcheck(HealthCheckTarget::L2ToL2)
            .max_time_ms(),
        85_000
    );
    // 27 s is well below L2-L2 (85 s) + election (5 s): the seed-003 check warns.
    let w = healthcheck_window_warning(&cfg).expect("too aggressive");
    assert!(w.contains("27000") && w.contains("90000"), "{w}");
}

#[test]
fn seed003_tolerant() {
    let cfg = load("seed003_tolerant.xml");
    let h = cfg.tc_properties.healthcheck(HealthCheckTarget::L1ToL2);
    assert_eq!(h.ping_idletime_ms, 5000);
    assert_eq!(h.socket_connect_timeout, 5);
    assert_eq!(h.socket_connect_count, 10);
    assert_eq!(h.max_time_ms(), 85_000);
    assert!(healthcheck_window_warning(&cfg).is_some());
}

#[test]
fn seed003_client_reconnect_window() {
    let cfg = load("seed003_client_reconnect_window.xml");
    let s = cfg.select_server(None).expect("one");
    assert_eq!(s.client_reconnect_window_secs, 120);
    assert_eq!(s.name, "localhost:9510");
    let stray = cfg
        .warnings
        .iter()
        .filter(|w| w.message.contains("unexpected text '...'"))
        .count();
    assert_eq!(stray, 4, "{:?}", cfg.warnings); // two in <server>, two in <dso>
}

#[test]
fn seed004_cometd() {
    let cfg = load("seed004_cometd.xml");
    assert!(cfg.warnings.is_empty(), "{:?}", cfg.warnings);
    let a = &cfg.application;
    assert_eq!(a.roots.len(), 1);
    assert_eq!(
        a.roots[0].field_name,
        "org.mortbay.cometd.CometdServlet._bayeux"
    );
    assert_eq!(a.roots[0].root_name, None);
    assert_eq!(a.distributed_methods.len(), 1);
    assert_eq!(
        a.distributed_methods[0].method_expression,
        "void org.mortbay.cometd.ContinuationClient.resume()"
    );
    assert!(a.distributed_methods[0].run_on_all_nodes);
    assert_eq!(a.locks.len(), 1);
    assert_eq!(a.locks[0].kind, LockKind::Autolock);
    assert_eq!(a.locks[0].method_expression, "* org.mortbay.cometd.*.*(..)");
    assert_eq!(a.locks[0].level, LockLevel::Write);
    assert!(!a.locks[0].auto_synchronized);
    assert_eq!(a.instrumented_classes.len(), 2);
    assert_eq!(
        a.instrumented_classes[0].class_expression,
        "org.mortbay.cometd..*"
    );
    assert_eq!(
        a.instrumented_classes[1].class_expression,
        "org.mortbay.util.ajax..*"
    );
    assert!(a
        .instrumented_classes
        .iter()
        .all(|c| c.include && c.honor_transient));
    // No <servers>: one default server, for clients to find.
    assert_eq!(cfg.client_addresses(), vec!["localhost:9510"]);
}

#[test]
fn kiln_full_without_namespace() {
    let cfg = load("kiln_full.xml");
    assert!(cfg.warnings.is_empty(), "{:?}", cfg.warnings);
    let p = &cfg.tc_properties;
    assert!(p.l1_reconnect().enabled);
    assert_eq!(p.l1_reconnect().timeout_ms, 5000);
    assert!(p.l2_group_reconnect().enabled);
    assert_eq!(p.l2_group_reconnect().timeout_ms, 4000);
    let c = p.l1_connect();
    assert_eq!(c.max_connect_retries, 7);
    assert_eq!(c.socket_connect_timeout_ms, 3000);
    assert_eq!(c.reconnect_wait_interval_ms, 250);

    assert_eq!(cfg.servers.ha.election_time_secs, 7);
    assert_eq!(cfg.servers.groups[0].election_time_secs, 7);
    assert_eq!(cfg.servers.client_reconnect_window_secs, 45);
    let a = cfg.select_server(Some("alpha")).expect("alpha");
    assert_eq!(a.host, "127.0.0.1");
    assert_eq!(a.bind, "127.0.0.1");
    assert_eq!(a.dso_bind, "0.0.0.0");
    assert_eq!(a.jmx_bind, "127.0.0.1");
    assert_eq!((a.dso_port, a.jmx_port, a.group_port), (9610, 9620, 9630));
    assert_eq!(a.data, fixtures_dir().join("alpha/data"));
    assert_eq!(a.logs, PathBuf::from("/var/log/kiln/alpha"));
    assert_eq!(a.persistence, PersistenceMode::PermanentStore);
    assert_eq!(a.client_reconnect_window_secs, 30);
    assert!(!a.garbage_collection.enabled);
    assert!(a.garbage_collection.verbose);
    assert_eq!(a.garbage_collection.interval_secs, 60);
    let b = cfg.select_server(Some("beta")).expect("beta");
    assert_eq!((b.dso_port, b.jmx_port, b.group_port), (9710, 9711, 9712));
    assert_eq!(b.group_bind, "127.0.0.1");
    assert_eq!(b.client_reconnect_window_secs, 45);
    assert!(b.garbage_collection.enabled);
    assert_eq!(b.garbage_collection.interval_secs, 1800);
    assert_eq!(b.persistence, PersistenceMode::TemporarySwapOnly);
    assert_eq!(
        b.offheap.as_ref().map(|o| o.max_data_size_bytes),
        Some(512 << 20)
    );
    assert_eq!(
        cfg.client_addresses(),
        vec!["127.0.0.1:9610", "localhost:9710"]
    );

    assert_eq!(cfg.clients.fault_count, 1000);
    assert_eq!(cfg.clients.logs, Some(fixtures_dir().join("client-logs")));

    let app = &cfg.application;
    assert_eq!(app.roots[0].root_name.as_deref(), Some("shared-map"));
    assert_eq!(app.instrumented_classes.len(), 2);
    assert_eq!(
        app.instrumented_classes[0].on_load.as_deref(),
        Some("initTransients")
    );
    assert_eq!(
        app.instrumented_classes[0].on_load_kind,
        Some(OnLoadKind::Method)
    );
    assert!(!app.instrumented_classes[1].include);
    assert_eq!(
        app.instrumented_classes[1].class_expression,
        "demo.internal..*"
    );
    assert_eq!(app.transient_fields, vec!["demo.Main.cache"]);
    let levels: Vec<LockLevel> = app.locks.iter().map(|l| l.level).collect();
    assert_eq!(
        levels,
        vec![
            LockLevel::SynchronousWrite,
            LockLevel::Read,
            LockLevel::Concurrent
        ]
    );
    assert!(app.locks[0].auto_synchronized);
    assert_eq!(app.locks[1].kind, LockKind::NamedLock);
    assert_eq!(app.locks[1].lock_name.as_deref(), Some("reports"));
    assert!(!app.distributed_methods[0].run_on_all_nodes);
    assert_eq!(app.injected_instances[0].field_name, "demo.Main.cluster");
    assert_eq!(
        app.injected_instances[0].type_name.as_deref(),
        Some("com.tc.cluster.DsoCluster")
    );
    assert_eq!(app.additional_boot_jar_classes, vec!["java.util.Locale"]);
    let summary = cfg.summary();
    assert!(summary.contains("server alpha"), "{summary}");
    assert!(summary.contains("3 lock(s)"), "{summary}");
}

#[test]
fn tc3_mirror_groups() {
    let cfg = load("tc3_mirror_groups.xml");
    assert!(cfg.warnings.is_empty(), "{:?}", cfg.warnings);
    let g = &cfg.servers.groups;
    assert_eq!(g.len(), 2);
    assert_eq!((g[0].name.as_str(), g[0].election_time_secs), ("first", 12));
    assert_eq!((g[1].name.as_str(), g[1].election_time_secs), ("second", 5));
    assert_eq!(names(&cfg), vec!["s1", "s2", "s3"]);
    assert_eq!(cfg.select_server(Some("s3")).expect("s3").group, "second");
}

#[test]
fn serializes_to_json_shape() {
    // serde::Serialize is derived everywhere; a debug serializer is enough to exercise it.
    let cfg = load("kiln_full.xml");
    let dbg = format!("{cfg:?}");
    assert!(dbg.contains("PermanentStore"));
}

//! Errors and warnings name the file, line, column and setting at fault.

mod common;

use kiln_config::{ConfigError, TcConfig};

fn err(xml: &str) -> ConfigError {
    match TcConfig::from_str_with_origin(xml, "test.xml") {
        Ok(cfg) => panic!("should fail, got {cfg:?}"),
        Err(e) => e,
    }
}

/// (line, column, setting, value) of an Invalid error.
fn invalid(xml: &str) -> (u32, u32, String, String, String) {
    match err(xml) {
        ConfigError::Invalid {
            line,
            column,
            setting,
            value,
            reason,
            file,
        } => {
            assert_eq!(file, "test.xml");
            (line, column, setting, value, reason)
        }
        other => panic!("expected Invalid, got {other:?}"),
    }
}

#[test]
fn malformed_xml_reports_line_and_column() {
    match err("<tc-config>\n  <servers>\n    <server>\n  </servers>\n</tc-config>") {
        ConfigError::Xml {
            file, line, column, ..
        } => {
            assert_eq!(file, "test.xml");
            assert_eq!((line, column), (4, 3));
        }
        other => panic!("{other:?}"),
    }
    match err("<tc-config>\n  <servers>\n") {
        ConfigError::Xml { line, message, .. } => {
            assert_eq!(line, 3);
            assert!(
                message.contains("<servers>") && message.contains("line 2"),
                "{message}"
            );
        }
        other => panic!("{other:?}"),
    }
    match err("<tc-config>\n <a b=\"1></a>\n</tc-config>") {
        ConfigError::Xml { line, .. } => assert!(line >= 2),
        other => panic!("{other:?}"),
    }
    match err("") {
        ConfigError::Xml { message, .. } => assert!(message.contains("no root")),
        other => panic!("{other:?}"),
    }
    match err("<a/><b/>") {
        ConfigError::Xml { line, column, .. } => assert_eq!((line, column), (1, 5)),
        other => panic!("{other:?}"),
    }
    let text = err("<tc-config>\n\n   <x>&bogus;</x></tc-config>").to_string();
    assert!(text.starts_with("test.xml:3:"), "{text}");
}

#[test]
fn bad_port_values() {
    let (l, c, setting, value, reason) = invalid(
        "<tc-config>\n  <servers>\n    <server>\n      <dso-port>95x0</dso-port>\n    </server>\n  </servers>\n</tc-config>",
    );
    assert_eq!((l, c), (4, 17));
    assert_eq!(setting, "servers/server/dso-port");
    assert_eq!(value, "95x0");
    assert!(reason.contains("not a number"), "{reason}");
    for bad in ["0", "65536", "-1", "", "99999999999999999999"] {
        let (_, _, setting, value, _) = invalid(&format!(
            "<tc-config><servers><server><jmx-port>{bad}</jmx-port></server></servers></tc-config>"
        ));
        assert_eq!(setting, "servers/server/jmx-port");
        assert_eq!(value, bad);
    }
    let e =
        err("<servers>\n<server>\n<tsa-group-port>\n  70000\n</tsa-group-port></server></servers>");
    assert_eq!(
        e.to_string(),
        "test.xml:4:3: servers/server/tsa-group-port: invalid value '70000': out of range: a port must be from 1 to 65535"
    );
}

#[test]
fn other_bad_values() {
    let cases: &[(&str, &str, &str)] = &[
        (
            "<servers><server><dso><persistence><mode>forever</mode></persistence></dso></server></servers>",
            "servers/server/dso/persistence/mode",
            "forever",
        ),
        (
            "<application><dso><locks><autolock><method-expression>* *(..)</method-expression><lock-level>exclusive</lock-level></autolock></locks></dso></application>",
            "application/dso/locks/autolock/lock-level",
            "exclusive",
        ),
        (
            "<servers><client-reconnect-window>-5</client-reconnect-window></servers>",
            "servers/client-reconnect-window",
            "-5",
        ),
        (
            "<servers><server><dso><client-reconnect-window>soon</client-reconnect-window></dso></server></servers>",
            "servers/server/dso/client-reconnect-window",
            "soon",
        ),
        (
            "<servers><server><offheap><enabled>true</enabled><maxDataSize>2x</maxDataSize></offheap></server></servers>",
            "servers/server/offheap/maxDataSize",
            "2x",
        ),
        (
            "<servers><server><offheap><enabled>yes</enabled></offheap></server></servers>",
            "servers/server/offheap/enabled",
            "yes",
        ),
        (
            "<servers><restartable enabled=\"maybe\"/></servers>",
            "servers/restartable@enabled",
            "maybe",
        ),
        (
            "<servers><mirror-group election-time=\"x\"><server/></mirror-group></servers>",
            "servers/mirror-group@election-time",
            "x",
        ),
        (
            "<servers><ha><mode>active-active</mode></ha></servers>",
            "servers/ha/mode",
            "active-active",
        ),
        (
            "<tc-properties><property name=\"l1.healthcheck.l2.ping.probes\" value=\"three\"/></tc-properties>",
            "l1.healthcheck.l2.ping.probes",
            "three",
        ),
        (
            "<clients><dso><fault-count>-1</fault-count></dso></clients>",
            "clients/dso/fault-count",
            "-1",
        ),
        ("<cluster/>", "root element", "cluster"),
    ];
    for (body, want_setting, want_value) in cases {
        let xml = if body.starts_with("<cluster") {
            body.to_string()
        } else {
            format!("<tc-config>{body}</tc-config>")
        };
        let (line, column, setting, value, reason) = invalid(&xml);
        assert_eq!(
            (line, setting.as_str(), value.as_str()),
            (1, *want_setting, *want_value),
            "{xml}"
        );
        assert!(column >= 1 && !reason.is_empty());
    }
}

#[test]
fn offheap_enabled_needs_a_size() {
    let (_, _, setting, _, _) = invalid(
        "<tc-config><servers><server><offheap><enabled>true</enabled></offheap></server></servers></tc-config>",
    );
    assert_eq!(setting, "servers/server/offheap/maxDataSize");
}

#[test]
fn unknown_element_is_a_warning_with_line() {
    let cfg = TcConfig::from_str_with_origin(
        "<tc-config>\n  <servers>\n    <server name=\"a\" colour=\"red\">\n      <foo>1</foo>\n    </server>\n  </servers>\n  <bar/>\n</tc-config>",
        "test.xml",
    )
    .expect("warnings only");
    let w: Vec<(u32, u32, &str)> = cfg
        .warnings
        .iter()
        .map(|w| (w.line, w.column, w.message.as_str()))
        .collect();
    assert_eq!(
        w,
        vec![
            (
                3,
                30,
                "unknown attribute 'colour' of <servers/server> ignored"
            ),
            (4, 7, "unknown element <foo> at servers/server/foo ignored"),
            (7, 3, "unknown element <bar> at bar ignored"),
        ]
    );
}

#[test]
fn duplicate_server_names() {
    let (line, column, setting, value, reason) = invalid(
        "<tc-config><servers>\n<server name=\"m1\"/>\n<server name=\"m1\" host=\"h2\"/>\n</servers></tc-config>",
    );
    assert_eq!((line, column), (3, 15));
    assert_eq!(setting, "servers/server@name");
    assert_eq!(value, "m1");
    assert!(reason.contains("line 2"), "{reason}");
    // Default names (host:port) collide too.
    let (_, _, _, value, _) =
        invalid("<tc-config><servers><server/><server host=\"localhost\"/></servers></tc-config>");
    assert_eq!(value, "localhost:9510");
    // Across mirror groups as well.
    let (_, _, _, value, _) = invalid(
        "<tc-config><servers><mirror-group group-name=\"a\"><server name=\"x\"/></mirror-group><mirror-group group-name=\"b\"><server name=\"x\"/></mirror-group></servers></tc-config>",
    );
    assert_eq!(value, "x");
}

#[test]
fn server_and_mirror_group_cannot_mix() {
    let e = err(
        "<tc-config>\n<servers>\n  <server name=\"a\"/>\n  <mirror-group group-name=\"g\">\n    <server name=\"b\"/>\n  </mirror-group>\n</servers>\n</tc-config>",
    );
    let text = e.to_string();
    match e {
        ConfigError::Invalid {
            line,
            column,
            setting,
            reason,
            ..
        } => {
            assert_eq!((line, column), (4, 3));
            assert_eq!(setting, "servers/mirror-group");
            assert!(reason.contains("line 3"), "{reason}");
        }
        other => panic!("{other:?}"),
    }
    assert!(text.contains("cannot both appear"), "{text}");
}

#[test]
fn structural_errors() {
    // Empty mirror group, duplicate group names, port clash inside one server, two <servers>.
    let (_, _, setting, _, _) =
        invalid("<tc-config><servers><mirror-group group-name=\"g\"/></servers></tc-config>");
    assert_eq!(setting, "servers/mirror-group");
    let (_, _, setting, _, _) = invalid(
        "<tc-config><servers><mirror-group group-name=\"g\"><server name=\"a\"/></mirror-group><mirror-group group-name=\"g\"><server name=\"b\"/></mirror-group></servers></tc-config>",
    );
    assert_eq!(setting, "servers/mirror-group@group-name");
    let (_, _, setting, value, _) = invalid(
        "<tc-config><servers><server><dso-port>9000</dso-port><jmx-port>9000</jmx-port></server></servers></tc-config>",
    );
    assert_eq!(
        (setting.as_str(), value.as_str()),
        ("servers/server/jmx-port", "9000")
    );
    let (_, _, setting, _, _) = invalid("<tc-config><servers/><servers/></tc-config>");
    assert_eq!(setting, "servers");
    let (_, _, setting, _, _) = invalid(
        "<tc-config><application><dso><roots><root><root-name>x</root-name></root></roots></dso></application></tc-config>",
    );
    assert_eq!(setting, "application/dso/roots/root/field-name");
}

#[test]
fn io_error_names_the_path() {
    let e = TcConfig::from_file("/definitely/not/here/tc-config.xml").expect_err("missing");
    assert!(matches!(e, ConfigError::Io { .. }));
    assert!(std::error::Error::source(&e).is_some());
    assert!(
        e.to_string().contains("/definitely/not/here/tc-config.xml"),
        "{e}"
    );
}

#[test]
fn file_errors_name_the_file() {
    let dir = std::env::temp_dir().join(format!("kiln-config-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("tmp dir");
    let path = dir.join("bad.xml");
    std::fs::write(
        &path,
        "<tc-config>\n<servers><server><dso-port>x</dso-port></server></servers></tc-config>",
    )
    .expect("write");
    let e = TcConfig::from_file(&path).expect_err("bad port");
    assert!(
        e.to_string().starts_with(&format!("{}:2:", path.display())),
        "{e}"
    );
    std::fs::write(&path, b"<tc-config>\n<x>\xff</x></tc-config>").expect("write");
    match TcConfig::from_file(&path).expect_err("not utf-8") {
        ConfigError::Xml { line, column, .. } => assert_eq!((line, column), (2, 4)),
        other => panic!("{other:?}"),
    }
    std::fs::remove_dir_all(&dir).expect("cleanup");
}

#[test]
fn fragments_are_accepted_with_a_warning() {
    for root in ["servers", "application", "clients", "tc-properties"] {
        let cfg =
            TcConfig::from_str_with_origin(&format!("<{root}/>"), "test.xml").expect("fragment");
        assert!(
            cfg.warnings[0].message.contains("not <tc-config>"),
            "{:?}",
            cfg.warnings
        );
    }
}

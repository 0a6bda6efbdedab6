//! `<ha><quorum>` and `<ha><voters>` (issue #11, item 5): parsed, and bad values reported with
//! file, line, column and setting.

use kiln_config::{ConfigError, Quorum, TcConfig, Voter};

fn xml(ha: &str, servers: usize) -> String {
    let mut s =
        String::from("<tc:tc-config xmlns:tc=\"http://www.terracotta.org/config\">\n<servers>\n");
    for i in 1..=servers {
        s.push_str(&format!(
            "<server name=\"s{i}\" host=\"127.0.0.1\"><dso-port>{}</dso-port><jmx-port>{}</jmx-port><l2-group-port>{}</l2-group-port></server>\n",
            9500 + i,
            9600 + i,
            9700 + i
        ));
    }
    s.push_str(ha);
    s.push_str("\n</servers>\n</tc:tc-config>\n");
    s
}

fn invalid(x: &str) -> (u32, u32, String, String) {
    match TcConfig::from_str_with_origin(x, "q.xml") {
        Err(ConfigError::Invalid {
            file,
            line,
            column,
            setting,
            reason,
            ..
        }) => {
            assert_eq!(file, "q.xml");
            (line, column, setting, reason)
        }
        other => panic!("expected Invalid, got {other:?}"),
    }
}

#[test]
fn majority_with_voters_is_parsed() {
    let cfg = TcConfig::from_str_with_origin(
        &xml(
            "<ha><mode>networked-active-passive</mode><quorum>majority</quorum>\
             <voters><voter host=\"10.0.0.9\" port=\"9540\"/></voters></ha>",
            2,
        ),
        "q.xml",
    )
    .expect("valid");
    assert_eq!(cfg.servers.ha.quorum, Quorum::Majority);
    assert_eq!(
        cfg.servers.ha.voters,
        vec![Voter {
            host: "10.0.0.9".into(),
            port: 9540
        }]
    );
    // Default: off, no voters.
    let cfg = TcConfig::from_str_with_origin(&xml("", 2), "q.xml").expect("valid");
    assert_eq!(cfg.servers.ha.quorum, Quorum::Off);
    assert!(cfg.servers.ha.voters.is_empty());
    // Three servers need no voter.
    let cfg =
        TcConfig::from_str_with_origin(&xml("<ha><quorum>majority</quorum></ha>", 3), "q.xml")
            .expect("valid");
    assert_eq!(cfg.servers.ha.quorum, Quorum::Majority);
}

#[test]
fn bad_quorum_settings_name_line_column_and_setting() {
    let (line, column, setting, reason) = invalid(&xml("<ha><quorum>most</quorum></ha>", 2));
    assert_eq!((line, setting.as_str()), (5, "servers/ha/quorum"));
    assert!(column > 1, "{column}");
    assert!(reason.contains("'majority'"), "{reason}");

    let (line, _, setting, reason) = invalid(&xml(
        "<ha><quorum>majority</quorum><voters><voter host=\"h\" port=\"99999\"/></voters></ha>",
        2,
    ));
    assert_eq!(
        (line, setting.as_str()),
        (5, "servers/ha/voters/voter@port")
    );
    assert!(reason.contains("out of range"), "{reason}");

    let (_, _, setting, reason) = invalid(&xml(
        "<ha><quorum>majority</quorum><voters><voter port=\"9540\"/></voters></ha>",
        2,
    ));
    assert_eq!(setting, "servers/ha/voters/voter@host");
    assert!(reason.contains("kiln-voter"), "{reason}");

    // Two servers and no voter: a majority would be both, no failover ever.
    let (line, _, setting, reason) = invalid(&xml("<ha><quorum>majority</quorum></ha>", 2));
    assert_eq!((line, setting.as_str()), (5, "servers/ha/quorum"));
    assert!(reason.contains("at least 3 voting members"), "{reason}");
}

#[test]
fn voters_without_quorum_warn() {
    let cfg = TcConfig::from_str_with_origin(
        &xml(
            "<ha><quorum>off</quorum><voters><voter host=\"h\" port=\"9540\"/></voters></ha>",
            2,
        ),
        "q.xml",
    )
    .expect("valid");
    assert!(
        cfg.warnings
            .iter()
            .any(|w| w.message.contains("voters are not used")),
        "{:?}",
        cfg.warnings
    );
}

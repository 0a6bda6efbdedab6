//! Property tests: the parser never panics, and port values round-trip.

mod common;

use kiln_config::{ConfigError, TcConfig};
use proptest::prelude::*;

fn parse(xml: &str) -> Result<TcConfig, ConfigError> {
    TcConfig::from_str_with_origin(xml, "<prop>")
}

/// Pieces of tc-config vocabulary, so random documents get deep into the parser.
fn token() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("<tc:tc-config xmlns:tc=\"x\">".to_string()),
        Just("</tc:tc-config>".to_string()),
        Just("<tc-config>".to_string()),
        Just("</tc-config>".to_string()),
        Just("<servers>".to_string()),
        Just("</servers>".to_string()),
        Just("<server name=\"a\" host=\"%h\">".to_string()),
        Just("<server>".to_string()),
        Just("</server>".to_string()),
        Just("<mirror-group group-name=\"g\" election-time=\"3\">".to_string()),
        Just("</mirror-group>".to_string()),
        Just("<dso-port>".to_string()),
        Just("</dso-port>".to_string()),
        Just("<dso><persistence><mode>".to_string()),
        Just("</mode></persistence></dso>".to_string()),
        Just("<offheap><enabled>true</enabled><maxDataSize>".to_string()),
        Just("</maxDataSize></offheap>".to_string()),
        Just("<restartable enabled=\"true\"/>".to_string()),
        Just(
            "<tc-properties><property name=\"l1.healthcheck.l2.ping.probes\" value=\"".to_string()
        ),
        Just("\"/></tc-properties>".to_string()),
        Just("<application><dso><locks><autolock><lock-level>".to_string()),
        Just("</lock-level></autolock></locks></dso></application>".to_string()),
        Just("<!-- c -->".to_string()),
        Just("<![CDATA[x]]>".to_string()),
        Just("&amp;".to_string()),
        Just("%(".to_string()),
        Just("...".to_string()),
        "[0-9]{1,6}",
        "[ -~]{0,8}",
        "\\PC{0,4}",
    ]
}

/// A random edit of a document (as chars, so the text stays valid UTF-8).
#[derive(Debug, Clone)]
enum Edit {
    Delete(usize, usize),
    Insert(usize, String),
    Duplicate(usize, usize),
    Replace(usize, char),
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        (any::<usize>(), 0usize..40).prop_map(|(a, n)| Edit::Delete(a, n)),
        (any::<usize>(), token()).prop_map(|(a, s)| Edit::Insert(a, s)),
        (any::<usize>(), 0usize..200).prop_map(|(a, n)| Edit::Duplicate(a, n)),
        (any::<usize>(), any::<char>()).prop_map(|(a, c)| Edit::Replace(a, c)),
    ]
}

fn apply(text: &str, edits: &[Edit]) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    for e in edits {
        let len = chars.len().max(1);
        match e {
            Edit::Delete(at, n) => {
                let at = at % len;
                let end = (at + n).min(chars.len());
                if at < end {
                    chars.drain(at..end);
                }
            }
            Edit::Insert(at, s) => {
                let at = at % (chars.len() + 1);
                chars.splice(at..at, s.chars());
            }
            Edit::Duplicate(at, n) => {
                let at = at % len;
                let end = (at + n).min(chars.len());
                if at < end {
                    let piece: Vec<char> = chars[at..end].to_vec();
                    chars.splice(end..end, piece);
                }
            }
            Edit::Replace(at, c) => {
                if !chars.is_empty() {
                    let at = at % chars.len();
                    chars[at] = *c;
                }
            }
        }
    }
    chars.into_iter().collect()
}

fn check_outcome(r: Result<TcConfig, ConfigError>) {
    match r {
        Ok(cfg) => {
            // Whatever parses is usable.
            assert!(cfg.all_servers().count() >= 1);
            let _ = cfg.summary();
            let _ = cfg.client_addresses();
            for w in &cfg.warnings {
                assert!(w.line >= 1 && w.column >= 1);
            }
        }
        Err(e) => {
            let text = e.to_string();
            assert!(text.starts_with("<prop>"), "{text}");
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig {
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn never_panics_on_arbitrary_text(s in "\\PC{0,300}") {
        check_outcome(parse(&s));
    }

    #[test]
    fn never_panics_on_token_soup(tokens in prop::collection::vec(token(), 0..60)) {
        check_outcome(parse(&tokens.concat()));
    }

    #[test]
    fn never_panics_on_mutated_fixtures(
        which in 0usize..4,
        edits in prop::collection::vec(edit(), 1..6),
    ) {
        let name = [
            "kiln_full.xml",
            "seed001_mirror_groups.xml",
            "seed004_cometd.xml",
            "seed003_tc_properties.xml",
        ][which];
        let text = apply(&common::fixture_text(name), &edits);
        check_outcome(parse(&text));
    }

    #[test]
    fn dso_port_round_trips(n in prop_oneof![any::<i64>(), -10i64..70_000]) {
        let xml = format!(
            "<tc-config><servers><server name=\"s\"><dso-port> {n} </dso-port></server></servers></tc-config>"
        );
        match parse(&xml) {
            Ok(cfg) => {
                prop_assert!((1..=65_535).contains(&n));
                let s = cfg.select_server(Some("s")).expect("s");
                prop_assert_eq!(i64::from(s.dso_port), n);
                prop_assert_eq!(cfg.client_addresses(), vec![format!("localhost:{n}")]);
            }
            Err(ConfigError::Invalid { setting, value, line, column, .. }) => {
                prop_assert!(!(1..=65_535).contains(&n), "valid port {} refused", n);
                prop_assert_eq!(setting, "servers/server/dso-port");
                prop_assert_eq!(value, n.to_string());
                prop_assert_eq!((line, column), (1, 49));
            }
            Err(other) => prop_assert!(false, "unexpected error {other}"),
        }
    }

    #[test]
    fn offheap_sizes(n in 0u64..1_000_000, unit in prop_oneof![Just(""), Just("k"), Just("M"), Just("g"), Just("Gb")]) {
        let xml = format!(
            "<servers><server><offheap><enabled>true</enabled><maxDataSize>{n}{unit}</maxDataSize></offheap></server></servers>"
        );
        let cfg = parse(&xml).expect("valid size");
        let mult = match unit.to_ascii_lowercase().as_str() {
            "" => 1,
            "k" => 1 << 10,
            "m" => 1 << 20,
            _ => 1 << 30,
        };
        let o = cfg.select_server(None).expect("one").offheap.clone().expect("offheap");
        prop_assert_eq!(o.max_data_size_bytes, n * mult);
    }
}

//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::path::PathBuf;

use kiln_config::TcConfig;

/// Path of a fixture under `tests/fixtures/`.
pub fn fixture_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("fixtures")
        .join(name)
}

/// Text of a fixture.
pub fn fixture_text(name: &str) -> String {
    std::fs::read_to_string(fixture_path(name)).expect("fixture exists")
}

/// Parse a fixture file, panicking with the error's Display on failure.
pub fn load(name: &str) -> TcConfig {
    match TcConfig::from_file(fixture_path(name)) {
        Ok(c) => c,
        Err(e) => panic!("{name} should parse: {e}"),
    }
}

/// Directory holding the fixtures (relative paths in them resolve against it).
pub fn fixtures_dir() -> PathBuf {
    fixture_path("")
}

/// Every fixture file name, sorted.
pub fn all_fixtures() -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(fixtures_dir())
        .expect("fixtures dir")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".xml"))
        .collect();
    v.sort();
    v
}

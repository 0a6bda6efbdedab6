//! Arbitrary text through the tc-config.xml parser: never a panic, only a config or an error.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(cfg) = kiln_config::TcConfig::from_str_with_origin(text, "<fuzz>") {
            let _ = cfg.summary();
            let _ = cfg.client_addresses();
            let _ = cfg.select_server(None);
        }
    }
});

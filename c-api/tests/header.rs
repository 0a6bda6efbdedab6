//! The checked-in `include/kiln.h` is exactly what the pinned cbindgen generates from the
//! crate's sources. Regenerate it with `KILN_BLESS=1 cargo test -p kiln-c-api --test header`.

use std::path::Path;

#[test]
fn header_is_up_to_date() {
    let crate_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let config =
        cbindgen::Config::from_file(crate_dir.join("cbindgen.toml")).expect("read cbindgen.toml");
    let mut generated = Vec::new();
    cbindgen::Builder::new()
        .with_crate(crate_dir)
        .with_config(config)
        .generate()
        .expect("cbindgen generates the header")
        .write(&mut generated);
    let generated = String::from_utf8(generated).expect("the header is UTF-8");
    let path = crate_dir.join("include/kiln.h");
    if std::env::var_os("KILN_BLESS").is_some() {
        std::fs::write(&path, &generated).expect("write include/kiln.h");
        return;
    }
    let checked_in = std::fs::read_to_string(&path).unwrap_or_default();
    if checked_in != generated {
        let line = checked_in
            .lines()
            .zip(generated.lines())
            .position(|(a, b)| a != b)
            .map_or_else(
                || checked_in.lines().count().min(generated.lines().count()) + 1,
                |i| i + 1,
            );
        let show = |s: &str| {
            s.lines()
                .nth(line - 1)
                .unwrap_or("<end of file>")
                .to_string()
        };
        panic!(
            "c-api/include/kiln.h is out of date (first difference at line {line}):\n  \
             checked in: {}\n  generated:  {}\nRegenerate it with:\n  \
             KILN_BLESS=1 cargo test -p kiln-c-api --test header\nand commit the result.",
            show(&checked_in),
            show(&generated)
        );
    }
}

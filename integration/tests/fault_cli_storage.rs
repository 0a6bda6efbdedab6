//! Issue #11, item 8 (third defect): when the server rejects a transaction for storage, the
//! `kiln` CLI reports the server's storage error, not a follow-up `UnknownObject` from a frame
//! that depended on the rejected transaction. A real persistent server whose store fails
//! (`KILN_STORE_FAIL_IF_EXISTS` fault injection), the real `kiln` binary.

use std::process::Command;
use std::time::{Duration, Instant};

use kiln_integration::{binary, ServerOptions, ServerProcess, TempDir};

/// Runs `kiln -s ADDR ARGS` in `cwd` (bounded); returns (exit code, stdout, stderr).
fn kiln(server: &ServerProcess, cwd: &TempDir, args: &[&str]) -> (Option<i32>, String, String) {
    let addr = server.addr();
    let mut child = Command::new(binary("kiln"))
        .arg("-s")
        .arg(&addr)
        .args(args)
        .current_dir(cwd.path())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn kiln");
    let deadline = Instant::now() + Duration::from_secs(30);
    while child.try_wait().expect("try_wait").is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("kiln {args:?} did not finish within 30 s");
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    let out = child.wait_with_output().expect("kiln output");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn cli_reports_the_storage_rejection_not_a_dangling_root() {
    let flag_dir = TempDir::new("cli-store-flag");
    let flag = flag_dir.path().join("disk-full");
    let server = ServerProcess::start_opts(ServerOptions {
        persistent: true,
        reconnect_window_secs: Some(1),
        env: vec![(
            "KILN_STORE_FAIL_IF_EXISTS".into(),
            flag.display().to_string(),
        )],
        ..ServerOptions::default()
    });
    let cwd = TempDir::new("cli-store");
    std::fs::write(&flag, b"full").expect("raise the disk-full flag");

    let (code, stdout, stderr) = kiln(&server, &cwd, &["map", "put", "m", "k", "v"]);
    assert_ne!(
        code,
        Some(0),
        "a rejected write must fail: {stdout}{stderr}"
    );
    assert!(
        !stderr.contains("UnknownObject") && !stderr.contains("cannot refer to object"),
        "the CLI reported a follow-up error instead of the rejection: {stderr}"
    );
    assert!(
        stderr.to_lowercase().contains("storage"),
        "the CLI must report the storage rejection: {stderr}"
    );
    assert!(
        !server.log().contains("cannot refer to object"),
        "the client sent a RootCreate naming the rejected object; server log:\n{}",
        server.log()
    );

    // Storage back: the same command works and the value is there.
    std::fs::remove_file(&flag).expect("clear the flag");
    server.wait_status("storage healthy again", |s| s["storage"]["healthy"] == true);
    let (code, _, stderr) = kiln(&server, &cwd, &["map", "put", "m", "k", "v"]);
    assert_eq!(code, Some(0), "put after recovery failed: {stderr}");
    let (code, stdout, stderr) = kiln(&server, &cwd, &["map", "get", "m", "k"]);
    assert_eq!(code, Some(0), "get failed: {stderr}");
    assert_eq!(stdout, "v\n");
}

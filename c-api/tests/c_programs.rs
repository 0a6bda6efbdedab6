//! C programs (`tests/c/*.c`) compiled against `include/kiln.h` and libkiln (built first, see
//! [`lib_dir`]), run against a real `kiln-server` on free ports — under valgrind
//! memcheck (zero errors, no definite or indirect leaks) when it is installed.
#![allow(clippy::unwrap_used)]

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use kiln::blocking::Client;
use kiln::{ClientBuilder, DmiCall, LockId, LockLevel, ObjectId, ObjectState, Value};
use kiln_integration::ServerProcess;

// ------------------------------------------------------------------------------ harness

fn crate_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Where `libkiln.so` / `libkiln.a` are: `target/<profile>/deps`, beside this test executable.
/// `cargo test` does not build a cdylib / staticlib for the crate's integration tests (they
/// cannot link it), so this runs `cargo build -p kiln-c-api` once first (cargo has released its
/// build lock while tests run; a no-op when the library is fresh). `KILN_C_API_LIB_DIR` names
/// another directory holding both files and skips the build.
fn lib_dir() -> PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = match std::env::var_os("KILN_C_API_LIB_DIR") {
            Some(d) => PathBuf::from(d),
            None => {
                let exe = std::env::current_exe().expect("test executable path");
                let dir = exe.parent().expect("deps dir").to_path_buf();
                let release = dir
                    .parent()
                    .and_then(Path::file_name)
                    .is_some_and(|n| n == "release");
                let mut cmd = Command::new(env!("CARGO"));
                cmd.args(["build", "-q", "-p", "kiln-c-api"]);
                if release {
                    cmd.arg("--release");
                }
                let st = cmd.status().expect("run cargo build -p kiln-c-api");
                assert!(st.success(), "cargo build -p kiln-c-api failed");
                dir
            }
        };
        for lib in ["libkiln.so", "libkiln.a"] {
            assert!(
                dir.join(lib).exists(),
                "{lib} not found in {} (cargo build -p kiln-c-api puts it there)",
                dir.display()
            );
        }
        dir
    })
    .clone()
}

/// Output directory of the compiled programs.
fn out_dir() -> PathBuf {
    let d = kiln_integration::target_dir().join("c-api-tests");
    std::fs::create_dir_all(&d).expect("create c-api-tests dir");
    d
}

/// Compiles `tests/c/<name>.c` (or a C++ file) with warnings as errors, linked against the
/// shared libkiln (rpath to it) or, with `static_link`, against `libkiln.a`.
fn compile(compiler: &str, src: &Path, name: &str, static_link: bool) -> PathBuf {
    let lib = lib_dir();
    let out = out_dir().join(name);
    let mut cmd = Command::new(compiler);
    cmd.arg(if compiler == "c++" {
        "-std=c++17"
    } else {
        "-std=c11"
    })
    .args(["-Wall", "-Wextra", "-Werror", "-g", "-O1", "-pthread"])
    .arg("-I")
    .arg(crate_dir().join("include"))
    .arg("-I")
    .arg(crate_dir().join("tests/c"))
    .arg(src)
    .arg("-o")
    .arg(&out);
    if static_link {
        cmd.arg(lib.join("libkiln.a")).args(["-ldl", "-lm"]);
    } else {
        cmd.arg("-L")
            .arg(&lib)
            .arg("-lkiln")
            .arg(format!("-Wl,-rpath,{}", lib.display()));
    }
    let o = cmd
        .output()
        .unwrap_or_else(|e| panic!("run {compiler}: {e}"));
    assert!(
        o.status.success(),
        "compiling {} failed:\n{}",
        src.display(),
        String::from_utf8_lossy(&o.stderr)
    );
    out
}

/// A C test program, compiled once per test run.
fn program(name: &str) -> PathBuf {
    static LOCK: parking_lot::Mutex<()> = parking_lot::Mutex::new(());
    let _g = LOCK.lock();
    let out = out_dir().join(name);
    let src = crate_dir().join("tests/c").join(format!("{name}.c"));
    compile("cc", &src, name, false);
    out
}

fn valgrind() -> Option<&'static str> {
    static V: OnceLock<bool> = OnceLock::new();
    let have = *V.get_or_init(|| {
        if std::env::var_os("KILN_C_TESTS_NO_VALGRIND").is_some() {
            return false;
        }
        let ok = Command::new("valgrind")
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success());
        if !ok {
            // CI sets KILN_REQUIRE_VALGRIND=1 (.ci/run): there, memcheck is part of the test.
            assert!(
                std::env::var_os("KILN_REQUIRE_VALGRIND").is_none(),
                "KILN_REQUIRE_VALGRIND is set but valgrind is not installed (apt-get install valgrind)"
            );
            eprintln!("valgrind not installed: the C programs run WITHOUT memcheck");
        }
        ok
    });
    have.then_some("valgrind")
}

/// Starts a program (under valgrind memcheck when available).
fn spawn(bin: &Path, args: &[&str]) -> Child {
    let mut cmd = match valgrind() {
        Some(v) => {
            let mut c = Command::new(v);
            c.args([
                "-q",
                "--error-exitcode=99",
                "--leak-check=full",
                "--errors-for-leak-kinds=definite,indirect",
                "--show-leak-kinds=definite,indirect",
            ])
            .arg(bin);
            c
        }
        None => Command::new(bin),
    };
    cmd.args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("start {}: {e}", bin.display()))
}

/// Waits for `child` (killed after `limit`), returns its status, stdout and stderr.
fn finish(mut child: Child, limit: Duration) -> (ExitStatus, String, String) {
    let out = child.stdout.take();
    let mut err = child.stderr.take().expect("stderr piped");
    let t_out = std::thread::spawn(move || {
        let mut s = String::new();
        if let Some(mut out) = out {
            let _ = out.read_to_string(&mut s);
        }
        s
    });
    let t_err = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = err.read_to_string(&mut s);
        s
    });
    let deadline = Instant::now() + limit;
    let status = loop {
        if let Some(st) = child.try_wait().expect("wait") {
            break st;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let st = child.wait().expect("wait after kill");
            let (o, e) = (t_out.join().unwrap(), t_err.join().unwrap());
            panic!("program timed out after {limit:?} ({st}):\nstdout:\n{o}\nstderr:\n{e}");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    (status, t_out.join().unwrap(), t_err.join().unwrap())
}

const LIMIT: Duration = Duration::from_secs(120);

fn run_ok(bin: &Path, args: &[&str]) -> String {
    let (st, out, err) = finish(spawn(bin, args), LIMIT);
    assert!(
        st.success(),
        "{} {args:?} failed ({st}; 99 = valgrind found errors or leaks):\nstdout:\n{out}\nstderr:\n{err}",
        bin.display()
    );
    out
}

fn rust_client(s: &ServerProcess, name: &str) -> Client {
    ClientBuilder::new([s.addr()])
        .name(name)
        .connect_blocking()
        .expect("rust client connects")
}

fn s(v: &str) -> Value {
    Value::Str(v.into())
}

// ------------------------------------------------------------------------------ tests

#[test]
fn c_writer_and_rust_reader_share_a_map() {
    let server = ServerProcess::start();
    let bin = program("map_writer");
    let rust = rust_client(&server, "rust-reader");
    write_from_rust(&rust);

    let out = run_ok(&bin, &[&server.addr()]);
    assert!(out.contains("map_writer ok"), "{out}");

    // A fresh client reads everything from the server.
    let r = rust_client(&server, "rust-reader-2");
    check_map_writer(&r);
    r.close().expect("close");
    rust.close().expect("close");
}

/// The same C program, unmodified, against a cluster of two stripes (mirror groups, issue
/// #12), connected with the connect string `h:p;h:p`: its roots land on both stripes (`shared`
/// on stripe 0, `c-list`, `c-counter`, `c-config`, `c-answer` on stripe 1), so its first
/// transaction — under the lock `shared`, of stripe 0 — changes objects of both and commits on
/// both (two-phase commit). A Rust client over both stripes wrote before and reads after.
#[test]
fn c_writer_over_two_stripes_shares_one_graph_with_rust() {
    use kiln_protocol::stripe::name_stripe;
    assert_eq!(name_stripe("shared", 2), 0);
    for root in ["c-list", "c-counter", "c-config", "c-answer"] {
        assert_eq!(name_stripe(root, 2), 1, "{root}");
    }
    let servers = ServerProcess::start_stripes(2);
    let cs = ServerProcess::connect_string(&servers);
    let striped = |name: &str| {
        ClientBuilder::from_connect_string(&cs)
            .name(name)
            .connect_blocking()
            .expect("rust client connects to both stripes")
    };
    let bin = program("map_writer");
    let rust = striped("rust-writer");
    write_from_rust(&rust);

    let out = run_ok(&bin, &[&cs]);
    assert!(out.contains("map_writer ok"), "{out}");

    let r = striped("rust-reader");
    check_map_writer(&r);
    // Each stripe stores its own part: the map on stripe 0, the rest on stripe 1.
    for (i, s) in servers.iter().enumerate() {
        let objects = s.status()["objects"].as_u64().unwrap_or(0);
        assert!(objects > 0, "stripe {i} stores no object: {}", s.status());
    }
    r.close().expect("close");
    rust.close().expect("close");
}

/// `placed_graph` over two stripes: a chain of 30 objects built under a lock of stripe 0 with
/// `kiln_object_create_near`, hung off a map root of stripe 1, lands on stripe 1 (each server's
/// object count says so); a Rust client walks it; plain `kiln_object_create` used the lock's
/// stripe.
#[test]
fn c_objects_created_near_their_referrer_land_on_its_stripe() {
    use kiln_protocol::stripe::name_stripe;
    let first_on = |prefix: &str, s: u8| {
        (0..1000)
            .map(|i| format!("{prefix}-{i}"))
            .find(|n| name_stripe(n, 2) == s)
            .unwrap()
    };
    let root = first_on("c-shelf", 1);
    let lock = first_on("c-lock", 0);
    let servers = ServerProcess::start_stripes(2);
    let cs = ServerProcess::connect_string(&servers);
    let out = run_ok(&program("placed_graph"), &[&cs, &root, &lock, "30"]);
    assert!(out.contains("placed_graph ok: 30 on stripe 1"), "{out}");
    let objects = |i: usize| servers[i].status()["objects"].as_u64().unwrap();
    // Stripe 1: the map and the 30 nodes; stripe 0: the loose object only.
    assert_eq!((objects(0), objects(1)), (1, 31));

    let r = ClientBuilder::from_connect_string(&cs)
        .name("rust-walker")
        .connect_blocking()
        .expect("rust client connects to both stripes");
    let m = r.map(&root).expect("map");
    let get = |k: &str| r.block_on(m.get(r.as_async(), &s(k))).expect("get");
    let mut at = match get("chain") {
        Some(Value::Ref(o)) => Some(o),
        other => panic!("chain = {other:?}"),
    };
    let mut n = 0;
    while let Some(o) = at {
        assert_eq!(o.stripe(), 1, "{o}");
        let st = r.object(o).expect("node");
        assert_eq!(st.field("c.Node", "n"), Some(&Value::I32(n)));
        at = match st.field("c.Node", "next") {
            Some(Value::Ref(x)) => Some(*x),
            _ => None,
        };
        n += 1;
    }
    assert_eq!(n, 30);
    let Some(Value::Ref(loose)) = get("loose") else {
        panic!("loose is not a reference")
    };
    assert_eq!(loose.stripe(), 0);
    r.close().expect("close");
}

/// What the Rust side writes before `map_writer` runs (it reads it back).
fn write_from_rust(rust: &Client) {
    let m = rust.map("shared").expect("map");
    let mut tx = rust
        .lock(LockId::Named("shared".into()), LockLevel::Write)
        .expect("lock");
    m.put(&mut tx, "from-rust", "hello C").expect("put");
    tx.commit().expect("commit");
    rust.flush().expect("flush");
}

/// Everything `map_writer` leaves behind, read by a fresh client.
fn check_map_writer(r: &Client) {
    let m = r.map("shared").expect("map");
    let get = |k: Value| r.block_on(m.get(r.as_async(), &k)).expect("get");
    assert_eq!(get(s("greeting")), Some(s("hello from C")));
    assert_eq!(
        get(Value::Bytes(vec![0, 1, 2, 0])),
        Some(Value::Bytes(vec![0xde, 0xad, 0, 0xbe, 0xef]))
    );
    assert_eq!(get(s("nul\0inside")), Some(s("a\0b")));
    assert_eq!(get(Value::I64(42)), Some(Value::I64(-7_000_000_000)));
    assert_eq!(get(s("temporary")), None);
    assert_eq!(get(s("done")), Some(Value::Bool(true)));
    assert_eq!(get(s("from-rust")), Some(s("hello C")));

    let l = r.list("c-list").expect("list");
    assert_eq!(
        r.block_on(l.to_vec(r.as_async())).expect("list"),
        vec![s("one"), Value::I32(2), Value::F64(3.5)]
    );
    let Some(Value::Ref(counter)) = r.root("c-counter").expect("root") else {
        panic!("c-counter is not an object")
    };
    let st = r.object(counter).expect("counter");
    assert_eq!(st.class, "kiln.Counter");
    assert_eq!(st.field("kiln.Counter", "value"), Some(&Value::I64(7)));
    let Some(Value::Ref(cfg)) = r.root("c-config").expect("root") else {
        panic!("c-config is not an object")
    };
    let cfg = kiln::Object::from_id(cfg);
    let field = |n: &str| {
        r.block_on(cfg.get(r.as_async(), "com.acme.Config", n))
            .expect("field")
    };
    assert_eq!(field("port"), Some(Value::I32(8080)));
    assert_eq!(field("host"), Some(s("example.org")));
    assert_eq!(field("enabled"), Some(Value::Bool(true)));
    assert_eq!(field("ratio"), Some(Value::F64(0.25)));
    let Some(Value::Ref(owner)) = field("owner") else {
        panic!("owner is not a reference")
    };
    let owner = kiln::Object::from_id(owner);
    assert_eq!(
        r.block_on(owner.get(r.as_async(), "com.acme.Owner", "name"))
            .expect("owner name"),
        Some(s("alice"))
    );
    assert_eq!(r.root("c-answer").expect("root"), Some(Value::I64(42)));
}

#[test]
fn two_c_processes_contend_for_locks_with_wait_notify() {
    let server = ServerProcess::start();
    let bin = program("lock_pingpong");
    let addr = server.addr();
    let rounds = 6;
    let a = spawn(&bin, &[&addr, "a", "b", &rounds.to_string()]);
    let b = spawn(&bin, &[&addr, "b", "a", &rounds.to_string()]);
    let (sa, oa, ea) = finish(a, LIMIT);
    let (sb, ob, eb) = finish(b, LIMIT);
    assert!(sa.success(), "a failed ({sa}):\n{oa}\n{ea}");
    assert!(sb.success(), "b failed ({sb}):\n{ob}\n{eb}");

    let r = rust_client(&server, "checker");
    let l = r.list("pingpong").expect("list");
    let seq = r.block_on(l.to_vec(r.as_async())).expect("list");
    let want: Vec<Value> = (0..2 * rounds)
        .map(|i| s(if i % 2 == 0 { "a" } else { "b" }))
        .collect();
    assert_eq!(seq, want, "turns alternate strictly");
    let Some(Value::Ref(counter)) = r.root("pp-counter").expect("root") else {
        panic!("pp-counter is not an object")
    };
    assert_eq!(
        r.object(counter)
            .expect("counter")
            .field("kiln.Counter", "value"),
        Some(&Value::I64(2 * rounds))
    );
    r.close().expect("close");
}

#[test]
fn a_distributed_call_from_rust_reaches_a_c_callback() {
    let server = ServerProcess::start();
    let bin = program("dmi_receiver");
    let mut child = spawn(&bin, &[&server.addr()]);
    let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));
    let mut line = String::new();
    stdout.read_line(&mut line).expect("read READY");
    assert!(line.starts_with("READY "), "receiver said {line:?}");
    let map = ObjectId(line[6..].trim().parse().expect("map id"));

    let rust = rust_client(&server, "rust-sender");
    let lonely = {
        let mut tx = rust
            .lock(LockId::Named("prices".into()), LockLevel::Write)
            .expect("lock");
        let o = tx.create(ObjectState::physical("Lonely")).expect("create");
        tx.commit().expect("commit");
        o
    };
    rust.set_root_literal("lonely", Value::Ref(lonely), true)
        .expect("root");
    let prices = rust.map("prices").expect("map");
    assert_eq!(prices.id(), map);
    let call = |receiver: ObjectId, sym: &str, all_nodes: bool| DmiCall {
        receiver,
        method: "price".into(),
        args: vec![s(sym), Value::I64(42)],
        all_nodes,
    };
    // Resident-only on an object the receiver never faulted in: not delivered there.
    let mut tx = rust
        .lock(LockId::Named("prices".into()), LockLevel::Write)
        .expect("lock");
    tx.invoke(call(lonely, "LONELY", false));
    tx.commit().expect("commit");
    // To every node, then resident-only on the map the receiver subscribed to (so holds).
    let mut tx = rust
        .lock(LockId::Named("prices".into()), LockLevel::Write)
        .expect("lock");
    tx.invoke(call(ObjectId(0), "ACME", true));
    prices.put(&mut tx, "ACME", 42i64).expect("put");
    tx.commit().expect("commit");
    let mut tx = rust
        .lock(LockId::Named("prices".into()), LockLevel::Write)
        .expect("lock");
    tx.invoke(call(map, "RESIDENT", false));
    tx.commit().expect("commit");
    rust.close().expect("close");

    let rest = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = stdout.read_to_string(&mut s);
        s
    });
    let (st, _, err) = finish(child, LIMIT);
    let out = rest.join().unwrap();
    assert!(st.success(), "receiver failed ({st}):\n{out}\n{err}");
    assert!(
        out.contains("lonely=0") && out.contains("symbol=ACME price=42"),
        "{out}"
    );
}

#[test]
fn every_null_argument_and_error_path_returns_its_code_and_message() {
    let server = ServerProcess::start();
    let bin = program("errors");
    let dir = kiln_integration::TempDir::new("c-errors");
    let out = run_ok(&bin, &[&server.addr(), &dir.path().display().to_string()]);
    let checks: usize = out
        .trim()
        .rsplit(": ")
        .next()
        .and_then(|s| s.strip_suffix(" checks"))
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("unexpected output {out:?}"));
    assert!(checks >= 140, "only {checks} checks ran: {out}");
}

#[test]
fn one_client_is_shared_by_many_c_threads() {
    let server = ServerProcess::start();
    let bin = program("threads");
    let out = run_ok(&bin, &[&server.addr()]);
    assert!(out.contains("threads ok"), "{out}");
    let r = rust_client(&server, "checker");
    let m = r.map("threads").expect("map");
    assert_eq!(r.block_on(m.len(r.as_async())).expect("len"), 400);
    r.close().expect("close");
}

#[test]
fn cpp_example_compiles_against_the_header_and_connects_from_tc_config() {
    let server = ServerProcess::start();
    let src = crate_dir().join("examples/cpp_example.cpp");
    // Linked against the static library (the C tests use the shared one).
    let bin = compile("c++", &src, "cpp_example", true);
    // Connects from the server's tc-config.xml (its <servers> section) rather than host:port.
    let out = run_ok(&bin, &[&server.config.display().to_string()]);
    assert!(out.contains("cpp_example: lang = C++"), "{out}");
}

#[test]
fn cmake_example_finds_libkiln_with_pkg_config() {
    let have = |tool: &str| {
        Command::new(tool)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
    };
    if !have("cmake") || !have("pkg-config") {
        eprintln!("cmake or pkg-config not installed: the CMake example is not built");
        return;
    }
    let server = ServerProcess::start();
    let tmp = kiln_integration::TempDir::new("c-cmake");
    let prefix = tmp.path().join("prefix");
    let build = tmp.path().join("build");
    let run = |cmd: &mut Command| {
        let o = cmd.output().expect("run");
        assert!(
            o.status.success(),
            "{cmd:?} failed:\n{}\n{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        );
        String::from_utf8_lossy(&o.stdout).into_owned()
    };
    run(Command::new(crate_dir().join("install.sh"))
        .arg(&prefix)
        .env("LIB_DIR", lib_dir()));
    let pc = prefix.join("lib/pkgconfig");
    let flags = run(Command::new("pkg-config")
        .args(["--cflags", "--libs", "kiln"])
        .env("PKG_CONFIG_PATH", &pc));
    assert!(flags.contains("-lkiln"), "{flags}");
    run(Command::new("cmake")
        .arg("-S")
        .arg(crate_dir().join("examples"))
        .arg("-B")
        .arg(&build)
        .env("PKG_CONFIG_PATH", &pc));
    run(Command::new("cmake").arg("--build").arg(&build));
    let out = run(Command::new(build.join("c_example")).arg(server.addr()));
    assert!(out.contains("c_example: visit 1"), "{out}");
    let out = run(Command::new(build.join("cpp_example")).arg(server.addr()));
    assert!(out.contains("lang = C++"), "{out}");
}

#!/usr/bin/env bash
# Runs every Kiln test on a fresh machine: installs what is missing, then formatting, clippy,
# the workspace tests (unit, property, integration against the real server binary), a
# release-mode smoke run of the benchmark tool and the Java client's build and tests (Gradle).
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
command -v cc >/dev/null || need_apt+=(build-essential)
command -v redis-server >/dev/null || need_apt+=(redis-server)
# The C API tests run their C programs under valgrind memcheck (c-api/tests/c_programs.rs).
command -v valgrind >/dev/null || need_apt+=(valgrind)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "== installing: ${need_apt[*]}"
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq || echo "warning: apt-get update failed"
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}" \
    || echo "warning: could not install ${need_apt[*]} (the Redis comparison is skipped; the C API tests run without valgrind)"
fi
if ! command -v cargo >/dev/null; then
  echo "cargo not found: install Rust (rustup) first" >&2
  exit 1
fi
rustup component add rustfmt clippy >/dev/null 2>&1 || true

echo "== cargo fmt --check"
cargo fmt --all -- --check
echo "== cargo clippy -D warnings"
cargo clippy --workspace --all-targets -- -D warnings
echo "== cargo build (debug binaries used by the integration tests)"
cargo build --workspace --bins
echo "== cargo test"
cargo test --workspace -- --test-threads 2
echo "== benchmark smoke run (release)"
cargo build --release -p kiln-server -p kiln -p kiln-bench -p kiln-c-api
./target/release/kiln-bench --quick

# ---- Java client (java-client/): kiln-agent.jar with the JNI bridge (jni-agent), Java tests.
# Gradle builds the bridge itself (cargo build --release -p kiln-jni-agent) and the debug server
# the tests start; the tests run child JVMs on this JDK and on Temurin 25 if it is installed.
need_java=()
command -v gradle >/dev/null || need_java+=(gradle)
command -v javac >/dev/null || need_java+=(default-jdk-headless)
if [ ${#need_java[@]} -gt 0 ]; then
  echo "== installing: ${need_java[*]}"
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq || echo "warning: apt-get update failed"
  if ! DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_java[@]}" >/dev/null; then
    echo "could not install ${need_java[*]} with apt-get: the Java client needs Gradle (>= 4.4) and a JDK (>= 11)" >&2
    exit 1
  fi
fi
echo "== java client: gradle :java-client:test"
# cleanTest: run the tests even when Gradle finds them up to date (this script runs every test).
gradle --no-daemon -q -p . :java-client:cleanTest :java-client:test
echo "== all tests passed"

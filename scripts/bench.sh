#!/usr/bin/env bash
# Builds the server and the benchmark tool in release mode, installs Redis for the comparison if
# missing, and runs kiln-bench (extra arguments are passed on, e.g. --secs 5 or --only txn).
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v redis-server >/dev/null || ! command -v redis-benchmark >/dev/null; then
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  ($SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq redis-server) \
    || echo "warning: redis-server not installed; the Redis comparison will be skipped"
fi
cargo build --release -p kiln-server -p kiln-bench
exec ./target/release/kiln-bench "$@"

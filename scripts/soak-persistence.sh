#!/usr/bin/env bash
# Persistence soak: runs the kill -9 test of integration/tests/persistence.rs for ROUNDS rounds
# (default 200; the normal test suite runs 20). Each round kills the server with SIGKILL at a
# random moment while a writer has synchronous transactions in flight, restarts it and checks
# that every acknowledged transaction survived and none was applied by half.
#
#   scripts/soak-persistence.sh [ROUNDS]
#
# Environment:
#   KILN_SOAK_SEED=N          replay the kill moments of an earlier run (the test prints its seed)
#   KILN_SOAK_RELEASE=1       build and run in release mode (faster rounds)
#   KILN_PERSIST_OBJECTS=N    also run the clean-restart reload test with N objects (e.g. 1000000)
set -euo pipefail
cd "$(dirname "$0")/.."
rounds="${1:-200}"
profile=()
if [ "${KILN_SOAK_RELEASE:-0}" = 1 ]; then profile=(--release); fi

echo "== building kiln-server ${profile[*]}"
cargo build "${profile[@]}" -p kiln-server --bins

echo "== kill -9 soak: $rounds rounds"
KILN_SOAK_ROUNDS="$rounds" cargo test "${profile[@]}" -p kiln-integration --test persistence -- \
  --exact kill9_under_load_keeps_every_acknowledged_txn --nocapture

if [ -n "${KILN_PERSIST_OBJECTS:-}" ]; then
  echo "== clean restart with $KILN_PERSIST_OBJECTS objects"
  cargo test "${profile[@]}" -p kiln-integration --test persistence -- \
    --exact clean_restart_reloads_a_million_objects --nocapture
fi
echo "== persistence soak passed"

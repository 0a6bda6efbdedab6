#!/usr/bin/env bash
# HA soak: runs the kill -9 failover tests of integration/tests/ha_failover.rs (an in-memory and
# a persistent two-server group) for ROUNDS rounds each (default 200; CI runs 20). Each round
# writes through one client, kills the active with SIGKILL while transactions are in flight,
# waits for the standby to take over (the client carries on with its session), checks that every
# acknowledged write is present exactly once and in order, and restarts the old active, which
# resyncs as the new standby.
#
#   scripts/soak-ha.sh [ROUNDS]
#
# Environment:
#   KILN_SOAK_RELEASE=1   build and run in release mode
set -euo pipefail
cd "$(dirname "$0")/.."
rounds="${1:-200}"
case "$rounds" in
  ''|*[!0-9]*) echo "soak-ha.sh: ROUNDS must be a number, got '$rounds'" >&2; exit 2 ;;
esac
profile=()
if [ "${KILN_SOAK_RELEASE:-0}" = 1 ]; then profile=(--release); fi

echo "== building kiln-server ${profile[*]}"
cargo build "${profile[@]}" -p kiln-server --bins

echo "== HA kill -9 soak: $rounds rounds (in memory, then persistent)"
start=$(date +%s)
KILN_HA_ROUNDS="$rounds" cargo test "${profile[@]}" -p kiln-integration --test ha_failover -- \
  --exact in_memory_group_fails_over_with_nothing_lost --nocapture
KILN_HA_ROUNDS="$rounds" cargo test "${profile[@]}" -p kiln-integration --test ha_failover -- \
  --exact persistent_group_fails_over_with_nothing_lost --nocapture
echo "== HA soak passed: $rounds rounds x 2 groups in $(( $(date +%s) - start )) s"

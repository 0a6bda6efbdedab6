#!/usr/bin/env bash
# Terracotta-compatible: stop-tc-server.sh [-f CONFIG] [-n NAME] [--force]
set -euo pipefail
source "$(dirname "$0")/_find-server.sh"
args=(); force=()
for a in "$@"; do
  if [ "$a" = "--force" ] || [ "$a" = "-force" ]; then force=(--force); else args+=("$a"); fi
done
exec "$bin" "${args[@]}" stop "${force[@]}"

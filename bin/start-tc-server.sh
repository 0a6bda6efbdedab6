#!/usr/bin/env bash
# Terracotta-compatible: start-tc-server.sh [-f CONFIG] [-n NAME]
# Starts a Kiln server in the foreground, as Terracotta's script does.
set -euo pipefail
source "$(dirname "$0")/_find-server.sh"
exec "$bin" "$@" start

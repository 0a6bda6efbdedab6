#!/usr/bin/env bash
# Terracotta-compatible: run-dgc.sh [-f CONFIG] [-n NAME] — one distributed GC on a running server.
set -euo pipefail
source "$(dirname "$0")/_find-server.sh"
exec "$bin" "$@" dgc

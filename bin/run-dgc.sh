#!/usr/bin/env bash
# Terracotta-compatible: run-dgc.sh [-f CONFIG] [-n NAME] — one distributed GC on a running server.
# With several <mirror-group>s (stripes) in CONFIG it runs one DGC over the whole cluster: this
# command coordinates every stripe's active (docs/operations.md "Distributed GC").
set -euo pipefail
source "$(dirname "$0")/_find-server.sh"
exec "$bin" "$@" dgc

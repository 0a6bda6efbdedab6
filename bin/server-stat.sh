#!/usr/bin/env bash
# Terracotta-compatible: server-stat.sh [-f CONFIG] [-n NAME]
set -euo pipefail
source "$(dirname "$0")/_find-server.sh"
exec "$bin" "$@" status

#!/usr/bin/env bash
# Terracotta-compatible: dso-java.sh [JAVA ARGS...] — runs `java` with the Kiln agent:
#   java $TC_JAVA_OPTS "$@"   (TC_JAVA_OPTS from dso-env.sh: -javaagent:kiln-agent.jar
#   -Dtc.config=$TC_CONFIG_PATH [-Dtc.server=$TC_SERVER]).
# The configuration: $TC_CONFIG_PATH, else ./tc-config.xml, else $TC_SERVER; or give
# -Dtc.config=FILE among the arguments. -Dtc.server=host:port[,host:port]
# replaces the configuration's servers. java: $JAVA_HOME/bin/java if JAVA_HOME is set, else PATH.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
# A -Dtc.config=FILE argument is the configuration when TC_CONFIG_PATH is not set.
for a in "$@"; do
  case "$a" in -Dtc.config=*) if [ -z "${TC_CONFIG_PATH:-}" ]; then TC_CONFIG_PATH="${a#-Dtc.config=}"; fi ;; esac
done
# shellcheck source=dso-env.sh
source "$here/dso-env.sh" -q || exit 1
java="java"
if [ -n "${JAVA_HOME:-}" ]; then java="$JAVA_HOME/bin/java"; fi
# shellcheck disable=SC2086 # TC_JAVA_OPTS is a word list, as in Terracotta's scripts
exec "$java" $TC_JAVA_OPTS "$@"

#!/bin/sh
# Compiles and runs the navigable-views example with the Kiln agent: start a kiln-server on port
# 9510, then `./run.sh fill 200`, `./run.sh edit`, `./run.sh check`, `./run.sh check2`, and
# `./run.sh take a` / `./run.sh take b` at once, then `./run.sh pool 200` (README.txt).
# KILN_AGENT_JAR: the agent jar (default: java-client/build/libs/kiln-agent.jar of this checkout).
set -e
here=$(cd "$(dirname "$0")" && pwd)
jar=${KILN_AGENT_JAR:-$here/../../java-client/build/libs/kiln-agent.jar}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
javac -d "$out" $(find "$here/src" -name '*.java')
exec java -javaagent:"$jar" -Dtc.config="$here/tc-config.xml" -cp "$out" demo.nv.Main "$@"

#!/bin/sh
# Compiles and runs the striped-graph example with the Kiln agent against two mirror groups: start
# both servers of tc-config.xml (`kiln-server -f tc-config.xml -n s0` and `-n s1`), then
# `./run.sh a fill 2` and `./run.sh b fill 2` at once; `./run.sh c cross`; `./run.sh t1 transfer 40`
# and `./run.sh t2 transfer 40` at once, then `./run.sh p pools`.
# KILN_AGENT_JAR: the agent jar (default: java-client/build/libs/kiln-agent.jar of this checkout).
set -e
here=$(cd "$(dirname "$0")" && pwd)
jar=${KILN_AGENT_JAR:-$here/../../java-client/build/libs/kiln-agent.jar}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
javac -d "$out" $(find "$here/src" -name '*.java')
exec java -javaagent:"$jar" -Dtc.config="$here/tc-config.xml" -cp "$out" demo.striped.Main "$@"

#!/bin/sh
# Compiles and runs the sorted-concurrent example with the Kiln agent: start a kiln-server on port 9510,
# then `./run.sh fill 200`, `./run.sh view`, `./run.sh take a` and `./run.sh take b` at once, `./run.sh check 200`; `./run.sh serve a`, `./run.sh serve b`, `./run.sh submit 100 2`; `./run.sh deque`, `./run.sh deque-view`; `./run.sh get` and `./run.sh give` at once; `./run.sh immutables`, `./run.sh immutables-view`
# KILN_AGENT_JAR: the agent jar (default: java-client/build/libs/kiln-agent.jar of this checkout).
set -e
here=$(cd "$(dirname "$0")" && pwd)
jar=${KILN_AGENT_JAR:-$here/../../java-client/build/libs/kiln-agent.jar}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
javac -d "$out" $(find "$here/src" -name '*.java')
exec java -javaagent:"$jar" -Dtc.config="$here/tc-config.xml" -cp "$out" demo.scl.Main "$@"

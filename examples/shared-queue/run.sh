#!/bin/sh
# Compiles and runs the shared-queue example with the Kiln agent: start a kiln-server on port 9510,
# then e.g. `./run.sh worker w1` and `./run.sh worker w2` in two terminals, `./run.sh producer 100 2`
# in a third, and `./run.sh check 100` once they are done (see src/demo/sq/Main.java for the modes).
# KILN_AGENT_JAR: the agent jar (default: java-client/build/libs/kiln-agent.jar of this checkout).
set -e
here=$(cd "$(dirname "$0")" && pwd)
jar=${KILN_AGENT_JAR:-$here/../../java-client/build/libs/kiln-agent.jar}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
javac -d "$out" $(find "$here/src" -name '*.java')
exec java -javaagent:"$jar" -Dtc.config="$here/tc-config.xml" -cp "$out" demo.sq.Main "$@"

#!/bin/sh
# Compiles and runs the shared-map example with the Kiln agent: start a kiln-server on port 9510,
# then e.g. `./run.sh a 5 2` and `./run.sh b 5 2` in two terminals (NAME ENTRIES JVMS).
# KILN_AGENT_JAR: the agent jar (default: java-client/build/libs/kiln-agent.jar of this checkout).
set -e
here=$(cd "$(dirname "$0")" && pwd)
jar=${KILN_AGENT_JAR:-$here/../../java-client/build/libs/kiln-agent.jar}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
javac -d "$out" $(find "$here/src" -name '*.java')
exec java -javaagent:"$jar" -Dtc.config="$here/tc-config.xml" -cp "$out" demo.map.Main "$@"

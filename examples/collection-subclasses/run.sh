#!/bin/sh
# Compiles and runs the example with the Kiln agent. KILN_AGENT_JAR: the agent jar
# (default: java-client/build/libs/kiln-agent.jar of this checkout).
set -e
here=$(cd "$(dirname "$0")" && pwd)
jar=${KILN_AGENT_JAR:-$here/../../java-client/build/libs/kiln-agent.jar}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
javac -cp "$jar" -d "$out" $(find "$here/src" -name '*.java')
exec java -javaagent:"$jar" -Dtc.config="$here/tc-config.xml" -cp "$out" demo.sub.Main "$@"

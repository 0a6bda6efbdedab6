#!/bin/sh
# Compiles and runs the jmx-cluster-bean example with the Kiln agent: start a kiln-server on port 9510,
# then `JAVA_OPTS=-Dcom.sun.management.jmxremote ./run.sh watch-find` (or `./run.sh watch-platform`)
# and, beside it, `./run.sh id`.
# KILN_AGENT_JAR: the agent jar (default: java-client/build/libs/kiln-agent.jar of this checkout).
set -e
here=$(cd "$(dirname "$0")" && pwd)
jar=${KILN_AGENT_JAR:-$here/../../java-client/build/libs/kiln-agent.jar}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
javac -d "$out" $(find "$here/src" -name '*.java')
exec java $JAVA_OPTS -javaagent:"$jar" -Dtc.config="$here/tc-config.xml" -cp "$out" demo.jmx.Main "$@"

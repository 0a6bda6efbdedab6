#!/bin/sh
# Compiles and runs the synchronized-wrappers example with the Kiln agent: start a kiln-server on port 9510,
# then e.g. `./run.sh contend a 60 2` and `./run.sh contend b 60 2` in two terminals and `./run.sh check`
# once they are done (see src/demo/sw/Main.java for the modes).
# KILN_AGENT_JAR: the agent jar (default: java-client/build/libs/kiln-agent.jar of this checkout).
set -e
here=$(cd "$(dirname "$0")" && pwd)
jar=${KILN_AGENT_JAR:-$here/../../java-client/build/libs/kiln-agent.jar}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
javac -d "$out" $(find "$here/src" -name '*.java')
exec java -javaagent:"$jar" -Dtc.config="$here/tc-config.xml" -cp "$out" demo.sw.Main "$@"

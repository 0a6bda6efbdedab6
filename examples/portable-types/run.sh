#!/bin/sh
# Compiles and runs the portable-types example with the Kiln agent: start a kiln-server on port 9510,
# then `./run.sh pq-fill 100`, `./run.sh pq-view`, `./run.sh pq-check`; `./run.sh pool 200`,
# `./run.sh take a` and `./run.sh take b` at once, `./run.sh tally 200`, `./run.sh tally-view`;
# `./run.sh views`, `./run.sh views-check`.
# KILN_AGENT_JAR: the agent jar (default: java-client/build/libs/kiln-agent.jar of this checkout).
set -e
here=$(cd "$(dirname "$0")" && pwd)
jar=${KILN_AGENT_JAR:-$here/../../java-client/build/libs/kiln-agent.jar}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
javac -d "$out" $(find "$here/src" -name '*.java')
exec java -javaagent:"$jar" -Dtc.config="$here/tc-config.xml" -cp "$out" demo.pt.Main "$@"

#!/bin/sh
# Compiles and runs the legacy-classes example with the Kiln agent: start a kiln-server on port 9510,
# then `./run.sh add 100 a` and `./run.sh add 100 b` (at once), `./run.sh get`;
# `./run.sh listen b` and, beside it, `./run.sh ping a`.
# (LegacyClassFilesTest also rewrites Counter.class to class-file version 48, Java 1.4.)
# KILN_AGENT_JAR: the agent jar (default: java-client/build/libs/kiln-agent.jar of this checkout).
set -e
here=$(cd "$(dirname "$0")" && pwd)
jar=${KILN_AGENT_JAR:-$here/../../java-client/build/libs/kiln-agent.jar}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
javac -d "$out" $(find "$here/src" -name '*.java')
exec java -javaagent:"$jar" -Dtc.config="$here/tc-config.xml" -cp "$out" legacy.Main "$@"

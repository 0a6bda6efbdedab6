#!/bin/sh
# Compiles the example and runs it through bin/dso-java.sh (the agent and this tc-config.xml):
#   ./run.sh watch        (in one terminal)      ./run.sh visit   (in another)
# Start a server first: target/debug/kiln-server -f examples/cluster-api/tc-config.xml
set -e
here=$(cd "$(dirname "$0")" && pwd)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
javac -cp "$here/../../java-client/build/libs/kiln-agent.jar" -d "$out" $(find "$here/src" -name '*.java')
TC_CONFIG_PATH="$here/tc-config.xml" "$here/../../bin/dso-java.sh" -cp "$out" demo.cluster.Main "$@"

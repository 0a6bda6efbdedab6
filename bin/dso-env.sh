# Terracotta-compatible: sourced by launch scripts (`. bin/dso-env.sh [-q] [CONFIG]`); sets
#   TC_JAVA_OPTS="-javaagent:<absolute path of kiln-agent.jar> -Dtc.config=$TC_CONFIG_PATH"
# plus -Dtc.server=$TC_SERVER when TC_SERVER is set (host:port[,host:port]: those servers
# replace the configuration's <servers> for this client). Then `java $TC_JAVA_OPTS -cp app.jar Main`.
#   CONFIG / $TC_CONFIG_PATH: the tc-config.xml (or host:port); default ./tc-config.xml if it
#     exists, else $TC_SERVER itself as the connect spec.
#   $KILN_AGENT_JAR: the agent jar; default the built java-client/build/libs/kiln-agent.jar of
#     this checkout (built with Gradle if missing), else lib/kiln-agent.jar beside bin/.
#   -q: quiet (otherwise TC_JAVA_OPTS is printed, as Terracotta's script does).
# POSIX sh: under bash the script finds its own checkout; under another sh (dash: `.` takes no
# arguments, so it is quiet and reads TC_CONFIG_PATH only) set KILN_HOME (or Terracotta's
# TC_INSTALL_DIR) to the directory holding bin/dso-env.sh.
# Never exits the calling shell: on error it says why on stderr and returns 1.
_kiln_dso_env() {
  local quiet="" here jar cfg
  if [ "${1:-}" = "-q" ]; then quiet=1; shift; fi
  if [ -n "${1:-}" ]; then TC_CONFIG_PATH="$1"; fi
  if [ -n "${BASH_SOURCE:-}" ]; then
    here="$(cd "$(dirname "$BASH_SOURCE")/.." && pwd)"
  elif [ -n "${KILN_HOME:-}" ]; then
    here="$KILN_HOME"
  elif [ -n "${TC_INSTALL_DIR:-}" ]; then
    here="$TC_INSTALL_DIR"
  else
    echo "dso-env.sh: cannot tell where Kiln is under this shell: set KILN_HOME (the directory holding bin/dso-env.sh)" >&2
    return 1
  fi
  jar="${KILN_AGENT_JAR:-}"
  if [ -n "$jar" ]; then
    if [ ! -f "$jar" ]; then
      echo "dso-env.sh: KILN_AGENT_JAR=$jar is not a file" >&2
      return 1
    fi
  else
    for c in "$here/java-client/build/libs/kiln-agent.jar" "$here/lib/kiln-agent.jar"; do
      if [ -f "$c" ]; then jar="$c"; break; fi
    done
  fi
  if [ -z "$jar" ]; then
    if [ -f "$here/java-client/build.gradle" ] && command -v gradle >/dev/null 2>&1; then
      echo "dso-env.sh: kiln-agent.jar is not built yet: building it (gradle :java-client:agentJar, a few minutes the first time)" >&2
      (cd "$here" && gradle --no-daemon -q -p . :java-client:agentJar >&2) || {
        echo "dso-env.sh: building kiln-agent.jar failed (see above)" >&2
        return 1
      }
      jar="$here/java-client/build/libs/kiln-agent.jar"
    else
      echo "dso-env.sh: no kiln-agent.jar: set KILN_AGENT_JAR, or build it with 'gradle -p $here :java-client:agentJar' (needs Gradle and a JDK)" >&2
      return 1
    fi
  fi
  jar="$(cd "$(dirname "$jar")" && pwd)/$(basename "$jar")"
  cfg="${TC_CONFIG_PATH:-}"
  if [ -z "$cfg" ] && [ -f "$PWD/tc-config.xml" ]; then cfg="$PWD/tc-config.xml"; fi
  if [ -z "$cfg" ] && [ -n "${TC_SERVER:-}" ]; then cfg="$TC_SERVER"; fi
  if [ -z "$cfg" ]; then
    echo "dso-env.sh: no configuration: set TC_CONFIG_PATH (a tc-config.xml or host:port), pass it as an argument, or set TC_SERVER" >&2
    return 1
  fi
  TC_JAVA_OPTS="-javaagent:$jar -Dtc.config=$cfg"
  if [ -n "${TC_SERVER:-}" ] && [ "$cfg" != "$TC_SERVER" ]; then
    TC_JAVA_OPTS="$TC_JAVA_OPTS -Dtc.server=$TC_SERVER"
  fi
  export TC_JAVA_OPTS
  if [ -z "$quiet" ]; then echo "$TC_JAVA_OPTS"; fi
  return 0
}
if [ -n "${BASH_SOURCE:-}" ]; then
  _kiln_dso_env "$@"
else
  # POSIX `.` passes no arguments: "$@" would be the calling script's own. Quiet, and the
  # configuration from TC_CONFIG_PATH / ./tc-config.xml / TC_SERVER only.
  _kiln_dso_env -q
fi

#!/usr/bin/env bash
# Runs the demo traffic generator (DemoTraffic.java) with the JDK source launcher.
#   deploy/local/generator/run.sh [options]      (see --help)
# The PostgreSQL JDBC driver is taken from $PG_JDBC_JAR, else $TOOLS_DIR/jdbc/postgresql-*.jar
# (TOOLS_DIR defaults to $ROOT/.run/tools); if there is none, it is downloaded there with Maven.
# Connection settings come from PG_HOST, PG_PORT, PG_DB, PG_USER, PG_PASSWORD or the options.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../../.." && pwd)"
TOOLS_DIR="${TOOLS_DIR:-$ROOT/.run/tools}"
JDBC_DIR="${JDBC_DIR:-$TOOLS_DIR/jdbc}"
JDBC_VERSION="${PG_JDBC_VERSION:-42.7.7}"
JAVA="${JAVA:-java}"

die() { printf 'demo-traffic: %s\n' "$*" >&2; exit 2; }

find_jar() {
  local j
  # newest version first
  j="$(ls -1 "$JDBC_DIR"/postgresql-*.jar 2>/dev/null | sort -V | tail -n 1 || true)"
  [[ -n "$j" && -s "$j" ]] && printf '%s' "$j"
}

jar="${PG_JDBC_JAR:-}"
if [[ -n "$jar" ]]; then
  [[ -s "$jar" ]] || die "PG_JDBC_JAR=$jar does not exist"
else
  jar="$(find_jar || true)"
  if [[ -z "$jar" ]]; then
    command -v mvn >/dev/null 2>&1 || die "no PostgreSQL JDBC driver in $JDBC_DIR and no mvn to fetch it; set PG_JDBC_JAR"
    mkdir -p "$JDBC_DIR"
    printf 'demo-traffic: fetching org.postgresql:postgresql:%s into %s\n' "$JDBC_VERSION" "$JDBC_DIR" >&2
    if ! out="$(mvn -q -B -Dstyle.color=never dependency:copy \
          -Dartifact="org.postgresql:postgresql:$JDBC_VERSION" -DoutputDirectory="$JDBC_DIR" 2>&1)"; then
      printf '%s\n' "$out" >&2
      die "could not download org.postgresql:postgresql:$JDBC_VERSION (set PG_JDBC_JAR to a local copy)"
    fi
    jar="$(find_jar || true)"
    [[ -n "$jar" ]] || die "download finished but no postgresql-*.jar in $JDBC_DIR"
  fi
fi

# Small heap, fast start: a source-launched program recompiles on every start (~1-2 s).
exec "$JAVA" ${DEMO_TRAFFIC_JAVA_OPTS:--Xms64m -Xmx256m -XX:+UseSerialGC} \
  -DcontentTypesSql="$HERE/../sql/content-types.sql" -cp "$jar" "$HERE/DemoTraffic.java" "$@"

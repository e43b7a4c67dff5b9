#!/usr/bin/env bash
# Shared settings for the local stack scripts; sourced, never run.
# Every value can be overridden from the environment so a second stack
# (tests: RUN_DIR=$ROOT/.run/test plus other ports) can run alongside.

# shellcheck disable=SC2034  # variables are used by the scripts that source this file

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
STACK_DIR="$ROOT/deploy/local"

# Per-stack state: data, logs, PID files. .run/ is git-ignored.
RUN_DIR="${RUN_DIR:-$ROOT/.run}"
# Downloads are shared by every run dir (tests and the demo), so not under RUN_DIR.
TOOLS_DIR="${TOOLS_DIR:-$ROOT/.run/tools}"

PG_PORT="${PG_PORT:-5432}"
KAFKA_PORT="${KAFKA_PORT:-9092}"
KAFKA_CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-9093}"
CONNECT_PORT="${CONNECT_PORT:-8083}"
CLICKHOUSE_HTTP_PORT="${CLICKHOUSE_HTTP_PORT:-8123}"
CLICKHOUSE_TCP_PORT="${CLICKHOUSE_TCP_PORT:-9000}"
REDIS_PORT="${REDIS_PORT:-6379}"
EXTERNAL_PORT="${EXTERNAL_PORT:-8089}"
SERVICE_PORT="${SERVICE_PORT:-8080}"

TOPIC_PREFIX="${TOPIC_PREFIX:-pandashop}"
PG_DB="${PG_DB:-pandashop}"
# The ClickHouse database of the service's tables (its pipeline.clickhouse.database).
CLICKHOUSE_DATABASE="${CLICKHOUSE_DATABASE:-app}"
PG_USER="${PG_USER:-postgresuser}"
PG_PASSWORD="${PG_PASSWORD:-postgrespw}"
# Bearer token of the service's /admin endpoints (backfill.sh); set your own anywhere but a laptop.
PIPELINE_ADMIN_TOKEN="${PIPELINE_ADMIN_TOKEN:-local-admin-token}"
# What the service sends the external system (its Authorization header); the local receiver accepts any.
EXTERNAL_AUTH="${EXTERNAL_AUTH:-Bearer local-demo-token}"

# Pinned versions of what install.sh downloads.
KAFKA_VERSION="4.4.0"
DEBEZIUM_VERSION="3.6.1.Final"
WIREMOCK_VERSION="3.13.2"
CHDB_VERSION="26.7.3-stable.1"

PG_BIN="${PG_BIN:-/usr/lib/postgresql/15/bin}"
JAVA="${JAVA:-java}"
PYTHON="${PYTHON:-$(command -v python3 || echo /usr/bin/python3)}"

KAFKA_LIB="$TOOLS_DIR/kafka"
CONNECT_PLUGINS="$TOOLS_DIR/connect-plugins"
WIREMOCK_JAR="$TOOLS_DIR/wiremock/wiremock-standalone-$WIREMOCK_VERSION.jar"
JDBC_DIR="$TOOLS_DIR/jdbc"
CHDB_LIB="$TOOLS_DIR/chdb/package/libchdb.so"
# promtool (install.sh takes it from Debian's prometheus package): AlertRulesTest reads PROMTOOL too.
PROMTOOL="${PROMTOOL:-$TOOLS_DIR/promtool/promtool}"

# Order matters: stack-up starts in this order, stack-down stops in reverse.
ALL_COMPONENTS=(postgres kafka connect clickhouse redis external)

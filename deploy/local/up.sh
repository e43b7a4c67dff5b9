#!/usr/bin/env bash
# The main job: installs what is missing, starts the whole pipeline on 127.0.0.1 (PostgreSQL, Kafka,
# Debezium on Kafka Connect, ClickHouse, Redis, the external receiver, this service) and demo traffic,
# then prints where to look. Running it again while everything runs changes nothing.
#   usage: deploy/local/up.sh            env: *_PORT (README.md), DEMO_RATE (events/s, default 50),
#                                             DEMO_CONTENT (content rows, default 200), DEMO=0 (no traffic)
set -euo pipefail
# shellcheck source=env.sh
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
# shellcheck source=lib.sh
source "$STACK_DIR/lib.sh"

started=$(date +%s)
"$STACK_DIR/install.sh"
"$STACK_DIR/stack-up.sh"

# ---------------------------------------------------------------- the service
APP_JAR="$ROOT/target/quarkus-app/quarkus-run.jar"
needs_build() {
  [[ ! -f "$APP_JAR" ]] && return 0
  [[ -n "$(find "$ROOT/src/main" "$ROOT/pom.xml" -newer "$APP_JAR" -print -quit)" ]]
}
if needs_build; then
  log "building the service (./mvnw package)"
  (cd "$ROOT" && ./mvnw -B -q -ntp package -DskipTests) || die "the service did not build"
fi

if is_running service; then
  log "service already running (pid $(read_pid service))"
else
  port_free "$SERVICE_PORT" SERVICE_PORT
  start_bg service env QUARKUS_HTTP_HOST=127.0.0.1 SERVICE_PORT="$SERVICE_PORT" PG_PORT="$PG_PORT" KAFKA_PORT="$KAFKA_PORT" \
    REDIS_PORT="$REDIS_PORT" CLICKHOUSE_HTTP_PORT="$CLICKHOUSE_HTTP_PORT" CLICKHOUSE_DATABASE="$CLICKHOUSE_DATABASE" \
    EXTERNAL_PORT="$EXTERNAL_PORT" \
    TOPIC_PREFIX="$TOPIC_PREFIX" PG_DB="$PG_DB" PG_USER="$PG_USER" PG_PASSWORD="$PG_PASSWORD" \
    PIPELINE_ADMIN_TOKEN="$PIPELINE_ADMIN_TOKEN" EXTERNAL_AUTH="$EXTERNAL_AUTH" "$JAVA" -Xms64m -Xmx256m -XX:+UseParallelGC -jar "$APP_JAR"
fi
wait_ready service 120 http_ok "http://127.0.0.1:$SERVICE_PORT/q/health/ready"
printf '%-10s up    http://127.0.0.1:%s\n' service "$SERVICE_PORT"

# ---------------------------------------------------------------- demo traffic
if [[ "${DEMO:-1}" != 0 ]]; then
  if is_running generator; then
    log "demo traffic already running (pid $(read_pid generator))"
  else
    start_bg generator env PG_PORT="$PG_PORT" PG_DB="$PG_DB" PG_USER="$PG_USER" PG_PASSWORD="$PG_PASSWORD" \
      TOOLS_DIR="$TOOLS_DIR" "$STACK_DIR/generator/run.sh" --rate "${DEMO_RATE:-50}" \
      --content "${DEMO_CONTENT:-200}"
  fi
  printf '%-10s up    %s events/s into PostgreSQL (log: %s)\n' generator "${DEMO_RATE:-50}" \
    "$(log_file generator)"
fi

cat <<INFO

Pipeline up in $(( $(date +%s) - started )) s. Where to look:
  service       http://127.0.0.1:$SERVICE_PORT/q/health/ready   metrics: /q/metrics
  dashboard     http://127.0.0.1:$SERVICE_PORT/
  leaderboard   curl 'http://127.0.0.1:$SERVICE_PORT/api/top-content?limit=10'
  history       curl 'http://127.0.0.1:$SERVICE_PORT/api/engagement/daily?days=30'
  ClickHouse    curl 'http://127.0.0.1:$CLICKHOUSE_HTTP_PORT/' --data-binary \\
                  'SELECT content_type, count(), avg(engagement_percent) FROM $CLICKHOUSE_DATABASE.enriched_engagements_current GROUP BY content_type'
  Redis         redis-cli -p $REDIS_PORT XREVRANGE '{$TOPIC_PREFIX}:stream:podcast' + - COUNT 1
  external      curl -s http://127.0.0.1:$EXTERNAL_PORT/__admin/requests/count -d '{}'
  backfill      deploy/local/backfill.sh --from 2026-11-01T00:00:00Z --to 2026-12-01T00:00:00Z [--type video]
  status        deploy/local/status.sh        stop: deploy/local/down.sh [--purge]
  logs          $RUN_DIR/<component>/<component>.log
INFO

#!/usr/bin/env bash
# One line per component: name, up/down, address, one key figure; then the pipeline's own figures
# (events/s in and out, consumer lag, freshness p99, dead-lettered and parked counts).
#   usage: status.sh [--watch]   (honours RUN_DIR and the *_PORT variables like stack-up.sh)
#   --watch redraws it every 2 s until Ctrl-C.
# The Kafka line runs two short JVM tools (in parallel): allow a few seconds.
set -euo pipefail
if [[ ${1:-} == --watch ]]; then
  while true; do
    out="$("$0")"
    clear
    printf '%s\n\n(every 2 s; Ctrl-C to stop)\n' "$out"
    sleep 2
  done
fi
# shellcheck source=env.sh
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
# shellcheck source=lib.sh
source "$STACK_DIR/lib.sh"

GROUP=pandashop-pipeline
line() { printf '%-10s %-5s %-30s %s\n' "$1" "$2" "$3" "$4"; }

# up when our PID file points at a live process; "foreign" when the port answers but
# the process is not this RUN_DIR's (another stack or a system service).
state() {
  local name="$1" port="$2"
  if is_running "$name"; then echo up
  elif port_in_use "$port"; then echo foreign
  else echo down
  fi
}

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

# Start the slow JVM tools first so they overlap with the quick checks below.
kafka_state="$(state kafka "$KAFKA_PORT")"
if [[ $kafka_state != down && -d $KAFKA_LIB ]]; then
  bs="127.0.0.1:$KAFKA_PORT"
  tool_java org.apache.kafka.tools.GetOffsetShell --bootstrap-server "$bs" \
    --exclude-internal-topics >"$tmp/offsets" 2>/dev/null &
  tool_java org.apache.kafka.tools.consumer.group.ConsumerGroupCommand --bootstrap-server "$bs" \
    --describe --group "$GROUP" >"$tmp/group" 2>&1 &
fi

# postgres: rows in the two source tables
st="$(state postgres "$PG_PORT")"; fig=""
if [[ $st != down ]]; then
  fig="$(PGPASSWORD="$PG_PASSWORD" PGCONNECT_TIMEOUT=3 "$PG_BIN/psql" -X -qAt -F ' ' -h 127.0.0.1 -p "$PG_PORT" \
    -U "$PG_USER" -d "$PG_DB" -c "SELECT 'content=' || (SELECT count(*) FROM content),
      'engagement_events=' || (SELECT count(*) FROM engagement_events),
      'slot=' || coalesce((SELECT CASE WHEN active THEN 'active' ELSE 'inactive' END || '/lag=' ||
         pg_size_pretty(pg_wal_lsn_diff(pg_current_wal_lsn(), confirmed_flush_lsn))
         FROM pg_replication_slots WHERE slot_name = 'pandashop_slot'), 'none')" 2>&1 | tr '\n' ' ')" \
    || true
fi
line postgres "$st" "127.0.0.1:$PG_PORT/$PG_DB" "$fig"

# connect: connector and task state
st="$(state connect "$CONNECT_PORT")"; fig=""
if [[ $st != down ]]; then
  fig="$(curl -fsS --max-time 3 "http://127.0.0.1:$CONNECT_PORT/connectors/pandashop-postgres/status" 2>/dev/null \
    | jq -r '"connector=" + .connector.state + " tasks=" + ([.tasks[].state] | join(","))' 2>/dev/null)" \
    || fig="connector not registered"
fi
connect_line="$(line connect "$st" "http://127.0.0.1:$CONNECT_PORT" "$fig")"

# clickhouse: rows in the service's enriched_engagements
st="$(state clickhouse "$CLICKHOUSE_HTTP_PORT")"; fig=""
if [[ $st != down ]]; then
  ch="http://127.0.0.1:$CLICKHOUSE_HTTP_PORT/"
  facts="$CLICKHOUSE_DATABASE.enriched_engagements"
  if [[ "$(curl -fsS --max-time 3 "$ch" --data-binary "EXISTS TABLE $facts" 2>/dev/null)" == 1 ]]; then
    fig="$facts rows=$(curl -fsS --max-time 5 "$ch" \
      --data-binary "SELECT count() FROM $facts" 2>/dev/null || echo '?')"
  else
    fig="$facts not created yet"
  fi
fi
ch_line="$(line clickhouse "$st" "http://127.0.0.1:$CLICKHOUSE_HTTP_PORT" "$fig")"

# redis: number of keys
st="$(state redis "$REDIS_PORT")"; fig=""
[[ $st == down ]] || fig="keys=$(redis-cli -h 127.0.0.1 -p "$REDIS_PORT" dbsize 2>/dev/null || echo '?')"
redis_line="$(line redis "$st" "redis://127.0.0.1:$REDIS_PORT" "$fig")"

# external: requests WireMock has received (journal keeps the last 100000)
st="$(state external "$EXTERNAL_PORT")"; fig=""
if [[ $st != down ]]; then
  fig="requests=$(curl -fsS --max-time 3 -X POST -d '{}' "http://127.0.0.1:$EXTERNAL_PORT/__admin/requests/count" \
    2>/dev/null | jq -r .count 2>/dev/null || echo '?')"
fi
ext_line="$(line external "$st" "http://127.0.0.1:$EXTERNAL_PORT" "$fig")"

# service: the Quarkus app (started by its own script, PID in $RUN_DIR/service/)
st="$(state service "$SERVICE_PORT")"; fig=""
if [[ $st != down ]]; then
  fig="ready=$(curl -s -o /dev/null -w '%{http_code}' --max-time 3 \
    "http://127.0.0.1:$SERVICE_PORT/q/health/ready" 2>/dev/null || true)"
fi
svc_line="$(line service "$st" "http://127.0.0.1:$SERVICE_PORT" "$fig")"

# kafka: topics with partitions/messages, and the pipeline's consumer lag
fig=""
if [[ $kafka_state != down ]]; then
  wait
  fig="$(awk -F: '$1 !~ /^__/ { n[$1] += $3; p[$1]++ }
    END { for (t in n) printf "%s(%dp,%d msgs) ", t, p[t], n[t] }' "$tmp/offsets")"
  [[ -n $fig ]] || fig="no topics "
  if grep -qE "not found|does not exist" "$tmp/group"; then
    fig+="| group $GROUP: none"
  else
    fig+="| group $GROUP lag=$(awk -v g="$GROUP" '$1 == g && $6 ~ /^[0-9]+$/ { s += $6 } END { print s + 0 }' "$tmp/group")"
  fi
fi
line kafka "$kafka_state" "127.0.0.1:$KAFKA_PORT" "$fig"
printf '%s\n' "$connect_line" "$ch_line" "$redis_line" "$ext_line" "$svc_line"

# the pipeline: the dashboard's second snapshot (the first has no rates yet)
if [[ $(state service "$SERVICE_PORT") != down ]]; then
  snap="$(curl -sN --max-time 2.5 "http://127.0.0.1:$SERVICE_PORT/api/dashboard/stream" 2>/dev/null \
    | sed -n 's/^data://p' | tail -n 1 || true)"
  if [[ -n $snap ]]; then
    jq -r 'def ms: if . == null then "-" else (floor | tostring) + " ms" end;
      "pipeline   in \(.events_in_per_second | floor)/s  out ch \(.events_out_per_second.clickhouse | floor)/s"
      + " redis \(.events_out_per_second.redis | floor)/s ext \(.events_out_per_second.external | floor)/s"
      + "  lag \(.consumer_lag)  freshness p99 ch \(.freshness.clickhouse.p99_ms | ms)"
      + " redis \(.freshness.redis.p99_ms | ms) ext \(.freshness.external.p99_ms | ms)"
      + "  dead-lettered \(.dead_lettered | floor)  parked \(.parked | floor)",
      (.backfill // empty | "backfill   \(.state | ascii_downcase)  \(.rows_done)/\(.rows_total // "?") rows"
        + "  \(.rows_per_second | floor) rows/s" + (if .state == "RUNNING" and .eta_seconds != null
        then "  ETA \(.eta_seconds) s" else "" end))' <<<"$snap"
  fi
fi

#!/usr/bin/env bash
# The benchmark harness: one command, see bench/README.md.
#   bench/run.sh [--events N] [--content N] [--e2e-rates 1000,5000] [--e2e-seconds S] [--skip-e2e]
#                [--no-jfr] [--keep-stack] [--skip-drain] [--outage redis:60] [--outage-rate 5000]
#                [--backfill ROWS] [--soak 30m] [--soak-rate 2000] [--soak-kill-every 180]
# Starts a private stack in .run/bench (its own ports, never the demo's or the tests'), runs
#   1. drain mode: fill the CDC topics, bare-consumer ceiling, then the service until every
#      destination has every change;
#   2. end-to-end mode (unless --skip-e2e): Debezium + service + demo generator at each rate;
#   3. outage mode (--outage COMPONENT:SECONDS, with end-to-end mode): the generator at --outage-rate
#      while that component is stopped for that long; the service's memory during it, the catch-up time
#      afterwards and whether ClickHouse then equals PostgreSQL;
#   4. backfill mode (--backfill ROWS): ROWS events straight into PostgreSQL (Debezium not running, so
#      the backfill is their only way in), then deploy/local/backfill.sh over them into fresh destinations:
#      rows/s, the service's RSS while it runs, and whether ClickHouse then equals PostgreSQL;
#   5. soak mode (--soak DURATION, alone: no drain, no e2e): Debezium + the generator at --soak-rate for
#      DURATION while the service is SIGKILLed every --soak-kill-every seconds and Redis once halfway,
#      with a recording receiver as the external system; afterwards whether ClickHouse and the leaderboard
#      equal PostgreSQL, whether every live event's key reached the receiver (and repeats), and the
#      service's RSS and Redis used_memory over time (writes soak.json);
# writes bench/results/<UTC>.json and bench/results/latest.md, prints the table, and stops the
# stack with --purge (unless --keep-stack).
set -euo pipefail

BENCH="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$BENCH/.." && pwd)"

EVENTS=1000000
CONTENT=10000
RATES=1000,5000
E2E_SECONDS=120
SKIP_E2E=0
SKIP_DRAIN=0
JFR=1
KEEP=0
OUTAGE=""
OUTAGE_RATE=5000
BACKFILL_ROWS=0
SOAK=""
SOAK_RATE=2000
SOAK_KILL_EVERY=180
while (( $# )); do
  case "$1" in
    --events) EVENTS="$2"; shift 2 ;;
    --content) CONTENT="$2"; shift 2 ;;
    --e2e-rates) RATES="$2"; shift 2 ;;
    --e2e-seconds) E2E_SECONDS="$2"; shift 2 ;;
    --skip-e2e) SKIP_E2E=1; shift ;;
    --skip-drain) SKIP_DRAIN=1; shift ;;
    --no-jfr) JFR=0; shift ;;
    --keep-stack) KEEP=1; shift ;;
    --outage) OUTAGE="$2"; shift 2 ;;
    --outage-rate) OUTAGE_RATE="$2"; shift 2 ;;
    --backfill) BACKFILL_ROWS="$2"; shift 2 ;;
    --soak) SOAK="$2"; SKIP_DRAIN=1; SKIP_E2E=1; shift 2 ;;
    --soak-rate) SOAK_RATE="$2"; shift 2 ;;
    --soak-kill-every) SOAK_KILL_EVERY="$2"; shift 2 ;;
    -h|--help) sed -n '2,22p' "$0"; exit 0 ;;
    *) echo "bench: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done

# ---- the bench stack: own run dir and ports (deploy/local/env.sh reads these)
export RUN_DIR="$ROOT/.run/bench"
export TOOLS_DIR="${TOOLS_DIR:-$ROOT/.run/tools}"
export PG_PORT=25432 KAFKA_PORT=29092 KAFKA_CONTROLLER_PORT=29093 CONNECT_PORT=28083
export CLICKHOUSE_HTTP_PORT=28123 CLICKHOUSE_TCP_PORT=29001 REDIS_PORT=26379 EXTERNAL_PORT=28089
export SERVICE_PORT=28080
export PG_DB=pandashop PG_USER=postgresuser PG_PASSWORD=postgrespw
# The packaged service runs in the prod profile, which requires its credentials to be set.
export EXTERNAL_AUTH="${EXTERNAL_AUTH:-Bearer bench-token}" PIPELINE_ADMIN_TOKEN="${PIPELINE_ADMIN_TOKEN:-bench-token}"
DRAIN_PREFIX=benchdrain
BACKFILL_PREFIX=benchbackfill
E2E_PREFIX=benche2e
SOAK_PREFIX=benchsoak
RECEIVER_PORT=28090
STAMP="$(date -u +%Y-%m-%dT%H-%M-%SZ)"
WORK="$RUN_DIR/work/$STAMP"
APP="$RUN_DIR/app"
CP="$APP/lib/main/*"
SERVICE_HEAP="${BENCH_SERVICE_HEAP:--Xms64m -Xmx256m -XX:+UseParallelGC}"  # as deploy/local/up.sh starts it
# The service's java binary only (the harness's own Bench.java keeps the java on PATH), e.g.
# BENCH_SERVICE_JAVA=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java to compare JVM versions.
SERVICE_JAVA="${BENCH_SERVICE_JAVA:-java}"
BOOT="127.0.0.1:$KAFKA_PORT"
CH_URL="http://127.0.0.1:$CLICKHOUSE_HTTP_PORT"
SVC_URL="http://127.0.0.1:$SERVICE_PORT"

log() { printf '[bench %s] %s\n' "$(date +%T)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }
bench_java() { java -Xms256m -Xmx768m -cp "$CP" "$BENCH/Bench.java" "$@"; }
ch() { curl -fsS --max-time 60 "$CH_URL/" --data-binary "$1"; }
psql_bench() { PGPASSWORD="$PG_PASSWORD" psql -X -q -h 127.0.0.1 -p "$PG_PORT" -U "$PG_USER" -d "$PG_DB" -v ON_ERROR_STOP=1 "$@"; }

# WireMock (deploy/local, -Xmx256m) keeps every request with its body (~0.5 MB per batch of 1,000
# events) in its journal: after a few hundred batches its heap is full, it spends its time in full GCs
# and becomes the slowest destination (the service's circuit breaker then opens). The bench clears
# the journal every 2 s while the service runs, so the receiver stays a fast, cheap HTTP 200.
REAPER_PID=""
start_journal_reaper() {
  ( while sleep 2; do
      curl -fsS -o /dev/null --max-time 5 -X DELETE "http://127.0.0.1:$EXTERNAL_PORT/__admin/requests" || true
    done ) </dev/null >/dev/null 2>&1 &
  REAPER_PID=$!
}
stop_journal_reaper() {
  [[ -n $REAPER_PID ]] || return 0
  kill "$REAPER_PID" 2>/dev/null || true
  wait "$REAPER_PID" 2>/dev/null || true
  REAPER_PID=""
}

SERVICE_PID=""
stop_service() {
  [[ -n $SERVICE_PID ]] || return 0
  if kill -0 "$SERVICE_PID" 2>/dev/null; then
    kill -TERM "$SERVICE_PID" 2>/dev/null || true
    for _ in $(seq 1 60); do kill -0 "$SERVICE_PID" 2>/dev/null || break; sleep 0.5; done
    kill -KILL "$SERVICE_PID" 2>/dev/null || true
  fi
  wait "$SERVICE_PID" 2>/dev/null || true
  SERVICE_PID=""
}
cleanup() {
  local rc=$?
  stop_service
  if (( KEEP )); then
    log "stack left running (--keep-stack); stop it with: RUN_DIR=$RUN_DIR <ports> deploy/local/stack-down.sh --purge"
  else
    "$ROOT/deploy/local/stack-down.sh" --purge >&2 || true
  fi
  exit "$rc"
}

# start_service PREFIX GROUP LOG [extra java opts...]: launches the copied app, sets SERVICE_PID, LAUNCHED_MS
start_service() {
  local prefix="$1" group="$2" logf="$3"; shift 3
  LAUNCHED_MS=$(date +%s%3N)
  # The Redis key prefix is its own setting (pipeline.redis.key-prefix, default "pandashop"), not
  # derived from TOPIC_PREFIX: set it so the keys are {<topic prefix>}:evs:<id/1024>, :lb:*, :stream:* (the prefix
  # as a Redis Cluster hash tag, see LeaderboardKeys).
  TOPIC_PREFIX="$prefix" CONSUMER_GROUP="$group" PIPELINE_REDIS_KEY_PREFIX="$prefix" \
    "$SERVICE_JAVA" $SERVICE_HEAP "$@" -jar "$APP/quarkus-run.jar" >"$logf" 2>&1 </dev/null &
  SERVICE_PID=$!
  log "service pid $SERVICE_PID (prefix $prefix, group $group, log $logf)"
}

wait_service_ready() {
  for _ in $(seq 1 600); do
    kill -0 "$SERVICE_PID" 2>/dev/null || { tail -n 30 "$1" >&2; die "service exited; see $1"; }
    curl -fsS -o /dev/null --max-time 2 "$SVC_URL/q/health/ready" 2>/dev/null && return 0
    sleep 0.2
  done
  die "service not ready after 120 s; see $1"
}

# await_clickhouse_caught_up SECONDS: until ClickHouse holds as many live events as PostgreSQL (sets pg_n, ch_n).
await_clickhouse_caught_up() {
  for _ in $(seq 1 "$1"); do
    pg_n=$(psql_bench -tA -c 'SELECT count(*) FROM engagement_events' | tr -d '[:space:]')
    ch_n=$(ch "SELECT count() FROM app.enriched_engagements_current" | tr -d '[:space:]' || echo -1)
    [[ $pg_n == "$ch_n" ]] && return 0
    sleep 1
  done
}

# outage_run COMPONENT SECONDS RATE: the generator at RATE for SECONDS + 60 s; COMPONENT is stopped 20 s
# in, for SECONDS. Samples the service's RSS every second, then waits until ClickHouse has every live
# event PostgreSQL has (the service caught up) and writes outage.json.
outage_run() {
  local comp="$1" secs="$2" rate="$3" t_stop t_start t_done pg_n ch_n
  log "outage: generator at $rate events/s; $comp stopped after 20 s for $secs s"
  ( while kill -0 "$SERVICE_PID" 2>/dev/null; do
      awk -v t="$(date +%s)" '/^VmRSS/ {print t, $2}' "/proc/$SERVICE_PID/status" 2>/dev/null
      sleep 1
    done >"$WORK/outage-rss.txt" ) &
  local sampler=$!
  PG_PORT=$PG_PORT "$ROOT/deploy/local/generator/run.sh" --rate "$rate" --duration $(( secs + 60 )) \
    --status-every 30 2>"$WORK/gen-outage.log" &
  local gen=$!
  sleep 20
  "$ROOT/deploy/local/stack-down.sh" "$comp" >&2
  t_stop=$(date +%s)
  sleep "$secs"
  "$ROOT/deploy/local/stack-up.sh" "$comp" >&2
  t_start=$(date +%s)
  wait "$gen" || log "outage: generator exited non-zero; see $WORK/gen-outage.log"
  await_clickhouse_caught_up 600
  t_done=$(date +%s)
  kill "$sampler" 2>/dev/null || true
  local peak_during
  peak_during=$(awk -v a="$t_stop" '$1 >= a {if ($2 > m) m = $2} END {print m / 1024}' "$WORK/outage-rss.txt")
  jq -n --arg comp "$comp" --argjson secs "$secs" --argjson rate "$rate" --argjson pg "$pg_n" --argjson chn "${ch_n:--1}" \
    --argjson caught $(( t_done - t_start )) --argjson peak "${peak_during:-0}" \
    --argjson hwm "$(awk '/^VmHWM/ {print $2 / 1024}' "/proc/$SERVICE_PID/status")" \
    '{component: $comp, outage_seconds: $secs, rate: $rate, rss_peak_mb_from_outage: $peak,
      vmhwm_mb_whole_run: $hwm, catch_up_seconds_after_restart: $caught, postgres_events: $pg,
      clickhouse_live_rows: $chn, exact: ($pg == $chn)}' >"$WORK/outage.json"
  log "outage: $(jq -c . "$WORK/outage.json")"
}

# CPU seconds (user + system) a stack component has used so far, from /proc; 0 when it is not running.
component_cpu_s() {
  local pidf="$RUN_DIR/$1/$1.pid" pid
  [[ -f $pidf ]] || { echo 0; return; }
  pid="$(cat "$pidf")"
  awk -v tck="$(getconf CLK_TCK)" '{print ($14 + $15) / tck}' "/proc/$pid/stat" 2>/dev/null || echo 0
}
# component_cpu_json FILE: the stack's CPU use since component_cpu_mark, per component, as JSON.
component_cpu_mark() {
  declare -gA CPU_MARK=()
  for c in kafka clickhouse redis external; do CPU_MARK[$c]="$(component_cpu_s "$c")"; done
}
component_cpu_json() {
  local args=() c now
  for c in kafka clickhouse redis external; do
    now="$(component_cpu_s "$c")"
    args+=(--argjson "$c" "$(awk -v a="${CPU_MARK[$c]}" -v b="$now" 'BEGIN {printf "%.2f", b - a}')")
  done
  jq -n "${args[@]}" '{kafka_cpu_s: $kafka, clickhouse_cpu_s: $clickhouse, redis_cpu_s: $redis, external_cpu_s: $external}' >"$1"
}

# ---- preparation
# The measured service is the working tree's: packaged again when missing or older than any source (the results
# name the commit, and a stale target/ once measured the previous commit's code under the next one's name).
JAR="$ROOT/target/quarkus-app/quarkus-run.jar"
if [[ ! -f $JAR ]] || [[ -n "$(find "$ROOT/src/main" "$ROOT/pom.xml" -newer "$JAR" -print -quit)" ]]; then
  log "packaging the service (target/quarkus-app is missing or older than the sources)"
  (cd "$ROOT" && ./mvnw -B -q -ntp package -DskipTests) || die "the service did not build"
fi
command -v jq >/dev/null && command -v psql >/dev/null && command -v redis-cli >/dev/null \
  || die "needs jq, psql and redis-cli"
for p in $PG_PORT $KAFKA_PORT $CONNECT_PORT $CLICKHOUSE_HTTP_PORT $REDIS_PORT $EXTERNAL_PORT $SERVICE_PORT; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
    die "port $p is in use: is a bench stack still running? (RUN_DIR=$RUN_DIR ... deploy/local/stack-down.sh --purge)"
  fi
done
mkdir -p "$WORK" "$BENCH/results"
cat /proc/loadavg >"$WORK/loadavg-start"
# A copy of the app, so a rebuild of target/ during the run does not disturb it.
rm -rf "$APP" && cp -r "$ROOT/target/quarkus-app" "$APP"
trap cleanup EXIT
trap 'exit 130' INT TERM

log "results work dir $WORK; events $EVENTS, content $CONTENT, e2e rates $RATES x ${E2E_SECONDS}s (skip=$SKIP_E2E)"
"$ROOT/deploy/local/stack-down.sh" --purge >&2 || true
"$ROOT/deploy/local/stack-up.sh" postgres kafka clickhouse redis external >&2

# ================================================================ drain mode
if (( ! SKIP_DRAIN )); then
log "drain: filling topics $DRAIN_PREFIX.public.* ($EVENTS event changes, $CONTENT content rows)"
CONTENT_TYPES=$(psql_bench -tA -f "$ROOT/deploy/local/sql/content-types.sql" | paste -sd, -)
[[ -n $CONTENT_TYPES ]] || die "content.content_type has no CHECK listing its types"
bench_java fill --bootstrap "$BOOT" --prefix "$DRAIN_PREFIX" --events "$EVENTS" --content "$CONTENT" \
  --content-types "$CONTENT_TYPES" --content-csv "$WORK/content.csv" --out "$WORK/fill.json" >/dev/null
psql_bench -c "\\copy content (id, slug, title, content_type, length_seconds, publish_ts) FROM '$WORK/content.csv' WITH (FORMAT csv)"
log "drain: $(psql_bench -tA -c 'SELECT count(*) FROM content') content rows in PostgreSQL"
RECORDS=$(jq -r .records_on_events_topic "$WORK/fill.json")
CHANGES=$(jq -r .changes "$WORK/fill.json")
LIVE=$(jq -r .live_events "$WORK/fill.json")

log "drain: baseline (bare kafka-clients consumer + Jackson decode) over $RECORDS records"
bench_java baseline --bootstrap "$BOOT" --topic "$DRAIN_PREFIX.public.engagement_events" \
  --group "bench-baseline-$STAMP" --expect-records "$RECORDS" --out "$WORK/baseline.json" >/dev/null

log "drain: the service"
JFR_ARGS=()
SERVICE_JFR_OPTS=()
if (( JFR )); then
  # The profile recording starts at readiness (Bench.java drain); a second one, from launch, samples each thread's
  # allocated bytes every second: the independent check of the Micrometer allocation counter (bench/jfr_alloc.py).
  JFR_ARGS=(--jfr "$WORK/drain.jfr" --jfr-alloc "$WORK/alloc.jfr")
  SERVICE_JFR_OPTS=("-XX:StartFlightRecording=name=alloc,settings=$BENCH/thread-allocation.jfc")
fi
start_journal_reaper
component_cpu_mark
redis-cli -p "$REDIS_PORT" CONFIG RESETSTAT >/dev/null
start_service "$DRAIN_PREFIX" "bench-drain-$STAMP" "$WORK/service-drain.log" "${SERVICE_JFR_OPTS[@]}"
bench_java drain --pid "$SERVICE_PID" --url "$SVC_URL" --expect "$CHANGES" --launched-ms "$LAUNCHED_MS" \
  --clk-tck "$(getconf CLK_TCK)" "${JFR_ARGS[@]}" --out "$WORK/drain.json" >/dev/null \
  || log "drain: NOT every destination reached $CHANGES changes (see $WORK/drain.json, $WORK/service-drain.log)"
component_cpu_json "$WORK/drain-components.json"
# Redis's own time per command (the script's total, and the commands it called) over the drain.
redis-cli -p "$REDIS_PORT" INFO commandstats | tr -d '\r' >"$WORK/redis-commandstats.txt"
log "drain: CPU of the stack's components meanwhile: $(jq -c . "$WORK/drain-components.json")"
CH_LIVE=$(ch "SELECT count() FROM app.enriched_engagements_current" | tr -d '[:space:]')
CH_ROWS=$(ch "SELECT count() FROM app.enriched_engagements" | tr -d '[:space:]')
stop_journal_reaper
# Event states: fields of hashes of 1,024 consecutive ids each.
REDIS_EV=$(redis-cli -p "$REDIS_PORT" --scan --pattern "{$DRAIN_PREFIX}:evs:*" \
  | while read -r key; do redis-cli -p "$REDIS_PORT" HLEN "$key"; done | awk '{s+=$1} END {print s+0}')
EXT_PARKED=$(curl -fsS --max-time 10 "$SVC_URL/q/metrics" 2>/dev/null | awk '/^pipeline_external_parked_total/ {s+=$NF} END {print s+0}' || echo -1)
jq -n --argjson expect "$LIVE" --argjson live "${CH_LIVE:-0}" --argjson rows "${CH_ROWS:-0}" \
  --argjson redis_ev "$REDIS_EV" --argjson parked "${EXT_PARKED:--1}" \
  '{expected_live_events: $expect, clickhouse_current_rows: $live, clickhouse_ok: ($expect == $live),
    clickhouse_base_table_rows: $rows, redis_ev_keys: $redis_ev, external_events_parked: $parked}' >"$WORK/verify.json"
log "drain: ClickHouse current rows $CH_LIVE (expected $LIVE live events), base table $CH_ROWS rows; Redis ev keys $REDIS_EV"
grep -E ' (WARN|ERROR) ' "$WORK/service-drain.log" | sort | uniq -c | sort -rn | head -n 20 >"$WORK/service-drain.warnings" || true
stop_service

if (( JFR )) && [[ -s $WORK/drain.jfr ]]; then
  log "drain: summarising the JFR recording"
  python3 "$BENCH/jfr_top.py" "$WORK/drain.jfr" >"$WORK/jfr-top.json" 2>"$WORK/jfr-top.log" \
    || log "jfr summary failed; see $WORK/jfr-top.log"
  # Allocation by stage and site (jdk.ObjectAllocationSample), split into the same stages as the CPU samples above.
  python3 "$BENCH/jfr_alloc_sites.py" "$WORK/drain.jfr" >"$WORK/jfr-alloc-sites.json" 2>"$WORK/jfr-alloc-sites.log" \
    || log "jfr allocation sites failed; see $WORK/jfr-alloc-sites.log"
fi
if (( JFR )) && [[ -s $WORK/alloc.jfr ]]; then
  python3 "$BENCH/jfr_alloc.py" "$WORK/alloc.jfr" "$WORK/drain.json" >"$WORK/jfr-alloc.json" 2>"$WORK/jfr-alloc.log" \
    || log "jfr allocation check failed; see $WORK/jfr-alloc.log"
  log "drain: allocation per JFR thread statistics: $(jq -c 'del(.top_threads)' "$WORK/jfr-alloc.json" 2>/dev/null)"
fi
fi  # drain mode

# ================================================================ backfill mode
if (( BACKFILL_ROWS > 0 )); then
  log "backfill: fresh ClickHouse and Redis; $BACKFILL_ROWS events straight into PostgreSQL"
  "$ROOT/deploy/local/stack-down.sh" --purge clickhouse redis >&2
  "$ROOT/deploy/local/stack-up.sh" clickhouse redis >&2
  if [[ $(psql_bench -tA -c 'SELECT count(*) FROM content') == 0 ]]; then
    psql_bench -c "INSERT INTO content (id, slug, title, content_type, length_seconds, publish_ts)
      SELECT gen_random_uuid(), 'bf-' || i, 'Title ' || i, (ARRAY['podcast','newsletter','video'])[1 + i % 3],
             CASE WHEN i % 10 = 0 THEN NULL ELSE 30 + (i * 7919) % 7000 END, now() - interval '2 days'
      FROM generate_series(1, $CONTENT) i"
  fi
  # Event times within the last 9 minutes: every row counts in the leaderboard, so every destination does
  # its full work (a backfill of older history costs Redis less: it only updates what it remembers).
  psql_bench -c "INSERT INTO engagement_events (content_id, user_id, event_type, event_ts, duration_ms, device, raw_payload)
    SELECT c.ids[1 + i % cardinality(c.ids)], gen_random_uuid(), (ARRAY['play','pause','finish','click'])[1 + i % 4],
           date_trunc('milliseconds', now()) - (i % 530) * interval '1 second',
           CASE WHEN i % 11 = 0 THEN NULL ELSE (i::bigint * 104729) % 900000 END, 'web',
           jsonb_build_object('bench', 'backfill', 'i', i)
    FROM generate_series(1, $BACKFILL_ROWS) i, (SELECT array_agg(id ORDER BY id) AS ids FROM content) c"
  BF_FROM=$(psql_bench -tA -c "SELECT to_char(min(event_ts) AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"') FROM engagement_events")
  BF_TO=$(psql_bench -tA -c "SELECT to_char((max(event_ts) + interval '1 ms') AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"') FROM engagement_events")
  start_journal_reaper
  PIPELINE_ADMIN_TOKEN=bench-token start_service "$BACKFILL_PREFIX" "bench-backfill-$STAMP" "$WORK/service-backfill.log"
  wait_service_ready "$WORK/service-backfill.log"
  ( while kill -0 "$SERVICE_PID" 2>/dev/null; do
      awk -v t="$(date +%s)" '/^VmRSS/ {print t, $2}' "/proc/$SERVICE_PID/status" 2>/dev/null
      sleep 1
    done >"$WORK/backfill-rss.txt" ) &
  sampler=$!
  rss_before=$(awk '/^VmRSS/ {print $2 / 1024}' "/proc/$SERVICE_PID/status")
  log "backfill: deploy/local/backfill.sh --from $BF_FROM --to $BF_TO"
  SERVICE_URL="$SVC_URL" PIPELINE_ADMIN_TOKEN=bench-token "$ROOT/deploy/local/backfill.sh" --from "$BF_FROM" --to "$BF_TO" \
    | tee "$WORK/backfill-progress.txt" >&2 || log "backfill: it did not succeed; see $WORK/service-backfill.log"
  kill "$sampler" 2>/dev/null || true
  curl -fsS -H 'Authorization: Bearer bench-token' "$SVC_URL/admin/backfill" | jq '.[0]' >"$WORK/backfill-status.json"
  PG_SUM=$(psql_bench -tA -c "SELECT count(*) || ' ' || coalesce(sum((round(e.duration_ms / 1000.0 / c.length_seconds * 100, 2) * 100)::bigint) FILTER (WHERE c.length_seconds <> 0), 0)
    FROM engagement_events e LEFT JOIN content c ON c.id = e.content_id")
  CH_SUM=$(ch "SELECT toString(count()) || ' ' || toString(sum(toInt64(round(engagement_percent * 100)))) FROM app.enriched_engagements_current" | tr -d '\r')
  jq --arg pg "$PG_SUM" --arg chs "$CH_SUM" --argjson before "${rss_before:-0}" \
    --argjson peak "$(awk '{if ($2 > m) m = $2} END {print m / 1024}' "$WORK/backfill-rss.txt")" \
    --argjson hwm "$(awk '/^VmHWM/ {print $2 / 1024}' "/proc/$SERVICE_PID/status")" \
    '{rows_total, rows_done, rows_per_second, state, started_at, finished_at, rss_before_mb: $before,
      rss_peak_mb: $peak, vmhwm_mb: $hwm, postgres_rows_and_percent_hundredths: $pg,
      clickhouse_rows_and_percent_hundredths: $chs, exact: ($pg == $chs)}' "$WORK/backfill-status.json" >"$WORK/backfill.json"
  log "backfill: $(jq -c . "$WORK/backfill.json")"
  grep -E ' (WARN|ERROR) ' "$WORK/service-backfill.log" | sort | uniq -c | sort -rn | head -n 20 >"$WORK/service-backfill.warnings" || true
  stop_journal_reaper
  stop_service
fi

# ================================================================ soak mode
# seconds of "30m", "90s" or "600"
soak_seconds() {
  case "$1" in
    *m) echo $(( ${1%m} * 60 )) ;;
    *s) echo "${1%s}" ;;
    *) echo "$1" ;;
  esac
}

# The leaderboard as Redis holds it and as PostgreSQL computes it, for the window as of now: "content hundredths"
# lines, sorted, zero sums left out.
leaderboard_redis() {
  local now b keys=()
  now=$(date +%s)
  for (( b = now / 10 - 59; b <= (now + 300) / 10; b++ )); do keys+=("{$SOAK_PREFIX}:lb:$b"); done
  redis-cli -p "$REDIS_PORT" ZUNION "${#keys[@]}" "${keys[@]}" WITHSCORES | paste - - \
    | awk '$2 != 0 {printf "%s %d\n", $1, $2}' | sort
}
leaderboard_pg() {
  local now; now=$(date +%s)
  psql_bench -tA -F ' ' -c "SELECT e.content_id, sum((round(e.duration_ms / 1000.0 / c.length_seconds * 100, 2) * 100)::bigint) AS s
    FROM engagement_events e JOIN content c ON c.id = e.content_id
    WHERE c.length_seconds <> 0 AND e.duration_ms IS NOT NULL
      AND e.event_ts >= to_timestamp($(( (now / 10 - 59) * 10 ))) AND e.event_ts < to_timestamp($(( ((now + 300) / 10 + 1) * 10 )))
    GROUP BY e.content_id HAVING sum((round(e.duration_ms / 1000.0 / c.length_seconds * 100, 2) * 100)::bigint) <> 0" | sort
}

if [[ -n $SOAK ]]; then
  SOAK_S=$(soak_seconds "$SOAK")
  log "soak: $SOAK_S s at $SOAK_RATE events/s; the service SIGKILLed every $SOAK_KILL_EVERY s, Redis once halfway"
  TOPIC_PREFIX="$SOAK_PREFIX" "$ROOT/deploy/local/stack-up.sh" connect >&2
  rm -f "$WORK/receiver.stop" "$WORK/soak.done"
  bench_java receiver --port "$RECEIVER_PORT" --stop-file "$WORK/receiver.stop" --live-ids "$WORK/live-ids.txt" \
    --out "$WORK/receiver.json" >/dev/null 2>"$WORK/receiver.log" &
  RECEIVER_PID=$!
  for _ in $(seq 1 120); do (exec 3<>"/dev/tcp/127.0.0.1/$RECEIVER_PORT") 2>/dev/null && break; sleep 0.5; done
  soak_start() {
    # A killed instance's partitions move to its successor after the session timeout: short here.
    EXTERNAL_URL="http://127.0.0.1:$RECEIVER_PORT/events" KAFKA_SESSION_TIMEOUT_MS=10000 KAFKA_HEARTBEAT_INTERVAL_MS=2000 \
      start_service "$SOAK_PREFIX" "bench-soak-$STAMP" "$WORK/service-soak-$1.log"
    echo "$SERVICE_PID" >"$WORK/service.pid"
  }
  soak_start 0
  wait_service_ready "$WORK/service-soak-0.log"
  # Every 10 s: time, the service's RSS (kB; whichever instance runs), Redis used_memory (bytes).
  ( while [[ ! -f $WORK/soak.done ]]; do
      pid=$(cat "$WORK/service.pid" 2>/dev/null || echo 0)
      rss=$(awk '/^VmRSS/ {print $2}' "/proc/$pid/status" 2>/dev/null || true)
      mem=$( (redis-cli -p "$REDIS_PORT" INFO memory 2>/dev/null || true) | tr -d '\r' | awk -F: '/^used_memory:/ {print $2}')
      echo "$(date +%s) ${rss:-0} ${mem:-0}"
      sleep 10
    done >"$WORK/soak-samples.txt" ) &
  SAMPLER=$!
  PG_PORT=$PG_PORT "$ROOT/deploy/local/generator/run.sh" --rate "$SOAK_RATE" --duration "$SOAK_S" \
    --status-every 60 2>"$WORK/gen-soak.log" &
  GEN=$!
  T0=$(date +%s); KILLS=0; REDIS_KILLED=0
  while kill -0 "$GEN" 2>/dev/null; do
    sleep 5
    elapsed=$(( $(date +%s) - T0 ))
    if (( elapsed >= (KILLS + 1) * SOAK_KILL_EVERY && elapsed < SOAK_S )); then
      kill -KILL "$SERVICE_PID" 2>/dev/null || true
      wait "$SERVICE_PID" 2>/dev/null || true
      KILLS=$(( KILLS + 1 ))
      log "soak: $elapsed s: service SIGKILLed ($KILLS); starting it again"
      soak_start "$KILLS"
    fi
    if (( ! REDIS_KILLED && elapsed >= SOAK_S / 2 )); then
      log "soak: $elapsed s: Redis SIGKILLed; starting it again (AOF)"
      "$ROOT/deploy/local/stack-down.sh" --kill redis >&2
      sleep 3
      "$ROOT/deploy/local/stack-up.sh" redis >&2
      REDIS_KILLED=1
    fi
  done
  wait "$GEN" || log "soak: generator exited non-zero; see $WORK/gen-soak.log"
  T_GEN_DONE=$(date +%s)
  await_clickhouse_caught_up 900
  T_CAUGHT=$(date +%s)
  sleep 5  # the last acks of Redis and the external system
  leaderboard_redis >"$WORK/lb-redis.txt"
  leaderboard_pg >"$WORK/lb-pg.txt"
  LB_DIFF=$(diff "$WORK/lb-redis.txt" "$WORK/lb-pg.txt" | grep -c '^[<>]' || true)
  psql_bench -c "\\copy (SELECT id FROM engagement_events ORDER BY id) TO '$WORK/live-ids.txt'"
  touch "$WORK/receiver.stop"
  wait "$RECEIVER_PID" || log "soak: the receiver found missing keys; see $WORK/receiver.json"
  touch "$WORK/soak.done"
  wait "$SAMPLER" 2>/dev/null || true
  HWM=$(awk '/^VmHWM/ {print $2 / 1024}' "/proc/$SERVICE_PID/status")
  # Per minute: the highest service RSS (MB) and Redis used_memory (MB); flat if the last third's peak is within
  # 15 % of the first third's (after the first minute's warm-up).
  python3 - "$WORK/soak-samples.txt" "$WORK/soak-curve.json" <<'PY'
import json, sys
rows = [tuple(map(int, l.split())) for l in open(sys.argv[1]) if len(l.split()) == 3]
t0 = rows[0][0] if rows else 0
minutes = {}
for t, rss, mem in rows:
    m = (t - t0) // 60
    r, u = minutes.get(m, (0, 0))
    minutes[m] = (max(r, rss // 1024), max(u, mem // (1024 * 1024)))
ms = sorted(minutes)
third = max(1, len(ms) // 3)
def peak(sel, i): return max((minutes[m][i] for m in sel), default=0)
first, last = ms[1:1 + third] or ms[:third], ms[-third:]
out = {"per_minute": [{"minute": m, "service_rss_mb": minutes[m][0], "redis_used_memory_mb": minutes[m][1]} for m in ms],
       "service_rss_peak_first_third_mb": peak(first, 0), "service_rss_peak_last_third_mb": peak(last, 0),
       "redis_peak_first_third_mb": peak(first, 1), "redis_peak_last_third_mb": peak(last, 1)}
out["service_rss_flat"] = out["service_rss_peak_last_third_mb"] <= 1.15 * max(1, out["service_rss_peak_first_third_mb"])
out["redis_flat"] = out["redis_peak_last_third_mb"] <= 1.15 * max(1, out["redis_peak_first_third_mb"])
json.dump(out, open(sys.argv[2], "w"), indent=1)
print("minute  service RSS MB  Redis used_memory MB")
for m in ms: print(f"{m:6d}  {minutes[m][0]:13d}  {minutes[m][1]:20d}")
PY
  jq -n --argjson secs "$SOAK_S" --argjson rate "$SOAK_RATE" --argjson kills "$KILLS" --argjson pg "$pg_n" \
    --argjson chn "${ch_n:--1}" --argjson lbdiff "$LB_DIFF" --argjson lbn "$(wc -l <"$WORK/lb-pg.txt")" \
    --argjson caught $(( T_CAUGHT - T_GEN_DONE )) --argjson hwm "${HWM:-0}" \
    --slurpfile receiver "$WORK/receiver.json" --slurpfile curve "$WORK/soak-curve.json" \
    '{seconds: $secs, rate: $rate, service_kills: $kills, redis_kills: 1, postgres_live_events: $pg,
      clickhouse_live_rows: $chn, clickhouse_exact: ($pg == $chn), leaderboard_contents: $lbn,
      leaderboard_lines_differing: $lbdiff, catch_up_seconds_after_generator: $caught,
      last_instance_vmhwm_mb: $hwm, receiver: $receiver[0], memory: $curve[0]}' >"$WORK/soak.json"
  cp "$WORK/soak.json" "$BENCH/results/soak-$STAMP.json"
  log "soak: $(jq -c 'del(.memory.per_minute)' "$WORK/soak.json")"
  grep -hE ' (WARN|ERROR) ' "$WORK"/service-soak-*.log | sed -E 's/^[0-9:.]+ //' | cut -c1-160 | sort | uniq -c | sort -rn \
    | head -n 20 >"$WORK/service-soak.warnings" || true
  stop_service
  exit 0
fi

# ================================================================ end-to-end mode
if (( ! SKIP_E2E )); then
  log "e2e: fresh ClickHouse and Redis, Debezium (topic prefix $E2E_PREFIX)"
  "$ROOT/deploy/local/stack-down.sh" --purge clickhouse redis >&2
  "$ROOT/deploy/local/stack-up.sh" clickhouse redis >&2
  TOPIC_PREFIX="$E2E_PREFIX" "$ROOT/deploy/local/stack-up.sh" connect >&2
  start_journal_reaper
  start_service "$E2E_PREFIX" "bench-e2e-$STAMP" "$WORK/service-e2e.log"
  wait_service_ready "$WORK/service-e2e.log"
  # Warm-up, not measured: Debezium creates the events topic with its first event, and the service's
  # consumer (subscribed before the topic existed) only finds it on a metadata refresh; without this the
  # first rate's first ~30 s carry that discovery delay (seen: p99 25 s at 1,000/s).
  log "e2e: warm-up, 10 s at 200 events/s, until the service has received them"
  PG_PORT=$PG_PORT "$ROOT/deploy/local/generator/run.sh" --rate 200 --duration 10 --status-every 30 \
    2>"$WORK/gen-warmup.log" || log "e2e: warm-up generator failed; see $WORK/gen-warmup.log"
  prev=-1; same=0
  for _ in $(seq 1 240); do
    got=$(curl -fsS --max-time 2 "$SVC_URL/q/metrics" 2>/dev/null \
      | awk '/^pipeline_records_received_total\{.*engagement_events/ {print int($NF)}' || true)
    if [[ -n $got && $got -gt 0 && $got == "$prev" ]]; then same=$((same + 1)); else same=0; fi
    prev=${got:-0}
    (( same >= 6 )) && break
    sleep 0.5
  done
  log "e2e: warm-up done, the service received $prev events"
  IFS=, read -r -a rate_list <<<"$RATES"
  for rate in "${rate_list[@]}"; do
    log "e2e: generator at $rate events/s for $E2E_SECONDS s"
    rm -f "$WORK/commit-$rate.log" "$WORK/gen-$rate.done"
    bench_java e2e --commit-log "$WORK/commit-$rate.log" --done-file "$WORK/gen-$rate.done" \
      --prefix "$E2E_PREFIX" --redis-port "$REDIS_PORT" --ch-url "$CH_URL" --bootstrap "$BOOT" \
      --topic "$E2E_PREFIX.public.engagement_events" --out "$WORK/e2e-$rate.json" >/dev/null &
    probe=$!
    # The service's own view every 2 s: per destination the slowest write and the batches waiting, batches in flight
    # and lag (to tell which stage holds a delay).
    ( while kill -0 "$probe" 2>/dev/null; do
        echo "# $(date +%s%3N)"
        curl -fsS --max-time 2 "$SVC_URL/q/metrics" 2>/dev/null \
          | grep -E '^(pipeline_sink_write_seconds_max|pipeline_channel_buffered|pipeline_fanout_in_flight|pipeline_consumer_lag|pipeline_records_received_total)' || true
        sleep 2
      done ) >"$WORK/service-metrics-$rate.txt" 2>/dev/null &
    sleep 3   # the probe compiles and connects first
    PG_PORT=$PG_PORT "$ROOT/deploy/local/generator/run.sh" --rate "$rate" --duration "$E2E_SECONDS" \
      --commit-log "$WORK/commit-$rate.log" --status-every 30 2>"$WORK/gen-$rate.log" \
      || log "e2e: generator exited non-zero; see $WORK/gen-$rate.log"
    touch "$WORK/gen-$rate.done"
    wait "$probe" || log "e2e: probe failed for rate $rate"
    tail -n 3 "$WORK/gen-$rate.log" >&2 || true
  done
  if [[ -n $OUTAGE ]]; then
    outage_run "${OUTAGE%%:*}" "${OUTAGE##*:}" "$OUTAGE_RATE"
  fi
  grep -E ' (WARN|ERROR) ' "$WORK/service-e2e.log" | sort | uniq -c | sort -rn | head -n 20 >"$WORK/service-e2e.warnings" || true
  stop_journal_reaper
  stop_service
fi

# ================================================================ results
CH_VERSION=$(ch "SELECT version()" | tr -d '[:space:]' || echo unknown)
SERVICE_HEAP="$SERVICE_HEAP" SERVICE_JAVA="$SERVICE_JAVA" python3 "$BENCH/report.py" --work "$WORK" --stamp "$STAMP" --root "$ROOT" --clickhouse-version "$CH_VERSION" \
  --events "$EVENTS" --content "$CONTENT" --rates "$RATES" --e2e-seconds "$E2E_SECONDS" --skip-e2e "$SKIP_E2E" --skip-drain "$SKIP_DRAIN" --backfill "$BACKFILL_ROWS"

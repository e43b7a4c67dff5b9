#!/usr/bin/env bash
# Starts the local infrastructure as plain processes on 127.0.0.1.
#   usage: stack-up.sh [component...]   (default: all, in this order)
#   components: postgres kafka connect clickhouse redis external
# Idempotent: a component already running from this RUN_DIR is left alone.
# State (data, logs, PID files) lives in $RUN_DIR/<component>/ (default .run/).
# Env: RUN_DIR, *_PORT (see env.sh), PG_FAST=1 (fsync off; for tests).
set -euo pipefail
# shellcheck source=env.sh
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
# shellcheck source=lib.sh
source "$STACK_DIR/lib.sh"

select_components "$@"
mkdir -p "$RUN_DIR"

[[ -f $KAFKA_LIB/kafka-tools-$KAFKA_VERSION.jar && -f $CHDB_LIB && -f $WIREMOCK_JAR ]] \
  || die "tools missing in $TOOLS_DIR; run deploy/local/install.sh first"

declare -A LOG_POS=()     # log size at launch: readiness looks only at new lines
declare -A WAS_UP=()      # components found already running

ready_line() { printf '%-10s up    %s\n' "$1" "$2"; }

# ---------------------------------------------------------------- postgres
PG_DIR="$(comp_dir postgres)"
PG_DATA="$PG_DIR/data"
PG_SOCK="$PG_DIR/socket"

psql_admin() {
  "$PG_BIN/psql" -X -q -h "$PG_SOCK" -p "$PG_PORT" -U postgres -v ON_ERROR_STOP=1 "$@"
}

# Stops at once when a folder on the way to the data (a home folder of mode 700, typically) is closed to the
# postgres user: initdb would fail later with a bare "Permission denied".
postgres_can_reach() {
  local dir="" part
  IFS=/ read -r -a parts <<<"${1#/}"
  for part in "${parts[@]}"; do
    dir="$dir/$part"
    if ! runuser -u postgres -- test -x "$dir" 2>/dev/null; then
      die "postgres: the postgres user cannot enter $dir (mode $(stat -c %a "$dir"), owner $(stat -c %U "$dir")),
  so PostgreSQL cannot keep its data in $1. Either keep the run folder elsewhere:
    RUN_DIR=/var/tmp/cdc-pipeline deploy/local/up.sh   (the same RUN_DIR for every script you run)
  or let other users through that folder (they can enter it, not list it): chmod o+x $dir
  or clone the repository under a folder they can enter (e.g. /opt or /srv)."
    fi
  done
}

launch_postgres() {
  if is_running postgres; then WAS_UP[postgres]=1; return; fi
  port_free "$PG_PORT" PG_PORT
  mkdir -p "$PG_DIR" "$PG_SOCK"
  local logf; logf="$(log_file postgres)"
  touch "$logf"
  # initdb and the server refuse to run as root: they run as postgres, which must reach the data folder.
  postgres_can_reach "$PG_DIR"
  chown -R postgres:postgres "$PG_DIR"
  if [[ ! -f $PG_DATA/PG_VERSION ]]; then
    log "postgres: initdb $PG_DATA"
    runuser -u postgres -- "$PG_BIN/initdb" -D "$PG_DATA" -U postgres -E UTF8 --locale=C.UTF-8 \
      --auth-local=trust --auth-host=scram-sha-256 >>"$logf" 2>&1 \
      || die "postgres: initdb failed; see $logf"
    echo "include = 'stack.conf'" >>"$PG_DATA/postgresql.conf"
  fi
  # Rewritten on every start so port and PG_FAST changes apply.
  {
    echo "# written by deploy/local/stack-up.sh"
    echo "listen_addresses = '127.0.0.1'"
    echo "port = $PG_PORT"
    echo "unix_socket_directories = '$PG_SOCK'"
    echo "wal_level = logical            # Debezium logical decoding"
    echo "max_replication_slots = 10"
    echo "max_wal_senders = 10"
    if [[ ${PG_FAST:-0} == 1 ]]; then
      echo "fsync = off                  # PG_FAST=1: tests only, not crash-safe"
      echo "synchronous_commit = off"
      echo "full_page_writes = off"
    fi
  } >"$PG_DATA/stack.conf"
  chown postgres:postgres "$PG_DATA/stack.conf"
  LOG_POS[postgres]="$(file_size "$logf")"
  runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$logf" -w -t 60 -s start \
    || { tail -n 20 "$logf" >&2; die "postgres did not start; see $logf"; }
  head -n 1 "$PG_DATA/postmaster.pid" >"$(pid_file postgres)"

  # Role, database and source schema: all idempotent.
  psql_admin -d postgres -v user="$PG_USER" -v pw="$PG_PASSWORD" -v db="$PG_DB" <<'SQL'
SELECT format('CREATE ROLE %I LOGIN REPLICATION SUPERUSER PASSWORD %L', :'user', :'pw')
 WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'user') \gexec
SELECT format('ALTER ROLE %I LOGIN REPLICATION SUPERUSER PASSWORD %L', :'user', :'pw') \gexec
SELECT format('CREATE DATABASE %I OWNER %I', :'db', :'user')
 WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = :'db') \gexec
SQL
  PGPASSWORD="$PG_PASSWORD" "$PG_BIN/psql" -X -q -h 127.0.0.1 -p "$PG_PORT" -U "$PG_USER" -d "$PG_DB" \
    -v ON_ERROR_STOP=1 -c 'SET client_min_messages = warning' \
    -f "$STACK_DIR/sql/source-schema.sql" >/dev/null \
    || die "postgres: applying sql/source-schema.sql failed"
}

ready_postgres() {
  wait_ready postgres 30 "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT"
  ready_line postgres "postgresql://$PG_USER:$PG_PASSWORD@127.0.0.1:$PG_PORT/$PG_DB"
}

# ---------------------------------------------------------------- kafka
KAFKA_DIR="$(comp_dir kafka)"

launch_kafka() {
  if is_running kafka; then WAS_UP[kafka]=1; return; fi
  port_free "$KAFKA_PORT" KAFKA_PORT
  port_free "$KAFKA_CONTROLLER_PORT" KAFKA_CONTROLLER_PORT
  mkdir -p "$KAFKA_DIR/data"
  cp "$STACK_DIR/stack/log4j2-server.xml" "$KAFKA_DIR/log4j2.xml"
  cat >"$KAFKA_DIR/server.properties" <<PROPS
# written by deploy/local/stack-up.sh: single-node KRaft (broker + controller)
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$KAFKA_CONTROLLER_PORT
listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$KAFKA_CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
log.dirs=$KAFKA_DIR/data
auto.create.topics.enable=true
num.partitions=3
# one broker: every internal topic must live with replication factor 1
offsets.topic.replication.factor=1
offsets.topic.num.partitions=10
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
# no 3 s wait for more members before the first consumer-group assignment
group.initial.rebalance.delay.ms=0
PROPS
  if [[ ! -f $KAFKA_DIR/data/meta.properties ]]; then
    log "kafka: formatting KRaft storage"
    local id
    id="$(tool_java kafka.tools.StorageTool random-uuid)"
    tool_java kafka.tools.StorageTool format -t "$id" -c "$KAFKA_DIR/server.properties" \
      >>"$(log_file kafka)" 2>&1 || die "kafka: storage format failed; see $(log_file kafka)"
  fi
  LOG_POS[kafka]="$(file_size "$(log_file kafka)")"
  start_bg kafka "$JAVA" -Xms256m -Xmx512m -XX:+UseG1GC -XX:MaxGCPauseMillis=20 \
    -Dlog4j2.configurationFile="$KAFKA_DIR/log4j2.xml" \
    -cp "$KAFKA_LIB/*" kafka.Kafka "$KAFKA_DIR/server.properties"
}

kafka_started() {
  if [[ -n ${WAS_UP[kafka]:-} ]]; then port_in_use "$KAFKA_PORT"; return; fi
  log_since_has "$(log_file kafka)" "${LOG_POS[kafka]:-0}" "Kafka Server started"
}

ready_kafka() {
  wait_ready kafka 90 kafka_started
  ready_line kafka "127.0.0.1:$KAFKA_PORT (controller 127.0.0.1:$KAFKA_CONTROLLER_PORT)"
}

# ---------------------------------------------------------------- connect
CONNECT_DIR="$(comp_dir connect)"
CONNECTOR=pandashop-postgres
CONNECT_URL="http://127.0.0.1:$CONNECT_PORT"

launch_connect() {
  if is_running connect; then WAS_UP[connect]=1; return; fi
  port_free "$CONNECT_PORT" CONNECT_PORT
  # Connect needs the broker; its database checks happen when the connector starts.
  is_running kafka || die "connect: kafka is not running (stack-up.sh kafka connect)"
  [[ -n ${LOG_POS[kafka]:-} || -n ${WAS_UP[kafka]:-} ]] || WAS_UP[kafka]=1
  wait_ready kafka 90 kafka_started
  mkdir -p "$CONNECT_DIR/data"
  cp "$STACK_DIR/stack/log4j2-server.xml" "$CONNECT_DIR/log4j2.xml"
  cat >"$CONNECT_DIR/worker.properties" <<PROPS
# written by deploy/local/stack-up.sh: Connect standalone worker for Debezium
bootstrap.servers=127.0.0.1:$KAFKA_PORT
listeners=http://127.0.0.1:$CONNECT_PORT
rest.advertised.host.name=127.0.0.1
rest.advertised.port=$CONNECT_PORT
key.converter=org.apache.kafka.connect.json.JsonConverter
value.converter=org.apache.kafka.connect.json.JsonConverter
key.converter.schemas.enable=false
value.converter.schemas.enable=false
# source offsets (the Postgres LSN) survive restarts here
offset.storage.file.filename=$CONNECT_DIR/data/connect.offsets
# flush every second: a crash replays at most ~1 s of events (default 60 s)
offset.flush.interval.ms=1000
plugin.path=$CONNECT_PLUGINS
# ServiceLoader discovery: ~5 s start instead of ~22 s of classpath scanning
plugin.discovery=service_load
# lets the connector create its topics with 3 partitions (topic.creation.default.*)
topic.creation.enable=true
PROPS
  LOG_POS[connect]="$(file_size "$(log_file connect)")"
  start_bg connect "$JAVA" -Xms128m -Xmx512m \
    -Dlog4j2.configurationFile="$CONNECT_DIR/log4j2.xml" \
    -cp "$KAFKA_LIB/*" org.apache.kafka.connect.cli.ConnectStandalone "$CONNECT_DIR/worker.properties"
}

connector_config() {
  # The connector's own settings are shared with Compose and Kubernetes (deploy/connector/); only where the
  # database is and the topic prefix are the local stack's.
  jq --arg name "$CONNECTOR" --arg port "$PG_PORT" --arg user "$PG_USER" \
    --arg pw "$PG_PASSWORD" --arg db "$PG_DB" --arg prefix "$TOPIC_PREFIX" '. + {
      "name": $name,
      "database.hostname": "127.0.0.1",
      "database.port": $port,
      "database.user": $user,
      "database.password": $pw,
      "database.dbname": $db,
      "topic.prefix": $prefix,
      "topic.creation.default.partitions": "3",
      "topic.creation.default.replication.factor": "1"
    }' "$ROOT/deploy/connector/debezium-postgres.json"
}

# PUT only when missing or different: a PUT of an existing connector restarts it.
register_connector() {
  local want have
  want="$(connector_config | jq -S .)"
  have="$(curl -fsS --max-time 5 "$CONNECT_URL/connectors/$CONNECTOR/config" 2>/dev/null | jq -S . 2>/dev/null || true)"
  if [[ "$want" == "$have" ]]; then return 0; fi
  log "connect: registering connector $CONNECTOR"
  curl -fsS --max-time 30 -X PUT -H 'Content-Type: application/json' \
    --data "$want" "$CONNECT_URL/connectors/$CONNECTOR/config" >/dev/null \
    || die "connect: PUT $CONNECT_URL/connectors/$CONNECTOR/config failed; see $(log_file connect)"
}

connector_streaming() {
  local st
  st="$(curl -fsS --max-time 2 "$CONNECT_URL/connectors/$CONNECTOR/status")" || return 1
  if jq -e '[.connector.state, .tasks[]?.state] | index("FAILED")' >/dev/null <<<"$st"; then
    jq -r '.tasks[]?.trace // empty' <<<"$st" | head -n 5 >&2
    die "connect: connector $CONNECTOR FAILED; see $(log_file connect)"
  fi
  jq -e '.connector.state == "RUNNING" and (.tasks | length > 0) and all(.tasks[]; .state == "RUNNING")' \
    >/dev/null <<<"$st" || return 1
  # Task RUNNING comes before the snapshot/stream is set up: wait for the log line.
  if [[ -z ${WAS_UP[connect]:-} ]]; then
    log_since_has "$(log_file connect)" "${LOG_POS[connect]:-0}" "Starting streaming" || return 1
  fi
}

ready_connect() {
  wait_ready connect 120 http_ok "$CONNECT_URL/connectors"
  is_running postgres || port_in_use "$PG_PORT" || die "connect: postgres is not running"
  register_connector
  wait_ready connect 180 connector_streaming
  ready_line connect "$CONNECT_URL (connector $CONNECTOR streaming, topics $TOPIC_PREFIX.public.*)"
}

# ---------------------------------------------------------------- clickhouse
CH_DIR="$(comp_dir clickhouse)"
CH_URL="http://127.0.0.1:$CLICKHOUSE_HTTP_PORT"

launch_clickhouse() {
  if is_running clickhouse; then WAS_UP[clickhouse]=1; return; fi
  port_free "$CLICKHOUSE_HTTP_PORT" CLICKHOUSE_HTTP_PORT
  port_free "$CLICKHOUSE_TCP_PORT" CLICKHOUSE_TCP_PORT
  # clickhouse-local overlays the `default` database on its working dir: keep it empty.
  rm -rf "$CH_DIR/work"
  mkdir -p "$CH_DIR/data" "$CH_DIR/work"
  start_bg clickhouse env -C "$CH_DIR/work" "$PYTHON" "$STACK_DIR/clickhouse/chdb_server.py" \
    --lib "$CHDB_LIB" --path "$CH_DIR/data" --host 127.0.0.1 \
    --http-port "$CLICKHOUSE_HTTP_PORT" --tcp-port "$CLICKHOUSE_TCP_PORT"
}

ready_clickhouse() {
  wait_ready clickhouse 60 http_ok "$CH_URL/ping"
  curl -fsS --max-time 10 "$CH_URL/" --data-binary "CREATE DATABASE IF NOT EXISTS $CLICKHOUSE_DATABASE" >/dev/null \
    || die "clickhouse: CREATE DATABASE $CLICKHOUSE_DATABASE failed; see $(log_file clickhouse)"
  ready_line clickhouse "$CH_URL (native 127.0.0.1:$CLICKHOUSE_TCP_PORT, database $CLICKHOUSE_DATABASE)"
}

# ---------------------------------------------------------------- redis
REDIS_DIR="$(comp_dir redis)"

launch_redis() {
  if is_running redis; then WAS_UP[redis]=1; return; fi
  port_free "$REDIS_PORT" REDIS_PORT
  mkdir -p "$REDIS_DIR/data"
  rm -f "$(pid_file redis)"
  # Append-only file (fsync each second) so down-then-up keeps the data.
  redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --appendonly yes --appendfsync everysec --maxmemory-policy noeviction \
    --save "" --daemonize yes --dir "$REDIS_DIR/data" \
    --pidfile "$(pid_file redis)" --logfile "$(log_file redis)" \
    || die "redis: failed to start; see $(log_file redis)"
  local _
  for _ in $(seq 1 40); do [[ -s "$(pid_file redis)" ]] && break; sleep 0.1; done
}

ready_redis() {
  wait_ready redis 20 redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping
  ready_line redis "redis://127.0.0.1:$REDIS_PORT"
}

# ---------------------------------------------------------------- external
EXT_DIR="$(comp_dir external)"
EXT_URL="http://127.0.0.1:$EXTERNAL_PORT"

launch_external() {
  if is_running external; then WAS_UP[external]=1; return; fi
  port_free "$EXTERNAL_PORT" EXTERNAL_PORT
  mkdir -p "$EXT_DIR/root/mappings" "$EXT_DIR/root/__files"
  cp -f "$STACK_DIR"/external/mappings/*.json "$EXT_DIR/root/mappings/"
  start_bg external "$JAVA" -Xms64m -Xmx512m -XX:+UseSerialGC -jar "$WIREMOCK_JAR" \
    --bind-address 127.0.0.1 --port "$EXTERNAL_PORT" --root-dir "$EXT_DIR/root" \
    --max-request-journal-entries 5000 --disable-banner
}

ready_external() {
  wait_ready external 60 http_ok "$EXT_URL/__admin/health"
  ready_line external "$EXT_URL (POST /events -> 200; admin $EXT_URL/__admin)"
}

# ---------------------------------------------------------------- main
t0=$(date +%s%N)
want() { local c; for c in "${COMPONENTS[@]}"; do [[ $c == "$1" ]] && return 0; done; return 1; }

# Launch everything that does not depend on Kafka first, so the JVMs and
# ClickHouse start in parallel; Connect is launched once the broker is up.
for c in postgres kafka clickhouse redis external; do
  if want "$c"; then launch_"$c"; fi
done
if want connect; then launch_connect; fi
for c in "${ALL_COMPONENTS[@]}"; do
  if want "$c"; then ready_"$c"; fi
done
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
log "ready in $(( ms / 1000 )).$(( ms % 1000 / 100 ))s (RUN_DIR=$RUN_DIR)"

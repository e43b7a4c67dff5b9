#!/usr/bin/env bash
# Stops what stack-up.sh started (by PID file, reverse start order).
#   usage: stack-down.sh [--purge] [--kill] [component...]   (default: all)
# --kill sends SIGKILL at once, as a crash would (tests of crash recovery); no clean shutdown.
# Plain down keeps all data, including the Debezium replication slot and Connect's
# offsets, so the next stack-up resumes streaming where it stopped, losing nothing.
# --purge also deletes the stopped components' data under $RUN_DIR/<component>/
# (downloads in $TOOLS_DIR are kept). Purging postgres or kafka purges connect
# too: its offsets would point at a slot or topics that no longer exist.
set -euo pipefail
# shellcheck source=env.sh
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
# shellcheck source=lib.sh
source "$STACK_DIR/lib.sh"

purge=0
crash=0
args=()
for a in "$@"; do
  case "$a" in
    --purge) purge=1 ;;
    --kill) crash=1 ;;
    -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
    -*) die "unknown option $a (usage: stack-down.sh [--purge] [--kill] [component...])" ;;
    *) args+=("$a") ;;
  esac
done
select_components "${args[@]+"${args[@]}"}"

want() { local c; for c in "${COMPONENTS[@]}"; do [[ $c == "$1" ]] && return 0; done; return 1; }
if (( purge )) && ! want connect && { want postgres || want kafka; }; then
  log "--purge of postgres/kafka also purges connect (its offsets would be stale)"
  COMPONENTS+=(connect)
fi

stop_postgres() {
  local data; data="$(comp_dir postgres)/data"
  if is_running postgres; then
    # Fast shutdown: aborts sessions, checkpoints; the replication slot is kept.
    runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$data" -m fast -w -t 60 -s stop 2>/dev/null || true
  fi
  stop_pid postgres 30
}

stop_component() {
  local name="$1"
  local was=0
  is_running "$name" && was=1
  if (( crash )); then
    kill_pid "$name"
    printf '%-10s killed\n' "$name"
    return
  fi
  case "$name" in
    postgres) stop_postgres ;;
    # Connect commits source offsets on a clean stop: give it time before KILL.
    connect) stop_pid connect 60 ;;
    kafka) stop_pid kafka 60 ;;
    *) stop_pid "$name" 30 ;;
  esac
  if (( was )); then printf '%-10s down\n' "$name"; else printf '%-10s down  (was not running)\n' "$name"; fi
}

for (( i = ${#ALL_COMPONENTS[@]} - 1; i >= 0; i-- )); do
  c="${ALL_COMPONENTS[i]}"
  want "$c" || continue
  stop_component "$c"
  if (( purge )); then
    # Only this component's folder: RUN_DIR may also hold tools/ or a test stack.
    rm -rf "${RUN_DIR:?}/$c"
    log "$c: data purged"
  fi
done

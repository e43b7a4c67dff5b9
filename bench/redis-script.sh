#!/usr/bin/env bash
# The Redis update script alone, against a baseline version of it, in the same run: each version drives a fresh
# redis-server (AOF everysec, as the local stack runs it) on port 36379 with the same changes, and the script's
# Redis CPU per change is printed (utime+stime of redis-server, which only Redis's own work moves).
#   bench/redis-script.sh [--baseline GIT_REV] [--calls N] [--changes-per-call N]
# Results: bench/results/redis-script-<UTC stamp>.txt.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BASELINE=1e4932c CALLS=100 PER_CALL=1000 PORT=36379
while (( $# )); do
  case "$1" in
    --baseline) BASELINE="$2"; shift 2 ;;
    --calls) CALLS="$2"; shift 2 ;;
    --changes-per-call) PER_CALL="$2"; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
WORK="$(mktemp -d)"
trap 'redis-cli -p $PORT SHUTDOWN NOSAVE >/dev/null 2>&1 || true; rm -rf "$WORK"' EXIT
git -C "$ROOT" show "$BASELINE:src/main/resources/redis/apply-changes.lua" >"$WORK/baseline.lua"
cp "$ROOT/src/main/resources/redis/apply-changes.lua" "$WORK/current.lua"
STAMP="$(date -u +%Y-%m-%dT%H-%M-%SZ)"
OUT="$ROOT/bench/results/redis-script-$STAMP.txt"
{
  echo "# bench/redis-script.sh at $STAMP: $CALLS calls x $PER_CALL new events; baseline $BASELINE, current = working tree ($(git -C "$ROOT" rev-parse --short HEAD))"
  echo "# $(redis-server --version | cut -d' ' -f1-3); load average $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "# stream entry: ${BENCH_STREAM_ENTRY:-full} (BENCH_STREAM_ENTRY: full, compact or empty; see redis_script.py)"
  for version in baseline current; do
    python3 "$ROOT/bench/redis_script.py" "$WORK/$version.lua" "$CALLS" "$PER_CALL" >"$WORK/$version.resp"
    rm -rf "$WORK/data"; mkdir -p "$WORK/data"
    redis-server --bind 127.0.0.1 --port "$PORT" --appendonly yes --appendfsync everysec --save "" \
      --daemonize yes --dir "$WORK/data" --pidfile "$WORK/data/pid" >/dev/null
    for _ in $(seq 50); do redis-cli -p "$PORT" PING >/dev/null 2>&1 && break; sleep 0.1; done
    pid="$(cat "$WORK/data/pid")"
    before="$(awk '{print $14 + $15}' "/proc/$pid/stat")"
    start="$(date +%s%N)"
    redis-cli -p "$PORT" --pipe <"$WORK/$version.resp" | grep -q "errors: 0" || { echo "$version: errors"; exit 1; }
    elapsed_ms=$(( ($(date +%s%N) - start) / 1000000 ))
    after="$(awk '{print $14 + $15}' "/proc/$pid/stat")"
    changes=$(( CALLS * PER_CALL ))
    stats="$(redis-cli -p "$PORT" INFO commandstats | tr -d '\r' | grep '^cmdstat_' | sed 's/^cmdstat_//' \
      | awk -F'[:,=]' -v n="$changes" '{printf "%s %.2f us/change; ", $1, $5 / n}')"
    awk -v v="$version" -v t=$(( after - before )) -v hz="$(getconf CLK_TCK)" -v n="$changes" -v ms="$elapsed_ms" \
      'BEGIN {printf "%-8s Redis CPU %.2f us/change (%d changes in %d ms)\n", v, t / hz * 1e6 / n, n, ms}'
    echo "         by command: $stats"
    redis-cli -p "$PORT" SHUTDOWN NOSAVE >/dev/null 2>&1 || true
    sleep 0.3
  done
} | tee "$OUT"

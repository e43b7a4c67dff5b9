#!/usr/bin/env bash
# Helpers shared by the local stack scripts; sourced after env.sh, never run.

log() { printf '%s [stack] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { printf '%s [stack] ERROR: %s\n' "$(date +%H:%M:%S)" "$*" >&2; exit 1; }

comp_dir() { printf '%s/%s' "$RUN_DIR" "$1"; }
pid_file() { printf '%s/%s/%s.pid' "$RUN_DIR" "$1" "$1"; }
log_file() { printf '%s/%s/%s.log' "$RUN_DIR" "$1" "$1"; }

# True when something listens on 127.0.0.1/any address at PORT.
port_in_use() {
  local port="$1"
  if command -v ss >/dev/null 2>&1; then
    [[ -n "$(ss -ltnH "sport = :$port" 2>/dev/null)" ]]
  else
    # Fallback without iproute2: a connect that succeeds means a listener.
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null
  fi
}

# Fail at once (instead of a start that hangs or dies later) when PORT is taken.
port_free() {
  local port="$1" var="$2"
  if port_in_use "$port"; then
    die "port $port is taken; set $var=... to use another"
  fi
}

# PID recorded for component NAME, empty if none.
read_pid() {
  local f; f="$(pid_file "$1")"
  [[ -s "$f" ]] && tr -dc '0-9' <"$f"
  return 0
}

# True when NAME's recorded process is alive AND its working directory is inside
# this run dir's component folder, so a recycled PID or the other stack (tests run
# a second RUN_DIR) is never mistaken for ours.
is_running() {
  local name="$1" pid cwd
  pid="$(read_pid "$name")"
  [[ -n "$pid" ]] || return 1
  pid_alive "$pid" || return 1
  cwd="$(readlink "/proc/$pid/cwd" 2>/dev/null)" || return 1
  [[ "$cwd" == "$(comp_dir "$name")" || "$cwd" == "$(comp_dir "$name")/"* ]]
}

# start_bg NAME CMD... : run CMD detached (own session, so a Ctrl-C in the calling
# terminal does not reach it) from $RUN_DIR/NAME, output appended to NAME's log,
# PID written by the process itself before exec so it is the real server PID.
start_bg() {
  local name="$1"; shift
  local dir pidf logf
  dir="$(comp_dir "$name")"; pidf="$(pid_file "$name")"; logf="$(log_file "$name")"
  mkdir -p "$dir"
  rm -f "$pidf"
  printf '\n===== %s start %s =====\n' "$name" "$(date -Is)" >>"$logf"
  # Only the setsid command is backgrounded (not a list), so no shell lingers as its
  # parent holding the caller's stdout open.
  # shellcheck disable=SC2016  # $$ and $@ are expanded by the inner bash
  (
    cd "$dir" || exit 1
    setsid bash -c 'echo $$ >"$0"; exec "$@"' "$pidf" "$@" >>"$logf" 2>&1 </dev/null &
  )
  local _
  for _ in $(seq 1 50); do [[ -s "$pidf" ]] && return 0; sleep 0.1; done
  die "$name did not start; see $logf"
}

# wait_ready NAME TIMEOUT_S CHECK... : poll CHECK until it succeeds. Fails early,
# with the log to read, when the process died or the timeout passed.
wait_ready() {
  local name="$1" timeout="$2"; shift 2
  local logf deadline
  logf="$(log_file "$name")"
  deadline=$(( $(date +%s) + timeout ))
  while ! "$@" >/dev/null 2>&1; do
    if ! is_running "$name"; then
      tail -n 20 "$logf" >&2 2>/dev/null || true
      die "$name exited while starting; see $logf"
    fi
    if (( $(date +%s) >= deadline )); then
      tail -n 20 "$logf" >&2 2>/dev/null || true
      die "$name not ready after ${timeout}s; see $logf"
    fi
    sleep 0.25
  done
}

# True while PID exists and is not a zombie (an exited server, reparented to
# init, can stay a zombie for a while before it is reaped).
pid_alive() {
  local st
  kill -0 "$1" 2>/dev/null || return 1
  st="$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" || return 1
  [[ -n $st && $st != Z && $st != X ]]
}

# stop_pid NAME [TIMEOUT_S]: TERM, then KILL if still alive after the timeout.
stop_pid() {
  local name="$1" timeout="${2:-30}" pid i
  if ! is_running "$name"; then
    rm -f "$(pid_file "$name")"
    return 0
  fi
  pid="$(read_pid "$name")"
  kill -TERM "$pid" 2>/dev/null || true
  for (( i = 0; i < timeout * 4; i++ )); do
    pid_alive "$pid" || break
    sleep 0.25
  done
  if pid_alive "$pid"; then
    log "$name (pid $pid) ignored TERM for ${timeout}s; sending KILL"
    kill -KILL "$pid" 2>/dev/null || true
    sleep 0.5
  fi
  rm -f "$(pid_file "$name")"
}

# kill_pid NAME: SIGKILL, as a crash; waits until the process is gone.
kill_pid() {
  local name="$1" pid i
  if ! is_running "$name"; then
    rm -f "$(pid_file "$name")"
    return 0
  fi
  pid="$(read_pid "$name")"
  kill -KILL "$pid" 2>/dev/null || true
  for (( i = 0; i < 80; i++ )); do
    pid_alive "$pid" || break
    sleep 0.25
  done
  rm -f "$(pid_file "$name")"
}

# Byte size of a file (0 when missing): lets a readiness check look only at
# what a log gained since this start, not at an earlier run's lines.
file_size() { stat -c %s "$1" 2>/dev/null || echo 0; }
log_since_has() { tail -c "+$(( $2 + 1 ))" "$1" 2>/dev/null | grep -q -- "$3"; }

http_ok() { curl -fsS -o /dev/null --max-time 2 "$1"; }

# Parse "[--flag] component..." arguments into COMPONENTS, validated.
select_components() {
  COMPONENTS=()
  local c a ok
  for a in "$@"; do
    ok=0
    for c in "${ALL_COMPONENTS[@]}"; do [[ "$a" == "$c" ]] && ok=1; done
    (( ok )) || die "unknown component '$a' (known: ${ALL_COMPONENTS[*]})"
    COMPONENTS+=("$a")
  done
  (( ${#COMPONENTS[@]} )) || COMPONENTS=("${ALL_COMPONENTS[@]}")
}

# JVM options for short-lived Kafka tools: start fast, log to stderr only.
tool_java() {
  "$JAVA" -Xshare:auto -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xmx256m \
    -Dlog4j2.configurationFile="$STACK_DIR/stack/log4j2-tools.xml" \
    -cp "$KAFKA_LIB/*" "$@"
}

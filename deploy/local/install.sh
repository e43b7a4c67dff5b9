#!/usr/bin/env bash
# Installs what the local stack needs, only what is missing (safe to re-run).
#   apt:          postgresql-15, redis-server (+ curl, jq, iproute2, java, maven, npm if absent)
#   Maven Central: Kafka 4.4.0 + Connect, Debezium postgres plugin, WireMock, pg JDBC
#   npm:          @chdb/lib-linux-x64-gnu (ClickHouse engine as libchdb.so)
#   apt download: promtool, taken from the prometheus package (alert rule tests)
# Downloads go to $TOOLS_DIR (default .run/tools, shared by every RUN_DIR).
set -euo pipefail
# shellcheck source=env.sh
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
# shellcheck source=lib.sh
source "$STACK_DIR/lib.sh"

SUDO=""
[[ $EUID -eq 0 ]] || SUDO="sudo"

install_apt() {
  local pkgs=()
  [[ -x "$PG_BIN/initdb" ]] || pkgs+=(postgresql-15)
  command -v redis-server >/dev/null || pkgs+=(redis-server)
  command -v redis-cli >/dev/null || pkgs+=(redis-tools)
  command -v ss >/dev/null || pkgs+=(iproute2)
  command -v curl >/dev/null || pkgs+=(curl)
  command -v jq >/dev/null || pkgs+=(jq)
  command -v runuser >/dev/null || pkgs+=(util-linux)
  command -v java >/dev/null || pkgs+=(openjdk-17-jre-headless)
  command -v mvn >/dev/null || pkgs+=(maven)
  command -v npm >/dev/null || pkgs+=(npm)
  command -v python3 >/dev/null || pkgs+=(python3)
  # The dashboard's browser test (deploy/local/test.sh sets INSTALL_BROWSER=1): Debian's Chromium and its driver.
  if [[ ${INSTALL_BROWSER:-0} == 1 ]]; then
    command -v chromium >/dev/null || pkgs+=(chromium)
    command -v chromedriver >/dev/null || pkgs+=(chromium-driver)
  fi
  if (( ${#pkgs[@]} == 0 )); then
    log "apt: nothing to install"
  else
    log "apt: installing ${pkgs[*]}"
    # Keep package maintainer scripts from starting their own daemons (the stack runs
    # private instances; a packaged redis would sit on 6379). Exit code 101 = deny.
    local policy=/usr/sbin/policy-rc.d own_policy=0
    if [[ ! -e $policy ]]; then
      printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$policy" >/dev/null
      $SUDO chmod 755 "$policy"
      own_policy=1
    fi
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${pkgs[@]}" >/dev/null \
      || { if (( own_policy )); then $SUDO rm -f "$policy"; fi; die "apt-get install failed"; }
    if (( own_policy )); then $SUDO rm -f "$policy"; fi
  fi
  # The stack runs private instances on its own ports and data dirs, so the packaged
  # services must not run: redis-server's would sit on 6379. PostgreSQL's main cluster
  # is only disabled when this script installed it (someone else may use theirs).
  local svc svcs=(redis-server)
  if [[ " ${pkgs[*]-} " == *" postgresql-15 "* ]]; then svcs+=(postgresql); fi
  for svc in "${svcs[@]}"; do
    [[ -e /etc/init.d/$svc || -e /lib/systemd/system/$svc.service ]] || continue
    if [[ -d /run/systemd/system ]]; then
      $SUDO systemctl disable --now "$svc" >/dev/null 2>&1 || true
    else
      $SUDO update-rc.d "$svc" disable >/dev/null 2>&1 || true
      if [[ -x /etc/init.d/$svc ]]; then $SUDO /etc/init.d/"$svc" stop >/dev/null 2>&1 || true; fi
    fi
  done
}

install_maven_jars() {
  local marker="$TOOLS_DIR/.maven-kafka$KAFKA_VERSION-dbz$DEBEZIUM_VERSION-wm$WIREMOCK_VERSION.done"
  if [[ -f $marker && -f $WIREMOCK_JAR && -d $CONNECT_PLUGINS/debezium-connector-postgres ]]; then
    log "maven: jars present ($TOOLS_DIR)"
    return
  fi
  log "maven: fetching Kafka, Connect, Debezium, WireMock, pg JDBC into $TOOLS_DIR"
  rm -rf "$KAFKA_LIB" "$CONNECT_PLUGINS" "$TOOLS_DIR/wiremock" "$JDBC_DIR"
  mkdir -p "$TOOLS_DIR"
  # Maven 3.8's console still prints colour resets under -q: strip them.
  if ! mvn -q -B --no-transfer-progress -Dstyle.color=never -f "$STACK_DIR/stack/pom.xml" \
      -Dtools.dir="$TOOLS_DIR" generate-resources 2>&1 | sed 's/\x1b\[[0-9;]*m//g'; then
    die "maven: download failed (see output above)"
  fi
  rm -rf "$TOOLS_DIR/.stack-target"
  [[ -f $WIREMOCK_JAR ]] || die "maven: WireMock jar missing after download"
  touch "$marker"
}

install_chdb() {
  if [[ -f $CHDB_LIB ]]; then
    log "npm: libchdb.so present"
    return
  fi
  log "npm: fetching @chdb/lib-linux-x64-gnu@$CHDB_VERSION (~180 MB)"
  local tmp; tmp="$(mktemp -d "$TOOLS_DIR/.chdb.XXXXXX")"
  (cd "$tmp" && npm pack --silent "@chdb/lib-linux-x64-gnu@$CHDB_VERSION" >/dev/null)
  tar -xzf "$tmp"/*.tgz -C "$tmp"
  rm -f "$tmp"/*.tgz
  [[ -f $tmp/package/libchdb.so ]] || die "npm: libchdb.so not found in the package"
  chmod 755 "$tmp"
  # Unpacked in a temp dir then moved: a half-done download never looks installed.
  rm -rf "$TOOLS_DIR/chdb"
  mv "$tmp" "$TOOLS_DIR/chdb"
}

install_promtool() {
  # promtool tests the alerts (deploy/monitoring/alerts-test.yaml, AlertRulesTest). Debian's prometheus package
  # ships it; only the binary is taken from the package (no Prometheus daemon is installed).
  if [[ -x $PROMTOOL ]]; then
    log "apt: promtool present ($PROMTOOL)"
    return
  fi
  log "apt: fetching promtool from Debian's prometheus package"
  mkdir -p "$TOOLS_DIR"
  local tmp; tmp="$(mktemp -d "$TOOLS_DIR/.promtool.XXXXXX")"
  if ! (cd "$tmp" && apt-get download -qq prometheus >/dev/null 2>&1); then
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    (cd "$tmp" && apt-get download -qq prometheus >/dev/null) || { rm -rf "$tmp"; die "apt: prometheus download failed"; }
  fi
  local deb; deb=("$tmp"/prometheus_*.deb)
  [[ -f ${deb[0]} ]] || { rm -rf "$tmp"; die "apt: apt-get download left no prometheus .deb"; }
  dpkg-deb -x "${deb[0]}" "$tmp/pkg"
  [[ -x $tmp/pkg/usr/bin/promtool ]] || { rm -rf "$tmp"; die "apt: promtool not found in the prometheus package"; }
  # Copied under a temp name then moved: a half-done download never looks installed.
  mkdir -p "$(dirname "$PROMTOOL")"
  cp "$tmp/pkg/usr/bin/promtool" "$PROMTOOL.tmp"
  mv "$PROMTOOL.tmp" "$PROMTOOL"
  rm -rf "$tmp"
  log "apt: $("$PROMTOOL" --version 2>&1 | head -1)"
}

mkdir -p "$TOOLS_DIR"
start=$(date +%s)
install_apt
install_maven_jars
install_chdb
install_promtool
log "install done in $(( $(date +%s) - start ))s"

#!/usr/bin/env bash
# The test command: installs what is missing, starts a private stack (its own run dir and ports, so the
# demo stack can keep running), runs ./mvnw verify against it, and stops and deletes that stack.
#   usage: deploy/local/test.sh [extra maven args]
# Ports: TEST_PG_PORT (15432), TEST_KAFKA_PORT (19092), TEST_KAFKA_CONTROLLER_PORT (19093),
# TEST_CONNECT_PORT (18083), TEST_CLICKHOUSE_HTTP_PORT (18123), TEST_CLICKHOUSE_TCP_PORT (19000),
# TEST_REDIS_PORT (16379), TEST_EXTERNAL_PORT (18089). KEEP_TEST_STACK=1 leaves the stack running.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"

export RUN_DIR="$ROOT/.run/test"
export PG_PORT="${TEST_PG_PORT:-15432}"
export KAFKA_PORT="${TEST_KAFKA_PORT:-19092}"
export KAFKA_CONTROLLER_PORT="${TEST_KAFKA_CONTROLLER_PORT:-19093}"
export CONNECT_PORT="${TEST_CONNECT_PORT:-18083}"
export CLICKHOUSE_HTTP_PORT="${TEST_CLICKHOUSE_HTTP_PORT:-18123}"
export CLICKHOUSE_TCP_PORT="${TEST_CLICKHOUSE_TCP_PORT:-19000}"
export REDIS_PORT="${TEST_REDIS_PORT:-16379}"
export EXTERNAL_PORT="${TEST_EXTERNAL_PORT:-18089}"
export PG_FAST=1

INSTALL_BROWSER=1 deploy/local/install.sh
# The manifest tests build deploy/k8s with the real kustomize inside kubectl; Debian has no kubectl package.
command -v "${KUBECTL:-kubectl}" >/dev/null || { echo "test.sh: kubectl not found. Install it from the Kubernetes apt" \
  "repository (https://kubernetes.io/docs/tasks/tools/install-kubectl-linux/) or set KUBECTL to its path." >&2; exit 1; }
# A fresh stack every run: results must not depend on what an earlier run left.
deploy/local/stack-down.sh --purge >/dev/null 2>&1 || true
if [[ "${KEEP_TEST_STACK:-0}" != 1 ]]; then
  trap 'deploy/local/stack-down.sh --purge >/dev/null 2>&1 || true' EXIT
fi
deploy/local/stack-up.sh

./mvnw -B -ntp verify "$@"

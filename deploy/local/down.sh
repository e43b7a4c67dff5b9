#!/usr/bin/env bash
# Stops everything up.sh started, by PID: demo traffic, the service, then the stack.
#   usage: deploy/local/down.sh [--purge]     --purge also deletes all data (downloads are kept)
set -euo pipefail
# shellcheck source=env.sh
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
# shellcheck source=lib.sh
source "$STACK_DIR/lib.sh"

case "${1:-}" in
  ""|--purge) ;;
  *) die "usage: down.sh [--purge]" ;;
esac
stop_pid generator 10
stop_pid service 40
"$STACK_DIR/stack-down.sh" "$@"
if [[ "${1:-}" == --purge ]]; then
  rm -rf "$(comp_dir service)" "$(comp_dir generator)"
fi
log "stopped"

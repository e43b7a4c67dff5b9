#!/usr/bin/env bash
# Starts a backfill (the specification's "reprocess historical data") and shows its progress until it ends.
#   usage: deploy/local/backfill.sh --from 2026-11-01 --to 2026-11-29T12:00:00Z [--type video] [--no-wait]
#          deploy/local/backfill.sh --status ID | --cancel ID | --list
# The CLI itself is deploy/local/backfill.py (argparse; --help lists its options).
# --from/--to are event_ts bounds (from inclusive, to exclusive), ISO-8601 instants or dates (midnight UTC).
# Ctrl-C cancels the backfill. Exit status: 0 when it succeeded, 1 when it failed, was cancelled or refused.
# env: SERVICE_URL (default http://127.0.0.1:$SERVICE_PORT), PIPELINE_ADMIN_TOKEN (deploy/local/env.sh)
set -euo pipefail
# shellcheck source=env.sh
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"

SERVICE_URL="${SERVICE_URL:-http://127.0.0.1:$SERVICE_PORT}" PIPELINE_ADMIN_TOKEN="$PIPELINE_ADMIN_TOKEN" \
  exec "$PYTHON" "$STACK_DIR/backfill.py" "$@"

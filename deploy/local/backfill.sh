#!/usr/bin/env bash
# Starts a backfill (the specification's "reprocess historical data") and shows its progress until it ends.
#   usage: deploy/local/backfill.sh --from 2026-11-01 --to 2026-11-29T12:00:00Z [--type video] [--no-wait]
#          deploy/local/backfill.sh --status ID | --cancel ID | --list
# --from/--to are event_ts bounds (from inclusive, to exclusive), ISO-8601 instants or dates (midnight UTC).
# Ctrl-C cancels the backfill. Exit status: 0 when it succeeded, 1 when it failed, was cancelled or refused.
# env: SERVICE_URL (default http://127.0.0.1:$SERVICE_PORT), PIPELINE_ADMIN_TOKEN (deploy/local/env.sh)
set -euo pipefail
# shellcheck source=env.sh
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"

SERVICE_URL="${SERVICE_URL:-http://127.0.0.1:$SERVICE_PORT}" PIPELINE_ADMIN_TOKEN="$PIPELINE_ADMIN_TOKEN" \
  exec "$PYTHON" -c '
import json, os, signal, sys, time, urllib.error, urllib.request

base = os.environ["SERVICE_URL"].rstrip("/") + "/admin/backfill"
token = os.environ["PIPELINE_ADMIN_TOKEN"]

def usage(message):
    sys.stderr.write("backfill: " + message + "\nusage: backfill.sh --from WHEN --to WHEN [--type podcast|newsletter|video] [--no-wait] | --status ID | --cancel ID | --list\n")
    sys.exit(2)

def call(method, url, body=None):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method, headers={
        "Authorization": "Bearer " + token, "Content-Type": "application/json", "Accept": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.load(response)
    except urllib.error.HTTPError as e:
        try:
            detail = json.load(e).get("detail")
        except Exception:
            detail = None
        sys.stderr.write("backfill: %s %s answered %d: %s\n" % (method, url, e.code, detail or e.reason))
        sys.exit(1)
    except urllib.error.URLError as e:
        sys.stderr.write("backfill: the service at %s is not reachable (%s); is deploy/local/up.sh running?\n" % (base, e.reason))
        sys.exit(1)

def instant(text):
    return text + "T00:00:00Z" if len(text) == 10 else text

def duration(seconds):
    if seconds is None:
        return "?"
    seconds = int(seconds)
    return "%dh%02dm" % (seconds // 3600, seconds // 60 % 60) if seconds >= 3600 else "%dm%02ds" % (seconds // 60, seconds % 60) if seconds >= 60 else "%ds" % seconds

def line(s):
    total, done = s.get("rows_total"), s["rows_done"]
    if total is None:
        return "%s: waiting for older transactions, then counting rows" % s["state"].lower()
    share = 1.0 if total == 0 else done / total
    bar = "#" * int(share * 30)
    return "[%-30s] %3d%%  %s/%s rows  %s rows/s  ETA %s" % (bar, share * 100, format(done, ","), format(total, ","),
        format(int(s["rows_per_second"]), ","), duration(s.get("eta_seconds")) if s["state"] == "RUNNING" else "-")

args = sys.argv[1:]
options = {}
while args:
    name = args.pop(0)
    if name in ("--no-wait", "--list"):
        options[name] = True
    elif name in ("--from", "--to", "--type", "--status", "--cancel"):
        if not args:
            usage(name + " needs a value")
        options[name] = args.pop(0)
    else:
        usage("unknown argument " + name)

if "--list" in options:
    for s in call("GET", base):
        print("%s  %-9s  %s .. %s  %s" % (s["id"], s["state"], s["from"], s["to"], line(s)))
    sys.exit(0)
if "--cancel" in options:
    s = call("DELETE", base + "/" + options["--cancel"])
    print("%s %s  %s" % (s["id"], s["state"].lower(), line(s)))
    sys.exit(0)
if "--status" in options:
    backfill_id = options["--status"]
else:
    if "--from" not in options or "--to" not in options:
        usage("--from and --to are required")
    body = {"from": instant(options["--from"]), "to": instant(options["--to"])}
    if "--type" in options:
        body["content_type"] = options["--type"]
    started = call("POST", base, body)
    backfill_id = started["id"]
    print("backfill %s started: event_ts from %s to %s%s" % (backfill_id, body["from"], body["to"],
        ", content type " + body["content_type"] if "content_type" in body else ""))
    if "--no-wait" in options:
        sys.exit(0)

def cancel(signum, frame):
    s = call("DELETE", base + "/" + backfill_id)
    sys.stdout.write("\n")
    print("backfill %s cancelled after %s rows" % (backfill_id, format(s["rows_done"], ",")))
    sys.exit(1)
signal.signal(signal.SIGINT, cancel)
signal.signal(signal.SIGTERM, cancel)

tty = sys.stdout.isatty()
last_print = 0
while True:
    s = call("GET", base + "/" + backfill_id)
    if tty:
        sys.stdout.write("\r" + line(s) + "\033[K")
        sys.stdout.flush()
    elif time.time() - last_print >= 5 or s["state"] != "RUNNING":
        print(line(s), flush=True)
        last_print = time.time()
    if s["state"] != "RUNNING":
        break
    time.sleep(0.5)
if tty:
    sys.stdout.write("\n")
took = "?"
if s.get("finished_at") and s.get("started_at"):
    from datetime import datetime
    parse = lambda t: datetime.fromisoformat(t.replace("Z", "+00:00"))
    took = duration((parse(s["finished_at"]) - parse(s["started_at"])).total_seconds())
print("backfill %s %s: %s of %s rows in %s (%s rows/s)%s" % (backfill_id, s["state"].lower(), format(s["rows_done"], ","),
    format(s["rows_total"] or 0, ","), took, format(int(s["rows_per_second"]), ","),
    "; " + "; ".join(s["errors"]) if s["errors"] else ""))
sys.exit(0 if s["state"] == "SUCCEEDED" else 1)
' "$@"

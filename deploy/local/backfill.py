#!/usr/bin/env python3
"""Starts a backfill (the specification's "reprocess historical data") and follows it until it ends.

Talks to the service's /admin/backfill endpoints. Standard library only (argparse, urllib), so it runs wherever
python3 does. deploy/local/backfill.sh runs it with the local stack's settings.

Exit status: 0 when the backfill succeeded (or the command did what it was asked), 1 when it failed, was
cancelled or the service refused the request, 2 on a usage error.
"""
import argparse
import json
import os
import signal
import sys
import time
import urllib.error
import urllib.request
from datetime import datetime, timezone


class Refused(Exception):
    """The service answered with an error, or could not be reached: the message says which."""


class Service:
    def __init__(self, url, token):
        self.base = url.rstrip("/") + "/admin/backfill"
        self.token = token

    def call(self, method, path="", body=None):
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.base + path, data=data, method=method, headers={
            "Authorization": "Bearer " + self.token, "Content-Type": "application/json",
            "Accept": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return json.load(response)
        except urllib.error.HTTPError as e:
            try:
                detail = json.load(e).get("detail")
            except Exception:
                detail = None
            raise Refused("%s %s answered %d: %s" % (method, self.base + path, e.code, detail or e.reason))
        except urllib.error.URLError as e:
            raise Refused("the service at %s is not reachable (%s); is deploy/local/up.sh running?"
                          % (self.base, e.reason))


def instant(text):
    """An ISO-8601 instant; a bare date is midnight UTC."""
    value = text + "T00:00:00Z" if len(text) == 10 else text
    try:
        datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise argparse.ArgumentTypeError("not an ISO-8601 date or instant: " + text)
    return value


def duration(seconds):
    if seconds is None:
        return "?"
    seconds = int(seconds)
    if seconds >= 3600:
        return "%dh%02dm" % (seconds // 3600, seconds // 60 % 60)
    if seconds >= 60:
        return "%dm%02ds" % (seconds // 60, seconds % 60)
    return "%ds" % seconds


def progress(s):
    total, done = s.get("rows_total"), s["rows_done"]
    if total is None:
        return "%s: waiting for older transactions, then counting rows" % s["state"].lower()
    share = 1.0 if total == 0 else done / total
    eta = duration(s.get("eta_seconds")) if s["state"] == "RUNNING" else "-"
    return "[%-30s] %3d%%  %s/%s rows  %s rows/s  ETA %s" % ("#" * int(share * 30), share * 100, format(done, ","),
                                                            format(total, ","), format(int(s["rows_per_second"]), ","),
                                                            eta)


def summary(s):
    took = "?"
    if s.get("finished_at") and s.get("started_at"):
        parse = lambda t: datetime.fromisoformat(t.replace("Z", "+00:00"))
        took = duration((parse(s["finished_at"]) - parse(s["started_at"])).total_seconds())
    errors = "; " + "; ".join(s["errors"]) if s.get("errors") else ""
    return "backfill %s %s: %s of %s rows in %s (%s rows/s)%s" % (
        s["id"], s["state"].lower(), format(s["rows_done"], ","), format(s.get("rows_total") or 0, ","), took,
        format(int(s["rows_per_second"]), ","), errors)


def follow(service, backfill_id, out):
    """Shows progress until the backfill ends; Ctrl-C or SIGTERM cancels it. Returns the exit status."""
    def cancel(signum, frame):
        s = service.call("DELETE", "/" + backfill_id)
        if tty:
            out.write("\n")
        print("backfill %s cancelled after %s rows" % (backfill_id, format(s["rows_done"], ",")), file=out,
              flush=True)
        sys.exit(1)

    signal.signal(signal.SIGINT, cancel)
    signal.signal(signal.SIGTERM, cancel)
    tty = out.isatty()
    last_print = 0.0
    while True:
        s = service.call("GET", "/" + backfill_id)
        if tty:
            out.write("\r" + progress(s) + "\033[K")
            out.flush()
        elif time.monotonic() - last_print >= 5 or s["state"] != "RUNNING":
            print(progress(s), file=out, flush=True)
            last_print = time.monotonic()
        if s["state"] != "RUNNING":
            break
        time.sleep(0.5)
    if tty:
        out.write("\n")
    print(summary(s), file=out, flush=True)
    return 0 if s["state"] == "SUCCEEDED" else 1


def parser():
    p = argparse.ArgumentParser(
        prog="backfill.sh",
        description="Reprocess the engagement events whose event_ts is in [--from, --to) through every "
                    "destination, from one PostgreSQL snapshot.",
        epilog="env: SERVICE_URL (default http://127.0.0.1:8080), PIPELINE_ADMIN_TOKEN. "
               "Exit status: 0 succeeded, 1 failed/cancelled/refused, 2 usage error.")
    action = p.add_mutually_exclusive_group(required=True)
    action.add_argument("--from", dest="start", type=instant, metavar="WHEN",
                        help="first event_ts (inclusive): ISO-8601 instant or date (midnight UTC)")
    action.add_argument("--status", metavar="ID", help="follow a running backfill (or show a finished one)")
    action.add_argument("--cancel", metavar="ID", help="cancel a running backfill")
    action.add_argument("--list", action="store_true", help="list running and recent backfills")
    p.add_argument("--to", dest="end", type=instant, metavar="WHEN", help="last event_ts (exclusive); with --from")
    p.add_argument("--type", metavar="TYPE", help="only events of this content type (one the source database's CHECK on"
                                                 " content.content_type allows); with --from")
    p.add_argument("--no-wait", action="store_true", help="start it and return without following it")
    return p


def main(argv=None, out=sys.stdout):
    p = parser()
    args = p.parse_args(argv)
    if args.start is not None and args.end is None:
        p.error("--from needs --to")
    if args.start is None and (args.end or args.type or args.no_wait):
        p.error("--to, --type and --no-wait go with --from")
    service = Service(os.environ.get("SERVICE_URL", "http://127.0.0.1:8080"),
                      os.environ.get("PIPELINE_ADMIN_TOKEN", ""))
    try:
        if args.list:
            for s in service.call("GET"):
                print("%s  %-9s  %s .. %s  %s" % (s["id"], s["state"], s["from"], s["to"], progress(s)), file=out)
            return 0
        if args.cancel:
            s = service.call("DELETE", "/" + args.cancel)
            print("%s %s  %s" % (s["id"], s["state"].lower(), progress(s)), file=out)
            return 0
        if args.status:
            return follow(service, args.status, out)
        body = {"from": args.start, "to": args.end}
        if args.type:
            body["content_type"] = args.type
        started = service.call("POST", body=body)
        print("backfill %s started: event_ts from %s to %s%s" % (
            started["id"], args.start, args.end, ", content type " + args.type if args.type else ""), file=out,
            flush=True)
        return 0 if args.no_wait else follow(service, started["id"], out)
    except Refused as e:
        print("backfill: %s" % e, file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Writes EVAL calls of a version of apply-changes.lua as raw RESP, for bench/redis-script.sh:
python3 bench/redis_script.py SCRIPT CALLS CHANGES_PER_CALL > commands
Changes are new events (op c) over 10,000 content rows with skewed popularity, inside the leaderboard window,
with ~600-byte envelopes like the service's. The argument layout follows the script's own loop over ARGV: from 5,
9 per change (one state key per event) or 10 (a state hash per 1,024 ids, and the id), all keys named in ARGV and
none declared; or from 7, 9 per change (today's): every key declared as KEYS ({bench}:..., the window's buckets
first, then each state hash and stream of the call once) and named by index."""
import json, os, random, re, sys, time, uuid

script_path, calls, per_call = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
# The stream entry's data: "full" (the service's envelope, ~600 bytes), "compact" (the change's own columns,
# ~230 bytes as sink.redis.StreamEntries writes them: no content dimension, raw_payload or idempotency key), "empty" (the entry without data).
entry = os.environ.get("BENCH_STREAM_ENTRY", "full")
script = open(script_path).read()
first, stride = map(int, re.search(r"for i = (\d+), #ARGV, (\d+) do", script).groups())
declared = first == 7
rnd = random.Random(1)
contents = [str(uuid.UUID(int=rnd.getrandbits(128))) for _ in range(10000)]
types = ["video", "article", "podcast", "newsletter"]
now = int(time.time())
bucket = now // 10
oldest, newest = bucket - 59, (now + 300) // 10  # the buckets that count (10 s buckets, 10-minute window)
out = sys.stdout.buffer


def resp(args):
    parts = [b"*%d\r\n" % len(args)]
    for a in args:
        a = a if isinstance(a, bytes) else str(a).encode()
        parts.append(b"$%d\r\n%s\r\n" % (len(a), a))
    return b"".join(parts)


event_id = 1
for _ in range(calls):
    args = ["EVAL", script, 0, 10, 600, 3600, 100000]
    keys = [f"{{bench}}:lb:{b}" for b in range(oldest, newest + 1)]
    index = {}

    def declare(key):
        if key not in index:
            keys.append(key)
            index[key] = len(keys)
        return index[key]

    for _ in range(per_call):
        content = contents[min(int(rnd.paretovariate(1.2)) - 1, len(contents) - 1)]
        content_type = rnd.choice(types)
        envelope = json.dumps({
            "idempotency_key": f"engagement_events:{event_id}:{1000 + event_id}:1a2b3c4d", "op": "c",
            "event_id": event_id, "lsn": 5000 + event_id, "tx_id": 1000 + event_id, "source_ts_ms": 1764400000000,
            "deleted": False,
            "event": {"event_id": event_id, "content_id": content, "user_id": str(uuid.UUID(int=rnd.getrandbits(128))),
                      "event_type": "play", "event_ts": "2026-11-29T08:00:00.123Z", "duration_ms": 42000,
                      "device": "ios", "raw_payload": json.dumps({"session": "x" * 40, "ab": "b"}),
                      "engagement_seconds": 42.0, "engagement_percent": 7.0, "content_slug": "slug-1234",
                      "content_title": "A title of a few words", "content_type": content_type,
                      "length_seconds": 600, "publish_ts": "2026-01-01T00:00:00Z"}})
        if entry == "compact":
            envelope = json.dumps({"event_id": event_id, "op": "c", "lsn": 5000 + event_id,
                                   "source_ts_ms": 1764400000000, "content_id": content,
                                   "user_id": str(uuid.UUID(int=rnd.getrandbits(128))), "event_type": "play",
                                   "event_ts": "2026-11-29T08:00:00.123Z", "duration_ms": 42000,
                                   "engagement_percent": 7.0}, separators=(",", ":"))
        elif entry == "empty":
            envelope = ""
        if declared:
            args += [declare(f"{{bench}}:evs:{event_id // 1024}"), event_id, 5000 + event_id, "c", bucket, content,
                     rnd.randint(1, 10000), declare(f"{{bench}}:stream:{content_type}"), envelope]
        else:
            state = [f"bench:ev:{event_id}"] if stride == 9 else [f"bench:evs:{event_id // 1024}", event_id]
            args += state + [5000 + event_id, "c", bucket, f"bench:lb:{bucket}", content, rnd.randint(1, 10000),
                             f"bench:stream:{content_type}", envelope]
        event_id += 1
    if declared:
        args[2:7] = [len(keys)] + keys + [10, 600, 3600, 100000, oldest, newest - oldest + 1]
    out.write(resp(args))

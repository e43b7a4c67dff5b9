#!/usr/bin/env python3
"""The drain window's allocation from JFR, to check the service's Micrometer allocation counter against.

    bench/jfr_alloc.py alloc.jfr drain.json > jfr-alloc.json

alloc.jfr is the recording bench/run.sh starts with the service when JFR is on (bench/thread-allocation.jfc):
jdk.ThreadAllocationStatistics every second, i.e. each Java thread's allocated bytes so far (the JVM's own
per-thread counter, TLABs and allocations outside them). Per thread, its counter is interpolated linearly at the
window's start and end; a thread first seen after the start counts from 0, a thread last seen before the end
(it ended) up to its last sample. The sum of the differences is what the service allocated in the window.
Two windows: the Micrometer figures' (drain.json's jvm_drain.start_scrape_epoch_ms to end_scrape_epoch_ms,
the middle of each /q/metrics request), for the check, and the service's CPU window (readiness to the end
of the drain, jvm_drain.window_*_epoch_ms)."""
import json, subprocess, sys
from datetime import datetime, timezone


def epoch_ms(iso):
    # "2026-12-03T19:32:39.481936678Z" (nanoseconds: more than fromisoformat takes before 3.11)
    main, _, frac = iso.rstrip("Z").partition(".")
    t = datetime.strptime(main, "%Y-%m-%dT%H:%M:%S").replace(tzinfo=timezone.utc).timestamp()
    return t * 1000 + (float("0." + frac) * 1000 if frac else 0)


def at(samples, t):
    if t <= samples[0][0]:
        return 0.0 if t < samples[0][0] else samples[0][1]
    if t >= samples[-1][0]:
        return samples[-1][1]
    for (t0, v0), (t1, v1) in zip(samples, samples[1:]):
        if t0 <= t <= t1:
            return v0 + (v1 - v0) * (t - t0) / (t1 - t0) if t1 > t0 else v1


def main():
    jfr, drain_path = sys.argv[1], sys.argv[2]
    drain = json.load(open(drain_path))
    jvm = drain.get("jvm_drain") or {}
    # The Micrometer figures' window: from the start scrape to the scrape that saw the drain complete (the middle of
    # each request); the CPU window: from readiness to the end of the drain.
    start, end = jvm.get("start_scrape_epoch_ms") or jvm["window_start_epoch_ms"], jvm.get("end_scrape_epoch_ms") or jvm["window_end_epoch_ms"]
    cpu_start, cpu_end = jvm["window_start_epoch_ms"], jvm["window_end_epoch_ms"]
    raw = subprocess.run(["jfr", "print", "--json", "--events", "jdk.ThreadAllocationStatistics", jfr],
                         capture_output=True, text=True, check=True).stdout
    threads = {}
    for e in json.loads(raw)["recording"]["events"]:
        v = e["values"]
        th = v.get("thread") or {}
        key = (th.get("javaThreadId"), th.get("osThreadId"))
        threads.setdefault(key, {"name": th.get("javaName"), "s": []})["s"].append((epoch_ms(v["startTime"]), v["allocated"]))
    total, total_cpu_window, per_thread = 0.0, 0.0, []
    for key, t in threads.items():
        s = sorted(t["s"])
        d = at(s, end) - at(s, start)
        total += d
        total_cpu_window += at(s, cpu_end) - at(s, cpu_start)
        per_thread.append((d, t["name"]))
    per_thread.sort(reverse=True)
    changes = drain.get("expect_changes") or 1
    out = {
        "window_seconds": round((end - start) / 1000, 2),
        "threads_seen": len(threads),
        "allocated_bytes": round(total),
        "allocated_bytes_per_change": round(total / changes),
        "cpu_window_seconds": round((cpu_end - cpu_start) / 1000, 2),
        "allocated_bytes_cpu_window": round(total_cpu_window),
        "allocated_bytes_per_change_cpu_window": round(total_cpu_window / changes),
        "top_threads": [{"thread": n, "bytes": round(d)} for d, n in per_thread[:10]],
    }
    if jvm.get("allocated_bytes"):
        out["micrometer_with_eden_over_jfr"] = round(jvm["allocated_bytes"] / total, 4) if total else None
        out["micrometer_counter_only_over_jfr"] = round(jvm["micrometer_allocated_bytes_counter"] / total, 4) if total else None
    json.dump(out, sys.stdout, indent=1)
    print()


if __name__ == "__main__":
    main()

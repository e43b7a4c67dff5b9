#!/usr/bin/env python3
"""Assembles bench/results/<stamp>.json and bench/results/latest.md from a run's work dir (called by run.sh)."""
import argparse, glob, json, os, platform, re, shlex, subprocess

def load(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None

def sh(cmd):
    try:
        r = subprocess.run(cmd, shell=True, capture_output=True, text=True, timeout=20)
        return (r.stdout + r.stderr).strip()
    except Exception:
        return ""

def fmt(v, unit=""):
    if v is None:
        return "n/a"
    if isinstance(v, float):
        return f"{v:,.2f}{unit}"
    if isinstance(v, int):
        return f"{v:,}{unit}"
    return f"{v}{unit}"

def redis_commandstats(path):
    """cmdstat_NAME:calls=..,usec=.. lines of INFO commandstats, as {NAME: {calls, usec}}."""
    if not os.path.exists(path):
        return None
    stats = {}
    for line in open(path):
        if line.startswith("cmdstat_"):
            name, fields = line.strip()[len("cmdstat_"):].split(":", 1)
            kv = dict(f.split("=", 1) for f in fields.split(","))
            stats[name] = {"calls": int(kv["calls"]), "usec": int(kv["usec"])}
    return stats


def stage_lines(drain, jfr, sites, fill):
    """The drain's cost by stage: the application threads' CPU split by the share of JFR's CPU samples in each stage,
    and JFR's allocation samples by the same stages, per change; the JIT, GC and VM threads' CPU besides."""
    jv = (drain or {}).get("jvm_drain") or {}
    tc = jv.get("thread_cpu_seconds") or {}
    changes = (fill or {}).get("changes") or (drain or {}).get("expect_changes")
    if not (jfr and jfr.get("by_stage") and tc and changes):
        return []
    app_us = 1e6 * tc.get("other", 0) / changes
    lines = [f"Service CPU per change by thread (µs): application {app_us:.1f}, JIT compiler "
             f"{1e6 * tc.get('jit', 0) / changes:.1f}, GC {1e6 * tc.get('gc', 0) / changes:.1f}, VM and JFR "
             f"{1e6 * (tc.get('vm', 0) + tc.get('jfr', 0)) / changes:.1f}.", ""]
    alloc = {x["name"]: x["bytes"] for x in (sites or {}).get("by_stage", [])}
    rows = [f"| {x['frame']} | {app_us * x['pct'] / 100:.1f} | {fmt(round(alloc.get(x['frame'], 0) / changes))} |"
            for x in jfr["by_stage"]]
    lines += ["| stage (application threads) | CPU µs per change (share of JFR CPU samples × application threads' CPU) "
              "| bytes allocated per change (JFR allocation samples) |", "|---|---|---|", *rows, ""]
    return lines


def main():
    ap = argparse.ArgumentParser()
    for a in ("work", "stamp", "root", "clickhouse-version", "events", "content", "rates", "e2e-seconds", "skip-e2e", "skip-drain"):
        ap.add_argument("--" + a)
    ap.add_argument("--backfill", default="0")
    a = ap.parse_args()
    w, root = a.work, a.root

    cpu_model = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
    mem_kb = next((int(l.split()[1]) for l in open("/proc/meminfo") if l.startswith("MemTotal")), 0)
    pom = open(os.path.join(root, "pom.xml")).read()
    envsh = open(os.path.join(root, "deploy/local/env.sh")).read()
    def env_ver(name):
        m = re.search(name + r'="([^"]+)"', envsh)
        return m.group(1) if m else "?"
    clients = [os.path.basename(p) for p in glob.glob(os.path.join(root, ".run/bench/app/lib/main/org.apache.kafka.kafka-clients-*.jar"))]
    machine = {
        "nproc": os.cpu_count(),
        "memory_gib": round(mem_kb / 1024 / 1024, 1),
        "cpu_model": cpu_model,
        "kernel": platform.release(),
        "load_avg_at_start": open(os.path.join(a.work, "loadavg-start")).read().split()[:3] if os.path.exists(os.path.join(a.work, "loadavg-start")) else None,
        "load_avg_at_end": os.getloadavg(),
    }
    versions = {
        "java": sh("java -version 2>&1 | head -n 1"),
        # the service's JVM (BENCH_SERVICE_JAVA, BENCH_SERVICE_HEAP); "java" above is the harness's
        "service_java": sh(f"{shlex.quote(os.environ.get('SERVICE_JAVA', 'java'))} -version 2>&1 | head -n 1"),
        "service_jvm_options": os.environ.get("SERVICE_HEAP", ""),
        "quarkus": (re.search(r"<quarkus.platform.version>([^<]+)<", pom) or [None, "?"])[1],
        "kafka_broker": env_ver("KAFKA_VERSION"),
        "kafka_clients_in_service": clients[0].replace("org.apache.kafka.kafka-clients-", "").replace(".jar", "") if clients else "?",
        "debezium": env_ver("DEBEZIUM_VERSION"),
        "clickhouse": a.clickhouse_version,
        "redis": sh("redis-server --version").split(" v=")[-1].split(" ")[0],
        "postgresql": sh("/usr/lib/postgresql/15/bin/postgres --version"),
        "git_commit": sh(f"git -C {root} rev-parse --short HEAD"),
        "git_dirty": bool(sh(f"git -C {root} status --porcelain -- src pom.xml")),
    }
    fill, base, drain, verify, jfr, jfr_alloc, jfr_sites = (load(os.path.join(w, f)) for f in
                                      ("fill.json", "baseline.json", "drain.json", "verify.json", "jfr-top.json",
                                       "jfr-alloc.json", "jfr-alloc-sites.json"))
    e2e = {}
    for r in (a.rates or "").split(","):
        d = load(os.path.join(w, f"e2e-{r}.json"))
        if d is not None:
            e2e[r] = d
    ratio = None
    if base and drain and drain.get("events_per_s_from_first_record"):
        ratio = round(drain["events_per_s_from_first_record"] / base["events_per_s"], 3)
    result = {
        "stamp": a.stamp,
        "params": {"events": int(a.events), "content": int(a.content), "e2e_rates": a.rates,
                   "e2e_seconds": int(a.e2e_seconds), "skip_e2e": a.skip_e2e == "1",
                   "skip_drain": a.skip_drain == "1"},
        "machine": machine, "versions": versions,
        "fill": fill, "baseline": base, "drain": drain, "verify": verify,
        "service_to_baseline_ratio": ratio,
        "e2e": e2e,
        "outage": load(os.path.join(w, "outage.json")),
        "backfill": load(os.path.join(w, "backfill.json")),
        "drain_components_cpu": load(os.path.join(w, "drain-components.json")),
        "drain_redis_commandstats": redis_commandstats(os.path.join(w, "redis-commandstats.txt")),
        "jfr_top": {k: (v[:12] if isinstance(v, list) else v) for k, v in (jfr or {}).items()},
        "jfr_allocation_check": jfr_alloc,
        "jfr_allocation_sites": {k: (v[:15] if isinstance(v, list) else v) for k, v in (jfr_sites or {}).items()},
        "work_dir": w,
    }
    os.makedirs(os.path.join(root, "bench/results"), exist_ok=True)
    jpath = os.path.join(root, "bench/results", a.stamp + ".json")
    with open(jpath, "w") as f:
        json.dump(result, f, indent=2)

    L = []
    L.append(f"## Benchmark {a.stamp}")
    L.append("")
    L.append(f"Load average at start / end: {machine['load_avg_at_start']} / {[round(x, 2) for x in machine['load_avg_at_end']]} "
             "(other work on the machine competes for the 2 cores).")
    L.append("")
    L.append(f"Machine: {machine['nproc']} cores ({cpu_model}), {machine['memory_gib']} GiB. "
             f"{versions['java']} (service: {versions['service_java']}); Quarkus {versions['quarkus']}; Kafka broker {versions['kafka_broker']} "
             f"(service clients {versions['kafka_clients_in_service']}); Debezium {versions['debezium']}; "
             f"ClickHouse {versions['clickhouse']} (chdb); Redis {versions['redis']}; {versions['postgresql']}. "
             f"Service commit {versions['git_commit']}{' (+local changes)' if versions['git_dirty'] else ''}.")
    L.append("")
    if fill:
        L.append(f"Drain input: {fill['changes']:,} event changes ({fill['creates']:,} c, {fill['updates']:,} u, "
                 f"{fill['deletes']:,} d + {fill['tombstones']:,} tombstones; ~{fill['avg_value_bytes']} B/envelope), "
                 f"{fill['content_rows']:,} content rows, 3 partitions.")
        L.append("")
    L.append("| Measure | Value |")
    L.append("|---|---|")
    if base:
        L.append(f"| Bare consumer (kafka-clients + Jackson decode), events/s | {fmt(base['events_per_s'])} "
                 f"({fmt(base['seconds_from_first_record'])} s, {fmt(base['cpu_s_per_100k'])} CPU s/100k) |")
    if drain:
        L.append(f"| Service start-up to /q/health/ready | {fmt(drain.get('startup_seconds'))} s |")
        L.append(f"| Service drain, all destinations, events/s (from first record / from ready) | "
                 f"{fmt(drain.get('events_per_s_from_first_record'))} / {fmt(drain.get('events_per_s_from_ready'))} "
                 f"({fmt(drain.get('seconds_from_first_record'))} s / {fmt(drain.get('seconds_from_ready'))} s) |")
        for d, x in (drain.get("destinations") or {}).items():
            if x.get("done"):
                L.append(f"| &nbsp;&nbsp;{d}: events/s from first record (time) | "
                         f"{fmt(x['events_per_s_from_first_record'])} ({fmt(x['seconds_from_first_record'])} s) |")
            else:
                L.append(f"| &nbsp;&nbsp;{d}: NOT drained | {fmt(x.get('changes'))} of {fmt(drain.get('expect_changes'))} |")
        L.append(f"| Service / bare consumer throughput | {fmt(ratio)} |")
        L.append(f"| Service CPU s per 100k events (drain, after ready) | {fmt(drain.get('cpu_s_per_100k'))} "
                 f"(user {fmt(drain.get('cpu_user_seconds_drain'))} s, sys {fmt(drain.get('cpu_sys_seconds_drain'))} s) |")
        comp = load(os.path.join(w, "drain-components.json"))
        if comp and fill and fill.get("changes"):
            per = lambda k: comp[k] * 1e6 / fill["changes"]
            service_us = (drain.get("cpu_s_per_100k") or 0) * 10
            L.append(f"| CPU µs per change (drain): service / Redis / ClickHouse / Kafka broker / receiver | "
                     f"{service_us:.1f} / {per('redis_cpu_s'):.1f} / {per('clickhouse_cpu_s'):.1f} / "
                     f"{per('kafka_cpu_s'):.1f} / {per('external_cpu_s'):.1f} |")
        stats = redis_commandstats(os.path.join(w, "redis-commandstats.txt"))
        if stats and fill and fill.get("changes"):
            n = fill["changes"]
            parts = [f"{c} {s['calls'] / n:.2f} calls, {s['usec'] / n:.1f} µs" for c, s in
                     sorted(stats.items(), key=lambda kv: -kv[1]["usec"]) if s["usec"] / n >= 0.05]
            L.append(f"| Redis time per change by command (INFO commandstats; the script's includes the commands it calls) | "
                     f"{'; '.join(parts)} |")
        if drain.get("cpu_seconds_drain") and drain.get("seconds_from_ready"):
            L.append(f"| Service CPU use during the drain (cores of {machine['nproc']}) | "
                     f"{drain['cpu_seconds_drain'] / drain['seconds_from_ready']:.2f} |")
        jv = drain.get("jvm_drain") or {}
        if jv.get("allocated_bytes") is not None:
            check = ""
            if jv.get("start_scrape_records_received"):
                check += (f"; {fmt(jv['start_scrape_records_received'])} records were received before the start "
                          f"scrape: at most {fmt(jv.get('allocated_bytes_per_change_upper_bound'))} B")
            if jfr_alloc and jfr_alloc.get("allocated_bytes"):
                check += (f"; JFR's per-thread counters, same window: {fmt(jfr_alloc['allocated_bytes_per_change'])} B, "
                          f"Micrometer ÷ JFR {jfr_alloc.get('micrometer_with_eden_over_jfr')}; JFR from readiness: "
                          f"{fmt(jfr_alloc.get('allocated_bytes_per_change_cpu_window'))} B")
            L.append(f"| Service bytes allocated per change (drain) | {fmt(jv['allocated_bytes_per_change'])} B "
                     f"({jv['allocated_bytes'] / 1e9:.2f} GB: `jvm_gc_memory_allocated_bytes_total` "
                     f"+{jv['micrometer_allocated_bytes_counter'] / 1e9:.2f} GB, eden "
                     f"{jv['eden_used_bytes_start'] / 1e6:.0f} → {jv['eden_used_bytes_end'] / 1e6:.0f} MB; "
                     f"promoted {jv['promoted_bytes'] / 1e6:.0f} MB{check}) |")
        if jv.get("gc_threads_share_of_service_cpu") is not None:
            tc = jv.get("thread_cpu_seconds") or {}
            pause = ""
            if jv.get("gc_pause_seconds") is not None:
                pause = (f"; pauses {jv['gc_pause_seconds']:.2f} s in {fmt(jv['gc_pauses'])} GCs "
                         f"({fmt(jv['gc_pauses_major'])} full, {jv['gc_pause_seconds_major']:.2f} s) = "
                         f"{100 * jv['gc_pause_share_of_service_cpu']:.1f} % of the CPU seconds")
            L.append(f"| GC share of service CPU (drain) | {100 * jv['gc_threads_share_of_service_cpu']:.1f} % "
                     f"(GC worker threads' CPU {tc.get('gc', 0):.2f} s of {drain.get('cpu_seconds_drain', 0):.2f} s; "
                     f"with the VM Thread {100 * jv['gc_and_vm_thread_share_of_service_cpu']:.1f} %{pause}) |")
        L.append(f"| Service peak RSS (VmHWM, {os.environ.get('SERVICE_HEAP', '-Xmx768m')}) | {fmt(drain.get('peak_rss_mb'))} MB |")
    if verify:
        L.append(f"| ClickHouse enriched_engagements_current rows / expected live | {fmt(verify['clickhouse_current_rows'])} / "
                 f"{fmt(verify['expected_live_events'])} ({'OK' if verify['clickhouse_ok'] else 'MISMATCH'}) |")
        L.append(f"| Redis `ev` keys / external events parked (circuit breaker) | {fmt(verify.get('redis_ev_keys'))} / "
                 f"{fmt(verify.get('external_events_parked'))} |")
    for r, e in e2e.items():
        rd, cd = e.get("commit_to_redis", {}), e.get("commit_to_clickhouse", {})
        L.append(f"| E2E {r}/s for {a.e2e_seconds} s: generator events/s achieved | {fmt(e.get('generator_events_per_s'))} "
                 f"({fmt(e.get('inserted_events'))} inserts) |")
        L.append(f"| &nbsp;&nbsp;commit→Redis p50 / p99 / max (n) | {fmt(rd.get('p50_ms'))} / {fmt(rd.get('p99_ms'))} / "
                 f"{fmt(rd.get('max_ms'))} ms ({fmt(rd.get('samples'))} batches, {fmt(rd.get('missing'))} missing; "
                 f"poll every {fmt(rd.get('mean_poll_period_ms'))} ms) |")
        kd, kr = e.get("commit_to_kafka") or {}, e.get("kafka_to_redis") or {}
        if kd.get("samples"):
            L.append(f"| &nbsp;&nbsp;of which commit→Kafka (Debezium) / Kafka→Redis (service), p50 / p99 / max | "
                     f"{fmt(kd.get('p50_ms'))} / {fmt(kd.get('p99_ms'))} / {fmt(kd.get('max_ms'))} ms; "
                     f"{fmt(kr.get('p50_ms'))} / {fmt(kr.get('p99_ms'))} / {fmt(kr.get('max_ms'))} ms |")
        L.append(f"| &nbsp;&nbsp;commit→ClickHouse p50 / p99 / max (n) | {fmt(cd.get('p50_ms'))} / {fmt(cd.get('p99_ms'))} / "
                 f"{fmt(cd.get('max_ms'))} ms ({fmt(cd.get('samples'))} sampled batches, {fmt(cd.get('missing'))} missing; "
                 f"poll every {fmt(cd.get('mean_poll_period_ms'))} ms) |")
        L.append(f"| &nbsp;&nbsp;Debezium records/s on the topic during the run (peak 5 s) | "
                 f"{fmt(e.get('debezium_records_per_s_during_run'))} ({fmt(e.get('debezium_peak_5s_records_per_s'))}); "
                 f"topic settled {fmt(e.get('topic_settled_after_last_commit_s'))} s after the last commit |")
    out = load(os.path.join(w, "outage.json"))
    if out:
        L.append(f"| Outage: {out['component']} stopped {out['outage_seconds']} s at {fmt(out['rate'])} events/s: "
                 f"service peak RSS from the stop on / whole run (VmHWM) | {fmt(out.get('rss_peak_mb_from_outage'))} / "
                 f"{fmt(out.get('vmhwm_mb_whole_run'))} MB |")
        L.append(f"| &nbsp;&nbsp;caught up after the restart in / ClickHouse = PostgreSQL | "
                 f"{fmt(out.get('catch_up_seconds_after_restart'))} s / "
                 f"{'yes' if out.get('exact') else 'NO'} ({fmt(out.get('clickhouse_live_rows'))} of "
                 f"{fmt(out.get('postgres_events'))} events) |")
    bf = load(os.path.join(w, "backfill.json"))
    if bf:
        L.append(f"| Backfill of {fmt(bf.get('rows_total'))} rows (deploy/local/backfill.sh, all three destinations): "
                 f"rows/s / state | {fmt(bf.get('rows_per_second'))} / {bf.get('state')} |")
        L.append(f"| &nbsp;&nbsp;service RSS before / peak while it ran (VmHWM) / ClickHouse = PostgreSQL | "
                 f"{fmt(bf.get('rss_before_mb'))} / {fmt(bf.get('rss_peak_mb'))} ({fmt(bf.get('vmhwm_mb'))}) MB / "
                 f"{'yes' if bf.get('exact') else 'NO'} (rows and engagement_percent sum: "
                 f"{bf.get('clickhouse_rows_and_percent_hundredths')} vs {bf.get('postgres_rows_and_percent_hundredths')}) |")
    if a.skip_drain == "1":
        L.append("| Drain | skipped (--skip-drain) |")
    if a.skip_e2e == "1":
        L.append("| E2E | skipped (--skip-e2e) |")
    L.append("")
    if jfr and jfr.get("top_first_app_frame"):
        L.append(f"JFR (drain, {jfr['execution_samples']:,} CPU samples) top first io.pandashop frames: " + "; ".join(
            f"{(x['frame'].split('(')[0] if not x['frame'].startswith('(') else 'none (framework, Kafka client, Netty, JDK)').replace('io.pandashop.pipeline.', '')} {x['pct']}%" for x in jfr["top_first_app_frame"][:6]))
        L.append("")
        L.append("Top self frames: " + "; ".join(
            f"{x['frame'].split('(')[0]} {x['pct']}%" for x in jfr["top_self_frames"][:8]))
        L.append("")
    L.extend(stage_lines(drain, jfr, jfr_sites, fill))
    L.append(f"Raw: `bench/results/{a.stamp}.json`. Command: `bench/run.sh --events {a.events} --content {a.content} "
             f"--e2e-rates {a.rates} --e2e-seconds {a.e2e_seconds}{' --skip-e2e' if a.skip_e2e == '1' else ''}{' --skip-drain' if a.skip_drain == '1' else ''}{' --backfill ' + a.backfill if a.backfill != '0' else ''}`.")
    md = "\n".join(L) + "\n"
    with open(os.path.join(root, "bench/results/latest.md"), "w") as f:
        f.write(md)
    readme = os.path.join(root, "bench/README.md")
    if os.path.exists(readme):
        text = open(readme).read()
        s, e = "<!-- latest-results:start -->", "<!-- latest-results:end -->"
        if s in text and e in text:
            text = text.split(s)[0] + s + "\n" + md + e + text.split(e, 1)[1]
            with open(readme, "w") as f:
                f.write(text)
    print(md)

if __name__ == "__main__":
    main()

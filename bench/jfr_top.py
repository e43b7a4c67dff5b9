#!/usr/bin/env python3
"""Summarise a JFR recording's CPU samples: python3 bench/jfr_top.py FILE.jfr [--depth 64] [--top 25]
Prints JSON: samples, top self frames, top inclusive methods, top first application frame, threads, GC, and the
share of samples by stage (the stages of jfr_alloc_sites.py, so CPU and allocation are split the same way)."""
import collections, json, os, re, subprocess, sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from jfr_alloc_sites import stage_of  # noqa: E402

def main():
    path = sys.argv[1]
    depth = 64
    top = 25
    out = subprocess.run(["jfr", "print", "--stack-depth", str(depth), "--events",
                          "jdk.ExecutionSample,jdk.NativeMethodSample", path],
                         check=True, capture_output=True, text=True).stdout
    self_c, incl_c, app_c, thread_c, pkg_c, stage_c = (collections.Counter() for _ in range(6))
    native_self = collections.Counter()
    n = nn = 0
    ev = None
    frames = []
    thread = ""
    in_stack = False
    for line in out.splitlines():
        s = line.strip()
        if s.startswith("jdk.ExecutionSample") or s.startswith("jdk.NativeMethodSample"):
            ev = "exec" if "Execution" in s else "native"
            frames, thread, in_stack = [], "", False
        elif s.startswith("sampledThread"):
            m = re.search(r'"(.*)"', s)
            thread = re.sub(r'\d+', 'N', m.group(1)) if m else s
        elif s.startswith("stackTrace = ["):
            in_stack = True
        elif in_stack and s == "]":
            in_stack = False
        elif in_stack:
            f = re.sub(r'\s+line:.*$', '', s)
            if f and f != "...":
                frames.append(f)
        elif s == "}" and ev:
            if ev == "exec":
                n += 1
                if frames:
                    self_c[frames[0]] += 1
                    pkg_c[".".join(frames[0].split("(")[0].split(".")[:-2])] += 1
                    for f in set(frames):
                        incl_c[f.split("(")[0]] += 1
                    app = next((f for f in frames if f.startswith("io.pandashop.")), None)
                    app_c[app or "(no io.pandashop frame)"] += 1
                    stage_c[stage_of([f.split("(")[0] + "(" for f in frames])] += 1
                thread_c[thread] += 1
            else:
                nn += 1
                if frames:
                    native_self[frames[0]] += 1
            ev = None

    def pct(c, total):
        return [{"frame": k, "samples": v, "pct": round(100.0 * v / max(1, total), 1)} for k, v in c.most_common(top)]

    gc = subprocess.run(["jfr", "summary", path], capture_output=True, text=True).stdout
    gc_events = {m.group(1): int(m.group(2)) for m in re.finditer(r'^\s*(jdk\.\w+)\s+(\d+)', gc, re.M)}
    res = {
        "execution_samples": n,
        "native_method_samples": nn,
        "top_self_frames": pct(self_c, n),
        "top_self_classes_package": pct(pkg_c, n),
        "top_inclusive_methods": pct(incl_c, n),
        "top_first_app_frame": pct(app_c, n),
        "threads": pct(thread_c, n),
        "by_stage": pct(stage_c, n),
        "top_native_frames": pct(native_self, nn),
        "gc_event_counts": {k: v for k, v in gc_events.items() if "GarbageCollection" in k or "GCPhasePause" == k[4:]},
    }
    print(json.dumps(res, indent=2))

if __name__ == "__main__":
    main()

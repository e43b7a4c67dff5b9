#!/usr/bin/env python3
"""Where the service allocates: python3 bench/jfr_alloc_sites.py FILE.jfr [--top 30] [--depth 40]
Sums the weight of JFR's jdk.ObjectAllocationSample events (the JVM's estimate of the bytes each sample stands
for) by allocated class, by thread, by the first frame in our code (io.pandashop) by the first frame outside
the JDK and by stage (STAGES), and prints JSON with each as a share of the total."""
import collections, json, re, subprocess, sys

UNITS = {"bytes": 1, "byte": 1, "kB": 1e3, "MB": 1e6, "GB": 1e9}

# A sample's stage: the first frame from the allocation site down that a stage's own rule names; failing that, the
# first that a generic rule (the last two) names. Libraries without a rule (the JDK, Jackson) leave it to their
# caller: a Redis request's bytes grow in Vert.x's Buffer, called from the Redis client.
STAGES = [
    ("redis (script call, stream entries, RESP encoding)", ("io.pandashop.pipeline.sink.redis.", "io.vertx.redis.")),
    ("external (envelope, body, REST client)", ("io.pandashop.pipeline.sink.external.",
                                                "org.jboss.resteasy.reactive.client.",
                                                "io.pandashop.pipeline.enrich.EnvelopeJson")),
    ("clickhouse (rows, JDBC RowBinary)", ("io.pandashop.pipeline.sink.clickhouse.", "com.clickhouse.")),
    ("decode (Debezium JSON)", ("io.pandashop.pipeline.cdc.", "io.pandashop.pipeline.processor.ChangeEnrichmentProcessor.decode",
                                "io.pandashop.pipeline.processor.ChangeEnrichmentProcessor.addContentId")),
    ("enrich (join, derived columns)", ("io.pandashop.pipeline.enrich.", "io.pandashop.pipeline.content.",
                                        "com.github.benmanes.caffeine.")),
    ("kafka client (fetch, records)", ("org.apache.kafka.",)),
    ("metrics", ("io.micrometer.", "io.pandashop.pipeline.fanout.DestinationMetrics")),
    ("messaging and Mutiny (acks, metadata, hops)", ("io.smallrye.", "io.pandashop.pipeline.", "org.jboss.threads.",
                                                    "io.quarkus.")),
    ("netty and vert.x I/O", ("io.netty.", "io.vertx.")),
]


# Helpers that work for whoever calls them (JSON field writers, text formats, the idempotency key): their frames
# are passed over, so an envelope's timestamps count to the external system and a stream entry's to Redis.
SHARED = ("io.pandashop.pipeline.enrich.JsonFields.", "io.pandashop.pipeline.enrich.JsonDocuments",
          "io.pandashop.pipeline.cdc.IsoInstants.", "io.pandashop.pipeline.cdc.Uuids.",
          "io.pandashop.pipeline.enrich.FactChange.idempotencyKey", "io.pandashop.pipeline.enrich.FactChange.imageHash")


def stage_of(frames):
    frames = [f for f in frames if not f.startswith(SHARED)]
    for rules in (STAGES[:-2], STAGES[-2:]):
        for f in frames:
            for name, prefixes in rules:
                if f.startswith(prefixes):
                    return name
    return "other (JDK only)"


def weight(text):
    m = re.match(r"([\d.,]+)\s*(\w+)", text)
    return float(m.group(1).replace(",", "")) * UNITS.get(m.group(2), 1) if m else 0.0


def frame_name(line):
    return re.sub(r"\s+line:.*$", "", line.strip())


def main():
    path = sys.argv[1]
    top = int(sys.argv[sys.argv.index("--top") + 1]) if "--top" in sys.argv else 30
    depth = int(sys.argv[sys.argv.index("--depth") + 1]) if "--depth" in sys.argv else 40
    out = subprocess.run(["jfr", "print", "--stack-depth", str(depth), "--events", "jdk.ObjectAllocationSample",
                          path], check=True, capture_output=True, text=True).stdout
    by_class, by_thread, by_app, by_lib, by_stack, by_stage = (collections.Counter() for _ in range(6))
    total = 0.0
    cur = None

    def flush():
        nonlocal total
        if not cur:
            return
        w = cur["w"]
        total += w
        by_class[cur["cls"]] += w
        by_thread[re.sub(r"\d+", "N", cur["thread"])] += w
        frames = cur["frames"]
        app = next((f for f in frames if f.startswith("io.pandashop.")), "(none)")
        lib = next((f for f in frames if not re.match(r"(java|javax|jdk|sun)\.", f)), "(jdk only)")
        by_app[app] += w
        by_lib[lib] += w
        by_stack[" < ".join(frames[:4])] += w
        by_stage[stage_of(frames)] += w

    in_stack = False
    for line in out.splitlines():
        s = line.strip()
        if s.startswith("jdk.ObjectAllocationSample"):
            flush()
            cur = {"w": 0.0, "cls": "", "thread": "", "frames": []}
            in_stack = False
        elif cur is None:
            continue
        elif s.startswith("objectClass"):
            cur["cls"] = re.sub(r"\s*\(classLoader.*$", "", s.split("=", 1)[1].strip())
        elif s.startswith("weight"):
            cur["w"] = weight(s.split("=", 1)[1].strip())
        elif s.startswith("eventThread"):
            m = re.search(r'"(.*)"', s)
            cur["thread"] = m.group(1) if m else s
        elif s.startswith("stackTrace = ["):
            in_stack = True
        elif in_stack and s == "]":
            in_stack = False
        elif in_stack and s and s != "...":
            cur["frames"].append(frame_name(s))
    flush()

    def table(counter):
        return [{"name": k, "share": round(v / total, 4), "bytes": int(v)} for k, v in counter.most_common(top)]

    print(json.dumps({"total_bytes": int(total), "by_stage": table(by_stage), "by_class": table(by_class), "by_thread": table(by_thread),
                      "by_first_app_frame": table(by_app), "by_first_non_jdk_frame": table(by_lib),
                      "by_top_4_frames": table(by_stack)}, indent=1))


if __name__ == "__main__":
    main()

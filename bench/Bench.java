// Benchmark harness helpers, run with the JDK source launcher by bench/run.sh:
//   java -cp '.run/bench/app/lib/main/*' bench/Bench.java <fill|baseline|drain|e2e> [--opt value]...
// The classpath is the service's own libraries (kafka-clients, jackson), so nothing extra is downloaded.
//   fill      create the topics, write the content rows as CSV (run.sh loads them into PostgreSQL) and
//             produce Debezium envelopes (schemas disabled) of content and engagement events
//   baseline  bare kafka-clients consumer: read + decode (Jackson readTree) the whole events topic
//   drain     watch a freshly started service (/q/health/ready, /q/metrics, /proc/<pid>) until every
//             destination has taken the expected number of changes
//   e2e       tail the generator's --commit-log, poll Redis (HEXISTS {<prefix>}:evs:<id/1024> <id>) and ClickHouse for
//             the committed ids, sample the events topic's end offsets
// Every mode writes one JSON object to --out.

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;

public class Bench {

    static final ObjectMapper MAPPER = new ObjectMapper();

    public static void main(String[] args) throws Exception {
        if (args.length == 0) {
            System.err.println("usage: Bench.java <fill|baseline|drain|e2e|receiver> [--opt value]...");
            System.exit(2);
        }
        Map<String, String> o = new HashMap<>();
        for (int i = 1; i + 1 < args.length; i += 2) {
            o.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        ObjectNode out = switch (args[0]) {
            case "fill" -> Fill.run(o);
            case "baseline" -> Baseline.run(o);
            case "drain" -> Drain.run(o);
            case "e2e" -> E2e.run(o);
            case "receiver" -> Receiver.run(o);
            default -> throw new IllegalArgumentException("unknown mode " + args[0]);
        };
        String json = MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(out);
        if (o.containsKey("out")) Files.writeString(Path.of(o.get("out")), json + "\n");
        System.out.println(json);
        if (out.path("ok").isBoolean() && !out.get("ok").asBoolean()) System.exit(1);
    }

    static String req(Map<String, String> o, String k) {
        String v = o.get(k);
        if (v == null) throw new IllegalArgumentException("missing --" + k);
        return v;
    }

    static void log(String fmt, Object... a) {
        System.err.printf("[bench %tT] %s%n", System.currentTimeMillis(), String.format(fmt, a));
    }

    static double round(double v, int digits) {
        double f = Math.pow(10, digits);
        return Math.round(v * f) / f;
    }

    static long endOffsetSum(KafkaConsumer<?, ?> c, String topic) {
        List<TopicPartition> tps = new ArrayList<>();
        for (PartitionInfo p : c.partitionsFor(topic)) tps.add(new TopicPartition(topic, p.partition()));
        long s = 0;
        for (long v : c.endOffsets(tps).values()) s += v;
        return s;
    }

    static KafkaConsumer<byte[], byte[]> consumer(String bootstrap, String group) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "2000"); // as the service
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        return new KafkaConsumer<>(p);
    }

    // =========================================================================================== fill
    // The event mix is the demo generator's (deploy/local/generator/DemoTraffic.java); both are single-file
    // programs run by the source launcher, so the constants are repeated rather than shared. Content types are
    // not: both take them from the database's CHECK.
    static final class Fill {
        static final String[] EVENT_TYPES = {"play", "pause", "finish", "click"};
        static final int[] EVENT_W = {40, 25, 15, 20};
        static final String[] DEVICES = {"ios", "android", "web-chrome", "web-safari", "web-firefox", "tv"};
        static final int[] DEVICE_W = {30, 28, 20, 10, 4, 8};
        static final String[] REFERRERS = {"home", "search", "recommendation", "newsletter", "share", "notification"};
        static final String[] NETWORKS = {"wifi", "cellular", "ethernet"};
        static final String[] CLICK_TARGETS = {"subscribe", "share", "like", "next", "related", "comments"};
        static final DateTimeFormatter TS =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS'Z'").withZone(ZoneOffset.UTC);

        static int pick(SplittableRandom r, int[] w) {
            int total = 0;
            for (int x : w) total += x;
            int v = r.nextInt(total);
            for (int i = 0; i < w.length; i++) { v -= w[i]; if (v < 0) return i; }
            return w.length - 1;
        }

        /** Same as PostgreSQL's md5(s)::uuid. */
        static String md5Uuid(String s) throws Exception {
            byte[] d = MessageDigest.getInstance("MD5").digest(s.getBytes(StandardCharsets.UTF_8));
            StringBuilder h = new StringBuilder(36);
            for (int i = 0; i < 16; i++) {
                if (i == 4 || i == 6 || i == 8 || i == 10) h.append('-');
                h.append(String.format("%02x", d[i]));
            }
            return h.toString();
        }

        /** One engagement_events row image, JSON as Debezium's JsonConverter writes it (schemas disabled). */
        static final class Row {
            long id; String contentId; String userId; String type; long tsMicros; Integer duration; String device;
            String rawPayload;

            Row copy() {
                Row c = new Row();
                c.id = id; c.contentId = contentId; c.userId = userId; c.type = type; c.tsMicros = tsMicros;
                c.duration = duration; c.device = device; c.rawPayload = rawPayload;
                return c;
            }

            void json(StringBuilder sb) {
                sb.append("{\"id\":").append(id).append(",\"content_id\":");
                str(sb, contentId);
                sb.append(",\"user_id\":");
                str(sb, userId);
                sb.append(",\"event_type\":");
                str(sb, type);
                sb.append(",\"event_ts\":\"")
                    .append(TS.format(Instant.ofEpochSecond(tsMicros / 1_000_000, (tsMicros % 1_000_000) * 1000)))
                    .append("\",\"duration_ms\":").append(duration == null ? "null" : duration.toString())
                    .append(",\"device\":");
                str(sb, device);
                sb.append(",\"raw_payload\":");
                if (rawPayload == null) sb.append("null");
                else sb.append('"').append(rawPayload.replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
                sb.append('}');
            }
        }

        static void str(StringBuilder sb, String v) {
            if (v == null) sb.append("null"); else sb.append('"').append(v).append('"');
        }

        static long lsn = 30_000_000L;
        static long txId = 1000;

        static String envelope(String table, String op, String before, String after, long tsMs) {
            long prev = lsn;
            lsn += 200 + (lsn % 7) * 60;
            StringBuilder sb = new StringBuilder(1024);
            sb.append("{\"before\":").append(before == null ? "null" : before)
                .append(",\"after\":").append(after == null ? "null" : after)
                .append(",\"source\":{\"version\":\"3.6.1.Final\",\"connector\":\"postgresql\",\"name\":\"bench\",\"ts_ms\":")
                .append(tsMs).append(",\"snapshot\":\"false\",\"db\":\"pandashop\",\"sequence\":\"[\\\"").append(prev)
                .append("\\\",\\\"").append(lsn).append("\\\"]\",\"ts_us\":").append(tsMs * 1000).append(",\"ts_ns\":")
                .append(tsMs * 1_000_000).append(",\"schema\":\"public\",\"table\":\"").append(table)
                .append("\",\"txId\":").append(txId).append(",\"lsn\":").append(lsn)
                .append(",\"xmin\":null,\"origin\":null,\"origin_lsn\":null},\"transaction\":null,\"op\":\"").append(op)
                .append("\",\"ts_ms\":").append(tsMs + 3).append(",\"ts_us\":").append((tsMs + 3) * 1000)
                .append(",\"ts_ns\":").append((tsMs + 3) * 1_000_000).append('}');
            return sb.toString();
        }

        static ObjectNode run(Map<String, String> o) throws Exception {
            String bootstrap = req(o, "bootstrap");
            String prefix = req(o, "prefix");
            long events = Long.parseLong(o.getOrDefault("events", "1000000"));
            int contents = Integer.parseInt(o.getOrDefault("content", "10000"));
            Path csv = Path.of(req(o, "content-csv"));
            // The source database's types (run.sh reads them with deploy/local/sql/content-types.sql).
            String[] types = req(o, "content-types").split(",");
            long seed = Long.parseLong(o.getOrDefault("seed", "42"));
            String contentTopic = prefix + ".public.content";
            String eventsTopic = prefix + ".public.engagement_events";

            Properties ap = new Properties();
            ap.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            try (Admin admin = Admin.create(ap)) {
                for (String t : List.of(contentTopic, eventsTopic)) {
                    try {
                        admin.createTopics(List.of(new NewTopic(t, 3, (short) 1))).all().get();
                    } catch (ExecutionException e) {
                        if (!(e.getCause() instanceof TopicExistsException)) throw e;
                        throw new IllegalStateException("topic " + t + " already exists: use a fresh prefix / stack");
                    }
                }
            }
            log("topics %s, %s created (3 partitions)", contentTopic, eventsTopic);

            Properties pp = new Properties();
            pp.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            pp.put(ProducerConfig.ACKS_CONFIG, "all");
            pp.put(ProducerConfig.LINGER_MS_CONFIG, "10");
            pp.put(ProducerConfig.BATCH_SIZE_CONFIG, "262144");
            pp.put(ProducerConfig.BUFFER_MEMORY_CONFIG, String.valueOf(64L << 20));
            pp.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
            pp.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());

            long t0 = System.nanoTime();
            long nowMs = System.currentTimeMillis();
            String[] contentIds = new String[contents];
            int[] contentLen = new int[contents]; // -1 = NULL
            long creates = 0, updates = 0, deletes = 0, tombstones = 0, nullDuration = 0, nullContent = 0;
            long bytes = 0;
            try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(pp);
                 BufferedWriter w = Files.newBufferedWriter(csv)) {
                // ---- content rows: CSV for PostgreSQL plus their change envelopes
                Instant base = Instant.parse("2024-01-01T00:00:00Z");
                for (int i = 0; i < contents; i++) {
                    SplittableRandom r = new SplittableRandom(seed * 1_000_003L + i);
                    String type = types[i % types.length];
                    Integer len = switch (i % 20) {
                        case 4 -> null;
                        case 11 -> 0;
                        default -> switch (type) {
                            case "podcast" -> 600 + r.nextInt(6601);
                            case "newsletter" -> 60 + r.nextInt(1141);
                            default -> 60 + r.nextInt(7141);
                        };
                    };
                    String id = md5Uuid("bench-content-" + i);
                    String slug = "bench-" + type + "-" + i;
                    String title = "Bench " + type + " number " + i;
                    String publish = TS.format(base.plusSeconds(r.nextLong(500L * 86400)));
                    contentIds[i] = id;
                    contentLen[i] = len == null ? -1 : len;
                    w.write(id + "," + slug + "," + title + "," + type + "," + (len == null ? "" : len) + "," + publish + "\n");
                    String after = "{\"id\":\"" + id + "\",\"slug\":\"" + slug + "\",\"title\":\"" + title
                        + "\",\"content_type\":\"" + type + "\",\"length_seconds\":" + (len == null ? "null" : len)
                        + ",\"publish_ts\":\"" + publish + "\"}";
                    String env = envelope("content", "c", null, after, nowMs);
                    if (i % 100 == 99) txId++;
                    producer.send(new ProducerRecord<>(contentTopic, ("{\"id\":\"" + id + "\"}").getBytes(StandardCharsets.UTF_8),
                        env.getBytes(StandardCharsets.UTF_8)));
                }
                // the generator shuffles so popular items are a mix of types; do the same
                SplittableRandom sr = new SplittableRandom(seed);
                for (int i = contents - 1; i > 0; i--) {
                    int j = sr.nextInt(i + 1);
                    String t = contentIds[i]; contentIds[i] = contentIds[j]; contentIds[j] = t;
                    int l = contentLen[i]; contentLen[i] = contentLen[j]; contentLen[j] = l;
                }
                String[] users = new String[5000];
                for (int i = 0; i < users.length; i++) {
                    users[i] = new UUID((sr.nextLong() & ~0xF000L) | 0x4000L,
                        (sr.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L).toString();
                }

                // ---- engagement events: event_ts spread over the last 3 minutes, in id order
                SplittableRandom r = new SplittableRandom(seed + 7);
                long spanMicros = 180_000_000L;
                long tsStart = nowMs * 1000 - spanMicros;
                Row[] recent = new Row[10_000];
                boolean[] recentDeleted = new boolean[recent.length];
                int recentCount = 0, recentPos = 0;
                long nextId = 1;
                StringBuilder sb = new StringBuilder(600);
                for (long n = 0; n < events; n++) {
                    if (n % 50 == 0) txId++;
                    long tsMs = nowMs + n / 100;
                    int dice = r.nextInt(1000);
                    String key, value;
                    if (dice < 20 && recentCount > 100) {
                        int slot = Math.floorMod(recentPos - 1 - r.nextInt(recentCount), recent.length);
                        if (recentDeleted[slot]) { n--; continue; }
                        Row old = recent[slot];
                        StringBuilder b = new StringBuilder(400);
                        old.json(b);
                        key = "{\"id\":" + old.id + "}";
                        if (dice < 10) {          // UPDATE duration_ms (as the generator does)
                            Row nw = old.copy();
                            nw.duration = (old.duration == null ? 0 : old.duration) + 1000 + r.nextInt(120_000);
                            StringBuilder a = new StringBuilder(400);
                            nw.json(a);
                            value = envelope("engagement_events", "u", b.toString(), a.toString(), tsMs);
                            recent[slot] = nw;
                            updates++;
                        } else if (dice < 15) {   // UPDATE event_ts (moves the ClickHouse sorting key)
                            Row nw = old.copy();
                            nw.tsMicros = old.tsMicros + 1_000_000L + r.nextInt(5_000_000);
                            StringBuilder a = new StringBuilder(400);
                            nw.json(a);
                            value = envelope("engagement_events", "u", b.toString(), a.toString(), tsMs);
                            recent[slot] = nw;
                            updates++;
                        } else {                  // DELETE, then Debezium's tombstone
                            value = envelope("engagement_events", "d", b.toString(), null, tsMs);
                            recentDeleted[slot] = true;
                            deletes++;
                            byte[] kb = key.getBytes(StandardCharsets.UTF_8);
                            byte[] vb = value.getBytes(StandardCharsets.UTF_8);
                            bytes += vb.length;
                            producer.send(new ProducerRecord<>(eventsTopic, kb, vb));
                            producer.send(new ProducerRecord<>(eventsTopic, kb, null));
                            tombstones++;
                            continue;
                        }
                    } else {
                        Row row = new Row();
                        row.id = nextId++;
                        int ci = (int) (contents * Math.pow(r.nextDouble(), 2.0));
                        boolean noContent = r.nextInt(100) < 3;
                        row.type = EVENT_TYPES[pick(r, EVENT_W)];
                        row.device = DEVICES[pick(r, DEVICE_W)];
                        row.userId = users[r.nextInt(users.length)];
                        row.contentId = noContent ? null : contentIds[ci];
                        row.tsMicros = tsStart + spanMicros * n / Math.max(1, events) + r.nextInt(1000);
                        if (noContent) nullContent++;
                        int len = noContent ? -1 : contentLen[ci];
                        long lenMs = len > 0 ? len * 1000L : 0;
                        if (r.nextInt(100) < 10) {
                            row.duration = null;
                            nullDuration++;
                        } else {
                            long d;
                            if (row.type.equals("click")) d = r.nextLong(30_000);
                            else if (lenMs <= 0) d = r.nextLong(900_000);
                            else if (row.type.equals("finish")) d = (long) (lenMs * (0.85 + 0.25 * r.nextDouble()));
                            else d = (long) (lenMs * 1.1 * r.nextDouble());
                            row.duration = (int) Math.min(d, Integer.MAX_VALUE);
                        }
                        if (r.nextInt(100) < 15) {
                            row.rawPayload = null;
                        } else {
                            StringBuilder p = new StringBuilder(160);
                            p.append("{\"app_version\": \"").append(5 + r.nextInt(2)).append('.').append(r.nextInt(20))
                                .append('.').append(r.nextInt(10)).append("\", \"session\": \"")
                                .append(Long.toHexString(r.nextLong() | (1L << 60))).append("\", \"referrer\": \"")
                                .append(REFERRERS[r.nextInt(REFERRERS.length)]).append("\", \"network\": \"")
                                .append(row.device.equals("tv") ? "ethernet" : NETWORKS[r.nextInt(2)]).append('"');
                            if (row.type.equals("click")) p.append(", \"target\": \"").append(CLICK_TARGETS[r.nextInt(CLICK_TARGETS.length)]).append('"');
                            else p.append(", \"playback_rate\": ").append(r.nextInt(10) < 8 ? "1.0" : "1.5");
                            p.append('}');
                            row.rawPayload = p.toString();
                        }
                        sb.setLength(0);
                        row.json(sb);
                        key = "{\"id\":" + row.id + "}";
                        value = envelope("engagement_events", "c", null, sb.toString(), tsMs);
                        recent[recentPos] = row;
                        recentDeleted[recentPos] = false;
                        recentPos = (recentPos + 1) % recent.length;
                        if (recentCount < recent.length) recentCount++;
                        creates++;
                    }
                    byte[] vb = value.getBytes(StandardCharsets.UTF_8);
                    bytes += vb.length;
                    producer.send(new ProducerRecord<>(eventsTopic, key.getBytes(StandardCharsets.UTF_8), vb));
                    if (n > 0 && n % 200_000 == 0) log("produced %,d / %,d event changes", n, events);
                }
                producer.flush();
            }
            double secs = (System.nanoTime() - t0) / 1e9;
            long changes = creates + updates + deletes;
            log("produced %,d changes (%,d c, %,d u, %,d d) + %,d tombstones in %.1f s", changes, creates, updates,
                deletes, tombstones, secs);
            ObjectNode out = MAPPER.createObjectNode();
            out.put("events_topic", eventsTopic);
            out.put("content_topic", contentTopic);
            out.put("content_rows", contents);
            out.put("changes", changes);
            out.put("creates", creates);
            out.put("updates", updates);
            out.put("deletes", deletes);
            out.put("tombstones", tombstones);
            out.put("records_on_events_topic", changes + tombstones);
            out.put("live_events", creates - deletes);
            out.put("null_duration_creates", nullDuration);
            out.put("null_content_creates", nullContent);
            out.put("avg_value_bytes", bytes / Math.max(1, changes));
            out.put("produce_seconds", round(secs, 2));
            return out;
        }
    }

    // =========================================================================================== baseline
    static final class Baseline {
        /** The same reads the service's DebeziumDecoder does (readTree, then every field into Java values). */
        static long decodeRow(JsonNode n) {
            if (n == null || n.isNull()) return 0;
            long h = n.get("id").asLong();
            JsonNode c = n.get("content_id");
            if (c != null && !c.isNull()) h ^= UUID.fromString(c.asText()).getLeastSignificantBits();
            JsonNode u = n.get("user_id");
            if (u != null && !u.isNull()) h ^= UUID.fromString(u.asText()).getMostSignificantBits();
            JsonNode t = n.get("event_type");
            if (t != null && !t.isNull()) h += t.asText().length();
            h += Instant.parse(n.get("event_ts").asText()).getNano();
            JsonNode d = n.get("duration_ms");
            if (d != null && !d.isNull() && d.canConvertToInt()) h += d.asInt();
            JsonNode dv = n.get("device");
            if (dv != null && !dv.isNull()) h += dv.asText().length();
            JsonNode p = n.get("raw_payload");
            if (p != null && !p.isNull()) h += (p.isValueNode() ? p.asText() : p.toString()).length();
            return h;
        }

        static ObjectNode run(Map<String, String> o) throws Exception {
            String topic = req(o, "topic");
            long expect = Long.parseLong(req(o, "expect-records"));
            var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
            long changes = 0, tombstones = 0, records = 0, checksum = 0;
            long tStart, tFirst = 0;
            long cpu0;
            try (KafkaConsumer<byte[], byte[]> c = consumer(req(o, "bootstrap"), req(o, "group"))) {
                c.subscribe(List.of(topic));
                cpu0 = os.getProcessCpuTime();
                tStart = System.nanoTime();
                long deadline = tStart + Long.parseLong(o.getOrDefault("timeout", "900")) * 1_000_000_000L;
                while (records < expect && System.nanoTime() < deadline) {
                    ConsumerRecords<byte[], byte[]> batch = c.poll(Duration.ofMillis(500));
                    if (batch.isEmpty()) continue;
                    if (tFirst == 0) tFirst = System.nanoTime();
                    for (ConsumerRecord<byte[], byte[]> rec : batch) {
                        records++;
                        byte[] v = rec.value();
                        if (v == null || v.length == 0) { tombstones++; continue; }
                        JsonNode root = MAPPER.readTree(v);
                        JsonNode env = root.has("payload") && root.has("schema") ? root.get("payload") : root;
                        String op = env.get("op").asText();
                        JsonNode src = env.get("source");
                        long lsn = src.get("lsn").asLong();
                        long ts = src.path("ts_ms").asLong(env.path("ts_ms").asLong(0));
                        checksum += lsn + ts + op.charAt(0) + decodeRow(env.get("before")) + decodeRow(env.get("after"));
                        changes++;
                    }
                }
            }
            long tEnd = System.nanoTime();
            double cpu = (os.getProcessCpuTime() - cpu0) / 1e9;
            double fromFirst = (tEnd - tFirst) / 1e9;
            double fromSubscribe = (tEnd - tStart) / 1e9;
            ObjectNode out = MAPPER.createObjectNode();
            out.put("ok", records >= expect);
            out.put("records", records);
            out.put("changes", changes);
            out.put("tombstones", tombstones);
            out.put("seconds_from_first_record", round(fromFirst, 3));
            out.put("seconds_from_subscribe", round(fromSubscribe, 3));
            out.put("events_per_s", Math.round(changes / fromFirst));
            out.put("records_per_s", Math.round(records / fromFirst));
            out.put("cpu_seconds", round(cpu, 2));
            out.put("cpu_s_per_100k", round(cpu / (changes / 100_000.0), 3));
            out.put("checksum", checksum);
            log("baseline: %,d records (%,d changes) in %.2f s from the first record: %,d events/s, %.2f CPU s",
                records, changes, fromFirst, Math.round(changes / fromFirst), cpu);
            return out;
        }
    }

    // =========================================================================================== drain
    static final class Drain {
        static final String[] DESTS = {"clickhouse", "redis", "external"};

        static long[] cpuTicks(long pid) throws IOException {
            String s = Files.readString(Path.of("/proc/" + pid + "/stat"));
            String[] f = s.substring(s.lastIndexOf(')') + 2).split(" ");
            return new long[]{Long.parseLong(f[11]), Long.parseLong(f[12])}; // utime, stime (fields 14, 15)
        }

        static long statusKb(long pid, String field) throws IOException {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith(field + ":")) return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
            return -1;
        }

        /** Per thread (tid): its name (comm, at most 15 characters) and utime+stime ticks, from /proc/<pid>/task. */
        static Map<Long, Object[]> taskTicks(long pid) {
            Map<Long, Object[]> m = new HashMap<>();
            File[] tasks = new File("/proc/" + pid + "/task").listFiles();
            if (tasks == null) return m;
            for (File t : tasks) {
                try {
                    String s = Files.readString(Path.of(t.getPath(), "stat"));
                    String comm = s.substring(s.indexOf('(') + 1, s.lastIndexOf(')'));
                    String[] f = s.substring(s.lastIndexOf(')') + 2).split(" ");
                    m.put(Long.parseLong(t.getName()), new Object[]{comm, Long.parseLong(f[11]) + Long.parseLong(f[12])});
                } catch (Exception e) {
                    // the thread ended meanwhile
                }
            }
            return m;
        }

        /** Which kind of JVM thread a task name is: gc (the collector's workers), vm (VM Thread), jit, jfr or other. */
        static String threadKind(String comm) {
            if (comm.startsWith("GC Thread") || comm.startsWith("ParGC") || comm.startsWith("G1 ")
                || comm.startsWith("ZWorker") || comm.startsWith("ZDriver") || comm.startsWith("Shenandoah")) return "gc";
            if (comm.equals("VM Thread")) return "vm";
            if (comm.startsWith("C1 CompilerThre") || comm.startsWith("C2 CompilerThre")) return "jit";
            if (comm.startsWith("JFR ")) return "jfr";
            return "other";
        }

        static boolean is(String line, String name) {
            return line.startsWith(name + " ") || line.startsWith(name + "{");
        }

        static double metric(String line) {
            return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
        }

        static Map<String, Double> metrics(HttpClient http, String base) throws Exception {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "/q/metrics"))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
            Map<String, Double> m = new HashMap<>();
            if (r.statusCode() != 200) return m;
            for (String line : r.body().split("\n")) {
                if (line.startsWith("pipeline_records_received_total{") && line.contains("table=\"engagement_events\"")) {
                    m.put("received", Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)));
                } else if (line.startsWith("pipeline_sink_changes_total{")) {
                    for (String d : DESTS) {
                        if (line.contains("destination=\"" + d + "\"")) {
                            m.put(d, Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)));
                        }
                    }
                } else if (is(line, "jvm_gc_memory_allocated_bytes_total")) {
                    // Micrometer's JvmGcMetrics: at each GC, eden's use before it minus eden's use after the previous one
                    m.put("jvm_allocated", metric(line));
                } else if (is(line, "jvm_gc_memory_promoted_bytes_total")) {
                    m.put("jvm_promoted", metric(line));
                } else if (line.startsWith("jvm_gc_pause_seconds_sum{")) {
                    m.merge("jvm_pause_s", metric(line), Double::sum);
                    if (line.contains("major")) m.merge("jvm_pause_s_major", metric(line), Double::sum);
                } else if (line.startsWith("jvm_gc_pause_seconds_count{")) {
                    m.merge("jvm_pauses", metric(line), Double::sum);
                    if (line.contains("major")) m.merge("jvm_pauses_major", metric(line), Double::sum);
                } else if (line.startsWith("jvm_memory_used_bytes{") && line.contains("Eden Space\"")) {
                    m.put("jvm_eden_used", metric(line));
                }
            }
            return m;
        }

        static boolean ready(HttpClient http, String base) {
            try {
                return http.send(HttpRequest.newBuilder(URI.create(base + "/q/health/ready"))
                    .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
            } catch (Exception e) {
                return false;
            }
        }

        static void jcmd(long pid, String... args) {
            try {
                List<String> cmd = new ArrayList<>(List.of("jcmd", String.valueOf(pid)));
                cmd.addAll(Arrays.asList(args));
                Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
                String outp = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
                p.waitFor();
                log("jcmd %s: %s", String.join(" ", args), outp.replace('\n', ' '));
            } catch (Exception e) {
                log("jcmd failed: %s", e);
            }
        }

        /**
         * The drain window's allocation and GC, from the service's Micrometer JVM meters scraped at readiness (start)
         * and by the poll that saw the drain complete (end), and its threads' CPU from /proc/<pid>/task.
         */
        static void putJvm(ObjectNode out, Map<String, Double> a, Map<String, Double> b, Map<Long, Object[]> tasksA,
                           Map<Long, Object[]> tasksB, double cpuDrain, double tck, long changes, long tStart, long tEnd) {
            ObjectNode j = out.putObject("jvm_drain");
            j.put("window_start_epoch_ms", tStart);
            j.put("window_end_epoch_ms", tEnd);
            if (a != null && a.containsKey("jvm_allocated") && b.containsKey("jvm_allocated")) {
                long early = a.getOrDefault("received", 0.0).longValue();
                // records the service had already received when the start scrape read its meters: their allocation
                // is partly outside the window (the scrape at readiness can take a second on a cold, busy JVM)
                j.put("start_scrape_records_received", early);
                double counter = b.get("jvm_allocated") - a.get("jvm_allocated");
                double edenA = a.getOrDefault("jvm_eden_used", 0.0), edenB = b.getOrDefault("jvm_eden_used", 0.0);
                // The counter only moves at a GC. Eden is empty after each young GC, so what the window allocated
                // since its last GC is eden's use at the end, and what the counter's first step counts from before
                // the window is eden's use at the start.
                double alloc = counter + edenB - edenA;
                j.put("micrometer_allocated_bytes_counter", Math.round(counter));
                j.put("eden_used_bytes_start", Math.round(edenA));
                j.put("eden_used_bytes_end", Math.round(edenB));
                j.put("allocated_bytes", Math.round(alloc));
                j.put("allocated_bytes_per_change", Math.round(alloc / changes));
                j.put("allocated_bytes_per_change_counter_only", Math.round(counter / changes));
                // the bound from the other side: as if those early records had allocated all before the window
                j.put("allocated_bytes_per_change_upper_bound", Math.round(alloc / Math.max(1, changes - early)));
                j.put("promoted_bytes", Math.round(b.getOrDefault("jvm_promoted", 0.0) - a.getOrDefault("jvm_promoted", 0.0)));
                double pause = b.getOrDefault("jvm_pause_s", 0.0) - a.getOrDefault("jvm_pause_s", 0.0);
                j.put("gc_pause_seconds", round(pause, 3));
                j.put("gc_pauses", Math.round(b.getOrDefault("jvm_pauses", 0.0) - a.getOrDefault("jvm_pauses", 0.0)));
                j.put("gc_pause_seconds_major", round(b.getOrDefault("jvm_pause_s_major", 0.0) - a.getOrDefault("jvm_pause_s_major", 0.0), 3));
                j.put("gc_pauses_major", Math.round(b.getOrDefault("jvm_pauses_major", 0.0) - a.getOrDefault("jvm_pauses_major", 0.0)));
                if (cpuDrain > 0) j.put("gc_pause_share_of_service_cpu", round(pause / cpuDrain, 4));
            } else {
                j.put("micrometer_jvm_meters", "missing");
            }
            if (tasksA != null) {
                Map<String, Long> kinds = new java.util.TreeMap<>();
                java.util.TreeSet<String> gcNames = new java.util.TreeSet<>();
                for (var e : tasksB.entrySet()) {
                    String comm = (String) e.getValue()[0];
                    Object[] before = tasksA.get(e.getKey());
                    long d = (Long) e.getValue()[1] - (before == null ? 0L : (Long) before[1]);
                    kinds.merge(threadKind(comm), d, Long::sum);
                    if (threadKind(comm).equals("gc")) gcNames.add(comm);
                }
                ObjectNode k = j.putObject("thread_cpu_seconds");
                for (var e : kinds.entrySet()) k.put(e.getKey(), round(e.getValue() / tck, 2));
                j.put("gc_thread_names", String.join(", ", gcNames));
                if (cpuDrain > 0) {
                    double gc = kinds.getOrDefault("gc", 0L) / tck, vm = kinds.getOrDefault("vm", 0L) / tck;
                    j.put("gc_threads_share_of_service_cpu", round(gc / cpuDrain, 4));
                    j.put("gc_and_vm_thread_share_of_service_cpu", round((gc + vm) / cpuDrain, 4));
                }
            }
        }

        static ObjectNode run(Map<String, String> o) throws Exception {
            long pid = Long.parseLong(req(o, "pid"));
            String base = req(o, "url");
            long expect = Long.parseLong(req(o, "expect"));
            long launchedMs = Long.parseLong(o.getOrDefault("launched-ms", String.valueOf(System.currentTimeMillis())));
            // /q/metrics is expensive for the service (a scrape of ~1,300 lines costs it tens of ms of CPU): poll
            // every 100 ms only until the first record is received, then every poll-ms (default 1 s).
            long pollMs = Long.parseLong(o.getOrDefault("poll-ms", "1000"));
            long fastPollMs = 100;
            long timeoutS = Long.parseLong(o.getOrDefault("timeout", "1800"));
            String jfr = o.get("jfr");
            double tck = Double.parseDouble(o.getOrDefault("clk-tck", "100"));
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

            String jfrAlloc = o.get("jfr-alloc");
            long tReady = 0, tFirst = 0;
            long[] cpuReady = null, cpuFirst = null;
            Map<Long, Object[]> tasksReady = null;
            Map<String, Double> jvmReady = null;
            long jvmReadyAt = 0, jvmReadyTook = 0, lastAt = 0;
            Map<String, Long> done = new HashMap<>();
            Map<String, Double> last = new HashMap<>();
            long lastLog = 0;
            ObjectNode out = MAPPER.createObjectNode();
            long deadline = System.currentTimeMillis() + timeoutS * 1000;
            boolean alive = true;
            while (System.currentTimeMillis() < deadline) {
                if (!Files.exists(Path.of("/proc/" + pid))) { alive = false; break; }
                long now = System.currentTimeMillis();
                if (tReady == 0) {
                    if (ready(http, base)) {
                        tReady = System.currentTimeMillis();
                        cpuReady = cpuTicks(pid);
                        tasksReady = taskTicks(pid);
                        // The JVM's GC meters at the start of the CPU window, before the first record (the consumer
                        // still joins its group then; checked below).
                        try {
                            long q0 = System.currentTimeMillis();
                            jvmReady = metrics(http, base);
                            jvmReadyTook = System.currentTimeMillis() - q0;
                            jvmReadyAt = q0 + jvmReadyTook / 2;
                        } catch (Exception e) {
                            log("no /q/metrics at readiness: %s", e);
                        }
                        log("service ready %.1f s after launch", (tReady - launchedMs) / 1000.0);
                        if (jfr != null) {
                            // in the background: jcmd takes ~2 s and must not delay the metrics polling
                            Thread j = new Thread(() -> jcmd(pid, "JFR.start", "name=bench", "settings=profile"));
                            j.setDaemon(true);
                            j.start();
                        }
                    } else {
                        Thread.sleep(fastPollMs);
                        continue;
                    }
                }
                long tq = System.currentTimeMillis();
                try {
                    last = metrics(http, base);
                } catch (Exception e) {
                    Thread.sleep(fastPollMs);
                    continue;
                }
                long t = System.currentTimeMillis();
                lastAt = (tq + t) / 2;
                if (tFirst == 0 && last.getOrDefault("received", 0.0) > 0) {
                    tFirst = t;
                    cpuFirst = cpuTicks(pid);
                }
                for (String d : DESTS) {
                    if (!done.containsKey(d) && last.getOrDefault(d, 0.0) >= expect) done.put(d, t);
                }
                if (t - lastLog >= 5000) {
                    lastLog = t;
                    log("received %,.0f  clickhouse %,.0f  redis %,.0f  external %,.0f  (expect %,d)",
                        last.getOrDefault("received", 0.0), last.getOrDefault("clickhouse", 0.0),
                        last.getOrDefault("redis", 0.0), last.getOrDefault("external", 0.0), expect);
                }
                if (done.size() == DESTS.length) break;
                long sleep = (tFirst == 0 ? fastPollMs : pollMs) - (System.currentTimeMillis() - now);
                if (sleep > 0) Thread.sleep(sleep);
            }
            long tEnd = System.currentTimeMillis();
            boolean ok = alive && done.size() == DESTS.length;
            if (alive) {
                long[] cpuEnd = cpuTicks(pid);
                Map<Long, Object[]> tasksEnd = taskTicks(pid);
                if (jfr != null && tReady > 0) {
                    jcmd(pid, "JFR.dump", "name=bench", "filename=" + jfr);
                    jcmd(pid, "JFR.stop", "name=bench");
                }
                if (jfrAlloc != null) {
                    // the thread-allocation recording started at launch (run.sh, bench/thread-allocation.jfc)
                    jcmd(pid, "JFR.dump", "name=alloc", "filename=" + jfrAlloc);
                    jcmd(pid, "JFR.stop", "name=alloc");
                }
                if (cpuReady != null) {
                    putJvm(out, jvmReady, last, tasksReady, tasksEnd,
                        (cpuEnd[0] + cpuEnd[1] - cpuReady[0] - cpuReady[1]) / tck, tck, expect, tReady, tEnd);
                    ObjectNode j = (ObjectNode) out.get("jvm_drain");
                    // when each scrape read the meters (the middle of its request): the window of the allocation figures
                    j.put("start_scrape_epoch_ms", jvmReadyAt);
                    j.put("start_scrape_ms", jvmReadyTook);
                    j.put("end_scrape_epoch_ms", lastAt);
                }
                double cpuTotal = (cpuEnd[0] + cpuEnd[1]) / tck;
                out.put("cpu_seconds_total", round(cpuTotal, 2));
                if (cpuReady != null) {
                    double cpuDrain = (cpuEnd[0] + cpuEnd[1] - cpuReady[0] - cpuReady[1]) / tck;
                    out.put("cpu_seconds_startup", round(cpuTotal - cpuDrain, 2));
                    out.put("cpu_seconds_drain", round(cpuDrain, 2));
                    out.put("cpu_user_seconds_drain", round((cpuEnd[0] - cpuReady[0]) / tck, 2));
                    out.put("cpu_sys_seconds_drain", round((cpuEnd[1] - cpuReady[1]) / tck, 2));
                    out.put("cpu_s_per_100k", round(cpuDrain / (expect / 100_000.0), 3));
                }
                out.put("peak_rss_mb", round(statusKb(pid, "VmHWM") / 1024.0, 1));
                out.put("rss_at_end_mb", round(statusKb(pid, "VmRSS") / 1024.0, 1));
            }
            out.put("ok", ok);
            out.put("expect_changes", expect);
            out.put("metrics_poll_ms", pollMs);
            out.put("startup_seconds", tReady == 0 ? -1 : round((tReady - launchedMs) / 1000.0, 2));
            out.put("first_record_after_ready_seconds", tFirst == 0 ? -1 : round((tFirst - tReady) / 1000.0, 2));
            ObjectNode per = out.putObject("destinations");
            long worst = 0;
            for (String d : DESTS) {
                ObjectNode x = per.putObject(d);
                x.put("changes", last.getOrDefault(d, 0.0).longValue());
                Long td = done.get(d);
                if (td == null) { x.put("done", false); continue; }
                worst = Math.max(worst, td);
                double fromReady = (td - tReady) / 1000.0, fromFirst = (td - tFirst) / 1000.0;
                x.put("done", true);
                x.put("seconds_from_ready", round(fromReady, 2));
                x.put("seconds_from_first_record", round(fromFirst, 2));
                x.put("events_per_s_from_ready", Math.round(expect / fromReady));
                x.put("events_per_s_from_first_record", Math.round(expect / fromFirst));
            }
            if (ok) {
                double fromReady = (worst - tReady) / 1000.0, fromFirst = (worst - tFirst) / 1000.0;
                out.put("seconds_from_ready", round(fromReady, 2));
                out.put("seconds_from_first_record", round(fromFirst, 2));
                out.put("events_per_s_from_ready", Math.round(expect / fromReady));
                out.put("events_per_s_from_first_record", Math.round(expect / fromFirst));
            }
            out.put("watch_seconds", round((tEnd - launchedMs) / 1000.0, 1));
            return out;
        }
    }

    // =========================================================================================== e2e
    static final class E2e {
        record Pending(long id, long commitMs) { }

        static final class Stats {
            final List<Long> delays = Collections.synchronizedList(new ArrayList<>());
            final List<long[]> byCommit = Collections.synchronizedList(new ArrayList<>()); // {commitMs, delay}

            void add(long commitMs, long delay) {
                delays.add(delay);
                byCommit.add(new long[]{commitMs, delay});
            }

            /** p50/max per 10 s of commit time, to tell a start-up tail from a steady state. */
            com.fasterxml.jackson.databind.node.ArrayNode timeline() {
                var arr = MAPPER.createArrayNode();
                List<long[]> b;
                synchronized (byCommit) { b = new ArrayList<>(byCommit); }
                if (b.isEmpty()) return arr;
                long t0 = b.stream().mapToLong(x -> x[0]).min().getAsLong();
                Map<Long, List<Long>> w = new java.util.TreeMap<>();
                for (long[] x : b) w.computeIfAbsent((x[0] - t0) / 10_000, k -> new ArrayList<>()).add(x[1]);
                w.forEach((k, v) -> {
                    Collections.sort(v);
                    arr.add(MAPPER.createObjectNode().put("from_s", k * 10).put("n", v.size())
                        .put("p50_ms", v.get(v.size() / 2)).put("max_ms", v.get(v.size() - 1)));
                });
                return arr;
            }
            long rounds, roundNanos, maxRoundNanos;

            ObjectNode json(int missing) {
                ObjectNode o = MAPPER.createObjectNode();
                List<Long> d;
                synchronized (delays) { d = new ArrayList<>(delays); }
                Collections.sort(d);
                o.put("samples", d.size());
                o.put("missing", missing);
                if (!d.isEmpty()) {
                    o.put("p50_ms", d.get((int) Math.floor(0.50 * (d.size() - 1))));
                    o.put("p99_ms", d.get((int) Math.floor(0.99 * (d.size() - 1))));
                    o.put("max_ms", d.get(d.size() - 1));
                    o.put("min_ms", d.get(0));
                    o.put("mean_ms", Math.round(d.stream().mapToLong(Long::longValue).average().orElse(0)));
                }
                o.set("per_10s_of_commits", timeline());
                o.put("poll_rounds", rounds);
                o.put("mean_poll_period_ms", rounds == 0 ? 0 : round(roundNanos / 1e6 / rounds, 1));
                o.put("max_poll_period_ms", round(maxRoundNanos / 1e6, 1));
                return o;
            }
        }

        static String readLine(InputStream in) throws IOException {
            StringBuilder sb = new StringBuilder();
            int c;
            while ((c = in.read()) != -1) {
                if (c == '\r') { in.read(); break; }
                sb.append((char) c);
            }
            return sb.toString();
        }

        static ObjectNode run(Map<String, String> o) throws Exception {
            Path commitLog = Path.of(req(o, "commit-log"));
            Path doneFile = Path.of(req(o, "done-file"));
            String prefix = req(o, "prefix");
            int redisPort = Integer.parseInt(req(o, "redis-port"));
            String chUrl = req(o, "ch-url");
            long redisPollMs = Long.parseLong(o.getOrDefault("redis-poll-ms", "20"));
            long chPollMs = Long.parseLong(o.getOrDefault("ch-poll-ms", "30"));
            int chEvery = Integer.parseInt(o.getOrDefault("ch-sample-every", "5"));
            long giveUpMs = Long.parseLong(o.getOrDefault("give-up-ms", "120000"));
            String topic = req(o, "topic");

            ConcurrentLinkedQueue<Pending> redisIn = new ConcurrentLinkedQueue<>();
            ConcurrentLinkedQueue<Pending> chIn = new ConcurrentLinkedQueue<>();
            AtomicBoolean genDone = new AtomicBoolean(false);
            AtomicBoolean stop = new AtomicBoolean(false);
            long[] inserted = {0, 0, Long.MAX_VALUE, 0}; // count, lines, first commit ms, last commit ms
            Stats redis = new Stats(), ch = new Stats();
            int[] missing = {0, 0};
            // Per batch (its last id): commit time, when Debezium appended it to Kafka, when Redis had it. Splits
            // commit->Redis into Debezium's part and the service's.
            Map<Long, Long> commitOf = new java.util.concurrent.ConcurrentHashMap<>();
            Map<Long, Long> appendedAt = new java.util.concurrent.ConcurrentHashMap<>();
            Map<Long, Long> inRedisAt = new java.util.concurrent.ConcurrentHashMap<>();
            List<long[]> offsets = Collections.synchronizedList(new ArrayList<>());

            Thread tail = new Thread(() -> {
                try {
                    while (!Files.exists(commitLog)) Thread.sleep(5);
                    try (BufferedReader br = Files.newBufferedReader(commitLog)) {
                        StringBuilder partial = new StringBuilder();
                        while (true) {
                            int c = br.read();
                            if (c == -1) {
                                if (genDone.get() && Files.exists(doneFile)) {
                                    // one last read after the generator exited
                                    if (!br.ready()) break;
                                    continue;
                                }
                                Thread.sleep(5);
                                continue;
                            }
                            if (c != '\n') { partial.append((char) c); continue; }
                            String[] f = partial.toString().split(",");
                            partial.setLength(0);
                            if (f.length < 3) continue;
                            long first = Long.parseLong(f[0].trim()), lastId = Long.parseLong(f[1].trim()),
                                ms = Long.parseLong(f[2].trim());
                            inserted[0] += lastId - first + 1;
                            inserted[2] = Math.min(inserted[2], ms);
                            inserted[3] = Math.max(inserted[3], ms);
                            Pending p = new Pending(lastId, ms);
                            commitOf.put(lastId, ms);
                            redisIn.add(p);
                            if (inserted[1]++ % chEvery == 0) chIn.add(p);
                        }
                    }
                } catch (Exception e) {
                    log("commit-log tail failed: %s", e);
                }
            }, "tail");

            Thread redisPoller = new Thread(() -> {
                List<Pending> pend = new ArrayList<>();
                try (Socket s = new Socket("127.0.0.1", redisPort)) {
                    s.setTcpNoDelay(true);
                    OutputStream os = s.getOutputStream();
                    InputStream is = new java.io.BufferedInputStream(s.getInputStream());
                    long prev = 0;
                    while (!stop.get()) {
                        long t0 = System.nanoTime();
                        if (prev != 0) {
                            long per = t0 - prev;
                            redis.rounds++; redis.roundNanos += per; redis.maxRoundNanos = Math.max(redis.maxRoundNanos, per);
                        }
                        prev = t0;
                        Pending p;
                        while ((p = redisIn.poll()) != null) pend.add(p);
                        if (!pend.isEmpty()) {
                            StringBuilder cmd = new StringBuilder();
                            for (Pending x : pend) {
                                // The service's state hash of 1,024 consecutive ids holds the event under its id
                                // (the prefix is a hash tag: LeaderboardKeys).
                                String key = "{" + prefix + "}:evs:" + Math.floorDiv(x.id(), 1024);
                                String field = Long.toString(x.id());
                                cmd.append("*3\r\n$7\r\nHEXISTS\r\n$").append(key.length()).append("\r\n").append(key)
                                        .append("\r\n$").append(field.length()).append("\r\n").append(field).append("\r\n");
                            }
                            os.write(cmd.toString().getBytes(StandardCharsets.UTF_8));
                            os.flush();
                            boolean[] found = new boolean[pend.size()];
                            for (int i = 0; i < pend.size(); i++) found[i] = readLine(is).equals(":1");
                            long now = System.currentTimeMillis();
                            List<Pending> keep = new ArrayList<>();
                            for (int i = 0; i < pend.size(); i++) {
                                Pending x = pend.get(i);
                                if (found[i]) {
                                    redis.add(x.commitMs(), now - x.commitMs());
                                    inRedisAt.put(x.id(), now);
                                }
                                else if (now - x.commitMs() > giveUpMs) missing[0]++;
                                else keep.add(x);
                            }
                            pend = keep;
                        } else if (genDone.get() && redisIn.isEmpty() && !tail.isAlive()) {
                            break;
                        }
                        long sleep = redisPollMs - (System.nanoTime() - t0) / 1_000_000;
                        if (sleep > 0) Thread.sleep(sleep);
                    }
                    missing[0] += pend.size();
                } catch (Exception e) {
                    log("redis poller failed: %s", e);
                }
            }, "redis");

            Thread chPoller = new Thread(() -> {
                HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
                Map<Long, Pending> pend = new HashMap<>();
                long prev = 0;
                try {
                    while (!stop.get()) {
                        long t0 = System.nanoTime();
                        if (prev != 0) {
                            long per = t0 - prev;
                            ch.rounds++; ch.roundNanos += per; ch.maxRoundNanos = Math.max(ch.maxRoundNanos, per);
                        }
                        prev = t0;
                        Pending p;
                        while ((p = chIn.poll()) != null) pend.put(p.id(), p);
                        if (!pend.isEmpty()) {
                            StringBuilder ids = new StringBuilder();
                            for (Long id : pend.keySet()) { if (ids.length() > 0) ids.append(','); ids.append(id); }
                            // the base table, not FINAL: presence of the row is what we time
                            String q = "SELECT event_id FROM app.enriched_engagements WHERE event_ts > now() - INTERVAL 1 HOUR"
                                + " AND event_id IN (" + ids + ") FORMAT TSV";
                            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(chUrl + "/"))
                                .timeout(Duration.ofSeconds(5)).POST(HttpRequest.BodyPublishers.ofString(q)).build(),
                                HttpResponse.BodyHandlers.ofString());
                            long now = System.currentTimeMillis();
                            if (r.statusCode() == 200) {
                                for (String line : r.body().split("\n")) {
                                    if (line.isBlank()) continue;
                                    Pending x = pend.remove(Long.parseLong(line.trim()));
                                    if (x != null) ch.add(x.commitMs(), now - x.commitMs());
                                }
                            } else {
                                log("clickhouse poll: HTTP %d %s", r.statusCode(), r.body());
                            }
                            pend.values().removeIf(x -> {
                                if (now - x.commitMs() > giveUpMs) { missing[1]++; return true; }
                                return false;
                            });
                        } else if (genDone.get() && chIn.isEmpty() && !tail.isAlive()) {
                            break;
                        }
                        long sleep = chPollMs - (System.nanoTime() - t0) / 1_000_000;
                        if (sleep > 0) Thread.sleep(sleep);
                    }
                    missing[1] += pend.size();
                } catch (Exception e) {
                    log("clickhouse poller failed: %s", e);
                }
            }, "clickhouse");

            Thread offsetSampler = new Thread(() -> {
                try (KafkaConsumer<byte[], byte[]> c = consumer(req(o, "bootstrap"), "bench-offsets-unused")) {
                    while (!stop.get()) {
                        long t = System.currentTimeMillis();
                        try {
                            offsets.add(new long[]{t, endOffsetSum(c, topic)});
                        } catch (Exception e) {
                            // topic may not exist before the first event
                        }
                        Thread.sleep(Math.max(1, 500 - (System.currentTimeMillis() - t)));
                    }
                } catch (Exception e) {
                    log("offset sampler: %s", e);
                }
            }, "offsets");

            // The events topic from its start: each record's timestamp is when Connect produced it.
            java.util.regex.Pattern idInKey = java.util.regex.Pattern.compile("\"id\"\\s*:\\s*(\\d+)");
            Thread appendReader = new Thread(() -> {
                try (KafkaConsumer<byte[], byte[]> c = consumer(req(o, "bootstrap"), "bench-e2e-append-" + System.nanoTime())) {
                    c.subscribe(List.of(topic));
                    while (!stop.get()) {
                        for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
                            if (r.key() == null) continue;
                            var m = idInKey.matcher(new String(r.key(), StandardCharsets.UTF_8));
                            if (m.find()) appendedAt.putIfAbsent(Long.parseLong(m.group(1)), r.timestamp());
                        }
                    }
                } catch (Exception e) {
                    log("topic reader: %s", e);
                }
            }, "appends");

            appendReader.start();
            offsetSampler.start();
            tail.start();
            redisPoller.start();
            chPoller.start();
            long tStart = System.currentTimeMillis();
            while (!Files.exists(doneFile)) Thread.sleep(20);
            long tGenDone = System.currentTimeMillis();
            genDone.set(true);
            tail.join();
            redisPoller.join(giveUpMs + 10_000);
            chPoller.join(giveUpMs + 10_000);
            // let the topic settle: stop when its end offset has not moved for 3 s (max 60 s)
            long settleDeadline = System.currentTimeMillis() + 60_000;
            while (System.currentTimeMillis() < settleDeadline) {
                Thread.sleep(500);
                long[] lastS, earlier = null;
                synchronized (offsets) {
                    if (offsets.size() < 8) continue;
                    lastS = offsets.get(offsets.size() - 1);
                    for (int i = offsets.size() - 1; i >= 0; i--) {
                        if (lastS[0] - offsets.get(i)[0] >= 3000) { earlier = offsets.get(i); break; }
                    }
                }
                if (earlier != null && earlier[1] == lastS[1] && lastS[0] > tGenDone) break;
            }
            stop.set(true);
            redisPoller.join(5000);
            chPoller.join(5000);
            offsetSampler.join(5000);
            appendReader.join(5000);

            ObjectNode out = MAPPER.createObjectNode();
            Stats toKafka = new Stats(), kafkaToRedis = new Stats();
            commitOf.forEach((id, commitMs) -> {
                Long appended = appendedAt.get(id), seen = inRedisAt.get(id);
                if (appended != null) toKafka.add(commitMs, appended - commitMs);
                if (appended != null && seen != null) kafkaToRedis.add(commitMs, seen - appended);
            });
            out.put("inserted_events", inserted[0]);
            out.put("commit_batches", inserted[1]);
            double genSecs = (inserted[3] - inserted[2]) / 1000.0;
            out.put("generator_seconds", round(genSecs, 1));
            out.put("generator_events_per_s", genSecs > 0 ? Math.round(inserted[0] / genSecs) : 0);
            out.set("commit_to_redis", redis.json(missing[0]));
            // Debezium's part (commit -> record appended to Kafka) and the service's (appended -> in Redis), per batch.
            out.set("commit_to_kafka", toKafka.json(0));
            out.set("kafka_to_redis", kafkaToRedis.json(0));
            out.set("commit_to_clickhouse", ch.json(missing[1]));
            out.put("clickhouse_sample_every_nth_batch", chEvery);
            // Debezium: records appended to the events topic between the first and the last commit, per second
            List<long[]> offs;
            synchronized (offsets) { offs = new ArrayList<>(offsets); }
            if (offs.size() >= 2) {
                long base = offs.get(0)[1];
                long endOff = offs.get(offs.size() - 1)[1];
                long[] atFirst = null, atLast = null, settled = null;
                for (long[] s : offs) {
                    if (atFirst == null && s[0] >= inserted[2]) atFirst = s;
                    if (s[0] <= inserted[3]) atLast = s;
                    if (settled == null && s[1] == endOff) settled = s;
                }
                out.put("topic_records_total", endOff - base);
                if (atFirst != null && atLast != null && atLast[0] > atFirst[0]) {
                    out.put("debezium_records_per_s_during_run",
                        Math.round((atLast[1] - atFirst[1]) * 1000.0 / (atLast[0] - atFirst[0])));
                }
                // peak 5 s window
                long peak = 0;
                for (int i = 0, j = 0; i < offs.size(); i++) {
                    while (j < offs.size() && offs.get(j)[0] - offs.get(i)[0] < 5000) j++;
                    if (j < offs.size()) peak = Math.max(peak, (offs.get(j)[1] - offs.get(i)[1]) * 1000 / (offs.get(j)[0] - offs.get(i)[0]));
                }
                out.put("debezium_peak_5s_records_per_s", peak);
                if (settled != null) {
                    out.put("topic_settled_after_last_commit_s", round((settled[0] - inserted[3]) / 1000.0, 1));
                    double span = (settled[0] - inserted[2]) / 1000.0;
                    out.put("debezium_records_per_s_first_commit_to_settled", Math.round((endOff - base) / span));
                }
            }
            out.put("probe_seconds", round((System.currentTimeMillis() - tStart) / 1000.0, 1));
            JsonNode r = out.get("commit_to_redis"), c = out.get("commit_to_clickhouse");
            log("commit->redis p50 %s p99 %s max %s ms (%s samples, %s missing); commit->clickhouse p50 %s p99 %s max %s ms",
                r.path("p50_ms"), r.path("p99_ms"), r.path("max_ms"), r.path("samples"), r.path("missing"),
                c.path("p50_ms"), c.path("p99_ms"), c.path("max_ms"));
            JsonNode k = out.get("commit_to_kafka"), kr = out.get("kafka_to_redis");
            log("of which commit->kafka (Debezium) p50 %s p99 %s max %s ms; kafka->redis (service) p50 %s p99 %s max %s ms",
                k.path("p50_ms"), k.path("p99_ms"), k.path("max_ms"), kr.path("p50_ms"), kr.path("p99_ms"), kr.path("max_ms"));
            return out;
        }
    }

    /**
     * A recording receiver for the external system (soak mode): real HTTP on 127.0.0.1, answers 200 and keeps, per
     * op, the event ids it took and a 64-bit hash of every idempotency key (to count repeats and check that a
     * change always comes with the same key). Runs until --stop-file exists; then checks every live id in
     * --live-ids (one per line, from PostgreSQL) was taken as an insert and writes the summary.
     */
    static final class Receiver {
        /** Key hashes of one op ("c", "u" or "d"), grown as they arrive. */
        static final class Keys {
            long[] hashes = new long[1 << 18];
            int n;
            final java.util.BitSet ids = new java.util.BitSet();

            void add(long id, long hash) {
                if (n == hashes.length) hashes = Arrays.copyOf(hashes, n * 2);
                hashes[n++] = hash;
                ids.set((int) id);
            }

            long distinct() {
                long[] all = Arrays.copyOf(hashes, n);
                Arrays.sort(all);
                long d = n == 0 ? 0 : 1;
                for (int i = 1; i < n; i++) if (all[i] != all[i - 1]) d++;
                return d;
            }
        }

        static ObjectNode run(Map<String, String> o) throws Exception {
            int port = Integer.parseInt(req(o, "port"));
            Path stop = Path.of(req(o, "stop-file"));
            Path liveIds = Path.of(req(o, "live-ids"));
            Map<String, Keys> byOp = Map.of("c", new Keys(), "u", new Keys(), "d", new Keys(), "r", new Keys());
            long[] counts = new long[2]; // requests, elements
            com.sun.net.httpserver.HttpServer server = com.sun.net.httpserver.HttpServer.create(
                    new java.net.InetSocketAddress("127.0.0.1", port), 128);
            server.createContext("/events", exchange -> {
                try (exchange) {
                    JsonNode batch = MAPPER.readTree(exchange.getRequestBody().readAllBytes());
                    synchronized (counts) {
                        counts[0]++;
                        for (JsonNode e : batch) {
                            counts[1]++;
                            Keys keys = byOp.get(e.path("op").asText());
                            if (keys != null) keys.add(e.path("event_id").asLong(), hash(e.path("idempotency_key").asText()));
                        }
                    }
                    exchange.sendResponseHeaders(200, -1);
                } catch (Exception e) {
                    exchange.sendResponseHeaders(500, -1);
                }
            });
            java.util.concurrent.ExecutorService workers = java.util.concurrent.Executors.newFixedThreadPool(4);
            server.setExecutor(workers);
            server.start();
            log("receiver on 127.0.0.1:%d until %s exists", port, stop);
            while (!Files.exists(stop)) Thread.sleep(500);
            server.stop(0);
            workers.shutdownNow();
            long live = 0, missing = 0;
            List<Long> someMissing = new ArrayList<>();
            java.util.BitSet taken = (java.util.BitSet) byOp.get("c").ids.clone();
            taken.or(byOp.get("r").ids);
            for (String line : Files.readAllLines(liveIds)) {
                if (line.isBlank()) continue;
                long id = Long.parseLong(line.trim());
                live++;
                if (!taken.get((int) id)) {
                    missing++;
                    if (someMissing.size() < 10) someMissing.add(id);
                }
            }
            ObjectNode out = MAPPER.createObjectNode();
            long distinctAll = 0;
            long received = 0;
            boolean oneKeyEach = true;
            for (String op : List.of("c", "u", "d")) {
                Keys k = byOp.get(op);
                long distinct = k.distinct();
                distinctAll += distinct;
                received += k.n;
                ObjectNode per = out.putObject("op_" + op);
                per.put("received", k.n);
                per.put("distinct_keys", distinct);
                per.put("distinct_events", k.ids.cardinality());
                // An event is inserted once and deleted once: one key each, however often it is redelivered.
                if (!op.equals("u") && distinct != k.ids.cardinality()) oneKeyEach = false;
            }
            out.put("requests", counts[0]);
            out.put("elements_received", counts[1]);
            out.put("distinct_keys", distinctAll);
            out.put("repeats", received - distinctAll);
            out.put("live_events_in_postgres", live);
            out.put("live_events_missing_at_receiver", missing);
            out.putPOJO("some_missing", someMissing);
            out.put("one_key_per_insert_and_delete", oneKeyEach);
            out.put("ok", missing == 0 && oneKeyEach);
            return out;
        }

        private static long hash(String key) throws Exception {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
            long h = 0;
            for (int i = 0; i < 8; i++) h = (h << 8) | (d[i] & 0xff);
            return h;
        }
    }
}

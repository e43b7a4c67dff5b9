package io.pandashop.pipeline.it;

import com.clickhouse.client.api.Client;
import com.clickhouse.client.api.query.GenericRecord;
import com.fasterxml.jackson.databind.JsonNode;
import io.pandashop.pipeline.health.StageThreads;
import io.pandashop.pipeline.sink.redis.LeaderboardKeys;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.redis.datasource.stream.StreamMessage;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.stream.Collectors;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The seed's scenario end to end on the real stack: scripted changes in PostgreSQL must give exactly what the
 * enrichment rules compute in PostgreSQL, in ClickHouse, Redis and at the external receiver; a replay of the
 * same Debezium records with new offsets must change nothing.
 */
@QuarkusTest
class PipelineScenarioTest {

    private static final DateTimeFormatter MILLIS = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS");

    @Inject
    Pool pg;
    @Inject
    Client clickHouse;
    @Inject
    RedisDataSource redis;
    @Inject
    LeaderboardKeys keys;
    @Inject
    io.micrometer.core.instrument.MeterRegistry meters;

    private final UUID c1 = UUID.randomUUID(); // podcast, 1200 s
    private final UUID c2 = UUID.randomUUID(); // newsletter, NULL length
    private final UUID c3 = UUID.randomUUID(); // video, 0 s
    private final UUID c4 = UUID.randomUUID(); // video, 90 s, renamed during the test
    private final UUID c5 = UUID.randomUUID(); // podcast, inserted in the same transaction as its event
    private final Map<String, Long> ids = new LinkedHashMap<>();

    @Test
    void scriptedChangesArriveExactlyOnceInEveryDestination() throws Exception {
        runScript();
        Set<Long> live = Set.of(id("e1"), id("e2"), id("e3"), id("e4"), id("e5"), id("e6"), id("e8"));

        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                .untilAsserted(() -> assertEquals(expectedFromPostgres(), clickHouseRows()));
        Map<Long, Map<String, String>> rows = clickHouseRows();
        assertEquals(live, rows.keySet(), "one row per live event, the deleted one gone");
        assertEquals("55.45", rows.get(id("e5")).get("engagement_percent"), "ties round half up");
        assertEquals("5", rows.get(id("e1")).get("engagement_percent"), "the updated duration counts");
        assertEquals("Renamed Video", rows.get(id("e8")).get("content_title"));
        assertEquals("null", rows.get(id("e4")).get("content_slug"), "LEFT JOIN keeps events without content");
        assertEquals(1L, deletedRowsUnderOldKey(id("e5")), "the moved event's old key is marked deleted");

        Map<String, BigDecimal> expectedScores = Map.of(c4.toString(), new BigDecimal("20.00"),
                c5.toString(), new BigDecimal("10.00"), c1.toString(), new BigDecimal("5.00"));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertEquals(expectedScores, leaderboard()));
        assertEquals(expectedStreams(), streams());
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertEquals(expectedDeliveries(),
                externalDeliveries()));
        assertAuthHeaderAndKeys();

        // A Debezium replay: the same change records again, under new offsets.
        int replayed = replayRecordsOf(Set.copyOf(ids.values()));
        assertEquals(11, replayed, "every change of the script was replayed");
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                .until(() -> Stack.caughtUp(Stack.config("pipeline.consumer-group"), Stack.eventsTopic()));
        assertEquals(expectedFromPostgres(), clickHouseRows());
        assertEquals(expectedScores, leaderboard());
        assertEquals(expectedStreams(), streams());
        assertEquals(expectedDeliveries(), externalDeliveries(), "redeliveries carry the same keys");
        assertEveryStageRanOnTheWorkerPool();
    }

    /**
     * Every stage's CPU work (decoding, enrichment, each destination's requests) ran on the worker pool: none on a
     * Vert.x event loop or on the Kafka consumer's thread.
     */
    private void assertEveryStageRanOnTheWorkerPool() {
        for (StageThreads.Stage stage : StageThreads.Stage.values()) {
            Map<String, Double> byThread = new java.util.TreeMap<>();
            for (io.micrometer.core.instrument.Counter c : meters.find("pipeline.stage.work")
                    .tag("stage", stage.tag()).counters()) {
                byThread.put(c.getId().getTag("thread"), c.count());
            }
            assertTrue(byThread.getOrDefault("worker", 0.0) > 0, stage + " has run: " + byThread);
            assertEquals(0.0, byThread.getOrDefault("event-loop", 0.0) + byThread.getOrDefault("other", 0.0),
                    stage + " ran off the worker pool: " + byThread);
        }
    }

    private long id(String name) {
        return ids.get(name);
    }

    private void runScript() {
        String content = "INSERT INTO content (id, slug, title, content_type, length_seconds, publish_ts) "
                + "VALUES ($1, $2, $3, $4, $5, now() - interval '3 days')";
        pg.withTransaction(tx -> tx.preparedQuery(content).executeBatch(List.of(
                Tuple.of(c1, "pod-" + c1, "Podcast One", "podcast", 1200),
                Tuple.of(c2, "news-" + c2, "Newsletter", "newsletter", null),
                Tuple.of(c3, "clip-" + c3, "Zero Clip", "video", 0),
                Tuple.of(c4, "video-" + c4, "Video Four", "video", 90)))
                .flatMap(x -> insert(tx, "e1", c1, "play", 30_000, "ios"))
                .flatMap(x -> insert(tx, "e2", c2, "finish", null, "web-safari"))
                .flatMap(x -> insert(tx, "e3", c3, "click", 5_000, "tv"))
                .flatMap(x -> insert(tx, "e4", null, "pause", 1_000, "android"))
                .flatMap(x -> insert(tx, "e5", c1, "finish", 665_340, "web-chrome"))
                .flatMap(x -> insert(tx, "e7", c4, "play", 45_000, "ios"))).await().indefinitely();
        pg.withTransaction(tx -> tx.preparedQuery(content).execute(Tuple.of(c5, "same-tx-" + c5, "Same Tx", "podcast",
                600)).flatMap(x -> insert(tx, "e6", c5, "play", 60_000, "ios"))).await().indefinitely();
        exec("UPDATE engagement_events SET duration_ms = 60000 WHERE id = $1", id("e1"));
        exec("UPDATE engagement_events SET event_ts = event_ts - interval '1 hour' WHERE id = $1", id("e5"));
        exec("DELETE FROM engagement_events WHERE id = $1", id("e7"));
        // "A changed content row applies to the events processed after it", even when the event follows the change
        // at once: the content cache barrier makes the event wait for the change.
        exec("UPDATE content SET title = 'Renamed Video' WHERE id = $1", c4);
        pg.withTransaction(tx -> insert(tx, "e8", c4, "click", 18_000, "tv")).await().indefinitely();
    }

    private io.smallrye.mutiny.Uni<Void> insert(SqlConnection tx, String name, UUID content, String type,
            Integer durationMs, String device) {
        return tx.preparedQuery("INSERT INTO engagement_events (content_id, user_id, event_type, event_ts, duration_ms,"
                        + " device, raw_payload) VALUES ($1, $2, $3, date_trunc('milliseconds', now()), $4, $5, "
                        + "'{\"source\": \"scenario\"}'::jsonb) RETURNING id")
                .execute(Tuple.of(content, UUID.randomUUID(), type, durationMs, device))
                .invoke(rows -> ids.put(name, rows.iterator().next().getLong("id")))
                .replaceWithVoid();
    }

    private void exec(String sql, Object arg) {
        pg.preparedQuery(sql).execute(Tuple.of(arg)).await().indefinitely();
    }

    /** What the seed's rules give, computed by PostgreSQL itself (LEFT JOIN, numeric round). */
    private Map<Long, Map<String, String>> expectedFromPostgres() {
        String sql = """
                SELECT e.id, e.content_id::text, e.user_id::text, e.event_type, e.event_ts, e.duration_ms, e.device,
                       (e.duration_ms / 1000.0)::text AS engagement_seconds,
                       CASE WHEN c.length_seconds IS NULL OR c.length_seconds = 0 THEN NULL
                            ELSE round(e.duration_ms / 1000.0 / c.length_seconds * 100, 2)::text END AS engagement_percent,
                       c.slug, c.title, c.content_type, c.length_seconds, c.publish_ts
                FROM engagement_events e LEFT JOIN content c ON c.id = e.content_id
                WHERE e.id = ANY($1)""";
        Map<Long, Map<String, String>> expected = new TreeMap<>();
        for (Row r : pg.preparedQuery(sql).execute(Tuple.of(ids.values().toArray(new Long[0]))).await().indefinitely()) {
            Map<String, String> row = new TreeMap<>();
            row.put("content_id", String.valueOf(r.getString("content_id")));
            row.put("user_id", String.valueOf(r.getString("user_id")));
            row.put("event_type", String.valueOf(r.getString("event_type")));
            row.put("event_ts", millis(r.getOffsetDateTime("event_ts")));
            row.put("duration_ms", String.valueOf(r.getInteger("duration_ms")));
            row.put("device", String.valueOf(r.getString("device")));
            row.put("engagement_seconds", decimal(r.getString("engagement_seconds")));
            row.put("engagement_percent", decimal(r.getString("engagement_percent")));
            row.put("content_slug", String.valueOf(r.getString("slug")));
            row.put("content_title", String.valueOf(r.getString("title")));
            row.put("content_type", String.valueOf(r.getString("content_type")));
            row.put("length_seconds", String.valueOf(r.getInteger("length_seconds")));
            row.put("publish_ts", r.getOffsetDateTime("publish_ts") == null ? "null"
                    : millis(r.getOffsetDateTime("publish_ts")));
            expected.put(r.getLong("id"), row);
        }
        return expected;
    }

    private Map<Long, Map<String, String>> clickHouseRows() {
        String sql = "SELECT toInt64(event_id) AS id, toString(content_id) AS content_id, toString(user_id) AS user_id, "
                + "toString(event_type) AS event_type, toString(event_ts) AS event_ts, toString(duration_ms) AS duration_ms, "
                + "toString(device) AS device, toString(engagement_seconds) AS engagement_seconds, "
                + "toString(engagement_percent) AS engagement_percent, toString(content_slug) AS content_slug, "
                + "toString(content_title) AS content_title, toString(content_type) AS content_type, "
                + "toString(length_seconds) AS length_seconds, toString(publish_ts) AS publish_ts "
                + "FROM app.enriched_engagements_current WHERE event_id IN (" + idList() + ")";
        Map<Long, Map<String, String>> rows = new TreeMap<>();
        for (GenericRecord r : clickHouse.queryAll(sql)) {
            Map<String, String> row = new TreeMap<>();
            for (String column : List.of("content_id", "user_id", "event_type", "event_ts", "duration_ms", "device",
                    "engagement_seconds", "engagement_percent", "content_slug", "content_title", "content_type",
                    "length_seconds", "publish_ts")) {
                Object v = r.getObject(column);
                row.put(column, v == null ? "null" : decimalIfNumber(column, v.toString()));
            }
            rows.put(r.getLong("id"), row);
        }
        return rows;
    }

    private long deletedRowsUnderOldKey(long eventId) {
        return clickHouse.queryAll("SELECT toInt64(count()) AS n FROM app.enriched_engagements "
                + "WHERE event_id = " + eventId + " AND is_deleted = 1").get(0).getLong("n");
    }

    private String idList() {
        return ids.values().stream().map(String::valueOf).collect(Collectors.joining(","));
    }

    private static String millis(OffsetDateTime t) {
        return MILLIS.format(t.withOffsetSameInstant(ZoneOffset.UTC));
    }

    private static String decimal(String s) {
        return s == null ? "null" : new BigDecimal(s).stripTrailingZeros().toPlainString();
    }

    private static String decimalIfNumber(String column, String v) {
        return column.startsWith("engagement_") ? decimal(v) : v;
    }

    private Map<String, BigDecimal> leaderboard() {
        JsonNode top = RestAssured.given().get("/api/top-content?limit=1000&window=10").then().statusCode(200)
                .extract().as(JsonNode.class);
        Set<String> ours = Set.of(c1.toString(), c2.toString(), c3.toString(), c4.toString(), c5.toString());
        Map<String, BigDecimal> scores = new HashMap<>();
        for (JsonNode entry : top) {
            if (ours.contains(entry.get("content_id").asText())) {
                scores.put(entry.get("content_id").asText(), entry.get("score").decimalValue().setScale(2));
            }
        }
        return scores;
    }

    private Map<String, List<String>> expectedStreams() {
        Map<String, List<String>> expected = new TreeMap<>();
        expected.put("podcast", sorted(id("e1") + ":c", id("e1") + ":u", id("e5") + ":c", id("e5") + ":u",
                id("e6") + ":c"));
        expected.put("video", sorted(id("e3") + ":c", id("e7") + ":c", id("e7") + ":d", id("e8") + ":c"));
        expected.put("newsletter", sorted(id("e2") + ":c"));
        expected.put("none", sorted(id("e4") + ":c"));
        return expected;
    }

    private Map<String, List<String>> streams() throws Exception {
        Set<String> ours = ids.values().stream().map(String::valueOf).collect(Collectors.toSet());
        Map<String, List<String>> found = new TreeMap<>();
        for (String type : List.of("podcast", "video", "newsletter", "none")) {
            List<String> entries = new ArrayList<>();
            for (StreamMessage<String, String, String> m : redis.stream(String.class)
                    .xrange(keys.stream(type), io.quarkus.redis.datasource.stream.StreamRange.of("-", "+"))) {
                JsonNode data = Stack.JSON.readTree(m.payload().get("data"));
                if (ours.contains(data.get("event_id").asText())) {
                    assertEquals(data.get("op").asText(), m.payload().get("op"));
                    entries.add(data.get("event_id").asText() + ":" + m.payload().get("op"));
                }
            }
            found.put(type, sorted(entries.toArray(new String[0])));
        }
        return found;
    }

    private static List<String> sorted(String... values) {
        List<String> list = new ArrayList<>(List.of(values));
        java.util.Collections.sort(list);
        return list;
    }

    /**
     * The distinct (event, op) deliveries the external receiver saw, each with whether its idempotency key names
     * the event and its source transaction, and is its own (a repeat of one change repeats its key; two changes
     * never share one).
     */
    private Set<String> externalDeliveries() throws Exception {
        Set<String> ours = ids.values().stream().map(String::valueOf).collect(Collectors.toSet());
        Set<String> seen = new TreeSet<>();
        Map<String, String> changeByKey = new java.util.HashMap<>();
        for (JsonNode request : Stack.externalRequests()) {
            for (JsonNode e : Stack.JSON.readTree(request.path("body").asText())) {
                if (ours.contains(e.get("event_id").asText())) {
                    String change = e.get("event_id").asText() + ":" + e.get("op").asText();
                    String other = changeByKey.putIfAbsent(e.get("idempotency_key").asText(), change);
                    assertTrue(other == null || other.equals(change), "one key for " + other + " and " + change);
                    seen.add(e.get("event_id").asText() + ":" + e.get("op").asText() + ":"
                            + e.get("idempotency_key").asText().startsWith(
                                    "engagement_events:" + e.get("event_id").asText() + ":" + e.get("tx_id").asText()
                                            + ":"));
                }
            }
        }
        return seen;
    }

    private Set<String> expectedDeliveries() {
        Set<String> expected = new TreeSet<>();
        for (String change : List.of("e1:c", "e1:u", "e2:c", "e3:c", "e4:c", "e5:c", "e5:u", "e6:c", "e7:c", "e7:d",
                "e8:c")) {
            String[] parts = change.split(":");
            expected.add(id(parts[0]) + ":" + parts[1] + ":true");
        }
        return expected;
    }

    private void assertAuthHeaderAndKeys() {
        for (JsonNode request : Stack.externalRequests()) {
            assertEquals("Bearer test-token", request.path("headers").path("Authorization").asText(),
                    "the configured auth header is sent");
            // The body is streamed from the batch's buffer: sent whole with its length (not chunked), as JSON, and
            // the key is the SHA-256 of exactly what arrived.
            byte[] body = java.util.Base64.getDecoder().decode(request.path("bodyAsBase64").asText());
            JsonNode envelopes = readJson(body);
            assertTrue(envelopes.isArray() && envelopes.size() > 0, "a JSON array of envelopes");
            envelopes.forEach(e -> assertTrue(e.path("idempotency_key").isTextual(), e.toString()));
            assertEquals("application/json", header(request, "Content-Type"));
            assertEquals(Integer.toString(body.length), header(request, "Content-Length"));
            assertNull(header(request, "Transfer-Encoding"));
            assertEquals(sha256(body), header(request, "Idempotency-Key"));
        }
    }

    private static JsonNode readJson(byte[] body) {
        try {
            return new com.fasterxml.jackson.databind.ObjectMapper().readTree(body);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static String header(JsonNode request, String name) {
        for (var h : (Iterable<java.util.Map.Entry<String, JsonNode>>) () -> request.path("headers").fields()) {
            if (h.getKey().equalsIgnoreCase(name)) {
                return h.getValue().isArray() ? h.getValue().get(0).asText() : h.getValue().asText();
            }
        }
        return null;
    }

    private static String sha256(byte[] body) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(body));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Reads this test's change records back from the topic and produces them again, as Debezium does on replay. */
    private int replayRecordsOf(Set<Long> eventIds) {
        Properties c = new Properties();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, Stack.bootstrap());
        c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        List<ConsumerRecord<byte[], byte[]>> ours = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(c)) {
            List<TopicPartition> partitions = consumer.partitionsFor(Stack.eventsTopic()).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            long deadline = System.currentTimeMillis() + 30_000;
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))
                    && System.currentTimeMillis() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    if (r.value() != null && r.key() != null && eventIds.contains(keyId(r.key()))) {
                        ours.add(r);
                    }
                }
            }
        }
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, Stack.bootstrap());
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p)) {
            for (ConsumerRecord<byte[], byte[]> r : ours) {
                producer.send(new ProducerRecord<>(r.topic(), r.partition(), r.key(), r.value()));
            }
            producer.flush();
        }
        return ours.size();
    }

    private static long keyId(byte[] key) {
        try {
            return Stack.JSON.readTree(new String(key, StandardCharsets.UTF_8)).path("id").asLong(-1);
        } catch (Exception e) {
            return -1;
        }
    }
}

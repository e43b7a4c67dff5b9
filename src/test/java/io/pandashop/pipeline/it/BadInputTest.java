package io.pandashop.pipeline.it;

import com.clickhouse.client.api.Client;
import io.pandashop.pipeline.sink.redis.LeaderboardKeys;
import io.pandashop.pipeline.testsupport.BadInputs;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Bad input on the real stack (README, "Failure policy"): every kind of bad record produced straight to the CDC
 * topics is parked on the dead-letter topic with its reason and position, counted, and the partition goes on: a
 * normal event written after them arrives in all three destinations. Valid oddities (a tombstone, a null key, an
 * envelope with schemas) are applied.
 */
@QuarkusTest
class BadInputTest {

    /** Larger than the service's max.partition.fetch.bytes (4 MiB): Kafka still hands it over, alone. */
    private static final int OVER_FETCH_SIZE = 5 * 1024 * 1024;

    @Inject
    Pool pg;
    @Inject
    Client clickHouse;
    @Inject
    RedisDataSource redis;
    @Inject
    LeaderboardKeys keys;

    @Test
    void everyKindOfBadEngagementRecordIsParkedAndThePartitionGoesOn() throws Exception {
        String run = UUID.randomUUID().toString();
        List<BadInputs.Case> cases = new java.util.ArrayList<>(BadInputs.engagement());
        cases.add(new BadInputs.Case("over-fetch-size", BadInputs.huge(OVER_FETCH_SIZE), "not JSON", true));
        allowLargeRecords(Stack.eventsTopic());
        double before = Stack.metric("pipeline_dead_letter_total", "kind=\"bad-record\"", "engagement_events");
        long nullKeyId = 8_000_000_000L + ThreadLocalRandom.current().nextLong(1_000_000_000L);
        long schemaId = nullKeyId + 1;
        long afterId = nullKeyId + 2;
        try (KafkaProducer<byte[], byte[]> producer = producer()) {
            // One partition: the valid event written after them there shows that this partition goes on.
            for (BadInputs.Case bad : cases) {
                producer.send(new ProducerRecord<>(Stack.eventsTopic(), 0, key(run, bad.name()), bad.value())).get();
            }
            producer.send(new ProducerRecord<>(Stack.eventsTopic(), 0, key(run, "after-them"),
                    BadInputs.envelope(afterId, Instant.now().toString(), "").getBytes(StandardCharsets.UTF_8))).get();
            producer.send(new ProducerRecord<>(Stack.eventsTopic(), key(run, "tombstone"), null)).get();
            producer.send(new ProducerRecord<>(Stack.eventsTopic(), null,
                    BadInputs.envelope(nullKeyId, Instant.now().toString(), "").getBytes(StandardCharsets.UTF_8))).get();
            producer.send(new ProducerRecord<>(Stack.eventsTopic(), key(run, "with-schemas"),
                    withSchemas(schemaId).getBytes(StandardCharsets.UTF_8))).get();
        }
        long normal = insertEvent("now()");

        Arrivals.awaitEverywhere(clickHouse, redis, keys, afterId);
        Arrivals.awaitEverywhere(clickHouse, redis, keys, normal);
        await().atMost(Duration.ofSeconds(30)).until(() -> Arrivals.clickHouseRows(clickHouse, nullKeyId) == 1
                && Arrivals.clickHouseRows(clickHouse, schemaId) == 1);
        await().atMost(Duration.ofSeconds(60)).until(() -> Stack.metric("pipeline_dead_letter_total",
                "kind=\"bad-record\"", "engagement_events") >= before + cases.size());
        assertEquals(cases.size(), (int) (Stack.metric("pipeline_dead_letter_total", "kind=\"bad-record\"",
                "engagement_events") - before), "each bad record counted once, the valid ones not at all");

        Map<String, DeadLetters.Parked> parked = DeadLetters.read(k -> k.startsWith(run), cases.size());
        for (BadInputs.Case bad : cases) {
            DeadLetters.Parked p = parked.get(new String(key(run, bad.name()), StandardCharsets.UTF_8));
            assertNotNull(p, bad.name() + " is on the dead-letter topic");
            assertTrue(p.header("dead-letter-reason").contains(bad.reason()),
                    bad.name() + ": " + p.header("dead-letter-reason"));
            assertTrue(p.header("dead-letter-reason").length() <= 1024, bad.name() + ": the reason is capped");
            assertEquals(Stack.eventsTopic(), p.header("dead-letter-topic"));
            assertTrue(Long.parseLong(p.header("dead-letter-offset")) >= 0, "its source position");
            assertNotNull(p.header("dead-letter-partition"));
            assertEquals(bad.value().length, Integer.parseInt(p.header("dead-letter-size")));
            if (bad.value().length > 900_000) {
                assertEquals("true", p.header("dead-letter-truncated"), bad.name());
                assertEquals(900_000, p.value().length, bad.name() + ": a truncated copy");
            } else {
                assertTrue(java.util.Arrays.equals(bad.value(), p.value()), bad.name() + ": parked unchanged");
            }
        }
        assertTrue(parked.keySet().stream().noneMatch(k -> k.endsWith("tombstone") || k.endsWith("with-schemas")),
                "valid records are not parked");
    }

    @Test
    void badContentRecordsAreParkedAndContentGoesOn() throws Exception {
        String topic = Stack.topicPrefix() + ".public.content";
        double before = Stack.metric("pipeline_dead_letter_total", "kind=\"bad-record\"", "public.content");
        String run = UUID.randomUUID().toString();
        UUID id = UUID.randomUUID();
        String key = "{\"id\":\"" + id + "\"}";
        List<String> bad = List.of("garbage{",
                "{\"op\":\"c\",\"source\":{\"lsn\":1},\"after\":{\"id\":\"1-1-1-1-1\",\"publish_ts\":\"2026-01-01T00:00:00Z\"}}",
                "{\"op\":\"c\",\"source\":{\"lsn\":1},\"after\":{\"id\":\"" + id + "\",\"publish_ts\":\"2400-01-01T00:00:00Z\"}}");
        try (KafkaProducer<byte[], byte[]> producer = producer()) {
            for (int i = 0; i < bad.size(); i++) {
                producer.send(new ProducerRecord<>(topic, (run + ":" + i).getBytes(StandardCharsets.UTF_8),
                        bad.get(i).getBytes(StandardCharsets.UTF_8))).get();
            }
            producer.send(new ProducerRecord<>(topic, key.getBytes(StandardCharsets.UTF_8),
                    "{\"op\":\"u\",\"source\":{\"lsn\":1},\"after\":{\"id\":\"".concat(id.toString()).concat("\"}}")
                            .getBytes(StandardCharsets.UTF_8))).get();
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> Stack.metric("pipeline_dead_letter_total",
                "kind=\"bad-record\"", "public.content") >= before + bad.size() + 1);
        Map<String, DeadLetters.Parked> parked = DeadLetters.read(k -> k.startsWith(run), bad.size());
        assertEquals(bad.size(), parked.size());
        assertTrue(parked.get(run + ":0").header("dead-letter-reason").startsWith("not JSON"));
        assertTrue(parked.get(run + ":1").header("dead-letter-reason").contains("not a UUID"));
        assertTrue(parked.get(run + ":2").header("dead-letter-reason").contains("outside what ClickHouse"));

        // The content channel goes on: a new content row and an event of it arrive enriched.
        pg.preparedQuery("INSERT INTO content (id, slug, title, content_type, length_seconds, publish_ts) "
                + "VALUES ($1, $2, 'After bad records', 'video', 100, now())").execute(Tuple.of(UUID.randomUUID(), run))
                .await().indefinitely();
        await().atMost(Duration.ofSeconds(60)).until(() -> clickHouse.queryAll(
                "SELECT toInt64(count()) AS n FROM app.content_current WHERE slug = '" + run + "'").get(0).getLong("n") == 1);
    }

    /**
     * Only the image being stored is range-checked: an event stored with a year-2400 timestamp is parked, and the
     * UPDATE that corrects it lands everywhere (its before image, never stored, is not checked).
     */
    @Test
    void theUpdateThatFixesAnUnstorableTimestampLands() {
        double before = Stack.metric("pipeline_dead_letter_total", "kind=\"bad-record\"", "engagement_events");
        long id = insertEvent("'2400-01-01T00:00:00Z'");
        await().atMost(Duration.ofSeconds(60)).until(() -> Stack.metric("pipeline_dead_letter_total",
                "kind=\"bad-record\"", "engagement_events") >= before + 1);
        pg.preparedQuery("UPDATE engagement_events SET event_ts = now() WHERE id = $1").execute(Tuple.of(id))
                .await().indefinitely();
        Arrivals.awaitEverywhere(clickHouse, redis, keys, id);
        assertEquals(1, (int) (Stack.metric("pipeline_dead_letter_total", "kind=\"bad-record\"", "engagement_events")
                - before), "the insert was parked, the fix was not");
    }

    private long insertEvent(String eventTs) {
        return pg.preparedQuery("INSERT INTO engagement_events (content_id, user_id, event_type, event_ts, duration_ms, "
                        + "device) VALUES (NULL, $1, 'play', " + eventTs + ", 1000, 'web') RETURNING id")
                .execute(Tuple.of(UUID.randomUUID())).await().indefinitely().iterator().next().getLong("id");
    }

    private static byte[] key(String run, String name) {
        return (run + ":" + name).getBytes(StandardCharsets.UTF_8);
    }

    /** A real envelope with embedded schemas (src/test/resources/debezium), renumbered to a fresh event id. */
    private static String withSchemas(long id) throws Exception {
        String line = Files.readAllLines(Path.of("src/test/resources/debezium/engagement_events.with-schemas.tsv"))
                .get(0);
        String value = line.substring(line.indexOf('\t') + 1);
        String renumbered = value.replace("\"after\":{\"id\":2,", "\"after\":{\"id\":" + id + ",")
                .replace("\"content_id\":\"22222222-2222-4222-8222-222222222222\"", "\"content_id\":null")
                .replace("\"event_ts\":\"2026-11-27T10:01:00.000000Z\"", "\"event_ts\":\"" + Instant.now() + "\"");
        assertTrue(renumbered.contains("\"id\":" + id + ","), "the fixture is the one expected");
        return renumbered;
    }

    /** The topic takes records up to 8 MiB, so one larger than the consumer's fetch size can be written. */
    private static void allowLargeRecords(String topic) throws Exception {
        try (var admin = Stack.admin()) {
            admin.incrementalAlterConfigs(Map.of(new ConfigResource(ConfigResource.Type.TOPIC, topic), List.of(
                    new AlterConfigOp(new ConfigEntry("max.message.bytes", Integer.toString(8 * 1024 * 1024)),
                            AlterConfigOp.OpType.SET)))).all().get();
        }
    }

    private static KafkaProducer<byte[], byte[]> producer() {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, Stack.bootstrap());
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 8 * 1024 * 1024);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        return new KafkaProducer<>(p);
    }
}

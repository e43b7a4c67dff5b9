package io.pandashop.pipeline.it;

import com.clickhouse.client.api.Client;
import com.fasterxml.jackson.databind.JsonNode;
import io.pandashop.pipeline.sink.redis.LeaderboardKeys;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The failure policy on the real stack: each dependency is stopped for real (the stack's own scripts) while events
 * flow. The service must wait (offsets stand still), say on readiness which dependency it waits for, keep liveness
 * UP throughout, resume by itself, and end exactly equal to what PostgreSQL computes.
 */
@QuarkusTest
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class OutageTest {

    private static final Duration OUTAGE = Duration.ofSeconds(30);

    @Inject
    Pool pg;
    @Inject
    Client clickHouse;
    @Inject
    RedisDataSource redis;
    @Inject
    LeaderboardKeys keys;

    private final List<EngagementRun> runs = new ArrayList<>();

    /**
     * Tens of thousands of events go through here: the receiver's request journal (held in its memory) and the
     * leaderboard's top entries are left to the other tests.
     */
    @AfterEach
    void leaveRoomForOtherTests() {
        RestAssured.given().delete(Stack.externalAdmin() + "/requests").then().statusCode(200);
        runs.forEach(run -> run.removeFromLeaderboard(redis, keys));
    }

    private EngagementRun newRun() {
        EngagementRun run = new EngagementRun(pg, clickHouse);
        runs.add(run);
        return run;
    }

    @Test
    @Order(1)
    void redisStoppedForThirtySecondsDuringABurst() throws Exception {
        destinationOutage("redis");
    }

    @Test
    @Order(2)
    void clickHouseStoppedForThirtySecondsDuringABurst() throws Exception {
        destinationOutage("clickhouse");
    }

    /**
     * 50,000 events, 40,000 of them inserted while the destination is down. Back-pressure bounds what the service
     * reads meanwhile: the fan-out's batches in flight, plus the one being enriched and the one waiting for a
     * permit, each one Kafka poll.
     */
    private void destinationOutage(String component) throws Exception {
        EngagementRun run = newRun();
        run.insertContent(200);
        try (HealthWatch health = HealthWatch.start()) {
            run.insertEvents(1, 10_000, 200);
            StackControl.stop(component);
            long stoppedAt = System.nanoTime();
            double receivedAtStop = received();
            run.insertEvents(10_001, 50_000, 200);

            // A destination down holds every offset: nothing is committed until it has the records. Once its
            // writes have failed (readiness counts the attempts) and the fan-out is full, no batch can complete.
            int maxInFlight = Integer.parseInt(Stack.config("pipeline.fan-out.max-in-flight"));
            await().atMost(Duration.ofSeconds(30)).until(() -> failedAttempts(health.readinessDown(), component) >= 1
                    && Stack.metric("pipeline_fanout_in_flight") >= maxInFlight);
            Map<Integer, Long> during = Stack.committed(Stack.consumerGroup(), Stack.eventsTopic());
            long attemptsThen = failedAttempts(health.readinessDown(), component);
            // ... and the consumer-lag gauge (refreshed every 10 s) shows it
            await().atMost(Duration.ofSeconds(18))
                    .until(() -> Stack.metric("pipeline_consumer_lag", "topic=") > 0);
            // Three more failed writes later, still nothing committed.
            await().atMost(OUTAGE).until(() -> failedAttempts(health.readinessDown(), component) >= attemptsThen + 3);
            assertEquals(during, Stack.committed(Stack.consumerGroup(), Stack.eventsTopic()),
                    "offsets stand still while " + component + " is down");
            assertFalse(Stack.caughtUp(Stack.consumerGroup(), Stack.eventsTopic()), "records wait in Kafka");
            double readWhileDown = received() - receivedAtStop;
            int polls = Integer.parseInt(Stack.config("pipeline.fan-out.max-in-flight")) + 3;
            int bound = polls * Integer.parseInt(Stack.config("mp.messaging.incoming.engagement-events.max.poll.records"));
            assertTrue(readWhileDown <= bound, "read " + readWhileDown + " records while " + component
                    + " was down; back-pressure allows " + bound);
            sleepUntil(stoppedAt, OUTAGE);
            StackControl.start(component);

            Set<Long> ids = run.ids();
            Map<Long, String> expected = run.expectedRows();
            assertEquals(50_000, expected.size());
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(1))
                    .untilAsserted(() -> assertEquals(expected, run.clickHouseRows(ids)));
            await().atMost(Duration.ofSeconds(30))
                    .untilAsserted(() -> assertEquals(run.expectedScores(), run.leaderboard(redis, keys)));
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> Stack.caughtUp(Stack.consumerGroup(), Stack.eventsTopic()));
            awaitReady();
            assertEquals(List.of(), health.livenessDown(), "liveness stays UP while " + component + " is down");
            assertTrue(namesDependency(health.readinessDown(), component),
                    "readiness named " + component + " while it was down: " + health.readinessDown());
        }
    }

    /**
     * An event whose content row this instance has never seen (Kafka Connect is stopped, so the row is only in
     * PostgreSQL) arrives while PostgreSQL is down: the lookup waits for PostgreSQL, and the event is enriched
     * with the right row afterwards, never with a wrong null.
     */
    @Test
    @Order(3)
    void postgresStoppedWhileAnEventNeedsUncachedContent() throws Exception {
        StackControl.stop("connect");
        String title = "Outage title " + UUID.randomUUID();
        UUID contentId = UUID.randomUUID();
        long eventId = 9_000_000_000L + ThreadLocalRandom.current().nextLong(1_000_000_000L);
        try (HealthWatch health = HealthWatch.start()) {
            pg.preparedQuery("INSERT INTO content (id, slug, title, content_type, length_seconds, publish_ts) "
                            + "VALUES ($1, $2, $3, 'video', 100, now())")
                    .execute(Tuple.of(contentId, "outage-" + contentId, title)).await().indefinitely();
            StackControl.stop("postgres");
            produceInsert(eventId, contentId);

            // The event is read and its content lookup fails again and again (readiness counts the attempts).
            await().atMost(Duration.ofSeconds(60))
                    .until(() -> failedAttempts(health.readinessDown(), "postgresql") >= 3);
            assertEquals(0, titles(eventId).size(), "the event waits for PostgreSQL");
            StackControl.start("postgres");

            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertEquals(List.of(title + "|50"),
                    titles(eventId)));
            awaitReady();
            assertEquals(List.of(), health.livenessDown(), "liveness stays UP while PostgreSQL is down");
        } finally {
            StackControl.start("postgres");
            StackControl.start("connect");
        }
        awaitCdcFlowing();
    }

    /**
     * The broker goes away and comes back, with events written while it is away and after: the service reconnects
     * by itself and every event arrives exactly.
     */
    @Test
    @Order(4)
    void kafkaBrokerRestart() throws Exception {
        EngagementRun run = newRun();
        run.insertContent(20);
        try (HealthWatch health = HealthWatch.start()) {
            StackControl.stop("kafka");
            long stoppedAt = System.nanoTime();
            // Written while the broker is away: Debezium holds them (its producer retries), the service waits.
            run.insertEvents(1, 250, 20);
            // Not ready while it waits (the Kafka connector's own readiness checks).
            await().atMost(Duration.ofSeconds(30)).until(() -> !health.readinessDown().isEmpty());
            sleepUntil(stoppedAt, Duration.ofSeconds(10));
            StackControl.start("kafka");
            run.insertEvents(251, 500, 20);
            Set<Long> ids = run.ids();
            Map<Long, String> expected = run.expectedRows();
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(1))
                    .untilAsserted(() -> assertEquals(expected, run.clickHouseRows(ids)));
            awaitReady();
            assertEquals(List.of(), health.livenessDown(), "liveness stays UP while Kafka is down");
        }
    }

    /**
     * Redis SIGKILLed mid-burst (no clean shutdown; it restarts from its append-only file): the leaderboard and
     * ClickHouse equal PostgreSQL's computation exactly. What Redis had applied before the kill is in its AOF (the
     * process died, the OS did not); what it had not, is retried with the same source positions.
     */
    @Test
    @Order(5)
    void redisKilledMidBurst() throws Exception {
        crashMidBurst("redis");
    }

    /** ClickHouse SIGKILLed mid-insert: no row is lost, and FINAL shows each event once. */
    @Test
    @Order(6)
    void clickHouseKilledMidInsert() throws Exception {
        crashMidBurst("clickhouse");
    }

    private void crashMidBurst(String component) throws Exception {
        EngagementRun run = newRun();
        run.insertContent(200);
        double writesBefore = Stack.metric("pipeline_sink_changes_total", "destination=\"" + component + "\"");
        run.insertEvents(1, 20_000, 200);
        // Killed once it is taking the burst.
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50)).until(() -> Stack.metric(
                "pipeline_sink_changes_total", "destination=\"" + component + "\"") > writesBefore);
        StackControl.kill(component);
        run.insertEvents(20_001, 30_000, 200);
        TimeUnit.SECONDS.sleep(5);
        StackControl.start(component);
        run.exec("UPDATE engagement_events SET duration_ms = coalesce(duration_ms, 0) + 11 WHERE {ours} AND id % 9 = 0");
        run.exec("DELETE FROM engagement_events WHERE {ours} AND id % 17 = 0");

        Set<Long> ids = run.ids();
        Map<Long, String> expected = run.expectedRows();
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(1))
                .untilAsserted(() -> assertEquals(expected, run.clickHouseRows(ids)));
        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> assertEquals(run.expectedScores(), run.leaderboard(redis, keys)));
        long min = ids.stream().min(Long::compare).orElseThrow();
        long max = ids.stream().max(Long::compare).orElseThrow();
        long raw = clickHouse.queryAll("SELECT toInt64(count()) AS n FROM app.enriched_engagements WHERE event_id BETWEEN "
                + min + " AND " + max).get(0).getLong("n");
        System.out.printf("%s killed mid-burst: %d live events in PostgreSQL, %d in ClickHouse FINAL, %d raw rows "
                + "(versions, retractions and re-inserted duplicates until merges)%n", component, expected.size(),
                run.clickHouseRows(ids).size(), raw);
        awaitReady();
    }

    private static double received() {
        return Stack.metric("pipeline_records_received_total", "engagement_events");
    }

    /** A Debezium create event (no schema) for an event row that exists only on the topic. */
    private static void produceInsert(long eventId, UUID contentId) {
        long now = System.currentTimeMillis();
        String value = """
                {"before":null,"after":{"id":%d,"content_id":"%s","user_id":"%s","event_type":"play",\
                "event_ts":"%s","duration_ms":50000,"device":"tv","raw_payload":null},\
                "source":{"connector":"postgresql","ts_ms":%d,"table":"engagement_events","lsn":%d},\
                "op":"c","ts_ms":%d}""".formatted(eventId, contentId, UUID.randomUUID(), Instant.ofEpochMilli(now),
                now, Long.MAX_VALUE / 2, now);
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, Stack.bootstrap());
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p, new StringSerializer(),
                new StringSerializer())) {
            producer.send(new ProducerRecord<>(Stack.eventsTopic(), "{\"id\":" + eventId + "}", value)).get();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** "content_title|engagement_percent" of the event's live row in ClickHouse. */
    private List<String> titles(long eventId) {
        return clickHouse.queryAll("SELECT concat(ifNull(content_title, 'null'), '|', "
                        + "ifNull(toString(engagement_percent), 'null')) AS v "
                        + "FROM app.enriched_engagements_current WHERE event_id = " + eventId)
                .stream().map(r -> r.getString("v")).toList();
    }

    /** After the database came back, Debezium streams again (restarted if its task gave up meanwhile). */
    private void awaitCdcFlowing() {
        EngagementRun run = newRun();
        run.insertContent(1);
        run.insertEvents(1, 1, 1);
        Set<Long> ids = run.ids();
        try {
            await().atMost(Duration.ofSeconds(30)).until(() -> run.clickHouseRows(ids).size() == 1);
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            StackControl.restartConnector();
            await().atMost(Duration.ofSeconds(60)).until(() -> run.clickHouseRows(ids).size() == 1);
        }
    }

    private static void awaitReady() {
        await().atMost(Duration.ofSeconds(30))
                .until(() -> RestAssured.given().get("/q/health/ready").statusCode() == 200);
    }

    /** True when one of the answers has our dependency check DOWN, naming {@code dependency}. */
    /** The most failed attempts readiness reported for {@code dependency} ("DOWN for 12 s, 5 attempts failed: ..."). */
    private static long failedAttempts(List<String> readinessAnswers, String dependency) {
        long most = 0;
        java.util.regex.Pattern attempts = java.util.regex.Pattern.compile("^DOWN for \\d+ s, (\\d+) attempts failed");
        for (String body : readinessAnswers) {
            try {
                for (JsonNode check : Stack.JSON.readTree(body).path("checks")) {
                    java.util.regex.Matcher m = attempts.matcher(check.path("data").path(dependency).asText());
                    if (m.find()) {
                        most = Math.max(most, Long.parseLong(m.group(1)));
                    }
                }
            } catch (java.io.IOException e) {
                // not JSON (the endpoint did not answer): nothing counted
            }
        }
        return most;
    }

    private static boolean namesDependency(List<String> readinessAnswers, String dependency) {
        for (String body : readinessAnswers) {
            try {
                for (JsonNode check : Stack.JSON.readTree(body).path("checks")) {
                    if ("Pipeline dependencies".equals(check.path("name").asText())
                            && "DOWN".equals(check.path("status").asText())
                            && check.path("data").path(dependency).asText().startsWith("DOWN")) {
                        return true;
                    }
                }
            } catch (Exception e) {
                // not JSON (the service was busy): look at the next answer
            }
        }
        return false;
    }

    private static void sleepUntil(long startNanos, Duration after) throws InterruptedException {
        long left = startNanos + after.toNanos() - System.nanoTime();
        if (left > 0) {
            TimeUnit.NANOSECONDS.sleep(left);
        }
    }
}

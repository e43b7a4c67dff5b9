package io.pandashop.pipeline.it;

import com.clickhouse.client.api.Client;
import io.pandashop.pipeline.packaged.PackagedService;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * At least once to the external system, at scale (README, "External system"): 50,000 events, then updates and
 * deletes of some, while the packaged service is SIGKILLed twice and the receiver (a recording one, every key kept)
 * answers 503 for 20 s and 401 for 10 s. Afterwards every row version's key and every delete's key has been
 * received, each change always under the same key, and ClickHouse and the leaderboard equal PostgreSQL exactly.
 */
class AtLeastOnceIT {

    private static final String GROUP = "at-least-once-" + java.util.UUID.randomUUID();
    private static final String TOPIC = "pandashop.public.engagement_events";
    private static final int EVENTS = 50_000;

    @Test
    void everyChangeReachesTheReceiverThroughCrashesAndOutages() throws Exception {
        Vertx vertx = Vertx.vertx();
        Pool pg = StackClients.postgres(vertx);
        Properties kafka = new Properties();
        kafka.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:" + PackagedService.env("KAFKA_PORT", "19092"));
        try (RecordingReceiver receiver = new RecordingReceiver();
                Client clickHouse = StackClients.clickHouse();
                Admin admin = Admin.create(kafka)) {
            Map<String, String> settings = Map.of("CONSUMER_GROUP", GROUP, "KAFKA_AUTO_OFFSET_RESET", "latest",
                    "EXTERNAL_URL", receiver.url(),
                    // A killed instance's partitions move to its successor after the session timeout: short here.
                    "KAFKA_SESSION_TIMEOUT_MS", "6000", "KAFKA_HEARTBEAT_INTERVAL_MS", "1000");
            EngagementRun run = new EngagementRun(pg, clickHouse);
            run.insertContent(100);
            long started = System.currentTimeMillis();
            PackagedService service = PackagedService.start("at-least-once-1", settings);
            try {
                service.awaitReady(Duration.ofSeconds(120));
                // A position committed on every partition first: this group starts at the topic's end (latest), and a
                // successor must resume from a commit, not skip to the end.
                run.insertEvents(1, 300, 100);
                int partitions = admin.describeTopics(List.of(TOPIC)).allTopicNames().get().get(TOPIC).partitions().size();
                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).until(() -> admin
                        .listConsumerGroupOffsets(GROUP).partitionsToOffsetAndMetadata().get().keySet().stream()
                        .filter(tp -> tp.topic().equals(TOPIC)).count() == partitions);

                // 50,000 events in transactions of 1,000 while the service and the receiver fail.
                CompletableFuture<Void> inserts = CompletableFuture.runAsync(() -> {
                    for (int from = 301; from <= 300 + EVENTS; from += 1000) {
                        run.insertEvents(from, from + 999, 100);
                        pause(300);
                    }
                });
                pause(3_000);
                service.kill();                                    // SIGKILL 1, mid-burst
                service = PackagedService.start("at-least-once-2", settings);
                receiver.answer(503);                              // the receiver down for 20 s
                pause(20_000);
                receiver.answer(401);                              // then a rotated token for 10 s
                pause(10_000);
                receiver.answer(200);
                inserts.get();
                Set<String> expected = expectedChanges(run.ids());
                run.exec("UPDATE engagement_events SET duration_ms = coalesce(duration_ms, 0) + 7 WHERE {ours} AND id % 10 = 0");
                run.exec("DELETE FROM engagement_events WHERE {ours} AND id % 25 = 0");
                pause(1_000);
                service.kill();                                    // SIGKILL 2, while the updates flow
                service = PackagedService.start("at-least-once-3", settings);
                service.awaitReady(Duration.ofSeconds(120));

                await().atMost(Duration.ofSeconds(300)).pollInterval(Duration.ofSeconds(2))
                        .untilAsserted(() -> assertEquals(Set.of(), missing(expected, receiver),
                                "every row version and every delete reached the receiver"));
                for (String change : expected) {
                    assertEquals(1, receiver.keysOfChange.get(change).size(),
                            change + " always came with the same key: " + receiver.keysOfChange.get(change));
                }
                Set<Long> ids = run.ids();
                Map<Long, String> rows = run.expectedRows();
                await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(1))
                        .untilAsserted(() -> assertEquals(rows, run.clickHouseRows(ids)));
                Map<String, BigDecimal> scores = run.expectedScores();
                PackagedService last = service;
                await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofSeconds(1))
                        .untilAsserted(() -> assertEquals(scores, ScaleOutIT.leaderboard(last, run.contentIds())));
                long repeats = 0;
                for (String change : expected) {
                    for (String key : receiver.keysOfChange.get(change)) {
                        repeats += receiver.keys.get(key).get() - 1;
                    }
                }
                System.out.printf("at-least-once: %d changes of this run, all received, each under one key; %d repeats "
                                + "of them; %d requests refused during the outages; %d s in all%n",
                        expected.size(), repeats, receiver.refusedRequests.get(),
                        (System.currentTimeMillis() - started) / 1000);
                assertTrue(receiver.refusedRequests.get() > 0, "the outages were seen");
            } finally {
                service.close();
            }
        } finally {
            pg.closeAndAwait();
            vertx.closeAndAwait();
        }
    }

    /** "event_id:op" of every change the run makes: each insert, the updates (id % 10) and deletes (id % 25). */
    private static Set<String> expectedChanges(Set<Long> ids) {
        Set<String> changes = new HashSet<>();
        for (long id : ids) {
            changes.add(id + ":c");
            if (id % 10 == 0) {
                changes.add(id + ":u");
            }
            if (id % 25 == 0) {
                changes.add(id + ":d");
            }
        }
        return changes;
    }

    private static Set<String> missing(Set<String> expected, RecordingReceiver receiver) {
        Set<String> missing = new TreeSet<>();
        for (String change : expected) {
            if (!receiver.keysOfChange.containsKey(change)) {
                missing.add(change);
                if (missing.size() == 10) {
                    break;
                }
            }
        }
        return missing;
    }

    private static void pause(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}

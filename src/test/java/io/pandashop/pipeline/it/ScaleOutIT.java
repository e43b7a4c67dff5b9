package io.pandashop.pipeline.it;

import com.clickhouse.client.api.Client;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pandashop.pipeline.packaged.PackagedService;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Scale-out by partitions, with the packaged service: two instances in one consumer group split the engagement
 * topic's partitions; one is killed (SIGKILL) while events flow, the other takes its partitions over, and
 * ClickHouse and the leaderboard then equal what PostgreSQL computes, exactly.
 */
class ScaleOutIT {

    /** A group of their own, starting at the topic's end: members of other tests' groups cannot linger in it. */
    private static final String GROUP = "scale-out-" + java.util.UUID.randomUUID();
    private static final String TOPIC = "pandashop.public.engagement_events";

    @Test
    void twoInstancesSplitThePartitionsAndTheSurvivorTakesOver() throws Exception {
        Map<String, String> settings = Map.of(
                "CONSUMER_GROUP", GROUP,
                "KAFKA_AUTO_OFFSET_RESET", "latest",
                // A killed instance's partitions move after the session timeout: short here, so the test is short.
                "KAFKA_SESSION_TIMEOUT_MS", "6000",
                "KAFKA_HEARTBEAT_INTERVAL_MS", "1000");
        Vertx vertx = Vertx.vertx();
        Pool pg = StackClients.postgres(vertx);
        Properties kafka = new Properties();
        kafka.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                "127.0.0.1:" + PackagedService.env("KAFKA_PORT", "19092"));
        try (Client clickHouse = StackClients.clickHouse();
                Admin admin = Admin.create(kafka);
                PackagedService a = PackagedService.start("a", settings);
                PackagedService b = PackagedService.start("b", settings)) {
            a.awaitReady(Duration.ofSeconds(120));
            b.awaitReady(Duration.ofSeconds(120));

            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                    .untilAsserted(() -> {
                        List<Set<TopicPartition>> split = assignments(admin);
                        assertEquals(2, split.size(), "two members: " + split);
                        assertTrue(split.stream().noneMatch(Set::isEmpty), "each has partitions: " + split);
                        assertEquals(partitions(admin), split.get(0).size() + split.get(1).size(), "" + split);
                    });

            EngagementRun run = new EngagementRun(pg, clickHouse);
            run.insertContent(100);
            // A first few events, until the group has committed a position on every partition: a partition that
            // moves later resumes from there (this group's start, KAFKA_AUTO_OFFSET_RESET=latest, would skip).
            run.insertEvents(1, 300, 100);
            int partitions = partitions(admin);
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).until(() -> admin
                    .listConsumerGroupOffsets(GROUP).partitionsToOffsetAndMetadata().get().keySet().stream()
                    .filter(tp -> tp.topic().equals(TOPIC)).count() == partitions);
            run.insertEvents(301, 15_000, 100);
            await().atMost(Duration.ofSeconds(60)).until(() -> received(a) > 0 && received(b) > 0);
            a.kill();
            run.exec("UPDATE engagement_events SET duration_ms = duration_ms / 2 + 3 WHERE {ours} AND id % 7 = 0");
            run.exec("DELETE FROM engagement_events WHERE {ours} AND id % 13 = 0");
            run.insertEvents(15_001, 20_000, 100);

            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                    .untilAsserted(() -> {
                        List<Set<TopicPartition>> split = assignments(admin);
                        assertEquals(1, split.size(), "the survivor alone: " + split);
                        assertEquals(partitions(admin), split.get(0).size(), "it has every partition: " + split);
                    });
            Set<Long> ids = run.ids();
            Map<Long, String> expected = run.expectedRows();
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(1))
                    .untilAsserted(() -> assertEquals(expected, run.clickHouseRows(ids)));
            Map<String, BigDecimal> scores = run.expectedScores();
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofSeconds(1))
                    .untilAsserted(() -> assertEquals(scores, leaderboard(b, run.contentIds())));
            assertTrue(b.alive(), "the survivor runs on");
        } finally {
            pg.closeAndAwait();
            vertx.closeAndAwait();
        }
    }

    /** Each member's partitions of the engagement topic. */
    private static List<Set<TopicPartition>> assignments(Admin admin) throws Exception {
        ConsumerGroupDescription group = admin.describeConsumerGroups(List.of(GROUP)).all().get().get(GROUP);
        List<Set<TopicPartition>> split = new ArrayList<>();
        for (MemberDescription m : group.members()) {
            split.add(m.assignment().topicPartitions());
        }
        return split;
    }

    private static int partitions(Admin admin) throws Exception {
        return admin.describeTopics(List.of(TOPIC)).allTopicNames().get().get(TOPIC).partitions().size();
    }

    private static double received(PackagedService s) throws Exception {
        String metrics = new String(URI.create(s.url("/q/metrics")).toURL().openStream().readAllBytes());
        double sum = 0;
        for (String line : metrics.split("\n")) {
            if (line.startsWith("pipeline_records_received_total{")) {
                sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return sum;
    }

    /** The run's content in the leaderboard, as the survivor's top-content API answers. */
    static Map<String, BigDecimal> leaderboard(PackagedService s, Set<String> ours) throws Exception {
        JsonNode top = new ObjectMapper().readTree(URI.create(s.url("/api/top-content?limit=1000")).toURL());
        Map<String, BigDecimal> scores = new HashMap<>();
        for (JsonNode e : top) {
            if (ours.contains(e.path("content_id").asText())) {
                scores.put(e.path("content_id").asText(), e.path("score").decimalValue().setScale(2));
            }
        }
        return scores;
    }
}

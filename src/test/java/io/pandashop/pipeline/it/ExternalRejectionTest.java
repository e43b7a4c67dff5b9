package io.pandashop.pipeline.it;

import com.clickhouse.client.api.Client;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * When the external system rejects a batch (HTTP 400), retrying cannot help: its events end on the dead-letter
 * topic with the answer as reason, and redelivery is not blocked for the events after them.
 */
@QuarkusTest
class ExternalRejectionTest {

    private static final String STUB_ID = "0f4b7c1e-3d2a-4c5b-9e8f-7a6b5c4d3e2f";
    private static final String REJECT_STUB = """
            {"id": "%s", "priority": 1,
             "request": {"method": "POST", "urlPath": "/events"},
             "response": {"status": 400, "body": "schema mismatch"}}""".formatted(STUB_ID);

    @Inject
    Pool pg;
    @Inject
    Client clickHouse;

    @AfterEach
    void acceptAgain() {
        RestAssured.given().delete(Stack.externalAdmin() + "/mappings/" + STUB_ID);
    }

    @Test
    void rejectedEventsAreDeadLetteredAndLaterOnesStillArrive() {
        String parkingTopic = Stack.topicPrefix() + ".pipeline.external-parking";
        double before = Stack.metric("pipeline_dead_letter_total", parkingTopic);
        RestAssured.given().contentType("application/json").body(REJECT_STUB)
                .post(Stack.externalAdmin() + "/mappings").then().statusCode(201);
        Set<Long> rejected = insert(5);
        await().atMost(Duration.ofSeconds(60))
                .until(() -> Stack.metric("pipeline_dead_letter_total", parkingTopic) >= before + rejected.size());
        assertEquals(rejected, deadLettered(rejected), "each rejected event is on the dead-letter topic");

        acceptAgain();
        Set<Long> later = insert(3);
        await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> assertEquals(later, ExternalOutageTest.delivered(later)));
        assertEquals(rejected.size(), (int) (Stack.metric("pipeline_dead_letter_total", parkingTopic) - before),
                "only the rejected ones were dead-lettered");
    }

    private Set<Long> insert(int n) {
        Set<Long> ids = new HashSet<>();
        for (int i = 0; i < n; i++) {
            ids.add(pg.preparedQuery("INSERT INTO engagement_events (content_id, user_id, event_type, event_ts, "
                            + "duration_ms, device) VALUES (NULL, $1, 'click', now(), 1, 'web') RETURNING id")
                    .execute(Tuple.of(UUID.randomUUID())).await().indefinitely().iterator().next().getLong("id"));
        }
        return ids;
    }

    private static Set<Long> deadLettered(Set<Long> ids) {
        Properties c = new Properties();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, Stack.bootstrap());
        c.put(ConsumerConfig.GROUP_ID_CONFIG, "rejection-test-" + UUID.randomUUID());
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        Set<Long> found = new HashSet<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(c)) {
            consumer.subscribe(List.of(Stack.topicPrefix() + ".pipeline.dead-letter"));
            long deadline = System.currentTimeMillis() + 30_000;
            while (found.size() < ids.size() && System.currentTimeMillis() < deadline) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
                    if (r.key() != null && r.key().matches("\\d+") && ids.contains(Long.parseLong(r.key()))) {
                        String reason = new String(r.headers().lastHeader("dead-letter-reason").value(),
                                StandardCharsets.UTF_8);
                        assertTrue(reason.contains("HTTP 400"), reason);
                        assertTrue(r.value().contains("\"idempotency_key\""), "the envelope is kept whole");
                        found.add(Long.parseLong(r.key()));
                    }
                }
            }
        }
        return found;
    }
}

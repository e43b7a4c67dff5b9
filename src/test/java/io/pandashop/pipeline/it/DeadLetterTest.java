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
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.UUID;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** A malformed record is parked on the dead-letter topic with its reason, counted, and the pipeline goes on. */
@QuarkusTest
class DeadLetterTest {


    @Inject
    Pool pg;
    @Inject
    Client clickHouse;

    static double parkedSoFar() {
        return Stack.metric("pipeline_dead_letter_total", "engagement_events");
    }

    @Test
    void malformedRecordIsParkedAndTheNextOneStillArrives() {
        double before = parkedSoFar();
        String marker = "garbage-" + UUID.randomUUID();
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, Stack.bootstrap());
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p)) {
            producer.send(new ProducerRecord<>(Stack.eventsTopic(), "{\"id\":-1}", "{" + marker));
            producer.send(new ProducerRecord<>(Stack.eventsTopic(), "{\"id\":-2}",
                    "{\"op\":\"c\",\"source\":{\"lsn\":1},\"after\":{\"id\":-2,\"event_ts\":\"" + marker + "\"}}"));
        }
        // A real row PostgreSQL accepts but ClickHouse cannot store: parked, not retried forever.
        pg.preparedQuery("INSERT INTO engagement_events (content_id, user_id, event_type, event_ts, duration_ms, device)"
                + " VALUES (NULL, $1, 'play', '2400-01-01T00:00:00Z', 10, 'web')").execute(Tuple.of(UUID.randomUUID()))
                .await().indefinitely();
        long id = pg.preparedQuery("INSERT INTO engagement_events (content_id, user_id, event_type, event_ts, "
                        + "duration_ms, device) VALUES (NULL, $1, 'play', now(), 1000, 'web') RETURNING id")
                .execute(Tuple.of(UUID.randomUUID())).await().indefinitely().iterator().next().getLong("id");

        await().atMost(Duration.ofSeconds(60)).until(() -> parkedSoFar() >= before + 3);
        await().atMost(Duration.ofSeconds(60)).until(() -> clickHouse.queryAll(
                "SELECT toInt64(count()) AS n FROM app.enriched_engagements_current WHERE event_id = " + id)
                .get(0).getLong("n") == 1);

        Properties c = new Properties();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, Stack.bootstrap());
        c.put(ConsumerConfig.GROUP_ID_CONFIG, "dead-letter-test-" + UUID.randomUUID());
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(c)) {
            consumer.subscribe(List.of(Stack.topicPrefix() + ".pipeline.dead-letter"));
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
                    if (r.value().equals("{" + marker)) {
                        assertEquals(Stack.eventsTopic(), header(r, "dead-letter-topic"));
                        assertEquals(true, header(r, "dead-letter-reason").startsWith("not JSON"));
                        return true;
                    }
                }
                return false;
            });
        }
    }

    private static String header(ConsumerRecord<String, String> r, String name) {
        return new String(r.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
    }
}

package io.pandashop.pipeline.it;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.function.Predicate;

/** Reads the dead-letter topic of the test stack from its start, as an operator would. */
final class DeadLetters {

    /** One parked record: its key, value and headers. */
    record Parked(String key, byte[] value, Map<String, String> headers) {
        String header(String name) {
            return headers.get(name);
        }
    }

    private DeadLetters() {
    }

    static String topic() {
        return Stack.topicPrefix() + ".pipeline.dead-letter";
    }

    /** The parked records whose key matches, by key, once {@code expected} of them are there (or after 60 s). */
    static Map<String, Parked> read(Predicate<String> key, int expected) {
        Properties c = new Properties();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, Stack.bootstrap());
        c.put(ConsumerConfig.GROUP_ID_CONFIG, "dead-letter-reader-" + UUID.randomUUID());
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        c.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 8 * 1024 * 1024);
        c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        Map<String, Parked> found = new LinkedHashMap<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(c)) {
            consumer.subscribe(java.util.List.of(topic()));
            long deadline = System.currentTimeMillis() + 60_000;
            while (found.size() < expected && System.currentTimeMillis() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    String k = r.key() == null ? "" : new String(r.key(), StandardCharsets.UTF_8);
                    if (key.test(k)) {
                        Map<String, String> headers = new LinkedHashMap<>();
                        for (Header h : r.headers()) {
                            headers.put(h.key(), new String(h.value(), StandardCharsets.UTF_8));
                        }
                        found.put(k, new Parked(k, r.value(), headers));
                    }
                }
            }
        }
        return found;
    }
}

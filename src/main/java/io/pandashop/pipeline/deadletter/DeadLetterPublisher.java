package io.pandashop.pipeline.deadletter;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.pandashop.pipeline.config.Channels;
import io.pandashop.pipeline.config.PipelineConfig;
import io.pandashop.pipeline.health.DependencyRetry;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.KafkaRecord;
import io.smallrye.reactive.messaging.kafka.api.IncomingKafkaRecordMetadata;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.common.errors.RecordBatchTooLargeException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.eclipse.microprofile.config.ConfigProvider;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.eclipse.microprofile.reactive.messaging.OnOverflow;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Parks what cannot be processed on the dead-letter topic, with its reason and origin in headers. The returned Uni
 * completes once the broker has it, so the source offset is committed only after. A dead-letter write can always
 * succeed: the reason is capped ({@link Reasons}), and a value too large for the topic goes as a truncated copy
 * whose headers name the original's topic, partition, offset and size (the original stays in Kafka until
 * retention). Only an outage of Kafka (or a topic the operator must fix) makes it wait, and readiness says so.
 */
@ApplicationScoped
public class DeadLetterPublisher {

    private static final Logger LOG = Logger.getLogger(DeadLetterPublisher.class);
    /** If the topic refuses even the configured size (a smaller max.message.bytes), this much is kept. */
    private static final int FALLBACK_VALUE_BYTES = 64 * 1024;

    /** Why a record is parked: it cannot be read at all, or a destination refused it. */
    public enum Kind {
        BAD_RECORD("bad-record"), REJECTED("rejected");

        private final String tag;

        Kind(String tag) {
            this.tag = tag;
        }
    }

    private final MutinyEmitter<byte[]> emitter;
    private final MeterRegistry registry;
    private final DependencyRetry retry;
    private final int maxValueBytes;

    public DeadLetterPublisher(@OnOverflow(value = OnOverflow.Strategy.BUFFER, bufferSize = 65536)
            @Channel(Channels.DEAD_LETTER) MutinyEmitter<byte[]> emitter, MeterRegistry registry,
            DependencyRetry retry, PipelineConfig config) {
        this.emitter = emitter;
        this.registry = registry;
        this.retry = retry;
        this.maxValueBytes = config.deadLetter().maxValueBytes();
        // Every series exists from the start at 0, so an alert's increase() sees the first parked record too.
        for (String channel : List.of(Channels.ENGAGEMENT_EVENTS, Channels.CONTENT_DIM)) {
            String topic = ConfigProvider.getConfig().getValue("mp.messaging.incoming." + channel + ".topic",
                    String.class);
            for (Kind kind : Kind.values()) {
                counter(topic, kind);
            }
        }
    }

    private Counter counter(String sourceTopic, Kind kind) {
        return registry.counter("pipeline.dead.letter", "topic", sourceTopic, "kind", kind.tag);
    }

    /** Parks each record with its reason; completes once the broker has them all. */
    public Uni<Void> parkAll(Map<KafkaRecord<byte[], byte[]>, String> reasons) {
        if (reasons.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        List<Uni<Void>> parked = new ArrayList<>(reasons.size());
        reasons.forEach((record, reason) -> parked.add(park(record, reason)));
        return Uni.join().all(parked).andFailFast().replaceWithVoid();
    }

    /** "topic-partition@offset", how operators find a record. */
    public static String describe(KafkaRecord<?, ?> record) {
        return record.getTopic() + "-" + record.getPartition() + "@" + offsetOf(record);
    }

    public static long offsetOf(KafkaRecord<?, ?> record) {
        return record.getMetadata(IncomingKafkaRecordMetadata.class).map(IncomingKafkaRecordMetadata::getOffset)
                .orElse(-1L);
    }

    /** A source record that cannot be decoded or stored anywhere. */
    public Uni<Void> park(KafkaRecord<byte[], byte[]> record, String reason) {
        Map<String, String> origin = new LinkedHashMap<>();
        origin.put("dead-letter-partition", Integer.toString(record.getPartition()));
        origin.put("dead-letter-offset", Long.toString(offsetOf(record)));
        return send(Kind.BAD_RECORD, describe(record), record.getTopic(), record.getKey(), record.getPayload(), reason,
                origin);
    }

    /**
     * A value that did not come straight from a source record: a change a destination refused, or an event the
     * external system refused. {@code position} names its source position (headers dead-letter-*), e.g. lsn.
     */
    public Uni<Void> parkRejected(String sourceTopic, byte[] key, byte[] value, String reason,
            Map<String, String> position) {
        Map<String, String> origin = new LinkedHashMap<>();
        position.forEach((name, v) -> origin.put("dead-letter-" + name, v));
        return send(Kind.REJECTED, sourceTopic + " " + position, sourceTopic, key, value, reason, origin);
    }

    private Uni<Void> send(Kind kind, String what, String sourceTopic, byte[] key, byte[] value, String reason,
            Map<String, String> origin) {
        String capped = Reasons.cap(reason);
        byte[] original = value == null ? new byte[0] : value;
        LOG.warnf("parked %s on the dead-letter topic (%d bytes): %s", what, original.length,
                capped.length() > 200 ? capped.substring(0, 200) + "..." : capped);
        // Kafka being down holds the batch here (retried until the broker is back), never fails the channel.
        return retry.untilAvailable("kafka (dead-letter topic)", () -> sendAtMost(maxValueBytes, sourceTopic, key,
                        original, capped, origin)
                        .onFailure(DeadLetterPublisher::isTooLarge).recoverWithUni(e -> sendAtMost(FALLBACK_VALUE_BYTES,
                                sourceTopic, key, original, capped, origin))
                        .onFailure(DeadLetterPublisher::isTooLarge).recoverWithUni(e -> sendAtMost(0,
                                sourceTopic, key, original, capped, origin)))
                .invoke(() -> counter(sourceTopic, kind).increment());
    }

    private Uni<Void> sendAtMost(int maxBytes, String sourceTopic, byte[] key, byte[] value, String reason,
            Map<String, String> origin) {
        RecordHeaders headers = new RecordHeaders();
        origin.forEach((name, v) -> headers.add(name, bytes(v)));
        headers.add("dead-letter-reason", bytes(reason));
        headers.add("dead-letter-topic", bytes(sourceTopic));
        headers.add("dead-letter-size", bytes(Integer.toString(value.length)));
        byte[] kept = value;
        if (value.length > maxBytes) {
            kept = Arrays.copyOf(value, maxBytes);
            headers.add("dead-letter-truncated", bytes("true"));
        }
        OutgoingKafkaRecordMetadata<byte[]> metadata = OutgoingKafkaRecordMetadata.<byte[]>builder()
                .withKey(key).withHeaders(headers).build();
        return emitter.sendMessage(Message.of(kept).addMetadata(metadata));
    }

    /** The topic refuses the record's size: no retry can help, a smaller copy can. */
    public static boolean isTooLarge(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof RecordTooLargeException || t instanceof RecordBatchTooLargeException) {
                return true;
            }
        }
        return false;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}

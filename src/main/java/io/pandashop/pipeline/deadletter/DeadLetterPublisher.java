package io.pandashop.pipeline.deadletter;

import io.micrometer.core.instrument.MeterRegistry;
import io.pandashop.pipeline.config.Channels;
import io.pandashop.pipeline.health.DependencyRetry;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.KafkaRecord;
import io.smallrye.reactive.messaging.kafka.api.IncomingKafkaRecordMetadata;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.eclipse.microprofile.reactive.messaging.OnOverflow;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Parks a record that cannot be processed on the dead-letter topic, unchanged, with its reason and origin in
 * headers. The returned Uni completes once the broker has it, so the source offset is committed only after.
 */
@ApplicationScoped
public class DeadLetterPublisher {

    private static final Logger LOG = Logger.getLogger(DeadLetterPublisher.class);

    private final MutinyEmitter<byte[]> emitter;
    private final MeterRegistry registry;
    private final DependencyRetry retry;

    public DeadLetterPublisher(@OnOverflow(value = OnOverflow.Strategy.BUFFER, bufferSize = 65536)
            @Channel(Channels.DEAD_LETTER) MutinyEmitter<byte[]> emitter, MeterRegistry registry,
            DependencyRetry retry) {
        this.emitter = emitter;
        this.registry = registry;
        this.retry = retry;
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

    /** Parks a value that did not come straight from a source record (e.g. a rejected external delivery). */
    public Uni<Void> park(String sourceTopic, byte[] key, byte[] value, String reason) {
        return send(sourceTopic, key, value, reason, new RecordHeaders());
    }

    public Uni<Void> park(KafkaRecord<byte[], byte[]> record, String reason) {
        LOG.warnf("parked %s on the dead-letter topic: %s", describe(record), reason);
        RecordHeaders origin = new RecordHeaders();
        origin.add("dead-letter-partition", Integer.toString(record.getPartition()).getBytes(StandardCharsets.UTF_8));
        origin.add("dead-letter-offset", Long.toString(offsetOf(record)).getBytes(StandardCharsets.UTF_8));
        return send(record.getTopic(), record.getKey(), record.getPayload(), reason, origin);
    }

    private Uni<Void> send(String sourceTopic, byte[] key, byte[] value, String reason, RecordHeaders headers) {
        headers.add("dead-letter-reason", reason.getBytes(StandardCharsets.UTF_8));
        headers.add("dead-letter-topic", sourceTopic.getBytes(StandardCharsets.UTF_8));
        OutgoingKafkaRecordMetadata<byte[]> metadata = OutgoingKafkaRecordMetadata.<byte[]>builder()
                .withKey(key).withHeaders(headers).build();
        // Kafka being down holds the batch here (retried until the broker is back), never fails the channel.
        return retry.untilAvailable("kafka (dead-letter topic)",
                () -> emitter.sendMessage(Message.of(value == null ? new byte[0] : value).addMetadata(metadata)))
                .invoke(() -> registry.counter("pipeline.dead.letter", "topic", sourceTopic).increment());
    }
}

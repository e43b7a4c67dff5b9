package io.pandashop.pipeline.sink.external;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.pandashop.pipeline.config.Channels;
import io.pandashop.pipeline.deadletter.DeadLetterPublisher;
import io.pandashop.pipeline.deadletter.RejectedWrite;
import io.pandashop.pipeline.deadletter.RejectionIsolation;
import io.pandashop.pipeline.health.DependencyRetry;
import io.pandashop.pipeline.sink.external.ExternalResponseMapper.ExternalUnavailable;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.kafka.KafkaRecord;
import io.smallrye.reactive.messaging.kafka.KafkaRecordBatch;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Redelivers parked events to the external system, one parking-topic batch at a time, waiting while the system is
 * unavailable (401, 403, 404, 429 and 5xx included, honouring Retry-After); their offsets are committed only then.
 * A batch it refuses (400, 413, 422) is split until the refused events are isolated: only those go to the
 * dead-letter topic, with its answer, and the rest are delivered.
 */
@ApplicationScoped
public class ParkedEventRedelivery {

    private static final Logger LOG = Logger.getLogger(ParkedEventRedelivery.class);
    private static final String DEPENDENCY = "external system (parked events)";

    private final ExternalDelivery delivery;
    private final DeadLetterPublisher deadLetters;
    private final DependencyRetry retry;
    private final Counter redelivered;

    public ParkedEventRedelivery(ExternalDelivery delivery, DeadLetterPublisher deadLetters, DependencyRetry retry,
            MeterRegistry registry) {
        this.delivery = delivery;
        this.deadLetters = deadLetters;
        this.retry = retry;
        this.redelivered = registry.counter("pipeline.external.delivered", "path", "parking");
    }

    @Incoming(Channels.EXTERNAL_PARKING_IN)
    public Uni<Void> redeliver(KafkaRecordBatch<String, byte[]> batch) {
        List<KafkaRecord<String, byte[]>> records = new ArrayList<>(batch.getRecords().size());
        for (KafkaRecord<String, byte[]> record : batch.getRecords()) {
            if (record.getPayload() != null && record.getPayload().length > 0) {
                records.add(record);
            }
        }
        AtomicInteger refusedCount = new AtomicInteger();
        return RejectionIsolation.write(0, records.size(), (from, to) -> {
            List<KafkaRecord<String, byte[]>> part = records.subList(from, to);
            if (to - from == 1) {
                return retry.fewTimes(() -> deliver(part));
            }
            Uni<Void> attempt = deliver(part);
            return from > 0 || to < records.size() ? attempt : attempt.onFailure(RejectedWrite.class).invoke(e ->
                    LOG.warnf("%s; splitting %d parked events to isolate the refused ones", e.getMessage(), to));
        }, (index, refusal) -> {
            refusedCount.incrementAndGet();
            return refused(records.get(index), refusal);
        }).invoke(() -> {
            if (!records.isEmpty()) {
                LOG.infof("redelivered %d parked events to the external system%s", records.size() - refusedCount.get(),
                        refusedCount.get() == 0 ? "" : "; " + refusedCount.get() + " it refused are on the dead-letter topic");
            }
        }).chain(() -> Uni.createFrom().completionStage(batch::ack));
    }

    /** One POST of these events, retried while the system is unavailable; the live path parks meanwhile. */
    private Uni<Void> deliver(List<KafkaRecord<String, byte[]>> records) {
        List<byte[]> envelopes = new ArrayList<>(records.size());
        for (KafkaRecord<String, byte[]> r : records) {
            envelopes.add(r.getPayload());
        }
        ExternalBatch request = ExternalBatch.of(envelopes);
        // The live path goes on meanwhile (it parks), so this outage does not hold readiness down.
        return retry.untilAvailableInBackground(DEPENDENCY, () -> delivery.deliverOnce(request)
                .onFailure(ExternalUnavailable.class).call(e -> waitRetryAfter((ExternalUnavailable) e))
                .invoke(() -> redelivered.increment(request.events())));
    }

    /** Honours the system's Retry-After before the retry's own backoff. */
    private static Uni<Void> waitRetryAfter(ExternalUnavailable e) {
        if (e.retryAfter().isZero()) {
            return Uni.createFrom().voidItem();
        }
        return Uni.createFrom().voidItem().onItem().delayIt().by(e.retryAfter());
    }

    /** The system refuses this event on its own: it goes to the dead-letter topic with the system's answer. */
    private Uni<Void> refused(KafkaRecord<String, byte[]> r, RejectedWrite refusal) {
        byte[] key = r.getKey() == null ? null : r.getKey().getBytes(StandardCharsets.UTF_8);
        Map<String, String> position = new LinkedHashMap<>();
        position.put("destination", "external");
        position.put("event-id", r.getKey() == null ? "" : r.getKey());
        position.put("partition", Integer.toString(r.getPartition()));
        position.put("offset", Long.toString(DeadLetterPublisher.offsetOf(r)));
        return deadLetters.parkRejected(r.getTopic(), key, r.getPayload(), refusal.getMessage(), position);
    }
}

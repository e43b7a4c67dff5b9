package io.pandashop.pipeline.sink.external;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.pandashop.pipeline.config.Channels;
import io.pandashop.pipeline.deadletter.DeadLetterPublisher;
import io.pandashop.pipeline.health.DependencyRetry;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.kafka.KafkaRecord;
import io.smallrye.reactive.messaging.kafka.KafkaRecordBatch;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Redelivers parked events to the external system, one parking-topic batch at a time, retrying until the system
 * takes them; their offsets are committed only then. Events it rejects go to the dead-letter topic.
 */
@ApplicationScoped
public class ParkedEventRedelivery {

    private static final Logger LOG = Logger.getLogger(ParkedEventRedelivery.class);

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
        List<byte[]> envelopes = new ArrayList<>(batch.getRecords().size());
        List<KafkaRecord<String, byte[]>> records = new ArrayList<>(batch.getRecords().size());
        for (KafkaRecord<String, byte[]> record : batch.getRecords()) {
            if (record.getPayload() != null && record.getPayload().length > 0) {
                envelopes.add(record.getPayload());
                records.add(record);
            }
        }
        Uni<Void> work = Uni.createFrom().voidItem();
        if (!envelopes.isEmpty()) {
            ExternalBatch request = ExternalBatch.of(envelopes);
            // The live path goes on meanwhile (it parks), so this outage does not hold readiness down.
            work = retry.untilAvailableInBackground("external system (parked events)",
                    () -> delivery.deliverOnce(request).invoke(() -> {
                        redelivered.increment(request.events());
                        LOG.infof("redelivered %d parked events to the external system", request.events());
                    }).onFailure(ExternalRejection.class).recoverWithUni(e -> rejected(records, e.getMessage())));
        }
        return work.chain(() -> Uni.createFrom().completionStage(batch::ack));
    }

    /** The system refuses these events: retrying cannot help, so they go to the dead-letter topic with its answer. */
    private Uni<Void> rejected(List<KafkaRecord<String, byte[]>> records, String reason) {
        LOG.warnf("%s; %d events go to the dead-letter topic", reason, records.size());
        List<Uni<Void>> parked = new ArrayList<>(records.size());
        for (KafkaRecord<String, byte[]> r : records) {
            byte[] key = r.getKey() == null ? null : r.getKey().getBytes(StandardCharsets.UTF_8);
            parked.add(deadLetters.park(r.getTopic(), key, r.getPayload(), reason));
        }
        return Uni.join().all(parked).andFailFast().replaceWithVoid();
    }
}

package io.pandashop.pipeline.sink.external;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.pandashop.pipeline.config.Channels;
import io.pandashop.pipeline.deadletter.DeadLetterPublisher;
import io.pandashop.pipeline.ingest.Acknowledgement;
import io.pandashop.pipeline.sink.EventEnvelope;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.kafka.KafkaRecord;
import io.smallrye.reactive.messaging.kafka.KafkaRecordBatch;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** Redelivers parked events to the external system; their offsets are committed only once it took them. */
@ApplicationScoped
public class ParkedEventRedelivery {

    private static final Logger LOG = Logger.getLogger(ParkedEventRedelivery.class);

    private final ExternalDelivery delivery;
    private final ObjectMapper mapper;
    private final Counter redelivered;

    public ParkedEventRedelivery(ExternalDelivery delivery, ObjectMapper mapper, MeterRegistry registry) {
        this.delivery = delivery;
        this.mapper = mapper;
        this.redelivered = registry.counter("pipeline.external.delivered", "path", "parking");
    }

    @Incoming(Channels.EXTERNAL_PARKING_IN)
    public Uni<Void> redeliver(KafkaRecordBatch<String, String> batch) {
        List<EventEnvelope> events = new ArrayList<>(batch.getRecords().size());
        for (KafkaRecord<String, String> record : batch.getRecords()) {
            try {
                events.add(mapper.readValue(record.getPayload(), EventEnvelope.class));
            } catch (IOException e) {
                // Only this service writes the topic; an unreadable record is logged and skipped, not retried forever.
                LOG.errorf("unreadable parked record %s skipped: %s", DeadLetterPublisher.describe(record),
                        e.getMessage());
            }
        }
        if (events.isEmpty()) {
            return Acknowledgement.after(batch, Uni.createFrom().voidItem());
        }
        return Acknowledgement.after(batch, delivery.deliverEventually(events)
                .invoke(() -> {
                    redelivered.increment(events.size());
                    LOG.infof("redelivered %d parked events to the external system", events.size());
                }));
    }
}

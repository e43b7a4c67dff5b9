package io.pandashop.pipeline.sink.external;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.pandashop.pipeline.config.Channels;
import io.pandashop.pipeline.config.PipelineConfig;
import io.pandashop.pipeline.deadletter.DeadLetterPublisher;
import io.pandashop.pipeline.enrich.Envelopes;
import io.pandashop.pipeline.enrich.FactChange;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.eclipse.microprofile.reactive.messaging.OnOverflow;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Map;
import java.util.List;

/**
 * Puts events the external system did not take on the parking topic, one record per event (its envelope, keyed
 * by event id); completes once the broker has them all.
 */
@Startup // its metrics exist from the start (alerts and dashboards query them)
@ApplicationScoped
public class ExternalParking {

    private final MutinyEmitter<byte[]> emitter;
    private final DeadLetterPublisher deadLetters;
    private final Counter parked;
    private final String sourceTopic;

    public ExternalParking(@OnOverflow(value = OnOverflow.Strategy.BUFFER, bufferSize = 65536)
            @Channel(Channels.EXTERNAL_PARKING_OUT) MutinyEmitter<byte[]> emitter, DeadLetterPublisher deadLetters,
            PipelineConfig config, MeterRegistry registry) {
        this.emitter = emitter;
        this.deadLetters = deadLetters;
        this.parked = registry.counter("pipeline.external.parked");
        this.sourceTopic = config.topicPrefix() + ".public.engagement_events";
    }

    public Uni<Void> park(List<FactChange> changes, Envelopes envelopes) {
        List<Uni<Void>> sends = new ArrayList<>(envelopes.size());
        for (int i = 0; i < envelopes.size(); i++) {
            OutgoingKafkaRecordMetadata<String> key = OutgoingKafkaRecordMetadata.<String>builder()
                    .withKey(Long.toString(changes.get(i).eventId())).build();
            FactChange change = changes.get(i);
            byte[] envelope = envelopes.get(i);
            // A parking write must always succeed: an envelope the topic will not take (too large) is dead-lettered
            // (as a truncated copy if need be) instead of holding the partition forever.
            sends.add(emitter.sendMessage(Message.of(envelope).addMetadata(key))
                    .onFailure(DeadLetterPublisher::isTooLarge).recoverWithUni(e -> deadLetters.parkRejected(sourceTopic,
                            Long.toString(change.eventId()).getBytes(StandardCharsets.UTF_8), envelope,
                            "too large for the external system's parking topic (" + envelope.length + " bytes): "
                                    + e.getMessage(),
                            Map.of("destination", "external", "event-id", Long.toString(change.eventId()),
                                    "lsn", Long.toString(change.lsn())))));
        }
        return Uni.join().all(sends).andFailFast().invoke(() -> parked.increment(envelopes.size())).replaceWithVoid();
    }
}

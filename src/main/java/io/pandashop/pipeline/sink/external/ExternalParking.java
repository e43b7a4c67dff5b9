package io.pandashop.pipeline.sink.external;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.pandashop.pipeline.config.Channels;
import io.pandashop.pipeline.enrich.FactChange;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.eclipse.microprofile.reactive.messaging.OnOverflow;

import java.util.ArrayList;
import java.util.List;

/**
 * Puts events the external system did not take on the parking topic, one record per event (its envelope, keyed
 * by event id); completes once the broker has them all.
 */
@ApplicationScoped
public class ExternalParking {

    private final MutinyEmitter<byte[]> emitter;
    private final Counter parked;

    public ExternalParking(@OnOverflow(value = OnOverflow.Strategy.BUFFER, bufferSize = 65536)
            @Channel(Channels.EXTERNAL_PARKING_OUT) MutinyEmitter<byte[]> emitter, MeterRegistry registry) {
        this.emitter = emitter;
        this.parked = registry.counter("pipeline.external.parked");
    }

    public Uni<Void> park(List<FactChange> changes, List<byte[]> envelopes) {
        List<Uni<Void>> sends = new ArrayList<>(envelopes.size());
        for (int i = 0; i < envelopes.size(); i++) {
            OutgoingKafkaRecordMetadata<String> key = OutgoingKafkaRecordMetadata.<String>builder()
                    .withKey(Long.toString(changes.get(i).eventId())).build();
            sends.add(emitter.sendMessage(Message.of(envelopes.get(i)).addMetadata(key)));
        }
        return Uni.join().all(sends).andFailFast().invoke(() -> parked.increment(envelopes.size())).replaceWithVoid();
    }
}

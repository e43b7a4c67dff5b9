package io.pandashop.pipeline.sink.external;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.pandashop.pipeline.config.Channels;
import io.pandashop.pipeline.sink.EventEnvelope;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.eclipse.microprofile.reactive.messaging.OnOverflow;

import java.util.ArrayList;
import java.util.List;

/** Puts events the external system did not take on the parking topic; completes once the broker has them. */
@ApplicationScoped
public class ExternalParking {

    private final MutinyEmitter<String> emitter;
    private final ObjectMapper mapper;
    private final Counter parked;

    public ExternalParking(@OnOverflow(value = OnOverflow.Strategy.BUFFER, bufferSize = 65536) @Channel(Channels.EXTERNAL_PARKING_OUT) MutinyEmitter<String> emitter, ObjectMapper mapper,
            MeterRegistry registry) {
        this.emitter = emitter;
        this.mapper = mapper;
        this.parked = registry.counter("pipeline.external.parked");
    }

    public Uni<Void> park(List<EventEnvelope> events) {
        List<Uni<Void>> sends = new ArrayList<>(events.size());
        for (EventEnvelope e : events) {
            OutgoingKafkaRecordMetadata<String> key = OutgoingKafkaRecordMetadata.<String>builder()
                    .withKey(Long.toString(e.eventId())).build();
            sends.add(emitter.sendMessage(Message.of(json(e)).addMetadata(key)));
        }
        return Uni.join().all(sends).andFailFast().invoke(() -> parked.increment(events.size())).replaceWithVoid();
    }

    private String json(EventEnvelope e) {
        try {
            return mapper.writeValueAsString(e);
        } catch (JsonProcessingException ex) {
            throw new IllegalStateException(ex);
        }
    }
}

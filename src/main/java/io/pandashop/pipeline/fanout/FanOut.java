package io.pandashop.pipeline.fanout;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.pandashop.pipeline.config.Channels;
import io.pandashop.pipeline.config.PipelineConfig;
import io.pandashop.pipeline.enrich.EnrichedBatch;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.Messages;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.Instance;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Sends every enriched batch to each enabled destination's emitter channel. The copies' acks count down to the
 * source batch (Messages.chain): its Kafka offsets are committed only when every destination has acked. At most
 * pipeline.fan-out.max-in-flight batches (and max-in-flight-bytes of their source records) are un-acked at once;
 * past that the fan-out stops taking batches and the
 * Kafka consumer pauses, so a stalled destination holds memory to that bound and the others are not blocked.
 */
@ApplicationScoped
public class FanOut {

    private static final Logger LOG = Logger.getLogger(FanOut.class);

    private final List<Destination> active;
    private final AsyncPermits inFlight;

    public FanOut(@Any Instance<Destination> destinations, PipelineConfig config, MeterRegistry registry) {
        requireKnownNames(destinations, config);
        this.active = destinations.stream()
                .filter(d -> config.destinations().get(d.name()).enabled())
                .sorted(Comparator.comparing(Destination::name))
                .toList();
        this.inFlight = new AsyncPermits(config.fanOut().maxInFlight(), config.fanOut().maxInFlightBytes());
        registry.gauge("pipeline.fanout.in.flight", Tags.empty(), inFlight, AsyncPermits::inUse);
        registry.gauge("pipeline.fanout.in.flight.bytes", Tags.empty(), inFlight, AsyncPermits::bytesInUse);
        LOG.infof("fan-out to %s, at most %d batches and %d MB of source records in flight",
                active.stream().map(Destination::name).toList(), config.fanOut().maxInFlight(),
                config.fanOut().maxInFlightBytes() / (1024 * 1024));
    }

    /**
     * Created at start (once the channels are wired: the destinations need their emitters), so a bad configuration
     * stops the start instead of failing the first batch.
     */
    void atStart(@Observes StartupEvent event) {
        LOG.debugf("fan-out checked at start: %s", active);
    }

    /** A misspelt pipeline.destinations.NAME would silently configure nothing: it stops the start instead. */
    private static void requireKnownNames(Instance<Destination> destinations, PipelineConfig config) {
        Set<String> known = new TreeSet<>();
        destinations.forEach(d -> known.add(d.name()));
        Set<String> unknown = new TreeSet<>(config.destinations().keySet());
        unknown.removeAll(known);
        if (!unknown.isEmpty()) {
            throw new IllegalStateException("unknown destination " + String.join(", ", unknown)
                    + " in pipeline.destinations.*; the destinations are " + String.join(", ", known));
        }
    }

    @Incoming(Channels.ENRICHED_CHANGES)
    public Uni<Void> fanOut(Message<EnrichedBatch> in) {
        return send(in);
    }

    /** A backfill's pages: the same destinations and the same in-flight bound as live changes. */
    @Incoming(Channels.ENRICHED_READS)
    public Uni<Void> fanOutReads(Message<EnrichedBatch> in) {
        return send(in);
    }

    private Uni<Void> send(Message<EnrichedBatch> in) {
        EnrichedBatch batch = in.getPayload();
        if (batch.isEmpty() || active.isEmpty()) {
            return Uni.createFrom().completionStage(in.ack());
        }
        long bytes = batch.sourceBytes();
        return inFlight.acquire(bytes).invoke(() -> {
            Message<EnrichedBatch> tracked = in
                    .withAck(() -> in.ack().whenComplete((ok, failure) -> inFlight.release(bytes)))
                    .withNack(reason -> in.nack(reason).whenComplete((ok, failure) -> inFlight.release(bytes)));
            Message<?>[] copies = new Message<?>[active.size()];
            for (int i = 0; i < copies.length; i++) {
                copies[i] = Message.of(batch);
            }
            List<Message<?>> chained = Messages.chain(tracked).withoutMetadata().with(copies);
            for (int i = 0; i < copies.length; i++) {
                @SuppressWarnings("unchecked")
                Message<EnrichedBatch> copy = (Message<EnrichedBatch>) chained.get(i);
                active.get(i).channel().sendMessageAndForget(copy);
            }
        });
    }
}

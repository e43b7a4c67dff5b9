package io.pandashop.pipeline.fanout;

import io.micrometer.core.instrument.MeterRegistry;
import io.pandashop.pipeline.config.PipelineConfig;
import io.pandashop.pipeline.deadletter.DeadLetterPublisher;
import io.pandashop.pipeline.deadletter.RejectedWrite;
import io.pandashop.pipeline.deadletter.RejectionIsolation;
import io.pandashop.pipeline.enrich.EnrichedBatch;
import io.pandashop.pipeline.enrich.FactChange;
import io.pandashop.pipeline.health.ConsumerLiveness;
import io.pandashop.pipeline.health.DependencyRetry;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.Instance;
import org.eclipse.microprofile.health.Liveness;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Each destination's consumer of its channel: it groups what arrives into writes of at most max-batches batches
 * or max-wait, writes them one at a time, then acks. The failure policy (README, "Failure policy"): an outage is
 * retried as long as it takes; a write the destination refuses is split until the refused changes are isolated,
 * and only those go to the dead-letter topic with the destination's answer. A destination never nacks, so no
 * failure can end a channel; the fan-out's in-flight bound keeps what waits here bounded.
 */
@ApplicationScoped
public class DestinationConsumers {

    private static final Logger LOG = Logger.getLogger(DestinationConsumers.class);

    private final Instance<Destination> destinations;
    private final PipelineConfig config;
    private final DependencyRetry retry;
    private final DeadLetterPublisher deadLetters;
    private final ConsumerLiveness liveness;
    private final MeterRegistry registry;
    private final String sourceTopic;

    public DestinationConsumers(@Any Instance<Destination> destinations, PipelineConfig config,
            DependencyRetry retry, DeadLetterPublisher deadLetters, @Liveness ConsumerLiveness liveness,
            MeterRegistry registry) {
        this.destinations = destinations;
        this.config = config;
        this.retry = retry;
        this.deadLetters = deadLetters;
        this.liveness = liveness;
        this.registry = registry;
        this.sourceTopic = config.topicPrefix() + ".public.engagement_events";
    }

    void start(@Observes StartupEvent event) {
        for (Destination d : destinations) {
            subscribe(d);
        }
    }

    private void subscribe(Destination d) {
        PipelineConfig.Destination settings = config.destinations().get(d.name());
        DestinationMetrics metrics = new DestinationMetrics(d.name(), registry);
        d.consumer()
                .onItem().invoke(metrics::arrived)
                .group().intoLists().of(Math.max(1, settings.maxBatches()), settings.maxWait())
                // Never fills: at most max-in-flight batches are un-acked, hence waiting here.
                .onOverflow().buffer(Math.max(1, config.fanOut().maxInFlight()))
                .onItem().transformToUniAndConcatenate(messages -> {
                    EnrichedBatch batch = EnrichedBatch.merge(payloads(messages));
                    return write(d, batch, metrics).chain(() -> ackAll(messages))
                            .invoke(() -> metrics.acked(messages.size()));
                })
                .subscribe().with(done -> {
                }, failure -> liveness.stopped(d.name(), failure), () -> liveness.stopped(d.name(), null));
    }

    /** Writes the batch; what the destination refuses is isolated and parked, the rest written. */
    private Uni<Void> write(Destination d, EnrichedBatch batch, DestinationMetrics metrics) {
        AtomicInteger refused = new AtomicInteger();
        return RejectionIsolation.write(0, batch.size(), (from, to) -> {
            EnrichedBatch part = batch.slice(from, to);
            Uni<Void> attempt = to - from == 1
                    ? retry.fewTimes(() -> retry.untilAvailable(d.name(), () -> timed(d, part, metrics)))
                    : retry.untilAvailable(d.name(), () -> timed(d, part, metrics));
            if (from == 0 && to == batch.size()) {
                return attempt.onFailure(RejectedWrite.class).invoke(e -> {
                    metrics.refused();
                    LOG.warnf("%s refused a write of %d changes (%s); splitting it to isolate the refused changes",
                            d.name(), batch.size(), ((RejectedWrite) e).answer());
                });
            }
            return attempt;
        }, (index, refusal) -> {
            refused.incrementAndGet();
            return park(d, batch, index, refusal);
        }).invoke(() -> {
            if (refused.get() > 0) {
                LOG.infof("%s: %d changes written, %d refused parked on the dead-letter topic; going on",
                        d.name(), batch.size() - refused.get(), refused.get());
            }
        });
    }

    private static Uni<Void> timed(Destination d, EnrichedBatch part, DestinationMetrics metrics) {
        long start = System.nanoTime();
        // Built on a worker thread: request building is CPU work, and on an event loop it held up the replies of
        // every client sharing that loop.
        return Uni.createFrom().deferred(() -> d.write(part))
                .runSubscriptionOn(Infrastructure.getDefaultWorkerPool())
                .invoke(() -> metrics.written(part, start));
    }

    private Uni<Void> park(Destination d, EnrichedBatch batch, int index, RejectedWrite refusal) {
        FactChange change = batch.changes().get(index);
        Map<String, String> position = new LinkedHashMap<>();
        position.put("destination", d.name());
        position.put("event-id", Long.toString(change.eventId()));
        position.put("lsn", Long.toString(change.lsn()));
        position.put("op", change.op().code());
        return deadLetters.parkRejected(sourceTopic,
                Long.toString(change.eventId()).getBytes(StandardCharsets.UTF_8), batch.envelopes().get(index),
                refusal.getMessage(), position);
    }

    private static List<EnrichedBatch> payloads(List<Message<EnrichedBatch>> messages) {
        List<EnrichedBatch> batches = new ArrayList<>(messages.size());
        for (Message<EnrichedBatch> m : messages) {
            batches.add(m.getPayload());
        }
        return batches;
    }

    private static Uni<Void> ackAll(List<Message<EnrichedBatch>> messages) {
        List<Uni<Void>> acks = new ArrayList<>(messages.size());
        for (Message<EnrichedBatch> m : messages) {
            acks.add(Uni.createFrom().completionStage(m::ack));
        }
        return Uni.join().all(acks).andCollectFailures().replaceWithVoid()
                .onFailure().recoverWithNull(); // an ack for a revoked partition is dropped by the connector
    }
}

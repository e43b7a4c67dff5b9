package io.pandashop.pipeline.fanout;

import io.micrometer.core.instrument.MeterRegistry;
import io.pandashop.pipeline.config.PipelineConfig;
import io.pandashop.pipeline.enrich.EnrichedBatch;
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

import java.util.ArrayList;
import java.util.List;

/**
 * Each destination's consumer of its channel: it groups what arrives into writes of at most max-batches batches
 * or max-wait, writes them one at a time (retrying while the destination is down, as long as it takes), then
 * acks. A destination never nacks, so no outage can fail a channel; the fan-out's in-flight bound keeps what
 * waits here bounded.
 */
@ApplicationScoped
public class DestinationConsumers {

    private final Instance<Destination> destinations;
    private final PipelineConfig config;
    private final DependencyRetry retry;
    private final ConsumerLiveness liveness;
    private final MeterRegistry registry;

    public DestinationConsumers(@Any Instance<Destination> destinations, PipelineConfig config,
            DependencyRetry retry, @Liveness ConsumerLiveness liveness, MeterRegistry registry) {
        this.destinations = destinations;
        this.config = config;
        this.retry = retry;
        this.liveness = liveness;
        this.registry = registry;
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
                    return retry.untilAvailable(d.name(), () -> {
                        long start = System.nanoTime();
                        // Built on a worker thread: request building is CPU work, and on an event loop it held up
                        // the replies of every client sharing that loop.
                        return Uni.createFrom().deferred(() -> d.write(batch))
                                .runSubscriptionOn(Infrastructure.getDefaultWorkerPool())
                                .invoke(() -> metrics.written(batch, start));
                    }).chain(() -> ackAll(messages)).invoke(() -> metrics.acked(messages.size()));
                })
                .subscribe().with(done -> {
                }, failure -> liveness.stopped(d.name(), failure), () -> liveness.stopped(d.name(), null));
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

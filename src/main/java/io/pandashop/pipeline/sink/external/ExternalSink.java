package io.pandashop.pipeline.sink.external;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.pandashop.pipeline.config.Channels;
import io.pandashop.pipeline.config.PipelineConfig;
import io.pandashop.pipeline.enrich.EnrichedBatch;
import io.pandashop.pipeline.enrich.Envelopes;
import io.pandashop.pipeline.enrich.FactChange;
import io.pandashop.pipeline.health.StageThreads;
import io.pandashop.pipeline.sink.ChannelDestination;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.eclipse.microprofile.reactive.messaging.OnOverflow;
import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.List;

/**
 * Delivers engagement changes to the external system in batches. What it does not take after the live path's
 * retries is parked on a Kafka topic (and redelivered from there), so the batch still counts as durably taken.
 * The destination's channel is {@value Channels#TO_EXTERNAL}.
 */
@Singleton // no client proxy: its superclass holds the channel
public class ExternalSink extends ChannelDestination {

    private static final Logger LOG = Logger.getLogger(ExternalSink.class);

    private final ExternalDelivery delivery;
    private final ExternalParking parking;
    private final PipelineConfig.External config;
    private final Counter delivered;
    private final StageThreads threads;

    public ExternalSink(ExternalDelivery delivery, ExternalParking parking, PipelineConfig config,
            MeterRegistry registry, StageThreads threads,
            @Channel(Channels.TO_EXTERNAL) @OnOverflow(OnOverflow.Strategy.UNBOUNDED_BUFFER)
            MutinyEmitter<EnrichedBatch> channel,
            @Channel(Channels.TO_EXTERNAL) Multi<Message<EnrichedBatch>> consumer) {
        super("external", channel, consumer);
        this.delivery = delivery;
        this.parking = parking;
        this.config = config.external();
        this.delivered = registry.counter("pipeline.external.delivered", "path", "live");
        this.threads = threads;
    }

    @Override
    public Uni<Void> write(EnrichedBatch batch) {
        if (batch.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        threads.running(StageThreads.Stage.EXTERNAL_BODY); // the envelopes (written here first) and the bodies
        List<Uni<Void>> chunks = new ArrayList<>();
        int size = Math.max(1, config.batchSize());
        for (int from = 0; from < batch.size(); from += size) {
            int to = Math.min(batch.size(), from + size);
            Envelopes envelopes = batch.envelopes().slice(from, to);
            List<FactChange> changes = batch.changes().subList(from, to);
            ExternalBatch request = ExternalBatch.of(envelopes);
            chunks.add(delivery.deliverNow(request)
                    .invoke(() -> delivered.increment(request.events()))
                    .onFailure().recoverWithUni(e -> {
                        LOG.warnf("external system did not take %d events (%s); parking them for redelivery",
                                request.events(), e.getClass().getSimpleName() + ": " + e.getMessage());
                        return parking.park(changes, envelopes);
                    }));
        }
        return Uni.join().all(chunks).andFailFast().replaceWithVoid();
    }
}

package io.pandashop.pipeline.fanout;

import io.pandashop.pipeline.enrich.EnrichedBatch;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import org.eclipse.microprofile.reactive.messaging.Message;

/**
 * One destination of enriched changes: a bean with its own emitter channel (to-NAME). Adding a destination is
 * one class implementing this and one channel name; pipeline.destinations.NAME.* configures it (enabled,
 * max-batches, max-wait). Writes must be idempotent on the changes' source positions (lsn): after a crash,
 * batches are delivered again.
 */
public interface Destination {

    /** Short name: configuration key, metric tag, readiness entry. */
    String name();

    /** The emitter side of the destination's channel: where the fan-out sends. */
    MutinyEmitter<EnrichedBatch> channel();

    /** The consuming side of the same channel. */
    Multi<Message<EnrichedBatch>> consumer();

    /**
     * Writes one batch. Completes once the destination has durably taken every change (or durably parked it for
     * later delivery); fails when the destination is unavailable, and is then retried.
     */
    Uni<Void> write(EnrichedBatch batch);
}

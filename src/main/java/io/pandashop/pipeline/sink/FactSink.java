package io.pandashop.pipeline.sink;

import io.smallrye.mutiny.Uni;

/**
 * One destination of enriched engagement changes. The Uni completes once the destination has durably taken
 * every change of the batch (or parked it for later delivery); only then are the source offsets committed.
 * Implementations must be idempotent on the changes' source positions (lsn): batches are redelivered after a crash.
 */
public interface FactSink {

    /** Short name used in metrics and logs. */
    String name();

    Uni<Void> write(OutgoingBatch batch);
}

package io.pandashop.pipeline.sink;

import io.pandashop.pipeline.enrich.FactChange;
import io.smallrye.mutiny.Uni;

import java.util.List;

/**
 * One destination of enriched engagement changes. The Uni completes once the destination has durably taken
 * every change of the batch (or parked it for later delivery); only then are the source offsets committed.
 * Implementations must be idempotent on {@link FactChange#lsn()}: batches are redelivered after a crash.
 */
public interface FactSink {

    /** Short name used in metrics and logs. */
    String name();

    Uni<Void> write(List<FactChange> changes);
}

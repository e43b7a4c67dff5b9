package io.pandashop.pipeline.enrich;

import io.pandashop.pipeline.cdc.Op;

/**
 * What every destination receives for one source change of an engagement event.
 *
 * @param current  the enriched event as it is now; null when the event was deleted
 * @param previous the event as it was before this change (updates and deletes), to retract what it contributed;
 *                 null for inserts and snapshot reads
 * @param lsn      source position; the version every destination keys its idempotence on
 */
public record FactChange(long eventId, Op op, long lsn, long sourceTsMs, EnrichedEvent current, EnrichedEvent previous) {

    public boolean deleted() {
        return current == null;
    }

    /** Stable across redeliveries and Debezium replays: table, primary key and source position. */
    public String idempotencyKey() {
        return "engagement_events:" + eventId + ":" + lsn;
    }
}

package io.pandashop.pipeline.enrich;

import io.pandashop.pipeline.cdc.Op;

import java.util.Objects;

/**
 * What every destination receives for one source change of an engagement event.
 *
 * @param current  the enriched event as it is now; null when the event was deleted
 * @param previous the event as it was before this change (updates and deletes), to retract what it contributed;
 *                 null for inserts and reads
 * @param lsn      source position; the version every destination keys its idempotence on. A backfill's rows carry
 *                 the position their snapshot was taken at (see backfill.SnapshotReader)
 * @param txId     the source transaction that wrote this row version (Debezium's source.txId, a backfill row's
 *                 xmin); -1 when unknown
 */
public record FactChange(long eventId, Op op, long lsn, long sourceTsMs, long txId, EnrichedEvent current,
        EnrichedEvent previous) {

    public boolean deleted() {
        return current == null;
    }

    /**
     * The same for the same source row version, whether it arrives from the change stream, a Debezium replay or a
     * backfill: table, primary key, the writing transaction and a hash of the row image (two versions written by
     * one transaction differ in their image). Without a transaction id, the source position stands in.
     */
    public String idempotencyKey() {
        if (txId < 0) {
            return "engagement_events:" + eventId + ":" + lsn;
        }
        return "engagement_events:" + eventId + ":" + txId + ":"
                + (current == null ? "deleted" : Integer.toHexString(imageHash(current)));
    }

    /** Over the source columns only, with hash codes the JDK specifies, so every instance computes the same. */
    private static int imageHash(EnrichedEvent e) {
        return Objects.hash(e.contentId(), e.userId(), e.eventType(), e.eventTs(), e.durationMs(), e.device(),
                e.rawPayload());
    }
}

package io.pandashop.pipeline.enrich;

import io.pandashop.pipeline.cdc.Op;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * The enriched changes of one Kafka poll, as the fan-out hands them to every destination, or of several merged into
 * one write. Each change's JSON envelope (the external system's body, parking, the dead-letter topic) is written
 * once per batch, when first needed, and a slice shares its batch's.
 */
public final class EnrichedBatch {

    private final List<FactChange> changes;
    private final long sourceBytes;
    private final EnrichedBatch sliceOf;
    private final int sliceFrom;
    private Envelopes envelopes;
    private long[] commitTimesMs;

    private EnrichedBatch(List<FactChange> changes, long sourceBytes, EnrichedBatch sliceOf, int sliceFrom) {
        this.changes = changes;
        this.sourceBytes = sourceBytes;
        this.sliceOf = sliceOf;
        this.sliceFrom = sliceFrom;
    }

    /** @param changes handed over: the caller no longer changes the list */
    public static EnrichedBatch of(List<FactChange> changes) {
        return of(changes, 0);
    }

    /** @param sourceBytes the size of the records the changes came from: what the fan-out's byte bound counts */
    public static EnrichedBatch of(List<FactChange> changes, long sourceBytes) {
        return new EnrichedBatch(Collections.unmodifiableList(changes), sourceBytes, null, 0);
    }

    /** One batch of all the changes of {@code batches}, in order. */
    public static EnrichedBatch merge(List<EnrichedBatch> batches) {
        if (batches.size() == 1) {
            return batches.get(0);
        }
        List<FactChange> all = new ArrayList<>();
        long bytes = 0;
        for (EnrichedBatch b : batches) {
            all.addAll(b.changes);
            bytes += b.sourceBytes;
        }
        return new EnrichedBatch(all, bytes, null, 0);
    }

    /**
     * Changes [from, to) as a batch of their own (a destination isolating what it refuses), sharing this batch's
     * envelopes.
     */
    public EnrichedBatch slice(int from, int to) {
        if (from == 0 && to == changes.size()) {
            return this;
        }
        return new EnrichedBatch(changes.subList(from, to), 0, this, from);
    }

    /** Bytes of the source records (0 where unknown, e.g. a backfill's pages, bounded by their own count). */
    public long sourceBytes() {
        return sourceBytes;
    }

    public List<FactChange> changes() {
        return changes;
    }

    /** The changes' envelopes, in the same order. */
    public synchronized Envelopes envelopes() {
        if (envelopes == null) {
            envelopes = sliceOf != null ? sliceOf.envelopes().slice(sliceFrom, sliceFrom + changes.size())
                    : EnvelopeJson.of(changes);
        }
        return envelopes;
    }

    /**
     * The source commit times of the changes that have one (a backfill's or snapshot's rows do not), computed once
     * for every destination's freshness meter.
     */
    public synchronized long[] commitTimesMs() {
        if (commitTimesMs == null) {
            long[] times = new long[changes.size()];
            int n = 0;
            for (FactChange c : changes) {
                if (c.op() != Op.READ) {
                    times[n++] = c.sourceTsMs();
                }
            }
            commitTimesMs = n == times.length ? times : Arrays.copyOf(times, n);
        }
        return commitTimesMs;
    }

    public int size() {
        return changes.size();
    }

    public boolean isEmpty() {
        return changes.isEmpty();
    }
}

package io.pandashop.pipeline.enrich;

import io.pandashop.pipeline.cdc.Op;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * The enriched changes of one Kafka poll, as the fan-out hands them to every destination. Each change's JSON
 * envelope (Redis streams, the external system, parking) is written once, by the first destination that needs
 * it, and shared with the others; a batch merged from several keeps its parts' envelopes.
 */
public final class EnrichedBatch {

    private final List<FactChange> changes;
    private final List<EnrichedBatch> parts;
    private final long sourceBytes;
    private List<byte[]> envelopes;
    private long[] commitTimesMs;

    private EnrichedBatch(List<FactChange> changes, List<EnrichedBatch> parts, long sourceBytes) {
        this.changes = changes;
        this.parts = parts;
        this.sourceBytes = sourceBytes;
    }

    /** @param changes handed over: the caller no longer changes the list */
    public static EnrichedBatch of(List<FactChange> changes) {
        return of(changes, 0);
    }

    /** @param sourceBytes the size of the records the changes came from: what the fan-out's byte bound counts */
    public static EnrichedBatch of(List<FactChange> changes, long sourceBytes) {
        return new EnrichedBatch(Collections.unmodifiableList(changes), null, sourceBytes);
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
        return new EnrichedBatch(all, List.copyOf(batches), bytes);
    }

    /**
     * Changes [from, to) as a batch of their own (a destination isolating what it refuses), sharing the envelopes
     * already written.
     */
    public EnrichedBatch slice(int from, int to) {
        if (from == 0 && to == changes.size()) {
            return this;
        }
        EnrichedBatch part = new EnrichedBatch(changes.subList(from, to), null, 0);
        part.envelopes = envelopes().subList(from, to);
        return part;
    }

    /** Bytes of the source records (0 where unknown, e.g. a backfill's pages, bounded by their own count). */
    public long sourceBytes() {
        return sourceBytes;
    }

    public List<FactChange> changes() {
        return changes;
    }

    /** The changes' envelopes, in the same order. */
    public synchronized List<byte[]> envelopes() {
        if (envelopes == null) {
            List<byte[]> written = new ArrayList<>(changes.size());
            if (parts != null) {
                for (EnrichedBatch part : parts) {
                    written.addAll(part.envelopes());
                }
            } else {
                written.addAll(EnvelopeJson.of(changes));
            }
            envelopes = written;
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

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
    private List<byte[]> envelopes;
    private long[] commitTimesMs;

    private EnrichedBatch(List<FactChange> changes, List<EnrichedBatch> parts) {
        this.changes = changes;
        this.parts = parts;
    }

    /** @param changes handed over: the caller no longer changes the list */
    public static EnrichedBatch of(List<FactChange> changes) {
        return new EnrichedBatch(Collections.unmodifiableList(changes), null);
    }

    /** One batch of all the changes of {@code batches}, in order. */
    public static EnrichedBatch merge(List<EnrichedBatch> batches) {
        if (batches.size() == 1) {
            return batches.get(0);
        }
        List<FactChange> all = new ArrayList<>();
        for (EnrichedBatch b : batches) {
            all.addAll(b.changes);
        }
        return new EnrichedBatch(all, List.copyOf(batches));
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

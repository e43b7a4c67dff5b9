package io.pandashop.pipeline.sink;

import io.pandashop.pipeline.enrich.FactChange;

import java.util.ArrayList;
import java.util.List;

/**
 * A batch of changes on its way to the destinations, with each change's JSON envelope written once for all
 * that need it.
 */
public record OutgoingBatch(List<FactChange> changes, List<byte[]> envelopes) {

    public static OutgoingBatch of(List<FactChange> changes) {
        List<byte[]> envelopes = new ArrayList<>(changes.size());
        for (FactChange c : changes) {
            envelopes.add(EnvelopeJson.of(c));
        }
        return new OutgoingBatch(changes, envelopes);
    }

    public int size() {
        return changes.size();
    }

    public boolean isEmpty() {
        return changes.isEmpty();
    }
}
